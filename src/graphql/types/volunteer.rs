//! Volunteer content: news (公告), banners (轮播图), system messages (系统消息) and the chat
//! (留言) between patients and doctors.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::{banner, chat_dialog, chat_message, news, notification};

use super::{User, loaders};
use crate::domain::chat::{self, ChatSide, UnreadCounts};
use crate::domain::page::DEFAULT_PAGE_SIZE;
use crate::domain::volunteer_content::{self, Audience, JumpMode};
use crate::graphql::auth;
use crate::graphql::connection::{Conn, PageArgs, to_connection};
use crate::graphql::loaders::load_err;
use crate::graphql::node::global_id;
use crate::graphql::public_url;

async fn user_by_id(ctx: &Context<'_>, id: i64) -> async_graphql::Result<Option<User>> {
    Ok(loaders(ctx)?
        .user
        .load_one(id)
        .await
        .map_err(load_err)?
        .map(User))
}

/// A stored-file reference as an absolute URL (a bare address becomes `{public}/files/{hash}`).
fn file_url(ctx: &Context<'_>, reference: &str) -> String {
    if reference.starts_with("http://") || reference.starts_with("https://") {
        reference.to_owned()
    } else {
        format!("{}/files/{}", public_url(ctx), reference)
    }
}

/// A news item (公告) for one audience.
#[derive(Clone, Debug)]
pub struct News(pub news::Model);

/// A news item (公告) for one audience.
#[Object]
impl News {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("News", self.0.id)
    }

    /// The integer id of the legacy dialects.
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// Who it is for (患者端 / 医生端 / 医助端).
    async fn audience(&self) -> Option<Audience> {
        Audience::from_code(i64::from(self.0.audience))
    }

    /// Title (标题).
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Rich text (富文本内容), HTML.
    async fn content(&self) -> &str {
        &self.0.content
    }

    /// Cover image (logo图片) as an absolute URL.
    async fn cover_url(&self, ctx: &Context<'_>) -> Option<String> {
        self.0.cover_url.as_deref().map(|c| file_url(ctx, c))
    }

    /// Publication time (发布时间); shown from then on.
    async fn published_at(&self) -> DateTime<Utc> {
        self.0.published_at
    }

    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A homepage banner (banner广告, 轮播图).
#[derive(Clone, Debug)]
pub struct Banner(pub banner::Model);

/// A homepage banner (banner广告, 轮播图).
#[Object]
impl Banner {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("Banner", self.0.id)
    }

    /// The integer id of the legacy dialects.
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// Title (广告title).
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Image (广告图片地址) as an absolute URL.
    async fn image_url(&self, ctx: &Context<'_>) -> String {
        file_url(ctx, &self.0.image_url)
    }

    /// Where it leads (跳转类型, `jump_mode`).
    async fn jump_mode(&self) -> JumpMode {
        JumpMode::from_code(self.0.jump_mode)
    }

    /// The free clinic or news item it leads to (跳转的指向id).
    async fn jump_id(&self) -> Option<i64> {
        self.0.jump_id
    }

    /// The URL it leads to (href).
    async fn href(&self) -> Option<&str> {
        self.0.href.as_deref()
    }

    /// Whose homepage shows it.
    async fn audience(&self) -> Option<Audience> {
        Audience::from_code(i64::from(self.0.audience))
    }

    /// Order on the homepage (ascending).
    async fn sort(&self) -> i32 {
        self.0.sort
    }

    /// Only on this hospital's homepage (its legacy id).
    async fn hospital_id(&self) -> Option<i64> {
        self.0.hospital_id
    }

    /// Only on this organization's homepage (its legacy id).
    async fn organization_id(&self) -> Option<i64> {
        self.0.organization_id
    }
}

/// What kind of system message (消息类型).
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// To everyone or to one audience (全量消息, legacy 0).
    Broadcast,
    /// To this user alone (单发消息, legacy 1): an administrator's message or a notice of a
    /// change to the user's records.
    Personal,
}

/// A system message (系统消息) of the caller: their notifications, broadcasts included.
#[derive(Clone, Debug)]
pub struct Message(pub notification::Model);

/// A system message (系统消息) of the caller: their notifications, broadcasts included.
#[Object]
impl Message {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("Message", self.0.id)
    }

    /// The integer id of the legacy dialects.
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// Broadcast or personal (类型).
    async fn kind(&self) -> MessageKind {
        if volunteer_content::is_broadcast(&self.0) {
            MessageKind::Broadcast
        } else {
            MessageKind::Personal
        }
    }

    /// Title (标题).
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Text (内容).
    async fn content(&self) -> &str {
        &self.0.body
    }

    /// When it was sent (发布时间).
    async fn published_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Whether the caller has read it.
    async fn read(&self) -> bool {
        self.0.read_at.is_some()
    }

    /// When the caller read it.
    async fn read_at(&self) -> Option<DateTime<Utc>> {
        self.0.read_at
    }

    /// Who sent it (消息发送人); null for the platform itself.
    async fn sender(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        match self.0.sender_id {
            Some(id) => user_by_id(ctx, id).await,
            None => Ok(None),
        }
    }
}

/// A chat message (留言信息).
#[derive(Clone, Debug)]
pub struct ChatMessage(pub chat_message::Model);

/// One message of a chat.
#[Object]
impl ChatMessage {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("ChatMessage", self.0.id)
    }

    /// The integer id of the legacy dialects.
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// The dialog's ID.
    async fn dialog_id(&self) -> ID {
        global_id("ChatDialog", self.0.dialog_id)
    }

    /// The dialog's legacy id (dialog_id).
    async fn dialog_legacy_id(&self) -> i64 {
        self.0.dialog_id
    }

    /// The sender's side (type: 1 患者, 2 医生).
    async fn sender_side(&self) -> Option<ChatSide> {
        ChatSide::from_code(i64::from(self.0.sender_side))
    }

    /// Sender (from_user).
    async fn sender(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user_by_id(ctx, self.0.sender_id).await
    }

    /// Sender's legacy id (from_user_id).
    async fn sender_legacy_id(&self) -> i64 {
        self.0.sender_id
    }

    /// Recipient (to_user).
    async fn recipient(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user_by_id(ctx, self.0.recipient_id).await
    }

    /// Recipient's legacy id (to_user_id).
    async fn recipient_legacy_id(&self) -> i64 {
        self.0.recipient_id
    }

    /// Text (消息内容), at most 256 characters.
    async fn content(&self) -> &str {
        &self.0.content
    }

    /// Photos (消息图片列表), at most 3, as absolute URLs.
    async fn photo_urls(&self, ctx: &Context<'_>) -> Vec<String> {
        chat::photos_of(&self.0)
            .iter()
            .map(|p| file_url(ctx, p))
            .collect()
    }

    /// Whether the recipient has read it (is_read).
    async fn read(&self) -> bool {
        self.0.read_at.is_some()
    }

    /// When the recipient read it.
    async fn read_at(&self) -> Option<DateTime<Utc>> {
        self.0.read_at
    }

    /// When it was sent.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// The dialog (留言对话) between a patient and a doctor; seen by the two of them only.
#[derive(Clone, Debug)]
pub struct ChatDialog(pub chat_dialog::Model);

impl ChatDialog {
    async fn unread(&self, ctx: &Context<'_>) -> async_graphql::Result<UnreadCounts> {
        Ok(loaders(ctx)?
            .volunteer
            .unread
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .unwrap_or_default())
    }
}

/// The dialog (留言对话) between a patient and a doctor; seen by the two of them only.
#[Object]
impl ChatDialog {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("ChatDialog", self.0.id)
    }

    /// The integer id of the legacy dialects (chat_dialog id).
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// The patient (patient_user).
    async fn patient(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user_by_id(ctx, self.0.patient_id).await
    }

    /// The patient's legacy id (patient_user_id).
    async fn patient_legacy_id(&self) -> i64 {
        self.0.patient_id
    }

    /// The doctor (doctor_user).
    async fn doctor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user_by_id(ctx, self.0.doctor_id).await
    }

    /// The doctor's legacy id (doctor_user_id).
    async fn doctor_legacy_id(&self) -> i64 {
        self.0.doctor_id
    }

    /// The latest message (last_msg).
    async fn last_message(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ChatMessage>> {
        let Some(id) = self.0.last_message_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .volunteer
            .chat_message
            .load_one(id)
            .await
            .map_err(load_err)?
            .map(ChatMessage))
    }

    /// When the latest message was sent.
    async fn last_message_at(&self) -> DateTime<Utc> {
        self.0.last_message_at
    }

    /// The doctor's messages the patient has not read.
    async fn patient_unread_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        Ok(self.unread(ctx).await?.patient)
    }

    /// The patient's messages the doctor has not read.
    async fn doctor_unread_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        Ok(self.unread(ctx).await?.doctor)
    }

    /// Messages the caller has not read in this dialog.
    async fn unread_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        let counts = self.unread(ctx).await?;
        Ok(match auth(ctx).user_id() {
            Some(id) if id == self.0.doctor_id => counts.doctor,
            Some(id) if id == self.0.patient_id => counts.patient,
            _ => 0,
        })
    }

    /// The messages, oldest first (reading them here does not mark them read: see
    /// `markChatDialogRead`).
    #[graphql(
        complexity = "first.or(last).map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn messages(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
        #[graphql(
            desc = "Items per page when paging backward: `last: 20` alone is the newest 20 \
                    messages; with `before`, the ones before it (at most 100)."
        )]
        last: Option<i32>,
        #[graphql(desc = "Cursor of the item before which a backward page ends.")] before: Option<
            String,
        >,
    ) -> async_graphql::Result<Conn<ChatMessage>> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        let loaders = loaders(ctx)?;
        let dialog = self.0.id;
        let page = crate::graphql::connection::fetch_page::<_, async_graphql::Error, _, _>(
            args,
            true,
            |window, _| async move {
                Ok(loaders
                    .volunteer
                    .message_pages
                    .load_one((dialog, window))
                    .await
                    .map_err(load_err)?
                    .unwrap_or_else(|| {
                        crate::domain::Page::from_probe(Vec::new(), window, Some(0))
                    }))
            },
        )
        .await?;
        Ok(to_connection(page, ChatMessage))
    }
}

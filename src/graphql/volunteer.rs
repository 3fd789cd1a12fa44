//! The volunteer-doctor content in GraphQL: news (公告), banners (轮播图), system messages
//! (系统消息), chat (留言) and WeChat media. Rules live in `domain::volunteer_content`,
//! `domain::chat` and `wechat`.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};

use super::connection::{Conn, PageArgs, to_connection, wants_total};
use super::node::{Node, decode_int_id};
use super::types::{Banner, ChatDialog, ChatMessage, Message, News, StoredFile};
use super::{auth, services};
use crate::domain::chat::{self, ChatSide, NewMessage};
use crate::domain::page::DEFAULT_PAGE_SIZE;
use crate::domain::volunteer_content::{self, Audience, BannerInput, JumpMode, NewsInput};
use crate::domain::{files, notifications};
use crate::error::AppError;
use crate::policy;
use crate::storage::FileKind;

/// `node(id:)` for news (anyone, once published), system messages (their recipient), chat
/// dialogs and messages (their participants).
pub(super) async fn resolve_node(
    ctx: &Context<'_>,
    ty: &str,
    key: &str,
) -> async_graphql::Result<Option<Node>> {
    let id = key
        .parse::<i64>()
        .map_err(|_| AppError::bad_field("id", "malformed ID"))?;
    let db = &services(ctx)?.db;
    let a = auth(ctx);
    if ty == "News" {
        return Ok(volunteer_content::find_news(db, id, a.is_admin())
            .await?
            .map(|n| Node::News(News(n))));
    }
    let Some(viewer) = a.viewer.as_ref() else {
        return Ok(None);
    };
    Ok(match ty {
        "Message" => notifications::find_visible(db, a, id)
            .await?
            .map(|m| Node::Message(Message(m))),
        "ChatDialog" => chat::find_dialog(db, viewer.user_id, id)
            .await?
            .map(|d| Node::ChatDialog(ChatDialog(d))),
        _ => chat::find_message(db, viewer.user_id, id)
            .await?
            .map(|m| Node::ChatMessage(ChatMessage(m))),
    })
}

/// News, banners, system messages and chat dialogs.
#[derive(Default)]
pub struct VolunteerQuery;

/// News, banners, system messages and chat dialogs.
#[Object]
impl VolunteerQuery {
    /// Published news (公告) of an audience, newest first.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn news_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whose news (患者端 1, 医生端 2, 医助端 3).")] audience: Audience,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<News>> {
        let window = PageArgs::forward(first, after).to_request()?;
        let page =
            volunteer_content::list_news(&services(ctx)?.db, audience, window, wants_total(ctx))
                .await?;
        Ok(to_connection(page, News))
    }

    /// One news item by its legacy id or global ID; null when there is none (or it is not
    /// published yet, except for administrators).
    async fn news(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID.")] id: Option<ID>,
        #[graphql(desc = "Legacy integer id.")] legacy_id: Option<i64>,
    ) -> async_graphql::Result<Option<News>> {
        let id = match (id, legacy_id) {
            (Some(id), _) => decode_int_id(&id, "News")?,
            (None, Some(id)) => id,
            (None, None) => return Err(AppError::bad_field("id", "give id or legacyId").into()),
        };
        Ok(
            volunteer_content::find_news(&services(ctx)?.db, id, auth(ctx).is_admin())
                .await?
                .map(News),
        )
    }

    /// The banners (轮播图) of a homepage, by `sort`: the audience's banners for everyone, plus
    /// those of the given hospital and organization.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn banners(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whose homepage.")] audience: Audience,
        #[graphql(desc = "A hospital's homepage (legacy id).")] hospital_id: Option<i64>,
        #[graphql(desc = "An organization's homepage (legacy id).")] organization_id: Option<i64>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Banner>> {
        let window = PageArgs::forward(first, after).to_request()?;
        let page = volunteer_content::list_banners(
            &services(ctx)?.db,
            audience,
            hospital_id,
            organization_id,
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, Banner))
    }

    /// The caller's system messages (我的消息), broadcasts included, newest first. Reading
    /// them marks nothing (see `markMessagesRead`).
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn messages(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only unread ones.", default = false)] unread_only: bool,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Message>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page = notifications::list_for_user(
            &services(ctx)?.db,
            viewer.user_id,
            unread_only,
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, Message))
    }

    /// Number of the caller's unread system messages (未读消息数).
    async fn unread_message_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        let viewer = auth(ctx).require()?;
        Ok(notifications::unread_count(&services(ctx)?.db, viewer.user_id).await?)
    }

    /// The caller's chat dialogs (留言对话列表), latest message first.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn chat_dialogs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<ChatDialog>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page = chat::list_dialogs(&services(ctx)?.db, viewer.user_id, window, wants_total(ctx))
            .await?;
        Ok(to_connection(page, ChatDialog))
    }

    /// One of the caller's chat dialogs; null for anyone but its two participants.
    async fn chat_dialog(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID.")] id: ID,
    ) -> async_graphql::Result<Option<ChatDialog>> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "ChatDialog")?;
        Ok(chat::find_dialog(&services(ctx)?.db, viewer.user_id, id)
            .await?
            .map(ChatDialog))
    }
}

/// A news item as an administrator writes it.
#[derive(InputObject)]
pub struct NewsFields {
    /// Whose news (患者端 / 医生端 / 医助端).
    pub audience: Audience,
    /// Title (标题), 1 to 200 characters.
    pub title: String,
    /// Rich text (富文本内容), HTML.
    pub content: String,
    /// Cover image (logo图片): URL of an uploaded image.
    pub cover_url: Option<String>,
    /// Publication time (发布时间); now when absent (on update: unchanged).
    pub published_at: Option<DateTime<Utc>>,
}

impl From<NewsFields> for NewsInput {
    fn from(f: NewsFields) -> Self {
        NewsInput {
            audience: f.audience,
            title: f.title,
            content: f.content,
            cover_url: f.cover_url,
            published_at: f.published_at,
        }
    }
}

/// A banner as an administrator sets it.
#[derive(InputObject)]
pub struct BannerFields {
    /// Title (广告title).
    #[graphql(default)]
    pub title: String,
    /// Image (广告图片地址): URL of an uploaded image.
    pub image_url: String,
    /// Where it leads (跳转类型).
    #[graphql(default_with = "JumpMode::None")]
    pub jump_mode: JumpMode,
    /// The free clinic or news item it leads to (FREE_CLINIC, NEWS).
    pub jump_id: Option<i64>,
    /// The URL it leads to (URL).
    pub href: Option<String>,
    /// Whose homepage shows it.
    pub audience: Audience,
    /// Order on the homepage (ascending).
    #[graphql(default)]
    pub sort: i32,
    /// Only on this hospital's homepage (legacy id).
    pub hospital_id: Option<i64>,
    /// Only on this organization's homepage (legacy id).
    pub organization_id: Option<i64>,
}

impl From<BannerFields> for BannerInput {
    fn from(f: BannerFields) -> Self {
        BannerInput {
            title: f.title,
            image_url: f.image_url,
            jump_mode: f.jump_mode,
            jump_id: f.jump_id,
            href: f.href,
            audience: f.audience,
            sort: f.sort,
            hospital_id: f.hospital_id,
            organization_id: f.organization_id,
        }
    }
}

/// A system message an administrator sends: to one user, to one audience, or to everyone.
#[derive(InputObject)]
pub struct SendMessageInput {
    /// Title (标题), 1 to 200 characters.
    pub title: String,
    /// Text (内容).
    pub content: String,
    /// To this user alone (单发消息).
    pub user_id: Option<ID>,
    /// To every account of this audience (without `userId`); everyone when both are absent
    /// (全量消息).
    pub audience: Option<Audience>,
}

/// A chat message to send.
#[derive(InputObject)]
pub struct SendChatMessageInput {
    /// The recipient (to_user_id).
    pub to_user_id: ID,
    /// Text (消息内容), at most 256 characters; required unless there is a photo.
    #[graphql(default)]
    pub content: String,
    /// Photos (留言图片), at most 3: URLs of uploaded images.
    #[graphql(default)]
    pub photos: Vec<String>,
    /// The side the caller writes from (type: 患者 1, 医生 2); inferred when absent.
    pub side: Option<ChatSide>,
}

/// Managing news, banners and messages; chatting; WeChat media.
#[derive(Default)]
pub struct VolunteerMutation;

/// Managing news, banners and messages; chatting; WeChat media.
#[Object]
impl VolunteerMutation {
    /// Publishes a news item (公告). Administrators only.
    async fn create_news(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields of the news.")] input: NewsFields,
    ) -> async_graphql::Result<News> {
        let viewer = auth(ctx).require()?;
        policy::volunteer::require_content_admin(viewer)?;
        Ok(News(
            volunteer_content::create_news(&services(ctx)?.db, viewer.user_id, input.into())
                .await?,
        ))
    }

    /// Replaces a news item's fields. Administrators only.
    async fn update_news(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the news to update.")] id: ID,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: NewsFields,
    ) -> async_graphql::Result<News> {
        let viewer = auth(ctx).require()?;
        policy::volunteer::require_content_admin(viewer)?;
        let id = decode_int_id(&id, "News")?;
        Ok(News(
            volunteer_content::update_news(&services(ctx)?.db, id, input.into()).await?,
        ))
    }

    /// Deletes a news item. Administrators only.
    async fn delete_news(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the news to delete.")] id: ID,
    ) -> async_graphql::Result<bool> {
        let viewer = auth(ctx).require()?;
        policy::volunteer::require_content_admin(viewer)?;
        let id = decode_int_id(&id, "News")?;
        volunteer_content::delete_news(&services(ctx)?.db, id).await?;
        Ok(true)
    }

    /// Adds a banner (轮播图). Administrators only.
    async fn create_banner(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields of the banner.")] input: BannerFields,
    ) -> async_graphql::Result<Banner> {
        let viewer = auth(ctx).require()?;
        policy::volunteer::require_content_admin(viewer)?;
        Ok(Banner(
            volunteer_content::create_banner(&services(ctx)?.db, input.into()).await?,
        ))
    }

    /// Replaces a banner's fields. Administrators only.
    async fn update_banner(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the banner to update.")] id: ID,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: BannerFields,
    ) -> async_graphql::Result<Banner> {
        let viewer = auth(ctx).require()?;
        policy::volunteer::require_content_admin(viewer)?;
        let id = decode_int_id(&id, "Banner")?;
        Ok(Banner(
            volunteer_content::update_banner(&services(ctx)?.db, id, input.into()).await?,
        ))
    }

    /// Deletes a banner. Administrators only.
    async fn delete_banner(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the banner to delete.")] id: ID,
    ) -> async_graphql::Result<bool> {
        let viewer = auth(ctx).require()?;
        policy::volunteer::require_content_admin(viewer)?;
        let id = decode_int_id(&id, "Banner")?;
        volunteer_content::delete_banner(&services(ctx)?.db, id).await?;
        Ok(true)
    }

    /// Sends a system message (系统消息): to one user, to one audience or to everyone.
    /// Administrators only. Answers how many accounts received it.
    async fn send_message(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields of the message.")] input: SendMessageInput,
    ) -> async_graphql::Result<u64> {
        let viewer = auth(ctx).require()?;
        policy::volunteer::require_content_admin(viewer)?;
        let s = services(ctx)?;
        match input.user_id {
            Some(user_id) => {
                let user_id = decode_int_id(&user_id, "User")?;
                volunteer_content::send_message(
                    &s.db,
                    s.bus.as_ref(),
                    viewer.user_id,
                    user_id,
                    &input.title,
                    &input.content,
                )
                .await?;
                Ok(1)
            }
            None => Ok(volunteer_content::broadcast(
                &s.db,
                viewer.user_id,
                input.audience,
                &input.title,
                &input.content,
            )
            .await?),
        }
    }

    /// Marks the caller's system messages read: the given ones, or all when `ids` is omitted.
    /// Others' messages are never touched. Returns how many changed.
    async fn mark_messages_read(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Message IDs; all when omitted.")] ids: Option<Vec<ID>>,
    ) -> async_graphql::Result<u64> {
        let viewer = auth(ctx).require()?;
        let ids = ids
            .map(|ids| {
                ids.iter()
                    .map(|id| decode_int_id(id, "Message"))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        Ok(notifications::mark_read(&services(ctx)?.db, viewer.user_id, ids.as_deref()).await?)
    }

    /// Sends a chat message (发送留言) between a patient and a doctor, creating their dialog on
    /// the patient's first message. A patient may write to any doctor; a doctor only answers a
    /// patient who wrote first. Both participants' `chatMessages` subscriptions receive it.
    async fn send_chat_message(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields of the chat message.")] input: SendChatMessageInput,
    ) -> async_graphql::Result<ChatMessage> {
        let viewer = auth(ctx).require()?;
        let to_user_id = decode_int_id(&input.to_user_id, "User")?;
        let s = services(ctx)?;
        let (_, message) = chat::send(
            &s.db,
            s.bus.as_ref(),
            viewer,
            NewMessage {
                to_user_id,
                content: input.content,
                photos: input.photos,
                side: input.side,
            },
        )
        .await?;
        Ok(ChatMessage(message))
    }

    /// Marks the other side's messages in one of the caller's dialogs read, and answers the
    /// dialog (NOT_FOUND for anyone but its participants).
    async fn mark_chat_dialog_read(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the chat dialog to mark as read.")] id: ID,
    ) -> async_graphql::Result<ChatDialog> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "ChatDialog")?;
        let db = &services(ctx)?.db;
        let dialog = chat::find_dialog(db, viewer.user_id, id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no chat dialog {id}")))?;
        chat::mark_read(db, viewer.user_id, id).await?;
        Ok(ChatDialog(dialog))
    }

    /// Downloads a WeChat media item (微信素材) by its media_id through the WeChat API and
    /// stores it; answers the stored file. UNAVAILABLE when WeChat is not configured.
    async fn import_wechat_media(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The WeChat media_id.")] media_id: String,
    ) -> async_graphql::Result<StoredFile> {
        let viewer = policy::require_uploader(auth(ctx))?;
        let s = services(ctx)?;
        let media = s.wechat.download(&media_id).await?;
        let model = files::upload(
            &s.db,
            &s.files,
            media.bytes,
            media.file_name.as_deref().or(Some(media_id.as_str())),
            FileKind::Any,
            Some(viewer.user_id),
        )
        .await?;
        Ok(StoredFile(model))
    }
}

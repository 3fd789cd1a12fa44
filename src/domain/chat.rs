//! Chat (留言) between a patient and a doctor.
//!
//! - There is one dialog per (patient, doctor) pair (a unique index); sending creates it or
//!   reuses it with `INSERT … ON CONFLICT DO NOTHING` as the transaction's first statement, so
//!   two first messages sent at once share one dialog.
//! - Who may write: a patient may write to any doctor; a doctor may only answer a patient who
//!   has written to them first (the dialog exists). A user holding both roles says which side
//!   they write from (`side`); without it the recipient's roles decide (to a doctor: as patient).
//! - A message has at most 256 characters of text and at most 3 photos (addresses of stored
//!   files, see [`super::files`]); text or a photo is required.
//! - Dialogs list by latest message; messages of a dialog list oldest first. Reading a dialog
//!   (`mark_read`) marks the other side's messages read. Unread counts are counted from the
//!   messages, so they never drift.
//! - New messages are published on both participants' chat topics after commit.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{chat_dialog, chat_message, stored_file, user};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, StatementBuilder,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};

use super::accounts::status;
use super::page::{Page, PageRequest};
use crate::auth::{Role, Viewer};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::EventBus;

/// Most characters of a message's text.
pub const MAX_TEXT: usize = 256;
/// Most photos of a message.
pub const MAX_PHOTOS: usize = 3;

/// The side of a dialog a message comes from (the legacy `type`).
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChatSide {
    /// The patient (患者, 1).
    Patient,
    /// The doctor (医生, 2).
    Doctor,
}

impl ChatSide {
    /// The stored and legacy code.
    pub fn code(self) -> i16 {
        match self {
            ChatSide::Patient => 1,
            ChatSide::Doctor => 2,
        }
    }

    /// From the stored or legacy code.
    pub fn from_code(code: i64) -> Option<ChatSide> {
        match code {
            1 => Some(ChatSide::Patient),
            2 => Some(ChatSide::Doctor),
            _ => None,
        }
    }
}

/// A message to send.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub to_user_id: i64,
    pub content: String,
    /// Stored-file addresses or URLs ending in one.
    pub photos: Vec<String>,
    pub side: Option<ChatSide>,
}

/// A new message as it travels on the event bus.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChatEvent {
    pub id: i64,
    pub dialog_id: i64,
    pub sender_id: i64,
    pub recipient_id: i64,
    pub sender_side: i16,
    pub content: String,
    pub photos: String,
    pub created_at: DateTime<Utc>,
}

impl From<&chat_message::Model> for ChatEvent {
    fn from(m: &chat_message::Model) -> Self {
        Self {
            id: m.id,
            dialog_id: m.dialog_id,
            sender_id: m.sender_id,
            recipient_id: m.recipient_id,
            sender_side: m.sender_side,
            content: m.content.clone(),
            photos: m.photos.clone(),
            created_at: m.created_at,
        }
    }
}

impl From<ChatEvent> for chat_message::Model {
    fn from(e: ChatEvent) -> Self {
        Self {
            id: e.id,
            dialog_id: e.dialog_id,
            sender_id: e.sender_id,
            recipient_id: e.recipient_id,
            sender_side: e.sender_side,
            content: e.content,
            photos: e.photos,
            read_at: None,
            created_at: e.created_at,
        }
    }
}

/// Topic of one user's chat messages.
pub fn chat_topic(user_id: i64) -> String {
    format!("chat:{user_id}")
}

/// The photo addresses of a message.
pub fn photos_of(message: &chat_message::Model) -> Vec<String> {
    serde_json::from_str(&message.photos).unwrap_or_default()
}

async fn check_message<C: ConnectionTrait>(db: &C, input: &NewMessage) -> AppResult<Vec<String>> {
    let mut errors = FieldErrors::default();
    if input.content.chars().count() > MAX_TEXT {
        errors.add(
            "content",
            format!("a message has at most {MAX_TEXT} characters"),
        );
    }
    if input.photos.len() > MAX_PHOTOS {
        errors.add("photo", format!("at most {MAX_PHOTOS} photos"));
    }
    let photos: Vec<String> = input
        .photos
        .iter()
        .map(|p| super::files::address_of(p))
        .filter(|p| !p.is_empty())
        .collect();
    if input.content.trim().is_empty() && photos.is_empty() {
        errors.add("content", "write something or add a photo");
    }
    if !photos.is_empty() && photos.len() <= MAX_PHOTOS {
        let known = stored_file::Entity::find()
            .filter(stored_file::Column::Hash.is_in(photos.iter().cloned()))
            .all(db)
            .await?;
        if let Some(missing) = photos.iter().find(|p| !known.iter().any(|f| &f.hash == *p)) {
            errors.add(
                "photo",
                format!("{missing} is not an uploaded file (upload it with POST /imgupload)"),
            );
        }
    }
    if input.to_user_id == 0 {
        errors.add("to_user_id", "to_user_id is required");
    }
    errors.finish()?;
    Ok(photos)
}

/// Sends a message from `sender` (one transaction), creating the dialog on a patient's first
/// message; publishes it to both participants after commit.
pub async fn send(
    db: &DatabaseConnection,
    bus: &dyn EventBus,
    sender: &Viewer,
    input: NewMessage,
) -> AppResult<(chat_dialog::Model, chat_message::Model)> {
    let photos = check_message(db, &input).await?;
    let recipient_id = input.to_user_id;
    if recipient_id == sender.user_id {
        return Err(AppError::bad_field(
            "to_user_id",
            "you cannot write to yourself",
        ));
    }
    let recipient = user::Entity::find_by_id(recipient_id).one(db).await?;
    if recipient.is_none_or(|u| u.status != status::ACTIVE) {
        return Err(AppError::NotFound(format!("no user {recipient_id}")));
    }
    let recipient_roles = crate::auth::roles_of(db, recipient_id).await?;
    let side = match input.side {
        Some(side) => side,
        None if sender.has(Role::Patient) && !sender.has(Role::Doctor) => ChatSide::Patient,
        None if sender.has(Role::Doctor) && !sender.has(Role::Patient) => ChatSide::Doctor,
        None if recipient_roles.contains(&Role::Doctor) => ChatSide::Patient,
        None => ChatSide::Doctor,
    };
    crate::policy::volunteer::require_chat_side(sender, side, &recipient_roles)?;
    let (patient_id, doctor_id) = match side {
        ChatSide::Patient => (sender.user_id, recipient_id),
        ChatSide::Doctor => (recipient_id, sender.user_id),
    };
    let now = Utc::now();
    let txn = db.begin().await?;
    // The first statement writes (SQLite takes the write lock at once; PostgreSQL waits for a
    // racing insert of the same pair and then does nothing).
    match side {
        ChatSide::Patient => {
            chat_dialog::Entity::insert(chat_dialog::ActiveModel {
                patient_id: Set(patient_id),
                doctor_id: Set(doctor_id),
                last_message_id: Set(None),
                last_message_at: Set(now),
                created_at: Set(now),
                ..Default::default()
            })
            .on_conflict(
                OnConflict::columns([
                    chat_dialog::Column::PatientId,
                    chat_dialog::Column::DoctorId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        }
        ChatSide::Doctor => {
            let touched = chat_dialog::Entity::update_many()
                .col_expr(
                    chat_dialog::Column::LastMessageAt,
                    Expr::col(chat_dialog::Column::LastMessageAt),
                )
                .filter(chat_dialog::Column::PatientId.eq(patient_id))
                .filter(chat_dialog::Column::DoctorId.eq(doctor_id))
                .exec(&txn)
                .await?
                .rows_affected;
            if touched == 0 {
                return Err(AppError::Forbidden(
                    "a doctor may only answer a patient who has written first".into(),
                ));
            }
        }
    }
    let dialog = chat_dialog::Entity::find()
        .filter(chat_dialog::Column::PatientId.eq(patient_id))
        .filter(chat_dialog::Column::DoctorId.eq(doctor_id))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("chat dialog vanished"))?;
    let message = chat_message::ActiveModel {
        dialog_id: Set(dialog.id),
        sender_id: Set(sender.user_id),
        recipient_id: Set(recipient_id),
        sender_side: Set(side.code()),
        content: Set(input.content),
        photos: Set(serde_json::to_string(&photos).map_err(AppError::internal)?),
        read_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // Relative to the stored value: a later message that committed first is kept.
    chat_dialog::Entity::update_many()
        .col_expr(chat_dialog::Column::LastMessageId, Expr::value(message.id))
        .col_expr(
            chat_dialog::Column::LastMessageAt,
            Expr::value(message.created_at),
        )
        .filter(chat_dialog::Column::Id.eq(dialog.id))
        .filter(
            sea_orm::Condition::any()
                .add(chat_dialog::Column::LastMessageId.is_null())
                .add(chat_dialog::Column::LastMessageId.lt(message.id)),
        )
        .exec(&txn)
        .await?;
    txn.commit().await?;
    let dialog = chat_dialog::Entity::find_by_id(dialog.id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("chat dialog vanished"))?;
    let event = serde_json::to_value(ChatEvent::from(&message)).map_err(AppError::internal)?;
    for user_id in [sender.user_id, recipient_id] {
        if let Err(e) = bus.publish(&chat_topic(user_id), event.clone()).await {
            tracing::warn!(error = ?e, "chat message not published");
        }
    }
    Ok((dialog, message))
}

/// The dialog if `viewer_id` takes part in it; `None` for anyone else (who cannot even learn
/// that it exists).
pub async fn find_dialog<C: ConnectionTrait>(
    db: &C,
    viewer_id: i64,
    id: i64,
) -> AppResult<Option<chat_dialog::Model>> {
    Ok(chat_dialog::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|d| crate::policy::volunteer::may_read_dialog(viewer_id, d)))
}

/// A message if `viewer_id` sent or received it.
pub async fn find_message<C: ConnectionTrait>(
    db: &C,
    viewer_id: i64,
    id: i64,
) -> AppResult<Option<chat_message::Model>> {
    Ok(chat_message::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|m| m.sender_id == viewer_id || m.recipient_id == viewer_id))
}

/// The user's dialogs (as patient or as doctor), latest message first.
pub async fn list_dialogs<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    page: PageRequest,
    want_total: bool,
) -> AppResult<Page<chat_dialog::Model>> {
    let query = chat_dialog::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(chat_dialog::Column::PatientId.eq(user_id))
                .add(chat_dialog::Column::DoctorId.eq(user_id)),
        )
        .filter(chat_dialog::Column::LastMessageId.is_not_null());
    let total = if want_total {
        Some(query.clone().count(db).await?)
    } else {
        None
    };
    let rows = query
        .order_by_desc(chat_dialog::Column::LastMessageAt)
        .order_by_desc(chat_dialog::Column::Id)
        .offset(page.offset)
        .limit(page.limit + 1)
        .all(db)
        .await?;
    Ok(Page::from_probe(rows, page, total))
}

/// Marks the messages `reader_id` received in the dialog read; answers how many changed.
pub async fn mark_read<C: ConnectionTrait>(
    db: &C,
    reader_id: i64,
    dialog_id: i64,
) -> AppResult<u64> {
    Ok(chat_message::Entity::update_many()
        .col_expr(chat_message::Column::ReadAt, Expr::value(Utc::now()))
        .filter(chat_message::Column::DialogId.eq(dialog_id))
        .filter(chat_message::Column::RecipientId.eq(reader_id))
        .filter(chat_message::Column::ReadAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

/// Messages by id (for the loaders).
pub async fn messages_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> AppResult<HashMap<i64, chat_message::Model>> {
    Ok(chat_message::Entity::find()
        .filter(chat_message::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect())
}

/// Unread messages per dialog and side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnreadCounts {
    /// Doctor's messages the patient has not read.
    pub patient: u64,
    /// Patient's messages the doctor has not read.
    pub doctor: u64,
}

#[derive(Debug, FromQueryResult)]
struct UnreadRow {
    dialog_id: i64,
    sender_side: i16,
    n: i64,
}

/// Unread counts of each of `dialog_ids` (one grouped statement).
pub async fn unread_counts<C: ConnectionTrait>(
    db: &C,
    dialog_ids: &[i64],
) -> AppResult<HashMap<i64, UnreadCounts>> {
    let rows = chat_message::Entity::find()
        .select_only()
        .column(chat_message::Column::DialogId)
        .column(chat_message::Column::SenderSide)
        .column_as(Expr::col(chat_message::Column::Id).count(), "n")
        .filter(chat_message::Column::DialogId.is_in(dialog_ids.iter().copied()))
        .filter(chat_message::Column::ReadAt.is_null())
        .group_by(chat_message::Column::DialogId)
        .group_by(chat_message::Column::SenderSide)
        .into_model::<UnreadRow>()
        .all(db)
        .await?;
    let mut out: HashMap<i64, UnreadCounts> = dialog_ids
        .iter()
        .map(|id| (*id, UnreadCounts::default()))
        .collect();
    for row in rows {
        let entry = out.entry(row.dialog_id).or_default();
        let n = u64::try_from(row.n).unwrap_or(0);
        if row.sender_side == ChatSide::Patient.code() {
            entry.doctor += n;
        } else {
            entry.patient += n;
        }
    }
    Ok(out)
}

#[derive(Debug, FromQueryResult)]
struct CountRow {
    dialog_id: i64,
    n: i64,
}

/// One page (oldest first) of the messages of each of `dialog_ids`, in one statement (plus
/// one for the totals).
pub async fn message_pages<C: ConnectionTrait>(
    db: &C,
    dialog_ids: &[i64],
    window: PageRequest,
) -> AppResult<HashMap<i64, Page<chat_message::Model>>> {
    let mut inner = SelectStatement::new();
    inner
        .column(sea_orm::sea_query::Asterisk)
        .expr_as(
            Expr::cust("ROW_NUMBER() OVER (PARTITION BY dialog_id ORDER BY id ASC)"),
            Alias::new("rn"),
        )
        .from(chat_message::Entity)
        .and_where(chat_message::Column::DialogId.is_in(dialog_ids.iter().copied()));
    let lo = i64::try_from(window.offset).map_err(AppError::internal)?;
    let hi = lo + i64::try_from(window.limit).map_err(AppError::internal)? + 1;
    let outer = Query::select()
        .columns([
            chat_message::Column::Id,
            chat_message::Column::DialogId,
            chat_message::Column::SenderId,
            chat_message::Column::RecipientId,
            chat_message::Column::SenderSide,
            chat_message::Column::Content,
            chat_message::Column::Photos,
            chat_message::Column::ReadAt,
            chat_message::Column::CreatedAt,
        ])
        .from_subquery(inner, Alias::new("w"))
        .and_where(Expr::col(Alias::new("rn")).gt(lo))
        .and_where(Expr::col(Alias::new("rn")).lte(hi))
        .order_by(Alias::new("dialog_id"), sea_orm::Order::Asc)
        .order_by(Alias::new("rn"), sea_orm::Order::Asc)
        .to_owned();
    let stmt = StatementBuilder::build(&outer, &db.get_database_backend());
    let rows = chat_message::Model::find_by_statement(stmt).all(db).await?;
    let totals: HashMap<i64, i64> = chat_message::Entity::find()
        .select_only()
        .column(chat_message::Column::DialogId)
        .column_as(Expr::col(chat_message::Column::Id).count(), "n")
        .filter(chat_message::Column::DialogId.is_in(dialog_ids.iter().copied()))
        .group_by(chat_message::Column::DialogId)
        .into_model::<CountRow>()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.dialog_id, r.n))
        .collect();
    let mut grouped: HashMap<i64, Vec<chat_message::Model>> = HashMap::new();
    for row in rows {
        grouped.entry(row.dialog_id).or_default().push(row);
    }
    Ok(dialog_ids
        .iter()
        .map(|id| {
            let rows = grouped.remove(id).unwrap_or_default();
            let total = totals
                .get(id)
                .map(|n| u64::try_from(*n).unwrap_or(0))
                .unwrap_or(0);
            (*id, Page::from_probe(rows, window, Some(total)))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_codes() {
        assert_eq!(ChatSide::from_code(1), Some(ChatSide::Patient));
        assert_eq!(ChatSide::from_code(2), Some(ChatSide::Doctor));
        assert_eq!(ChatSide::from_code(3), None);
        assert_eq!(ChatSide::Doctor.code(), 2);
    }
}

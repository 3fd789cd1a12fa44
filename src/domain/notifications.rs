//! Notifications to one user: stored, then published to the user's topic so open
//! subscriptions receive them at once.

use chrono::{DateTime, Utc};
use entity::notification;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use super::{Page, PageRequest};
use crate::error::{AppError, AppResult};
use crate::events::{EventBus, notifications_topic};

/// A notification as it travels on the event bus.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NotificationEvent {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<notification::Model> for NotificationEvent {
    fn from(m: notification::Model) -> Self {
        Self {
            id: m.id,
            user_id: m.user_id,
            kind: m.kind,
            title: m.title,
            body: m.body,
            created_at: m.created_at,
        }
    }
}

/// Stores a notification for `user_id` and publishes it. Called by every feature that tells a
/// user something; `db` may be a transaction, in which case call [`publish`] after commit.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    kind: &str,
    title: &str,
    body: &str,
) -> AppResult<notification::Model> {
    if kind.is_empty() || kind.len() > 64 {
        return Err(AppError::bad_field("kind", "a kind has 1 to 64 characters"));
    }
    if title.trim().is_empty() || title.chars().count() > 200 {
        return Err(AppError::bad_field(
            "title",
            "a title has 1 to 200 characters",
        ));
    }
    Ok(notification::ActiveModel {
        user_id: Set(user_id),
        kind: Set(kind.to_owned()),
        title: Set(title.trim().to_owned()),
        body: Set(body.to_owned()),
        read_at: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Publishes a stored notification to its user's subscribers.
pub async fn publish(bus: &dyn EventBus, model: &notification::Model) -> AppResult<()> {
    let event = NotificationEvent::from(model.clone());
    bus.publish(
        &notifications_topic(model.user_id),
        serde_json::to_value(event).map_err(AppError::internal)?,
    )
    .await
}

/// Stores and publishes in one call (outside a transaction).
pub async fn notify<C: ConnectionTrait>(
    db: &C,
    bus: &dyn EventBus,
    user_id: i64,
    kind: &str,
    title: &str,
    body: &str,
) -> AppResult<notification::Model> {
    let model = create(db, user_id, kind, title, body).await?;
    publish(bus, &model).await?;
    Ok(model)
}

/// The user's notifications, newest first.
pub async fn list_for_user<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    unread_only: bool,
    page: PageRequest,
    want_total: bool,
) -> AppResult<Page<notification::Model>> {
    let mut query = notification::Entity::find().filter(notification::Column::UserId.eq(user_id));
    if unread_only {
        query = query.filter(notification::Column::ReadAt.is_null());
    }
    let total = if want_total {
        Some(query.clone().count(db).await?)
    } else {
        None
    };
    let rows = query
        .order_by_desc(notification::Column::Id)
        .offset(page.offset)
        .limit(page.limit + 1)
        .all(db)
        .await?;
    Ok(Page::from_probe(rows, page, total))
}

/// A notification by id, if `auth` may see it (only its owner may); otherwise `None`, so that
/// others cannot even learn it exists.
pub async fn find_visible<C: ConnectionTrait>(
    db: &C,
    auth: &crate::auth::Auth,
    id: i64,
) -> AppResult<Option<notification::Model>> {
    let found = notification::Entity::find_by_id(id).one(db).await?;
    Ok(found.filter(|n| crate::policy::require_self(auth, n.user_id).is_ok()))
}

/// Number of unread notifications of the user.
pub async fn unread_count<C: ConnectionTrait>(db: &C, user_id: i64) -> AppResult<u64> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// Marks the given notifications of the user read (all of them when `ids` is `None`); others'
/// notifications are never touched. Returns how many changed.
pub async fn mark_read<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    ids: Option<&[i64]>,
) -> AppResult<u64> {
    let mut update = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null());
    if let Some(ids) = ids {
        if ids.len() > 1000 {
            return Err(AppError::bad_field("ids", "at most 1000 ids at once"));
        }
        update = update.filter(notification::Column::Id.is_in(ids.iter().copied()));
    }
    Ok(update.exec(db).await?.rows_affected)
}

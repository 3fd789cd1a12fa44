use async_graphql::{ID, Object};
use chrono::{DateTime, Utc};
use entity::notification;

use crate::domain::notifications::NotificationEvent;
use crate::graphql::node::global_id;

/// A message to one user (系统消息): state changes of their records, announcements.
#[derive(Clone, Debug)]
pub struct Notification(pub notification::Model);

impl From<NotificationEvent> for Notification {
    fn from(e: NotificationEvent) -> Self {
        Notification(notification::Model {
            id: e.id,
            user_id: e.user_id,
            kind: e.kind,
            title: e.title,
            body: e.body,
            read_at: None,
            sender_id: None,
            created_at: e.created_at,
        })
    }
}

/// A message to one user (系统消息): state changes of their records, announcements.
#[Object]
impl Notification {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("Notification", self.0.id)
    }

    /// Machine-readable kind, e.g. `system` or `clinic.cancelled`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }

    /// One-line summary.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Full text.
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// Whether the user has read it.
    async fn read(&self) -> bool {
        self.0.read_at.is_some()
    }

    /// When the user read it.
    async fn read_at(&self) -> Option<DateTime<Utc>> {
        self.0.read_at
    }

    /// When it was sent.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::user;

use super::Notification;
use crate::domain::notifications;
use crate::domain::page::DEFAULT_PAGE_SIZE;
use crate::graphql::connection::{Conn, PageArgs, to_connection, wants_total};
use crate::graphql::node::global_id;
use crate::graphql::{auth, services};
use crate::policy;

/// A person's account on the platform.
#[derive(Clone, Debug)]
pub struct User(pub user::Model);

#[Object]
impl User {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("User", self.0.id)
    }

    /// Stable public UUID (medassist's `uuid`).
    async fn uuid(&self) -> uuid::Uuid {
        self.0.uuid
    }

    /// Unique login name.
    async fn username(&self) -> &str {
        &self.0.username
    }

    /// Name shown to others (nickname, 昵称).
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    /// When the account was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The user's notifications, newest first. Only the user may read them.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only unread ones.", default = false)] unread_only: bool,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Notification>> {
        policy::require_self(auth(ctx), self.0.id)?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page = notifications::list_for_user(
            &services(ctx)?.db,
            self.0.id,
            unread_only,
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, Notification))
    }

    /// Number of unread notifications. Only the user may read it.
    async fn unread_notification_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        policy::require_self(auth(ctx), self.0.id)?;
        Ok(notifications::unread_count(&services(ctx)?.db, self.0.id).await?)
    }
}

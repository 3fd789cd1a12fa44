//! DataLoaders of the volunteer content: chat messages by id (a dialog's last message), unread
//! counts and message pages of dialogs, and the followings of a role (the doctors a patient
//! follows). Each batches one relation level of a query into one or two statements.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use entity::chat_message;
use sea_orm::DatabaseConnection;

use super::loaders::LoadError;
use crate::auth::Role;
use crate::domain::chat::{self, UnreadCounts};
use crate::domain::{Page, PageRequest, follows};

/// The volunteer loaders of one request.
pub struct VolunteerLoaders {
    pub chat_message: DataLoader<ChatMessageLoader>,
    pub unread: DataLoader<UnreadCountsLoader>,
    pub message_pages: DataLoader<ChatMessagePagesLoader>,
    pub role_followings: DataLoader<RoleFollowingsLoader>,
}

impl VolunteerLoaders {
    /// Fresh loaders for one request.
    pub fn new(db: &DatabaseConnection) -> Self {
        Self {
            chat_message: DataLoader::new(ChatMessageLoader(db.clone()), tokio::spawn),
            unread: DataLoader::new(UnreadCountsLoader(db.clone()), tokio::spawn),
            message_pages: DataLoader::new(ChatMessagePagesLoader(db.clone()), tokio::spawn),
            role_followings: DataLoader::new(RoleFollowingsLoader(db.clone()), tokio::spawn),
        }
    }
}

/// Chat message by id (the loaders are only asked for messages of visible dialogs).
pub struct ChatMessageLoader(DatabaseConnection);

impl Loader<i64> for ChatMessageLoader {
    type Value = chat_message::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        chat::messages_by_ids(&self.0, keys)
            .await
            .map_err(LoadError::new)
    }
}

/// Unread messages of a dialog, per side.
pub struct UnreadCountsLoader(DatabaseConnection);

impl Loader<i64> for UnreadCountsLoader {
    type Value = UnreadCounts;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        chat::unread_counts(&self.0, keys)
            .await
            .map_err(LoadError::new)
    }
}

/// A page of a dialog's messages, oldest first.
pub struct ChatMessagePagesLoader(DatabaseConnection);

impl Loader<(i64, PageRequest)> for ChatMessagePagesLoader {
    type Value = Page<chat_message::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[(i64, PageRequest)],
    ) -> Result<HashMap<(i64, PageRequest), Self::Value>, Self::Error> {
        let mut windows: Vec<PageRequest> = keys.iter().map(|(_, w)| *w).collect();
        windows.sort_by_key(|w| (w.offset, w.limit));
        windows.dedup();
        let mut out = HashMap::with_capacity(keys.len());
        for window in windows {
            let ids: Vec<i64> = keys
                .iter()
                .filter(|(_, w)| *w == window)
                .map(|(id, _)| *id)
                .collect();
            let pages = chat::message_pages(&self.0, &ids, window)
                .await
                .map_err(LoadError::new)?;
            out.extend(pages.into_iter().map(|(id, page)| ((id, window), page)));
        }
        Ok(out)
    }
}

/// A page of the users a user follows who hold a role (user ids).
pub struct RoleFollowingsLoader(DatabaseConnection);

impl Loader<(i64, Role, PageRequest)> for RoleFollowingsLoader {
    type Value = Page<i64>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[(i64, Role, PageRequest)],
    ) -> Result<HashMap<(i64, Role, PageRequest), Self::Value>, Self::Error> {
        let mut groups: Vec<(Role, PageRequest)> = keys.iter().map(|k| (k.1, k.2)).collect();
        groups.sort_by_key(|(r, w)| (*r, w.offset, w.limit));
        groups.dedup();
        let mut out = HashMap::with_capacity(keys.len());
        for (role, window) in groups {
            let ids: Vec<i64> = keys
                .iter()
                .filter(|k| k.1 == role && k.2 == window)
                .map(|k| k.0)
                .collect();
            let pages = follows::followings_with_role(&self.0, &ids, role, window)
                .await
                .map_err(LoadError::new)?;
            out.extend(
                pages
                    .into_iter()
                    .map(|(id, page)| ((id, role, window), page)),
            );
        }
        Ok(out)
    }
}

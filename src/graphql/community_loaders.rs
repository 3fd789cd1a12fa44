//! DataLoaders of the community: posts, their floors and first floors, the viewer's like and
//! reward state, follow counts, relations and lists, wallets and content counts. Each batches
//! one relation level of a query into one or two statements.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{post, post_comment, wallet};
use sea_orm::DatabaseConnection;

use super::loaders::{LoadError, Primed};
use crate::domain::follows::{self, Direction, FollowCounts};
use crate::domain::post_columns::CommentColumns;
use crate::domain::{Page, PageRequest, coins, posts};

/// The community loaders of one request.
pub struct CommunityLoaders {
    pub post: DataLoader<PostLoader>,
    pub comments: DataLoader<CommentPagesLoader>,
    pub first_comment: DataLoader<FirstCommentLoader>,
    pub viewer_state: DataLoader<ViewerPostStateLoader>,
    pub follow_counts: DataLoader<FollowCountsLoader>,
    pub follow_relation: DataLoader<FollowRelationLoader>,
    pub follow_pages: DataLoader<FollowPagesLoader>,
    pub wallet: DataLoader<WalletLoader>,
    pub content_counts: DataLoader<ContentCountsLoader>,
    pub follow_pair: DataLoader<FollowPairLoader>,
    /// Floor pages a post list read ahead, by (post, window, the floor columns read: the
    /// others hold empty values, so a page is only for the selections that read no more).
    pub comments_primed: Primed<(i64, PageRequest, CommentColumns), Page<post_comment::Model>>,
    /// Floors 1 a post list read ahead, by post (`None`: not written).
    pub first_comment_primed: Primed<i64, Option<post_comment::Model>>,
    /// The viewer's like and reward state a post list read ahead, by post.
    pub viewer_state_primed: Primed<i64, ViewerPostState>,
}

impl CommunityLoaders {
    /// Fresh loaders for one request of `viewer` (none: anonymous).
    pub fn new(db: &DatabaseConnection, viewer: Option<i64>) -> Self {
        Self {
            post: DataLoader::new(PostLoader(db.clone()), tokio::spawn),
            comments: DataLoader::new(CommentPagesLoader(db.clone()), tokio::spawn),
            first_comment: DataLoader::new(FirstCommentLoader(db.clone()), tokio::spawn),
            viewer_state: DataLoader::new(
                ViewerPostStateLoader {
                    db: db.clone(),
                    viewer,
                },
                tokio::spawn,
            ),
            follow_counts: DataLoader::new(FollowCountsLoader(db.clone()), tokio::spawn),
            follow_relation: DataLoader::new(
                FollowRelationLoader {
                    db: db.clone(),
                    viewer,
                },
                tokio::spawn,
            ),
            follow_pages: DataLoader::new(FollowPagesLoader(db.clone()), tokio::spawn),
            wallet: DataLoader::new(WalletLoader(db.clone()), tokio::spawn),
            content_counts: DataLoader::new(ContentCountsLoader(db.clone()), tokio::spawn),
            follow_pair: DataLoader::new(FollowPairLoader(db.clone()), tokio::spawn),
            comments_primed: Primed::default(),
            first_comment_primed: Primed::default(),
            viewer_state_primed: Primed::default(),
        }
    }
}

/// Post by id.
pub struct PostLoader(DatabaseConnection);

impl Loader<i64> for PostLoader {
    type Value = post::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        posts::by_ids(&self.0, keys).await.map_err(LoadError::new)
    }
}

/// A page of a post's floors (its total is the post's own counter, which the resolver has).
pub struct CommentPagesLoader(DatabaseConnection);

impl Loader<(i64, PageRequest)> for CommentPagesLoader {
    type Value = Page<post_comment::Model>;
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
            let pages = posts::comment_pages(&self.0, &ids, window)
                .await
                .map_err(LoadError::new)?;
            out.extend(pages.into_iter().map(|(id, page)| ((id, window), page)));
        }
        Ok(out)
    }
}

/// Floor 1 of a post.
pub struct FirstCommentLoader(DatabaseConnection);

impl Loader<i64> for FirstCommentLoader {
    type Value = post_comment::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        posts::first_comments(&self.0, keys)
            .await
            .map_err(LoadError::new)
    }
}

/// Whether the viewer liked and rewarded a post.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ViewerPostState {
    pub liked: bool,
    pub rewarded: bool,
}

/// The viewer's like and reward state of posts (nothing for an anonymous viewer).
pub struct ViewerPostStateLoader {
    db: DatabaseConnection,
    viewer: Option<i64>,
}

impl Loader<i64> for ViewerPostStateLoader {
    type Value = ViewerPostState;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let Some(viewer) = self.viewer else {
            return Ok(HashMap::new());
        };
        let liked = posts::liked_by(&self.db, viewer, keys)
            .await
            .map_err(LoadError::new)?;
        let rewarded = posts::rewarded_by(&self.db, viewer, keys)
            .await
            .map_err(LoadError::new)?;
        Ok(keys
            .iter()
            .map(|id| {
                (
                    *id,
                    ViewerPostState {
                        liked: liked.contains(id),
                        rewarded: rewarded.contains(id),
                    },
                )
            })
            .collect())
    }
}

/// Follower and following counts of a user.
pub struct FollowCountsLoader(DatabaseConnection);

impl Loader<i64> for FollowCountsLoader {
    type Value = FollowCounts;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        follows::counts(&self.0, keys).await.map_err(LoadError::new)
    }
}

/// How the viewer relates to a user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FollowRelation {
    /// The viewer follows the user.
    pub followed_by_viewer: bool,
    /// The user follows the viewer.
    pub follows_viewer: bool,
}

/// The viewer's follow relation to users (nothing for an anonymous viewer).
pub struct FollowRelationLoader {
    db: DatabaseConnection,
    viewer: Option<i64>,
}

impl Loader<i64> for FollowRelationLoader {
    type Value = FollowRelation;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let Some(viewer) = self.viewer else {
            return Ok(HashMap::new());
        };
        let (following, followed_by) = follows::relations(&self.db, viewer, keys)
            .await
            .map_err(LoadError::new)?;
        Ok(keys
            .iter()
            .map(|id| {
                (
                    *id,
                    FollowRelation {
                        followed_by_viewer: following.contains(id),
                        follows_viewer: followed_by.contains(id),
                    },
                )
            })
            .collect())
    }
}

/// A page of a user's followings or followers (user ids).
pub struct FollowPagesLoader(DatabaseConnection);

impl Loader<(i64, Direction, PageRequest)> for FollowPagesLoader {
    type Value = Page<i64>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[(i64, Direction, PageRequest)],
    ) -> Result<HashMap<(i64, Direction, PageRequest), Self::Value>, Self::Error> {
        let mut groups: Vec<(Direction, PageRequest)> = keys.iter().map(|k| (k.1, k.2)).collect();
        groups.sort_by_key(|(d, w)| (*d == Direction::Followers, w.offset, w.limit));
        groups.dedup();
        let mut out = HashMap::with_capacity(keys.len());
        for (direction, window) in groups {
            let ids: Vec<i64> = keys
                .iter()
                .filter(|k| k.1 == direction && k.2 == window)
                .map(|k| k.0)
                .collect();
            let pages = follows::pages(&self.0, direction, &ids, window)
                .await
                .map_err(LoadError::new)?;
            out.extend(
                pages
                    .into_iter()
                    .map(|(id, page)| ((id, direction, window), page)),
            );
        }
        Ok(out)
    }
}

/// A user's wallet.
pub struct WalletLoader(DatabaseConnection);

impl Loader<i64> for WalletLoader {
    type Value = wallet::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        coins::wallets(&self.0, keys).await.map_err(LoadError::new)
    }
}

/// What a user wrote and received.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ContentCounts {
    pub posts: u64,
    pub comments: u64,
    /// Likes the user's posts received.
    pub likes_received: u64,
    /// Coins the user's posts received.
    pub coins_received: u64,
}

/// Post, comment and received-like counts of users.
pub struct ContentCountsLoader(DatabaseConnection);

impl Loader<i64> for ContentCountsLoader {
    type Value = ContentCounts;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let posts = posts::post_counts(&self.0, keys)
            .await
            .map_err(LoadError::new)?;
        let comments = posts::comment_counts(&self.0, keys)
            .await
            .map_err(LoadError::new)?;
        let received = posts::received(&self.0, keys)
            .await
            .map_err(LoadError::new)?;
        Ok(keys
            .iter()
            .map(|id| {
                (
                    *id,
                    ContentCounts {
                        posts: posts.get(id).copied().unwrap_or(0),
                        comments: comments.get(id).copied().unwrap_or(0),
                        likes_received: received.get(id).map_or(0, |r| r.0),
                        coins_received: received.get(id).map_or(0, |r| r.1),
                    },
                )
            })
            .collect())
    }
}

/// Whether (follower, followee) is a follow.
pub struct FollowPairLoader(DatabaseConnection);

impl Loader<(i64, i64)> for FollowPairLoader {
    type Value = bool;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[(i64, i64)],
    ) -> Result<HashMap<(i64, i64), Self::Value>, Self::Error> {
        let found = follows::pairs(&self.0, keys)
            .await
            .map_err(LoadError::new)?;
        Ok(keys.iter().map(|k| (*k, found.contains(k))).collect())
    }
}

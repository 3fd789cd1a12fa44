//! A forum post (帖子): title, body, tags and images by one author, with its counters.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "posts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub author_id: i64,
    pub title: String,
    pub body: String,
    /// JSON array of tag strings.
    pub tags: String,
    /// JSON array of SHA-256 addresses of the images, in order.
    pub images: String,
    /// Number of likes (kept with `post_likes` in one transaction).
    pub like_count: i32,
    /// Number of comment floors ever written (the last floor number).
    pub comment_count: i32,
    /// Coins rewarded to the post in all.
    pub coin_count: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When the author last edited it.
    pub edited_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

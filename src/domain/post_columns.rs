//! Reading only the `posts` columns a post list's selection shows, as
//! [`user_columns`](super::user_columns) does for users: a page of 100 titles does not read 100
//! bodies, tag lists and image lists. The columns left out hold their type's empty value in the
//! returned model, and nothing may read them: the model is only handed to the selection it was
//! read for.

use chrono::{DateTime, Utc};
use entity::post;
use sea_orm::{IdenStatic, Iterable, QueryResult};

/// A set of columns of `posts`. Always holds `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PostColumns(u32);

impl PostColumns {
    /// `id`: what every reader needs.
    pub const BASE: Self = Self(bit(post::Column::Id));

    /// Every column: the whole model.
    pub fn all() -> Self {
        post::Column::iter().fold(Self::BASE, Self::with)
    }

    /// This set and `column`.
    #[must_use]
    pub fn with(self, column: post::Column) -> Self {
        Self(self.0 | bit(column))
    }

    /// Both sets.
    #[must_use]
    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether the set holds `column`.
    pub fn has(self, column: post::Column) -> bool {
        self.0 & bit(column) != 0
    }

    /// The columns of the set, in table order.
    pub fn columns(self) -> impl Iterator<Item = post::Column> {
        post::Column::iter().filter(move |c| self.has(*c))
    }
}

const fn bit(column: post::Column) -> u32 {
    1 << (column as u32)
}

/// A model from a row holding `columns`; the others empty.
pub fn partial(row: &QueryResult, columns: PostColumns) -> Result<post::Model, sea_orm::DbErr> {
    use post::Column as C;
    macro_rules! get {
        ($column:expr, $empty:expr) => {
            if columns.has($column) {
                row.try_get_by($column.as_str())?
            } else {
                $empty
            }
        };
    }
    let epoch = DateTime::<Utc>::UNIX_EPOCH;
    Ok(post::Model {
        id: row.try_get_by(C::Id.as_str())?,
        author_id: get!(C::AuthorId, 0),
        title: get!(C::Title, String::new()),
        body: get!(C::Body, String::new()),
        tags: get!(C::Tags, "[]".to_owned()),
        images: get!(C::Images, "[]".to_owned()),
        like_count: get!(C::LikeCount, 0),
        comment_count: get!(C::CommentCount, 0),
        coin_count: get!(C::CoinCount, 0),
        created_at: get!(C::CreatedAt, epoch),
        updated_at: get!(C::UpdatedAt, epoch),
        edited_at: get!(C::EditedAt, None),
    })
}

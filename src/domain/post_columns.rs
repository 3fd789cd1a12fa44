//! Reading only the `posts` and `post_comments` columns a list's selection shows, as
//! [`user_columns`](super::user_columns) does for users: a page of 100 titles does not read 100
//! bodies, tag lists and image lists, and floors shown by number and text do not read their
//! dates. The columns left out hold their type's empty value in the returned model, and nothing
//! may read them: the model is only handed to the selection it was read for (a floor page read
//! ahead is kept under the column set it was read with).

use chrono::{DateTime, Utc};
use entity::{post, post_comment};
use sea_orm::{DbErr, IdenStatic, QueryResult};

use super::column_set::column_set;

use super::row_values::{ColumnValue, Positions};

column_set!(
    /// A set of columns of `posts`. Always holds `id`.
    PostColumns,
    post::Column,
    [Id]
);

column_set!(
    /// A set of columns of `post_comments`. Always holds `id`, `post_id` and `floor` (a list of
    /// floors groups and orders by them) and `deleted_at` (a deleted floor shows no text and
    /// no author).
    CommentColumns,
    post_comment::Column,
    [Id, PostId, Floor, DeletedAt]
);

/// Where the rows of one statement hold the `posts` columns of a set, under their own names:
/// found once, in the statement's first row, and read by position in every row (see
/// [`row_values`](super::row_values)).
#[derive(Debug)]
pub struct PostLayout {
    columns: PostColumns,
    positions: Positions,
}

impl PostLayout {
    /// The positions of `columns` in `row`'s statement.
    pub fn find(row: &QueryResult, columns: PostColumns) -> Result<Self, DbErr> {
        let columns = columns.union(PostColumns::BASE);
        let mut positions = Positions::default();
        for column in columns.columns() {
            positions.find(row, column as usize, "", column.as_str())?;
        }
        Ok(Self { columns, positions })
    }

    fn get<T: ColumnValue>(&self, row: &QueryResult, column: post::Column) -> Result<T, DbErr> {
        self.positions.read(row, column as usize)
    }

    /// The post's id in `row`.
    pub fn id(&self, row: &QueryResult) -> Result<i64, DbErr> {
        self.get(row, post::Column::Id)
    }

    /// The model `row` holds: the columns of the set, the others empty.
    pub fn read(&self, row: &QueryResult) -> Result<post::Model, DbErr> {
        use post::Column as C;
        let columns = self.columns;
        macro_rules! get {
            ($column:expr, $empty:expr) => {
                if columns.has($column) {
                    self.get(row, $column)?
                } else {
                    $empty
                }
            };
        }
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        Ok(post::Model {
            id: self.id(row)?,
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
}

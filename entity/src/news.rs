//! A news item (公告) for one audience of the volunteer service: 1 patients, 2 doctors,
//! 3 assistants.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "news")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// 1 patients, 2 doctors, 3 assistants.
    pub audience: i16,
    pub title: String,
    /// Rich text (HTML) as the administrator wrote it.
    pub content: String,
    /// Cover image: a stored file's URL or address.
    pub cover_url: Option<String>,
    /// Shown from this time on.
    pub published_at: DateTimeUtc,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

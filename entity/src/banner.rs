//! A banner (轮播图) of a volunteer homepage.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "banners")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    /// The image: a stored file's URL or address.
    pub image_url: String,
    /// 0 none, 1 a URL (`href`), 2 a free clinic (`jump_id`), 3 a news item (`jump_id`).
    pub jump_mode: i16,
    pub jump_id: Option<i64>,
    pub href: Option<String>,
    /// 1 patients, 2 doctors, 3 assistants.
    pub audience: i16,
    /// Ascending order on the homepage.
    pub sort: i32,
    /// Only on this hospital's homepage (no foreign key: another area's table).
    pub hospital_id: Option<i64>,
    /// Only on this organization's homepage (no foreign key: another area's table).
    pub organization_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

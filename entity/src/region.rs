//! Administrative divisions of China (行政区划): provinces, cities and counties.
//!
//! The primary key is the 6-digit division code (`110105` is Chaoyang district, Beijing); a
//! province's `parent_id` is 0.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "regions")]
pub struct Model {
    /// 6-digit division code.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    /// Code of the enclosing division, 0 for provinces.
    pub parent_id: i32,
    /// 1 province, 2 city (prefecture), 3 county (district).
    pub level: i16,
    pub name: String,
    pub short_name: String,
    pub pinyin: String,
    pub sort: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

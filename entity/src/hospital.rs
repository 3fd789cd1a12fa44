//! A hospital (医院) of the volunteer-doctor service: where free clinics are held and doctors work.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "hospitals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// Stored-file address of the logo.
    pub logo: Option<String>,
    /// JSON array of stored-file addresses: the banner images.
    pub banners: String,
    /// Grade (级别), e.g. `三级甲等`.
    pub level: Option<String>,
    /// Specialty tag (标签 特色), e.g. `心血管科`.
    pub tag: Option<String>,
    /// 6-digit region codes.
    pub province_code: Option<i32>,
    pub city_code: Option<i32>,
    pub county_code: Option<i32>,
    pub address: Option<String>,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

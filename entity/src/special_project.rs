//! A special project (专题活动): an organization's campaign grouping free clinics over a period.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "special_projects")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub hospital_id: Option<i64>,
    pub title: String,
    /// Stored-file address of the campaign picture.
    pub photo: Option<String>,
    pub r#abstract: String,
    pub address: Option<String>,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    /// JSON array of service targets (服务对象).
    pub service_targets: String,
    /// First and last day (China Standard Time).
    pub starts_on: Date,
    pub ends_on: Date,
    /// Daily hours.
    pub begin_time: Time,
    pub end_time: Time,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

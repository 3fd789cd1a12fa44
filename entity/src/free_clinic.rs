//! A free clinic (义诊, legacy `project`) a doctor holds on one day, in time slots.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "free_clinics")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The publishing doctor.
    pub doctor_id: i64,
    pub hospital_id: i64,
    pub organization_id: Option<i64>,
    pub special_project_id: Option<i64>,
    pub title: String,
    /// Day, begin and end in China Standard Time (the legacy `date`, `begin`, `end`).
    pub date: Date,
    pub begin_time: Time,
    pub end_time: Time,
    /// The same begin and end as instants.
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// Places in all (the sum of the slots' capacities).
    pub capacity: i32,
    pub address: String,
    pub longitude: f64,
    pub latitude: f64,
    pub r#abstract: String,
    /// Deposit (押金) in cents; 0 = none.
    pub deposit_cents: i64,
    /// JSON array of service targets (服务对象).
    pub service_targets: String,
    /// Department (科室) the clinic serves.
    pub department: Option<String>,
    pub created_at: DateTimeUtc,
    pub cancelled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

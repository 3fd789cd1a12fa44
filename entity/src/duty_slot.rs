//! One duty time slot of a consultant on a date (排班).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "duty_slots")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub consultant_id: i64,
    /// The day, in the consultant's calendar.
    pub date: Date,
    /// `HH:MM-HH:MM`.
    pub time_slot: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

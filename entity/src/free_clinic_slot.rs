//! A time slot of a free clinic with its places: `taken` never exceeds `capacity` (a CHECK).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "free_clinic_slots")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub clinic_id: i64,
    /// Order within the clinic, from 0.
    pub position: i32,
    /// The legacy label, `09:00:00 - 09:30:00`.
    pub label: String,
    pub begin_time: Time,
    pub end_time: Time,
    pub capacity: i32,
    pub taken: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! `assistant_id` (a doctor's assistant, 医助) looks after `patient_id` (我的病人); one row per
//! pair.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "assistant_patients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub assistant_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub patient_id: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

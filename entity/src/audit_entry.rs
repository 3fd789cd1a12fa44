//! One entry of the audit log: who read or changed which sensitive record, and when.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The user who acted.
    pub actor_id: i64,
    /// What they did, e.g. `read`.
    pub action: String,
    /// Kind of record, e.g. `MedicalRecord`.
    pub subject_type: String,
    pub subject_id: i64,
    /// Whose data it is (the patient), so they can list who read it.
    pub owner_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

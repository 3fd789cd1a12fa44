//! An inquiry (问诊): a patient's request for a home visit or consultation, approved by an
//! administrator, assigned to a physician who accepts or declines it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inquiries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub patient_id: i64,
    /// Kind of care asked for, e.g. `在家就医` (home visit).
    pub kind: String,
    pub detail: String,
    pub reserved_phone: String,
    pub appointment_at: Option<DateTimeUtc>,
    /// `pending_approval`, `approved`, `assigned`, `accepted`, `finished`, `rejected`, `cancelled`.
    pub state: String,
    pub approved_by: Option<i64>,
    pub approved_at: Option<DateTimeUtc>,
    pub physician_id: Option<i64>,
    pub assigned_by: Option<i64>,
    pub assigned_at: Option<DateTimeUtc>,
    pub accepted_at: Option<DateTimeUtc>,
    /// How often assigned physicians declined it.
    pub decline_count: i32,
    /// Why it was rejected or cancelled.
    pub closed_reason: Option<String>,
    pub finished_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::PatientId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    Patient,
    #[sea_orm(has_one = "super::medical_record::Entity")]
    MedicalRecord,
}

impl Related<super::medical_record::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::MedicalRecord.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

//! A drug purchase order (药品代购): drugs a physician buys and delivers for a patient after a
//! visit, confirmed by hospital staff.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "drug_orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub record_id: i64,
    pub patient_id: i64,
    pub physician_id: i64,
    /// `awaiting_confirmation`, `awaiting_purchase`, `purchased`, `delivering`, `completed`,
    /// `cancelled`.
    pub state: String,
    /// What to buy.
    pub note: Option<String>,
    pub confirmed_by: Option<i64>,
    pub confirmed_at: Option<DateTimeUtc>,
    pub purchased_at: Option<DateTimeUtc>,
    /// JSON array of the SHA-256 addresses of the certificate (invoice, delivery screenshot).
    pub certificate_files: String,
    pub delivering_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub cancelled_by: Option<i64>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub cancel_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::medical_record::Entity",
        from = "Column::RecordId",
        to = "super::medical_record::Column::Id",
        on_delete = "Cascade"
    )]
    MedicalRecord,
}

impl Related<super::medical_record::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::MedicalRecord.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

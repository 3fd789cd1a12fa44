//! A patient's registration for a time slot of a free clinic (诊断, legacy `diagnoses`): its
//! verification, the visit and its result, the deposit order and the two scorings.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registrations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub clinic_id: i64,
    /// The clinic's doctor, copied for the doctor's lists.
    pub doctor_id: i64,
    pub hospital_id: i64,
    pub patient_id: i64,
    /// The assistant (医助) who registered the patient, if one did.
    pub assistant_id: Option<i64>,
    pub slot_id: i64,
    pub casebook_id: Option<i64>,
    /// The slot's beginning (legacy `visit_time`).
    pub visit_at: DateTimeUtc,
    /// The clinic's end: after it an unseen registration is missed.
    pub ends_at: DateTimeUtc,
    /// 1 booked, 2 rejected, 3 cancelled (legacy `verify_status`).
    pub verify_state: i16,
    pub reject_reason: Option<String>,
    /// When the doctor confirmed the visit.
    pub seen_at: Option<DateTimeUtc>,
    pub result: Option<String>,
    /// JSON array of stored-file hashes.
    pub result_photos: String,
    pub deposit_cents: i64,
    /// 0 no deposit, 1 awaiting payment, 2 paid.
    pub payment_state: i16,
    pub payment_due_at: Option<DateTimeUtc>,
    /// The deposit order's serial (legacy `sn`).
    pub order_sn: Option<String>,
    pub provider: Option<String>,
    pub trade_no: Option<String>,
    pub paid_at: Option<DateTimeUtc>,
    /// 1 refund applied, 3 refunded (legacy `refund_status`).
    pub refund_state: Option<i16>,
    pub refund_sn: Option<String>,
    pub refund_requested_at: Option<DateTimeUtc>,
    pub refunded_at: Option<DateTimeUtc>,
    pub patient_credit_score: Option<i16>,
    pub patient_punctuality_score: Option<i16>,
    pub doctor_commented_at: Option<DateTimeUtc>,
    pub doctor_score: Option<i16>,
    pub doctor_comment: Option<String>,
    pub patient_commented_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

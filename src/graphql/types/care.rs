//! Home care (medassist): inquiries, medical records, drug purchase orders and the read log of
//! a patient's records.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::{audit_entry, drug_order, inquiry, medical_record};

use super::{StoredFile, User, loaders};
use crate::domain::care::{self, DrugOrderState, InquiryState};
use crate::graphql::connection::{Conn, PageArgs, to_connection};
use crate::graphql::loaders::load_err;
use crate::graphql::node::global_id;

async fn user(ctx: &Context<'_>, id: i64) -> async_graphql::Result<Option<User>> {
    Ok(loaders(ctx)?
        .user
        .load_one(id)
        .await
        .map_err(load_err)?
        .map(User))
}

pub(super) async fn files(
    ctx: &Context<'_>,
    addresses: Vec<String>,
) -> async_graphql::Result<Vec<StoredFile>> {
    let found = loaders(ctx)?
        .file
        .load_many(addresses.iter().cloned())
        .await
        .map_err(load_err)?;
    Ok(addresses
        .iter()
        .filter_map(|a| found.get(a).cloned().map(StoredFile))
        .collect())
}

/// A patient's request for home care (问诊): a home visit, a call, an appointment. An
/// administrator approves it and assigns a physician, who accepts it and registers the
/// visit's medical record. Visible to the patient, the assigned physician and administrators.
#[derive(Clone, Debug)]
pub struct Inquiry(pub inquiry::Model);

/// A patient's request for home care (问诊): a home visit, a call, an appointment. An
/// administrator approves it and assigns a physician, who accepts it and registers the
/// visit's medical record. Visible to the patient, the assigned physician and administrators.
#[Object]
impl Inquiry {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("Inquiry", self.0.id)
    }

    /// The integer id the medassist REST dialect uses (`id`, `bind_inquiry_id`).
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// Kind of care asked for (类型), e.g. `在家就医` (home visit).
    async fn kind(&self) -> &str {
        &self.0.kind
    }

    /// What is wrong, in the patient's words (问诊详情).
    async fn detail(&self) -> &str {
        &self.0.detail
    }

    /// Phone number to reach the patient at for this inquiry (预留电话).
    async fn reserved_phone(&self) -> &str {
        &self.0.reserved_phone
    }

    /// When the patient would like the visit (预约时间).
    async fn appointment_at(&self) -> Option<DateTime<Utc>> {
        self.0.appointment_at
    }

    /// Where the inquiry stands.
    async fn state(&self) -> async_graphql::Result<InquiryState> {
        Ok(InquiryState::parse(&self.0.state)?)
    }

    /// The patient who asked.
    async fn patient(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.patient_id).await
    }

    /// The physician it is assigned to, once assigned.
    async fn physician(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        match self.0.physician_id {
            Some(id) => user(ctx, id).await,
            None => Ok(None),
        }
    }

    /// The administrator who approved it.
    async fn approved_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        match self.0.approved_by {
            Some(id) => user(ctx, id).await,
            None => Ok(None),
        }
    }

    /// When it was approved.
    async fn approved_at(&self) -> Option<DateTime<Utc>> {
        self.0.approved_at
    }

    /// The administrator who assigned the physician.
    async fn assigned_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        match self.0.assigned_by {
            Some(id) => user(ctx, id).await,
            None => Ok(None),
        }
    }

    /// When the current physician was assigned.
    async fn assigned_at(&self) -> Option<DateTime<Utc>> {
        self.0.assigned_at
    }

    /// When the physician accepted it (接诊).
    async fn accepted_at(&self) -> Option<DateTime<Utc>> {
        self.0.accepted_at
    }

    /// How often assigned physicians declined it.
    async fn decline_count(&self) -> i32 {
        self.0.decline_count
    }

    /// Why it was rejected or cancelled.
    async fn closed_reason(&self) -> Option<&str> {
        self.0.closed_reason.as_deref()
    }

    /// When the visit was recorded.
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }

    /// When the patient asked.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// The medical record of the visit, once registered (the read is audited).
    async fn record(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<MedicalRecord>> {
        Ok(loaders(ctx)?
            .record_by_inquiry
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .map(MedicalRecord))
    }
}

/// The medical record (病历) a physician registered for one inquiry's visit. Visible to the
/// patient, the physician and administrators only; every read is written to the audit log.
#[derive(Clone, Debug)]
pub struct MedicalRecord(pub medical_record::Model);

/// The medical record (病历) a physician registered for one inquiry's visit. Visible to the
/// patient, the physician and administrators only; every read is written to the audit log.
#[Object]
impl MedicalRecord {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("MedicalRecord", self.0.id)
    }

    /// The integer id the medassist REST dialect uses (`medicalId`).
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// The inquiry the visit concluded.
    async fn inquiry(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Inquiry>> {
        Ok(loaders(ctx)?
            .inquiry
            .load_one(self.0.inquiry_id)
            .await
            .map_err(load_err)?
            .map(Inquiry))
    }

    /// The patient.
    async fn patient(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.patient_id).await
    }

    /// The physician who registered it.
    async fn physician(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.physician_id).await
    }

    /// Diagnosis and notes (病情描述).
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The inquiry video (问诊记录视频).
    async fn video(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StoredFile>> {
        Ok(files(ctx, vec![self.0.video_file.clone()])
            .await?
            .into_iter()
            .next())
    }

    /// Images of the record (病历图片).
    async fn images(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<StoredFile>> {
        files(ctx, care::file_list(&self.0.image_files)).await
    }

    /// Whether drugs must be bought for the patient (是否需要代买药品).
    async fn needs_drugs(&self) -> bool {
        self.0.needs_drugs
    }

    /// When it was registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Drug purchase orders of this record, oldest first, that the caller may see.
    async fn drug_orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<DrugOrder>> {
        let window = PageArgs::forward(first, after).to_request()?;
        let all = loaders(ctx)?
            .drug_orders_by_record
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .unwrap_or_default();
        Ok(to_connection(
            crate::domain::page::Page::slice(all, window),
            DrugOrder,
        ))
    }
}

/// A drug purchase order (药品代购): drugs the physician buys and delivers for the patient after
/// a visit, confirmed by hospital staff. Visible to the patient, the physician, administrators
/// and the hospital staff handling it.
#[derive(Clone, Debug)]
pub struct DrugOrder(pub drug_order::Model);

/// A drug purchase order (药品代购): drugs the physician buys and delivers for the patient after
/// a visit, confirmed by hospital staff. Visible to the patient, the physician, administrators
/// and the hospital staff handling it.
#[Object]
impl DrugOrder {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("DrugOrder", self.0.id)
    }

    /// The integer id the medassist REST dialect uses.
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// Where the order stands.
    async fn state(&self) -> async_graphql::Result<DrugOrderState> {
        Ok(DrugOrderState::parse(&self.0.state)?)
    }

    /// What to buy, as the physician noted it.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// The medical record it follows from (null for hospital staff, who do not see records).
    async fn record(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<MedicalRecord>> {
        Ok(loaders(ctx)?
            .record
            .load_one(self.0.record_id)
            .await
            .map_err(load_err)?
            .map(MedicalRecord))
    }

    /// The integer id of the medical record (`medical_id`).
    async fn record_legacy_id(&self) -> i64 {
        self.0.record_id
    }

    /// The patient the drugs are for.
    async fn patient(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.patient_id).await
    }

    /// The physician who buys and delivers them.
    async fn physician(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.physician_id).await
    }

    /// The hospital staff member who confirmed it.
    async fn confirmed_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        match self.0.confirmed_by {
            Some(id) => user(ctx, id).await,
            None => Ok(None),
        }
    }

    /// When it was confirmed.
    async fn confirmed_at(&self) -> Option<DateTime<Utc>> {
        self.0.confirmed_at
    }

    /// When the physician bought the drugs.
    async fn purchased_at(&self) -> Option<DateTime<Utc>> {
        self.0.purchased_at
    }

    /// The certificate (上传凭证): purchase invoice and delivery screenshot.
    async fn certificates(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<StoredFile>> {
        files(ctx, care::file_list(&self.0.certificate_files)).await
    }

    /// When the physician took it for delivery.
    async fn delivering_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivering_at
    }

    /// When the patient confirmed receipt.
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }

    /// When it was cancelled.
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.0.cancelled_at
    }

    /// Why it was cancelled.
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }

    /// When it was created (with the record).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One read of a patient's medical record, from the audit log.
#[derive(Clone, Debug)]
pub struct RecordRead(pub audit_entry::Model);

/// One read of a patient's medical record, from the audit log.
#[Object]
impl RecordRead {
    /// Who read it.
    async fn reader(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.actor_id).await
    }

    /// The integer id of the record read.
    async fn record_legacy_id(&self) -> i64 {
        self.0.subject_id
    }

    /// The global ID of the record read.
    async fn record_id(&self) -> ID {
        global_id("MedicalRecord", self.0.subject_id)
    }

    /// When it was read.
    async fn read_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A move of an inquiry or drug order the subscriber takes part in.
#[derive(Clone, Debug)]
pub struct CareUpdate(pub care::CareEvent);

/// A move of an inquiry or drug order the subscriber takes part in.
#[Object]
impl CareUpdate {
    /// `inquiry` or `drugOrder`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }

    /// The inquiry that moved, as it is now.
    async fn inquiry(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Inquiry>> {
        if self.0.kind != "inquiry" {
            return Ok(None);
        }
        let viewer = crate::graphql::auth(ctx).require()?;
        let db = &crate::graphql::services(ctx)?.db;
        Ok(care::find_inquiry(db, viewer, self.0.id)
            .await?
            .map(Inquiry))
    }

    /// The drug order that moved, as it is now.
    async fn drug_order(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DrugOrder>> {
        if self.0.kind != "drugOrder" {
            return Ok(None);
        }
        let viewer = crate::graphql::auth(ctx).require()?;
        let db = &crate::graphql::services(ctx)?.db;
        Ok(care::find_order(db, viewer, self.0.id)
            .await?
            .map(DrugOrder))
    }

    /// The state it moved to (`pending_approval`, `assigned`, `delivering`, ...).
    async fn state(&self) -> &str {
        &self.0.state
    }

    /// When it moved.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

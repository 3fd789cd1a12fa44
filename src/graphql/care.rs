//! Home care (medassist) in GraphQL: inquiries, medical records, drug purchase orders, the
//! read log of a patient's records, and their transitions. Rules live in `domain::care`.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::connection::{Conn, PageArgs, to_connection, wants_total};
use super::loaders::load_err;
use super::node::decode_int_id;
use super::types::{DrugOrder, Inquiry, MedicalRecord, RecordRead, User, loaders};
use super::{auth, services};
use crate::auth::{Role, Viewer};
use crate::domain::care::{
    self, CareScope, DrugOrderState, InquiryFilter, InquiryState, NewInquiry, NewRecord,
    OrderFilter, RecordFilter,
};
use crate::domain::page::DEFAULT_PAGE_SIZE;
use crate::domain::{accounts, demo_accounts};
use crate::error::AppError;

fn optional_id(id: Option<&ID>, ty: &str) -> async_graphql::Result<Option<i64>> {
    Ok(id.map(|id| decode_int_id(id, ty)).transpose()?)
}

/// A user given by ID or UUID (at most one of them), as a user id.
async fn user_by_id_or_uuid(
    ctx: &Context<'_>,
    id: Option<&ID>,
    uuid: Option<uuid::Uuid>,
    field: &str,
) -> async_graphql::Result<Option<i64>> {
    match (optional_id(id, "User")?, uuid) {
        (Some(id), None) => Ok(Some(id)),
        (None, Some(uuid)) => Ok(Some(
            accounts::lookup(&services(ctx)?.db, auth(ctx), accounts::Lookup::Uuid(uuid))
                .await?
                .map(|u| u.id)
                .ok_or_else(|| AppError::bad_field(field, "no account has this uuid"))?,
        )),
        (None, None) => Ok(None),
        _ => Err(AppError::bad_field(field, "give an ID or a UUID, not both").into()),
    }
}

/// A language-model summary of a patient's medical records.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct MedicalSummary {
    /// The summary, in Chinese, as the model wrote it (not a diagnosis).
    pub summary: String,
    /// How many records it covers.
    pub record_count: i32,
    #[graphql(skip)]
    pub patient_id: i64,
}

#[async_graphql::ComplexObject]
impl MedicalSummary {
    /// The patient whose records were summarised.
    async fn patient(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(loaders(ctx)?
            .user
            .load_one(self.patient_id)
            .await
            .map_err(load_err)?
            .map(User))
    }
}

/// One generated demo account.
#[derive(SimpleObject)]
pub struct DemoAccount {
    /// The account's UUID.
    pub uuid: uuid::Uuid,
    /// Login name.
    pub username: String,
    /// Made-up name.
    pub real_name: String,
    /// Made-up mobile number (199 range), to log in with.
    pub phone: String,
}

/// Generated demo accounts and how to log in to them.
#[derive(SimpleObject)]
pub struct DemoAccounts {
    /// How many accounts were created.
    pub count: i32,
    /// The password of every one of them.
    pub password: String,
    /// The accounts.
    pub accounts: Vec<DemoAccount>,
}

/// Home-care reads.
#[derive(Default)]
pub struct CareQuery;

/// Home-care reads.
#[Object]
impl CareQuery {
    /// Inquiries (问诊), newest first. `scope` defaults to what the caller is: ALL for
    /// administrators, PHYSICIAN for physicians, PATIENT otherwise.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn inquiries(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Whose inquiries: the caller's as PATIENT, as PHYSICIAN, or ALL (administrators)."
        )]
        scope: Option<CareScope>,
        #[graphql(desc = "Only inquiries in these states.")] states: Option<Vec<InquiryState>>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Inquiry>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let filter = InquiryFilter {
            scope: scope.unwrap_or_else(|| CareScope::default_for(viewer, false)),
            states,
        };
        let page = care::list_inquiries(
            &services(ctx)?.db,
            viewer,
            &filter,
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, Inquiry))
    }

    /// One inquiry; null when it does not exist or the caller may not see it.
    async fn inquiry(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the inquiry.")] id: ID,
    ) -> async_graphql::Result<Option<Inquiry>> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "Inquiry")?;
        Ok(care::find_inquiry(&services(ctx)?.db, viewer, id)
            .await?
            .map(Inquiry))
    }

    /// One medical record; null when it does not exist or the caller may not read it. The
    /// read is audited.
    async fn medical_record(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the medical record.")] id: ID,
    ) -> async_graphql::Result<Option<MedicalRecord>> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "MedicalRecord")?;
        Ok(care::find_record(&services(ctx)?.db, viewer, id)
            .await?
            .map(MedicalRecord))
    }

    /// Medical records the caller may read, newest first: of a patient, of an inquiry, or
    /// (neither given) the caller's own. Every record returned is audited as read.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn medical_records(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Records of this patient (a User ID).")] patient_id: Option<ID>,
        #[graphql(desc = "The record of this inquiry.")] inquiry_id: Option<ID>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<MedicalRecord>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let filter = RecordFilter {
            patient_id: optional_id(patient_id.as_ref(), "User")?,
            inquiry_id: optional_id(inquiry_id.as_ref(), "Inquiry")?,
        };
        let page = care::list_records(
            &services(ctx)?.db,
            viewer,
            &filter,
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, MedicalRecord))
    }

    /// Who read a patient's medical records (the audit log), newest first: the caller's own
    /// records, or any patient's for administrators.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn medical_record_reads(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The patient (a User ID); the caller when absent.")] patient_id: Option<
            ID,
        >,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<RecordRead>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page = care::record_reads(
            &services(ctx)?.db,
            viewer,
            optional_id(patient_id.as_ref(), "User")?,
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, RecordRead))
    }

    /// Drug purchase orders, newest first. `scope` defaults to what the caller is: ALL for
    /// administrators, PHYSICIAN for physicians, HOSPITAL_STAFF for hospital staff, PATIENT
    /// otherwise.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn drug_orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whose orders.")] scope: Option<CareScope>,
        #[graphql(desc = "Only orders in these states.")] states: Option<Vec<DrugOrderState>>,
        #[graphql(desc = "Only the orders of this medical record.")] record_id: Option<ID>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<DrugOrder>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let db = &services(ctx)?.db;
        let record_id = optional_id(record_id.as_ref(), "MedicalRecord")?;
        let page = match (scope, record_id, states) {
            (None, Some(record), None) => {
                care::orders_of_record(db, viewer, record, window, wants_total(ctx)).await?
            }
            (scope, record_id, states) => {
                let filter = OrderFilter {
                    scope: scope.unwrap_or_else(|| CareScope::default_for(viewer, true)),
                    states,
                    record_id,
                };
                care::list_orders(db, viewer, &filter, window, wants_total(ctx)).await?
            }
        };
        Ok(to_connection(page, DrugOrder))
    }

    /// A language-model summary of a patient's medical records: the caller's own, or another
    /// patient's for a physician who treated them. Needs the language model to be configured
    /// (`UNAVAILABLE` otherwise); counts against the caller's language-model rate limit; the
    /// records sent to the model are audited as read.
    async fn medical_summary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The patient (a User ID); the caller when absent.")] patient_id: Option<
            ID,
        >,
        #[graphql(desc = "The patient's UUID, instead of the ID.")] patient_uuid: Option<
            uuid::Uuid,
        >,
    ) -> async_graphql::Result<MedicalSummary> {
        let viewer: &Viewer = auth(ctx).require()?;
        let patient =
            user_by_id_or_uuid(ctx, patient_id.as_ref(), patient_uuid, "patientUuid").await?;
        let services = services(ctx)?;
        let summary = care::summarize(&services.db, &services.llm, viewer, patient).await?;
        Ok(MedicalSummary {
            summary: summary.text,
            record_count: i32::try_from(summary.record_count).unwrap_or(i32::MAX),
            patient_id: summary.patient_id,
        })
    }

    /// One drug purchase order; null when it does not exist or the caller may not see it.
    async fn drug_order(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the drug order.")] id: ID,
    ) -> async_graphql::Result<Option<DrugOrder>> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "DrugOrder")?;
        Ok(care::find_order(&services(ctx)?.db, viewer, id)
            .await?
            .map(DrugOrder))
    }
}

/// A patient's new inquiry.
#[derive(InputObject)]
pub struct CreateInquiryInput {
    /// Kind of care (类型), e.g. `在家就医` (home visit); at most 32 characters.
    pub kind: String,
    /// What is wrong (问诊详情); at most 2000 characters.
    pub detail: String,
    /// Phone to reach the patient at (预留电话); the account's phone when absent.
    pub reserved_phone: Option<String>,
    /// When the patient would like the visit (预约时间); not in the past.
    pub appointment_at: Option<DateTime<Utc>>,
}

/// The visit a physician registers (就诊登记).
#[derive(InputObject)]
pub struct RegisterMedicalRecordInput {
    /// The accepted inquiry the visit concludes.
    pub inquiry_id: ID,
    /// Diagnosis and notes (病情描述), optional; at most 5000 characters.
    pub description: Option<String>,
    /// The inquiry video: address or URL of an uploaded video (`uploadFile`, `/api/upload`).
    pub video: String,
    /// Record images: addresses or URLs of uploaded images; 1 to 9.
    pub images: Vec<String>,
    /// Whether drugs must be bought for the patient; a drug order is created when true.
    pub needs_drugs: bool,
    /// What to buy, for the drug order.
    pub drug_note: Option<String>,
}

/// Home-care commands; each checks the caller and the current state.
#[derive(Default)]
pub struct CareMutation;

/// Home-care commands; each checks the caller and the current state.
#[Object]
impl CareMutation {
    /// A patient asks for care; the inquiry waits for an administrator's approval.
    async fn create_inquiry(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields of the inquiry.")] input: CreateInquiryInput,
    ) -> async_graphql::Result<Inquiry> {
        let viewer = auth(ctx).require()?;
        let services = services(ctx)?;
        let created = care::create_inquiry(
            &services.db,
            &services.bus,
            viewer,
            NewInquiry {
                kind: input.kind,
                detail: input.detail,
                reserved_phone: input.reserved_phone,
                appointment_at: input.appointment_at,
            },
        )
        .await?;
        Ok(Inquiry(created))
    }

    /// An administrator approves a pending inquiry.
    async fn approve_inquiry(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the inquiry to approve.")] id: ID,
    ) -> async_graphql::Result<Inquiry> {
        let viewer = auth(ctx).require()?;
        let services = services(ctx)?;
        let id = decode_int_id(&id, "Inquiry")?;
        Ok(Inquiry(
            care::approve_inquiry(&services.db, &services.bus, viewer, id).await?,
        ))
    }

    /// An administrator rejects a pending or approved inquiry.
    async fn reject_inquiry(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the inquiry to reject.")] id: ID,
        #[graphql(desc = "Why, for the patient; at most 200 characters.")] reason: String,
    ) -> async_graphql::Result<Inquiry> {
        let viewer = auth(ctx).require()?;
        let services = services(ctx)?;
        let id = decode_int_id(&id, "Inquiry")?;
        Ok(Inquiry(
            care::reject_inquiry(&services.db, &services.bus, viewer, id, &reason).await?,
        ))
    }

    /// The patient withdraws an inquiry no physician has accepted yet.
    async fn cancel_inquiry(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the inquiry to cancel.")] id: ID,
        #[graphql(desc = "Why, optional; at most 200 characters.")] reason: Option<String>,
    ) -> async_graphql::Result<Inquiry> {
        let viewer = auth(ctx).require()?;
        let services = services(ctx)?;
        let id = decode_int_id(&id, "Inquiry")?;
        Ok(Inquiry(
            care::cancel_inquiry(&services.db, &services.bus, viewer, id, reason.as_deref())
                .await?,
        ))
    }

    /// An administrator assigns an approved inquiry to a physician (by ID or UUID), or
    /// reassigns one the physician has not accepted yet.
    async fn assign_physician(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the physician to assign.")] id: ID,
        #[graphql(desc = "The physician's User ID.")] physician_id: Option<ID>,
        #[graphql(desc = "The physician's UUID.")] physician_uuid: Option<uuid::Uuid>,
    ) -> async_graphql::Result<Inquiry> {
        let viewer = auth(ctx).require()?;
        let services = services(ctx)?;
        let id = decode_int_id(&id, "Inquiry")?;
        let physician = user_by_id_or_uuid(ctx, physician_id.as_ref(), physician_uuid, "userUUID")
            .await?
            .ok_or_else(|| AppError::bad_field("userUUID", "give the physician's ID or UUID"))?;
        Ok(Inquiry(
            care::assign_physician(&services.db, &services.bus, viewer, id, physician).await?,
        ))
    }

    /// The assigned physician accepts (接诊) or declines an inquiry; a declined one goes back
    /// to assignment.
    async fn respond_to_inquiry(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the inquiry to respond.")] id: ID,
        #[graphql(desc = "True to accept, false to decline.")] accept: bool,
    ) -> async_graphql::Result<Inquiry> {
        let viewer = auth(ctx).require()?;
        let services = services(ctx)?;
        let id = decode_int_id(&id, "Inquiry")?;
        Ok(Inquiry(
            care::respond_to_inquiry(&services.db, &services.bus, viewer, id, accept).await?,
        ))
    }

    /// The physician in charge registers the visit of an accepted inquiry; the inquiry
    /// finishes, and a drug order is created when drugs must be bought.
    async fn register_medical_record(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields of the medical record.")] input: RegisterMedicalRecordInput,
    ) -> async_graphql::Result<MedicalRecord> {
        let viewer = auth(ctx).require()?;
        let services = services(ctx)?;
        let (record, _) = care::register_record(
            &services.db,
            &services.bus,
            viewer,
            NewRecord {
                inquiry_id: decode_int_id(&input.inquiry_id, "Inquiry")?,
                description: input.description,
                video: input.video,
                images: input.images,
                needs_drugs: input.needs_drugs,
                drug_note: input.drug_note,
            },
        )
        .await?;
        Ok(MedicalRecord(record))
    }

    /// Creates 1 to 1000 realistic demo patients or physicians, all with one password (for
    /// development servers; `NOT_FOUND` in production).
    async fn generate_demo_accounts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "PATIENT or DOCTOR.")] role: Role,
        #[graphql(desc = "How many, 1 to 1000.")] number: i32,
    ) -> async_graphql::Result<DemoAccounts> {
        let services = services(ctx)?;
        let created = demo_accounts::generate(
            &services.db,
            services.config.production,
            role,
            i64::from(number),
        )
        .await?;
        Ok(DemoAccounts {
            count: i32::try_from(created.len()).unwrap_or(i32::MAX),
            password: demo_accounts::DEMO_PASSWORD.to_owned(),
            accounts: created
                .into_iter()
                .map(|u| DemoAccount {
                    uuid: u.uuid,
                    username: u.username,
                    real_name: u.real_name.unwrap_or_default(),
                    phone: u.phone.unwrap_or_default(),
                })
                .collect(),
        })
    }

    /// Hospital staff (or an administrator) confirm a drug order.
    async fn confirm_drug_order(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the drug order to confirm.")] id: ID,
    ) -> async_graphql::Result<DrugOrder> {
        let viewer = auth(ctx).require()?;
        let services = services(ctx)?;
        let id = decode_int_id(&id, "DrugOrder")?;
        Ok(DrugOrder(
            care::confirm_order(&services.db, &services.bus, viewer, id).await?,
        ))
    }

    /// Hospital staff (or an administrator) cancel a drug order that is not bought yet.
    async fn cancel_drug_order(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the drug order to cancel.")] id: ID,
        #[graphql(desc = "Why; at most 200 characters.")] reason: String,
    ) -> async_graphql::Result<DrugOrder> {
        let viewer = auth(ctx).require()?;
        let services = services(ctx)?;
        let id = decode_int_id(&id, "DrugOrder")?;
        Ok(DrugOrder(
            care::cancel_order(&services.db, &services.bus, viewer, id, &reason).await?,
        ))
    }

    /// The physician bought the drugs of a confirmed order; the certificate may come now or
    /// with `deliverDrugOrder`.
    async fn purchase_drug_order(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the drug order to purchase.")] id: ID,
        #[graphql(desc = "Addresses or URLs of uploaded certificate files (invoice, receipt).")]
        certificates: Option<Vec<String>>,
    ) -> async_graphql::Result<DrugOrder> {
        let viewer = auth(ctx).require()?;
        let services = services(ctx)?;
        let id = decode_int_id(&id, "DrugOrder")?;
        Ok(DrugOrder(
            care::purchase_order(
                &services.db,
                &services.bus,
                viewer,
                id,
                &certificates.unwrap_or_default(),
            )
            .await?,
        ))
    }

    /// The physician takes a bought order for delivery, with the certificate (purchase invoice
    /// and delivery screenshot) unless it was given at purchase.
    async fn deliver_drug_order(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the drug order to deliver.")] id: ID,
        #[graphql(desc = "Addresses or URLs of uploaded certificate files.")] certificates: Option<
            Vec<String>,
        >,
    ) -> async_graphql::Result<DrugOrder> {
        let viewer = auth(ctx).require()?;
        let services = services(ctx)?;
        let id = decode_int_id(&id, "DrugOrder")?;
        Ok(DrugOrder(
            care::deliver_order(
                &services.db,
                &services.bus,
                viewer,
                id,
                &certificates.unwrap_or_default(),
            )
            .await?,
        ))
    }

    /// The patient confirms they received the drugs; the order completes.
    async fn confirm_drug_receipt(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the drug order to confirm receipt of.")] id: ID,
    ) -> async_graphql::Result<DrugOrder> {
        let viewer = auth(ctx).require()?;
        let services = services(ctx)?;
        let id = decode_int_id(&id, "DrugOrder")?;
        Ok(DrugOrder(
            care::confirm_receipt(&services.db, &services.bus, viewer, id).await?,
        ))
    }
}

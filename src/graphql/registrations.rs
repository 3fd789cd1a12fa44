//! Registrations for free clinics (诊断) in GraphQL: the `Registration` and `Casebook` types,
//! the lists of patients, doctors and assistants, and the commands of each side. Rules live in
//! `domain::registrations`; resolvers translate.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{casebook, registration};

use super::clinics::key_of;
use super::connection::{Conn, PageArgs, to_connection, wants_total};
use super::loaders::load_err;
use super::node::global_id;
use super::types::{FreeClinic, FreeClinicSlot, User, file_url, loaders, user_of as user};
use super::{auth, public_url, services};
use crate::domain::page::DEFAULT_PAGE_SIZE;
use crate::domain::registrations::{
    self, CasebookInput as DomainCasebook, DoctorFilter, JoinRequest, PatientFilter, VisitState,
    refund, verify,
};
use crate::error::AppError;
use crate::policy::masking;

/// A registration's verification (legacy `verify_status`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RegistrationVerifyState {
    /// Booked (1 预约成功).
    Booked,
    /// Rejected by the doctor (2 预约被拒绝), with a reason.
    Rejected,
    /// Cancelled (3 已取消) by the patient, their assistant, the clinic's cancellation or an
    /// unpaid deposit.
    Cancelled,
}

/// Where the visit stands (legacy `status`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RegistrationVisitState {
    /// Waiting for the visit (1 待诊).
    Waiting,
    /// The clinic ended without the visit (2 未诊).
    Missed,
    /// Seen by the doctor (3 已诊).
    Seen,
}

impl From<VisitState> for RegistrationVisitState {
    fn from(s: VisitState) -> Self {
        match s {
            VisitState::Waiting => Self::Waiting,
            VisitState::Missed => Self::Missed,
            VisitState::Seen => Self::Seen,
        }
    }
}

/// The deposit (押金) of a registration.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DepositState {
    /// The clinic asks no deposit.
    None,
    /// Waiting for the payment; the place is held until `paymentDueAt`.
    Awaiting,
    /// The payment window passed unpaid; the place is released.
    Expired,
    /// Paid.
    Paid,
}

/// A refund of the deposit (legacy `refund_status`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RefundState {
    /// Applied (1 已申请退款), waiting for the provider.
    Applied,
    /// Refunded (3 退款完成).
    Refunded,
}

/// A patient's registration for a time slot of a free clinic (诊断, legacy `diagnoses`). Only
/// its patient, the assistant who made it, the clinic's doctor and administrators see one.
#[derive(Clone, Debug)]
pub struct Registration(pub registration::Model);

/// A patient's registration for a time slot of a free clinic (诊断, legacy `diagnoses`). Only
/// its patient, the assistant who made it, the clinic's doctor and administrators see one.
#[Object]
impl Registration {
    /// Globally unique ID.
    async fn id(&self) -> ID {
        global_id("Registration", self.0.id)
    }

    /// The integer id legacy clients use.
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// The free clinic.
    async fn clinic(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<FreeClinic>> {
        Ok(loaders(ctx)?
            .clinics
            .clinic
            .load_one(self.0.clinic_id)
            .await
            .map_err(load_err)?
            .map(FreeClinic::new))
    }

    /// The time slot.
    async fn slot(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<FreeClinicSlot>> {
        Ok(loaders(ctx)?
            .clinics
            .slots
            .load_one(self.0.clinic_id)
            .await
            .map_err(load_err)?
            .unwrap_or_default()
            .into_iter()
            .find(|s| s.id == self.0.slot_id)
            .map(FreeClinicSlot))
    }

    /// The patient.
    async fn patient(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.patient_id).await
    }

    /// The clinic's doctor.
    async fn doctor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.doctor_id).await
    }

    /// The assistant (医助) who registered the patient, if one did.
    async fn assistant(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        match self.0.assistant_id {
            Some(id) => user(ctx, id).await,
            None => Ok(None),
        }
    }

    /// The casebook (病例) the patient joined with.
    async fn casebook(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Casebook>> {
        match self.0.casebook_id {
            Some(id) => Ok(loaders(ctx)?
                .registrations
                .casebook
                .load_one(id)
                .await
                .map_err(load_err)?
                .map(Casebook)),
            None => Ok(None),
        }
    }

    /// When the slot begins (legacy `visit_time`).
    async fn visit_at(&self) -> DateTime<Utc> {
        self.0.visit_at
    }

    /// Verification.
    async fn verify_state(&self) -> RegistrationVerifyState {
        match self.0.verify_state {
            verify::REJECTED => RegistrationVerifyState::Rejected,
            verify::CANCELLED => RegistrationVerifyState::Cancelled,
            _ => RegistrationVerifyState::Booked,
        }
    }

    /// Why it was rejected or cancelled by others, if it was.
    async fn reject_reason(&self) -> Option<&str> {
        self.0.reject_reason.as_deref()
    }

    /// Where the visit stands.
    async fn visit_state(&self) -> RegistrationVisitState {
        registrations::visit_state(&self.0, Utc::now()).into()
    }

    /// When the doctor confirmed the visit.
    async fn seen_at(&self) -> Option<DateTime<Utc>> {
        self.0.seen_at
    }

    /// The diagnosis result (诊断结果).
    async fn result(&self) -> Option<&str> {
        self.0.result.as_deref()
    }

    /// Absolute URLs of the result's photos.
    async fn result_photo_urls(&self, ctx: &Context<'_>) -> Vec<String> {
        registrations::photos(&self.0.result_photos)
            .iter()
            .map(|h| file_url(ctx, h))
            .collect()
    }

    /// The deposit in cents (0 = none).
    async fn deposit_cents(&self) -> i64 {
        self.0.deposit_cents
    }

    /// The deposit's payment.
    async fn deposit_state(&self) -> DepositState {
        match registrations::deposit_state(&self.0, Utc::now()) {
            registrations::DepositState::None => DepositState::None,
            registrations::DepositState::Awaiting => DepositState::Awaiting,
            registrations::DepositState::Expired => DepositState::Expired,
            registrations::DepositState::Paid => DepositState::Paid,
        }
    }

    /// Until when the place is held for an unpaid deposit.
    async fn payment_due_at(&self) -> Option<DateTime<Utc>> {
        self.0.payment_due_at
    }

    /// Serial of the deposit order (legacy `sn`).
    async fn order_serial(&self) -> Option<&str> {
        self.0.order_sn.as_deref()
    }

    /// When the deposit was paid.
    async fn paid_at(&self) -> Option<DateTime<Utc>> {
        self.0.paid_at
    }

    /// The deposit's refund, if one.
    async fn refund_state(&self) -> Option<RefundState> {
        match self.0.refund_state {
            Some(refund::DONE) => Some(RefundState::Refunded),
            Some(_) => Some(RefundState::Applied),
            None => None,
        }
    }

    /// Serial of the refund (legacy `refund_sn`).
    async fn refund_serial(&self) -> Option<&str> {
        self.0.refund_sn.as_deref()
    }

    /// When the refund was applied.
    async fn refund_requested_at(&self) -> Option<DateTime<Utc>> {
        self.0.refund_requested_at
    }

    /// When the money went back (legacy `refund_time`).
    async fn refunded_at(&self) -> Option<DateTime<Utc>> {
        self.0.refunded_at
    }

    /// The doctor's credit score for the patient (诚信分, 1–5).
    async fn patient_credit_score(&self) -> Option<i32> {
        self.0.patient_credit_score.map(i32::from)
    }

    /// The doctor's punctuality score for the patient (守时分, 1–5).
    async fn patient_punctuality_score(&self) -> Option<i32> {
        self.0.patient_punctuality_score.map(i32::from)
    }

    /// When the doctor scored the patient (legacy `doctor_comment_time`).
    async fn patient_scored_at(&self) -> Option<DateTime<Utc>> {
        self.0.doctor_commented_at
    }

    /// The patient's score for the doctor (1–5).
    async fn doctor_score(&self) -> Option<i32> {
        self.0.doctor_score.map(i32::from)
    }

    /// The patient's comment on the doctor.
    async fn doctor_comment(&self) -> Option<&str> {
        self.0.doctor_comment.as_deref()
    }

    /// When the patient reviewed the doctor (legacy `patient_comment_time`).
    async fn doctor_reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.patient_commented_at
    }

    /// Whether the patient or their assistant may still cancel (before the slot begins).
    async fn can_cancel(&self, ctx: &Context<'_>) -> bool {
        registrations::may_cancel(auth(ctx).user_id(), &self.0, Utc::now())
    }

    /// When it was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A patient's casebook (病例) for a free clinic: what they tell the doctor.
#[derive(Clone, Debug)]
pub struct Casebook(pub casebook::Model);

/// A patient's casebook (病例) for a free clinic: what they tell the doctor.
#[Object]
impl Casebook {
    /// Globally unique ID.
    async fn id(&self) -> ID {
        global_id("Casebook", self.0.id)
    }

    /// The integer id legacy clients use.
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// The description (病例描述).
    async fn content(&self) -> &str {
        &self.0.content
    }

    /// Absolute URLs of its photos (at most 3).
    async fn photo_urls(&self, ctx: &Context<'_>) -> Vec<String> {
        registrations::photos(&self.0.photos)
            .iter()
            .map(|h| file_url(ctx, h))
            .collect()
    }

    /// When it was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was last edited.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A patient's public review of a doctor: the score, the comment and who wrote it, with the
/// name masked.
#[derive(Clone, Debug)]
pub struct DoctorReview(pub registration::Model);

/// A patient's public review of a doctor: the score, the comment and who wrote it, with the
/// name masked.
#[Object]
impl DoctorReview {
    /// The registration's ID (only its parties may load the registration itself).
    async fn registration_id(&self) -> ID {
        global_id("Registration", self.0.id)
    }

    /// The integer id legacy clients use.
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// Score, 1–5.
    async fn score(&self) -> i32 {
        self.0.doctor_score.map_or(0, i32::from)
    }

    /// Comment.
    async fn comment(&self) -> &str {
        self.0.doctor_comment.as_deref().unwrap_or("")
    }

    /// When it was written.
    async fn reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.patient_commented_at
    }

    /// When the reviewed visit was (its slot's start).
    async fn visit_at(&self) -> DateTime<Utc> {
        self.0.visit_at
    }

    /// The reviewer (the patient): their personal fields masked or hidden for other viewers,
    /// as everywhere.
    async fn reviewer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.patient_id).await
    }

    /// The reviewer's display name, masked (张*) unless the viewer is the reviewer.
    async fn reviewer_name(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let own = auth(ctx).viewer.as_ref().map(|v| v.user_id) == Some(self.0.patient_id);
        let name = user(ctx, self.0.patient_id)
            .await?
            .map(|u| u.0.display_name.clone())
            .unwrap_or_default();
        Ok(if own { name } else { masking::mask_name(&name) })
    }

    /// The reviewer's avatar URL.
    async fn reviewer_avatar_url(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<String>> {
        Ok(user(ctx, self.0.patient_id)
            .await?
            .and_then(|u| u.0.avatar.clone())
            .map(|h| file_url(ctx, &h)))
    }
}

/// A patient's registrations by the legacy `type`.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PatientRegistrationFilter {
    /// Booked and waiting (1 已挂号).
    Registered,
    /// Rejected (2 挂号失败).
    Failed,
    /// Missed (3 未到诊).
    Missed,
    /// Seen (4 诊疗完成).
    Done,
    /// Seen and not yet reviewed (待评论).
    AwaitingReview,
    /// With a deposit refund (我的退款).
    Refunds,
}

impl From<PatientRegistrationFilter> for PatientFilter {
    fn from(f: PatientRegistrationFilter) -> Self {
        match f {
            PatientRegistrationFilter::Registered => PatientFilter::Registered,
            PatientRegistrationFilter::Failed => PatientFilter::Failed,
            PatientRegistrationFilter::Missed => PatientFilter::Missed,
            PatientRegistrationFilter::Done => PatientFilter::Done,
            PatientRegistrationFilter::AwaitingReview => PatientFilter::AwaitingReview,
            PatientRegistrationFilter::Refunds => PatientFilter::Refunds,
        }
    }
}

/// A doctor's registrations by visit state.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DoctorRegistrationFilter {
    /// Waiting (1 待诊), soonest first.
    Waiting,
    /// Missed (2 未诊).
    Missed,
    /// Seen (3 已诊).
    Seen,
    /// Reviewed by their patient, latest review first.
    Reviewed,
}

impl From<DoctorRegistrationFilter> for DoctorFilter {
    fn from(f: DoctorRegistrationFilter) -> Self {
        match f {
            DoctorRegistrationFilter::Waiting => DoctorFilter::Waiting,
            DoctorRegistrationFilter::Missed => DoctorFilter::Missed,
            DoctorRegistrationFilter::Seen => DoctorFilter::Seen,
            DoctorRegistrationFilter::Reviewed => DoctorFilter::Reviewed,
        }
    }
}

/// Registration queries.
#[derive(Default)]
pub struct RegistrationQuery;

/// Registration queries.
#[Object]
impl RegistrationQuery {
    /// A registration, for its patient, their assistant, the clinic's doctor or an
    /// administrator (FORBIDDEN for anyone else).
    async fn registration(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the registration.")] id: ID,
    ) -> async_graphql::Result<Option<Registration>> {
        let viewer = auth(ctx).require()?;
        let id = key_of(&id, "Registration", "id")?;
        match registrations::find_visible(&services(ctx)?.db, viewer, id).await {
            Ok(r) => Ok(Some(Registration(r))),
            Err(AppError::NotFound(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The caller's registrations as a patient, newest first (refunds: latest refund first).
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn my_registrations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which ones (all when absent).")] filter: Option<
            PatientRegistrationFilter,
        >,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Registration>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page = registrations::of_patient(
            &services(ctx)?.db,
            viewer.user_id,
            filter.map(PatientFilter::from),
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, Registration))
    }

    /// The registrations of the caller's clinics as their doctor: booked ones, or by visit
    /// state.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn doctor_registrations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which ones (every booked one when absent).")] filter: Option<
            DoctorRegistrationFilter,
        >,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Registration>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page = registrations::of_doctor(
            &services(ctx)?.db,
            viewer.user_id,
            filter.map(DoctorFilter::from),
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, Registration))
    }

    /// Patients' reviews of a doctor (医生评论), latest first; reviewers' names are masked.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn doctor_reviews(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The doctor (a User ID).")] doctor_id: ID,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<DoctorReview>> {
        let doctor = key_of(&doctor_id, "User", "doctorId")?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page = registrations::of_doctor(
            &services(ctx)?.db,
            doctor,
            Some(DoctorFilter::Reviewed),
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, DoctorReview))
    }

    /// Every registration of a patient, newest first (病人所有病例): for the patient, an
    /// administrator, a doctor the patient is booked with, or an assistant the patient is
    /// bound to.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn patient_registrations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The patient (a User ID).")] patient_id: ID,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Registration>> {
        let viewer = auth(ctx).require()?;
        let patient = key_of(&patient_id, "User", "patientId")?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page = registrations::history(
            &services(ctx)?.db,
            viewer,
            patient,
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, Registration))
    }

    /// The caller's registration of deposit order `serial` once paid; null while unpaid.
    async fn registration_by_order(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deposit order's serial (legacy `sn`).")] serial: String,
    ) -> async_graphql::Result<Option<Registration>> {
        let viewer = auth(ctx).require()?;
        Ok(
            registrations::paid_by_serial(&services(ctx)?.db, viewer, serial.trim())
                .await?
                .map(Registration),
        )
    }

    /// The caller's casebook for a free clinic.
    async fn my_casebook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The free clinic.")] clinic_id: ID,
    ) -> async_graphql::Result<Option<Casebook>> {
        let viewer = auth(ctx).require()?;
        let clinic = key_of(&clinic_id, "FreeClinic", "clinicId")?;
        Ok(
            registrations::casebook_of(&services(ctx)?.db, viewer.user_id, clinic)
                .await?
                .map(Casebook),
        )
    }

    /// The registrations the caller made as an assistant, for one clinic or all, newest first.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn assistant_registrations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this free clinic's.")] clinic_id: Option<ID>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Registration>> {
        let viewer = auth(ctx).require()?;
        let clinic = clinic_id
            .as_ref()
            .map(|id| key_of(id, "FreeClinic", "clinicId"))
            .transpose()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page = registrations::of_assistant(
            &services(ctx)?.db,
            viewer.user_id,
            clinic,
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, Registration))
    }

    /// The free clinics the caller registered patients for as an assistant, latest first.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn assistant_free_clinics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<FreeClinic>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page = registrations::clinics_of_assistant(
            &services(ctx)?.db,
            viewer.user_id,
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, FreeClinic::new))
    }

    /// The assistants (医助) who registered patients for the caller's clinics, latest first.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn my_clinic_assistants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<User>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page = registrations::assistants_of_doctor(
            &services(ctx)?.db,
            viewer.user_id,
            window,
            wants_total(ctx),
        )
        .await?;
        let users = loaders(ctx)?
            .user
            .load_many(page.items.iter().copied())
            .await
            .map_err(load_err)?;
        let page = crate::domain::Page {
            items: page
                .items
                .iter()
                .filter_map(|id| users.get(id).cloned())
                .collect(),
            offset: page.offset,
            has_next: page.has_next,
            total: page.total,
        };
        Ok(to_connection(page, User))
    }
}

/// A casebook as written when joining.
#[derive(InputObject, Clone, Debug)]
pub struct CasebookInputObject {
    /// The description, 1 to 2000 characters.
    pub content: String,
    /// Up to 3 uploaded images (addresses or `/files/…` URLs).
    #[graphql(default)]
    pub photos: Vec<String>,
}

/// Joining a free clinic.
#[derive(InputObject, Clone, Debug)]
pub struct JoinFreeClinicInput {
    /// The free clinic.
    pub clinic_id: ID,
    /// The time slot's label (`09:00:00 - 09:30:00`); the first slot with a free place when
    /// absent.
    pub slot: Option<String>,
    /// The casebook (病例): required from a patient, optional from an assistant.
    pub casebook: Option<CasebookInputObject>,
    /// The patient an assistant registers (a User ID bound to the assistant); the caller when
    /// absent.
    pub patient_id: Option<ID>,
}

/// A new registration and, for a clinic with a deposit, the page that pays it.
#[derive(SimpleObject)]
pub struct JoinedFreeClinic {
    /// The registration (booked; awaiting its deposit when the clinic asks one).
    pub registration: Registration,
    /// The payment provider's page for the deposit: an auto-submitting HTML form.
    pub pay_page: Option<String>,
}

/// Registration commands.
#[derive(Default)]
pub struct RegistrationMutation;

/// Registration commands.
#[Object]
impl RegistrationMutation {
    /// Joins a free clinic (加入义诊) with a casebook and a time slot: a patient for
    /// themself, or an assistant for a patient bound to them. CONFLICT when the clinic is
    /// cancelled, over or full, or the patient already holds a place.
    async fn join_free_clinic(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields of the free clinic.")] input: JoinFreeClinicInput,
    ) -> async_graphql::Result<JoinedFreeClinic> {
        let viewer = auth(ctx).require()?;
        let s = services(ctx)?;
        let request = JoinRequest {
            clinic_id: key_of(&input.clinic_id, "FreeClinic", "clinicId")?,
            slot: input.slot,
            casebook: input.casebook.map(|c| DomainCasebook {
                content: c.content,
                photos: c.photos,
            }),
            patient_id: input
                .patient_id
                .as_ref()
                .map(|id| key_of(id, "User", "patientId"))
                .transpose()?,
        };
        let joined = registrations::join(
            &s.db,
            s.bus.as_ref(),
            &s.payments,
            &public_url(ctx),
            viewer,
            request,
        )
        .await?;
        Ok(JoinedFreeClinic {
            registration: Registration(joined.registration),
            pay_page: joined.pay_page,
        })
    }

    /// Cancels a registration (取消挂号): its patient or the assistant who made it, before the
    /// slot begins. Frees the place and refunds a paid deposit.
    async fn cancel_registration(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the registration to cancel.")] id: ID,
    ) -> async_graphql::Result<Registration> {
        let viewer = auth(ctx).require()?;
        let s = services(ctx)?;
        let id = key_of(&id, "Registration", "id")?;
        Ok(Registration(
            registrations::cancel(&s.db, s.bus.as_ref(), &s.payments, viewer, id).await?,
        ))
    }

    /// Cancels the caller's booked registration for a free clinic (取消义诊).
    async fn leave_free_clinic(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The free clinic.")] clinic_id: ID,
    ) -> async_graphql::Result<Registration> {
        let viewer = auth(ctx).require()?;
        let s = services(ctx)?;
        let clinic = key_of(&clinic_id, "FreeClinic", "clinicId")?;
        Ok(Registration(
            registrations::cancel_for_clinic(&s.db, s.bus.as_ref(), &s.payments, viewer, clinic)
                .await?,
        ))
    }

    /// The clinic's doctor rejects a registration before the visit (拒绝诊断), with a reason
    /// the patient is told. Frees the place and refunds a paid deposit.
    async fn reject_registration(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the registration to reject.")] id: ID,
        #[graphql(desc = "Why, 1 to 200 characters.")] reason: String,
    ) -> async_graphql::Result<Registration> {
        let viewer = auth(ctx).require()?;
        let s = services(ctx)?;
        let id = key_of(&id, "Registration", "id")?;
        Ok(Registration(
            registrations::reject(&s.db, s.bus.as_ref(), &s.payments, viewer, id, &reason).await?,
        ))
    }

    /// The clinic's doctor confirms the visit (确认就诊) once the clinic has begun; the deposit
    /// is refunded.
    async fn confirm_visit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the registration to confirm the visit of.")] id: ID,
    ) -> async_graphql::Result<Registration> {
        let viewer = auth(ctx).require()?;
        let s = services(ctx)?;
        let id = key_of(&id, "Registration", "id")?;
        Ok(Registration(
            registrations::confirm_visit(&s.db, s.bus.as_ref(), &s.payments, viewer, id).await?,
        ))
    }

    /// The clinic's doctor records (or corrects) the result of a seen visit (诊断结果).
    async fn record_diagnosis(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the registration to record.")] id: ID,
        #[graphql(desc = "The result, 1 to 2000 characters.")] result: String,
        #[graphql(desc = "Up to 9 uploaded images (none when absent).")] photos: Option<
            Vec<String>,
        >,
    ) -> async_graphql::Result<Registration> {
        let viewer = auth(ctx).require()?;
        let s = services(ctx)?;
        let id = key_of(&id, "Registration", "id")?;
        Ok(Registration(
            registrations::record_result(
                &s.db,
                s.bus.as_ref(),
                viewer,
                id,
                &result,
                &photos.unwrap_or_default(),
            )
            .await?,
        ))
    }

    /// The clinic's doctor scores the patient once after the visit or a missed one.
    async fn score_patient(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the registration to score the patient of.")] id: ID,
        #[graphql(desc = "Credit (诚信分), 1–5.")] credit: i32,
        #[graphql(desc = "Punctuality (守时分), 1–5.")] punctuality: i32,
    ) -> async_graphql::Result<Registration> {
        let viewer = auth(ctx).require()?;
        let s = services(ctx)?;
        let id = key_of(&id, "Registration", "id")?;
        Ok(Registration(
            registrations::score_patient(&s.db, s.bus.as_ref(), viewer, id, credit, punctuality)
                .await?,
        ))
    }

    /// The patient scores and comments on the doctor once after a seen visit.
    async fn review_doctor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the registration to review the doctor of.")] id: ID,
        #[graphql(desc = "Score, 1–5.")] score: i32,
        #[graphql(desc = "Comment, 1 to 500 characters.")] comment: String,
    ) -> async_graphql::Result<Registration> {
        let viewer = auth(ctx).require()?;
        let s = services(ctx)?;
        let id = key_of(&id, "Registration", "id")?;
        Ok(Registration(
            registrations::review_doctor(&s.db, s.bus.as_ref(), viewer, id, score, &comment)
                .await?,
        ))
    }
}

/// A change of one of the caller's registrations, as delivered by `registrationChanges`.
#[derive(Clone, Debug)]
pub struct RegistrationChange(pub registrations::RegistrationChanged);

/// A change of one of the caller's registrations, as delivered by `registrationChanges`.
#[Object]
impl RegistrationChange {
    /// What happened: `joined`, `paid`, `cancelled`, `rejected`, `seen`, `result`, `scored`,
    /// `reviewed`, `clinicCancelled` or `refunded`.
    async fn change(&self) -> &str {
        &self.0.change
    }

    /// When.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }

    /// The registration's ID.
    async fn registration_id(&self) -> ID {
        global_id("Registration", self.0.registration_id)
    }

    /// The registration as it is now.
    async fn registration(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Registration>> {
        let viewer = auth(ctx).require()?;
        match registrations::find_visible(&services(ctx)?.db, viewer, self.0.registration_id).await
        {
            Ok(r) => Ok(Some(Registration(r))),
            Err(AppError::NotFound(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

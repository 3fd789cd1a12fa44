//! Registrations for free clinics (诊断, legacy `diagnoses`): joining with a casebook (病例) and
//! a time slot, cancelling, the doctor's rejection, visit confirmation, result and scoring of
//! the patient, the patient's review of the doctor, and deposits (押金) paid through the
//! payment provider and refunded when the registration ends without fault of the patient.
//!
//! Rules, each enforced here once:
//! - A patient (or an assistant for a patient bound to them) joins a clinic that is neither
//!   cancelled nor over, in a slot with a free place (the first free one when none is named).
//!   The place is taken by one conditional `UPDATE` of the slot, the first statement of the
//!   transaction: concurrent joins never overbook. A partial unique index allows one booked
//!   registration per patient and clinic.
//! - A clinic with a deposit holds the place for [`PAYMENT_WINDOW_MINUTES`] while the patient
//!   pays; an unpaid registration past that is cancelled (lazily, when its place or its patient
//!   is wanted again). The provider's verified notification marks it paid once.
//! - Cancelling (patient, their assistant), rejecting (doctor, before the visit) and cancelling
//!   the clinic free the place and refund a paid deposit; a confirmed visit refunds it too.
//! - The doctor confirms a visit once the clinic has begun; records the result of a seen visit;
//!   scores the patient (credit, punctuality, 1–5) once after the visit or after a missed one.
//!   The patient reviews the doctor (1–5 and a comment) once after a seen visit. Aggregates
//!   (doctor score, visits, patients served, service minutes; patient credit and punctuality,
//!   registrations, visits) move by relative updates in the same transaction.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::{
    casebook, doctor_profile, free_clinic, free_clinic_held, free_clinic_slot, patient_profile,
    registration,
};
use rand::Rng;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, SelectStatement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde::{Deserialize, Serialize};

use super::free_clinics;
use super::notifications;
use super::page::{self, Page, PageRequest};
use crate::auth::{Role, Viewer};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::EventBus;
use crate::payments::{Notice, PayRequest, Payments, TradeState};

/// Verify states (legacy `verify_status`).
pub mod verify {
    /// Booked (预约成功).
    pub const BOOKED: i16 = 1;
    /// Rejected by the doctor (预约被拒绝).
    pub const REJECTED: i16 = 2;
    /// Cancelled (已取消): by the patient, their assistant, an unpaid deposit or the clinic.
    pub const CANCELLED: i16 = 3;
}

/// Deposit payment states.
pub mod payment {
    /// The clinic asks no deposit.
    pub const NONE: i16 = 0;
    /// Waiting for the deposit.
    pub const AWAITING: i16 = 1;
    /// Deposit paid.
    pub const PAID: i16 = 2;
}

/// Refund states (legacy `refund_status`).
pub mod refund {
    /// Refund applied (已申请退款): the provider has not confirmed it yet.
    pub const APPLIED: i16 = 1;
    /// Refunded (退款完成).
    pub const DONE: i16 = 3;
}

/// Minutes a place is held while its deposit is being paid.
pub const PAYMENT_WINDOW_MINUTES: i64 = 15;
/// Most characters of a casebook's text.
pub const MAX_CASEBOOK_CHARS: usize = 2000;
/// Most photos of a casebook.
pub const MAX_CASEBOOK_PHOTOS: usize = 3;
/// Most characters of a diagnosis result.
pub const MAX_RESULT_CHARS: usize = 2000;
/// Most photos of a diagnosis result.
pub const MAX_RESULT_PHOTOS: usize = 9;
/// Most characters of a rejection reason.
pub const MAX_REASON_CHARS: usize = 200;
/// Most characters of a patient's comment on the doctor.
pub const MAX_COMMENT_CHARS: usize = 500;

/// The topic of `patient_id`'s registration changes.
pub fn changes_topic(patient_id: i64) -> String {
    format!("registrations:{patient_id}")
}

/// Where a registration's visit stands (legacy `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VisitState {
    /// Waiting for the visit (待诊).
    Waiting,
    /// The clinic ended without the visit being confirmed (未诊).
    Missed,
    /// Seen by the doctor (已诊).
    Seen,
}

impl VisitState {
    /// The legacy code: 1 waiting, 2 missed, 3 seen.
    pub fn code(self) -> i32 {
        match self {
            VisitState::Waiting => 1,
            VisitState::Missed => 2,
            VisitState::Seen => 3,
        }
    }
}

/// The visit state of `r` at `now`.
pub fn visit_state(r: &registration::Model, now: DateTime<Utc>) -> VisitState {
    if r.seen_at.is_some() {
        VisitState::Seen
    } else if r.verify_state == verify::BOOKED && now >= r.ends_at {
        VisitState::Missed
    } else {
        VisitState::Waiting
    }
}

/// Whether an unpaid deposit's window has passed.
pub fn payment_expired(r: &registration::Model, now: DateTime<Utc>) -> bool {
    r.payment_state == payment::AWAITING && r.payment_due_at.is_some_and(|due| now >= due)
}

/// Whether the patient (or their assistant) may still cancel: booked, not seen, before the slot
/// begins.
pub fn can_cancel(r: &registration::Model, now: DateTime<Utc>) -> bool {
    r.verify_state == verify::BOOKED && r.seen_at.is_none() && now < r.visit_at
}

/// Whether `viewer_id` may cancel `r` now: its patient or the assistant who made it, while
/// [`can_cancel`] holds.
pub fn may_cancel(viewer_id: Option<i64>, r: &registration::Model, now: DateTime<Utc>) -> bool {
    viewer_id.is_some_and(|v| v == r.patient_id || Some(v) == r.assistant_id) && can_cancel(r, now)
}

/// Where a registration's deposit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepositState {
    /// The clinic asks none.
    None,
    /// Waiting for the payment while the place is held.
    Awaiting,
    /// Unpaid when the window passed or the registration ended: the place is released.
    Expired,
    /// Paid.
    Paid,
}

/// The deposit state of `r` at `now`.
pub fn deposit_state(r: &registration::Model, now: DateTime<Utc>) -> DepositState {
    match r.payment_state {
        payment::PAID => DepositState::Paid,
        payment::AWAITING if payment_expired(r, now) || r.verify_state != verify::BOOKED => {
            DepositState::Expired
        }
        payment::AWAITING => DepositState::Awaiting,
        _ => DepositState::None,
    }
}

/// Only a clinic's doctor and administrators list its registrations.
pub fn require_clinic_reader(viewer: &Viewer, clinic: &free_clinic::Model) -> AppResult<()> {
    if clinic.doctor_id != viewer.user_id && !viewer.is_admin() {
        return Err(AppError::Forbidden(
            "only the clinic's doctor lists its registrations".into(),
        ));
    }
    Ok(())
}

/// A change of a registration, as published to its patient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationChanged {
    pub registration_id: i64,
    pub patient_id: i64,
    pub clinic_id: i64,
    /// `joined`, `paid`, `cancelled`, `rejected`, `seen`, `result`, `scored`, `reviewed`,
    /// `expired`, `clinicCancelled`, `refunded`.
    pub change: String,
    pub at: DateTime<Utc>,
}

/// The casebook a patient joins with.
#[derive(Debug, Clone, Default)]
pub struct CasebookInput {
    pub content: String,
    /// Image references (addresses or `/files/…` URLs), at most 3.
    pub photos: Vec<String>,
}

/// A request to join a clinic.
#[derive(Debug, Clone, Default)]
pub struct JoinRequest {
    pub clinic_id: i64,
    /// The slot's label (`09:00:00 - 09:30:00`, either spelling); the first free slot if absent.
    pub slot: Option<String>,
    /// Required when a patient joins; optional when an assistant does.
    pub casebook: Option<CasebookInput>,
    /// The patient an assistant registers (the caller itself otherwise).
    pub patient_id: Option<i64>,
}

/// A registration and, for a clinic with a deposit, its payment page.
#[derive(Debug, Clone)]
pub struct Joined {
    pub registration: registration::Model,
    /// The provider's payment page of the deposit (an auto-submitting HTML form).
    pub pay_page: Option<String>,
}

/// What a provider's notification did to a deposit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DepositSettlement {
    /// Paid now.
    Paid(registration::Model),
    /// Already settled (a replay), or nothing to do.
    Unchanged(registration::Model),
    /// Paid after the registration ended: the deposit is being refunded.
    Refunding(registration::Model),
}

/// Serial of a deposit order: `D`, the UTC time to the second and 8 random digits.
fn new_serial(prefix: char) -> String {
    format!(
        "{prefix}{}{:08}",
        Utc::now().format("%Y%m%d%H%M%S"),
        rand::rng().random_range(0..100_000_000u32)
    )
}

/// Whether a serial names a deposit order (the notify endpoints dispatch on it).
pub fn is_deposit_serial(serial: &str) -> bool {
    serial.starts_with('D')
}

async fn image_list<C: ConnectionTrait>(
    db: &C,
    errors: &mut FieldErrors,
    field: &str,
    photos: &[String],
    max: usize,
) -> AppResult<String> {
    if photos.len() > max {
        errors.add(field, format!("at most {max} photos"));
        return Ok("[]".into());
    }
    let mut hashes = Vec::with_capacity(photos.len());
    for p in photos {
        if let Some(h) = errors.check(
            field,
            super::clinic_catalogue::image_address(db, field, p).await,
        ) {
            hashes.push(h);
        }
    }
    serde_json::to_string(&hashes).map_err(AppError::internal)
}

fn text_field(errors: &mut FieldErrors, field: &str, value: &str, max: usize) -> Option<String> {
    let value = value.trim();
    let n = value.chars().count();
    if n == 0 {
        errors.add(field, format!("{field} is required"));
        None
    } else if n > max {
        errors.add(field, format!("at most {max} characters"));
        None
    } else {
        Some(value.to_owned())
    }
}

fn score_field(errors: &mut FieldErrors, field: &str, value: i32) -> i16 {
    if !(1..=5).contains(&value) {
        errors.add(field, "a score is 1 to 5");
    }
    i16::try_from(value).unwrap_or(0)
}

/// Cancels an unpaid registration whose payment window has passed, freeing its place; `true`
/// when this call did.
async fn expire_in<C: ConnectionTrait>(
    txn: &C,
    r: &registration::Model,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let changed = registration::Entity::update_many()
        .col_expr(
            registration::Column::VerifyState,
            Expr::value(verify::CANCELLED),
        )
        .col_expr(
            registration::Column::RejectReason,
            Expr::value("押金未在时限内支付"),
        )
        .col_expr(registration::Column::UpdatedAt, Expr::value(now))
        .filter(registration::Column::Id.eq(r.id))
        .filter(registration::Column::VerifyState.eq(verify::BOOKED))
        .filter(registration::Column::PaymentState.eq(payment::AWAITING))
        .filter(registration::Column::PaymentDueAt.lte(now))
        .exec(txn)
        .await?
        .rows_affected;
    if changed == 1 {
        free_clinics::release_place_in(txn, r.slot_id).await?;
        count_registration(txn, r.patient_id, -1).await?;
    }
    Ok(changed == 1)
}

/// Frees the places of the clinic's unpaid registrations past their window; `true` when one
/// was in `slot_id`.
async fn expire_clinic_in<C: ConnectionTrait>(
    txn: &C,
    clinic_id: i64,
    slot_id: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let stale = registration::Entity::find()
        .filter(registration::Column::ClinicId.eq(clinic_id))
        .filter(registration::Column::VerifyState.eq(verify::BOOKED))
        .filter(registration::Column::PaymentState.eq(payment::AWAITING))
        .filter(registration::Column::PaymentDueAt.lte(now))
        .all(txn)
        .await?;
    let mut freed = false;
    for r in &stale {
        if expire_in(txn, r, now).await? && slot_id.is_none_or(|s| s == r.slot_id) {
            freed = true;
        }
    }
    Ok(freed)
}

/// Cancels every unpaid registration past its payment window, freeing its place, each in its
/// own transaction whose first statement is the conditional update (several server processes
/// may sweep at once: each registration expires once). Answers how many this call expired.
pub async fn expire_unpaid(db: &DatabaseConnection, bus: &dyn EventBus) -> AppResult<usize> {
    let now = Utc::now();
    let stale = registration::Entity::find()
        .filter(registration::Column::VerifyState.eq(verify::BOOKED))
        .filter(registration::Column::PaymentState.eq(payment::AWAITING))
        .filter(registration::Column::PaymentDueAt.lte(now))
        .order_by_asc(registration::Column::Id)
        .limit(500)
        .all(db)
        .await?;
    let mut expired = 0;
    for r in stale {
        let txn = db.begin().await?;
        if expire_in(&txn, &r, now).await? {
            txn.commit().await?;
            publish(bus, &r, "expired").await;
            expired += 1;
        }
    }
    Ok(expired)
}

/// Sweeps unpaid deposits every `every` for the life of the process (see [`expire_unpaid`]).
pub fn spawn_expiry(
    db: DatabaseConnection,
    bus: crate::events::SharedBus,
    every: std::time::Duration,
) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match expire_unpaid(&db, bus.as_ref()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(expired = n, "unpaid deposits expired"),
                Err(e) => tracing::warn!(error = ?e, "expiring unpaid deposits failed"),
            }
        }
    });
}

/// `registration_count` of the patient moves by `delta` (never below 0).
async fn count_registration<C: ConnectionTrait>(
    txn: &C,
    patient_id: i64,
    delta: i32,
) -> AppResult<()> {
    let mut update = patient_profile::Entity::update_many()
        .col_expr(
            patient_profile::Column::RegistrationCount,
            Expr::col(patient_profile::Column::RegistrationCount).add(delta),
        )
        .filter(patient_profile::Column::UserId.eq(patient_id));
    if delta < 0 {
        update = update.filter(patient_profile::Column::RegistrationCount.gte(-delta));
    }
    update.exec(txn).await?;
    Ok(())
}

/// Takes a place in the named slot (or the first free one that has not begun) and returns the
/// slot; the first statement is a write.
async fn take_place<C: ConnectionTrait>(
    txn: &C,
    clinic: &free_clinic::Model,
    label: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<free_clinic_slot::Model> {
    match label.map(str::trim).filter(|l| !l.is_empty()) {
        Some(label) => {
            let Some(slot) = free_clinics::find_slot(txn, clinic.id, label).await? else {
                return Err(AppError::bad_field(
                    "plan_time",
                    format!("the clinic has no time slot {label}"),
                ));
            };
            if now >= free_clinics::china_instant(clinic.date, slot.end_time) {
                return Err(AppError::Conflict("that time slot is over".into()));
            }
            if free_clinics::take_place_in(txn, slot.id).await? {
                return Ok(slot);
            }
            if expire_clinic_in(txn, clinic.id, Some(slot.id), now).await?
                && free_clinics::take_place_in(txn, slot.id).await?
            {
                return Ok(slot);
            }
            Err(AppError::Conflict("that time slot is full".into()))
        }
        None => {
            let slots = free_clinics::slots_by_clinics(txn, &[clinic.id])
                .await?
                .remove(&clinic.id)
                .unwrap_or_default();
            let open: Vec<&free_clinic_slot::Model> = slots
                .iter()
                .filter(|s| now < free_clinics::china_instant(clinic.date, s.end_time))
                .collect();
            for pass in 0..2 {
                if pass == 1 && !expire_clinic_in(txn, clinic.id, None, now).await? {
                    break;
                }
                for slot in &open {
                    if free_clinics::take_place_in(txn, slot.id).await? {
                        return Ok((*slot).clone());
                    }
                }
            }
            Err(AppError::Conflict("the clinic is full".into()))
        }
    }
}

/// Joins a clinic: a patient for themself, or an assistant for a patient bound to them.
pub async fn join(
    db: &DatabaseConnection,
    bus: &dyn EventBus,
    payments: &Payments,
    base_url: &str,
    viewer: &Viewer,
    request: JoinRequest,
) -> AppResult<Joined> {
    let now = Utc::now();
    let (patient_id, assistant_id) = match request.patient_id {
        Some(p) if p != viewer.user_id => {
            if !viewer.has(Role::Assistant) {
                return Err(AppError::Forbidden(
                    "only an assistant registers another patient".into(),
                ));
            }
            (p, Some(viewer.user_id))
        }
        _ => {
            if !viewer.has(Role::Patient) {
                return Err(AppError::Forbidden(
                    "only patients join free clinics (assistants name the patient)".into(),
                ));
            }
            (viewer.user_id, None)
        }
    };
    let Some(clinic) = free_clinics::find(db, request.clinic_id).await? else {
        return Err(AppError::NotFound(format!(
            "no free clinic {}",
            request.clinic_id
        )));
    };
    if clinic.cancelled_at.is_some() {
        return Err(AppError::Conflict("the clinic is cancelled".into()));
    }
    if now >= clinic.ends_at {
        return Err(AppError::Conflict("the clinic is over".into()));
    }
    if clinic.doctor_id == patient_id {
        return Err(AppError::Conflict(
            "a doctor does not join their own clinic".into(),
        ));
    }
    let mut errors = FieldErrors::default();
    let casebook = match (&request.casebook, assistant_id) {
        (Some(c), _) => {
            let content = text_field(&mut errors, "content", &c.content, MAX_CASEBOOK_CHARS);
            let photos =
                image_list(db, &mut errors, "photo", &c.photos, MAX_CASEBOOK_PHOTOS).await?;
            content.map(|content| (content, photos))
        }
        (None, None) => {
            errors.add("content", "content (the casebook) is required");
            None
        }
        (None, Some(_)) => None,
    };
    errors.finish()?;
    let provider = if clinic.deposit_cents > 0 {
        Some(payments.provider()?.clone())
    } else {
        None
    };

    let txn = db.begin().await?;
    // The first statement is the write that takes the place (SQLite's write lock; a row lock on
    // PostgreSQL).
    // The clinic is read again inside the transaction, so that a cancellation racing this join
    // either commits first (and is seen) or comes after it (and ends its registration). On
    // PostgreSQL a shared lock on the clinic row, taken before the slot's row as the
    // cancellation does, makes them wait for each other; on SQLite the first statement must be
    // the write that takes the place, and the write lock serialises the two transactions.
    let postgres = db.get_database_backend() == sea_orm::DbBackend::Postgres;
    if postgres {
        require_open_in(&txn, clinic.id).await?;
    }
    let slot = take_place(&txn, &clinic, request.slot.as_deref(), now).await?;
    if !postgres {
        require_open_in(&txn, clinic.id).await?;
    }
    if let Some(assistant) = assistant_id
        && !super::assistants::is_bound(&txn, assistant, patient_id).await?
    {
        return Err(AppError::Forbidden(
            "the patient is not bound to this assistant".into(),
        ));
    }
    if let Some(existing) = registration::Entity::find()
        .filter(registration::Column::ClinicId.eq(clinic.id))
        .filter(registration::Column::PatientId.eq(patient_id))
        .filter(registration::Column::VerifyState.eq(verify::BOOKED))
        .one(&txn)
        .await?
        && !(payment_expired(&existing, now) && expire_in(&txn, &existing, now).await?)
    {
        return Err(AppError::Conflict(
            "the patient is already registered for this clinic".into(),
        ));
    }
    let casebook_id = match casebook {
        Some((content, photos)) => {
            casebook::Entity::insert(casebook::ActiveModel {
                patient_id: Set(patient_id),
                clinic_id: Set(clinic.id),
                content: Set(content.clone()),
                photos: Set(photos.clone()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            })
            .on_conflict(
                OnConflict::columns([casebook::Column::PatientId, casebook::Column::ClinicId])
                    .update_columns([
                        casebook::Column::Content,
                        casebook::Column::Photos,
                        casebook::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
            casebook_of(&txn, patient_id, clinic.id)
                .await?
                .map(|c| c.id)
        }
        None => casebook_of(&txn, patient_id, clinic.id)
            .await?
            .map(|c| c.id),
    };
    let serial = provider.as_ref().map(|_| new_serial('D'));
    let registration = registration::Entity::insert(registration::ActiveModel {
        clinic_id: Set(clinic.id),
        doctor_id: Set(clinic.doctor_id),
        hospital_id: Set(clinic.hospital_id),
        patient_id: Set(patient_id),
        assistant_id: Set(assistant_id),
        slot_id: Set(slot.id),
        casebook_id: Set(casebook_id),
        visit_at: Set(free_clinics::china_instant(clinic.date, slot.begin_time)),
        ends_at: Set(clinic.ends_at),
        verify_state: Set(verify::BOOKED),
        reject_reason: Set(None),
        seen_at: Set(None),
        result: Set(None),
        result_photos: Set("[]".into()),
        deposit_cents: Set(clinic.deposit_cents),
        payment_state: Set(if provider.is_some() {
            payment::AWAITING
        } else {
            payment::NONE
        }),
        payment_due_at: Set(provider
            .as_ref()
            .map(|_| now + Duration::minutes(PAYMENT_WINDOW_MINUTES))),
        order_sn: Set(serial.clone()),
        provider: Set(provider.as_ref().map(|p| p.name().to_owned())),
        trade_no: Set(None),
        paid_at: Set(None),
        refund_state: Set(None),
        refund_sn: Set(None),
        refund_requested_at: Set(None),
        refunded_at: Set(None),
        patient_credit_score: Set(None),
        patient_punctuality_score: Set(None),
        doctor_commented_at: Set(None),
        doctor_score: Set(None),
        doctor_comment: Set(None),
        patient_commented_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec_with_returning(&txn)
    .await?;
    super::profiles::ensure(&txn, patient_id, Role::Patient).await?;
    count_registration(&txn, patient_id, 1).await?;
    txn.commit().await?;
    publish(bus, &registration, "joined").await;
    let pay_page = match (provider, serial) {
        (Some(provider), Some(serial)) => Some(
            provider
                .pay_page(&PayRequest {
                    serial,
                    amount_cents: clinic.deposit_cents,
                    subject: format!("义诊押金：{}", clinic.title),
                    notify_url: payments.notify_url(base_url, provider.name()),
                    return_url: payments.return_url(base_url),
                })
                .await?,
        ),
        _ => None,
    };
    Ok(Joined {
        registration,
        pay_page,
    })
}

/// The clinic, read under a shared lock (PostgreSQL), must not be cancelled.
async fn require_open_in<C: ConnectionTrait>(txn: &C, clinic_id: i64) -> AppResult<()> {
    let current = free_clinic::Entity::find_by_id(clinic_id)
        .lock_shared()
        .one(txn)
        .await?;
    if current.is_none_or(|c| c.cancelled_at.is_some()) {
        return Err(AppError::Conflict("the clinic is cancelled".into()));
    }
    Ok(())
}

/// The patient's casebook for a clinic.
pub async fn casebook_of<C: ConnectionTrait>(
    db: &C,
    patient_id: i64,
    clinic_id: i64,
) -> AppResult<Option<casebook::Model>> {
    Ok(casebook::Entity::find()
        .filter(casebook::Column::PatientId.eq(patient_id))
        .filter(casebook::Column::ClinicId.eq(clinic_id))
        .one(db)
        .await?)
}

async fn publish(bus: &dyn EventBus, r: &registration::Model, change: &str) {
    let event = RegistrationChanged {
        registration_id: r.id,
        patient_id: r.patient_id,
        clinic_id: r.clinic_id,
        change: change.to_owned(),
        at: Utc::now(),
    };
    match serde_json::to_value(&event) {
        Ok(payload) => {
            if let Err(e) = bus.publish(&changes_topic(r.patient_id), payload).await {
                tracing::warn!(error = ?e, "registration change not published");
            }
        }
        Err(e) => tracing::warn!(error = %e, "registration change not serialisable"),
    }
}

async fn load<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<registration::Model> {
    registration::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no registration {id}")))
}

/// Whether `viewer` may read `r`: its patient, the assistant who made it, the clinic's doctor,
/// an administrator.
pub fn may_read(viewer: &Viewer, r: &registration::Model) -> bool {
    viewer.user_id == r.patient_id
        || viewer.user_id == r.doctor_id
        || r.assistant_id == Some(viewer.user_id)
        || viewer.is_admin()
}

/// A registration `viewer` may read: NOT_FOUND when absent, FORBIDDEN when another's.
pub async fn find_visible<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: i64,
) -> AppResult<registration::Model> {
    let r = load(db, id).await?;
    if !may_read(viewer, &r) {
        return Err(AppError::Forbidden(
            "only the patient, their assistant and the clinic's doctor read a registration".into(),
        ));
    }
    Ok(r)
}

/// Marks a refund applied inside the transaction when `r` holds a paid deposit.
async fn apply_refund_in<C: ConnectionTrait>(
    txn: &C,
    r: &registration::Model,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    if r.payment_state != payment::PAID || r.refund_state.is_some() || r.deposit_cents == 0 {
        return Ok(false);
    }
    let changed = registration::Entity::update_many()
        .col_expr(
            registration::Column::RefundState,
            Expr::value(refund::APPLIED),
        )
        .col_expr(registration::Column::RefundSn, Expr::value(new_serial('F')))
        .col_expr(registration::Column::RefundRequestedAt, Expr::value(now))
        .filter(registration::Column::Id.eq(r.id))
        .filter(registration::Column::RefundState.is_null())
        .exec(txn)
        .await?
        .rows_affected;
    Ok(changed == 1)
}

/// Asks the provider to pay back the applied refunds of `ids`; the sandbox does at once, a
/// provider without automatic refunds leaves them applied for the finance team.
pub async fn process_refunds(
    db: &DatabaseConnection,
    bus: &dyn EventBus,
    payments: &Payments,
    ids: &[i64],
) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let due = registration::Entity::find()
        .filter(registration::Column::Id.is_in(ids.iter().copied()))
        .filter(registration::Column::RefundState.eq(refund::APPLIED))
        .all(db)
        .await?;
    for r in due {
        let (Some(name), Some(sn), Some(refund_sn)) = (&r.provider, &r.order_sn, &r.refund_sn)
        else {
            continue;
        };
        let Some(provider) = payments.named(name) else {
            tracing::warn!(
                registration = r.id,
                "refund waits: its provider is not configured"
            );
            continue;
        };
        match provider.refund(sn, refund_sn, r.deposit_cents).await {
            Ok(true) => {
                let now = Utc::now();
                let changed = registration::Entity::update_many()
                    .col_expr(registration::Column::RefundState, Expr::value(refund::DONE))
                    .col_expr(registration::Column::RefundedAt, Expr::value(now))
                    .col_expr(registration::Column::UpdatedAt, Expr::value(now))
                    .filter(registration::Column::Id.eq(r.id))
                    .filter(registration::Column::RefundState.eq(refund::APPLIED))
                    .exec(db)
                    .await?
                    .rows_affected;
                if changed == 1 {
                    publish(bus, &r, "refunded").await;
                }
            }
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(registration = r.id, error = ?e, "refund failed; stays applied")
            }
        }
    }
    Ok(())
}

/// Ends a booked registration (`to` = cancelled or rejected) inside the transaction: frees the
/// place, applies the refund of a paid deposit, counts it off the patient. `false` when it was
/// no longer booked and unseen.
async fn end_in<C: ConnectionTrait>(
    txn: &C,
    r: &registration::Model,
    to: i16,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let changed = registration::Entity::update_many()
        .col_expr(registration::Column::VerifyState, Expr::value(to))
        .col_expr(
            registration::Column::RejectReason,
            Expr::value(reason.map(str::to_owned)),
        )
        .col_expr(registration::Column::UpdatedAt, Expr::value(now))
        .filter(registration::Column::Id.eq(r.id))
        .filter(registration::Column::VerifyState.eq(verify::BOOKED))
        .filter(registration::Column::SeenAt.is_null())
        .exec(txn)
        .await?
        .rows_affected;
    if changed == 0 {
        return Ok(false);
    }
    free_clinics::release_place_in(txn, r.slot_id).await?;
    count_registration(txn, r.patient_id, -1).await?;
    apply_refund_in(txn, r, now).await?;
    Ok(true)
}

/// Cancels registration `id`: its patient or the assistant who made it, before the slot
/// begins.
pub async fn cancel(
    db: &DatabaseConnection,
    bus: &dyn EventBus,
    payments: &Payments,
    viewer: &Viewer,
    id: i64,
) -> AppResult<registration::Model> {
    let now = Utc::now();
    let r = load(db, id).await?;
    if viewer.user_id != r.patient_id && r.assistant_id != Some(viewer.user_id) {
        return Err(AppError::Forbidden(
            "only the patient or the assistant who registered them cancels".into(),
        ));
    }
    if r.verify_state != verify::BOOKED {
        return Err(AppError::Conflict("the registration is not booked".into()));
    }
    if !can_cancel(&r, now) {
        return Err(AppError::Conflict(
            "the visit has begun or happened: it can no longer be cancelled".into(),
        ));
    }
    let txn = db.begin().await?;
    if !end_in(&txn, &r, verify::CANCELLED, None, now).await? {
        return Err(AppError::Conflict("the registration is not booked".into()));
    }
    if r.assistant_id == Some(viewer.user_id) {
        notifications::create(
            &txn,
            r.patient_id,
            "registration",
            "挂号已取消",
            "您的医助取消了您的义诊挂号。",
        )
        .await?;
    }
    txn.commit().await?;
    publish(bus, &r, "cancelled").await;
    process_refunds(db, bus, payments, &[r.id]).await?;
    load(db, id).await
}

/// Cancels the caller's booked registration for clinic `clinic_id`.
pub async fn cancel_for_clinic(
    db: &DatabaseConnection,
    bus: &dyn EventBus,
    payments: &Payments,
    viewer: &Viewer,
    clinic_id: i64,
) -> AppResult<registration::Model> {
    let Some(r) = registration::Entity::find()
        .filter(registration::Column::ClinicId.eq(clinic_id))
        .filter(registration::Column::PatientId.eq(viewer.user_id))
        .filter(registration::Column::VerifyState.eq(verify::BOOKED))
        .one(db)
        .await?
    else {
        return Err(AppError::NotFound(format!(
            "no booked registration of yours for clinic {clinic_id}"
        )));
    };
    cancel(db, bus, payments, viewer, r.id).await
}

fn require_doctor_of(viewer: &Viewer, r: &registration::Model) -> AppResult<()> {
    if viewer.user_id != r.doctor_id {
        return Err(AppError::Forbidden(
            "only the clinic's doctor acts on its registrations".into(),
        ));
    }
    Ok(())
}

/// The clinic's doctor rejects a booked registration before the visit, with a reason.
pub async fn reject(
    db: &DatabaseConnection,
    bus: &dyn EventBus,
    payments: &Payments,
    viewer: &Viewer,
    id: i64,
    reason: &str,
) -> AppResult<registration::Model> {
    let now = Utc::now();
    let r = load(db, id).await?;
    require_doctor_of(viewer, &r)?;
    let mut errors = FieldErrors::default();
    let reason = text_field(&mut errors, "reject_msg", reason, MAX_REASON_CHARS);
    errors.finish()?;
    let reason = reason.unwrap_or_default();
    if r.seen_at.is_some() {
        return Err(AppError::Conflict(
            "the visit happened: it can no longer be rejected".into(),
        ));
    }
    if r.verify_state != verify::BOOKED {
        return Err(AppError::Conflict("the registration is not booked".into()));
    }
    let txn = db.begin().await?;
    if !end_in(&txn, &r, verify::REJECTED, Some(&reason), now).await? {
        return Err(AppError::Conflict("the registration is not booked".into()));
    }
    let note = notifications::create(
        &txn,
        r.patient_id,
        "registration",
        "义诊挂号被拒绝",
        &format!("医生拒绝了您的义诊挂号：{reason}"),
    )
    .await?;
    txn.commit().await?;
    if let Err(e) = notifications::publish(bus, &note).await {
        tracing::warn!(error = ?e, "rejection notice not published");
    }
    publish(bus, &r, "rejected").await;
    process_refunds(db, bus, payments, &[r.id]).await?;
    load(db, id).await
}

/// Counts a confirmed visit: the patient's visits and the doctor's patients served and, on the
/// clinic's first confirmed visit (an insert into `free_clinics_held` that only one
/// transaction wins), the doctor's visits and service minutes.
async fn count_visit_in<C: ConnectionTrait>(
    txn: &C,
    r: &registration::Model,
    clinic: &free_clinic::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    patient_profile::Entity::update_many()
        .col_expr(
            patient_profile::Column::VisitCount,
            Expr::col(patient_profile::Column::VisitCount).add(1),
        )
        .filter(patient_profile::Column::UserId.eq(r.patient_id))
        .exec(txn)
        .await?;
    super::profiles::ensure(txn, r.doctor_id, Role::Doctor).await?;
    doctor_profile::Entity::update_many()
        .col_expr(
            doctor_profile::Column::PatientCount,
            Expr::col(doctor_profile::Column::PatientCount).add(1),
        )
        .filter(doctor_profile::Column::UserId.eq(r.doctor_id))
        .exec(txn)
        .await?;
    let first = free_clinic_held::Entity::insert(free_clinic_held::ActiveModel {
        clinic_id: Set(r.clinic_id),
        held_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(free_clinic_held::Column::ClinicId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    if first == 1 {
        let minutes = std::cmp::max(
            i32::try_from((clinic.ends_at - clinic.starts_at).num_minutes()).unwrap_or(0),
            0,
        );
        doctor_profile::Entity::update_many()
            .col_expr(
                doctor_profile::Column::VisitCount,
                Expr::col(doctor_profile::Column::VisitCount).add(1),
            )
            .col_expr(
                doctor_profile::Column::ServiceMinutes,
                Expr::col(doctor_profile::Column::ServiceMinutes).add(minutes),
            )
            .filter(doctor_profile::Column::UserId.eq(r.doctor_id))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Moves the patient's credit and punctuality averages by one scoring.
async fn count_patient_scores_in<C: ConnectionTrait>(
    txn: &C,
    patient_id: i64,
    credit: i16,
    punctuality: i16,
) -> AppResult<()> {
    super::profiles::ensure(txn, patient_id, Role::Patient).await?;
    patient_profile::Entity::update_many()
        .col_expr(
            patient_profile::Column::CreditScore,
            running_average("credit_score", "scored_count", credit),
        )
        .col_expr(
            patient_profile::Column::PunctualityScore,
            running_average("punctuality_score", "scored_count", punctuality),
        )
        .col_expr(
            patient_profile::Column::ScoredCount,
            Expr::col(patient_profile::Column::ScoredCount).add(1),
        )
        .filter(patient_profile::Column::UserId.eq(patient_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Moves the doctor's score average by one review.
async fn count_doctor_score_in<C: ConnectionTrait>(
    txn: &C,
    doctor_id: i64,
    score: i16,
) -> AppResult<()> {
    super::profiles::ensure(txn, doctor_id, Role::Doctor).await?;
    doctor_profile::Entity::update_many()
        .col_expr(
            doctor_profile::Column::Score,
            running_average("score", "score_count", score),
        )
        .col_expr(
            doctor_profile::Column::ScoreCount,
            Expr::col(doctor_profile::Column::ScoreCount).add(1),
        )
        .filter(doctor_profile::Column::UserId.eq(doctor_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// The clinic's doctor confirms the visit (就诊) once the clinic has begun: counts it for the
/// patient and the doctor and refunds the deposit.
pub async fn confirm_visit(
    db: &DatabaseConnection,
    bus: &dyn EventBus,
    payments: &Payments,
    viewer: &Viewer,
    id: i64,
) -> AppResult<registration::Model> {
    let now = Utc::now();
    let r = load(db, id).await?;
    require_doctor_of(viewer, &r)?;
    if r.verify_state != verify::BOOKED {
        return Err(AppError::Conflict("the registration is not booked".into()));
    }
    if r.seen_at.is_some() {
        return Err(AppError::Conflict("the visit is already confirmed".into()));
    }
    if r.payment_state == payment::AWAITING {
        return Err(AppError::Conflict("the deposit is not paid".into()));
    }
    let Some(clinic) = free_clinics::find(db, r.clinic_id).await? else {
        return Err(AppError::NotFound(format!(
            "no free clinic {}",
            r.clinic_id
        )));
    };
    if now < clinic.starts_at {
        return Err(AppError::Conflict("the clinic has not begun".into()));
    }
    let txn = db.begin().await?;
    let changed = registration::Entity::update_many()
        .col_expr(registration::Column::SeenAt, Expr::value(now))
        .col_expr(registration::Column::UpdatedAt, Expr::value(now))
        .filter(registration::Column::Id.eq(id))
        .filter(registration::Column::VerifyState.eq(verify::BOOKED))
        .filter(registration::Column::SeenAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if changed == 0 {
        return Err(AppError::Conflict("the visit is already confirmed".into()));
    }
    count_visit_in(&txn, &r, &clinic, now).await?;
    apply_refund_in(&txn, &r, now).await?;
    txn.commit().await?;
    publish(bus, &r, "seen").await;
    process_refunds(db, bus, payments, &[r.id]).await?;
    load(db, id).await
}

/// The clinic's doctor records (or corrects) the result of a seen visit, with photos.
pub async fn record_result(
    db: &DatabaseConnection,
    bus: &dyn EventBus,
    viewer: &Viewer,
    id: i64,
    result: &str,
    photos: &[String],
) -> AppResult<registration::Model> {
    let r = load(db, id).await?;
    require_doctor_of(viewer, &r)?;
    let mut errors = FieldErrors::default();
    let result = text_field(&mut errors, "diag_result", result, MAX_RESULT_CHARS);
    let photos = image_list(db, &mut errors, "diag_photo", photos, MAX_RESULT_PHOTOS).await?;
    errors.finish()?;
    if r.seen_at.is_none() || r.verify_state != verify::BOOKED {
        return Err(AppError::Conflict(
            "a result is recorded after the visit is confirmed".into(),
        ));
    }
    let now = Utc::now();
    registration::Entity::update_many()
        .col_expr(registration::Column::Result, Expr::value(result))
        .col_expr(registration::Column::ResultPhotos, Expr::value(photos))
        .col_expr(registration::Column::UpdatedAt, Expr::value(now))
        .filter(registration::Column::Id.eq(id))
        .exec(db)
        .await?;
    publish(bus, &r, "result").await;
    load(db, id).await
}

/// The clinic's doctor scores the patient (诚信分, 守时分; 1–5) once, after a seen or missed
/// visit; the patient's averages move in the same transaction.
pub async fn score_patient(
    db: &DatabaseConnection,
    bus: &dyn EventBus,
    viewer: &Viewer,
    id: i64,
    credit: i32,
    punctuality: i32,
) -> AppResult<registration::Model> {
    let now = Utc::now();
    let r = load(db, id).await?;
    require_doctor_of(viewer, &r)?;
    let mut errors = FieldErrors::default();
    let credit = score_field(&mut errors, "patient_credit_score", credit);
    let punctuality = score_field(&mut errors, "patient_punctuality_score", punctuality);
    errors.finish()?;
    if visit_state(&r, now) == VisitState::Waiting || r.verify_state != verify::BOOKED {
        return Err(AppError::Conflict(
            "the patient is scored after the visit (or after missing it)".into(),
        ));
    }
    let txn = db.begin().await?;
    let changed = registration::Entity::update_many()
        .col_expr(
            registration::Column::PatientCreditScore,
            Expr::value(credit),
        )
        .col_expr(
            registration::Column::PatientPunctualityScore,
            Expr::value(punctuality),
        )
        .col_expr(registration::Column::DoctorCommentedAt, Expr::value(now))
        .col_expr(registration::Column::UpdatedAt, Expr::value(now))
        .filter(registration::Column::Id.eq(id))
        .filter(registration::Column::DoctorCommentedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if changed == 0 {
        return Err(AppError::Conflict("the patient is already scored".into()));
    }
    count_patient_scores_in(&txn, r.patient_id, credit, punctuality).await?;
    txn.commit().await?;
    publish(bus, &r, "scored").await;
    load(db, id).await
}

/// `(avg * n + x) / (n + 1)` over the row's current values, as one SQL expression; `x` is a
/// checked score (1–5), written as a literal.
fn running_average(avg: &str, count: &str, x: i16) -> Expr {
    Expr::cust(format!(
        "(CAST(COALESCE({avg}, 0) AS DOUBLE PRECISION) * {count} + {x}.0) / ({count} + 1)"
    ))
}

/// The patient scores (1–5) and comments on the doctor once, after a seen visit; the doctor's
/// average moves in the same transaction.
pub async fn review_doctor(
    db: &DatabaseConnection,
    bus: &dyn EventBus,
    viewer: &Viewer,
    id: i64,
    score: i32,
    comment: &str,
) -> AppResult<registration::Model> {
    let now = Utc::now();
    let r = load(db, id).await?;
    if viewer.user_id != r.patient_id {
        return Err(AppError::Forbidden(
            "only the patient reviews the doctor of their visit".into(),
        ));
    }
    let mut errors = FieldErrors::default();
    let score = score_field(&mut errors, "doctor_score", score);
    let comment = text_field(&mut errors, "doctor_comment", comment, MAX_COMMENT_CHARS);
    errors.finish()?;
    if r.seen_at.is_none() || r.verify_state != verify::BOOKED {
        return Err(AppError::Conflict(
            "the doctor is reviewed after the visit".into(),
        ));
    }
    let txn = db.begin().await?;
    let changed = registration::Entity::update_many()
        .col_expr(registration::Column::DoctorScore, Expr::value(score))
        .col_expr(registration::Column::DoctorComment, Expr::value(comment))
        .col_expr(registration::Column::PatientCommentedAt, Expr::value(now))
        .col_expr(registration::Column::UpdatedAt, Expr::value(now))
        .filter(registration::Column::Id.eq(id))
        .filter(registration::Column::PatientCommentedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if changed == 0 {
        return Err(AppError::Conflict(
            "you have already reviewed this visit".into(),
        ));
    }
    count_doctor_score_in(&txn, r.doctor_id, score).await?;
    txn.commit().await?;
    publish(bus, &r, "reviewed").await;
    load(db, id).await
}

/// A registration ended by its clinic's cancellation, and the notice its patient gets.
pub type EndedByCancellation = (registration::Model, entity::notification::Model);

/// Ends every booked, unseen registration of a cancelled clinic inside its cancellation's
/// transaction: frees the places, applies refunds and writes each patient a notice. Returns
/// them for [`after_clinic_cancelled`].
pub async fn end_for_cancelled_clinic_in<C: ConnectionTrait>(
    txn: &C,
    clinic: &free_clinic::Model,
) -> AppResult<Vec<EndedByCancellation>> {
    let now = Utc::now();
    let booked = registration::Entity::find()
        .filter(registration::Column::ClinicId.eq(clinic.id))
        .filter(registration::Column::VerifyState.eq(verify::BOOKED))
        .filter(registration::Column::SeenAt.is_null())
        .order_by_asc(registration::Column::Id)
        .all(txn)
        .await?;
    let mut ended = Vec::with_capacity(booked.len());
    for r in booked {
        if end_in(txn, &r, verify::CANCELLED, Some("义诊已取消"), now).await? {
            let refund = if r.payment_state == payment::PAID {
                "押金将原路退回。"
            } else {
                ""
            };
            let note = notifications::create(
                txn,
                r.patient_id,
                "registration",
                "义诊已取消",
                &format!("您挂号的义诊「{}」已被医生取消。{refund}", clinic.title),
            )
            .await?;
            ended.push((r, note));
        }
    }
    Ok(ended)
}

/// After a clinic's cancellation committed: publishes the patients' notices and registration
/// changes and pays back the refunds.
pub async fn after_clinic_cancelled(
    db: &DatabaseConnection,
    bus: &dyn EventBus,
    payments: &Payments,
    ended: &[EndedByCancellation],
) -> AppResult<()> {
    for (r, note) in ended {
        if let Err(e) = notifications::publish(bus, note).await {
            tracing::warn!(error = ?e, "cancellation notice not published");
        }
        publish(bus, r, "clinicCancelled").await;
    }
    let ids: Vec<i64> = ended.iter().map(|(r, _)| r.id).collect();
    process_refunds(db, bus, payments, &ids).await
}

/// Acts on a verified notification about a deposit order: marks it paid once (a replay
/// changes nothing); a payment arriving after the registration ended is refunded.
pub async fn settle_deposit(
    db: &DatabaseConnection,
    bus: &dyn EventBus,
    payments: &Payments,
    provider: &str,
    notice: &Notice,
) -> AppResult<DepositSettlement> {
    let now = Utc::now();
    let named = |r: Option<registration::Model>| {
        r.filter(|r| r.provider.as_deref() == Some(provider))
            .ok_or_else(|| AppError::NotFound(format!("no deposit order {}", notice.serial)))
    };
    if notice.state != TradeState::Paid {
        let r = named(by_serial(db, &notice.serial).await?)?;
        return Ok(DepositSettlement::Unchanged(r));
    }
    let txn = db.begin().await?;
    let changed = registration::Entity::update_many()
        .col_expr(
            registration::Column::PaymentState,
            Expr::value(payment::PAID),
        )
        .col_expr(registration::Column::PaidAt, Expr::value(now))
        .col_expr(
            registration::Column::TradeNo,
            Expr::value(notice.trade_no.clone()),
        )
        .col_expr(registration::Column::UpdatedAt, Expr::value(now))
        .filter(registration::Column::OrderSn.eq(notice.serial.as_str()))
        .filter(registration::Column::Provider.eq(provider))
        .filter(registration::Column::DepositCents.eq(notice.amount_cents))
        .filter(registration::Column::PaymentState.eq(payment::AWAITING))
        .exec(&txn)
        .await?
        .rows_affected;
    let r = named(by_serial(&txn, &notice.serial).await?)?;
    if r.deposit_cents != notice.amount_cents {
        return Err(AppError::bad_field(
            "total_amount",
            format!(
                "deposit order {} is {} cents, the notification says {}",
                notice.serial, r.deposit_cents, notice.amount_cents
            ),
        ));
    }
    if changed == 0 {
        return Ok(DepositSettlement::Unchanged(r));
    }
    let late = r.verify_state != verify::BOOKED;
    if late {
        apply_refund_in(&txn, &r, now).await?;
    } else {
        registration::Entity::update_many()
            .col_expr(
                registration::Column::PaymentDueAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(registration::Column::Id.eq(r.id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    let r = load(db, r.id).await?;
    if late {
        process_refunds(db, bus, payments, &[r.id]).await?;
        Ok(DepositSettlement::Refunding(load(db, r.id).await?))
    } else {
        publish(bus, &r, "paid").await;
        Ok(DepositSettlement::Paid(r))
    }
}

async fn by_serial<C: ConnectionTrait>(
    db: &C,
    serial: &str,
) -> AppResult<Option<registration::Model>> {
    Ok(registration::Entity::find()
        .filter(registration::Column::OrderSn.eq(serial))
        .one(db)
        .await?)
}

/// The caller's (patient's or assistant's) registration of deposit order `serial`, once paid.
pub async fn paid_by_serial<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    serial: &str,
) -> AppResult<Option<registration::Model>> {
    let Some(r) = by_serial(db, serial).await? else {
        return Err(AppError::NotFound(format!("no deposit order {serial}")));
    };
    if viewer.user_id != r.patient_id
        && r.assistant_id != Some(viewer.user_id)
        && !viewer.is_admin()
    {
        return Err(AppError::NotFound(format!("no deposit order {serial}")));
    }
    Ok((r.payment_state == payment::PAID).then_some(r))
}

/// Registrations by id, for the loaders.
pub async fn by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> AppResult<HashMap<i64, registration::Model>> {
    Ok(registration::Entity::find()
        .filter(registration::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect())
}

/// Casebooks by id, for the loaders.
pub async fn casebooks_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> AppResult<HashMap<i64, casebook::Model>> {
    Ok(casebook::Entity::find()
        .filter(casebook::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect())
}

/// The photos of a casebook or result (stored-file addresses).
pub fn photos(stored: &str) -> Vec<String> {
    super::clinic_catalogue::string_list(stored)
}

/// Which registrations of a clinic a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ClinicRegistrations {
    /// Booked ones (the patients expected).
    #[default]
    Booked,
    /// Every one, rejected and cancelled too.
    All,
}

/// One page of registrations for each clinic, in visit then id order, in two statements (the
/// page, the totals).
pub async fn pages_by_clinic<C: ConnectionTrait>(
    db: &C,
    clinic_ids: &[i64],
    which: ClinicRegistrations,
    window: PageRequest,
) -> AppResult<HashMap<i64, Page<registration::Model>>> {
    let mut inner = SelectStatement::new();
    inner
        .column(sea_orm::sea_query::Asterisk)
        .expr_as(
            Expr::cust("ROW_NUMBER() OVER (PARTITION BY clinic_id ORDER BY visit_at, id)"),
            Alias::new("rn"),
        )
        .from(registration::Entity)
        .and_where(registration::Column::ClinicId.is_in(clinic_ids.iter().copied()));
    if which == ClinicRegistrations::Booked {
        inner.and_where(registration::Column::VerifyState.eq(verify::BOOKED));
    }
    let stmt = page::windowed(inner, "clinic_id", window, db.get_database_backend())?;
    let rows = registration::Model::find_by_statement(stmt).all(db).await?;
    let mut totals_query = registration::Entity::find()
        .select_only()
        .column(registration::Column::ClinicId)
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .filter(registration::Column::ClinicId.is_in(clinic_ids.iter().copied()))
        .group_by(registration::Column::ClinicId);
    if which == ClinicRegistrations::Booked {
        totals_query = totals_query.filter(registration::Column::VerifyState.eq(verify::BOOKED));
    }
    let totals: HashMap<i64, i64> = totals_query
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut grouped: HashMap<i64, Vec<registration::Model>> = HashMap::new();
    for r in rows {
        grouped.entry(r.clinic_id).or_default().push(r);
    }
    Ok(clinic_ids
        .iter()
        .map(|c| {
            let rows = grouped.remove(c).unwrap_or_default();
            let total = totals.get(c).copied().unwrap_or(0);
            (
                *c,
                Page::from_probe(rows, window, Some(u64::try_from(total).unwrap_or(0))),
            )
        })
        .collect())
}

/// The registrations of a clinic for its doctor (or an administrator).
pub async fn of_clinic<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    clinic_id: i64,
    which: ClinicRegistrations,
    window: PageRequest,
) -> AppResult<Page<registration::Model>> {
    let Some(clinic) = free_clinics::find(db, clinic_id).await? else {
        return Err(AppError::NotFound(format!("no free clinic {clinic_id}")));
    };
    require_clinic_reader(viewer, &clinic)?;
    Ok(pages_by_clinic(db, &[clinic_id], which, window)
        .await?
        .remove(&clinic_id)
        .unwrap_or_else(|| Page::from_probe(Vec::new(), window, Some(0))))
}

/// The booked registration of `patient_id` for each of `clinic_ids`.
pub async fn booked_of_patient<C: ConnectionTrait>(
    db: &C,
    patient_id: i64,
    clinic_ids: &[i64],
) -> AppResult<HashMap<i64, registration::Model>> {
    Ok(registration::Entity::find()
        .filter(registration::Column::PatientId.eq(patient_id))
        .filter(registration::Column::ClinicId.is_in(clinic_ids.iter().copied()))
        .filter(registration::Column::VerifyState.eq(verify::BOOKED))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.clinic_id, r))
        .collect())
}

/// Booked registrations `assistant_id` made for each of `clinic_ids`.
pub async fn assistant_counts<C: ConnectionTrait>(
    db: &C,
    assistant_id: i64,
    clinic_ids: &[i64],
) -> AppResult<HashMap<i64, i64>> {
    Ok(registration::Entity::find()
        .select_only()
        .column(registration::Column::ClinicId)
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .filter(registration::Column::AssistantId.eq(assistant_id))
        .filter(registration::Column::ClinicId.is_in(clinic_ids.iter().copied()))
        .filter(registration::Column::VerifyState.eq(verify::BOOKED))
        .group_by(registration::Column::ClinicId)
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// A patient's registrations by the legacy `type` of `/custom/diagnoses`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatientFilter {
    /// Booked, waiting for the visit (已挂号).
    Registered,
    /// Rejected (挂号失败).
    Failed,
    /// Missed (未到诊).
    Missed,
    /// Seen (诊疗完成).
    Done,
    /// Seen and not yet reviewed by the patient (待评论).
    AwaitingReview,
    /// With a refund (我的退款).
    Refunds,
}

/// Which of the doctor's registrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoctorFilter {
    /// Booked, waiting (待诊).
    Waiting,
    /// Booked, the clinic over without the visit (未诊).
    Missed,
    /// Seen (已诊).
    Seen,
    /// Reviewed by the patient (评论).
    Reviewed,
}

fn visit_condition(state: VisitState, now: DateTime<Utc>) -> Condition {
    match state {
        VisitState::Waiting => Condition::all()
            .add(registration::Column::VerifyState.eq(verify::BOOKED))
            .add(registration::Column::SeenAt.is_null())
            .add(registration::Column::EndsAt.gt(now)),
        VisitState::Missed => Condition::all()
            .add(registration::Column::VerifyState.eq(verify::BOOKED))
            .add(registration::Column::SeenAt.is_null())
            .add(registration::Column::EndsAt.lte(now)),
        VisitState::Seen => Condition::all()
            .add(registration::Column::VerifyState.eq(verify::BOOKED))
            .add(registration::Column::SeenAt.is_not_null()),
    }
}

/// A patient's registrations, newest first (refunds: latest refund first).
pub async fn of_patient<C: ConnectionTrait>(
    db: &C,
    patient_id: i64,
    filter: Option<PatientFilter>,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<registration::Model>> {
    let now = Utc::now();
    let mut query =
        registration::Entity::find().filter(registration::Column::PatientId.eq(patient_id));
    query = match filter {
        None => query,
        Some(PatientFilter::Registered) => query.filter(visit_condition(VisitState::Waiting, now)),
        Some(PatientFilter::Failed) => {
            query.filter(registration::Column::VerifyState.eq(verify::REJECTED))
        }
        Some(PatientFilter::Missed) => query.filter(visit_condition(VisitState::Missed, now)),
        Some(PatientFilter::Done) => query.filter(visit_condition(VisitState::Seen, now)),
        Some(PatientFilter::AwaitingReview) => query
            .filter(visit_condition(VisitState::Seen, now))
            .filter(registration::Column::PatientCommentedAt.is_null()),
        Some(PatientFilter::Refunds) => {
            query.filter(registration::Column::RefundState.is_not_null())
        }
    };
    let refunds = filter == Some(PatientFilter::Refunds);
    page::fetch(
        db,
        query,
        |q| {
            if refunds {
                q.order_by_desc(registration::Column::RefundRequestedAt)
                    .order_by_desc(registration::Column::Id)
            } else {
                q.order_by_desc(registration::Column::CreatedAt)
                    .order_by_desc(registration::Column::Id)
            }
        },
        window,
        with_total,
    )
    .await
}

/// A doctor's registrations: waiting (soonest first), missed or seen (latest first), reviewed
/// (latest review first).
pub async fn of_doctor<C: ConnectionTrait>(
    db: &C,
    doctor_id: i64,
    filter: Option<DoctorFilter>,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<registration::Model>> {
    let now = Utc::now();
    let base = registration::Entity::find().filter(registration::Column::DoctorId.eq(doctor_id));
    let query = match filter {
        None => base.filter(registration::Column::VerifyState.eq(verify::BOOKED)),
        Some(DoctorFilter::Waiting) => base.filter(visit_condition(VisitState::Waiting, now)),
        Some(DoctorFilter::Missed) => base.filter(visit_condition(VisitState::Missed, now)),
        Some(DoctorFilter::Seen) => base.filter(visit_condition(VisitState::Seen, now)),
        Some(DoctorFilter::Reviewed) => {
            base.filter(registration::Column::PatientCommentedAt.is_not_null())
        }
    };
    page::fetch(
        db,
        query,
        |q| match filter {
            Some(DoctorFilter::Waiting) => q
                .order_by_asc(registration::Column::VisitAt)
                .order_by_asc(registration::Column::Id),
            Some(DoctorFilter::Reviewed) => q
                .order_by_desc(registration::Column::PatientCommentedAt)
                .order_by_desc(registration::Column::Id),
            _ => q
                .order_by_desc(registration::Column::VisitAt)
                .order_by_desc(registration::Column::Id),
        },
        window,
        with_total,
    )
    .await
}

/// Whether `viewer` may read every registration of `patient_id` (the legacy
/// `/all_diagnoses/{id}`): the patient, an administrator, a doctor the patient is booked with,
/// an assistant the patient is bound to.
pub async fn may_read_history<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    patient_id: i64,
) -> AppResult<bool> {
    if viewer.user_id == patient_id || viewer.is_admin() {
        return Ok(true);
    }
    if viewer.has(Role::Doctor)
        && registration::Entity::find()
            .filter(registration::Column::PatientId.eq(patient_id))
            .filter(registration::Column::DoctorId.eq(viewer.user_id))
            .filter(registration::Column::VerifyState.eq(verify::BOOKED))
            .one(db)
            .await?
            .is_some()
    {
        return Ok(true);
    }
    Ok(viewer.has(Role::Assistant)
        && super::assistants::is_bound(db, viewer.user_id, patient_id).await?)
}

/// Every registration of a patient (booked, seen or missed; newest first) for a reader
/// [`may_read_history`] admits.
pub async fn history<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    patient_id: i64,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<registration::Model>> {
    if !may_read_history(db, viewer, patient_id).await? {
        return Err(AppError::Forbidden(
            "only the patient, their doctors and assistants read their diagnoses".into(),
        ));
    }
    of_patient(db, patient_id, None, window, with_total).await
}

/// The registrations `assistant_id` made, for one clinic or all, newest first.
pub async fn of_assistant<C: ConnectionTrait>(
    db: &C,
    assistant_id: i64,
    clinic_id: Option<i64>,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<registration::Model>> {
    let mut query =
        registration::Entity::find().filter(registration::Column::AssistantId.eq(assistant_id));
    if let Some(clinic) = clinic_id {
        query = query.filter(registration::Column::ClinicId.eq(clinic));
    }
    page::fetch(
        db,
        query,
        |q| {
            q.order_by_desc(registration::Column::CreatedAt)
                .order_by_desc(registration::Column::Id)
        },
        window,
        with_total,
    )
    .await
}

#[derive(Debug, FromQueryResult)]
struct ClinicRow {
    clinic_id: i64,
}

/// The clinics `assistant_id` registered patients for, latest registration first.
pub async fn clinics_of_assistant<C: ConnectionTrait>(
    db: &C,
    assistant_id: i64,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<free_clinic::Model>> {
    let base = registration::Entity::find()
        .select_only()
        .column(registration::Column::ClinicId)
        .filter(registration::Column::AssistantId.eq(assistant_id))
        .group_by(registration::Column::ClinicId);
    let total = if with_total {
        let rows: Vec<ClinicRow> = base.clone().into_model().all(db).await?;
        Some(rows.len() as u64)
    } else {
        None
    };
    let ids: Vec<i64> = base
        .order_by_desc(Expr::cust("MAX(id)"))
        .offset(window.offset)
        .limit(window.limit + 1)
        .into_model::<ClinicRow>()
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.clinic_id)
        .collect();
    let mut clinics = free_clinics::by_ids(db, &ids).await?;
    let ordered = ids.iter().filter_map(|id| clinics.remove(id)).collect();
    Ok(Page::from_probe(ordered, window, total))
}

/// The assistants who registered patients for `doctor_id`'s clinics, latest registration
/// first.
pub async fn assistants_of_doctor<C: ConnectionTrait>(
    db: &C,
    doctor_id: i64,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<i64>> {
    let base = registration::Entity::find()
        .select_only()
        .column(registration::Column::AssistantId)
        .filter(registration::Column::DoctorId.eq(doctor_id))
        .filter(registration::Column::AssistantId.is_not_null())
        .group_by(registration::Column::AssistantId);
    let total = if with_total {
        Some(
            base.clone()
                .into_tuple::<Option<i64>>()
                .all(db)
                .await?
                .len() as u64,
        )
    } else {
        None
    };
    let ids: Vec<i64> = base
        .order_by_desc(Expr::cust("MAX(id)"))
        .offset(window.offset)
        .limit(window.limit + 1)
        .into_tuple::<Option<i64>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
        .collect();
    Ok(Page::from_probe(ids, window, total))
}

/// One demo registration: who, where, and how far it went.
struct DemoRegistration<'a> {
    clinic: &'a free_clinic::Model,
    patient: i64,
    assistant: Option<i64>,
    casebook: &'a str,
    verify_state: i16,
    reason: Option<&'a str>,
    seen: bool,
    result: Option<&'a str>,
    /// Credit and punctuality the doctor gave.
    patient_scores: Option<(i16, i16)>,
    /// Score and comment the patient gave.
    review: Option<(i16, &'a str)>,
    paid: bool,
    refunded: bool,
}

async fn insert_demo<C: ConnectionTrait>(txn: &C, d: DemoRegistration<'_>) -> AppResult<()> {
    let now = Utc::now();
    let Some(slot) = free_clinics::slots_by_clinics(txn, &[d.clinic.id])
        .await?
        .remove(&d.clinic.id)
        .unwrap_or_default()
        .into_iter()
        .find(|s| s.taken < s.capacity)
    else {
        return Ok(());
    };
    let booked = d.verify_state == verify::BOOKED;
    if booked && !free_clinics::take_place_in(txn, slot.id).await? {
        return Ok(());
    }
    casebook::Entity::insert(casebook::ActiveModel {
        patient_id: Set(d.patient),
        clinic_id: Set(d.clinic.id),
        content: Set(d.casebook.to_owned()),
        photos: Set("[]".into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([casebook::Column::PatientId, casebook::Column::ClinicId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    let casebook_id = casebook_of(txn, d.patient, d.clinic.id)
        .await?
        .map(|c| c.id);
    let deposit = d.clinic.deposit_cents > 0;
    let visit_at = free_clinics::china_instant(d.clinic.date, slot.begin_time);
    let model = registration::Entity::insert(registration::ActiveModel {
        clinic_id: Set(d.clinic.id),
        doctor_id: Set(d.clinic.doctor_id),
        hospital_id: Set(d.clinic.hospital_id),
        patient_id: Set(d.patient),
        assistant_id: Set(d.assistant),
        slot_id: Set(slot.id),
        casebook_id: Set(casebook_id),
        visit_at: Set(visit_at),
        ends_at: Set(d.clinic.ends_at),
        verify_state: Set(d.verify_state),
        reject_reason: Set(d.reason.map(str::to_owned)),
        seen_at: Set(d.seen.then_some(visit_at)),
        result: Set(d.result.map(str::to_owned)),
        result_photos: Set("[]".into()),
        deposit_cents: Set(d.clinic.deposit_cents),
        payment_state: Set(match (deposit, d.paid) {
            (false, _) => payment::NONE,
            (true, true) => payment::PAID,
            (true, false) => payment::AWAITING,
        }),
        payment_due_at: Set(
            (deposit && !d.paid).then(|| now + Duration::minutes(PAYMENT_WINDOW_MINUTES))
        ),
        order_sn: Set(deposit.then(|| new_serial('D'))),
        provider: Set(deposit.then(|| "sandbox".to_owned())),
        trade_no: Set((deposit && d.paid).then(|| new_serial('S'))),
        paid_at: Set((deposit && d.paid).then_some(now)),
        refund_state: Set(d.refunded.then_some(refund::DONE)),
        refund_sn: Set(d.refunded.then(|| new_serial('F'))),
        refund_requested_at: Set(d.refunded.then_some(now)),
        refunded_at: Set(d.refunded.then_some(now)),
        patient_credit_score: Set(d.patient_scores.map(|s| s.0)),
        patient_punctuality_score: Set(d.patient_scores.map(|s| s.1)),
        doctor_commented_at: Set(d.patient_scores.map(|_| now)),
        doctor_score: Set(d.review.map(|r| r.0)),
        doctor_comment: Set(d.review.map(|r| r.1.to_owned())),
        patient_commented_at: Set(d.review.map(|_| now)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec_with_returning(txn)
    .await?;
    super::profiles::ensure(txn, d.patient, Role::Patient).await?;
    if booked {
        count_registration(txn, d.patient, 1).await?;
    }
    if d.seen {
        count_visit_in(txn, &model, d.clinic, now).await?;
    }
    if let Some((credit, punctuality)) = d.patient_scores {
        count_patient_scores_in(txn, d.patient, credit, punctuality).await?;
    }
    if let Some((score, _)) = d.review {
        count_doctor_score_in(txn, d.clinic.doctor_id, score).await?;
    }
    Ok(())
}

/// Demo registrations on the demo doctor's clinics, in every state: seen with a result and
/// both scorings, seen awaiting the patient's review, missed, rejected, booked today, cancelled
/// by the patient, a paid deposit, a refunded one, one made by the demo assistant, and those
/// of the cancelled clinic. Three more demo patients (`demo-patient-2` to `-4`) join them.
/// Skipped when registrations exist or the demo doctor has no clinics.
pub async fn seed_demo(db: &DatabaseConnection) -> AppResult<()> {
    use sea_orm::PaginatorTrait;
    if registration::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let id_of = |name: &'static str| async move {
        super::accounts::find_by_username(db, name)
            .await
            .map(|u| u.map(|u| u.id))
    };
    let (Some(doctor), Some(patient)) = (id_of("demo-doctor").await?, id_of("demo-patient").await?)
    else {
        return Ok(());
    };
    let assistant = id_of("demo-assistant").await?;
    let clinics = free_clinic::Entity::find()
        .filter(free_clinic::Column::DoctorId.eq(doctor))
        .order_by_asc(free_clinic::Column::Date)
        .all(db)
        .await?;
    let by_title = |title: &str| clinics.iter().find(|c| c.title == title);
    let (Some(past), Some(today), Some(deposit), Some(scarce), Some(cancelled)) = (
        by_title("社区慢病义诊"),
        by_title("全天健康咨询"),
        by_title("儿童常见病义诊"),
        by_title("专家号(名额有限)"),
        by_title("已取消的义诊"),
    ) else {
        return Ok(());
    };
    let txn = db.begin().await?;
    let mut patients = vec![patient];
    for (username, name) in [
        ("demo-patient-2", "王阿姨"),
        ("demo-patient-3", "李大爷"),
        ("demo-patient-4", "赵同学"),
    ] {
        let user = super::accounts::create_user(&txn, username, name).await?;
        super::accounts::grant_role(&txn, user.id, Role::Patient).await?;
        patients.push(user.id);
    }
    let base = |clinic, patient, casebook| DemoRegistration {
        clinic,
        patient,
        assistant: None,
        casebook,
        verify_state: verify::BOOKED,
        reason: None,
        seen: false,
        result: None,
        patient_scores: None,
        review: None,
        paid: false,
        refunded: false,
    };
    let demos = vec![
        DemoRegistration {
            seen: true,
            result: Some("血压偏高，低盐饮食，一个月后复查。"),
            patient_scores: Some((5, 5)),
            review: Some((5, "医生讲解很耐心，谢谢！")),
            ..base(past, patients[0], "头晕两周，血压 150/95。")
        },
        DemoRegistration {
            seen: true,
            result: Some("血糖控制良好，继续用药。"),
            ..base(past, patients[1], "糖尿病复诊。")
        },
        DemoRegistration {
            patient_scores: Some((2, 1)),
            ..base(past, patients[2], "膝盖疼痛。")
        },
        DemoRegistration {
            verify_state: verify::REJECTED,
            reason: Some("该症状请到骨科门诊就诊"),
            ..base(past, patients[3], "腰椎间盘突出。")
        },
        base(today, patients[0], "咳嗽一周，夜间加重。"),
        DemoRegistration {
            verify_state: verify::CANCELLED,
            ..base(today, patients[1], "体检咨询。")
        },
        DemoRegistration {
            paid: true,
            ..base(deposit, patients[0], "孩子发烧两天。")
        },
        DemoRegistration {
            verify_state: verify::CANCELLED,
            paid: true,
            refunded: true,
            ..base(deposit, patients[2], "孩子过敏。")
        },
        DemoRegistration {
            assistant,
            ..base(scarce, patients[0], "医助代为挂号：心悸。")
        },
        DemoRegistration {
            verify_state: verify::CANCELLED,
            reason: Some("义诊已取消"),
            ..base(cancelled, patients[0], "复查。")
        },
    ];
    for d in demos {
        insert_demo(&txn, d).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The one care relationship: who a verified carer takes care of. A doctor: patients booked
/// (now or before, not rejected or cancelled) in one of their free clinics, and patients of
/// inquiries assigned to them as physician; an assistant: patients bound to them. Only
/// approved roles count (an applicant's session carries none).
fn care_subqueries(carer: &Viewer) -> Vec<sea_orm::sea_query::SelectStatement> {
    use sea_orm::sea_query::Query;
    let mut out = Vec::new();
    if carer.has(Role::Doctor) {
        out.push(
            Query::select()
                .column(registration::Column::PatientId)
                .from(registration::Entity)
                .and_where(registration::Column::DoctorId.eq(carer.user_id))
                .and_where(registration::Column::VerifyState.eq(verify::BOOKED))
                .to_owned(),
        );
        out.push(
            Query::select()
                .column(entity::inquiry::Column::PatientId)
                .from(entity::inquiry::Entity)
                .and_where(entity::inquiry::Column::PhysicianId.eq(carer.user_id))
                .to_owned(),
        );
    }
    if carer.has(Role::Assistant) {
        out.push(
            Query::select()
                .column(entity::assistant_patient::Column::PatientId)
                .from(entity::assistant_patient::Entity)
                .and_where(entity::assistant_patient::Column::AssistantId.eq(carer.user_id))
                .to_owned(),
        );
    }
    out
}

/// The condition "the user (`column`) is cared for by `carer`" for lists of users; `None`
/// when the carer holds no care role (then nobody is).
pub fn cared_for_condition(
    carer: &Viewer,
    column: impl sea_orm::sea_query::IntoColumnRef + Copy,
) -> Option<Condition> {
    let subqueries = care_subqueries(carer);
    if subqueries.is_empty() {
        return None;
    }
    let mut any = Condition::any();
    for q in subqueries {
        any = any.add(sea_orm::sea_query::Expr::col(column).in_subquery(q));
    }
    Some(any)
}

/// Which of `users` `carer` takes care of (see [`cared_for_condition`]), in one statement.
pub async fn cared_for<C: ConnectionTrait>(
    db: &C,
    carer: &Viewer,
    users: &[i64],
) -> AppResult<std::collections::HashSet<i64>> {
    let Some(cond) = cared_for_condition(carer, (entity::user::Entity, entity::user::Column::Id))
    else {
        return Ok(std::collections::HashSet::new());
    };
    Ok(entity::user::Entity::find()
        .select_only()
        .column(entity::user::Column::Id)
        .filter(entity::user::Column::Id.is_in(users.iter().copied()))
        .filter(cond)
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

//! Home care (medassist): inquiries (问诊), medical records (病历) and drug purchase orders
//! (药品代购), with their state machines. Every command is one transaction whose state change
//! is a conditional update, so two racing transitions cannot both succeed; every read of a
//! medical record is written to the audit log.
//!
//! Inquiry: `PENDING_APPROVAL` → (administrator approves) `APPROVED` → (administrator assigns a
//! physician) `ASSIGNED` → (the physician accepts) `ACCEPTED` → (the physician registers the
//! medical record) `FINISHED`. A declined assignment goes back to `APPROVED`; an administrator
//! may reject a pending or approved inquiry, the patient may cancel it until it is accepted.
//!
//! Drug order (created with a record that needs drugs): `AWAITING_CONFIRMATION` → (hospital
//! staff confirm) `AWAITING_PURCHASE` → (the physician buys, with the certificate) `PURCHASED` →
//! (the physician takes it for delivery) `DELIVERING` → (the patient confirms receipt)
//! `COMPLETED`. Staff or administrators may cancel it until it is bought.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{audit_entry, drug_order, inquiry, medical_record, stored_file, user};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};

use super::page::{self, Page, PageRequest};
use super::transitions::Machine;
use super::{accounts, files};
use crate::auth::codes::normalize_phone;
use crate::auth::{Role, Viewer};
use crate::error::{AppError, AppResult};
use crate::events::SharedBus;
use crate::policy::{self, care as rules};

/// Where an inquiry stands.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InquiryState {
    /// Waiting for an administrator's approval (待审核).
    PendingApproval,
    /// Approved, waiting for a physician to be assigned (暂未指派医师).
    Approved,
    /// Assigned, waiting for the physician to accept (指派医师待接诊).
    Assigned,
    /// Accepted by the physician, the visit is pending (已指派医师未问诊).
    Accepted,
    /// The visit is recorded (已经问诊结束).
    Finished,
    /// Refused by an administrator.
    Rejected,
    /// Withdrawn by the patient.
    Cancelled,
}

impl InquiryState {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            InquiryState::PendingApproval => "pending_approval",
            InquiryState::Approved => "approved",
            InquiryState::Assigned => "assigned",
            InquiryState::Accepted => "accepted",
            InquiryState::Finished => "finished",
            InquiryState::Rejected => "rejected",
            InquiryState::Cancelled => "cancelled",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> AppResult<Self> {
        Ok(match s {
            "pending_approval" => InquiryState::PendingApproval,
            "approved" => InquiryState::Approved,
            "assigned" => InquiryState::Assigned,
            "accepted" => InquiryState::Accepted,
            "finished" => InquiryState::Finished,
            "rejected" => InquiryState::Rejected,
            "cancelled" => InquiryState::Cancelled,
            other => return Err(AppError::internal(format!("inquiry state {other}"))),
        })
    }

    fn label(self) -> &'static str {
        match self {
            InquiryState::PendingApproval => "pending approval",
            InquiryState::Approved => "approved and waiting for a physician",
            InquiryState::Assigned => "assigned and waiting for the physician to accept",
            InquiryState::Accepted => "accepted by the physician",
            InquiryState::Finished => "finished",
            InquiryState::Rejected => "rejected",
            InquiryState::Cancelled => "cancelled",
        }
    }
}

/// Where a drug purchase order stands.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DrugOrderState {
    /// Waiting for hospital staff to confirm (待审核).
    AwaitingConfirmation,
    /// Confirmed; the physician has not bought the drugs yet (医师暂未购买).
    AwaitingPurchase,
    /// Bought, with the certificate; not yet taken for delivery (已购买未派送).
    Purchased,
    /// On its way; the patient has not confirmed receipt (已配送未收货).
    Delivering,
    /// Received by the patient (已完成).
    Completed,
    /// Cancelled by hospital staff or an administrator.
    Cancelled,
}

impl DrugOrderState {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            DrugOrderState::AwaitingConfirmation => "awaiting_confirmation",
            DrugOrderState::AwaitingPurchase => "awaiting_purchase",
            DrugOrderState::Purchased => "purchased",
            DrugOrderState::Delivering => "delivering",
            DrugOrderState::Completed => "completed",
            DrugOrderState::Cancelled => "cancelled",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> AppResult<Self> {
        Ok(match s {
            "awaiting_confirmation" => DrugOrderState::AwaitingConfirmation,
            "awaiting_purchase" => DrugOrderState::AwaitingPurchase,
            "purchased" => DrugOrderState::Purchased,
            "delivering" => DrugOrderState::Delivering,
            "completed" => DrugOrderState::Completed,
            "cancelled" => DrugOrderState::Cancelled,
            other => return Err(AppError::internal(format!("drug order state {other}"))),
        })
    }

    fn label(self) -> &'static str {
        match self {
            DrugOrderState::AwaitingConfirmation => "waiting for confirmation",
            DrugOrderState::AwaitingPurchase => "waiting for the purchase",
            DrugOrderState::Purchased => "bought and waiting for delivery",
            DrugOrderState::Delivering => "being delivered",
            DrugOrderState::Completed => "completed",
            DrugOrderState::Cancelled => "cancelled",
        }
    }
}

/// Whose records a list shows.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CareScope {
    /// The caller's own, as the patient.
    Patient,
    /// Those the caller is the physician of.
    Physician,
    /// Drug orders for hospital staff: awaiting confirmation, or confirmed or cancelled by the
    /// caller.
    HospitalStaff,
    /// Everything (administrators only).
    All,
}

impl CareScope {
    /// The scope a caller's lists default to: administrators see all, physicians theirs,
    /// hospital staff their orders, everyone else their own as a patient.
    pub fn default_for(viewer: &Viewer, orders: bool) -> Self {
        if viewer.is_admin() {
            CareScope::All
        } else if viewer.has(Role::Doctor) {
            CareScope::Physician
        } else if orders && viewer.has(Role::HospitalStaff) {
            CareScope::HospitalStaff
        } else {
            CareScope::Patient
        }
    }
}

/// A state change a patient or physician subscribed to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CareEvent {
    /// `inquiry` or `drugOrder`.
    pub kind: String,
    pub id: i64,
    /// The new state (stored form).
    pub state: String,
    pub at: DateTime<Utc>,
}

/// Topic of one user's home-care events.
pub fn care_topic(user_id: i64) -> String {
    format!("care:{user_id}")
}

async fn publish(bus: &SharedBus, users: &[Option<i64>], event: CareEvent) {
    let payload = match serde_json::to_value(&event) {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "care event not serialisable");
            return;
        }
    };
    let mut seen = HashSet::new();
    for user in users.iter().flatten() {
        if seen.insert(*user)
            && let Err(e) = bus.publish(&care_topic(*user), payload.clone()).await
        {
            // The change is committed; a lost live update is not worth failing the command.
            tracing::warn!(error = ?e, "care event not published");
        }
    }
}

async fn inquiry_moved(bus: &SharedBus, inquiry: &inquiry::Model, also: Option<i64>) {
    publish(
        bus,
        &[Some(inquiry.patient_id), inquiry.physician_id, also],
        CareEvent {
            kind: "inquiry".into(),
            id: inquiry.id,
            state: inquiry.state.clone(),
            at: inquiry.updated_at,
        },
    )
    .await;
}

async fn order_moved(bus: &SharedBus, order: &drug_order::Model) {
    publish(
        bus,
        &[Some(order.patient_id), Some(order.physician_id)],
        CareEvent {
            kind: "drugOrder".into(),
            id: order.id,
            state: order.state.clone(),
            at: order.updated_at,
        },
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Inquiries

/// What a patient asks for.
#[derive(Debug, Clone, Default)]
pub struct NewInquiry {
    /// Kind of care, e.g. `在家就医` (home visit); at most 32 characters.
    pub kind: String,
    /// What is wrong; at most 2000 characters.
    pub detail: String,
    /// Phone to reach the patient at; the account's phone when absent.
    pub reserved_phone: Option<String>,
    /// When the patient would like the visit.
    pub appointment_at: Option<DateTime<Utc>>,
}

/// Longest inquiry detail, in characters.
const MAX_DETAIL: usize = 2000;

fn trimmed(value: &str, field: &str, max: usize, what: &str) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::bad_field(field, format!("{what} is required")));
    }
    if value.chars().count() > max {
        return Err(AppError::bad_field(
            field,
            format!("{what} is at most {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

fn optional_text(
    value: Option<&str>,
    field: &str,
    max: usize,
    what: &str,
) -> AppResult<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => trimmed(v, field, max, what).map(Some),
    }
}

/// The kind of care that takes the physician to the patient's home (在家就医).
pub const HOME_VISIT: &str = "在家就医";

/// Which of `patients` `physician` is on the way to: the physician assigned to (or who
/// accepted) their home-visit inquiry (在家就医), who sees the patient's home address while the
/// visit is open. One statement; empty for a viewer who is not a physician.
pub async fn home_visit_patients<C: ConnectionTrait>(
    db: &C,
    physician: &Viewer,
    patients: &[i64],
) -> AppResult<HashSet<i64>> {
    if !physician.has(Role::Doctor) || patients.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(inquiry::Entity::find()
        .select_only()
        .column(inquiry::Column::PatientId)
        .filter(inquiry::Column::PhysicianId.eq(physician.user_id))
        .filter(inquiry::Column::Kind.eq(HOME_VISIT))
        .filter(inquiry::Column::State.is_in([
            InquiryState::Assigned.as_str(),
            InquiryState::Accepted.as_str(),
        ]))
        .filter(inquiry::Column::PatientId.is_in(patients.iter().copied()))
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// The number an inquiry's patient is reached at: a mainland mobile number (normalised), or
/// any 11 digits starting with 1 as the legacy system took them (its document's example
/// `12345671901` is one). Nothing is sent to it; it is shown to the physician.
fn contact_phone(raw: &str) -> AppResult<String> {
    if let Ok(phone) = normalize_phone(raw, "reservedPhone") {
        return Ok(phone);
    }
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if digits.len() == 11 && digits.starts_with('1') && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(AppError::bad_field(
            "reservedPhone",
            "a contact number has 11 digits and starts with 1",
        ))
    }
}

/// A patient creates an inquiry; it waits for an administrator's approval.
pub async fn create_inquiry(
    db: &DatabaseConnection,
    bus: &SharedBus,
    viewer: &Viewer,
    input: NewInquiry,
) -> AppResult<inquiry::Model> {
    policy::require_any_role(viewer, &[Role::Patient])?;
    let kind = trimmed(&input.kind, "type", 32, "the type of care")?;
    let detail = trimmed(&input.detail, "inquiryDetail", MAX_DETAIL, "the detail")?;
    let phone = match input.reserved_phone.as_deref().map(str::trim) {
        Some(p) if !p.is_empty() => contact_phone(p)?,
        _ => user::Entity::find_by_id(viewer.user_id)
            .one(db)
            .await?
            .and_then(|u| u.phone)
            .ok_or_else(|| {
                AppError::bad_field(
                    "reservedPhone",
                    "a phone number is required (the account has none)",
                )
            })?,
    };
    // A wished time in the past is kept as written: the legacy system took it (its document's
    // example is one), and approval and the physician settle the actual visit.
    let now = Utc::now();
    let model = inquiry::ActiveModel {
        patient_id: Set(viewer.user_id),
        kind: Set(kind),
        detail: Set(detail),
        reserved_phone: Set(phone),
        appointment_at: Set(input.appointment_at),
        state: Set(InquiryState::PendingApproval.as_str().into()),
        decline_count: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    inquiry_moved(bus, &model, None).await;
    Ok(model)
}

/// The inquiry `id`, locked against the caller's view: not found when it does not exist or
/// the caller may not see it.
async fn visible_inquiry<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: i64,
) -> AppResult<inquiry::Model> {
    inquiry::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|i| rules::can_see_inquiry(viewer, i))
        .ok_or_else(|| AppError::NotFound(format!("inquiry {id} not found")))
}

fn refuse_inquiry(inquiry: &inquiry::Model, action: &str) -> AppError {
    let state = InquiryState::parse(&inquiry.state)
        .map(InquiryState::label)
        .unwrap_or("in an unknown state");
    AppError::Conflict(format!(
        "inquiry {} is {state}; it cannot be {action}",
        inquiry.id
    ))
}

/// The inquiry state machine.
const INQUIRIES: Machine<inquiry::Entity> = Machine {
    what: "inquiry",
    id: inquiry::Column::Id,
    state: inquiry::Column::State,
    updated_at: inquiry::Column::UpdatedAt,
};

/// The drug-order state machine.
const ORDERS: Machine<drug_order::Entity> = Machine {
    what: "drug order",
    id: drug_order::Column::Id,
    state: drug_order::Column::State,
    updated_at: drug_order::Column::UpdatedAt,
};

/// Moves an inquiry from one of `from` with the given column changes, only if no one moved it
/// in between.
async fn move_inquiry<C: ConnectionTrait>(
    db: &C,
    current: &inquiry::Model,
    from: &[InquiryState],
    changes: Vec<(inquiry::Column, sea_orm::sea_query::SimpleExpr)>,
    action: &str,
) -> AppResult<inquiry::Model> {
    let state = InquiryState::parse(&current.state)?;
    if !from.contains(&state) {
        return Err(refuse_inquiry(current, action));
    }
    INQUIRIES
        .apply(db, current.id, &current.state, changes)
        .await
}

fn set_state(state: InquiryState) -> (inquiry::Column, sea_orm::sea_query::SimpleExpr) {
    (inquiry::Column::State, Expr::value(state.as_str()))
}

/// An administrator approves a pending inquiry.
pub async fn approve_inquiry(
    db: &DatabaseConnection,
    bus: &SharedBus,
    viewer: &Viewer,
    id: i64,
) -> AppResult<inquiry::Model> {
    policy::require_admin(viewer)?;
    let current = visible_inquiry(db, viewer, id).await?;
    let now = Utc::now();
    let moved = move_inquiry(
        db,
        &current,
        &[InquiryState::PendingApproval],
        vec![
            set_state(InquiryState::Approved),
            (inquiry::Column::ApprovedBy, Expr::value(viewer.user_id)),
            (inquiry::Column::ApprovedAt, Expr::value(now)),
        ],
        "approved",
    )
    .await?;
    inquiry_moved(bus, &moved, None).await;
    Ok(moved)
}

/// An administrator rejects a pending or approved (not yet assigned) inquiry, with a reason.
pub async fn reject_inquiry(
    db: &DatabaseConnection,
    bus: &SharedBus,
    viewer: &Viewer,
    id: i64,
    reason: &str,
) -> AppResult<inquiry::Model> {
    policy::require_admin(viewer)?;
    let reason = trimmed(reason, "reason", 200, "the reason")?;
    let current = visible_inquiry(db, viewer, id).await?;
    let moved = move_inquiry(
        db,
        &current,
        &[InquiryState::PendingApproval, InquiryState::Approved],
        vec![
            set_state(InquiryState::Rejected),
            (inquiry::Column::ClosedReason, Expr::value(reason)),
        ],
        "rejected",
    )
    .await?;
    inquiry_moved(bus, &moved, None).await;
    Ok(moved)
}

/// The patient withdraws an inquiry that no physician has accepted yet.
pub async fn cancel_inquiry(
    db: &DatabaseConnection,
    bus: &SharedBus,
    viewer: &Viewer,
    id: i64,
    reason: Option<&str>,
) -> AppResult<inquiry::Model> {
    let reason = optional_text(reason, "reason", 200, "the reason")?;
    let current = visible_inquiry(db, viewer, id).await?;
    if current.patient_id != viewer.user_id {
        return Err(AppError::Forbidden(
            "only the patient may cancel an inquiry".into(),
        ));
    }
    let moved = move_inquiry(
        db,
        &current,
        &[
            InquiryState::PendingApproval,
            InquiryState::Approved,
            InquiryState::Assigned,
        ],
        vec![
            set_state(InquiryState::Cancelled),
            (inquiry::Column::ClosedReason, Expr::value(reason)),
        ],
        "cancelled",
    )
    .await?;
    inquiry_moved(bus, &moved, current.physician_id).await;
    Ok(moved)
}

/// An administrator assigns an approved inquiry to a physician (or reassigns one the
/// physician has not accepted yet).
pub async fn assign_physician(
    db: &DatabaseConnection,
    bus: &SharedBus,
    viewer: &Viewer,
    id: i64,
    physician_id: i64,
) -> AppResult<inquiry::Model> {
    policy::require_admin(viewer)?;
    let physician = user::Entity::find_by_id(physician_id)
        .one(db)
        .await?
        .filter(|u| u.status == accounts::status::ACTIVE)
        .ok_or_else(|| AppError::bad_field("userUUID", "no active account with this uuid"))?;
    let roles = accounts::roles_by_user_ids(db, &[physician.id]).await?;
    if !roles
        .get(&physician.id)
        .is_some_and(|r| r.contains(&Role::Doctor))
    {
        return Err(AppError::bad_field(
            "userUUID",
            "the account is not a physician",
        ));
    }
    let current = visible_inquiry(db, viewer, id).await?;
    if current.patient_id == physician.id {
        return Err(AppError::bad_field(
            "userUUID",
            "a patient cannot be their own physician",
        ));
    }
    let previous = current.physician_id.filter(|p| *p != physician.id);
    let moved = move_inquiry(
        db,
        &current,
        &[InquiryState::Approved, InquiryState::Assigned],
        vec![
            set_state(InquiryState::Assigned),
            (inquiry::Column::PhysicianId, Expr::value(physician.id)),
            (inquiry::Column::AssignedBy, Expr::value(viewer.user_id)),
            (inquiry::Column::AssignedAt, Expr::value(Utc::now())),
        ],
        "assigned",
    )
    .await?;
    inquiry_moved(bus, &moved, previous).await;
    Ok(moved)
}

/// The assigned physician accepts the inquiry, or declines it (it goes back to assignment).
pub async fn respond_to_inquiry(
    db: &DatabaseConnection,
    bus: &SharedBus,
    viewer: &Viewer,
    id: i64,
    accept: bool,
) -> AppResult<inquiry::Model> {
    let current = visible_inquiry(db, viewer, id).await?;
    if current.physician_id != Some(viewer.user_id) {
        return Err(AppError::Forbidden(
            "only the physician the inquiry is assigned to may accept or decline it".into(),
        ));
    }
    let moved = if accept {
        move_inquiry(
            db,
            &current,
            &[InquiryState::Assigned],
            vec![
                set_state(InquiryState::Accepted),
                (inquiry::Column::AcceptedAt, Expr::value(Utc::now())),
            ],
            "accepted",
        )
        .await?
    } else {
        move_inquiry(
            db,
            &current,
            &[InquiryState::Assigned],
            vec![
                set_state(InquiryState::Approved),
                (
                    inquiry::Column::PhysicianId,
                    Expr::value(Option::<i64>::None),
                ),
                (
                    inquiry::Column::AssignedAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                ),
                (
                    inquiry::Column::DeclineCount,
                    Expr::col(inquiry::Column::DeclineCount).add(1),
                ),
            ],
            "declined",
        )
        .await?
    };
    inquiry_moved(bus, &moved, Some(viewer.user_id)).await;
    Ok(moved)
}

/// One inquiry, if the caller may see it.
pub async fn find_inquiry(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i64,
) -> AppResult<Option<inquiry::Model>> {
    Ok(inquiry::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|i| rules::can_see_inquiry(viewer, i)))
}

/// Inquiries by id, those the caller may see (for the loaders).
pub async fn inquiries_by_ids(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    ids: &[i64],
) -> AppResult<HashMap<i64, inquiry::Model>> {
    let Some(viewer) = viewer else {
        return Ok(HashMap::new());
    };
    Ok(inquiry::Entity::find()
        .filter(inquiry::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .filter(|i| rules::can_see_inquiry(viewer, i))
        .map(|i| (i.id, i))
        .collect())
}

/// Which inquiries a list shows.
#[derive(Debug, Clone)]
pub struct InquiryFilter {
    pub scope: CareScope,
    /// Only these states (all when `None`).
    pub states: Option<Vec<InquiryState>>,
}

fn scope_condition(
    viewer: &Viewer,
    scope: CareScope,
    patient: impl ColumnTrait,
    physician: impl ColumnTrait,
) -> AppResult<Condition> {
    Ok(match scope {
        CareScope::Patient => Condition::all().add(patient.eq(viewer.user_id)),
        CareScope::Physician => {
            policy::require_any_role(viewer, &[Role::Doctor])?;
            Condition::all().add(physician.eq(viewer.user_id))
        }
        CareScope::All => {
            policy::require_admin(viewer)?;
            Condition::all()
        }
        CareScope::HospitalStaff => {
            return Err(AppError::bad_field(
                "scope",
                "HOSPITAL_STAFF lists drug orders only",
            ));
        }
    })
}

/// A page of inquiries, newest first.
pub async fn list_inquiries(
    db: &DatabaseConnection,
    viewer: &Viewer,
    filter: &InquiryFilter,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<inquiry::Model>> {
    let mut cond = scope_condition(
        viewer,
        filter.scope,
        inquiry::Column::PatientId,
        inquiry::Column::PhysicianId,
    )?;
    if let Some(states) = &filter.states {
        cond = cond.add(inquiry::Column::State.is_in(states.iter().map(|s| s.as_str())));
    }
    page::fetch(
        db,
        inquiry::Entity::find().filter(cond),
        |q| q.order_by_desc(inquiry::Column::Id),
        window,
        with_total,
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Medical records and the audit log

/// What a physician registers after the visit.
#[derive(Debug, Clone, Default)]
pub struct NewRecord {
    pub inquiry_id: i64,
    /// Diagnosis and notes (病情描述); optional, at most 5000 characters.
    pub description: Option<String>,
    /// The inquiry video: a stored file's address or URL (from `/api/upload`).
    pub video: String,
    /// Record images: stored files' addresses or URLs; at least one, at most 9.
    pub images: Vec<String>,
    /// Whether drugs must be bought for the patient (a drug order is created).
    pub needs_drugs: bool,
    /// What to buy, for the drug order.
    pub drug_note: Option<String>,
}

/// Most images of a record or certificate files of an order.
const MAX_FILES: usize = 9;

/// Resolves file references to stored files' addresses, checking they exist and, when
/// `kind` is given, their content type (`image/`, `video/`).
async fn stored_files<C: ConnectionTrait>(
    db: &C,
    references: &[String],
    field: &str,
    kind: Option<&str>,
) -> AppResult<Vec<String>> {
    let mut addresses = Vec::with_capacity(references.len());
    for reference in references {
        let address = files::address_of(reference);
        if address.len() != 64 || !address.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AppError::bad_field(
                field,
                format!("{reference:?} is not a stored file's address (upload it first)"),
            ));
        }
        if !addresses.contains(&address) {
            addresses.push(address);
        }
    }
    let found: HashMap<String, stored_file::Model> = files::by_hashes(db, &addresses).await?;
    for address in &addresses {
        let Some(file) = found.get(address) else {
            return Err(AppError::bad_field(
                field,
                format!("no stored file has the address {address} (upload it first)"),
            ));
        };
        if let Some(kind) = kind
            && !file.content_type.starts_with(kind)
        {
            return Err(AppError::bad_field(
                field,
                format!(
                    "{address} is {}, not {}",
                    file.content_type,
                    kind.trim_end_matches('/')
                ),
            ));
        }
    }
    Ok(addresses)
}

/// The addresses stored in a JSON array column.
pub fn file_list(column: &str) -> Vec<String> {
    serde_json::from_str(column).unwrap_or_default()
}

fn file_column(addresses: &[String]) -> AppResult<String> {
    serde_json::to_string(addresses).map_err(AppError::internal)
}

/// The assigned physician registers the visit of an accepted inquiry: the inquiry finishes,
/// and a drug order is created when drugs must be bought.
pub async fn register_record(
    db: &DatabaseConnection,
    bus: &SharedBus,
    viewer: &Viewer,
    input: NewRecord,
) -> AppResult<(medical_record::Model, Option<drug_order::Model>)> {
    let description = optional_text(
        input.description.as_deref(),
        "diagnosticDescription",
        5000,
        "the description",
    )?;
    let drug_note = optional_text(
        input.drug_note.as_deref(),
        "drugNote",
        2000,
        "the drug note",
    )?;
    if input.video.trim().is_empty() {
        return Err(AppError::bad_field(
            "inquiryVideo",
            "the inquiry video is required",
        ));
    }
    if input.images.is_empty() {
        return Err(AppError::bad_field(
            "medicalImg",
            "at least one record image is required",
        ));
    }
    if input.images.len() > MAX_FILES {
        return Err(AppError::bad_field(
            "medicalImg",
            format!("at most {MAX_FILES} record images"),
        ));
    }
    let txn = db.begin().await?;
    let current = visible_inquiry(&txn, viewer, input.inquiry_id).await?;
    if current.physician_id != Some(viewer.user_id) {
        return Err(AppError::Forbidden(
            "only the physician in charge of the inquiry may register its record".into(),
        ));
    }
    if current.state != InquiryState::Accepted.as_str() {
        return Err(refuse_inquiry(&current, "given a medical record"));
    }
    let video = stored_files(
        &txn,
        std::slice::from_ref(&input.video),
        "inquiryVideo",
        Some("video/"),
    )
    .await?;
    let images = stored_files(&txn, &input.images, "medicalImg", Some("image/")).await?;
    let now = Utc::now();
    let finished = move_inquiry(
        &txn,
        &current,
        &[InquiryState::Accepted],
        vec![
            set_state(InquiryState::Finished),
            (inquiry::Column::FinishedAt, Expr::value(now)),
        ],
        "given a medical record",
    )
    .await?;
    let record = medical_record::ActiveModel {
        inquiry_id: Set(current.id),
        patient_id: Set(current.patient_id),
        physician_id: Set(viewer.user_id),
        description: Set(description),
        video_file: Set(video.into_iter().next().unwrap_or_default()),
        image_files: Set(file_column(&images)?),
        needs_drugs: Set(input.needs_drugs),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => {
            AppError::Conflict(format!("inquiry {} already has a record", current.id))
        }
        other => other,
    })?;
    let order = if input.needs_drugs {
        Some(new_order(&txn, &record, drug_note, now).await?)
    } else {
        None
    };
    txn.commit().await?;
    inquiry_moved(bus, &finished, None).await;
    if let Some(order) = &order {
        order_moved(bus, order).await;
    }
    Ok((record, order))
}

async fn new_order<C: ConnectionTrait>(
    db: &C,
    record: &medical_record::Model,
    note: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<drug_order::Model> {
    Ok(drug_order::ActiveModel {
        record_id: Set(record.id),
        patient_id: Set(record.patient_id),
        physician_id: Set(record.physician_id),
        state: Set(DrugOrderState::AwaitingConfirmation.as_str().into()),
        note: Set(note),
        certificate_files: Set("[]".into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Writes one audit entry per record the caller reads (one statement for all of them).
async fn audit_reads<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    records: &[&medical_record::Model],
) -> AppResult<()> {
    super::audit::reads(
        db,
        viewer,
        "MedicalRecord",
        records.iter().map(|r| (r.id, Some(r.patient_id))),
    )
    .await
}

/// Keeps the records the caller may read and logs the read; fails (showing nothing) when
/// the log cannot be written.
async fn hand_out(
    db: &DatabaseConnection,
    viewer: &Viewer,
    records: Vec<medical_record::Model>,
) -> AppResult<Vec<medical_record::Model>> {
    let visible: Vec<medical_record::Model> = records
        .into_iter()
        .filter(|r| rules::can_read_record(viewer, r))
        .collect();
    audit_reads(db, viewer, &visible.iter().collect::<Vec<_>>()).await?;
    Ok(visible)
}

/// One medical record, if the caller may read it (the read is audited).
pub async fn find_record(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i64,
) -> AppResult<Option<medical_record::Model>> {
    let found = medical_record::Entity::find_by_id(id).one(db).await?;
    Ok(hand_out(db, viewer, found.into_iter().collect())
        .await?
        .into_iter()
        .next())
}

/// Records by id, those the caller may read (audited), for the loaders.
pub async fn records_by_ids(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    ids: &[i64],
) -> AppResult<HashMap<i64, medical_record::Model>> {
    let Some(viewer) = viewer else {
        return Ok(HashMap::new());
    };
    let rows = medical_record::Entity::find()
        .filter(medical_record::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(hand_out(db, viewer, rows)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect())
}

/// Records by inquiry id, those the caller may read (audited), for the loaders.
pub async fn records_by_inquiry_ids(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    inquiry_ids: &[i64],
) -> AppResult<HashMap<i64, medical_record::Model>> {
    let Some(viewer) = viewer else {
        return Ok(HashMap::new());
    };
    let rows = medical_record::Entity::find()
        .filter(medical_record::Column::InquiryId.is_in(inquiry_ids.iter().copied()))
        .all(db)
        .await?;
    Ok(hand_out(db, viewer, rows)
        .await?
        .into_iter()
        .map(|r| (r.inquiry_id, r))
        .collect())
}

/// Which records a list shows.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    /// Records of this patient (the caller when neither this nor `inquiry_id` is given).
    pub patient_id: Option<i64>,
    /// The record of this inquiry.
    pub inquiry_id: Option<i64>,
}

/// A page of medical records, newest first, that the caller may read (audited).
pub async fn list_records(
    db: &DatabaseConnection,
    viewer: &Viewer,
    filter: &RecordFilter,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<medical_record::Model>> {
    let mut cond = Condition::all();
    if !viewer.is_admin() {
        cond = cond.add(
            Condition::any()
                .add(medical_record::Column::PatientId.eq(viewer.user_id))
                .add(medical_record::Column::PhysicianId.eq(viewer.user_id)),
        );
    }
    match (filter.patient_id, filter.inquiry_id) {
        (None, None) => cond = cond.add(medical_record::Column::PatientId.eq(viewer.user_id)),
        (patient, inquiry) => {
            if let Some(patient) = patient {
                cond = cond.add(medical_record::Column::PatientId.eq(patient));
            }
            if let Some(inquiry) = inquiry {
                cond = cond.add(medical_record::Column::InquiryId.eq(inquiry));
            }
        }
    }
    let mut page = page::fetch(
        db,
        medical_record::Entity::find().filter(cond),
        |q| q.order_by_desc(medical_record::Column::Id),
        window,
        with_total,
    )
    .await?;
    page.items = hand_out(db, viewer, page.items).await?;
    Ok(page)
}

/// A page of the audit log of a patient's records (who read them, newest first): the patient
/// themself, or an administrator for any patient.
pub async fn record_reads(
    db: &DatabaseConnection,
    viewer: &Viewer,
    patient_id: Option<i64>,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<audit_entry::Model>> {
    let owner = patient_id.unwrap_or(viewer.user_id);
    if owner != viewer.user_id {
        policy::require_admin(viewer)?;
    }
    page::fetch(
        db,
        audit_entry::Entity::find()
            .filter(audit_entry::Column::OwnerId.eq(owner))
            .filter(audit_entry::Column::SubjectType.eq("MedicalRecord")),
        |q| q.order_by_desc(audit_entry::Column::Id),
        window,
        with_total,
    )
    .await
}

/// The records of a patient as the language model sees them (for the summary): the patient
/// themself, or the physician of at least one of their records; administrators are not
/// offered summaries. The read is audited.
pub async fn records_for_summary(
    db: &DatabaseConnection,
    viewer: &Viewer,
    patient_id: Option<i64>,
) -> AppResult<Vec<medical_record::Model>> {
    let patient = patient_id.unwrap_or(viewer.user_id);
    let rows = medical_record::Entity::find()
        .filter(medical_record::Column::PatientId.eq(patient))
        .order_by_asc(medical_record::Column::Id)
        .limit(50)
        .all(db)
        .await?;
    if patient != viewer.user_id && !rows.iter().any(|r| r.physician_id == viewer.user_id) {
        return Err(AppError::Forbidden(
            "only the patient or a physician who treated them may summarise their records".into(),
        ));
    }
    let records: Vec<medical_record::Model> = rows
        .into_iter()
        .filter(|r| r.patient_id == viewer.user_id || r.physician_id == viewer.user_id)
        .collect();
    audit_reads(db, viewer, &records.iter().collect::<Vec<_>>()).await?;
    Ok(records)
}

// ---------------------------------------------------------------------------------------------
// Drug purchase orders

async fn visible_order<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: i64,
) -> AppResult<drug_order::Model> {
    drug_order::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|o| rules::can_see_order(viewer, o))
        .ok_or_else(|| AppError::NotFound(format!("drug order {id} not found")))
}

/// Moves an order from one of `from`, only if no one moved it in between.
async fn move_order<C: ConnectionTrait>(
    db: &C,
    current: &drug_order::Model,
    from: &[DrugOrderState],
    changes: Vec<(drug_order::Column, sea_orm::sea_query::SimpleExpr)>,
    action: &str,
) -> AppResult<drug_order::Model> {
    let state = DrugOrderState::parse(&current.state)?;
    if !from.contains(&state) {
        return Err(AppError::Conflict(format!(
            "drug order {} is {}; it cannot be {action}",
            current.id,
            state.label()
        )));
    }
    ORDERS.apply(db, current.id, &current.state, changes).await
}

fn order_state(state: DrugOrderState) -> (drug_order::Column, sea_orm::sea_query::SimpleExpr) {
    (drug_order::Column::State, Expr::value(state.as_str()))
}

/// Hospital staff (or an administrator) confirm an order awaiting confirmation.
pub async fn confirm_order(
    db: &DatabaseConnection,
    bus: &SharedBus,
    viewer: &Viewer,
    id: i64,
) -> AppResult<drug_order::Model> {
    if !rules::can_confirm_orders(viewer) {
        return Err(AppError::Forbidden(
            "only hospital staff or administrators may confirm drug orders".into(),
        ));
    }
    let current = visible_order(db, viewer, id).await?;
    let moved = move_order(
        db,
        &current,
        &[DrugOrderState::AwaitingConfirmation],
        vec![
            order_state(DrugOrderState::AwaitingPurchase),
            (drug_order::Column::ConfirmedBy, Expr::value(viewer.user_id)),
            (drug_order::Column::ConfirmedAt, Expr::value(Utc::now())),
        ],
        "confirmed",
    )
    .await?;
    order_moved(bus, &moved).await;
    Ok(moved)
}

/// Hospital staff (or an administrator) cancel an order that is not bought yet.
pub async fn cancel_order(
    db: &DatabaseConnection,
    bus: &SharedBus,
    viewer: &Viewer,
    id: i64,
    reason: &str,
) -> AppResult<drug_order::Model> {
    if !rules::can_confirm_orders(viewer) {
        return Err(AppError::Forbidden(
            "only hospital staff or administrators may cancel drug orders".into(),
        ));
    }
    let reason = trimmed(reason, "reason", 200, "the reason")?;
    let current = visible_order(db, viewer, id).await?;
    let moved = move_order(
        db,
        &current,
        &[
            DrugOrderState::AwaitingConfirmation,
            DrugOrderState::AwaitingPurchase,
        ],
        vec![
            order_state(DrugOrderState::Cancelled),
            (drug_order::Column::CancelledBy, Expr::value(viewer.user_id)),
            (drug_order::Column::CancelledAt, Expr::value(Utc::now())),
            (drug_order::Column::CancelReason, Expr::value(reason)),
        ],
        "cancelled",
    )
    .await?;
    order_moved(bus, &moved).await;
    Ok(moved)
}

fn require_physician_of(viewer: &Viewer, order: &drug_order::Model) -> AppResult<()> {
    if order.physician_id == viewer.user_id {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only the physician of the order may buy and deliver it".into(),
        ))
    }
}

/// The order's certificate files with `certificates` (stored files' references) added, at
/// most [`MAX_FILES`] in all.
async fn with_certificates(
    db: &DatabaseConnection,
    order: &drug_order::Model,
    certificates: &[String],
) -> AppResult<Vec<String>> {
    let mut files = file_list(&order.certificate_files);
    for address in stored_files(db, certificates, "certificate", None).await? {
        if !files.contains(&address) {
            files.push(address);
        }
    }
    if files.len() > MAX_FILES {
        return Err(AppError::bad_field(
            "certificate",
            format!("at most {MAX_FILES} certificate files"),
        ));
    }
    Ok(files)
}

/// The physician bought the drugs of a confirmed order; `certificates` (invoice, receipt) may
/// be given now or when taking it for delivery.
pub async fn purchase_order(
    db: &DatabaseConnection,
    bus: &SharedBus,
    viewer: &Viewer,
    id: i64,
    certificates: &[String],
) -> AppResult<drug_order::Model> {
    let current = visible_order(db, viewer, id).await?;
    require_physician_of(viewer, &current)?;
    let files = with_certificates(db, &current, certificates).await?;
    let moved = move_order(
        db,
        &current,
        &[DrugOrderState::AwaitingPurchase],
        vec![
            order_state(DrugOrderState::Purchased),
            (drug_order::Column::PurchasedAt, Expr::value(Utc::now())),
            (
                drug_order::Column::CertificateFiles,
                Expr::value(file_column(&files)?),
            ),
        ],
        "marked bought",
    )
    .await?;
    order_moved(bus, &moved).await;
    Ok(moved)
}

/// The physician takes a bought order for delivery, with the certificate (purchase invoice
/// and a screenshot of the delivery) unless it was given at purchase.
pub async fn deliver_order(
    db: &DatabaseConnection,
    bus: &SharedBus,
    viewer: &Viewer,
    id: i64,
    certificates: &[String],
) -> AppResult<drug_order::Model> {
    let current = visible_order(db, viewer, id).await?;
    require_physician_of(viewer, &current)?;
    let files = with_certificates(db, &current, certificates).await?;
    let state = DrugOrderState::parse(&current.state)?;
    if files.is_empty() && state == DrugOrderState::Purchased {
        return Err(AppError::bad_field(
            "certificate",
            "the certificate (purchase invoice and delivery screenshot) is required",
        ));
    }
    let moved = move_order(
        db,
        &current,
        &[DrugOrderState::Purchased],
        vec![
            order_state(DrugOrderState::Delivering),
            (drug_order::Column::DeliveringAt, Expr::value(Utc::now())),
            (
                drug_order::Column::CertificateFiles,
                Expr::value(file_column(&files)?),
            ),
        ],
        "taken for delivery",
    )
    .await?;
    order_moved(bus, &moved).await;
    Ok(moved)
}

/// The patient confirms they received the drugs; the order completes.
pub async fn confirm_receipt(
    db: &DatabaseConnection,
    bus: &SharedBus,
    viewer: &Viewer,
    id: i64,
) -> AppResult<drug_order::Model> {
    let current = visible_order(db, viewer, id).await?;
    if current.patient_id != viewer.user_id {
        return Err(AppError::Forbidden(
            "only the patient may confirm receiving the drugs".into(),
        ));
    }
    let moved = move_order(
        db,
        &current,
        &[DrugOrderState::Delivering],
        vec![
            order_state(DrugOrderState::Completed),
            (drug_order::Column::CompletedAt, Expr::value(Utc::now())),
        ],
        "confirmed as received",
    )
    .await?;
    order_moved(bus, &moved).await;
    Ok(moved)
}

/// One drug order, if the caller may see it.
pub async fn find_order(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i64,
) -> AppResult<Option<drug_order::Model>> {
    Ok(drug_order::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|o| rules::can_see_order(viewer, o)))
}

/// Orders of each record, oldest first, those the caller may see, for the loaders.
pub async fn orders_by_record_ids(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    record_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<drug_order::Model>>> {
    let mut map: HashMap<i64, Vec<drug_order::Model>> =
        record_ids.iter().map(|id| (*id, Vec::new())).collect();
    let Some(viewer) = viewer else {
        return Ok(map);
    };
    let rows = drug_order::Entity::find()
        .filter(drug_order::Column::RecordId.is_in(record_ids.iter().copied()))
        .order_by_asc(drug_order::Column::Id)
        .all(db)
        .await?;
    for order in rows.into_iter().filter(|o| rules::can_see_order(viewer, o)) {
        map.entry(order.record_id).or_default().push(order);
    }
    Ok(map)
}

/// Which drug orders a list shows.
#[derive(Debug, Clone)]
pub struct OrderFilter {
    pub scope: CareScope,
    /// Only these states (all when `None`).
    pub states: Option<Vec<DrugOrderState>>,
    /// Only the orders of this medical record.
    pub record_id: Option<i64>,
}

/// A page of drug orders, newest first.
pub async fn list_orders(
    db: &DatabaseConnection,
    viewer: &Viewer,
    filter: &OrderFilter,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<drug_order::Model>> {
    let mut cond = match filter.scope {
        CareScope::HospitalStaff => {
            policy::require_any_role(viewer, &[Role::HospitalStaff])?;
            Condition::any()
                .add(drug_order::Column::State.eq(DrugOrderState::AwaitingConfirmation.as_str()))
                .add(drug_order::Column::ConfirmedBy.eq(viewer.user_id))
                .add(drug_order::Column::CancelledBy.eq(viewer.user_id))
        }
        scope => scope_condition(
            viewer,
            scope,
            drug_order::Column::PatientId,
            drug_order::Column::PhysicianId,
        )?,
    };
    cond = Condition::all().add(cond);
    if let Some(states) = &filter.states {
        cond = cond.add(drug_order::Column::State.is_in(states.iter().map(|s| s.as_str())));
    }
    if let Some(record) = filter.record_id {
        cond = cond.add(drug_order::Column::RecordId.eq(record));
    }
    page::fetch(
        db,
        drug_order::Entity::find().filter(cond),
        |q| q.order_by_desc(drug_order::Column::Id),
        window,
        with_total,
    )
    .await
}

/// The orders of one medical record the caller may see: the record's patient, physician,
/// administrators, and hospital staff for the orders they handle.
pub async fn orders_of_record(
    db: &DatabaseConnection,
    viewer: &Viewer,
    record_id: i64,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<drug_order::Model>> {
    let scope = if viewer.is_admin() {
        CareScope::All
    } else if viewer.has(Role::HospitalStaff) {
        CareScope::HospitalStaff
    } else {
        let record = medical_record::Entity::find_by_id(record_id)
            .one(db)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("medical record {record_id} not found")))?;
        if record.patient_id == viewer.user_id {
            CareScope::Patient
        } else if record.physician_id == viewer.user_id {
            CareScope::Physician
        } else {
            return Err(AppError::NotFound(format!(
                "medical record {record_id} not found"
            )));
        }
    };
    list_orders(
        db,
        viewer,
        &OrderFilter {
            scope,
            states: None,
            record_id: Some(record_id),
        },
        window,
        with_total,
    )
    .await
}

/// A prompt summarising records for the language model.
pub fn summary_prompt(records: &[medical_record::Model], inquiries: &[inquiry::Model]) -> String {
    let mut prompt = String::from(
        "以下是一位患者的居家问诊与病历记录。请用中文为医生和患者写一段简明的病情总结：\
         主要症状与诊断、病情变化、是否需要代购药品，以及需要关注的事项。不要编造记录中没有的信息。\n\n",
    );
    for (n, record) in records.iter().enumerate() {
        let inquiry = inquiries.iter().find(|i| i.id == record.inquiry_id);
        prompt.push_str(&format!(
            "记录 {}（{}）\n",
            n + 1,
            record.created_at.format("%Y-%m-%d")
        ));
        if let Some(inquiry) = inquiry {
            prompt.push_str(&format!(
                "问诊类型：{}\n主诉：{}\n",
                inquiry.kind, inquiry.detail
            ));
        }
        prompt.push_str(&format!(
            "诊断描述：{}\n需要代购药品：{}\n\n",
            record.description.as_deref().unwrap_or("（无）"),
            if record.needs_drugs { "是" } else { "否" }
        ));
    }
    prompt
}

/// The inquiries behind some records (for the summary prompt).
pub async fn inquiries_of(
    db: &DatabaseConnection,
    records: &[medical_record::Model],
) -> AppResult<Vec<inquiry::Model>> {
    Ok(inquiry::Entity::find()
        .filter(inquiry::Column::Id.is_in(records.iter().map(|r| r.inquiry_id)))
        .all(db)
        .await?)
}

/// A language-model summary of a patient's medical records.
#[derive(Debug, Clone)]
pub struct RecordSummary {
    pub patient_id: i64,
    /// How many records the summary covers.
    pub record_count: usize,
    pub text: String,
}

/// Asks the configured language model to summarise a patient's records: the caller's own, or
/// (for a physician who treated them) another patient's. The model's configuration is checked
/// before anything is read; the records sent are audited as read.
pub async fn summarize(
    db: &DatabaseConnection,
    llm: &crate::llm::LlmClient,
    viewer: &Viewer,
    patient_id: Option<i64>,
) -> AppResult<RecordSummary> {
    if !llm.is_configured() {
        return Err(AppError::Unavailable(
            "the language model is not configured (set MEDGRAPH_LLM_URL)".into(),
        ));
    }
    llm.check_rate_limit(db, viewer.user_id).await?;
    let patient = patient_id.unwrap_or(viewer.user_id);
    let records = records_for_summary(db, viewer, Some(patient)).await?;
    if records.is_empty() {
        return Err(AppError::NotFound(
            "there are no medical records to summarise".into(),
        ));
    }
    let inquiries = inquiries_of(db, &records).await?;
    let text = llm
        .complete(vec![
            crate::llm::ChatMessage::system(
                "你是一名严谨的全科医生助理，只根据给出的记录写总结，并提醒这不是诊断。",
            ),
            crate::llm::ChatMessage::user(summary_prompt(&records, &inquiries)),
        ])
        .await?;
    Ok(RecordSummary {
        patient_id: patient,
        record_count: records.len(),
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip() {
        for s in [
            InquiryState::PendingApproval,
            InquiryState::Approved,
            InquiryState::Assigned,
            InquiryState::Accepted,
            InquiryState::Finished,
            InquiryState::Rejected,
            InquiryState::Cancelled,
        ] {
            assert_eq!(InquiryState::parse(s.as_str()).ok(), Some(s));
        }
        for s in [
            DrugOrderState::AwaitingConfirmation,
            DrugOrderState::AwaitingPurchase,
            DrugOrderState::Purchased,
            DrugOrderState::Delivering,
            DrugOrderState::Completed,
            DrugOrderState::Cancelled,
        ] {
            assert_eq!(DrugOrderState::parse(s.as_str()).ok(), Some(s));
        }
        assert!(InquiryState::parse("nope").is_err());
    }

    #[test]
    fn file_lists_parse() {
        assert_eq!(file_list("[\"a\",\"b\"]"), vec!["a", "b"]);
        assert!(file_list("garbage").is_empty());
    }
}

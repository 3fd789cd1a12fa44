//! Roles are granted, never taken. Every role of an account has a review state:
//!
//! - `approved`: the role acts (the only roles a session carries, [`crate::auth::roles_of`]);
//!   patients are approved at once, and so is every role an administrator grants (seeds,
//!   imports, certification approvals, [`grant`]).
//! - `pending`: an applicant. A registration (with a verified code) as a doctor, assistant or
//!   consultant applies for the role ([`apply`]); the applicant may complete their profile and
//!   read public data, and nothing more.
//! - `rejected` / `revoked`: refused, or taken back. Registering again reopens the application.
//!
//! Administrators review applications ([`review`]); a consultant's application is also
//! reviewed by an administrator of an organization the consultant applied to. Every decision
//! is one conditional `UPDATE` (a stale decision is `CONFLICT`), mirrored in the legacy
//! `is_verify` of doctor and assistant profiles, and notified to the applicant.

use chrono::Utc;
use entity::{assistant_profile, doctor_profile, organization_membership, user_role};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

use crate::Services;
use crate::auth::{Role, Viewer};
use crate::domain::page::{self, Page, PageRequest};
use crate::domain::{notifications, profiles};
use crate::error::{AppError, AppResult};

/// Review states of a role, as stored.
pub mod state {
    /// An applicant, waiting for a review.
    pub const PENDING: &str = "pending";
    /// Granted: the role acts.
    pub const APPROVED: &str = "approved";
    /// The application was refused.
    pub const REJECTED: &str = "rejected";
    /// The role was taken back.
    pub const REVOKED: &str = "revoked";
}

/// Review state of a role (legacy `is_verify`: pending 0, approved 1, rejected or revoked 2).
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RoleState {
    /// Applied for, waiting for a review (待核验).
    Pending,
    /// Granted by an administrator (启用).
    Approved,
    /// The application was refused (禁用).
    Rejected,
    /// Granted once, then taken back (禁用).
    Revoked,
}

impl RoleState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RoleState::Pending => state::PENDING,
            RoleState::Approved => state::APPROVED,
            RoleState::Rejected => state::REJECTED,
            RoleState::Revoked => state::REVOKED,
        }
    }

    /// From the stored name (unknown names read as pending: they grant nothing).
    pub fn stored(s: &str) -> RoleState {
        match s {
            state::APPROVED => RoleState::Approved,
            state::REJECTED => RoleState::Rejected,
            state::REVOKED => RoleState::Revoked,
            _ => RoleState::Pending,
        }
    }

    /// The legacy `verify_state` / `is_verify` code: 0 pending, 1 approved, 2 refused.
    pub fn legacy_code(self) -> i16 {
        match self {
            RoleState::Pending => 0,
            RoleState::Approved => 1,
            RoleState::Rejected | RoleState::Revoked => 2,
        }
    }
}

/// A reviewer's decision on a role.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RoleDecision {
    /// Grant a pending, rejected or revoked role.
    Approve,
    /// Refuse a pending application.
    Reject,
    /// Take back an approved role.
    Revoke,
}

impl RoleDecision {
    fn target(self) -> RoleState {
        match self {
            RoleDecision::Approve => RoleState::Approved,
            RoleDecision::Reject => RoleState::Rejected,
            RoleDecision::Revoke => RoleState::Revoked,
        }
    }

    fn source_states(self) -> &'static [&'static str] {
        match self {
            RoleDecision::Approve => &[state::PENDING, state::REJECTED, state::REVOKED],
            RoleDecision::Reject => &[state::PENDING],
            RoleDecision::Revoke => &[state::APPROVED],
        }
    }
}

/// Whether a role starts as an application (care roles) rather than approved (patients).
pub fn needs_review(role: Role) -> bool {
    matches!(
        role,
        Role::Doctor | Role::Assistant | Role::Consultant | Role::HospitalStaff
    )
}

/// Mirrors a role's state into the legacy `verify_state` of its profile.
async fn mirror<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    role: Role,
    st: RoleState,
) -> AppResult<()> {
    let code = st.legacy_code();
    let now = Utc::now();
    match role {
        Role::Doctor => {
            doctor_profile::Entity::update_many()
                .col_expr(doctor_profile::Column::VerifyState, Expr::value(code))
                .col_expr(doctor_profile::Column::UpdatedAt, Expr::value(now))
                .filter(doctor_profile::Column::UserId.eq(user_id))
                .exec(db)
                .await?;
        }
        Role::Assistant => {
            assistant_profile::Entity::update_many()
                .col_expr(assistant_profile::Column::VerifyState, Expr::value(code))
                .col_expr(assistant_profile::Column::UpdatedAt, Expr::value(now))
                .filter(assistant_profile::Column::UserId.eq(user_id))
                .exec(db)
                .await?;
        }
        _ => {}
    }
    Ok(())
}

/// The stored role row, if any.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    role: Role,
) -> AppResult<Option<user_role::Model>> {
    Ok(
        user_role::Entity::find_by_id((user_id, role.as_str().to_owned()))
            .one(db)
            .await?,
    )
}

/// Every role of a user with its state (approved or not), by role.
pub async fn states_of<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
) -> AppResult<Vec<(Role, user_role::Model)>> {
    let mut rows: Vec<(Role, user_role::Model)> = user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|r| r.role.parse::<Role>().ok().map(|role| (role, r)))
        .collect();
    rows.sort_by_key(|(role, _)| *role);
    Ok(rows)
}

/// The roles a user holds approved or applied for (pending): the profiles they may edit.
pub async fn held_or_applied<C: ConnectionTrait>(db: &C, user_id: i64) -> AppResult<Vec<Role>> {
    Ok(states_of(db, user_id)
        .await?
        .into_iter()
        .filter(|(_, r)| r.state == state::APPROVED || r.state == state::PENDING)
        .map(|(role, _)| role)
        .collect())
}

/// Grants a role approved (administrators' grants, seeds, imports, certification approvals),
/// creating its empty profile; a pending, rejected or revoked row becomes approved.
pub async fn grant<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    role: Role,
    by: Option<i64>,
) -> AppResult<()> {
    let now = Utc::now();
    match find(db, user_id, role).await? {
        None => {
            user_role::ActiveModel {
                user_id: Set(user_id),
                role: Set(role.as_str().to_owned()),
                created_at: Set(now),
                state: Set(state::APPROVED.into()),
                decided_by: Set(by),
                decided_at: Set(Some(now)),
                note: Set(None),
            }
            .insert(db)
            .await?;
        }
        Some(row) if row.state != state::APPROVED => {
            user_role::Entity::update_many()
                .col_expr(user_role::Column::State, Expr::value(state::APPROVED))
                .col_expr(user_role::Column::DecidedBy, Expr::value(by))
                .col_expr(user_role::Column::DecidedAt, Expr::value(now))
                .filter(user_role::Column::UserId.eq(user_id))
                .filter(user_role::Column::Role.eq(role.as_str()))
                .exec(db)
                .await?;
        }
        Some(_) => {}
    }
    profiles::ensure(db, user_id, role).await?;
    mirror(db, user_id, role, RoleState::Approved).await
}

/// Applies for a role: a patient is approved at once; a care role becomes (or, after a
/// rejection or revocation, becomes again) a pending application. An approved or pending role
/// stays as it is. Returns the state the role is in afterwards.
pub async fn apply<C: ConnectionTrait>(db: &C, user_id: i64, role: Role) -> AppResult<RoleState> {
    if role == Role::Administrator {
        return Err(AppError::bad_field(
            "role",
            "this role is granted by administrators, not applied for",
        ));
    }
    if !needs_review(role) {
        grant(db, user_id, role, None).await?;
        return Ok(RoleState::Approved);
    }
    let now = Utc::now();
    let current = find(db, user_id, role).await?;
    let result = match &current {
        None => {
            user_role::ActiveModel {
                user_id: Set(user_id),
                role: Set(role.as_str().to_owned()),
                created_at: Set(now),
                state: Set(state::PENDING.into()),
                decided_by: Set(None),
                decided_at: Set(None),
                note: Set(None),
            }
            .insert(db)
            .await?;
            RoleState::Pending
        }
        Some(row) if row.state == state::REJECTED || row.state == state::REVOKED => {
            user_role::Entity::update_many()
                .col_expr(user_role::Column::State, Expr::value(state::PENDING))
                .col_expr(user_role::Column::CreatedAt, Expr::value(now))
                .filter(user_role::Column::UserId.eq(user_id))
                .filter(user_role::Column::Role.eq(role.as_str()))
                .filter(user_role::Column::State.eq(row.state.clone()))
                .exec(db)
                .await?;
            RoleState::Pending
        }
        Some(row) => RoleState::stored(&row.state),
    };
    profiles::ensure(db, user_id, role).await?;
    mirror(db, user_id, role, result).await?;
    Ok(result)
}

/// Whether `viewer` may review `user_id`'s application for `role`: administrators always; for
/// consultants, also an administrator of an organization the consultant applied to or joined.
pub async fn may_review<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    user_id: i64,
    role: Role,
) -> AppResult<bool> {
    if viewer.is_admin() {
        return Ok(true);
    }
    if role != Role::Consultant {
        return Ok(false);
    }
    let administered = super::memberships::administered(db, viewer).await?;
    if administered.is_empty() {
        return Ok(false);
    }
    Ok(organization_membership::Entity::find()
        .filter(organization_membership::Column::DoctorId.eq(user_id))
        .filter(organization_membership::Column::OrganizationId.is_in(administered))
        .filter(organization_membership::Column::State.is_in([0_i16, 1]))
        .one(db)
        .await?
        .is_some())
}

/// Reviews a role: approves, rejects or revokes it (see [`RoleDecision`]), with an optional
/// reason; the user is notified. Refused transitions are `CONFLICT` naming the current state.
pub async fn review(
    s: &Services,
    viewer: &Viewer,
    user_id: i64,
    role: Role,
    decision: RoleDecision,
    note: Option<String>,
) -> AppResult<user_role::Model> {
    if !needs_review(role) {
        return Err(AppError::bad_field(
            "role",
            "only doctor, assistant, consultant and hospital staff roles are reviewed",
        ));
    }
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 500) {
        return Err(AppError::bad_field("note", "at most 500 characters"));
    }
    if !may_review(&s.db, viewer, user_id, role).await? {
        return Err(AppError::Forbidden(
            "only administrators (and, for consultants, their organization's administrators) review roles"
                .into(),
        ));
    }
    if user_id == viewer.user_id {
        return Err(AppError::Forbidden("nobody reviews their own role".into()));
    }
    let txn = s.db.begin().await?;
    let current = find(&txn, user_id, role)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("user {user_id} holds no {role} role")))?;
    let now = Utc::now();
    let target = decision.target();
    let done = user_role::Entity::update_many()
        .col_expr(user_role::Column::State, Expr::value(target.as_str()))
        .col_expr(user_role::Column::DecidedBy, Expr::value(viewer.user_id))
        .col_expr(user_role::Column::DecidedAt, Expr::value(now))
        .col_expr(user_role::Column::Note, Expr::value(note.clone()))
        .filter(user_role::Column::UserId.eq(user_id))
        .filter(user_role::Column::Role.eq(role.as_str()))
        .filter(user_role::Column::State.is_in(decision.source_states().iter().copied()))
        .exec(&txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(AppError::Conflict(format!(
            "the {} role is {}",
            role.as_str().replace('_', " "),
            current.state
        )));
    }
    profiles::ensure(&txn, user_id, role).await?;
    mirror(&txn, user_id, role, target).await?;
    let what = role_title(role);
    let (title, body) = match target {
        RoleState::Approved => (
            format!("Your {what} role is approved"),
            format!("You may now act as a {what}."),
        ),
        RoleState::Rejected => (
            format!("Your {what} application was rejected"),
            note.clone()
                .unwrap_or_else(|| "You may register again to reapply.".into()),
        ),
        _ => (
            format!("Your {what} role was revoked"),
            note.clone().unwrap_or_default(),
        ),
    };
    let notice = notifications::create(&txn, user_id, "role_review", &title, &body).await?;
    let updated = find(&txn, user_id, role)
        .await?
        .ok_or_else(|| AppError::internal("role vanished"))?;
    txn.commit().await?;
    if let Err(e) = notifications::publish(s.bus.as_ref(), &notice).await {
        tracing::warn!(error = ?e, "role review notification not published");
    }
    Ok(updated)
}

fn role_title(role: Role) -> String {
    role.as_str().replace('_', " ")
}

/// Role applications and decisions for a reviewer, oldest first: administrators see every
/// one; an organization's administrators the consultants of their organizations.
pub async fn list(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    state: Option<RoleState>,
    role: Option<Role>,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<user_role::Model>> {
    let mut cond = Condition::all();
    if !viewer.is_admin() {
        let administered = super::memberships::administered(db, viewer).await?;
        if administered.is_empty() {
            return Err(AppError::Forbidden(
                "only administrators and organization administrators review roles".into(),
            ));
        }
        cond = cond
            .add(user_role::Column::Role.eq(Role::Consultant.as_str()))
            .add(
                user_role::Column::UserId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(organization_membership::Column::DoctorId)
                        .from(organization_membership::Entity)
                        .and_where(
                            organization_membership::Column::OrganizationId.is_in(administered),
                        )
                        .to_owned(),
                ),
            );
    } else {
        cond = cond.add(
            user_role::Column::Role.is_in(
                [
                    Role::Doctor,
                    Role::Assistant,
                    Role::Consultant,
                    Role::HospitalStaff,
                ]
                .map(Role::as_str),
            ),
        );
    }
    if let Some(st) = state {
        cond = cond.add(user_role::Column::State.eq(st.as_str()));
    }
    if let Some(role) = role {
        cond = cond.add(user_role::Column::Role.eq(role.as_str()));
    }
    page::fetch(
        db,
        user_role::Entity::find().filter(cond),
        |q| {
            q.order_by_asc(user_role::Column::CreatedAt)
                .order_by_asc(user_role::Column::UserId)
                .order_by_asc(user_role::Column::Role)
        },
        window,
        with_total,
    )
    .await
}

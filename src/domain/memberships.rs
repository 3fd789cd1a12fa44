//! Organizations are joined, not claimed: a doctor's or consultant's organization is the one
//! of an approved membership (`organization_memberships`, applied for and decided in
//! [`super::clinic_catalogue`]), never a profile field. A member an administrator marks as
//! the organization's administrator reviews its consultants and sees its rosters and crisis
//! alerts.

use chrono::Utc;
use entity::{organization, organization_membership};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::clinic_catalogue::membership_state;
use crate::auth::{Role, Viewer};
use crate::error::{AppError, AppResult};
use crate::policy;

/// The organizations `user_id` administers (approved memberships marked administrator).
async fn administered_by<C: ConnectionTrait>(db: &C, user_id: i64) -> AppResult<Vec<i64>> {
    Ok(organization_membership::Entity::find()
        .filter(organization_membership::Column::DoctorId.eq(user_id))
        .filter(organization_membership::Column::State.eq(membership_state::APPROVED))
        .filter(organization_membership::Column::IsAdmin.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.organization_id)
        .collect())
}

/// The organization of a user: the first (lowest id) organization of their approved
/// memberships (`None` without one).
pub async fn organization_of<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
) -> AppResult<Option<organization::Model>> {
    let Some(m) = organization_membership::Entity::find()
        .filter(organization_membership::Column::DoctorId.eq(user_id))
        .filter(organization_membership::Column::State.eq(membership_state::APPROVED))
        .order_by_asc(organization_membership::Column::OrganizationId)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(organization::Entity::find_by_id(m.organization_id)
        .one(db)
        .await?)
}

/// The approved members of an organization.
pub async fn members_of<C: ConnectionTrait>(db: &C, organization_id: i64) -> AppResult<Vec<i64>> {
    Ok(organization_membership::Entity::find()
        .filter(organization_membership::Column::OrganizationId.eq(organization_id))
        .filter(organization_membership::Column::State.eq(membership_state::APPROVED))
        .order_by_asc(organization_membership::Column::DoctorId)
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.doctor_id)
        .collect())
}

/// The organizations `viewer` administers: only while the viewer holds an approved care role
/// (consultant or doctor), so a revoked or rejected member administers nothing even if their
/// membership still says so.
pub async fn administered<C: ConnectionTrait>(db: &C, viewer: &Viewer) -> AppResult<Vec<i64>> {
    if !(viewer.has(Role::Consultant) || viewer.has(Role::Doctor)) {
        return Ok(Vec::new());
    }
    administered_by(db, viewer.user_id).await
}

/// Whether `viewer` administers organization `organization_id`.
pub async fn administers<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    organization_id: i64,
) -> AppResult<bool> {
    Ok(administered(db, viewer).await?.contains(&organization_id))
}

/// A platform administrator makes an approved member an administrator of its organization (or
/// takes that back).
pub async fn set_admin<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    membership_id: i64,
    is_admin: bool,
) -> AppResult<organization_membership::Model> {
    policy::require_admin(viewer)?;
    let done = organization_membership::Entity::update_many()
        .col_expr(
            organization_membership::Column::IsAdmin,
            Expr::value(is_admin),
        )
        .col_expr(
            organization_membership::Column::UpdatedAt,
            Expr::value(Utc::now()),
        )
        .filter(organization_membership::Column::Id.eq(membership_id))
        .filter(organization_membership::Column::State.eq(membership_state::APPROVED))
        .exec(db)
        .await?;
    let model = organization_membership::Entity::find_by_id(membership_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no membership {membership_id}")))?;
    if done.rows_affected == 0 {
        return Err(AppError::Conflict(
            "only an approved member administers an organization".into(),
        ));
    }
    Ok(model)
}

//! The volunteer-doctor centres (个人中心) and homepages (首页) of patients and assistants:
//! what they show is read from the areas that own it (accounts, notifications, banners and
//! news, free clinics, special projects); the rules here are who may open a centre and which
//! homepage a hospital or organization id names.
//!
//! - A centre is the caller's own account and their unread system messages, counted exactly as
//!   the message list marks them unread (`notifications::unread_count`; broadcasts are one
//!   notification per recipient). Only a holder of the audience's role opens its centre.
//! - A homepage is the audience's, optionally a hospital's or an organization's, opened by a
//!   holder of the audience's role (or an administrator); an id that names no hospital or
//!   organization is `NOT_FOUND`.

use entity::user;
use sea_orm::{ConnectionTrait, EntityTrait};

use super::volunteer_content::Audience;
use super::{clinic_catalogue, notifications};
use crate::auth::{Role, Viewer};
use crate::error::{AppError, AppResult};
use crate::policy;

/// Banners a homepage shows by default.
pub const BANNERS: i32 = 5;
/// News items a homepage shows by default.
pub const NEWS: i32 = 5;
/// Free clinics a homepage shows by default (soonest first, not over, not cancelled).
pub const FREE_CLINICS: i32 = 10;
/// Special projects a homepage shows by default (latest first).
pub const SPECIAL_PROJECTS: i32 = 5;

/// The caller's centre (个人中心): their account and unread message count.
pub async fn centre<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    audience: Audience,
) -> AppResult<(user::Model, u64)> {
    policy::require_any_role(viewer, &[audience.role()])?;
    let account = user::Entity::find_by_id(viewer.user_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::Unauthenticated("the account no longer exists".into()))?;
    let unread = notifications::unread_count(db, viewer.user_id).await?;
    Ok((account, unread))
}

/// Opens a homepage: the caller holds the audience's role (or is an administrator), and the
/// hospital and organization it names exist.
pub async fn open_homepage<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    audience: Audience,
    hospital_id: Option<i64>,
    organization_id: Option<i64>,
) -> AppResult<()> {
    policy::require_any_role(viewer, &[audience.role(), Role::Administrator])?;
    if let Some(id) = hospital_id
        && !clinic_catalogue::hospitals_by_ids(db, &[id])
            .await?
            .contains_key(&id)
    {
        return Err(AppError::NotFound(format!("no hospital {id}")));
    }
    if let Some(id) = organization_id
        && !clinic_catalogue::organizations_by_ids(db, &[id])
            .await?
            .contains_key(&id)
    {
        return Err(AppError::NotFound(format!("no organization {id}")));
    }
    Ok(())
}

//! Who may read or change what, as pure functions that domain code and resolvers call. One
//! function per rule, so each rule is enforced in one place.

pub mod care;
pub mod community;
pub mod counseling;
pub mod masking;
pub mod volunteer;

use crate::auth::{Auth, Role, Viewer};
use crate::error::{AppError, AppResult};

/// The caller must be the user `owner_id` (their notifications, their sessions).
pub fn require_self(auth: &Auth, owner_id: i64) -> AppResult<&Viewer> {
    let viewer = auth.require()?;
    if viewer.user_id == owner_id {
        Ok(viewer)
    } else {
        Err(AppError::Forbidden("only the owner may see this".into()))
    }
}

/// The caller must be `owner_id` or an administrator (editing a profile).
pub fn require_self_or_admin(viewer: &Viewer, owner_id: i64) -> AppResult<()> {
    if viewer.user_id == owner_id || viewer.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only the owner or an administrator may change this".into(),
        ))
    }
}

/// The caller must be an administrator.
pub fn require_admin(viewer: &Viewer) -> AppResult<()> {
    require_any_role(viewer, &[Role::Administrator])
}

/// The caller must hold one of `roles`.
pub fn require_any_role(viewer: &Viewer, roles: &[Role]) -> AppResult<()> {
    if roles.iter().any(|r| viewer.has(*r)) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "only {} may do this",
            roles
                .iter()
                .map(|r| r.as_str().replace('_', " "))
                .collect::<Vec<_>>()
                .join(" or ")
        )))
    }
}

/// The one "verified carer" rule: the caller must hold one of `roles` approved. A session
/// carries approved roles only, so an applicant (pending, rejected or revoked) fails here with
/// a message that says why.
pub fn require_verified(viewer: &Viewer, roles: &[Role]) -> AppResult<()> {
    if roles.iter().any(|r| viewer.has(*r)) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "only a verified {} may do this (an application waits for an administrator's approval)",
            roles
                .iter()
                .map(|r| r.as_str().replace('_', " "))
                .collect::<Vec<_>>()
                .join(" or ")
        )))
    }
}

/// Which patients a caller who is not an administrator may see (list, read the profile of):
/// those of their care relationship (booked in their clinic, bound to them as assistant,
/// assigned to their inquiry), for verified doctors and assistants only.
pub fn patients_visible_to(viewer: &Viewer) -> AppResult<sea_orm::Condition> {
    require_verified(viewer, &[Role::Doctor, Role::Assistant])?;
    crate::domain::registrations::cared_for_condition(
        viewer,
        (entity::user::Entity, entity::user::Column::Id),
    )
    .ok_or_else(|| AppError::Forbidden("only carers see patients".into()))
}

/// Uploading files needs an account (uploads are attributed and rate-limited per user).
pub fn require_uploader(auth: &Auth) -> AppResult<&Viewer> {
    auth.require()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(user_id: i64) -> Auth {
        Auth {
            viewer: Some(Viewer {
                user_id,
                token_id: 1,
                roles: Vec::new(),
            }),
            token_rejected: false,
            client_ip: None,
        }
    }

    #[test]
    fn only_the_owner_passes_require_self() {
        assert!(require_self(&auth(1), 1).is_ok());
        assert_eq!(
            require_self(&auth(2), 1)
                .map(|_| ())
                .expect_err("forbidden")
                .code(),
            "FORBIDDEN"
        );
        assert_eq!(
            require_self(&Auth::default(), 1)
                .map(|_| ())
                .expect_err("unauthenticated")
                .code(),
            "UNAUTHENTICATED"
        );
    }
}

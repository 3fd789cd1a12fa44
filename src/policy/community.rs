//! Who may change community content: authors their own posts and comments, administrators
//! remove anything (moderation) and review reports and certifications.

use crate::auth::Viewer;
use crate::error::{AppError, AppResult};

/// Editing a post or comment: its author only (administrators moderate by deleting).
pub fn require_author(viewer: &Viewer, author_id: i64) -> AppResult<()> {
    if viewer.user_id == author_id {
        Ok(())
    } else {
        Err(AppError::Forbidden("only the author may edit this".into()))
    }
}

/// Deleting a post or comment: its author or an administrator.
pub fn require_author_or_admin(viewer: &Viewer, author_id: i64) -> AppResult<()> {
    if viewer.user_id == author_id || viewer.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only the author or an administrator may delete this".into(),
        ))
    }
}

/// Whose private community data (wallet, ledger, reports, addresses) the viewer reads: only
/// their own, or anyone's as an administrator.
pub fn may_read_private(viewer: Option<&Viewer>, owner_id: i64) -> bool {
    viewer.is_some_and(|v| v.user_id == owner_id || v.is_admin())
}

/// Reporting content: not one's own (a report asks an administrator to judge someone else).
pub fn require_not_own_content(viewer: &Viewer, author_id: i64) -> AppResult<()> {
    if viewer.user_id == author_id {
        Err(AppError::bad_field(
            "postId",
            "you cannot report what you wrote yourself",
        ))
    } else {
        Ok(())
    }
}

/// Reviewing reports and doctor certifications, and granting VIP memberships: administrators.
pub fn require_moderator(viewer: &Viewer) -> AppResult<()> {
    super::require_admin(viewer)
}

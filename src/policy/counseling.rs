//! Who may read counselling case files: the consultant who keeps them, and nobody else. Not
//! other consultants, not the organization's administrators (they see rosters only), not the
//! platform's administrators.

use entity::{client_profile, interview_archive, interview_session};

use crate::auth::Viewer;

/// A client profile is for the consultant who keeps it.
pub fn keeps_profile(viewer: &Viewer, profile: &client_profile::Model) -> bool {
    profile.consultant_id == viewer.user_id
}

/// An archive is for the consultant who keeps it.
pub fn keeps_archive(viewer: &Viewer, archive: &interview_archive::Model) -> bool {
    archive.consultant_id == viewer.user_id
}

/// A session is for the consultant who keeps its archive.
pub fn keeps_session(viewer: &Viewer, session: &interview_session::Model) -> bool {
    session.consultant_id == viewer.user_id
}

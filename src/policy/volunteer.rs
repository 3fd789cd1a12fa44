//! Who may manage volunteer content and take part in a chat.

use entity::chat_dialog;

use crate::auth::{Role, Viewer};
use crate::domain::chat::ChatSide;
use crate::error::{AppError, AppResult};

/// News, banners and system messages are managed by administrators.
pub fn require_content_admin(viewer: &Viewer) -> AppResult<()> {
    super::require_admin(viewer)
}

/// A message is written from the side the sender holds the role of (patient or doctor), to a
/// user holding the other role.
pub fn require_chat_side(
    sender: &Viewer,
    side: ChatSide,
    recipient_roles: &[Role],
) -> AppResult<()> {
    let (needed, other) = match side {
        ChatSide::Patient => (Role::Patient, Role::Doctor),
        ChatSide::Doctor => (Role::Doctor, Role::Patient),
    };
    if !sender.has(needed) {
        return Err(AppError::Forbidden(format!(
            "only a {} may write as one",
            needed.as_str()
        )));
    }
    if !recipient_roles.contains(&other) {
        return Err(AppError::Forbidden(format!(
            "a {} may only write to a {}",
            needed.as_str(),
            other.as_str()
        )));
    }
    Ok(())
}

/// A dialog and its messages are seen by its two participants only (not even administrators:
/// chats are private).
pub fn may_read_dialog(viewer_id: i64, dialog: &chat_dialog::Model) -> bool {
    dialog.patient_id == viewer_id || dialog.doctor_id == viewer_id
}

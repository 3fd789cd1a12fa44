//! Authentication: opaque session tokens (random 256 bits, stored as SHA-256, expiring,
//! revocable) and the one `Viewer` per request, found in whichever carrier the caller uses.

mod carriers;
mod tokens;

pub use carriers::{token_from_connection_params, token_from_headers};
pub use tokens::{issue_token, resolve_token, revoke_token};

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: i64,
    /// The session token row the caller presented (revoked on logout).
    pub token_id: i64,
}

/// What a request established about its caller: who it is, or that the presented token was
/// refused (so errors can say "expired token" rather than "not logged in").
#[derive(Debug, Clone, Default)]
pub struct Auth {
    pub viewer: Option<Viewer>,
    pub token_rejected: bool,
}

impl Auth {
    /// The viewer, or `UNAUTHENTICATED`.
    pub fn require(&self) -> crate::error::AppResult<&Viewer> {
        match (&self.viewer, self.token_rejected) {
            (Some(v), _) => Ok(v),
            (None, true) => Err(crate::error::AppError::Unauthenticated(
                "the token is invalid, expired or revoked".into(),
            )),
            (None, false) => Err(crate::error::AppError::Unauthenticated(
                "authentication required".into(),
            )),
        }
    }
}

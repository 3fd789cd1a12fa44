//! Authentication: opaque session tokens (random 256 bits, stored as SHA-256, expiring,
//! revocable) and the one `Viewer` per request, found in whichever carrier the caller uses.

pub mod captcha;
mod carriers;
pub mod codes;
pub mod passwords;
mod roles;
mod tokens;

use std::net::IpAddr;

pub use carriers::{
    CLIENT_IP_HEADER, carried_token, client_ip, is_cross_site, token_from_connection_params,
    token_from_headers,
};
pub use roles::Role;
pub use tokens::{issue_token, resolve_token, revoke_all_tokens, revoke_token, roles_of};

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: i64,
    /// The session token row the caller presented (revoked on logout).
    pub token_id: i64,
    /// The roles the account holds.
    pub roles: Vec<Role>,
}

impl Viewer {
    /// Whether the caller holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether the caller is an administrator.
    pub fn is_admin(&self) -> bool {
        self.has(Role::Administrator)
    }
}

/// What a request established about its caller: who it is, or that the presented token was
/// refused (so errors can say "expired token" rather than "not logged in"), and the client
/// address the per-IP limits count against.
#[derive(Debug, Clone, Default)]
pub struct Auth {
    pub viewer: Option<Viewer>,
    pub token_rejected: bool,
    pub client_ip: Option<IpAddr>,
}

impl Auth {
    /// The caller's user id, if logged in.
    pub fn user_id(&self) -> Option<i64> {
        self.viewer.as_ref().map(|v| v.user_id)
    }

    /// Whether the caller is a logged-in administrator.
    pub fn is_admin(&self) -> bool {
        self.viewer.as_ref().is_some_and(Viewer::is_admin)
    }

    /// The key per-IP limits use for this caller.
    pub fn ip_key(&self) -> String {
        self.client_ip
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
    }

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

//! Identity endpoints of this dialect (accounts, sessions, profiles).

use super::super::Route;

/// The identity routes.
pub fn routes() -> Vec<Route> {
    Vec::new()
}

//! Social dialect (`shared/seeds/003_29b9cf5da8c635a2.txt`): `/api/v2/*`, plain resources and
//! HTTP status codes. Its endpoints arrive with the identity and community areas; until then its
//! prefix answers in its format (404).

mod addresses;
mod community;
mod identity;
mod verification;

use super::Route;

/// The social routes.
pub fn routes() -> Vec<Route> {
    let mut routes = identity::routes();
    routes.extend(community::routes());
    routes.extend(addresses::routes());
    routes.extend(verification::routes());
    routes
}

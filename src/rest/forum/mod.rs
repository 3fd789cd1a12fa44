//! Forum dialect (`shared/seeds/000_44e828d101dc4174.txt`): `/api/UserInfo/*`, `/api/HB/*`,
//! `/api/Administrator/*`, `{errorCode, data}`. Its endpoints arrive with the identity and
//! community areas; until then its prefix answers in its envelope (404).

pub mod community;
mod identity;
mod recharge;
mod reviews;

use super::Route;

/// The forum routes.
pub fn routes() -> Vec<Route> {
    let mut routes = identity::routes();
    routes.extend(community::routes());
    routes.extend(reviews::routes());
    routes.extend(recharge::routes());
    routes
}

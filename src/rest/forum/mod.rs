//! Forum dialect (`shared/seeds/000_44e828d101dc4174.txt`): `/api/UserInfo/*`, `/api/HB/*`,
//! `/api/Administrator/*`, `{errorCode, data}`. Its endpoints arrive with the identity and
//! community areas; until then its prefix answers in its envelope (404).

mod identity;
mod recharge;

use super::Route;

/// The forum routes.
pub fn routes() -> Vec<Route> {
    let mut routes = identity::routes();
    routes.extend(recharge::routes());
    routes
}

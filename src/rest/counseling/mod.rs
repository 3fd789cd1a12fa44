//! Counselling dialect (`shared/seeds/004_6eeb67391c15f991.txt`): `/api/consultant/*` (and the
//! documented typo paths), `userID` + `token` in the body, `{code, message, data}`. Its
//! endpoints arrive with the identity and counselling areas; until then its prefix answers in its
//! envelope (404).

mod identity;

use super::Route;

/// The counseling routes.
pub fn routes() -> Vec<Route> {
    identity::routes()
}

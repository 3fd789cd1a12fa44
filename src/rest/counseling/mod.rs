//! Counselling dialect (`shared/seeds/004_6eeb67391c15f991.txt`): `/api/consultant/*` (and the
//! documented typo paths, with their corrected spellings as aliases), `userID` + `token` in the
//! body, `{code, message, data}`. Template downloads answer the file itself ([`download`]).

mod consultations;
pub mod download;
mod identity;
mod interviews;

use super::Route;

/// The counseling routes.
pub fn routes() -> Vec<Route> {
    let mut routes = identity::routes();
    routes.extend(consultations::routes());
    routes.extend(interviews::routes());
    routes
}

//! Forum dialect (`shared/seeds/000_44e828d101dc4174.txt`): `/api/UserInfo/*`, `/api/HB/*`,
//! `/api/Administrator/*`, `{errorCode, data}`. Its endpoints arrive with the identity and
//! community areas; until then its prefix answers in its envelope (404).

pub mod community;
mod identity;
mod recharge;
mod reviews;

use serde_json::Value;

use super::Route;

/// A required string of the document: the value, or `""` when the platform has none (a
/// required field is never null).
fn text(value: &Value) -> Value {
    match value {
        Value::String(_) => value.clone(),
        Value::Null => Value::from(""),
        other => Value::from(other.to_string()),
    }
}

/// A required integer of the document: the value, or `0` when the platform has none.
fn number(value: &Value) -> Value {
    if value.is_i64() || value.is_u64() {
        value.clone()
    } else {
        Value::from(0)
    }
}

/// The page a route asks for when its document does not page: the whole list, up to
/// `http.dialect_list_ceiling` (valid inside a route's `prepare`).
fn whole_list() -> Value {
    Value::from(crate::domain::page::max_page_size())
}

/// The forum routes.
pub fn routes() -> Vec<Route> {
    let mut routes = identity::routes();
    routes.extend(community::routes());
    routes.extend(reviews::routes());
    routes.extend(recharge::routes());
    routes
}

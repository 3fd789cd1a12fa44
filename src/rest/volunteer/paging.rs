//! Paging of the volunteer dialect: requests carry `current_page` (default 1) and `page_size`
//! (default 10, at most `http.dialect_list_ceiling`, default 1000: the document tells the
//! doctor app to send a large one); lists answer `data.list` with `data.page {current_page,
//! total_page, count, page_size}`. A route declares [`PAGE_PARAMS`], calls [`prepare`] from its
//! own prepare (or [`prepare_whole`] when its document does not page: the whole list up to
//! the ceiling when the client sends no page_size), selects `totalCount` on the connection and
//! builds its data with [`paged`].

use async_graphql::connection::CursorType;
use serde_json::{Map, Value, json};

use super::super::{Kind, Param, Source};
use crate::error::{AppError, AppResult};
use crate::graphql::connection::OffsetCursor;

/// Default page size of the dialect.
pub const DEFAULT_PAGE_SIZE: i64 = 10;
/// Largest page a client may ask for: the dialects' list ceiling in force
/// (`http.dialect_list_ceiling`, see [`crate::domain::page::max_page_size`]).
pub fn max_page_size() -> i64 {
    i64::try_from(crate::domain::page::max_page_size()).unwrap_or(i64::MAX)
}

/// The two paging parameters every list route declares (set aside as `$page` and
/// `$pageSize` for [`prepare`] and [`paged`]).
pub const PAGE_PARAMS: [Param; 2] = [
    Param::optional(
        "current_page",
        Source::Query,
        Kind::Int,
        "$page",
        "Page number, from 1 (default 1)",
    ),
    Param::optional(
        "page_size",
        Source::Query,
        Kind::Int,
        "$pageSize",
        "Items per page, 1 to http.dialect_list_ceiling (default 1000); default 10, or the whole list where the document does not page",
    ),
];

/// Reads the paging parameters, checks them and sets the connection's `first` / `after`
/// variables; keeps `$page` and `$pageSize` (normalized) for the transform.
pub fn prepare(vars: &mut Map<String, Value>) -> AppResult<()> {
    prepare_with_default(vars, DEFAULT_PAGE_SIZE)
}

/// [`prepare`] for a route whose document does not page: without `page_size` the whole list
/// (up to the ceiling) is one page.
pub fn prepare_whole(vars: &mut Map<String, Value>) -> AppResult<()> {
    prepare_with_default(vars, max_page_size())
}

fn prepare_with_default(vars: &mut Map<String, Value>, default_size: i64) -> AppResult<()> {
    let max = max_page_size();
    let page = vars.get("$page").and_then(Value::as_i64).unwrap_or(1);
    let size = vars
        .get("$pageSize")
        .and_then(Value::as_i64)
        .unwrap_or(default_size.min(max));
    if page < 1 {
        return Err(AppError::bad_field(
            "current_page",
            "current_page starts at 1",
        ));
    }
    if !(1..=max).contains(&size) {
        return Err(AppError::bad_field(
            "page_size",
            format!("page_size must be between 1 and {max}"),
        ));
    }
    let skip = (page - 1).saturating_mul(size);
    if skip > 0 {
        let cursor = OffsetCursor(skip.unsigned_abs() - 1).encode_cursor();
        vars.insert("after".into(), Value::String(cursor));
    }
    vars.insert("first".into(), Value::from(size));
    vars.insert("$page".into(), Value::from(page));
    vars.insert("$pageSize".into(), Value::from(size));
    Ok(())
}

/// `{list, page}` from the transformed items and the connection's `totalCount`; the page
/// numbers come from the `$page` / `$pageSize` the prepare set aside (echoed in `data`).
pub fn paged(data: &Value, list: Vec<Value>, total: &Value) -> Value {
    let page = data.get("$page").and_then(Value::as_i64).unwrap_or(1);
    let size = data
        .get("$pageSize")
        .and_then(Value::as_i64)
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .max(1);
    let count = total.as_i64().unwrap_or(0).max(0);
    crate::rest::object([
        ("list", Value::Array(list)),
        (
            "page",
            json!({
                "current_page": page,
                "total_page": (count + size - 1) / size,
                "count": count,
                "page_size": size,
            }),
        ),
    ])
}

/// `{list, page}` of the connection at `pointer` in `data`, each node shaped by `item`.
pub fn paged_at(
    data: &Value,
    pointer: &str,
    item: impl Fn(&Value) -> AppResult<Value>,
) -> AppResult<Value> {
    let conn = super::super::pick(data, pointer)?;
    let list = conn["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(item)
        .collect::<AppResult<Vec<_>>>()?;
    Ok(paged(data, list, &conn["totalCount"]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_become_cursors_and_come_back() {
        let mut vars = Map::new();
        vars.insert("$page".into(), Value::from(3));
        assert!(prepare(&mut vars).is_ok());
        assert_eq!(vars["first"], 10);
        assert_eq!(vars["after"], OffsetCursor(19).encode_cursor().as_str());
        let data = json!({"$page": 3, "$pageSize": 10});
        let out = paged(&data, vec![json!(1)], &json!(21));
        assert_eq!(
            out["page"],
            json!({"current_page": 3, "total_page": 3, "count": 21, "page_size": 10})
        );
        for (page, size) in [(0, 10), (1, 0), (1, max_page_size() + 1)] {
            let mut vars = Map::new();
            vars.insert("$page".into(), Value::from(page));
            vars.insert("$pageSize".into(), Value::from(size));
            assert!(prepare(&mut vars).is_err());
        }
    }
}

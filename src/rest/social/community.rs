//! Community endpoints of the social dialect: recommended users, users of the caller's city and
//! the income ranking. Lists are bare arrays of the user object, paged with limit/offset.

use async_graphql::connection::CursorType;
use http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::super::{Access, Dialect, Kind, Param, Route, Source, pick};
use super::identity::{USERS_EXAMPLE, user_object};
use crate::domain::page::max_page_size;
use crate::error::{AppError, AppResult};
use crate::graphql::connection::OffsetCursor;

const LIST_PARAMS: &[Param] = &[
    Param::optional(
        "limit",
        Source::Query,
        Kind::Int,
        "first",
        "Items to return, 1 to http.dialect_list_ceiling (default 1000); the document sets no \
         default: without limit the whole list is answered",
    ),
    Param::optional(
        "offset",
        Source::Query,
        Kind::Int,
        "$offset",
        "Items to skip (0 on the first page)",
    ),
];

const RANK_PARAMS: &[Param] = &[
    Param::optional(
        "days",
        Source::Query,
        Kind::Int,
        "days",
        "Only the last so many days (default: all time)",
    ),
    Param::optional(
        "city",
        Source::Query,
        Kind::String,
        "city",
        "Only users of this city, e.g. 成都 (default: everyone)",
    ),
    Param::optional(
        "limit",
        Source::Query,
        Kind::Int,
        "limit",
        "Places to return, at most 1000 (default 100)",
    )
    .with_default("100"),
];

fn route(
    path: &'static str,
    summary: &'static str,
    access: Access,
    document: &'static str,
    params: &'static [Param],
) -> Route {
    Route {
        dialect: Dialect::Social,
        method: Method::GET,
        path,
        summary,
        access,
        document,
        params,
        transform: user_list,
        example: Some(USERS_EXAMPLE),
        status: StatusCode::OK,
        prepare: Some(prepare_list),
    }
}

/// The community routes.
pub fn routes() -> Vec<Route> {
    vec![
        route(
            "/api/v2/user/recommends",
            "Recommended users: active users the caller does not follow yet, most followed \
             first (limit and offset; without limit the whole list, up to \
             http.dialect_list_ceiling, default 1000)",
            Access::Public,
            concat!(
                include_str!("ops/community_recommends.graphql"),
                include_str!("ops/identity_user_fields.graphql")
            ),
            LIST_PARAMS,
        ),
        Route {
            transform: nearby,
            ..route(
                "/api/v2/user/nearby",
                "Users living in the caller's city (同城), newest first; empty when the \
                 caller's city is unknown (limit and offset; without limit the whole list, up \
                 to http.dialect_list_ceiling, default 1000)",
                Access::LoggedIn,
                concat!(
                    include_str!("ops/community_nearby.graphql"),
                    include_str!("ops/identity_user_fields.graphql")
                ),
                LIST_PARAMS,
            )
        },
        Route {
            transform: income_rank,
            prepare: Some(prepare_rank),
            // The contract's example (contracts/social.json) shows it.
            example: None,
            ..route(
                "/api/v2/user/currency/income-rank",
                "Income ranking over the coin ledger (coins received), recomputed at most every \
                 three minutes: days (default all time), city (default everyone), limit (at \
                 most 1000, default 100). my_rank is absent when not logged in or not living \
                 in the city; its rank is \"1000+\" beyond the ranked places.",
                Access::Public,
                concat!(
                    include_str!("ops/community_income_rank.graphql"),
                    include_str!("ops/identity_user_fields.graphql")
                ),
                RANK_PARAMS,
            )
        },
    ]
}

fn prepare_list(vars: &mut Map<String, Value>) -> AppResult<()> {
    // The document gives limit no default: without it the whole list is answered.
    let max = i64::try_from(max_page_size()).unwrap_or(i64::MAX);
    let limit = vars.get("first").and_then(Value::as_i64).unwrap_or(max);
    if !(1..=max).contains(&limit) {
        return Err(AppError::bad_field(
            "limit",
            format!("limit must be between 1 and {max}"),
        ));
    }
    vars.insert("first".into(), Value::from(limit));
    match vars.remove("$offset").map(|v| v.as_i64()) {
        None | Some(Some(0)) => {}
        Some(Some(offset)) if offset > 0 => {
            let cursor = OffsetCursor(offset.unsigned_abs() - 1).encode_cursor();
            vars.insert("after".into(), Value::String(cursor));
        }
        Some(_) => {
            return Err(AppError::bad_field(
                "offset",
                "offset must be a number of at least 0",
            ));
        }
    }
    Ok(())
}

/// days and limit checked here, so that a refusal names them as the document does (and no
/// GraphQL wording, such as an `Int` overflow, reaches the client).
fn prepare_rank(vars: &mut Map<String, Value>) -> AppResult<()> {
    if let Some(days) = vars.get("days").and_then(Value::as_i64)
        && !(1..=36_500).contains(&days)
    {
        return Err(AppError::bad_field(
            "days",
            "days must be a number of days from 1 to 36500",
        ));
    }
    if let Some(limit) = vars.get("limit").and_then(Value::as_i64)
        && !(1..=1000).contains(&limit)
    {
        return Err(AppError::bad_field(
            "limit",
            "limit must be between 1 and 1000",
        ));
    }
    Ok(())
}

fn users_at(data: &Value, pointer: &str) -> AppResult<Value> {
    let nodes = pick(data, pointer)?;
    Ok(Value::Array(
        nodes
            .as_array()
            .map(|nodes| nodes.iter().map(user_object).collect::<AppResult<Vec<_>>>())
            .transpose()?
            .unwrap_or_default(),
    ))
}

fn user_list(data: Value) -> AppResult<Value> {
    users_at(&data, "/recommendedUsers/nodes")
}

fn nearby(data: Value) -> AppResult<Value> {
    users_at(&data, "/nearbyUsers/nodes")
}

fn income_rank(data: Value) -> AppResult<Value> {
    let ranking = pick(&data, "/incomeRanking")?;
    let rank_list = ranking["entries"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|e| {
                    Ok(json!({
                        "user": user_object(&e["user"])?,
                        "amount_count": e["amount"],
                        "rank": e["rank"].to_string(),
                    }))
                })
                .collect::<AppResult<Vec<_>>>()
        })
        .transpose()?
        .unwrap_or_default();
    let mut out = Map::new();
    out.insert("rank_list".into(), Value::Array(rank_list));
    let mine = &ranking["myRank"];
    if !mine.is_null() {
        out.insert(
            "my_rank".into(),
            json!({
                "user": user_object(&mine["user"])?,
                "amount_count": mine["amount"],
                "rank": super::identity::or_empty(&mine["rank"]),
            }),
        );
    }
    Ok(Value::Object(out))
}

//! Volunteer-doctor dialect (`shared/seeds/001_303bc9a5d2be2197.txt`): documented paths at the
//! root, `X-auth-token`, `{error_code, data, error_message}`.

mod assistants;
mod chat;
mod clinics;
mod content;
mod identity;
pub mod paging;
mod registrations;

use http::Method;
use serde_json::{Value, json};

use super::{Access, Dialect, Kind, Param, Route, Source, pick};
use crate::error::AppResult;

const CITY_PARAMS: &[Param] = &[Param::optional(
    "parent_id",
    Source::Query,
    Kind::Int,
    "parentCode",
    "6-digit code of the enclosing region; 0 lists provinces",
)
.with_default("0")];

const CITY_DISTRICTS_PARAMS: &[Param] = &[Param::required(
    "name",
    Source::Query,
    Kind::String,
    "name",
    "City name, full or short (`杭州市`, `杭州`); a municipality gives all its districts",
)];

const IMAGE_UPLOAD_PARAMS: &[Param] = &[Param::required(
    "file",
    Source::File,
    Kind::Upload,
    "file",
    "The image, as a multipart file part",
)];

/// The volunteer routes.
pub fn routes() -> Vec<Route> {
    let mut routes = identity::routes();
    routes.extend(content::routes());
    routes.extend(chat::routes());
    routes.extend(clinics::routes());
    routes.extend(registrations::routes());
    routes.extend(assistants::routes());
    routes.extend(vec![
        Route {
            dialect: Dialect::Volunteer,
            method: Method::GET,
            path: "/city",
            summary: "Regions under parent_id (0 or absent = provinces and municipalities)",
            access: Access::Public,
            document: concat!(
                include_str!("ops/cities.graphql"),
                include_str!("ops/region_fields.graphql")
            ),
            params: CITY_PARAMS,
            transform: cities,
            example: Some(
                r#"{"list":[{"id":110000,"parent_id":0,"name":"北京市","short_name":"北京","pinyin":"beijingshi","sort":1}]}"#,
            ),
            status: http::StatusCode::OK,
            prepare: None,
        },
        Route {
            dialect: Dialect::Volunteer,
            method: Method::GET,
            path: "/area/city",
            summary: "Districts (counties) of a city given by name",
            access: Access::Public,
            document: concat!(
                include_str!("ops/city_districts.graphql"),
                include_str!("ops/region_fields.graphql")
            ),
            params: CITY_DISTRICTS_PARAMS,
            transform: city_districts,
            example: Some(
                r#"{"list":[{"id":330102,"parent_id":330100,"name":"上城区","short_name":"上城","pinyin":"shangchengqu","sort":1}]}"#,
            ),
            status: http::StatusCode::OK,
            prepare: None,
        },
        Route {
            dialect: Dialect::Volunteer,
            method: Method::POST,
            path: "/imgupload",
            summary: "Upload an image (JPEG, PNG, GIF, WebP); answers its URL",
            access: Access::LoggedIn,
            document: include_str!("ops/image_upload.graphql"),
            params: IMAGE_UPLOAD_PARAMS,
            transform: image_upload,
            example: Some(
                r#"{"url":"http://127.0.0.1:8080/files/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}"#,
            ),
            status: http::StatusCode::OK,
            prepare: None,
        },
    ]);
    // The document's own example (the contract's `response`, in the form served) is the
    // OpenAPI example of every route that has one.
    for route in &mut routes {
        if super::contract::route(Dialect::Volunteer, route.method.as_str(), route.path)
            .is_some_and(|c| c.response.is_some())
        {
            route.example = None;
        }
    }
    routes
}

/// Regions as the dialect lists them (§1.2.5).
fn regions(data: &Value, pointer: &str) -> AppResult<Value> {
    let nodes = pick(data, pointer)?;
    let list: Vec<Value> = nodes
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            json!({
                "id": int(&r["id"]),
                "parent_id": int(&r["parent_id"]),
                "name": text(&r["name"]),
                "short_name": text(&r["short_name"]),
                "pinyin": text(&r["pinyin"]),
                "sort": int(&r["sort"]),
            })
        })
        .collect();
    Ok(crate::rest::object([("list", Value::Array(list))]))
}

fn cities(data: Value) -> AppResult<Value> {
    regions(&data, "/regions/nodes")
}

fn city_districts(data: Value) -> AppResult<Value> {
    regions(&data, "/districtsOfCity/nodes")
}

fn image_upload(data: Value) -> AppResult<Value> {
    Ok(json!({ "url": pick(&data, "/uploadFile/url")? }))
}

// ---------------------------------------------------------------------------------------------
// Empty values: a documented field is never null; without a value it is served as the documented
// empty value of its type (`src/rest/contracts/volunteer.json`).

/// A documented string: the text, a number as text, else `""`.
pub(super) fn text(value: &Value) -> Value {
    match value {
        Value::String(_) => value.clone(),
        Value::Number(n) => Value::String(n.to_string()),
        _ => Value::String(String::new()),
    }
}

/// A documented integer: the number, else `0`.
pub(super) fn int(value: &Value) -> Value {
    match value.as_i64() {
        Some(n) => Value::from(n),
        None => Value::from(0),
    }
}

/// A documented list of strings: the list, else `[]`.
pub(super) fn strings(value: &Value) -> Value {
    match value {
        Value::Array(items) => {
            Value::Array(items.iter().filter(|v| v.is_string()).cloned().collect())
        }
        _ => Value::Array(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_fields_get_their_empty_values() {
        assert_eq!(text(&Value::Null), json!(""));
        assert_eq!(text(&json!("a")), json!("a"));
        assert_eq!(text(&json!(12)), json!("12"));
        assert_eq!(int(&Value::Null), json!(0));
        assert_eq!(int(&json!(7)), json!(7));
        assert_eq!(strings(&Value::Null), json!([]));
        assert_eq!(strings(&json!(["a", null, "b"])), json!(["a", "b"]));
    }
}

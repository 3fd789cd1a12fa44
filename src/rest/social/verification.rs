//! User verification of the social dialect (`/api/v2/user/verification`, 用户认证): submit
//! (201 with the verification), resubmit after a rejection (PATCH, 204; a `type` in the body
//! is ignored) and delete (204); and the `verification` object of every user object.
//!
//! The body is the documented `{"type": "user"|"org", "data": {...}}`; images (`id_card.front`,
//! `id_card.rear`, `org.certificate`) are addresses (or URLs) of images uploaded before. A 422
//! lists every invalid field under its legacy name (`data.id_card.number`). Others see the
//! object masked as the document shows (`5******04****************6****9`, `187******82`),
//! without images; the owner and administrators see it whole.

use chrono::{DateTime, SecondsFormat, Utc};
use http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::super::{Access, Dialect, Kind, Param, Route, Source, pick};
use super::identity::or_empty;
use crate::error::{AppError, AppResult};
use crate::graphql::node::decode_int_id;

const DATA: Param = Param::required(
    "data",
    Source::Body,
    Kind::Json,
    "input",
    "The verification: personal {id_card: {front, rear, number}, real_name, phone_number, desc}; \
     organization {org: {name, address, certificate}, person: {name, number}, phone_number, \
     desc}. front, rear and certificate are addresses or URLs of uploaded images",
);

const SUBMIT_PARAMS: &[Param] = &[
    Param::required(
        "type",
        Source::Body,
        Kind::String,
        "kind",
        "user (personal) or org (organization)",
    ),
    DATA,
];

const RESUBMIT_PARAMS: &[Param] = &[DATA];

const VERIFICATION_EXAMPLE: &str = r#"{"type":"user","state":-1,"created_at":"2019-03-05T01:56:51Z","updated_at":"2019-03-05T01:56:51Z","desc":"智艺花泽类❤","id_card":{"number":"510904199001016289","front":{"url":"http://127.0.0.1:8080/files/9f86d0…","vendor":"local","mime":"image/jpeg","size":5681,"dimension":{"width":200,"height":200},"node":"9f86d0…"},"rear":{"url":"http://127.0.0.1:8080/files/3c2b1a…","vendor":"local","mime":"image/jpeg","size":456699,"dimension":{"width":1836,"height":2448},"node":"3c2b1a…"}},"real_name":"Seven Du","phone_number":"18712345682","user_id":4}"#;

fn route(
    method: Method,
    summary: &'static str,
    document: &'static str,
    params: &'static [Param],
) -> Route {
    Route {
        dialect: Dialect::Social,
        method,
        path: "/api/v2/user/verification",
        summary,
        access: Access::LoggedIn,
        document,
        params,
        transform: super::super::empty,
        example: None,
        status: StatusCode::NO_CONTENT,
        prepare: Some(prepare),
    }
}

/// The verification routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route {
            transform: submitted,
            example: Some(VERIFICATION_EXAMPLE),
            status: StatusCode::CREATED,
            ..route(
                Method::POST,
                "Submit the caller's personal (type=user) or organization (type=org) \
                 verification (首次提交认证信息); 201 with it, waiting for review (state -1). \
                 409 when one exists; 422 lists every invalid field.",
                concat!(
                    include_str!("ops/verification_submit.graphql"),
                    include_str!("ops/verification_fields.graphql")
                ),
                SUBMIT_PARAMS,
            )
        },
        route(
            Method::PATCH,
            "Resubmit the caller's rejected verification (更新认证信息, only when state = 0) with \
             new data; its type never changes (a type in the body is ignored) and it waits for \
             review again. 409 unless rejected; 404 without one.",
            include_str!("ops/verification_resubmit.graphql"),
            RESUBMIT_PARAMS,
        ),
        route(
            Method::DELETE,
            "Delete the caller's verification (删除认证信息); 404 without one",
            include_str!("ops/verification_delete.graphql"),
            &[],
        ),
    ]
}

/// The legacy data keys and their `VerificationInput` names, per nesting level.
const DATA_KEYS: [(&str, &str); 6] = [
    ("id_card", "idCard"),
    ("real_name", "realName"),
    ("phone_number", "phoneNumber"),
    ("desc", "desc"),
    ("org", "org"),
    ("person", "person"),
];
const ID_CARD_KEYS: [(&str, &str); 3] =
    [("front", "front"), ("rear", "rear"), ("number", "number")];
const ORG_KEYS: [(&str, &str); 3] = [
    ("name", "name"),
    ("address", "address"),
    ("certificate", "certificate"),
];
const PERSON_KEYS: [(&str, &str); 2] = [("name", "name"), ("number", "number")];

/// A legacy leaf as a string (numbers such as an ID-card number sent bare become text); other
/// values pass through for the schema to refuse.
fn leaf(value: &Value) -> Value {
    match value {
        Value::Number(n) => Value::String(n.to_string()),
        other => other.clone(),
    }
}

fn object(field: &str, value: &Value) -> AppResult<Map<String, Value>> {
    match value {
        Value::Object(map) => Ok(map.clone()),
        Value::Null => Ok(Map::new()),
        Value::String(s) if s.trim().is_empty() => Ok(Map::new()),
        _ => Err(AppError::bad_field(
            field,
            format!("{field} must be an object"),
        )),
    }
}

fn rename(field: &str, value: &Value, keys: &[(&str, &str)]) -> AppResult<Map<String, Value>> {
    let from = object(field, value)?;
    Ok(keys
        .iter()
        .filter_map(|(legacy, name)| from.get(*legacy).map(|v| ((*name).to_owned(), leaf(v))))
        .collect())
}

/// `type` as the schema's kind, `data` as a `VerificationInput` (snake case to camel case; a
/// JSON-encoded `data` string, as form clients send it, is read too).
fn prepare(vars: &mut Map<String, Value>) -> AppResult<()> {
    if let Some(kind) = vars.remove("kind") {
        let kind = match kind
            .as_str()
            .map(|s| s.trim().to_ascii_lowercase())
            .as_deref()
        {
            Some("user") => "USER",
            Some("org") => "ORG",
            _ => return Err(AppError::bad_field("type", "type must be user or org")),
        };
        vars.insert("kind".into(), Value::from(kind));
    }
    let data = match vars.remove("input").unwrap_or(Value::Null) {
        Value::String(s) => serde_json::from_str(&s)
            .map_err(|_| AppError::bad_field("data", "data must be an object"))?,
        other => other,
    };
    let data = object("data", &data)?;
    let mut input = Map::new();
    for (legacy, name) in DATA_KEYS {
        let Some(value) = data.get(legacy) else {
            continue;
        };
        let field = format!("data.{legacy}");
        let value = match legacy {
            "id_card" => Value::Object(rename(&field, value, &ID_CARD_KEYS)?),
            "org" => Value::Object(rename(&field, value, &ORG_KEYS)?),
            "person" => Value::Object(rename(&field, value, &PERSON_KEYS)?),
            _ => leaf(value),
        };
        input.insert(name.to_owned(), value);
    }
    vars.insert("input".into(), Value::Object(input));
    Ok(())
}

fn submitted(data: Value) -> AppResult<Value> {
    Ok(verification_object(pick(&data, "/submitVerification")?))
}

/// A GraphQL `DateTime` as `2019-03-05T01:56:51Z`.
fn timestamp(value: &Value) -> Value {
    match value.as_str().map(DateTime::parse_from_rfc3339) {
        Some(Ok(t)) => Value::String(
            t.with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::Secs, true),
        ),
        _ => value.clone(),
    }
}

/// A stored file as the documented image object; `None` when not shown.
fn image(file: &Value) -> Option<Value> {
    (!file.is_null()).then(|| {
        json!({
            "url": file["url"],
            "vendor": "local",
            "mime": file["contentType"],
            "size": file["size"],
            "dimension": {"width": file["width"], "height": file["height"]},
            "node": file["hash"],
        })
    })
}

/// Adds the images that are shown.
fn with_images(mut out: Map<String, Value>, images: &[(&str, &Value)]) -> Value {
    for (key, file) in images {
        if let Some(image) = image(file) {
            out.insert((*key).to_owned(), image);
        }
    }
    Value::Object(out)
}

/// The documented `verification` object of a user object (null when none), from the schema's
/// `Verification` (already masked for the caller): `type`, `state` (-1 waiting, 0 rejected,
/// 1 approved), `desc`, `phone_number`, personal `id_card` + `real_name` or organization `org` +
/// `person`, `user_id`, the times, and `reject_reason` when the caller may see one. Images the
/// caller may not see are left out.
pub(super) fn verification_object(v: &Value) -> Value {
    if !v.is_object() {
        return Value::Null;
    }
    let personal = v["kind"] != "ORG";
    let mut out = Map::new();
    out.insert(
        "type".into(),
        Value::from(if personal { "user" } else { "org" }),
    );
    out.insert(
        "state".into(),
        Value::from(match v["state"].as_str() {
            Some("APPROVED") => 1,
            Some("REJECTED") => 0,
            _ => -1,
        }),
    );
    out.insert("created_at".into(), timestamp(&v["createdAt"]));
    out.insert("updated_at".into(), timestamp(&v["updatedAt"]));
    out.insert("desc".into(), or_empty(&v["description"]));
    if personal {
        let card = &v["idCard"];
        let mut id_card = Map::new();
        id_card.insert("number".into(), or_empty(&card["number"]));
        out.insert(
            "id_card".into(),
            with_images(
                id_card,
                &[("rear", &card["rear"]), ("front", &card["front"])],
            ),
        );
        out.insert("real_name".into(), or_empty(&v["realName"]));
    } else {
        let org = &v["org"];
        let mut org_out = Map::new();
        org_out.insert("name".into(), or_empty(&org["name"]));
        org_out.insert("address".into(), or_empty(&org["address"]));
        out.insert(
            "org".into(),
            with_images(org_out, &[("certificate", &org["certificate"])]),
        );
        out.insert(
            "person".into(),
            json!({"name": or_empty(&v["person"]["name"]), "number": or_empty(&v["person"]["number"])}),
        );
    }
    out.insert("phone_number".into(), or_empty(&v["phoneNumber"]));
    if let Some(user) = v["user"]["id"].as_str()
        && let Ok(id) = decode_int_id(user, "User")
    {
        out.insert("user_id".into(), Value::from(id));
    }
    if !v["rejectReason"].is_null() {
        out.insert("reject_reason".into(), v["rejectReason"].clone());
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_data_becomes_the_input() {
        let mut vars = Map::new();
        vars.insert("kind".into(), Value::from("org"));
        vars.insert(
            "input".into(),
            json!({"org": {"name": "x", "certificate": "abc"}, "person": {"number": 510904199001016289u64},
                   "phone_number": 18712345682u64, "desc": "d", "unknown": 1}),
        );
        assert!(prepare(&mut vars).is_ok());
        assert_eq!(vars["kind"], "ORG");
        assert_eq!(
            vars["input"],
            json!({"org": {"name": "x", "certificate": "abc"}, "person": {"number": "510904199001016289"},
                   "phoneNumber": "18712345682", "desc": "d"})
        );
        let mut vars = Map::new();
        vars.insert("kind".into(), Value::from("team"));
        assert!(prepare(&mut vars).is_err());
    }

    #[test]
    fn an_absent_verification_is_null() {
        assert_eq!(verification_object(&Value::Null), Value::Null);
    }

    #[test]
    fn masked_objects_leave_images_out() {
        let v = json!({"kind": "USER", "state": "WAITING", "description": "d",
                       "realName": "张*", "phoneNumber": "187******82",
                       "idCard": {"number": "5******04****************6****9", "front": null, "rear": null},
                       "createdAt": "2019-03-05T01:56:51.5Z", "updatedAt": "2019-03-05T01:56:51Z",
                       "user": {"id": crate::graphql::node::global_id("User", 4).0}, "rejectReason": null});
        let out = verification_object(&v);
        assert_eq!(
            out,
            json!({"type": "user", "state": -1, "created_at": "2019-03-05T01:56:51Z",
                   "updated_at": "2019-03-05T01:56:51Z", "desc": "d",
                   "id_card": {"number": "5******04****************6****9"},
                   "real_name": "张*", "phone_number": "187******82", "user_id": 4})
        );
    }
}

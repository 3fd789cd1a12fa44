//! Identity endpoints of the medassist dialect (`/api/user/*`): logins, the session, the
//! caller's account, patient and physician lists, bulk import and account maintenance.
//!
//! The legacy document gives no response bodies; these are ours, camelCase and alike on every
//! endpoint: a user is always the shape of [`user_of`] (the caller sees their own data in full,
//! others see it as the schema discloses it: masked contacts, no address), lists are
//! `{list, total, page, pageSize}`.

use async_graphql::connection::CursorType;
use http::Method;
use serde_json::{Map, Value, json};

use super::super::{Access, Dialect, Kind, Param, Route, Source, pick};
use crate::error::{AppError, AppResult};
use crate::graphql::connection::OffsetCursor;

/// Default page size of the lists.
const DEFAULT_PAGE_SIZE: i64 = 20;

/// Largest page size (the schema's limit for a connection).
const MAX_PAGE_SIZE: i64 = 100;

/// An example user, as every endpoint shows it.
macro_rules! user_example {
    () => {
        r#"{"uuid":"7f0e2c1a-5b3d-4e8f-9a6b-1c2d3e4f5a6b","username":"lihua","nickname":"梨花","realName":"李华","phone":"19081309823","email":"lihua@example.com","gender":"female","homeAddress":"xxx社区3栋2001号","hospital":null,"department":null,"position":null,"avatar":null,"roles":["patient"],"status":"active","createdAt":"2024-10-02T12:30:00Z"}"#
    };
}

/// A physician as the lists show them to others: contacts masked, no address.
macro_rules! doctor_example {
    () => {
        r#"{"uuid":"0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d","username":"zhanghua","nickname":"彰化","realName":"张*","phone":"189****2345","email":"z***@example.com","gender":"male","homeAddress":null,"hospital":"xxx社区医院","department":"全科","position":"主治医师","avatar":null,"roles":["doctor"],"status":"active","createdAt":"2024-10-01T08:00:00Z"}"#
    };
}

const LOGIN_PARAMS: &[Param] = &[
    Param::required(
        "phone",
        Source::Body,
        Kind::String,
        "phone",
        "Mobile number of the account",
    ),
    Param::required(
        "password",
        Source::Body,
        Kind::String,
        "password",
        "The password",
    ),
];

const ADMIN_LOGIN_PARAMS: &[Param] = &[
    Param::required(
        "username",
        Source::Body,
        Kind::String,
        "username",
        "Username of an administrator account",
    ),
    Param::required(
        "password",
        Source::Body,
        Kind::String,
        "password",
        "The password",
    ),
];

const LIST_PARAMS: &[Param] = &[
    Param::optional(
        "page",
        Source::Query,
        Kind::Int,
        "page",
        "Page number, from 1 (medgraph addition; the legacy document has no paging)",
    )
    .with_default("1"),
    Param::optional(
        "pageSize",
        Source::Query,
        Kind::Int,
        "pageSize",
        "Items per page, 1 to 100 (medgraph addition)",
    )
    .with_default("20"),
];

const IMPORT_PARAMS: &[Param] = &[
    Param::required(
        "file",
        Source::File,
        Kind::Upload,
        "file",
        "The spreadsheet (.xlsx, .xls, .ods or .csv, UTF-8). The first row names the columns, in English or Chinese and in any order: role (角色: patient/患者, doctor/physician/医师, assistant/医助, consultant/咨询师, hospital_staff), phone (手机号), email (邮箱), username (用户名), nickname (昵称), password (密码), real_name (姓名), hospital (医院, physicians), home_addr (家庭住址). A row needs a role and a phone number or an e-mail address.",
    ),
    Param::optional(
        "skipInvalid",
        Source::Query,
        Kind::Bool,
        "skipInvalid",
        "Import the valid rows even when others have errors (medgraph addition); by default a file with any bad row imports nothing",
    )
    .with_default("false"),
];

const UUID_DESCRIPTION: &str = "The account's `uuid` (as queryUserMessage shows it; the legacy examples' 8-hex-digit ids are not valid); the caller's own account when absent";

const UPDATE_PATIENT_PARAMS: &[Param] = &[
    Param::optional(
        "uuid",
        Source::Body,
        Kind::String,
        "userUuid",
        UUID_DESCRIPTION,
    ),
    Param::optional(
        "nickname",
        Source::Body,
        Kind::String,
        "nickname",
        "Nickname (昵称) shown to others",
    ),
    Param::optional(
        "home_addr",
        Source::Body,
        Kind::String,
        "homeAddr",
        "Home address (家庭住址); `homeAddress` is accepted too",
    ),
    Param::optional(
        "homeAddress",
        Source::Body,
        Kind::String,
        "homeAddress",
        "Home address, as the answers spell it",
    ),
    Param::optional(
        "phone",
        Source::Body,
        Kind::String,
        "phone",
        "New mobile number (administrators only; owners change it with a verification code)",
    ),
    Param::optional(
        "password",
        Source::Body,
        Kind::String,
        "password",
        "New password (administrators only; the account's sessions end)",
    ),
];

const UPDATE_PHYSICIAN_PARAMS: &[Param] = &[
    Param::optional(
        "uuid",
        Source::Body,
        Kind::String,
        "userUuid",
        UUID_DESCRIPTION,
    ),
    Param::optional(
        "nickname",
        Source::Body,
        Kind::String,
        "nickname",
        "Nickname (昵称) shown to others",
    ),
    Param::optional(
        "hospital",
        Source::Body,
        Kind::String,
        "hospitalName",
        "Hospital the physician works at",
    ),
    Param::optional(
        "phone",
        Source::Body,
        Kind::String,
        "phone",
        "New mobile number (administrators only; owners change it with a verification code)",
    ),
    Param::optional(
        "password",
        Source::Body,
        Kind::String,
        "password",
        "New password (administrators only; the account's sessions end)",
    ),
];

/// The identity routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route {
            dialect: Dialect::Medassist,
            method: Method::POST,
            path: "/api/user/login",
            summary: "Log in with phone number and password; answers a token for the Authorization header (bare or `Bearer <token>`)",
            access: Access::Public,
            document: concat!(
                include_str!("ops/identity_login.graphql"),
                include_str!("ops/identity_user_fields.graphql")
            ),
            params: LOGIN_PARAMS,
            transform: session,
            example: Some(concat!(
                r#"{"token":"q3J9…","expiresAt":"2024-11-01T12:30:00Z","user":"#,
                user_example!(),
                "}"
            )),
            status: http::StatusCode::OK,
            prepare: None,
        },
        Route {
            dialect: Dialect::Medassist,
            method: Method::POST,
            path: "/api/user/adminLogin",
            summary: "Administrator login with username and password; other accounts are refused (403)",
            access: Access::Public,
            document: concat!(
                include_str!("ops/identity_admin_login.graphql"),
                include_str!("ops/identity_user_fields.graphql")
            ),
            params: ADMIN_LOGIN_PARAMS,
            transform: session,
            example: Some(
                r#"{"token":"q3J9…","expiresAt":"2024-11-01T12:30:00Z","user":{"uuid":"5c4b3a29-1807-4f6e-9d5c-4b3a29180706","username":"admin","nickname":"admin","realName":null,"phone":"13900000000","email":"admin@example.com","gender":"undisclosed","homeAddress":null,"hospital":null,"department":null,"position":null,"avatar":null,"roles":["administrator"],"status":"active","createdAt":"2024-10-01T08:00:00Z"}}"#,
            ),
            status: http::StatusCode::OK,
            prepare: None,
        },
        Route {
            dialect: Dialect::Medassist,
            method: Method::GET,
            path: "/api/user/verifyToken",
            summary: "Check the token of the Authorization header: {valid: true, user} when it works; a missing, invalid, expired or revoked token answers 401",
            access: Access::LoggedIn,
            document: concat!(
                include_str!("ops/identity_me.graphql"),
                include_str!("ops/identity_user_fields.graphql")
            ),
            params: &[],
            transform: verify_token,
            example: Some(concat!(r#"{"valid":true,"user":"#, user_example!(), "}")),
            status: http::StatusCode::OK,
            prepare: None,
        },
        Route {
            dialect: Dialect::Medassist,
            method: Method::GET,
            path: "/api/user/logOut",
            summary: "Log out: the token of the Authorization header stops working at once",
            access: Access::LoggedIn,
            document: include_str!("ops/identity_logout.graphql"),
            params: &[],
            transform: logged_out,
            example: Some(r#"{"loggedOut":true}"#),
            status: http::StatusCode::OK,
            prepare: None,
        },
        Route {
            dialect: Dialect::Medassist,
            method: Method::GET,
            path: "/api/user/queryUserMessage",
            summary: "The caller's account, in full",
            access: Access::LoggedIn,
            document: concat!(
                include_str!("ops/identity_me.graphql"),
                include_str!("ops/identity_user_fields.graphql")
            ),
            params: &[],
            transform: me,
            example: Some(user_example!()),
            status: http::StatusCode::OK,
            prepare: None,
        },
        Route {
            dialect: Dialect::Medassist,
            method: Method::GET,
            path: "/api/user/queryPatientInformation",
            summary: "Patients, oldest account first, a page at a time (physicians, assistants, hospital staff and administrators; others get 403). Contacts are masked and addresses hidden unless the caller is an administrator",
            access: Access::LoggedIn,
            document: concat!(
                include_str!("ops/identity_users.graphql"),
                include_str!("ops/identity_user_fields.graphql")
            ),
            params: LIST_PARAMS,
            transform: user_list,
            example: Some(
                r#"{"list":[{"uuid":"7f0e2c1a-5b3d-4e8f-9a6b-1c2d3e4f5a6b","username":"lihua","nickname":"梨花","realName":"李*","phone":"190****9823","email":"l***@example.com","gender":"female","homeAddress":null,"hospital":null,"department":null,"position":null,"avatar":null,"roles":["patient"],"status":"active","createdAt":"2024-10-02T12:30:00Z"}],"total":1,"page":1,"pageSize":20}"#,
            ),
            status: http::StatusCode::OK,
            prepare: Some(patients_page),
        },
        Route {
            dialect: Dialect::Medassist,
            method: Method::GET,
            path: "/api/user/queryDoctorInformation",
            summary: "Physicians, oldest account first, a page at a time. Contacts are masked unless the caller is the physician or an administrator",
            access: Access::Public,
            document: concat!(
                include_str!("ops/identity_users.graphql"),
                include_str!("ops/identity_user_fields.graphql")
            ),
            params: LIST_PARAMS,
            transform: user_list,
            example: Some(concat!(
                r#"{"list":["#,
                doctor_example!(),
                r#"],"total":1,"page":1,"pageSize":20}"#
            )),
            status: http::StatusCode::OK,
            prepare: Some(doctors_page),
        },
        Route {
            dialect: Dialect::Medassist,
            method: Method::POST,
            path: "/api/user/uploadUserMessage",
            summary: "Bulk-import accounts from a spreadsheet (administrators). Every row is checked first; the report names each bad row and column. With a bad row nothing is imported unless skipInvalid is set",
            access: Access::LoggedIn,
            document: include_str!("ops/identity_import.graphql"),
            params: IMPORT_PARAMS,
            transform: import_report,
            example: Some(
                r#"{"total":2,"imported":0,"failed":1,"rows":[{"row":2,"ok":true,"imported":false,"userId":null,"field":null,"error":null},{"row":3,"ok":false,"imported":false,"userId":null,"field":"phone","error":"phone must be a mainland mobile number"}]}"#,
            ),
            status: http::StatusCode::OK,
            prepare: None,
        },
        Route {
            dialect: Dialect::Medassist,
            method: Method::PUT,
            path: "/api/user/updatePatientInformation",
            summary: "Update a patient's account: nickname and home address (the owner or an administrator); phone number and password (administrators only, 403 for others). Answers the updated user",
            access: Access::LoggedIn,
            document: concat!(
                include_str!("ops/identity_update_account.graphql"),
                include_str!("ops/identity_user_fields.graphql")
            ),
            params: UPDATE_PATIENT_PARAMS,
            transform: updated_user,
            example: Some(user_example!()),
            status: http::StatusCode::OK,
            prepare: Some(account_input),
        },
        Route {
            dialect: Dialect::Medassist,
            method: Method::PUT,
            path: "/api/user/updatePhysicianInformation",
            summary: "Update a physician's account: nickname and hospital (the owner or an administrator); phone number and password (administrators only, 403 for others). Answers the updated user",
            access: Access::LoggedIn,
            document: concat!(
                include_str!("ops/identity_update_account.graphql"),
                include_str!("ops/identity_user_fields.graphql")
            ),
            params: UPDATE_PHYSICIAN_PARAMS,
            transform: updated_user,
            example: Some(doctor_example!()),
            status: http::StatusCode::OK,
            prepare: Some(account_input),
        },
    ]
}

/// Lower-case form of a GraphQL enum value (`"FEMALE"` -> `"female"`).
pub(super) fn lower(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(s.to_ascii_lowercase()),
        other => other.clone(),
    }
}

/// The medassist shape of a `MedassistUser` fragment.
pub(super) fn user_of(user: &Value) -> Value {
    let doctor = &user["doctorProfile"];
    let roles: Vec<Value> = user["roles"]
        .as_array()
        .map(|roles| roles.iter().map(lower).collect())
        .unwrap_or_default();
    json!({
        "uuid": user["uuid"],
        "username": user["username"],
        "nickname": user["displayName"],
        "realName": user["realName"],
        "phone": user["phone"],
        "email": user["email"],
        "gender": lower(&user["gender"]),
        "homeAddress": user["address"],
        "hospital": doctor["hospitalName"],
        "department": doctor["department"],
        "position": doctor["position"],
        "avatar": user["avatarUrl"],
        "roles": roles,
        "status": lower(&user["status"]),
        "createdAt": user["createdAt"],
    })
}

fn session(data: Value) -> AppResult<Value> {
    let payload = pick(&data, "/login")?;
    Ok(json!({
        "token": payload["token"],
        "expiresAt": payload["expiresAt"],
        "user": user_of(&payload["user"]),
    }))
}

/// The caller, or 401 when the request carries no token (`me` is null for anonymous callers;
/// a refused token already fails in GraphQL).
fn caller(data: &Value) -> AppResult<Value> {
    match pick(data, "/me")? {
        Value::Null => Err(AppError::Unauthenticated(
            "no token: send it in the Authorization header".into(),
        )),
        user => Ok(user_of(&user)),
    }
}

fn verify_token(data: Value) -> AppResult<Value> {
    Ok(json!({ "valid": true, "user": caller(&data)? }))
}

fn me(data: Value) -> AppResult<Value> {
    caller(&data)
}

fn logged_out(data: Value) -> AppResult<Value> {
    Ok(json!({ "loggedOut": pick(&data, "/logout")? }))
}

fn updated_user(data: Value) -> AppResult<Value> {
    Ok(user_of(&pick(&data, "/updateAccount")?))
}

fn import_report(data: Value) -> AppResult<Value> {
    pick(&data, "/importUsers")
}

fn patients_page(vars: &mut Map<String, Value>) -> AppResult<()> {
    vars.insert("role".into(), Value::from("PATIENT"));
    page_window(vars)
}

fn doctors_page(vars: &mut Map<String, Value>) -> AppResult<()> {
    vars.insert("role".into(), Value::from("DOCTOR"));
    page_window(vars)
}

/// `page` (from 1) and `pageSize` become the connection window `first` + `after`. They are
/// set aside as `$page` and `$pageSize` for the answer (GraphQL ignores variables a document
/// does not declare).
pub(super) fn page_window(vars: &mut Map<String, Value>) -> AppResult<()> {
    let page = vars.remove("page").and_then(|v| v.as_i64()).unwrap_or(1);
    let size = vars
        .remove("pageSize")
        .and_then(|v| v.as_i64())
        .unwrap_or(DEFAULT_PAGE_SIZE);
    if page < 1 {
        return Err(AppError::bad_field("page", "page counts from 1"));
    }
    if !(1..=MAX_PAGE_SIZE).contains(&size) {
        return Err(AppError::bad_field(
            "pageSize",
            format!("pageSize is 1 to {MAX_PAGE_SIZE}"),
        ));
    }
    let offset = (page - 1)
        .checked_mul(size)
        .and_then(|o| u64::try_from(o).ok())
        .ok_or_else(|| AppError::bad_field("page", "page is too large"))?;
    vars.insert("$page".into(), Value::from(page));
    vars.insert("$pageSize".into(), Value::from(size));
    vars.insert("first".into(), Value::from(size));
    if offset > 0 {
        vars.insert(
            "after".into(),
            Value::String(OffsetCursor(offset - 1).encode_cursor()),
        );
    }
    Ok(())
}

/// `{list, total, page, pageSize}` of a user connection.
///
/// `page` and `pageSize` are the request's when the handler hands the `$`-prefixed values a
/// prepare step set aside to the transform (`$page`, `$pageSize`). Otherwise they are read
/// back from the connection: the first item's cursor holds its offset and a page followed by
/// more items is full; a short last page is then taken to be of the default size.
fn user_list(data: Value) -> AppResult<Value> {
    let conn = pick(&data, "/users")?;
    let list: Vec<Value> = conn["nodes"]
        .as_array()
        .map(|nodes| nodes.iter().map(user_of).collect())
        .unwrap_or_default();
    let requested = |name: &str| data.get(name).and_then(Value::as_u64);
    let (page, size) = match (requested("$page"), requested("$pageSize")) {
        (Some(page), Some(size)) => (page, size),
        _ => {
            let offset = conn["edges"][0]["cursor"]
                .as_str()
                .and_then(|c| OffsetCursor::decode_cursor(c).ok())
                .map(|c| c.0);
            let len = u64::try_from(list.len()).unwrap_or(u64::MAX);
            let full = conn["pageInfo"]["hasNextPage"].as_bool().unwrap_or(false);
            let default = DEFAULT_PAGE_SIZE.unsigned_abs();
            let size = if full || len > default { len } else { default };
            (offset.map_or(1, |o| o / size.max(1) + 1), size)
        }
    };
    Ok(json!({
        "list": list,
        "total": conn["totalCount"],
        "page": page,
        "pageSize": size,
    }))
}

/// `nickname` and the home address become the `ProfileInput`; `uuid` must be one.
fn account_input(vars: &mut Map<String, Value>) -> AppResult<()> {
    if let Some(uuid) = vars.get("userUuid").and_then(Value::as_str)
        && uuid::Uuid::parse_str(uuid.trim()).is_err()
    {
        return Err(AppError::bad_field(
            "uuid",
            "uuid must be an account's uuid as queryUserMessage shows it (36 characters)",
        ));
    }
    let mut input = Map::new();
    if let Some(nickname) = vars.remove("nickname") {
        input.insert("displayName".into(), nickname);
    }
    let address = vars.remove("homeAddr");
    let alias = vars.remove("homeAddress");
    if let Some(address) = address.or(alias) {
        input.insert("address".into(), address);
    }
    if !input.is_empty() {
        vars.insert("input".into(), Value::Object(input));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_become_a_window() {
        let mut vars = Map::new();
        vars.insert("page".into(), json!(3));
        vars.insert("pageSize".into(), json!(10));
        patients_page(&mut vars).expect("valid");
        assert_eq!(vars["first"], 10);
        assert_eq!(vars["role"], "PATIENT");
        let after = vars["after"].as_str().expect("a cursor");
        assert_eq!(
            OffsetCursor::decode_cursor(after).ok(),
            Some(OffsetCursor(19))
        );
        assert_eq!(vars["$page"], 3);
        assert!(!vars.contains_key("page"));

        let mut first = Map::new();
        doctors_page(&mut first).expect("valid");
        assert!(!first.contains_key("after"));
        assert_eq!(first["first"], 20);

        let mut bad = Map::new();
        bad.insert("page".into(), json!(0));
        assert!(doctors_page(&mut bad).is_err());
    }

    #[test]
    fn lists_answer_the_requested_page() {
        let user = json!({"uuid": "u", "roles": ["DOCTOR"], "gender": "MALE", "status": "ACTIVE"});
        let conn = json!({
            "totalCount": 3,
            "pageInfo": {"hasNextPage": false},
            "edges": [{"cursor": OffsetCursor(2).encode_cursor()}],
            "nodes": [user],
        });
        let echoed = user_list(json!({"users": conn, "$page": 2, "$pageSize": 2})).expect("shaped");
        assert_eq!(echoed["page"], 2);
        assert_eq!(echoed["pageSize"], 2);
        assert_eq!(echoed["total"], 3);
        assert_eq!(echoed["list"][0]["roles"], json!(["doctor"]));
        assert_eq!(echoed["list"][0]["gender"], "male");

        let full = json!({
            "totalCount": 3,
            "pageInfo": {"hasNextPage": true},
            "edges": [{"cursor": OffsetCursor(2).encode_cursor()}, {"cursor": OffsetCursor(3).encode_cursor()}],
            "nodes": [user, user],
        });
        let derived = user_list(json!({"users": full})).expect("shaped");
        assert_eq!(derived["page"], 2);
        assert_eq!(derived["pageSize"], 2);
    }

    #[test]
    fn examples_are_json() {
        for route in routes() {
            let example = route.example.expect("every route has an example");
            assert!(
                serde_json::from_str::<Value>(example).is_ok(),
                "{}: {example}",
                route.path
            );
        }
    }
}

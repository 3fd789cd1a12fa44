//! Identity endpoints of the medassist dialect (`/api/user/*`): logins, the session, the
//! caller's account, patient and physician lists, bulk import and account maintenance.
//!
//! The legacy document gives no response bodies; these speak its vocabulary
//! (`super::vocabulary`): a user is always `MedassistUser` (the caller sees their own data in
//! full, others see it as the schema discloses it: masked contacts, no address), lists are
//! `{list, total, page, pageSize}` and whole unless the client asks for a page.

use async_graphql::connection::CursorType;
use http::Method;
use serde_json::{Map, Value, json};

use super::super::{Access, Dialect, Kind, Param, Route, Source, pick};
use super::vocabulary as v;
use crate::error::{AppError, AppResult};
use crate::graphql::connection::OffsetCursor;

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
    ),
    Param::optional(
        "pageSize",
        Source::Query,
        Kind::Int,
        "pageSize",
        super::PAGE_SIZE_DESCRIPTION,
    ),
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
        "Import the valid rows even when others have errors (medgraph addition); by default a file with any bad row imports nothing, and an import that creates no account because of bad rows answers code 422 (HTTP 422) with the per-row report as data",
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
        "Home address, in the spelling earlier medgraph answers used; `home_addr` is the document's",
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
            example: None,
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
            example: None,
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
            example: None,
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
            example: None,
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
            example: None,
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
            example: None,
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
            example: None,
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
            example: None,
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
            example: None,
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
            example: None,
            status: http::StatusCode::OK,
            prepare: Some(account_input),
        },
    ]
}

fn session(data: Value) -> AppResult<Value> {
    let payload = pick(&data, "/login")?;
    Ok(json!({
        "token": v::text(&payload["token"]),
        "expires_at": v::time(&payload["expiresAt"]),
        "user": v::user(&payload["user"]),
    }))
}

/// The caller, or 401 when the request carries no token (`me` is null for anonymous callers;
/// a refused token already fails in GraphQL).
fn caller(data: &Value) -> AppResult<Value> {
    match pick(data, "/me")? {
        Value::Null => Err(AppError::Unauthenticated(
            "no token: send it in the Authorization header".into(),
        )),
        user => Ok(v::user(user)),
    }
}

fn verify_token(data: Value) -> AppResult<Value> {
    Ok(json!({ "valid": true, "user": caller(&data)? }))
}

fn me(data: Value) -> AppResult<Value> {
    caller(&data)
}

fn logged_out(data: Value) -> AppResult<Value> {
    Ok(json!({ "logged_out": pick(&data, "/logout")?.as_bool().unwrap_or(false) }))
}

fn updated_user(data: Value) -> AppResult<Value> {
    Ok(v::user(pick(&data, "/updateAccount")?))
}

/// The import report; an import that created no account because rows are bad is a failure
/// (422, `code` 422) with the per-row report as its `data`.
fn import_report(data: Value) -> AppResult<Value> {
    let report = v::import_report(pick(&data, "/importUsers")?);
    let imported = report["imported"].as_i64().unwrap_or(0);
    let failed = report["failed"].as_i64().unwrap_or(0);
    if imported == 0 && failed > 0 {
        return Ok(super::failure(
            http::StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION",
            format!(
                "nothing imported: {failed} row(s) have errors (see data.rows; skipInvalid=true imports the valid rows)"
            ),
            report,
        ));
    }
    Ok(report)
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
/// does not declare). The document does not page: without either parameter the window is the
/// whole list, up to the configured ceiling (`http.dialect_list_ceiling`, in force while the
/// handler runs a prepare step: [`crate::domain::page::max_page_size`]); `pageSize` may be as
/// large.
pub(super) fn page_window(vars: &mut Map<String, Value>) -> AppResult<()> {
    let ceiling = i64::try_from(crate::domain::page::max_page_size()).unwrap_or(i64::MAX);
    let page = vars.remove("page").and_then(|v| v.as_i64());
    let size = vars.remove("pageSize").and_then(|v| v.as_i64());
    let (page, size) = match (page, size) {
        (None, None) => (1, ceiling),
        (page, size) => (page.unwrap_or(1), size.unwrap_or(super::DEFAULT_PAGE_SIZE)),
    };
    if page < 1 {
        return Err(AppError::bad_field("page", "page counts from 1"));
    }
    if !(1..=ceiling).contains(&size) {
        return Err(AppError::bad_field(
            "pageSize",
            format!("pageSize is 1 to {ceiling}"),
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

/// `{list, total, page, pageSize}` of a user connection (`page` and `pageSize` as the prepare
/// step set them aside).
fn user_list(data: Value) -> AppResult<Value> {
    let conn = pick(&data, "/users")?;
    let list: Vec<Value> = conn["nodes"]
        .as_array()
        .map(|nodes| nodes.iter().map(v::user).collect())
        .unwrap_or_default();
    let size = list.len();
    Ok(v::list(
        list,
        &conn["totalCount"],
        data.get("$page").cloned().unwrap_or(Value::from(1)),
        data.get("$pageSize").cloned().unwrap_or(Value::from(size)),
    ))
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

        // No paging: the whole list, up to the ceiling.
        let mut whole = Map::new();
        crate::domain::page::with_ceiling_sync(1000, || doctors_page(&mut whole)).expect("valid");
        assert!(!whole.contains_key("after"));
        assert_eq!(whole["first"], 1000);

        let mut only_page = Map::new();
        only_page.insert("page".into(), json!(2));
        doctors_page(&mut only_page).expect("valid");
        assert_eq!(only_page["first"], 20);

        let mut bad = Map::new();
        bad.insert("page".into(), json!(0));
        assert!(doctors_page(&mut bad).is_err());
        let mut too_big = Map::new();
        too_big.insert("pageSize".into(), json!(1001));
        assert!(
            crate::domain::page::with_ceiling_sync(1000, || doctors_page(&mut too_big)).is_err()
        );
    }

    #[test]
    fn lists_answer_the_requested_page() {
        let user = json!({"uuid": "u", "roles": ["DOCTOR"], "gender": "MALE", "status": "ACTIVE"});
        let conn = json!({"totalCount": 3, "nodes": [user]});
        let echoed = user_list(json!({"users": conn, "$page": 2, "$pageSize": 2})).expect("shaped");
        assert_eq!(echoed["page"], 2);
        assert_eq!(echoed["pageSize"], 2);
        assert_eq!(echoed["total"], 3);
        assert_eq!(echoed["list"][0]["roles"], json!(["doctor"]));
        assert_eq!(echoed["list"][0]["gender"], "male");
        assert_eq!(echoed["list"][0]["home_addr"], "");
    }

    #[test]
    fn an_import_of_nothing_is_a_failure() {
        let bad = json!({"importUsers": {"total": 1, "imported": 0, "failed": 1, "rows": [{"row": 2, "ok": false, "imported": false, "field": "phone", "error": "bad"}]}});
        let answer = import_report(bad).expect("shaped");
        assert!(answer.get(crate::rest::dialect::FAILURE).is_some());
        let good = json!({"importUsers": {"total": 1, "imported": 1, "failed": 0, "rows": [{"row": 2, "ok": true, "imported": true, "userId": 9}]}});
        let answer = import_report(good).expect("shaped");
        assert_eq!(answer["rows"][0]["user_id"], 9);
        assert!(answer.get(crate::rest::dialect::FAILURE).is_none());
    }
}

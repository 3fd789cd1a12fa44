//! Identity endpoints of the forum dialect: a user's profile (`/api/UserInfo/*`) and the
//! administrator's own record (`/api/Administrator/*`). The caller is identified by the session
//! cookie a GraphQL login sets, or by any platform token header.
//!
//! The profile's `numOfCoin` (only for the user), `followList`, `fansList` (whole, up to
//! `http.dialect_list_ceiling`) and `isFollowed` come from the community fields of the schema.
//! Every required field of the document is served, never null (`contracts/forum.json`).

use http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::super::{Access, Dialect, Kind, Param, Route, Source, pick};
use super::{number, text, whole_list};
use crate::error::{AppError, AppResult};

const DETAILS_PARAMS: &[Param] = &[Param::required(
    "user_id",
    Source::Body,
    Kind::Int,
    "userId",
    "Id of the user to show; 0 or -1 means the caller (needs a session)",
)];

const MODIFY_USER_INFO_PARAMS: &[Param] = &[
    Param::optional(
        "userName",
        Source::Body,
        Kind::String,
        "currentUsername",
        "Sent by the form; it cannot be modified, so it must equal the current username",
    ),
    Param::optional(
        "gender",
        Source::Body,
        Kind::String,
        "gender",
        "男 (male), 女 (female) or 保密 (undisclosed)",
    ),
    Param::optional(
        "birthday",
        Source::Body,
        Kind::String,
        "birthday",
        "Date of birth, YYYY-MM-DD",
    ),
    Param::optional(
        "telephone",
        Source::Body,
        Kind::String,
        "phone",
        "Sent by the form but cannot be modified: it must equal the current number",
    ),
    Param::optional(
        "email",
        Source::Body,
        Kind::String,
        "email",
        "E-mail address; it must not belong to another account",
    ),
    Param::optional(
        "description",
        Source::Body,
        Kind::String,
        "bio",
        "Self-description (个人简介), at most 500 characters",
    ),
];

const UPLOAD_AVATAR_PARAMS: &[Param] = &[Param::required(
    "image",
    Source::File,
    Kind::Upload,
    "file",
    "The avatar image (JPEG, PNG, GIF or WebP), as a multipart file part",
)];

const MODIFY_ADMIN_PARAMS: &[Param] = &[Param::required(
    "email",
    Source::Body,
    Kind::String,
    "email",
    "New e-mail address of the calling administrator; it must not belong to another account",
)];

/// The identity routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route {
            dialect: Dialect::Forum,
            method: Method::POST,
            path: "/api/UserInfo/Details",
            summary: "Profile of a user (user_id 0 or -1: the caller). Phone and e-mail are \
                      shown in full only to the user and administrators (others get them masked), \
                      birthday likewise (\"\" for others); certification holds \"\" fields for \
                      non-doctors (isCertified false); isLogin tells whether the request carries \
                      a session; isLocked (in userInfo) tells whether an administrator disabled \
                      the account. numOfCoin is the coin balance, shown only to the user (0 for \
                      others); isFollowed tells whether the caller follows the user; followList \
                      and fansList are the whole lists of followings and followers (up to \
                      http.dialect_list_ceiling, default 1000), most recent first. No field is \
                      null: missing strings are \"\".",
            access: Access::Public,
            document: concat!(
                include_str!("ops/identity_user_details.graphql"),
                include_str!("ops/identity_user_fields.graphql")
            ),
            params: DETAILS_PARAMS,
            transform: details,
            example: Some(
                r#"{"userInfo":{"userID":35,"userName":"weixia","gender":"女","birthday":"1981-12-16","telephone":"18112797744","email":"s.dronwr@qq.com","description":"…","isCertified":true,"avatarUrl":"http://127.0.0.1:8080/files/9f86d0…","isLocked":false,"numOfCoin":52},"certification":{"date":"2009-11-26","professionTitle":"主任医师","department":"心内科","hospital_rank":"三级甲等"},"isLogin":true,"isFollowed":false,"followList":[{"user_id":8,"user_name":"谭磊","user_group":"doctor","avatar_url":"http://127.0.0.1:8080/files/2c26b4…","verified":true}],"fansList":[]}"#,
            ),
            status: StatusCode::OK,
            prepare: Some(prepare_details),
        },
        Route {
            dialect: Dialect::Forum,
            method: Method::POST,
            path: "/api/UserInfo/modifyUserInfo",
            summary: "Edit the caller's profile; the form always sends every field. userName \
                      and telephone cannot be modified: telephone must equal the current number \
                      and a different userName is refused.",
            access: Access::LoggedIn,
            document: concat!(
                include_str!("ops/identity_modify_user_info.graphql"),
                include_str!("ops/identity_user_fields.graphql")
            ),
            params: MODIFY_USER_INFO_PARAMS,
            transform: modify_user_info,
            example: Some(
                r#"{"status":true,"userInfo":{"userID":38,"userName":"lichao","gender":"女","birthday":"2017-11-08","telephone":"13446754484","email":"w.xdedwtkjwg@qq.com","description":"…","isCertified":false,"avatarUrl":"","isLocked":false,"numOfCoin":0},"errorType":null}"#,
            ),
            status: StatusCode::OK,
            prepare: Some(prepare_modify_user_info),
        },
        Route {
            dialect: Dialect::Forum,
            method: Method::POST,
            path: "/api/UserInfo/uploadAvatar",
            summary: "Upload an image (multipart part `image`) and make it the caller's avatar \
                      (users and administrators); answers its URL",
            access: Access::LoggedIn,
            document: include_str!("ops/identity_upload_avatar.graphql"),
            params: UPLOAD_AVATAR_PARAMS,
            transform: upload_avatar,
            example: Some(r#"{"status":true,"url":"http://127.0.0.1:8080/files/9f86d0…"}"#),
            status: StatusCode::OK,
            prepare: None,
        },
        Route {
            dialect: Dialect::Forum,
            method: Method::GET,
            path: "/api/Administrator/Details",
            summary: "The caller's record as the administrator pages show it; isAdministrator \
                      tells whether the caller holds the administrator role. Without a session \
                      the answer is isAdministrator false, isLogin false and an administrator \
                      whose fields hold their empty values (id 0, \"\"); never null.",
            access: Access::Public,
            document: concat!(
                include_str!("ops/identity_admin_details.graphql"),
                include_str!("ops/identity_admin_fields.graphql")
            ),
            params: &[],
            transform: administrator_details,
            example: Some(
                r#"{"administrator":{"id":1,"name":"admin","telephone":"13900000000","email":"admin@example.com","portrait":"http://127.0.0.1:8080/files/9f86d0…"},"isAdministrator":true,"isLogin":true}"#,
            ),
            status: StatusCode::OK,
            prepare: None,
        },
        Route {
            dialect: Dialect::Forum,
            method: Method::POST,
            path: "/api/Administrator/modifyAdministratorInfo",
            summary: "Change the caller's e-mail address (the only field an administrator \
                      edits here); answers the updated record",
            access: Access::LoggedIn,
            document: concat!(
                include_str!("ops/identity_modify_admin.graphql"),
                include_str!("ops/identity_admin_fields.graphql")
            ),
            params: MODIFY_ADMIN_PARAMS,
            transform: modify_administrator,
            example: Some(
                r#"{"administrator":{"id":1,"name":"admin","telephone":"13900000000","email":"ops@example.com","portrait":""},"status":true}"#,
            ),
            status: StatusCode::OK,
            prepare: Some(nest_profile_input),
        },
    ]
}

/// The `ProfileInput` fields the forum forms fill.
const PROFILE_FIELDS: [&str; 6] = [
    "gender",
    "birthday",
    "phone",
    "email",
    "bio",
    "currentUsername",
];

/// Moves the profile fields of the variables into `input` (a `ProfileInput`).
fn nest_profile_input(vars: &mut Map<String, Value>) -> AppResult<()> {
    let mut input = Map::new();
    for field in PROFILE_FIELDS {
        if let Some(value) = vars.remove(field) {
            input.insert(field.to_owned(), value);
        }
    }
    vars.insert("input".to_owned(), Value::Object(input));
    Ok(())
}

/// `user_id` 0 or -1 is the caller; any other positive id becomes the global ID.
fn prepare_details(vars: &mut Map<String, Value>) -> AppResult<()> {
    let raw = vars.remove("userId").and_then(|v| v.as_i64());
    match raw {
        Some(0 | -1) => {
            vars.insert("self".to_owned(), Value::Bool(true));
        }
        Some(id) if id > 0 => {
            vars.insert("self".to_owned(), Value::Bool(false));
            vars.insert(
                "id".to_owned(),
                Value::String(crate::graphql::node::global_id("User", id).0),
            );
        }
        _ => {
            return Err(AppError::bad_field(
                "user_id",
                "user_id must be a user id, or 0 / -1 for yourself",
            ));
        }
    }
    vars.insert("listFirst".to_owned(), whole_list());
    Ok(())
}

/// The forum's gender text as the schema's `Gender`.
fn gender_in(text: &str) -> AppResult<&'static str> {
    match text.trim() {
        "男" => Ok("MALE"),
        "女" => Ok("FEMALE"),
        "保密" => Ok("UNDISCLOSED"),
        _ => Err(AppError::bad_field(
            "gender",
            "gender must be 男, 女 or 保密",
        )),
    }
}

/// The schema's `Gender` as the forum's text.
fn gender_out(value: &Value) -> Value {
    Value::from(match value.as_str() {
        Some("MALE") => "男",
        Some("FEMALE") => "女",
        _ => "保密",
    })
}

fn prepare_modify_user_info(vars: &mut Map<String, Value>) -> AppResult<()> {
    if let Some(gender) = vars.get("gender").and_then(Value::as_str) {
        let gender = gender_in(gender)?;
        vars.insert("gender".to_owned(), Value::from(gender));
    }
    nest_profile_input(vars)
}

/// The integer id inside a `User` global ID.
fn legacy_id(id: &Value) -> AppResult<Value> {
    let id = id
        .as_str()
        .ok_or_else(|| AppError::internal("a user without an id"))?;
    Ok(Value::from(crate::graphql::node::decode_int_id(
        id, "User",
    )?))
}

/// The documented `userInfo` (ForumUserInfo), the same for Details and modifyUserInfo: no
/// field is null (missing strings are `""`, a balance others may not see is 0).
fn user_info(user: &Value) -> AppResult<Map<String, Value>> {
    let mut info = Map::new();
    info.insert("userID".into(), legacy_id(&user["id"])?);
    info.insert("userName".into(), text(&user["username"]));
    info.insert("gender".into(), gender_out(&user["gender"]));
    info.insert("birthday".into(), text(&user["birthday"]));
    info.insert("telephone".into(), text(&user["phone"]));
    info.insert("email".into(), text(&user["email"]));
    info.insert("description".into(), text(&user["bio"]));
    info.insert(
        "isCertified".into(),
        Value::Bool(
            user["doctorProfile"]["isCertified"]
                .as_bool()
                .unwrap_or(false),
        ),
    );
    info.insert("numOfCoin".into(), number(&user["coinBalance"]));
    info.insert("avatarUrl".into(), text(&user["avatarUrl"]));
    info.insert("isLocked".into(), Value::Bool(user["status"] == "DISABLED"));
    Ok(info)
}

fn details(data: Value) -> AppResult<Value> {
    let is_login = !data["caller"].is_null();
    let user = match (data.get("me"), data.get("user")) {
        (Some(me), _) if !me.is_null() => me,
        (Some(_), _) => {
            return Err(AppError::Unauthenticated(
                "user_id 0 or -1 means yourself: log in first".into(),
            ));
        }
        (None, Some(user)) if !user.is_null() => user,
        _ => return Err(AppError::NotFound("no user has this id".into())),
    };
    let doctor = &user["doctorProfile"];
    // Users who are no doctor get the documented object with empty values.
    let certification = json!({
        "date": text(&doctor["certifiedAt"]),
        "professionTitle": text(&doctor["certificationTitle"]),
        "department": text(&doctor["department"]),
        "hospital_rank": text(&doctor["hospitalRank"]),
    });
    Ok(json!({
        "userInfo": user_info(user)?,
        "certification": certification,
        "isLogin": is_login,
        "isFollowed": user["isFollowedByMe"].as_bool().unwrap_or(false),
        "followList": follow_entries(&user["followings"]["nodes"])?,
        "fansList": follow_entries(&user["followers"]["nodes"])?,
    }))
}

/// A follow list as the forum shows it; `user_group` is the user's main role.
fn follow_entries(nodes: &Value) -> AppResult<Vec<Value>> {
    nodes
        .as_array()
        .map(|nodes| {
            nodes
                .iter()
                .map(|u| {
                    let roles = u["roles"].as_array().cloned().unwrap_or_default();
                    let group = ["ADMINISTRATOR", "DOCTOR", "CONSULTANT", "ASSISTANT"]
                        .into_iter()
                        .find(|r| roles.iter().any(|x| x == r))
                        .map_or_else(|| "user".to_owned(), str::to_ascii_lowercase);
                    Ok(json!({
                        "user_id": legacy_id(&u["id"])?,
                        "user_name": text(&u["displayName"]),
                        "user_group": group,
                        "avatar_url": text(&u["avatarUrl"]),
                        "verified": u["doctorProfile"]["isCertified"].as_bool().unwrap_or(false),
                    }))
                })
                .collect()
        })
        .unwrap_or_else(|| Ok(Vec::new()))
}

fn modify_user_info(data: Value) -> AppResult<Value> {
    let user = pick(&data, "/updateProfile")?;
    Ok(json!({"status": true, "errorType": null, "userInfo": user_info(user)?}))
}

fn upload_avatar(data: Value) -> AppResult<Value> {
    Ok(json!({"status": true, "url": pick(&data, "/setAvatar/avatarUrl")?}))
}

fn administrator(user: &Value) -> AppResult<Value> {
    Ok(json!({
        "id": legacy_id(&user["id"])?,
        "name": text(&user["username"]),
        "telephone": text(&user["phone"]),
        "email": text(&user["email"]),
        "portrait": text(&user["avatarUrl"]),
    }))
}

fn is_administrator(user: &Value) -> bool {
    user["roles"]
        .as_array()
        .is_some_and(|roles| roles.iter().any(|r| r == "ADMINISTRATOR"))
}

fn administrator_details(data: Value) -> AppResult<Value> {
    let me = pick(&data, "/me")?;
    if me.is_null() {
        let nobody = json!({"id": 0, "name": "", "telephone": "", "email": "", "portrait": ""});
        return Ok(json!({"administrator": nobody, "isAdministrator": false, "isLogin": false}));
    }
    Ok(json!({
        "administrator": administrator(me)?,
        "isAdministrator": is_administrator(me),
        "isLogin": true,
    }))
}

fn modify_administrator(data: Value) -> AppResult<Value> {
    let user = pick(&data, "/updateProfile")?;
    Ok(json!({"administrator": administrator(user)?, "status": true}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_minus_one_mean_the_caller() {
        for raw in [0, -1] {
            let mut vars = Map::new();
            vars.insert("userId".into(), Value::from(raw));
            assert!(prepare_details(&mut vars).is_ok());
            assert_eq!(vars["self"], true);
            assert!(!vars.contains_key("id"));
        }
        let mut vars = Map::new();
        vars.insert("userId".into(), Value::from(-7));
        assert!(prepare_details(&mut vars).is_err());
    }

    #[test]
    fn gender_texts_round_trip() {
        for text in ["男", "女", "保密"] {
            let code = gender_in(text).ok();
            assert_eq!(
                code.map(|c| gender_out(&Value::from(c))),
                Some(Value::from(text))
            );
        }
        assert!(gender_in("x").is_err());
    }
}

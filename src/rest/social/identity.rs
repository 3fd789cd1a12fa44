//! Identity endpoints of the social dialect (ThinkSNS+ style `/api/v2/user*`): the user object,
//! profile edits, contacts, passwords, disabling and deactivation. Plain resources; writes answer
//! 204 (deactivation 202).
//!
//! The user object carries the community counts (`extra`), the coin balance as `currency` and
//! `wallet` (only for oneself), and the follow relation to the caller (`has_follower`,
//! `has_following`).

use async_graphql::connection::CursorType;
use chrono::{DateTime, SecondsFormat, Utc};
use http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::super::{Access, Dialect, Kind, Param, Route, Source, pick};
use crate::error::{AppError, AppResult};
use crate::graphql::connection::OffsetCursor;
use crate::graphql::node::{decode_int_id, global_id};

const USER_PARAMS: &[Param] = &[
    Param::required(
        "user",
        Source::Path,
        Kind::String,
        "user",
        "User id, 11-digit mobile number, e-mail address or username",
    ),
    Param::optional(
        "following",
        Source::Query,
        Kind::Int,
        "$following",
        "has_follower then tells whether this user id (default: the caller) follows the user",
    ),
    Param::optional(
        "follower",
        Source::Query,
        Kind::Int,
        "$follower",
        "has_following then tells whether the user follows this user id (default: the caller)",
    ),
];

const USERS_PARAMS: &[Param] = &[
    Param::optional(
        "limit",
        Source::Query,
        Kind::Int,
        "first",
        "Items to return, 1 to 50 (default 20; with an id list or fetch_by=username and no \
         limit, every user asked for)",
    ),
    Param::optional(
        "order",
        Source::Query,
        Kind::String,
        "order",
        "asc (oldest first) or desc (newest first); ignored with active=1",
    )
    .with_default("\"desc\""),
    Param::optional(
        "since",
        Source::Query,
        Kind::Int,
        "since",
        "Id of the last user of the previous page: the page starts after it",
    ),
    Param::optional(
        "name",
        Source::Query,
        Kind::String,
        "name",
        "Part of the username; with fetch_by=username, exact usernames separated by commas",
    ),
    Param::optional(
        "fetch_by",
        Source::Query,
        Kind::String,
        "fetchBy",
        "id (default) or username (name holds exact usernames)",
    ),
    Param::optional(
        "id",
        Source::Query,
        Kind::String,
        "ids",
        "One user id or several separated by commas",
    ),
    Param::optional(
        "active",
        Source::Query,
        Kind::Int,
        "active",
        "1: active users, most recently active first (page with offset)",
    ),
    Param::optional(
        "offset",
        Source::Query,
        Kind::Int,
        "offset",
        "Items to skip (0 on the first page)",
    ),
];

const PATCH_PARAMS: &[Param] = &[
    Param::optional(
        "name",
        Source::Body,
        Kind::String,
        "username",
        "New username (unique; 3-32 letters, digits, _ . -)",
    ),
    Param::optional(
        "bio",
        Source::Body,
        Kind::String,
        "bio",
        "New self-description",
    ),
    Param::optional(
        "sex",
        Source::Body,
        Kind::Int,
        "gender",
        "0 undisclosed (保密), 1 male, 2 female",
    ),
    Param::optional(
        "location",
        Source::Body,
        Kind::String,
        "location",
        "New location, e.g. 四川省 成都市",
    ),
    Param::optional(
        "avatar",
        Source::Body,
        Kind::String,
        "avatar",
        "File node (the SHA-256 address an upload returned) or URL of an uploaded image",
    ),
    Param::optional(
        "bg",
        Source::Body,
        Kind::String,
        "background",
        "File node or URL of an uploaded background image",
    ),
];

const CHANGE_CONTACT_PARAMS: &[Param] = &[
    Param::optional(
        "phone",
        Source::Body,
        Kind::String,
        "phone",
        "New mobile number (required when email is absent)",
    ),
    Param::optional(
        "email",
        Source::Body,
        Kind::String,
        "email",
        "New e-mail address (required when phone is absent)",
    ),
    Param::required(
        "verifiable_code",
        Source::Body,
        Kind::String,
        "code",
        "The code sent to the new phone number or e-mail address (purpose CHANGE_CONTACT)",
    ),
];

const PASSWORD_PARAMS: &[Param] = &[
    Param::optional(
        "old_password",
        Source::Body,
        Kind::String,
        "oldPassword",
        "Current password (required when the account has one)",
    ),
    Param::required(
        "password",
        Source::Body,
        Kind::String,
        "newPassword",
        "New password: at least 8 characters mixing letters, digits or symbols",
    ),
    Param::required(
        "password_confirmation",
        Source::Body,
        Kind::String,
        "passwordConfirmation",
        "The new password again; must equal password",
    ),
];

const RETRIEVE_PASSWORD_PARAMS: &[Param] = &[
    Param::required(
        "verifiable_type",
        Source::Body,
        Kind::String,
        "channel",
        "mail or sms: where the code was sent",
    ),
    Param::required(
        "verifiable_code",
        Source::Body,
        Kind::String,
        "code",
        "The code received (purpose RESET)",
    ),
    Param::optional(
        "email",
        Source::Body,
        Kind::String,
        "email",
        "The account's e-mail address (required with verifiable_type=mail)",
    ),
    Param::optional(
        "phone",
        Source::Body,
        Kind::String,
        "phone",
        "The account's mobile number (required with verifiable_type=sms)",
    ),
    Param::required(
        "password",
        Source::Body,
        Kind::String,
        "newPassword",
        "New password: at least 8 characters mixing letters, digits or symbols",
    ),
];

const UNBIND_PARAMS: &[Param] = &[
    Param::required(
        "password",
        Source::Body,
        Kind::String,
        "password",
        "The account's password",
    ),
    Param::required(
        "verifiable_code",
        Source::Body,
        Kind::String,
        "code",
        "The code sent to the contact being removed (purpose CHANGE_CONTACT)",
    ),
];

const DISABLE_PARAMS: &[Param] = &[Param::required(
    "user",
    Source::Path,
    Kind::NodeId("User"),
    "userId",
    "Id of the user to disable",
)];

const USER_EXAMPLE: &str = r#"{"id":4,"name":"xiaoxiao","email":"335891510@qq.com","phone":"15694005009","bio":"…","sex":2,"location":"四川省 成都市","invite_code":"10ABC3","avatar":{"url":"http://127.0.0.1:8080/files/9f86d0…","vendor":"local","mime":"image/jpeg","size":315576,"dimension":{"width":720,"height":720},"node":"9f86d0…"},"feed_topics_count":0,"commodities_count":0,"extra":{"user_id":4,"likes_count":119,"comments_count":47,"followers_count":13,"followings_count":16,"be_reward_count":466,"questions_count":0,"answers_count":0,"feeds_count":129,"checkin_count":3,"last_checkin_count":1,"updated_at":"2021-01-05T06:20:50Z"},"verification":null,"currency":{"owner_id":4,"type":1,"sum":2377},"wallet":{"owner_id":4,"balance":2377,"total_income":544,"total_expenses":800},"vip":null,"has_follower":false,"has_following":false,"created_at":"2019-11-20T07:32:34Z","updated_at":"2021-01-05T06:20:50Z"}"#;

pub(super) const USERS_EXAMPLE: &str = r#"[{"id":5,"name":"lisi","bio":"","sex":0,"location":"","invite_code":"7KQ2MD","avatar":"","feed_topics_count":0,"commodities_count":0,"extra":{"user_id":5,"likes_count":0,"comments_count":0,"followers_count":0,"followings_count":0,"be_reward_count":0,"questions_count":0,"answers_count":0,"feeds_count":0,"checkin_count":0,"last_checkin_count":0,"updated_at":"2019-11-21T07:32:34Z"},"verification":null,"vip":null,"has_follower":false,"has_following":false,"created_at":"2019-11-21T07:32:34Z","updated_at":"2019-11-21T07:32:34Z"}]"#;

/// A route of this dialect with the defaults most of them share.
fn route(
    method: Method,
    path: &'static str,
    summary: &'static str,
    access: Access,
    document: &'static str,
    params: &'static [Param],
) -> Route {
    Route {
        dialect: Dialect::Social,
        method,
        path,
        summary,
        access,
        document,
        params,
        transform: super::super::empty,
        example: None,
        status: StatusCode::NO_CONTENT,
        prepare: None,
    }
}

/// The identity routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route {
            transform: me,
            example: Some(USER_EXAMPLE),
            status: StatusCode::OK,
            ..route(
                Method::GET,
                "/api/v2/user",
                "The caller's user object, phone, email, currency and wallet included (401 \
                 without a token).",
                Access::LoggedIn,
                concat!(
                    include_str!("ops/identity_me.graphql"),
                    include_str!("ops/identity_user_fields.graphql")
                ),
                &[],
            )
        },
        Route {
            transform: one_user,
            example: Some(USER_EXAMPLE),
            status: StatusCode::OK,
            prepare: Some(prepare_user_key),
            ..route(
                Method::GET,
                "/api/v2/users/{user}",
                "One user by id, mobile number, e-mail address or username (404 when none); \
                 phone, email, currency and wallet only when it is the caller. has_follower: \
                 the caller (or the `following` user) follows this user; has_following: this \
                 user follows the caller (or the `follower` user).",
                Access::Public,
                concat!(
                    include_str!("ops/identity_user.graphql"),
                    include_str!("ops/identity_user_fields.graphql")
                ),
                USER_PARAMS,
            )
        },
        Route {
            transform: user_list,
            example: Some(USERS_EXAMPLE),
            status: StatusCode::OK,
            prepare: Some(prepare_users),
            ..route(
                Method::GET,
                "/api/v2/users",
                "Users as a bare array: by id list, by usernames, by part of the name, or the \
                 most recently active (active=1 with offset). phone, email, currency and \
                 wallet only for the caller.",
                Access::Public,
                concat!(
                    include_str!("ops/identity_users.graphql"),
                    include_str!("ops/identity_user_fields.graphql")
                ),
                USERS_PARAMS,
            )
        },
        Route {
            prepare: Some(prepare_patch),
            ..route(
                Method::PATCH,
                "/api/v2/user",
                "Edit the caller's profile: name (username), bio, sex, location, avatar, bg",
                Access::LoggedIn,
                include_str!("ops/identity_update_profile.graphql"),
                PATCH_PARAMS,
            )
        },
        Route {
            prepare: Some(prepare_change_contact),
            ..route(
                Method::PUT,
                "/api/v2/user",
                "Bind a new phone number or e-mail address with the code sent to it",
                Access::LoggedIn,
                include_str!("ops/identity_change_contact.graphql"),
                CHANGE_CONTACT_PARAMS,
            )
        },
        Route {
            prepare: Some(prepare_password),
            ..route(
                Method::PUT,
                "/api/v2/user/password",
                "Change the caller's password; other sessions end",
                Access::LoggedIn,
                include_str!("ops/identity_change_password.graphql"),
                PASSWORD_PARAMS,
            )
        },
        Route {
            prepare: Some(prepare_retrieve_password),
            ..route(
                Method::PUT,
                "/api/v2/user/retrieve-password",
                "Set a new password with a code sent to the account's e-mail or phone; every \
                 session of the account ends",
                Access::Public,
                include_str!("ops/identity_reset_password.graphql"),
                RETRIEVE_PASSWORD_PARAMS,
            )
        },
        Route {
            prepare: Some(unbind_phone),
            ..route(
                Method::DELETE,
                "/api/v2/user/phone",
                "Remove the caller's phone number (password and a code sent to it)",
                Access::LoggedIn,
                include_str!("ops/identity_unbind_contact.graphql"),
                UNBIND_PARAMS,
            )
        },
        Route {
            prepare: Some(unbind_email),
            ..route(
                Method::DELETE,
                "/api/v2/user/email",
                "Remove the caller's e-mail address (password and a code sent to it)",
                Access::LoggedIn,
                include_str!("ops/identity_unbind_contact.graphql"),
                UNBIND_PARAMS,
            )
        },
        route(
            Method::PUT,
            "/api/v2/system/disabled/{user}",
            "Disable an account (administrators; 403 otherwise); its sessions end",
            Access::LoggedIn,
            include_str!("ops/identity_disable_user.graphql"),
            DISABLE_PARAMS,
        ),
        Route {
            transform: deactivated,
            example: Some(r#"{"message":"操作成功,再见"}"#),
            status: StatusCode::ACCEPTED,
            ..route(
                Method::DELETE,
                "/api/v2/user",
                "Deactivate (注销) the caller's account: it can no longer log in and every \
                 session ends",
                Access::LoggedIn,
                include_str!("ops/identity_deactivate.graphql"),
                &[],
            )
        },
    ]
}

/// The path segment as the one `user(...)` argument it stands for: digits are an id unless
/// they form an 11-digit mobile number, `@` marks an e-mail address, anything else a username.
fn prepare_user_key(vars: &mut Map<String, Value>) -> AppResult<()> {
    let key = vars
        .remove("user")
        .and_then(|v| v.as_str().map(|s| s.trim().to_owned()))
        .unwrap_or_default();
    let digits = !key.is_empty() && key.chars().all(|c| c.is_ascii_digit());
    let (var, value) = if digits && key.len() == 11 && key.starts_with('1') {
        ("phone", key)
    } else if digits {
        match key.parse::<i64>() {
            Ok(id) => ("id", global_id("User", id).0),
            Err(_) => ("username", key),
        }
    } else if key.contains('@') {
        ("email", key)
    } else {
        ("username", key)
    };
    vars.insert(var.to_owned(), Value::String(value));
    for (param, check, other) in [
        ("$following", "checkFollowing", "followingUser"),
        ("$follower", "checkFollower", "followerUser"),
    ] {
        let id = match vars.remove(param).map(|v| v.as_i64()) {
            None => None,
            Some(Some(id)) if id > 0 => Some(id),
            Some(_) => {
                return Err(AppError::bad_field(
                    param.trim_start_matches('$'),
                    "must be a user id",
                ));
            }
        };
        vars.insert(check.into(), Value::Bool(id.is_some()));
        vars.insert(
            other.into(),
            Value::String(global_id("User", id.unwrap_or(0)).0),
        );
    }
    Ok(())
}

fn int(vars: &mut Map<String, Value>, var: &str) -> Option<i64> {
    vars.remove(var).and_then(|v| v.as_i64())
}

fn text(vars: &mut Map<String, Value>, var: &str) -> Option<String> {
    vars.remove(var)
        .and_then(|v| v.as_str().map(|s| s.trim().to_owned()))
        .filter(|s| !s.is_empty())
}

/// Comma-separated parts, trimmed, empty ones dropped.
fn list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// limit/order/since/name/fetch_by/id/active/offset as `users(filter, order, first, after)`.
fn prepare_users(vars: &mut Map<String, Value>) -> AppResult<()> {
    let asked = int(vars, "first");
    let limit = asked.unwrap_or(20);
    if !(1..=50).contains(&limit) {
        return Err(AppError::bad_field(
            "limit",
            "limit must be between 1 and 50",
        ));
    }
    let active = match int(vars, "active") {
        None | Some(0) => false,
        Some(1) => true,
        Some(_) => return Err(AppError::bad_field("active", "active must be 1")),
    };
    let order = text(vars, "order").unwrap_or_else(|| "desc".into());
    let order = if active {
        "RECENTLY_ACTIVE"
    } else {
        match order.to_ascii_lowercase().as_str() {
            "asc" => "OLDEST_FIRST",
            "desc" => "NEWEST_FIRST",
            _ => return Err(AppError::bad_field("order", "order must be asc or desc")),
        }
    };
    let mut filter = Map::new();
    if let Some(since) = int(vars, "since") {
        if since < 1 {
            return Err(AppError::bad_field("since", "since must be a user id"));
        }
        filter.insert("since".into(), Value::String(global_id("User", since).0));
    }
    let fetch_by = text(vars, "fetchBy").unwrap_or_else(|| "id".into());
    let name = text(vars, "name");
    match (fetch_by.as_str(), name) {
        ("username", Some(names)) => {
            filter.insert("usernames".into(), json!(list(&names)));
        }
        ("username", None) => {
            return Err(AppError::bad_field(
                "name",
                "name (comma-separated usernames) is required with fetch_by=username",
            ));
        }
        ("id", Some(name)) => {
            filter.insert("name".into(), Value::String(name));
        }
        ("id", None) => {}
        _ => {
            return Err(AppError::bad_field(
                "fetch_by",
                "fetch_by must be id or username",
            ));
        }
    }
    if let Some(ids) = text(vars, "ids") {
        let ids = list(&ids)
            .iter()
            .map(|id| match id.parse::<i64>() {
                Ok(n) if n > 0 => Ok(Value::String(global_id("User", n).0)),
                _ => Err(AppError::bad_field(
                    "id",
                    "id must be a user id or user ids separated by commas",
                )),
            })
            .collect::<AppResult<Vec<Value>>>()?;
        filter.insert("ids".into(), Value::Array(ids));
    }
    match int(vars, "offset") {
        None | Some(0) => {}
        Some(offset) if offset > 0 => {
            let cursor = OffsetCursor(offset.unsigned_abs() - 1).encode_cursor();
            vars.insert("after".into(), Value::String(cursor));
        }
        Some(_) => {
            return Err(AppError::bad_field("offset", "offset must not be negative"));
        }
    }
    // Users asked for by id or by name are all answered unless a limit says otherwise: an
    // id list is not cut at the default page.
    let listed = ["ids", "usernames"]
        .iter()
        .filter_map(|k| filter.get(*k).and_then(Value::as_array).map(Vec::len))
        .max();
    let limit = match (asked, listed) {
        (None, Some(n)) => {
            let max = usize::try_from(crate::domain::page::max_page_size()).unwrap_or(usize::MAX);
            i64::try_from(n.clamp(1, max)).unwrap_or(limit)
        }
        _ => limit,
    };
    vars.insert("first".into(), Value::from(limit));
    vars.insert("order".into(), Value::from(order));
    vars.insert("filter".into(), Value::Object(filter));
    Ok(())
}

/// The `ProfileInput` fields PATCH fills.
const PROFILE_FIELDS: [&str; 6] = [
    "username",
    "bio",
    "gender",
    "location",
    "avatar",
    "background",
];

fn prepare_patch(vars: &mut Map<String, Value>) -> AppResult<()> {
    if let Some(sex) = vars.get("gender").map(Value::as_i64) {
        let gender = match sex {
            Some(0) => "UNDISCLOSED",
            Some(1) => "MALE",
            Some(2) => "FEMALE",
            _ => {
                return Err(AppError::bad_field(
                    "sex",
                    "sex must be 0 (undisclosed), 1 (male) or 2 (female)",
                ));
            }
        };
        vars.insert("gender".into(), Value::from(gender));
    }
    let mut input = Map::new();
    for field in PROFILE_FIELDS {
        if let Some(value) = vars.remove(field) {
            input.insert(field.to_owned(), value);
        }
    }
    vars.insert("input".into(), Value::Object(input));
    Ok(())
}

/// `phone` or `email` (one of them) as `channel` + `destination`.
fn prepare_change_contact(vars: &mut Map<String, Value>) -> AppResult<()> {
    let phone = text(vars, "phone");
    let email = text(vars, "email");
    let (channel, destination) = match (phone, email) {
        (Some(phone), None) => ("SMS", phone),
        (None, Some(email)) => ("EMAIL", email),
        (None, None) => {
            return Err(AppError::bad_field("phone", "give phone or email"));
        }
        (Some(_), Some(_)) => {
            return Err(AppError::bad_field(
                "email",
                "give phone or email, not both: each needs its own code",
            ));
        }
    };
    vars.insert("channel".into(), Value::from(channel));
    vars.insert("destination".into(), Value::String(destination));
    Ok(())
}

fn prepare_password(vars: &mut Map<String, Value>) -> AppResult<()> {
    let confirmation = vars.remove("passwordConfirmation");
    if confirmation.as_ref() != vars.get("newPassword") {
        return Err(AppError::bad_field(
            "password_confirmation",
            "password_confirmation must equal password",
        ));
    }
    Ok(())
}

/// `verifiable_type` mail|sms with the matching `email`|`phone`.
fn prepare_retrieve_password(vars: &mut Map<String, Value>) -> AppResult<()> {
    let kind = text(vars, "channel").unwrap_or_default();
    let phone = text(vars, "phone");
    let email = text(vars, "email");
    let (channel, destination) = match kind.as_str() {
        "mail" => (
            "EMAIL",
            email.ok_or_else(|| {
                AppError::bad_field("email", "email is required with verifiable_type=mail")
            })?,
        ),
        "sms" => (
            "SMS",
            phone.ok_or_else(|| {
                AppError::bad_field("phone", "phone is required with verifiable_type=sms")
            })?,
        ),
        _ => {
            return Err(AppError::bad_field(
                "verifiable_type",
                "verifiable_type must be mail or sms",
            ));
        }
    };
    vars.insert("channel".into(), Value::from(channel));
    vars.insert("destination".into(), Value::String(destination));
    Ok(())
}

fn unbind_phone(vars: &mut Map<String, Value>) -> AppResult<()> {
    vars.insert("channel".into(), Value::from("SMS"));
    Ok(())
}

fn unbind_email(vars: &mut Map<String, Value>) -> AppResult<()> {
    vars.insert("channel".into(), Value::from("EMAIL"));
    Ok(())
}

/// A GraphQL `DateTime` as `2019-11-20T07:32:34Z`.
fn timestamp(value: &Value) -> Value {
    match value.as_str().map(DateTime::parse_from_rfc3339) {
        Some(Ok(t)) => Value::String(
            t.with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::Secs, true),
        ),
        _ => value.clone(),
    }
}

/// The schema's `Gender` as `sex`.
fn sex(gender: &Value) -> Value {
    Value::from(match gender.as_str() {
        Some("MALE") => 1,
        Some("FEMALE") => 2,
        _ => 0,
    })
}

/// A required string of the document: the value, or `""` when the platform has none.
pub(super) fn or_empty(value: &Value) -> Value {
    match value {
        Value::String(_) => value.clone(),
        Value::Null => Value::from(""),
        other => Value::from(other.to_string()),
    }
}

/// A required count: the value, or 0.
fn count(value: &Value) -> Value {
    if value.is_i64() || value.is_u64() {
        value.clone()
    } else {
        Value::from(0)
    }
}

/// Circles (圈子, `feed_topics_count`) and commodities (`commodities_count`) a user created: the
/// platform has neither kind, so both counts are 0 (noted in `contracts/social.json`); likewise
/// questions and answers (`extra.questions_count`, `extra.answers_count`).
const NOT_ON_THE_PLATFORM: i64 = 0;

/// The documented user object (`SocialUser` in `contracts/social.json`), the one transform of
/// every route that answers users. Phone, email, currency and wallet only with full disclosure
/// (oneself); no required field is null (`""` / 0), except `verification` and `vip`, which
/// are null when the user has none (as the document says of verification).
pub(super) fn user_object(user: &Value) -> AppResult<Value> {
    let id = user["id"]
        .as_str()
        .ok_or_else(|| AppError::internal("a user without an id"))?;
    let mut out = Map::new();
    out.insert("id".into(), Value::from(decode_int_id(id, "User")?));
    out.insert("name".into(), or_empty(&user["username"]));
    if user["disclosure"] == "FULL" {
        out.insert("email".into(), or_empty(&user["email"]));
        out.insert("phone".into(), or_empty(&user["phone"]));
    }
    out.insert("bio".into(), or_empty(&user["bio"]));
    out.insert("sex".into(), sex(&user["gender"]));
    out.insert("location".into(), or_empty(&user["location"]));
    out.insert("invite_code".into(), or_empty(&user["inviteCode"]));
    let avatar = &user["avatar"];
    out.insert(
        "avatar".into(),
        if avatar.is_null() {
            // The document's String form of avatar, empty: never null.
            Value::from("")
        } else {
            json!({
                "url": avatar["url"],
                "vendor": "local",
                "mime": avatar["contentType"],
                "size": avatar["size"],
                "dimension": {"width": avatar["width"], "height": avatar["height"]},
                "node": avatar["hash"],
            })
        },
    );
    out.insert("feed_topics_count".into(), Value::from(NOT_ON_THE_PLATFORM));
    out.insert("commodities_count".into(), Value::from(NOT_ON_THE_PLATFORM));
    out.insert("created_at".into(), timestamp(&user["createdAt"]));
    out.insert("updated_at".into(), timestamp(&user["updatedAt"]));
    let legacy = out["id"].clone();
    out.insert(
        "extra".into(),
        json!({
            "user_id": legacy,
            "likes_count": count(&user["likesReceived"]),
            "comments_count": count(&user["commentCount"]),
            "followers_count": count(&user["followerCount"]),
            "followings_count": count(&user["followingCount"]),
            "be_reward_count": count(&user["coinsReceived"]),
            "questions_count": NOT_ON_THE_PLATFORM,
            "answers_count": NOT_ON_THE_PLATFORM,
            "feeds_count": count(&user["postCount"]),
            "checkin_count": count(&user["checkin"]["total"]),
            "last_checkin_count": count(&user["checkin"]["streak"]),
            "updated_at": timestamp(&user["updatedAt"]),
        }),
    );
    let vip = &user["vip"];
    out.insert(
        "vip".into(),
        if vip.is_null() {
            Value::Null
        } else {
            json!({
                "level": or_empty(&vip["level"]),
                "end_time": timestamp(&vip["endsAt"]),
                "name": or_empty(&vip["name"]),
            })
        },
    );
    let wallet = &user["wallet"];
    if !wallet.is_null() {
        out.insert(
            "currency".into(),
            json!({"owner_id": legacy, "type": 1, "sum": count(&wallet["balance"])}),
        );
        out.insert(
            "wallet".into(),
            json!({
                "owner_id": legacy,
                "balance": count(&wallet["balance"]),
                "total_income": count(&wallet["totalIncome"]),
                "total_expenses": count(&wallet["totalExpenses"]),
            }),
        );
    }
    out.insert(
        "has_follower".into(),
        Value::Bool(user["isFollowedByMe"].as_bool().unwrap_or(false)),
    );
    out.insert(
        "has_following".into(),
        Value::Bool(user["followsMe"].as_bool().unwrap_or(false)),
    );
    out.insert(
        "verification".into(),
        super::verification::verification_object(&user["verification"]),
    );
    Ok(Value::Object(out))
}

fn me(data: Value) -> AppResult<Value> {
    let me = pick(&data, "/me")?;
    if me.is_null() {
        return Err(AppError::Unauthenticated("authentication required".into()));
    }
    user_object(me)
}

fn one_user(data: Value) -> AppResult<Value> {
    let user = pick(&data, "/user")?;
    if user.is_null() {
        return Err(AppError::NotFound("no such user".into()));
    }
    let mut object = user_object(user)?;
    if let Some(out) = object.as_object_mut() {
        if let Some(checked) = user.get("followedByChecked") {
            out.insert("has_follower".into(), checked.clone());
        }
        if let Some(checked) = user.get("followingChecked") {
            out.insert("has_following".into(), checked.clone());
        }
    }
    Ok(object)
}

fn user_list(data: Value) -> AppResult<Value> {
    let nodes = pick(&data, "/users/nodes")?;
    let users = nodes
        .as_array()
        .map(|nodes| nodes.iter().map(user_object).collect::<AppResult<Vec<_>>>())
        .transpose()?
        .unwrap_or_default();
    Ok(Value::Array(users))
}

fn deactivated(_: Value) -> AppResult<Value> {
    Ok(json!({"message": "操作成功,再见"}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(segment: &str) -> Map<String, Value> {
        let mut vars = Map::new();
        vars.insert("user".into(), Value::from(segment));
        assert!(prepare_user_key(&mut vars).is_ok());
        vars
    }

    #[test]
    fn the_user_segment_is_an_id_a_phone_an_email_or_a_name() {
        assert_eq!(key_of("42")["id"], global_id("User", 42).0.as_str());
        assert_eq!(key_of("13800000001")["phone"], "13800000001");
        assert!(key_of("23800000001").contains_key("id"));
        assert_eq!(key_of("a@b.cn")["email"], "a@b.cn");
        assert_eq!(key_of("xiaoxiao")["username"], "xiaoxiao");
    }

    #[test]
    fn list_parameters_are_checked() {
        let mut vars = Map::new();
        vars.insert("first".into(), Value::from(51));
        assert!(prepare_users(&mut vars).is_err());
        let mut vars = Map::new();
        vars.insert("active".into(), Value::from(1));
        vars.insert("offset".into(), Value::from(3));
        assert!(prepare_users(&mut vars).is_ok());
        assert_eq!(vars["order"], "RECENTLY_ACTIVE");
        assert_eq!(vars["after"], OffsetCursor(2).encode_cursor().as_str());
    }

    #[test]
    fn timestamps_lose_their_fraction() {
        assert_eq!(
            timestamp(&Value::from("2019-11-20T07:32:34.123456Z")),
            "2019-11-20T07:32:34Z"
        );
    }
}

//! Identity endpoints of the counselling dialect (consultant side): login, registration,
//! verification codes, password reset, deactivation, the profile and the avatar.
//!
//! Documented choices: `accountType` is `email` or `phone` and `loginType` `password` or
//! `code`; codes from `/auth/email` and `/auth/phone` name no purpose and serve any of these
//! endpoints; answers without documented data carry `data: {}`; missing profile values are
//! empty strings, as the document asks; `code` is always an integer.

use http::Method;
use serde_json::{Map, Value, json};

use super::super::{Access, Dialect, Kind, Param, Route, Source, empty, pick};
use crate::error::{AppError, AppResult};
use crate::graphql::node::decode_int_id;

const USER_ID_DESCRIPTION: &str = "The consultant's user id; with `token`, required (a missing or mismatched pair answers code 401)";
const TOKEN_DESCRIPTION: &str = "The token from /api/consultant/auth/login; required";

/// `email` or `phone`: which kind of account the request names.
const ACCOUNT_TYPE: Param = Param::required(
    "accountType",
    Source::Body,
    Kind::String,
    "accountType",
    ACCOUNT_TYPE_DESCRIPTION,
);

/// The caller's id, checked against `token` by the handler (counseling authentication).
pub(super) const USER_ID: Param = Param::optional(
    "userID",
    Source::Body,
    Kind::Int,
    "userID",
    USER_ID_DESCRIPTION,
);

/// The caller's session token, sent in the body.
pub(super) const TOKEN: Param = Param::optional(
    "token",
    Source::Body,
    Kind::String,
    "token",
    TOKEN_DESCRIPTION,
);
const ACCOUNT_TYPE_DESCRIPTION: &str = "`email` or `phone`: what `account` is";

const LOGIN_PARAMS: &[Param] = &[
    Param::required(
        "loginType",
        Source::Body,
        Kind::String,
        "loginType",
        "`password` or `code`: what `credential` is",
    ),
    ACCOUNT_TYPE,
    Param::required(
        "account",
        Source::Body,
        Kind::String,
        "account",
        "E-mail address or phone number",
    ),
    Param::required(
        "credential",
        Source::Body,
        Kind::String,
        "credential",
        "The password, or the 6-digit code sent by /auth/email or /auth/phone",
    ),
];

const REGISTER_PARAMS: &[Param] = &[
    Param::required(
        "userName",
        Source::Body,
        Kind::String,
        "username",
        "Username: 3-32 letters, digits, `_`, `.` or `-`; unique",
    ),
    Param::required(
        "account",
        Source::Body,
        Kind::String,
        "destination",
        "E-mail address or phone number the code was sent to",
    ),
    ACCOUNT_TYPE,
    Param::required(
        "password",
        Source::Body,
        Kind::String,
        "password",
        "At least 8 characters mixing two of letters, digits and symbols",
    ),
    Param::required(
        "verificationCode",
        Source::Body,
        Kind::String,
        "code",
        "The 6-digit code",
    ),
];

const EMAIL_PARAMS: &[Param] = &[Param::required(
    "email",
    Source::Body,
    Kind::String,
    "destination",
    "E-mail address to send a 6-digit code to (valid 5 minutes; one per address per minute)",
)];

const PHONE_PARAMS: &[Param] = &[Param::required(
    "phone",
    Source::Body,
    Kind::String,
    "destination",
    "Mainland mobile number to send a 6-digit code to (valid 5 minutes; one per number per minute)",
)];

const RESET_PARAMS: &[Param] = &[
    ACCOUNT_TYPE,
    Param::required(
        "account",
        Source::Body,
        Kind::String,
        "destination",
        "The account's e-mail address or phone number",
    ),
    Param::required(
        "verificationCode",
        Source::Body,
        Kind::String,
        "code",
        "The 6-digit code sent to it",
    ),
    Param::required(
        "newPassword",
        Source::Body,
        Kind::String,
        "newPassword",
        "At least 8 characters mixing two of letters, digits and symbols; every session ends",
    ),
];

const DEACTIVATE_PARAMS: &[Param] = &[
    TOKEN,
    ACCOUNT_TYPE,
    Param::required(
        "account",
        Source::Body,
        Kind::String,
        "destination",
        "The account's own e-mail address or phone number",
    ),
    Param::required(
        "verificationCode",
        Source::Body,
        Kind::String,
        "code",
        "The 6-digit code sent to it",
    ),
];

const AUTH_PARAMS: &[Param] = &[USER_ID, TOKEN];

const UPDATE_PROFILE_PARAMS: &[Param] = &[
    USER_ID,
    TOKEN,
    Param::required(
        "profile",
        Source::Body,
        Kind::Json,
        "profile",
        "The complete profile, every field a string: username, name (legal name), phone (the current number: changing it needs a code), email, organization, introduction, experience, expertise, education, certifications. It overwrites the stored values; an empty string clears one (not the username or the phone number)",
    ),
];

const AVATAR_PARAMS: &[Param] = &[
    USER_ID,
    TOKEN,
    Param::required(
        "avatar",
        Source::File,
        Kind::Upload,
        "avatar",
        "The image (JPEG, PNG, GIF or WebP), as a multipart file part",
    ),
];

const SEND_CODE_EXAMPLE: &str = r#"{"expiresInSeconds":300,"resendAfterSeconds":60}"#;

/// The identity routes.
pub fn routes() -> Vec<Route> {
    let send_sms_code = |path: &'static str, summary: &'static str| Route {
        dialect: Dialect::Counseling,
        method: Method::POST,
        path,
        summary,
        access: Access::Public,
        document: include_str!("ops/identity_send_sms_code.graphql"),
        params: PHONE_PARAMS,
        transform: code_sent,
        example: Some(SEND_CODE_EXAMPLE),
        status: http::StatusCode::OK,
        prepare: None,
    };
    vec![
        Route {
            dialect: Dialect::Counseling,
            method: Method::POST,
            path: "/api/consultant/auth/login",
            summary: "Log in with a password or a code, by e-mail address or phone number; the account becomes a consultant if it was not one. Send data.userInfo.userID and data.token as `userID` and `token` afterwards",
            access: Access::Public,
            document: concat!(
                include_str!("ops/identity_login.graphql"),
                include_str!("ops/identity_user_info_fields.graphql")
            ),
            params: LOGIN_PARAMS,
            transform: login,
            example: Some(
                r#"{"token":"q3J9…","userInfo":{"userID":42,"userName":"wangfang","name":"王芳","phone":"13812345678","email":"wangfang@example.com","organization":"阳光心理咨询中心","avatar":"http://127.0.0.1:8080/files/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}"#,
            ),
            status: http::StatusCode::OK,
            prepare: Some(login_vars),
        },
        Route {
            dialect: Dialect::Counseling,
            method: Method::POST,
            path: "/api/consultant/auth/register",
            summary: "Register a consultant with the code sent to the e-mail address or phone number; log in afterwards",
            access: Access::Public,
            document: include_str!("ops/identity_register.graphql"),
            params: REGISTER_PARAMS,
            transform: empty,
            example: Some("{}"),
            status: http::StatusCode::OK,
            prepare: Some(channel_vars),
        },
        Route {
            dialect: Dialect::Counseling,
            method: Method::POST,
            path: "/api/consultant/auth/email",
            summary: "Send a 6-digit code to an e-mail address (for registration, code login, password reset or deactivation). The answer is the same whether or not an account exists",
            access: Access::Public,
            document: include_str!("ops/identity_send_email_code.graphql"),
            params: EMAIL_PARAMS,
            transform: code_sent,
            example: Some(SEND_CODE_EXAMPLE),
            status: http::StatusCode::OK,
            prepare: None,
        },
        send_sms_code(
            "/api/consult/auth/phone",
            "Send a 6-digit code by SMS (for registration, code login, password reset or deactivation); the documented path, `/consult/` included. The answer is the same whether or not an account exists",
        ),
        send_sms_code(
            "/api/consultant/auth/phone",
            "Send a 6-digit code by SMS: the corrected spelling of /api/consult/auth/phone (same endpoint)",
        ),
        Route {
            dialect: Dialect::Counseling,
            method: Method::POST,
            path: "/api/consultant/auth/reset-password",
            summary: "Set a new password with a code sent to the account's e-mail address or phone number; every session of the account ends",
            access: Access::Public,
            document: include_str!("ops/identity_reset_password.graphql"),
            params: RESET_PARAMS,
            transform: empty,
            example: Some("{}"),
            status: http::StatusCode::OK,
            prepare: Some(channel_vars),
        },
        Route {
            dialect: Dialect::Counseling,
            method: Method::POST,
            path: "/api/consultant/auth/deactivate",
            summary: "Deactivate (注销) the caller's account (`token` in the body; no userID), proven by a code sent to its own e-mail address or phone number; it can no longer log in",
            access: Access::LoggedIn,
            document: include_str!("ops/identity_deactivate.graphql"),
            params: DEACTIVATE_PARAMS,
            transform: empty,
            example: Some("{}"),
            status: http::StatusCode::OK,
            prepare: Some(channel_vars),
        },
        Route {
            dialect: Dialect::Counseling,
            method: Method::POST,
            path: "/api/consultant/user/profile",
            summary: "The caller's profile; values that are not set are empty strings",
            access: Access::LoggedIn,
            document: include_str!("ops/identity_profile.graphql"),
            params: AUTH_PARAMS,
            transform: profile,
            example: Some(
                r#"{"avatar":"http://127.0.0.1:8080/files/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","username":"wangfang","name":"王芳","phone":"13812345678","email":"wangfang@example.com","organization":"阳光心理咨询中心","introduction":"国家二级心理咨询师","experience":"8年","expertise":"情绪管理、亲子关系","education":"心理学硕士","certifications":""}"#,
            ),
            status: http::StatusCode::OK,
            prepare: Some(drop_auth),
        },
        Route {
            dialect: Dialect::Counseling,
            method: Method::POST,
            path: "/api/consultant/user/updateProfile",
            summary: "Overwrite the caller's profile with the complete data sent (one transaction: nothing changes when a field is refused)",
            access: Access::LoggedIn,
            document: include_str!("ops/identity_update_profile.graphql"),
            params: UPDATE_PROFILE_PARAMS,
            transform: empty,
            example: Some("{}"),
            status: http::StatusCode::OK,
            prepare: Some(profile_vars),
        },
        Route {
            dialect: Dialect::Counseling,
            method: Method::POST,
            path: "/api/consultant/updateAvatar",
            summary: "Upload an image (multipart, with userID and token as text fields) and make it the caller's avatar; answers its URL",
            access: Access::LoggedIn,
            document: include_str!("ops/identity_update_avatar.graphql"),
            params: AVATAR_PARAMS,
            transform: avatar,
            example: Some(
                r#"{"avatar":"http://127.0.0.1:8080/files/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}"#,
            ),
            status: http::StatusCode::OK,
            prepare: Some(drop_auth),
        },
    ]
}

/// A string for the dialect: missing values are empty strings.
pub(super) fn text(value: &Value) -> Value {
    match value {
        Value::String(_) => value.clone(),
        _ => Value::from(""),
    }
}

/// The legacy integer id of a user's global ID.
fn user_id(user: &Value) -> AppResult<i64> {
    let id = user["id"]
        .as_str()
        .ok_or_else(|| AppError::internal("the user has no id"))?;
    decode_int_id(id, "User")
}

fn login(data: Value) -> AppResult<Value> {
    let payload = match data.get("login") {
        Some(payload) if !payload.is_null() => payload.clone(),
        _ => pick(&data, "/loginWithCode")?.clone(),
    };
    let user = &payload["user"];
    Ok(json!({
        "token": payload["token"],
        "userInfo": {
            "userID": user_id(user)?,
            "userName": user["username"],
            "name": text(&user["realName"]),
            "phone": text(&user["phone"]),
            "email": text(&user["email"]),
            "organization": text(&user["consultantProfile"]["organization"]),
            "avatar": text(&user["avatarUrl"]),
        },
    }))
}

fn code_sent(data: Value) -> AppResult<Value> {
    pick(&data, "/sendVerificationCode").cloned()
}

fn profile(data: Value) -> AppResult<Value> {
    let user = pick(&data, "/me")?;
    if user.is_null() {
        return Err(AppError::Unauthenticated(
            "send userID and token in the body".into(),
        ));
    }
    let consultant = &user["consultantProfile"];
    Ok(json!({
        "avatar": text(&user["avatarUrl"]),
        "username": text(&user["username"]),
        "name": text(&user["realName"]),
        "phone": text(&user["phone"]),
        "email": text(&user["email"]),
        "organization": text(&consultant["organization"]),
        "introduction": text(&consultant["introduction"]),
        "experience": text(&consultant["experience"]),
        "expertise": text(&consultant["expertise"]),
        "education": text(&consultant["education"]),
        "certifications": text(&consultant["certifications"]),
    }))
}

fn avatar(data: Value) -> AppResult<Value> {
    Ok(json!({ "avatar": text(&pick(&data, "/setAvatar")?["avatarUrl"]) }))
}

/// The body's `userID` and `token` identify the caller (the handler checks them); they are no
/// GraphQL variables.
pub(super) fn drop_auth(vars: &mut Map<String, Value>) -> AppResult<()> {
    vars.remove("userID");
    vars.remove("token");
    Ok(())
}

/// `accountType` (`email` | `phone`) becomes the code channel.
fn channel_vars(vars: &mut Map<String, Value>) -> AppResult<()> {
    drop_auth(vars)?;
    let (channel, _) = account_type(vars)?;
    vars.insert("channel".into(), Value::from(channel));
    Ok(())
}

/// Removes `accountType` and answers (channel, identifier kind).
fn account_type(vars: &mut Map<String, Value>) -> AppResult<(&'static str, &'static str)> {
    let value = vars.remove("accountType");
    match value.as_ref().and_then(Value::as_str).map(str::trim) {
        Some("email") => Ok(("EMAIL", "EMAIL")),
        Some("phone") => Ok(("SMS", "PHONE")),
        _ => Err(AppError::bad_field(
            "accountType",
            "accountType must be email or phone",
        )),
    }
}

/// `loginType` chooses the password or the code login; `accountType` the kind of account.
fn login_vars(vars: &mut Map<String, Value>) -> AppResult<()> {
    let by_password = match vars
        .remove("loginType")
        .as_ref()
        .and_then(Value::as_str)
        .map(str::trim)
    {
        Some("password") => true,
        Some("code") => false,
        _ => {
            return Err(AppError::bad_field(
                "loginType",
                "loginType must be password or code",
            ));
        }
    };
    let (channel, kind) = account_type(vars)?;
    vars.insert("byPassword".into(), Value::Bool(by_password));
    vars.insert("channel".into(), Value::from(channel));
    vars.insert("kind".into(), Value::from(kind));
    Ok(())
}

/// The profile object splits into personal data (`ProfileInput`) and the consultant profile.
fn profile_vars(vars: &mut Map<String, Value>) -> AppResult<()> {
    const PERSONAL: [(&str, &str); 4] = [
        ("username", "username"),
        ("name", "realName"),
        ("email", "email"),
        ("phone", "phone"),
    ];
    const CONSULTANT: [&str; 6] = [
        "organization",
        "introduction",
        "experience",
        "expertise",
        "education",
        "certifications",
    ];
    drop_auth(vars)?;
    let Some(Value::Object(sent)) = vars.remove("profile") else {
        return Err(AppError::bad_field("profile", "profile must be an object"));
    };
    let field = |name: &str| -> AppResult<Option<Value>> {
        match sent.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(Value::String(s.clone()))),
            Some(_) => Err(AppError::bad_field(
                format!("profile.{name}"),
                format!("profile.{name} must be a string"),
            )),
        }
    };
    let mut personal = Map::new();
    for (legacy, var) in PERSONAL {
        if let Some(value) = field(legacy)? {
            personal.insert(var.into(), value);
        }
    }
    let mut consultant = Map::new();
    for name in CONSULTANT {
        if let Some(value) = field(name)? {
            consultant.insert(name.into(), value);
        }
    }
    vars.insert("profile".into(), Value::Object(personal));
    vars.insert("consultant".into(), Value::Object(consultant));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_types_map_to_mutations() {
        let mut vars = Map::new();
        vars.insert("loginType".into(), json!("code"));
        vars.insert("accountType".into(), json!("phone"));
        login_vars(&mut vars).expect("valid");
        assert_eq!(vars["byPassword"], false);
        assert_eq!(vars["channel"], "SMS");
        assert_eq!(vars["kind"], "PHONE");

        let mut bad = Map::new();
        bad.insert("loginType".into(), json!("password"));
        bad.insert("accountType".into(), json!("wechat"));
        assert!(login_vars(&mut bad).is_err());
    }

    #[test]
    fn the_profile_splits_and_refuses_non_strings() {
        let mut vars = Map::new();
        vars.insert("userID".into(), json!(3));
        vars.insert(
            "profile".into(),
            json!({"username": "wf", "name": "王芳", "organization": "", "avatar": "x"}),
        );
        profile_vars(&mut vars).expect("valid");
        assert_eq!(
            vars["profile"],
            json!({"username": "wf", "realName": "王芳"})
        );
        assert_eq!(vars["consultant"], json!({"organization": ""}));
        assert!(!vars.contains_key("userID"));

        let mut bad = Map::new();
        bad.insert("profile".into(), json!({"experience": 8}));
        assert!(profile_vars(&mut bad).is_err());
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

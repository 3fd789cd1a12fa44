//! Identity endpoints of this dialect (accounts, sessions, profiles): `/verifycode`,
//! `/phone/verifycode`, `/register`, `/login`, `/login/phone`, `GET|PUT /user`, `/user/{id}`,
//! `/reset/pwd` and `/logout`. `GET /captcha/app` is served by `crate::http::captcha`.
//!
//! The legacy "@用户信息" is one of three structures (patient, doctor, assistant) chosen by the
//! user type: the requested `type` for `/register` and `/login`, otherwise the user's roles
//! (doctor, else assistant, else patient).

use http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::super::{Access, Dialect, Kind, Param, Route, Source, empty, pick};
use super::clinics::organization;
use super::{int, strings, text};
use crate::error::{AppError, AppResult};

/// The doctor's `work_time` / `work_photo` as the legacy clients send them.
const WORK_TIME_HELP: &str = "7 × {\"morning\":0|1,\"afternoon\":0|1}, Monday first; a JSON string (as documented) or an array";

const SEND_CODE_CAPTCHA_PARAMS: &[Param] = &[
    Param::required(
        "phone",
        Source::Body,
        Kind::String,
        "phone",
        "手机号: mainland mobile number",
    ),
    Param::required(
        "captcha_code",
        Source::Body,
        Kind::String,
        "captchaAnswer",
        "图形验证码: the characters of the GET /captcha/app image",
    ),
    Param::optional(
        crate::auth::captcha::COOKIE,
        Source::Cookie,
        Kind::String,
        "captchaId",
        "Cookie set by GET /captcha/app (binds the client to its image; one try per image)",
    ),
];

const SEND_CODE_PARAMS: &[Param] = &[Param::required(
    "phone",
    Source::Body,
    Kind::String,
    "phone",
    "手机号: mainland mobile number",
)];

const REGISTER_PARAMS: &[Param] = &[
    Param::required(
        "phono",
        Source::Body,
        Kind::String,
        "phone",
        "手机号码 (sic `phono`): the number the code went to",
    ),
    Param::required(
        "verify_code",
        Source::Body,
        Kind::String,
        "code",
        "验证码: from POST /verifycode or /phone/verifycode",
    ),
    Param::required(
        "pwd",
        Source::Body,
        Kind::String,
        "password",
        "密码: at least 8 characters mixing letters, digits or symbols",
    ),
    Param::required(
        "type",
        Source::Body,
        Kind::Int,
        "type",
        "用户类型: 1 patient (患者), 2 doctor (医生), 3 assistant (医助)",
    ),
];

const LOGIN_PARAMS: &[Param] = &[
    Param::required(
        "phono",
        Source::Body,
        Kind::String,
        "phone",
        "手机号码 (sic `phono`)",
    ),
    Param::required("pwd", Source::Body, Kind::String, "password", "密码"),
    Param::required(
        "type",
        Source::Body,
        Kind::Int,
        "type",
        "用户类型: 1 patient, 2 doctor, 3 assistant; the account must hold that type (a login never grants one: register with a code to apply)",
    ),
];

const LOGIN_PHONE_PARAMS: &[Param] = &[
    Param::optional(
        "photo",
        Source::Body,
        Kind::String,
        "photo",
        "手机号码, as documented (sic `photo`); `phone` is accepted too. One of them is required",
    ),
    Param::optional(
        "phone",
        Source::Body,
        Kind::String,
        "phone",
        "手机号码 (the undocumented spelling; wins over `photo`)",
    ),
    Param::required(
        "verify_code",
        Source::Body,
        Kind::String,
        "code",
        "验证码: from POST /verifycode or /phone/verifycode",
    ),
];

const USER_ID_PARAMS: &[Param] = &[Param::required(
    "id",
    Source::Path,
    Kind::NodeId("User"),
    "id",
    "用户id",
)];

const RESET_PARAMS: &[Param] = &[
    Param::required(
        "phono",
        Source::Body,
        Kind::String,
        "phone",
        "手机号码 (sic `phono`)",
    ),
    Param::required(
        "verify_code",
        Source::Body,
        Kind::String,
        "code",
        "验证码: from POST /phone/verifycode",
    ),
    Param::required(
        "pwd",
        Source::Body,
        Kind::String,
        "password",
        "新密码: at least 8 characters mixing letters, digits or symbols",
    ),
    Param::optional(
        "type",
        Source::Body,
        Kind::Int,
        "type",
        "用户类型 (documented as required; accepted and ignored: one password per account)",
    ),
];

/// `PUT /user`: the variable names say which section of `updateProfiles` a field belongs to
/// (`section.field`); [`nest_update_user`] builds the input objects from them.
const UPDATE_USER_PARAMS: &[Param] = &[
    Param::optional(
        "avatars",
        Source::Body,
        Kind::String,
        "profile.avatar",
        "头像: URL (or address) of an image uploaded with POST /imgupload",
    ),
    Param::required(
        "real_name",
        Source::Body,
        Kind::String,
        "profile.realName",
        "真实姓名",
    ),
    Param::required(
        "idno",
        Source::Body,
        Kind::String,
        "profile.idCardNumber",
        "身份证号: 18-character resident ID (check digit and birth date are checked; fills birthday and sex when unknown)",
    ),
    Param::optional("email", Source::Body, Kind::String, "profile.email", "邮箱"),
    Param::optional(
        "province_id",
        Source::Body,
        Kind::Int,
        "profile.provinceCode",
        "省份id (6-digit region code, see GET /city)",
    ),
    Param::optional(
        "city_id",
        Source::Body,
        Kind::Int,
        "profile.cityCode",
        "城市id",
    ),
    Param::optional(
        "county_id",
        Source::Body,
        Kind::Int,
        "profile.countyCode",
        "区县id",
    ),
    Param::optional(
        "addr",
        Source::Body,
        Kind::String,
        "profile.address",
        "详细地址",
    ),
    Param::optional(
        "height",
        Source::Body,
        Kind::Float,
        "patient.heightCm",
        "身高 in cm (patient; documented as required for patients)",
    ),
    Param::optional(
        "weight",
        Source::Body,
        Kind::Float,
        "patient.weightKg",
        "体重 in kg (patient; documented as required for patients)",
    ),
    Param::optional(
        "marital_status",
        Source::Body,
        Kind::Int,
        "patient.maritalStatus",
        "婚否 (patient): 0 未婚, 1 已婚, 2 离异, 3 丧偶",
    ),
    Param::optional(
        "drink_status",
        Source::Body,
        Kind::Bool,
        "patient.drinks",
        "是否饮酒 (patient): 0 no, 1 yes",
    ),
    Param::optional(
        "smoking_status",
        Source::Body,
        Kind::Bool,
        "patient.smokes",
        "是否抽烟 (patient): 0 no, 1 yes",
    ),
    Param::optional(
        "hospital_id",
        Source::Body,
        Kind::Int,
        "doctor.hospitalId",
        "医院id (doctor; documented as a string, digits accepted either way)",
    ),
    Param::optional(
        "departments",
        Source::Body,
        Kind::String,
        "doctor.department",
        "科室 (doctor)",
    ),
    Param::optional(
        "job_position",
        Source::Body,
        Kind::String,
        "doctor.position",
        "职位 (doctor)",
    ),
    Param::optional(
        "good_at",
        Source::Body,
        Kind::String,
        "doctor.specialties",
        "擅长 (doctor)",
    ),
    Param::optional(
        "work_photo",
        Source::Body,
        Kind::Json,
        "doctor.workProof",
        "工作证明材料 (doctor): URLs of images uploaded with POST /imgupload, as an array or a JSON-encoded array (one URL alone is accepted)",
    ),
    Param::optional(
        "abstract",
        Source::Body,
        Kind::String,
        "doctor.abstract",
        "个人简介 (doctor)",
    ),
    Param::optional(
        "work_time",
        Source::Body,
        Kind::Json,
        "doctor.workTime",
        WORK_TIME_HELP,
    ),
    Param::optional(
        "team_name",
        Source::Body,
        Kind::String,
        "assistant.teamName",
        "团队名称 (assistant)",
    ),
];

const PATIENT_EXAMPLE: &str = r#"{"id":1,"real_name":"张三","phone":"15512341234","avatars":"http://127.0.0.1:8080/files/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","idno":"110105197807138524","sex":2,"birthday":"1978-07-13","age":47,"email":"email@qq.com","height":"172","weight":"89","province_id":110000,"province_name":"北京市","city_id":110100,"city_name":"北京市","county_id":110105,"county_name":"朝阳区","addr":"国贸三期","marital_status":1,"drink_status":1,"smoking_status":1,"credit_score":"3.4","punctuality_score":"4.5","is_verify":1,"join_project_count":3,"done_project_count":2,"token":"mg_6f476a45e20898330f07cbc4ff03e3df5a35203f36e3c"}"#;

const DOCTOR_EXAMPLE: &str = r#"{"id":2,"real_name":"李四","phone":"15512341235","avatars":null,"idno":"110105197807138524","hospital":"省人民医院","departments":"内科","job_position":"主任","good_at":"擅长","work_photo":["http://127.0.0.1:8080/files/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],"abstract":"个人简介","visits_count":10,"patient_count":30,"service_time_long":400,"work_time":[{"morning":1,"afternoon":0},{"morning":1,"afternoon":0},{"morning":1,"afternoon":0},{"morning":1,"afternoon":0},{"morning":1,"afternoon":0},{"morning":0,"afternoon":0},{"morning":0,"afternoon":0}],"is_verify":1,"score":"4.5","token":"mg_6f476a45e20898330f07cbc4ff03e3df5a35203f36e3c"}"#;

const USER_EXAMPLE: &str = r#"{"id":1,"real_name":"张三","phone":"15512341234","avatars":null,"idno":"110105197807138524","sex":2,"birthday":"1978-07-13","age":47,"email":"email@qq.com","height":"172","weight":"89","province_id":110000,"province_name":"北京市","city_id":110100,"city_name":"北京市","county_id":110105,"county_name":"朝阳区","addr":"国贸三期","marital_status":1,"drink_status":0,"smoking_status":0,"credit_score":null,"punctuality_score":null,"is_verify":0,"join_project_count":0,"done_project_count":0}"#;

const OTHER_USER_EXAMPLE: &str = r#"{"id":3,"real_name":"王*","phone":"155****1236","avatars":null,"idno":"110105**********8527","email":"e***@qq.com","team_name":"志愿团队","province_id":110000,"province_name":"北京市","city_id":110100,"city_name":"北京市","county_id":110105,"county_name":"朝阳区","addr":null,"help_count":10,"is_verify":1}"#;

const LOGIN_PHONE_EXAMPLE: &str = r#"{"id":4,"real_name":null,"phone":"15512341237","avatars":null,"idno":null,"sex":0,"birthday":null,"age":null,"email":null,"height":null,"weight":null,"province_id":null,"province_name":null,"city_id":null,"city_name":null,"county_id":null,"county_name":null,"addr":null,"marital_status":null,"drink_status":null,"smoking_status":null,"credit_score":null,"punctuality_score":null,"is_verify":0,"join_project_count":0,"done_project_count":0,"token":"mg_6f476a45e20898330f07cbc4ff03e3df5a35203f36e3c","is_new":1}"#;

/// The GraphQL document of a route that shapes users: the operation and the user fragment.
macro_rules! with_user_fields {
    ($file:literal) => {
        concat!(
            include_str!($file),
            include_str!("ops/identity_user_fields.graphql")
        )
    };
}

/// The identity routes.
pub fn routes() -> Vec<Route> {
    let route = |method: Method,
                 path: &'static str,
                 summary: &'static str,
                 access: Access,
                 document: &'static str,
                 params: &'static [Param],
                 transform: super::super::Transform,
                 example: &'static str| Route {
        dialect: Dialect::Volunteer,
        method,
        path,
        summary,
        access,
        document,
        params,
        transform,
        example: Some(example),
        status: StatusCode::OK,
        prepare: None,
    };
    vec![
        route(
            Method::POST,
            "/verifycode",
            "Send an SMS code (purpose GENERAL) after checking the image captcha of GET /captcha/app; \
             the captcha cookie must come along and each image allows one try",
            Access::Public,
            include_str!("ops/identity_send_code_captcha.graphql"),
            SEND_CODE_CAPTCHA_PARAMS,
            empty,
            "{}",
        ),
        route(
            Method::POST,
            "/phone/verifycode",
            "Send an SMS code (purpose GENERAL) without an image captcha",
            Access::Public,
            include_str!("ops/identity_send_code.graphql"),
            SEND_CODE_PARAMS,
            empty,
            "{}",
        ),
        Route {
            prepare: Some(role_of_type),
            ..route(
                Method::POST,
                "/register",
                "Register with phone + SMS code + password as type 1/2/3; answers the profile \
                 structure of that type with `token`",
                Access::Public,
                with_user_fields!("ops/identity_register.graphql"),
                REGISTER_PARAMS,
                register,
                DOCTOR_EXAMPLE,
            )
        },
        Route {
            prepare: Some(role_of_type),
            ..route(
                Method::POST,
                "/login",
                "Log in with phone + password as type 1/2/3; answers the profile structure of \
                 that type with `token`",
                Access::Public,
                with_user_fields!("ops/identity_login.graphql"),
                LOGIN_PARAMS,
                login,
                PATIENT_EXAMPLE,
            )
        },
        Route {
            prepare: Some(phone_of_photo),
            ..route(
                Method::POST,
                "/login/phone",
                "Log in with an SMS code, registering the number as a patient when it has no \
                 account; answers the profile structure (doctor, else assistant, else patient) \
                 with `token` and `is_new` (1 = registered now). The number comes in `photo` as \
                 documented, or `phone`",
                Access::Public,
                with_user_fields!("ops/identity_login_phone.graphql"),
                LOGIN_PHONE_PARAMS,
                login_by_phone,
                LOGIN_PHONE_EXAMPLE,
            )
        },
        route(
            Method::GET,
            "/user",
            "The logged-in user: the doctor structure for doctors, else the assistant one for \
             assistants, else the patient one (no `token`: it is only shown at login)",
            Access::LoggedIn,
            with_user_fields!("ops/identity_me.graphql"),
            &[],
            me,
            USER_EXAMPLE,
        ),
        Route {
            prepare: Some(nest_update_user),
            ..route(
                Method::PUT,
                "/user",
                "Complete or update one's profile. The form of every type is accepted; the \
                 fields of types the caller does not hold are ignored (\"后端会根据token来判断\"). \
                 real_name and idno are required; answers the caller's structure",
                Access::LoggedIn,
                with_user_fields!("ops/identity_update_user.graphql"),
                UPDATE_USER_PARAMS,
                updated_user,
                USER_EXAMPLE,
            )
        },
        route(
            Method::GET,
            "/user/{id}",
            "A user by id, in the target's structure; another user's private fields come \
             masked or null",
            Access::Public,
            with_user_fields!("ops/identity_user.graphql"),
            USER_ID_PARAMS,
            user_by_id,
            OTHER_USER_EXAMPLE,
        ),
        Route {
            prepare: Some(drop_type),
            ..route(
                Method::POST,
                "/reset/pwd",
                "Set a new password with an SMS code from POST /phone/verifycode; every \
                 session of the account ends. `type` is ignored (one password per account)",
                Access::Public,
                include_str!("ops/identity_reset_password.graphql"),
                RESET_PARAMS,
                empty,
                "{}",
            )
        },
        route(
            Method::GET,
            "/logout",
            "Log out: the X-auth-token stops working at once",
            Access::LoggedIn,
            include_str!("ops/identity_logout.graphql"),
            &[],
            empty,
            "{}",
        ),
    ]
}

/// The legacy user type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Patient,
    Doctor,
    Assistant,
}

/// `type` 1/2/3 -> `role` plus the markers that select the answer's structure.
fn role_of_type(vars: &mut Map<String, Value>) -> AppResult<()> {
    let shape = match vars.remove("type").and_then(|v| v.as_i64()) {
        Some(1) => Shape::Patient,
        Some(2) => Shape::Doctor,
        Some(3) => Shape::Assistant,
        _ => {
            return Err(AppError::bad_field(
                "type",
                "type must be 1 (patient), 2 (doctor) or 3 (assistant)",
            ));
        }
    };
    let role = match shape {
        Shape::Patient => "PATIENT",
        Shape::Doctor => "DOCTOR",
        Shape::Assistant => "ASSISTANT",
    };
    vars.insert("role".into(), Value::from(role));
    vars.insert("asDoctor".into(), Value::Bool(shape == Shape::Doctor));
    vars.insert("asAssistant".into(), Value::Bool(shape == Shape::Assistant));
    Ok(())
}

/// `/login/phone`: the number in `photo` (documented) or `phone`.
fn phone_of_photo(vars: &mut Map<String, Value>) -> AppResult<()> {
    let photo = vars.remove("photo");
    if !vars.contains_key("phone") {
        let phone = photo
            .ok_or_else(|| AppError::bad_field("photo", "photo (the phone number) is required"))?;
        vars.insert("phone".into(), phone);
    }
    Ok(())
}

/// `/reset/pwd`: `type` is accepted and ignored.
fn drop_type(vars: &mut Map<String, Value>) -> AppResult<()> {
    vars.remove("type");
    Ok(())
}

/// `PUT /user`: `section.field` variables into the `profile`, `patient`, `doctor` and
/// `assistant` input objects, with the legacy code tables converted.
fn nest_update_user(vars: &mut Map<String, Value>) -> AppResult<()> {
    let flat = std::mem::take(vars);
    for (key, value) in flat {
        let Some((section, field)) = key.split_once('.') else {
            vars.insert(key, value);
            continue;
        };
        let value = match field {
            "maritalStatus" => marital_status(&value)?,
            "workProof" => work_photo(value)?,
            "workTime" => work_time(value)?,
            _ => value,
        };
        let entry = vars
            .entry(section.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(object) = entry {
            object.insert(field.to_owned(), value);
        }
    }
    Ok(())
}

pub(super) fn marital_status(value: &Value) -> AppResult<Value> {
    Ok(Value::from(match value.as_i64() {
        Some(0) => "SINGLE",
        Some(1) => "MARRIED",
        Some(2) => "DIVORCED",
        Some(3) => "WIDOWED",
        _ => {
            return Err(AppError::bad_field(
                "marital_status",
                "marital_status must be 0 (未婚), 1 (已婚), 2 (离异) or 3 (丧偶)",
            ));
        }
    }))
}

/// A JSON value the clients may send JSON-encoded in a string.
fn decoded(value: Value) -> Value {
    match value {
        Value::String(s) if s.trim_start().starts_with(['[', '{']) => {
            serde_json::from_str(&s).unwrap_or(Value::String(s))
        }
        other => other,
    }
}

fn work_photo(value: Value) -> AppResult<Value> {
    let bad = || {
        AppError::bad_field(
            "work_photo",
            "work_photo must be an array of image URLs (or that array JSON-encoded)",
        )
    };
    match decoded(value) {
        Value::String(url) => Ok(json!([url])),
        Value::Array(items) => {
            if items.iter().all(Value::is_string) {
                Ok(Value::Array(items))
            } else {
                Err(bad())
            }
        }
        _ => Err(bad()),
    }
}

fn work_time(value: Value) -> AppResult<Value> {
    let bad = || AppError::bad_field("work_time", format!("work_time must be {WORK_TIME_HELP}"));
    let half_day = |v: Option<&Value>| -> AppResult<Value> {
        match v {
            None | Some(Value::Null) => Ok(Value::Bool(false)),
            Some(Value::Bool(b)) => Ok(Value::Bool(*b)),
            Some(Value::Number(n)) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => {
                Ok(Value::Bool(n.as_i64() == Some(1)))
            }
            Some(Value::String(s)) if s == "0" || s == "1" => Ok(Value::Bool(s == "1")),
            Some(_) => Err(bad()),
        }
    };
    let Value::Array(days) = decoded(value) else {
        return Err(bad());
    };
    days.iter()
        .map(|day| match day {
            Value::Object(day) => Ok(json!({
                "morning": half_day(day.get("morning"))?,
                "afternoon": half_day(day.get("afternoon"))?,
            })),
            _ => Err(bad()),
        })
        .collect::<AppResult<Vec<_>>>()
        .map(Value::Array)
}

// ---- results ----

fn register(data: Value) -> AppResult<Value> {
    session(pick(&data, "/register")?, None)
}

fn login(data: Value) -> AppResult<Value> {
    session(pick(&data, "/login")?, None)
}

fn login_by_phone(data: Value) -> AppResult<Value> {
    let payload = pick(&data, "/loginOrRegisterByPhone")?;
    let is_new = payload["isNew"].as_bool().unwrap_or(false);
    session(payload, Some(is_new))
}

/// An `AuthPayload` as the profile structure with `token` (and `is_new`). `/register` and
/// `/login` mark the requested type (`asDoctor`/`asAssistant`, neither for a patient);
/// `/login/phone` (with `is_new`) names none, so the roles decide.
fn session(payload: &Value, is_new: Option<bool>) -> AppResult<Value> {
    let user = pick(payload, "/user")?;
    let marked = |key: &str| payload.get(key).is_some_and(|v| !v.is_null());
    let shape = if marked("asDoctor") {
        Shape::Doctor
    } else if marked("asAssistant") {
        Shape::Assistant
    } else if is_new.is_some() {
        shape_by_roles(user)
    } else {
        Shape::Patient
    };
    let mut profile = profile(user, shape)?;
    profile.insert("token".into(), pick(payload, "/token")?.clone());
    if let Some(is_new) = is_new {
        profile.insert("is_new".into(), Value::from(i64::from(is_new)));
    }
    Ok(Value::Object(profile))
}

fn me(data: Value) -> AppResult<Value> {
    match pick(&data, "/me")? {
        Value::Null => Err(AppError::Unauthenticated(
            "log in first: send the token in the X-auth-token header".into(),
        )),
        user => by_roles(user),
    }
}

fn updated_user(data: Value) -> AppResult<Value> {
    by_roles(pick(&data, "/updateProfiles")?)
}

fn user_by_id(data: Value) -> AppResult<Value> {
    match pick(&data, "/user")? {
        Value::Null => Err(AppError::NotFound("no such user".into())),
        user => by_roles(user),
    }
}

fn by_roles(user: &Value) -> AppResult<Value> {
    profile(user, shape_by_roles(user)).map(Value::Object)
}

/// Doctor if the user is (or applied to be) a doctor, else assistant if an assistant, else
/// patient.
fn shape_by_roles(user: &Value) -> Shape {
    let holds = |role: &str| {
        user["roles"]
            .as_array()
            .is_some_and(|roles| roles.iter().any(|r| r == role))
    };
    // An applicant (pending review) has the role's profile without the role: their app
    // still shows that structure, with `is_verify` 0. A refused or revoked application shapes
    // nothing.
    let applied = |profile: &str| user[profile]["verifyState"] == "PENDING";
    if holds("DOCTOR") || applied("doctorProfile") {
        Shape::Doctor
    } else if holds("ASSISTANT") || applied("assistantProfile") {
        Shape::Assistant
    } else {
        Shape::Patient
    }
}

/// One of the three legacy structures (§2.2.3-§2.2.5) from a `VolunteerIdentityUser`: every
/// documented field present, a missing value as its documented empty value (`""`, `0`, `[]`);
/// the doctor's with `org_list` (its approved organizations, "@组织信息").
pub(super) fn profile(user: &Value, shape: Shape) -> AppResult<Map<String, Value>> {
    let id = user["id"]
        .as_str()
        .ok_or_else(|| AppError::internal("user without id"))?;
    let id = crate::graphql::node::decode_int_id(id, "User")?;
    let mut out = Map::new();
    let mut put = |key: &str, value: Value| {
        out.insert(key.to_owned(), value);
    };
    put("id", Value::from(id));
    put("real_name", text(&user["realName"]));
    put("phone", text(&user["phone"]));
    put("avatars", text(&user["avatarUrl"]));
    put("idno", text(&user["idCardNumber"]));
    let region = |put: &mut dyn FnMut(&str, Value)| {
        for (key, field) in [
            ("province", "province"),
            ("city", "city"),
            ("county", "county"),
        ] {
            put(&format!("{key}_id"), int(&user[field]["code"]));
            put(&format!("{key}_name"), text(&user[field]["name"]));
        }
        put("addr", text(&user["address"]));
    };
    match shape {
        Shape::Patient => {
            let p = &user["patientProfile"];
            put(
                "sex",
                match user["gender"].as_str() {
                    Some("MALE") => Value::from(1),
                    Some("FEMALE") => Value::from(2),
                    _ => Value::from(0),
                },
            );
            put("birthday", text(&user["birthday"]));
            put("age", int(&user["age"]));
            put("email", text(&user["email"]));
            put("height", number_text(&p["heightCm"]));
            put("weight", number_text(&p["weightKg"]));
            region(&mut put);
            put(
                "marital_status",
                Value::from(match p["maritalStatus"].as_str() {
                    Some("MARRIED") => 1,
                    Some("DIVORCED") => 2,
                    Some("WIDOWED") => 3,
                    _ => 0,
                }),
            );
            put("drink_status", flag(&p["drinks"]));
            put("smoking_status", flag(&p["smokes"]));
            put("credit_score", score_text(&p["creditScore"]));
            put("punctuality_score", score_text(&p["punctualityScore"]));
            put("is_verify", verify_state(&p["verifyState"]));
            put("join_project_count", int(&p["registrationCount"]));
            put("done_project_count", int(&p["visitCount"]));
        }
        Shape::Doctor => {
            let d = &user["doctorProfile"];
            // The hospital of `hospital_id` when one is set, else the name the doctor typed.
            let hospital = match d["hospital"]["name"].as_str() {
                Some(name) if !name.is_empty() => Value::from(name),
                _ => text(&d["hospitalName"]),
            };
            put("hospital", hospital);
            put("departments", text(&d["department"]));
            put("job_position", text(&d["position"]));
            put("good_at", text(&d["specialties"]));
            put("work_photo", strings(&d["workProofUrls"]));
            put("abstract", text(&d["abstract"]));
            put("visits_count", int(&d["visitCount"]));
            put("patient_count", int(&d["patientCount"]));
            put("service_time_long", int(&d["serviceMinutes"]));
            put(
                "work_time",
                Value::Array(
                    d["workTime"]
                        .as_array()
                        .map(|days| {
                            days.iter()
                                .map(|day| {
                                    json!({
                                        "morning": flag(&day["morning"]),
                                        "afternoon": flag(&day["afternoon"]),
                                    })
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                ),
            );
            put("is_verify", verify_state(&d["verifyState"]));
            put("score", score_text(&d["score"]));
            let orgs = d["organizations"]
                .as_array()
                .into_iter()
                .flatten()
                .map(organization)
                .collect::<AppResult<Vec<_>>>()?;
            put("org_list", Value::Array(orgs));
        }
        Shape::Assistant => {
            let a = &user["assistantProfile"];
            put("email", text(&user["email"]));
            put("team_name", text(&a["teamName"]));
            region(&mut put);
            put("help_count", int(&a["helpCount"]));
            put("is_verify", verify_state(&a["verifyState"]));
        }
    }
    Ok(out)
}

/// `is_verify`: 0 待核验 (also without a profile), 1 启用, 2 禁用.
fn verify_state(state: &Value) -> Value {
    Value::from(match state.as_str() {
        Some("ENABLED") => 1,
        Some("DISABLED") => 2,
        _ => 0,
    })
}

/// A boolean as the legacy 0/1 (0 when unknown).
fn flag(value: &Value) -> Value {
    Value::from(i64::from(value.as_bool().unwrap_or(false)))
}

/// A measure as the legacy string (`"172"`, `"172.5"`); `""` when unknown or hidden.
fn number_text(value: &Value) -> Value {
    Value::String(value.as_f64().map(|f| f.to_string()).unwrap_or_default())
}

/// A 0-5 score as the legacy string with one decimal (`"4.5"`); `""` before the first score.
fn score_text(value: &Value) -> Value {
    Value::String(
        value
            .as_f64()
            .map(|f| format!("{f:.1}"))
            .unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A user as GraphQL answers it: a doctor profile only for those who hold or applied for
    /// the doctor role (`doctor_state`: its review state).
    fn user(roles: &[&str]) -> Value {
        let state = if roles.contains(&"DOCTOR") {
            Some("ENABLED")
        } else {
            None
        };
        user_with(roles, state)
    }

    fn user_with(roles: &[&str], doctor_state: Option<&str>) -> Value {
        let mut user = json!({
            "id": crate::graphql::node::global_id("User", 7).0,
            "roles": roles,
            "realName": "张三",
            "phone": "15512341234",
            "email": null,
            "avatarUrl": null,
            "idCardNumber": "11010519491231002X",
            "gender": "FEMALE",
            "birthday": "1949-12-31",
            "age": 75,
            "address": "国贸三期",
            "province": {"code": 110000, "name": "北京市"},
            "city": null,
            "county": null,
            "patientProfile": {
                "heightCm": 172.0, "weightKg": 60.5, "maritalStatus": "WIDOWED",
                "drinks": true, "smokes": false, "creditScore": 4.25,
                "punctualityScore": null, "registrationCount": 3, "visitCount": 2,
                "verifyState": "ENABLED"
            },
            "doctorProfile": {
                "hospitalName": "省人民医院", "department": "内科", "position": "主任",
                "specialties": "擅长", "workProofUrls": ["http://x/files/a"], "abstract": null,
                "workTime": [{"morning": true, "afternoon": false}], "verifyState": "PENDING",
                "score": 4.5, "visitCount": 1, "patientCount": 2, "serviceMinutes": 30
            },
            "assistantProfile": null
        });
        match doctor_state {
            Some(state) => user["doctorProfile"]["verifyState"] = json!(state),
            None => user["doctorProfile"] = Value::Null,
        }
        user
    }

    #[test]
    fn an_applicant_doctor_has_the_doctor_structure_until_refused() {
        let out = by_roles(&user_with(&["PATIENT"], Some("PENDING"))).unwrap();
        assert_eq!(out["hospital"], "省人民医院", "{out}");
        assert_eq!(out["is_verify"], 0);
        // A refused (or revoked) application shapes nothing: the roles held do.
        let out = by_roles(&user_with(&["PATIENT"], Some("DISABLED"))).unwrap();
        assert_eq!(out["height"], "172", "{out}");
    }

    #[test]
    fn patient_structure() {
        let out = by_roles(&user(&["PATIENT"])).unwrap();
        assert_eq!(out["id"], 7);
        assert_eq!(out["sex"], 2);
        assert_eq!(out["height"], "172");
        assert_eq!(out["weight"], "60.5");
        assert_eq!(out["marital_status"], 3);
        assert_eq!(out["drink_status"], 1);
        assert_eq!(out["smoking_status"], 0);
        assert_eq!(out["credit_score"], "4.2");
        assert_eq!(out["punctuality_score"], "");
        assert_eq!(out["province_name"], "北京市");
        assert_eq!(out["city_id"], 0);
        assert_eq!(out["is_verify"], 1);
        assert!(out.get("hospital").is_none());
    }

    #[test]
    fn doctor_wins_over_patient() {
        let out = by_roles(&user(&["PATIENT", "DOCTOR"])).unwrap();
        assert_eq!(out["hospital"], "省人民医院");
        assert_eq!(out["work_time"], json!([{"morning": 1, "afternoon": 0}]));
        assert_eq!(out["is_verify"], 1, "an approved doctor is enabled");
        assert_eq!(out["score"], "4.5");
        assert_eq!(out["org_list"], json!([]));
        assert!(out.get("sex").is_none());
    }

    #[test]
    fn requested_type_decides_at_login() {
        let payload = json!({"token": "t", "user": user(&["PATIENT", "DOCTOR"])});
        let out = session(&payload, None).unwrap();
        assert_eq!(out["height"], "172");
        let mut marked = payload.clone();
        marked["asAssistant"] = json!("AuthPayload");
        let out = session(&marked, None).unwrap();
        assert_eq!(out["help_count"], 0);
        assert_eq!(out["token"], "t");
    }

    #[test]
    fn type_codes() {
        let mut vars = Map::new();
        vars.insert("type".into(), json!(3));
        role_of_type(&mut vars).unwrap();
        assert_eq!(vars["role"], "ASSISTANT");
        assert_eq!(vars["asAssistant"], true);
        assert_eq!(vars["asDoctor"], false);
        let mut vars = Map::new();
        vars.insert("type".into(), json!(4));
        assert!(role_of_type(&mut vars).is_err());
    }

    #[test]
    fn update_form_is_nested() {
        let mut vars = Map::new();
        vars.insert("profile.realName".into(), json!("张三"));
        vars.insert("patient.maritalStatus".into(), json!(1));
        vars.insert("patient.drinks".into(), json!(true));
        vars.insert(
            "doctor.workTime".into(),
            json!(r#"[{"morning":1,"afternoon":"0"},{"morning":0}]"#),
        );
        vars.insert(
            "doctor.workProof".into(),
            json!(r#"["http://a","http://b"]"#),
        );
        nest_update_user(&mut vars).unwrap();
        assert_eq!(vars["profile"], json!({"realName": "张三"}));
        assert_eq!(
            vars["patient"],
            json!({"maritalStatus": "MARRIED", "drinks": true})
        );
        assert_eq!(
            vars["doctor"]["workTime"],
            json!([{"morning": true, "afternoon": false}, {"morning": false, "afternoon": false}])
        );
        assert_eq!(vars["doctor"]["workProof"], json!(["http://a", "http://b"]));
        assert!(vars.get("assistant").is_none());

        let mut bad = Map::new();
        bad.insert("patient.maritalStatus".into(), json!(7));
        assert!(nest_update_user(&mut bad).is_err());
        let mut bad = Map::new();
        bad.insert("doctor.workTime".into(), json!("not json"));
        assert!(nest_update_user(&mut bad).is_err());
        let mut one = Map::new();
        one.insert("doctor.workProof".into(), json!("http://a"));
        nest_update_user(&mut one).unwrap();
        assert_eq!(one["doctor"]["workProof"], json!(["http://a"]));
    }

    #[test]
    fn login_phone_accepts_both_spellings() {
        let mut vars = Map::new();
        vars.insert("photo".into(), json!("15500000000"));
        phone_of_photo(&mut vars).unwrap();
        assert_eq!(vars["phone"], "15500000000");
        assert!(vars.get("photo").is_none());
        let mut none = Map::new();
        assert!(phone_of_photo(&mut none).is_err());
    }

    #[test]
    fn examples_are_json() {
        for route in routes() {
            let example = route.example.unwrap();
            assert!(
                serde_json::from_str::<Value>(example).is_ok(),
                "{} {}",
                route.method,
                route.path
            );
        }
    }
}

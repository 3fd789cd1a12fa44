//! Free clinics (义诊) and their catalogue in this dialect: `POST /project`, `GET /doctor/project`,
//! `GET /project`, `GET /project/{id}`, `GET /project/{id}/cancel`, `GET /hospital`, `GET /org`,
//! `POST /org_add/{org_id}`, `DELETE /org_remove/{id}`, `GET /org/my`, `GET /doctor/list`,
//! `GET /custom/doctor/{id}/project`, `GET /sp_project` and `GET /sp_project/{id}`.
//!
//! Clinics answer the legacy "@义诊信息" (§2.2.8): `plan_time` maps each slot label to its
//! remaining places, `hospital_info`, `doctor_info` (the doctor structure with `org_list`),
//! `join_user` (always empty: other patients are not shown), `is_join` (the caller holds a
//! booked registration), `assistant_join_count` (patients the calling assistant registered),
//! `price` in yuan, `lng`/`lat` as strings,
//! the state codes, and `distance` in metres when the request carries `X-location: lng-lat`.

use http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::super::{Access, Dialect, Kind, Param, Route, Source, pick};
use super::identity::{Shape, profile};
use super::paging::{self, PAGE_PARAMS, paged, paged_at};
use super::{int, strings, text};
use crate::domain::free_clinics::Point;
use crate::error::{AppError, AppResult};
use crate::graphql::node::decode_int_id;

const LOCATION: Param = Param::optional(
    "X-location",
    Source::Header,
    Kind::String,
    "$location",
    "请求头 X-location: the caller's position, `lng-lat` in degrees (e.g. `116.397-39.909`); \
     adds `distance` (metres) to each clinic and enables sort=1",
);

const PUBLISH_PARAMS: &[Param] = &[
    Param::required(
        "date",
        Source::Body,
        Kind::String,
        "date",
        "义诊日期 `YYYY-MM-DD` (China Standard Time): today or later",
    ),
    Param::required(
        "begin",
        Source::Body,
        Kind::String,
        "begin",
        "开始时间 `HH:MM:SS` (or `HH:MM`)",
    ),
    Param::required(
        "end",
        Source::Body,
        Kind::String,
        "end",
        "结束时间, after begin on the same day",
    ),
    Param::required(
        "people_count",
        Source::Body,
        Kind::Int,
        "capacity",
        "义诊人数 1-1000: shared out over half-hour slots (plan_time)",
    ),
    Param::required("lng", Source::Body, Kind::Float, "longitude", "经度"),
    Param::required("lat", Source::Body, Kind::Float, "latitude", "纬度"),
    Param::required("addr", Source::Body, Kind::String, "address", "义诊地址"),
    Param::optional(
        "service_target",
        Source::Body,
        Kind::Json,
        "serviceTargets",
        "服务对象: an array of strings, a JSON-encoded array or a comma-separated string",
    ),
    Param::required(
        "abstract",
        Source::Body,
        Kind::String,
        "abstract",
        "活动简介",
    ),
    Param::optional(
        "price",
        Source::Body,
        Kind::Float,
        "$price",
        "挂号押金 in yuan (default 0 = none), at most 10000",
    ),
    Param::optional(
        "title",
        Source::Body,
        Kind::String,
        "title",
        "Title (undocumented; default: the hospital's name and 义诊)",
    ),
    Param::optional(
        "departments",
        Source::Body,
        Kind::String,
        "department",
        "科室 (undocumented; default: the doctor's)",
    ),
    Param::optional(
        "hospital_id",
        Source::Body,
        Kind::NodeId("Hospital"),
        "hospitalId",
        "医院id (undocumented; default: the doctor's hospital, required without one)",
    ),
    Param::optional(
        "org_id",
        Source::Body,
        Kind::NodeId("Organization"),
        "organizationId",
        "组织id (undocumented): an organization the doctor is an approved member of",
    ),
    Param::optional(
        "sp_id",
        Source::Body,
        Kind::NodeId("SpecialProject"),
        "specialProjectId",
        "专题活动id (undocumented): the clinic joins the special project (on one of its days)",
    ),
];

const CLINIC_ID: Param = Param::required(
    "id",
    Source::Path,
    Kind::NodeId("FreeClinic"),
    "id",
    "义诊id",
);

const DETAIL_PARAMS: &[Param] = &[CLINIC_ID, LOCATION];
const CANCEL_PARAMS: &[Param] = &[CLINIC_ID];

const LIST_PARAMS: &[Param] = &[
    Param::optional(
        "keyword",
        Source::Query,
        Kind::String,
        "filter.keyword",
        "搜索: part of the title, abstract or address",
    ),
    Param::optional(
        "sort",
        Source::Query,
        Kind::Int,
        "$sort",
        "排序方式: 1 离我最近 (needs X-location), 2 最新发布 (default), 3 热门义诊 (most places taken)",
    ),
    Param::optional(
        "service_target",
        Source::Query,
        Kind::String,
        "filter.serviceTarget",
        "义诊对象, e.g. 老年人, 儿童",
    ),
    Param::optional(
        "departments",
        Source::Query,
        Kind::String,
        "filter.department",
        "疾病类型: the department (科室)",
    ),
    Param::optional(
        "hospital_id",
        Source::Query,
        Kind::NodeId("Hospital"),
        "filter.hospitalId",
        "医院id",
    ),
    Param::optional(
        "org_id",
        Source::Query,
        Kind::NodeId("Organization"),
        "filter.organizationId",
        "机构id",
    ),
    LOCATION,
    PAGE_PARAMS[0],
    PAGE_PARAMS[1],
];

const DOCTOR_CLINICS_PARAMS: &[Param] = &[
    Param::required(
        "id",
        Source::Path,
        Kind::NodeId("User"),
        "filter.doctorId",
        "医生的id",
    ),
    LOCATION,
    PAGE_PARAMS[0],
    PAGE_PARAMS[1],
];

const KEYWORD_PARAMS: &[Param] = &[
    Param::optional(
        "keyword",
        Source::Query,
        Kind::String,
        "keyword",
        "搜索: part of the name",
    ),
    PAGE_PARAMS[0],
    PAGE_PARAMS[1],
];

const ORG_ADD_PARAMS: &[Param] = &[Param::required(
    "org_id",
    Source::Path,
    Kind::NodeId("Organization"),
    "organizationId",
    "机构id",
)];

const ORG_REMOVE_PARAMS: &[Param] = &[Param::required(
    "id",
    Source::Path,
    Kind::NodeId("OrganizationMembership"),
    "membershipId",
    "The id of an application listed by GET /org/my",
)];

const DOCTOR_LIST_PARAMS: &[Param] = &[
    Param::optional(
        "keyword",
        Source::Query,
        Kind::String,
        "filter.keyword",
        "搜索: part of the name, hospital, department or specialties",
    ),
    Param::optional(
        "sort",
        Source::Query,
        Kind::Int,
        "$sort",
        "排序方式: 1 评分最高 (default), 2 热门医生 (most visits)",
    ),
    Param::optional(
        "departments",
        Source::Query,
        Kind::String,
        "filter.department",
        "科室",
    ),
    Param::optional(
        "job_position",
        Source::Query,
        Kind::String,
        "filter.position",
        "职位",
    ),
    Param::optional(
        "hospital_id",
        Source::Query,
        Kind::NodeId("Hospital"),
        "filter.hospitalId",
        "医院id",
    ),
    Param::optional(
        "org_id",
        Source::Query,
        Kind::NodeId("Organization"),
        "filter.organizationId",
        "机构id",
    ),
    PAGE_PARAMS[0],
    PAGE_PARAMS[1],
];

const PAGE_ONLY_PARAMS: &[Param] = &PAGE_PARAMS;

const SP_CLINICS_PARAMS: &[Param] = &[
    Param::required(
        "id",
        Source::Path,
        Kind::NodeId("SpecialProject"),
        "id",
        "专题活动id",
    ),
    LOCATION,
    PAGE_PARAMS[0],
    PAGE_PARAMS[1],
];

macro_rules! doc {
    ($file:literal) => {
        concat!(
            include_str!(concat!("ops/", $file)),
            include_str!("ops/clinic_fields.graphql"),
            include_str!("ops/hospital_fields.graphql"),
            include_str!("ops/org_fields.graphql"),
            include_str!("ops/identity_user_fields.graphql")
        )
    };
}

const CLINIC_EXAMPLE: &str = r#"{"id":12,"title":"北京协和医院义诊","date":"2026-12-01","begin":"09:00:00","end":"10:00:00","people_count":4,"join_people_count":0,"addr":"北京市东城区帅府园一号","lng":"116.417700","lat":"39.912500","abstract":"专家坐诊","price":0,"status":1,"progress_status":1,"project_status":1,"op_cancel":1,"service_target":["老年人"],"departments":"内科","hospital_info":{"id":1,"name":"北京协和医院"},"org_info":null,"sp_id":null,"doctor_info":{"id":2,"real_name":"李医生","org_list":[]},"join_user":[],"is_join":0,"assistant_join_count":0,"plan_time":{"09:00:00 - 09:30:00":2,"09:30:00 - 10:00:00":2}}"#;

/// A volunteer route answering HTTP 200 (shared by this dialect's route tables).
#[allow(clippy::too_many_arguments)]
pub(super) fn route(
    method: Method,
    path: &'static str,
    summary: &'static str,
    access: Access,
    document: &'static str,
    params: &'static [Param],
    transform: super::super::Transform,
    prepare: Option<super::super::Prepare>,
    example: Option<&'static str>,
) -> Route {
    Route {
        dialect: Dialect::Volunteer,
        method,
        path,
        summary,
        access,
        document,
        params,
        transform,
        example,
        status: StatusCode::OK,
        prepare,
    }
}

/// The free-clinic routes.
pub fn routes() -> Vec<Route> {
    vec![
        route(
            Method::POST,
            "/project",
            "A doctor publishes a free clinic (date, times, places shared out over half-hour \
             slots, place, targets, deposit in yuan); answers the clinic",
            Access::LoggedIn,
            doc!("clinic_publish.graphql"),
            PUBLISH_PARAMS,
            one_clinic_of_publish,
            Some(prepare_publish),
            Some(CLINIC_EXAMPLE),
        ),
        route(
            Method::GET,
            "/doctor/project",
            "The calling doctor's free clinics, cancelled (status 0) and ended ones too, latest \
             day first, paged",
            Access::LoggedIn,
            doc!("clinic_mine.graphql"),
            PAGE_ONLY_PARAMS,
            my_clinics,
            Some(paging::prepare_whole),
            None,
        ),
        route(
            Method::GET,
            "/project",
            "Free clinics not cancelled and not over: keyword, sort (1 nearest to X-location, 2 \
             newest, 3 most popular), service_target, departments, hospital_id, org_id, paged",
            Access::Public,
            doc!("clinic_list.graphql"),
            LIST_PARAMS,
            clinic_list,
            Some(prepare_list),
            None,
        ),
        route(
            Method::GET,
            "/project/{id}",
            "One free clinic: plan_time maps each slot to its remaining places",
            Access::Public,
            doc!("clinic_detail.graphql"),
            DETAIL_PARAMS,
            clinic_detail,
            Some(prepare_location),
            Some(CLINIC_EXAMPLE),
        ),
        route(
            Method::GET,
            "/project/{id}/cancel",
            "The doctor cancels their free clinic before it ends (403 for another doctor's, 409 \
             when ended or already cancelled)",
            Access::LoggedIn,
            include_str!("ops/clinic_cancel.graphql"),
            CANCEL_PARAMS,
            super::super::empty,
            None,
            Some("{}"),
        ),
        route(
            Method::GET,
            "/hospital",
            "Hospitals by part of their name, address or tag, paged",
            Access::Public,
            concat!(
                include_str!("ops/hospital_list.graphql"),
                include_str!("ops/hospital_fields.graphql")
            ),
            KEYWORD_PARAMS,
            hospital_list,
            Some(paging::prepare),
            None,
        ),
        route(
            Method::GET,
            "/org",
            "Organizations by part of their name, paged",
            Access::Public,
            concat!(
                include_str!("ops/org_list.graphql"),
                include_str!("ops/org_fields.graphql")
            ),
            KEYWORD_PARAMS,
            org_list,
            Some(paging::prepare_whole),
            None,
        ),
        route(
            Method::POST,
            "/org_add/{org_id}",
            "A doctor applies to join an organization (409 while an application is pending or \
             approved; a rejected one is reopened)",
            Access::LoggedIn,
            include_str!("ops/org_apply.graphql"),
            ORG_ADD_PARAMS,
            null,
            None,
            Some("null"),
        ),
        route(
            Method::DELETE,
            "/org_remove/{id}",
            "A doctor withdraws an application or leaves the organization (id from GET /org/my)",
            Access::LoggedIn,
            include_str!("ops/org_leave.graphql"),
            ORG_REMOVE_PARAMS,
            null,
            None,
            Some("null"),
        ),
        route(
            Method::GET,
            "/org/my",
            "The calling doctor's applications: verify_status 0 pending, 1 approved, 2 rejected",
            Access::LoggedIn,
            concat!(
                include_str!("ops/org_mine.graphql"),
                include_str!("ops/org_fields.graphql")
            ),
            PAGE_ONLY_PARAMS,
            my_orgs,
            Some(paging::prepare_whole),
            Some(
                r#"{"list":[{"id":12,"verify_status":0,"org_id":3,"doctor_id":13,"org":{"id":3,"name":"乡村医疗援助队","logo":null,"abstract":"…"}}],"page":{"current_page":1,"total_page":1,"count":1,"page_size":10}}"#,
            ),
        ),
        route(
            Method::GET,
            "/doctor/list",
            "Doctors: keyword, sort (1 best rated, 2 most visits), departments, job_position, \
             hospital_id, org_id, paged; the doctor structure with org_list",
            Access::Public,
            concat!(
                include_str!("ops/doctor_list.graphql"),
                include_str!("ops/identity_user_fields.graphql")
            ),
            DOCTOR_LIST_PARAMS,
            doctor_list,
            Some(prepare_doctors),
            None,
        ),
        route(
            Method::GET,
            "/custom/doctor/{id}/project",
            "A doctor's free clinics that are not cancelled, ended ones too, newest first, paged",
            Access::Public,
            doc!("clinic_list.graphql"),
            DOCTOR_CLINICS_PARAMS,
            clinic_list,
            Some(prepare_doctor_clinics),
            None,
        ),
        route(
            Method::GET,
            "/sp_project",
            "Special projects (专题活动), latest first, paged",
            Access::Public,
            concat!(
                include_str!("ops/special_project_list.graphql"),
                include_str!("ops/special_project_fields.graphql"),
                include_str!("ops/hospital_fields.graphql"),
                include_str!("ops/org_fields.graphql")
            ),
            PAGE_ONLY_PARAMS,
            special_project_list,
            Some(paging::prepare),
            None,
        ),
        route(
            Method::GET,
            "/sp_project/{id}",
            "The free clinics of a special project that are not cancelled, soonest first, paged",
            Access::Public,
            doc!("special_project_clinics.graphql"),
            SP_CLINICS_PARAMS,
            special_project_clinics,
            Some(prepare_special_project),
            None,
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Preparing variables

/// `a.b` variables into nested objects (`filter.keyword` → `filter: {keyword}`).
pub(super) fn nest(vars: &mut Map<String, Value>) {
    let dotted: Vec<String> = vars
        .keys()
        .filter(|k| !k.starts_with('$') && k.contains('.'))
        .cloned()
        .collect();
    for key in dotted {
        if let (Some(value), Some((outer, inner))) = (vars.remove(&key), key.split_once('.')) {
            let entry = vars
                .entry(outer.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(map) = entry {
                map.insert(inner.to_owned(), value);
            }
        }
    }
}

/// `X-location` into `near`. A client without a position fix sends `null-null` (or
/// `undefined-undefined`, or nothing between the dash): no location.
fn prepare_location(vars: &mut Map<String, Value>) -> AppResult<()> {
    if let Some(text) = vars.remove("$location").as_ref().and_then(Value::as_str) {
        let unknown = |part: &str| {
            let part = part.trim();
            part.is_empty()
                || part.eq_ignore_ascii_case("null")
                || part.eq_ignore_ascii_case("undefined")
                || part.eq_ignore_ascii_case("nan")
        };
        if text.trim().is_empty() || text.split('-').all(unknown) {
            return Ok(());
        }
        let point = Point::parse_legacy(text)?;
        vars.insert(
            "near".into(),
            json!({"longitude": point.longitude, "latitude": point.latitude}),
        );
    }
    Ok(())
}

fn prepare_list(vars: &mut Map<String, Value>) -> AppResult<()> {
    paging::prepare(vars)?;
    prepare_location(vars)?;
    if let Some(code) = vars.remove("$sort").and_then(|v| v.as_i64()) {
        let sort = match code {
            1 => "NEAREST",
            2 => "NEWEST",
            3 => "POPULAR",
            _ => {
                return Err(AppError::bad_field(
                    "sort",
                    "sort is 1 (nearest), 2 (newest) or 3 (popular)",
                ));
            }
        };
        if code == 1 && !vars.contains_key("near") {
            return Err(AppError::bad_field(
                "X-location",
                "sort=1 (nearest) needs the X-location header",
            ));
        }
        vars.insert("sort".into(), Value::from(sort));
    }
    nest(vars);
    Ok(())
}

fn prepare_doctor_clinics(vars: &mut Map<String, Value>) -> AppResult<()> {
    paging::prepare(vars)?;
    prepare_location(vars)?;
    vars.insert("filter.includeEnded".into(), Value::Bool(true));
    nest(vars);
    Ok(())
}

fn prepare_special_project(vars: &mut Map<String, Value>) -> AppResult<()> {
    paging::prepare(vars)?;
    prepare_location(vars)?;
    let id = vars.get("id").cloned().unwrap_or(Value::Null);
    vars.insert(
        "filter".into(),
        json!({"specialProjectId": id, "includeEnded": true}),
    );
    Ok(())
}

fn prepare_doctors(vars: &mut Map<String, Value>) -> AppResult<()> {
    paging::prepare(vars)?;
    if let Some(code) = vars.remove("$sort").and_then(|v| v.as_i64()) {
        let sort = match code {
            1 => "BEST_RATED",
            2 => "POPULAR",
            _ => {
                return Err(AppError::bad_field(
                    "sort",
                    "sort is 1 (best rated) or 2 (popular)",
                ));
            }
        };
        vars.insert("sort".into(), Value::from(sort));
    }
    nest(vars);
    Ok(())
}

/// `POST /project`: the date checked, `service_target` as a list, `price` (yuan) in cents.
fn prepare_publish(vars: &mut Map<String, Value>) -> AppResult<()> {
    if let Some(date) = vars.get("date").and_then(Value::as_str)
        && chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").is_err()
    {
        return Err(AppError::bad_field("date", "date is YYYY-MM-DD"));
    }
    if let Some(date) = vars.get_mut("date")
        && let Some(text) = date.as_str()
    {
        *date = Value::String(text.trim().to_owned());
    }
    if let Some(targets) = vars.remove("serviceTargets") {
        vars.insert(
            "serviceTargets".into(),
            Value::Array(service_targets(targets)?),
        );
    }
    let price = vars
        .remove("$price")
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0);
    if !(0.0..=10_000.0).contains(&price) {
        return Err(AppError::bad_field(
            "price",
            "price is a deposit in yuan, 0 to 10000",
        ));
    }
    // Cents are whole: 0.01 yuan precision.
    let cents = (price * 100.0).round();
    vars.insert("depositCents".into(), Value::from(cents as i64));
    Ok(())
}

/// `service_target` as clients send it: an array, a JSON-encoded array or `a,b` text.
fn service_targets(value: Value) -> AppResult<Vec<Value>> {
    let bad = || AppError::bad_field("service_target", "service_target is a list of strings");
    match value {
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::String(_) => Ok(v),
                Value::Number(n) => Ok(Value::String(n.to_string())),
                _ => Err(bad()),
            })
            .collect(),
        Value::String(text) => {
            let trimmed = text.trim();
            if trimmed.starts_with('[') {
                let parsed: Value = serde_json::from_str(trimmed).map_err(|_| bad())?;
                service_targets(parsed)
            } else {
                Ok(trimmed
                    .split([',', '，'])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(|t| Value::String(t.to_owned()))
                    .collect())
            }
        }
        Value::Null => Ok(Vec::new()),
        _ => Err(bad()),
    }
}

// ---------------------------------------------------------------------------------------------
// Shaping answers

pub(super) fn legacy_id(value: &Value, ty: &str) -> AppResult<Value> {
    match value.as_str() {
        Some(id) => Ok(Value::from(decode_int_id(id, ty)?)),
        None => Ok(Value::Null),
    }
}

/// Degrees as the legacy strings, six decimals.
fn degrees(value: &Value) -> Value {
    value
        .as_f64()
        .map_or(Value::Null, |f| Value::String(format!("{f:.6}")))
}

/// Cents as yuan: a whole number when whole.
fn yuan(cents: &Value) -> Value {
    match cents.as_i64() {
        Some(c) if c % 100 == 0 => Value::from(c / 100),
        Some(c) => json!(c as f64 / 100.0),
        None => Value::from(0),
    }
}

fn state_code(value: &Value) -> Value {
    match value.as_str() {
        Some("WAITING") | Some("BOOKABLE") => Value::from(1),
        Some("IN_PROGRESS") | Some("FULL") => Value::from(2),
        Some("ENDED") => Value::from(3),
        _ => Value::Null,
    }
}

/// The legacy "@医院信息" (null for no hospital).
fn hospital(h: &Value) -> AppResult<Value> {
    if h.is_null() {
        return Ok(Value::Null);
    }
    Ok(json!({
        "id": legacy_id(&h["id"], "Hospital")?,
        "name": text(&h["name"]),
        "logo": text(&h["logoUrl"]),
        "banner": strings(&h["bannerUrls"]),
        "level": text(&h["level"]),
        "tag": text(&h["tag"]),
        "province_id": int(&h["province"]["code"]),
        "province_name": text(&h["province"]["name"]),
        "city_id": int(&h["city"]["code"]),
        "city_name": text(&h["city"]["name"]),
        "county_id": int(&h["county"]["code"]),
        "county_name": text(&h["county"]["name"]),
        "addr": text(&h["address"]),
        "lng": text(&degrees(&h["longitude"])),
        "lat": text(&degrees(&h["latitude"])),
    }))
}

/// The legacy "@组织信息" (null for no organization).
pub(super) fn organization(o: &Value) -> AppResult<Value> {
    if o.is_null() {
        return Ok(Value::Null);
    }
    Ok(json!({
        "id": legacy_id(&o["id"], "Organization")?,
        "name": text(&o["name"]),
        "logo": text(&o["logoUrl"]),
        "abstract": text(&o["description"]),
    }))
}

/// The doctor structure ("@医生信息" with `org_list`; null for no doctor).
pub(super) fn doctor(user: &Value) -> AppResult<Value> {
    if user.is_null() {
        return Ok(Value::Null);
    }
    profile(user, Shape::Doctor).map(Value::Object)
}

/// The legacy "@义诊信息" of a `VolunteerClinic`.
pub(super) fn clinic(c: &Value) -> AppResult<Value> {
    let mut plan_time = Map::new();
    for slot in c["slots"].as_array().into_iter().flatten() {
        if let Some(label) = slot["label"].as_str() {
            plan_time.insert(label.to_owned(), slot["remaining"].clone());
        }
    }
    // Its booked patients, which only its doctor (and administrators) are given.
    let join_user = c["bookedPatients"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|u| profile(u, Shape::Patient).map(Value::Object))
        .collect::<AppResult<Vec<_>>>()?;
    let mut out = json!({
        "id": legacy_id(&c["id"], "FreeClinic")?,
        "title": text(&c["title"]),
        "date": text(&c["date"]),
        "begin": text(&c["begin"]),
        "end": text(&c["end"]),
        "people_count": int(&c["capacity"]),
        "join_people_count": int(&c["placesTaken"]),
        "addr": text(&c["address"]),
        "lng": text(&degrees(&c["longitude"])),
        "lat": text(&degrees(&c["latitude"])),
        "abstract": text(&c["abstract"]),
        "price": yuan(&c["depositCents"]),
        "status": if c["cancelled"] == Value::Bool(true) { 0 } else { 1 },
        "progress_status": state_code(&c["bookingState"]),
        "project_status": state_code(&c["state"]),
        // The doctor may cancel the clinic, or the caller may withdraw their registration.
        "op_cancel": i64::from(
            c["canCancel"] == Value::Bool(true)
                || c["myRegistration"]["canCancel"] == Value::Bool(true)
        ),
        "service_target": strings(&c["serviceTargets"]),
        "departments": text(&c["department"]),
        "hospital_info": hospital(&c["hospital"])?,
        "org_info": organization(&c["organization"])?,
        "sp_id": legacy_id(&c["specialProject"]["id"], "SpecialProject")?,
        "doctor_info": doctor(&c["doctor"])?,
        "join_user": join_user,
        "is_join": i64::from(c["myRegistration"].is_object()),
        "assistant_join_count": c["assistantRegistrationCount"].as_i64().unwrap_or(0),
        "plan_time": plan_time,
    });
    if let (Some(d), Value::Object(map)) = (c["distance"].as_f64(), &mut out) {
        map.insert("distance".into(), json!(d));
    }
    Ok(out)
}

fn clinics_of(data: &Value, pointer: &str) -> AppResult<Value> {
    let conn = pick(data, pointer)?;
    let list = conn["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(clinic)
        .collect::<AppResult<Vec<_>>>()?;
    Ok(paged(data, list, &conn["totalCount"]))
}

fn one_clinic_of_publish(data: Value) -> AppResult<Value> {
    clinic(pick(&data, "/publishFreeClinic")?)
}

fn my_clinics(data: Value) -> AppResult<Value> {
    clinics_of(&data, "/myFreeClinics")
}

fn clinic_list(data: Value) -> AppResult<Value> {
    clinics_of(&data, "/freeClinics")
}

fn clinic_detail(data: Value) -> AppResult<Value> {
    match pick(&data, "/freeClinic")? {
        Value::Null => Err(AppError::NotFound("no such free clinic".into())),
        c => clinic(c),
    }
}

fn null(_: Value) -> AppResult<Value> {
    Ok(Value::Null)
}

fn hospital_list(data: Value) -> AppResult<Value> {
    paged_at(&data, "/hospitals", hospital)
}

fn org_list(data: Value) -> AppResult<Value> {
    paged_at(&data, "/organizations", organization)
}

fn my_orgs(data: Value) -> AppResult<Value> {
    let conn = pick(&data, "/myOrganizationMemberships")?;
    let list = conn["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            let org = organization(&m["organization"])?;
            Ok(json!({
                "id": legacy_id(&m["id"], "OrganizationMembership")?,
                "verify_status": match m["state"].as_str() {
                    Some("APPROVED") => 1,
                    Some("REJECTED") => 2,
                    _ => 0,
                },
                "org_id": org["id"],
                "doctor_id": legacy_id(&m["doctor"]["id"], "User")?,
                "org": org,
            }))
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(paged(&data, list, &conn["totalCount"]))
}

fn doctor_list(data: Value) -> AppResult<Value> {
    paged_at(&data, "/doctors", doctor)
}

/// The legacy "@专题活动信息".
pub(super) fn special_project(p: &Value) -> AppResult<Value> {
    Ok(json!({
        "id": legacy_id(&p["id"], "SpecialProject")?,
        "title": text(&p["title"]),
        "date": text(&p["startsOn"]),
        "end_date": text(&p["endsOn"]),
        "begin": text(&p["beginTime"]),
        "end": text(&p["endTime"]),
        "people_count": int(&p["capacity"]),
        "join_people_count": int(&p["placesTaken"]),
        "addr": text(&p["address"]),
        "lng": text(&degrees(&p["longitude"])),
        "lat": text(&degrees(&p["latitude"])),
        "abstract": text(&p["abstract"]),
        "photo": text(&p["photoUrl"]),
        "price": yuan(&p["minDepositCents"]),
        // Special projects are never cancelled: always 1 (正常), as the example shows.
        "status": 1,
        "progress_status": state_code(&p["bookingState"]),
        "project_status": state_code(&p["state"]),
        "service_target": strings(&p["serviceTargets"]),
        "hospital_info": hospital(&p["hospital"])?,
        "org_info": organization(&p["organization"])?,
        "join_user": [],
    }))
}

fn special_project_list(data: Value) -> AppResult<Value> {
    paged_at(&data, "/specialProjects", special_project)
}

fn special_project_clinics(data: Value) -> AppResult<Value> {
    if pick(&data, "/specialProject")?.is_null() {
        return Err(AppError::NotFound("no such special project".into()));
    }
    clinics_of(&data, "/freeClinics")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_in_every_spelling() {
        let want = vec![json!("老年人"), json!("儿童")];
        assert_eq!(
            service_targets(json!(["老年人", "儿童"])).ok(),
            Some(want.clone())
        );
        assert_eq!(
            service_targets(json!("[\"老年人\",\"儿童\"]")).ok(),
            Some(want.clone())
        );
        assert_eq!(service_targets(json!("老年人, 儿童")).ok(), Some(want));
        assert!(service_targets(json!({"a": 1})).is_err());
    }

    #[test]
    fn prices_and_degrees() {
        let mut vars = Map::new();
        vars.insert("$price".into(), json!(12.5));
        vars.insert("date".into(), json!("2030-01-02"));
        assert!(prepare_publish(&mut vars).is_ok());
        assert_eq!(vars["depositCents"], 1250);
        assert_eq!(yuan(&json!(5000)), json!(50));
        assert_eq!(yuan(&json!(1250)), json!(12.5));
        assert_eq!(degrees(&json!(116.4)), json!("116.400000"));
        let mut bad = Map::new();
        bad.insert("date".into(), json!("02/01/2030"));
        assert!(prepare_publish(&mut bad).is_err());
    }

    #[test]
    fn list_arguments() {
        let mut vars = Map::new();
        vars.insert("$sort".into(), json!(1));
        assert!(prepare_list(&mut vars).is_err(), "nearest needs a location");
        let mut vars = Map::new();
        vars.insert("$sort".into(), json!(1));
        vars.insert("$location".into(), json!("116.4-39.9"));
        vars.insert("filter.keyword".into(), json!("义诊"));
        assert!(prepare_list(&mut vars).is_ok());
        assert_eq!(vars["sort"], "NEAREST");
        assert_eq!(vars["near"]["latitude"], 39.9);
        assert_eq!(vars["filter"]["keyword"], "义诊");
        // A client without a position fix: no location, and no error.
        for unknown in ["null-null", "undefined-undefined", "-", " "] {
            let mut vars = Map::new();
            vars.insert("$location".into(), json!(unknown));
            assert!(prepare_location(&mut vars).is_ok(), "{unknown}");
            assert!(vars.get("near").is_none(), "{unknown}");
        }
        let mut vars = Map::new();
        vars.insert("$location".into(), json!("east-west"));
        assert!(prepare_location(&mut vars).is_err());
    }
}

//! Consultations of the counselling dialect: the dashboard (`/api/consultant/dashboard/*`),
//! the order list and walk-in visits (`/api/consultant/orders*`) and clients' comments
//! (`/api/consuntant/user/comments`, as documented, and its corrected spelling).
//!
//! Documented choices: dashboard amounts are whole yuan, as the document's integer (the orders
//! keep cents); `type` is answered `在线咨询` or `线下咨询`, the document's words (`线上咨询`,
//! `online`/`offline` are accepted too); `status` is one of the Chinese labels (or the GraphQL
//! names); empty filter strings mean "no filter"; dates are `YYYY-MM-DD`; `commit_time` and
//! `finish_time` are the consultant's local time. Paging: `page` counts from 1 (0, the
//! document's example, is the first page too); `pageSize` 0 (the example's) answers the whole
//! list, up to `http.dialect_list_ceiling`. Every documented string is a string, `""` when
//! there is nothing to say, never `null` (`src/rest/contracts/counseling.json`).

use chrono::NaiveDate;
use http::Method;
use serde_json::{Map, Value, json};

use super::super::{Access, Dialect, Kind, Param, Prepare, Route, Source, Transform, pick};
use super::identity::{TOKEN, USER_ID, drop_auth, text};
use crate::domain::consultations::{ConsultationKind, ConsultationState};
use crate::domain::page;
use crate::error::{AppError, AppResult};
use crate::graphql::connection::OffsetCursor;

pub(super) fn route(
    path: &'static str,
    summary: &'static str,
    document: &'static str,
    params: &'static [Param],
    transform: Transform,
    example: &'static str,
    prepare: Prepare,
) -> Route {
    Route {
        dialect: Dialect::Counseling,
        method: Method::POST,
        path,
        summary,
        access: Access::LoggedIn,
        document,
        params,
        transform,
        example: Some(example),
        status: http::StatusCode::OK,
        prepare: Some(prepare),
    }
}

pub(super) const AUTH_PARAMS: &[Param] = &[USER_ID, TOKEN];

pub(super) const PAGE: Param = Param::optional(
    "page",
    Source::Body,
    Kind::Int,
    "page",
    "Page number, from 1 (0 is the first page too)",
)
.with_default("1");

/// What a legacy page size may be, for the parameter tables.
pub(super) const PAGE_SIZE_DESCRIPTION: &str = "Items per page (10 when absent); 0 answers the whole list. At most http.dialect_list_ceiling (default 1000)";

const PAGE_SIZE: Param = Param::optional(
    "pageSize",
    Source::Body,
    Kind::Int,
    "pageSize",
    PAGE_SIZE_DESCRIPTION,
)
.with_default("10");

const LIST_PARAMS: &[Param] = &[
    USER_ID,
    TOKEN,
    PAGE,
    PAGE_SIZE,
    Param::optional(
        "name",
        Source::Body,
        Kind::String,
        "name",
        "Part of the client's name",
    ),
    Param::optional(
        "date_start",
        Source::Body,
        Kind::String,
        "dateStart",
        "First day (inclusive) of the consultation date, YYYY-MM-DD",
    ),
    Param::optional(
        "date_end",
        Source::Body,
        Kind::String,
        "dateEnd",
        "Last day (inclusive) of the consultation date, YYYY-MM-DD",
    ),
    Param::optional(
        "type",
        Source::Body,
        Kind::String,
        "type",
        "在线咨询 (or 线上咨询) or 线下咨询",
    ),
    Param::optional(
        "status",
        Source::Body,
        Kind::String,
        "status",
        "待接单, 等待中, 咨询中, 已结束 or 已拒绝",
    ),
];

const CREATE_PARAMS: &[Param] = &[
    USER_ID,
    TOKEN,
    Param::required(
        "name",
        Source::Body,
        Kind::String,
        "name",
        "The client's name",
    ),
    Param::optional(
        "age",
        Source::Body,
        Kind::String,
        "age",
        "The client's age, 1 to 120",
    ),
    Param::optional(
        "gender",
        Source::Body,
        Kind::String,
        "gender",
        "男 or 女 (male or female); undisclosed when absent",
    ),
    Param::required(
        "type",
        Source::Body,
        Kind::String,
        "type",
        "在线咨询 (or 线上咨询) or 线下咨询",
    ),
    Param::required(
        "date",
        Source::Body,
        Kind::String,
        "date",
        "Day of the consultation, YYYY-MM-DD",
    ),
    Param::required(
        "time",
        Source::Body,
        Kind::String,
        "time",
        "Time slot, HH:MM-HH:MM",
    ),
    Param::required(
        "contact",
        Source::Body,
        Kind::String,
        "contact",
        "Phone number or WeChat id",
    ),
    Param::optional(
        "key_word",
        Source::Body,
        Kind::Json,
        "keyWord",
        "Keywords: an array of strings (at most 10 of 20 characters)",
    ),
    Param::optional(
        "amount",
        Source::Body,
        Kind::Float,
        "amount",
        "Amount in yuan (medgraph addition), 0 when absent",
    ),
];

const COMMENT_PARAMS: &[Param] = &[USER_ID, TOKEN, PAGE, PAGE_SIZE];

/// `user_id`: the spelling of the roster endpoints for `userID`.
const USER_ID_SNAKE: Param = Param::optional(
    "user_id",
    Source::Body,
    Kind::Int,
    "user_id",
    "The consultant's user id (as `userID` elsewhere); with `token`, required",
);

const ROSTER_PARAMS: &[Param] = &[
    USER_ID,
    TOKEN,
    Param::required(
        "year",
        Source::Body,
        Kind::Int,
        "year",
        "The year, e.g. 2026",
    ),
    Param::required(
        "month",
        Source::Body,
        Kind::Int,
        "month",
        "The month, 1 to 12",
    ),
    Param::optional(
        "organization",
        Source::Body,
        Kind::String,
        "organization",
        "Ignored: the roster is always the caller's own organization's (as documented)",
    ),
];

const ROSTER_UPDATE_PARAMS: &[Param] = &[
    USER_ID_SNAKE,
    USER_ID,
    TOKEN,
    Param::required("year", Source::Body, Kind::Int, "year", "The year"),
    Param::required(
        "month",
        Source::Body,
        Kind::Int,
        "month",
        "The month, 1 to 12",
    ),
    Param::required(
        "date",
        Source::Body,
        Kind::Int,
        "day",
        "The day of the month",
    ),
    Param::required(
        "work_schedules",
        Source::Body,
        Kind::Json,
        "slots",
        "The day's time slots `HH:MM-HH:MM` (an empty array clears the day); they must not overlap",
    ),
];

const SUSPENSION_UPDATE_PARAMS: &[Param] = &[
    USER_ID,
    TOKEN,
    Param::required(
        "stop_schedules",
        Source::Body,
        Kind::Json,
        "stopSchedules",
        "All the caller's suspension periods [{start_time, end_time}] (`YYYY-MM-DD HH:MM` or `YYYY-MM-DD`, the consultant's local time), replacing the old ones; an empty array removes them",
    ),
];

macro_rules! dashboard {
    ($path:literal, $summary:literal, $file:literal, $transform:ident, $example:literal) => {
        route(
            $path,
            $summary,
            include_str!(concat!("ops/", $file)),
            AUTH_PARAMS,
            $transform,
            $example,
            drop_auth,
        )
    };
}

/// The consultation routes.
pub fn routes() -> Vec<Route> {
    let comments = |path: &'static str, summary: &'static str| {
        route(
            path,
            summary,
            include_str!("ops/consultant_comments.graphql"),
            COMMENT_PARAMS,
            comment_list,
            r#"[{"id":"7","avatar":"http://127.0.0.1:8080/files/9f86d0…","username":"xiaoming","name":"小明","organization":"","time":"2024-10-02 10:30:00","content":"很耐心，帮助很大","rating":"5"}]"#,
            paged,
        )
    };
    vec![
        dashboard!(
            "/api/consultant/dashboard/today-transactions",
            "Consultations committed today (the consultant's day, rejected ones excluded): count and amount in yuan",
            "dashboard_today.graphql",
            today,
            r#"{"count":3,"amount":600}"#
        ),
        dashboard!(
            "/api/consultant/dashboard/category-data",
            "Online (`online`) and offline (`outline`, as documented) consultations",
            "dashboard_category.graphql",
            category,
            r#"{"online":12,"outline":30}"#
        ),
        dashboard!(
            "/api/consultant/dashboard/yearly-consultations",
            "This year's consultations by their date: total and January to December",
            "dashboard_yearly.graphql",
            yearly,
            r#"{"total":42,"data":[3,4,5,2,6,4,3,5,4,3,2,1]}"#
        ),
        dashboard!(
            "/api/consultant/dashboard/time-slot-data",
            "Appointments per starting hour of their time slot (timeSlots are hours 0-23)",
            "dashboard_slots.graphql",
            time_slots,
            r#"{"timeSlots":[9,10,14],"appointments":[12,8,20]}"#
        ),
        dashboard!(
            "/api/consultant/dashboard/gender-data",
            "Distinct clients (by contact) by gender",
            "dashboard_gender.graphql",
            genders,
            r#"{"male":10,"female":18}"#
        ),
        dashboard!(
            "/api/consultant/dashboard/age-data",
            "Distinct clients (by contact) per age band: 1-17, 18-25, 26-35, 36-45, 46-55, 55+",
            "dashboard_age.graphql",
            ages,
            r#"{"values":[8,12,4,2,1,0]}"#
        ),
        route(
            "/api/consultant/orders",
            "The caller's consultations, latest date first, filtered by client name, date range, type and status: {total, data}",
            concat!(
                include_str!("ops/consultations.graphql"),
                include_str!("ops/consultation_fields.graphql")
            ),
            LIST_PARAMS,
            order_list,
            r#"{"total":1,"data":[{"id":5,"order_id":"C20241002K7M2Q9XA","name":"小明","gender":"男","age":"16","type":"在线咨询","key_word":"焦虑,失眠","date":"2024-10-02","time":"09:00-10:00","commit_time":"2024-10-01 18:20:00","finish_time":"","status":"等待中","contact":"13812345678","amount":200}]}"#,
            list_vars,
        ),
        route(
            "/api/consultant/orders/create",
            "Record a walk-in visit (新增来访); it waits for its time. Answers its id beside data, as documented",
            include_str!("ops/consultation_create.graphql"),
            CREATE_PARAMS,
            created,
            r#"{"id":5}"#,
            create_vars,
        ),
        route(
            "/api/consultant/schedule/work",
            "The duty roster of a month for the caller's organization: one entry per date with a slot, {date: day of month, schedules: [{id, name, work_time}]}",
            include_str!("ops/roster_month.graphql"),
            ROSTER_PARAMS,
            roster,
            r#"[{"date":2,"schedules":[{"id":11,"name":"王芳","work_time":"09:00-10:00"}]}]"#,
            roster_vars,
        ),
        route(
            "/api/consultant/schedule/work/update",
            "Replace the caller's duty slots of one date (only their own); overlapping slots are refused",
            include_str!("ops/roster_update.graphql"),
            ROSTER_UPDATE_PARAMS,
            super::super::empty,
            "{}",
            roster_update_vars,
        ),
        route(
            "/api/consultant/schedule/stop",
            "The caller's suspension periods, earliest first, in their local time",
            include_str!("ops/suspensions.graphql"),
            AUTH_PARAMS,
            suspension_list,
            r#"[{"name":"王芳","start_time":"2024-10-01 00:00:00","end_time":"2024-10-08 00:00:00"}]"#,
            drop_auth,
        ),
        route(
            "/api/consultant/schedule/stop/update",
            "Replace the caller's suspension periods as a whole; reversed or overlapping periods are refused and nothing changes",
            include_str!("ops/suspensions_replace.graphql"),
            SUSPENSION_UPDATE_PARAMS,
            super::super::empty,
            "{}",
            suspension_vars,
        ),
        comments(
            "/api/consuntant/user/comments",
            "Clients' comments on the caller, newest first (path as documented)",
        ),
        comments(
            "/api/consultant/user/comments",
            "Clients' comments on the caller (corrected spelling of /api/consuntant/user/comments)",
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Answers

fn field(data: &Value, pointer: &str) -> AppResult<Value> {
    pick(data, &format!("/consultationDashboard/{pointer}")).cloned()
}

/// Cents as whole yuan, the document's integer (half a yuan rounds up).
fn whole_yuan(cents: &Value) -> Value {
    let cents = cents.as_i64().unwrap_or(0);
    Value::from((cents + 50).div_euclid(100))
}

/// Cents as yuan: an integer when whole.
fn yuan(cents: &Value) -> Value {
    let cents = cents.as_i64().unwrap_or(0);
    if cents % 100 == 0 {
        Value::from(cents / 100)
    } else {
        Value::from(cents as f64 / 100.0)
    }
}

/// A documented count: an integer, 0 when there is none.
fn count(value: &Value) -> Value {
    Value::from(value.as_i64().unwrap_or(0))
}

/// A documented list of counts: integers, 0 for a missing one.
fn counts<'a>(values: impl Iterator<Item = &'a Value>) -> Value {
    Value::Array(values.map(count).collect())
}

fn today(data: Value) -> AppResult<Value> {
    let today = field(&data, "today")?;
    Ok(json!({"count": count(&today["count"]), "amount": whole_yuan(&today["amountCents"])}))
}

fn category(data: Value) -> AppResult<Value> {
    let kinds = field(&data, "kinds")?;
    Ok(json!({"online": count(&kinds["online"]), "outline": count(&kinds["offline"])}))
}

fn yearly(data: Value) -> AppResult<Value> {
    let year = field(&data, "year")?;
    let months = year["months"].as_array().cloned().unwrap_or_default();
    Ok(json!({"total": count(&year["total"]), "data": counts(months.iter())}))
}

fn time_slots(data: Value) -> AppResult<Value> {
    let slots = field(&data, "timeSlots")?;
    let slots = slots.as_array().cloned().unwrap_or_default();
    Ok(json!({
        "timeSlots": counts(slots.iter().map(|s| &s["hour"])),
        "appointments": counts(slots.iter().map(|s| &s["appointments"])),
    }))
}

fn genders(data: Value) -> AppResult<Value> {
    let genders = field(&data, "genders")?;
    Ok(json!({"male": count(&genders["male"]), "female": count(&genders["female"])}))
}

fn ages(data: Value) -> AppResult<Value> {
    let bands = field(&data, "ageBands")?;
    let bands = bands.as_array().cloned().unwrap_or_default();
    Ok(json!({ "values": counts(bands.iter().map(|b| &b["clients"])) }))
}

pub(super) fn gender_label(value: &Value) -> &'static str {
    match value.as_str() {
        Some("MALE") => "男",
        Some("FEMALE") => "女",
        _ => "未知",
    }
}

fn order_of(order: &Value) -> Value {
    let kind = match order["kind"].as_str() {
        Some("ONLINE") => ConsultationKind::Online.label(),
        _ => ConsultationKind::Offline.label(),
    };
    let status = ConsultationState::ALL
        .into_iter()
        .find(|s| order["state"].as_str() == Some(&s.as_str().to_ascii_uppercase()))
        .map_or("", ConsultationState::label);
    let keywords: Vec<&str> = order["keywords"]
        .as_array()
        .map(|k| k.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    json!({
        "id": count(&order["legacyId"]),
        "order_id": text(&order["orderNo"]),
        "name": text(&order["clientName"]),
        "gender": gender_label(&order["clientGender"]),
        "age": order["clientAge"].as_i64().map_or(String::new(), |a| a.to_string()),
        "type": kind,
        "key_word": keywords.join(","),
        "date": text(&order["date"]),
        "time": text(&order["timeSlot"]),
        "commit_time": text(&order["committedAtLocal"]),
        "finish_time": text(&order["finishedAtLocal"]),
        "status": status,
        "contact": text(&order["contact"]),
        "amount": yuan(&order["amountCents"]),
    })
}

fn order_list(data: Value) -> AppResult<Value> {
    let conn = pick(&data, "/consultations")?;
    let list: Vec<Value> = conn["nodes"]
        .as_array()
        .map(|nodes| nodes.iter().map(order_of).collect())
        .unwrap_or_default();
    Ok(crate::rest::object([
        ("total", count(&conn["totalCount"])),
        ("data", Value::Array(list)),
    ]))
}

fn created(data: Value) -> AppResult<Value> {
    let id = pick(&data, "/recordWalkIn/legacyId")?;
    Ok(json!({"id": id, "$top": {"id": id}}))
}

fn person_name(user: &Value) -> Value {
    text(if user["realName"].is_null() {
        &user["displayName"]
    } else {
        &user["realName"]
    })
}

fn roster(data: Value) -> AppResult<Value> {
    let days = pick(&data, "/dutyRoster")?;
    Ok(Value::Array(
        days.as_array()
            .map(|days| {
                days.iter()
                    .map(|day| {
                        let date = day["date"]
                            .as_str()
                            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                            .map_or(0, |d| chrono::Datelike::day(&d));
                        let schedules: Vec<Value> = day["slots"]
                            .as_array()
                            .map(|slots| {
                                slots
                                    .iter()
                                    .map(|s| {
                                        json!({
                                            "id": count(&s["legacyId"]),
                                            "name": person_name(&s["consultant"]),
                                            "work_time": text(&s["timeSlot"]),
                                        })
                                    })
                                    .collect()
                            })
                            .unwrap_or_default();
                        json!({"date": date, "schedules": schedules})
                    })
                    .collect()
            })
            .unwrap_or_default(),
    ))
}

fn suspension_list(data: Value) -> AppResult<Value> {
    let periods = pick(&data, "/mySuspensions")?;
    Ok(Value::Array(
        periods
            .as_array()
            .map(|periods| {
                periods
                    .iter()
                    .map(|p| {
                        json!({
                            "name": person_name(&p["consultant"]),
                            "start_time": text(&p["startsAtLocal"]),
                            "end_time": text(&p["endsAtLocal"]),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
    ))
}

fn comment_list(data: Value) -> AppResult<Value> {
    let conn = pick(&data, "/consultantComments")?;
    Ok(Value::Array(
        conn["nodes"]
            .as_array()
            .map(|nodes| {
                nodes
                    .iter()
                    .map(|c| {
                        let client = &c["client"];
                        json!({
                            "id": c["legacyId"].as_i64().map_or(String::new(), |i| i.to_string()),
                            "avatar": text(&client["avatarUrl"]),
                            "username": text(&client["username"]),
                            "name": person_name(client),
                            "organization": "",
                            "time": text(&c["createdAtLocal"]),
                            "content": text(&c["content"]),
                            "rating": c["rating"].as_i64().map_or(String::new(), |r| r.to_string()),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
    ))
}

// ---------------------------------------------------------------------------------------------
// Arguments

/// `page` (from 1) and `pageSize` become `first` + `after`.
pub(super) fn paged(vars: &mut Map<String, Value>) -> AppResult<()> {
    paged_as(vars, "pageSize")
}

/// [`paged`] for a route whose clients name the page size `size_name`: `page` 0 or less is the
/// first page, `pageSize` 0 (or less) the whole list up to the dialect ceiling
/// ([`page::max_page_size`] while a dialect prepares its variables).
pub(super) fn paged_as(vars: &mut Map<String, Value>, size_name: &str) -> AppResult<()> {
    drop_auth(vars)?;
    let ceiling = i64::try_from(page::max_page_size()).unwrap_or(i64::MAX);
    let page = vars
        .remove("page")
        .and_then(|v| v.as_i64())
        .unwrap_or(1)
        .max(1);
    let size = match vars.remove("pageSize").and_then(|v| v.as_i64()) {
        None => 10,
        Some(size) if size <= 0 => ceiling,
        Some(size) if size > ceiling => {
            return Err(AppError::bad_field(
                size_name,
                format!("{size_name} is at most {ceiling} (0 answers the whole list)"),
            ));
        }
        Some(size) => size,
    };
    let offset = u64::try_from((page - 1).saturating_mul(size))
        .map_err(|_| AppError::bad_field("page", "page is too large"))?;
    vars.insert("first".into(), Value::from(size));
    if offset > 0 {
        use async_graphql::connection::CursorType;
        vars.insert(
            "after".into(),
            Value::String(OffsetCursor(offset - 1).encode_cursor()),
        );
    }
    Ok(())
}

/// A non-empty, trimmed string variable, removed from `vars`.
pub(super) fn take_text(vars: &mut Map<String, Value>, name: &str) -> Option<String> {
    vars.remove(name)
        .and_then(|v| v.as_str().map(str::trim).map(str::to_owned))
        .filter(|s| !s.is_empty())
}

pub(super) fn date(value: &str, field: &str) -> AppResult<String> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map(|d| d.to_string())
        .map_err(|_| AppError::bad_field(field, format!("{field} is YYYY-MM-DD")))
}

fn kind(value: &str) -> AppResult<&'static str> {
    match ConsultationKind::parse(value) {
        Some(ConsultationKind::Online) => Ok("ONLINE"),
        Some(ConsultationKind::Offline) => Ok("OFFLINE"),
        None => Err(AppError::bad_field(
            "type",
            "type is 在线咨询 (线上咨询) or 线下咨询",
        )),
    }
}

fn list_vars(vars: &mut Map<String, Value>) -> AppResult<()> {
    paged(vars)?;
    if let Some(from) = take_text(vars, "dateStart") {
        vars.insert("dateFrom".into(), Value::String(date(&from, "date_start")?));
    }
    if let Some(to) = take_text(vars, "dateEnd") {
        vars.insert("dateTo".into(), Value::String(date(&to, "date_end")?));
    }
    if let Some(kind_label) = take_text(vars, "type") {
        vars.insert("kind".into(), Value::from(kind(&kind_label)?));
    }
    if let Some(status) = take_text(vars, "status") {
        let state = ConsultationState::parse(&status).ok_or_else(|| {
            AppError::bad_field(
                "status",
                "status is 待接单, 等待中, 咨询中, 已结束 or 已拒绝",
            )
        })?;
        vars.insert(
            "states".into(),
            json!([state.as_str().to_ascii_uppercase()]),
        );
    }
    if take_text(vars, "name")
        .map(|n| vars.insert("name".into(), Value::String(n)))
        .is_none()
    {
        vars.remove("name");
    }
    Ok(())
}

fn roster_vars(vars: &mut Map<String, Value>) -> AppResult<()> {
    drop_auth(vars)?;
    vars.remove("organization");
    Ok(())
}

fn roster_update_vars(vars: &mut Map<String, Value>) -> AppResult<()> {
    drop_auth(vars)?;
    vars.remove("user_id");
    let number = |vars: &mut Map<String, Value>, name: &str| {
        vars.remove(name).and_then(|v| v.as_i64()).unwrap_or(0)
    };
    let (year, month, day) = (
        number(vars, "year"),
        number(vars, "month"),
        number(vars, "day"),
    );
    let date = i32::try_from(year)
        .ok()
        .zip(u32::try_from(month).ok())
        .zip(u32::try_from(day).ok())
        .and_then(|((y, m), d)| NaiveDate::from_ymd_opt(y, m, d))
        .ok_or_else(|| AppError::bad_field("date", "year, month and date do not make a day"))?;
    vars.insert("date".into(), Value::String(date.to_string()));
    match vars.get("slots") {
        Some(Value::Array(slots)) if slots.iter().all(Value::is_string) => Ok(()),
        _ => Err(AppError::bad_field(
            "work_schedules",
            "work_schedules is an array of `HH:MM-HH:MM` strings",
        )),
    }
}

fn suspension_vars(vars: &mut Map<String, Value>) -> AppResult<()> {
    drop_auth(vars)?;
    let bad = || {
        AppError::bad_field(
            "stop_schedules",
            "stop_schedules is an array of {start_time, end_time} strings",
        )
    };
    let periods = match vars.remove("stopSchedules") {
        Some(Value::Array(items)) => items
            .iter()
            .map(
                |p| match (p["start_time"].as_str(), p["end_time"].as_str()) {
                    (Some(start), Some(end)) => Ok(json!({"start": start, "end": end})),
                    _ => Err(bad()),
                },
            )
            .collect::<AppResult<Vec<Value>>>()?,
        _ => return Err(bad()),
    };
    vars.insert("periods".into(), Value::Array(periods));
    Ok(())
}

fn create_vars(vars: &mut Map<String, Value>) -> AppResult<()> {
    drop_auth(vars)?;
    let mut input = Map::new();
    input.insert(
        "clientName".into(),
        Value::String(take_text(vars, "name").unwrap_or_default()),
    );
    if let Some(age) = take_text(vars, "age") {
        let age: i32 = age
            .parse()
            .map_err(|_| AppError::bad_field("age", "age is a whole number of years"))?;
        input.insert("clientAge".into(), Value::from(age));
    }
    if let Some(gender) = take_text(vars, "gender") {
        let code = match gender.as_str() {
            "男" | "male" | "MALE" | "1" => "MALE",
            "女" | "female" | "FEMALE" | "2" => "FEMALE",
            "未知" | "保密" | "0" => "UNDISCLOSED",
            _ => return Err(AppError::bad_field("gender", "gender is 男 or 女")),
        };
        input.insert("clientGender".into(), Value::from(code));
    }
    let kind_label = take_text(vars, "type").unwrap_or_default();
    input.insert("kind".into(), Value::from(kind(&kind_label)?));
    let day = take_text(vars, "date").unwrap_or_default();
    input.insert("date".into(), Value::String(date(&day, "date")?));
    input.insert(
        "timeSlot".into(),
        Value::String(take_text(vars, "time").unwrap_or_default()),
    );
    input.insert(
        "contact".into(),
        Value::String(take_text(vars, "contact").unwrap_or_default()),
    );
    let keywords = match vars.remove("keyWord") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => items,
        Some(Value::String(s)) => s
            .split([',', '，', '、'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Value::String(s.to_owned()))
            .collect(),
        Some(_) => {
            return Err(AppError::bad_field(
                "key_word",
                "key_word is an array of strings",
            ));
        }
    };
    input.insert("keywords".into(), Value::Array(keywords));
    if let Some(amount) = vars.remove("amount").and_then(|a| a.as_f64()) {
        if !(0.0..=1_000_000.0).contains(&amount) {
            return Err(AppError::bad_field("amount", "amount is 0 to 1000000 yuan"));
        }
        input.insert(
            "amountCents".into(),
            Value::from((amount * 100.0).round() as i64),
        );
    }
    vars.insert("input".into(), Value::Object(input));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_filters_become_variables() {
        let mut vars = Map::new();
        vars.insert("page".into(), json!(2));
        vars.insert("pageSize".into(), json!(5));
        vars.insert("status".into(), json!("咨询师中"));
        vars.insert("type".into(), json!("在线咨询"));
        vars.insert("dateStart".into(), json!(""));
        vars.insert("name".into(), json!(" "));
        list_vars(&mut vars).expect("valid");
        assert_eq!(vars["states"], json!(["IN_CONSULTATION"]));
        assert_eq!(vars["kind"], "ONLINE");
        assert_eq!(vars["first"], 5);
        assert!(!vars.contains_key("dateFrom") && !vars.contains_key("name"));
        // The document's example: page 0 and pageSize 0 are the whole list from the start.
        let mut whole = Map::new();
        whole.insert("page".into(), json!(0));
        whole.insert("pageSize".into(), json!(0));
        page::with_ceiling_sync(1000, || list_vars(&mut whole)).expect("valid");
        assert_eq!(whole["first"], 1000);
        assert!(!whole.contains_key("after"));
        let mut too_many = Map::new();
        too_many.insert("pageSize".into(), json!(1001));
        let refused = page::with_ceiling_sync(1000, || list_vars(&mut too_many));
        assert!(refused.is_err());
        let mut bad = Map::new();
        bad.insert("status".into(), json!("whatever"));
        assert!(list_vars(&mut bad).is_err());
    }

    #[test]
    fn yuan_is_whole_when_it_can_be() {
        assert_eq!(yuan(&json!(20000)), json!(200));
        assert_eq!(yuan(&json!(1050)), json!(10.5));
        assert_eq!(whole_yuan(&json!(1050)), json!(11));
        assert_eq!(whole_yuan(&json!(1049)), json!(10));
        assert_eq!(whole_yuan(&json!(20000)), json!(200));
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

//! Registrations (诊断, legacy `diagnoses`) in this dialect: joining and cancelling, a clinic's
//! patients and the caller's casebook, the doctor's actions (reject, done, result, scoring the
//! patient), the patient's review, the lists of patients, doctors and assistants, deposit
//! orders, the doctor's assistants and home page.
//!
//! A registration answers the legacy "@诊断信息" (§2.2.9): `verify_status` 1/2/3,
//! `status` 1 waiting / 2 missed / 3 seen, `visit_time` in China time, `refund_status` 1/3,
//! `user_info` (the patient structure) and `casebook_info`; plus `project_id`, `plan_time`
//! (the slot), `amount` (deposit in yuan), `sn` and `refund_sn`.

use http::Method;
use serde_json::{Map, Value, json};

use super::super::{Access, Kind, Param, Route, Source, pick};
use super::clinics::{clinic, doctor, legacy_id};
use super::content::{legacy_time, news_item};
use super::identity::{Shape, profile};
use super::paging::{self, PAGE_PARAMS, paged_at};
use super::{int, strings, text};
use crate::error::{AppError, AppResult};

macro_rules! doc {
    ($file:literal) => {
        concat!(
            include_str!(concat!("ops/", $file)),
            include_str!("ops/registration_fields.graphql"),
            include_str!("ops/casebook_fields.graphql"),
            include_str!("ops/identity_user_fields.graphql")
        )
    };
}

macro_rules! clinic_doc {
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

const CLINIC_ID: Param = Param::required(
    "id",
    Source::Path,
    Kind::NodeId("FreeClinic"),
    "clinicId",
    "义诊id",
);

const REGISTRATION_ID: Param = Param::required(
    "id",
    Source::Path,
    Kind::NodeId("Registration"),
    "id",
    "诊断id",
);

const JOIN_PARAMS: &[Param] = &[
    CLINIC_ID,
    Param::optional(
        "content",
        Source::Body,
        Kind::String,
        "$content",
        "病例信息: the casebook's text, 1 to 2000 characters (required)",
    ),
    Param::optional(
        "photo",
        Source::Body,
        Kind::Json,
        "$photo",
        "病例图片: up to 3 uploaded image URLs",
    ),
    Param::optional(
        "plan_time",
        Source::Body,
        Kind::String,
        "$slot",
        "The time slot, e.g. \"15:23:00 - 15:53:00\" (a key of plan_time); the first free one \
         when absent",
    ),
];

const ASSISTANT_JOIN_PARAMS: &[Param] = &[
    CLINIC_ID,
    Param::required(
        "user_id",
        Source::Body,
        Kind::NodeId("User"),
        "$patient",
        "The patient (bound to the calling assistant)",
    ),
    Param::required(
        "plan_time",
        Source::Body,
        Kind::String,
        "$slot",
        "The time slot, e.g. \"15:23:00 - 15:53:00\"",
    ),
    Param::optional(
        "content",
        Source::Body,
        Kind::String,
        "$content",
        "病例信息 (undocumented, optional for assistants)",
    ),
    Param::optional(
        "photo",
        Source::Body,
        Kind::Json,
        "$photo",
        "病例图片 (undocumented): up to 3 uploaded image URLs",
    ),
];

const CLINIC_ONLY: &[Param] = &[CLINIC_ID];
const REGISTRATION_ONLY: &[Param] = &[REGISTRATION_ID];

const CLINIC_PAGE_PARAMS: &[Param] = &[
    Param::required(
        "id",
        Source::Path,
        Kind::NodeId("FreeClinic"),
        "id",
        "义诊id",
    ),
    PAGE_PARAMS[0],
    PAGE_PARAMS[1],
];

const ASSISTANT_CLINIC_PARAMS: &[Param] = &[CLINIC_ID, PAGE_PARAMS[0], PAGE_PARAMS[1]];

const RESULT_PARAMS: &[Param] = &[
    REGISTRATION_ID,
    Param::required(
        "diag_result",
        Source::Body,
        Kind::String,
        "result",
        "诊断结果, 1 to 2000 characters",
    ),
    Param::optional(
        "diag_photo",
        Source::Body,
        Kind::Json,
        "photos",
        "诊断结果照片: up to 9 uploaded image URLs",
    ),
];

const REJECT_PARAMS: &[Param] = &[
    REGISTRATION_ID,
    Param::required(
        "reject_msg",
        Source::Body,
        Kind::String,
        "reason",
        "拒绝原因, 1 to 200 characters",
    ),
];

const SCORE_PATIENT_PARAMS: &[Param] = &[
    REGISTRATION_ID,
    Param::required(
        "patient_credit_score",
        Source::Body,
        Kind::Int,
        "credit",
        "诚信分, 1 to 5",
    ),
    Param::required(
        "patient_punctuality_score",
        Source::Body,
        Kind::Int,
        "punctuality",
        "守时分, 1 to 5",
    ),
];

const REVIEW_DOCTOR_PARAMS: &[Param] = &[
    REGISTRATION_ID,
    Param::required(
        "doctor_score",
        Source::Body,
        Kind::Int,
        "score",
        "评分, 1 to 5",
    ),
    Param::required(
        "doctor_comment",
        Source::Body,
        Kind::String,
        "comment",
        "评论, 1 to 500 characters",
    ),
];

const DOCTOR_PATIENT_PARAMS: &[Param] = &[
    Param::optional(
        "status",
        Source::Query,
        Kind::Int,
        "$status",
        "1 待诊 waiting, 2 未诊 missed, 3 已诊 seen; every booked one when absent",
    ),
    PAGE_PARAMS[0],
    PAGE_PARAMS[1],
];

const MY_REGISTRATION_PARAMS: &[Param] = &[
    Param::optional(
        "type",
        Source::Query,
        Kind::Int,
        "$type",
        "1 已挂号 registered, 2 挂号失败 failed, 3 未到诊 missed, 4 诊疗完成 done; all when absent",
    ),
    PAGE_PARAMS[0],
    PAGE_PARAMS[1],
];

const DOCTOR_REVIEW_PARAMS: &[Param] = &[
    Param::required(
        "id",
        Source::Path,
        Kind::NodeId("User"),
        "doctorId",
        "医生id",
    ),
    PAGE_PARAMS[0],
    PAGE_PARAMS[1],
];

const HISTORY_PARAMS: &[Param] = &[
    Param::required(
        "id",
        Source::Path,
        Kind::NodeId("User"),
        "patientId",
        "病人的user_id",
    ),
    PAGE_PARAMS[0],
    PAGE_PARAMS[1],
];

const ORDER_PARAMS: &[Param] = &[Param::required(
    "sn",
    Source::Path,
    Kind::String,
    "serial",
    "订单流水号",
)];

const PAGE_ONLY: &[Param] = &PAGE_PARAMS;

const REGISTRATION_EXAMPLE: &str = r#"{"id":123,"project_id":12,"assistant_user_id":0,"verify_status":1,"reject_msg":"","visit_time":"2026-12-01 09:00:00","plan_time":"09:00:00 - 09:30:00","diag_result":"","diag_photo":[],"status":1,"amount":"0.00","sn":null,"refund_status":null,"refund_sn":null,"refund_time":null,"patient_credit_score":0,"patient_punctuality_score":0,"doctor_comment_time":null,"doctor_score":0,"doctor_comment":"","patient_comment_time":null,"op_cancel":1,"user_info":{"id":5,"real_name":"张*"},"casebook_info":{"id":1,"photo":[],"content":"咳嗽两周"}}"#;

/// A logged-in volunteer route.
#[allow(clippy::too_many_arguments)]
fn route(
    method: Method,
    path: &'static str,
    summary: &'static str,
    document: &'static str,
    params: &'static [Param],
    transform: super::super::Transform,
    prepare: Option<super::super::Prepare>,
    example: Option<&'static str>,
) -> Route {
    super::clinics::route(
        method,
        path,
        summary,
        Access::LoggedIn,
        document,
        params,
        transform,
        prepare,
        example,
    )
}

/// The registration routes.
pub fn routes() -> Vec<Route> {
    vec![
        route(
            Method::POST,
            "/project/{id}/join",
            "A patient joins a free clinic with a casebook (content, up to 3 photos) in a time \
             slot (plan_time, or the first free one). 409 when cancelled, over, full or already \
             joined. With a deposit, answers the order's sn and the payment page (pay_page); the \
             place is held 15 minutes for the payment",
            doc!("registration_join.graphql"),
            JOIN_PARAMS,
            joined,
            Some(prepare_join),
            Some(r#"{"id":123,"sn":null,"pay_page":null}"#),
        ),
        route(
            Method::POST,
            "/assistant/join/project/{id}",
            "An assistant registers a patient bound to them for a free clinic in a time slot",
            doc!("registration_join.graphql"),
            ASSISTANT_JOIN_PARAMS,
            joined,
            Some(prepare_join),
            Some(r#"{"id":123,"sn":null,"pay_page":null}"#),
        ),
        route(
            Method::GET,
            "/custom/project/{id}/cancel",
            "The patient cancels their registration for a free clinic before its slot begins; \
             the place is freed and a paid deposit refunded",
            include_str!("ops/registration_leave.graphql"),
            CLINIC_ONLY,
            super::super::empty,
            None,
            Some("{}"),
        ),
        route(
            Method::GET,
            "/assistant/diagnoses/{id}/cancel",
            "An assistant cancels a registration they made, before its slot begins",
            include_str!("ops/registration_cancel.graphql"),
            REGISTRATION_ONLY,
            super::super::empty,
            None,
            Some("{}"),
        ),
        route(
            Method::GET,
            "/project/{id}/patient",
            "The booked registrations of the caller's free clinic, in visit order, paged (403 \
             for another doctor's clinic)",
            doc!("registration_of_clinic.graphql"),
            CLINIC_PAGE_PARAMS,
            clinic_registrations,
            Some(paging::prepare_whole),
            None,
        ),
        route(
            Method::GET,
            "/project/{id}/casebook",
            "The caller's casebook for a free clinic (404 when none)",
            concat!(
                include_str!("ops/registration_casebook.graphql"),
                include_str!("ops/casebook_fields.graphql")
            ),
            CLINIC_ONLY,
            my_casebook,
            None,
            Some(r#"{"id":1,"photo":[],"content":"咳嗽两周"}"#),
        ),
        route(
            Method::GET,
            "/diagnoses/{id}",
            "One registration, for its patient, their assistant and the clinic's doctor (403 \
             for others)",
            doc!("registration_one.graphql"),
            REGISTRATION_ONLY,
            one_registration,
            None,
            Some(REGISTRATION_EXAMPLE),
        ),
        route(
            Method::PUT,
            "/diagnoses/{id}",
            "The clinic's doctor records the result (diag_result, diag_photo) of a seen visit",
            include_str!("ops/registration_result.graphql"),
            RESULT_PARAMS,
            super::super::empty,
            None,
            Some("{}"),
        ),
        route(
            Method::POST,
            "/diagnoses/{id}/reject",
            "The clinic's doctor rejects a registration before the visit with a reason; the \
             patient is told, the place freed and a paid deposit refunded (409 after the visit)",
            include_str!("ops/registration_reject.graphql"),
            REJECT_PARAMS,
            super::super::empty,
            None,
            Some("{}"),
        ),
        route(
            Method::GET,
            "/diagnoses/{id}/done",
            "The clinic's doctor confirms the visit once the clinic has begun; the deposit is \
             refunded",
            include_str!("ops/registration_done.graphql"),
            REGISTRATION_ONLY,
            super::super::empty,
            None,
            Some("{}"),
        ),
        route(
            Method::POST,
            "/doctor/diagnoses/{id}/comment",
            "The clinic's doctor scores the patient (credit, punctuality, 1 to 5) once, after \
             the visit or a missed one",
            include_str!("ops/registration_score_patient.graphql"),
            SCORE_PATIENT_PARAMS,
            super::super::empty,
            None,
            Some("{}"),
        ),
        route(
            Method::POST,
            "/custom/diagnoses/{id}/comment",
            "The patient scores (1 to 5) and comments on the doctor once, after the visit",
            include_str!("ops/registration_review_doctor.graphql"),
            REVIEW_DOCTOR_PARAMS,
            super::super::empty,
            None,
            Some("{}"),
        ),
        route(
            Method::GET,
            "/doctor/comment",
            "Registrations of the calling doctor that their patients reviewed, latest first, \
             paged",
            doc!("registration_doctor_list.graphql"),
            PAGE_ONLY,
            doctor_registrations,
            Some(prepare_doctor_reviewed),
            None,
        ),
        route(
            Method::GET,
            "/doctor/project/patient",
            "The calling doctor's patients by status (1 waiting, 2 missed, 3 seen), paged",
            doc!("registration_doctor_list.graphql"),
            DOCTOR_PATIENT_PARAMS,
            doctor_registrations,
            Some(prepare_doctor_status),
            None,
        ),
        route(
            Method::GET,
            "/doctor/{id}/comment",
            "Patients' reviews of a doctor, latest first, paged, as @诊断信息: the reviewer \
             (user_info) masked for other viewers, the private parts of the visit (result, \
             casebook, the doctor's scores of the patient) as their empty values",
            concat!(
                include_str!("ops/registration_doctor_reviews.graphql"),
                include_str!("ops/identity_user_fields.graphql")
            ),
            DOCTOR_REVIEW_PARAMS,
            doctor_reviews,
            Some(paging::prepare),
            None,
        ),
        route(
            Method::GET,
            "/all_diagnoses/{id}",
            "Every registration of a patient with casebook, doctor and patient: for the patient, \
             a doctor they are booked with, an assistant they are bound to (403 otherwise); \
             newest first, the whole list unless paged",
            doc!("registration_history.graphql"),
            HISTORY_PARAMS,
            history,
            Some(prepare_history),
            None,
        ),
        route(
            Method::GET,
            "/custom/diagnoses",
            "The caller's registrations by type (1 registered, 2 failed, 3 missed, 4 done), \
             newest first, paged",
            doc!("registration_mine.graphql"),
            MY_REGISTRATION_PARAMS,
            my_registrations,
            Some(prepare_my_type),
            None,
        ),
        route(
            Method::GET,
            "/custom/need/comment",
            "The caller's seen visits not yet reviewed, newest first, paged",
            doc!("registration_mine.graphql"),
            PAGE_ONLY,
            my_registrations,
            Some(prepare_awaiting_review),
            None,
        ),
        route(
            Method::GET,
            "/custom/payment/diagnoses",
            "The caller's registrations with a deposit refund (refund_status 1 applied, 3 done), \
             latest refund first, paged",
            doc!("registration_mine.graphql"),
            PAGE_ONLY,
            my_registrations,
            Some(prepare_refunds),
            None,
        ),
        route(
            Method::GET,
            "/order/query/{sn}",
            "The registration of the caller's deposit order once paid; {} while unpaid (404 for \
             an unknown or another's order)",
            doc!("registration_by_order.graphql"),
            ORDER_PARAMS,
            by_order,
            None,
            Some(REGISTRATION_EXAMPLE),
        ),
        route(
            Method::GET,
            "/assistant/project/{id}/paitient",
            "The registrations the calling assistant made for a free clinic, newest first, paged \
             (the path's spelling is the documented one)",
            doc!("registration_assistant_list.graphql"),
            ASSISTANT_CLINIC_PARAMS,
            assistant_registrations,
            Some(paging::prepare_whole),
            None,
        ),
        route(
            Method::GET,
            "/assistant/project",
            "The free clinics the calling assistant registered patients for (with \
             assistant_join_count), latest first, paged",
            clinic_doc!("registration_assistant_clinics.graphql"),
            PAGE_ONLY,
            assistant_clinics,
            Some(paging::prepare),
            None,
        ),
        route(
            Method::GET,
            "/doctor/assistant",
            "The assistants who registered patients for the calling doctor's clinics, latest \
             first, paged",
            concat!(
                include_str!("ops/registration_doctor_assistants.graphql"),
                include_str!("ops/identity_user_fields.graphql")
            ),
            PAGE_ONLY,
            doctor_assistants,
            Some(paging::prepare_whole),
            None,
        ),
        route(
            Method::GET,
            "/doctor/index",
            "The doctor's home: news for doctors, own profile, own clinics (latest 10) and the \
             patients waiting (soonest 10)",
            concat!(
                include_str!("ops/registration_doctor_index.graphql"),
                include_str!("ops/content_news_fields.graphql"),
                include_str!("ops/registration_fields.graphql"),
                include_str!("ops/casebook_fields.graphql"),
                include_str!("ops/clinic_fields.graphql"),
                include_str!("ops/hospital_fields.graphql"),
                include_str!("ops/org_fields.graphql"),
                include_str!("ops/identity_user_fields.graphql")
            ),
            &[],
            doctor_index,
            None,
            None,
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Preparing variables

/// `content`, `photo`, `plan_time` (and an assistant's `user_id`) into `input`.
fn prepare_join(vars: &mut Map<String, Value>) -> AppResult<()> {
    let mut input = Map::new();
    if let Some(clinic) = vars.remove("clinicId") {
        input.insert("clinicId".into(), clinic);
    }
    if let Some(slot) = vars.remove("$slot").filter(|v| !v.is_null()) {
        input.insert("slot".into(), slot);
    }
    if let Some(patient) = vars.remove("$patient").filter(|v| !v.is_null()) {
        input.insert("patientId".into(), patient);
    }
    let content = vars.remove("$content").filter(|v| !v.is_null());
    let photos = match vars.remove("$photo") {
        None | Some(Value::Null) => Vec::new(),
        Some(value) => image_list("photo", value)?,
    };
    if let Some(content) = content {
        input.insert(
            "casebook".into(),
            json!({"content": content, "photos": photos}),
        );
    } else if !photos.is_empty() {
        return Err(AppError::bad_field(
            "content",
            "photos come with the casebook's content",
        ));
    }
    vars.insert("input".into(), Value::Object(input));
    Ok(())
}

/// A list of image URLs as clients send it: a JSON array, or one string (a JSON array in text,
/// or comma-separated).
fn image_list(field: &str, value: Value) -> AppResult<Vec<Value>> {
    match value {
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::String(_) => Ok(v),
                _ => Err(AppError::bad_field(field, "photos are URLs")),
            })
            .collect(),
        Value::String(text) if text.trim().starts_with('[') => {
            let parsed: Value = serde_json::from_str(&text)
                .map_err(|_| AppError::bad_field(field, "photos are a list of URLs"))?;
            image_list(field, parsed)
        }
        Value::String(text) => Ok(text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Value::String(s.to_owned()))
            .collect()),
        _ => Err(AppError::bad_field(field, "photos are a list of URLs")),
    }
}

fn prepare_doctor_reviewed(vars: &mut Map<String, Value>) -> AppResult<()> {
    vars.insert("filter".into(), Value::from("REVIEWED"));
    paging::prepare(vars)
}

fn prepare_doctor_status(vars: &mut Map<String, Value>) -> AppResult<()> {
    match vars.remove("$status").and_then(|v| v.as_i64()) {
        None => {}
        Some(1) => {
            vars.insert("filter".into(), Value::from("WAITING"));
        }
        Some(2) => {
            vars.insert("filter".into(), Value::from("MISSED"));
        }
        Some(3) => {
            vars.insert("filter".into(), Value::from("SEEN"));
        }
        Some(_) => {
            return Err(AppError::bad_field(
                "status",
                "status must be 1 (waiting), 2 (missed) or 3 (seen)",
            ));
        }
    }
    paging::prepare(vars)
}

fn prepare_my_type(vars: &mut Map<String, Value>) -> AppResult<()> {
    let filter = match vars.remove("$type").and_then(|v| v.as_i64()) {
        None => None,
        Some(1) => Some("REGISTERED"),
        Some(2) => Some("FAILED"),
        Some(3) => Some("MISSED"),
        Some(4) => Some("DONE"),
        Some(_) => {
            return Err(AppError::bad_field(
                "type",
                "type must be 1 (registered), 2 (failed), 3 (missed) or 4 (done)",
            ));
        }
    };
    if let Some(filter) = filter {
        vars.insert("filter".into(), Value::from(filter));
    }
    paging::prepare(vars)
}

fn prepare_awaiting_review(vars: &mut Map<String, Value>) -> AppResult<()> {
    vars.insert("filter".into(), Value::from("AWAITING_REVIEW"));
    paging::prepare(vars)
}

fn prepare_refunds(vars: &mut Map<String, Value>) -> AppResult<()> {
    vars.insert("filter".into(), Value::from("REFUNDS"));
    paging::prepare(vars)
}

fn prepare_history(vars: &mut Map<String, Value>) -> AppResult<()> {
    paging::prepare_whole(vars)
}

// ---------------------------------------------------------------------------------------------
// Shaping answers

/// A deposit in cents as the legacy `amount` string (`"50.00"`).
fn amount(cents: &Value) -> Value {
    Value::String(crate::payments::yuan(cents.as_i64().unwrap_or(0)))
}

fn verify_code(state: &Value) -> i64 {
    match state.as_str() {
        Some("REJECTED") => 2,
        Some("CANCELLED") => 3,
        _ => 1,
    }
}

fn visit_code(state: &Value) -> i64 {
    match state.as_str() {
        Some("MISSED") => 2,
        Some("SEEN") => 3,
        _ => 1,
    }
}

/// `refund_status`: 1 applied, 3 refunded, 0 without a refund.
fn refund_code(state: &Value) -> i64 {
    match state.as_str() {
        Some("APPLIED") => 1,
        Some("REFUNDED") => 3,
        _ => 0,
    }
}

/// A time as the legacy text, `""` before it happens.
fn time_text(value: &Value) -> Value {
    text(&legacy_time(value))
}

/// The legacy "@病例信息" (§2.2.6); null without a casebook.
fn casebook(c: &Value) -> Value {
    if c.is_null() {
        return Value::Null;
    }
    json!({
        "id": int(&c["legacyId"]),
        "photo": strings(&c["photoUrls"]),
        "content": text(&c["content"]),
    })
}

/// The legacy "@诊断信息" (§2.2.9) of a `VolunteerRegistration`.
fn registration(r: &Value) -> AppResult<Value> {
    let user_info = match &r["patient"] {
        Value::Null => Value::Null,
        user => Value::Object(profile(user, Shape::Patient)?),
    };
    let assistant = legacy_id(&r["assistant"]["id"], "User")?;
    Ok(json!({
        "id": r["legacyId"],
        "project_id": legacy_id(&r["clinic"]["id"], "FreeClinic")?,
        "project_title": text(&r["clinic"]["title"]),
        "assistant_user_id": if assistant.is_null() { Value::from(0) } else { assistant },
        "doctor_user_id": legacy_id(&r["doctor"]["id"], "User")?,
        "verify_status": verify_code(&r["verifyState"]),
        "reject_msg": r["rejectReason"].as_str().unwrap_or(""),
        "visit_time": time_text(&r["visitAt"]),
        "plan_time": text(&r["slot"]["label"]),
        "diag_result": r["result"].as_str().unwrap_or(""),
        "diag_photo": strings(&r["resultPhotoUrls"]),
        "status": visit_code(&r["visitState"]),
        "amount": amount(&r["depositCents"]),
        "pay_status": match r["depositState"].as_str() {
            Some("PAID") => 1,
            Some("AWAITING") => 0,
            Some("EXPIRED") => 2,
            _ => 1,
        },
        "sn": r["orderSerial"],
        "refund_status": refund_code(&r["refundState"]),
        "refund_sn": r["refundSerial"],
        "refund_time": time_text(&r["refundedAt"]),
        "patient_credit_score": int(&r["patientCreditScore"]),
        "patient_punctuality_score": int(&r["patientPunctualityScore"]),
        "doctor_comment_time": time_text(&r["patientScoredAt"]),
        "doctor_score": int(&r["doctorScore"]),
        "doctor_comment": text(&r["doctorComment"]),
        "patient_comment_time": time_text(&r["doctorReviewedAt"]),
        "op_cancel": i64::from(r["canCancel"] == Value::Bool(true)),
        "created_at": time_text(&r["createdAt"]),
        "updated_at": time_text(&r["updatedAt"]),
        "user_info": user_info,
        "casebook_info": casebook(&r["casebook"]),
    }))
}

fn joined(data: Value) -> AppResult<Value> {
    let j = pick(&data, "/joinFreeClinic")?;
    Ok(json!({
        "id": j["registration"]["legacyId"],
        "sn": j["registration"]["orderSerial"],
        "pay_page": j["payPage"],
    }))
}

fn clinic_registrations(data: Value) -> AppResult<Value> {
    match pick(&data, "/freeClinic")? {
        Value::Null => Err(AppError::NotFound("no such free clinic".into())),
        _ => paged_at(&data, "/freeClinic/registrations", registration),
    }
}

fn my_casebook(data: Value) -> AppResult<Value> {
    match pick(&data, "/myCasebook")? {
        Value::Null => Err(AppError::NotFound(
            "you have no casebook for this free clinic".into(),
        )),
        c => Ok(casebook(c)),
    }
}

fn one_registration(data: Value) -> AppResult<Value> {
    match pick(&data, "/registration")? {
        Value::Null => Err(AppError::NotFound("no such diagnosis".into())),
        r => registration(r),
    }
}

fn doctor_registrations(data: Value) -> AppResult<Value> {
    paged_at(&data, "/doctorRegistrations", registration)
}

fn my_registrations(data: Value) -> AppResult<Value> {
    paged_at(&data, "/myRegistrations", registration)
}

fn assistant_registrations(data: Value) -> AppResult<Value> {
    paged_at(&data, "/assistantRegistrations", registration)
}

fn assistant_clinics(data: Value) -> AppResult<Value> {
    paged_at(&data, "/assistantFreeClinics", clinic)
}

/// `/doctor/{id}/comment`: a public review as "@诊断信息". Only seen visits are reviewed
/// (verify_status 1, status 3); the reviewer comes masked for other viewers, and the private
/// parts of the visit (the result, the casebook, the doctor's scores of the patient, the
/// assistant, refunds) as their empty values.
fn doctor_reviews(data: Value) -> AppResult<Value> {
    paged_at(&data, "/doctorReviews", |r| {
        let user_info = match &r["reviewer"] {
            Value::Null => Value::Null,
            user => Value::Object(profile(user, Shape::Patient)?),
        };
        Ok(json!({
            "id": int(&r["legacyId"]),
            "assistant_user_id": 0,
            "verify_status": 1,
            "reject_msg": "",
            "visit_time": time_text(&r["visitAt"]),
            "diag_result": "",
            "diag_photo": [],
            "status": 3,
            "refund_status": 0,
            "patient_credit_score": 0,
            "patient_punctuality_score": 0,
            "doctor_comment_time": "",
            "doctor_score": int(&r["score"]),
            "doctor_comment": text(&r["comment"]),
            "patient_comment_time": time_text(&r["reviewedAt"]),
            "user_info": user_info,
            "casebook_info": Value::Null,
        }))
    })
}

/// `/all_diagnoses/{id}`: the flat legacy rows of §3.2.22, as a bare array.
fn history(data: Value) -> AppResult<Value> {
    let conn = pick(&data, "/patientRegistrations")?;
    let rows = conn["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            let mut row = match registration(r)? {
                Value::Object(map) => map,
                _ => Map::new(),
            };
            let user = row.remove("user_info").unwrap_or(Value::Null);
            row.remove("casebook_info");
            row.insert(
                "hospital_id".into(),
                int(&r["clinic"]["hospital"]["legacyId"]),
            );
            row.insert("user_id".into(), int(&user["id"]));
            // The document's own flat form: nulls where its example shows them.
            let or_null = |v: Value| match v {
                Value::String(s) if s.is_empty() => Value::Null,
                Value::Number(n) if n.as_i64() == Some(0) => Value::Null,
                other => other,
            };
            for key in [
                "refund_status",
                "refund_time",
                "doctor_comment_time",
                "patient_comment_time",
                "plan_time",
            ] {
                if let Some(value) = row.remove(key) {
                    row.insert(key.into(), or_null(value));
                }
            }
            // No waiver of the deposit refund exists here, and comments are never hidden.
            row.insert("confirm_no_refund".into(), Value::from(0));
            row.insert("patient_comment_show".into(), Value::from(1));
            row.insert("doctor_comment_show".into(), Value::from(1));
            let book = &r["casebook"];
            row.insert("casebook_id".into(), book["legacyId"].clone());
            row.insert(
                "casebook".into(),
                if book.is_null() {
                    Value::Null
                } else {
                    json!({
                        "id": int(&book["legacyId"]),
                        "user_id": int(&user["id"]),
                        "project_id": row.get("project_id").cloned().unwrap_or(Value::from(0)),
                        "content": text(&book["content"]),
                        "photo": strings(&book["photoUrls"]),
                        "created_at": time_text(&book["createdAt"]),
                        "updated_at": time_text(&book["updatedAt"]),
                    })
                },
            );
            row.insert(
                "doctor".into(),
                json!({
                    "id": row.get("doctor_user_id").cloned().unwrap_or(Value::from(0)),
                    "real_name": text(&r["doctor"]["realName"]),
                    "avatars": text(&r["doctor"]["avatarUrl"]),
                }),
            );
            row.insert(
                "user".into(),
                json!({
                    "id": int(&user["id"]),
                    "real_name": text(&user["real_name"]),
                    "avatars": text(&user["avatars"]),
                }),
            );
            Ok(Value::Object(row))
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(Value::Array(rows))
}

fn by_order(data: Value) -> AppResult<Value> {
    match pick(&data, "/registrationByOrder")? {
        Value::Null => Ok(json!({})),
        r => registration(r),
    }
}

fn doctor_assistants(data: Value) -> AppResult<Value> {
    paged_at(&data, "/myClinicAssistants", |u| {
        profile(u, Shape::Assistant).map(Value::Object)
    })
}

fn doctor_index(data: Value) -> AppResult<Value> {
    let news: Vec<Value> = data["newsList"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(news_item)
        .collect();
    let doctor_info = doctor(&data["me"])?;
    let project_list = data["myFreeClinics"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(clinic)
        .collect::<AppResult<Vec<_>>>()?;
    let diagnoses_list = data["doctorRegistrations"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(registration)
        .collect::<AppResult<Vec<_>>>()?;
    Ok(json!({
        "news": news,
        "doctor_info": doctor_info,
        "project_list": project_list,
        "diagnoses_list": diagnoses_list,
    }))
}

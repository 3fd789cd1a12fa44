//! Registrations for free clinics (诊断) through the volunteer dialect and GraphQL: joining,
//! cancelling and rejoining, every action of the doctor and the patient with the refused ones,
//! aggregates, deposits paid through the sandbox (replays, late payments, expiry), clinic
//! cancellation with refunds and notices, the registration subscription, no overbooking
//! under 50 concurrent joins, and a fixed number of statements for a deep query.

use std::collections::BTreeMap;
use std::time::Duration as StdDuration;

use axum::body::Body;
use chrono::{Duration, Utc};
use futures::StreamExt;
use http::Request;
use medgraph::auth::{Auth, Role, Viewer};
use medgraph::domain::free_clinics;
use medgraph::domain::registrations::{self, JoinRequest};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::care_graphql::{listen, next};
use crate::common::{self, TestApp};

async fn vol(
    app: &TestApp,
    method: &str,
    path: &str,
    body: Option<Value>,
    token: Option<&str>,
) -> Value {
    let mut headers: Vec<(&str, &str)> = Vec::new();
    if let Some(token) = token {
        headers.push(("x-auth-token", token));
    }
    let (status, value) = app.call(method, path, body, &headers).await;
    assert_eq!(status, http::StatusCode::OK, "{value}");
    value
}

fn ok(answer: &Value) -> &Value {
    assert_eq!(answer["error_code"], 0, "{answer}");
    &answer["data"]
}

fn code(answer: &Value) -> i64 {
    answer["error_code"].as_i64().unwrap_or(-1)
}

fn tomorrow() -> String {
    (free_clinics::china_today(Utc::now()) + Duration::days(1)).to_string()
}

/// A world: an administrator, a hospital, a doctor and another, three patients.
struct World {
    hospital: i64,
    doctor: (i64, String),
    other_doctor: (i64, String),
    patients: Vec<(i64, String)>,
}

async fn world(app: &TestApp) -> World {
    let (_, admin) = app.admin().await;
    let answer = app
        .graphql(
            "mutation($input: HospitalInput!) { createHospital(input: $input) { legacyId } }",
            json!({"input": {"name": "协和医院", "regionCode": 110101, "address": "东城区",
                "longitude": 116.4, "latitude": 39.9}}),
            Some(&admin),
        )
        .await;
    let hospital = answer["data"]["createHospital"]["legacyId"]
        .as_i64()
        .unwrap_or_else(|| panic!("{answer}"));
    let doctor = app
        .account("doc", "13900000011", "doctor-pass-1", &[Role::Doctor])
        .await;
    let other_doctor = app
        .account("doc2", "13900000012", "doctor-pass-1", &[Role::Doctor])
        .await;
    let mut patients = Vec::new();
    for i in 0..3 {
        patients.push(
            app.account(
                &format!("pat{i}"),
                &format!("1550000000{i}"),
                "pass-word-1",
                &[Role::Patient],
            )
            .await,
        );
    }
    World {
        hospital,
        doctor,
        other_doctor,
        patients,
    }
}

/// Publishes a clinic tomorrow 09:00–11:00 with `places` places and a deposit in yuan.
async fn clinic(app: &TestApp, w: &World, places: i64, price: i64) -> i64 {
    let answer = vol(
        app,
        "POST",
        "/project",
        Some(json!({
            "date": tomorrow(), "begin": "09:00:00", "end": "11:00:00", "people_count": places,
            "lng": "116.40", "lat": "39.90", "addr": "东城区义诊点", "service_target": ["老年人"],
            "abstract": "免费测血压", "price": price, "hospital_id": w.hospital,
        })),
        Some(&w.doctor.1),
    )
    .await;
    ok(&answer)["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{answer}"))
}

async fn join(app: &TestApp, clinic: i64, token: &str, body: Value) -> Value {
    vol(
        app,
        "POST",
        &format!("/project/{clinic}/join"),
        Some(body),
        Some(token),
    )
    .await
}

/// Moves a clinic (and its registrations) so that it began an hour ago and ends in an hour,
/// or, with `over`, ended an hour ago.
pub(crate) async fn move_clinic(app: &TestApp, clinic: i64, over: bool) {
    let now = Utc::now();
    let (starts, ends) = if over {
        (now - Duration::hours(3), now - Duration::hours(1))
    } else {
        (now - Duration::hours(1), now + Duration::hours(1))
    };
    let db = &app.state.services.db;
    entity::free_clinic::Entity::update_many()
        .col_expr(
            entity::free_clinic::Column::StartsAt,
            sea_orm::sea_query::Expr::value(starts),
        )
        .col_expr(
            entity::free_clinic::Column::EndsAt,
            sea_orm::sea_query::Expr::value(ends),
        )
        .filter(entity::free_clinic::Column::Id.eq(clinic))
        .exec(db)
        .await
        .unwrap();
    entity::registration::Entity::update_many()
        .col_expr(
            entity::registration::Column::VisitAt,
            sea_orm::sea_query::Expr::value(starts),
        )
        .col_expr(
            entity::registration::Column::EndsAt,
            sea_orm::sea_query::Expr::value(ends),
        )
        .filter(entity::registration::Column::ClinicId.eq(clinic))
        .exec(db)
        .await
        .unwrap();
}

const REGISTRATION_KEYS: &[&str] = &[
    "id",
    "assistant_user_id",
    "verify_status",
    "reject_msg",
    "visit_time",
    "diag_result",
    "diag_photo",
    "status",
    "refund_status",
    "patient_credit_score",
    "patient_punctuality_score",
    "doctor_comment_time",
    "doctor_score",
    "doctor_comment",
    "patient_comment_time",
    "user_info",
    "casebook_info",
];

#[tokio::test]
async fn patients_join_cancel_and_rejoin_in_the_documented_shapes() {
    let app = common::app().await;
    let w = world(&app).await;
    let c = clinic(&app, &w, 10, 0).await;
    let (p0, t0) = &w.patients[0];
    let t1 = &w.patients[1].1;

    // Refused: no casebook, a slot the clinic does not have, a doctor, anonymous, nothing.
    let bare = join(&app, c, t0, json!({"plan_time": "09:00:00 - 09:30:00"})).await;
    assert_eq!(code(&bare), 422, "{bare}");
    let nowhere = join(
        &app,
        c,
        t0,
        json!({"content": "咳嗽", "plan_time": "13:00 - 13:30"}),
    )
    .await;
    assert_eq!(code(&nowhere), 422, "{nowhere}");
    let by_doctor = join(&app, c, &w.other_doctor.1, json!({"content": "x"})).await;
    assert_eq!(code(&by_doctor), 403, "{by_doctor}");
    let missing = join(&app, 999_999, t0, json!({"content": "x"})).await;
    assert_eq!(code(&missing), 404, "{missing}");
    assert_eq!(app.count_rows("registrations").await, 0);
    assert_eq!(
        app.count_rows_where("free_clinic_slots", "taken > 0").await,
        0
    );

    let joined = join(
        &app,
        c,
        t0,
        json!({"content": "咳嗽两周", "plan_time": "09:30:00 - 10:00:00"}),
    )
    .await;
    let id = ok(&joined)["id"].as_i64().unwrap();
    assert!(ok(&joined)["sn"].is_null());
    let again = join(&app, c, t0, json!({"content": "再来"})).await;
    assert_eq!(code(&again), 409, "{again}");

    let detail = ok(&vol(&app, "GET", &format!("/project/{c}"), None, Some(t0)).await).clone();
    assert_eq!(detail["is_join"], 1);
    assert_eq!(detail["join_people_count"], 1);
    assert_eq!(detail["plan_time"]["09:30:00 - 10:00:00"], 2);
    let other_view = ok(&vol(&app, "GET", &format!("/project/{c}"), None, Some(t1)).await).clone();
    assert_eq!(other_view["is_join"], 0);

    let casebook = vol(
        &app,
        "GET",
        &format!("/project/{c}/casebook"),
        None,
        Some(t0),
    )
    .await;
    assert_eq!(ok(&casebook)["content"], "咳嗽两周");
    assert_eq!(ok(&casebook)["photo"], json!([]));
    let none = vol(
        &app,
        "GET",
        &format!("/project/{c}/casebook"),
        None,
        Some(t1),
    )
    .await;
    assert_eq!(code(&none), 404, "{none}");

    let one = vol(&app, "GET", &format!("/diagnoses/{id}"), None, Some(t0)).await;
    let one = ok(&one).clone();
    for key in REGISTRATION_KEYS {
        assert!(one.get(*key).is_some(), "{key} missing in {one}");
    }
    assert_eq!(one["verify_status"], 1);
    assert_eq!(one["status"], 1);
    assert_eq!(one["assistant_user_id"], 0);
    assert_eq!(one["plan_time"], "09:30:00 - 10:00:00");
    assert_eq!(one["visit_time"], format!("{} 09:30:00", tomorrow()));
    assert_eq!(one["user_info"]["id"], *p0);
    assert_eq!(one["casebook_info"]["content"], "咳嗽两周");
    assert_eq!(one["op_cancel"], 1);
    // Another patient may not read it; the clinic's doctor may; another doctor may not.
    let stranger = vol(&app, "GET", &format!("/diagnoses/{id}"), None, Some(t1)).await;
    assert_eq!(code(&stranger), 403, "{stranger}");
    let by_doc = vol(
        &app,
        "GET",
        &format!("/diagnoses/{id}"),
        None,
        Some(&w.doctor.1),
    )
    .await;
    assert_eq!(ok(&by_doc)["id"], id);
    let other_doc = vol(
        &app,
        "GET",
        &format!("/diagnoses/{id}"),
        None,
        Some(&w.other_doctor.1),
    )
    .await;
    assert_eq!(code(&other_doc), 403, "{other_doc}");

    // The doctor's list of the clinic's patients; not another doctor's.
    let patients = vol(
        &app,
        "GET",
        &format!("/project/{c}/patient"),
        None,
        Some(&w.doctor.1),
    )
    .await;
    assert_eq!(ok(&patients)["list"][0]["id"], id);
    assert_eq!(ok(&patients)["page"]["count"], 1);
    let refused = vol(
        &app,
        "GET",
        &format!("/project/{c}/patient"),
        None,
        Some(&w.other_doctor.1),
    )
    .await;
    assert_eq!(code(&refused), 403, "{refused}");

    let mine = vol(&app, "GET", "/custom/diagnoses?type=1", None, Some(t0)).await;
    assert_eq!(ok(&mine)["list"][0]["id"], id);
    let failed = vol(&app, "GET", "/custom/diagnoses?type=2", None, Some(t0)).await;
    assert_eq!(ok(&failed)["page"]["count"], 0);
    let bad_type = vol(&app, "GET", "/custom/diagnoses?type=9", None, Some(t0)).await;
    assert_eq!(code(&bad_type), 422, "{bad_type}");

    // Cancel: the place comes back; a second cancel finds nothing booked.
    let cancelled = vol(
        &app,
        "GET",
        &format!("/custom/project/{c}/cancel"),
        None,
        Some(t0),
    )
    .await;
    ok(&cancelled);
    let twice = vol(
        &app,
        "GET",
        &format!("/custom/project/{c}/cancel"),
        None,
        Some(t0),
    )
    .await;
    assert_eq!(code(&twice), 404, "{twice}");
    let one = vol(&app, "GET", &format!("/diagnoses/{id}"), None, Some(t0)).await;
    assert_eq!(ok(&one)["verify_status"], 3);
    let detail = ok(&vol(&app, "GET", &format!("/project/{c}"), None, Some(t0)).await).clone();
    assert_eq!(detail["is_join"], 0);
    assert_eq!(detail["join_people_count"], 0);

    // Rejoining edits the same casebook.
    let rejoined = join(&app, c, t0, json!({"content": "咳嗽三周"})).await;
    ok(&rejoined);
    assert_eq!(app.count_rows("casebooks").await, 1);
    assert_eq!(app.count_rows("registrations").await, 2);
    assert_eq!(
        app.count_rows_where(
            "patient_profiles",
            &format!("user_id = {p0} AND registration_count = 1")
        )
        .await,
        1
    );
}

#[tokio::test]
async fn doctors_reject_confirm_record_and_score_and_patients_review_once() {
    let app = common::app().await;
    let w = world(&app).await;
    let c = clinic(&app, &w, 10, 0).await;
    let doc = &w.doctor.1;
    let (p0, t0) = &w.patients[0];
    let (p1, t1) = &w.patients[1];
    let r0 = ok(&join(&app, c, t0, json!({"content": "头痛"})).await)["id"]
        .as_i64()
        .unwrap();
    let r1 = ok(&join(&app, c, t1, json!({"content": "失眠"})).await)["id"]
        .as_i64()
        .unwrap();

    // Rejecting: only the clinic's doctor, with a reason.
    let by_other = vol(
        &app,
        "POST",
        &format!("/diagnoses/{r0}/reject"),
        Some(json!({"reject_msg": "时间冲突"})),
        Some(&w.other_doctor.1),
    )
    .await;
    assert_eq!(code(&by_other), 403, "{by_other}");
    let no_reason = vol(
        &app,
        "POST",
        &format!("/diagnoses/{r0}/reject"),
        Some(json!({"reject_msg": "  "})),
        Some(doc),
    )
    .await;
    assert_eq!(code(&no_reason), 422, "{no_reason}");
    let rejected = vol(
        &app,
        "POST",
        &format!("/diagnoses/{r0}/reject"),
        Some(json!({"reject_msg": "时间冲突"})),
        Some(doc),
    )
    .await;
    ok(&rejected);
    let failed = vol(&app, "GET", "/custom/diagnoses?type=2", None, Some(t0)).await;
    assert_eq!(ok(&failed)["list"][0]["reject_msg"], "时间冲突");
    assert_eq!(ok(&failed)["list"][0]["verify_status"], 2);
    let messages = vol(&app, "GET", "/message", None, Some(t0)).await;
    assert!(
        ok(&messages)["list"].to_string().contains("时间冲突"),
        "{messages}"
    );

    // Confirming waits for the clinic to begin.
    let early = vol(
        &app,
        "GET",
        &format!("/diagnoses/{r1}/done"),
        None,
        Some(doc),
    )
    .await;
    assert_eq!(code(&early), 409, "{early}");
    move_clinic(&app, c, false).await;
    let not_seen = vol(
        &app,
        "PUT",
        &format!("/diagnoses/{r1}"),
        Some(json!({"diag_result": "多休息"})),
        Some(doc),
    )
    .await;
    assert_eq!(code(&not_seen), 409, "{not_seen}");
    let too_early = vol(
        &app,
        "POST",
        &format!("/custom/diagnoses/{r1}/comment"),
        Some(json!({"doctor_score": 5, "doctor_comment": "好"})),
        Some(t1),
    )
    .await;
    assert_eq!(code(&too_early), 409, "{too_early}");
    let done = vol(
        &app,
        "GET",
        &format!("/diagnoses/{r1}/done"),
        None,
        Some(doc),
    )
    .await;
    ok(&done);
    let twice = vol(
        &app,
        "GET",
        &format!("/diagnoses/{r1}/done"),
        None,
        Some(doc),
    )
    .await;
    assert_eq!(code(&twice), 409, "{twice}");
    let late_reject = vol(
        &app,
        "POST",
        &format!("/diagnoses/{r1}/reject"),
        Some(json!({"reject_msg": "迟到"})),
        Some(doc),
    )
    .await;
    assert_eq!(code(&late_reject), 409, "{late_reject}");
    let late_cancel = vol(
        &app,
        "GET",
        &format!("/custom/project/{c}/cancel"),
        None,
        Some(t1),
    )
    .await;
    assert_eq!(code(&late_cancel), 409, "{late_cancel}");

    let result = vol(
        &app,
        "PUT",
        &format!("/diagnoses/{r1}"),
        Some(json!({"diag_result": "多休息", "diag_photo": []})),
        Some(doc),
    )
    .await;
    ok(&result);
    let seen = vol(
        &app,
        "GET",
        "/doctor/project/patient?status=3",
        None,
        Some(doc),
    )
    .await;
    assert_eq!(ok(&seen)["list"][0]["id"], r1);
    assert_eq!(ok(&seen)["list"][0]["status"], 3);
    assert_eq!(ok(&seen)["list"][0]["diag_result"], "多休息");
    let waiting = vol(
        &app,
        "GET",
        "/doctor/project/patient?status=1",
        None,
        Some(doc),
    )
    .await;
    assert_eq!(ok(&waiting)["page"]["count"], 0);

    // The doctor scores the patient once, 1 to 5.
    let out_of_range = vol(
        &app,
        "POST",
        &format!("/doctor/diagnoses/{r1}/comment"),
        Some(json!({"patient_credit_score": 6, "patient_punctuality_score": 0})),
        Some(doc),
    )
    .await;
    assert_eq!(code(&out_of_range), 422, "{out_of_range}");
    let message = out_of_range["error_message"].as_str().unwrap_or_default();
    assert!(message.contains("patient_credit_score"), "{message}");
    let scored = vol(
        &app,
        "POST",
        &format!("/doctor/diagnoses/{r1}/comment"),
        Some(json!({"patient_credit_score": 5, "patient_punctuality_score": 4})),
        Some(doc),
    )
    .await;
    ok(&scored);
    let rescored = vol(
        &app,
        "POST",
        &format!("/doctor/diagnoses/{r1}/comment"),
        Some(json!({"patient_credit_score": 1, "patient_punctuality_score": 1})),
        Some(doc),
    )
    .await;
    assert_eq!(code(&rescored), 409, "{rescored}");

    // The patient reviews the doctor once; not another's visit.
    let need = vol(&app, "GET", "/custom/need/comment", None, Some(t1)).await;
    assert_eq!(ok(&need)["list"][0]["id"], r1);
    let not_theirs = vol(
        &app,
        "POST",
        &format!("/custom/diagnoses/{r1}/comment"),
        Some(json!({"doctor_score": 1, "doctor_comment": "差"})),
        Some(t0),
    )
    .await;
    assert_eq!(code(&not_theirs), 403, "{not_theirs}");
    let reviewed = vol(
        &app,
        "POST",
        &format!("/custom/diagnoses/{r1}/comment"),
        Some(json!({"doctor_score": 5, "doctor_comment": "医生很耐心"})),
        Some(t1),
    )
    .await;
    ok(&reviewed);
    let again = vol(
        &app,
        "POST",
        &format!("/custom/diagnoses/{r1}/comment"),
        Some(json!({"doctor_score": 1, "doctor_comment": "改主意"})),
        Some(t1),
    )
    .await;
    assert_eq!(code(&again), 409, "{again}");
    let need = vol(&app, "GET", "/custom/need/comment", None, Some(t1)).await;
    assert_eq!(ok(&need)["page"]["count"], 0);

    // Aggregates.
    let db = &app.state.services.db;
    let patient = entity::patient_profile::Entity::find_by_id(*p1)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(patient.credit_score, Some(5.0));
    assert_eq!(patient.punctuality_score, Some(4.0));
    assert_eq!(patient.scored_count, 1);
    assert_eq!(patient.visit_count, 1);
    assert_eq!(patient.registration_count, 1);
    let rejected_patient = entity::patient_profile::Entity::find_by_id(*p0)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rejected_patient.registration_count, 0);
    let doctor = entity::doctor_profile::Entity::find_by_id(w.doctor.0)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(doctor.score, Some(5.0));
    assert_eq!(doctor.score_count, 1);
    assert_eq!(doctor.patient_count, 1);
    assert_eq!(doctor.visit_count, 1);
    assert_eq!(doctor.service_minutes, 120);

    // Reviews: the doctor's own list, and the public one with the reviewer masked.
    let own = vol(&app, "GET", "/doctor/comment", None, Some(doc)).await;
    assert_eq!(ok(&own)["list"][0]["doctor_comment"], "医生很耐心");
    let public = vol(
        &app,
        "GET",
        &format!("/doctor/{}/comment", w.doctor.0),
        None,
        Some(t0),
    )
    .await;
    let item = &ok(&public)["list"][0];
    assert_eq!(item["doctor_score"], 5);
    // The reviewer as @患者信息, masked for another viewer (no real name given: empty).
    assert_eq!(item["user_info"]["real_name"], "");
    assert_eq!(item["user_info"]["phone"], "155****0001", "{item}");
    assert_eq!(item["user_info"]["height"], "");

    // A patient's history: the doctor they are booked with, not another patient.
    let history = vol(
        &app,
        "GET",
        &format!("/all_diagnoses/{p1}"),
        None,
        Some(doc),
    )
    .await;
    let rows = ok(&history).as_array().unwrap().clone();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["casebook"]["content"], "失眠");
    assert_eq!(rows[0]["doctor"]["id"], w.doctor.0);
    assert_eq!(rows[0]["user"]["id"], *p1);
    assert_eq!(rows[0]["hospital_id"], w.hospital);
    let nosy = vol(&app, "GET", &format!("/all_diagnoses/{p1}"), None, Some(t0)).await;
    assert_eq!(code(&nosy), 403, "{nosy}");
    let stranger_doctor = vol(
        &app,
        "GET",
        &format!("/all_diagnoses/{p1}"),
        None,
        Some(&w.other_doctor.1),
    )
    .await;
    assert_eq!(code(&stranger_doctor), 403, "{stranger_doctor}");

    // Home page of the doctor.
    let index = vol(&app, "GET", "/doctor/index", None, Some(doc)).await;
    let index = ok(&index);
    assert_eq!(index["doctor_info"]["id"], w.doctor.0);
    assert_eq!(index["project_list"][0]["id"], c);
    assert!(index["news"].is_array());
    assert!(index["diagnoses_list"].is_array());
}

#[tokio::test]
async fn missed_visits_are_scored_but_not_reviewed() {
    let app = common::app().await;
    let w = world(&app).await;
    let c = clinic(&app, &w, 10, 0).await;
    let (_, t0) = &w.patients[0];
    let r = ok(&join(&app, c, t0, json!({"content": "复查"})).await)["id"]
        .as_i64()
        .unwrap();
    move_clinic(&app, c, true).await;
    let missed = vol(&app, "GET", "/custom/diagnoses?type=3", None, Some(t0)).await;
    assert_eq!(ok(&missed)["list"][0]["status"], 2);
    let doctor_missed = vol(
        &app,
        "GET",
        "/doctor/project/patient?status=2",
        None,
        Some(&w.doctor.1),
    )
    .await;
    assert_eq!(ok(&doctor_missed)["list"][0]["id"], r);
    let review = vol(
        &app,
        "POST",
        &format!("/custom/diagnoses/{r}/comment"),
        Some(json!({"doctor_score": 3, "doctor_comment": "没去"})),
        Some(t0),
    )
    .await;
    assert_eq!(code(&review), 409, "{review}");
    let scored = vol(
        &app,
        "POST",
        &format!("/doctor/diagnoses/{r}/comment"),
        Some(json!({"patient_credit_score": 1, "patient_punctuality_score": 1})),
        Some(&w.doctor.1),
    )
    .await;
    ok(&scored);
    let over = join(&app, c, &w.patients[1].1, json!({"content": "晚了"})).await;
    assert_eq!(code(&over), 409, "{over}");
}

/// The hidden fields of a pay page's form.
pub(crate) fn form_fields(page: &str) -> BTreeMap<String, String> {
    crate::community_recharge::parse_form(page).1
}

pub(crate) async fn notify(app: &TestApp, fields: &BTreeMap<String, String>) -> String {
    let body = serde_urlencoded::to_string(fields).unwrap();
    let request = Request::post("/payments/sandbox/notify")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let (_, _, bytes) = app.send(request).await;
    String::from_utf8(bytes).unwrap()
}

async fn sandbox_app() -> TestApp {
    common::app_with(|config| {
        config.payments.sandbox_secret = Some("sandbox-test-secret".into());
    })
    .await
}

#[tokio::test]
async fn deposits_are_paid_once_and_refunded_when_the_clinic_is_cancelled() {
    let app = sandbox_app().await;
    let w = world(&app).await;
    let c = clinic(&app, &w, 4, 50).await;
    let (p0, t0) = &w.patients[0];

    // The patient's registration changes, as a GraphQL subscription.
    let auth = Auth {
        viewer: Some(Viewer {
            user_id: *p0,
            token_id: 0,
            roles: vec![Role::Patient],
        }),
        ..Auth::default()
    };
    let request = app.state.prepare(
        async_graphql::Request::new(
            "subscription { registrationChanges { change registration { legacyId verifyState depositState refundState } } }",
        ),
        auth,
        String::new(),
    );
    let mut changes = listen(app.state.schema.execute_stream(request).boxed());
    tokio::time::sleep(StdDuration::from_millis(100)).await;

    let joined = join(&app, c, t0, json!({"content": "高血压复查"})).await;
    let joined = ok(&joined).clone();
    let sn = joined["sn"].as_str().unwrap().to_owned();
    assert!(sn.starts_with('D'), "{sn}");
    let page = joined["pay_page"].as_str().unwrap();
    assert_eq!(
        next(&mut changes).await["registrationChanges"]["change"],
        "joined"
    );

    // Unpaid: the order query answers {}; another patient cannot see the order.
    let unpaid = vol(&app, "GET", &format!("/order/query/{sn}"), None, Some(t0)).await;
    assert_eq!(ok(&unpaid), &json!({}));
    let nosy = vol(
        &app,
        "GET",
        &format!("/order/query/{sn}"),
        None,
        Some(&w.patients[1].1),
    )
    .await;
    assert_eq!(code(&nosy), 404, "{nosy}");
    // The doctor cannot confirm a visit whose deposit is unpaid, even once the clinic began.
    move_clinic(&app, c, false).await;
    let id = joined["id"].as_i64().unwrap();
    let unpaid_visit = vol(
        &app,
        "GET",
        &format!("/diagnoses/{id}/done"),
        None,
        Some(&w.doctor.1),
    )
    .await;
    assert_eq!(code(&unpaid_visit), 409, "{unpaid_visit}");
    assert!(
        unpaid_visit["error_message"]
            .as_str()
            .unwrap_or_default()
            .contains("deposit"),
        "{unpaid_visit}"
    );
    let fields = form_fields(page);
    assert_eq!(fields["out_trade_no"], sn);
    assert_eq!(fields["total_amount"], "50.00");
    let mut forged = fields.clone();
    forged.insert("total_amount".into(), "0.01".into());
    assert_eq!(notify(&app, &forged).await, "failure");

    assert_eq!(notify(&app, &fields).await, "success");
    let update = next(&mut changes).await;
    assert_eq!(update["registrationChanges"]["change"], "paid");
    assert_eq!(
        update["registrationChanges"]["registration"]["depositState"],
        "PAID"
    );
    for _ in 0..3 {
        assert_eq!(notify(&app, &fields).await, "success");
    }
    let paid = vol(&app, "GET", &format!("/order/query/{sn}"), None, Some(t0)).await;
    assert_eq!(ok(&paid)["sn"], sn);
    assert_eq!(ok(&paid)["amount"], "50.00");
    assert_eq!(ok(&paid)["pay_status"], 1);
    assert_eq!(
        app.count_rows_where("registrations", "payment_state = 2")
            .await,
        1
    );

    // The doctor cancels the clinic: the registration ends, the deposit comes back, the
    // patient is told.
    let cancelled = vol(
        &app,
        "GET",
        &format!("/project/{c}/cancel"),
        None,
        Some(&w.doctor.1),
    )
    .await;
    ok(&cancelled);
    let refunds = vol(&app, "GET", "/custom/payment/diagnoses", None, Some(t0)).await;
    let refund = &ok(&refunds)["list"][0];
    assert_eq!(refund["verify_status"], 3);
    assert_eq!(refund["refund_status"], 3);
    assert!(refund["refund_sn"].as_str().unwrap().starts_with('F'));
    assert!(refund["refund_time"].is_string());
    let messages = vol(&app, "GET", "/message", None, Some(t0)).await;
    assert!(
        ok(&messages)["list"].to_string().contains("义诊已取消"),
        "{messages}"
    );
    let mut seen = Vec::new();
    for _ in 0..2 {
        seen.push(
            next(&mut changes).await["registrationChanges"]["change"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(seen, ["clinicCancelled", "refunded"]);
    let closed = join(&app, c, &w.patients[1].1, json!({"content": "还能挂吗"})).await;
    assert_eq!(code(&closed), 409, "{closed}");
    assert_eq!(
        app.count_rows_where("free_clinic_slots", "taken > 0").await,
        0
    );
}

#[tokio::test]
async fn unpaid_deposits_expire_and_late_payments_are_refunded() {
    let app = sandbox_app().await;
    let w = world(&app).await;
    let c = clinic(&app, &w, 1, 20).await;
    let first = join(&app, c, &w.patients[0].1, json!({"content": "a"})).await;
    let page = ok(&first)["pay_page"].as_str().unwrap().to_owned();
    let full = join(&app, c, &w.patients[1].1, json!({"content": "b"})).await;
    assert_eq!(code(&full), 409, "{full}");

    // The payment window passes: the next join takes the place.
    let db = &app.state.services.db;
    entity::registration::Entity::update_many()
        .col_expr(
            entity::registration::Column::PaymentDueAt,
            sea_orm::sea_query::Expr::value(Utc::now() - Duration::minutes(1)),
        )
        .exec(db)
        .await
        .unwrap();
    let second = join(&app, c, &w.patients[1].1, json!({"content": "b"})).await;
    ok(&second);
    assert_eq!(
        app.count_rows_where("registrations", "verify_state = 3")
            .await,
        1
    );
    assert_eq!(
        app.count_rows_where("free_clinic_slots", "taken = 1").await,
        1
    );

    // The sweep expires what is left over (nothing here: the join expired it already).
    let s = &app.state.services;
    assert_eq!(
        registrations::expire_unpaid(&s.db, s.bus.as_ref())
            .await
            .unwrap(),
        0
    );

    // The first patient pays after all: acknowledged and refunded at once.
    assert_eq!(notify(&app, &form_fields(&page)).await, "success");
    let refunds = vol(
        &app,
        "GET",
        "/custom/payment/diagnoses",
        None,
        Some(&w.patients[0].1),
    )
    .await;
    assert_eq!(ok(&refunds)["list"][0]["refund_status"], 3);
    assert_eq!(ok(&refunds)["list"][0]["verify_status"], 3);
}

/// Joins `clinic` as patient `patient` in the first free slot, through the domain.
async fn join_as(
    s: &medgraph::Services,
    patient: i64,
    clinic: i64,
    content: &str,
) -> Result<registrations::Joined, medgraph::error::AppError> {
    registrations::join(
        &s.db,
        s.bus.as_ref(),
        &s.payments,
        "http://localhost",
        &Viewer {
            user_id: patient,
            token_id: 0,
            roles: vec![Role::Patient],
        },
        JoinRequest {
            clinic_id: clinic,
            slot: None,
            casebook: Some(registrations::CasebookInput {
                content: content.into(),
                photos: vec![],
            }),
            patient_id: None,
        },
    )
    .await
}

/// A pooled file database: concurrent transactions really overlap on SQLite too.
async fn pooled_app() -> TestApp {
    common::app_with(|c| {
        if c.database_url.is_none() {
            c.database_url = Some(format!(
                "sqlite://{}?mode=rwc",
                c.data_dir.join("pooled.db").display()
            ));
        }
    })
    .await
}

#[tokio::test]
async fn fifty_concurrent_joins_fill_ten_places_exactly() {
    let app = pooled_app().await;
    let w = world(&app).await;
    let c = clinic(&app, &w, 10, 0).await;
    let mut patients = Vec::new();
    for i in 0..50 {
        let (id, _) = app
            .account(
                &format!("racer{i}"),
                &format!("1580000{i:04}"),
                "pass-word-1",
                &[Role::Patient],
            )
            .await;
        patients.push(id);
    }
    let s = app.state.services.clone();
    let tasks: Vec<_> = patients
        .iter()
        .map(|patient| {
            let (s, patient) = (s.clone(), *patient);
            tokio::spawn(async move { join_as(&s, patient, c, "排队").await })
        })
        .collect();
    let mut joined = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => joined += 1,
            Err(e) => assert!(matches!(e, medgraph::error::AppError::Conflict(_)), "{e:?}"),
        }
    }
    assert_eq!(joined, 10);
    assert_eq!(app.count_rows("registrations").await, 10);
    assert_eq!(
        app.count_rows_where(
            "free_clinic_slots",
            &format!("clinic_id = {c} AND taken = capacity")
        )
        .await,
        app.count_rows_where("free_clinic_slots", &format!("clinic_id = {c}"))
            .await
    );

    // One patient racing themself on another clinic holds one place.
    let c2 = clinic(&app, &w, 10, 0).await;
    let patient = w.patients[0].0;
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { join_as(&s, patient, c2, "重复").await })
        })
        .collect();
    let mut ok_count = 0;
    for t in tasks {
        if t.await.unwrap().is_ok() {
            ok_count += 1;
        }
    }
    assert_eq!(ok_count, 1);
    assert_eq!(
        app.count_rows_where("registrations", &format!("clinic_id = {c2}"))
            .await,
        1
    );
    assert_eq!(
        app.count_rows_where(
            "free_clinic_slots",
            &format!("clinic_id = {c2} AND taken > 0")
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_deep_registration_query_runs_a_fixed_number_of_statements() {
    let app = common::app().await;
    let w = world(&app).await;
    let mut patients = Vec::new();
    for i in 0..10 {
        patients.push(
            app.account(
                &format!("deep{i}"),
                &format!("1570000{i:04}"),
                "pass-word-1",
                &[Role::Patient],
            )
            .await
            .0,
        );
    }
    let s = app.state.services.clone();
    for _ in 0..20 {
        let c = clinic(&app, &w, 12, 0).await;
        for patient in &patients {
            join_as(&s, *patient, c, "病例").await.unwrap();
        }
    }
    const DEEP: &str = "query($n: Int!) { myFreeClinics(first: $n) { nodes { title placesLeft doctor { realName doctorProfile { score organizations { name } } } hospital { name city { name } } organization { name } slots { label remaining } registrations(first: $n) { totalCount nodes { visitState verifyState slot { label } patient { realName patientProfile { creditScore } } casebook { content } } } } } }";
    let cost = |n: i64| {
        let app = &app;
        let token = w.doctor.1.clone();
        async move {
            let before = app.statements();
            let answer = app.graphql(DEEP, json!({"n": n}), Some(&token)).await;
            assert!(answer.get("errors").is_none(), "{answer}");
            let nodes = answer["data"]["myFreeClinics"]["nodes"].as_array().unwrap();
            assert_eq!(nodes.len() as i64, n);
            for clinic in nodes {
                let regs = clinic["registrations"]["nodes"].as_array().unwrap();
                assert_eq!(regs.len() as i64, n.min(10));
                assert_eq!(clinic["registrations"]["totalCount"], 10);
                assert_eq!(regs[0]["casebook"]["content"], "病例");
            }
            app.statements() - before
        }
    };
    let small = cost(2).await;
    let large = cost(20).await;
    assert_eq!(small, large, "statements grow with the page sizes");
    assert!(large <= 20, "{large} statements");
    println!("deep registration query: {large} statements");
}

#[tokio::test]
async fn demo_data_has_registrations_in_every_state() {
    let app = common::app().await;
    let s = &app.state.services;
    assert!(
        medgraph::seed::demo_if_empty(&s.db, &s.files, &s.bus)
            .await
            .unwrap()
    );
    for (condition, what) in [
        ("verify_state = 1 AND seen_at IS NULL", "booked"),
        ("verify_state = 2", "rejected"),
        ("verify_state = 3", "cancelled"),
        (
            "seen_at IS NOT NULL AND patient_commented_at IS NOT NULL",
            "reviewed",
        ),
        (
            "seen_at IS NOT NULL AND patient_commented_at IS NULL",
            "awaiting review",
        ),
        (
            "seen_at IS NULL AND verify_state = 1 AND ends_at < CURRENT_TIMESTAMP",
            "missed",
        ),
        ("payment_state = 2", "paid deposit"),
        ("refund_state = 3", "refunded"),
        ("assistant_id IS NOT NULL", "by an assistant"),
    ] {
        assert!(
            app.count_rows_where("registrations", condition).await >= 1,
            "no {what} registration"
        );
    }
    // Every slot's places taken equal its booked registrations.
    assert_eq!(
        app.count_rows_where(
            "free_clinic_slots",
            "taken <> (SELECT COUNT(*) FROM registrations r WHERE r.slot_id = free_clinic_slots.id \
             AND r.verify_state = 1)"
        )
        .await,
        0
    );
    let user = medgraph::domain::accounts::find_by_username(&s.db, "demo-patient")
        .await
        .unwrap()
        .unwrap();
    let token = medgraph::auth::issue_token(&s.db, user.id, 1)
        .await
        .unwrap()
        .0;
    let mine = vol(&app, "GET", "/custom/diagnoses", None, Some(&token)).await;
    assert!(ok(&mine)["page"]["count"].as_i64().unwrap() >= 5, "{mine}");
    let profile = entity::doctor_profile::Entity::find()
        .all(&s.db)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.score_count > 0)
        .expect("a reviewed doctor");
    assert_eq!(profile.score, Some(5.0));
    assert!(profile.service_minutes > 0);
}

#[tokio::test]
async fn assistants_register_their_bound_patients() {
    let app = common::app().await;
    let w = world(&app).await;
    let c = clinic(&app, &w, 10, 0).await;
    let (assistant, at) = app
        .account("helper", "13700000001", "pass-word-1", &[Role::Assistant])
        .await;
    let (bound, bt) = &w.patients[0];
    let (unbound, _) = &w.patients[1];
    sea_orm::ActiveModelTrait::insert(
        entity::assistant_patient::ActiveModel {
            assistant_id: sea_orm::Set(assistant),
            patient_id: sea_orm::Set(*bound),
            created_at: sea_orm::Set(Utc::now()),
        },
        &app.state.services.db,
    )
    .await
    .unwrap();
    let path = format!("/assistant/join/project/{c}");
    let refused = vol(
        &app,
        "POST",
        &path,
        Some(json!({"user_id": unbound, "plan_time": "09:00:00 - 09:30:00"})),
        Some(&at),
    )
    .await;
    assert_eq!(code(&refused), 403, "{refused}");
    let no_slot = vol(
        &app,
        "POST",
        &path,
        Some(json!({"user_id": bound})),
        Some(&at),
    )
    .await;
    assert_eq!(code(&no_slot), 422, "{no_slot}");
    let by_patient = vol(
        &app,
        "POST",
        &path,
        Some(json!({"user_id": unbound, "plan_time": "09:00:00 - 09:30:00"})),
        Some(bt),
    )
    .await;
    assert_eq!(code(&by_patient), 403, "{by_patient}");
    assert_eq!(app.count_rows("registrations").await, 0);

    let joined = vol(
        &app,
        "POST",
        &path,
        Some(json!({"user_id": bound, "plan_time": "09:00:00 - 09:30:00"})),
        Some(&at),
    )
    .await;
    let id = ok(&joined)["id"].as_i64().unwrap();
    let one = vol(&app, "GET", &format!("/diagnoses/{id}"), None, Some(bt)).await;
    assert_eq!(ok(&one)["assistant_user_id"], assistant);
    assert!(ok(&one)["casebook_info"].is_null());

    let clinics = vol(&app, "GET", "/assistant/project", None, Some(&at)).await;
    assert_eq!(ok(&clinics)["list"][0]["id"], c);
    assert_eq!(ok(&clinics)["list"][0]["assistant_join_count"], 1);
    let made = vol(
        &app,
        "GET",
        &format!("/assistant/project/{c}/paitient"),
        None,
        Some(&at),
    )
    .await;
    assert_eq!(ok(&made)["list"][0]["id"], id);
    assert_eq!(ok(&made)["list"][0]["user_info"]["id"], *bound);
    let assistants = vol(&app, "GET", "/doctor/assistant", None, Some(&w.doctor.1)).await;
    assert_eq!(ok(&assistants)["list"][0]["id"], assistant);
    assert_eq!(ok(&assistants)["page"]["count"], 1);
    assert!(ok(&assistants)["list"][0].get("help_count").is_some());
    let history = vol(
        &app,
        "GET",
        &format!("/all_diagnoses/{bound}"),
        None,
        Some(&at),
    )
    .await;
    assert_eq!(ok(&history).as_array().unwrap().len(), 1);
    let not_theirs = vol(
        &app,
        "GET",
        &format!("/all_diagnoses/{unbound}"),
        None,
        Some(&at),
    )
    .await;
    assert_eq!(code(&not_theirs), 403, "{not_theirs}");

    // Another assistant cannot cancel it; theirs can, and the patient is told.
    let (_, other) = app
        .account("helper2", "13700000002", "pass-word-1", &[Role::Assistant])
        .await;
    let cancel = format!("/assistant/diagnoses/{id}/cancel");
    let refused = vol(&app, "GET", &cancel, None, Some(&other)).await;
    assert_eq!(code(&refused), 403, "{refused}");
    ok(&vol(&app, "GET", &cancel, None, Some(&at)).await);
    let one = vol(&app, "GET", &format!("/diagnoses/{id}"), None, Some(bt)).await;
    assert_eq!(ok(&one)["verify_status"], 3);
    let messages = vol(&app, "GET", "/message", None, Some(bt)).await;
    assert!(
        ok(&messages)["list"].to_string().contains("挂号已取消"),
        "{messages}"
    );
    let clinics = vol(&app, "GET", "/assistant/project", None, Some(&at)).await;
    assert_eq!(ok(&clinics)["list"][0]["assistant_join_count"], 0);
}

#[tokio::test]
async fn the_sweep_expires_unpaid_deposits_once() {
    let app = sandbox_app().await;
    let w = world(&app).await;
    let c = clinic(&app, &w, 2, 30).await;
    let (p0, t0) = &w.patients[0];
    ok(&join(&app, c, t0, json!({"content": "a"})).await);
    let s = &app.state.services;
    assert_eq!(
        registrations::expire_unpaid(&s.db, s.bus.as_ref())
            .await
            .unwrap(),
        0,
        "still inside its window"
    );
    entity::registration::Entity::update_many()
        .col_expr(
            entity::registration::Column::PaymentDueAt,
            sea_orm::sea_query::Expr::value(Utc::now() - Duration::minutes(1)),
        )
        .exec(&s.db)
        .await
        .unwrap();
    let sweeps: Vec<_> = (0..4)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { registrations::expire_unpaid(&s.db, s.bus.as_ref()).await })
        })
        .collect();
    let mut expired = 0;
    for sweep in sweeps {
        expired += sweep.await.unwrap().unwrap();
    }
    assert_eq!(expired, 1);
    assert_eq!(
        app.count_rows_where("free_clinic_slots", "taken > 0").await,
        0
    );
    assert_eq!(
        app.count_rows_where(
            "patient_profiles",
            &format!("user_id = {p0} AND registration_count = 0")
        )
        .await,
        1
    );
    let mine = vol(&app, "GET", "/custom/diagnoses", None, Some(t0)).await;
    assert_eq!(ok(&mine)["list"][0]["verify_status"], 3);
    assert_eq!(ok(&mine)["list"][0]["pay_status"], 2);
}

#[tokio::test]
async fn joins_racing_the_clinic_cancellation_leave_no_booked_place() {
    let app = pooled_app().await;
    let w = world(&app).await;
    let c = clinic(&app, &w, 30, 0).await;
    let mut patients = Vec::new();
    for i in 0..20 {
        patients.push(
            app.account(
                &format!("race{i}"),
                &format!("1560000{i:04}"),
                "pass-word-1",
                &[Role::Patient],
            )
            .await
            .0,
        );
    }
    let s = app.state.services.clone();
    let mut tasks = Vec::new();
    for (n, patient) in patients.iter().enumerate() {
        let s = s.clone();
        let patient = *patient;
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(StdDuration::from_millis((n % 5) as u64)).await;
            join_as(&s, patient, c, "抢号").await.map(|_| ())
        }));
    }
    let doctor = Viewer {
        user_id: w.doctor.0,
        token_id: 0,
        roles: vec![Role::Doctor],
    };
    let cancel = {
        let s = s.clone();
        tokio::spawn(async move {
            tokio::time::sleep(StdDuration::from_millis(2)).await;
            free_clinics::cancel(&s.db, s.bus.as_ref(), &s.payments, &doctor, c).await
        })
    };
    for t in tasks {
        if let Err(e) = t.await.unwrap() {
            assert!(matches!(e, medgraph::error::AppError::Conflict(_)), "{e:?}");
        }
    }
    cancel.await.unwrap().unwrap();
    assert_eq!(
        app.count_rows_where("registrations", "verify_state = 1")
            .await,
        0
    );
    assert_eq!(
        app.count_rows_where("free_clinic_slots", "taken > 0").await,
        0
    );
}

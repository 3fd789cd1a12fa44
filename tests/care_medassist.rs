//! Home care through the medassist dialect: inquiries, medical records, drug purchase orders,
//! their transitions (allowed and refused), privacy and the audit log of record reads.

use axum::body::Body;
use http::{Request, StatusCode};
use medgraph::auth::Role;
use serde_json::{Value, json};

use crate::common::{self, PNG_1X1, TestApp};

/// The smallest MP4 header the type sniffer recognises as `video/mp4`.
pub const MP4: &[u8] = &[
    0x00, 0x00, 0x00, 0x18, b'f', b't', b'y', b'p', b'm', b'p', b'4', b'2', 0x00, 0x00, 0x00, 0x00,
    b'm', b'p', b'4', b'2', b'i', b's', b'o', b'm', 0x00, 0x00, 0x00, 0x08, b'f', b'r', b'e', b'e',
];

async fn call(
    app: &TestApp,
    method: &str,
    uri: &str,
    body: Option<Value>,
    token: &str,
) -> (StatusCode, Value) {
    app.call(method, uri, body, &[("authorization", token)])
        .await
}

fn ok(status: StatusCode, body: Value) -> Value {
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["code"], 0, "{body}");
    body["data"].clone()
}

fn refused(status: StatusCode, body: &Value, expected: StatusCode) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["code"], expected.as_u16(), "{body}");
    assert!(body["data"].is_null(), "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

/// The people of a home-care story.
pub struct Cast {
    pub admin: (i64, String),
    pub patient: (i64, String),
    pub other_patient: (i64, String),
    pub doctor: (i64, String),
    pub other_doctor: (i64, String),
    pub staff: (i64, String),
    pub doctor_uuid: String,
}

pub async fn cast(app: &TestApp) -> Cast {
    let admin = app.admin().await;
    let patient = app
        .account("lihua", "13800001001", "patient-pass-1", &[Role::Patient])
        .await;
    let other_patient = app
        .account("wangwu", "13800001002", "patient-pass-2", &[Role::Patient])
        .await;
    let doctor = app
        .account("zhanghua", "13800001003", "doctor-pass-1", &[Role::Doctor])
        .await;
    let other_doctor = app
        .account("zhaoliu", "13800001004", "doctor-pass-2", &[Role::Doctor])
        .await;
    let staff = app
        .account(
            "pharmacy",
            "13800001005",
            "staff-pass-1",
            &[Role::HospitalStaff],
        )
        .await;
    let doctor_uuid = uuid_of(app, doctor.0).await;
    Cast {
        admin,
        patient,
        other_patient,
        doctor,
        other_doctor,
        staff,
        doctor_uuid,
    }
}

async fn uuid_of(app: &TestApp, id: i64) -> String {
    use sea_orm::EntityTrait;
    entity::user::Entity::find_by_id(id)
        .one(&app.state.services.db)
        .await
        .unwrap()
        .unwrap()
        .uuid
        .to_string()
}

/// Uploads through `/api/upload` and returns the file's URL.
pub async fn upload(app: &TestApp, token: &str, name: &str, ct: &str, bytes: &[u8]) -> String {
    let (content_type, body) = common::multipart("file", name, ct, bytes, &[]);
    let (status, body) = app
        .send_json(
            Request::post("/api/upload")
                .header("content-type", content_type)
                .header("authorization", token)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    ok(status, body)["url"].as_str().unwrap().to_owned()
}

/// A patient's inquiry taken to ACCEPTED by the doctor; returns its id.
async fn accepted_inquiry(app: &TestApp, cast: &Cast) -> i64 {
    let created = ok_call(
        app,
        "POST",
        "/api/inquiry/createInquiryRecord",
        Some(json!({"type": "在家就医", "inquiry_detail": "经常感到头痛"})),
        &cast.patient.1,
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    ok_call(
        app,
        "PUT",
        &format!("/api/inquiry/approveInquiryRecord?id={id}"),
        None,
        &cast.admin.1,
    )
    .await;
    ok_call(
        app,
        "POST",
        &format!(
            "/api/inquiry/appointedPhysician?id={id}&userUUID={}",
            cast.doctor_uuid
        ),
        None,
        &cast.admin.1,
    )
    .await;
    ok_call(
        app,
        "PUT",
        &format!("/api/inquiry/physicianReception?id={id}&isReception=true"),
        None,
        &cast.doctor.1,
    )
    .await;
    id
}

async fn ok_call(
    app: &TestApp,
    method: &str,
    uri: &str,
    body: Option<Value>,
    token: &str,
) -> Value {
    let (status, body) = call(app, method, uri, body, token).await;
    ok(status, body)
}

/// Registers the visit of an accepted inquiry; returns the record.
async fn register(app: &TestApp, cast: &Cast, inquiry: i64, drugs: bool) -> Value {
    let video = upload(app, &cast.doctor.1, "visit.mp4", "video/mp4", MP4).await;
    let image = upload(app, &cast.doctor.1, "record.png", "image/png", PNG_1X1).await;
    ok_call(
        app,
        "POST",
        "/api/medical/medicalRegistration",
        Some(json!({
            "diagnostic_description": "病人有高血压",
            "bind_inquiry_id": inquiry,
            "inquiry_video": video,
            "medical_img": image,
            "is_need_by_drug": drugs,
            "drug_note": "硝苯地平缓释片 2盒",
        })),
        &cast.doctor.1,
    )
    .await
}

fn record_ids(list: &Value) -> Vec<i64> {
    list["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["medicalId"].as_i64().unwrap())
        .collect()
}

fn ids(list: &Value) -> Vec<i64> {
    list["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn inquiries_move_through_their_states_and_refuse_the_rest() {
    let app = common::app().await;
    let cast = cast(&app).await;

    // Bad input changes nothing.
    let (status, body) = call(
        &app,
        "POST",
        "/api/inquiry/createInquiryRecord",
        Some(json!({"inquiry_detail": "头痛"})),
        &cast.patient.1,
    )
    .await;
    refused(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
    for (field, body) in [
        (
            "appointment_time",
            json!({"type": "在家就医", "inquiry_detail": "头痛", "appointment_time": "soon"}),
        ),
        (
            "11 digits",
            json!({"type": "在家就医", "inquiry_detail": "头痛", "reserved_phone": "12345"}),
        ),
        (
            "detail is required",
            json!({"type": "在家就医", "inquiry_detail": "   "}),
        ),
    ] {
        let (status, response) = call(
            &app,
            "POST",
            "/api/inquiry/createInquiryRecord",
            Some(body),
            &cast.patient.1,
        )
        .await;
        refused(status, &response, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(response.to_string().contains(field), "{field}: {response}");
    }
    assert_eq!(app.count_rows("inquiries").await, 0);
    // Only patients ask.
    let (status, body) = call(
        &app,
        "POST",
        "/api/inquiry/createInquiryRecord",
        Some(json!({"type": "在家就医", "inquiry_detail": "头痛"})),
        &cast.doctor.1,
    )
    .await;
    refused(status, &body, StatusCode::FORBIDDEN);

    // Created: the documented body, the legacy local time read as UTC+8.
    let created = ok_call(
        &app,
        "POST",
        "/api/inquiry/createInquiryRecord",
        Some(json!({
            "type": "在家就医",
            "inquiry_detail": "经常感到头痛",
            "reserved_phone": "13912345678",
            "appointment_time": "2099-10-02 20:30",
        })),
        &cast.patient.1,
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["state"], "pending_approval");
    assert_eq!(created["type"], "在家就医");
    assert_eq!(created["reserved_phone"], "13912345678");
    assert_eq!(created["appointment_time"], "2099-10-02 20:30");
    assert_eq!(created["patient"]["uuid"].as_str().unwrap().len(), 36);
    assert!(created["physician"].is_null());
    // Without a reserved phone the account's number is used.
    let second = ok_call(
        &app,
        "POST",
        "/api/inquiry/createInquiryRecord",
        Some(json!({"type": "电话问诊", "inquiry_detail": "咳嗽"})),
        &cast.patient.1,
    )
    .await;
    assert_eq!(second["reserved_phone"], "13800001001");
    let second = second["id"].as_i64().unwrap();

    // Only administrators approve; nobody can accept before assignment.
    let approve = format!("/api/inquiry/approveInquiryRecord?id={id}");
    let (status, body) = call(&app, "PUT", &approve, None, &cast.patient.1).await;
    refused(status, &body, StatusCode::FORBIDDEN);
    let (status, body) = call(
        &app,
        "PUT",
        &format!("/api/inquiry/physicianReception?id={id}&isReception=true"),
        None,
        &cast.doctor.1,
    )
    .await;
    refused(status, &body, StatusCode::NOT_FOUND);
    let assign = |uuid: &str| format!("/api/inquiry/appointedPhysician?id={id}&userUUID={uuid}");
    let (status, body) = call(
        &app,
        "POST",
        &assign(&cast.doctor_uuid),
        None,
        &cast.admin.1,
    )
    .await;
    refused(status, &body, StatusCode::CONFLICT);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("pending approval")
    );

    let approved = ok_call(&app, "PUT", &approve, None, &cast.admin.1).await;
    assert_eq!(approved["state"], "approved");
    assert!(
        approved["approved_at"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    let (status, body) = call(&app, "PUT", &approve, None, &cast.admin.1).await;
    refused(status, &body, StatusCode::CONFLICT);

    // Assignment needs a physician's uuid.
    let (status, body) = call(&app, "POST", &assign("d59aa28a"), None, &cast.admin.1).await;
    refused(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
    let staff_uuid = uuid_of(&app, cast.staff.0).await;
    let (status, body) = call(&app, "POST", &assign(&staff_uuid), None, &cast.admin.1).await;
    refused(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = call(
        &app,
        "POST",
        &assign(&uuid::Uuid::new_v4().to_string()),
        None,
        &cast.admin.1,
    )
    .await;
    refused(status, &body, StatusCode::UNPROCESSABLE_ENTITY);

    let assigned = ok_call(
        &app,
        "POST",
        &assign(&cast.doctor_uuid),
        None,
        &cast.admin.1,
    )
    .await;
    assert_eq!(assigned["state"], "assigned");
    assert_eq!(assigned["physician"]["uuid"], cast.doctor_uuid);

    // Another physician can neither see nor answer it.
    let reception =
        |accept: bool| format!("/api/inquiry/physicianReception?id={id}&isReception={accept}");
    let (status, body) = call(&app, "PUT", &reception(true), None, &cast.other_doctor.1).await;
    refused(status, &body, StatusCode::NOT_FOUND);
    let (status, body) = call(
        &app,
        "GET",
        &format!("/api/inquiry/queryInquiryRecordById?id={id}"),
        None,
        &cast.other_patient.1,
    )
    .await;
    refused(status, &body, StatusCode::NOT_FOUND);

    // Declined: back to assignment, then reassigned and accepted.
    let declined = ok_call(&app, "PUT", &reception(false), None, &cast.doctor.1).await;
    assert_eq!(declined["state"], "approved");
    assert!(declined["physician"].is_null());
    assert_eq!(declined["decline_count"], 1);
    let (status, body) = call(&app, "PUT", &reception(true), None, &cast.doctor.1).await;
    refused(status, &body, StatusCode::NOT_FOUND);
    ok_call(
        &app,
        "POST",
        &assign(&cast.doctor_uuid),
        None,
        &cast.admin.1,
    )
    .await;
    let accepted = ok_call(&app, "PUT", &reception(true), None, &cast.doctor.1).await;
    assert_eq!(accepted["state"], "accepted");
    assert!(
        accepted["accepted_at"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    let (status, body) = call(&app, "PUT", &reception(false), None, &cast.doctor.1).await;
    refused(status, &body, StatusCode::CONFLICT);
    // Accepted: the patient can no longer cancel, the admin no longer reassign.
    let (status, body) = call(
        &app,
        "PUT",
        &format!("/api/inquiry/cancelInquiryRecord?id={id}"),
        None,
        &cast.patient.1,
    )
    .await;
    refused(status, &body, StatusCode::CONFLICT);
    let (status, body) = call(
        &app,
        "POST",
        &assign(&cast.doctor_uuid),
        None,
        &cast.admin.1,
    )
    .await;
    refused(status, &body, StatusCode::CONFLICT);

    // The second inquiry is rejected; a third is cancelled by its patient.
    let (status, body) = call(
        &app,
        "PUT",
        &format!("/api/inquiry/rejectInquiryRecord?id={second}"),
        None,
        &cast.admin.1,
    )
    .await;
    refused(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
    let rejected = ok_call(
        &app,
        "PUT",
        &format!("/api/inquiry/rejectInquiryRecord?id={second}&reason=请到门诊就医"),
        None,
        &cast.admin.1,
    )
    .await;
    assert_eq!(rejected["state"], "rejected");
    assert_eq!(rejected["closed_reason"], "请到门诊就医");
    let third = ok_call(
        &app,
        "POST",
        "/api/inquiry/createInquiryRecord",
        Some(json!({"type": "在家就医", "inquiry_detail": "失眠"})),
        &cast.patient.1,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let (status, body) = call(
        &app,
        "PUT",
        &format!("/api/inquiry/cancelInquiryRecord?id={third}"),
        None,
        &cast.other_patient.1,
    )
    .await;
    refused(status, &body, StatusCode::NOT_FOUND);
    let cancelled = ok_call(
        &app,
        "PUT",
        &format!("/api/inquiry/cancelInquiryRecord?id={third}"),
        None,
        &cast.patient.1,
    )
    .await;
    assert_eq!(cancelled["state"], "cancelled");

    // Lists by the legacy codes.
    let list = |path: &str, code: i64| format!("/api/inquiry/{path}?isInquiry={code}");
    let all = ok_call(
        &app,
        "GET",
        &list("queryAllInquiryRecord", 0),
        None,
        &cast.admin.1,
    )
    .await;
    assert_eq!(ids(&all), vec![third, second, id]);
    assert_eq!(all["total"], 3);
    assert_eq!(all["page"], 1);
    let in_care = ok_call(
        &app,
        "GET",
        &list("queryAllInquiryRecord", 2),
        None,
        &cast.admin.1,
    )
    .await;
    assert_eq!(ids(&in_care), vec![id]);
    let unassigned = ok_call(
        &app,
        "GET",
        &list("queryAllInquiryRecord", 3),
        None,
        &cast.admin.1,
    )
    .await;
    assert!(ids(&unassigned).is_empty());
    let (status, body) = call(
        &app,
        "GET",
        &list("queryAllInquiryRecord", 0),
        None,
        &cast.doctor.1,
    )
    .await;
    refused(status, &body, StatusCode::FORBIDDEN);
    let (status, body) = call(
        &app,
        "GET",
        &list("queryAllInquiryRecord", 7),
        None,
        &cast.admin.1,
    )
    .await;
    refused(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
    let mine = ok_call(
        &app,
        "GET",
        &list("queryPhysicianInquiryRecord", 2),
        None,
        &cast.doctor.1,
    )
    .await;
    assert_eq!(ids(&mine), vec![id]);
    let none = ok_call(
        &app,
        "GET",
        &list("queryPhysicianInquiryRecord", 0),
        None,
        &cast.other_doctor.1,
    )
    .await;
    assert!(ids(&none).is_empty());
    let (status, body) = call(
        &app,
        "GET",
        &list("queryPhysicianInquiryRecord", 3),
        None,
        &cast.doctor.1,
    )
    .await;
    refused(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
    let own = ok_call(
        &app,
        "GET",
        &list("queryPatientInquiryRecord", 1),
        None,
        &cast.patient.1,
    )
    .await;
    assert_eq!(ids(&own), vec![id]);
    let paged = ok_call(
        &app,
        "GET",
        "/api/inquiry/queryPatientInquiryRecord?page=2&pageSize=2",
        None,
        &cast.patient.1,
    )
    .await;
    assert_eq!(ids(&paged), vec![id]);
    assert_eq!(
        (paged["page"].clone(), paged["total"].clone()),
        (json!(2), json!(3))
    );
    let others = ok_call(
        &app,
        "GET",
        &list("queryPatientInquiryRecord", 0),
        None,
        &cast.other_patient.1,
    )
    .await;
    assert!(ids(&others).is_empty());

    let one = ok_call(
        &app,
        "GET",
        &format!("/api/inquiry/queryInquiryRecordById?id={id}"),
        None,
        &cast.doctor.1,
    )
    .await;
    assert_eq!(one["state"], "accepted");
    let (status, body) = call(
        &app,
        "GET",
        "/api/inquiry/queryInquiryRecordById?id=abc",
        None,
        &cast.admin.1,
    )
    .await;
    refused(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = app
        .call("GET", "/api/inquiry/queryPatientInquiryRecord", None, &[])
        .await;
    refused(status, &body, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn records_are_registered_once_private_and_audited() {
    let app = common::app().await;
    let cast = cast(&app).await;
    let inquiry = accepted_inquiry(&app, &cast).await;
    let video = upload(&app, &cast.doctor.1, "visit.mp4", "video/mp4", MP4).await;
    let image = upload(&app, &cast.doctor.1, "record.png", "image/png", PNG_1X1).await;
    let body = |video: &str, images: Value| {
        json!({
            "diagnostic_description": "病人有高血压",
            "bind_inquiry_id": inquiry,
            "inquiry_video": video,
            "medical_img": images,
            "is_need_by_drug": true,
        })
    };
    let register = "/api/medical/medicalRegistration";
    // Bad files: unknown, the wrong type, not an address; another physician; all refused.
    for (payload, expected) in [
        (
            body(&"0".repeat(64), json!(image)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (body(&image, json!(image)), StatusCode::UNPROCESSABLE_ENTITY),
        (body(&video, json!([])), StatusCode::UNPROCESSABLE_ENTITY),
        (
            body(&video, json!("not a file")),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            body(&video, json!([video])),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let (status, response) = call(&app, "POST", register, Some(payload), &cast.doctor.1).await;
        refused(status, &response, expected);
    }
    let (status, response) = call(
        &app,
        "POST",
        register,
        Some(body(&video, json!(image))),
        &cast.other_doctor.1,
    )
    .await;
    refused(status, &response, StatusCode::NOT_FOUND);
    assert_eq!(app.count_rows("medical_records").await, 0);
    assert_eq!(app.count_rows("drug_orders").await, 0);

    let registered = ok_call(
        &app,
        "POST",
        register,
        Some(body(&video, json!([image]))),
        &cast.doctor.1,
    )
    .await;
    assert_eq!(registered["bind_inquiry_id"], inquiry);
    let record = ok_call(
        &app,
        "GET",
        &format!("/api/medical/queryMedialRecordInformation?inquiryId={inquiry}"),
        None,
        &cast.doctor.1,
    )
    .await;
    let record = &record["list"][0];
    let record_id = record["medicalId"].as_i64().unwrap();
    assert_eq!(record["bind_inquiry_id"], inquiry);
    assert_eq!(record["diagnostic_description"], "病人有高血压");
    assert_eq!(record["is_need_by_drug"], true);
    assert_eq!(record["inquiry_video"], video);
    assert_eq!(record["medical_img"], image);
    assert_eq!(record["drug_orders"][0]["state"], "awaiting_confirmation");
    assert_eq!(record["drug_orders"][0]["raw"], 2);
    // The inquiry finished; a second registration is refused.
    let inquiry_now = ok_call(
        &app,
        "GET",
        &format!("/api/inquiry/queryInquiryRecordById?id={inquiry}"),
        None,
        &cast.patient.1,
    )
    .await;
    assert_eq!(inquiry_now["state"], "finished");
    let (status, response) = call(
        &app,
        "POST",
        register,
        Some(body(&video, json!(image))),
        &cast.doctor.1,
    )
    .await;
    refused(status, &response, StatusCode::CONFLICT);
    assert_eq!(app.count_rows("medical_records").await, 1);

    // Reads: the patient, the physician, administrators; nobody else, and every read is logged.
    let by_id = format!("/api/medical/queryMedicalByID?medicalId={record_id}");
    let before = app.count_rows("audit_log").await;
    for token in [&cast.patient.1, &cast.doctor.1, &cast.admin.1] {
        let one = ok_call(&app, "GET", &by_id, None, token).await;
        assert_eq!(one["medicalId"], record_id);
    }
    assert_eq!(app.count_rows("audit_log").await, before + 3);
    for token in [&cast.other_patient.1, &cast.other_doctor.1, &cast.staff.1] {
        let (status, response) = call(&app, "GET", &by_id, None, token).await;
        refused(status, &response, StatusCode::NOT_FOUND);
        let listed = ok_call(
            &app,
            "GET",
            &format!("/api/medical/queryMedialRecordInformation?inquiryId={inquiry}"),
            None,
            token,
        )
        .await;
        assert!(record_ids(&listed).is_empty(), "{listed}");
    }
    assert_eq!(app.count_rows("audit_log").await, before + 3);
    // The patient's own list without an inquiry.
    let own = ok_call(
        &app,
        "GET",
        "/api/medical/queryMedialRecordInformation",
        None,
        &cast.patient.1,
    )
    .await;
    assert_eq!(record_ids(&own), vec![record_id]);

    // The patient sees who read their records, newest first; others see only their own log.
    let reads = ok_call(
        &app,
        "GET",
        "/api/medical/queryRecordReads",
        None,
        &cast.patient.1,
    )
    .await;
    let readers: Vec<&str> = reads["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reader"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(readers[..3], ["lihua", "admin", "zhanghua"]);
    assert!(
        readers
            .iter()
            .all(|r| ["lihua", "admin", "zhanghua"].contains(r))
    );
    assert_eq!(reads["list"][0]["medicalId"], record_id);
    let theirs = ok_call(
        &app,
        "GET",
        "/api/medical/queryRecordReads",
        None,
        &cast.other_patient.1,
    )
    .await;
    assert_eq!(theirs["total"], 0);
}

#[tokio::test]
async fn drug_orders_follow_confirmation_purchase_delivery_and_receipt() {
    let app = common::app().await;
    let cast = cast(&app).await;
    let inquiry = accepted_inquiry(&app, &cast).await;
    let record = register(&app, &cast, inquiry, true).await;
    let record_id = record["medicalId"].as_i64().unwrap();
    let order = record["drug_orders"][0]["id"].as_i64().unwrap();
    let path = |action: &str| format!("/api/drug/{action}?id={order}");

    // Without drugs no order is created.
    let plain = accepted_inquiry(&app, &cast).await;
    let plain_record = register(&app, &cast, plain, false).await;
    assert_eq!(plain_record["drug_orders"], json!([]));
    assert_eq!(app.count_rows("drug_orders").await, 1);

    // Out of order steps are refused; only staff confirm.
    let (status, body) = call(
        &app,
        "POST",
        &path("physiciansOrderAgentDrug"),
        None,
        &cast.doctor.1,
    )
    .await;
    refused(status, &body, StatusCode::CONFLICT);
    for token in [&cast.patient.1, &cast.doctor.1] {
        let (status, body) = call(
            &app,
            "POST",
            &path("hospitalAgentDrugConfirmReceipt"),
            None,
            token,
        )
        .await;
        refused(status, &body, StatusCode::FORBIDDEN);
    }
    let pending = ok_call(
        &app,
        "GET",
        "/api/drug/queryAllDrug?raw=2",
        None,
        &cast.staff.1,
    )
    .await;
    assert_eq!(ids(&pending), vec![order]);
    let confirmed = ok_call(
        &app,
        "POST",
        &path("hospitalAgentDrugConfirmReceipt"),
        None,
        &cast.staff.1,
    )
    .await;
    assert_eq!(confirmed["state"], "awaiting_purchase");
    assert_eq!(confirmed["confirmed_by"]["username"], "pharmacy");
    assert_eq!(confirmed["medical_id"], record_id);
    let (status, body) = call(
        &app,
        "POST",
        &path("hospitalAgentDrugConfirmReceipt"),
        None,
        &cast.staff.1,
    )
    .await;
    refused(status, &body, StatusCode::CONFLICT);
    // Staff see the order but not the record behind it.
    let (status, body) = call(
        &app,
        "GET",
        &format!("/api/medical/queryMedicalByID?medicalId={record_id}"),
        None,
        &cast.staff.1,
    )
    .await;
    refused(status, &body, StatusCode::NOT_FOUND);
    let seen = ok_call(&app, "GET", &path("queryDrugByID"), None, &cast.staff.1).await;
    assert_eq!(seen["state"], "awaiting_purchase");
    for token in [&cast.other_patient.1, &cast.other_doctor.1] {
        let (status, body) = call(&app, "GET", &path("queryDrugByID"), None, token).await;
        refused(status, &body, StatusCode::NOT_FOUND);
    }

    // Bought (no certificate yet), then delivery needs one.
    let (status, body) = call(
        &app,
        "POST",
        &path("physiciansOrderAgentDrug"),
        None,
        &cast.other_doctor.1,
    )
    .await;
    refused(status, &body, StatusCode::NOT_FOUND);
    let bought = ok_call(
        &app,
        "POST",
        &path("physiciansOrderAgentDrug"),
        None,
        &cast.doctor.1,
    )
    .await;
    assert_eq!(bought["state"], "purchased");
    let (status, body) = call(
        &app,
        "POST",
        &path("physiciansOrderDelivery"),
        None,
        &cast.doctor.1,
    )
    .await;
    refused(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["message"].as_str().unwrap().contains("certificate"));
    let (status, body) = call(
        &app,
        "POST",
        &format!(
            "{}&certificate={}",
            path("physiciansOrderDelivery"),
            "f".repeat(64)
        ),
        None,
        &cast.doctor.1,
    )
    .await;
    refused(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
    let invoice = upload(
        &app,
        &cast.doctor.1,
        "invoice.pdf",
        "application/pdf",
        common::PDF,
    )
    .await;
    let (status, body) = call(
        &app,
        "POST",
        &path("patientConfirmReceipt"),
        None,
        &cast.patient.1,
    )
    .await;
    refused(status, &body, StatusCode::CONFLICT);
    let delivering = ok_call(
        &app,
        "POST",
        &format!("{}&certificate={invoice}", path("physiciansOrderDelivery")),
        None,
        &cast.doctor.1,
    )
    .await;
    assert_eq!(delivering["state"], "delivering");
    assert_eq!(delivering["certificate"], invoice);
    assert_eq!(delivering["raw"], 3);

    // Lists by the legacy `raw` codes.
    let raw = |who: &str, code: i64| format!("/api/drug/{who}?raw={code}");
    for (code, expected) in [
        (0, vec![order]),
        (1, vec![order]),
        (2, vec![]),
        (3, vec![order]),
        (4, vec![]),
        (5, vec![]),
    ] {
        let listed = ok_call(
            &app,
            "GET",
            &raw("queryPatientAgentDrugHistory", code),
            None,
            &cast.patient.1,
        )
        .await;
        assert_eq!(ids(&listed), expected, "raw={code}");
    }
    let (status, body) = call(
        &app,
        "GET",
        &raw("queryPatientAgentDrugHistory", 7),
        None,
        &cast.patient.1,
    )
    .await;
    refused(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
    // 6 is medgraph's own code for cancelled orders; there are none.
    let cancelled = ok_call(
        &app,
        "GET",
        &raw("queryPatientAgentDrugHistory", 6),
        None,
        &cast.patient.1,
    )
    .await;
    assert!(ids(&cancelled).is_empty(), "{cancelled}");
    let physician = ok_call(
        &app,
        "GET",
        &raw("queryPhysiciansAgentHistoryRecord", 3),
        None,
        &cast.doctor.1,
    )
    .await;
    assert_eq!(ids(&physician), vec![order]);
    let (status, body) = call(
        &app,
        "GET",
        &raw("queryPhysiciansAgentHistoryRecord", 0),
        None,
        &cast.patient.1,
    )
    .await;
    refused(status, &body, StatusCode::FORBIDDEN);
    let of_record = ok_call(
        &app,
        "GET",
        &format!("/api/drug/queryDrugByMedicalId?medical_id={record_id}"),
        None,
        &cast.patient.1,
    )
    .await;
    assert_eq!(ids(&of_record), vec![order]);
    let (status, body) = call(
        &app,
        "GET",
        &format!("/api/drug/queryDrugByMedicalId?medical_id={record_id}"),
        None,
        &cast.other_patient.1,
    )
    .await;
    refused(status, &body, StatusCode::NOT_FOUND);
    let everything = ok_call(&app, "GET", "/api/drug/queryAllDrug", None, &cast.admin.1).await;
    assert_eq!(ids(&everything), vec![order]);

    // Only the patient confirms receipt; then it is complete and nothing moves it.
    let (status, body) = call(
        &app,
        "POST",
        &path("patientConfirmReceipt"),
        None,
        &cast.doctor.1,
    )
    .await;
    refused(status, &body, StatusCode::FORBIDDEN);
    let done = ok_call(
        &app,
        "POST",
        &path("patientConfirmReceipt"),
        None,
        &cast.patient.1,
    )
    .await;
    assert_eq!(done["state"], "completed");
    assert!(done["completed_at"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(done["raw"], 5);
    let (status, body) = call(
        &app,
        "POST",
        &format!("{}&reason=x", path("cancelAgentDrug")),
        None,
        &cast.admin.1,
    )
    .await;
    refused(status, &body, StatusCode::CONFLICT);
}

#[tokio::test]
async fn racing_transitions_succeed_once() {
    let app = common::app().await;
    let cast = cast(&app).await;
    let inquiry = accepted_inquiry(&app, &cast).await;
    let record = register(&app, &cast, inquiry, true).await;
    let order = record["drug_orders"][0]["id"].as_i64().unwrap();
    let uri = format!("/api/drug/hospitalAgentDrugConfirmReceipt?id={order}");
    let (_, staff) = &cast.staff;
    let attempts = (0..10).map(|_| {
        let token = staff;
        let uri = uri.clone();
        let app = &app;
        async move { call(app, "POST", &uri, None, token).await }
    });
    let statuses = futures::future::join_all(attempts).await;
    assert_eq!(
        statuses
            .iter()
            .filter(|(s, _)| *s == StatusCode::OK)
            .count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|(s, _)| *s == StatusCode::OK || *s == StatusCode::CONFLICT),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn demo_accounts_are_generated_outside_production_only() {
    let app = common::app().await;
    let (status, body) = app
        .call(
            "GET",
            "/api/mock/generatePhysicianAccount?number=25",
            None,
            &[],
        )
        .await;
    let data = ok(status, body);
    assert_eq!(data["count"], 25);
    let first = &data["accounts"][0];
    let phone = first["phone"].as_str().unwrap();
    assert!(phone.starts_with("199") && phone.len() == 11, "{first}");
    assert!(first["real_name"].as_str().unwrap().chars().count() >= 2);
    // They log in, and physicians come with a hospital.
    let (status, body) = app
        .call(
            "POST",
            "/api/user/login",
            Some(json!({"phone": phone, "password": data["password"]})),
            &[],
        )
        .await;
    let session = ok(status, body);
    assert_eq!(session["user"]["roles"], json!(["doctor"]));
    assert!(session["user"]["hospital"].as_str().unwrap().len() > 3);
    let (status, body) = app
        .call(
            "GET",
            "/api/mock/generatePatientAccount?number=1000",
            None,
            &[],
        )
        .await;
    assert_eq!(ok(status, body)["count"], 1000);
    assert_eq!(app.count_rows("users").await, 1025);
    for bad in ["0", "1001", "x", "-3"] {
        let (status, body) = app
            .call(
                "GET",
                &format!("/api/mock/generatePatientAccount?number={bad}"),
                None,
                &[],
            )
            .await;
        refused(status, &body, StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(app.count_rows("users").await, 1025);

    let production = common::app_with(|c| c.production = true).await;
    let (status, body) = production
        .call(
            "GET",
            "/api/mock/generatePatientAccount?number=5",
            None,
            &[],
        )
        .await;
    refused(status, &body, StatusCode::NOT_FOUND);
    assert_eq!(production.count_rows("users").await, 0);
}

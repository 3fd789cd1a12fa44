//! Contract tests of the medassist dialect: each route is called with the document's example request
//! and its answer is held against the document's schema (`src/rest/contracts/medassist.json`) with
//! `common::contract::assert_contract`.
//!
//! The requests are the fixture's (`documented_request`), adapted only where something must
//! exist: an id, an account's uuid or phone, a file uploaded first, a password medgraph accepts.
//! One test walks a whole inquiry, from its creation to a completed drug order, through the
//! dialect alone, reading every step back through the dialect.

use axum::body::Body;
use http::{Request, StatusCode};
use medgraph::auth::Role;
use medgraph::rest::Dialect;
use serde_json::{Value, json};

use crate::care_medassist::MP4;
use crate::common::contract::{assert_contract, documented_request};
use crate::common::{self, PNG_1X1, TestApp};

const D: Dialect = Dialect::Medassist;

/// `path?query`, the query object's values url-encoded (strings as they are, others as JSON).
fn uri(path: &str, query: &Value) -> String {
    let pairs: Vec<(String, String)> = query
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), v)
                })
                .collect()
        })
        .unwrap_or_default();
    if pairs.is_empty() {
        return path.to_owned();
    }
    format!("{path}?{}", serde_urlencoded::to_string(&pairs).unwrap())
}

/// The documented request of `route` (`"METHOD /path"`), changed by `adapt`, sent with `token`.
async fn documented(
    app: &TestApp,
    route: &str,
    token: Option<&str>,
    adapt: impl FnOnce(&mut Value),
) -> (StatusCode, Value) {
    let mut request = documented_request(D, route);
    adapt(&mut request);
    let (method, path) = route.split_once(' ').unwrap();
    let body = request["body"]
        .as_object()
        .filter(|b| !b.is_empty())
        .map(|b| Value::Object(b.clone()));
    let headers: Vec<(&str, &str)> = token
        .map(|t| vec![("authorization", t)])
        .unwrap_or_default();
    app.call(method, &uri(path, &request["query"]), body, &headers)
        .await
}

/// The `data` of a success, after checking the envelope.
#[track_caller]
fn data((status, body): (StatusCode, Value)) -> Value {
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["code"], 0, "{body}");
    assert_eq!(body["message"], "ok", "{body}");
    body["data"].clone()
}

/// A multipart request with one file part.
async fn send_file(
    app: &TestApp,
    uri: &str,
    (name, content_type, bytes): (&str, &str, &[u8]),
    token: &str,
) -> (StatusCode, Value) {
    let (ct, body) = common::multipart("file", name, content_type, bytes, &[]);
    app.send_json(
        Request::post(uri)
            .header("content-type", ct)
            .header("authorization", token)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// The uuid of an account, through the dialect.
async fn uuid_of(app: &TestApp, token: &str) -> String {
    let me = data(documented(app, "GET /api/user/queryUserMessage", Some(token), |_| {}).await);
    me["uuid"].as_str().unwrap().to_owned()
}

const GOOD_CSV: &str = "role,phone,nickname,password,hospital,home_addr\n\
patient,13700000031,小王,import-pass-1,,幸福路1号\n\
physician,13700000032,李医生,import-pass-1,社区医院,\n";

const BAD_CSV: &str = "role,phone,nickname,password,hospital,home_addr\n\
patient,13700000041,小王,import-pass-1,,幸福路1号\n\
patient,13700000042,小张,short,,\n";

#[tokio::test]
async fn identity_routes_answer_in_the_documents_vocabulary() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let (_, patient) = app
        .account("lihua", "19081309823", "patient-pass-1", &[Role::Patient])
        .await;
    let (_, doctor) = app
        .account("zhanghua", "18923412345", "doctor-pass-1", &[Role::Doctor])
        .await;

    // Login: the document's example phone belongs to no account (no account can hold it).
    let (status, body) = documented(&app, "POST /api/user/login", None, |_| {}).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["code"], 401);
    let session = data(
        documented(&app, "POST /api/user/login", None, |r| {
            r["body"]["phone"] = json!("19081309823");
            r["body"]["password"] = json!("patient-pass-1");
        })
        .await,
    );
    assert_contract(D, "POST /api/user/login", &session);
    assert_eq!(session["user"]["phone"], "19081309823");
    let token = session["token"].as_str().unwrap().to_owned();

    let admin_session = data(
        documented(&app, "POST /api/user/adminLogin", None, |r| {
            r["body"]["password"] = json!("admin-pass-1");
        })
        .await,
    );
    assert_contract(D, "POST /api/user/adminLogin", &admin_session);
    assert_eq!(admin_session["user"]["roles"], json!(["administrator"]));

    let verified = data(documented(&app, "GET /api/user/verifyToken", Some(&token), |_| {}).await);
    assert_contract(D, "GET /api/user/verifyToken", &verified);
    assert_eq!(verified["valid"], true);

    let me = data(
        documented(
            &app,
            "GET /api/user/queryUserMessage",
            Some(&patient),
            |_| {},
        )
        .await,
    );
    assert_contract(D, "GET /api/user/queryUserMessage", &me);
    assert_eq!(me["username"], "lihua");
    let patient_uuid = me["uuid"].as_str().unwrap().to_owned();

    // The document's update, by an administrator, with the account's real uuid and a password
    // medgraph accepts; the answer carries the names the client sent.
    let (status, body) = documented(
        &app,
        "PUT /api/user/updatePatientInformation",
        Some(&admin),
        |_| {},
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "short uuids are refused: {body}"
    );
    let updated = data(
        documented(
            &app,
            "PUT /api/user/updatePatientInformation",
            Some(&admin),
            |r| {
                r["body"]["uuid"] = json!(patient_uuid);
                r["body"]["password"] = json!("patient-pass-2");
            },
        )
        .await,
    );
    assert_contract(D, "PUT /api/user/updatePatientInformation", &updated);
    assert_eq!(updated["home_addr"], "xxx社区3栋2001号");
    assert_eq!(updated["nickname"], "梨花");
    assert_eq!(updated["phone"], "19081309823");

    let doctor_uuid = uuid_of(&app, &doctor).await;
    let updated = data(
        documented(
            &app,
            "PUT /api/user/updatePhysicianInformation",
            Some(&admin),
            |r| {
                r["body"]["uuid"] = json!(doctor_uuid);
                r["body"]["password"] = json!("doctor-pass-2");
            },
        )
        .await,
    );
    assert_contract(D, "PUT /api/user/updatePhysicianInformation", &updated);
    assert_eq!(updated["hospital"], "xxx社区医院");
    assert_eq!(updated["nickname"], "彰化");

    let doctors =
        data(documented(&app, "GET /api/user/queryDoctorInformation", None, |_| {}).await);
    assert_contract(D, "GET /api/user/queryDoctorInformation", &doctors);
    assert_eq!(doctors["total"], 1);
    assert_eq!(doctors["list"][0]["hospital"], "xxx社区医院");
    assert_eq!(
        doctors["list"][0]["home_addr"], "",
        "hidden from the public"
    );

    let patients = data(
        documented(
            &app,
            "GET /api/user/queryPatientInformation",
            Some(&admin),
            |_| {},
        )
        .await,
    );
    assert_contract(D, "GET /api/user/queryPatientInformation", &patients);
    assert_eq!(patients["list"][0]["home_addr"], "xxx社区3栋2001号");

    // Uploads and imports (the administrator's password change ended the patient's sessions).
    let file = data(send_file(&app, "/api/upload", ("a.png", "image/png", PNG_1X1), &admin).await);
    assert_contract(D, "POST /api/upload", &file);
    assert_eq!(file["content_type"], "image/png");

    let report = data(
        send_file(
            &app,
            "/api/user/uploadUserMessage",
            ("users.csv", "text/csv", GOOD_CSV.as_bytes()),
            &admin,
        )
        .await,
    );
    assert_contract(D, "POST /api/user/uploadUserMessage", &report);
    assert_eq!(report["imported"], 2);
    assert!(
        report["rows"][0]["user_id"]
            .as_i64()
            .is_some_and(|id| id > 0)
    );

    // An import of nothing is not a success: code 422 with the per-row report in data.
    let users = app.count_rows("users").await;
    let (status, body) = send_file(
        &app,
        "/api/user/uploadUserMessage",
        ("users.csv", "text/csv", BAD_CSV.as_bytes()),
        &admin,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], 422, "{body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("nothing imported"))
    );
    assert_eq!(body["data"]["imported"], 0);
    assert_eq!(body["data"]["rows"][1]["field"], "password");
    assert!(body["data"].get("$failure").is_none(), "{body}");
    assert_eq!(app.count_rows("users").await, users, "nothing imported");

    // Demo accounts.
    let demo = data(documented(&app, "GET /api/mock/generatePatientAccount", None, |_| {}).await);
    assert_contract(D, "GET /api/mock/generatePatientAccount", &demo);
    let demo = data(documented(&app, "GET /api/mock/generatePhysicianAccount", None, |_| {}).await);
    assert_contract(D, "GET /api/mock/generatePhysicianAccount", &demo);

    let session = data(
        documented(&app, "POST /api/user/login", None, |r| {
            r["body"]["phone"] = json!("19081309823");
            r["body"]["password"] = json!("patient-pass-2");
        })
        .await,
    );
    let token = session["token"].as_str().unwrap().to_owned();
    let out = data(documented(&app, "GET /api/user/logOut", Some(&token), |_| {}).await);
    assert_contract(D, "GET /api/user/logOut", &out);
    assert_eq!(out["logged_out"], true);
    let (status, _) = documented(&app, "GET /api/user/verifyToken", Some(&token), |_| {}).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// The people of the walk.
struct People {
    admin: String,
    patient: String,
    doctor: String,
    other_doctor: String,
    staff: String,
    doctor_uuid: String,
}

async fn people(app: &TestApp) -> People {
    let (_, admin) = app.admin().await;
    let (_, patient) = app
        .account("lihua", "19081309823", "patient-pass-1", &[Role::Patient])
        .await;
    let (_, doctor) = app
        .account("zhanghua", "18923412345", "doctor-pass-1", &[Role::Doctor])
        .await;
    let (_, other_doctor) = app
        .account("zhaoliu", "18923412346", "doctor-pass-1", &[Role::Doctor])
        .await;
    let (_, staff) = app
        .account(
            "pharmacy",
            "13800001005",
            "staff-pass-1",
            &[Role::HospitalStaff],
        )
        .await;
    // The patient's home, as the document's update sets it.
    data(
        documented(
            app,
            "PUT /api/user/updatePatientInformation",
            Some(&patient),
            |r| {
                let body = r["body"].as_object_mut().unwrap();
                body.remove("uuid");
                body.remove("password");
                body.remove("phone");
            },
        )
        .await,
    );
    let doctor_uuid = uuid_of(app, &doctor).await;
    People {
        admin,
        patient,
        doctor,
        other_doctor,
        staff,
        doctor_uuid,
    }
}

#[tokio::test]
async fn a_whole_inquiry_through_the_dialect_alone() {
    let app = common::app().await;
    let p = people(&app).await;

    // The document's own example, unchanged: its phone and its (past) time are taken.
    let created = data(
        documented(
            &app,
            "POST /api/inquiry/createInquiryRecord",
            Some(&p.patient),
            |_| {},
        )
        .await,
    );
    assert_contract(D, "POST /api/inquiry/createInquiryRecord", &created);
    assert_eq!(created["type"], "在家就医");
    assert_eq!(created["inquiry_detail"], "经常感到头痛");
    assert_eq!(created["reserved_phone"], "12345671901");
    assert_eq!(created["appointment_time"], "2024-10-02 20:30");
    assert_eq!(created["isInquiry"], 3);
    assert_eq!(created["state"], "pending_approval");
    assert_eq!(created["userUUID"], "");
    assert!(created["physician"].is_null());
    let id = created["id"].as_i64().unwrap().to_string();
    let with_id = |r: &mut Value| r["query"]["id"] = json!(id);

    // Read back by the patient: the whole list, no paging sent.
    let mine = data(
        documented(
            &app,
            "GET /api/inquiry/queryPatientInquiryRecord",
            Some(&p.patient),
            |_| {},
        )
        .await,
    );
    assert_contract(D, "GET /api/inquiry/queryPatientInquiryRecord", &mine);
    assert_eq!(mine["pageSize"], 1000);
    assert_eq!(mine["list"][0]["appointment_time"], "2024-10-02 20:30");

    let approved = data(
        documented(
            &app,
            "PUT /api/inquiry/approveInquiryRecord",
            Some(&p.admin),
            with_id,
        )
        .await,
    );
    assert_contract(D, "PUT /api/inquiry/approveInquiryRecord", &approved);
    assert_eq!(approved["state"], "approved");
    assert_eq!(approved["isInquiry"], 3);

    let waiting = data(
        documented(
            &app,
            "GET /api/inquiry/queryAllInquiryRecord",
            Some(&p.admin),
            |r| r["query"]["isInquiry"] = json!("3"),
        )
        .await,
    );
    assert_contract(D, "GET /api/inquiry/queryAllInquiryRecord", &waiting);
    assert_eq!(waiting["total"], 1);

    let assigned = data(
        documented(
            &app,
            "POST /api/inquiry/appointedPhysician",
            Some(&p.admin),
            |r| {
                r["query"]["id"] = json!(id);
                r["query"]["userUUID"] = json!(p.doctor_uuid);
            },
        )
        .await,
    );
    assert_contract(D, "POST /api/inquiry/appointedPhysician", &assigned);
    assert_eq!(assigned["isInquiry"], 4);
    assert_eq!(assigned["userUUID"], p.doctor_uuid.as_str());

    // Care needs the address: the physician of this home visit sees it, another does not.
    let theirs = data(
        documented(
            &app,
            "GET /api/inquiry/queryPhysicianInquiryRecord",
            Some(&p.doctor),
            |r| r["query"]["isInquiry"] = json!("4"),
        )
        .await,
    );
    assert_contract(D, "GET /api/inquiry/queryPhysicianInquiryRecord", &theirs);
    assert_eq!(theirs["total"], 1);
    assert_eq!(theirs["list"][0]["home_addr"], "xxx社区3栋2001号");
    assert_eq!(
        theirs["list"][0]["patient"]["home_addr"],
        "xxx社区3栋2001号"
    );
    let (status, _) = documented(
        &app,
        "GET /api/inquiry/queryInquiryRecordById",
        Some(&p.other_doctor),
        with_id,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let accepted = data(
        documented(
            &app,
            "PUT /api/inquiry/physicianReception",
            Some(&p.doctor),
            with_id,
        )
        .await,
    );
    assert_contract(D, "PUT /api/inquiry/physicianReception", &accepted);
    assert_eq!(accepted["isInquiry"], 2);
    assert_eq!(accepted["state"], "accepted");

    let read = data(
        documented(
            &app,
            "GET /api/inquiry/queryInquiryRecordById",
            Some(&p.doctor),
            with_id,
        )
        .await,
    );
    assert_contract(D, "GET /api/inquiry/queryInquiryRecordById", &read);
    assert_eq!(read["isInquiry"], 2);
    assert_eq!(read["home_addr"], "xxx社区3栋2001号");
    assert!(read["accepted_at"].as_str().is_some_and(|t| t.len() == 19));

    // The visit: files uploaded first, the document's body otherwise.
    let video = data(send_file(&app, "/api/upload", ("v.mp4", "video/mp4", MP4), &p.doctor).await);
    let image = data(
        send_file(
            &app,
            "/api/upload",
            ("r.png", "image/png", PNG_1X1),
            &p.doctor,
        )
        .await,
    );
    let video_url = video["url"].as_str().unwrap().to_owned();
    let image_url = image["url"].as_str().unwrap().to_owned();
    let record = data(
        documented(
            &app,
            "POST /api/medical/medicalRegistration",
            Some(&p.doctor),
            |r| {
                r["body"]["bind_inquiry_id"] = json!(id.parse::<i64>().unwrap());
                r["body"]["inquiry_video"] = json!(video_url);
                r["body"]["medical_img"] = json!(image_url);
            },
        )
        .await,
    );
    assert_contract(D, "POST /api/medical/medicalRegistration", &record);
    assert_eq!(record["diagnostic_description"], "病人有高血压");
    assert_eq!(record["medical_img"], image_url.as_str());
    assert_eq!(record["inquiry_video"], video_url.as_str());
    assert_eq!(record["is_need_by_drug"], true);
    assert_eq!(record["bind_inquiry_id"].to_string(), id);
    assert_eq!(record["drug_orders"][0]["raw"], 2);
    let medical_id = record["medicalId"].as_i64().unwrap().to_string();
    let order_id = record["drug_orders"][0]["id"].as_i64().unwrap().to_string();

    let finished = data(
        documented(
            &app,
            "GET /api/inquiry/queryInquiryRecordById",
            Some(&p.patient),
            with_id,
        )
        .await,
    );
    assert_eq!(finished["isInquiry"], 1);
    assert_eq!(finished["state"], "finished");

    let records = data(
        documented(
            &app,
            "GET /api/medical/queryMedialRecordInformation",
            Some(&p.patient),
            |r| r["query"]["inquiryId"] = json!(id),
        )
        .await,
    );
    assert_contract(D, "GET /api/medical/queryMedialRecordInformation", &records);
    assert_eq!(records["total"], 1);
    let one = data(
        documented(
            &app,
            "GET /api/medical/queryMedicalByID",
            Some(&p.patient),
            |r| r["query"]["medicalId"] = json!(medical_id),
        )
        .await,
    );
    assert_contract(D, "GET /api/medical/queryMedicalByID", &one);
    assert_eq!(one["medical_img"], image_url.as_str());
    let reads = data(
        documented(
            &app,
            "GET /api/medical/queryRecordReads",
            Some(&p.patient),
            |_| {},
        )
        .await,
    );
    assert_contract(D, "GET /api/medical/queryRecordReads", &reads);
    assert!(reads["total"].as_i64().unwrap() >= 1);

    // The drug order, from confirmation to receipt.
    let of_record = data(
        documented(
            &app,
            "GET /api/drug/queryDrugByMedicalId",
            Some(&p.patient),
            |r| r["query"]["medical_id"] = json!(medical_id),
        )
        .await,
    );
    assert_contract(D, "GET /api/drug/queryDrugByMedicalId", &of_record);
    assert_eq!(of_record["list"][0]["raw"], 2);
    assert_eq!(of_record["list"][0]["medical_id"].to_string(), medical_id);
    let for_staff =
        data(documented(&app, "GET /api/drug/queryAllDrug", Some(&p.staff), |_| {}).await);
    assert_contract(D, "GET /api/drug/queryAllDrug", &for_staff);
    assert_eq!(for_staff["total"], 1);
    let with_order = |r: &mut Value| r["query"]["id"] = json!(order_id);
    let confirmed = data(
        documented(
            &app,
            "POST /api/drug/hospitalAgentDrugConfirmReceipt",
            Some(&p.staff),
            with_order,
        )
        .await,
    );
    assert_contract(
        D,
        "POST /api/drug/hospitalAgentDrugConfirmReceipt",
        &confirmed,
    );
    assert_eq!(confirmed["state"], "awaiting_purchase");
    assert_eq!(confirmed["raw"], 2);
    let bought = data(
        documented(
            &app,
            "POST /api/drug/physiciansOrderAgentDrug",
            Some(&p.doctor),
            with_order,
        )
        .await,
    );
    assert_contract(D, "POST /api/drug/physiciansOrderAgentDrug", &bought);
    assert_eq!(bought["raw"], 4);
    let certificate = data(
        send_file(
            &app,
            "/api/upload",
            ("c.png", "image/png", PNG_1X1),
            &p.doctor,
        )
        .await,
    );
    let certificate_url = certificate["url"].as_str().unwrap().to_owned();
    let delivering = data(
        documented(
            &app,
            "POST /api/drug/physiciansOrderDelivery",
            Some(&p.doctor),
            |r| {
                r["query"]["id"] = json!(order_id);
                r["query"]["certificate"] = json!(certificate_url);
            },
        )
        .await,
    );
    assert_contract(D, "POST /api/drug/physiciansOrderDelivery", &delivering);
    assert_eq!(delivering["raw"], 3);
    assert_eq!(delivering["certificate"], certificate_url.as_str());
    let on_the_way = data(
        documented(
            &app,
            "GET /api/drug/queryPhysiciansAgentHistoryRecord",
            Some(&p.doctor),
            |r| r["query"]["raw"] = json!("3"),
        )
        .await,
    );
    assert_contract(
        D,
        "GET /api/drug/queryPhysiciansAgentHistoryRecord",
        &on_the_way,
    );
    assert_eq!(on_the_way["total"], 1);
    let received = data(
        documented(
            &app,
            "POST /api/drug/patientConfirmReceipt",
            Some(&p.patient),
            with_order,
        )
        .await,
    );
    assert_contract(D, "POST /api/drug/patientConfirmReceipt", &received);
    assert_eq!(received["raw"], 5);
    let history = data(
        documented(
            &app,
            "GET /api/drug/queryPatientAgentDrugHistory",
            Some(&p.patient),
            |r| r["query"]["raw"] = json!("5"),
        )
        .await,
    );
    assert_contract(D, "GET /api/drug/queryPatientAgentDrugHistory", &history);
    assert_eq!(history["total"], 1);
    let done = data(
        documented(
            &app,
            "GET /api/drug/queryDrugByID",
            Some(&p.patient),
            with_order,
        )
        .await,
    );
    assert_contract(D, "GET /api/drug/queryDrugByID", &done);
    assert_eq!(done["state"], "completed");
    assert!(done["completed_at"].as_str().is_some_and(|t| t.len() == 19));

    // The visit is over: the physician no longer sees the home address.
    let after = data(
        documented(
            &app,
            "GET /api/inquiry/queryInquiryRecordById",
            Some(&p.doctor),
            with_id,
        )
        .await,
    );
    assert_eq!(after["home_addr"], "");
}

#[tokio::test]
async fn rejected_cancelled_and_called_off_have_codes_of_their_own() {
    let app = common::app().await;
    let p = people(&app).await;
    let create = || async {
        let created = data(
            documented(
                &app,
                "POST /api/inquiry/createInquiryRecord",
                Some(&p.patient),
                |_| {},
            )
            .await,
        );
        created["id"].as_i64().unwrap().to_string()
    };
    let first = create().await;
    let rejected = data(
        documented(
            &app,
            "PUT /api/inquiry/rejectInquiryRecord",
            Some(&p.admin),
            |r| r["query"]["id"] = json!(first),
        )
        .await,
    );
    assert_contract(D, "PUT /api/inquiry/rejectInquiryRecord", &rejected);
    assert_eq!(rejected["isInquiry"], 5);
    assert_eq!(rejected["closed_reason"], "请先到社区医院面诊");
    let by_code = data(
        documented(
            &app,
            "GET /api/inquiry/queryAllInquiryRecord",
            Some(&p.admin),
            |r| r["query"]["isInquiry"] = json!("5"),
        )
        .await,
    );
    assert_eq!(by_code["total"], 1);

    let second = create().await;
    let cancelled = data(
        documented(
            &app,
            "PUT /api/inquiry/cancelInquiryRecord",
            Some(&p.patient),
            |r| r["query"]["id"] = json!(second),
        )
        .await,
    );
    assert_contract(D, "PUT /api/inquiry/cancelInquiryRecord", &cancelled);
    assert_eq!(cancelled["isInquiry"], 6);

    // A drug order called off before purchase.
    let third = create().await;
    for (route, token, query) in [
        (
            "PUT /api/inquiry/approveInquiryRecord",
            &p.admin,
            json!({"id": third}),
        ),
        (
            "POST /api/inquiry/appointedPhysician",
            &p.admin,
            json!({"id": third, "userUUID": p.doctor_uuid}),
        ),
        (
            "PUT /api/inquiry/physicianReception",
            &p.doctor,
            json!({"id": third, "isReception": "true"}),
        ),
    ] {
        data(documented(&app, route, Some(token), |r| r["query"] = query).await);
    }
    let video = data(send_file(&app, "/api/upload", ("v.mp4", "video/mp4", MP4), &p.doctor).await);
    let image = data(
        send_file(
            &app,
            "/api/upload",
            ("r.png", "image/png", PNG_1X1),
            &p.doctor,
        )
        .await,
    );
    let record = data(
        documented(
            &app,
            "POST /api/medical/medicalRegistration",
            Some(&p.doctor),
            |r| {
                r["body"]["bind_inquiry_id"] = json!(third.parse::<i64>().unwrap());
                // Files by their address this time; answers give their URLs.
                r["body"]["inquiry_video"] = video["address"].clone();
                r["body"]["medical_img"] = image["address"].clone();
            },
        )
        .await,
    );
    assert_eq!(record["medical_img"], image["url"]);
    assert_eq!(record["inquiry_video"], video["url"]);
    let order_id = record["drug_orders"][0]["id"].as_i64().unwrap().to_string();
    let called_off = data(
        documented(
            &app,
            "POST /api/drug/cancelAgentDrug",
            Some(&p.staff),
            |r| r["query"]["id"] = json!(order_id),
        )
        .await,
    );
    assert_contract(D, "POST /api/drug/cancelAgentDrug", &called_off);
    assert_eq!(called_off["raw"], 6);
    assert_eq!(called_off["cancel_reason"], "药房缺货");
}

#[tokio::test]
async fn lists_the_document_does_not_page_are_whole() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    data(
        documented(&app, "GET /api/mock/generatePatientAccount", None, |r| {
            r["query"]["number"] = json!("25")
        })
        .await,
    );
    let whole = data(
        documented(
            &app,
            "GET /api/user/queryPatientInformation",
            Some(&admin),
            |_| {},
        )
        .await,
    );
    assert_eq!(whole["total"], 25);
    assert_eq!(
        whole["list"].as_array().unwrap().len(),
        25,
        "not a silent first 20"
    );
    assert_eq!(whole["page"], 1);
    assert_eq!(whole["pageSize"], 1000);
    // Paging parameters are still accepted, up to the ceiling.
    let page = data(
        documented(
            &app,
            "GET /api/user/queryPatientInformation",
            Some(&admin),
            |r| r["query"] = json!({"page": "3", "pageSize": "10"}),
        )
        .await,
    );
    assert_eq!(page["list"].as_array().unwrap().len(), 5);
    assert_eq!(page["page"], 3);
    let (status, body) = documented(
        &app,
        "GET /api/user/queryPatientInformation",
        Some(&admin),
        |r| r["query"] = json!({"pageSize": "1001"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], 422);
}

#[tokio::test]
async fn a_wrong_method_answers_its_status_as_the_code() {
    let app = common::app().await;
    let (status, body) = app
        .call("DELETE", "/api/user/queryUserMessage", None, &[])
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    assert_eq!(body["code"], 405, "{body}");
    assert_eq!(body["error"], "METHOD_NOT_ALLOWED");
    assert!(body["data"].is_null());
}

#[tokio::test]
async fn the_medical_summary_answers_in_the_vocabulary() {
    let fake = crate::llm::Fake::start().await;
    let app = crate::llm::app_with_fake(&fake, |_| {}).await;
    let cast = crate::care_medassist::cast(&app).await;
    crate::care_graphql::seed_visits(&app, cast.patient.0, cast.doctor.0, cast.admin.0, 1).await;
    let summary = data(
        documented(
            &app,
            "GET /api/ai/getMedicalSum",
            Some(&cast.patient.1),
            |_| {},
        )
        .await,
    );
    assert_contract(D, "GET /api/ai/getMedicalSum", &summary);
    assert_eq!(summary["record_count"], 1);
}

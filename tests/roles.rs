//! Roles are granted, never taken (#17): a login with a type the account does not hold is
//! refused in every dialect; care roles start as applications an administrator reviews; an
//! applicant publishes nothing and sees no patient; patients are listed only to administrators
//! and carers with a care relationship; a consultant's organization comes from an approved
//! membership, never from the profile.

use medgraph::auth::Role;
use medgraph::graphql::node::global_id;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};

use crate::common::{self, TestApp};

const PW: &str = "secret-pass-1";

/// A volunteer call (the dialect answers HTTP 200 with `error_code`).
async fn vol(
    app: &TestApp,
    method: &str,
    path: &str,
    body: Option<Value>,
    token: Option<&str>,
) -> Value {
    let headers: Vec<(&str, &str)> = token.map(|t| vec![("x-auth-token", t)]).unwrap_or_default();
    let (status, value) = app.call(method, path, body, &headers).await;
    assert_eq!(status, http::StatusCode::OK, "{value}");
    value
}

fn vol_ok(answer: &Value) -> Value {
    assert_eq!(answer["error_code"], 0, "{answer}");
    answer["data"].clone()
}

fn vol_refused(answer: &Value, words: &str) {
    assert_ne!(answer["error_code"], 0, "{answer}");
    assert!(
        answer["error_message"]
            .as_str()
            .is_some_and(|m| m.contains(words)),
        "expected “{words}”: {answer}"
    );
}

fn gql_code(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error: {answer}"))
}

async fn register_volunteer(app: &TestApp, phone: &str, kind: i64) -> Value {
    let v = vol(
        app,
        "POST",
        "/phone/verifycode",
        Some(json!({"phone": phone})),
        None,
    )
    .await;
    vol_ok(&v);
    let code = app.last_code(phone).expect("a code");
    let v = vol(
        app,
        "POST",
        "/register",
        Some(json!({"phono": phone, "verify_code": code, "pwd": PW, "type": kind})),
        None,
    )
    .await;
    vol_ok(&v)
}

async fn hospital(app: &TestApp, admin: &str) -> i64 {
    let answer = app
        .graphql(
            "mutation($input: HospitalInput!) { createHospital(input: $input) { legacyId } }",
            json!({"input": {"name": "协和医院", "level": "三级甲等", "tag": "内科", "regionCode": 110101,
                "address": "东城区", "longitude": 116.4, "latitude": 39.9}}),
            Some(admin),
        )
        .await;
    answer["data"]["createHospital"]["legacyId"]
        .as_i64()
        .unwrap_or_else(|| panic!("{answer}"))
}

fn clinic_body(hospital: i64) -> Value {
    let day =
        medgraph::domain::free_clinics::china_today(chrono::Utc::now()) + chrono::Duration::days(1);
    json!({
        "date": day.to_string(), "begin": "09:00:00", "end": "11:00:00", "people_count": 10,
        "lng": "116.40", "lat": "39.90", "addr": "东城区义诊点", "service_target": ["老年人"],
        "abstract": "免费测血压", "price": 0, "hospital_id": hospital, "departments": "内科",
    })
}

const PATIENTS: &str = "{ users(filter: {role: PATIENT}) { totalCount nodes { username } } }";

#[tokio::test]
async fn a_login_never_grants_a_role_in_any_dialect() {
    let app = common::app().await;
    let (patient, _) = app
        .account("pat1", "13700000001", PW, &[Role::Patient])
        .await;

    // Volunteer: type 2 (doctor) for a patient's account.
    let v = vol(
        &app,
        "POST",
        "/login",
        Some(json!({"phono": "13700000001", "pwd": PW, "type": 2})),
        None,
    )
    .await;
    vol_refused(&v, "not registered as a doctor");
    // Type 3 (assistant) alike; type 1 (held) logs in.
    let v = vol(
        &app,
        "POST",
        "/login",
        Some(json!({"phono": "13700000001", "pwd": PW, "type": 3})),
        None,
    )
    .await;
    vol_refused(&v, "not registered as an assistant");
    let v = vol(
        &app,
        "POST",
        "/login",
        Some(json!({"phono": "13700000001", "pwd": PW, "type": 1})),
        None,
    )
    .await;
    assert!(vol_ok(&v)["token"].is_string());

    // Counselling: its login is a consultant's.
    let (status, body) = app
        .call(
            "POST",
            "/api/consultant/auth/login",
            Some(json!({"loginType": "password", "accountType": "phone", "account": "13700000001", "credential": PW})),
            &[],
        )
        .await;
    assert_eq!(status, http::StatusCode::OK);
    assert_ne!(body["code"], 0, "{body}");
    assert!(body["data"].is_null(), "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("not registered as a consultant"),
        "{body}"
    );

    // GraphQL.
    let answer = app
        .graphql(
            "mutation { login(input: {identifier: \"13700000001\", password: \"secret-pass-1\", role: DOCTOR}) { token } }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(gql_code(&answer), "FORBIDDEN");

    // Nothing was granted.
    assert_eq!(
        app.count_rows_where("user_roles", &format!("user_id = {patient}"))
            .await,
        1
    );
}

#[tokio::test]
async fn an_applicant_doctor_is_approved_publishes_and_loses_it_on_revocation() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let hospital = hospital(&app, &admin).await;
    app.account("pat2", "13700000002", PW, &[Role::Patient])
        .await;

    // Registering as a doctor applies: 待核验.
    let profile = register_volunteer(&app, "13700000010", 2).await;
    assert_eq!(profile["is_verify"], 0, "{profile}");
    let token = profile["token"].as_str().unwrap().to_owned();
    let doctor_id = profile["id"].as_i64().unwrap();

    // The applicant completes their profile…
    let answer = app
        .graphql(
            "mutation { updateDoctorProfile(input: {department: \"内科\"}) { doctorProfile { department verifyState } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(
        answer["data"]["updateDoctorProfile"]["doctorProfile"]["verifyState"], "PENDING",
        "{answer}"
    );
    // …and logs in as a doctor (the role is applied for)…
    let v = vol(
        &app,
        "POST",
        "/login",
        Some(json!({"phono": "13700000010", "pwd": PW, "type": 2})),
        None,
    )
    .await;
    assert_eq!(vol_ok(&v)["is_verify"], 0);
    // …but publishes nothing and sees no patient, in the dialect and in GraphQL.
    let v = vol(
        &app,
        "POST",
        "/project",
        Some(clinic_body(hospital)),
        Some(&token),
    )
    .await;
    vol_refused(&v, "verified doctor");
    let answer = app.graphql(PATIENTS, json!({}), Some(&token)).await;
    assert_eq!(gql_code(&answer), "FORBIDDEN");
    assert_eq!(app.count_rows("free_clinics").await, 0);

    // The administrator sees the application and approves it; the doctor is told.
    let answer = app
        .graphql(
            "{ roleApplications(state: PENDING) { totalCount nodes { role state user { id } } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        answer["data"]["roleApplications"]["totalCount"], 1,
        "{answer}"
    );
    assert_eq!(
        answer["data"]["roleApplications"]["nodes"][0]["role"],
        "DOCTOR"
    );
    // Not the applicant's to see.
    let answer = app
        .graphql(
            "{ roleApplications { totalCount } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(gql_code(&answer), "FORBIDDEN");
    // Nobody approves themself, not even through the dialect's profile form.
    app.approve_role(&admin, doctor_id, "DOCTOR").await;
    let answer = app
        .graphql(
            "{ me { roles doctorProfile { verifyState } notifications { nodes { title } } } }",
            json!({}),
            Some(&token),
        )
        .await;
    let me = &answer["data"]["me"];
    assert_eq!(me["roles"], json!(["DOCTOR"]), "{answer}");
    assert_eq!(me["doctorProfile"]["verifyState"], "ENABLED");
    assert!(
        me["notifications"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["title"].as_str().unwrap().contains("approved")),
        "{answer}"
    );
    // Approving twice is a conflict.
    let answer = app
        .graphql(
            "mutation($u: ID!) { reviewRole(userId: $u, role: DOCTOR, decision: APPROVE) { state } }",
            json!({"u": global_id("User", doctor_id).0}),
            Some(&admin),
        )
        .await;
    assert_eq!(gql_code(&answer), "CONFLICT");

    // Now the doctor publishes, and sees no patient they have no relationship with.
    let v = vol(
        &app,
        "POST",
        "/project",
        Some(clinic_body(hospital)),
        Some(&token),
    )
    .await;
    vol_ok(&v);
    let answer = app.graphql(PATIENTS, json!({}), Some(&token)).await;
    assert_eq!(answer["data"]["users"]["totalCount"], 0, "{answer}");

    // Revoked: access ends at the next request.
    let answer = app
        .graphql(
            "mutation($u: ID!) { reviewRole(userId: $u, role: DOCTOR, decision: REVOKE, note: \"证件过期\") { state legacyVerifyState } }",
            json!({"u": global_id("User", doctor_id).0}),
            Some(&admin),
        )
        .await;
    assert_eq!(answer["data"]["reviewRole"]["state"], "REVOKED", "{answer}");
    assert_eq!(answer["data"]["reviewRole"]["legacyVerifyState"], 2);
    let v = vol(
        &app,
        "POST",
        "/project",
        Some(clinic_body(hospital)),
        Some(&token),
    )
    .await;
    vol_refused(&v, "verified doctor");
    assert_eq!(app.count_rows("free_clinics").await, 1);
    let answer = app.graphql(PATIENTS, json!({}), Some(&token)).await;
    assert_eq!(gql_code(&answer), "FORBIDDEN");
    // A login as a doctor is refused once revoked.
    let v = vol(
        &app,
        "POST",
        "/login",
        Some(json!({"phono": "13700000010", "pwd": PW, "type": 2})),
        None,
    )
    .await;
    vol_refused(&v, "not registered as a doctor");
}

#[tokio::test]
async fn an_existing_account_applies_for_another_role_by_registering_with_a_code() {
    let app = common::app().await;
    let profile = register_volunteer(&app, "13700000020", 1).await;
    let id = profile["id"].as_i64().unwrap();
    age_codes(&app, "13700000020").await;
    // A verified code with another password does not reach the account.
    let v = vol(
        &app,
        "POST",
        "/phone/verifycode",
        Some(json!({"phone": "13700000020"})),
        None,
    )
    .await;
    vol_ok(&v);
    let code = app.last_code("13700000020").unwrap();
    let v = vol(
        &app,
        "POST",
        "/register",
        Some(json!({"phono": "13700000020", "verify_code": code, "pwd": "another-pass-2", "type": 2})),
        None,
    )
    .await;
    vol_refused(&v, "already registered");
    age_codes(&app, "13700000020").await;
    // The same phone, verified again, with the account's password: a doctor application.
    let profile = register_volunteer(&app, "13700000020", 2).await;
    assert_eq!(profile["id"].as_i64().unwrap(), id);
    assert_eq!(profile["is_verify"], 0);
    let answer = app
        .graphql(
            "{ myRoleApplications { role state } }",
            json!({}),
            Some(profile["token"].as_str().unwrap()),
        )
        .await;
    assert_eq!(
        answer["data"]["myRoleApplications"],
        json!([{"role": "PATIENT", "state": "APPROVED"}, {"role": "DOCTOR", "state": "PENDING"}]),
        "{answer}"
    );
}

/// Moves the codes sent to `destination` two minutes back (another may be sent).
async fn age_codes(app: &TestApp, destination: &str) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let db = &app.state.services.db;
    for code in entity::verification_code::Entity::find()
        .filter(entity::verification_code::Column::Destination.eq(destination))
        .all(db)
        .await
        .unwrap()
    {
        let mut model: entity::verification_code::ActiveModel = code.clone().into();
        model.created_at = Set(code.created_at - chrono::Duration::seconds(120));
        model.update(db).await.unwrap();
    }
}

#[tokio::test]
async fn patients_are_listed_to_administrators_and_carers_with_a_relationship() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let (p1, _) = app
        .account("pat-a", "13700000031", PW, &[Role::Patient])
        .await;
    app.account("pat-b", "13700000032", PW, &[Role::Patient])
        .await;
    let (doctor, doctor_token) = app
        .account("doc-a", "13700000033", PW, &[Role::Doctor])
        .await;
    let (_, staff) = app
        .account("staff-a", "13700000034", PW, &[Role::HospitalStaff])
        .await;
    let (_, consultant) = app
        .account("cons-a", "13700000035", PW, &[Role::Consultant])
        .await;

    let answer = app.graphql(PATIENTS, json!({}), Some(&admin)).await;
    assert_eq!(answer["data"]["users"]["totalCount"], 2, "{answer}");
    for token in [&staff, &consultant] {
        let answer = app.graphql(PATIENTS, json!({}), Some(token)).await;
        assert_eq!(gql_code(&answer), "FORBIDDEN");
    }
    let answer = app.graphql(PATIENTS, json!({}), Some(&doctor_token)).await;
    assert_eq!(answer["data"]["users"]["totalCount"], 0, "{answer}");

    // An inquiry assigned to the doctor is a care relationship: that patient only.
    let now = chrono::Utc::now();
    entity::inquiry::ActiveModel {
        patient_id: Set(p1),
        kind: Set("video".into()),
        detail: Set("头痛".into()),
        reserved_phone: Set("13700000031".into()),
        state: Set("ASSIGNED".into()),
        physician_id: Set(Some(doctor)),
        decline_count: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.state.services.db)
    .await
    .unwrap();
    let answer = app.graphql(PATIENTS, json!({}), Some(&doctor_token)).await;
    assert_eq!(answer["data"]["users"]["totalCount"], 1, "{answer}");
    assert_eq!(answer["data"]["users"]["nodes"][0]["username"], "pat-a");
    // The patient profile and the patient role follow the same rule.
    let answer = app
        .graphql(
            "query($a: ID!) { a: node(id: $a) { ... on User { roles patientProfile { visitCount } } } b: user(username: \"pat-b\") { roles patientProfile { visitCount } } }",
            json!({"a": global_id("User", p1).0}),
            Some(&doctor_token),
        )
        .await;
    assert_eq!(answer["data"]["a"]["roles"], json!(["PATIENT"]), "{answer}");
    assert!(
        answer["data"]["a"]["patientProfile"].is_object(),
        "{answer}"
    );
    assert_eq!(answer["data"]["b"]["roles"], json!([]), "{answer}");
    assert!(answer["data"]["b"]["patientProfile"].is_null(), "{answer}");
}

#[tokio::test]
async fn a_consultant_organization_comes_from_an_approved_membership() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let (c1, t1) = app
        .account("cons-1", "13700000041", PW, &[Role::Consultant])
        .await;
    let (c2, t2) = app
        .account("cons-2", "13700000042", PW, &[Role::Consultant])
        .await;
    let answer = app
        .graphql(
            "mutation { createOrganization(name: \"阳光心理\", description: \"简介\") { id } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let org = answer["data"]["createOrganization"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Claiming an organization through the profile is refused, in GraphQL and the dialect.
    let answer = app
        .graphql(
            "mutation { updateConsultantProfile(input: {organization: \"阳光心理\"}) { organization } }",
            json!({}),
            Some(&t2),
        )
        .await;
    assert_eq!(gql_code(&answer), "BAD_USER_INPUT", "{answer}");

    // Both have duty slots; neither is a member yet: each sees only their own.
    for token in [&t1, &t2] {
        let answer = app
            .graphql(
                "mutation { setDutySlots(date: \"2030-01-07\", slots: [\"09:00-10:00\"]) { date } }",
                json!({}),
                Some(token),
            )
            .await;
        assert!(answer["errors"].is_null(), "{answer}");
    }
    let roster = |token: String| {
        let app = &app;
        async move {
            let answer = app
                .graphql(
                    "{ dutyRoster(year: 2030, month: 1) { slots { consultant { username } } } }",
                    json!({}),
                    Some(&token),
                )
                .await;
            let mut names: Vec<String> = answer["data"]["dutyRoster"]
                .as_array()
                .unwrap_or_else(|| panic!("{answer}"))
                .iter()
                .flat_map(|d| d["slots"].as_array().unwrap().clone())
                .map(|s| s["consultant"]["username"].as_str().unwrap().to_owned())
                .collect();
            names.sort();
            names
        }
    };
    assert_eq!(roster(t2.clone()).await, vec!["cons-2"]);

    // cons-1 applies and is approved, then made the organization's administrator.
    let answer = app
        .graphql(
            "mutation($o: ID!) { applyToOrganization(organizationId: $o) { id } }",
            json!({"o": org}),
            Some(&t1),
        )
        .await;
    let m1 = answer["data"]["applyToOrganization"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{answer}"))
        .to_owned();
    app.graphql(
        "mutation($m: ID!) { decideOrganizationMembership(id: $m, approve: true) { state } }",
        json!({"m": m1}),
        Some(&admin),
    )
    .await;
    let answer = app
        .graphql(
            "mutation($m: ID!) { setOrganizationAdministrator(membershipId: $m, isAdmin: true) { id } }",
            json!({"m": m1}),
            Some(&admin),
        )
        .await;
    assert!(answer["errors"].is_null(), "{answer}");
    // cons-2 applies: its administrator decides; until then cons-2 is outside.
    let answer = app
        .graphql(
            "mutation($o: ID!) { applyToOrganization(organizationId: $o) { id } }",
            json!({"o": org}),
            Some(&t2),
        )
        .await;
    let m2 = answer["data"]["applyToOrganization"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(roster(t1.clone()).await, vec!["cons-1"]);
    let answer = app
        .graphql(
            "mutation($m: ID!) { decideOrganizationMembership(id: $m, approve: true) { state } }",
            json!({"m": m2}),
            Some(&t1),
        )
        .await;
    assert!(answer["errors"].is_null(), "{answer}");
    assert_eq!(roster(t1.clone()).await, vec!["cons-1", "cons-2"]);
    assert_eq!(roster(t2.clone()).await, vec!["cons-1", "cons-2"]);
    let answer = app
        .graphql(
            "{ me { consultantProfile { organization } } }",
            json!({}),
            Some(&t2),
        )
        .await;
    assert_eq!(
        answer["data"]["me"]["consultantProfile"]["organization"], "阳光心理",
        "{answer}"
    );
    // The organization's administrator reviews consultants of the organization, not others.
    let (c3, _) = app.account("cons-3", "13700000043", PW, &[]).await;
    medgraph::domain::role_reviews::apply(&app.state.services.db, c3, Role::Consultant)
        .await
        .unwrap();
    let answer = app
        .graphql(
            "mutation($u: ID!) { reviewRole(userId: $u, role: CONSULTANT, decision: APPROVE) { state } }",
            json!({"u": global_id("User", c3).0}),
            Some(&t1),
        )
        .await;
    assert_eq!(gql_code(&answer), "FORBIDDEN", "{answer}");
    // Deciding an application twice is a conflict for the organization's administrator...
    let decide_again =
        "mutation($m: ID!) { decideOrganizationMembership(id: $m, approve: false) { state } }";
    let answer = app.graphql(decide_again, json!({"m": m2}), Some(&t1)).await;
    assert_eq!(gql_code(&answer), "CONFLICT", "{answer}");
    // ...but once cons-1's consultant role is revoked, the membership's administrator flag
    // grants nothing: cons-1 administers no organization.
    let answer = app
        .graphql(
            "mutation($u: ID!) { reviewRole(userId: $u, role: CONSULTANT, decision: REVOKE) { state } }",
            json!({"u": global_id("User", c1).0}),
            Some(&admin),
        )
        .await;
    assert_eq!(answer["data"]["reviewRole"]["state"], "REVOKED", "{answer}");
    let answer = app.graphql(decide_again, json!({"m": m2}), Some(&t1)).await;
    assert_eq!(gql_code(&answer), "FORBIDDEN", "{answer}");
    let _ = c2;
}

#[tokio::test]
async fn a_rejected_applicant_is_told_acts_as_nothing_and_may_reapply() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let profile = register_volunteer(&app, "13700000050", 3).await;
    let applicant = profile["id"].as_i64().unwrap();
    let token = profile["token"].as_str().unwrap().to_owned();
    assert_eq!(profile["is_verify"], 0, "{profile}");

    // Rejected with a reason: the state, the legacy code, the reviewer's note.
    let reject = "mutation($u: ID!) { reviewRole(userId: $u, role: ASSISTANT, decision: REJECT, note: \"资料不全\") { state legacyVerifyState note decidedAt } }";
    let u = json!({"u": global_id("User", applicant).0});
    let answer = app.graphql(reject, u.clone(), Some(&admin)).await;
    let review = &answer["data"]["reviewRole"];
    assert_eq!(review["state"], "REJECTED", "{answer}");
    assert_eq!(review["legacyVerifyState"], 2);
    assert_eq!(review["note"], "资料不全");
    assert!(review["decidedAt"].is_string());
    // Only a pending application is rejected: a second rejection is a conflict.
    let answer = app.graphql(reject, u.clone(), Some(&admin)).await;
    assert_eq!(gql_code(&answer), "CONFLICT", "{answer}");

    // The applicant is told why, holds no role, and logs in as an assistant no more.
    let answer = app
        .graphql(
            "{ me { roles assistantProfile { verifyState } notifications { nodes { title body } } } myRoleApplications { role state note } }",
            json!({}),
            Some(&token),
        )
        .await;
    let me = &answer["data"]["me"];
    assert_eq!(me["roles"], json!([]), "{answer}");
    assert_eq!(me["assistantProfile"]["verifyState"], "DISABLED");
    assert!(
        me["notifications"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["title"].as_str().unwrap().contains("rejected") && n["body"] == "资料不全"),
        "{answer}"
    );
    assert_eq!(
        answer["data"]["myRoleApplications"],
        json!([{"role": "ASSISTANT", "state": "REJECTED", "note": "资料不全"}])
    );
    let v = vol(
        &app,
        "POST",
        "/login",
        Some(json!({"phono": "13700000050", "pwd": PW, "type": 3})),
        None,
    )
    .await;
    vol_refused(&v, "not registered as an assistant");
    let answer = app.graphql(PATIENTS, json!({}), Some(&token)).await;
    assert_eq!(gql_code(&answer), "FORBIDDEN");

    // Registering again (a verified code, the account's password) reopens the application.
    age_codes(&app, "13700000050").await;
    let again = register_volunteer(&app, "13700000050", 3).await;
    assert_eq!(again["id"].as_i64().unwrap(), applicant);
    assert_eq!(again["is_verify"], 0, "{again}");
    let answer = app
        .graphql(
            "{ roleApplications(state: PENDING, role: ASSISTANT) { totalCount } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        answer["data"]["roleApplications"]["totalCount"], 1,
        "{answer}"
    );
}

#[tokio::test]
async fn demo_data_holds_one_pending_applicant_per_reviewed_role() {
    let app = common::app().await;
    let services = &app.state.services;
    assert!(
        medgraph::seed::demo_if_empty(&services.db, &services.files, &services.bus)
            .await
            .unwrap()
    );
    let admin = medgraph::domain::accounts::find_by_username(&services.db, "demo-admin")
        .await
        .unwrap()
        .unwrap();
    let (admin, _) = medgraph::auth::issue_token(&services.db, admin.id, 1)
        .await
        .unwrap();
    let answer = app
        .graphql(
            "{ roleApplications(state: PENDING) { totalCount nodes { role user { username } } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let mut pending: Vec<(String, String)> = answer["data"]["roleApplications"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"))
        .iter()
        .map(|n| {
            (
                n["user"]["username"].as_str().unwrap().to_owned(),
                n["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    pending.sort();
    assert_eq!(
        pending,
        [
            ("demo-assistant-applicant", "ASSISTANT"),
            ("demo-consultant-applicant", "CONSULTANT"),
            ("demo-doctor-applicant", "DOCTOR"),
            ("demo-staff-applicant", "HOSPITAL_STAFF"),
        ]
        .map(|(u, r)| (u.to_owned(), r.to_owned()))
        .to_vec(),
        "{answer}"
    );
    // The demo doctor applicant logs in as one (the role is applied for) but acts as nothing.
    let v = vol(
        &app,
        "POST",
        "/login",
        Some(json!({"phono": "13800000011", "pwd": medgraph::seed::DEMO_PASSWORD, "type": 2})),
        None,
    )
    .await;
    let profile = vol_ok(&v);
    assert_eq!(profile["is_verify"], 0, "{profile}");
    let answer = app
        .graphql(
            "{ me { roles } }",
            json!({}),
            Some(profile["token"].as_str().unwrap()),
        )
        .await;
    assert_eq!(answer["data"]["me"]["roles"], json!([]), "{answer}");
    // The demo's public images stay public: the record image has an address of its own.
    let post_image = answer_image(&app).await;
    let (status, headers, _) = app
        .send(
            http::Request::get(format!("/files/{post_image}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, http::StatusCode::OK);
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
}

/// The address of a demo post's image.
async fn answer_image(app: &TestApp) -> String {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let post = entity::post::Entity::find()
        .filter(entity::post::Column::Images.ne("[]"))
        .one(&app.state.services.db)
        .await
        .unwrap()
        .expect("a demo post with an image");
    let images: Vec<String> = serde_json::from_str(&post.images).unwrap();
    medgraph::domain::files::address_of(&images[0])
}

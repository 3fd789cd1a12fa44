//! Home care through GraphQL: the deep inquiry query's statement count, visibility through
//! `node` and the lists, and the care-updates subscription.

use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use medgraph::auth::{Auth, Role, Viewer};
use medgraph::domain::care::{self, NewInquiry, NewRecord};
use medgraph::storage::FileKind;
use serde_json::{Value, json};

use crate::care_medassist::{MP4, cast};
use crate::common::{self, PNG_1X1, TestApp, first_code};

fn viewer(id: i64, roles: &[Role]) -> Viewer {
    Viewer {
        user_id: id,
        token_id: 0,
        roles: roles.to_vec(),
    }
}

/// Takes `n` inquiries of `patient` to a registered record (described `诊断{i}`) with a drug
/// order, through the domain (the REST and GraphQL paths are tested elsewhere).
pub async fn seed_visits(
    app: &TestApp,
    patient: i64,
    doctor: i64,
    admin: i64,
    n: usize,
) -> Vec<i64> {
    let descriptions: Vec<String> = (0..n).map(|i| format!("诊断{i}")).collect();
    seed_described(app, patient, doctor, admin, &descriptions).await
}

/// One visit per description.
pub async fn seed_described(
    app: &TestApp,
    patient: i64,
    doctor: i64,
    admin: i64,
    descriptions: &[String],
) -> Vec<i64> {
    let services = &app.state.services;
    let (db, bus) = (&services.db, &services.bus);
    let video = medgraph::domain::files::upload(
        db,
        &services.files,
        Bytes::from_static(MP4),
        Some("visit.mp4"),
        FileKind::Any,
        Some(doctor),
    )
    .await
    .unwrap();
    let image = medgraph::domain::files::upload(
        db,
        &services.files,
        Bytes::from_static(PNG_1X1),
        Some("record.png"),
        FileKind::Any,
        Some(doctor),
    )
    .await
    .unwrap();
    let patient_v = viewer(patient, &[Role::Patient]);
    let doctor_v = viewer(doctor, &[Role::Doctor]);
    let admin_v = viewer(admin, &[Role::Administrator]);
    let mut ids = Vec::new();
    for (i, description) in descriptions.iter().enumerate() {
        let inquiry = care::create_inquiry(
            db,
            bus,
            &patient_v,
            NewInquiry {
                kind: "在家就医".into(),
                detail: format!("第{i}次问诊"),
                reserved_phone: Some("13800001001".into()),
                appointment_at: None,
            },
        )
        .await
        .unwrap();
        care::approve_inquiry(db, bus, &admin_v, inquiry.id)
            .await
            .unwrap();
        care::assign_physician(db, bus, &admin_v, inquiry.id, doctor)
            .await
            .unwrap();
        care::respond_to_inquiry(db, bus, &doctor_v, inquiry.id, true)
            .await
            .unwrap();
        care::register_record(
            db,
            bus,
            &doctor_v,
            NewRecord {
                inquiry_id: inquiry.id,
                description: Some(description.clone()),
                video: video.hash.clone(),
                images: vec![image.hash.clone()],
                needs_drugs: true,
                drug_note: Some("降压药".into()),
            },
        )
        .await
        .unwrap();
        ids.push(inquiry.id);
    }
    ids
}

const DEEP: &str = "query($n: Int!, $m: Int!) { inquiries(first: $n) { totalCount nodes {
  id legacyId state kind detail
  patient { username displayName phone roles }
  physician { username doctorProfile { hospitalName department } }
  record { description needsDrugs video { url contentType } images { url width }
    inquiry { legacyId }
    drugOrders(first: $m) { totalCount nodes { state note physician { username } certificates { url } } } } } } }";

#[tokio::test]
async fn the_deep_inquiry_query_runs_a_fixed_number_of_statements() {
    let app = common::app().await;
    let cast = cast(&app).await;
    seed_visits(&app, cast.patient.0, cast.doctor.0, cast.admin.0, 22).await;

    let audit_before = app.count_rows("audit_log").await;
    let before = app.statements();
    let small = app
        .graphql(DEEP, json!({"n": 3, "m": 1}), Some(&cast.admin.1))
        .await;
    let small_count = app.statements() - before;
    assert!(small["errors"].is_null(), "{small}");
    let before = app.statements();
    let large = app
        .graphql(DEEP, json!({"n": 20, "m": 10}), Some(&cast.admin.1))
        .await;
    let large_count = app.statements() - before;
    assert!(large["errors"].is_null(), "{large}");
    let nodes = large["data"]["inquiries"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 20);
    assert_eq!(large["data"]["inquiries"]["totalCount"], 22);
    let first = &nodes[0];
    assert_eq!(first["state"], "FINISHED");
    assert_eq!(first["physician"]["username"], "zhanghua");
    assert_eq!(first["record"]["video"]["contentType"], "video/mp4");
    assert_eq!(first["record"]["inquiry"]["legacyId"], first["legacyId"]);
    assert_eq!(
        first["record"]["drugOrders"]["nodes"][0]["state"],
        "AWAITING_CONFIRMATION"
    );
    eprintln!("deep inquiry list: {small_count} statements for 3, {large_count} for 20");
    assert_eq!(
        small_count, large_count,
        "statements grow with the page size"
    );
    assert!(large_count <= 14, "{large_count} statements");
    // Every record shown was logged as read (23 = 3 + 20), with one statement per query.
    assert_eq!(app.count_rows("audit_log").await, audit_before + 23);
}

#[tokio::test]
async fn graphql_keeps_records_to_those_involved() {
    let app = common::app().await;
    let cast = cast(&app).await;
    let ids = seed_visits(&app, cast.patient.0, cast.doctor.0, cast.admin.0, 1).await;
    let inquiry_id = medgraph::graphql::node::global_id("Inquiry", ids[0]).0;

    // A patient may not list everything; the default scope is their own.
    let all = app
        .graphql(
            "{ inquiries(scope: ALL) { totalCount } }",
            json!({}),
            Some(&cast.patient.1),
        )
        .await;
    assert_eq!(first_code(&all), "FORBIDDEN");
    let own = app
        .graphql(
            "{ inquiries { totalCount nodes { record { legacyId } } } }",
            json!({}),
            Some(&cast.patient.1),
        )
        .await;
    assert_eq!(own["data"]["inquiries"]["totalCount"], 1, "{own}");
    let theirs = app
        .graphql(
            "{ inquiries { totalCount } medicalRecords { totalCount } drugOrders { totalCount } }",
            json!({}),
            Some(&cast.other_patient.1),
        )
        .await;
    assert_eq!(
        theirs["data"],
        json!({"inquiries": {"totalCount": 0}, "medicalRecords": {"totalCount": 0}, "drugOrders": {"totalCount": 0}})
    );

    // node(id) answers null to those not involved, and nothing to anonymous callers.
    let q = "query($id: ID!) { node(id: $id) { ... on Inquiry { state record { description } } } }";
    for (token, visible) in [
        (Some(&cast.patient.1), true),
        (Some(&cast.doctor.1), true),
        (Some(&cast.other_doctor.1), false),
        (Some(&cast.staff.1), false),
        (None, false),
    ] {
        let response = app
            .graphql(q, json!({"id": inquiry_id}), token.map(String::as_str))
            .await;
        assert!(response["errors"].is_null(), "{response}");
        assert_eq!(response["data"]["node"].is_object(), visible, "{response}");
        if visible {
            assert_eq!(response["data"]["node"]["record"]["description"], "诊断0");
        }
    }

    // Hospital staff list orders awaiting confirmation, without the records behind them.
    let staff = app
        .graphql(
            "{ drugOrders { nodes { state record { description } patient { username } } } }",
            json!({}),
            Some(&cast.staff.1),
        )
        .await;
    assert!(staff["errors"].is_null(), "{staff}");
    let order = &staff["data"]["drugOrders"]["nodes"][0];
    assert_eq!(order["state"], "AWAITING_CONFIRMATION");
    assert!(order["record"].is_null());

    // The patient's read log names the physician and the administrator who read the record.
    app.graphql(
        "query($id: ID!) { node(id: $id) { ... on Inquiry { record { description } } } }",
        json!({"id": inquiry_id}),
        Some(&cast.admin.1),
    )
    .await;
    let reads = app
        .graphql(
            "{ medicalRecordReads { totalCount nodes { reader { username } recordLegacyId } } }",
            json!({}),
            Some(&cast.patient.1),
        )
        .await;
    let readers: Vec<&str> = reads["data"]["medicalRecordReads"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["reader"]["username"].as_str().unwrap())
        .collect();
    assert!(
        readers.contains(&"admin") && readers.contains(&"zhanghua"),
        "{reads}"
    );
    let others = app
        .graphql(
            "query($p: ID!) { medicalRecordReads(patientId: $p) { totalCount } }",
            json!({"p": medgraph::graphql::node::global_id("User", cast.patient.0).0}),
            Some(&cast.doctor.1),
        )
        .await;
    assert_eq!(first_code(&others), "FORBIDDEN");

    // Mutations speak GraphQL errors with codes.
    let wrong_type = app
        .graphql(
            "mutation($id: ID!) { approveInquiry(id: $id) { state } }",
            json!({"id": medgraph::graphql::node::global_id("User", 1).0}),
            Some(&cast.admin.1),
        )
        .await;
    assert_eq!(first_code(&wrong_type), "BAD_USER_INPUT");
    let finished = app
        .graphql(
            "mutation($id: ID!) { respondToInquiry(id: $id, accept: true) { state } }",
            json!({"id": inquiry_id}),
            Some(&cast.doctor.1),
        )
        .await;
    assert_eq!(first_code(&finished), "CONFLICT");
}

pub(crate) type Updates = tokio::sync::mpsc::UnboundedReceiver<async_graphql::Response>;

/// Polls a subscription from now on (a stream subscribes to the bus when first polled).
pub(crate) fn listen(
    mut stream: futures::stream::BoxStream<'static, async_graphql::Response>,
) -> Updates {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(response) = stream.next().await {
            if tx.send(response).is_err() {
                break;
            }
        }
    });
    rx
}

pub(crate) async fn next(updates: &mut Updates) -> Value {
    let response = tokio::time::timeout(Duration::from_secs(5), updates.recv())
        .await
        .expect("an update")
        .expect("the stream is open");
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    response.data.into_json().unwrap()
}

#[tokio::test]
async fn care_updates_reach_the_patient_and_the_physician() {
    let app = common::app().await;
    let cast = cast(&app).await;
    let subscribe = |user: i64, roles: &[Role]| {
        let auth = Auth {
            viewer: Some(viewer(user, roles)),
            ..Auth::default()
        };
        let request = app.state.prepare(
            async_graphql::Request::new(
                "subscription { careUpdates { kind state inquiry { legacyId state physician { username } } drugOrder { state } } }",
            ),
            auth,
            String::new(),
        );
        listen(app.state.schema.execute_stream(request).boxed())
    };
    let mut patient = subscribe(cast.patient.0, &[Role::Patient]);
    let mut doctor = subscribe(cast.doctor.0, &[Role::Doctor]);
    let mut stranger = subscribe(cast.other_patient.0, &[Role::Patient]);
    // Let the subscriptions attach to the bus before anything is published.
    tokio::time::sleep(Duration::from_millis(100)).await;

    seed_visits(&app, cast.patient.0, cast.doctor.0, cast.admin.0, 1).await;

    let mut patient_states = Vec::new();
    for _ in 0..6 {
        let update = next(&mut patient).await;
        patient_states.push(update["careUpdates"]["state"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        patient_states,
        [
            "pending_approval",
            "approved",
            "assigned",
            "accepted",
            "finished",
            "awaiting_confirmation"
        ]
    );
    // The physician hears from assignment on, and sees the inquiry as it is now.
    let first = next(&mut doctor).await;
    assert_eq!(first["careUpdates"]["kind"], "inquiry");
    assert_eq!(first["careUpdates"]["state"], "assigned");
    assert_eq!(
        first["careUpdates"]["inquiry"]["physician"]["username"],
        "zhanghua"
    );
    // Nobody else hears anything.
    assert!(
        tokio::time::timeout(Duration::from_millis(300), stranger.recv())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn demo_data_has_care_records_in_every_state() {
    let app = common::app().await;
    let services = &app.state.services;
    assert!(
        medgraph::seed::demo_if_empty(&services.db, &services.files, &services.bus)
            .await
            .unwrap()
    );
    let doctor = medgraph::domain::accounts::find_by_username(&services.db, "demo-doctor")
        .await
        .unwrap()
        .unwrap();
    let (token, _) = medgraph::auth::issue_token(&services.db, doctor.id, 1)
        .await
        .unwrap();
    let states = |field: &str, response: &Value| -> std::collections::BTreeSet<String> {
        response["data"][field]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["state"].as_str().unwrap().to_owned())
            .collect()
    };
    let inquiries = app
        .graphql(
            "{ inquiries(first: 100) { totalCount nodes { state } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(
        states("inquiries", &inquiries),
        ["ACCEPTED", "ASSIGNED", "FINISHED"]
            .map(String::from)
            .into()
    );
    let orders = app
        .graphql(
            "{ drugOrders(first: 100) { nodes { state } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(
        states("drugOrders", &orders),
        [
            "AWAITING_CONFIRMATION",
            "AWAITING_PURCHASE",
            "PURCHASED",
            "DELIVERING",
            "COMPLETED"
        ]
        .map(String::from)
        .into()
    );
    assert_eq!(
        app.count_rows("inquiries").await,
        medgraph::seed::DEMO_INQUIRIES as i64
    );
}

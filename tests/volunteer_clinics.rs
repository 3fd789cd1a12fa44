//! Free clinics (义诊) and their catalogue through GraphQL and the volunteer dialect: hospitals,
//! organizations and memberships, special projects, publishing (every refused input), listing
//! (filters, distance, popularity), the derived states, cancelling (403/409), the doctor
//! directory, demo data and a fixed number of SQL statements for deep clinic queries.

use chrono::{Duration, Utc};
use medgraph::auth::Role;
use medgraph::domain::free_clinics;
use medgraph::graphql::node::global_id;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::{Value, json};

use crate::common::{self, TestApp, first_code};

/// A volunteer call as `token` (if any) with extra headers; the dialect always answers 200.
async fn vol(
    app: &TestApp,
    method: &str,
    path: &str,
    body: Option<Value>,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> Value {
    let mut all: Vec<(&str, &str)> = headers.to_vec();
    if let Some(token) = token {
        all.push(("x-auth-token", token));
    }
    let (status, value) = app.call(method, path, body, &all).await;
    assert_eq!(status, http::StatusCode::OK, "{value}");
    value
}

fn ok(answer: &Value) -> &Value {
    assert_eq!(answer["error_code"], 0, "{answer}");
    &answer["data"]
}

fn tomorrow() -> String {
    (free_clinics::china_today(Utc::now()) + Duration::days(1)).to_string()
}

async fn doctor(app: &TestApp, name: &str, phone: &str) -> (i64, String) {
    app.account(name, phone, "doctor-pass-1", &[Role::Doctor])
        .await
}

/// A hospital (through GraphQL as an administrator); its integer id.
async fn hospital(app: &TestApp, admin: &str, name: &str, lng: f64, lat: f64) -> i64 {
    let answer = app
        .graphql(
            "mutation($input: HospitalInput!) { createHospital(input: $input) { legacyId } }",
            json!({"input": {"name": name, "level": "三级甲等", "tag": "心血管科", "regionCode": 110101,
                "address": "东城区", "longitude": lng, "latitude": lat}}),
            Some(admin),
        )
        .await;
    answer["data"]["createHospital"]["legacyId"]
        .as_i64()
        .unwrap_or_else(|| panic!("{answer}"))
}

async fn organization(app: &TestApp, admin: &str, name: &str) -> i64 {
    let answer = app
        .graphql(
            "mutation($n: String!) { createOrganization(name: $n, description: \"简介\") { legacyId } }",
            json!({"n": name}),
            Some(admin),
        )
        .await;
    answer["data"]["createOrganization"]["legacyId"]
        .as_i64()
        .unwrap_or_else(|| panic!("{answer}"))
}

fn clinic_body(hospital: i64) -> Value {
    json!({
        "date": tomorrow(),
        "begin": "09:00:00",
        "end": "11:00:00",
        "people_count": 10,
        "lng": "116.40",
        "lat": "39.90",
        "addr": "东城区义诊点",
        "service_target": ["老年人", "儿童"],
        "abstract": "免费测血压",
        "price": 50,
        "hospital_id": hospital,
        "departments": "内科",
    })
}

async fn publish(app: &TestApp, token: &str, body: Value) -> Value {
    let answer = vol(app, "POST", "/project", Some(body), Some(token), &[]).await;
    ok(&answer).clone()
}

const CLINIC_KEYS: &[&str] = &[
    "id",
    "date",
    "begin",
    "end",
    "people_count",
    "join_people_count",
    "addr",
    "lng",
    "lat",
    "abstract",
    "price",
    "status",
    "progress_status",
    "service_target",
    "hospital_info",
    "doctor_info",
    "join_user",
    "project_status",
    "op_cancel",
    "plan_time",
];

#[tokio::test]
async fn a_doctor_publishes_reads_lists_and_cancels_a_clinic() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let h = hospital(&app, &admin, "协和医院", 116.4177, 39.9125).await;
    let (doctor_id, token) = doctor(&app, "doc", "13900000011").await;
    let (_, other) = doctor(&app, "other", "13900000012").await;

    let clinic = publish(&app, &token, clinic_body(h)).await;
    for key in CLINIC_KEYS {
        assert!(clinic.get(*key).is_some(), "{key} missing in {clinic}");
    }
    assert_eq!(clinic["people_count"], 10);
    assert_eq!(clinic["join_people_count"], 0);
    assert_eq!(clinic["price"], 50);
    assert_eq!(clinic["lng"], "116.400000");
    assert_eq!(clinic["service_target"], json!(["老年人", "儿童"]));
    assert_eq!(clinic["departments"], "内科");
    assert_eq!(
        (
            clinic["progress_status"].clone(),
            clinic["project_status"].clone()
        ),
        (json!(1), json!(1))
    );
    assert_eq!(clinic["op_cancel"], 1);
    assert_eq!(clinic["join_user"], json!([]));
    assert_eq!(clinic["hospital_info"]["name"], "协和医院");
    assert_eq!(clinic["hospital_info"]["province_name"], "北京市");
    assert_eq!(clinic["hospital_info"]["county_name"], "东城区");
    assert_eq!(clinic["hospital_info"]["county_id"], 110101);
    assert_eq!(clinic["doctor_info"]["id"], doctor_id);
    assert_eq!(clinic["doctor_info"]["org_list"], json!([]));
    let plan = clinic["plan_time"].as_object().unwrap();
    assert_eq!(plan.len(), 4, "{plan:?}");
    assert_eq!(plan["09:00:00 - 09:30:00"], 3);
    assert_eq!(plan.values().map(|v| v.as_i64().unwrap()).sum::<i64>(), 10);
    let id = clinic["id"].as_i64().unwrap();

    // Detail, anonymous, with a distance from X-location.
    let detail = vol(
        &app,
        "GET",
        &format!("/project/{id}"),
        None,
        None,
        &[("X-location", "116.41-39.90")],
    )
    .await;
    let detail = ok(&detail);
    assert_eq!(detail["id"], id);
    assert_eq!(detail["op_cancel"], 0, "only its doctor may cancel");
    let distance = detail["distance"].as_f64().unwrap();
    assert!((800.0..900.0).contains(&distance), "{distance}");
    let missing = vol(&app, "GET", "/project/99999", None, None, &[]).await;
    assert_eq!(missing["error_code"], 404, "{missing}");

    // The doctor's own list.
    let mine = vol(&app, "GET", "/doctor/project", None, Some(&token), &[]).await;
    assert_eq!(ok(&mine)["page"]["count"], 1);
    assert_eq!(ok(&mine)["list"][0]["id"], id);

    // Cancelling: another doctor's is 403, the owner's works once, then 409.
    let refused = vol(
        &app,
        "GET",
        &format!("/project/{id}/cancel"),
        None,
        Some(&other),
        &[],
    )
    .await;
    assert_eq!(refused["error_code"], 403, "{refused}");
    let anonymous = vol(
        &app,
        "GET",
        &format!("/project/{id}/cancel"),
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(anonymous["error_code"], 401, "{anonymous}");
    let mut events = app
        .state
        .services
        .bus
        .subscribe(free_clinics::CANCELLED_TOPIC);
    let done = vol(
        &app,
        "GET",
        &format!("/project/{id}/cancel"),
        None,
        Some(&token),
        &[],
    )
    .await;
    assert_eq!(ok(&done), &json!({}));
    let event = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        futures::StreamExt::next(&mut events),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(event["clinicId"], id);
    assert_eq!(event["doctorId"], doctor_id);
    let again = vol(
        &app,
        "GET",
        &format!("/project/{id}/cancel"),
        None,
        Some(&token),
        &[],
    )
    .await;
    assert_eq!(again["error_code"], 409, "{again}");

    // Gone from the public list, still in the doctor's, as cancelled.
    let list = vol(&app, "GET", "/project", None, None, &[]).await;
    assert_eq!(ok(&list)["page"]["count"], 0);
    let mine = vol(&app, "GET", "/doctor/project", None, Some(&token), &[]).await;
    let own = &ok(&mine)["list"][0];
    assert_eq!(
        (
            own["status"].clone(),
            own["project_status"].clone(),
            own["progress_status"].clone()
        ),
        (json!(0), json!(3), json!(3))
    );
    assert_eq!(own["op_cancel"], 0);
}

#[tokio::test]
async fn publishing_refuses_bad_input_and_non_doctors() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let h = hospital(&app, &admin, "协和医院", 116.4, 39.9).await;
    let (_, token) = doctor(&app, "doc", "13900000011").await;
    let (_, patient) = app
        .account("pat", "13900000021", "patient-pass-1", &[Role::Patient])
        .await;

    let refused = vol(
        &app,
        "POST",
        "/project",
        Some(clinic_body(h)),
        Some(&patient),
        &[],
    )
    .await;
    assert_eq!(refused["error_code"], 403, "{refused}");

    let yesterday = (free_clinics::china_today(Utc::now()) - Duration::days(1)).to_string();
    let cases: Vec<(Value, &str)> = vec![
        (json!({"date": yesterday}), "date"),
        (json!({"date": "2030/01/01"}), "date"),
        (json!({"begin": "11:00", "end": "09:00"}), "end"),
        (json!({"begin": "25:00"}), "begin"),
        (json!({"people_count": 0}), "people_count"),
        (json!({"people_count": 1001}), "people_count"),
        (json!({"lng": 200}), "lng"),
        (json!({"lat": -91}), "lat"),
        (json!({"addr": "  "}), "addr"),
        (json!({"price": -1}), "price"),
        (json!({"hospital_id": 9999}), "hospital_id"),
    ];
    for (change, field) in cases {
        let mut body = clinic_body(h);
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let answer = vol(&app, "POST", "/project", Some(body), Some(&token), &[]).await;
        assert_eq!(answer["error_code"], 422, "{field}: {answer}");
    }
    // Without a hospital, and none in the profile.
    let mut body = clinic_body(h);
    body.as_object_mut().unwrap().remove("hospital_id");
    let answer = vol(&app, "POST", "/project", Some(body), Some(&token), &[]).await;
    assert_eq!(answer["error_code"], 422, "{answer}");
    assert_eq!(app.count_rows("free_clinics").await, 0);

    // GraphQL reports every invalid field at once, and checks explicit slots.
    const PUBLISH: &str = "mutation($input: PublishFreeClinicInput!) { publishFreeClinic(input: $input) { id capacity slots { label capacity } } }";
    let hospital_id = global_id("Hospital", h).0;
    let answer = app
        .graphql(
            PUBLISH,
            json!({"input": {"date": tomorrow(), "begin": "10:00", "end": "09:00", "capacity": 0,
                "address": "", "longitude": 500.0, "latitude": 0.0, "abstract": "x", "hospitalId": hospital_id}}),
            Some(&token),
        )
        .await;
    assert_eq!(first_code(&answer), "BAD_USER_INPUT");
    let fields = answer["errors"][0]["extensions"]["fields"]
        .as_object()
        .unwrap();
    for f in ["end", "capacity", "address", "longitude"] {
        assert!(fields.contains_key(f), "{f} in {answer}");
    }
    let slots = |list: Value| {
        json!({"input": {"date": tomorrow(), "begin": "09:00", "end": "11:00", "slots": list,
            "address": "义诊点", "longitude": 116.4, "latitude": 39.9, "abstract": "x", "hospitalId": hospital_id}})
    };
    for bad in [
        json!([{"begin": "08:30", "end": "09:30", "capacity": 2}]),
        json!([{"begin": "09:00", "end": "10:00", "capacity": 2}, {"begin": "09:30", "end": "10:30", "capacity": 2}]),
        json!([{"begin": "10:00", "end": "10:00", "capacity": 2}]),
        json!([{"begin": "09:00", "end": "10:00", "capacity": 0}]),
    ] {
        let answer = app.graphql(PUBLISH, slots(bad.clone()), Some(&token)).await;
        assert_eq!(first_code(&answer), "BAD_USER_INPUT", "{bad}: {answer}");
    }
    let answer = app
        .graphql(
            PUBLISH,
            slots(json!([{"begin": "09:00", "end": "10:00", "capacity": 2}, {"begin": "10:00", "end": "11:00", "capacity": 5}])),
            Some(&token),
        )
        .await;
    assert!(answer.get("errors").is_none(), "{answer}");
    assert_eq!(answer["data"]["publishFreeClinic"]["capacity"], 7);
    assert_eq!(
        answer["data"]["publishFreeClinic"]["slots"],
        json!([{"label": "09:00:00 - 10:00:00", "capacity": 2}, {"label": "10:00:00 - 11:00:00", "capacity": 5}])
    );
}

/// Inserts a clinic directly (past or running ones cannot be published).
async fn insert_clinic(
    app: &TestApp,
    doctor: i64,
    hospital: i64,
    starts: chrono::DateTime<Utc>,
    ends: chrono::DateTime<Utc>,
    capacity: i32,
) -> i64 {
    let db = &app.state.services.db;
    let local = |t: chrono::DateTime<Utc>| t.with_timezone(&free_clinics::china());
    let clinic = entity::free_clinic::ActiveModel {
        doctor_id: Set(doctor),
        hospital_id: Set(hospital),
        organization_id: Set(None),
        special_project_id: Set(None),
        title: Set("直接插入".into()),
        date: Set(local(starts).date_naive()),
        begin_time: Set(local(starts).time()),
        end_time: Set(local(ends).time()),
        starts_at: Set(starts),
        ends_at: Set(ends),
        capacity: Set(capacity),
        address: Set("义诊点".into()),
        longitude: Set(116.4),
        latitude: Set(39.9),
        r#abstract: Set("x".into()),
        deposit_cents: Set(0),
        service_targets: Set("[]".into()),
        department: Set(None),
        created_at: Set(Utc::now()),
        cancelled_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    entity::free_clinic_slot::ActiveModel {
        clinic_id: Set(clinic.id),
        position: Set(0),
        label: Set("00:00:00 - 00:01:00".into()),
        begin_time: Set(local(starts).time()),
        end_time: Set(local(ends).time()),
        capacity: Set(capacity),
        taken: Set(0),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    clinic.id
}

#[tokio::test]
async fn states_follow_the_clock_and_places() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let h = hospital(&app, &admin, "协和医院", 116.4, 39.9).await;
    let (doctor_id, token) = doctor(&app, "doc", "13900000011").await;
    let now = Utc::now();
    let ended = insert_clinic(
        &app,
        doctor_id,
        h,
        now - Duration::hours(3),
        now - Duration::hours(1),
        5,
    )
    .await;
    let running = insert_clinic(
        &app,
        doctor_id,
        h,
        now - Duration::hours(1),
        now + Duration::hours(1),
        2,
    )
    .await;

    let state = |id: i64| {
        let app = &app;
        let token = token.clone();
        async move {
            let answer = vol(
                app,
                "GET",
                &format!("/project/{id}"),
                None,
                Some(&token),
                &[],
            )
            .await;
            let d = ok(&answer).clone();
            (
                d["project_status"].as_i64().unwrap(),
                d["progress_status"].as_i64().unwrap(),
                d["op_cancel"].as_i64().unwrap(),
            )
        }
    };
    assert_eq!(state(ended).await, (3, 3, 0));
    assert_eq!(state(running).await, (2, 1, 1));
    // Fill the running clinic's only slot: full; one more place cannot be taken.
    let db = &app.state.services.db;
    let slot = free_clinics::slots_by_clinics(db, &[running])
        .await
        .unwrap()[&running][0]
        .id;
    assert!(free_clinics::take_place_in(db, slot).await.unwrap());
    assert!(free_clinics::take_place_in(db, slot).await.unwrap());
    assert!(!free_clinics::take_place_in(db, slot).await.unwrap());
    assert_eq!(state(running).await, (2, 2, 1));
    free_clinics::release_place_in(db, slot).await.unwrap();
    assert_eq!(state(running).await, (2, 1, 1));

    // An ended clinic cannot be cancelled; ended ones leave the public list.
    let answer = vol(
        &app,
        "GET",
        &format!("/project/{ended}/cancel"),
        None,
        Some(&token),
        &[],
    )
    .await;
    assert_eq!(answer["error_code"], 409, "{answer}");
    let list = vol(&app, "GET", "/project", None, None, &[]).await;
    assert_eq!(ok(&list)["page"]["count"], 1);
    let all = vol(
        &app,
        "GET",
        &format!("/custom/doctor/{doctor_id}/project"),
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(ok(&all)["page"]["count"], 2);
}

#[tokio::test]
async fn places_are_never_overbooked_under_concurrency() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let h = hospital(&app, &admin, "协和医院", 116.4, 39.9).await;
    let (doctor_id, _) = doctor(&app, "doc", "13900000011").await;
    let now = Utc::now();
    let clinic = insert_clinic(
        &app,
        doctor_id,
        h,
        now + Duration::hours(1),
        now + Duration::hours(2),
        5,
    )
    .await;
    let db = app.state.services.db.clone();
    let slot = free_clinics::slots_by_clinics(&db, &[clinic])
        .await
        .unwrap()[&clinic][0]
        .id;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { free_clinics::take_place_in(&db, slot).await })
        })
        .collect();
    let mut taken = 0;
    for t in tasks {
        if t.await.unwrap().unwrap() {
            taken += 1;
        }
    }
    assert_eq!(taken, 5);
    assert_eq!(
        app.count_rows_where("free_clinic_slots", &format!("id = {slot} AND taken = 5"))
            .await,
        1
    );
}

#[tokio::test]
async fn clinic_lists_filter_and_sort() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let near_h = hospital(&app, &admin, "近处医院", 116.40, 39.90).await;
    let far_h = hospital(&app, &admin, "远处医院", 121.47, 31.23).await;
    let (_, token) = doctor(&app, "doc", "13900000011").await;
    let org = organization(&app, &admin, "志愿协会").await;

    let mut far = clinic_body(far_h);
    far["lng"] = json!(121.47);
    far["lat"] = json!(31.23);
    far["addr"] = json!("上海浦东");
    far["service_target"] = json!(["儿童"]);
    far["departments"] = json!("儿科");
    let far = publish(&app, &token, far).await["id"].as_i64().unwrap();
    let mut near = clinic_body(near_h);
    near["service_target"] = json!(["老年人"]);
    near["abstract"] = json!("糖尿病筛查");
    let near = publish(&app, &token, near).await["id"].as_i64().unwrap();

    let ids = |answer: &Value| -> Vec<i64> {
        ok(answer)["list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    let get = |q: String, loc: Option<&'static str>| {
        let app = &app;
        async move {
            let headers: Vec<(&str, &str)> =
                loc.map(|l| vec![("X-location", l)]).unwrap_or_default();
            vol(app, "GET", &format!("/project{q}"), None, None, &headers).await
        }
    };
    // Newest first by default.
    assert_eq!(ids(&get(String::new(), None).await), vec![near, far]);
    // Nearest to Shanghai.
    let answer = get("?sort=1".into(), Some("121.5-31.2")).await;
    assert_eq!(ids(&answer), vec![far, near]);
    let first = ok(&answer)["list"][0]["distance"].as_f64().unwrap();
    let second = ok(&answer)["list"][1]["distance"].as_f64().unwrap();
    assert!(first < 10_000.0 && second > 1_000_000.0, "{first} {second}");
    let nowhere = get("?sort=1".into(), None).await;
    assert_eq!(nowhere["error_code"], 422, "{nowhere}");
    let bad = get("?sort=9".into(), None).await;
    assert_eq!(bad["error_code"], 422, "{bad}");
    let bad_location = get(String::new(), Some("here")).await;
    assert_eq!(bad_location["error_code"], 422, "{bad_location}");
    // Filters.
    assert_eq!(ids(&get("?keyword=糖尿病".into(), None).await), vec![near]);
    assert_eq!(ids(&get("?keyword=浦东".into(), None).await), vec![far]);
    assert_eq!(
        ids(&get(format!("?service_target={}", "儿童"), None).await),
        vec![far]
    );
    assert_eq!(
        ids(&get(format!("?departments={}", "儿科"), None).await),
        vec![far]
    );
    assert_eq!(
        ids(&get(format!("?hospital_id={near_h}"), None).await),
        vec![near]
    );
    assert!(ids(&get(format!("?org_id={org}"), None).await).is_empty());
    // Popular: places taken.
    let db = &app.state.services.db;
    let slot = free_clinics::slots_by_clinics(db, &[far]).await.unwrap()[&far][0].id;
    free_clinics::take_place_in(db, slot).await.unwrap();
    let popular = get("?sort=3".into(), None).await;
    assert_eq!(ids(&popular), vec![far, near]);
    assert_eq!(ok(&popular)["list"][0]["join_people_count"], 1);
    // Paging.
    let page = get("?page_size=1&current_page=2".into(), None).await;
    assert_eq!(ids(&page), vec![far]);
    assert_eq!(
        ok(&page)["page"],
        json!({"current_page": 2, "total_page": 2, "count": 2, "page_size": 1})
    );

    // GraphQL: the same list with `near`.
    let answer = app
        .graphql(
            "query($near: LocationInput) { freeClinics(near: $near, sort: NEAREST, filter: {serviceTarget: \"老年人\"}) { totalCount nodes { legacyId distance bookingState state placesLeft } } }",
            json!({"near": {"longitude": 116.4, "latitude": 39.9}}),
            None,
        )
        .await;
    assert_eq!(answer["data"]["freeClinics"]["totalCount"], 1, "{answer}");
    let node = &answer["data"]["freeClinics"]["nodes"][0];
    assert_eq!(node["legacyId"], near);
    assert_eq!(node["distance"], 0.0);
    assert_eq!(
        (node["bookingState"].as_str(), node["state"].as_str()),
        (Some("BOOKABLE"), Some("WAITING"))
    );
    assert_eq!(node["placesLeft"], 10);
    let answer = app
        .graphql(
            "{ freeClinics(sort: NEAREST) { totalCount } }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(first_code(&answer), "BAD_USER_INPUT");
}

#[tokio::test]
async fn organizations_memberships_and_special_projects() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let h = hospital(&app, &admin, "协和医院", 116.4, 39.9).await;
    let org = organization(&app, &admin, "中华志愿医生协会").await;
    let other_org = organization(&app, &admin, "乡村医疗援助队").await;
    let (doctor_id, token) = doctor(&app, "doc", "13900000011").await;
    let (_, stranger) = doctor(&app, "stranger", "13900000012").await;
    let (_, patient) = app
        .account("pat", "13900000021", "patient-pass-1", &[Role::Patient])
        .await;

    let orgs = vol(&app, "GET", "/org?keyword=乡村", None, None, &[]).await;
    assert_eq!(
        ok(&orgs)["list"],
        json!([{"id": other_org, "name": "乡村医疗援助队", "logo": "", "abstract": "简介"}])
    );
    assert_eq!(ok(&orgs)["page"]["count"], 1);

    // Applying: doctors only, once while pending.
    let refused = vol(
        &app,
        "POST",
        &format!("/org_add/{org}"),
        None,
        Some(&patient),
        &[],
    )
    .await;
    assert_eq!(refused["error_code"], 403, "{refused}");
    let applied = vol(
        &app,
        "POST",
        &format!("/org_add/{org}"),
        None,
        Some(&token),
        &[],
    )
    .await;
    assert_eq!(
        applied,
        json!({"error_code": 0, "data": null, "error_message": ""})
    );
    let twice = vol(
        &app,
        "POST",
        &format!("/org_add/{org}"),
        None,
        Some(&token),
        &[],
    )
    .await;
    assert_eq!(twice["error_code"], 409, "{twice}");
    let unknown = vol(&app, "POST", "/org_add/9999", None, Some(&token), &[]).await;
    assert_eq!(unknown["error_code"], 404, "{unknown}");
    let mine = vol(&app, "GET", "/org/my", None, Some(&token), &[]).await;
    let application = ok(&mine)["list"][0].clone();
    assert_eq!(application["verify_status"], 0);
    assert_eq!(application["org_id"], org);
    assert_eq!(application["doctor_id"], doctor_id);
    assert_eq!(application["org"]["name"], "中华志愿医生协会");
    let membership = application["id"].as_i64().unwrap();

    // Publishing for the organization needs an approved membership.
    let mut body = clinic_body(h);
    body["org_id"] = json!(org);
    let early = vol(
        &app,
        "POST",
        "/project",
        Some(body.clone()),
        Some(&token),
        &[],
    )
    .await;
    assert_eq!(early["error_code"], 403, "{early}");

    // Administrators decide, once.
    const DECIDE: &str = "mutation($id: ID!, $ok: Boolean!) { decideOrganizationMembership(id: $id, approve: $ok) { state } }";
    let mid = global_id("OrganizationMembership", membership).0;
    let answer = app
        .graphql(DECIDE, json!({"id": mid, "ok": true}), Some(&token))
        .await;
    assert_eq!(first_code(&answer), "FORBIDDEN");
    let answer = app
        .graphql(DECIDE, json!({"id": mid, "ok": true}), Some(&admin))
        .await;
    assert_eq!(
        answer["data"]["decideOrganizationMembership"]["state"], "APPROVED",
        "{answer}"
    );
    let answer = app
        .graphql(DECIDE, json!({"id": mid, "ok": false}), Some(&admin))
        .await;
    assert_eq!(first_code(&answer), "CONFLICT");
    let mine = vol(&app, "GET", "/org/my", None, Some(&token), &[]).await;
    assert_eq!(ok(&mine)["list"][0]["verify_status"], 1);

    let clinic = publish(&app, &token, body).await;
    assert_eq!(clinic["org_info"]["id"], org);
    assert_eq!(clinic["doctor_info"]["org_list"][0]["id"], org);
    let by_org = vol(
        &app,
        "GET",
        &format!("/project?org_id={org}"),
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(ok(&by_org)["page"]["count"], 1);
    let doctors = vol(
        &app,
        "GET",
        &format!("/doctor/list?org_id={org}"),
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(ok(&doctors)["list"][0]["id"], doctor_id);

    // A rejected application is reopened by applying again.
    let second = vol(
        &app,
        "POST",
        &format!("/org_add/{other_org}"),
        None,
        Some(&token),
        &[],
    )
    .await;
    ok(&second);
    let answer = app
        .graphql(
            "{ organizationMemberships(state: PENDING) { nodes { id legacyId } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let pending = answer["data"]["organizationMemberships"]["nodes"][0]["id"].clone();
    let rejected = app
        .graphql(DECIDE, json!({"id": pending, "ok": false}), Some(&admin))
        .await;
    assert_eq!(
        rejected["data"]["decideOrganizationMembership"]["state"],
        "REJECTED"
    );
    let again = vol(
        &app,
        "POST",
        &format!("/org_add/{other_org}"),
        None,
        Some(&token),
        &[],
    )
    .await;
    ok(&again);
    let answer = app
        .graphql(
            "{ myOrganizationMemberships(state: PENDING) { totalCount } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(answer["data"]["myOrganizationMemberships"]["totalCount"], 1);
    let answer = app
        .graphql(
            "{ organizationMemberships { totalCount } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(first_code(&answer), "FORBIDDEN");

    // Leaving: only one's own (another's is not found).
    let foreign = vol(
        &app,
        "DELETE",
        &format!("/org_remove/{membership}"),
        None,
        Some(&stranger),
        &[],
    )
    .await;
    assert_eq!(foreign["error_code"], 404, "{foreign}");
    let left = vol(
        &app,
        "DELETE",
        &format!("/org_remove/{membership}"),
        None,
        Some(&token),
        &[],
    )
    .await;
    assert_eq!(ok(&left), &Value::Null);
    let mine = vol(&app, "GET", "/org/my", None, Some(&token), &[]).await;
    assert_eq!(ok(&mine)["page"]["count"], 1);

    // Special projects group clinics of their organization, on their days (opening at midnight:
    // under way today whatever the hour).
    let today = free_clinics::china_today(Utc::now());
    let answer = app
        .graphql(
            "mutation($input: SpecialProjectInput!) { createSpecialProject(input: $input) { legacyId } }",
            json!({"input": {"organizationId": global_id("Organization", other_org).0, "hospitalId": global_id("Hospital", h).0,
                "title": "义诊周", "abstract": "七天", "serviceTargets": ["老年人"], "startsOn": today.to_string(),
                "endsOn": (today + Duration::days(6)).to_string(), "beginTime": "00:00", "endTime": "18:00"}}),
            Some(&admin),
        )
        .await;
    let sp = answer["data"]["createSpecialProject"]["legacyId"]
        .as_i64()
        .unwrap_or_else(|| panic!("{answer}"));
    let mut body = clinic_body(h);
    body["sp_id"] = json!(sp);
    let not_member = vol(
        &app,
        "POST",
        "/project",
        Some(body.clone()),
        Some(&token),
        &[],
    )
    .await;
    assert_eq!(not_member["error_code"], 403, "{not_member}");
    let answer = app
        .graphql(
            "{ organizationMemberships(state: PENDING) { nodes { id } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    let pending = answer["data"]["organizationMemberships"]["nodes"][0]["id"].clone();
    app.graphql(DECIDE, json!({"id": pending, "ok": true}), Some(&admin))
        .await;
    let clinic = publish(&app, &token, body.clone()).await;
    assert_eq!(clinic["sp_id"], sp);
    assert_eq!(clinic["org_info"]["id"], other_org);
    body["date"] = json!((today + Duration::days(9)).to_string());
    let outside = vol(&app, "POST", "/project", Some(body), Some(&token), &[]).await;
    assert_eq!(outside["error_code"], 422, "{outside}");

    let projects = vol(&app, "GET", "/sp_project", None, None, &[]).await;
    let p = &ok(&projects)["list"][0];
    assert_eq!(p["id"], sp);
    assert_eq!(p["people_count"], 10);
    assert_eq!(p["join_people_count"], 0);
    assert_eq!(p["price"], 50);
    assert_eq!(p["org_info"]["id"], other_org);
    assert_eq!(p["hospital_info"]["id"], h);
    assert_eq!(
        (p["project_status"].clone(), p["progress_status"].clone()),
        (json!(2), json!(1))
    );
    let clinics = vol(&app, "GET", &format!("/sp_project/{sp}"), None, None, &[]).await;
    assert_eq!(ok(&clinics)["page"]["count"], 1);
    assert_eq!(ok(&clinics)["list"][0]["id"], clinic["id"]);
    let missing = vol(&app, "GET", "/sp_project/9999", None, None, &[]).await;
    assert_eq!(missing["error_code"], 404, "{missing}");
}

#[tokio::test]
async fn hospitals_and_the_doctor_directory() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let a = hospital(&app, &admin, "北京协和医院", 116.4, 39.9).await;
    let b = hospital(&app, &admin, "华西医院", 104.06, 30.64).await;
    let list = vol(&app, "GET", "/hospital?keyword=协和", None, None, &[]).await;
    let found = &ok(&list)["list"];
    assert_eq!(found.as_array().unwrap().len(), 1);
    let hospital_info = &found[0];
    for key in [
        "id",
        "name",
        "logo",
        "banner",
        "level",
        "tag",
        "province_id",
        "province_name",
        "city_id",
        "city_name",
        "county_id",
        "county_name",
        "addr",
    ] {
        assert!(hospital_info.get(key).is_some(), "{key} in {hospital_info}");
    }
    assert_eq!(hospital_info["id"], a);
    assert_eq!(hospital_info["province_name"], "北京市");
    assert_eq!(hospital_info["county_name"], "东城区");
    let paged = vol(
        &app,
        "GET",
        "/hospital?page_size=1&current_page=2",
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(ok(&paged)["list"][0]["id"], b);
    assert_eq!(ok(&paged)["page"]["total_page"], 2);
    let refused = app
        .graphql(
            "mutation { createHospital(input: {name: \"x\"}) { id } }",
            json!({}),
            Some(&app.user_with_token("plain-user").await.1),
        )
        .await;
    assert_eq!(first_code(&refused), "FORBIDDEN");

    // Doctors with scores, visits, departments and positions.
    let db = &app.state.services.db;
    let mut ids = Vec::new();
    for (i, (name, score, visits, department, position, hospital)) in [
        ("王医生", Some(4.5), 3, "内科", "主任医师", a),
        ("李医生", Some(4.9), 1, "外科", "主治医师", b),
        ("赵医生", None, 9, "内科", "主治医师", a),
    ]
    .into_iter()
    .enumerate()
    {
        let (id, _) = doctor(&app, &format!("doc-d{i}"), &format!("1390000003{i}")).await;
        let profile = entity::doctor_profile::Entity::find_by_id(id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let mut m = profile.into_active_model();
        m.score = Set(score);
        m.visit_count = Set(visits);
        m.department = Set(Some(department.into()));
        m.position = Set(Some(position.into()));
        m.hospital_id = Set(Some(hospital));
        m.hospital_name = Set(Some("医院".into()));
        m.update(db).await.unwrap();
        let mut u = entity::user::Entity::find_by_id(id)
            .one(db)
            .await
            .unwrap()
            .unwrap()
            .into_active_model();
        u.real_name = Set(Some(name.into()));
        u.update(db).await.unwrap();
        ids.push(id);
    }
    let directory = |q: &'static str| {
        let app = &app;
        async move {
            let answer = vol(app, "GET", &format!("/doctor/list{q}"), None, None, &[]).await;
            ok(&answer)["list"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["id"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(directory("").await, vec![ids[1], ids[0], ids[2]]);
    assert_eq!(directory("?sort=2").await, vec![ids[2], ids[0], ids[1]]);
    assert_eq!(directory("?keyword=王").await, vec![ids[0]]);
    assert_eq!(directory("?departments=内科").await, vec![ids[0], ids[2]]);
    assert_eq!(
        directory("?job_position=主治医师&sort=2").await,
        vec![ids[2], ids[1]]
    );
    let by_hospital = vol(
        &app,
        "GET",
        &format!("/doctor/list?hospital_id={b}"),
        None,
        None,
        &[],
    )
    .await;
    let entry = &ok(&by_hospital)["list"][0];
    assert_eq!(entry["id"], ids[1]);
    assert_eq!(entry["score"], "4.9");
    assert_eq!(entry["org_list"], json!([]));
    assert_eq!(entry["departments"], "外科");
    let bad = vol(&app, "GET", "/doctor/list?sort=5", None, None, &[]).await;
    assert_eq!(bad["error_code"], 422, "{bad}");
}

#[tokio::test]
async fn demo_data_has_clinics_in_every_state() {
    let app = common::app().await;
    let s = &app.state.services;
    assert!(
        medgraph::seed::demo_if_empty(&s.db, &s.files, &s.bus)
            .await
            .unwrap()
    );
    assert!(app.count_rows("hospitals").await >= 3);
    assert!(app.count_rows("organizations").await >= 2);
    assert!(app.count_rows("special_projects").await >= 1);
    assert!(
        app.count_rows_where("free_clinics", "cancelled_at IS NOT NULL")
            .await
            >= 1
    );
    let list = vol(&app, "GET", "/project?page_size=50", None, None, &[]).await;
    let clinics = ok(&list)["list"].as_array().unwrap().clone();
    assert!(clinics.len() >= 3, "{list}");
    assert!(
        clinics.iter().any(|c| c["people_count"] == 2),
        "a small clinic to fill"
    );
    let token = demo_doctor_token(&app).await;
    let mine = vol(&app, "GET", "/doctor/project", None, Some(&token), &[]).await;
    let states: Vec<i64> = ok(&mine)["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["project_status"].as_i64().unwrap())
        .collect();
    assert!(states.contains(&3) && states.contains(&1), "{states:?}");
    let projects = vol(&app, "GET", "/sp_project", None, None, &[]).await;
    assert!(ok(&projects)["page"]["count"].as_i64().unwrap() >= 1);
}

/// A session token of `demo-doctor`.
async fn demo_doctor_token(app: &TestApp) -> String {
    let db = &app.state.services.db;
    let user = medgraph::domain::accounts::find_by_username(db, "demo-doctor")
        .await
        .unwrap()
        .unwrap();
    medgraph::auth::issue_token(db, user.id, 1).await.unwrap().0
}

#[tokio::test]
async fn a_deep_clinic_query_runs_a_fixed_number_of_statements() {
    let app = common::app().await;
    let (_, admin) = app.admin().await;
    let mut hospitals = Vec::new();
    for i in 0..3 {
        hospitals.push(
            hospital(
                &app,
                &admin,
                &format!("医院{i}"),
                116.0 + f64::from(i),
                39.9,
            )
            .await,
        );
    }
    let org = organization(&app, &admin, "协会").await;
    let mut doctors = Vec::new();
    for i in 0..4 {
        let (id, token) = doctor(&app, &format!("doc{i}"), &format!("1390000005{i}")).await;
        let applied = vol(
            &app,
            "POST",
            &format!("/org_add/{org}"),
            None,
            Some(&token),
            &[],
        )
        .await;
        ok(&applied);
        doctors.push((id, token));
    }
    let answer = app
        .graphql(
            "{ organizationMemberships { nodes { id } } }",
            json!({}),
            Some(&admin),
        )
        .await;
    for m in answer["data"]["organizationMemberships"]["nodes"]
        .as_array()
        .unwrap()
    {
        app.graphql(
            "mutation($id: ID!) { decideOrganizationMembership(id: $id, approve: true) { id } }",
            json!({"id": m["id"]}),
            Some(&admin),
        )
        .await;
    }
    for i in 0..20 {
        let (_, token) = &doctors[i % doctors.len()];
        let mut body = clinic_body(hospitals[i % hospitals.len()]);
        body["org_id"] = json!(org);
        body["people_count"] = json!(5 + i);
        publish(&app, token, body).await;
    }
    const DEEP: &str = "query($n: Int!) { freeClinics(first: $n, near: {longitude: 116.4, latitude: 39.9}, sort: NEAREST) { totalCount nodes { title distance bookingState placesLeft canCancel doctor { realName doctorProfile { department hospital { name } organizations { name } } } hospital { name province { name } city { name } county { name } } organization { name } specialProject { title } slots { label remaining } } } }";
    let cost = |n: i64| {
        let app = &app;
        let token = doctors[0].1.clone();
        async move {
            let before = app.statements();
            let answer = app.graphql(DEEP, json!({"n": n}), Some(&token)).await;
            assert!(answer.get("errors").is_none(), "{answer}");
            assert_eq!(
                answer["data"]["freeClinics"]["nodes"]
                    .as_array()
                    .unwrap()
                    .len() as i64,
                n
            );
            app.statements() - before
        }
    };
    let small = cost(2).await;
    let large = cost(20).await;
    assert_eq!(small, large, "statements must not grow with the page size");
    assert!(large <= 14, "{large} statements");
    // The dialect's list of 20 clinics costs the same as a list of 2.
    let rest = |n: i64| {
        let app = &app;
        async move {
            let before = app.statements();
            let answer = vol(
                app,
                "GET",
                &format!("/project?page_size={n}"),
                None,
                None,
                &[],
            )
            .await;
            assert_eq!(ok(&answer)["list"].as_array().unwrap().len() as i64, n);
            app.statements() - before
        }
    };
    assert_eq!(rest(2).await, rest(20).await);
}

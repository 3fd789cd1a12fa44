//! The free-clinic benchmark's bulk data (`seed --demo --bulk-clinics N`): what it holds, and
//! that every counter agrees with its rows (`taken` = booked registrations of the slot,
//! `registration_count` = booked registrations of the patient).

use chrono::{Duration, Utc};
use medgraph::auth::{Role, Viewer};
use medgraph::domain::{clinic_bulk, free_clinics};

use crate::common::{self, TestApp};

async fn assert_counters_agree(app: &TestApp) {
    for (table, what, condition) in [
        (
            "free_clinic_slots",
            "taken",
            "taken <> (SELECT COUNT(*) FROM registrations r \
             WHERE r.slot_id = free_clinic_slots.id AND r.verify_state = 1)",
        ),
        (
            "free_clinics",
            "capacity",
            "capacity <> (SELECT SUM(s.capacity) FROM free_clinic_slots s \
             WHERE s.clinic_id = free_clinics.id)",
        ),
        (
            "patient_profiles",
            "registration_count",
            "registration_count <> (SELECT COUNT(*) FROM registrations r \
             WHERE r.patient_id = patient_profiles.user_id AND r.verify_state = 1)",
        ),
        (
            "registrations",
            "casebook",
            "NOT EXISTS (SELECT 1 FROM casebooks c WHERE c.id = registrations.casebook_id \
             AND c.patient_id = registrations.patient_id AND c.clinic_id = registrations.clinic_id)",
        ),
        (
            "registrations",
            "slot of the clinic",
            "NOT EXISTS (SELECT 1 FROM free_clinic_slots s WHERE s.id = registrations.slot_id \
             AND s.clinic_id = registrations.clinic_id)",
        ),
        (
            "registrations",
            "booked in a cancelled clinic",
            "verify_state = 1 AND EXISTS (SELECT 1 FROM free_clinics c \
             WHERE c.id = registrations.clinic_id AND c.cancelled_at IS NOT NULL)",
        ),
    ] {
        assert_eq!(
            app.count_rows_where(table, condition).await,
            0,
            "{table}: {what}"
        );
    }
}

#[tokio::test]
async fn bulk_clinic_data_is_consistent() {
    let app = common::app().await;
    let services = &app.state.services;
    let db = &services.db;
    assert!(
        medgraph::seed::demo_if_empty(db, &services.files, &services.bus)
            .await
            .unwrap()
    );
    let demo_clinics = app.count_rows("free_clinics").await;
    let demo_slots = app.count_rows("free_clinic_slots").await;
    let demo_users = app.count_rows("users").await;
    let demo_registrations = app.count_rows("registrations").await;

    let report = clinic_bulk::bulk(db, 60).await.unwrap();
    assert_eq!(report.clinics, 60);
    assert_eq!(report.doctors, clinic_bulk::BULK_DOCTORS);
    assert_eq!(report.patients, 120);
    assert_eq!(
        app.count_rows("free_clinics").await,
        demo_clinics + 60,
        "clinics"
    );
    assert_eq!(
        app.count_rows("free_clinic_slots").await,
        demo_slots + report.slots as i64
    );
    assert_eq!(
        app.count_rows("users").await,
        demo_users + (report.doctors + report.patients) as i64
    );
    assert_eq!(
        app.count_rows("registrations").await,
        demo_registrations + report.registrations as i64
    );
    assert_eq!(
        app.count_rows_where("registrations", "verify_state = 1")
            .await,
        report.booked as i64
            + app
                .count_rows_where(
                    "registrations",
                    &format!("verify_state = 1 AND id <= {demo_registrations}"),
                )
                .await
    );
    assert_eq!(report.casebooks, report.registrations);
    assert!(report.booked > 100, "{report:?}");
    assert!(report.registrations > report.booked, "{report:?}");
    assert!(
        app.count_rows_where(
            "free_clinic_slots",
            "taken > 0 AND clinic_id IN (SELECT id FROM free_clinics WHERE cancelled_at IS NULL)"
        )
        .await
            > 0
    );
    let today = free_clinics::china_today(Utc::now());
    let (first, last) = (
        today - Duration::days(clinic_bulk::DAYS_AROUND),
        today + Duration::days(clinic_bulk::DAYS_AROUND),
    );
    assert_eq!(
        app.count_rows_where(
            "free_clinics",
            &format!("id > {demo_clinics} AND (date < '{first}' OR date > '{last}')"),
        )
        .await,
        0,
        "days within ±{} of today",
        clinic_bulk::DAYS_AROUND
    );
    assert_eq!(
        app.count_rows_where("user_roles", "role = 'doctor'").await
            - app
                .count_rows_where(
                    "user_roles",
                    &format!("role = 'doctor' AND user_id <= {demo_users}")
                )
                .await,
        clinic_bulk::BULK_DOCTORS as i64
    );
    assert_counters_agree(&app).await;

    // The benchmark's subject: an upcoming clinic with its slots.
    let id = report.upcoming_clinic_id;
    assert!(id > demo_clinics, "{report:?}");
    let (status, detail) = app.get_json(&format!("/project/{id}")).await;
    assert_eq!(status, http::StatusCode::OK, "{detail}");
    assert_eq!(detail["error_code"], 0, "{detail}");
    let plan = detail["data"]["plan_time"].as_object().unwrap();
    assert_eq!(plan.len() as u64, report.upcoming_slots, "{detail}");
    assert_eq!(detail["data"]["project_status"], 1, "not begun: {detail}");
    let (status, list) = app.get_json("/project?sort=3&page_size=20").await;
    assert_eq!(status, http::StatusCode::OK, "{list}");
    assert_eq!(list["error_code"], 0, "{list}");
    let items = list["data"]["list"].as_array().unwrap();
    assert_eq!(items.len(), 20, "{list}");
    let joined: Vec<i64> = items
        .iter()
        .map(|c| c["join_people_count"].as_i64().unwrap())
        .collect();
    assert!(joined.windows(2).all(|w| w[0] >= w[1]), "{joined:?}");
    assert!(joined[0] > 0, "{joined:?}");

    // A second run adds after the first; the id sequences continue (a doctor publishes).
    let again = clinic_bulk::bulk(db, 5).await.unwrap();
    assert_eq!(again.clinics, 5);
    assert_eq!(app.count_rows("free_clinics").await, demo_clinics + 65);
    assert_counters_agree(&app).await;
    let doctor: i64 = {
        let row = app
            .count_rows_where("users", "username LIKE 'clinic-doctor-%'")
            .await;
        assert_eq!(row, 2 * clinic_bulk::BULK_DOCTORS as i64);
        let user = medgraph::domain::accounts::find_by_username(
            db,
            &format!("clinic-doctor-{}", demo_users + 1),
        )
        .await
        .unwrap()
        .unwrap();
        user.id
    };
    let viewer = Viewer {
        user_id: doctor,
        token_id: 0,
        roles: vec![Role::Doctor],
    };
    let published = free_clinics::publish(
        db,
        &viewer,
        free_clinics::NewFreeClinic {
            date: Some(today + Duration::days(2)),
            begin: "09:00".into(),
            end: "10:00".into(),
            capacity: Some(4),
            address: "门诊楼一层".into(),
            longitude: Some(116.4),
            latitude: Some(39.9),
            r#abstract: "复诊咨询".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(published.id, demo_clinics + 66);
    let (status, answer) = app.get_json(&format!("/project/{}", published.id)).await;
    assert_eq!(status, http::StatusCode::OK);
    assert_eq!(
        answer["data"]["plan_time"].as_object().map(|p| p.len()),
        Some(2),
        "{answer}"
    );
}

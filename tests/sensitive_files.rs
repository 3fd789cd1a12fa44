//! Sensitive files follow their record (#17): a file a medical record refers to is served only
//! to those who may read the record, with a session from any carrier, never cached by shared
//! caches, and every read is audited with the record's other reads; a stranger gets the 404 of
//! a file that does not exist. Files no sensitive record refers to (avatars) stay public.

use axum::body::Body;
use bytes::Bytes;
use http::{Request, StatusCode};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};

use crate::care_graphql::seed_visits;
use crate::care_medassist::cast;
use crate::common::{self, PNG_1X1, TestApp};

/// GETs a file with optional `(header, value)` pairs: status, headers, body.
async fn fetch(
    app: &TestApp,
    hash: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, http::HeaderMap, Vec<u8>) {
    let mut builder = Request::get(format!("/files/{hash}"));
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    app.send(builder.body(Body::empty()).unwrap()).await
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

async fn record_reads_by(app: &TestApp, actor: i64) -> i64 {
    app.count_rows_where(
        "audit_log",
        &format!("subject_type = 'MedicalRecord' AND action = 'read' AND actor_id = {actor}"),
    )
    .await
}

#[tokio::test]
async fn a_medical_record_image_is_served_to_its_readers_only_and_audited() {
    let app = common::app().await;
    let cast = cast(&app).await;
    let (patient, patient_token) = cast.patient.clone();
    let (doctor, doctor_token) = cast.doctor.clone();
    let (other_doctor, other_doctor_token) = cast.other_doctor.clone();
    seed_visits(&app, patient, doctor, cast.admin.0, 1).await;
    let record = entity::medical_record::Entity::find()
        .one(&app.state.services.db)
        .await
        .unwrap()
        .unwrap();
    let image = medgraph::domain::care::file_list(&record.image_files)[0].clone();

    // Strangers: nobody, a forged token, another doctor, another patient. The same 404 as a
    // file that does not exist, and nothing audited.
    let (missing, _, _) = fetch(&app, &"0".repeat(64), &[]).await;
    assert_eq!(missing, StatusCode::NOT_FOUND);
    let other_patient = bearer(&cast.other_patient.1);
    let other_doctor_auth = bearer(&other_doctor_token);
    for headers in [
        vec![],
        vec![("authorization", "Bearer forged")],
        vec![("authorization", other_doctor_auth.as_str())],
        vec![("x-auth-token", cast.other_patient.1.as_str())],
        vec![("authorization", other_patient.as_str())],
    ] {
        let (status, h, body) = fetch(&app, &image, &headers).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{headers:?}");
        assert_ne!(body, PNG_1X1);
        assert!(h.get("etag").is_none());
    }
    assert_eq!(record_reads_by(&app, other_doctor).await, 0);

    // The patient (the volunteer app's header) reads it; never cached by shared caches.
    let before = record_reads_by(&app, patient).await;
    let (status, h, body) = fetch(&app, &image, &[("x-auth-token", &patient_token)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, PNG_1X1);
    assert_eq!(h["cache-control"], "private, no-store");
    assert_eq!(h["content-type"], "image/png");
    assert_eq!(record_reads_by(&app, patient).await, before + 1);

    // The treating physician (bearer) reads it, and the read is audited under the record,
    // beside the record's other reads: the patient sees who read it.
    let before = record_reads_by(&app, doctor).await;
    let (status, h, body) = fetch(&app, &image, &[("authorization", &bearer(&doctor_token))]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, PNG_1X1);
    assert_eq!(h["cache-control"], "private, no-store");
    assert_eq!(record_reads_by(&app, doctor).await, before + 1);
    assert_eq!(
        app.count_rows_where(
            "audit_log",
            &format!(
                "subject_type = 'MedicalRecord' AND subject_id = {} AND owner_id = {patient} AND actor_id = {doctor}",
                record.id
            ),
        )
        .await,
        before + 1
    );
    // A conditional request is no shortcut around the check or the log.
    let etag = format!("\"{image}\"");
    let (status, _, _) = fetch(&app, &image, &[("if-none-match", &etag)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = fetch(
        &app,
        &image,
        &[
            ("authorization", &bearer(&doctor_token)),
            ("if-none-match", &etag),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(record_reads_by(&app, doctor).await, before + 2);
    // The session cookie is a carrier too (the forum's).
    let cookie = format!(
        "{}={}",
        app.state.services.config.auth.cookie_name, cast.admin.1
    );
    let (status, _, _) = fetch(&app, &image, &[("cookie", &cookie)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(record_reads_by(&app, cast.admin.0).await, 1);
}

#[tokio::test]
async fn a_public_avatar_stays_public_and_cacheable() {
    let app = common::app().await;
    let (user, _) = app.user_with_token("someone").await;
    let services = &app.state.services;
    let bytes = [PNG_1X1, b"avatar"].concat();
    let stored = medgraph::domain::files::upload(
        &services.db,
        &services.files,
        Bytes::from(bytes.clone()),
        Some("me.png"),
        medgraph::storage::FileKind::Image,
        Some(user),
    )
    .await
    .unwrap();
    let account = entity::user::Entity::find_by_id(user)
        .one(&services.db)
        .await
        .unwrap()
        .unwrap();
    let mut model = account.into_active_model();
    model.avatar = Set(Some(stored.hash.clone()));
    model.update(&services.db).await.unwrap();

    let (status, h, body) = fetch(&app, &stored.hash, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, bytes);
    assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
    let etag = h["etag"].to_str().unwrap().to_owned();
    let (status, _, _) = fetch(&app, &stored.hash, &[("if-none-match", &etag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(app.count_rows("audit_log").await, 0);
}

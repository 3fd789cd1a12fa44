//! Uploads through both dialects and GraphQL multipart; serving files.

use axum::body::Body;
use entity::stored_file;
use http::{Request, StatusCode};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::Value;

use crate::common::{PDF, PNG_1X1, TestApp, app, first_code, multipart};

fn upload(path: &str, token: Option<&str>, name: &str, ct: &str, bytes: &[u8]) -> Request<Body> {
    let (content_type, body) = multipart("file", name, ct, bytes, &[]);
    let mut builder = Request::post(path).header("content-type", content_type);
    if let Some(token) = token {
        builder = builder.header("x-auth-token", token);
    }
    builder.body(Body::from(body)).unwrap()
}

async fn stored_count(app: &TestApp) -> u64 {
    stored_file::Entity::find()
        .count(&app.state.services.db)
        .await
        .unwrap()
}

fn files_on_disk(app: &TestApp) -> usize {
    fn walk(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            walk(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(&app.data_dir.join("files"))
}

#[tokio::test]
async fn volunteer_image_upload_and_serving() {
    let app = app().await;
    let (_, token) = app.user_with_token("uploader").await;

    let (_, v) = app
        .send_json(upload("/imgupload", None, "a.png", "image/png", PNG_1X1))
        .await;
    assert_eq!(v["error_code"], 401, "login required: {v}");

    let (status, v) = app
        .send_json(upload(
            "/imgupload",
            Some(&token),
            "a.png",
            "image/png",
            PNG_1X1,
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["error_code"], 0, "{v}");
    let url = v["data"]["url"].as_str().unwrap();
    assert!(url.starts_with("http://"));
    let path = &url[url.find("/files/").unwrap()..];

    let (status, headers, body) = app
        .send(Request::get(path).body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, PNG_1X1);
    assert_eq!(headers["content-type"], "image/png");
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let (status, _, body) = app
        .send(
            Request::get(path)
                .header("if-none-match", etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());

    // The same bytes again: same address, still one row.
    let (_, again) = app
        .send_json(upload(
            "/imgupload",
            Some(&token),
            "b.png",
            "image/png",
            PNG_1X1,
        ))
        .await;
    assert_eq!(again["data"]["url"], v["data"]["url"]);
    assert_eq!(stored_count(&app).await, 1);

    let (status, _) = app.get_json(&format!("/files/{}", "0".repeat(64))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get_json("/files/..%2F..%2Fetc%2Fpasswd").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn wrong_types_are_refused_and_change_nothing() {
    let app = app().await;
    let (_, token) = app.user_with_token("uploader").await;
    // A PDF claiming to be a PNG is still a PDF: not an image.
    let (_, v) = app
        .send_json(upload(
            "/imgupload",
            Some(&token),
            "x.png",
            "image/png",
            PDF,
        ))
        .await;
    assert_eq!(v["error_code"], 422, "{v}");
    assert!(
        v["error_message"]
            .as_str()
            .unwrap()
            .contains("application/pdf")
    );
    // Plain text is no accepted type anywhere.
    let (status, v) = app
        .send_json(upload(
            "/api/upload",
            Some(&token),
            "x.txt",
            "text/plain",
            b"hello",
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"], "BAD_USER_INPUT");
    // A missing file part.
    let (content_type, body) = multipart("other", "a.png", "image/png", PNG_1X1, &[]);
    let (_, v) = app
        .send_json(
            Request::post("/imgupload")
                .header("content-type", content_type)
                .header("x-auth-token", token.as_str())
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(v["error_code"], 422);
    assert_eq!(stored_count(&app).await, 0);
    assert_eq!(files_on_disk(&app), 0);
}

#[tokio::test]
async fn oversized_uploads_are_refused() {
    let app = crate::common::app_with(|c| c.storage.max_upload_bytes = 1000).await;
    let (_, token) = app.user_with_token("uploader").await;
    let mut big = PNG_1X1.to_vec();
    big.resize(5000, 0);
    let (status, _, _) = app
        .send(upload(
            "/api/upload",
            Some(&token),
            "big.png",
            "image/png",
            &big,
        ))
        .await;
    assert!(
        status == StatusCode::PAYLOAD_TOO_LARGE || status == StatusCode::UNPROCESSABLE_ENTITY,
        "{status}"
    );
    assert_eq!(stored_count(&app).await, 0);
}

#[tokio::test]
async fn medassist_upload_answers_the_content_address() {
    let app = app().await;
    let (_, token) = app.user_with_token("physician").await;
    let (content_type, body) = multipart("file", "report.pdf", "application/pdf", PDF, &[]);
    let (status, v) = app
        .send_json(
            Request::post("/api/upload")
                .header("content-type", content_type)
                .header("authorization", token.as_str())
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["code"], 0);
    let address = v["data"]["address"].as_str().unwrap();
    assert_eq!(address.len(), 64);
    assert_eq!(v["data"]["content_type"], "application/pdf");
    assert_eq!(v["data"]["size"], PDF.len());
    let (status, headers, _) = app
        .send(
            Request::get(format!("/files/{address}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-disposition"], "attachment");
}

#[tokio::test]
async fn graphql_multipart_upload_needs_a_preflight_header() {
    let app = app().await;
    let (_, token) = app.user_with_token("uploader").await;
    let operations = r#"{"query":"mutation($f: Upload!) { uploadFile(file: $f, kind: IMAGE) { hash width height contentType } }","variables":{"f":null}}"#;
    let map = r#"{"0":["variables.f"]}"#;
    let (content_type, body) = multipart(
        "0",
        "a.png",
        "image/png",
        PNG_1X1,
        &[("operations", operations), ("map", map)],
    );
    let (status, v) = app
        .send_json(
            Request::post("/graphql")
                .header("content-type", content_type.clone())
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    let (status, v) = app
        .send_json(
            Request::post("/graphql")
                .header("content-type", content_type)
                .header("authorization", format!("Bearer {token}"))
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let file = &v["data"]["uploadFile"];
    assert_eq!(file["contentType"], "image/png", "{v}");
    assert_eq!(
        (file["width"].clone(), file["height"].clone()),
        (Value::from(1), Value::from(1))
    );
    let hash = file["hash"].as_str().unwrap();
    let v = app
        .graphql(
            "query($h: String!) { file(hash: $h) { size url } }",
            serde_json::json!({"h": hash}),
            None,
        )
        .await;
    assert_eq!(v["data"]["file"]["size"], PNG_1X1.len());
    let v = app
        .graphql(
            "{ file(hash: \"nothex\") { size } }",
            serde_json::json!({}),
            None,
        )
        .await;
    assert_eq!(first_code(&v), "BAD_USER_INPUT");
}

//! Hardening (#18): hostile files, NUL characters, concurrent writers on the SQLite file,
//! cross-site requests, the operational surface and deployments.

use std::io::Write;
use std::time::{Duration, Instant};

use axum::body::Body;
use http::{Request, StatusCode};
use medgraph::auth::Role;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::common::{self, TestApp};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A small .xlsx whose sheet unpacks to `sheet_bytes` of cells.
fn xlsx_bomb(sheet_bytes: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, &str); 3] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    for (name, text) in parts {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#)
        .unwrap();
    let row = b"<row><c t=\"inlineStr\"><is><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></is></c></row>";
    let mut written = 0;
    while written < sheet_bytes {
        zip.write_all(row).unwrap();
        written += row.len();
    }
    zip.write_all(b"</sheetData></worksheet>").unwrap();
    zip.finish().unwrap().into_inner()
}

/// Resident memory of this process, in KiB (Linux).
fn rss_kib() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

async fn send_multipart(
    app: &TestApp,
    uri: &str,
    fields: &[(&str, &str)],
    file: (&str, &str, &[u8]),
    token: Option<&str>,
) -> (StatusCode, Value) {
    let (content_type, body) = common::multipart(file.0, file.1, XLSX, file.2, fields);
    let mut builder = Request::post(uri).header("content-type", content_type);
    if let Some(token) = token {
        builder = builder.header("authorization", token);
    }
    app.send_json(builder.body(Body::from(body)).unwrap()).await
}

#[tokio::test]
async fn spreadsheet_bombs_are_refused_before_they_are_unpacked() {
    let app = common::app().await;
    // 8 MiB of cells in a file of a few KiB: far past the default ratio of 100.
    let bomb = xlsx_bomb(8 * 1024 * 1024);
    assert!(bomb.len() < 100 * 1024, "{} bytes", bomb.len());

    let before = rss_kib();
    let (_, admin) = app.admin().await;
    let (status, v) = send_multipart(
        &app,
        "/api/user/uploadUserMessage",
        &[],
        ("file", "users.xlsx", &bomb),
        Some(&admin),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"], "BAD_USER_INPUT", "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("unpacks to more than"),
        "{v}"
    );

    let (consultant, token) = app
        .account("coun", "13900000009", "pass-word-1", &[Role::Consultant])
        .await;
    let id = consultant.to_string();
    let (status, v) = send_multipart(
        &app,
        "/api/consultant/interview/upload/records",
        &[("userID", &id), ("token", &token)],
        ("files", "records.xlsx", &bomb),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["code"], 422, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("unpacks to more than"),
        "{v}"
    );
    if let (Some(before), Some(after)) = (before, rss_kib()) {
        eprintln!(
            "bomb of {} bytes: resident memory {} KiB -> {} KiB",
            bomb.len(),
            before,
            after
        );
    }

    // Within the ratio but past a lowered total: refused too; a smaller limit on cells as well.
    let app = common::app_with(|c| {
        c.imports.max_uncompressed_bytes = 256 * 1024;
        c.imports.max_compression_ratio = 100_000;
    })
    .await;
    let (_, admin) = app.admin().await;
    let (_, v) = send_multipart(
        &app,
        "/api/user/uploadUserMessage",
        &[],
        ("file", "users.xlsx", &xlsx_bomb(512 * 1024)),
        Some(&admin),
    )
    .await;
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("unpacks to more than"),
        "{v}"
    );
    let app = common::app_with(|c| c.imports.max_rows = 10).await;
    let (_, admin) = app.admin().await;
    let (_, v) = send_multipart(
        &app,
        "/api/user/uploadUserMessage",
        &[],
        ("file", "users.xlsx", &xlsx_bomb(4 * 1024)),
        Some(&admin),
    )
    .await;
    assert_eq!(v["message"], "at most 10 rows per file", "{v}");
}

#[tokio::test]
async fn nul_characters_are_bad_input_at_the_edge() {
    let app = common::app().await;
    // A REST query parameter.
    let (status, v) = app.get_json("/project?keyword=%00").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["error_code"], 422, "{v}");
    assert!(
        v["error_message"].as_str().unwrap().contains("keyword"),
        "{v}"
    );
    // A JSON body field (forum profile edit) and a path segment.
    let (_, token) = app.user_with_token("nul-user").await;
    let (_, v) = app
        .call(
            "POST",
            "/api/UserInfo/modifyUserInfo",
            Some(json!({"description": "a\u{0}b"})),
            &[("authorization", &token)],
        )
        .await;
    assert_eq!(v["errorCode"], 422, "{v}");
    assert_eq!(v["data"]["errorType"], "BAD_USER_INPUT", "{v}");
    assert!(
        v["data"]["message"]
            .as_str()
            .unwrap()
            .contains("description"),
        "{v}"
    );
    let (_, v) = app
        .call(
            "GET",
            "/follow/user/1%00",
            None,
            &[("x-auth-token", &token)],
        )
        .await;
    assert_eq!(v["error_code"], 422, "{v}");
    // A multipart file name.
    let (content_type, body) =
        common::multipart("image", "a\u{0}.png", "image/png", common::PNG_1X1, &[]);
    let request = Request::post("/api/UserInfo/uploadAvatar")
        .header("content-type", content_type)
        .header("authorization", &token)
        .body(Body::from(body))
        .unwrap();
    let (_, v) = app.send_json(request).await;
    assert_eq!(v["errorCode"], 422, "{v}");

    // GraphQL: a variable and an inline literal, anonymous or not.
    let v = app
        .graphql(
            "query($k: String) { posts(filter: {keyword: $k}) { totalCount } }",
            json!({"k": "x\u{0}"}),
            None,
        )
        .await;
    assert_eq!(common::first_code(&v), "BAD_USER_INPUT", "{v}");
    assert_eq!(v["errors"][0]["extensions"]["field"], "k", "{v}");
    let v = app
        .graphql(
            r#"{ posts(filter: {keyword: "x\u0000"}) { totalCount } }"#,
            json!({}),
            None,
        )
        .await;
    assert_eq!(common::first_code(&v), "BAD_USER_INPUT", "{v}");
    assert_eq!(
        v["errors"][0]["extensions"]["field"], "filter.keyword",
        "{v}"
    );
    let v = app
        .graphql(
            "mutation($i: ProfileInput!) { updateProfile(input: $i) { id } }",
            json!({"i": {"displayName": "\u{0}"}}),
            Some(&token),
        )
        .await;
    assert_eq!(common::first_code(&v), "BAD_USER_INPUT", "{v}");
    assert_eq!(
        v["errors"][0]["extensions"]["field"], "i.displayName",
        "{v}"
    );
}

/// A pooled file database on SQLite; the test's PostgreSQL database otherwise.
async fn file_app() -> TestApp {
    common::app_with(|c| {
        if !common::on_postgres() {
            c.database_url = Some(format!(
                "sqlite://{}?mode=rwc",
                c.data_dir.join("writers.db").display()
            ));
        }
    })
    .await
}

#[tokio::test]
async fn fifty_concurrent_writers_all_succeed() {
    let app = file_app().await;
    let (star, _) = app.user_with_token("star").await;
    let star_id = medgraph::graphql::node::global_id("User", star).0;
    let mut tokens = Vec::new();
    for i in 0..50 {
        tokens.push(app.user_with_token(&format!("writer{i}")).await.1);
    }
    // Each writer edits their profile and follows the same user, all at once.
    let started = Instant::now();
    let tasks: Vec<_> = tokens
        .iter()
        .enumerate()
        .flat_map(|(i, token)| {
            let edit = json!({
                "query": "mutation($i: ProfileInput!) { updateProfile(input: $i) { id } }",
                "variables": {"i": {"displayName": format!("Writer {i}"), "bio": "racing"}},
            });
            let follow = json!({
                "query": "mutation($u: ID!) { followUser(userId: $u) { id } }",
                "variables": {"u": star_id},
            });
            [edit, follow].map(|body| {
                let router = app.router.clone();
                let token = token.clone();
                tokio::spawn(async move {
                    let request = Request::post("/graphql")
                        .header("content-type", "application/json")
                        .header("authorization", format!("Bearer {token}"))
                        .body(Body::from(body.to_string()))
                        .unwrap();
                    let response = router.oneshot(request).await.unwrap();
                    let status = response.status();
                    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                        .await
                        .unwrap();
                    (status, serde_json::from_slice::<Value>(&bytes).unwrap())
                })
            })
        })
        .collect();
    let mut errors = Vec::new();
    for task in tasks {
        let (status, v) = task.await.unwrap();
        if status != StatusCode::OK || v["errors"].is_array() {
            errors.push(v);
        }
    }
    eprintln!(
        "100 concurrent writes in {:?}, {} errors",
        started.elapsed(),
        errors.len()
    );
    assert!(
        errors.is_empty(),
        "{} errors: {:?}",
        errors.len(),
        errors.first()
    );
    assert_eq!(
        app.count_rows_where("users", "display_name LIKE 'Writer %'")
            .await,
        50
    );
}

async fn login(app: &TestApp, username: &str, password: &str) -> String {
    let v = app
        .graphql(
            "mutation($i: LoginInput!) { login(input: $i) { token } }",
            json!({"i": {"identifier": username, "password": password}}),
            None,
        )
        .await;
    v["data"]["login"]["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_session_cookie_is_refused_across_sites_and_where_no_dialect_documents_it() {
    let app = common::app().await;
    let (star, _) = app.user_with_token("star").await;
    app.account("fan", "13900000001", "pass-word-1", &[Role::Patient])
        .await;
    let token = login(&app, "fan", "pass-word-1").await;
    let cookie = format!("medgraph_session={token}");

    // Volunteer documents X-auth-token: the cookie is no login there.
    let (_, v) = app
        .call(
            "GET",
            &format!("/follow/user/{star}"),
            None,
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(v["error_code"], 401, "{v}");
    assert_eq!(app.count_rows("follows").await, 0);

    // Forum documents the cookie: same site yes, another site no.
    let details = || Some(json!({"user_id": -1}));
    let (_, v) = app
        .call(
            "POST",
            "/api/UserInfo/Details",
            details(),
            &[("cookie", &cookie), ("host", "api.example.org")],
        )
        .await;
    assert_eq!(v["errorCode"], 200, "{v}");
    for foreign in [
        [("origin", "https://evil.example"), ("x", "")],
        [("sec-fetch-site", "cross-site"), ("x", "")],
    ] {
        let mut headers = vec![("cookie", cookie.as_str()), ("host", "api.example.org")];
        headers.extend(foreign.iter().filter(|(k, _)| *k != "x").copied());
        let (_, v) = app
            .call("POST", "/api/UserInfo/Details", details(), &headers)
            .await;
        assert_eq!(v["errorCode"], 403, "{v}");
        // A header token from another site is no CSRF: still served.
        let mut headers = vec![("authorization", token.as_str())];
        headers.extend(foreign.iter().filter(|(k, _)| *k != "x").copied());
        let (_, v) = app
            .call("POST", "/api/UserInfo/Details", details(), &headers)
            .await;
        assert_eq!(v["errorCode"], 200, "{v}");
    }

    // GraphQL with the cookie from another site.
    let body = json!({"query": "mutation { logout }"}).to_string();
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .header("host", "api.example.org")
        .body(Body::from(body))
        .unwrap();
    let (status, v) = app.send_json(request).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(common::first_code(&v), "FORBIDDEN");
    let v = app.graphql("{ me { id } }", json!({}), Some(&token)).await;
    assert!(v["data"]["me"]["id"].is_string(), "still logged in: {v}");

    // A configured front-end origin is the server's own.
    let app2 =
        common::app_with(|c| c.http.cors_origins = vec!["https://app.example.org".into()]).await;
    app2.account("fan", "13900000001", "pass-word-1", &[Role::Patient])
        .await;
    let token2 = login(&app2, "fan", "pass-word-1").await;
    let (_, v) = app2
        .call(
            "POST",
            "/api/UserInfo/Details",
            details(),
            &[
                ("cookie", &format!("medgraph_session={token2}")),
                ("origin", "https://app.example.org"),
                ("sec-fetch-site", "cross-site"),
            ],
        )
        .await;
    assert_eq!(v["errorCode"], 200, "{v}");
}

/// The app on a real socket (for WebSockets and broken pipes).
async fn serve(app: &TestApp) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}

#[tokio::test]
async fn websocket_upgrades_from_another_site_are_refused() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let app = common::app().await;
    let (_, token) = app.user_with_token("ws-user").await;
    let addr = serve(&app).await;
    let request = |origin: Option<&str>| {
        let mut request = format!("ws://{addr}/graphql")
            .into_client_request()
            .unwrap();
        let headers = request.headers_mut();
        headers.insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        headers.insert(
            "cookie",
            format!("medgraph_session={token}").parse().unwrap(),
        );
        if let Some(origin) = origin {
            headers.insert("origin", origin.parse().unwrap());
        }
        request
    };
    match tokio_tungstenite::connect_async(request(Some("https://evil.example"))).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), StatusCode::FORBIDDEN);
        }
        other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
    }
    let own = format!("http://{addr}");
    assert!(
        tokio_tungstenite::connect_async(request(Some(&own)))
            .await
            .is_ok()
    );
    assert!(
        tokio_tungstenite::connect_async(request(None))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn metrics_need_the_token_or_their_own_address() {
    // Development without settings: public, as before.
    let app = common::app().await;
    let (status, _, _) = app
        .send(Request::get("/metrics").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);

    let app = common::app_with(|c| {
        c.production = true;
        c.metrics.token = Some("scrape-secret".into());
    })
    .await;
    for auth in [None, Some("Bearer wrong")] {
        let mut builder = Request::get("/metrics");
        if let Some(auth) = auth {
            builder = builder.header("authorization", auth);
        }
        let (status, _, _) = app.send(builder.body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _, body) = app
        .send(
            Request::get("/metrics")
                .header("authorization", "Bearer scrape-secret")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&body).contains("medgraph_"));

    // Production without a token: not on the public address.
    let app = common::app_with(|c| c.production = true).await;
    let (status, _, _) = app
        .send(Request::get("/metrics").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Its own address: only there.
    let app = common::app_with(|c| c.metrics.listen = Some("127.0.0.1:0".parse().unwrap())).await;
    let (status, _, _) = app
        .send(Request::get("/metrics").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let metrics = medgraph::http::metrics_router(app.state.clone());
    let response = metrics
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn rate_limited_answers_say_when_to_retry() {
    let app = common::app_with(|c| c.auth.logins_per_ip_per_minute = 1).await;
    app.account("rlim", "13900000002", "pass-word-1", &[Role::Patient])
        .await;
    let login = || Some(json!({"phone": "13900000002", "password": "pass-word-1"}));
    let (status, _) = app.call("POST", "/api/user/login", login(), &[]).await;
    assert_eq!(status, StatusCode::OK);
    let request = Request::post("/api/user/login")
        .header("content-type", "application/json")
        .body(Body::from(login().unwrap().to_string()))
        .unwrap();
    let (status, headers, body) = app.send(request).await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert_eq!(v["code"], 429, "{v}");
    assert_eq!(v["error"], "RATE_LIMITED", "{v}");
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");

    // GraphQL: the error's extensions and the header.
    let body = json!({
        "query": "mutation($i: LoginInput!) { login(input: $i) { token } }",
        "variables": {"i": {"identifier": "rlim", "password": "pass-word-1"}},
    });
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (_, headers, body) = app.send(request).await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(common::first_code(&v), "RATE_LIMITED", "{v}");
    assert!(v["errors"][0]["extensions"]["retryAfter"].is_u64(), "{v}");
    assert!(headers.contains_key("retry-after"));
}

#[tokio::test]
async fn a_refused_multipart_request_is_answered_after_its_body() {
    let app = common::app().await;
    let addr = serve(&app).await;
    // 4 MiB of file without a preflight header: the client sees the 400, not a broken pipe.
    let part = reqwest::multipart::Part::bytes(vec![b'x'; 4 * 1024 * 1024]).file_name("a.bin");
    let form = reqwest::multipart::Form::new()
        .text("operations", r#"{"query":"{ __typename }"}"#)
        .text("map", "{}")
        .part("0", part);
    let response = reqwest::Client::new()
        .post(format!("http://{addr}/graphql"))
        .multipart(form)
        .send()
        .await
        .expect("an answer, not a broken pipe");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let v: Value = response.json().await.unwrap();
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("GraphQL-Preflight"),
        "{v}"
    );
}

#[tokio::test]
async fn an_unreachable_database_fails_fast_naming_host_and_cause() {
    for (url, cause) in [
        ("postgres://postgres@127.0.0.1:1/none", "connection refused"),
        (
            "postgres://postgres@no-such-host.invalid:5432/none",
            "unknown host",
        ),
    ] {
        let started = Instant::now();
        let config = medgraph::config::Config {
            database_url: Some(url.into()),
            ..medgraph::config::Config::default()
        };
        let err = match medgraph::build_app(config).await {
            Ok(_) => panic!("{url} connected"),
            Err(e) => e.to_string(),
        };
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{url}: {:?}",
            started.elapsed()
        );
        let host = url.split('@').nth(1).unwrap().split('/').next().unwrap();
        assert!(err.contains(host), "{err}");
        assert!(err.contains(cause), "{err}");
    }
}

#[tokio::test]
async fn every_account_and_address_has_a_request_budget() {
    let app = common::app_with(|c| {
        c.http.requests_per_account_per_minute = Some(3);
        c.http.requests_per_ip_per_minute = Some(5);
        c.http.trust_forwarded_for = true;
    })
    .await;
    let (_, token) = app.user_with_token("busy").await;
    // Three requests of the account pass; the fourth, in any dialect, is refused.
    for _ in 0..3 {
        let v = app.graphql("{ me { id } }", json!({}), Some(&token)).await;
        assert!(v["data"]["me"]["id"].is_string(), "{v}");
    }
    let request = Request::get("/api/v2/user")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = app.send(request).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        String::from_utf8_lossy(&body)
    );
    assert!(headers.contains_key("retry-after"));
    let body = json!({"query": "{ me { id } }"}).to_string();
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body))
        .unwrap();
    let (status, headers, body) = app.send(request).await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert_eq!(common::first_code(&v), "RATE_LIMITED");
    assert!(headers.contains_key("retry-after"));

    // Anonymous requests from one address: five pass, the sixth is refused (envelope, 200 in
    // the volunteer dialect, which keeps HTTP 200).
    for i in 0..6 {
        let (status, headers, body) = app
            .send(
                Request::get("/city")
                    .header("x-forwarded-for", "203.0.113.7")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(status, StatusCode::OK);
        if i < 5 {
            assert_eq!(v["error_code"], 0, "{v}");
        } else {
            assert_eq!(v["error_code"], 429, "{v}");
            assert!(headers.contains_key("retry-after"));
        }
    }
    // Another address still has its budget.
    let (_, _, body) = app
        .send(
            Request::get("/city")
                .header("x-forwarded-for", "203.0.113.8")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["error_code"], 0, "{v}");
}

//! Test harness: the real app in-process on a fresh database: `sqlite::memory:` by default, a
//! fresh PostgreSQL database per test when `TEST_DATABASE_URL` points at a server.

pub mod contract;

use std::path::PathBuf;

use axum::Router;
use axum::body::Body;
use http::{Request, StatusCode};
use medgraph::config::Config;
use medgraph::{AppState, build_app};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use tower::ServiceExt;

/// The smallest valid PNG: 1x1.
pub const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// A minimal PDF.
pub const PDF: &[u8] =
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub data_dir: PathBuf,
    _dir: tempfile::TempDir,
}

/// A fresh app with default configuration.
pub async fn app() -> TestApp {
    app_with(|_| {}).await
}

/// A fresh app after `tweak` adjusts the configuration.
pub async fn app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    config.database_url = Some(fresh_database_url().await);
    config.log.filter = "warn".into();
    config.auth.code_outbox = Some(dir.path().join("outbox.jsonl"));
    tweak(&mut config);
    let app = build_app(config).await.unwrap();
    TestApp {
        router: app.router,
        state: app.state,
        data_dir: dir.path().to_path_buf(),
        _dir: dir,
    }
}

/// A second server process on the same database (and data dir) as `other`: what a load
/// balancer puts side by side.
pub async fn app_sharing(other: &TestApp) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut config = (*other.state.services.config).clone();
    config.data_dir = other.data_dir.clone();
    let app = build_app(config).await.unwrap();
    TestApp {
        router: app.router,
        state: app.state,
        data_dir: other.data_dir.clone(),
        _dir: dir,
    }
}

/// Whether the tests run against PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty())
}

async fn fresh_database_url() -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(base) if !base.is_empty() => {
            let name = format!("medgraph_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(base.as_str()).await.unwrap();
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            admin.close().await.unwrap();
            let (prefix, _) = base.rsplit_once('/').unwrap();
            format!("{prefix}/{name}")
        }
        _ => "sqlite::memory:".to_owned(),
    }
}

impl TestApp {
    /// Sends a request through the whole router.
    pub async fn send(&self, request: Request<Body>) -> (StatusCode, http::HeaderMap, Vec<u8>) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec();
        (status, headers, body)
    }

    /// Sends and parses a JSON answer.
    pub async fn send_json(&self, request: Request<Body>) -> (StatusCode, Value) {
        let (status, _, body) = self.send(request).await;
        let value = serde_json::from_slice(&body)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&body)));
        (status, value)
    }

    /// POSTs a GraphQL operation as JSON, with an optional bearer token.
    pub async fn graphql(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        let mut builder = Request::post("/graphql").header("content-type", "application/json");
        if let Some(token) = token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        let body = json!({"query": query, "variables": variables}).to_string();
        let (status, value) = self
            .send_json(builder.body(Body::from(body)).unwrap())
            .await;
        assert_eq!(status, StatusCode::OK, "{value}");
        value
    }

    /// GET as JSON.
    pub async fn get_json(&self, uri: &str) -> (StatusCode, Value) {
        self.send_json(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    /// GET as a browser: the page, which must be HTML when the status is 200.
    pub async fn get_html(&self, uri: &str) -> (StatusCode, String) {
        let request = Request::get(uri)
            .header("accept", "text/html")
            .body(Body::empty())
            .unwrap();
        let (status, headers, body) = self.send(request).await;
        if status == StatusCode::OK {
            let content_type = headers["content-type"].to_str().unwrap();
            assert!(content_type.starts_with("text/html"), "{content_type}");
        }
        (status, String::from_utf8(body).unwrap())
    }

    /// A new user and a session token for them.
    pub async fn user_with_token(&self, username: &str) -> (i64, String) {
        let db = &self.state.services.db;
        let user = medgraph::domain::accounts::create_user(db, username, username)
            .await
            .unwrap();
        let (token, _) = medgraph::auth::issue_token(db, user.id, 1).await.unwrap();
        (user.id, token)
    }

    /// An account with a phone number, e-mail address, password and roles, and a session
    /// token for it (created directly, without codes).
    pub async fn account(
        &self,
        username: &str,
        phone: &str,
        password: &str,
        roles: &[medgraph::auth::Role],
    ) -> (i64, String) {
        use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
        let db = &self.state.services.db;
        let user = medgraph::domain::accounts::create_user(db, username, username)
            .await
            .unwrap();
        let mut model = user.clone().into_active_model();
        model.phone = Set(Some(phone.to_owned()));
        model.email = Set(Some(format!("{username}@example.com")));
        model.password_hash = Set(Some(
            medgraph::auth::passwords::hash(password).await.unwrap(),
        ));
        model.update(db).await.unwrap();
        for role in roles {
            medgraph::domain::accounts::grant_role(db, user.id, *role)
                .await
                .unwrap();
        }
        let (token, _) = medgraph::auth::issue_token(db, user.id, 1).await.unwrap();
        (user.id, token)
    }

    /// An administrator and a token.
    pub async fn admin(&self) -> (i64, String) {
        self.account(
            "admin",
            "13900000000",
            "admin-pass-1",
            &[medgraph::auth::Role::Administrator],
        )
        .await
    }

    /// Approves `user_id`'s pending `role` through the real review mutation, as `admin_token`
    /// (an administrator's): what turns an applicant into an acting carer.
    pub async fn approve_role(&self, admin_token: &str, user_id: i64, role: &str) {
        let answer = self
            .graphql(
                "mutation($u: ID!, $r: Role!) { reviewRole(userId: $u, role: $r, decision: APPROVE) { state } }",
                json!({"u": medgraph::graphql::node::global_id("User", user_id).0, "r": role}),
                Some(admin_token),
            )
            .await;
        assert_eq!(
            answer["data"]["reviewRole"]["state"], "APPROVED",
            "{answer}"
        );
    }

    /// Creates the organization `name` as `admin_token` (an administrator's); its global ID.
    pub async fn organization(&self, admin_token: &str, name: &str) -> String {
        let answer = self
            .graphql(
                "mutation($n: String!) { createOrganization(name: $n, description: \"\") { id } }",
                json!({"n": name}),
                Some(admin_token),
            )
            .await;
        answer["data"]["createOrganization"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{answer}"))
            .to_owned()
    }

    /// `member_token`'s owner applies to `organization` (a global ID) and `admin_token`
    /// approves the membership, through the real mutations: organizations are joined, never
    /// claimed. The membership's global ID.
    pub async fn join_organization(
        &self,
        admin_token: &str,
        member_token: &str,
        organization: &str,
    ) -> String {
        let answer = self
            .graphql(
                "mutation($o: ID!) { applyToOrganization(organizationId: $o) { id } }",
                json!({"o": organization}),
                Some(member_token),
            )
            .await;
        let membership = answer["data"]["applyToOrganization"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{answer}"))
            .to_owned();
        let answer = self
            .graphql(
                "mutation($m: ID!) { decideOrganizationMembership(id: $m, approve: true) { state } }",
                json!({"m": membership}),
                Some(admin_token),
            )
            .await;
        assert!(answer["errors"].is_null(), "{answer}");
        membership
    }

    /// Makes an approved membership its organization's administrator (as a platform
    /// administrator).
    pub async fn make_organization_administrator(&self, admin_token: &str, membership: &str) {
        let answer = self
            .graphql(
                "mutation($m: ID!) { setOrganizationAdministrator(membershipId: $m, isAdmin: true) { id } }",
                json!({"m": membership}),
                Some(admin_token),
            )
            .await;
        assert!(answer["errors"].is_null(), "{answer}");
    }

    /// Every line of the code outbox.
    pub fn outbox(&self) -> Vec<Value> {
        std::fs::read_to_string(self.data_dir.join("outbox.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The last code sent to `destination` (phone, e-mail or captcha id), if any.
    pub fn last_code(&self, destination: &str) -> Option<String> {
        self.outbox()
            .into_iter()
            .rev()
            .find(|m| m["destination"] == destination)
            .map(|m| m["code"].as_str().unwrap().to_owned())
    }

    /// Sends a JSON (or empty) request with optional headers and parses the JSON answer;
    /// an empty answer (204) is `Value::Null`.
    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut builder = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = match body {
            Some(body) => builder
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
            None => builder.body(Body::empty()).unwrap(),
        };
        let (status, _, bytes) = self.send(request).await;
        if bytes.is_empty() {
            return (status, Value::Null);
        }
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)));
        (status, value)
    }

    /// Like [`call`](Self::call), as the holder of `token` (`Authorization: Bearer`), or
    /// anonymously without one.
    pub async fn call_as(
        &self,
        method: &str,
        uri: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> (StatusCode, Value) {
        let auth = token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = auth
            .as_deref()
            .map(|a| vec![("authorization", a)])
            .unwrap_or_default();
        self.call(method, uri, body, &headers).await
    }

    /// POSTs a multipart body of text `fields` and file parts `(field, file name, content type,
    /// bytes)` and parses the JSON answer.
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(String, String)],
        files: &[(&str, &str, &str, &[u8])],
    ) -> (StatusCode, Value) {
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.post_multipart_with(path, &fields, files, &[]).await
    }

    /// [`Self::post_multipart`] with extra request `headers`.
    pub async fn post_multipart_with(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &str, &[u8])],
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let boundary = "medgraphtestpartsboundary";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        for (field, filename, content_type, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut builder = Request::builder().method("POST").uri(path).header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        );
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.send_json(builder.body(Body::from(body)).unwrap())
            .await
    }

    /// Number of rows in a table.
    pub async fn count_rows(&self, table: &str) -> i64 {
        self.count_rows_where(table, "1 = 1").await
    }

    /// Number of rows in a table that meet an SQL condition.
    pub async fn count_rows_where(&self, table: &str, condition: &str) -> i64 {
        let db = &self.state.services.db;
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table} WHERE {condition}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }

    /// SQL statements executed so far.
    pub fn statements(&self) -> u64 {
        self.state.services.statements.get()
    }
}

/// A multipart body with one file part (and optional text fields).
pub fn multipart(
    file_field: &str,
    filename: &str,
    content_type: &str,
    bytes: &[u8],
    fields: &[(&str, &str)],
) -> (String, Vec<u8>) {
    let boundary = "medgraphtestboundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The `extensions.code` of the first error.
pub fn first_code(response: &Value) -> &str {
    response["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {response}"))
}

//! The language model: medassist `POST /api/v1/chat/completions` and `LlmClient` against a small
//! fake of the OpenAI API started by each test (answers, event streams, an upstream error, a
//! slow answer, a stall in the middle of a stream, a malformed answer).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use medgraph::auth::Role;
use medgraph::error::AppError;
use medgraph::llm::{ChatMessage, LlmClient};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::common::{self, TestApp};

const KEY: &str = "sk-fake-key.0123";
const PATH: &str = "/api/v1/chat/completions";

/// The event stream the fake answers `"stream": true` with.
const EVENTS: [&str; 4] = [
    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"1+1\"}}]}\n\n",
    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"=2\"}}]}\n\n",
    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
    "data: [DONE]\n\n",
];

/// What the fake received: the `Authorization` header and the body.
#[derive(Debug, Clone)]
struct Received {
    authorization: Option<String>,
    body: Value,
}

type Log = Arc<Mutex<Vec<Received>>>;

/// A fake OpenAI-compatible API on a free local port.
pub(crate) struct Fake {
    /// Base URL, as `llm.url` takes it.
    url: String,
    log: Log,
}

impl Fake {
    pub(crate) async fn start() -> Fake {
        let log: Log = Arc::default();
        let router = Router::new()
            .route("/v1/chat/completions", post(fake_completions))
            .with_state(log.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Fake {
            url: format!("http://{addr}/v1"),
            log,
        }
    }

    fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().clone()
    }
}

/// The fake's behaviour follows the last message: `fail` (HTTP 500), `refuse` (HTTP 400 with
/// a message), `slow` (answers after 3 s), `garbage` (200 with a body that is not JSON),
/// `stall` (streams one event, then waits 3 s); otherwise a completion `echo: <text>`, or the
/// event stream when `stream` is true.
async fn fake_completions(State(log): State<Log>, headers: HeaderMap, body: String) -> Response {
    let body: Value = serde_json::from_str(&body).unwrap();
    log.lock().unwrap().push(Received {
        authorization: headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_owned()),
        body: body.clone(),
    });
    let last = body["messages"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["content"].as_str())
        .unwrap_or("")
        .to_owned();
    let stream = body["stream"] == true;
    // Markers inside a longer prompt (a medical record's text) act like the bare words.
    let last = ["fail", "slow"]
        .into_iter()
        .find(|word| last.contains(&format!("[[{word}]]")))
        .map_or(last.clone(), str::to_owned);
    match last.as_str() {
        "fail" => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                axum::Json(json!({"error": {"message": "upstream exploded"}})),
            )
                .into_response();
        }
        "refuse" => {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(
                    json!({"error": {"message": format!("unknown model {}", body["model"])}}),
                ),
            )
                .into_response();
        }
        "slow" => tokio::time::sleep(Duration::from_secs(3)).await,
        "garbage" => return "<html>gateway</html>".into_response(),
        "stall" => {
            let chunks = futures::stream::unfold(0, |step| async move {
                match step {
                    0 => Some((Ok::<_, std::io::Error>(EVENTS[0]), 1)),
                    1 => {
                        tokio::time::sleep(Duration::from_secs(3)).await;
                        Some((Ok(EVENTS[1]), 2))
                    }
                    _ => None,
                }
            });
            return (
                [("content-type", "text/event-stream")],
                Body::from_stream(chunks),
            )
                .into_response();
        }
        _ => {}
    }
    if stream {
        let chunks = futures::stream::unfold(0, |i| async move {
            if i >= EVENTS.len() {
                return None;
            }
            // Apart in time, so they really are separate chunks.
            tokio::time::sleep(Duration::from_millis(20)).await;
            Some((Ok::<_, std::io::Error>(EVENTS[i]), i + 1))
        });
        return (
            [("content-type", "text/event-stream")],
            Body::from_stream(chunks),
        )
            .into_response();
    }
    // Formatted with a fixed key order and spacing, to check it is passed on byte for byte.
    let answer = format!(
        "{{\"id\": \"chatcmpl-1\", \"object\": \"chat.completion\", \"model\": {}, \
         \"choices\": [{{\"index\": 0, \"message\": {{\"role\": \"assistant\", \"content\": {}}}, \
         \"finish_reason\": \"stop\"}}], \"usage\": {{\"total_tokens\": 7}}}}",
        body["model"],
        Value::String(format!("echo: {last}"))
    );
    ([("content-type", "application/json")], answer).into_response()
}

/// An app whose language model is `fake`, with a 1 s timeout.
pub(crate) async fn app_with_fake(
    fake: &Fake,
    tweak: impl FnOnce(&mut medgraph::config::LlmConfig),
) -> TestApp {
    let url = fake.url.clone();
    common::app_with(move |config| {
        config.llm.url = Some(url);
        config.llm.api_key = Some(KEY.into());
        config.llm.timeout_secs = 1;
        tweak(&mut config.llm);
    })
    .await
}

async fn patient(app: &TestApp) -> String {
    app.account(
        "chat-patient",
        "13800003333",
        "secret-pass-1",
        &[Role::Patient],
    )
    .await
    .1
}

/// A chat whose last user message is `text`.
fn chat(text: &str) -> Value {
    json!({
        "model": "glm4",
        "messages": [
            {"role": "system", "content": "你是一个经验丰富的AI助手"},
            {"role": "user", "content": text}
        ]
    })
}

async fn post_chat(
    app: &TestApp,
    body: Value,
    token: Option<&str>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::post(PATH).header("content-type", "application/json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    app.send(request.body(Body::from(body.to_string())).unwrap())
        .await
}

/// Asserts a medassist failure envelope and returns its message.
fn failure(status: StatusCode, body: &[u8], expected: StatusCode, code: &str) -> String {
    let body: Value = serde_json::from_slice(body)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(body)));
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["code"], expected.as_u16(), "{body}");
    assert_eq!(body["error"], code, "{body}");
    assert!(body["data"].is_null(), "{body}");
    let message = body["message"].as_str().unwrap().to_owned();
    assert!(!message.is_empty());
    assert!(!message.contains(KEY), "the key leaked: {message}");
    message
}

#[tokio::test]
async fn chat_completions_without_configuration_is_a_clear_error() {
    let app = common::app().await;
    let token = patient(&app).await;
    assert!(!app.state.services.llm.is_configured());
    let (status, _, body) = post_chat(&app, chat("hi"), Some(&token)).await;
    let message = failure(
        status,
        &body,
        StatusCode::SERVICE_UNAVAILABLE,
        "UNAVAILABLE",
    );
    assert_eq!(
        message,
        "the language model is not configured (set MEDGRAPH_LLM_URL)"
    );
    match app
        .state
        .services
        .llm
        .complete(vec![ChatMessage::user("hi")])
        .await
    {
        Err(AppError::Unavailable(m)) => assert!(m.contains("not configured"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn chat_completions_need_a_login() {
    let fake = Fake::start().await;
    let app = app_with_fake(&fake, |_| {}).await;
    let (status, _, body) = post_chat(&app, chat("hi"), None).await;
    failure(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    let (status, _, body) = post_chat(&app, chat("hi"), Some("made-up-token")).await;
    failure(status, &body, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    // A bare token works as well as a bearer one.
    let token = patient(&app).await;
    let (status, body) = app
        .call("POST", PATH, Some(chat("hi")), &[("authorization", &token)])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        fake.received().len(),
        1,
        "only the logged-in request went out"
    );
    // Other methods: 405 in the envelope.
    let (status, body) = app.call("GET", PATH, None, &[]).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    assert_eq!(body["code"], 405, "{body}");
}

#[tokio::test]
async fn chat_completions_refuse_bodies_that_are_not_chats() {
    let fake = Fake::start().await;
    let app = app_with_fake(&fake, |_| {}).await;
    let token = patient(&app).await;
    for body in [
        json!([1, 2]),
        json!({"model": "glm4"}),
        json!({"messages": "hi"}),
        json!({"messages": []}),
        json!({"messages": [{"role": "user"}]}),
        json!({"messages": [{"role": "user", "content": 5}]}),
        json!({"messages": [{"role": "user", "content": "hi"}], "stream": "yes"}),
    ] {
        let (status, _, answer) = post_chat(&app, body.clone(), Some(&token)).await;
        failure(
            status,
            &answer,
            StatusCode::UNPROCESSABLE_ENTITY,
            "BAD_USER_INPUT",
        );
    }
    // Malformed JSON, and a form body (which another site's page could send).
    for (content_type, body) in [
        ("application/json", "{\"messages\": ["),
        ("application/x-www-form-urlencoded", "messages=hi"),
        (
            "text/plain",
            "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}",
        ),
    ] {
        let request = Request::post(PATH)
            .header("content-type", content_type)
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from(body))
            .unwrap();
        let (status, _, answer) = app.send(request).await;
        failure(
            status,
            &answer,
            StatusCode::UNPROCESSABLE_ENTITY,
            "BAD_USER_INPUT",
        );
    }
    assert!(fake.received().is_empty(), "nothing went to the model");
}

#[tokio::test]
async fn chat_completions_forward_to_the_model_and_answer_its_json() {
    let fake = Fake::start().await;
    let app = app_with_fake(&fake, |llm| {
        llm.model = "glm-4".into();
        llm.allowed_models = vec!["glm-4-flash".into()];
    })
    .await;
    let token = patient(&app).await;
    let mut request = chat("你好 1+1=?");
    request["temperature"] = json!(0.3);
    let (status, headers, body) = post_chat(&app, request.clone(), Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let text = String::from_utf8(body).unwrap();
    assert!(
        text.starts_with("{\"id\": \"chatcmpl-1\", \"object\": \"chat.completion\""),
        "the upstream's answer byte for byte: {text}"
    );
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        answer["choices"][0]["message"]["content"],
        "echo: 你好 1+1=?"
    );
    assert_eq!(answer["model"], "glm-4");

    let received = fake.received();
    assert_eq!(received.len(), 1);
    let sent = &received[0];
    assert_eq!(
        sent.authorization.as_deref(),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(sent.body["model"], "glm-4", "the legacy glm4 is replaced");
    assert_eq!(sent.body["messages"], request["messages"]);
    assert_eq!(sent.body["temperature"], 0.3, "other fields pass through");

    // A model the operator allows is kept.
    let mut request = chat("hi");
    request["model"] = json!("glm-4-flash");
    let (status, _, body) = post_chat(&app, request, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(fake.received()[1].body["model"], "glm-4-flash");
    // A request without model gets the configured one.
    let (status, _, _) = post_chat(
        &app,
        json!({"messages": [{"role": "user", "content": "hi"}]}),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fake.received()[2].body["model"], "glm-4");
}

#[tokio::test]
async fn chat_completions_stream_the_events_through() {
    let fake = Fake::start().await;
    let app = app_with_fake(&fake, |_| {}).await;
    let token = patient(&app).await;
    let mut request = chat("hi");
    request["stream"] = json!(true);
    let (status, headers, body) = post_chat(&app, request, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    assert_eq!(String::from_utf8(body).unwrap(), EVENTS.concat());
    let received = fake.received();
    assert_eq!(received[0].body["stream"], true);
    assert_eq!(received[0].body["model"], "glm-4");

    // A stall in the middle: what arrived is passed on at once (not buffered, not compressed),
    // then an error event ends the stream.
    let mut request = chat("stall");
    request["stream"] = json!(true);
    let request = Request::post(PATH)
        .header("content-type", "application/json")
        .header("accept-encoding", "gzip")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(request.to_string()))
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get("content-encoding").is_none());
    let mut body = response.into_body();
    let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
    assert_eq!(first, EVENTS[0].as_bytes());
    let first_at = std::time::Instant::now();
    let rest = body.collect().await.unwrap().to_bytes();
    assert!(
        first_at.elapsed() >= Duration::from_millis(800),
        "the first event was held back until the end: the rest came {:?} after it",
        first_at.elapsed()
    );
    let text = String::from_utf8([first.as_ref(), rest.as_ref()].concat()).unwrap();
    let last = text
        .trim_end()
        .rsplit("\n\n")
        .next()
        .unwrap()
        .strip_prefix("data: ")
        .unwrap();
    let event: Value = serde_json::from_str(last).unwrap();
    assert_eq!(event["error"]["code"], "UNAVAILABLE", "{text}");
    assert_eq!(
        event["error"]["message"],
        "the language model did not answer within 1 s"
    );
}

#[tokio::test]
async fn chat_completions_report_upstream_errors_and_timeouts() {
    let fake = Fake::start().await;
    let app = app_with_fake(&fake, |_| {}).await;
    let token = patient(&app).await;

    let (status, _, body) = post_chat(&app, chat("fail"), Some(&token)).await;
    let message = failure(
        status,
        &body,
        StatusCode::SERVICE_UNAVAILABLE,
        "UNAVAILABLE",
    );
    assert_eq!(message, "the language model answered HTTP 500");

    let (status, _, body) = post_chat(&app, chat("refuse"), Some(&token)).await;
    let message = failure(
        status,
        &body,
        StatusCode::SERVICE_UNAVAILABLE,
        "UNAVAILABLE",
    );
    assert_eq!(
        message,
        "the language model answered HTTP 400: unknown model \"glm-4\""
    );

    let (status, _, body) = post_chat(&app, chat("slow"), Some(&token)).await;
    let message = failure(
        status,
        &body,
        StatusCode::SERVICE_UNAVAILABLE,
        "UNAVAILABLE",
    );
    assert_eq!(message, "the language model did not answer within 1 s");

    let mut request = chat("slow");
    request["stream"] = json!(true);
    let (status, _, body) = post_chat(&app, request, Some(&token)).await;
    let message = failure(
        status,
        &body,
        StatusCode::SERVICE_UNAVAILABLE,
        "UNAVAILABLE",
    );
    assert_eq!(message, "the language model did not answer within 1 s");

    let (status, _, body) = post_chat(&app, chat("garbage"), Some(&token)).await;
    let message = failure(
        status,
        &body,
        StatusCode::SERVICE_UNAVAILABLE,
        "UNAVAILABLE",
    );
    assert_eq!(message, "the language model gave a malformed answer");
}

#[tokio::test]
async fn chat_completions_are_limited_per_user() {
    let fake = Fake::start().await;
    let app = app_with_fake(&fake, |llm| llm.requests_per_user_per_minute = 2).await;
    let token = patient(&app).await;
    let mut statuses = Vec::new();
    // Five requests: even when a minute boundary falls between two of them, one window gets
    // more than two.
    for _ in 0..5 {
        let (status, _, body) = post_chat(&app, chat("hi"), Some(&token)).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            failure(status, &body, StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED");
        }
        statuses.push(status);
    }
    assert_eq!(statuses[..2], [StatusCode::OK, StatusCode::OK]);
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let allowed = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(
        fake.received().len(),
        allowed,
        "refused requests did not go out"
    );
    // Another user has a budget of their own.
    let (_, other) = app.user_with_token("chat-other").await;
    let (status, _, _) = post_chat(&app, chat("hi"), Some(&other)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn client_complete_returns_the_first_choice() {
    let fake = Fake::start().await;
    let client = LlmClient::from_config(&medgraph::config::LlmConfig {
        url: Some(format!("{}/", fake.url)),
        api_key: Some(KEY.into()),
        model: "summary-model".into(),
        timeout_secs: 1,
        ..Default::default()
    });
    assert!(client.is_configured());
    let messages = vec![
        ChatMessage::system("Summarise the records."),
        ChatMessage::user("2026-01-02 fever"),
    ];
    let text = client.complete(messages.clone()).await.unwrap();
    assert_eq!(text, "echo: 2026-01-02 fever");
    let sent = &fake.received()[0];
    assert_eq!(sent.body["model"], "summary-model");
    assert_eq!(sent.body["stream"], false);
    assert_eq!(
        sent.body["messages"],
        serde_json::to_value(&messages).unwrap()
    );
    assert_eq!(
        sent.authorization.as_deref(),
        Some(format!("Bearer {KEY}").as_str())
    );

    for (last, expected) in [
        ("fail", "the language model answered HTTP 500"),
        ("slow", "the language model did not answer within 1 s"),
        ("garbage", "the language model gave a malformed answer"),
    ] {
        match client.complete(vec![ChatMessage::user(last)]).await {
            Err(AppError::Unavailable(m)) => assert_eq!(m, expected),
            other => panic!("{last}: {other:?}"),
        }
    }
    assert!(matches!(
        client.complete(Vec::new()).await,
        Err(AppError::BadInput { .. })
    ));

    // Nothing listens: unreachable, not a hang.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let client = LlmClient::from_config(&medgraph::config::LlmConfig {
        url: Some(format!("http://{addr}/v1")),
        timeout_secs: 1,
        ..Default::default()
    });
    match client.complete(vec![ChatMessage::user("hi")]).await {
        Err(AppError::Unavailable(m)) => assert_eq!(m, "the language model cannot be reached"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn openapi_documents_chat_completions() {
    let app = common::app().await;
    let (status, doc) = app.get_json("/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let op = &doc["paths"][PATH]["post"];
    assert_eq!(op["tags"], json!(["medassist"]), "{op}");
    assert_eq!(op["parameters"][0]["name"], "Authorization");
    assert_eq!(op["parameters"][0]["required"], true);
    assert!(op["description"].as_str().unwrap().contains("login"));
    let example = &op["requestBody"]["content"]["application/json"]["example"];
    assert_eq!(example["model"], "glm4", "{op}");
    let ok = &op["responses"]["200"]["content"];
    assert!(ok["application/json"].is_object(), "{op}");
    assert!(ok["text/event-stream"].is_object(), "{op}");
    assert!(op["responses"]["default"].is_object());
}

// -------------------------------------------------------------------------------------------
// GET /api/ai/getMedicalSum: a summary of a patient's medical records.

const SUMMARY: &str = "/api/ai/getMedicalSum";

async fn get_summary(app: &TestApp, query: &str, token: &str) -> (StatusCode, Value) {
    app.call(
        "GET",
        &format!("{SUMMARY}{query}"),
        None,
        &[("authorization", token)],
    )
    .await
}

#[tokio::test]
async fn medical_summary_without_configuration_reads_nothing() {
    let app = common::app().await;
    let cast = crate::care_medassist::cast(&app).await;
    crate::care_graphql::seed_visits(&app, cast.patient.0, cast.doctor.0, cast.admin.0, 1).await;
    let audited = app.count_rows("audit_log").await;
    let (status, body) = get_summary(&app, "", &cast.patient.1).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("not configured"),
        "{body}"
    );
    assert_eq!(app.count_rows("audit_log").await, audited);
}

#[tokio::test]
async fn medical_summary_asks_the_model_for_those_involved_only() {
    let fake = Fake::start().await;
    let app = app_with_fake(&fake, |_| {}).await;
    let cast = crate::care_medassist::cast(&app).await;
    crate::care_graphql::seed_visits(&app, cast.patient.0, cast.doctor.0, cast.admin.0, 2).await;
    let patient_uuid = {
        let (_, me) = app
            .call(
                "GET",
                "/api/user/queryUserMessage",
                None,
                &[("authorization", &cast.patient.1)],
            )
            .await;
        me["data"]["uuid"].as_str().unwrap().to_owned()
    };

    let audited = app.count_rows("audit_log").await;
    let (status, body) = get_summary(&app, "", &cast.patient.1).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let data = &body["data"];
    assert_eq!(data["record_count"], 2);
    assert_eq!(data["patientUuid"], patient_uuid);
    let summary = data["summary"].as_str().unwrap();
    assert!(summary.starts_with("echo: "), "{summary}");
    assert!(
        summary.contains("诊断0") && summary.contains("诊断1"),
        "{summary}"
    );
    // Both records went to the model, and both reads are in the audit log.
    assert_eq!(app.count_rows("audit_log").await, audited + 2);
    let sent = fake.received().pop().unwrap();
    assert_eq!(
        sent.authorization.as_deref(),
        Some(&*format!("Bearer {KEY}"))
    );
    assert_eq!(sent.body["model"], "glm-4");
    assert_eq!(sent.body["messages"][0]["role"], "system");
    assert!(
        sent.body["messages"][1]["content"]
            .as_str()
            .unwrap()
            .contains("第0次问诊")
    );

    // The treating physician may ask about the patient; another physician may not.
    let query = format!("?patientUuid={patient_uuid}");
    let (status, body) = get_summary(&app, &query, &cast.doctor.1).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = get_summary(&app, &query, &cast.other_doctor.1).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = get_summary(&app, &query, &cast.admin.1).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = get_summary(&app, "?patientUuid=d59aa28a", &cast.doctor.1).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // A patient without records gets a clear 404, and the model is not asked.
    let asked = fake.received().len();
    let (status, body) = get_summary(&app, "", &cast.other_patient.1).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(fake.received().len(), asked);
    let (status, _) = app.call("GET", SUMMARY, None, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn medical_summary_reports_upstream_errors_and_timeouts() {
    let fake = Fake::start().await;
    let app = app_with_fake(&fake, |_| {}).await;
    let cast = crate::care_medassist::cast(&app).await;
    crate::care_graphql::seed_described(
        &app,
        cast.patient.0,
        cast.doctor.0,
        cast.admin.0,
        &["病情 [[fail]]".to_owned()],
    )
    .await;
    crate::care_graphql::seed_described(
        &app,
        cast.other_patient.0,
        cast.doctor.0,
        cast.admin.0,
        &["病情 [[slow]]".to_owned()],
    )
    .await;
    let (status, body) = get_summary(&app, "", &cast.patient.1).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body["message"].as_str().unwrap().contains("500"), "{body}");
    let (status, body) = get_summary(&app, "", &cast.other_patient.1).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("did not answer"),
        "{body}"
    );
    // The same through GraphQL, with the code.
    let response = app
        .graphql(
            "{ medicalSummary { summary } }",
            json!({}),
            Some(&cast.patient.1),
        )
        .await;
    assert_eq!(common::first_code(&response), "UNAVAILABLE");
}

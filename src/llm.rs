//! The language model: a client of an OpenAI-compatible chat-completions API (`llm.url`,
//! `llm.api_key`, `llm.model`), used by the medassist proxy `POST /api/v1/chat/completions` and
//! by the medical-record summary.
//!
//! Every failure is an [`AppError`]: `UNAVAILABLE` when the model is not configured, does not
//! answer in time, answers an HTTP error or something that is not a chat completion;
//! `BAD_USER_INPUT` for a request that is not a chat. The API key is sent as a bearer token and
//! never logged or shown.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::config::LlmConfig;
use crate::error::{AppError, AppResult};

/// What the endpoints answer while `llm.url` is not set.
pub const NOT_CONFIGURED: &str = "the language model is not configured (set MEDGRAPH_LLM_URL)";

/// At most this many characters of an upstream error are logged or shown.
const UPSTREAM_DETAIL_CHARS: usize = 200;

/// One message of a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// `system`, `user` or `assistant`.
    pub role: String,
    /// The text of the message.
    pub content: String,
}

impl ChatMessage {
    /// A `system` message (instructions).
    pub fn system(content: impl Into<String>) -> Self {
        Self {
            role: "system".into(),
            content: content.into(),
        }
    }

    /// A `user` message.
    pub fn user(content: impl Into<String>) -> Self {
        Self {
            role: "user".into(),
            content: content.into(),
        }
    }
}

/// The upstream's answer to a forwarded chat-completions request.
pub enum Forwarded {
    /// A whole JSON answer, byte for byte as the upstream sent it.
    Json(Bytes),
    /// Server-sent events (`text/event-stream`), chunk by chunk as the upstream sends them. A
    /// failure in the middle (a timeout between chunks, a broken connection) ends the stream
    /// with one event `data: {"error": {"message", "code"}}`.
    Stream(BoxStream<'static, Bytes>),
}

impl std::fmt::Debug for Forwarded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Forwarded::Json(bytes) => write!(f, "Forwarded::Json({} bytes)", bytes.len()),
            Forwarded::Stream(_) => f.write_str("Forwarded::Stream"),
        }
    }
}

/// A client of the configured language model; cheap to clone.
#[derive(Clone)]
pub struct LlmClient {
    state: Arc<State>,
}

enum State {
    /// `llm.url` is not set.
    Unconfigured,
    /// Configured, but the HTTP client could not be built (the reason was logged).
    Broken,
    Ready(Upstream),
}

struct Upstream {
    http: reqwest::Client,
    /// `{url}/chat/completions`.
    endpoint: String,
    api_key: Option<String>,
    model: String,
    allowed_models: Vec<String>,
    timeout: Duration,
    requests_per_user_per_minute: u32,
}

impl std::fmt::Debug for LlmClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.state.as_ref() {
            State::Unconfigured => f.write_str("LlmClient(not configured)"),
            State::Broken => f.write_str("LlmClient(broken)"),
            State::Ready(up) => f
                .debug_struct("LlmClient")
                .field("endpoint", &up.endpoint)
                .field("model", &up.model)
                .field("api_key", &up.api_key.as_ref().map(|_| "<redacted>"))
                .finish(),
        }
    }
}

impl LlmClient {
    /// A client for the configured model (one that answers "not configured" without `url`).
    pub fn from_config(config: &LlmConfig) -> LlmClient {
        let Some(url) = config
            .url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        else {
            return LlmClient {
                state: Arc::new(State::Unconfigured),
            };
        };
        let url = url.trim_end_matches('/');
        let endpoint = if url.ends_with("/chat/completions") {
            url.to_owned()
        } else {
            format!("{url}/chat/completions")
        };
        let timeout = Duration::from_secs(config.timeout_secs.max(1));
        // The read timeout bounds the wait for the answer's headers and for every chunk of a
        // stream; whole (non-streamed) answers get `timeout` as a total deadline per request.
        let http = reqwest::Client::builder()
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .read_timeout(timeout)
            .build();
        let state = match http {
            Ok(http) => State::Ready(Upstream {
                http,
                endpoint,
                api_key: config
                    .api_key
                    .as_deref()
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .map(str::to_owned),
                model: config.model.clone(),
                allowed_models: config.allowed_models.clone(),
                timeout,
                requests_per_user_per_minute: config.requests_per_user_per_minute,
            }),
            Err(err) => {
                tracing::error!(error = %err, "the language-model HTTP client could not be built");
                State::Broken
            }
        };
        LlmClient {
            state: Arc::new(state),
        }
    }

    /// Whether `llm.url` is set.
    pub fn is_configured(&self) -> bool {
        !matches!(self.state.as_ref(), State::Unconfigured)
    }

    fn upstream(&self) -> AppResult<&Upstream> {
        match self.state.as_ref() {
            State::Ready(upstream) => Ok(upstream),
            State::Unconfigured => Err(AppError::Unavailable(NOT_CONFIGURED.into())),
            State::Broken => Err(AppError::Unavailable(
                "the language-model client could not be started (see the server log)".into(),
            )),
        }
    }

    /// Counts one language-model request of `user_id` and refuses with `RATE_LIMITED` beyond
    /// `llm.requests_per_user_per_minute`. Every endpoint that calls the model for a user
    /// shares this one budget.
    pub async fn check_rate_limit(&self, db: &DatabaseConnection, user_id: i64) -> AppResult<()> {
        let limit = match self.state.as_ref() {
            State::Ready(upstream) => upstream.requests_per_user_per_minute,
            _ => return Ok(()),
        };
        crate::ratelimit::check(
            db,
            &format!("llm:user:{user_id}"),
            60,
            limit,
            "language-model requests",
        )
        .await
    }

    /// Asks the configured model for a completion of `messages` (not streamed) and returns the
    /// text of its first choice (`choices[0].message.content`).
    pub async fn complete(&self, messages: Vec<ChatMessage>) -> AppResult<String> {
        let upstream = self.upstream()?;
        if messages.is_empty() {
            return Err(AppError::bad_field(
                "messages",
                "at least one message is required",
            ));
        }
        let body = json!({"model": upstream.model, "messages": messages, "stream": false});
        let response = upstream.send(&body, false).await?;
        let bytes = upstream.read_whole(response).await?;
        let answer: Value = serde_json::from_slice(&bytes).map_err(|_| malformed())?;
        answer
            .pointer("/choices/0/message/content")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(malformed)
    }

    /// Forwards a client's OpenAI-style chat-completions request.
    ///
    /// `body` must be a JSON object with a non-empty `messages` array of `{role, content}`
    /// strings; `stream`, when present, a boolean. Every other field is passed on unchanged,
    /// except `model`: the configured model is used unless the client names one listed in
    /// `llm.allowed_models` (legacy clients send `"glm4"`, which no upstream knows by that name,
    /// and the operator, not the client, chooses what the paid account is spent on).
    ///
    /// The answer is the upstream's JSON as it came, or (`"stream": true`) its event stream.
    pub async fn forward(&self, body: Value) -> AppResult<Forwarded> {
        let upstream = self.upstream()?;
        let (body, stream) = upstream.prepare(body)?;
        let response = upstream.send(&body, stream).await?;
        let is_event_stream = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                ct.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("text/event-stream")
            });
        if is_event_stream {
            return Ok(Forwarded::Stream(upstream.event_stream(response)));
        }
        let bytes = upstream.read_whole(response).await?;
        if serde_json::from_slice::<Map<String, Value>>(&bytes).is_err() {
            return Err(malformed());
        }
        Ok(Forwarded::Json(bytes))
    }
}

impl Upstream {
    /// Checks a client's request and sets its model.
    fn prepare(&self, body: Value) -> AppResult<(Value, bool)> {
        let Value::Object(mut body) = body else {
            return Err(AppError::bad_field(
                "body",
                "the body must be a JSON object",
            ));
        };
        let messages = match body.get("messages") {
            None | Some(Value::Null) => {
                return Err(AppError::bad_field("messages", "messages is required"));
            }
            Some(Value::Array(messages)) => messages,
            Some(_) => {
                return Err(AppError::bad_field(
                    "messages",
                    "messages must be an array of {role, content} objects",
                ));
            }
        };
        if messages.is_empty() {
            return Err(AppError::bad_field(
                "messages",
                "messages must not be empty",
            ));
        }
        for (i, message) in messages.iter().enumerate() {
            for key in ["role", "content"] {
                if !message.get(key).is_some_and(Value::is_string) {
                    return Err(AppError::bad_field(
                        "messages",
                        format!("messages[{i}] needs a string {key}"),
                    ));
                }
            }
        }
        let stream = match body.get("stream") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(stream)) => *stream,
            Some(_) => {
                return Err(AppError::bad_field(
                    "stream",
                    "stream must be true or false",
                ));
            }
        };
        let model = match body.get("model") {
            None | Some(Value::Null) => None,
            Some(Value::String(model)) => Some(model.as_str()),
            Some(_) => return Err(AppError::bad_field("model", "model must be a string")),
        };
        let model = match model {
            Some(model) if self.allowed_models.iter().any(|m| m == model) => model.to_owned(),
            _ => self.model.clone(),
        };
        body.insert("model".into(), Value::String(model));
        Ok((Value::Object(body), stream))
    }

    /// Posts `body` and returns the answer when its status is a success.
    async fn send(&self, body: &Value, stream: bool) -> AppResult<reqwest::Response> {
        let mut request = self.http.post(&self.endpoint).json(body);
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key);
        }
        if stream {
            request = request.header(reqwest::header::ACCEPT, "text/event-stream");
        } else {
            request = request.timeout(self.timeout);
        }
        let response = request.send().await.map_err(|e| self.transport_error(e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let detail = match tokio::time::timeout(self.timeout, response.bytes()).await {
            Ok(Ok(bytes)) => self.upstream_detail(&bytes),
            _ => String::new(),
        };
        tracing::warn!(
            status = status.as_u16(),
            detail = %detail,
            "the language model answered an error"
        );
        let mut message = format!("the language model answered HTTP {}", status.as_u16());
        // Request problems (an unknown model, a bad parameter) are worth showing; credential
        // problems are the operator's, and their messages may quote part of the key.
        if matches!(status.as_u16(), 400 | 404 | 413 | 422) && !detail.is_empty() {
            message.push_str(": ");
            message.push_str(&detail);
        }
        Err(AppError::Unavailable(message))
    }

    /// The whole body of a successful answer.
    async fn read_whole(&self, response: reqwest::Response) -> AppResult<Bytes> {
        response.bytes().await.map_err(|e| self.transport_error(e))
    }

    /// The answer's event stream, ended by an error event when the upstream fails mid-way.
    fn event_stream(&self, response: reqwest::Response) -> BoxStream<'static, Bytes> {
        let timeout_secs = self.timeout.as_secs();
        let mut chunks = response.bytes_stream();
        let stream = async_stream::stream! {
            let mut at_event_boundary = true;
            while let Some(chunk) = chunks.next().await {
                match chunk {
                    Ok(bytes) => {
                        if !bytes.is_empty() {
                            at_event_boundary = bytes.ends_with(b"\n\n") || bytes.ends_with(b"\r\n\r\n");
                        }
                        yield bytes;
                    }
                    Err(err) => {
                        let err = transport_error(err, timeout_secs);
                        let event = json!({"error": {
                            "message": err.public_message(),
                            "code": err.code(),
                        }});
                        let separator = if at_event_boundary { "" } else { "\n\n" };
                        yield Bytes::from(format!("{separator}data: {event}\n\n"));
                        break;
                    }
                }
            }
        };
        stream.boxed()
    }

    fn transport_error(&self, err: reqwest::Error) -> AppError {
        transport_error(err, self.timeout.as_secs())
    }

    /// The upstream's error message (`error.message`, or the start of the body), without the
    /// key, for the log and request errors.
    fn upstream_detail(&self, body: &[u8]) -> String {
        let text = match serde_json::from_slice::<Value>(body) {
            Ok(value) => value
                .pointer("/error/message")
                .or_else(|| value.get("message"))
                .or_else(|| value.get("error"))
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| value.to_string()),
            Err(_) => String::from_utf8_lossy(body).into_owned(),
        };
        let mut text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some(key) = &self.api_key {
            text = text.replace(key.as_str(), "***");
        }
        text.chars().take(UPSTREAM_DETAIL_CHARS).collect()
    }
}

/// A failure to reach the model or read its answer.
fn transport_error(err: reqwest::Error, timeout_secs: u64) -> AppError {
    if err.is_timeout() {
        tracing::warn!(timeout_secs, "the language model did not answer in time");
        return AppError::Unavailable(format!(
            "the language model did not answer within {timeout_secs} s"
        ));
    }
    let connect = err.is_connect();
    // Without the URL: a misconfigured one might carry a credential in its query.
    tracing::warn!(error = %err.without_url(), "the language model could not be reached");
    AppError::Unavailable(if connect {
        "the language model cannot be reached".into()
    } else {
        "the request to the language model failed".into()
    })
}

fn malformed() -> AppError {
    tracing::warn!("the language model's answer is not a chat completion");
    AppError::Unavailable("the language model gave a malformed answer".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(allowed: &[&str]) -> LlmClient {
        LlmClient::from_config(&LlmConfig {
            url: Some("http://127.0.0.1:9/v1/".into()),
            api_key: Some("sk-secret".into()),
            allowed_models: allowed.iter().map(|m| (*m).to_owned()).collect(),
            ..LlmConfig::default()
        })
    }

    fn upstream(client: &LlmClient) -> &Upstream {
        client.upstream().expect("configured")
    }

    #[test]
    fn endpoint_is_the_chat_completions_path_under_the_base_url() {
        let client = client(&[]);
        assert_eq!(
            upstream(&client).endpoint,
            "http://127.0.0.1:9/v1/chat/completions"
        );
        assert!(!format!("{client:?}").contains("sk-secret"));
        let unconfigured = LlmClient::from_config(&LlmConfig::default());
        assert!(!unconfigured.is_configured());
        assert!(matches!(
            unconfigured.upstream(),
            Err(AppError::Unavailable(m)) if m == NOT_CONFIGURED
        ));
    }

    #[test]
    fn configured_model_wins_unless_the_client_names_an_allowed_one() {
        let client = client(&["glm-4-flash"]);
        let up = upstream(&client);
        let chat = json!([{"role": "user", "content": "hi"}]);
        let (body, stream) = up
            .prepare(json!({"model": "glm4", "messages": chat}))
            .expect("valid");
        assert_eq!(body["model"], "glm-4");
        assert!(!stream);
        let (body, stream) = up
            .prepare(json!({"model": "glm-4-flash", "messages": chat, "stream": true, "temperature": 0.2}))
            .expect("valid");
        assert_eq!(body["model"], "glm-4-flash");
        assert_eq!(body["temperature"], 0.2);
        assert!(stream);
    }

    #[test]
    fn requests_that_are_not_chats_are_refused() {
        let client = client(&[]);
        let up = upstream(&client);
        for (body, field) in [
            (json!([1]), "body"),
            (json!({}), "messages"),
            (json!({"messages": "hi"}), "messages"),
            (json!({"messages": []}), "messages"),
            (json!({"messages": [{"role": "user"}]}), "messages"),
            (
                json!({"messages": [{"role": 1, "content": "x"}]}),
                "messages",
            ),
            (
                json!({"messages": [{"role": "user", "content": "x"}], "stream": "yes"}),
                "stream",
            ),
            (
                json!({"messages": [{"role": "user", "content": "x"}], "model": 4}),
                "model",
            ),
        ] {
            match up.prepare(body.clone()) {
                Err(AppError::BadInput { field: Some(f), .. }) => assert_eq!(f, field, "{body}"),
                other => panic!("{body}: {other:?}"),
            }
        }
    }

    #[test]
    fn upstream_details_are_short_and_without_the_key() {
        let client = client(&[]);
        let up = upstream(&client);
        let detail =
            up.upstream_detail(br#"{"error": {"message": "bad key sk-secret for model"}}"#);
        assert_eq!(detail, "bad key *** for model");
        let long = "x".repeat(1000);
        assert_eq!(
            up.upstream_detail(long.as_bytes()).len(),
            UPSTREAM_DETAIL_CHARS
        );
    }
}

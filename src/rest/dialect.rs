//! The five dialects: where they are mounted and how they wrap data and errors.

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::{Value, json};

use super::object;
use crate::error::AppError;

/// Key of a transform's answer that turns it into a refusal still carrying its data (see
/// [`failure`]); the enveloped dialects answer it as a failure.
pub const FAILURE: &str = "$failure";

/// A refusal that still carries `data` (the per-row report of an import that imported
/// nothing): the envelope answers `code` = `status`, `message`, `error` and this `data`
/// (medassist with that HTTP status, counselling with HTTP 200 as all its failures).
pub(crate) fn failure(status: StatusCode, error: &str, message: String, data: Value) -> Value {
    let mut data = data;
    if let Value::Object(map) = &mut data {
        map.insert(
            FAILURE.into(),
            json!({"code": status.as_u16(), "error": error, "message": message}),
        );
    }
    data
}

/// A legacy API family (see `shared/seeds/README.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Medical forum with coins: `{"errorCode": 200, "data": ...}`, failures keep HTTP 200.
    Forum,
    /// Volunteer doctors: `{"error_code": 0, "data": ..., "error_message": ""}`, HTTP 200.
    Volunteer,
    /// Home care (医邻助手): `{"code": 0, "message": "ok", "data": ...}` with HTTP status.
    Medassist,
    /// ThinkSNS+-style user API: plain JSON resources and HTTP status codes.
    Social,
    /// Psychological counselling: `{"code": 0, "message": "...", "data": ...}`, HTTP 200.
    Counseling,
}

impl Dialect {
    /// Every dialect.
    pub const ALL: [Dialect; 5] = [
        Dialect::Forum,
        Dialect::Volunteer,
        Dialect::Medassist,
        Dialect::Social,
        Dialect::Counseling,
    ];

    /// Lower-case name (OpenAPI tag).
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Forum => "forum",
            Dialect::Volunteer => "volunteer",
            Dialect::Medassist => "medassist",
            Dialect::Social => "social",
            Dialect::Counseling => "counseling",
        }
    }

    /// One-line description for the OpenAPI document.
    pub fn description(self) -> &'static str {
        match self {
            Dialect::Forum => {
                "Medical forum (HH microservice). Envelope {\"errorCode\": 200, \"data\": …}; failures keep HTTP 200 and carry the HTTP-like status in errorCode (400, 401, 403, 404, 409, 422, 429, 500, 503) with data.status=false and data.errorType = the error code. Auth: session cookie or the platform token."
            }
            Dialect::Volunteer => {
                "Volunteer doctors (义诊). Envelope {\"error_code\": 0, \"data\": …, \"error_message\": \"\"}; HTTP 200 always, error_code 0 on success, otherwise the HTTP-like status (400 bad input, 401 unauthenticated, 403, 404, 409, 422, 429, 500, 503). Lists in data.list with data.page. Auth: X-auth-token."
            }
            Dialect::Medassist => {
                "Home care (医邻助手). The legacy document gives no bodies; medgraph answers {\"code\": 0, \"message\": \"ok\", \"data\": …} with HTTP 200, and on failure {\"code\": <HTTP status>, \"message\": …, \"error\": <error code>, \"data\": null} with that HTTP status (405 for a wrong method; a bulk import that imports nothing answers 422 with its per-row report as data). Data speaks the document's vocabulary (the Medassist* schemas): the names its requests use (home_addr, inquiry_detail, medical_img, …), an inquiry's isInquiry code 1-4 (ours: 5 rejected, 6 cancelled) and a drug order's raw code 2-5 (ours: 6 cancelled), times as YYYY-MM-DD HH:MM[:SS] in China Standard Time, file references as one string joined by commas, no null for a documented field. Lists the document does not page answer whole, up to http.dialect_list_ceiling (default 1000), unless page/pageSize are sent. The chat proxy POST /api/v1/chat/completions answers the upstream's OpenAI-shaped JSON (its clients are OpenAI clients). Auth: Authorization header."
            }
            Dialect::Social => {
                "User API v2 (ThinkSNS+ style). Plain JSON resources; errors are {\"message\": …, \"errors\": {field: [messages]}} with 401, 403, 404, 409, 422, 429, 500 or 503. Auth: Authorization: Bearer."
            }
            Dialect::Counseling => {
                "Counselling (consultant side). Envelope {\"code\": 0, \"message\": \"success\", \"data\": …}, HTTP 200; failures carry the HTTP-like status in code (401 for a missing or mismatched userID/token). Auth: userID + token in the body."
            }
        }
    }

    /// Which dialect owns an unmatched path (for its 404 envelope).
    pub fn for_path(path: &str) -> Dialect {
        const FORUM: [&str; 3] = ["/api/UserInfo", "/api/HB", "/api/Administrator"];
        if FORUM.iter().any(|p| path.starts_with(p)) {
            Dialect::Forum
        } else if path.starts_with("/api/v2") {
            Dialect::Social
        } else if path.starts_with("/api/consultant")
            || path.starts_with("/api/consuntant")
            || path.starts_with("/api/consult/")
        {
            Dialect::Counseling
        } else if path.starts_with("/api/") {
            Dialect::Medassist
        } else {
            Dialect::Volunteer
        }
    }

    /// A success answer carrying `data`; `status` only changes plain-resource answers
    /// (social: 201, 204 without a body).
    pub fn ok(self, data: Value, status: StatusCode) -> Response {
        if self == Dialect::Social && status == StatusCode::NO_CONTENT {
            return StatusCode::NO_CONTENT.into_response();
        }
        let body = match self {
            Dialect::Forum => object([("errorCode", 200.into()), ("data", data)]),
            Dialect::Volunteer => object([
                ("error_code", 0.into()),
                ("data", data),
                ("error_message", "".into()),
            ]),
            Dialect::Medassist => {
                // A transform's failure that carries data (`medassist::failure`).
                let mut data = data;
                let failure = data.as_object_mut().and_then(|o| o.remove(FAILURE));
                if let Some(failure) = failure {
                    let status = failure["code"]
                        .as_u64()
                        .and_then(|c| u16::try_from(c).ok())
                        .and_then(|c| StatusCode::from_u16(c).ok())
                        .unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
                    let body = object([
                        ("code", status.as_u16().into()),
                        ("message", failure["message"].clone()),
                        ("error", failure["error"].clone()),
                        ("data", data),
                    ]);
                    return (status, Json(body)).into_response();
                }
                object([("code", 0.into()), ("message", "ok".into()), ("data", data)])
            }
            Dialect::Social => data,
            Dialect::Counseling => {
                // A `$top` object in the data holds fields the document puts beside `data`
                // (orders/create answers its `id` there); a `$failure` object {code, message}
                // turns the answer into a refusal that still carries its data (an import that
                // imported nothing answers its per-row report).
                let mut data = data;
                let top = data.as_object_mut().and_then(|o| o.remove("$top"));
                let failure = data.as_object_mut().and_then(|o| o.remove(FAILURE));
                let (code, message) = match &failure {
                    Some(f) => (
                        f["code"].as_u64().unwrap_or(422),
                        f["message"].as_str().unwrap_or("refused").to_owned(),
                    ),
                    None => (0, "success".to_owned()),
                };
                let mut body = object([
                    ("code", code.into()),
                    ("message", message.into()),
                    ("data", data),
                ]);
                if let (Some(Value::Object(top)), Some(body)) = (top, body.as_object_mut()) {
                    body.extend(top);
                }
                body
            }
        };
        let status = if self == Dialect::Social {
            status
        } else {
            StatusCode::OK
        };
        (status, Json(body)).into_response()
    }

    /// The answer to a method a served path does not take: HTTP 405 in the dialect's error
    /// envelope. Medassist, whose envelope carries the HTTP status, answers `code` 405 and
    /// `error` `METHOD_NOT_ALLOWED`; the other dialects keep their not-found code.
    pub fn method_not_allowed(self, message: String) -> Response {
        let mut response = if self == Dialect::Medassist {
            (
                StatusCode::METHOD_NOT_ALLOWED,
                Json(json!({
                    "code": StatusCode::METHOD_NOT_ALLOWED.as_u16(),
                    "message": message,
                    "error": "METHOD_NOT_ALLOWED",
                    "data": null,
                })),
            )
                .into_response()
        } else {
            self.error(&AppError::NotFound(message))
        };
        *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        response
    }

    /// A failure answer for `err`.
    pub fn error(self, err: &AppError) -> Response {
        self.error_coded(err, None)
    }

    /// A failure answer for `err` whose envelope code is `code` when the endpoint documents
    /// its own (the forum's follow endpoints answer errorCode 118); the HTTP status stays.
    pub fn error_coded(self, err: &AppError, code: Option<u16>) -> Response {
        let mut response = self.error_body(err, code);
        if let Some(secs) = err.retry_after_secs()
            && let Ok(value) = http::HeaderValue::from_str(&secs.to_string())
        {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, value);
        }
        response
    }

    fn error_body(self, err: &AppError, code: Option<u16>) -> Response {
        let status = err.http_status();
        let code = code.unwrap_or(status.as_u16());
        let message = err.public_message();
        match self {
            Dialect::Forum => (
                StatusCode::OK,
                Json(json!({
                    "errorCode": code,
                    "data": {"status": false, "errorType": err.code(), "message": message},
                })),
            )
                .into_response(),
            Dialect::Volunteer => (
                StatusCode::OK,
                Json(json!({"error_code": code, "data": null, "error_message": message})),
            )
                .into_response(),
            Dialect::Medassist => (
                status,
                Json(json!({"code": code, "message": message, "error": err.code(), "data": null})),
            )
                .into_response(),
            Dialect::Social => {
                let mut body = json!({"message": message});
                let fields = err.field_messages();
                if !fields.is_empty() {
                    body["errors"] = Value::Object(
                        fields
                            .into_iter()
                            .map(|(field, messages)| (field, json!(messages)))
                            .collect(),
                    );
                }
                (status, Json(body)).into_response()
            }
            Dialect::Counseling => (
                StatusCode::OK,
                Json(json!({"code": code, "message": message, "data": null})),
            )
                .into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_their_dialect() {
        assert_eq!(Dialect::for_path("/api/UserInfo/Details"), Dialect::Forum);
        assert_eq!(Dialect::for_path("/api/v2/users"), Dialect::Social);
        assert_eq!(Dialect::for_path("/api/consuntant/x"), Dialect::Counseling);
        assert_eq!(
            Dialect::for_path("/api/consult/auth/phone"),
            Dialect::Counseling
        );
        assert_eq!(Dialect::for_path("/api/upload"), Dialect::Medassist);
        assert_eq!(Dialect::for_path("/city"), Dialect::Volunteer);
    }
}

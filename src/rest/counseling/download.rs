//! `POST /api/consultant/interview/download`: template files by name, answered as the file
//! itself (several as one zip), so it is served here rather than through a route table (a
//! GraphQL result cannot carry bytes). Errors answer in the dialect's envelope.

use std::collections::HashMap;

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::header;
use serde_json::Value;

use super::super::Dialect;
use super::super::extract::{Inputs, parse_query, read_body};
use super::super::handler::authenticate;
use crate::AppState;
use crate::domain::templates;
use crate::error::{AppError, AppResult};

/// Path of the download endpoint.
pub const PATH: &str = "/api/consultant/interview/download";

/// Serves the named template files.
pub async fn download(State(state): State<AppState>, request: Request) -> Response {
    match run(&state, request).await {
        Ok(response) => response,
        Err(err) => Dialect::Counseling.error(&err),
    }
}

fn names_of(value: Option<&Value>) -> AppResult<Vec<String>> {
    let bad = || AppError::bad_field("fileNames", "fileNames is a list of file names");
    Ok(match value {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(bad))
            .collect::<AppResult<_>>()?,
        Some(Value::String(s)) if s.trim_start().starts_with('[') => {
            serde_json::from_str(s).map_err(|_| bad())?
        }
        Some(Value::String(s)) => s.split(',').map(|n| n.trim().to_owned()).collect(),
        Some(_) => return Err(bad()),
        None => return Err(AppError::bad_field("fileNames", "fileNames is required")),
    })
}

/// RFC 5987 encoding of a file name for `filename*`.
fn encode_name(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn run(state: &AppState, request: Request) -> AppResult<Response> {
    let (parts, body) = request.into_parts();
    let query = parse_query(parts.uri.query())?;
    let headers = parts.headers.clone();
    let limit = state.services.config.http.body_limit_bytes;
    let (body, files) = read_body(Request::from_parts(parts, body), limit).await?;
    let inputs = Inputs {
        path: HashMap::new(),
        query,
        body,
        files,
        headers,
    };
    let auth = authenticate(state, Dialect::Counseling, &inputs).await?;
    let viewer = auth.require()?;
    let names = names_of(
        inputs
            .body
            .get("fileNames")
            .or_else(|| inputs.body.get("file_names")),
    )?;
    let file = templates::download(&state.services, viewer, &names).await?;
    let ascii: String = file
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
                    encode_name(&file.file_name)
                ),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        file.bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_as_a_list_or_text() {
        let list = serde_json::json!(["a.xlsx", "b.pdf"]);
        assert_eq!(
            names_of(Some(&list)).ok(),
            Some(vec!["a.xlsx".into(), "b.pdf".into()])
        );
        let text = Value::from("a.xlsx, b.pdf");
        assert_eq!(
            names_of(Some(&text)).ok(),
            Some(vec!["a.xlsx".into(), "b.pdf".into()])
        );
        assert!(names_of(None).is_err());
        assert_eq!(encode_name("模板 1.xlsx"), "%E6%A8%A1%E6%9D%BF%201.xlsx");
    }
}

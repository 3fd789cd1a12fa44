//! `GET /files/{hash}`: stored files with their sniffed type.
//!
//! Public files (avatars, news and post images, templates: every file no sensitive record
//! refers to) are served to anyone with long caching (content addresses never change).
//! Sensitive files follow their record ([`crate::domain::file_access`]): only a caller with a
//! session (any carrier: `Authorization`, `X-auth-token`, the session cookie) who may read one
//! of the records that refer to the file gets it, the read is audited under the record, and
//! the answer is `Cache-Control: private, no-store`. Anyone else, anonymous or not, gets the
//! same 404 as for a file that does not exist: the answer never confirms that a sensitive file
//! exists.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};

use crate::AppState;
use crate::auth::token_from_headers;
use crate::domain::{file_access, files};
use crate::error::AppError;

/// What a caller who may not see a file gets: the answer for a file that does not exist.
fn not_found() -> AppError {
    AppError::NotFound("no such file".into())
}

/// Serves one file.
pub async fn serve(
    State(state): State<AppState>,
    Path(hash): Path<String>,
    headers: HeaderMap,
) -> Response {
    match serve_inner(&state, &hash.to_ascii_lowercase(), &headers).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    }
}

async fn serve_inner(
    state: &AppState,
    hash: &str,
    headers: &HeaderMap,
) -> Result<Response, AppError> {
    let db = &state.services.db;
    let meta = files::find(db, hash).await?.ok_or_else(not_found)?;
    let refs = file_access::references(db, hash).await?;
    let sensitive = !refs.is_empty();
    if sensitive {
        let token = token_from_headers(headers, &state.services.config.auth.cookie_name);
        let viewer = match token {
            Some(token) => state.authenticate(Some(&token), headers).await?.viewer,
            None => None,
        };
        let Some(viewer) = viewer else {
            return Err(not_found());
        };
        if !file_access::authorize_read(db, &viewer, &refs).await? {
            return Err(not_found());
        }
    }
    let etag = format!("\"{hash}\"");
    let cache = if sensitive {
        HeaderValue::from_static("private, no-store")
    } else {
        HeaderValue::from_static("public, max-age=31536000, immutable")
    };
    if !sensitive
        && headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag),
                (
                    header::CACHE_CONTROL,
                    cache.to_str().unwrap_or_default().to_owned(),
                ),
            ],
        )
            .into_response());
    }
    let stream = state.services.files.get(hash).await?;
    let mut response = Body::from_stream(stream).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&meta.content_type).map_err(AppError::internal)?,
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(meta.size));
    h.insert(header::CACHE_CONTROL, cache);
    if sensitive {
        // A shared cache must not key the answer on the address alone.
        h.insert(
            header::VARY,
            HeaderValue::from_static("authorization, x-auth-token, cookie"),
        );
    } else {
        h.insert(
            header::ETAG,
            HeaderValue::from_str(&etag).map_err(AppError::internal)?,
        );
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    if !meta.content_type.starts_with("image/") {
        h.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment"),
        );
    }
    Ok(response)
}

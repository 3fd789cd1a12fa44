//! `GET /captcha/app` (volunteer): a PNG captcha bound to the client by an HttpOnly cookie;
//! `POST /verifycode` checks the answer before sending an SMS code.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, header};

use crate::AppState;
use crate::auth::captcha;
use crate::auth::codes::{CodeMessage, CodeSender};
use crate::error::AppError;
use crate::rest::Dialect;

/// Serves a fresh captcha image and sets its cookie.
pub async fn image(State(state): State<AppState>) -> Response {
    match issue(&state).await {
        Ok(response) => response,
        Err(err) => Dialect::Volunteer.error(&err),
    }
}

async fn issue(state: &AppState) -> Result<Response, AppError> {
    let services = &state.services;
    let (id, answer, png) = captcha::create(&services.db).await?;
    if let Some(outbox) = &services.codes.outbox {
        outbox
            .send(&CodeMessage {
                channel: "captcha",
                destination: id.clone(),
                purpose: "captcha",
                code: answer,
                sent_at: chrono::Utc::now(),
            })
            .await?;
    }
    let secure = if services.config.auth.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={id}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
        captcha::COOKIE,
        captcha::TTL_SECS
    );
    let cookie = HeaderValue::from_str(&cookie).map_err(AppError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/png")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (header::SET_COOKIE, cookie),
        ],
        png,
    )
        .into_response())
}

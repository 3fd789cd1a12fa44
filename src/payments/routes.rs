//! The providers' asynchronous notification endpoints. They are not dialect routes: the provider
//! posts form fields and expects a bare text answer, `success` (stop retrying) or `failure`.
//!
//! - `POST /payments/alipay/notify` (form-encoded, as Alipay posts it)
//! - `POST /payments/sandbox/notify` (the sandbox payment page posts here)
//!
//! A serial starting with `D` is a free clinic's deposit (`domain::registrations`); any other a
//! coin recharge (`domain::recharge`).

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use http::header;
use serde_json::json;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::{ResponseBuilder, ResponsesBuilder};
use utoipa::openapi::{ContentBuilder, Required};

use super::Fields;
use crate::AppState;
use crate::domain::recharge::{self, Settlement};
use crate::domain::registrations::{self, DepositSettlement};
use crate::error::{AppError, AppResult};

/// Path of Alipay's notifications.
pub const ALIPAY_NOTIFY: &str = "/payments/alipay/notify";
/// Path of the sandbox's notifications.
pub const SANDBOX_NOTIFY: &str = "/payments/sandbox/notify";

/// The notification routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(ALIPAY_NOTIFY, post(alipay_notify))
        .route(SANDBOX_NOTIFY, post(sandbox_notify))
}

async fn alipay_notify(State(state): State<AppState>, body: Bytes) -> Response {
    answer(handle(&state, super::alipay::NAME, &body).await)
}

async fn sandbox_notify(State(state): State<AppState>, body: Bytes) -> Response {
    answer(handle(&state, super::sandbox::NAME, &body).await)
}

/// The form fields of a body; a repeated field is malformed.
fn parse_fields(body: &[u8]) -> AppResult<Fields> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| AppError::bad_input("the notification is not a form"))?;
    let mut fields = BTreeMap::new();
    for (key, value) in pairs {
        crate::rest::refuse_nul(&key, &key)?;
        crate::rest::refuse_nul(&key, &value)?;
        if fields.insert(key, value).is_some() {
            return Err(AppError::bad_input("a notification field is repeated"));
        }
    }
    Ok(fields)
}

/// What a notification settled.
enum Settled {
    Recharge(Settlement),
    Deposit(Box<DepositSettlement>),
}

async fn handle(state: &AppState, provider_name: &str, body: &[u8]) -> AppResult<Settled> {
    let provider = state
        .services
        .payments
        .named(provider_name)
        .ok_or_else(|| {
            AppError::Unavailable(format!("the {provider_name} provider is not configured"))
        })?;
    let fields = parse_fields(body)?;
    let notice = provider.verify_notification(&fields).await?;
    let s = &state.services;
    if registrations::is_deposit_serial(&notice.serial) {
        registrations::settle_deposit(&s.db, s.bus.as_ref(), &s.payments, provider.name(), &notice)
            .await
            .map(|d| Settled::Deposit(Box::new(d)))
    } else {
        recharge::settle(&s.db, provider.name(), &notice)
            .await
            .map(Settled::Recharge)
    }
}

/// `success` for a notification handled (now or before), `failure` otherwise (logged, without
/// the fields).
fn answer(result: AppResult<Settled>) -> Response {
    let text = match result {
        Ok(settled) => {
            match &settled {
                Settled::Recharge(Settlement::Credited(order)) => {
                    tracing::info!(serial = %order.serial, coins = order.coins, "recharge credited");
                }
                Settled::Deposit(d) => match d.as_ref() {
                    DepositSettlement::Paid(r) => {
                        tracing::info!(registration = r.id, "deposit paid");
                    }
                    DepositSettlement::Refunding(r) => {
                        tracing::info!(registration = r.id, "late deposit refunded");
                    }
                    DepositSettlement::Unchanged(_) => {}
                },
                _ => {}
            }
            "success"
        }
        Err(e) => {
            tracing::warn!(error = ?e, "payment notification refused");
            "failure"
        }
    };
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

/// The notification endpoints for the OpenAPI document.
pub fn openapi_items() -> Vec<(&'static str, PathItem)> {
    [
        (
            ALIPAY_NOTIFY,
            "alipay",
            "Alipay's asynchronous notification of a page-pay trade (form-encoded, RSA2-signed \
             with Alipay's key, checked against payments.alipay.public_key and app_id). A paid \
             trade (TRADE_SUCCESS, TRADE_FINISHED) of a pending order of the same amount credits \
             its coins once; replays change nothing. Answers the text success, or failure (bad \
             signature, unknown order, amount mismatch) so that Alipay retries.",
            json!({
                "app_id": "2021000000000001", "out_trade_no": "R2026112410000012345678",
                "trade_no": "2026112422001400000000000001", "trade_status": "TRADE_SUCCESS",
                "total_amount": "3.00", "sign_type": "RSA2", "sign": "…"
            }),
        ),
        (
            SANDBOX_NOTIFY,
            "sandbox",
            "The sandbox's notification, posted by its payment page (development only): the \
             same fields as Alipay's, signed with hex HMAC-SHA256 (payments.sandbox_secret) over \
             the sorted k=v&… string of the non-empty fields but sign. Answers success or \
             failure.",
            json!({
                "out_trade_no": "R2026112410000012345678", "trade_no": "SBX2026112410000099999999",
                "trade_status": "TRADE_SUCCESS", "total_amount": "3.00", "sign": "…"
            }),
        ),
    ]
    .into_iter()
    .map(|(path, provider, summary, example)| {
        let request = RequestBodyBuilder::new()
            .required(Some(Required::True))
            .content(
                "application/x-www-form-urlencoded",
                ContentBuilder::new().example(Some(example)).build(),
            )
            .build();
        let text = |example: &str| ContentBuilder::new().example(Some(json!(example))).build();
        let operation = OperationBuilder::new()
            .tag("payments")
            .summary(Some(format!("Payment notification ({provider})")))
            .description(Some(summary))
            .operation_id(Some(format!("payments_post_{provider}_notify")))
            .request_body(Some(request))
            .responses(
                ResponsesBuilder::new()
                    .response(
                        "200",
                        ResponseBuilder::new()
                            .description("success, or failure (text/plain)")
                            .content("text/plain", text("success"))
                            .build(),
                    )
                    .build(),
            )
            .build();
        (path, PathItem::new(HttpMethod::Post, operation))
    })
    .collect()
}

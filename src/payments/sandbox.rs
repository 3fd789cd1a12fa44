//! The sandbox provider: no money moves. Its payment page is an auto-submitting form that posts
//! a notification signed with HMAC-SHA256 (key `payments.sandbox_secret`) to
//! `POST /payments/sandbox/notify`, so a development or demo server completes a recharge in one
//! click. It is refused in production, where it would hand out coins for nothing.

use async_trait::async_trait;
use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;
use rsa::sha2::Sha256;

use super::{
    Fields, Notice, PayRequest, PaymentProvider, TradeState, auto_submit_form, parse_yuan,
    signing_string, yuan,
};
use crate::config::PaymentsConfig;
use crate::error::{AppError, AppResult};

/// Name of the provider.
pub const NAME: &str = "sandbox";

/// The sandbox: an HMAC-SHA256 key.
pub struct SandboxProvider {
    secret: Vec<u8>,
}

impl SandboxProvider {
    /// With the configured secret, or a random one for this process.
    pub fn from_config(config: &PaymentsConfig) -> Self {
        match config.sandbox_secret.as_deref().filter(|s| !s.is_empty()) {
            Some(secret) => Self::new(secret.as_bytes()),
            None => {
                let mut secret = [0u8; 32];
                rand::rng().fill(&mut secret[..]);
                Self::new(&secret)
            }
        }
    }

    /// With `secret` as the key.
    pub fn new(secret: &[u8]) -> Self {
        Self {
            secret: secret.to_vec(),
        }
    }

    fn mac(&self, fields: &[(&str, &str)]) -> AppResult<Hmac<Sha256>> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.secret)
            .map_err(|_| AppError::internal("the sandbox secret is not a usable HMAC key"))?;
        mac.update(signing_string(fields.iter().copied(), &["sign"], true).as_bytes());
        Ok(mac)
    }

    /// The hex HMAC-SHA256 of the sorted `k=v&…` string of the non-empty fields but `sign`.
    pub fn sign(&self, fields: &[(&str, &str)]) -> AppResult<String> {
        Ok(hex::encode(self.mac(fields)?.finalize().into_bytes()))
    }
}

#[async_trait]
impl PaymentProvider for SandboxProvider {
    fn name(&self) -> &'static str {
        NAME
    }

    /// No money moves: a sandbox refund succeeds at once.
    async fn refund(
        &self,
        _serial: &str,
        _refund_serial: &str,
        _amount_cents: i64,
    ) -> AppResult<bool> {
        Ok(true)
    }

    async fn pay_page(&self, request: &PayRequest) -> AppResult<String> {
        let amount = yuan(request.amount_cents);
        let trade_no = format!(
            "SBX{}{:08}",
            chrono::Utc::now().format("%Y%m%d%H%M%S"),
            rand::rng().random_range(0..100_000_000u32)
        );
        let mut fields = vec![
            ("out_trade_no", request.serial.as_str()),
            ("total_amount", amount.as_str()),
            ("trade_no", trade_no.as_str()),
            ("trade_status", "TRADE_SUCCESS"),
            ("subject", request.subject.as_str()),
        ];
        let sign = self.sign(&fields)?;
        fields.push(("sign", &sign));
        Ok(auto_submit_form(
            "sandbox_pay_form",
            &request.notify_url,
            &fields,
        ))
    }

    async fn verify_notification(&self, fields: &Fields) -> AppResult<Notice> {
        let bad = |m: &str| AppError::bad_input(format!("sandbox notification: {m}"));
        let sign = fields.get("sign").ok_or_else(|| bad("no sign"))?;
        let sign = hex::decode(sign).map_err(|_| bad("malformed sign"))?;
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.mac(&pairs)?
            .verify_slice(&sign)
            .map_err(|_| bad("bad signature"))?;
        notice_of(fields).ok_or_else(|| bad("missing or malformed fields"))
    }
}

/// The order, amount, trade number and state of notification fields (Alipay's names).
pub(super) fn notice_of(fields: &Fields) -> Option<Notice> {
    let serial = fields.get("out_trade_no").filter(|s| !s.is_empty())?;
    let trade_no = fields.get("trade_no").filter(|s| !s.is_empty())?;
    let amount_cents = parse_yuan(fields.get("total_amount")?)?;
    let state = match fields.get("trade_status").map(String::as_str) {
        Some("TRADE_SUCCESS" | "TRADE_FINISHED") => TradeState::Paid,
        Some("TRADE_CLOSED") => TradeState::Closed,
        _ => TradeState::Other,
    };
    Some(Notice {
        serial: serial.clone(),
        amount_cents,
        trade_no: trade_no.clone(),
        state,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[tokio::test]
    async fn signed_notifications_verify_and_tampered_ones_do_not() {
        let sandbox = SandboxProvider::new(b"secret");
        let mut pairs = vec![
            ("out_trade_no", "R1"),
            ("total_amount", "3.00"),
            ("trade_no", "SBX1"),
            ("trade_status", "TRADE_SUCCESS"),
        ];
        let sign = sandbox.sign(&pairs).expect("signs");
        pairs.push(("sign", &sign));
        let notice = sandbox
            .verify_notification(&fields(&pairs))
            .await
            .expect("verifies");
        assert_eq!(notice.amount_cents, 300);
        assert_eq!(notice.state, TradeState::Paid);
        let mut tampered = fields(&pairs);
        tampered.insert("total_amount".into(), "0.01".into());
        assert!(sandbox.verify_notification(&tampered).await.is_err());
        let other = SandboxProvider::new(b"other");
        assert!(other.verify_notification(&fields(&pairs)).await.is_err());
    }
}

//! Alipay page pay (电脑网站支付, `alipay.trade.page.pay`) with RSA2 signatures.
//!
//! - The payment page is the form Alipay's SDK builds: it posts to the gateway, the common
//!   parameters (`app_id`, `method`, `format`, `charset`, `sign_type`, `timestamp`, `version`,
//!   `notify_url`, `return_url`, `sign`) in the action's query string and `biz_content`
//!   (`out_trade_no`, `product_code`, `total_amount`, `subject`) as a hidden input.
//! - `sign` is SHA256withRSA (PKCS#1 v1.5) with the application's private key over the
//!   parameters but `sign`, without empty values, sorted by name and joined as `k=v&…`; base64.
//! - An asynchronous notification is verified with Alipay's public key over every parameter but
//!   `sign` and `sign_type`, sorted the same way; it must name our `app_id`.

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::sha2::Sha256;
use rsa::{PrivateKey, PublicKey};
use serde::Serialize;

use super::sandbox::notice_of;
use super::{Fields, Notice, PayRequest, PaymentProvider, auto_submit_form, signing_string, yuan};
use crate::config::AlipayConfig;
use crate::error::{AppError, AppResult};

/// Name of the provider.
pub const NAME: &str = "alipay";

/// The API method of page pay.
pub const METHOD: &str = "alipay.trade.page.pay";

/// The application's credentials and Alipay's public key.
pub struct AlipayProvider {
    app_id: String,
    private_key: PrivateKey,
    alipay_public_key: PublicKey,
    gateway: String,
}

/// `biz_content` of page pay, in the order Alipay documents it.
#[derive(Serialize)]
struct BizContent<'a> {
    out_trade_no: &'a str,
    product_code: &'a str,
    total_amount: &'a str,
    subject: &'a str,
}

/// Reads a key given inline or as a file.
fn key_text(
    inline: Option<&String>,
    path: Option<&std::path::PathBuf>,
    what: &str,
) -> Result<String, String> {
    match (inline.filter(|k| !k.trim().is_empty()), path) {
        (Some(text), _) => Ok(text.clone()),
        (None, Some(path)) => std::fs::read_to_string(path)
            .map_err(|e| format!("payments.alipay.{what}_path {}: {e}", path.display())),
        (None, None) => Err(format!("payments.alipay.{what} is not configured")),
    }
}

/// The base64 body of a key given without PEM armour.
fn bare_der(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(compact).ok()
}

/// A private key: PEM PKCS#8 (`BEGIN PRIVATE KEY`), PEM PKCS#1 (`BEGIN RSA PRIVATE KEY`) or
/// bare base64 PKCS#8 / PKCS#1 (as Alipay's key tool prints it).
pub fn parse_private_key(text: &str) -> Result<PrivateKey, String> {
    let text = text.trim();
    let parsed = if text.contains("BEGIN RSA PRIVATE KEY") {
        PrivateKey::from_pkcs1_pem(text).ok()
    } else if text.contains("BEGIN PRIVATE KEY") {
        PrivateKey::from_pkcs8_pem(text).ok()
    } else {
        bare_der(text).and_then(|der| {
            PrivateKey::from_pkcs8_der(&der)
                .or_else(|_| PrivateKey::from_pkcs1_der(&der))
                .ok()
        })
    };
    parsed.ok_or_else(|| "payments.alipay.private_key is not an RSA private key (PEM)".into())
}

/// A public key: PEM SPKI (`BEGIN PUBLIC KEY`), PEM PKCS#1 (`BEGIN RSA PUBLIC KEY`) or bare
/// base64 SPKI / PKCS#1 (as Alipay's console shows it).
pub fn parse_public_key(text: &str) -> Result<PublicKey, String> {
    let text = text.trim();
    let parsed = if text.contains("BEGIN RSA PUBLIC KEY") {
        PublicKey::from_pkcs1_pem(text).ok()
    } else if text.contains("BEGIN PUBLIC KEY") {
        PublicKey::from_public_key_pem(text).ok()
    } else {
        bare_der(text).and_then(|der| {
            PublicKey::from_public_key_der(&der)
                .or_else(|_| PublicKey::from_pkcs1_der(&der))
                .ok()
        })
    };
    parsed.ok_or_else(|| "payments.alipay.public_key is not an RSA public key (PEM)".into())
}

/// SHA256withRSA (PKCS#1 v1.5) of `content`, base64.
pub fn rsa2_sign(key: &PrivateKey, content: &str) -> AppResult<String> {
    let signature = key
        .pkcs1v15_sign::<Sha256>(content.as_bytes())
        .map_err(|e| AppError::internal(format!("RSA2 signing failed: {e}")))?;
    Ok(STANDARD.encode(signature))
}

/// Whether `sign` (base64) is a SHA256withRSA signature of `content` by `key`.
pub fn rsa2_verify(key: &PublicKey, content: &str, sign: &str) -> bool {
    let compact: String = sign.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(compact).is_ok_and(|sig| {
        key.pkcs1v15_verify::<Sha256>(content.as_bytes(), &sig)
            .is_ok()
    })
}

/// The string a request is signed over: its non-empty parameters but `sign`, sorted.
pub fn request_signing_string<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    signing_string(params, &["sign"], true)
}

/// The string a notification is signed over: its parameters but `sign` and `sign_type`, sorted.
pub fn notification_signing_string<'a>(
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    signing_string(params, &["sign", "sign_type"], false)
}

impl AlipayProvider {
    /// From the configuration: the app id and both keys, read and checked.
    pub fn from_config(config: &AlipayConfig) -> Result<Self, String> {
        let app_id = config
            .app_id
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .ok_or("payments.alipay.app_id is not configured")?;
        let private_key = parse_private_key(&key_text(
            config.private_key.as_ref(),
            config.private_key_path.as_ref(),
            "private_key",
        )?)?;
        let alipay_public_key = parse_public_key(&key_text(
            config.public_key.as_ref(),
            config.public_key_path.as_ref(),
            "public_key",
        )?)?;
        Ok(Self::new(
            app_id,
            private_key,
            alipay_public_key,
            &config.gateway,
        ))
    }

    /// From parsed keys.
    pub fn new(
        app_id: &str,
        private_key: PrivateKey,
        alipay_public_key: PublicKey,
        gateway: &str,
    ) -> Self {
        Self {
            app_id: app_id.to_owned(),
            private_key,
            alipay_public_key,
            gateway: gateway.to_owned(),
        }
    }

    /// The signed parameters of a page-pay request at `timestamp` (`yyyy-MM-dd HH:mm:ss`,
    /// Beijing time), `sign` last.
    pub fn request_params(
        &self,
        request: &PayRequest,
        timestamp: &str,
    ) -> AppResult<Vec<(&'static str, String)>> {
        let amount = yuan(request.amount_cents);
        let biz_content = serde_json::to_string(&BizContent {
            out_trade_no: &request.serial,
            product_code: "FAST_INSTANT_TRADE_PAY",
            total_amount: &amount,
            subject: &request.subject,
        })
        .map_err(AppError::internal)?;
        let mut params = vec![
            ("app_id", self.app_id.clone()),
            ("method", METHOD.to_owned()),
            ("format", "JSON".to_owned()),
            ("charset", "utf-8".to_owned()),
            ("sign_type", "RSA2".to_owned()),
            ("timestamp", timestamp.to_owned()),
            ("version", "1.0".to_owned()),
            ("notify_url", request.notify_url.clone()),
            ("return_url", request.return_url.clone()),
            ("biz_content", biz_content),
        ];
        let content = request_signing_string(params.iter().map(|(k, v)| (*k, v.as_str())));
        params.push(("sign", rsa2_sign(&self.private_key, &content)?));
        Ok(params)
    }
}

#[async_trait]
impl PaymentProvider for AlipayProvider {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn pay_page(&self, request: &PayRequest) -> AppResult<String> {
        let timestamp = (chrono::Utc::now() + chrono::Duration::hours(8))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string();
        let params = self.request_params(request, &timestamp)?;
        let (body, query): (Vec<_>, Vec<_>) = params.iter().partition(|(k, _)| *k == "biz_content");
        let query = serde_urlencoded::to_string(
            query
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        )
        .map_err(AppError::internal)?;
        let separator = if self.gateway.contains('?') { '&' } else { '?' };
        let action = format!("{}{separator}{query}", self.gateway);
        let fields: Vec<(&str, &str)> = body.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Ok(auto_submit_form("punchout_form", &action, &fields))
    }

    async fn verify_notification(&self, fields: &Fields) -> AppResult<Notice> {
        let bad = |m: &str| AppError::bad_input(format!("alipay notification: {m}"));
        let sign = fields.get("sign").ok_or_else(|| bad("no sign"))?;
        if fields.get("sign_type").is_some_and(|t| t != "RSA2") {
            return Err(bad("sign_type must be RSA2"));
        }
        let content =
            notification_signing_string(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        if !rsa2_verify(&self.alipay_public_key, &content, sign) {
            return Err(bad("bad signature"));
        }
        if fields.get("app_id") != Some(&self.app_id) {
            return Err(bad("for another application"));
        }
        notice_of(fields).ok_or_else(|| bad("missing or malformed fields"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_signing_strings_skip_sign_and_empty_values() {
        let params = [
            ("timestamp", "2026-11-24 10:00:00"),
            ("app_id", "2021000000000001"),
            ("sign", "abc"),
            ("return_url", ""),
            ("biz_content", "{\"out_trade_no\":\"R1\"}"),
            ("sign_type", "RSA2"),
        ];
        assert_eq!(
            request_signing_string(params),
            "app_id=2021000000000001&biz_content={\"out_trade_no\":\"R1\"}&sign_type=RSA2&timestamp=2026-11-24 10:00:00"
        );
    }

    #[test]
    fn notification_signing_strings_skip_sign_and_sign_type() {
        let params = [
            ("trade_status", "TRADE_SUCCESS"),
            ("sign_type", "RSA2"),
            ("sign", "abc"),
            ("app_id", "2021"),
            ("body", ""),
        ];
        assert_eq!(
            notification_signing_string(params),
            "app_id=2021&body=&trade_status=TRADE_SUCCESS"
        );
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(
            parse_private_key("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
                .is_err()
        );
        assert!(parse_public_key("not a key").is_err());
    }
}

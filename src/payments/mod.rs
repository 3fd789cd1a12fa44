//! Payment providers for recharging coins (充值): each builds the payment page of an order (an
//! auto-submitting HTML form) and verifies the provider's asynchronous notification, saying which
//! order was paid, how much and under which trade number. What a verified notification does to
//! the order and the wallet is decided in `domain::recharge`.
//!
//! - [`sandbox::SandboxProvider`]: a self-signed demo payment (HMAC-SHA256 with a configured
//!   secret); its page posts a signed notification straight back to this server.
//! - [`alipay::AlipayProvider`]: Alipay page pay (`alipay.trade.page.pay`), RSA2 signatures.
//!
//! The provider is picked by `payments.provider`; without one, development uses the sandbox and
//! production answers UNAVAILABLE.

pub mod alipay;
pub mod routes;
pub mod sandbox;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::config::Config;
use crate::error::{AppError, AppResult};

/// Form fields of a notification, by name.
pub type Fields = BTreeMap<String, String>;

/// What a payment page is built for.
#[derive(Debug, Clone)]
pub struct PayRequest {
    /// The merchant order number (`out_trade_no`).
    pub serial: String,
    pub amount_cents: i64,
    /// What the payer sees, e.g. `杏仁币充值 3 枚`.
    pub subject: String,
    /// Where the provider posts its asynchronous notification.
    pub notify_url: String,
    /// Where the payer's browser goes afterwards.
    pub return_url: String,
}

/// What a notification reports about a trade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TradeState {
    /// Paid (`TRADE_SUCCESS`, `TRADE_FINISHED`).
    Paid,
    /// Closed unpaid or fully refunded (`TRADE_CLOSED`).
    Closed,
    /// Anything else (`WAIT_BUYER_PAY`): nothing to do.
    Other,
}

/// A notification whose signature (and merchant) checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Our order serial (`out_trade_no`).
    pub serial: String,
    /// The amount the provider says it took, in cents.
    pub amount_cents: i64,
    /// The provider's trade number.
    pub trade_no: String,
    pub state: TradeState,
}

/// A payment provider.
#[async_trait]
pub trait PaymentProvider: Send + Sync {
    /// Stable name, stored on orders and used in the notify path (`sandbox`, `alipay`).
    fn name(&self) -> &'static str;

    /// The HTML page that takes the payer to pay `request`: an auto-submitting form.
    async fn pay_page(&self, request: &PayRequest) -> AppResult<String>;

    /// Verifies an asynchronous notification (its form fields): `BadInput` when the signature,
    /// the merchant or a field is wrong.
    async fn verify_notification(&self, fields: &Fields) -> AppResult<Notice>;

    /// Pays back `amount_cents` of the paid order `serial` under the refund serial
    /// `refund_serial`: `true` when the provider refunded it now, `false` when the refund is
    /// left applied for the finance team (providers without automatic refunds).
    async fn refund(
        &self,
        _serial: &str,
        _refund_serial: &str,
        _amount_cents: i64,
    ) -> AppResult<bool> {
        Ok(false)
    }
}

/// The configured provider and the recharge settings, shared by every request.
#[derive(Clone)]
pub struct Payments {
    provider: Option<Arc<dyn PaymentProvider>>,
    /// Price of one coin in cents.
    pub coin_price_cents: i64,
    /// Most coins one order may buy.
    pub max_coins_per_order: i64,
    notify_url: Option<String>,
    return_url: Option<String>,
}

impl std::fmt::Debug for Payments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Payments")
            .field("provider", &self.provider.as_ref().map(|p| p.name()))
            .field("coin_price_cents", &self.coin_price_cents)
            .field("max_coins_per_order", &self.max_coins_per_order)
            .finish()
    }
}

impl Payments {
    /// Builds the provider the configuration names (reading and checking its keys).
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let settings = &config.payments;
        settings
            .validate(config.production)
            .map_err(|e| e.to_string())?;
        let provider: Option<Arc<dyn PaymentProvider>> =
            match settings.effective_provider(config.production) {
                None => None,
                Some("sandbox") => Some(Arc::new(sandbox::SandboxProvider::from_config(settings))),
                Some("alipay") => Some(Arc::new(alipay::AlipayProvider::from_config(
                    &settings.alipay,
                )?)),
                Some(other) => return Err(format!("unknown payments.provider {other}")),
            };
        Ok(Self {
            provider,
            coin_price_cents: settings.coin_price_cents,
            max_coins_per_order: settings.max_coins_per_order,
            notify_url: settings.notify_url.clone(),
            return_url: settings.return_url.clone(),
        })
    }

    /// Recharging with `provider` (tests and embedders).
    pub fn with_provider(provider: Arc<dyn PaymentProvider>) -> Self {
        Self {
            provider: Some(provider),
            coin_price_cents: 100,
            max_coins_per_order: 10_000,
            notify_url: None,
            return_url: None,
        }
    }

    /// The provider in force, or UNAVAILABLE.
    pub fn provider(&self) -> AppResult<&Arc<dyn PaymentProvider>> {
        self.provider.as_ref().ok_or_else(|| {
            AppError::Unavailable(
                "recharging is not available: no payment provider is configured".into(),
            )
        })
    }

    /// The provider in force when it is the one named `name` (a notify endpoint's provider).
    pub fn named(&self, name: &str) -> Option<&Arc<dyn PaymentProvider>> {
        self.provider.as_ref().filter(|p| p.name() == name)
    }

    /// The notify URL for `provider`: configured, or under `base_url`.
    pub fn notify_url(&self, base_url: &str, provider: &str) -> String {
        self.notify_url.clone().unwrap_or_else(|| {
            format!(
                "{}/payments/{provider}/notify",
                base_url.trim_end_matches('/')
            )
        })
    }

    /// The return URL: configured, or the root of `base_url`.
    pub fn return_url(&self, base_url: &str) -> String {
        self.return_url
            .clone()
            .unwrap_or_else(|| format!("{}/", base_url.trim_end_matches('/')))
    }
}

/// Cents as a yuan amount with two decimals (`300` → `3.00`), as providers write amounts.
pub fn yuan(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// A provider's yuan amount (`3`, `3.5`, `3.00`) in cents; `None` unless it is a plain
/// non-negative decimal with at most two decimals.
pub fn parse_yuan(text: &str) -> Option<i64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 12 || !digits(whole) || fraction.len() > 2 {
        return None;
    }
    if !digits(fraction) || (text.contains('.') && fraction.is_empty()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(fraction)
}

/// The string providers sign: `k=v` pairs sorted by key, joined with `&`, without the keys in
/// `exclude`, and without empty values when `skip_empty`.
pub fn signing_string<'a>(
    fields: impl IntoIterator<Item = (&'a str, &'a str)>,
    exclude: &[&str],
    skip_empty: bool,
) -> String {
    let mut pairs: Vec<(&str, &str)> = fields
        .into_iter()
        .filter(|(k, _)| !exclude.contains(k))
        .filter(|(_, v)| !(skip_empty && v.is_empty()))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Escapes text for an HTML attribute value or text node.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// An auto-submitting form posting `fields` (as hidden inputs) to `action`.
pub fn auto_submit_form(name: &str, action: &str, fields: &[(&str, &str)]) -> String {
    let mut page = format!(
        "<form name=\"{}\" method=\"post\" action=\"{}\">\n",
        html_escape(name),
        html_escape(action)
    );
    for (key, value) in fields {
        page.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
            html_escape(key),
            html_escape(value)
        ));
    }
    page.push_str("<input type=\"submit\" value=\"立即支付\" style=\"display:none\" >\n</form>\n");
    page.push_str("<script>document.forms[0].submit();</script>");
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_strings_sort_exclude_and_skip_empty() {
        let fields = [
            ("sign", "xyz"),
            ("b", "2"),
            ("a", "1"),
            ("empty", ""),
            ("sign_type", "RSA2"),
        ];
        assert_eq!(
            signing_string(fields, &["sign"], true),
            "a=1&b=2&sign_type=RSA2"
        );
        assert_eq!(
            signing_string(fields, &["sign", "sign_type"], false),
            "a=1&b=2&empty="
        );
    }

    #[test]
    fn yuan_amounts_round_trip() {
        assert_eq!(yuan(300), "3.00");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(parse_yuan("3.00"), Some(300));
        assert_eq!(parse_yuan("3"), Some(300));
        assert_eq!(parse_yuan("3.5"), Some(350));
        assert_eq!(parse_yuan("0.05"), Some(5));
        for bad in ["", "3.", ".5", "-1", "3.001", "1e3", " 3", "abc"] {
            assert_eq!(parse_yuan(bad), None, "{bad}");
        }
    }

    #[test]
    #[expect(
        clippy::result_large_err,
        reason = "figment::Jail's closure returns figment::Error"
    )]
    fn settings_come_from_the_environment_and_pick_the_provider() {
        use crate::config::{Config, Overrides};
        figment::Jail::expect_with(|jail| {
            let load = || Config::load(None, &Overrides::default()).map_err(|e| e.to_string());
            let config = load()?;
            assert_eq!(config.payments.effective_provider(false), Some("sandbox"));
            assert_eq!(config.payments.effective_provider(true), None);
            assert_eq!(config.payments.coin_price_cents, 100);
            jail.set_env("MEDGRAPH_PAYMENTS__PROVIDER", "alipay");
            jail.set_env("MEDGRAPH_PAYMENTS__ALIPAY__APP_ID", "2021000000000001");
            jail.set_env("MEDGRAPH_PAYMENTS__COIN_PRICE_CENTS", "50");
            assert!(load().is_err(), "alipay needs its keys");
            jail.set_env("MEDGRAPH_PAYMENTS__ALIPAY__PRIVATE_KEY", "secret-pem");
            jail.set_env(
                "MEDGRAPH_PAYMENTS__ALIPAY__PUBLIC_KEY_PATH",
                "/etc/alipay.pem",
            );
            let config = load()?;
            assert_eq!(
                config.payments.alipay.app_id.as_deref(),
                Some("2021000000000001")
            );
            assert_eq!(config.payments.coin_price_cents, 50);
            assert!(!format!("{config:?}").contains("secret-pem"));
            jail.set_env("MEDGRAPH_PAYMENTS__PROVIDER", "paypal");
            assert!(load().is_err());
            jail.set_env("MEDGRAPH_PAYMENTS__PROVIDER", "sandbox");
            jail.set_env("DATABASE_URL", "sqlite::memory:");
            assert!(load().is_ok());
            jail.set_env("MEDGRAPH_PRODUCTION", "true");
            assert!(load().is_err(), "no sandbox in production");
            Ok(())
        });
    }

    #[test]
    fn forms_escape_their_values() {
        let page = auto_submit_form("f", "https://x/?a=1&b=2", &[("q", "\"<x>\"")]);
        assert!(page.contains("action=\"https://x/?a=1&amp;b=2\""));
        assert!(page.contains("value=\"&quot;&lt;x&gt;&quot;\""));
        assert!(page.ends_with("<script>document.forms[0].submit();</script>"));
    }
}

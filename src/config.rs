//! Typed settings: defaults < config file (`medgraph.toml` or `--config`) < environment
//! (`DATABASE_URL`, `MEDGRAPH_*`, nested keys with `__`) < command-line flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Every setting of the server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address the HTTP server listens on (`MEDGRAPH_LISTEN`).
    pub listen: SocketAddr,
    /// Directory of the embedded database and uploaded files (`MEDGRAPH_DATA_DIR`).
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...`; the SQLite file in `data_dir` when absent
    /// (`DATABASE_URL`).
    pub database_url: Option<String>,
    /// Production mode: no GraphiQL, introspection or field suggestions; requires an explicit
    /// `database_url`.
    pub production: bool,
    /// Base URL under which this server is reached, used for absolute file URLs
    /// (`https://api.example.com`). Taken from the request's Host header when absent.
    pub public_url: Option<String>,
    pub database: DatabaseConfig,
    pub graphql: GraphqlConfig,
    pub http: HttpConfig,
    pub storage: StorageConfig,
    pub imports: ImportsConfig,
    pub auth: AuthConfig,
    pub events: EventsConfig,
    pub log: LogConfig,
    pub metrics: MetricsConfig,
    pub llm: LlmConfig,
    pub payments: PaymentsConfig,
    pub wechat: WechatConfig,
}

/// Connection pool and timeouts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    pub max_connections: u32,
    pub min_connections: u32,
    pub connect_timeout_secs: u64,
    pub acquire_timeout_secs: u64,
    /// PostgreSQL `statement_timeout`.
    pub statement_timeout_ms: u64,
    /// SQLite `busy_timeout`.
    pub sqlite_busy_timeout_ms: u64,
    /// A pooled PostgreSQL connection is pinged before use only after it has been idle this
    /// long (a server, proxy or firewall may have dropped it); busy connections go out without
    /// the extra round trip a ping on every checkout would cost each statement.
    pub ping_idle_connections_after_secs: u64,
}

/// Limits of the GraphQL endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GraphqlConfig {
    pub max_depth: usize,
    /// A list field costs its page size times the cost of its items.
    pub max_complexity: usize,
    pub max_aliases: usize,
    pub max_directives_per_field: usize,
    /// Characters of query text.
    pub max_query_length: usize,
    /// Accept JSON arrays of operations.
    pub batching: bool,
    pub max_batch_size: usize,
    /// Accept automatic persisted queries (Apollo's `persistedQuery` extension).
    pub persisted_queries: bool,
    /// Most automatic persisted queries kept (shared by all processes, oldest dropped first).
    pub max_persisted_queries: u64,
    /// Execute only trusted documents: those loaded from a manifest with
    /// `medgraph documents load` (sent by id, hash or identical text).
    pub trusted_documents: bool,
}

/// HTTP server behaviour.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Largest JSON or form body, in bytes (uploads have their own limit).
    pub body_limit_bytes: usize,
    pub request_timeout_secs: u64,
    /// Seconds in-flight requests get to finish after SIGTERM.
    pub shutdown_grace_secs: u64,
    /// Allowed CORS origins; `["*"]` allows any origin (without credentials).
    pub cors_origins: Vec<String>,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy); it keys
    /// the per-IP rate limits.
    pub trust_forwarded_for: bool,
    /// Requests one account may make per minute, across every process (counted in the
    /// database); `0` for no limit. Unset: 600 with `production`, no limit otherwise.
    pub requests_per_account_per_minute: Option<u32>,
    /// Requests one client address may make per minute, likewise; unset: 1200 with
    /// `production`, no limit otherwise.
    pub requests_per_ip_per_minute: Option<u32>,
    /// The most items one list of a legacy dialect answers: a route whose document does not page
    /// answers its whole list up to this many, and a documented large `page_size` is honoured up
    /// to it (GraphQL clients keep the page limit of 100).
    pub dialect_list_ceiling: u64,
}

impl HttpConfig {
    /// The request budgets in force: (per account, per address) per minute, `0` for none.
    pub fn request_budgets(&self, production: bool) -> (u32, u32) {
        let default = |n: u32| if production { n } else { 0 };
        (
            self.requests_per_account_per_minute.unwrap_or(default(600)),
            self.requests_per_ip_per_minute.unwrap_or(default(1200)),
        )
    }
}

/// Where uploaded files go and what is accepted.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// `local` (under `data_dir/files`) or `s3`.
    pub backend: String,
    pub max_upload_bytes: usize,
    /// MIME types accepted by general uploads (images are always a subset).
    pub allowed_types: Vec<String>,
    pub s3: S3Config,
}

/// Bounds of uploaded spreadsheets (account, counselling session and roster imports), checked
/// before and while they are unpacked.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImportsConfig {
    /// Most bytes the parts of a zip container (.xlsx, .ods) may unpack to, in total.
    pub max_uncompressed_bytes: u64,
    /// Most times its own size a zip container may unpack to.
    pub max_compression_ratio: u64,
    /// Most parts in a zip container.
    pub max_zip_entries: usize,
    /// Most data rows (below the header) of a sheet.
    pub max_rows: usize,
    /// Most columns of a sheet.
    pub max_columns: usize,
    /// Most characters in one cell.
    pub max_cell_chars: usize,
}

impl Default for ImportsConfig {
    fn default() -> Self {
        Self {
            max_uncompressed_bytes: 32 * 1024 * 1024,
            max_compression_ratio: 100,
            max_zip_entries: 1000,
            max_rows: 5000,
            max_columns: 64,
            max_cell_chars: 4000,
        }
    }
}

/// An S3-compatible object store.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct S3Config {
    pub bucket: String,
    pub region: String,
    pub endpoint: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub allow_http: bool,
}

/// Session tokens.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    pub token_ttl_hours: i64,
    /// Name of the session cookie (forum dialect).
    pub cookie_name: String,
    /// Mark cookies `Secure` (set it when the server is reached over HTTPS).
    pub secure_cookies: bool,
    /// When set (`MEDGRAPH_CODE_OUTBOX=/path`), verification codes are appended to this file
    /// as one JSON line each instead of only being logged.
    pub code_outbox: Option<PathBuf>,
    /// SMTP transport for e-mailed codes; without it e-mail codes go to the log / outbox.
    pub smtp: Option<SmtpConfig>,
    /// Verification codes: seconds a code lives.
    pub code_ttl_secs: i64,
    /// Wrong guesses a code tolerates before it is dead.
    pub code_max_attempts: i32,
    /// Seconds between two codes to one destination.
    pub code_resend_secs: i64,
    /// Codes one client IP may request per hour.
    pub codes_per_ip_per_hour: u32,
    /// Codes one destination may receive per day.
    pub codes_per_destination_per_day: u32,
    /// Login attempts one client IP may make per minute.
    pub logins_per_ip_per_minute: u32,
    /// Failed logins on one account before it is locked.
    pub login_failures_before_lock: u32,
    /// Minutes an account stays locked after too many failures.
    pub login_lock_minutes: i64,
}

/// An SMTP relay for e-mail.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// `smtps://user:pass@host:465` or `smtp://host:587?tls=required` (lettre URL syntax).
    pub url: String,
    /// Sender address, e.g. `medgraph <no-reply@example.org>`.
    pub from: String,
}

/// Publish/subscribe transport.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventsConfig {
    /// `memory` (one process), `postgres` (LISTEN/NOTIFY, several processes) or `auto`
    /// (`postgres` when the database is PostgreSQL).
    pub backend: String,
}

/// The language model: an OpenAI-compatible chat-completions API (medassist
/// `POST /api/v1/chat/completions` and `GET /api/ai/getMedicalSum`). Without `url` both answer
/// "not configured".
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmConfig {
    /// Base URL of the API (`MEDGRAPH_LLM_URL`), e.g. `https://open.bigmodel.cn/api/paas/v4` or
    /// `http://127.0.0.1:11434/v1`; requests go to `{url}/chat/completions`.
    pub url: Option<String>,
    /// Sent as `Authorization: Bearer …` (`MEDGRAPH_LLM_KEY` or `MEDGRAPH_LLM_API_KEY`); never
    /// logged.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub api_key: Option<String>,
    /// Model of every request (`MEDGRAPH_LLM_MODEL`).
    #[serde(deserialize_with = "lenient::string")]
    pub model: String,
    /// Models a chat-completions client may pick with its `model` field; any other value is
    /// replaced by `model`.
    pub allowed_models: Vec<String>,
    /// Seconds to wait for a whole answer, or (streaming) for each chunk of it. Keep it below
    /// `http.request_timeout_secs`, which cuts whole (not streamed) answers with a bare 504.
    pub timeout_secs: u64,
    /// Largest chat-completions request body, in bytes.
    pub max_request_bytes: usize,
    /// Language-model requests one user may make per minute.
    pub requests_per_user_per_minute: u32,
}

/// The WeChat official-account API, used by volunteer `GET /weixin/media` (and GraphQL
/// `importWechatMedia`) to download a media item. Without `app_id` and `app_secret` those
/// answer "not configured".
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WechatConfig {
    /// The application's AppID (`MEDGRAPH_WECHAT__APP_ID`).
    #[serde(deserialize_with = "lenient::optional_string")]
    pub app_id: Option<String>,
    /// The application's AppSecret (`MEDGRAPH_WECHAT__APP_SECRET`); never logged.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub app_secret: Option<String>,
    /// Base URL of the API (a local fake in tests).
    pub api_base: String,
    /// Seconds to wait for each answer.
    pub timeout_secs: u64,
}

impl Default for WechatConfig {
    fn default() -> Self {
        Self {
            app_id: None,
            app_secret: None,
            api_base: "https://api.weixin.qq.com".into(),
            timeout_secs: 20,
        }
    }
}

impl std::fmt::Debug for WechatConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatConfig")
            .field("app_id", &self.app_id)
            .field(
                "app_secret",
                &self.app_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("api_base", &self.api_base)
            .field("timeout_secs", &self.timeout_secs)
            .finish()
    }
}

/// Environment values are parsed, so a key or a model name made of digits arrives as a number;
/// these take it as the string it was.
mod lenient {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        String(String),
        Unsigned(u64),
        Signed(i64),
    }

    impl From<Text> for String {
        fn from(text: Text) -> String {
            match text {
                Text::String(s) => s,
                Text::Unsigned(n) => n.to_string(),
                Text::Signed(n) => n.to_string(),
            }
        }
    }

    /// A string, or an integer as its digits.
    pub fn string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
        Text::deserialize(deserializer).map(String::from)
    }

    /// The same, optional.
    pub fn optional_string<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<String>, D::Error> {
        Option::<Text>::deserialize(deserializer).map(|t| t.map(String::from))
    }
}

impl std::fmt::Debug for LlmConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmConfig")
            .field("url", &self.url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("model", &self.model)
            .field("allowed_models", &self.allowed_models)
            .field("timeout_secs", &self.timeout_secs)
            .field("max_request_bytes", &self.max_request_bytes)
            .field(
                "requests_per_user_per_minute",
                &self.requests_per_user_per_minute,
            )
            .finish()
    }
}

/// Recharging coins (充值): which payment provider takes the money, the price and the keys.
/// Without `provider` the sandbox is used in development and recharging answers UNAVAILABLE in
/// production.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PaymentsConfig {
    /// `sandbox` (a self-signed demo payment; refused with `production`), `alipay`, or `none`.
    pub provider: Option<String>,
    /// Price of one coin in cents (fen); 100 = 1 yuan per coin.
    pub coin_price_cents: i64,
    /// Most coins one order may buy.
    pub max_coins_per_order: i64,
    /// HMAC-SHA256 key of the sandbox's notifications; a random one per process when absent.
    /// Never logged.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub sandbox_secret: Option<String>,
    /// Where the provider posts its asynchronous notification; default
    /// `{public_url}/payments/{provider}/notify`.
    pub notify_url: Option<String>,
    /// Where the payer's browser returns after paying; default `{public_url}/`.
    pub return_url: Option<String>,
    pub alipay: AlipayConfig,
}

/// Alipay page pay (`alipay.trade.page.pay`, RSA2).
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlipayConfig {
    /// The application's `app_id`.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub app_id: Option<String>,
    /// The application's RSA private key: PEM (PKCS#8 or PKCS#1) or bare base64 PKCS#8. Never
    /// logged.
    pub private_key: Option<String>,
    /// A file holding the private key instead.
    pub private_key_path: Option<PathBuf>,
    /// Alipay's public key (支付宝公钥): PEM (SPKI or PKCS#1) or bare base64 SPKI.
    pub public_key: Option<String>,
    /// A file holding Alipay's public key instead.
    pub public_key_path: Option<PathBuf>,
    /// The gateway the payment form posts to.
    pub gateway: String,
}

impl Default for PaymentsConfig {
    fn default() -> Self {
        Self {
            provider: None,
            coin_price_cents: 100,
            max_coins_per_order: 10_000,
            sandbox_secret: None,
            notify_url: None,
            return_url: None,
            alipay: AlipayConfig::default(),
        }
    }
}

impl Default for AlipayConfig {
    fn default() -> Self {
        Self {
            app_id: None,
            private_key: None,
            private_key_path: None,
            public_key: None,
            public_key_path: None,
            gateway: "https://openapi.alipay.com/gateway.do".into(),
        }
    }
}

impl std::fmt::Debug for PaymentsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentsConfig")
            .field("provider", &self.provider)
            .field("coin_price_cents", &self.coin_price_cents)
            .field("max_coins_per_order", &self.max_coins_per_order)
            .field(
                "sandbox_secret",
                &self.sandbox_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("notify_url", &self.notify_url)
            .field("return_url", &self.return_url)
            .field("alipay", &self.alipay)
            .finish()
    }
}

impl std::fmt::Debug for AlipayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlipayConfig")
            .field("app_id", &self.app_id)
            .field(
                "private_key",
                &self.private_key.as_ref().map(|_| "<redacted>"),
            )
            .field("private_key_path", &self.private_key_path)
            .field("public_key", &self.public_key.as_ref().map(|_| "<set>"))
            .field("public_key_path", &self.public_key_path)
            .field("gateway", &self.gateway)
            .finish()
    }
}

impl PaymentsConfig {
    /// The provider in force: `sandbox`, `alipay`, or `None` (recharging unavailable).
    pub fn effective_provider(&self, production: bool) -> Option<&str> {
        match self.provider.as_deref().map(str::trim) {
            None | Some("") => (!production).then_some("sandbox"),
            Some("none") => None,
            Some(name) => Some(name),
        }
    }

    /// Checks the settings (also done by [`Config::validate`]).
    pub fn validate(&self, production: bool) -> Result<(), ConfigError> {
        let invalid = |m: &str| Err(ConfigError::Invalid(m.into()));
        if self.coin_price_cents < 1 || self.max_coins_per_order < 1 {
            return invalid("payments.coin_price_cents and max_coins_per_order must be positive");
        }
        if self
            .coin_price_cents
            .checked_mul(self.max_coins_per_order)
            .is_none()
        {
            return invalid("payments.coin_price_cents × max_coins_per_order is too large");
        }
        for url in [
            &self.notify_url,
            &self.return_url,
            &Some(self.alipay.gateway.clone()),
        ]
        .into_iter()
        .flatten()
        {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return invalid(
                    "payments.notify_url, return_url and alipay.gateway must be http(s) URLs",
                );
            }
        }
        match self.effective_provider(production) {
            None => Ok(()),
            Some("sandbox") if production => invalid(
                "payments.provider sandbox credits coins without payment: not with --production",
            ),
            Some("sandbox") => Ok(()),
            Some("alipay") => {
                let alipay = &self.alipay;
                if alipay.app_id.as_deref().is_none_or(|a| a.trim().is_empty()) {
                    return invalid("payments.alipay.app_id is required with provider alipay");
                }
                if alipay.private_key.is_none() && alipay.private_key_path.is_none() {
                    return invalid(
                        "payments.alipay.private_key (or private_key_path) is required with provider alipay",
                    );
                }
                if alipay.public_key.is_none() && alipay.public_key_path.is_none() {
                    return invalid(
                        "payments.alipay.public_key (or public_key_path) is required with provider alipay",
                    );
                }
                Ok(())
            }
            Some(_) => invalid("payments.provider must be sandbox, alipay or none"),
        }
    }
}

/// Where Prometheus scrapes `/metrics`: on its own address (`listen`, only there), or on the
/// main address behind `Authorization: Bearer <token>`. With neither, `/metrics` is public in
/// development and not served in production.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// A separate listen address for `/metrics` (`MEDGRAPH_METRICS__LISTEN=0.0.0.0:9100`).
    pub listen: Option<SocketAddr>,
    /// Bearer token scrapers send (`MEDGRAPH_METRICS__TOKEN`); never logged.
    #[serde(deserialize_with = "lenient::optional_string")]
    pub token: Option<String>,
}

impl std::fmt::Debug for MetricsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsConfig")
            .field("listen", &self.listen)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Logging.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `auto` (pretty on a terminal, JSON otherwise), `pretty` or `json`.
    pub format: String,
    /// `tracing` filter directive; `RUST_LOG` overrides it.
    pub filter: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            production: false,
            public_url: None,
            database: DatabaseConfig::default(),
            graphql: GraphqlConfig::default(),
            http: HttpConfig::default(),
            storage: StorageConfig::default(),
            imports: ImportsConfig::default(),
            auth: AuthConfig::default(),
            events: EventsConfig::default(),
            log: LogConfig::default(),
            metrics: MetricsConfig::default(),
            llm: LlmConfig::default(),
            payments: PaymentsConfig::default(),
            wechat: WechatConfig::default(),
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            max_connections: 16,
            min_connections: 1,
            connect_timeout_secs: 5,
            acquire_timeout_secs: 10,
            statement_timeout_ms: 30_000,
            sqlite_busy_timeout_ms: 5_000,
            ping_idle_connections_after_secs: 30,
        }
    }
}

impl Default for GraphqlConfig {
    fn default() -> Self {
        Self {
            max_depth: 12,
            max_complexity: 20_000,
            max_aliases: 30,
            max_directives_per_field: 5,
            max_query_length: 20_000,
            batching: false,
            max_batch_size: 10,
            persisted_queries: true,
            max_persisted_queries: 10_000,
            trusted_documents: false,
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            body_limit_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            shutdown_grace_secs: 20,
            cors_origins: Vec::new(),
            trust_forwarded_for: false,
            requests_per_account_per_minute: None,
            requests_per_ip_per_minute: None,
            dialect_list_ceiling: 1000,
        }
    }
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            backend: "local".into(),
            max_upload_bytes: 20 * 1024 * 1024,
            allowed_types: [
                "image/jpeg",
                "image/png",
                "image/gif",
                "image/webp",
                "application/pdf",
                "video/mp4",
                "video/webm",
                "video/quicktime",
                "audio/mpeg",
                "audio/x-wav",
            ]
            .map(String::from)
            .to_vec(),
            s3: S3Config::default(),
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            token_ttl_hours: 24 * 30,
            cookie_name: "medgraph_session".into(),
            secure_cookies: false,
            code_outbox: None,
            smtp: None,
            code_ttl_secs: 300,
            code_max_attempts: 5,
            code_resend_secs: 60,
            codes_per_ip_per_hour: 30,
            codes_per_destination_per_day: 10,
            logins_per_ip_per_minute: 30,
            login_failures_before_lock: 5,
            login_lock_minutes: 15,
        }
    }
}

impl Default for EventsConfig {
    fn default() -> Self {
        Self {
            backend: "auto".into(),
        }
    }
}

impl Default for LlmConfig {
    fn default() -> Self {
        Self {
            url: None,
            api_key: None,
            model: "glm-4".into(),
            allowed_models: Vec::new(),
            timeout_secs: 25,
            max_request_bytes: 1024 * 1024,
            requests_per_user_per_minute: 30,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: "auto".into(),
            filter: "info,sqlx=warn,sea_orm=warn".into(),
        }
    }
}

/// Environment variables that name a nested key without `__`, and that key; a later entry wins
/// over an earlier one for the same key.
const ENV_ALIASES: [(&str, &str); 5] = [
    ("MEDGRAPH_CODE_OUTBOX", "auth.code_outbox"),
    ("MEDGRAPH_LLM_URL", "llm.url"),
    ("MEDGRAPH_LLM_API_KEY", "llm.api_key"),
    ("MEDGRAPH_LLM_KEY", "llm.api_key"),
    ("MEDGRAPH_LLM_MODEL", "llm.model"),
];

/// Values given on the command line; they win over every other source.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub production: bool,
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Invalid(String),
    #[error("configuration: {0}")]
    Figment(#[from] Box<figment::Error>),
}

/// Whether `MEDGRAPH_<key>` (without the prefix, nested keys joined with `__` or `.`) names a
/// setting. Kubernetes injects `MEDGRAPH_PORT=tcp://…` and the like for a service named
/// medgraph: such variables are ignored (see [`unknown_env_vars`]), unlike unknown keys in a
/// config file, which stay errors.
fn is_known_key(key: &str) -> bool {
    let Ok(mut node) = serde_json::to_value(Config::default()) else {
        return false;
    };
    for part in key.replace("__", ".").split('.') {
        let part = part.to_ascii_lowercase();
        match node {
            serde_json::Value::Object(mut map) => match map.remove(&part) {
                Some(next) => node = next,
                None => return false,
            },
            // Below an absent optional section (`auth.smtp`) any key may follow; serde
            // refuses the unknown ones.
            serde_json::Value::Null => return true,
            _ => return false,
        }
    }
    true
}

/// `MEDGRAPH_*` environment variables that name no setting and are ignored; `serve` warns
/// about each.
pub fn unknown_env_vars() -> Vec<String> {
    let mut names: Vec<String> = std::env::vars_os()
        .filter_map(|(name, _)| name.into_string().ok())
        .filter(|name| {
            name.strip_prefix("MEDGRAPH_").is_some_and(|key| {
                !key.is_empty()
                    && !ENV_ALIASES.iter().any(|(alias, _)| alias == name)
                    && !is_known_key(key)
            })
        })
        .collect();
    names.sort();
    names
}

impl Config {
    /// Loads the layered configuration. `file` is `--config`; without it `medgraph.toml` in the
    /// working directory is read when present.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Self, ConfigError> {
        if let Some(path) = file
            && !path.exists()
        {
            return Err(ConfigError::Invalid(format!(
                "config file {} does not exist",
                path.display()
            )));
        }
        let file = file.unwrap_or(Path::new("medgraph.toml"));
        let figment = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(
                Env::raw()
                    .only(&["DATABASE_URL"])
                    .map(|_| "database_url".into()),
            )
            .merge(
                Env::prefixed("MEDGRAPH_")
                    .split("__")
                    .ignore(&ENV_ALIASES.map(|(var, _)| var.trim_start_matches("MEDGRAPH_")))
                    .filter(|key| is_known_key(key.as_str())),
            );
        let config: Config = ENV_ALIASES
            .into_iter()
            .fold(figment, |figment, (var, key)| {
                figment.merge(Env::raw().only(&[var]).map(move |_| key.into()))
            })
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(Box::new)?;
        config.validate()?;
        Ok(config)
    }

    /// Checks values that are well-typed but unusable.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.production && self.database_url.is_none() {
            return Err(ConfigError::Invalid(
                "--production requires an explicit DATABASE_URL".into(),
            ));
        }
        if let Some(url) = &self.database_url
            && !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
        {
            return Err(ConfigError::Invalid(
                "DATABASE_URL must start with sqlite:, postgres:// or postgresql://".into(),
            ));
        }
        if !matches!(self.storage.backend.as_str(), "local" | "s3") {
            return Err(ConfigError::Invalid(
                "storage.backend must be local or s3".into(),
            ));
        }
        if self.storage.backend == "s3" && self.storage.s3.bucket.is_empty() {
            return Err(ConfigError::Invalid(
                "storage.s3.bucket is required with the s3 backend".into(),
            ));
        }
        if !matches!(self.events.backend.as_str(), "auto" | "memory" | "postgres") {
            return Err(ConfigError::Invalid(
                "events.backend must be auto, memory or postgres".into(),
            ));
        }
        if let Some(url) = self.llm.url.as_deref().map(str::trim)
            && !url.is_empty()
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(ConfigError::Invalid(
                "llm.url (MEDGRAPH_LLM_URL) must start with http:// or https://".into(),
            ));
        }
        if self.llm.timeout_secs == 0 || self.llm.model.trim().is_empty() {
            return Err(ConfigError::Invalid(
                "llm.timeout_secs must be positive and llm.model not empty".into(),
            ));
        }
        self.payments.validate(self.production)?;
        if self.graphql.max_depth == 0 || self.graphql.max_complexity == 0 {
            return Err(ConfigError::Invalid(
                "graphql limits must be positive".into(),
            ));
        }
        Ok(())
    }

    /// The database URL in force: the configured one, or the SQLite file in the data dir.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("medgraph.db").display()
            ),
        }
    }

    /// Whether the database in force is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.effective_database_url().starts_with("postgres")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_needs_database_url() {
        let config = Config {
            production: true,
            ..Config::default()
        };
        assert!(config.validate().is_err());
    }

    #[test]
    fn file_then_flags_override_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("medgraph.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\n[graphql]\nmax_depth = 7\n",
        )
        .expect("write");
        let config = Config::load(Some(&file), &Overrides::default()).expect("loads");
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.graphql.max_depth, 7);
        assert_eq!(
            config.graphql.max_aliases, 30,
            "untouched keys keep defaults"
        );
        let flags = Overrides {
            listen: Some(SocketAddr::from(([127, 0, 0, 1], 9100))),
            ..Overrides::default()
        };
        let config = Config::load(Some(&file), &flags).expect("loads");
        assert_eq!(config.listen.port(), 9100);
    }

    #[test]
    fn unknown_keys_and_missing_files_are_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "[graphql]\nmax_dpeth = 7\n").expect("write");
        assert!(Config::load(Some(&file), &Overrides::default()).is_err());
        assert!(Config::load(Some(&dir.path().join("none.toml")), &Overrides::default()).is_err());
    }

    #[test]
    #[expect(
        clippy::result_large_err,
        reason = "figment::Jail's closure returns figment::Error"
    )]
    fn llm_settings_come_from_their_environment_variables() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("MEDGRAPH_LLM_URL", "http://127.0.0.1:11434/v1");
            jail.set_env("MEDGRAPH_LLM_API_KEY", "sk-older");
            jail.set_env("MEDGRAPH_LLM_KEY", "sk-test.key");
            jail.set_env("MEDGRAPH_LLM_MODEL", "qwen2.5");
            jail.set_env("MEDGRAPH_LLM__TIMEOUT_SECS", "5");
            jail.set_env("MEDGRAPH_CODE_OUTBOX", "/tmp/outbox.jsonl");
            let config = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(config.llm.url.as_deref(), Some("http://127.0.0.1:11434/v1"));
            assert_eq!(config.llm.api_key.as_deref(), Some("sk-test.key"));
            assert_eq!(config.llm.model, "qwen2.5");
            assert_eq!(config.llm.timeout_secs, 5);
            assert_eq!(
                config.auth.code_outbox.as_deref(),
                Some(Path::new("/tmp/outbox.jsonl"))
            );
            assert!(
                !format!("{config:?}").contains("sk-test.key"),
                "the key is not in Debug output"
            );
            // Digits stay the string they were.
            jail.set_env("MEDGRAPH_LLM_KEY", "123456");
            let config = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(config.llm.api_key.as_deref(), Some("123456"));
            jail.set_env("MEDGRAPH_LLM_URL", "ftp://example.org");
            assert!(Config::load(None, &Overrides::default()).is_err());
            Ok(())
        });
    }

    #[test]
    #[expect(
        clippy::result_large_err,
        reason = "figment::Jail's closure returns figment::Error"
    )]
    fn unknown_environment_variables_are_ignored_and_named() {
        figment::Jail::expect_with(|jail| {
            // What Kubernetes injects for a service named medgraph.
            jail.set_env("MEDGRAPH_PORT", "tcp://10.0.0.1:8080");
            jail.set_env("MEDGRAPH_PORT_8080_TCP_ADDR", "10.0.0.1");
            jail.set_env("MEDGRAPH_SERVICE_HOST", "10.0.0.1");
            jail.set_env("MEDGRAPH_GRAPHQL__MAX_DEPHT", "3");
            jail.set_env("MEDGRAPH_GRAPHQL__MAX_DEPTH", "9");
            jail.set_env("MEDGRAPH_AUTH__SMTP__URL", "smtp://127.0.0.1:25");
            jail.set_env("MEDGRAPH_AUTH__SMTP__FROM", "x@example.org");
            let config = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(config.graphql.max_depth, 9);
            assert_eq!(
                config.auth.smtp.as_ref().map(|s| s.url.as_str()),
                Some("smtp://127.0.0.1:25")
            );
            let unknown = unknown_env_vars();
            for name in [
                "MEDGRAPH_PORT",
                "MEDGRAPH_PORT_8080_TCP_ADDR",
                "MEDGRAPH_SERVICE_HOST",
                "MEDGRAPH_GRAPHQL__MAX_DEPHT",
            ] {
                assert!(unknown.contains(&name.to_owned()), "{name} in {unknown:?}");
            }
            assert!(!unknown.iter().any(|n| n == "MEDGRAPH_GRAPHQL__MAX_DEPTH"
                || n == "MEDGRAPH_LLM_URL"
                || n.starts_with("MEDGRAPH_AUTH")));
            // A config file's unknown key is still an error.
            jail.create_file("medgraph.toml", "porrt = 1\n")?;
            assert!(Config::load(None, &Overrides::default()).is_err());
            Ok(())
        });
    }

    #[test]
    fn default_database_is_sqlite_in_data_dir() {
        let config = Config::default();
        assert_eq!(
            config.effective_database_url(),
            "sqlite://./data/medgraph.db?mode=rwc"
        );
    }
}

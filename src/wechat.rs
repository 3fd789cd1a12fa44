//! A client of the WeChat official-account API (`wechat.app_id`, `wechat.app_secret`,
//! `wechat.api_base`): downloads a media item (素材) by its `media_id`.
//!
//! An access token comes from `GET {api_base}/cgi-bin/token?grant_type=client_credential&
//! appid=…&secret=…` and is kept until a minute before it expires (or until WeChat calls it
//! invalid, then it is fetched once more); the item from `GET {api_base}/cgi-bin/media/get?
//! access_token=…&media_id=…`. Failures are [`AppError`]s: `UNAVAILABLE` when not configured,
//! unreachable or answering an error code (`{"errcode": 40001, "errmsg": …}`), `BAD_USER_INPUT`
//! (field `media_id`) for an unknown media id (40007). The secret and tokens are never logged.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::Value;
use tokio::sync::Mutex;

use crate::config::WechatConfig;
use crate::error::{AppError, AppResult};

/// What `/weixin/media` answers while the credentials are not set.
pub const NOT_CONFIGURED: &str =
    "WeChat is not configured (set wechat.app_id and wechat.app_secret)";

/// WeChat error codes that mean the access token is no longer good.
const STALE_TOKEN: [i64; 3] = [40001, 40014, 42001];

/// A downloaded media item.
#[derive(Debug, Clone)]
pub struct Media {
    pub bytes: Bytes,
    /// From `Content-Disposition`, when WeChat names the file.
    pub file_name: Option<String>,
}

/// The WeChat API client; cheap to clone.
#[derive(Clone)]
pub struct WechatClient {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    http: reqwest::Client,
    base: String,
    app_id: String,
    app_secret: String,
    token: Mutex<Option<(String, Instant)>>,
}

impl std::fmt::Debug for WechatClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.inner {
            None => f.write_str("WechatClient(not configured)"),
            Some(inner) => f
                .debug_struct("WechatClient")
                .field("base", &inner.base)
                .field("app_id", &inner.app_id)
                .finish(),
        }
    }
}

impl WechatClient {
    /// A client for the configured application (one that answers "not configured" without
    /// credentials).
    pub fn from_config(config: &WechatConfig) -> WechatClient {
        let present = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let (Some(app_id), Some(app_secret)) =
            (present(&config.app_id), present(&config.app_secret))
        else {
            return WechatClient { inner: None };
        };
        let timeout = Duration::from_secs(config.timeout_secs.max(1));
        let http = match reqwest::Client::builder()
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .timeout(timeout)
            .build()
        {
            Ok(http) => http,
            Err(e) => {
                tracing::error!(error = %e, "WeChat HTTP client could not be built");
                return WechatClient { inner: None };
            }
        };
        WechatClient {
            inner: Some(Arc::new(Inner {
                http,
                base: config.api_base.trim().trim_end_matches('/').to_owned(),
                app_id,
                app_secret,
                token: Mutex::new(None),
            })),
        }
    }

    /// Whether credentials are configured.
    pub fn is_configured(&self) -> bool {
        self.inner.is_some()
    }

    /// Downloads the media item `media_id`.
    pub async fn download(&self, media_id: &str) -> AppResult<Media> {
        let inner = self
            .inner
            .as_ref()
            .ok_or_else(|| AppError::Unavailable(NOT_CONFIGURED.into()))?;
        let media_id = media_id.trim();
        if media_id.is_empty()
            || media_id.len() > 128
            || !media_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(AppError::bad_field("media_id", "not a WeChat media_id"));
        }
        let mut retried = false;
        loop {
            let token = inner.token().await?;
            match inner.media(&token, media_id).await {
                Err(Failure::StaleToken) if !retried => {
                    retried = true;
                    *inner.token.lock().await = None;
                }
                Err(Failure::StaleToken) => {
                    return Err(AppError::Unavailable(
                        "WeChat refused a fresh access token".into(),
                    ));
                }
                Err(Failure::Error(e)) => return Err(e),
                Ok(media) => return Ok(media),
            }
        }
    }
}

enum Failure {
    StaleToken,
    Error(AppError),
}

fn unreachable(e: reqwest::Error) -> AppError {
    tracing::warn!(error = %e.without_url(), "WeChat API unreachable");
    AppError::Unavailable("the WeChat API did not answer".into())
}

/// A WeChat error body as an error.
fn refused(body: &Value) -> AppError {
    let code = body["errcode"].as_i64().unwrap_or(-1);
    let message: String = body["errmsg"]
        .as_str()
        .unwrap_or("")
        .chars()
        .take(200)
        .collect();
    if code == 40007 {
        AppError::bad_field(
            "media_id",
            format!("WeChat does not know this media_id (errcode 40007: {message})"),
        )
    } else {
        AppError::Unavailable(format!("WeChat refused (errcode {code}: {message})"))
    }
}

/// `{base}{path}?{params}`, encoded.
fn url(base: &str, path: &str, params: &[(&str, &str)]) -> AppResult<reqwest::Url> {
    reqwest::Url::parse_with_params(&format!("{base}{path}"), params)
        .map_err(|_| AppError::Unavailable("wechat.api_base is not a valid URL".into()))
}

impl Inner {
    /// A valid access token, from the cache or fetched now.
    async fn token(&self) -> AppResult<String> {
        let mut slot = self.token.lock().await;
        if let Some((token, until)) = slot.as_ref()
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let response = self
            .http
            .get(url(
                &self.base,
                "/cgi-bin/token",
                &[
                    ("grant_type", "client_credential"),
                    ("appid", self.app_id.as_str()),
                    ("secret", self.app_secret.as_str()),
                ],
            )?)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        let body: Value = response.json().await.map_err(|e| {
            tracing::warn!(error = %e.without_url(), %status, "WeChat token answer is not JSON");
            AppError::Unavailable("the WeChat API answered something unexpected".into())
        })?;
        if body.get("errcode").and_then(Value::as_i64).unwrap_or(0) != 0 {
            return Err(refused(&body));
        }
        let token = body["access_token"]
            .as_str()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| AppError::Unavailable("WeChat gave no access token".into()))?
            .to_owned();
        let lifetime = body["expires_in"].as_u64().unwrap_or(7200);
        let until = Instant::now() + Duration::from_secs(lifetime.saturating_sub(60).max(1));
        *slot = Some((token.clone(), until));
        Ok(token)
    }

    async fn media(&self, token: &str, media_id: &str) -> Result<Media, Failure> {
        let response = self
            .http
            .get(
                url(
                    &self.base,
                    "/cgi-bin/media/get",
                    &[("access_token", token), ("media_id", media_id)],
                )
                .map_err(Failure::Error)?,
            )
            .send()
            .await
            .map_err(|e| Failure::Error(unreachable(e)))?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let file_name = response
            .headers()
            .get(reqwest::header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split("filename=").nth(1))
            .map(|n| n.trim_matches(['"', ' ', ';']).to_owned())
            .filter(|n| !n.is_empty());
        let bytes = response
            .bytes()
            .await
            .map_err(|e| Failure::Error(unreachable(e)))?;
        let looks_json = content_type.contains("json")
            || content_type.starts_with("text/")
            || bytes.first() == Some(&b'{');
        if looks_json && let Ok(body) = serde_json::from_slice::<Value>(&bytes) {
            let code = body["errcode"].as_i64().unwrap_or(0);
            if STALE_TOKEN.contains(&code) {
                return Err(Failure::StaleToken);
            }
            if code != 0 {
                return Err(Failure::Error(refused(&body)));
            }
            return Err(Failure::Error(AppError::Unavailable(
                "WeChat answered JSON instead of the media item (a video item has a URL, not bytes)"
                    .into(),
            )));
        }
        if !status.is_success() {
            return Err(Failure::Error(AppError::Unavailable(format!(
                "the WeChat API answered HTTP {status}"
            ))));
        }
        Ok(Media { bytes, file_name })
    }
}

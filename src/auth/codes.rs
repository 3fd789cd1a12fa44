//! One-time verification codes sent by SMS or e-mail: 6 digits, stored as SHA-256, a limited
//! life, a limited number of guesses, one resend per interval per destination and per-IP and
//! per-destination quotas. Sending goes through the [`CodeSender`] trait: the log (default),
//! an outbox file (`MEDGRAPH_CODE_OUTBOX`, one JSON line per code) or SMTP for e-mail.

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use entity::verification_code;
use rand::Rng;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::config::{AuthConfig, SmtpConfig};
use crate::error::{AppError, AppResult};
use crate::ratelimit;

/// How a code travels.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Channel {
    /// Text message to a mainland mobile number.
    Sms,
    /// E-mail.
    Email,
}

impl Channel {
    /// The input field a destination of this channel is: `phone` or `email`.
    pub fn field(self) -> &'static str {
        match self {
            Channel::Sms => "phone",
            Channel::Email => "email",
        }
    }

    /// The stored and outbox name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
        }
    }
}

/// What a code may be used for; a code sent for one purpose does not work for another.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Creating an account.
    Register,
    /// Logging in without a password.
    Login,
    /// Resetting a forgotten password.
    Reset,
    /// Changing or unbinding the phone number or e-mail address.
    ChangeContact,
    /// Deactivating one's own account.
    Deactivate,
    /// Binding a patient to a doctor's assistant.
    Bind,
    /// Sent by a legacy endpoint that names no purpose (volunteer `/verifycode`, counseling
    /// `/auth/email`); accepted for any purpose.
    General,
}

impl Purpose {
    /// The stored and outbox name.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Register => "register",
            Purpose::Login => "login",
            Purpose::Reset => "reset",
            Purpose::ChangeContact => "change_contact",
            Purpose::Deactivate => "deactivate",
            Purpose::Bind => "bind",
            Purpose::General => "general",
        }
    }
}

/// A code on its way to a person.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CodeMessage {
    pub channel: &'static str,
    pub destination: String,
    pub purpose: &'static str,
    pub code: String,
    pub sent_at: DateTime<Utc>,
}

/// Delivers codes. Implementations must not fail silently: an error is reported to the caller
/// as `UNAVAILABLE`.
#[async_trait]
pub trait CodeSender: Send + Sync {
    /// Sends one code.
    async fn send(&self, message: &CodeMessage) -> AppResult<()>;
}

/// Writes codes to the log (development default).
pub struct LogSender;

#[async_trait]
impl CodeSender for LogSender {
    async fn send(&self, m: &CodeMessage) -> AppResult<()> {
        tracing::info!(
            channel = m.channel,
            destination = %m.destination,
            purpose = m.purpose,
            code = %m.code,
            "verification code (log sender)"
        );
        Ok(())
    }
}

/// Appends one JSON line per code to a file: tests and demos read codes there.
pub struct OutboxSender {
    path: PathBuf,
    lock: tokio::sync::Mutex<()>,
}

impl OutboxSender {
    /// An outbox at `path` (created on first use).
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            lock: tokio::sync::Mutex::new(()),
        }
    }
}

#[async_trait]
impl CodeSender for OutboxSender {
    async fn send(&self, m: &CodeMessage) -> AppResult<()> {
        let mut line = serde_json::to_string(m).map_err(AppError::internal)?;
        line.push('\n');
        let _guard = self.lock.lock().await;
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .await?;
        file.write_all(line.as_bytes()).await?;
        file.flush().await?;
        Ok(())
    }
}

/// Sends e-mailed codes through an SMTP relay.
pub struct SmtpSender {
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl SmtpSender {
    /// A sender for the configured relay.
    pub fn new(config: &SmtpConfig) -> Result<Self, String> {
        let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(&config.url)
            .map_err(|e| format!("auth.smtp.url: {e}"))?
            .build();
        let from = config
            .from
            .parse()
            .map_err(|e| format!("auth.smtp.from: {e}"))?;
        Ok(Self { transport, from })
    }
}

#[async_trait]
impl CodeSender for SmtpSender {
    async fn send(&self, m: &CodeMessage) -> AppResult<()> {
        use lettre::AsyncTransport;
        let to = m
            .destination
            .parse()
            .map_err(|_| AppError::bad_field("destination", "not a valid e-mail address"))?;
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject("medgraph verification code")
            .body(format!(
                "Your verification code is {}. It is valid for a few minutes. If you did not ask for it, ignore this message.",
                m.code
            ))
            .map_err(AppError::internal)?;
        self.transport.send(email).await.map_err(|e| {
            tracing::warn!(error = %e, "SMTP delivery failed");
            AppError::Unavailable("the e-mail could not be sent; try again later".into())
        })?;
        Ok(())
    }
}

/// The senders in use: one per channel.
#[derive(Clone)]
pub struct CodeSenders {
    pub sms: Arc<dyn CodeSender>,
    pub email: Arc<dyn CodeSender>,
    /// The outbox, when configured: captcha answers are written there too, for tests and demos.
    pub outbox: Option<Arc<OutboxSender>>,
}

impl CodeSenders {
    /// Senders from configuration: the outbox when set, SMTP for e-mail when configured, the
    /// log otherwise.
    pub fn from_config(config: &AuthConfig) -> Result<Self, String> {
        let outbox = config
            .code_outbox
            .as_ref()
            .map(|path| Arc::new(OutboxSender::new(path.clone())));
        let fallback: Arc<dyn CodeSender> = match &outbox {
            Some(outbox) => outbox.clone(),
            None => Arc::new(LogSender),
        };
        let email: Arc<dyn CodeSender> = match &config.smtp {
            Some(smtp) => Arc::new(SmtpSender::new(smtp)?),
            None => fallback.clone(),
        };
        Ok(Self {
            sms: fallback,
            email,
            outbox,
        })
    }

    fn for_channel(&self, channel: Channel) -> &Arc<dyn CodeSender> {
        match channel {
            Channel::Sms => &self.sms,
            Channel::Email => &self.email,
        }
    }
}

/// Normalises a mainland mobile number (`+86`/`86` prefixes and separators dropped) and checks
/// it: 11 digits starting with 1.
pub fn normalize_phone(raw: &str, field: &str) -> AppResult<String> {
    let digits: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    let digits = digits
        .strip_prefix("+86")
        .or_else(|| {
            (digits.len() == 13)
                .then(|| digits.strip_prefix("86"))
                .flatten()
        })
        .unwrap_or(&digits);
    let bytes = digits.as_bytes();
    if bytes.len() == 11
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1])
        && bytes.iter().all(u8::is_ascii_digit)
    {
        Ok(digits.to_owned())
    } else {
        Err(AppError::bad_field(
            field,
            "a mainland mobile number has 11 digits and starts with 13-19",
        ))
    }
}

/// Normalises an e-mail address to lower case and checks its shape.
pub fn normalize_email(raw: &str, field: &str) -> AppResult<String> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.parse::<lettre::Address>().is_ok()
        && email
            .split_once('@')
            .is_some_and(|(_, domain)| domain.contains('.'));
    if valid {
        Ok(email)
    } else {
        Err(AppError::bad_field(field, "not a valid e-mail address"))
    }
}

/// Normalises a destination for its channel.
pub fn normalize(channel: Channel, raw: &str, field: &str) -> AppResult<String> {
    match channel {
        Channel::Sms => normalize_phone(raw, field),
        Channel::Email => normalize_email(raw, field),
    }
}

fn code_hash(destination: &str, purpose: Purpose, code: &str) -> String {
    hex::encode(Sha256::digest(
        format!("{destination}\n{}\n{code}", purpose.as_str()).as_bytes(),
    ))
}

/// Issues a code for `destination` and hands it to the channel's sender. `deliver` false
/// (purposes that need an existing account, asked for an unknown one) goes through every check
/// and answers the same, but sends nothing: the answer never reveals whether an account exists.
#[allow(clippy::too_many_arguments)]
pub async fn issue(
    db: &DatabaseConnection,
    config: &AuthConfig,
    senders: &CodeSenders,
    channel: Channel,
    destination: &str,
    purpose: Purpose,
    ip_key: &str,
    deliver: bool,
) -> AppResult<()> {
    ratelimit::check(
        db,
        &format!("code:ip:{ip_key}"),
        3600,
        config.codes_per_ip_per_hour,
        "verification codes from this address",
    )
    .await?;
    let now = Utc::now();
    let latest = verification_code::Entity::find()
        .filter(verification_code::Column::Destination.eq(destination))
        .order_by_desc(verification_code::Column::Id)
        .one(db)
        .await?;
    if let Some(latest) = latest {
        let wait = config.code_resend_secs - (now - latest.created_at).num_seconds();
        if wait > 0 {
            return Err(AppError::RateLimited(format!(
                "a code was just sent to this destination; ask again in {wait} seconds"
            )));
        }
    }
    ratelimit::check(
        db,
        &format!("code:dest:{destination}"),
        86_400,
        config.codes_per_destination_per_day,
        "verification codes for this destination today",
    )
    .await?;
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
    verification_code::ActiveModel {
        channel: Set(channel.as_str().to_owned()),
        destination: Set(destination.to_owned()),
        purpose: Set(purpose.as_str().to_owned()),
        code_hash: Set(code_hash(destination, purpose, &code)),
        attempts: Set(0),
        expires_at: Set(now + Duration::seconds(config.code_ttl_secs)),
        consumed_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    if deliver {
        senders
            .for_channel(channel)
            .send(&CodeMessage {
                channel: channel.as_str(),
                destination: destination.to_owned(),
                purpose: purpose.as_str(),
                code,
                sent_at: now,
            })
            .await?;
    } else {
        tracing::info!(
            channel = channel.as_str(),
            purpose = purpose.as_str(),
            "verification code requested for an unknown account; not delivered"
        );
    }
    Ok(())
}

/// The one error for every failed code check: wrong, expired, used up or never sent.
pub fn invalid_code(field: &str) -> AppError {
    AppError::bad_field(field, "the verification code is wrong or has expired")
}

/// Checks `code` against the newest live code for `destination` issued for one of `purposes`
/// (or `General`) and returns its id for [`consume`]. Runs outside any transaction, so a wrong
/// guess is counted even though the command fails; after the allowed number of guesses the
/// code is dead.
pub async fn verify(
    db: &DatabaseConnection,
    config: &AuthConfig,
    destination: &str,
    purposes: &[Purpose],
    code: &str,
    field: &str,
) -> AppResult<i64> {
    let code = code.trim();
    let now = Utc::now();
    let names: Vec<&str> = purposes
        .iter()
        .chain(std::iter::once(&Purpose::General))
        .map(|p| p.as_str())
        .collect();
    let live = verification_code::Entity::find()
        .filter(verification_code::Column::Destination.eq(destination))
        .filter(verification_code::Column::Purpose.is_in(names))
        .filter(verification_code::Column::ConsumedAt.is_null())
        .filter(verification_code::Column::ExpiresAt.gt(now))
        .filter(verification_code::Column::Attempts.lt(config.code_max_attempts))
        .order_by_desc(verification_code::Column::Id)
        .one(db)
        .await?
        .ok_or_else(|| invalid_code(field))?;
    let stored_purpose = [Purpose::General]
        .iter()
        .chain(purposes)
        .copied()
        .find(|p| p.as_str() == live.purpose)
        .unwrap_or(Purpose::General);
    if code.len() != 6 || code_hash(destination, stored_purpose, code) != live.code_hash {
        verification_code::Entity::update_many()
            .col_expr(
                verification_code::Column::Attempts,
                Expr::col(verification_code::Column::Attempts).add(1),
            )
            .filter(verification_code::Column::Id.eq(live.id))
            .exec(db)
            .await?;
        return Err(invalid_code(field));
    }
    Ok(live.id)
}

/// Uses up a verified code inside the command's transaction, so the command and the
/// consumption commit together. Conditional on it still being unused: of two concurrent uses,
/// one wins.
pub async fn consume<C: ConnectionTrait>(txn: &C, code_id: i64, field: &str) -> AppResult<()> {
    let used = verification_code::Entity::update_many()
        .col_expr(
            verification_code::Column::ConsumedAt,
            Expr::value(Utc::now()),
        )
        .filter(verification_code::Column::Id.eq(code_id))
        .filter(verification_code::Column::ConsumedAt.is_null())
        .exec(txn)
        .await?;
    if used.rows_affected != 1 {
        return Err(invalid_code(field));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_normalise() {
        assert_eq!(
            normalize_phone("+86 138-0000-0001", "phone")
                .ok()
                .as_deref(),
            Some("13800000001")
        );
        assert_eq!(
            normalize_phone("8613800000001", "phone").ok().as_deref(),
            Some("13800000001")
        );
        assert!(normalize_phone("1380000000", "phone").is_err());
        assert!(normalize_phone("23800000001", "phone").is_err());
        assert!(normalize_phone("1210000000a", "phone").is_err());
    }

    #[test]
    fn emails_normalise() {
        assert_eq!(
            normalize_email(" A.B@QQ.com ", "email").ok().as_deref(),
            Some("a.b@qq.com")
        );
        assert!(normalize_email("a@b", "email").is_err());
        assert!(normalize_email("not-an-email", "email").is_err());
    }

    #[test]
    fn hashes_bind_destination_and_purpose() {
        let a = code_hash("13800000001", Purpose::Login, "123456");
        assert_ne!(a, code_hash("13800000002", Purpose::Login, "123456"));
        assert_ne!(a, code_hash("13800000001", Purpose::Reset, "123456"));
        assert_eq!(a.len(), 64);
    }
}

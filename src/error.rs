//! The one error type of medgraph. Every variant has a stable code that GraphQL puts in
//! `extensions.code` and each REST dialect maps into its envelope.

use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, SqlErr, TransactionError};

/// A failure of an operation, as callers see it.
///
/// Deliberately not `Display`/`std::error::Error`: async-graphql converts any `Display` type into
/// an error without a code, so keeping `AppError` out of that blanket conversion makes `?` in a
/// resolver go through [`From<AppError> for async_graphql::Error`], which always sets the code.
#[derive(Debug)]
pub enum AppError {
    /// No valid credentials were presented.
    Unauthenticated(String),
    /// The caller is known but may not do this.
    Forbidden(String),
    /// The thing asked for does not exist (or is not visible to the caller).
    NotFound(String),
    /// The input is malformed or breaks a rule; `field` names the offending input when known.
    BadInput {
        message: String,
        field: Option<String>,
    },
    /// Several inputs are at fault at once (`BAD_USER_INPUT` too): every offending field with
    /// its messages, so a form can show them all. GraphQL carries them in `extensions.fields`
    /// (`{field: [messages]}`) and the first in `extensions.field`.
    BadFields {
        message: String,
        fields: Vec<FieldError>,
    },
    /// The change conflicts with the current state (a duplicate, a stale transition).
    Conflict(String),
    /// Too many requests; try again later.
    RateLimited(String),
    /// A dependency is down or not configured.
    Unavailable(String),
    /// A bug or an unexpected failure; the detail is logged, never shown.
    Internal(String),
}

/// Result alias used across the crate.
pub type AppResult<T> = Result<T, AppError>;

/// One input field at fault and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Collects every invalid field of an input before anything is written; [`FieldErrors::finish`]
/// turns them into one [`AppError::BadFields`].
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// Records that `field` is invalid.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Records the field error of `result` (any other error too, under `field`), and gives its
    /// value when it succeeded.
    pub fn check<T>(&mut self, field: &str, result: AppResult<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                self.add(field, err.public_message());
                None
            }
        }
    }

    /// Whether `field` already has an error.
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    /// `Ok` when no field is invalid, else one error listing them all.
    pub fn finish(self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::bad_fields(self.0))
        }
    }
}

impl AppError {
    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated(_) => "UNAUTHENTICATED",
            AppError::Forbidden(_) => "FORBIDDEN",
            AppError::NotFound(_) => "NOT_FOUND",
            AppError::BadInput { .. } | AppError::BadFields { .. } => "BAD_USER_INPUT",
            AppError::Conflict(_) => "CONFLICT",
            AppError::RateLimited(_) => "RATE_LIMITED",
            AppError::Unavailable(_) => "UNAVAILABLE",
            AppError::Internal(_) => "INTERNAL",
        }
    }

    /// Bad input without a specific field.
    pub fn bad_input(message: impl Into<String>) -> Self {
        AppError::BadInput {
            message: message.into(),
            field: None,
        }
    }

    /// Bad input in one named field.
    pub fn bad_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::BadInput {
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// Bad input in several fields (an empty list is plain bad input). The message is the one
    /// field's message, or names the fields.
    pub fn bad_fields(fields: Vec<FieldError>) -> Self {
        let message = match fields.as_slice() {
            [] => return AppError::bad_input("invalid input"),
            [one] => one.message.clone(),
            many => {
                let mut names: Vec<&str> = Vec::new();
                for e in many {
                    if !names.contains(&e.field.as_str()) {
                        names.push(&e.field);
                    }
                }
                format!("invalid input in {}", names.join(", "))
            }
        };
        AppError::BadFields { message, fields }
    }

    /// The invalid fields with their messages, in input order, one entry per field (empty for
    /// other errors).
    pub fn field_messages(&self) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        match self {
            AppError::BadInput {
                message,
                field: Some(field),
            } => out.push((field.clone(), vec![message.clone()])),
            AppError::BadFields { fields, .. } => {
                for e in fields {
                    match out.iter_mut().find(|(f, _)| *f == e.field) {
                        Some((_, messages)) => messages.push(e.message.clone()),
                        None => out.push((e.field.clone(), vec![e.message.clone()])),
                    }
                }
            }
            _ => {}
        }
        out
    }

    /// An unexpected failure; logs `detail` with the current span (which carries the request id).
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        let detail = detail.to_string();
        tracing::error!(error = %detail, "internal error");
        AppError::Internal(detail)
    }

    /// Builds an error from a stable code and message (the inverse of [`AppError::code`]); used
    /// when results come back from an in-process GraphQL execution.
    pub fn from_code(code: &str, message: String) -> Self {
        match code {
            "UNAUTHENTICATED" => AppError::Unauthenticated(message),
            "FORBIDDEN" => AppError::Forbidden(message),
            "NOT_FOUND" => AppError::NotFound(message),
            "BAD_USER_INPUT" => AppError::bad_input(message),
            "CONFLICT" => AppError::Conflict(message),
            "RATE_LIMITED" => AppError::RateLimited(message),
            "UNAVAILABLE" => AppError::Unavailable(message),
            _ => AppError::Internal(message),
        }
    }

    /// HTTP status that corresponds to the code.
    pub fn http_status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            AppError::Unauthenticated(_) => S::UNAUTHORIZED,
            AppError::Forbidden(_) => S::FORBIDDEN,
            AppError::NotFound(_) => S::NOT_FOUND,
            AppError::BadInput { .. } | AppError::BadFields { .. } => S::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => S::CONFLICT,
            AppError::RateLimited(_) => S::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => S::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => S::INTERNAL_SERVER_ERROR,
        }
    }

    /// Seconds a rate-limited caller should wait (`Retry-After`), read from the message the
    /// limit gave ("try again in 42 seconds", "locked for 15 minutes"); a minute when it names
    /// none. `None` for other errors.
    pub fn retry_after_secs(&self) -> Option<u64> {
        let AppError::RateLimited(message) = self else {
            return None;
        };
        let words: Vec<&str> = message.split_whitespace().collect();
        let named = words.windows(2).find_map(|pair| {
            let n: u64 = pair[0].parse().ok()?;
            let unit = pair[1].trim_end_matches(|c: char| !c.is_alphabetic());
            match unit {
                "second" | "seconds" => Some(n),
                "minute" | "minutes" => Some(n.saturating_mul(60)),
                "hour" | "hours" => Some(n.saturating_mul(3600)),
                _ => None,
            }
        });
        Some(named.unwrap_or(60).max(1))
    }

    /// The message safe to show a caller.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Unauthenticated(m)
            | AppError::Forbidden(m)
            | AppError::NotFound(m)
            | AppError::Conflict(m)
            | AppError::RateLimited(m)
            | AppError::Unavailable(m) => m.clone(),
            AppError::BadInput { message, .. } | AppError::BadFields { message, .. } => {
                message.clone()
            }
            AppError::Internal(_) => "internal error".into(),
        }
    }

    /// Everything known about the error, for logs and the command line (never for callers).
    pub fn detail(&self) -> String {
        match self {
            AppError::Internal(detail) => format!("internal error: {detail}"),
            other => format!("{}: {}", other.code(), other.public_message()),
        }
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                AppError::Conflict("a record with the same unique value already exists".into())
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                AppError::bad_input("a referenced record does not exist")
            }
            _ => match err {
                DbErr::RecordNotFound(what) => AppError::NotFound(what),
                // PostgreSQL gave up one of two transactions waiting on each other (40P01) or
                // could not serialize it (40001): nothing was written; the client may retry.
                other
                    if {
                        let text = other.to_string();
                        text.contains("deadlock detected")
                            || text.contains("could not serialize access")
                    } =>
                {
                    tracing::warn!(error = %other, "transaction aborted by the database");
                    AppError::Conflict(
                        "the change collided with a concurrent one; try again".into(),
                    )
                }
                DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
                    tracing::error!(error = %err, "database unavailable");
                    AppError::Unavailable("the database is unavailable".into())
                }
                other => AppError::internal(other),
            },
        }
    }
}

impl<E> From<TransactionError<E>> for AppError
where
    E: Into<AppError> + std::error::Error,
{
    fn from(err: TransactionError<E>) -> Self {
        match err {
            TransactionError::Connection(db) => db.into(),
            TransactionError::Transaction(e) => e.into(),
        }
    }
}

impl From<std::io::Error> for AppError {
    fn from(err: std::io::Error) -> Self {
        AppError::internal(err)
    }
}

impl From<object_store::Error> for AppError {
    fn from(err: object_store::Error) -> Self {
        match err {
            object_store::Error::NotFound { .. } => AppError::NotFound("file not found".into()),
            other => AppError::internal(other),
        }
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        err.extend()
    }
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        let field = match self {
            AppError::BadInput { field, .. } => field.clone(),
            AppError::BadFields { fields, .. } => fields.first().map(|e| e.field.clone()),
            _ => None,
        };
        let fields = match self {
            AppError::BadFields { .. } => Some(self.field_messages()),
            _ => None,
        };
        let code = self.code();
        let retry_after = self.retry_after_secs();
        async_graphql::Error::new(self.public_message()).extend_with(|_, e| {
            e.set("code", code);
            if let Some(secs) = retry_after {
                e.set("retryAfter", secs);
            }
            if let Some(field) = &field {
                e.set("field", field.as_str());
            }
            if let Some(fields) = &fields {
                let object = fields
                    .iter()
                    .map(|(field, messages)| {
                        (
                            async_graphql::Name::new(field),
                            async_graphql::Value::List(
                                messages
                                    .iter()
                                    .map(|m| async_graphql::Value::String(m.clone()))
                                    .collect(),
                            ),
                        )
                    })
                    .collect();
                e.set("fields", async_graphql::Value::Object(object));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for err in [
            AppError::Unauthenticated("x".into()),
            AppError::Forbidden("x".into()),
            AppError::NotFound("x".into()),
            AppError::bad_input("x"),
            AppError::Conflict("x".into()),
            AppError::RateLimited("x".into()),
            AppError::Unavailable("x".into()),
            AppError::Internal("x".into()),
        ] {
            assert_eq!(
                AppError::from_code(err.code(), "x".into()).code(),
                err.code()
            );
        }
    }

    #[test]
    fn several_fields_travel_together() {
        let mut errors = FieldErrors::default();
        errors.add("name", "name is required");
        errors.add("phone", "bad phone");
        errors.add("name", "name is too long");
        let err = errors.finish().expect_err("invalid");
        assert_eq!(err.code(), "BAD_USER_INPUT");
        assert_eq!(err.public_message(), "invalid input in name, phone");
        assert_eq!(
            err.field_messages(),
            vec![
                (
                    "name".to_owned(),
                    vec!["name is required".to_owned(), "name is too long".to_owned()]
                ),
                ("phone".to_owned(), vec!["bad phone".to_owned()]),
            ]
        );
        let gql = err.extend();
        let ext = gql.extensions.expect("extensions");
        assert_eq!(ext.get("field"), Some(&async_graphql::Value::from("name")));
        assert!(matches!(
            ext.get("fields"),
            Some(async_graphql::Value::Object(o)) if o.len() == 2
        ));
        assert!(FieldErrors::default().finish().is_ok());
    }

    #[test]
    fn internal_detail_is_not_public() {
        let err = AppError::Internal("SELECT * FROM secrets".into());
        assert_eq!(err.public_message(), "internal error");
    }
}

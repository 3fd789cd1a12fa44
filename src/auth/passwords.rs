//! Passwords: argon2id hashes in PHC format, a minimum strength, verification off the async
//! runtime. A password is never returned, logged or stored in clear.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::error::{AppError, AppResult};

/// Minimum length of a password, in characters.
pub const MIN_LENGTH: usize = 8;
/// Maximum length of a password, in characters.
pub const MAX_LENGTH: usize = 128;

/// Checks the minimum strength: 8 to 128 characters, with letters and digits (or other
/// symbols), and not a well-known password.
pub fn validate_strength(password: &str, field: &str) -> AppResult<()> {
    let len = password.chars().count();
    if len < MIN_LENGTH {
        return Err(AppError::bad_field(
            field,
            format!("a password has at least {MIN_LENGTH} characters"),
        ));
    }
    if len > MAX_LENGTH {
        return Err(AppError::bad_field(
            field,
            format!("a password has at most {MAX_LENGTH} characters"),
        ));
    }
    let letters = password.chars().any(char::is_alphabetic);
    let digits = password.chars().any(|c| c.is_ascii_digit());
    let others = password.chars().any(|c| !c.is_alphanumeric());
    if [letters, digits, others].iter().filter(|b| **b).count() < 2 {
        return Err(AppError::bad_field(
            field,
            "a password mixes at least two of letters, digits and symbols",
        ));
    }
    const COMMON: [&str; 6] = [
        "password1",
        "password123",
        "abc12345",
        "qwerty123",
        "a1234567",
        "1qaz2wsx",
    ];
    if COMMON.contains(&password.to_lowercase().as_str()) {
        return Err(AppError::bad_field(field, "this password is too common"));
    }
    Ok(())
}

/// Hashes a password with argon2id and a random salt (on a blocking thread).
pub async fn hash(password: &str) -> AppResult<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(AppError::internal)?
}

/// Whether `password` matches the stored hash. With no hash (an account without a password)
/// a dummy hash is checked, so the answer takes as long as for a real account.
pub async fn verify(stored: Option<&str>, password: &str) -> AppResult<bool> {
    let known = stored.is_some();
    let stored = stored.map(str::to_owned);
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let parsed = match PasswordHash::new(&stored) {
            Ok(p) => p,
            Err(_) => return false,
        };
        known
            && Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
    })
    .await
    .map_err(AppError::internal)
}

/// A real hash of a throw-away password, so checking an unknown account costs a full verify.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        Argon2::default()
            .hash_password(b"no-such-account", &SaltString::generate(&mut OsRng))
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strength_rules() {
        assert!(validate_strength("secret12", "password").is_ok());
        assert!(validate_strength("短密码1", "password").is_err());
        assert!(validate_strength("12345678", "password").is_err());
        assert!(validate_strength("abcdefgh", "password").is_err());
        assert!(validate_strength("Password123", "password").is_err());
        assert!(validate_strength(&"a1".repeat(70), "password").is_err());
    }

    #[tokio::test]
    async fn hashes_verify_and_differ() {
        let h1 = hash("secret12").await.expect("hash");
        let h2 = hash("secret12").await.expect("hash");
        assert_ne!(h1, h2, "salted");
        assert!(h1.starts_with("$argon2id$"));
        assert!(verify(Some(&h1), "secret12").await.expect("verify"));
        assert!(!verify(Some(&h1), "secret13").await.expect("verify"));
        assert!(!verify(None, "secret12").await.expect("verify"));
    }
}

//! Image captchas (volunteer `GET /captcha/app`): a PNG of 5 characters whose answer is kept
//! hashed in the database under a random id the client holds in a cookie, so any server
//! process can check it. One answer per captcha; 5 minutes of life.

use base64::Engine;
use chrono::{Duration, Utc};
use entity::captcha;
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};

/// Name of the cookie that binds a client to its captcha.
pub const COOKIE: &str = "medgraph_captcha";
/// Seconds a captcha lives.
pub const TTL_SECS: i64 = 300;

fn answer_hash(id: &str, answer: &str) -> String {
    hex::encode(Sha256::digest(
        format!("{id}\n{}", answer.trim().to_lowercase()).as_bytes(),
    ))
}

/// A fresh captcha: its id (for the cookie), its answer (only for the outbox of tests and
/// demos) and the PNG image.
pub async fn create(db: &DatabaseConnection) -> AppResult<(String, String, Vec<u8>)> {
    let (answer, png) = tokio::task::spawn_blocking(|| {
        ::captcha::Captcha::new()
            .add_chars(5)
            .apply_filter(::captcha::filters::Noise::new(0.2))
            .apply_filter(::captcha::filters::Wave::new(2.0, 12.0))
            .view(160, 60)
            .as_tuple()
    })
    .await
    .map_err(AppError::internal)?
    .ok_or_else(|| AppError::internal("captcha rendering failed"))?;
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let now = Utc::now();
    captcha::ActiveModel {
        id: Set(id.clone()),
        answer_hash: Set(answer_hash(&id, &answer)),
        expires_at: Set(now + Duration::seconds(TTL_SECS)),
        used_at: Set(None),
    }
    .insert(db)
    .await?;
    if rand::random::<u8>() == 0 {
        captcha::Entity::delete_many()
            .filter(captcha::Column::ExpiresAt.lt(now))
            .exec(db)
            .await?;
    }
    Ok((id, answer.clone(), png))
}

/// Checks an answer and uses the captcha up (right or wrong: each image gets one try).
pub async fn verify(db: &DatabaseConnection, id: Option<&str>, answer: &str) -> AppResult<()> {
    let wrong = || AppError::bad_field("captcha_code", "the image code is wrong or has expired");
    let id = id
        .filter(|i| !i.is_empty() && i.len() <= 64)
        .ok_or_else(|| {
            AppError::bad_field(
                "captcha_code",
                "no captcha for this client: fetch GET /captcha/app first and send its cookie",
            )
        })?;
    let now = Utc::now();
    let found = captcha::Entity::find_by_id(id.to_owned())
        .filter(captcha::Column::UsedAt.is_null())
        .filter(captcha::Column::ExpiresAt.gt(now))
        .one(db)
        .await?
        .ok_or_else(wrong)?;
    let used = captcha::Entity::update_many()
        .col_expr(captcha::Column::UsedAt, Expr::value(now))
        .filter(captcha::Column::Id.eq(id))
        .filter(captcha::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if used.rows_affected != 1 || found.answer_hash != answer_hash(id, answer) {
        return Err(wrong());
    }
    Ok(())
}

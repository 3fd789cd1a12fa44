//! Issuing, resolving and revoking session tokens.

use base64::Engine;
use chrono::{Duration, Utc};
use entity::{session_token, user, user_role};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

use super::{Auth, Role, Viewer};
use crate::error::{AppError, AppResult};

/// Hex SHA-256 of a token: what the database keeps.
pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a session for `user_id` valid for `ttl_hours`; returns the token to hand out once.
pub async fn issue_token<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    ttl_hours: i64,
) -> AppResult<(String, session_token::Model)> {
    if ttl_hours <= 0 {
        return Err(AppError::bad_field("ttlHours", "must be positive"));
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let now = Utc::now();
    let model = session_token::ActiveModel {
        user_id: Set(user_id),
        token_hash: Set(token_hash(&token)),
        created_at: Set(now),
        expires_at: Set(now + Duration::hours(ttl_hours)),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((token, model))
}

/// Finds the live session and active account a token belongs to.
pub async fn resolve_token<C: ConnectionTrait>(db: &C, token: Option<&str>) -> AppResult<Auth> {
    let Some(token) = token.filter(|t| !t.is_empty() && t.len() <= 256 && !t.contains('\0')) else {
        return Ok(Auth {
            viewer: None,
            token_rejected: token.is_some_and(|t| !t.is_empty()),
            client_ip: None,
        });
    };
    let found = session_token::Entity::find()
        .filter(session_token::Column::TokenHash.eq(token_hash(token)))
        .filter(session_token::Column::RevokedAt.is_null())
        .filter(session_token::Column::ExpiresAt.gt(Utc::now()))
        .find_also_related(user::Entity)
        .one(db)
        .await?;
    Ok(match found {
        Some((session, Some(account))) if account.status == "active" => Auth {
            viewer: Some(Viewer {
                user_id: account.id,
                token_id: session.id,
                roles: roles_of(db, account.id).await?,
            }),
            token_rejected: false,
            client_ip: None,
        },
        _ => Auth {
            viewer: None,
            token_rejected: true,
            client_ip: None,
        },
    })
}

/// Revokes one session (logout). Revoking twice is harmless.
pub async fn revoke_token<C: ConnectionTrait>(db: &C, token_id: i64) -> AppResult<()> {
    session_token::Entity::update_many()
        .col_expr(
            session_token::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(session_token::Column::Id.eq(token_id))
        .filter(session_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// The approved roles a user holds, in a stable order (applications grant nothing).
pub async fn roles_of<C: ConnectionTrait>(db: &C, user_id: i64) -> AppResult<Vec<Role>> {
    let mut roles: Vec<Role> = user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(user_id))
        .filter(user_role::Column::State.eq("approved"))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|r| r.role.parse().ok())
        .collect();
    roles.sort();
    Ok(roles)
}

/// Revokes every live session of a user (password reset, disabling, deactivation).
pub async fn revoke_all_tokens<C: ConnectionTrait>(db: &C, user_id: i64) -> AppResult<()> {
    session_token::Entity::update_many()
        .col_expr(
            session_token::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(session_token::Column::UserId.eq(user_id))
        .filter(session_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

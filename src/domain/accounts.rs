//! Accounts: the minimum the spine needs (creating users for seeds and operators, looking them
//! up). Registration, roles and profiles build on this.

use std::collections::HashMap;

use chrono::Utc;
use entity::user;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::error::{AppError, AppResult};

/// Checks a username: 3 to 32 characters of letters, digits, `_`, `.` or `-`.
pub fn validate_username(username: &str) -> AppResult<()> {
    let len = username.chars().count();
    if !(3..=32).contains(&len) {
        return Err(AppError::bad_field(
            "username",
            "a username has 3 to 32 characters",
        ));
    }
    if !username
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        return Err(AppError::bad_field(
            "username",
            "a username holds only letters, digits, '_', '.' and '-'",
        ));
    }
    Ok(())
}

/// Creates an active account. A taken username is a `CONFLICT`.
pub async fn create_user<C: ConnectionTrait>(
    db: &C,
    username: &str,
    display_name: &str,
) -> AppResult<user::Model> {
    validate_username(username)?;
    let display_name = display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 64 {
        return Err(AppError::bad_field(
            "displayName",
            "a display name has 1 to 64 characters",
        ));
    }
    let now = Utc::now();
    let model = user::ActiveModel {
        uuid: Set(uuid::Uuid::new_v4()),
        username: Set(username.to_owned()),
        display_name: Set(display_name.to_owned()),
        status: Set("active".into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => AppError::Conflict(format!("the username {username} is taken")),
        other => other,
    })?;
    Ok(model)
}

/// An account by username.
pub async fn find_by_username<C: ConnectionTrait>(
    db: &C,
    username: &str,
) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await?)
}

/// Accounts by id, for the loaders.
pub async fn by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> AppResult<HashMap<i64, user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

//! VIP memberships (会员): one per user, with a level (e.g. `middle`), a name shown to users
//! (e.g. `钻石会员`) and an end. Administrators grant one, extend or change it by granting
//! again, and revoke it; a membership past its end counts as none. Memberships are public,
//! as the social dialect shows them on every user.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{user, vip_membership};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::policy;

/// Longest level, in characters.
pub const MAX_LEVEL_CHARS: usize = 16;
/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 32;

/// A membership to grant.
#[derive(Debug, Clone)]
pub struct Grant {
    pub level: String,
    pub name: String,
    pub ends_at: DateTime<Utc>,
}

fn text(value: &str, field: &str, max: usize) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max {
        return Err(AppError::bad_field(
            field,
            format!("{field} needs 1 to {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

/// Whether a membership still runs at `now`.
pub fn is_active(membership: &vip_membership::Model, now: DateTime<Utc>) -> bool {
    membership.ends_at > now
}

/// An administrator grants `user_id` a membership until `grant.ends_at`, replacing any
/// current one (which is how a membership is extended). One statement.
pub async fn grant<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    user_id: i64,
    grant: Grant,
) -> AppResult<vip_membership::Model> {
    policy::community::require_moderator(viewer)?;
    let level = text(&grant.level, "level", MAX_LEVEL_CHARS)?;
    let name = text(&grant.name, "name", MAX_NAME_CHARS)?;
    let now = Utc::now();
    if grant.ends_at <= now {
        return Err(AppError::bad_field(
            "endsAt",
            "the end must be in the future",
        ));
    }
    if user::Entity::find_by_id(user_id).one(db).await?.is_none() {
        return Err(AppError::NotFound(format!("no user {user_id}")));
    }
    let model = vip_membership::Model {
        user_id,
        level,
        name,
        ends_at: grant.ends_at,
        updated_at: now,
    };
    vip_membership::Entity::insert(vip_membership::ActiveModel {
        user_id: Set(model.user_id),
        level: Set(model.level.clone()),
        name: Set(model.name.clone()),
        ends_at: Set(model.ends_at),
        updated_at: Set(model.updated_at),
    })
    .on_conflict(
        OnConflict::column(vip_membership::Column::UserId)
            .update_columns([
                vip_membership::Column::Level,
                vip_membership::Column::Name,
                vip_membership::Column::EndsAt,
                vip_membership::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(model)
}

/// An administrator ends `user_id`'s membership now; without one nothing changes. Answers
/// whether there was one.
pub async fn revoke<C: ConnectionTrait>(db: &C, viewer: &Viewer, user_id: i64) -> AppResult<bool> {
    policy::community::require_moderator(viewer)?;
    let deleted = vip_membership::Entity::delete_many()
        .filter(vip_membership::Column::UserId.eq(user_id))
        .exec(db)
        .await?
        .rows_affected;
    Ok(deleted > 0)
}

/// The memberships of several users that run now, for the loaders.
pub async fn active_of<C: ConnectionTrait>(
    db: &C,
    user_ids: &[i64],
) -> AppResult<HashMap<i64, vip_membership::Model>> {
    active_by_users(db, user_ids, Utc::now()).await
}

/// The memberships of several users that still run at `now`.
pub async fn active_by_users<C: ConnectionTrait>(
    db: &C,
    user_ids: &[i64],
    now: DateTime<Utc>,
) -> AppResult<HashMap<i64, vip_membership::Model>> {
    Ok(vip_membership::Entity::find()
        .filter(vip_membership::Column::UserId.is_in(user_ids.iter().copied()))
        .filter(vip_membership::Column::EndsAt.gt(now))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.user_id, m))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_membership_runs_until_its_end() {
        let now = Utc::now();
        let m = vip_membership::Model {
            user_id: 1,
            level: "middle".into(),
            name: "钻石会员".into(),
            ends_at: now,
            updated_at: now,
        };
        assert!(!is_active(&m, now));
        assert!(is_active(&m, now - chrono::Duration::seconds(1)));
    }

    #[test]
    fn levels_and_names_are_checked() {
        assert!(text(" ", "level", MAX_LEVEL_CHARS).is_err());
        assert!(text(&"会".repeat(MAX_NAME_CHARS + 1), "name", MAX_NAME_CHARS).is_err());
        assert_eq!(
            text(" 钻石会员 ", "name", MAX_NAME_CHARS).ok().as_deref(),
            Some("钻石会员")
        );
    }
}

//! Follows (关注) between users: who follows whom, counts, and the relation of a viewer to a
//! set of users, all batched for the loaders.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entity::{follow, user};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, SelectStatement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
};

use super::accounts::status;
use super::page::{Page, PageRequest};
use super::posts::count_by;
use crate::error::{AppError, AppResult};

/// `follower_id` follows `followee_id`. Following someone already followed changes nothing;
/// oneself, a missing or a no longer active account cannot be followed. Answers whether a new
/// follow was made.
pub async fn follow<C: ConnectionTrait>(
    db: &C,
    follower_id: i64,
    followee_id: i64,
) -> AppResult<bool> {
    if follower_id == followee_id {
        return Err(AppError::bad_field("userId", "you cannot follow yourself"));
    }
    let target = user::Entity::find_by_id(followee_id).one(db).await?;
    if target.is_none_or(|u| u.status != status::ACTIVE) {
        return Err(AppError::NotFound(format!("no user {followee_id}")));
    }
    let inserted = follow::Entity::insert(follow::ActiveModel {
        follower_id: Set(follower_id),
        followee_id: Set(followee_id),
        created_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([follow::Column::FollowerId, follow::Column::FolloweeId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted > 0)
}

/// `follower_id` stops following `followee_id`; answers whether there was a follow.
pub async fn unfollow<C: ConnectionTrait>(
    db: &C,
    follower_id: i64,
    followee_id: i64,
) -> AppResult<bool> {
    let deleted = follow::Entity::delete_many()
        .filter(follow::Column::FollowerId.eq(follower_id))
        .filter(follow::Column::FolloweeId.eq(followee_id))
        .exec(db)
        .await?
        .rows_affected;
    Ok(deleted > 0)
}

/// Which direction of a follow list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// The users someone follows (关注).
    Followings,
    /// The users who follow someone (粉丝).
    Followers,
}

impl Direction {
    fn own(self) -> follow::Column {
        match self {
            Direction::Followings => follow::Column::FollowerId,
            Direction::Followers => follow::Column::FolloweeId,
        }
    }

    fn other(self) -> follow::Column {
        match self {
            Direction::Followings => follow::Column::FolloweeId,
            Direction::Followers => follow::Column::FollowerId,
        }
    }
}

/// Follow counts of a user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FollowCounts {
    pub followers: u64,
    pub followings: u64,
}

/// Follower and following counts of each of `user_ids` (two grouped statements).
pub async fn counts<C: ConnectionTrait>(
    db: &C,
    user_ids: &[i64],
) -> AppResult<HashMap<i64, FollowCounts>> {
    let followers = count_by(
        db,
        follow::Entity::find().filter(follow::Column::FolloweeId.is_in(user_ids.iter().copied())),
        follow::Column::FolloweeId,
    )
    .await?;
    let followings = count_by(
        db,
        follow::Entity::find().filter(follow::Column::FollowerId.is_in(user_ids.iter().copied())),
        follow::Column::FollowerId,
    )
    .await?;
    Ok(user_ids
        .iter()
        .map(|id| {
            (
                *id,
                FollowCounts {
                    followers: followers.get(id).copied().unwrap_or(0),
                    followings: followings.get(id).copied().unwrap_or(0),
                },
            )
        })
        .collect())
}

/// How `viewer_id` relates to each of `user_ids`: the ones the viewer follows, and the ones
/// that follow the viewer (one statement).
pub async fn relations<C: ConnectionTrait>(
    db: &C,
    viewer_id: i64,
    user_ids: &[i64],
) -> AppResult<(HashSet<i64>, HashSet<i64>)> {
    let rows = follow::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(
                    follow::Column::FollowerId
                        .eq(viewer_id)
                        .and(follow::Column::FolloweeId.is_in(user_ids.iter().copied())),
                )
                .add(
                    follow::Column::FolloweeId
                        .eq(viewer_id)
                        .and(follow::Column::FollowerId.is_in(user_ids.iter().copied())),
                ),
        )
        .all(db)
        .await?;
    let mut following = HashSet::new();
    let mut followed_by = HashSet::new();
    for row in rows {
        if row.follower_id == viewer_id {
            following.insert(row.followee_id);
        }
        if row.followee_id == viewer_id {
            followed_by.insert(row.follower_id);
        }
    }
    Ok((following, followed_by))
}

/// Whether `follower_id` follows `followee_id`.
pub async fn follows<C: ConnectionTrait>(
    db: &C,
    follower_id: i64,
    followee_id: i64,
) -> AppResult<bool> {
    Ok(follow::Entity::find_by_id((follower_id, followee_id))
        .one(db)
        .await?
        .is_some())
}

/// Which of the (follower, followee) `pairs` are follows (one statement).
pub async fn pairs<C: ConnectionTrait>(
    db: &C,
    pairs: &[(i64, i64)],
) -> AppResult<HashSet<(i64, i64)>> {
    let followers: HashSet<i64> = pairs.iter().map(|p| p.0).collect();
    let followees: HashSet<i64> = pairs.iter().map(|p| p.1).collect();
    Ok(follow::Entity::find()
        .filter(follow::Column::FollowerId.is_in(followers))
        .filter(follow::Column::FolloweeId.is_in(followees))
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.follower_id, f.followee_id))
        .filter(|p| pairs.contains(p))
        .collect())
}

#[derive(Debug, FromQueryResult)]
struct Edge {
    owner: i64,
    other: i64,
}

/// One page (newest follow first) of each of `user_ids`' followings or followers, as user ids,
/// in one statement.
pub async fn pages<C: ConnectionTrait>(
    db: &C,
    direction: Direction,
    user_ids: &[i64],
    window: PageRequest,
) -> AppResult<HashMap<i64, Page<i64>>> {
    let own = direction.own();
    let other = direction.other();
    let own_name = match direction {
        Direction::Followings => "follower_id",
        Direction::Followers => "followee_id",
    };
    let mut inner = SelectStatement::new();
    inner
        .expr_as(Expr::col(own), Alias::new("owner"))
        .expr_as(Expr::col(other), Alias::new("other"))
        .expr_as(
            Expr::cust(format!(
                "ROW_NUMBER() OVER (PARTITION BY {own_name} ORDER BY created_at DESC, {} DESC)",
                match direction {
                    Direction::Followings => "followee_id",
                    Direction::Followers => "follower_id",
                }
            )),
            Alias::new("rn"),
        )
        .from(follow::Entity)
        .and_where(own.is_in(user_ids.iter().copied()));
    let stmt = super::page::windowed(inner, "owner", window, db.get_database_backend())?;
    let rows = Edge::find_by_statement(stmt).all(db).await?;
    let mut grouped: HashMap<i64, Vec<i64>> = HashMap::new();
    for row in rows {
        grouped.entry(row.owner).or_default().push(row.other);
    }
    let totals = counts(db, user_ids).await?;
    Ok(user_ids
        .iter()
        .map(|id| {
            let rows = grouped.remove(id).unwrap_or_default();
            let total = totals.get(id).map(|c| match direction {
                Direction::Followings => c.followings,
                Direction::Followers => c.followers,
            });
            (*id, Page::from_probe(rows, window, total))
        })
        .collect())
}

#[derive(Debug, FromQueryResult)]
struct OwnerCount {
    owner: i64,
    n: i64,
}

/// One page (newest follow first) of the users each of `user_ids` follows who hold `role`
/// (the doctors a patient follows), as user ids, in one statement plus one for the totals.
pub async fn followings_with_role<C: ConnectionTrait>(
    db: &C,
    user_ids: &[i64],
    role: crate::auth::Role,
    window: PageRequest,
) -> AppResult<HashMap<i64, Page<i64>>> {
    use entity::user_role;
    let with_role = |select: &mut SelectStatement| {
        select
            .from(follow::Entity)
            .inner_join(
                user_role::Entity,
                Expr::col((user_role::Entity, user_role::Column::UserId))
                    .equals((follow::Entity, follow::Column::FolloweeId))
                    .and(Expr::col((user_role::Entity, user_role::Column::Role)).eq(role.as_str()))
                    .and(
                        Expr::col((user_role::Entity, user_role::Column::State))
                            .eq(super::role_reviews::state::APPROVED),
                    ),
            )
            .and_where(
                Expr::col((follow::Entity, follow::Column::FollowerId))
                    .is_in(user_ids.iter().copied()),
            );
    };
    let mut inner = SelectStatement::new();
    inner
        .expr_as(
            Expr::col((follow::Entity, follow::Column::FollowerId)),
            Alias::new("owner"),
        )
        .expr_as(
            Expr::col((follow::Entity, follow::Column::FolloweeId)),
            Alias::new("other"),
        )
        .expr_as(
            Expr::cust(
                "ROW_NUMBER() OVER (PARTITION BY follows.follower_id \
                 ORDER BY follows.created_at DESC, follows.followee_id DESC)",
            ),
            Alias::new("rn"),
        );
    with_role(&mut inner);
    let backend = db.get_database_backend();
    let rows = Edge::find_by_statement(super::page::windowed(inner, "owner", window, backend)?)
        .all(db)
        .await?;
    let mut count = SelectStatement::new();
    count
        .expr_as(
            Expr::col((follow::Entity, follow::Column::FollowerId)),
            Alias::new("owner"),
        )
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .group_by_col((follow::Entity, follow::Column::FollowerId));
    with_role(&mut count);
    let totals: HashMap<i64, i64> =
        OwnerCount::find_by_statement(sea_orm::StatementBuilder::build(&count, &backend))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.owner, r.n))
            .collect();
    let mut grouped: HashMap<i64, Vec<i64>> = HashMap::new();
    for row in rows {
        grouped.entry(row.owner).or_default().push(row.other);
    }
    Ok(user_ids
        .iter()
        .map(|id| {
            let rows = grouped.remove(id).unwrap_or_default();
            let total = totals.get(id).map(|n| u64::try_from(*n).unwrap_or(0));
            (
                *id,
                Page::from_probe(rows, window, Some(total.unwrap_or(0))),
            )
        })
        .collect())
}

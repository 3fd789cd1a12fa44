//! Finding people: users of the caller's city (同城), recommended users, and the income
//! ranking over the coin ledger (收入排行), which is recomputed at most every three minutes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use entity::{coin_entry, region, user};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::accounts::status;
use super::page::{Page, PageRequest};
use crate::error::{AppError, AppResult};

/// How long a computed ranking is served before it is computed again.
pub const RANK_REFRESH: Duration = Duration::from_secs(180);
/// The most places a ranking holds; beyond them a user's rank is `1000+`.
pub const RANK_DEPTH: u64 = 1000;

fn active() -> Condition {
    Condition::all().add(user::Column::Status.eq(status::ACTIVE))
}

/// Active users living in the same city as `viewer` (newest first), the viewer excluded;
/// empty when the viewer's city is unknown.
pub async fn nearby<C: ConnectionTrait>(
    db: &C,
    viewer_id: i64,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<user::Model>> {
    let city = user::Entity::find_by_id(viewer_id)
        .one(db)
        .await?
        .and_then(|u| u.city_code);
    let Some(city) = city else {
        return Ok(Page::from_probe(
            Vec::new(),
            window,
            with_total.then_some(0),
        ));
    };
    let query = user::Entity::find().filter(
        active()
            .add(user::Column::CityCode.eq(city))
            .add(user::Column::Id.ne(viewer_id)),
    );
    super::page::fetch(
        db,
        query,
        |q| q.order_by_desc(user::Column::Id),
        window,
        with_total,
    )
    .await
}

/// Users to follow: active users the viewer does not follow yet (the viewer excluded), most
/// followed first, then the most recently active. Without a viewer: the most followed users.
pub async fn recommended<C: ConnectionTrait>(
    db: &C,
    viewer_id: Option<i64>,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<user::Model>> {
    let mut cond = active();
    if let Some(viewer) = viewer_id {
        cond = cond.add(user::Column::Id.ne(viewer)).add(
            user::Column::Id.not_in_subquery(
                Query::select()
                    .column(entity::follow::Column::FolloweeId)
                    .from(entity::follow::Entity)
                    .and_where(entity::follow::Column::FollowerId.eq(viewer))
                    .to_owned(),
            ),
        );
    }
    let query = user::Entity::find().filter(cond);
    super::page::fetch(
        db,
        query,
        |q| {
            q.order_by(
                Expr::cust("(SELECT COUNT(*) FROM follows f WHERE f.followee_id = users.id)"),
                sea_orm::Order::Desc,
            )
            .order_by(
                Expr::col((user::Entity, user::Column::LastActiveAt)).is_null(),
                sea_orm::Order::Asc,
            )
            .order_by_desc(user::Column::LastActiveAt)
            .order_by_desc(user::Column::Id)
        },
        window,
        with_total,
    )
    .await
}

/// One place of the income ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankEntry {
    pub user_id: i64,
    /// Coins received in the period (the sum of the positive ledger entries).
    pub amount: i64,
    /// 1-based place.
    pub rank: u64,
}

/// What a ranking is computed over.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RankQuery {
    /// Only the last so many days (none: all time).
    pub days: Option<u32>,
    /// Only users of this city (full or short name, e.g. `成都` or `成都市`).
    pub city: Option<String>,
}

/// The caller's own place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyRank {
    pub user_id: i64,
    pub amount: i64,
    /// The place, or none when beyond [`RANK_DEPTH`] (`1000+`).
    pub rank: Option<u64>,
}

/// Rankings computed recently, per query: every server process keeps its own copies, each at
/// most [`RANK_REFRESH`] old (the documented refresh rate).
#[derive(Clone, Default)]
pub struct RankCache(Arc<Mutex<HashMap<RankQuery, Computed>>>);

/// A ranking and when it was computed.
type Computed = (Instant, Arc<Vec<RankEntry>>);

impl RankCache {
    fn get(&self, query: &RankQuery) -> Option<Arc<Vec<RankEntry>>> {
        let map = self.0.lock().ok()?;
        map.get(query)
            .filter(|(at, _)| at.elapsed() < RANK_REFRESH)
            .map(|(_, ranking)| ranking.clone())
    }

    fn put(&self, query: RankQuery, ranking: Arc<Vec<RankEntry>>) {
        if let Ok(mut map) = self.0.lock() {
            map.retain(|_, (at, _)| at.elapsed() < RANK_REFRESH);
            map.insert(query, (Instant::now(), ranking));
        }
    }
}

#[derive(Debug, FromQueryResult)]
struct Income {
    user_id: i64,
    amount: i64,
}

async fn city_codes<C: ConnectionTrait>(db: &C, city: &str) -> AppResult<Vec<i32>> {
    let city = city.trim();
    Ok(region::Entity::find()
        .filter(
            Condition::any()
                .add(region::Column::Name.eq(city))
                .add(region::Column::ShortName.eq(city)),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

fn income_condition(query: &RankQuery, cities: Option<&[i32]>) -> Condition {
    let mut cond = Condition::all().add(coin_entry::Column::Amount.gt(0));
    if let Some(days) = query.days {
        let since = Utc::now() - chrono::Duration::days(i64::from(days));
        cond = cond.add(coin_entry::Column::CreatedAt.gte(since));
    }
    if let Some(cities) = cities {
        cond = cond.add(
            coin_entry::Column::UserId.in_subquery(
                Query::select()
                    .column(user::Column::Id)
                    .from(user::Entity)
                    .and_where(user::Column::CityCode.is_in(cities.iter().copied()))
                    .and_where(user::Column::Status.eq(status::ACTIVE))
                    .to_owned(),
            ),
        );
    }
    cond
}

fn amount_expr() -> sea_orm::sea_query::Expr {
    Expr::expr(Func::sum(Expr::col(coin_entry::Column::Amount))).cast_as(Alias::new("BIGINT"))
}

async fn compute<C: ConnectionTrait>(db: &C, query: &RankQuery) -> AppResult<Vec<RankEntry>> {
    let cities = match &query.city {
        Some(city) => Some(city_codes(db, city).await?),
        None => None,
    };
    let rows = coin_entry::Entity::find()
        .select_only()
        .column(coin_entry::Column::UserId)
        .column_as(amount_expr(), "amount")
        .filter(income_condition(query, cities.as_deref()))
        .group_by(coin_entry::Column::UserId)
        .order_by(amount_expr(), sea_orm::Order::Desc)
        .order_by_asc(coin_entry::Column::UserId)
        .limit(RANK_DEPTH)
        .into_model::<Income>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .zip(1u64..)
        .map(|(row, rank)| RankEntry {
            user_id: row.user_id,
            amount: row.amount,
            rank,
        })
        .collect())
}

/// The first `limit` (1 to 1000) places of the ranking, and the viewer's own place when a
/// viewer is given and lives in the asked city (no city: everyone ranks).
pub async fn income_rank<C: ConnectionTrait>(
    db: &C,
    cache: &RankCache,
    query: RankQuery,
    limit: u64,
    viewer_id: Option<i64>,
) -> AppResult<(Vec<RankEntry>, Option<MyRank>)> {
    if !(1..=RANK_DEPTH).contains(&limit) {
        return Err(AppError::bad_field(
            "limit",
            format!("limit must be between 1 and {RANK_DEPTH}"),
        ));
    }
    if query.days == Some(0) {
        return Err(AppError::bad_field("days", "days must be at least 1"));
    }
    let ranking = match cache.get(&query) {
        Some(ranking) => ranking,
        None => {
            let ranking = Arc::new(compute(db, &query).await?);
            cache.put(query.clone(), ranking.clone());
            ranking
        }
    };
    let top: Vec<RankEntry> = ranking
        .iter()
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .cloned()
        .collect();
    let mine = match viewer_id {
        None => None,
        Some(viewer) => my_rank(db, &query, &ranking, viewer).await?,
    };
    Ok((top, mine))
}

async fn my_rank<C: ConnectionTrait>(
    db: &C,
    query: &RankQuery,
    ranking: &[RankEntry],
    viewer: i64,
) -> AppResult<Option<MyRank>> {
    if let Some(entry) = ranking.iter().find(|e| e.user_id == viewer) {
        return Ok(Some(MyRank {
            user_id: viewer,
            amount: entry.amount,
            rank: Some(entry.rank),
        }));
    }
    let cities = match &query.city {
        Some(city) => {
            let cities = city_codes(db, city).await?;
            let home = user::Entity::find_by_id(viewer)
                .one(db)
                .await?
                .and_then(|u| u.city_code);
            if !home.is_some_and(|c| cities.contains(&c)) {
                return Ok(None);
            }
            Some(cities)
        }
        None => None,
    };
    let amount: Option<Option<i64>> = coin_entry::Entity::find()
        .select_only()
        .column_as(amount_expr(), "amount")
        .filter(income_condition(query, cities.as_deref()))
        .filter(coin_entry::Column::UserId.eq(viewer))
        .into_tuple()
        .one(db)
        .await?;
    let amount = amount.flatten().unwrap_or(0);
    // Not among the ranked places: either the ranking is full (1000+) or the viewer earned
    // nothing and comes after everyone who did.
    let rank = if ranking.len() as u64 >= RANK_DEPTH {
        None
    } else {
        Some(ranking.len() as u64 + 1)
    };
    Ok(Some(MyRank {
        user_id: viewer,
        amount,
        rank,
    }))
}

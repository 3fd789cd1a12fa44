//! Fixed-window counters kept in the database, so every server process behind the load
//! balancer counts against the same limits (SQLite for one process, PostgreSQL for many).

use chrono::Utc;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::error::{AppError, AppResult};

fn table() -> Alias {
    Alias::new("rate_counters")
}

fn window_start(window_secs: i64) -> i64 {
    let now = Utc::now().timestamp();
    now - now.rem_euclid(window_secs)
}

/// Counts one hit on `key` in the current window of `window_secs` and returns the hits so far
/// (this one included).
pub async fn hit(db: &DatabaseConnection, key: &str, window_secs: i64) -> AppResult<u32> {
    let start = window_start(window_secs);
    let insert = Query::insert()
        .into_table(table())
        .columns([
            Alias::new("key"),
            Alias::new("window_start"),
            Alias::new("hits"),
            Alias::new("expires_at"),
        ])
        .values_panic([
            key.into(),
            start.into(),
            1.into(),
            (start + window_secs).into(),
        ])
        .on_conflict(
            OnConflict::columns([Alias::new("key"), Alias::new("window_start")])
                .value(
                    Alias::new("hits"),
                    Expr::col((table(), Alias::new("hits"))).add(1),
                )
                .to_owned(),
        )
        .returning_col(Alias::new("hits"))
        .to_owned();
    let row = db
        .query_one(&insert)
        .await?
        .ok_or_else(|| AppError::internal("rate counter upsert returned no row"))?;
    let hits: i32 = row.try_get("", "hits")?;
    if rand::random::<u8>() == 0 {
        prune(db).await?;
    }
    Ok(u32::try_from(hits).unwrap_or(u32::MAX))
}

/// Hits on `key` in the current window, without counting one.
pub async fn count(db: &DatabaseConnection, key: &str, window_secs: i64) -> AppResult<u32> {
    let query = Query::select()
        .column(Alias::new("hits"))
        .from(table())
        .and_where(Expr::col(Alias::new("key")).eq(key))
        .and_where(Expr::col(Alias::new("window_start")).eq(window_start(window_secs)))
        .to_owned();
    let row = db.query_one(&query).await?;
    Ok(match row {
        Some(row) => u32::try_from(row.try_get::<i32>("", "hits")?).unwrap_or(u32::MAX),
        None => 0,
    })
}

/// Forgets every window of `key` (a successful login clears its failures).
pub async fn clear(db: &DatabaseConnection, key: &str) -> AppResult<()> {
    let delete = Query::delete()
        .from_table(table())
        .and_where(Expr::col(Alias::new("key")).eq(key))
        .to_owned();
    db.execute(&delete).await?;
    Ok(())
}

/// Counts a hit and refuses with `RATE_LIMITED` once `limit` hits were made in the window.
pub async fn check(
    db: &DatabaseConnection,
    key: &str,
    window_secs: i64,
    limit: u32,
    what: &str,
) -> AppResult<()> {
    if hit(db, key, window_secs).await? > limit {
        return Err(AppError::RateLimited(format!(
            "too many {what}; try again in {} seconds",
            window_secs - (Utc::now().timestamp() - window_start(window_secs))
        )));
    }
    Ok(())
}

async fn prune(db: &DatabaseConnection) -> AppResult<()> {
    let delete = Query::delete()
        .from_table(table())
        .and_where(Expr::col(Alias::new("expires_at")).lt(Utc::now().timestamp()))
        .to_owned();
    db.execute(&delete).await?;
    Ok(())
}

//! The coin ledger: the forum's almond coins (杏仁币) and the social API's currency are one
//! balance per user. Every change is a `coin_entries` row (amount ≠ 0, reason, time, related
//! object) written in the same transaction as a conditional update of the user's `wallets` row,
//! so the balance is always the sum of the entries and never negative, under any concurrency:
//! - PostgreSQL: `UPDATE wallets SET balance = balance + a WHERE user_id = ? AND balance + a >= 0`
//!   takes the row lock, so racing spends apply one after the other and the last one that would
//!   overdraw finds no row to change;
//! - SQLite: the first statement of every coin transaction is a write ([`open_wallet`]), so the
//!   transaction holds the database's write lock before it reads anything.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{coin_entry, wallet};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use super::page::{self, Page, PageRequest};
use crate::error::{AppError, AppResult};

/// What a ledger entry concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Related {
    /// A post (a reward given or received).
    Post(i64),
    /// A recharge order that was paid.
    RechargeOrder(i64),
    /// A daily check-in.
    Checkin,
    /// An administrator's adjustment.
    Adjustment,
}

impl Related {
    fn columns(self) -> (Option<String>, Option<i64>) {
        match self {
            Related::Post(id) => (Some("post".into()), Some(id)),
            Related::RechargeOrder(id) => (Some("recharge_order".into()), Some(id)),
            Related::Checkin => (Some("checkin".into()), None),
            Related::Adjustment => (Some("adjustment".into()), None),
        }
    }
}

/// One change to apply.
#[derive(Debug, Clone)]
pub struct CoinChange {
    pub user_id: i64,
    /// Positive credits, negative debits; never 0.
    pub amount: i64,
    pub reason: String,
    pub related: Related,
}

/// Makes sure `user_id` has a wallet row. As a write, it is also what a coin transaction does
/// first, so that on SQLite the transaction holds the write lock before it reads.
pub async fn open_wallet<C: ConnectionTrait>(db: &C, user_id: i64) -> AppResult<()> {
    wallet::Entity::insert(wallet::ActiveModel {
        user_id: Set(user_id),
        balance: Set(0),
        total_income: Set(0),
        total_expenses: Set(0),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(wallet::Column::UserId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Applies `change` inside the caller's transaction: the wallet moves and the entry is written,
/// or nothing happens and the answer is `CONFLICT` when the balance would go negative.
pub async fn apply<C: ConnectionTrait>(db: &C, change: CoinChange) -> AppResult<coin_entry::Model> {
    if change.amount == 0 {
        return Err(AppError::bad_field("amount", "a coin change cannot be 0"));
    }
    let reason = change.reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(AppError::bad_field(
            "reason",
            "a coin change needs a reason of at most 200 characters",
        ));
    }
    open_wallet(db, change.user_id).await?;
    let amount = change.amount;
    let now = Utc::now();
    let changed = wallet::Entity::update_many()
        .col_expr(
            wallet::Column::Balance,
            Expr::col(wallet::Column::Balance).add(amount),
        )
        .col_expr(
            wallet::Column::TotalIncome,
            Expr::col(wallet::Column::TotalIncome).add(std::cmp::max(amount, 0)),
        )
        .col_expr(
            wallet::Column::TotalExpenses,
            Expr::col(wallet::Column::TotalExpenses).add(std::cmp::max(-amount, 0)),
        )
        .col_expr(wallet::Column::UpdatedAt, Expr::value(now))
        .filter(wallet::Column::UserId.eq(change.user_id))
        .filter(Expr::col(wallet::Column::Balance).add(amount).gte(0))
        .exec(db)
        .await?;
    if changed.rows_affected == 0 {
        return Err(AppError::Conflict(format!(
            "not enough coins: {} needed",
            -amount
        )));
    }
    let balance = wallet::Entity::find_by_id(change.user_id)
        .one(db)
        .await?
        .map(|w| w.balance)
        .ok_or_else(|| AppError::internal("a wallet vanished inside its transaction"))?;
    let (related_type, related_id) = change.related.columns();
    let entry = coin_entry::ActiveModel {
        user_id: Set(change.user_id),
        amount: Set(amount),
        balance_after: Set(balance),
        reason: Set(reason.to_owned()),
        related_type: Set(related_type),
        related_id: Set(related_id),
        created_at: Set(now),
        ..Default::default()
    };
    Ok(coin_entry::Entity::insert(entry)
        .exec_with_returning(db)
        .await?)
}

/// The wallets of `user_ids` (users without one have none: balance 0).
pub async fn wallets<C: ConnectionTrait>(
    db: &C,
    user_ids: &[i64],
) -> AppResult<HashMap<i64, wallet::Model>> {
    Ok(wallet::Entity::find()
        .filter(wallet::Column::UserId.is_in(user_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|w| (w.user_id, w))
        .collect())
}

/// A user's balance (0 without a wallet).
pub async fn balance<C: ConnectionTrait>(db: &C, user_id: i64) -> AppResult<i64> {
    Ok(wallet::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .map_or(0, |w| w.balance))
}

/// A user's ledger entries, newest first, optionally only those since `since`.
pub async fn entries<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    since: Option<DateTime<Utc>>,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<coin_entry::Model>> {
    let mut query = coin_entry::Entity::find().filter(coin_entry::Column::UserId.eq(user_id));
    if let Some(since) = since {
        query = query.filter(coin_entry::Column::CreatedAt.gte(since));
    }
    page::fetch(
        db,
        query,
        |q| {
            q.order_by_desc(coin_entry::Column::CreatedAt)
                .order_by_desc(coin_entry::Column::Id)
        },
        window,
        with_total,
    )
    .await
}

/// The sum of a user's entries (what the balance must equal; for checks and tests).
pub async fn ledger_sum<C: ConnectionTrait>(db: &C, user_id: i64) -> AppResult<i64> {
    use sea_orm::{QuerySelect, sea_query::Func};
    let sum: Option<Option<i64>> = coin_entry::Entity::find()
        .select_only()
        .column_as(
            Expr::expr(Func::coalesce([
                Expr::from(Func::sum(Expr::col(coin_entry::Column::Amount))),
                Expr::val(0i64),
            ]))
            .cast_as(sea_orm::sea_query::Alias::new("BIGINT")),
            "s",
        )
        .filter(coin_entry::Column::UserId.eq(user_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(sum.flatten().unwrap_or(0))
}

/// An administrator's credit or debit of `user_id`'s coins, in its own transaction: `NOT_FOUND`
/// for a missing user, `CONFLICT` when a debit would make the balance negative. Answers the
/// entry.
pub async fn adjust(
    db: &sea_orm::DatabaseConnection,
    user_id: i64,
    amount: i64,
    reason: String,
) -> AppResult<coin_entry::Model> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    open_wallet(&txn, user_id).await.map_err(|e| match e {
        AppError::BadInput { .. } => AppError::NotFound(format!("no user {user_id}")),
        other => other,
    })?;
    let entry = apply(
        &txn,
        CoinChange {
            user_id,
            amount,
            reason,
            related: Related::Adjustment,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(entry)
}

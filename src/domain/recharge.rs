//! Recharging coins (充值杏仁币): a user orders coins, pays the configured provider, and the
//! provider's verified notification credits the coins.
//!
//! - An order is 1 to `payments.max_coins_per_order` coins at `payments.coin_price_cents` each;
//!   it starts `pending` under a fresh serial (`R` + UTC time + 8 random digits), the
//!   `out_trade_no` the provider sees.
//! - Settling a paid notification is one transaction whose first statement is the conditional
//!   update `pending → paid` (matching serial, provider and amount), followed by the credit in the
//!   coin ledger. Of any number of replayed or concurrent notifications exactly one finds the
//!   order pending; the others change nothing and are acknowledged. On SQLite the write comes
//!   first so the transaction holds the write lock before it reads; on PostgreSQL the row lock
//!   makes a racing update wait and then find the order no longer pending.
//! - An unknown serial, another provider's order, a different amount or a closed order is
//!   refused and changes nothing.

use chrono::Utc;
use entity::recharge_order;
use rand::Rng;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, SqlErr, TransactionTrait,
};

use super::coins::{self, CoinChange, Related};
use super::page::{self, Page, PageRequest};
use crate::error::{AppError, AppResult};
use crate::payments::{Notice, PayRequest, Payments, TradeState};

/// Order states.
pub mod status {
    /// Created, waiting for the payment.
    pub const PENDING: &str = "pending";
    /// Paid and credited.
    pub const PAID: &str = "paid";
    /// Closed without payment.
    pub const CLOSED: &str = "closed";
}

/// A new order and the page that pays it.
#[derive(Debug, Clone)]
pub struct Checkout {
    pub order: recharge_order::Model,
    /// The provider's payment page: an auto-submitting HTML form.
    pub pay_page: String,
}

/// What a verified notification did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    /// The order became paid and its coins were credited now.
    Credited(recharge_order::Model),
    /// The order was already settled (a replay): nothing changed.
    AlreadySettled(recharge_order::Model),
    /// The order was closed unpaid.
    Closed(recharge_order::Model),
    /// The notification reports nothing to act on (e.g. waiting for payment).
    Ignored,
}

/// A fresh order serial: `R`, the UTC time to the second and 8 random digits.
fn new_serial() -> String {
    format!(
        "R{}{:08}",
        Utc::now().format("%Y%m%d%H%M%S"),
        rand::rng().random_range(0..100_000_000u32)
    )
}

/// Creates a pending order of `coins` for `user_id` with the configured provider and builds its
/// payment page; `base_url` is this server's public URL (for the default notify and return
/// URLs).
pub async fn create(
    db: &DatabaseConnection,
    payments: &Payments,
    user_id: i64,
    coins: i64,
    base_url: &str,
) -> AppResult<Checkout> {
    let provider = payments.provider()?;
    let max = payments.max_coins_per_order;
    if !(1..=max).contains(&coins) {
        return Err(AppError::bad_field(
            "coins",
            format!("a recharge is 1 to {max} coins"),
        ));
    }
    let amount_cents = coins
        .checked_mul(payments.coin_price_cents)
        .ok_or_else(|| AppError::bad_field("coins", "too many coins"))?;
    let mut attempt = 0;
    let order = loop {
        attempt += 1;
        let inserted = recharge_order::Entity::insert(recharge_order::ActiveModel {
            serial: Set(new_serial()),
            user_id: Set(user_id),
            coins: Set(coins),
            amount_cents: Set(amount_cents),
            provider: Set(provider.name().to_owned()),
            status: Set(status::PENDING.to_owned()),
            provider_trade_no: Set(None),
            created_at: Set(Utc::now()),
            paid_at: Set(None),
            ..Default::default()
        })
        .exec_with_returning(db)
        .await;
        match inserted {
            Ok(order) => break order,
            // Two orders in the same second drew the same digits: draw again.
            Err(e)
                if attempt < 3
                    && matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {}
            Err(e) => return Err(e.into()),
        }
    };
    let pay_page = provider
        .pay_page(&PayRequest {
            serial: order.serial.clone(),
            amount_cents,
            subject: format!("杏仁币充值 {coins} 枚"),
            notify_url: payments.notify_url(base_url, provider.name()),
            return_url: payments.return_url(base_url),
        })
        .await?;
    Ok(Checkout { order, pay_page })
}

async fn by_serial<C: ConnectionTrait>(
    db: &C,
    serial: &str,
) -> AppResult<Option<recharge_order::Model>> {
    Ok(recharge_order::Entity::find()
        .filter(recharge_order::Column::Serial.eq(serial))
        .one(db)
        .await?)
}

/// The order a notification of `provider` names, or NOT_FOUND (another provider's orders are
/// not its to settle).
async fn named_order<C: ConnectionTrait>(
    db: &C,
    provider: &str,
    notice: &Notice,
) -> AppResult<recharge_order::Model> {
    by_serial(db, &notice.serial)
        .await?
        .filter(|o| o.provider == provider)
        .ok_or_else(|| AppError::NotFound(format!("no recharge order {}", notice.serial)))
}

/// Acts on a notification `provider` verified: credits a paid order once, closes a pending one
/// the provider closed, and refuses what does not match an order.
pub async fn settle(
    db: &DatabaseConnection,
    provider: &str,
    notice: &Notice,
) -> AppResult<Settlement> {
    match notice.state {
        TradeState::Paid => settle_paid(db, provider, notice).await,
        TradeState::Closed => close(db, provider, notice).await,
        TradeState::Other => {
            named_order(db, provider, notice).await?;
            Ok(Settlement::Ignored)
        }
    }
}

async fn settle_paid(
    db: &DatabaseConnection,
    provider: &str,
    notice: &Notice,
) -> AppResult<Settlement> {
    let txn = db.begin().await?;
    // The first statement is the write: it takes SQLite's write lock (PostgreSQL: the row lock).
    let changed = recharge_order::Entity::update_many()
        .col_expr(recharge_order::Column::Status, Expr::value(status::PAID))
        .col_expr(recharge_order::Column::PaidAt, Expr::value(Utc::now()))
        .col_expr(
            recharge_order::Column::ProviderTradeNo,
            Expr::value(notice.trade_no.clone()),
        )
        .filter(recharge_order::Column::Serial.eq(notice.serial.as_str()))
        .filter(recharge_order::Column::Provider.eq(provider))
        .filter(recharge_order::Column::AmountCents.eq(notice.amount_cents))
        .filter(recharge_order::Column::Status.eq(status::PENDING))
        .exec(&txn)
        .await?
        .rows_affected;
    let order = named_order(&txn, provider, notice).await?;
    if order.amount_cents != notice.amount_cents {
        return Err(AppError::bad_field(
            "total_amount",
            format!(
                "recharge order {} costs {} cents, the notification says {}",
                order.serial, order.amount_cents, notice.amount_cents
            ),
        ));
    }
    if changed == 0 {
        return match order.status.as_str() {
            status::PAID => {
                if order.provider_trade_no.as_deref() != Some(notice.trade_no.as_str()) {
                    tracing::warn!(
                        serial = %order.serial,
                        "a paid recharge order was notified paid again under another trade number"
                    );
                }
                Ok(Settlement::AlreadySettled(order))
            }
            _ => Err(AppError::Conflict(format!(
                "recharge order {} is {}",
                order.serial, order.status
            ))),
        };
    }
    coins::apply(
        &txn,
        CoinChange {
            user_id: order.user_id,
            amount: order.coins,
            reason: format!("充值杏仁币 {} 枚（订单 {}）", order.coins, order.serial),
            related: Related::RechargeOrder(order.id),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Settlement::Credited(order))
}

async fn close(db: &DatabaseConnection, provider: &str, notice: &Notice) -> AppResult<Settlement> {
    let changed = recharge_order::Entity::update_many()
        .col_expr(recharge_order::Column::Status, Expr::value(status::CLOSED))
        .filter(recharge_order::Column::Serial.eq(notice.serial.as_str()))
        .filter(recharge_order::Column::Provider.eq(provider))
        .filter(recharge_order::Column::Status.eq(status::PENDING))
        .exec(db)
        .await?
        .rows_affected;
    let order = named_order(db, provider, notice).await?;
    Ok(if changed == 1 {
        Settlement::Closed(order)
    } else {
        Settlement::AlreadySettled(order)
    })
}

/// `user_id`'s orders, newest first.
pub async fn orders<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<recharge_order::Model>> {
    page::fetch(
        db,
        recharge_order::Entity::find().filter(recharge_order::Column::UserId.eq(user_id)),
        |q| {
            q.order_by_desc(recharge_order::Column::CreatedAt)
                .order_by_desc(recharge_order::Column::Id)
        },
        window,
        with_total,
    )
    .await
}

/// A recharge order as `viewer` may see it: their own, or any for an administrator.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    viewer: &crate::auth::Viewer,
    id: i64,
) -> AppResult<Option<recharge_order::Model>> {
    Ok(recharge_order::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|o| crate::policy::community::may_read_private(Some(viewer), o.user_id)))
}

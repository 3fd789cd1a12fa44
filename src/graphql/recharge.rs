//! Recharging coins (充值杏仁币) in GraphQL: order coins and get the payment page, list one's
//! orders. Rules live in `domain::recharge`; providers in `payments`.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::recharge_order;

use super::connection::{Conn, PageArgs, to_connection, wants_total};
use super::node::global_id;
use super::{auth, public_url, services};
use crate::domain::page::DEFAULT_PAGE_SIZE;
use crate::domain::recharge::{self, status};
use crate::payments::yuan;

/// Where a recharge order (充值订单) stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RechargeStatus {
    /// Created; waiting for the payment.
    Pending,
    /// Paid; its coins were credited.
    Paid,
    /// Closed without payment.
    Closed,
}

/// A recharge order (充值订单): coins bought through the payment provider.
#[derive(Clone, Debug)]
pub struct RechargeOrder(pub recharge_order::Model);

/// A recharge order (充值订单): coins bought through the payment provider.
#[Object]
impl RechargeOrder {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("RechargeOrder", self.0.id)
    }

    /// The order number the payment provider sees (`out_trade_no`).
    async fn serial(&self) -> &str {
        &self.0.serial
    }

    /// Coins (杏仁币) credited once paid.
    async fn coins(&self) -> i64 {
        self.0.coins
    }

    /// Price in cents (分).
    async fn amount_cents(&self) -> i64 {
        self.0.amount_cents
    }

    /// Price in yuan with two decimals, e.g. `3.00`.
    async fn amount(&self) -> String {
        yuan(self.0.amount_cents)
    }

    /// The payment provider: `sandbox` or `alipay`.
    async fn provider(&self) -> &str {
        &self.0.provider
    }

    /// Where the order stands.
    async fn status(&self) -> RechargeStatus {
        match self.0.status.as_str() {
            status::PAID => RechargeStatus::Paid,
            status::CLOSED => RechargeStatus::Closed,
            _ => RechargeStatus::Pending,
        }
    }

    /// The provider's trade number, once paid.
    async fn provider_trade_no(&self) -> Option<&str> {
        self.0.provider_trade_no.as_deref()
    }

    /// When the order was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the payment was confirmed.
    async fn paid_at(&self) -> Option<DateTime<Utc>> {
        self.0.paid_at
    }
}

/// A new recharge order (充值) and the page that pays it.
#[derive(SimpleObject)]
pub struct RechargeCheckout {
    /// The pending order.
    pub order: RechargeOrder,
    /// The provider's payment page: an HTML form that submits itself to the provider (Alipay's
    /// gateway, or the sandbox's notify endpoint in development). Show it in a browser.
    pub pay_page: String,
}

/// Recharge reads.
#[derive(Default)]
pub struct RechargeQuery;

/// Recharge reads.
#[Object]
impl RechargeQuery {
    /// The caller's recharge orders (充值记录), newest first.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn recharge_orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<RechargeOrder>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page =
            recharge::orders(&services(ctx)?.db, viewer.user_id, window, wants_total(ctx)).await?;
        Ok(to_connection(page, RechargeOrder))
    }
}

/// Recharge commands.
#[derive(Default)]
pub struct RechargeMutation;

/// Recharge commands.
#[Object]
impl RechargeMutation {
    /// Orders `coins` coins (充值杏仁币) for the caller and returns the payment page of the
    /// configured provider; the coins are credited when the provider confirms the payment.
    /// UNAVAILABLE when no provider is configured.
    async fn recharge_coins(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many coins to buy, 1 to the configured maximum per order.")]
        coins: i32,
    ) -> async_graphql::Result<RechargeCheckout> {
        let viewer = auth(ctx).require()?;
        let services = services(ctx)?;
        let checkout = recharge::create(
            &services.db,
            &services.payments,
            viewer.user_id,
            i64::from(coins),
            &public_url(ctx),
        )
        .await?;
        Ok(RechargeCheckout {
            order: RechargeOrder(checkout.order),
            pay_page: checkout.pay_page,
        })
    }
}

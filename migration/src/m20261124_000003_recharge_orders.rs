//! Recharge orders (充值订单): a user buys coins through a payment provider. An order is created
//! `pending`, becomes `paid` once (when the provider's verified notification arrives, in the same
//! transaction as the coin credit) or `closed`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum RechargeOrders {
    Table,
    Id,
    Serial,
    UserId,
    Coins,
    AmountCents,
    Provider,
    Status,
    ProviderTradeNo,
    CreatedAt,
    PaidAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RechargeOrders::Table)
                    .col(big_pk_auto(RechargeOrders::Id))
                    .col(string_len_uniq(RechargeOrders::Serial, 32))
                    .col(big_integer(RechargeOrders::UserId))
                    .col(
                        big_integer(RechargeOrders::Coins)
                            .check(Expr::col(RechargeOrders::Coins).gt(0))
                            .to_owned(),
                    )
                    .col(
                        big_integer(RechargeOrders::AmountCents)
                            .check(Expr::col(RechargeOrders::AmountCents).gt(0))
                            .to_owned(),
                    )
                    .col(string_len(RechargeOrders::Provider, 32))
                    .col(
                        string_len(RechargeOrders::Status, 16)
                            .default("pending")
                            .check(
                                Expr::col(RechargeOrders::Status)
                                    .is_in(["pending", "paid", "closed"]),
                            )
                            .to_owned(),
                    )
                    .col(string_len_null(RechargeOrders::ProviderTradeNo, 64))
                    .col(timestamp_with_time_zone(RechargeOrders::CreatedAt))
                    .col(timestamp_with_time_zone_null(RechargeOrders::PaidAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_recharge_orders_user")
                            .from(RechargeOrders::Table, RechargeOrders::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_recharge_orders_user_time")
                    .table(RechargeOrders::Table)
                    .col(RechargeOrders::UserId)
                    .col(RechargeOrders::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RechargeOrders::Table).to_owned())
            .await
    }
}

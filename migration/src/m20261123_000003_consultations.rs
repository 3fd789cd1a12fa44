//! Counselling: consultation orders (咨询订单) and clients' comments on consultants, and the
//! consultant's UTC offset for the dashboard's days and months.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ConsultantProfiles {
    Table,
    UtcOffsetMinutes,
}

#[derive(DeriveIden)]
enum ConsultationOrders {
    Table,
    Id,
    OrderNo,
    ConsultantId,
    ClientId,
    ClientName,
    ClientAge,
    ClientGender,
    Contact,
    Kind,
    Date,
    TimeSlot,
    Keywords,
    AmountCents,
    State,
    RejectReason,
    AcceptedAt,
    StartedAt,
    FinishedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ConsultantComments {
    Table,
    Id,
    OrderId,
    ConsultantId,
    ClientId,
    Rating,
    Content,
    CreatedAt,
}

fn user_fk(
    name: &str,
    table: impl IntoIden + 'static,
    column: impl IntoIden + 'static,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(Users::Table, Users::Id)
        .on_delete(on_delete)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ConsultantProfiles::Table)
                    .add_column(integer(ConsultantProfiles::UtcOffsetMinutes).default(480))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConsultationOrders::Table)
                    .col(big_pk_auto(ConsultationOrders::Id))
                    .col(string_len(ConsultationOrders::OrderNo, 32).unique_key())
                    .col(big_integer(ConsultationOrders::ConsultantId))
                    .col(big_integer_null(ConsultationOrders::ClientId))
                    .col(string_len(ConsultationOrders::ClientName, 64))
                    .col(integer_null(ConsultationOrders::ClientAge))
                    .col(small_integer(ConsultationOrders::ClientGender).default(0))
                    .col(string_len(ConsultationOrders::Contact, 64))
                    .col(string_len(ConsultationOrders::Kind, 16))
                    .col(date(ConsultationOrders::Date))
                    .col(string_len(ConsultationOrders::TimeSlot, 16))
                    .col(text(ConsultationOrders::Keywords))
                    .col(big_integer(ConsultationOrders::AmountCents).default(0))
                    .col(string_len(ConsultationOrders::State, 24))
                    .col(string_len_null(ConsultationOrders::RejectReason, 200))
                    .col(timestamp_with_time_zone_null(
                        ConsultationOrders::AcceptedAt,
                    ))
                    .col(timestamp_with_time_zone_null(ConsultationOrders::StartedAt))
                    .col(timestamp_with_time_zone_null(
                        ConsultationOrders::FinishedAt,
                    ))
                    .col(timestamp_with_time_zone(ConsultationOrders::CreatedAt))
                    .col(timestamp_with_time_zone(ConsultationOrders::UpdatedAt))
                    .foreign_key(&mut user_fk(
                        "fk_consultation_orders_consultant",
                        ConsultationOrders::Table,
                        ConsultationOrders::ConsultantId,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut user_fk(
                        "fk_consultation_orders_client",
                        ConsultationOrders::Table,
                        ConsultationOrders::ClientId,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "idx_consultation_orders_consultant_date",
                vec![
                    ConsultationOrders::ConsultantId,
                    ConsultationOrders::Date,
                    ConsultationOrders::Id,
                ],
            ),
            (
                "idx_consultation_orders_consultant_created",
                vec![
                    ConsultationOrders::ConsultantId,
                    ConsultationOrders::CreatedAt,
                ],
            ),
            (
                "idx_consultation_orders_client",
                vec![ConsultationOrders::ClientId, ConsultationOrders::Id],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(ConsultationOrders::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(ConsultantComments::Table)
                    .col(big_pk_auto(ConsultantComments::Id))
                    .col(big_integer(ConsultantComments::OrderId).unique_key())
                    .col(big_integer(ConsultantComments::ConsultantId))
                    .col(big_integer(ConsultantComments::ClientId))
                    .col(small_integer(ConsultantComments::Rating))
                    .col(string_len(ConsultantComments::Content, 500))
                    .col(timestamp_with_time_zone(ConsultantComments::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_consultant_comments_order")
                            .from(ConsultantComments::Table, ConsultantComments::OrderId)
                            .to(ConsultationOrders::Table, ConsultationOrders::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut user_fk(
                        "fk_consultant_comments_consultant",
                        ConsultantComments::Table,
                        ConsultantComments::ConsultantId,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut user_fk(
                        "fk_consultant_comments_client",
                        ConsultantComments::Table,
                        ConsultantComments::ClientId,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_consultant_comments_consultant")
                    .table(ConsultantComments::Table)
                    .col(ConsultantComments::ConsultantId)
                    .col(ConsultantComments::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ConsultantComments::Table.into_iden(),
            ConsultationOrders::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(ConsultantProfiles::Table)
                    .drop_column(ConsultantProfiles::UtcOffsetMinutes)
                    .to_owned(),
            )
            .await
    }
}

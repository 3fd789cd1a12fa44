//! Counselling rosters: consultants' duty time slots per date (排班) and their suspension
//! periods (停诊).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum DutySlots {
    Table,
    Id,
    ConsultantId,
    Date,
    TimeSlot,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Suspensions {
    Table,
    Id,
    ConsultantId,
    StartsAt,
    EndsAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DutySlots::Table)
                    .col(big_pk_auto(DutySlots::Id))
                    .col(big_integer(DutySlots::ConsultantId))
                    .col(date(DutySlots::Date))
                    .col(string_len(DutySlots::TimeSlot, 16))
                    .col(timestamp_with_time_zone(DutySlots::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_duty_slots_consultant")
                            .from(DutySlots::Table, DutySlots::ConsultantId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_duty_slots_unique")
                    .table(DutySlots::Table)
                    .col(DutySlots::ConsultantId)
                    .col(DutySlots::Date)
                    .col(DutySlots::TimeSlot)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_duty_slots_date")
                    .table(DutySlots::Table)
                    .col(DutySlots::Date)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Suspensions::Table)
                    .col(big_pk_auto(Suspensions::Id))
                    .col(big_integer(Suspensions::ConsultantId))
                    .col(timestamp_with_time_zone(Suspensions::StartsAt))
                    .col(timestamp_with_time_zone(Suspensions::EndsAt))
                    .col(timestamp_with_time_zone(Suspensions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_suspensions_consultant")
                            .from(Suspensions::Table, Suspensions::ConsultantId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_suspensions_consultant")
                    .table(Suspensions::Table)
                    .col(Suspensions::ConsultantId)
                    .col(Suspensions::StartsAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Suspensions::Table.into_iden(), DutySlots::Table.into_iden()] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

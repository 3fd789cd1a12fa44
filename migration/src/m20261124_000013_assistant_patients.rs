//! Doctors' assistants (医助) and the patients they look after (volunteer `POST
//! /assistant/bind/patient`, `POST /assistant/create/patient`).
//!
//! - `assistant_patients`: one row per (assistant, patient) pair; the pair is the primary key,
//!   so binding twice cannot make a second row (`INSERT … ON CONFLICT DO NOTHING`).
//! - `idx_assistant_patients_patient`: a patient's assistants (`GET /custom/assistant`).
//! - Both ids reference `users`; deleting either account removes the link.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AssistantPatients {
    Table,
    AssistantId,
    PatientId,
    CreatedAt,
}

fn user_fk(name: &str, col: AssistantPatients) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(AssistantPatients::Table, col)
        .to(Users::Table, Users::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AssistantPatients::Table)
                    .col(big_integer(AssistantPatients::AssistantId))
                    .col(big_integer(AssistantPatients::PatientId))
                    .col(timestamp_with_time_zone(AssistantPatients::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(AssistantPatients::AssistantId)
                            .col(AssistantPatients::PatientId),
                    )
                    .foreign_key(&mut user_fk(
                        "fk_assistant_patients_assistant",
                        AssistantPatients::AssistantId,
                    ))
                    .foreign_key(&mut user_fk(
                        "fk_assistant_patients_patient",
                        AssistantPatients::PatientId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_assistant_patients_patient")
                    .table(AssistantPatients::Table)
                    .col(AssistantPatients::PatientId)
                    .col(AssistantPatients::AssistantId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AssistantPatients::Table).to_owned())
            .await
    }
}

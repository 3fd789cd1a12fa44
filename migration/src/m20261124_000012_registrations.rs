//! Registrations for free clinics (诊断, legacy `diagnoses`), their casebooks (病例) and the
//! marker of a clinic that was held.
//!
//! - `casebooks`: one per patient and clinic (a patient who rejoins edits the same one).
//! - `registrations`: a patient's place in a time slot of a clinic, with the assistant who made
//!   it, the verify state (1 booked, 2 rejected, 3 cancelled), the visit (`seen_at`), the result,
//!   the deposit order (serial, payment and refund state) and the two scorings.
//!   A partial unique index allows one booked registration per patient and clinic, so racing
//!   joins cannot both pass.
//! - `free_clinics_held`: a clinic's first confirmed visit inserts its row; only that insert
//!   counts the doctor's visits and service minutes, so concurrent confirmations never
//!   double-count.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Casebooks {
    Table,
    Id,
    PatientId,
    ClinicId,
    Content,
    Photos,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Registrations {
    Table,
    Id,
    ClinicId,
    DoctorId,
    HospitalId,
    PatientId,
    AssistantId,
    SlotId,
    CasebookId,
    VisitAt,
    EndsAt,
    VerifyState,
    RejectReason,
    SeenAt,
    Result,
    ResultPhotos,
    DepositCents,
    PaymentState,
    PaymentDueAt,
    OrderSn,
    Provider,
    TradeNo,
    PaidAt,
    RefundState,
    RefundSn,
    RefundRequestedAt,
    RefundedAt,
    PatientCreditScore,
    PatientPunctualityScore,
    DoctorCommentedAt,
    DoctorScore,
    DoctorComment,
    PatientCommentedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FreeClinicsHeld {
    Table,
    ClinicId,
    HeldAt,
}

const PARTIAL: &[&str] = &["CREATE UNIQUE INDEX idx_registrations_one_booked \
     ON registrations (clinic_id, patient_id) WHERE verify_state = 1"];

fn index(name: &str, table: impl IntoIden, cols: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(Alias::new(*col));
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Casebooks::Table)
                    .col(big_pk_auto(Casebooks::Id))
                    .col(big_integer(Casebooks::PatientId))
                    .col(big_integer(Casebooks::ClinicId))
                    .col(text(Casebooks::Content))
                    .col(text(Casebooks::Photos))
                    .col(timestamp_with_time_zone(Casebooks::CreatedAt))
                    .col(timestamp_with_time_zone(Casebooks::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "idx_casebooks_patient_clinic",
                    Casebooks::Table,
                    &["patient_id", "clinic_id"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Registrations::Table)
                    .col(big_pk_auto(Registrations::Id))
                    .col(big_integer(Registrations::ClinicId))
                    .col(big_integer(Registrations::DoctorId))
                    .col(big_integer(Registrations::HospitalId))
                    .col(big_integer(Registrations::PatientId))
                    .col(big_integer_null(Registrations::AssistantId))
                    .col(big_integer(Registrations::SlotId))
                    .col(big_integer_null(Registrations::CasebookId))
                    .col(timestamp_with_time_zone(Registrations::VisitAt))
                    .col(timestamp_with_time_zone(Registrations::EndsAt))
                    .col(
                        small_integer(Registrations::VerifyState)
                            .check(Expr::col(Registrations::VerifyState).is_in([1, 2, 3])),
                    )
                    .col(string_len_null(Registrations::RejectReason, 200))
                    .col(timestamp_with_time_zone_null(Registrations::SeenAt))
                    .col(text_null(Registrations::Result))
                    .col(text(Registrations::ResultPhotos))
                    .col(big_integer(Registrations::DepositCents))
                    .col(
                        small_integer(Registrations::PaymentState)
                            .check(Expr::col(Registrations::PaymentState).is_in([0, 1, 2])),
                    )
                    .col(timestamp_with_time_zone_null(Registrations::PaymentDueAt))
                    .col(string_len_null(Registrations::OrderSn, 32))
                    .col(string_len_null(Registrations::Provider, 16))
                    .col(string_len_null(Registrations::TradeNo, 64))
                    .col(timestamp_with_time_zone_null(Registrations::PaidAt))
                    .col(small_integer_null(Registrations::RefundState))
                    .col(string_len_null(Registrations::RefundSn, 32))
                    .col(timestamp_with_time_zone_null(
                        Registrations::RefundRequestedAt,
                    ))
                    .col(timestamp_with_time_zone_null(Registrations::RefundedAt))
                    .col(small_integer_null(Registrations::PatientCreditScore))
                    .col(small_integer_null(Registrations::PatientPunctualityScore))
                    .col(timestamp_with_time_zone_null(
                        Registrations::DoctorCommentedAt,
                    ))
                    .col(small_integer_null(Registrations::DoctorScore))
                    .col(text_null(Registrations::DoctorComment))
                    .col(timestamp_with_time_zone_null(
                        Registrations::PatientCommentedAt,
                    ))
                    .col(timestamp_with_time_zone(Registrations::CreatedAt))
                    .col(timestamp_with_time_zone(Registrations::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_registrations_clinic",
                &["clinic_id", "verify_state", "id"][..],
            ),
            (
                "idx_registrations_patient",
                &["patient_id", "created_at"][..],
            ),
            (
                "idx_registrations_doctor",
                &["doctor_id", "verify_state", "visit_at"][..],
            ),
            (
                "idx_registrations_doctor_reviews",
                &["doctor_id", "patient_commented_at"][..],
            ),
            (
                "idx_registrations_assistant",
                &["assistant_id", "clinic_id"][..],
            ),
        ] {
            manager
                .create_index(index(name, Registrations::Table, cols))
                .await?;
        }
        manager
            .create_index(
                index(
                    "idx_registrations_order_sn",
                    Registrations::Table,
                    &["order_sn"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for sql in PARTIAL {
            db.execute_unprepared(sql).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(FreeClinicsHeld::Table)
                    .col(big_integer(FreeClinicsHeld::ClinicId).primary_key())
                    .col(timestamp_with_time_zone(FreeClinicsHeld::HeldAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            FreeClinicsHeld::Table.into_iden(),
            Registrations::Table.into_iden(),
            Casebooks::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

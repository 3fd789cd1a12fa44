//! Home care (medassist): inquiries, medical records, drug purchase orders, and the audit log
//! of sensitive reads.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Inquiries {
    Table,
    Id,
    PatientId,
    Kind,
    Detail,
    ReservedPhone,
    AppointmentAt,
    State,
    ApprovedBy,
    ApprovedAt,
    PhysicianId,
    AssignedBy,
    AssignedAt,
    AcceptedAt,
    DeclineCount,
    ClosedReason,
    FinishedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MedicalRecords {
    Table,
    Id,
    InquiryId,
    PatientId,
    PhysicianId,
    Description,
    VideoFile,
    ImageFiles,
    NeedsDrugs,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DrugOrders {
    Table,
    Id,
    RecordId,
    PatientId,
    PhysicianId,
    State,
    Note,
    ConfirmedBy,
    ConfirmedAt,
    PurchasedAt,
    CertificateFiles,
    DeliveringAt,
    CompletedAt,
    CancelledBy,
    CancelledAt,
    CancelReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    ActorId,
    Action,
    SubjectType,
    SubjectId,
    OwnerId,
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

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + 'static,
    columns: Vec<DynIden>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut statement = Index::create();
    statement.name(name).table(table);
    for column in columns {
        statement.col(column);
    }
    if unique {
        statement.unique();
    }
    manager.create_index(statement.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Inquiries::Table)
                    .col(big_pk_auto(Inquiries::Id))
                    .col(big_integer(Inquiries::PatientId))
                    .col(string_len(Inquiries::Kind, 32))
                    .col(text(Inquiries::Detail))
                    .col(string_len(Inquiries::ReservedPhone, 20))
                    .col(timestamp_with_time_zone_null(Inquiries::AppointmentAt))
                    .col(string_len(Inquiries::State, 24))
                    .col(big_integer_null(Inquiries::ApprovedBy))
                    .col(timestamp_with_time_zone_null(Inquiries::ApprovedAt))
                    .col(big_integer_null(Inquiries::PhysicianId))
                    .col(big_integer_null(Inquiries::AssignedBy))
                    .col(timestamp_with_time_zone_null(Inquiries::AssignedAt))
                    .col(timestamp_with_time_zone_null(Inquiries::AcceptedAt))
                    .col(integer(Inquiries::DeclineCount).default(0))
                    .col(string_len_null(Inquiries::ClosedReason, 200))
                    .col(timestamp_with_time_zone_null(Inquiries::FinishedAt))
                    .col(timestamp_with_time_zone(Inquiries::CreatedAt))
                    .col(timestamp_with_time_zone(Inquiries::UpdatedAt))
                    .foreign_key(&mut user_fk(
                        "fk_inquiries_patient",
                        Inquiries::Table,
                        Inquiries::PatientId,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut user_fk(
                        "fk_inquiries_physician",
                        Inquiries::Table,
                        Inquiries::PhysicianId,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_inquiries_patient",
            Inquiries::Table,
            vec![Inquiries::PatientId.into_iden(), Inquiries::Id.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_inquiries_physician",
            Inquiries::Table,
            vec![
                Inquiries::PhysicianId.into_iden(),
                Inquiries::Id.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_inquiries_state",
            Inquiries::Table,
            vec![Inquiries::State.into_iden(), Inquiries::Id.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(MedicalRecords::Table)
                    .col(big_pk_auto(MedicalRecords::Id))
                    .col(big_integer(MedicalRecords::InquiryId))
                    .col(big_integer(MedicalRecords::PatientId))
                    .col(big_integer(MedicalRecords::PhysicianId))
                    .col(text_null(MedicalRecords::Description))
                    .col(string_len(MedicalRecords::VideoFile, 64))
                    .col(text(MedicalRecords::ImageFiles))
                    .col(boolean(MedicalRecords::NeedsDrugs))
                    .col(timestamp_with_time_zone(MedicalRecords::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_medical_records_inquiry")
                            .from(MedicalRecords::Table, MedicalRecords::InquiryId)
                            .to(Inquiries::Table, Inquiries::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut user_fk(
                        "fk_medical_records_patient",
                        MedicalRecords::Table,
                        MedicalRecords::PatientId,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut user_fk(
                        "fk_medical_records_physician",
                        MedicalRecords::Table,
                        MedicalRecords::PhysicianId,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // One record per inquiry: registering a second one is a conflict, also under races.
        index(
            manager,
            "idx_medical_records_inquiry",
            MedicalRecords::Table,
            vec![MedicalRecords::InquiryId.into_iden()],
            true,
        )
        .await?;
        index(
            manager,
            "idx_medical_records_patient",
            MedicalRecords::Table,
            vec![
                MedicalRecords::PatientId.into_iden(),
                MedicalRecords::Id.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(DrugOrders::Table)
                    .col(big_pk_auto(DrugOrders::Id))
                    .col(big_integer(DrugOrders::RecordId))
                    .col(big_integer(DrugOrders::PatientId))
                    .col(big_integer(DrugOrders::PhysicianId))
                    .col(string_len(DrugOrders::State, 24))
                    .col(text_null(DrugOrders::Note))
                    .col(big_integer_null(DrugOrders::ConfirmedBy))
                    .col(timestamp_with_time_zone_null(DrugOrders::ConfirmedAt))
                    .col(timestamp_with_time_zone_null(DrugOrders::PurchasedAt))
                    .col(text(DrugOrders::CertificateFiles))
                    .col(timestamp_with_time_zone_null(DrugOrders::DeliveringAt))
                    .col(timestamp_with_time_zone_null(DrugOrders::CompletedAt))
                    .col(big_integer_null(DrugOrders::CancelledBy))
                    .col(timestamp_with_time_zone_null(DrugOrders::CancelledAt))
                    .col(string_len_null(DrugOrders::CancelReason, 200))
                    .col(timestamp_with_time_zone(DrugOrders::CreatedAt))
                    .col(timestamp_with_time_zone(DrugOrders::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_drug_orders_record")
                            .from(DrugOrders::Table, DrugOrders::RecordId)
                            .to(MedicalRecords::Table, MedicalRecords::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut user_fk(
                        "fk_drug_orders_patient",
                        DrugOrders::Table,
                        DrugOrders::PatientId,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut user_fk(
                        "fk_drug_orders_physician",
                        DrugOrders::Table,
                        DrugOrders::PhysicianId,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_drug_orders_record", DrugOrders::RecordId),
            ("idx_drug_orders_patient", DrugOrders::PatientId),
            ("idx_drug_orders_physician", DrugOrders::PhysicianId),
            ("idx_drug_orders_state", DrugOrders::State),
        ] {
            index(
                manager,
                name,
                DrugOrders::Table,
                vec![column.into_iden(), DrugOrders::Id.into_iden()],
                false,
            )
            .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(big_pk_auto(AuditLog::Id))
                    .col(big_integer(AuditLog::ActorId))
                    .col(string_len(AuditLog::Action, 32))
                    .col(string_len(AuditLog::SubjectType, 32))
                    .col(big_integer(AuditLog::SubjectId))
                    .col(big_integer_null(AuditLog::OwnerId))
                    .col(timestamp_with_time_zone(AuditLog::CreatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_audit_log_owner",
            AuditLog::Table,
            vec![AuditLog::OwnerId.into_iden(), AuditLog::Id.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_audit_log_subject",
            AuditLog::Table,
            vec![
                AuditLog::SubjectType.into_iden(),
                AuditLog::SubjectId.into_iden(),
            ],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            DrugOrders::Table.into_iden(),
            MedicalRecords::Table.into_iden(),
            Inquiries::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

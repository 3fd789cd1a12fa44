//! Counselling case files: client profiles (个人档案), interview archives (咨询档案) with their
//! sessions (咨询记录), and the template files consultants download. Consultation orders get
//! the client profile they concern.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ConsultationOrders {
    Table,
    ClientProfileId,
}

#[derive(DeriveIden)]
enum ClientProfiles {
    Table,
    Id,
    ConsultantId,
    ClientId,
    Name,
    Gender,
    Age,
    Education,
    Occupation,
    MaritalStatus,
    Contact,
    EmergencyName,
    EmergencyRelationship,
    EmergencyPhone,
    Referral,
    Complaint,
    Goal,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum InterviewArchives {
    Table,
    Id,
    ConsultantId,
    ClientProfileId,
    StudentName,
    Grade,
    ClassName,
    School,
    InterviewCount,
    State,
    Kind,
    Evaluation,
    FollowUpPlan,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum InterviewSessions {
    Table,
    Id,
    ArchiveId,
    ConsultantId,
    Count,
    StudentName,
    Gender,
    StudentNumber,
    School,
    Grade,
    ClassName,
    Date,
    Time,
    DurationMinutes,
    VisitState,
    Description,
    Evaluation,
    FollowUpPlan,
    NextVisitPlan,
    CrisisState,
    ConsultantName,
    SignatureFile,
    AttachmentFiles,
    ThirdPartyEvaluation,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CounselingTemplates {
    Table,
    Id,
    Name,
    FileHash,
    Size,
    UploadedBy,
    UpdatedAt,
}

fn user_fk(
    name: &str,
    table: impl IntoIden,
    column: impl IntoIden,
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
            .create_table(
                Table::create()
                    .table(ClientProfiles::Table)
                    .col(big_pk_auto(ClientProfiles::Id))
                    .col(big_integer(ClientProfiles::ConsultantId))
                    .col(big_integer_null(ClientProfiles::ClientId))
                    .col(string_len(ClientProfiles::Name, 64))
                    .col(small_integer(ClientProfiles::Gender))
                    .col(integer_null(ClientProfiles::Age))
                    .col(string_len_null(ClientProfiles::Education, 64))
                    .col(string_len_null(ClientProfiles::Occupation, 64))
                    .col(string_len_null(ClientProfiles::MaritalStatus, 32))
                    .col(string_len_null(ClientProfiles::Contact, 64))
                    .col(string_len_null(ClientProfiles::EmergencyName, 64))
                    .col(string_len_null(ClientProfiles::EmergencyRelationship, 32))
                    .col(string_len_null(ClientProfiles::EmergencyPhone, 32))
                    .col(string_len_null(ClientProfiles::Referral, 200))
                    .col(text_null(ClientProfiles::Complaint))
                    .col(text_null(ClientProfiles::Goal))
                    .col(timestamp_with_time_zone(ClientProfiles::CreatedAt))
                    .col(timestamp_with_time_zone(ClientProfiles::UpdatedAt))
                    .foreign_key(&mut user_fk(
                        "fk_client_profiles_consultant",
                        ClientProfiles::Table,
                        ClientProfiles::ConsultantId,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut user_fk(
                        "fk_client_profiles_client",
                        ClientProfiles::Table,
                        ClientProfiles::ClientId,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_client_profiles_consultant")
                    .table(ClientProfiles::Table)
                    .col(ClientProfiles::ConsultantId)
                    .col(ClientProfiles::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ConsultationOrders::Table)
                    .add_column(big_integer_null(ConsultationOrders::ClientProfileId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_consultation_orders_client_profile")
                    .table(ConsultationOrders::Table)
                    .col(ConsultationOrders::ClientProfileId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(InterviewArchives::Table)
                    .col(big_pk_auto(InterviewArchives::Id))
                    .col(big_integer(InterviewArchives::ConsultantId))
                    .col(big_integer_null(InterviewArchives::ClientProfileId))
                    .col(string_len(InterviewArchives::StudentName, 64))
                    .col(string_len(InterviewArchives::Grade, 32))
                    .col(string_len(InterviewArchives::ClassName, 32))
                    .col(string_len(InterviewArchives::School, 100))
                    .col(integer(InterviewArchives::InterviewCount))
                    .col(string_len(InterviewArchives::State, 32))
                    .col(string_len(InterviewArchives::Kind, 32))
                    .col(text(InterviewArchives::Evaluation))
                    .col(text(InterviewArchives::FollowUpPlan))
                    .col(timestamp_with_time_zone(InterviewArchives::CreatedAt))
                    .col(timestamp_with_time_zone(InterviewArchives::UpdatedAt))
                    .foreign_key(&mut user_fk(
                        "fk_interview_archives_consultant",
                        InterviewArchives::Table,
                        InterviewArchives::ConsultantId,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_interview_archives_client_profile")
                            .from(InterviewArchives::Table, InterviewArchives::ClientProfileId)
                            .to(ClientProfiles::Table, ClientProfiles::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_interview_archives_consultant")
                    .table(InterviewArchives::Table)
                    .col(InterviewArchives::ConsultantId)
                    .col(InterviewArchives::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(InterviewSessions::Table)
                    .col(big_pk_auto(InterviewSessions::Id))
                    .col(big_integer(InterviewSessions::ArchiveId))
                    .col(big_integer(InterviewSessions::ConsultantId))
                    .col(integer(InterviewSessions::Count))
                    .col(string_len(InterviewSessions::StudentName, 64))
                    .col(small_integer(InterviewSessions::Gender))
                    .col(string_len_null(InterviewSessions::StudentNumber, 32))
                    .col(string_len(InterviewSessions::School, 100))
                    .col(string_len(InterviewSessions::Grade, 32))
                    .col(string_len(InterviewSessions::ClassName, 32))
                    .col(date(InterviewSessions::Date))
                    .col(string_len(InterviewSessions::Time, 5))
                    .col(integer(InterviewSessions::DurationMinutes))
                    .col(string_len(InterviewSessions::VisitState, 32))
                    .col(text(InterviewSessions::Description))
                    .col(text(InterviewSessions::Evaluation))
                    .col(text(InterviewSessions::FollowUpPlan))
                    .col(text(InterviewSessions::NextVisitPlan))
                    .col(string_len(InterviewSessions::CrisisState, 16))
                    .col(string_len(InterviewSessions::ConsultantName, 64))
                    .col(string_len_null(InterviewSessions::SignatureFile, 64))
                    .col(text(InterviewSessions::AttachmentFiles))
                    .col(boolean(InterviewSessions::ThirdPartyEvaluation))
                    .col(timestamp_with_time_zone(InterviewSessions::CreatedAt))
                    .col(timestamp_with_time_zone(InterviewSessions::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_interview_sessions_archive")
                            .from(InterviewSessions::Table, InterviewSessions::ArchiveId)
                            .to(InterviewArchives::Table, InterviewArchives::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut user_fk(
                        "fk_interview_sessions_consultant",
                        InterviewSessions::Table,
                        InterviewSessions::ConsultantId,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_interview_sessions_archive_count")
                    .table(InterviewSessions::Table)
                    .col(InterviewSessions::ArchiveId)
                    .col(InterviewSessions::Count)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CounselingTemplates::Table)
                    .col(big_pk_auto(CounselingTemplates::Id))
                    .col(string_len(CounselingTemplates::Name, 255).unique_key())
                    .col(string_len(CounselingTemplates::FileHash, 64))
                    .col(big_integer(CounselingTemplates::Size))
                    .col(big_integer_null(CounselingTemplates::UploadedBy))
                    .col(timestamp_with_time_zone(CounselingTemplates::UpdatedAt))
                    .foreign_key(&mut user_fk(
                        "fk_counseling_templates_uploader",
                        CounselingTemplates::Table,
                        CounselingTemplates::UploadedBy,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CounselingTemplates::Table.into_iden(),
            InterviewSessions::Table.into_iden(),
            InterviewArchives::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("idx_consultation_orders_client_profile")
                    .table(ConsultationOrders::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ConsultationOrders::Table)
                    .drop_column(ConsultationOrders::ClientProfileId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(ClientProfiles::Table).to_owned())
            .await
    }
}

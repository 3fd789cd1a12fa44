//! Identity: contact details and personal data on `users`, roles, role profiles, verification
//! codes, captchas and the rate-limit counters shared by every server process.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    RealName,
    Phone,
    Email,
    Gender,
    Birthday,
    Bio,
    Avatar,
    Background,
    ProvinceCode,
    CityCode,
    CountyCode,
    Address,
    Location,
    IdCardNumber,
    InviteCode,
    PasswordHash,
    LastActiveAt,
}

#[derive(DeriveIden)]
enum UserRoles {
    Table,
    UserId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PatientProfiles {
    Table,
    UserId,
    HeightCm,
    WeightKg,
    MaritalStatus,
    Drinks,
    Smokes,
    CreditScore,
    PunctualityScore,
    ScoredCount,
    RegistrationCount,
    VisitCount,
    VerifyState,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DoctorProfiles {
    Table,
    UserId,
    HospitalId,
    HospitalName,
    HospitalRank,
    Department,
    Position,
    Specialties,
    WorkProof,
    Abstract,
    WorkTime,
    VerifyState,
    CertifiedAt,
    CertificationTitle,
    Score,
    ScoreCount,
    VisitCount,
    PatientCount,
    ServiceMinutes,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AssistantProfiles {
    Table,
    UserId,
    TeamName,
    HelpCount,
    VerifyState,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ConsultantProfiles {
    Table,
    UserId,
    Organization,
    Introduction,
    Experience,
    Expertise,
    Education,
    Certifications,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum VerificationCodes {
    Table,
    Id,
    Channel,
    Destination,
    Purpose,
    CodeHash,
    Attempts,
    ExpiresAt,
    ConsumedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Captchas {
    Table,
    Id,
    AnswerHash,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum RateCounters {
    Table,
    Key,
    WindowStart,
    Hits,
    ExpiresAt,
}

fn user_fk(
    name: &str,
    table: impl IntoIden + 'static,
    column: impl IntoIden + 'static,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(Users::Table, Users::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        let columns = vec![
            string_len_null(Users::RealName, 64),
            string_len_null(Users::Phone, 20),
            string_len_null(Users::Email, 254),
            small_integer(Users::Gender).default(0).to_owned(),
            date_null(Users::Birthday),
            string_len_null(Users::Bio, 500),
            string_len_null(Users::Avatar, 64),
            string_len_null(Users::Background, 64),
            integer_null(Users::ProvinceCode),
            integer_null(Users::CityCode),
            integer_null(Users::CountyCode),
            string_len_null(Users::Address, 200),
            string_len_null(Users::Location, 100),
            string_len_null(Users::IdCardNumber, 18),
            string_len_null(Users::InviteCode, 16),
            string_len_null(Users::PasswordHash, 255),
            timestamp_with_time_zone_null(Users::LastActiveAt),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        for (name, column) in [
            ("idx_users_phone", Users::Phone),
            ("idx_users_email", Users::Email),
            ("idx_users_invite_code", Users::InviteCode),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Users::Table)
                        .col(column)
                        .unique()
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_users_city")
                    .table(Users::Table)
                    .col(Users::CityCode)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UserRoles::Table)
                    .col(big_integer(UserRoles::UserId))
                    .col(string_len(UserRoles::Role, 32))
                    .col(timestamp_with_time_zone(UserRoles::CreatedAt))
                    .primary_key(Index::create().col(UserRoles::UserId).col(UserRoles::Role))
                    .foreign_key(&mut user_fk(
                        "fk_user_roles_user",
                        UserRoles::Table,
                        UserRoles::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_user_roles_role")
                    .table(UserRoles::Table)
                    .col(UserRoles::Role)
                    .col(UserRoles::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PatientProfiles::Table)
                    .col(big_integer(PatientProfiles::UserId).primary_key())
                    .col(double_null(PatientProfiles::HeightCm))
                    .col(double_null(PatientProfiles::WeightKg))
                    .col(small_integer_null(PatientProfiles::MaritalStatus))
                    .col(boolean_null(PatientProfiles::Drinks))
                    .col(boolean_null(PatientProfiles::Smokes))
                    .col(double_null(PatientProfiles::CreditScore))
                    .col(double_null(PatientProfiles::PunctualityScore))
                    .col(integer(PatientProfiles::ScoredCount).default(0))
                    .col(integer(PatientProfiles::RegistrationCount).default(0))
                    .col(integer(PatientProfiles::VisitCount).default(0))
                    .col(small_integer(PatientProfiles::VerifyState).default(0))
                    .col(timestamp_with_time_zone(PatientProfiles::UpdatedAt))
                    .foreign_key(&mut user_fk(
                        "fk_patient_profiles_user",
                        PatientProfiles::Table,
                        PatientProfiles::UserId,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DoctorProfiles::Table)
                    .col(big_integer(DoctorProfiles::UserId).primary_key())
                    .col(big_integer_null(DoctorProfiles::HospitalId))
                    .col(string_len_null(DoctorProfiles::HospitalName, 100))
                    .col(string_len_null(DoctorProfiles::HospitalRank, 32))
                    .col(string_len_null(DoctorProfiles::Department, 64))
                    .col(string_len_null(DoctorProfiles::Position, 64))
                    .col(string_len_null(DoctorProfiles::Specialties, 500))
                    .col(text_null(DoctorProfiles::WorkProof))
                    .col(text_null(DoctorProfiles::Abstract))
                    .col(text_null(DoctorProfiles::WorkTime))
                    .col(small_integer(DoctorProfiles::VerifyState).default(0))
                    .col(date_null(DoctorProfiles::CertifiedAt))
                    .col(string_len_null(DoctorProfiles::CertificationTitle, 64))
                    .col(double_null(DoctorProfiles::Score))
                    .col(integer(DoctorProfiles::ScoreCount).default(0))
                    .col(integer(DoctorProfiles::VisitCount).default(0))
                    .col(integer(DoctorProfiles::PatientCount).default(0))
                    .col(integer(DoctorProfiles::ServiceMinutes).default(0))
                    .col(timestamp_with_time_zone(DoctorProfiles::UpdatedAt))
                    .foreign_key(&mut user_fk(
                        "fk_doctor_profiles_user",
                        DoctorProfiles::Table,
                        DoctorProfiles::UserId,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AssistantProfiles::Table)
                    .col(big_integer(AssistantProfiles::UserId).primary_key())
                    .col(string_len_null(AssistantProfiles::TeamName, 100))
                    .col(integer(AssistantProfiles::HelpCount).default(0))
                    .col(small_integer(AssistantProfiles::VerifyState).default(0))
                    .col(timestamp_with_time_zone(AssistantProfiles::UpdatedAt))
                    .foreign_key(&mut user_fk(
                        "fk_assistant_profiles_user",
                        AssistantProfiles::Table,
                        AssistantProfiles::UserId,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ConsultantProfiles::Table)
                    .col(big_integer(ConsultantProfiles::UserId).primary_key())
                    .col(string_len_null(ConsultantProfiles::Organization, 100))
                    .col(text_null(ConsultantProfiles::Introduction))
                    .col(text_null(ConsultantProfiles::Experience))
                    .col(text_null(ConsultantProfiles::Expertise))
                    .col(text_null(ConsultantProfiles::Education))
                    .col(text_null(ConsultantProfiles::Certifications))
                    .col(timestamp_with_time_zone(ConsultantProfiles::UpdatedAt))
                    .foreign_key(&mut user_fk(
                        "fk_consultant_profiles_user",
                        ConsultantProfiles::Table,
                        ConsultantProfiles::UserId,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(VerificationCodes::Table)
                    .col(big_pk_auto(VerificationCodes::Id))
                    .col(string_len(VerificationCodes::Channel, 8))
                    .col(string_len(VerificationCodes::Destination, 254))
                    .col(string_len(VerificationCodes::Purpose, 32))
                    .col(string_len(VerificationCodes::CodeHash, 64))
                    .col(integer(VerificationCodes::Attempts).default(0))
                    .col(timestamp_with_time_zone(VerificationCodes::ExpiresAt))
                    .col(timestamp_with_time_zone_null(VerificationCodes::ConsumedAt))
                    .col(timestamp_with_time_zone(VerificationCodes::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_verification_codes_destination")
                    .table(VerificationCodes::Table)
                    .col(VerificationCodes::Destination)
                    .col(VerificationCodes::Purpose)
                    .col(VerificationCodes::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Captchas::Table)
                    .col(string_len(Captchas::Id, 64).primary_key())
                    .col(string_len(Captchas::AnswerHash, 64))
                    .col(timestamp_with_time_zone(Captchas::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Captchas::UsedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RateCounters::Table)
                    .col(string_len(RateCounters::Key, 200))
                    .col(big_integer(RateCounters::WindowStart))
                    .col(integer(RateCounters::Hits).default(0))
                    .col(big_integer(RateCounters::ExpiresAt))
                    .primary_key(
                        Index::create()
                            .col(RateCounters::Key)
                            .col(RateCounters::WindowStart),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            RateCounters::Table.into_iden(),
            Captchas::Table.into_iden(),
            VerificationCodes::Table.into_iden(),
            ConsultantProfiles::Table.into_iden(),
            AssistantProfiles::Table.into_iden(),
            DoctorProfiles::Table.into_iden(),
            PatientProfiles::Table.into_iden(),
            UserRoles::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for name in [
            "idx_users_city",
            "idx_users_invite_code",
            "idx_users_email",
            "idx_users_phone",
        ] {
            manager
                .drop_index(Index::drop().name(name).table(Users::Table).to_owned())
                .await?;
        }
        for column in [
            Users::LastActiveAt,
            Users::PasswordHash,
            Users::InviteCode,
            Users::IdCardNumber,
            Users::Location,
            Users::Address,
            Users::CountyCode,
            Users::CityCode,
            Users::ProvinceCode,
            Users::Background,
            Users::Avatar,
            Users::Bio,
            Users::Birthday,
            Users::Gender,
            Users::Email,
            Users::Phone,
            Users::RealName,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        let _ = Users::Id;
        Ok(())
    }
}

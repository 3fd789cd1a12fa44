//! Free clinics (义诊) of the volunteer-doctor service and their catalogue: hospitals (医院),
//! organizations (组织) with doctors' membership applications, special projects (专题活动,
//! an organization's campaign grouping free clinics), the free clinics and their time slots.
//!
//! A slot keeps its `capacity` and the places `taken`; a CHECK keeps `0 <= taken <= capacity`,
//! so a registration takes a place with one conditional `UPDATE … SET taken = taken + 1 WHERE
//! taken < capacity` and can never overbook, on SQLite and PostgreSQL alike. A doctor applies to
//! an organization at most once (unique pair). Clinic times are stored twice: as the legacy
//! local date and times (China Standard Time) and as UTC instants for filtering and states.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum StoredFiles {
    Table,
    Hash,
}

#[derive(DeriveIden)]
enum Hospitals {
    Table,
    Id,
    Name,
    Logo,
    Banners,
    Level,
    Tag,
    ProvinceCode,
    CityCode,
    CountyCode,
    Address,
    Longitude,
    Latitude,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    Name,
    Logo,
    Description,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrganizationMemberships {
    Table,
    Id,
    OrganizationId,
    DoctorId,
    State,
    DecidedBy,
    DecidedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SpecialProjects {
    Table,
    Id,
    OrganizationId,
    HospitalId,
    Title,
    Photo,
    Abstract,
    Address,
    Longitude,
    Latitude,
    ServiceTargets,
    StartsOn,
    EndsOn,
    BeginTime,
    EndTime,
    CreatedAt,
}

#[derive(DeriveIden)]
enum FreeClinics {
    Table,
    Id,
    DoctorId,
    HospitalId,
    OrganizationId,
    SpecialProjectId,
    Title,
    Date,
    BeginTime,
    EndTime,
    StartsAt,
    EndsAt,
    Capacity,
    Address,
    Longitude,
    Latitude,
    Abstract,
    DepositCents,
    ServiceTargets,
    Department,
    CreatedAt,
    CancelledAt,
}

#[derive(DeriveIden)]
enum FreeClinicSlots {
    Table,
    Id,
    ClinicId,
    Position,
    Label,
    BeginTime,
    EndTime,
    Capacity,
    Taken,
}

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
                    .table(Hospitals::Table)
                    .col(big_pk_auto(Hospitals::Id))
                    .col(string_len(Hospitals::Name, 100))
                    .col(string_len_null(Hospitals::Logo, 64))
                    .col(text(Hospitals::Banners))
                    .col(string_len_null(Hospitals::Level, 32))
                    .col(string_len_null(Hospitals::Tag, 64))
                    .col(integer_null(Hospitals::ProvinceCode))
                    .col(integer_null(Hospitals::CityCode))
                    .col(integer_null(Hospitals::CountyCode))
                    .col(string_len_null(Hospitals::Address, 200))
                    .col(double_null(Hospitals::Longitude))
                    .col(double_null(Hospitals::Latitude))
                    .col(timestamp_with_time_zone(Hospitals::CreatedAt))
                    .col(timestamp_with_time_zone(Hospitals::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_hospitals_logo")
                            .from(Hospitals::Table, Hospitals::Logo)
                            .to(StoredFiles::Table, StoredFiles::Hash)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("idx_hospitals_name", Hospitals::Table, &["name"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Organizations::Table)
                    .col(big_pk_auto(Organizations::Id))
                    .col(string_len(Organizations::Name, 100))
                    .col(string_len_null(Organizations::Logo, 64))
                    .col(text_null(Organizations::Description))
                    .col(timestamp_with_time_zone(Organizations::CreatedAt))
                    .col(timestamp_with_time_zone(Organizations::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_organizations_logo")
                            .from(Organizations::Table, Organizations::Logo)
                            .to(StoredFiles::Table, StoredFiles::Hash)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrganizationMemberships::Table)
                    .col(big_pk_auto(OrganizationMemberships::Id))
                    .col(big_integer(OrganizationMemberships::OrganizationId))
                    .col(big_integer(OrganizationMemberships::DoctorId))
                    .col(small_integer(OrganizationMemberships::State))
                    .col(big_integer_null(OrganizationMemberships::DecidedBy))
                    .col(timestamp_with_time_zone_null(
                        OrganizationMemberships::DecidedAt,
                    ))
                    .col(timestamp_with_time_zone(OrganizationMemberships::CreatedAt))
                    .col(timestamp_with_time_zone(OrganizationMemberships::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_org_memberships_org")
                            .from(
                                OrganizationMemberships::Table,
                                OrganizationMemberships::OrganizationId,
                            )
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_org_memberships_doctor")
                            .from(
                                OrganizationMemberships::Table,
                                OrganizationMemberships::DoctorId,
                            )
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "uq_org_memberships_pair",
                    OrganizationMemberships::Table,
                    &["organization_id", "doctor_id"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_org_memberships_doctor",
                OrganizationMemberships::Table,
                &["doctor_id", "id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SpecialProjects::Table)
                    .col(big_pk_auto(SpecialProjects::Id))
                    .col(big_integer(SpecialProjects::OrganizationId))
                    .col(big_integer_null(SpecialProjects::HospitalId))
                    .col(string_len(SpecialProjects::Title, 100))
                    .col(string_len_null(SpecialProjects::Photo, 64))
                    .col(text(SpecialProjects::Abstract))
                    .col(string_len_null(SpecialProjects::Address, 200))
                    .col(double_null(SpecialProjects::Longitude))
                    .col(double_null(SpecialProjects::Latitude))
                    .col(text(SpecialProjects::ServiceTargets))
                    .col(date(SpecialProjects::StartsOn))
                    .col(date(SpecialProjects::EndsOn))
                    .col(time(SpecialProjects::BeginTime))
                    .col(time(SpecialProjects::EndTime))
                    .col(timestamp_with_time_zone(SpecialProjects::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_special_projects_org")
                            .from(SpecialProjects::Table, SpecialProjects::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_special_projects_hospital")
                            .from(SpecialProjects::Table, SpecialProjects::HospitalId)
                            .to(Hospitals::Table, Hospitals::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_special_projects_photo")
                            .from(SpecialProjects::Table, SpecialProjects::Photo)
                            .to(StoredFiles::Table, StoredFiles::Hash)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_special_projects_org",
                SpecialProjects::Table,
                &["organization_id", "id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FreeClinics::Table)
                    .col(big_pk_auto(FreeClinics::Id))
                    .col(big_integer(FreeClinics::DoctorId))
                    .col(big_integer(FreeClinics::HospitalId))
                    .col(big_integer_null(FreeClinics::OrganizationId))
                    .col(big_integer_null(FreeClinics::SpecialProjectId))
                    .col(string_len(FreeClinics::Title, 100))
                    .col(date(FreeClinics::Date))
                    .col(time(FreeClinics::BeginTime))
                    .col(time(FreeClinics::EndTime))
                    .col(timestamp_with_time_zone(FreeClinics::StartsAt))
                    .col(timestamp_with_time_zone(FreeClinics::EndsAt))
                    .col(integer(FreeClinics::Capacity))
                    .col(string_len(FreeClinics::Address, 200))
                    .col(double(FreeClinics::Longitude))
                    .col(double(FreeClinics::Latitude))
                    .col(text(FreeClinics::Abstract))
                    .col(big_integer(FreeClinics::DepositCents))
                    .col(text(FreeClinics::ServiceTargets))
                    .col(string_len_null(FreeClinics::Department, 64))
                    .col(timestamp_with_time_zone(FreeClinics::CreatedAt))
                    .col(timestamp_with_time_zone_null(FreeClinics::CancelledAt))
                    .check(Expr::cust("capacity > 0 AND deposit_cents >= 0"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_free_clinics_doctor")
                            .from(FreeClinics::Table, FreeClinics::DoctorId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_free_clinics_hospital")
                            .from(FreeClinics::Table, FreeClinics::HospitalId)
                            .to(Hospitals::Table, Hospitals::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_free_clinics_org")
                            .from(FreeClinics::Table, FreeClinics::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_free_clinics_special_project")
                            .from(FreeClinics::Table, FreeClinics::SpecialProjectId)
                            .to(SpecialProjects::Table, SpecialProjects::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("idx_free_clinics_doctor", &["doctor_id", "id"][..]),
            ("idx_free_clinics_ends", &["ends_at"][..]),
            ("idx_free_clinics_created", &["created_at", "id"][..]),
            ("idx_free_clinics_hospital", &["hospital_id"][..]),
            ("idx_free_clinics_org", &["organization_id"][..]),
            (
                "idx_free_clinics_special_project",
                &["special_project_id"][..],
            ),
        ] {
            manager
                .create_index(index(name, FreeClinics::Table, cols))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(FreeClinicSlots::Table)
                    .col(big_pk_auto(FreeClinicSlots::Id))
                    .col(big_integer(FreeClinicSlots::ClinicId))
                    .col(integer(FreeClinicSlots::Position))
                    .col(string_len(FreeClinicSlots::Label, 32))
                    .col(time(FreeClinicSlots::BeginTime))
                    .col(time(FreeClinicSlots::EndTime))
                    .col(integer(FreeClinicSlots::Capacity))
                    .col(integer(FreeClinicSlots::Taken).default(0))
                    .check(Expr::cust("taken >= 0 AND taken <= capacity"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_free_clinic_slots_clinic")
                            .from(FreeClinicSlots::Table, FreeClinicSlots::ClinicId)
                            .to(FreeClinics::Table, FreeClinics::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "uq_free_clinic_slots_label",
                    FreeClinicSlots::Table,
                    &["clinic_id", "label"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            FreeClinicSlots::Table.into_iden(),
            FreeClinics::Table.into_iden(),
            SpecialProjects::Table.into_iden(),
            OrganizationMemberships::Table.into_iden(),
            Organizations::Table.into_iden(),
            Hospitals::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

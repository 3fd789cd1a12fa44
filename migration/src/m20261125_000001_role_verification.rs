//! Roles are granted, never taken: every role of an account has a review state (`pending`,
//! `approved`, `rejected`, `revoked`) with who decided it and when; only approved roles act.
//! Organization memberships name the member's role (a doctor's or a consultant's) and whether
//! the member administers the organization. Rows that exist already were granted before
//! reviews existed and stay approved.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UserRoles {
    Table,
    State,
    DecidedBy,
    DecidedAt,
    Note,
}

#[derive(DeriveIden)]
enum OrganizationMemberships {
    Table,
    MemberRole,
    IsAdmin,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        let role_columns = [
            ColumnDef::new(UserRoles::State)
                .string_len(16)
                .not_null()
                .default("approved")
                .to_owned(),
            ColumnDef::new(UserRoles::DecidedBy)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(UserRoles::DecidedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(UserRoles::Note)
                .string_len(500)
                .null()
                .to_owned(),
        ];
        for mut column in role_columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(UserRoles::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_user_roles_state")
                    .table(UserRoles::Table)
                    .col(UserRoles::State)
                    .to_owned(),
            )
            .await?;
        let membership_columns = [
            ColumnDef::new(OrganizationMemberships::MemberRole)
                .string_len(32)
                .not_null()
                .default("doctor")
                .to_owned(),
            ColumnDef::new(OrganizationMemberships::IsAdmin)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
        ];
        for mut column in membership_columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(OrganizationMemberships::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            OrganizationMemberships::IsAdmin,
            OrganizationMemberships::MemberRole,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(OrganizationMemberships::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("idx_user_roles_state")
                    .table(UserRoles::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            UserRoles::Note,
            UserRoles::DecidedAt,
            UserRoles::DecidedBy,
            UserRoles::State,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(UserRoles::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

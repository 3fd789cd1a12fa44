//! Social shipping addresses (收货地址) and user verification (用户认证).
//!
//! A user keeps at most 20 addresses (checked by the domain under a lock on the user's row) and
//! at most one default: a partial unique index on `user_id` where `is_default` holds makes a
//! second default impossible even if a bug or a race slipped past the domain. A user has at most
//! one verification (unique `user_id`); ID-card images and certificates are stored files.

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
enum ShippingAddresses {
    Table,
    Id,
    UserId,
    Alias,
    Name,
    Phone,
    Province,
    City,
    County,
    Detail,
    Postcode,
    IsDefault,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum UserVerifications {
    Table,
    Id,
    UserId,
    Kind,
    State,
    Description,
    RealName,
    IdNumber,
    IdFront,
    IdRear,
    PhoneNumber,
    OrgName,
    OrgAddress,
    OrgCertificate,
    PersonName,
    PersonNumber,
    RejectReason,
    ReviewedBy,
    ReviewedAt,
    CreatedAt,
    UpdatedAt,
}

fn file_fk(name: &str, column: UserVerifications) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(UserVerifications::Table, column)
        .to(StoredFiles::Table, StoredFiles::Hash)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ShippingAddresses::Table)
                    .col(big_pk_auto(ShippingAddresses::Id))
                    .col(big_integer(ShippingAddresses::UserId))
                    .col(string_len_null(ShippingAddresses::Alias, 32))
                    .col(string_len(ShippingAddresses::Name, 32))
                    .col(string_len(ShippingAddresses::Phone, 16))
                    .col(string_len_null(ShippingAddresses::Province, 40))
                    .col(string_len_null(ShippingAddresses::City, 40))
                    .col(string_len_null(ShippingAddresses::County, 40))
                    .col(string_len(ShippingAddresses::Detail, 200))
                    .col(string_len_null(ShippingAddresses::Postcode, 6))
                    .col(boolean(ShippingAddresses::IsDefault))
                    .col(timestamp_with_time_zone(ShippingAddresses::CreatedAt))
                    .col(timestamp_with_time_zone(ShippingAddresses::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_shipping_addresses_user")
                            .from(ShippingAddresses::Table, ShippingAddresses::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_shipping_addresses_user")
                    .table(ShippingAddresses::Table)
                    .col(ShippingAddresses::UserId)
                    .col(ShippingAddresses::Id)
                    .to_owned(),
            )
            .await?;
        // At most one default per user. Partial indexes are alike on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_shipping_addresses_default \
                 ON shipping_addresses (user_id) WHERE is_default",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UserVerifications::Table)
                    .col(big_pk_auto(UserVerifications::Id))
                    .col(big_integer_uniq(UserVerifications::UserId))
                    .col(string_len(UserVerifications::Kind, 8))
                    .col(small_integer(UserVerifications::State))
                    .col(string_len(UserVerifications::Description, 400))
                    .col(string_len_null(UserVerifications::RealName, 64))
                    .col(string_len_null(UserVerifications::IdNumber, 18))
                    .col(string_len_null(UserVerifications::IdFront, 64))
                    .col(string_len_null(UserVerifications::IdRear, 64))
                    .col(string_len(UserVerifications::PhoneNumber, 16))
                    .col(string_len_null(UserVerifications::OrgName, 200))
                    .col(string_len_null(UserVerifications::OrgAddress, 400))
                    .col(string_len_null(UserVerifications::OrgCertificate, 64))
                    .col(string_len_null(UserVerifications::PersonName, 64))
                    .col(string_len_null(UserVerifications::PersonNumber, 18))
                    .col(string_len_null(UserVerifications::RejectReason, 400))
                    .col(big_integer_null(UserVerifications::ReviewedBy))
                    .col(timestamp_with_time_zone_null(UserVerifications::ReviewedAt))
                    .col(timestamp_with_time_zone(UserVerifications::CreatedAt))
                    .col(timestamp_with_time_zone(UserVerifications::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_user_verifications_user")
                            .from(UserVerifications::Table, UserVerifications::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_user_verifications_reviewer")
                            .from(UserVerifications::Table, UserVerifications::ReviewedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(&mut file_fk(
                        "fk_user_verifications_id_front",
                        UserVerifications::IdFront,
                    ))
                    .foreign_key(&mut file_fk(
                        "fk_user_verifications_id_rear",
                        UserVerifications::IdRear,
                    ))
                    .foreign_key(&mut file_fk(
                        "fk_user_verifications_certificate",
                        UserVerifications::OrgCertificate,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_user_verifications_state")
                    .table(UserVerifications::Table)
                    .col(UserVerifications::State)
                    .col(UserVerifications::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(UserVerifications::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ShippingAddresses::Table).to_owned())
            .await
    }
}

//! Metadata of content-addressed files.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum StoredFiles {
    Table,
    Hash,
    Size,
    ContentType,
    Width,
    Height,
    OriginalName,
    UploadedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StoredFiles::Table)
                    .col(char_len(StoredFiles::Hash, 64).primary_key())
                    .col(big_integer(StoredFiles::Size))
                    .col(string_len(StoredFiles::ContentType, 128))
                    .col(integer_null(StoredFiles::Width))
                    .col(integer_null(StoredFiles::Height))
                    .col(string_len_null(StoredFiles::OriginalName, 255))
                    .col(big_integer_null(StoredFiles::UploadedBy))
                    .col(timestamp_with_time_zone(StoredFiles::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_stored_files_user")
                            .from(StoredFiles::Table, StoredFiles::UploadedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StoredFiles::Table).to_owned())
            .await
    }
}

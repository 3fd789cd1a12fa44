//! GraphQL documents known by id: automatic persisted queries (Apollo's `persistedQuery`
//! extension, registered by clients, bounded in number) and trusted documents (loaded from a
//! manifest by an operator; with `graphql.trusted_documents` the only ones executed). One table
//! so that every server process behind a load balancer knows every registered document.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PersistedDocuments {
    Table,
    /// The id clients send: the SHA-256 (hex) of the text for automatic persisted queries, the
    /// manifest's key for trusted documents.
    Id,
    /// SHA-256 (hex) of `body`, so a client sending the text or its hash finds a trusted one.
    BodySha256,
    Body,
    Trusted,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PersistedDocuments::Table)
                    .col(string(PersistedDocuments::Id).primary_key())
                    .col(string(PersistedDocuments::BodySha256))
                    .col(text(PersistedDocuments::Body))
                    .col(boolean(PersistedDocuments::Trusted))
                    .col(timestamp_with_time_zone(PersistedDocuments::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_persisted_documents_body_sha256")
                    .table(PersistedDocuments::Table)
                    .col(PersistedDocuments::BodySha256)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_persisted_documents_trusted_created")
                    .table(PersistedDocuments::Table)
                    .col(PersistedDocuments::Trusted)
                    .col(PersistedDocuments::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PersistedDocuments::Table).to_owned())
            .await
    }
}

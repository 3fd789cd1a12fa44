//! Content of the volunteer-doctor service: news (公告) per audience, banners (轮播图), the
//! sender of system messages (系统消息, kept in `notifications`), and the chat (留言) between a
//! patient and a doctor.
//!
//! - `news.audience` / `banners.audience`: 1 patients, 2 doctors, 3 assistants.
//! - `banners.hospital_id` / `organization_id` are plain nullable ids without a foreign key
//!   (hospitals and organizations are another area's tables).
//! - `notifications.sender_id`: who sent a system message (null for the platform itself).
//! - `chat_dialogs`: one row per (patient, doctor) pair, unique, so that two first messages
//!   sent at once share one dialog (`INSERT … ON CONFLICT DO NOTHING`).
//! - `chat_messages`: text of at most 256 characters and a JSON array of at most 3 photo
//!   addresses; `read_at` is set when the recipient reads the dialog.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    SenderId,
}

#[derive(DeriveIden)]
enum News {
    Table,
    Id,
    Audience,
    Title,
    Content,
    CoverUrl,
    PublishedAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Banners {
    Table,
    Id,
    Title,
    ImageUrl,
    JumpMode,
    JumpId,
    Href,
    Audience,
    Sort,
    HospitalId,
    OrganizationId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ChatDialogs {
    Table,
    Id,
    PatientId,
    DoctorId,
    LastMessageId,
    LastMessageAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ChatMessages {
    Table,
    Id,
    DialogId,
    SenderId,
    RecipientId,
    SenderSide,
    Content,
    Photos,
    ReadAt,
    CreatedAt,
}

fn user_fk(
    name: &str,
    table: impl IntoIden + 'static,
    col: impl IntoIden + 'static,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, col)
        .to(Users::Table, Users::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    .add_column(big_integer_null(Notifications::SenderId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(News::Table)
                    .col(big_pk_auto(News::Id))
                    .col(
                        small_integer(News::Audience)
                            .check(Expr::col(News::Audience).is_in([1, 2, 3]))
                            .to_owned(),
                    )
                    .col(string_len(News::Title, 200))
                    .col(text(News::Content))
                    .col(string_len_null(News::CoverUrl, 1024))
                    .col(timestamp_with_time_zone(News::PublishedAt))
                    .col(big_integer_null(News::CreatedBy))
                    .col(timestamp_with_time_zone(News::CreatedAt))
                    .col(timestamp_with_time_zone(News::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_news_audience_published")
                    .table(News::Table)
                    .col(News::Audience)
                    .col(News::PublishedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Banners::Table)
                    .col(big_pk_auto(Banners::Id))
                    .col(string_len(Banners::Title, 200))
                    .col(string_len(Banners::ImageUrl, 1024))
                    .col(
                        small_integer(Banners::JumpMode)
                            .default(0)
                            .check(Expr::col(Banners::JumpMode).is_in([0, 1, 2, 3]))
                            .to_owned(),
                    )
                    .col(big_integer_null(Banners::JumpId))
                    .col(string_len_null(Banners::Href, 1024))
                    .col(
                        small_integer(Banners::Audience)
                            .check(Expr::col(Banners::Audience).is_in([1, 2, 3]))
                            .to_owned(),
                    )
                    .col(integer(Banners::Sort).default(0))
                    .col(big_integer_null(Banners::HospitalId))
                    .col(big_integer_null(Banners::OrganizationId))
                    .col(timestamp_with_time_zone(Banners::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_banners_audience_sort")
                    .table(Banners::Table)
                    .col(Banners::Audience)
                    .col(Banners::Sort)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ChatDialogs::Table)
                    .col(big_pk_auto(ChatDialogs::Id))
                    .col(big_integer(ChatDialogs::PatientId))
                    .col(big_integer(ChatDialogs::DoctorId))
                    .col(big_integer_null(ChatDialogs::LastMessageId))
                    .col(timestamp_with_time_zone(ChatDialogs::LastMessageAt))
                    .col(timestamp_with_time_zone(ChatDialogs::CreatedAt))
                    .foreign_key(&mut user_fk(
                        "fk_chat_dialogs_patient",
                        ChatDialogs::Table,
                        ChatDialogs::PatientId,
                    ))
                    .foreign_key(&mut user_fk(
                        "fk_chat_dialogs_doctor",
                        ChatDialogs::Table,
                        ChatDialogs::DoctorId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_chat_dialogs_pair")
                    .table(ChatDialogs::Table)
                    .col(ChatDialogs::PatientId)
                    .col(ChatDialogs::DoctorId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_chat_dialogs_doctor_latest")
                    .table(ChatDialogs::Table)
                    .col(ChatDialogs::DoctorId)
                    .col(ChatDialogs::LastMessageAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ChatMessages::Table)
                    .col(big_pk_auto(ChatMessages::Id))
                    .col(big_integer(ChatMessages::DialogId))
                    .col(big_integer(ChatMessages::SenderId))
                    .col(big_integer(ChatMessages::RecipientId))
                    .col(
                        small_integer(ChatMessages::SenderSide)
                            .check(Expr::col(ChatMessages::SenderSide).is_in([1, 2]))
                            .to_owned(),
                    )
                    .col(string_len(ChatMessages::Content, 1024))
                    .col(text(ChatMessages::Photos))
                    .col(timestamp_with_time_zone_null(ChatMessages::ReadAt))
                    .col(timestamp_with_time_zone(ChatMessages::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_chat_messages_dialog")
                            .from(ChatMessages::Table, ChatMessages::DialogId)
                            .to(ChatDialogs::Table, ChatDialogs::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut user_fk(
                        "fk_chat_messages_sender",
                        ChatMessages::Table,
                        ChatMessages::SenderId,
                    ))
                    .foreign_key(&mut user_fk(
                        "fk_chat_messages_recipient",
                        ChatMessages::Table,
                        ChatMessages::RecipientId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_chat_messages_dialog")
                    .table(ChatMessages::Table)
                    .col(ChatMessages::DialogId)
                    .col(ChatMessages::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_chat_messages_unread")
                    .table(ChatMessages::Table)
                    .col(ChatMessages::RecipientId)
                    .col(ChatMessages::DialogId)
                    .col(ChatMessages::ReadAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ChatMessages::Table.into_iden(),
            ChatDialogs::Table.into_iden(),
            Banners::Table.into_iden(),
            News::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    .drop_column(Notifications::SenderId)
                    .to_owned(),
            )
            .await
    }
}

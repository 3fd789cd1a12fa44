//! The community: forum posts with numbered comment floors, likes and coin rewards, follows,
//! the coin ledger (杏仁币 / social currency) with one wallet row per user, reports on posts and
//! floors, doctor certification requests, daily check-ins and VIP memberships.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
    AuthorId,
    Title,
    Body,
    Tags,
    Images,
    LikeCount,
    CommentCount,
    CoinCount,
    CreatedAt,
    UpdatedAt,
    EditedAt,
}

#[derive(DeriveIden)]
enum PostComments {
    Table,
    Id,
    PostId,
    AuthorId,
    Floor,
    Body,
    CreatedAt,
    EditedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum PostLikes {
    Table,
    PostId,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PostRewards {
    Table,
    PostId,
    UserId,
    Amount,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Follows {
    Table,
    FollowerId,
    FolloweeId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Wallets {
    Table,
    UserId,
    Balance,
    TotalIncome,
    TotalExpenses,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CoinEntries {
    Table,
    Id,
    UserId,
    Amount,
    BalanceAfter,
    Reason,
    RelatedType,
    RelatedId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PostReports {
    Table,
    Id,
    ReporterId,
    PostId,
    CommentId,
    Floor,
    Reason,
    Status,
    Response,
    ReviewerId,
    CreatedAt,
    RespondedAt,
}

#[derive(DeriveIden)]
enum DoctorCertifications {
    Table,
    Id,
    UserId,
    QualificationFile,
    PracticeFile,
    Status,
    Title,
    Department,
    HospitalRank,
    Reason,
    ReviewerId,
    CreatedAt,
    ReviewedAt,
}

#[derive(DeriveIden)]
enum Checkins {
    Table,
    UserId,
    Total,
    Streak,
    LastDay,
}

#[derive(DeriveIden)]
enum VipMemberships {
    Table,
    UserId,
    Level,
    Name,
    EndsAt,
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

fn post_fk(name: &str, table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(Posts::Table, Posts::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: Vec<DynIden>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for col in cols {
        stmt.col(col);
    }
    if unique {
        stmt.unique();
    }
    manager.create_index(stmt.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Posts::Table)
                    .col(big_pk_auto(Posts::Id))
                    .col(big_integer(Posts::AuthorId))
                    .col(string_len(Posts::Title, 100))
                    .col(text(Posts::Body))
                    .col(text(Posts::Tags))
                    .col(text(Posts::Images))
                    .col(integer(Posts::LikeCount).default(0))
                    .col(integer(Posts::CommentCount).default(0))
                    .col(big_integer(Posts::CoinCount).default(0))
                    .col(timestamp_with_time_zone(Posts::CreatedAt))
                    .col(timestamp_with_time_zone(Posts::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Posts::EditedAt))
                    .foreign_key(&mut user_fk(
                        "fk_posts_author",
                        Posts::Table,
                        Posts::AuthorId,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_posts_author",
            Posts::Table,
            vec![Posts::AuthorId.into_iden(), Posts::Id.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(PostComments::Table)
                    .col(big_pk_auto(PostComments::Id))
                    .col(big_integer(PostComments::PostId))
                    .col(big_integer(PostComments::AuthorId))
                    .col(integer(PostComments::Floor))
                    .col(text(PostComments::Body))
                    .col(timestamp_with_time_zone(PostComments::CreatedAt))
                    .col(timestamp_with_time_zone_null(PostComments::EditedAt))
                    .col(timestamp_with_time_zone_null(PostComments::DeletedAt))
                    .foreign_key(&mut post_fk(
                        "fk_post_comments_post",
                        PostComments::Table,
                        PostComments::PostId,
                    ))
                    .foreign_key(&mut user_fk(
                        "fk_post_comments_author",
                        PostComments::Table,
                        PostComments::AuthorId,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_post_comments_floor",
            PostComments::Table,
            vec![
                PostComments::PostId.into_iden(),
                PostComments::Floor.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "idx_post_comments_author",
            PostComments::Table,
            vec![
                PostComments::AuthorId.into_iden(),
                PostComments::Id.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(PostLikes::Table)
                    .col(big_integer(PostLikes::PostId))
                    .col(big_integer(PostLikes::UserId))
                    .col(timestamp_with_time_zone(PostLikes::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(PostLikes::PostId)
                            .col(PostLikes::UserId),
                    )
                    .foreign_key(&mut post_fk(
                        "fk_post_likes_post",
                        PostLikes::Table,
                        PostLikes::PostId,
                    ))
                    .foreign_key(&mut user_fk(
                        "fk_post_likes_user",
                        PostLikes::Table,
                        PostLikes::UserId,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_post_likes_user",
            PostLikes::Table,
            vec![PostLikes::UserId.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(PostRewards::Table)
                    .col(big_integer(PostRewards::PostId))
                    .col(big_integer(PostRewards::UserId))
                    .col(big_integer(PostRewards::Amount))
                    .col(timestamp_with_time_zone(PostRewards::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(PostRewards::PostId)
                            .col(PostRewards::UserId),
                    )
                    .foreign_key(&mut post_fk(
                        "fk_post_rewards_post",
                        PostRewards::Table,
                        PostRewards::PostId,
                    ))
                    .foreign_key(&mut user_fk(
                        "fk_post_rewards_user",
                        PostRewards::Table,
                        PostRewards::UserId,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Follows::Table)
                    .col(big_integer(Follows::FollowerId))
                    .col(big_integer(Follows::FolloweeId))
                    .col(timestamp_with_time_zone(Follows::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(Follows::FollowerId)
                            .col(Follows::FolloweeId),
                    )
                    .foreign_key(&mut user_fk(
                        "fk_follows_follower",
                        Follows::Table,
                        Follows::FollowerId,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut user_fk(
                        "fk_follows_followee",
                        Follows::Table,
                        Follows::FolloweeId,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_follows_followee",
            Follows::Table,
            vec![
                Follows::FolloweeId.into_iden(),
                Follows::FollowerId.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Wallets::Table)
                    .col(
                        big_integer(Wallets::UserId)
                            .primary_key()
                            .not_null()
                            .to_owned(),
                    )
                    .col(
                        big_integer(Wallets::Balance)
                            .default(0)
                            .check(Expr::col(Wallets::Balance).gte(0))
                            .to_owned(),
                    )
                    .col(big_integer(Wallets::TotalIncome).default(0))
                    .col(big_integer(Wallets::TotalExpenses).default(0))
                    .col(timestamp_with_time_zone(Wallets::UpdatedAt))
                    .foreign_key(&mut user_fk(
                        "fk_wallets_user",
                        Wallets::Table,
                        Wallets::UserId,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CoinEntries::Table)
                    .col(big_pk_auto(CoinEntries::Id))
                    .col(big_integer(CoinEntries::UserId))
                    .col(
                        big_integer(CoinEntries::Amount)
                            .check(Expr::col(CoinEntries::Amount).ne(0))
                            .to_owned(),
                    )
                    .col(big_integer(CoinEntries::BalanceAfter))
                    .col(string_len(CoinEntries::Reason, 200))
                    .col(string_len_null(CoinEntries::RelatedType, 32))
                    .col(big_integer_null(CoinEntries::RelatedId))
                    .col(timestamp_with_time_zone(CoinEntries::CreatedAt))
                    .foreign_key(&mut user_fk(
                        "fk_coin_entries_user",
                        CoinEntries::Table,
                        CoinEntries::UserId,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_coin_entries_user_time",
            CoinEntries::Table,
            vec![
                CoinEntries::UserId.into_iden(),
                CoinEntries::CreatedAt.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_coin_entries_time",
            CoinEntries::Table,
            vec![
                CoinEntries::CreatedAt.into_iden(),
                CoinEntries::UserId.into_iden(),
                CoinEntries::Amount.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(PostReports::Table)
                    .col(big_pk_auto(PostReports::Id))
                    .col(big_integer(PostReports::ReporterId))
                    .col(big_integer(PostReports::PostId))
                    .col(big_integer_null(PostReports::CommentId))
                    .col(integer_null(PostReports::Floor))
                    .col(text(PostReports::Reason))
                    .col(small_integer(PostReports::Status).default(0))
                    .col(text_null(PostReports::Response))
                    .col(big_integer_null(PostReports::ReviewerId))
                    .col(timestamp_with_time_zone(PostReports::CreatedAt))
                    .col(timestamp_with_time_zone_null(PostReports::RespondedAt))
                    .foreign_key(&mut user_fk(
                        "fk_post_reports_reporter",
                        PostReports::Table,
                        PostReports::ReporterId,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut post_fk(
                        "fk_post_reports_post",
                        PostReports::Table,
                        PostReports::PostId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_post_reports_comment")
                            .from(PostReports::Table, PostReports::CommentId)
                            .to(PostComments::Table, PostComments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut user_fk(
                        "fk_post_reports_reviewer",
                        PostReports::Table,
                        PostReports::ReviewerId,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_post_reports_reporter",
            PostReports::Table,
            vec![
                PostReports::ReporterId.into_iden(),
                PostReports::Id.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_post_reports_status",
            PostReports::Table,
            vec![PostReports::Status.into_iden(), PostReports::Id.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(DoctorCertifications::Table)
                    .col(big_pk_auto(DoctorCertifications::Id))
                    .col(big_integer(DoctorCertifications::UserId))
                    .col(string_len(DoctorCertifications::QualificationFile, 64))
                    .col(string_len(DoctorCertifications::PracticeFile, 64))
                    .col(string_len(DoctorCertifications::Status, 16))
                    .col(string_len_null(DoctorCertifications::Title, 64))
                    .col(string_len_null(DoctorCertifications::Department, 64))
                    .col(string_len_null(DoctorCertifications::HospitalRank, 32))
                    .col(text_null(DoctorCertifications::Reason))
                    .col(big_integer_null(DoctorCertifications::ReviewerId))
                    .col(timestamp_with_time_zone(DoctorCertifications::CreatedAt))
                    .col(timestamp_with_time_zone_null(
                        DoctorCertifications::ReviewedAt,
                    ))
                    .foreign_key(&mut user_fk(
                        "fk_doctor_certifications_user",
                        DoctorCertifications::Table,
                        DoctorCertifications::UserId,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut user_fk(
                        "fk_doctor_certifications_reviewer",
                        DoctorCertifications::Table,
                        DoctorCertifications::ReviewerId,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_doctor_certifications_status",
            DoctorCertifications::Table,
            vec![
                DoctorCertifications::Status.into_iden(),
                DoctorCertifications::Id.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_doctor_certifications_user",
            DoctorCertifications::Table,
            vec![
                DoctorCertifications::UserId.into_iden(),
                DoctorCertifications::Id.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Checkins::Table)
                    .col(
                        big_integer(Checkins::UserId)
                            .primary_key()
                            .not_null()
                            .to_owned(),
                    )
                    .col(integer(Checkins::Total))
                    .col(integer(Checkins::Streak))
                    .col(date(Checkins::LastDay))
                    .foreign_key(&mut user_fk(
                        "fk_checkins_user",
                        Checkins::Table,
                        Checkins::UserId,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(VipMemberships::Table)
                    .col(
                        big_integer(VipMemberships::UserId)
                            .primary_key()
                            .not_null()
                            .to_owned(),
                    )
                    .col(string_len(VipMemberships::Level, 16))
                    .col(string_len(VipMemberships::Name, 32))
                    .col(timestamp_with_time_zone(VipMemberships::EndsAt))
                    .col(timestamp_with_time_zone(VipMemberships::UpdatedAt))
                    .foreign_key(&mut user_fk(
                        "fk_vip_memberships_user",
                        VipMemberships::Table,
                        VipMemberships::UserId,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            VipMemberships::Table.into_iden(),
            Checkins::Table.into_iden(),
            DoctorCertifications::Table.into_iden(),
            PostReports::Table.into_iden(),
            CoinEntries::Table.into_iden(),
            Wallets::Table.into_iden(),
            Follows::Table.into_iden(),
            PostRewards::Table.into_iden(),
            PostLikes::Table.into_iden(),
            PostComments::Table.into_iden(),
            Posts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

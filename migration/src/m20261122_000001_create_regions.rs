//! Regions of China (provinces, cities, counties) with their 6-digit codes, loaded from the
//! vendored `china-division` CSVs.

use sea_orm_migration::{prelude::*, schema::*};

use crate::regions_data::{Region, all_regions};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Regions {
    Table,
    Id,
    ParentId,
    Level,
    Name,
    ShortName,
    Pinyin,
    Sort,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Regions::Table)
                    .col(integer(Regions::Id).primary_key())
                    .col(integer(Regions::ParentId))
                    .col(small_integer(Regions::Level))
                    .col(string_len(Regions::Name, 64))
                    .col(string_len(Regions::ShortName, 64))
                    .col(string_len(Regions::Pinyin, 128))
                    .col(integer(Regions::Sort))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_regions_parent")
                    .table(Regions::Table)
                    .col(Regions::ParentId)
                    .col(Regions::Sort)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_regions_name")
                    .table(Regions::Table)
                    .col(Regions::Name)
                    .to_owned(),
            )
            .await?;

        let regions = all_regions().map_err(|e| DbErr::Migration(e.to_string()))?;
        for chunk in regions.chunks(400) {
            let mut insert = Query::insert();
            insert.into_table(Regions::Table).columns([
                Regions::Id,
                Regions::ParentId,
                Regions::Level,
                Regions::Name,
                Regions::ShortName,
                Regions::Pinyin,
                Regions::Sort,
            ]);
            for Region {
                id,
                parent_id,
                level,
                name,
                short_name,
                pinyin,
                sort,
            } in chunk
            {
                insert.values_panic([
                    (*id).into(),
                    (*parent_id).into(),
                    (*level).into(),
                    name.clone().into(),
                    short_name.clone().into(),
                    pinyin.clone().into(),
                    (*sort).into(),
                ]);
            }
            manager.exec_stmt(insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Regions::Table).to_owned())
            .await
    }
}

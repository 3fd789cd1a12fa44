//! The consultant dashboard's tallies, kept with every write by
//! `medgraph::domain::consultation_tallies` (the only writer) so that the dashboard reads a few
//! dozen rows instead of aggregating all of a consultant's orders:
//!
//! - `consultation_tallies(consultant_id, dimension, bucket, n)`: the consultant's counted
//!   orders (every state but `rejected`) per kind (`kind`: `online`/`offline`), per month of
//!   their date (`month`: `YYYY-MM`) and per starting hour of their time slot (`hour`: the
//!   slot's first two characters); and distinct clients (contacts) per gender (`gender`: `0`,
//!   `1`, `2`) and per age band (`age`: the band's label);
//! - `consultation_client_tallies(consultant_id, dimension, bucket, contact, n)`: for the
//!   gender and age-band figures, each contact's counted orders, so that a distinct-client
//!   tally moves only when a contact's count goes from 0 to 1 or from 1 to 0.
//!
//! Both are filled here from the orders already stored (one `INSERT … SELECT … GROUP BY` each,
//! alike on SQLite and PostgreSQL). This is a snapshot of the rule as it stands at this
//! migration; the domain module owns it from then on.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ConsultationTallies {
    Table,
    ConsultantId,
    Dimension,
    Bucket,
    N,
}

#[derive(DeriveIden)]
enum ConsultationClientTallies {
    Table,
    ConsultantId,
    Dimension,
    Bucket,
    Contact,
    N,
}

/// The dashboard's age bands as of this migration: label, lowest and highest age.
const AGE_BANDS: [(&str, i32, i32); 6] = [
    ("1-17", 1, 17),
    ("18-25", 18, 25),
    ("26-35", 26, 35),
    ("36-45", 36, 45),
    ("46-55", 46, 55),
    ("55+", 56, 200),
];

/// The backfill, in order: per-contact counts, order tallies, distinct-client tallies.
fn backfill(backend: DatabaseBackend) -> [String; 3] {
    let month = match backend {
        DatabaseBackend::Postgres => "TO_CHAR(date, 'YYYY-MM')",
        // SQLite keeps dates as `YYYY-MM-DD` text.
        _ => "SUBSTR(date, 1, 7)",
    };
    let bands = AGE_BANDS
        .iter()
        .map(|(label, low, high)| {
            format!("SELECT '{label}' AS label, {low} AS low, {high} AS high")
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let counted = "state <> 'rejected'";
    [
        format!(
            "INSERT INTO consultation_client_tallies (consultant_id, dimension, bucket, contact, n) \
             SELECT consultant_id, 'gender', CAST(client_gender AS TEXT), contact, COUNT(*) \
             FROM consultation_orders WHERE {counted} \
             GROUP BY consultant_id, client_gender, contact \
             UNION ALL \
             SELECT o.consultant_id, 'age', b.label, o.contact, COUNT(*) \
             FROM consultation_orders o JOIN ({bands}) b ON o.client_age BETWEEN b.low AND b.high \
             WHERE o.{counted} GROUP BY o.consultant_id, b.label, o.contact"
        ),
        format!(
            "INSERT INTO consultation_tallies (consultant_id, dimension, bucket, n) \
             SELECT consultant_id, 'kind', kind, COUNT(*) FROM consultation_orders \
             WHERE {counted} GROUP BY consultant_id, kind \
             UNION ALL \
             SELECT consultant_id, 'month', {month}, COUNT(*) FROM consultation_orders \
             WHERE {counted} GROUP BY consultant_id, {month} \
             UNION ALL \
             SELECT consultant_id, 'hour', SUBSTR(time_slot, 1, 2), COUNT(*) \
             FROM consultation_orders WHERE {counted} \
             GROUP BY consultant_id, SUBSTR(time_slot, 1, 2)"
        ),
        "INSERT INTO consultation_tallies (consultant_id, dimension, bucket, n) \
         SELECT consultant_id, dimension, bucket, COUNT(*) FROM consultation_client_tallies \
         WHERE n > 0 GROUP BY consultant_id, dimension, bucket"
            .to_owned(),
    ]
}

fn consultant_fk(
    table: impl IntoIden + 'static,
    column: impl IntoIden + 'static,
    name: &str,
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
        manager
            .create_table(
                Table::create()
                    .table(ConsultationTallies::Table)
                    .col(big_integer(ConsultationTallies::ConsultantId))
                    .col(string_len(ConsultationTallies::Dimension, 8))
                    .col(string_len(ConsultationTallies::Bucket, 16))
                    .col(big_integer(ConsultationTallies::N).default(0))
                    .primary_key(
                        Index::create()
                            .col(ConsultationTallies::ConsultantId)
                            .col(ConsultationTallies::Dimension)
                            .col(ConsultationTallies::Bucket),
                    )
                    .foreign_key(&mut consultant_fk(
                        ConsultationTallies::Table,
                        ConsultationTallies::ConsultantId,
                        "fk_consultation_tallies_consultant",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConsultationClientTallies::Table)
                    .col(big_integer(ConsultationClientTallies::ConsultantId))
                    .col(string_len(ConsultationClientTallies::Dimension, 8))
                    .col(string_len(ConsultationClientTallies::Bucket, 16))
                    .col(string_len(ConsultationClientTallies::Contact, 64))
                    .col(big_integer(ConsultationClientTallies::N).default(0))
                    .primary_key(
                        Index::create()
                            .col(ConsultationClientTallies::ConsultantId)
                            .col(ConsultationClientTallies::Dimension)
                            .col(ConsultationClientTallies::Bucket)
                            .col(ConsultationClientTallies::Contact),
                    )
                    .foreign_key(&mut consultant_fk(
                        ConsultationClientTallies::Table,
                        ConsultationClientTallies::ConsultantId,
                        "fk_consultation_client_tallies_consultant",
                    ))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for sql in backfill(manager.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(ConsultationClientTallies::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(ConsultationTallies::Table).to_owned())
            .await
    }
}

//! Covering indexes for the consultant's dashboard and filtered order list.
//!
//! Every dashboard figure aggregates all of one consultant's orders (rejected ones excluded),
//! and the existing `(consultant_id, date, id)` and `(consultant_id, created_at)` indexes
//! only find the rows: SQLite then looks each one up in the table (slower than a table scan
//! when a consultant has most rows), PostgreSQL reads the heap. With these the figures are
//! index-only scans, the by-kind and by-gender ones in the index's order:
//!
//! - `(consultant_id, kind, time_slot, state, id)`: online/offline counts (`COUNT(id)` by
//!   `kind`) and appointments per starting hour;
//! - `(consultant_id, client_gender, contact, client_age, state)`: distinct clients per gender
//!   and per age band;
//! - `(consultant_id, date, state, client_name)`: this year's consultations per month, and the
//!   order list's total under a date range, status and name filter.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ConsultationOrders {
    Table,
    Id,
    ConsultantId,
    ClientName,
    ClientAge,
    ClientGender,
    Contact,
    Kind,
    Date,
    TimeSlot,
    State,
}

/// The indexes, by name.
fn indexes() -> Vec<(&'static str, Vec<ConsultationOrders>)> {
    use ConsultationOrders::*;
    vec![
        (
            "idx_consultation_orders_kind_slot",
            vec![ConsultantId, Kind, TimeSlot, State, Id],
        ),
        (
            "idx_consultation_orders_clients",
            vec![ConsultantId, ClientGender, Contact, ClientAge, State],
        ),
        (
            "idx_consultation_orders_date_state",
            vec![ConsultantId, Date, State, ClientName],
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, columns) in indexes() {
            let mut index = Index::create();
            index.name(name).table(ConsultationOrders::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in indexes().into_iter().rev() {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(ConsultationOrders::Table)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

//! Reviews of community content: at most one pending report per reporter and target, and at
//! most one pending doctor certification request per user, enforced by the database so that
//! racing requests cannot both pass.
//!
//! Both are partial unique indexes (`… WHERE status = pending`), alike on SQLite and
//! PostgreSQL; a report names its floor through `comment_id`, which is null for a report of
//! the post itself, hence `COALESCE(comment_id, 0)` (nulls are distinct in a unique index).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &[&str] = &[
    "CREATE UNIQUE INDEX idx_post_reports_pending_target \
     ON post_reports (reporter_id, post_id, (COALESCE(comment_id, 0))) WHERE status = 0",
    "CREATE UNIQUE INDEX idx_doctor_certifications_pending \
     ON doctor_certifications (user_id) WHERE status = 'pending'",
];

const DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS idx_doctor_certifications_pending",
    "DROP INDEX IF EXISTS idx_post_reports_pending_target",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in UP {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in DOWN {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}

//! Assistants (医助) and the patients bound to them.

use sea_orm::{ConnectionTrait, Statement};

use crate::error::AppResult;

/// Whether `patient_id` is bound to `assistant_id`.
pub async fn is_bound<C: ConnectionTrait>(
    db: &C,
    assistant_id: i64,
    patient_id: i64,
) -> AppResult<bool> {
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "SELECT 1 AS one FROM assistant_patients WHERE assistant_id = $1 AND patient_id = $2"
        }
        _ => "SELECT 1 AS one FROM assistant_patients WHERE assistant_id = ? AND patient_id = ?",
    };
    Ok(db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [assistant_id.into(), patient_id.into()],
        ))
        .await?
        .is_some())
}

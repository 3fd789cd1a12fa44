//! State machines over a `state` column: a transition is one conditional
//! `UPDATE … SET state = …, updated_at = now WHERE id = ? AND state = <expected>`, so of two
//! racing transitions from the same state exactly one applies, on SQLite and PostgreSQL alike.

use chrono::Utc;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PrimaryKeyTrait, QueryFilter};

use crate::error::{AppError, AppResult};

/// The columns a state machine moves, and what its records are called in errors.
pub struct Machine<E: EntityTrait> {
    /// The record's name in messages, e.g. `inquiry`.
    pub what: &'static str,
    pub id: E::Column,
    pub state: E::Column,
    pub updated_at: E::Column,
}

impl<E> Machine<E>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i64>,
{
    /// Applies `changes` (and a fresh `updated_at`) to record `id` if it is still in state
    /// `expected`; answers the record as it is then, or `CONFLICT` when someone moved it first.
    pub async fn apply<C: ConnectionTrait>(
        &self,
        db: &C,
        id: i64,
        expected: &str,
        changes: Vec<(E::Column, SimpleExpr)>,
    ) -> AppResult<E::Model> {
        let mut update = E::update_many()
            .col_expr(self.updated_at, Expr::value(Utc::now()))
            .filter(self.id.eq(id))
            .filter(self.state.eq(expected));
        for (column, value) in changes {
            update = update.col_expr(column, value);
        }
        if update.exec(db).await?.rows_affected == 0 {
            return Err(AppError::Conflict(format!(
                "{} {id} changed meanwhile; reload it and try again",
                self.what
            )));
        }
        E::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("{} {id} not found", self.what)))
    }
}

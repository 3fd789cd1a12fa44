//! Reading a statement's rows by column position. sea-orm's `QueryResult::try_get_by(name)`
//! looks the name up in the row's column map (hashing it) for every value it reads, and builds
//! an error `String` for every NULL (which `Option`'s reader then drops). A page of posts with
//! their floors and authors reads about a thousand values, so the lists that read many rows
//! find each column's position once per statement, in its first row ([`position`]), and read
//! every row by position ([`ColumnValue`]).
//!
//! The values are decoded as sea-orm decodes them (sqlx's `Option<T>` decoder of the row's
//! backend, with its type check), so a model reads the same by name or by position.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sqlx::{self, Column as _, Row as _};
use sea_orm::{DbErr, QueryResult, RuntimeErr};

/// A Rust type a column is read into by position.
pub trait ColumnValue: Sized {
    /// The value at position `at` of `row`.
    fn read(row: &QueryResult, at: usize) -> Result<Self, DbErr>;
}

fn query_err(err: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(err)))
}

/// The value at `at`, `None` for NULL.
fn nullable<T>(row: &QueryResult, at: usize) -> Result<Option<T>, DbErr>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres>
        + sqlx::Type<sqlx::Postgres>
        + for<'r> sqlx::Decode<'r, sqlx::Sqlite>
        + sqlx::Type<sqlx::Sqlite>,
{
    if let Some(row) = row.try_as_pg_row() {
        return row.try_get::<Option<T>, usize>(at).map_err(query_err);
    }
    if let Some(row) = row.try_as_sqlite_row() {
        return row.try_get::<Option<T>, usize>(at).map_err(query_err);
    }
    Err(unsupported())
}

fn unsupported() -> DbErr {
    DbErr::Type("rows are read by position on PostgreSQL and SQLite only".to_owned())
}

macro_rules! by_position {
    ($($t:ty),* $(,)?) => {$(
        impl ColumnValue for $t {
            fn read(row: &QueryResult, at: usize) -> Result<Self, DbErr> {
                nullable::<$t>(row, at)?.ok_or_else(|| {
                    DbErr::Type(format!("column {at} is NULL where a value is required"))
                })
            }
        }

        impl ColumnValue for Option<$t> {
            fn read(row: &QueryResult, at: usize) -> Result<Self, DbErr> {
                nullable::<$t>(row, at)
            }
        }
    )*};
}

by_position!(
    bool,
    i16,
    i32,
    i64,
    f64,
    String,
    DateTime<Utc>,
    NaiveDate,
    uuid::Uuid
);

/// The position of the column named `prefix` + `name` in `row` (and in every row of its
/// statement).
pub fn position(row: &QueryResult, prefix: &str, name: &str) -> Result<usize, DbErr> {
    let full;
    let name = if prefix.is_empty() {
        name
    } else {
        full = format!("{prefix}{name}");
        full.as_str()
    };
    let found = if let Some(row) = row.try_as_pg_row() {
        row.try_column(name).map(|c| c.ordinal())
    } else if let Some(row) = row.try_as_sqlite_row() {
        row.try_column(name).map(|c| c.ordinal())
    } else {
        return Err(unsupported());
    };
    found.map_err(query_err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ConnectionTrait, Database, Statement};

    #[tokio::test]
    async fn values_read_by_position_equal_those_read_by_name() {
        let db = Database::connect("sqlite::memory:").await.expect("sqlite");
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT 7 AS a, 'x' AS b, NULL AS c, '2026-12-07T04:00:00Z' AS d",
            ))
            .await
            .expect("rows");
        let row = &rows[0];
        let at = |name| position(row, "", name).expect("position");
        assert_eq!((at("a"), at("b"), at("c"), at("d")), (0, 1, 2, 3));
        assert_eq!(i64::read(row, at("a")).ok(), Some(7));
        assert_eq!(String::read(row, at("b")).ok().as_deref(), Some("x"));
        assert_eq!(Option::<String>::read(row, at("c")).ok(), Some(None));
        assert!(String::read(row, at("c")).is_err(), "NULL is not a value");
        assert_eq!(
            DateTime::<Utc>::read(row, at("d")).ok(),
            row.try_get_by::<DateTime<Utc>, _>("d").ok()
        );
        assert!(position(row, "", "missing").is_err());
        assert!(i64::read(row, 9).is_err(), "no column 9");
    }
}

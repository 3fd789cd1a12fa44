//! Reading a statement's rows by column position. sea-orm's `QueryResult::try_get_by(name)`
//! looks the name up in the row's column map (hashing it) for every value it reads, and builds
//! an error `String` for every NULL (which `Option`'s reader then drops). A page of posts with
//! their floors and authors reads about a thousand values, so the lists that read many rows
//! find each column's position once per statement, in its first row ([`position`]), and read
//! every row by position ([`ColumnValue`]).
//!
//! The values are decoded as sea-orm decodes them (sqlx's `Option<T>` decoder of the row's
//! backend), so a model reads the same by name or by position. sqlx also checks each value's
//! type against the Rust type it is read into, which costs as much as decoding an integer;
//! PostgreSQL types a column once for all the rows of a statement, so [`Positions`] checks a
//! column once, at its first read. SQLite types every value on its own: there every value is
//! checked.

use std::cell::Cell;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sqlx::{self, Column as _, Row as _, TypeInfo as _};
use sea_orm::{DbErr, QueryResult, RuntimeErr};

/// A Rust type a column is read into by position.
pub trait ColumnValue: Sized {
    /// The value at position `at` of `row`, its type checked.
    fn read(row: &QueryResult, at: usize) -> Result<Self, DbErr>;

    /// Whether the column at `at` of `row`'s statement can be read into this type (on
    /// PostgreSQL, from the statement's column types; elsewhere always, as each value is
    /// checked when read).
    fn check(row: &QueryResult, at: usize) -> Result<(), DbErr>;

    /// The value at `at` of `row`, whose column [`check`](Self::check) accepted.
    fn read_checked(row: &QueryResult, at: usize) -> Result<Self, DbErr>;
}

fn query_err(err: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(err)))
}

/// The Rust types read by position: those sqlx decodes on both backends.
trait Both:
    for<'r> sqlx::Decode<'r, sqlx::Postgres>
    + sqlx::Type<sqlx::Postgres>
    + for<'r> sqlx::Decode<'r, sqlx::Sqlite>
    + sqlx::Type<sqlx::Sqlite>
{
}

impl<T> Both for T where
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres>
        + sqlx::Type<sqlx::Postgres>
        + for<'r> sqlx::Decode<'r, sqlx::Sqlite>
        + sqlx::Type<sqlx::Sqlite>
{
}

/// The value at `at`, `None` for NULL, its type checked.
fn nullable<T: Both>(row: &QueryResult, at: usize) -> Result<Option<T>, DbErr> {
    if let Some(row) = row.try_as_pg_row() {
        return row.try_get::<Option<T>, usize>(at).map_err(query_err);
    }
    if let Some(row) = row.try_as_sqlite_row() {
        return row.try_get::<Option<T>, usize>(at).map_err(query_err);
    }
    Err(unsupported())
}

/// Whether column `at` of a PostgreSQL statement holds `T`: sqlx's check of every value.
fn check<T: Both>(row: &QueryResult, at: usize) -> Result<(), DbErr> {
    let Some(row) = row.try_as_pg_row() else {
        return match row.try_as_sqlite_row() {
            Some(_) => Ok(()),
            None => Err(unsupported()),
        };
    };
    let column = row.try_column(at).map_err(query_err)?;
    let ty = column.type_info();
    if ty.is_null() || <T as sqlx::Type<sqlx::Postgres>>::compatible(ty) {
        Ok(())
    } else {
        Err(DbErr::Type(format!(
            "column {} holds {}, not {}",
            column.name(),
            ty.name(),
            std::any::type_name::<T>()
        )))
    }
}

/// The value at `at` of a column [`check`] accepted, `None` for NULL.
fn nullable_checked<T: Both>(row: &QueryResult, at: usize) -> Result<Option<T>, DbErr> {
    if let Some(row) = row.try_as_pg_row() {
        return row
            .try_get_unchecked::<Option<T>, usize>(at)
            .map_err(query_err);
    }
    // SQLite types each value: check it.
    nullable(row, at)
}

fn null_at(at: usize) -> DbErr {
    DbErr::Type(format!("column {at} is NULL where a value is required"))
}

fn unsupported() -> DbErr {
    DbErr::Type("rows are read by position on PostgreSQL and SQLite only".to_owned())
}

macro_rules! by_position {
    ($($t:ty),* $(,)?) => {$(
        impl ColumnValue for $t {
            fn read(row: &QueryResult, at: usize) -> Result<Self, DbErr> {
                nullable::<$t>(row, at)?.ok_or_else(|| null_at(at))
            }

            fn check(row: &QueryResult, at: usize) -> Result<(), DbErr> {
                check::<$t>(row, at)
            }

            fn read_checked(row: &QueryResult, at: usize) -> Result<Self, DbErr> {
                nullable_checked::<$t>(row, at)?.ok_or_else(|| null_at(at))
            }
        }

        impl ColumnValue for Option<$t> {
            fn read(row: &QueryResult, at: usize) -> Result<Self, DbErr> {
                nullable::<$t>(row, at)
            }

            fn check(row: &QueryResult, at: usize) -> Result<(), DbErr> {
                check::<$t>(row, at)
            }

            fn read_checked(row: &QueryResult, at: usize) -> Result<Self, DbErr> {
                nullable_checked::<$t>(row, at)
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

/// The positions of the columns a statement's rows are read from, each found once by name
/// ([`find`](Self::find)) and kept in a slot (a column enum's discriminant, below 32). The
/// type of a slot's column is checked at the slot's first read; a slot is read as one type
/// (`T` or `Option<T>`).
#[derive(Debug, Default)]
pub struct Positions {
    at: [usize; 32],
    /// Slots whose column type was checked.
    checked: Cell<u32>,
}

impl Positions {
    /// Keeps in `slot` the position of the column named `prefix` + `name` in `row`'s statement.
    pub fn find(
        &mut self,
        row: &QueryResult,
        slot: usize,
        prefix: &str,
        name: &str,
    ) -> Result<(), DbErr> {
        self.at[slot] = position(row, prefix, name)?;
        Ok(())
    }

    /// The value of `slot`'s column in `row`.
    pub fn read<T: ColumnValue>(&self, row: &QueryResult, slot: usize) -> Result<T, DbErr> {
        let at = self.at[slot];
        let bit = 1_u32 << slot;
        if self.checked.get() & bit == 0 {
            T::check(row, at)?;
            self.checked.set(self.checked.get() | bit);
        }
        T::read_checked(row, at)
    }
}

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

//! Paging shared by every list: an offset window over a stable order.

use sea_orm::sea_query::{SelectStatement, Value, Values};
use sea_orm::{
    ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QuerySelect, QueryTrait, Select,
    Statement,
};

use crate::error::{AppError, AppResult};

/// Items per page when the caller does not say.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// The most items one page may hold.
pub const MAX_PAGE_SIZE: u64 = 100;

tokio::task_local! {
    /// The page-size ceiling of the document being executed, when it is one of the dialects'
    /// own documents (trusted code answering a legacy list whole); unset for client queries.
    static CEILING: u64;
}

/// Runs `work` with `ceiling` as the largest page (the REST dialects' documents, see
/// `http.dialect_list_ceiling`).
pub async fn with_ceiling<F: std::future::Future>(ceiling: u64, work: F) -> F::Output {
    CEILING.scope(ceiling.max(MAX_PAGE_SIZE), work).await
}

/// Runs `work` (synchronous: a dialect's `Prepare`) with `ceiling` as the largest page, so that
/// it can check a legacy page size against [`max_page_size`] before the document runs.
pub fn with_ceiling_sync<R>(ceiling: u64, work: impl FnOnce() -> R) -> R {
    CEILING.sync_scope(ceiling.max(MAX_PAGE_SIZE), work)
}

/// The largest page in force: [`MAX_PAGE_SIZE`] for client queries, the configured dialect
/// ceiling inside [`with_ceiling`].
pub fn max_page_size() -> u64 {
    CEILING.try_with(|c| *c).unwrap_or(MAX_PAGE_SIZE)
}

/// A window of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageRequest {
    pub offset: u64,
    pub limit: u64,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            offset: 0,
            limit: DEFAULT_PAGE_SIZE,
        }
    }
}

impl PageRequest {
    /// A checked window: `limit` between 1 and [`max_page_size`].
    pub fn new(offset: u64, limit: u64) -> AppResult<Self> {
        let max = max_page_size();
        if limit == 0 || limit > max {
            return Err(AppError::bad_field(
                "first",
                format!("page size must be between 1 and {max}"),
            ));
        }
        Ok(Self { offset, limit })
    }
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub offset: u64,
    pub has_next: bool,
    /// Total matching items, when asked for.
    pub total: Option<u64>,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched rows (the extra row only signals a next page).
    pub fn from_probe(mut rows: Vec<T>, request: PageRequest, total: Option<u64>) -> Self {
        let has_next = rows.len() as u64 > request.limit;
        rows.truncate(usize::try_from(request.limit).unwrap_or(usize::MAX));
        Self {
            items: rows,
            offset: request.offset,
            has_next,
            total,
        }
    }

    /// The window of a list already loaded in full (short lists of one parent, such as the
    /// drug orders of a record); the total is the list's length.
    pub fn slice(items: Vec<T>, request: PageRequest) -> Self {
        let total = items.len() as u64;
        let rows: Vec<T> = items
            .into_iter()
            .skip(usize::try_from(request.offset).unwrap_or(usize::MAX))
            .take(usize::try_from(request.limit.saturating_add(1)).unwrap_or(usize::MAX))
            .collect();
        Self::from_probe(rows, request, Some(total))
    }

    /// Maps the items, keeping the paging.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            offset: self.offset,
            has_next: self.has_next,
            total: self.total,
        }
    }
}

/// One window of `query`: its total when asked for (counted before `order` applies), then
/// `limit + 1` rows in `order`, the extra one only telling whether a next page exists.
pub async fn fetch<E, C>(
    db: &C,
    query: Select<E>,
    order: impl FnOnce(Select<E>) -> Select<E>,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Send + Sync,
    C: ConnectionTrait,
{
    let total = if with_total {
        Some(query.clone().count(db).await?)
    } else {
        None
    };
    let query = order(query).offset(window.offset).limit(window.limit + 1);
    let statement = build(db.get_database_backend(), &QueryTrait::into_query(query));
    let rows = E::find().from_raw_sql(statement).all(db).await?;
    Ok(Page::from_probe(rows, window, total))
}

/// Builds `query` for `backend`; on PostgreSQL, with its page bounds (`LIMIT` and `OFFSET`, of
/// the statement and of its subqueries) written into the SQL as literals rather than bound as
/// parameters.
///
/// PostgreSQL plans a prepared statement (sqlx prepares every statement and keeps it on its
/// connection) anew at every execution as long as the statement's generic plan looks costlier
/// than the plans made for its actual parameters. With its bounds as parameters, a page's
/// generic plan is costed for a tenth of the table's rows, so it always looks costlier: a page
/// of posts joined with its floors and their authors was planned again for every request, and
/// planning it (about 0.9 ms) cost more than running it. With literal bounds, a statement's
/// first plans and its generic plan agree and the generic one is kept. Each distinct page size
/// and offset is then its own prepared statement.
pub fn build(backend: DbBackend, query: &SelectStatement) -> Statement {
    let statement = sea_orm::StatementBuilder::build(query, &backend);
    if backend != DbBackend::Postgres {
        return statement;
    }
    match statement.values {
        Some(values) => {
            let (sql, values) = literal_bounds(&statement.sql, values.0);
            Statement {
                sql,
                values: (!values.is_empty()).then_some(Values(values)),
                db_backend: backend,
            }
        }
        None => statement,
    }
}

/// `sql` (PostgreSQL, placeholders `$1`, `$2`, … in order) with each placeholder that follows
/// ` LIMIT ` or ` OFFSET ` (as sea-query writes them) and holds a whole number replaced by
/// that number, and the other placeholders renumbered; with the values that remain.
fn literal_bounds(sql: &str, values: Vec<Value>) -> (String, Vec<Value>) {
    use std::fmt::Write;
    let mut out = String::with_capacity(sql.len());
    let mut kept = Vec::with_capacity(values.len());
    let mut values = values.into_iter();
    let mut next = 1_usize;
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 1..];
        let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
        if tail[..digits].parse::<usize>().ok() != Some(next) {
            // Not the next placeholder: leave it as it is.
            out.push('$');
            rest = tail;
            continue;
        }
        next += 1;
        rest = &tail[digits..];
        let Some(value) = values.next() else {
            // More placeholders than values: the statement is not ours to change.
            out.push('$');
            out.push_str(&tail[..digits]);
            continue;
        };
        let bound = if out.ends_with(" LIMIT ") || out.ends_with(" OFFSET ") {
            whole_number(&value)
        } else {
            None
        };
        match bound {
            Some(n) => {
                let _ = write!(out, "{n}");
            }
            None => {
                kept.push(value);
                let _ = write!(out, "${}", kept.len());
            }
        }
    }
    out.push_str(rest);
    kept.extend(values);
    (out, kept)
}

/// The value as a non-negative whole number, when it is one.
fn whole_number(value: &Value) -> Option<u64> {
    match value {
        Value::BigUnsigned(Some(n)) => Some(*n),
        Value::Unsigned(Some(n)) => Some(u64::from(*n)),
        Value::BigInt(Some(n)) => u64::try_from(*n).ok(),
        Value::Int(Some(n)) => u64::try_from(*n).ok(),
        _ => None,
    }
}

/// The list filter "`column` contains `text`" (SQL `LIKE`, with `%`, `_` and `\` in `text`
/// matched literally), alike on SQLite and PostgreSQL.
pub fn contains(
    column: impl sea_orm::sea_query::IntoColumnRef,
    text: &str,
) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
    let pattern = format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    Expr::col(column).like(LikeExpr::new(pattern).escape('\\'))
}

/// Per-parent pages in one statement: `inner` selects the rows of every parent with a column
/// `rn` numbering them within their parent (`ROW_NUMBER() OVER (PARTITION BY …)`) and a column
/// named `parent`; the statement keeps the rows of `window` (and one more, which only tells
/// whether a next page exists), in parent then `rn` order.
pub fn windowed(
    inner: sea_orm::sea_query::SelectStatement,
    parent: &str,
    window: PageRequest,
    backend: sea_orm::DbBackend,
) -> AppResult<sea_orm::Statement> {
    use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Query};
    let lo = i64::try_from(window.offset).map_err(AppError::internal)?;
    let hi = lo + i64::try_from(window.limit).map_err(AppError::internal)? + 1;
    let outer = Query::select()
        .column(Asterisk)
        .from_subquery(inner, Alias::new("w"))
        .and_where(Expr::col(Alias::new("rn")).gt(lo))
        .and_where(Expr::col(Alias::new("rn")).lte(hi))
        .order_by(Alias::new(parent), sea_orm::Order::Asc)
        .order_by(Alias::new("rn"), sea_orm::Order::Asc)
        .to_owned();
    Ok(sea_orm::StatementBuilder::build(&outer, &backend))
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};

    use super::*;

    #[test]
    fn page_bounds_become_literals_and_the_other_parameters_keep_their_order() {
        let mut inner = Query::select();
        inner
            .column(Alias::new("id"))
            .from(Alias::new("floors"))
            .and_where(Expr::col(Alias::new("post_id")).eq(7))
            .limit(11)
            .offset(30);
        let mut outer = Query::select();
        outer
            .column(Alias::new("id"))
            .from_subquery(inner, Alias::new("page"))
            .and_where(Expr::col(Alias::new("title")).eq("LIMIT $1"))
            .and_where(Expr::col(Alias::new("id")).is_in([1, 2]))
            .limit(21);
        let statement = build(DbBackend::Postgres, &outer);
        assert_eq!(
            statement.sql,
            r#"SELECT "id" FROM (SELECT "id" FROM "floors" WHERE "post_id" = $1 LIMIT 11 OFFSET 30) AS "page" WHERE "title" = $2 AND "id" IN ($3, $4) LIMIT 21"#
        );
        assert_eq!(
            statement.values,
            Some(Values(vec![
                Value::Int(Some(7)),
                Value::String(Some("LIMIT $1".to_owned())),
                Value::Int(Some(1)),
                Value::Int(Some(2)),
            ]))
        );
        // A statement without bounds is unchanged; SQLite's are never changed.
        let mut plain = Query::select();
        plain
            .column(Alias::new("id"))
            .from(Alias::new("posts"))
            .and_where(Expr::col(Alias::new("id")).eq(3));
        assert_eq!(
            build(DbBackend::Postgres, &plain),
            sea_orm::StatementBuilder::build(&plain, &DbBackend::Postgres)
        );
        assert_eq!(
            build(DbBackend::Sqlite, &outer),
            sea_orm::StatementBuilder::build(&outer, &DbBackend::Sqlite)
        );
        let none = Query::select()
            .column(Alias::new("id"))
            .from(Alias::new("posts"))
            .limit(5)
            .to_owned();
        let statement = build(DbBackend::Postgres, &none);
        assert_eq!(statement.sql, r#"SELECT "id" FROM "posts" LIMIT 5"#);
        assert_eq!(statement.values, None);
    }
}

//! Paging shared by every list: an offset window over a stable order.

use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QuerySelect, Select};

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
    let rows = order(query)
        .offset(window.offset)
        .limit(window.limit + 1)
        .all(db)
        .await?;
    Ok(Page::from_probe(rows, window, total))
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

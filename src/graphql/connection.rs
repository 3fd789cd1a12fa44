//! Relay connections over [`Page`]: opaque cursors, checked page sizes, `totalCount` computed
//! only when selected.

use std::borrow::Cow;

use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::parser::types::Field;
use async_graphql::registry::{MetaType, Registry};
use async_graphql::{
    Context, ContextSelectionSet, OutputType, Positioned, ServerResult, SimpleObject, Value,
};
use base64::Engine;

use crate::domain::page::{DEFAULT_PAGE_SIZE, Page, PageRequest};
use crate::error::{AppError, AppResult};

/// Position of an item in a list; opaque to clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetCursor(pub u64);

/// A cursor that is not one of ours.
#[derive(Debug)]
pub struct MalformedCursor;

impl std::fmt::Display for MalformedCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("malformed cursor")
    }
}

impl CursorType for OffsetCursor {
    type Error = MalformedCursor;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| MalformedCursor)?;
        let text = String::from_utf8(bytes).map_err(|_| MalformedCursor)?;
        text.strip_prefix("o:")
            .and_then(|n| n.parse().ok())
            .map(OffsetCursor)
            .ok_or(MalformedCursor)
    }

    fn encode_cursor(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("o:{}", self.0))
    }
}

/// Fields every connection has besides edges.
#[derive(SimpleObject, Default)]
pub struct ConnectionTotals {
    /// Number of items in the whole list (not only this page).
    pub total_count: u64,
}

/// A connection of `T` with offset cursors. The same as async-graphql's `Connection`, with a
/// description in the schema (GraphiQL shows it) naming the item type and how to page.
pub struct Conn<T: OutputType>(pub Connection<OffsetCursor, T, ConnectionTotals>);

impl<T: OutputType> OutputType for Conn<T> {
    fn type_name() -> Cow<'static, str> {
        <Connection<OffsetCursor, T, ConnectionTotals> as OutputType>::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        let qualified =
            <Connection<OffsetCursor, T, ConnectionTotals> as OutputType>::create_type_info(
                registry,
            );
        let name = Self::type_name().into_owned();
        let item = T::type_name();
        if let Some(MetaType::Object { description, .. }) = registry.types.get_mut(&name)
            && description.is_none()
        {
            *description = Some(format!(
                "A page of `{item}` items: `nodes` (or `edges` with their cursors), `pageInfo` and \
                 `totalCount` (counted only when selected). Page forward with `first` and `after` \
                 (20 items by default, at most 100); where the field also takes `last` and \
                 `before`, page backward with them."
            ));
        }
        qualified
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        OutputType::resolve(&self.0, ctx, field).await
    }
}

/// Relay paging arguments.
#[derive(Debug, Default, Clone)]
pub struct PageArgs {
    pub after: Option<String>,
    pub before: Option<String>,
    pub first: Option<i32>,
    pub last: Option<i32>,
}

impl PageArgs {
    /// Forward paging only (`first`, `after`).
    pub fn forward(first: Option<i32>, after: Option<String>) -> Self {
        Self {
            first,
            after,
            ..Self::default()
        }
    }

    /// The window the arguments describe.
    pub fn to_request(&self) -> AppResult<PageRequest> {
        let size = |n: Option<i32>, name: &str| -> AppResult<Option<u64>> {
            n.map(|n| {
                u64::try_from(n).map_err(|_| AppError::bad_field(name, "must not be negative"))
            })
            .transpose()
        };
        let first = size(self.first, "first")?;
        let last = size(self.last, "last")?;
        let after = self
            .after
            .as_deref()
            .map(OffsetCursor::decode_cursor)
            .transpose()
            .map_err(|_| AppError::bad_field("after", "malformed cursor"))?;
        let before = self
            .before
            .as_deref()
            .map(OffsetCursor::decode_cursor)
            .transpose()
            .map_err(|_| AppError::bad_field("before", "malformed cursor"))?;
        if first.is_some() && last.is_some() {
            return Err(AppError::bad_input("give either first or last, not both"));
        }
        let start = after.map_or(0, |c| c.0 + 1);
        match (last, before) {
            (Some(last), Some(before)) => {
                let end = before.0.max(start);
                let offset = end.saturating_sub(last).max(start);
                PageRequest::new(offset, (end - offset).max(1)).map(|mut p| {
                    p.limit = (end - offset).min(p.limit);
                    p
                })
            }
            (Some(_), None) => Err(AppError::bad_field("last", "last needs before")),
            (None, before) => {
                let mut limit = first.unwrap_or(DEFAULT_PAGE_SIZE);
                if let Some(before) = before {
                    limit = limit.min(before.0.saturating_sub(start));
                }
                if first.is_none() && limit == 0 {
                    limit = 1;
                }
                PageRequest::new(start, limit)
            }
        }
    }
}

/// Fetches the page the arguments describe with `fetch(window, wants_total)`. Besides the
/// forward arguments and `last` + `before`, `last` alone means the last items of the list (the
/// newest messages of a chat, the oldest posts of a feed): one more fetch learns the total
/// first.
pub async fn fetch_page<M, E, F, Fut>(
    args: PageArgs,
    wants_total: bool,
    fetch: F,
) -> Result<Page<M>, E>
where
    E: From<AppError>,
    F: Fn(PageRequest, bool) -> Fut,
    Fut: std::future::Future<Output = Result<Page<M>, E>>,
{
    if let (Some(last), None) = (args.last, &args.before) {
        if args.first.is_some() {
            return Err(AppError::bad_input("give either first or last, not both").into());
        }
        let last =
            u64::try_from(last).map_err(|_| AppError::bad_field("last", "must not be negative"))?;
        let after = args
            .after
            .as_deref()
            .map(OffsetCursor::decode_cursor)
            .transpose()
            .map_err(|_| AppError::bad_field("after", "malformed cursor"))?;
        let probe = fetch(PageRequest::new(0, 1)?, true).await?;
        let total = probe.total.unwrap_or(0);
        let start = after.map_or(0, |c| c.0 + 1);
        let offset = total.saturating_sub(last).max(start);
        let window = PageRequest::new(offset, last.max(1))?;
        let mut page = fetch(window, wants_total).await?;
        page.total = page.total.or(Some(total));
        return Ok(page);
    }
    fetch(args.to_request()?, wants_total).await
}

/// Turns a page into a connection of `map(item)`.
pub fn to_connection<M, T: OutputType>(page: Page<M>, map: impl Fn(M) -> T) -> Conn<T> {
    let mut conn = Connection::with_additional_fields(
        page.offset > 0,
        page.has_next,
        ConnectionTotals {
            total_count: page.total.unwrap_or(0),
        },
    );
    let offset = page.offset;
    conn.edges.extend(
        page.items
            .into_iter()
            .enumerate()
            .map(|(i, item)| Edge::new(OffsetCursor(offset + i as u64), map(item))),
    );
    Conn(conn)
}

/// Whether the current field's selection asks for `totalCount`.
pub fn wants_total(ctx: &Context<'_>) -> bool {
    ctx.look_ahead().field("totalCount").exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = OffsetCursor(41);
        assert_eq!(
            OffsetCursor::decode_cursor(&c.encode_cursor()).ok(),
            Some(c)
        );
        assert!(OffsetCursor::decode_cursor("!!").is_err());
        assert!(OffsetCursor::decode_cursor("eDox").is_err());
    }

    #[test]
    fn page_sizes_are_checked() {
        assert!(PageArgs::forward(Some(101), None).to_request().is_err());
        assert!(PageArgs::forward(Some(-1), None).to_request().is_err());
        let p = PageArgs::forward(None, Some(OffsetCursor(9).encode_cursor()))
            .to_request()
            .expect("valid");
        assert_eq!((p.offset, p.limit), (10, 20));
    }
}

//! Regions of China: provinces (level 1), cities (2) and counties (3) under 6-digit codes.

use std::collections::HashMap;

use entity::region;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::{Page, PageRequest};
use crate::error::{AppError, AppResult};

/// Which regions a list holds.
#[derive(Debug, Clone, Default)]
pub struct RegionFilter {
    /// Children of this code (0 = provinces).
    pub parent_id: Option<i32>,
    pub level: Option<i16>,
    /// Exact name or short name.
    pub name: Option<String>,
}

/// Regions matching `filter`, in the official order.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &RegionFilter,
    page: PageRequest,
    want_total: bool,
) -> AppResult<Page<region::Model>> {
    let mut query = region::Entity::find();
    if let Some(parent) = filter.parent_id {
        query = query.filter(region::Column::ParentId.eq(parent));
    }
    if let Some(level) = filter.level {
        if !(1..=3).contains(&level) {
            return Err(AppError::bad_field("level", "level must be 1, 2 or 3"));
        }
        query = query.filter(region::Column::Level.eq(level));
    }
    if let Some(name) = filter
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        query = query.filter(
            region::Column::Name
                .eq(name)
                .or(region::Column::ShortName.eq(name)),
        );
    }
    let total = if want_total {
        Some(query.clone().count(db).await?)
    } else {
        None
    };
    let rows = query
        .order_by_asc(region::Column::ParentId)
        .order_by_asc(region::Column::Sort)
        .order_by_asc(region::Column::Id)
        .offset(page.offset)
        .limit(page.limit + 1)
        .all(db)
        .await?;
    Ok(Page::from_probe(rows, page, total))
}

/// The counties (districts) of the city called `name` (full or short name). A municipality's
/// name (`北京市`) gives the districts of its city-level divisions.
pub async fn districts_of_city<C: ConnectionTrait>(
    db: &C,
    name: &str,
    page: PageRequest,
    want_total: bool,
) -> AppResult<Page<region::Model>> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::bad_field("name", "a city name is required"));
    }
    let named = region::Entity::find()
        .filter(region::Column::Level.lte(2))
        .filter(
            region::Column::Name
                .eq(name)
                .or(region::Column::ShortName.eq(name)),
        )
        .order_by_desc(region::Column::Level)
        .all(db)
        .await?;
    let city_ids: Vec<i32> = if let Some(city) = named.iter().find(|r| r.level == 2) {
        vec![city.id]
    } else if let Some(province) = named.first() {
        region::Entity::find()
            .filter(region::Column::ParentId.eq(province.id))
            .all(db)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect()
    } else {
        return Err(AppError::NotFound(format!("no city named {name}")));
    };
    let query = region::Entity::find().filter(region::Column::ParentId.is_in(city_ids));
    let total = if want_total {
        Some(query.clone().count(db).await?)
    } else {
        None
    };
    let rows = query
        .order_by_asc(region::Column::ParentId)
        .order_by_asc(region::Column::Sort)
        .offset(page.offset)
        .limit(page.limit + 1)
        .all(db)
        .await?;
    Ok(Page::from_probe(rows, page, total))
}

/// Regions by code, for the loaders.
pub async fn by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i32],
) -> AppResult<HashMap<i32, region::Model>> {
    Ok(region::Entity::find()
        .filter(region::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect())
}

#[derive(Debug, FromQueryResult)]
struct ParentCount {
    parent_id: i32,
    n: i64,
}

/// Number of children of each parent, for the loaders.
pub async fn child_counts<C: ConnectionTrait>(
    db: &C,
    parents: &[i32],
) -> AppResult<HashMap<i32, u64>> {
    let rows = region::Entity::find()
        .select_only()
        .column(region::Column::ParentId)
        .column_as(region::Column::Id.count(), "n")
        .filter(region::Column::ParentId.is_in(parents.iter().copied()))
        .group_by(region::Column::ParentId)
        .into_model::<ParentCount>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.parent_id, u64::try_from(r.n).unwrap_or(0)))
        .collect())
}

/// One page of children for each of `parents` in one statement (a window function numbers the
/// rows of each parent), for the loaders.
pub async fn children_pages<C: ConnectionTrait>(
    db: &C,
    parents: &[i32],
    page: PageRequest,
) -> AppResult<HashMap<i32, Page<region::Model>>> {
    let mut inner = SelectStatement::new();
    inner
        .columns([
            region::Column::Id,
            region::Column::ParentId,
            region::Column::Level,
            region::Column::Name,
            region::Column::ShortName,
            region::Column::Pinyin,
            region::Column::Sort,
        ])
        .expr_as(
            Expr::cust("ROW_NUMBER() OVER (PARTITION BY parent_id ORDER BY sort, id)"),
            Alias::new("rn"),
        )
        .from(region::Entity)
        .and_where(region::Column::ParentId.is_in(parents.iter().copied()));
    let stmt = super::page::windowed(inner, "parent_id", page, db.get_database_backend())?;
    let rows = region::Model::find_by_statement(stmt).all(db).await?;
    let mut grouped: HashMap<i32, Vec<region::Model>> = HashMap::new();
    for row in rows {
        grouped.entry(row.parent_id).or_default().push(row);
    }
    Ok(parents
        .iter()
        .map(|p| {
            let rows = grouped.remove(p).unwrap_or_default();
            (*p, Page::from_probe(rows, page, None))
        })
        .collect())
}

use async_graphql::{Context, Enum, ID, Object};
use entity::region;

use super::loaders;
use crate::domain::page::DEFAULT_PAGE_SIZE;
use crate::graphql::connection::{Conn, PageArgs, to_connection, wants_total};
use crate::graphql::loaders::load_err;
use crate::graphql::node::global_id;

/// Administrative level of a region.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RegionLevel {
    /// Province, autonomous region or municipality (省级).
    Province,
    /// Prefecture-level city (地级).
    City,
    /// County or district (县级).
    County,
}

impl RegionLevel {
    /// The stored level number.
    pub fn number(self) -> i16 {
        match self {
            RegionLevel::Province => 1,
            RegionLevel::City => 2,
            RegionLevel::County => 3,
        }
    }
}

/// An administrative division of China (行政区划) with its 6-digit code.
#[derive(Clone, Debug)]
pub struct Region(pub region::Model);

/// An administrative division of China (行政区划) with its 6-digit code.
#[Object]
impl Region {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("Region", self.0.id)
    }

    /// The 6-digit division code, e.g. 110105 for Chaoyang district, Beijing.
    async fn code(&self) -> i32 {
        self.0.id
    }

    /// Full name, e.g. `北京市`.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Name without its administrative suffix, e.g. `北京`.
    async fn short_name(&self) -> &str {
        &self.0.short_name
    }

    /// Toneless pinyin of the full name.
    async fn pinyin(&self) -> &str {
        &self.0.pinyin
    }

    /// Province, city or county.
    async fn level(&self) -> RegionLevel {
        match self.0.level {
            1 => RegionLevel::Province,
            2 => RegionLevel::City,
            _ => RegionLevel::County,
        }
    }

    /// Position in the official order among its siblings.
    async fn sort(&self) -> i32 {
        self.0.sort
    }

    /// Code of the enclosing region; 0 for provinces.
    async fn parent_code(&self) -> i32 {
        self.0.parent_id
    }

    /// The enclosing region; null for provinces.
    async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Region>> {
        if self.0.parent_id == 0 {
            return Ok(None);
        }
        Ok(loaders(ctx)?
            .region
            .load_one(self.0.parent_id)
            .await
            .map_err(load_err)?
            .map(Region))
    }

    /// The regions directly inside this one, in the official order.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn children(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Region>> {
        let window = PageArgs::forward(first, after).to_request()?;
        let loaders = loaders(ctx)?;
        let mut page = loaders
            .region_children
            .load_one((self.0.id, window))
            .await
            .map_err(load_err)?
            .unwrap_or_else(|| crate::domain::Page::from_probe(Vec::new(), window, None));
        if wants_total(ctx) {
            page.total = Some(
                loaders
                    .region_child_count
                    .load_one(self.0.id)
                    .await
                    .map_err(load_err)?
                    .unwrap_or(0),
            );
        }
        Ok(to_connection(page, Region))
    }
}

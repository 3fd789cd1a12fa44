//! Request-scoped DataLoaders, one per relation direction: whatever the page sizes, a deep query
//! costs one statement per relation level.

use std::collections::{HashMap, HashSet};

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{region, user};
use sea_orm::DatabaseConnection;

use crate::domain::{Page, PageRequest, accounts, regions};
use crate::error::AppError;

/// Every loader of one request.
pub struct Loaders {
    pub region: DataLoader<RegionLoader>,
    pub region_children: DataLoader<RegionChildrenLoader>,
    pub region_child_count: DataLoader<RegionChildCountLoader>,
    pub user: DataLoader<UserLoader>,
}

impl Loaders {
    /// Fresh loaders (and caches) for one request.
    pub fn new(db: &DatabaseConnection) -> Self {
        Self {
            region: DataLoader::new(RegionLoader(db.clone()), tokio::spawn),
            region_children: DataLoader::new(RegionChildrenLoader(db.clone()), tokio::spawn),
            region_child_count: DataLoader::new(RegionChildCountLoader(db.clone()), tokio::spawn),
            user: DataLoader::new(UserLoader(db.clone()), tokio::spawn),
        }
    }
}

/// Errors cross the loader boundary as `Arc` so each waiting resolver gets a copy.
pub type LoadError = std::sync::Arc<AppError>;

/// Region by code.
pub struct RegionLoader(DatabaseConnection);

impl Loader<i32> for RegionLoader {
    type Value = region::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        regions::by_ids(&self.0, keys).await.map_err(LoadError::new)
    }
}

/// A page of a region's children.
pub struct RegionChildrenLoader(DatabaseConnection);

impl Loader<(i32, PageRequest)> for RegionChildrenLoader {
    type Value = Page<region::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[(i32, PageRequest)],
    ) -> Result<HashMap<(i32, PageRequest), Self::Value>, Self::Error> {
        let windows: HashSet<PageRequest> = keys.iter().map(|(_, p)| *p).collect();
        let mut out = HashMap::with_capacity(keys.len());
        for window in windows {
            let parents: Vec<i32> = keys
                .iter()
                .filter(|(_, p)| *p == window)
                .map(|(id, _)| *id)
                .collect();
            let pages = regions::children_pages(&self.0, &parents, window)
                .await
                .map_err(LoadError::new)?;
            out.extend(pages.into_iter().map(|(id, page)| ((id, window), page)));
        }
        Ok(out)
    }
}

/// Number of a region's children.
pub struct RegionChildCountLoader(DatabaseConnection);

impl Loader<i32> for RegionChildCountLoader {
    type Value = u64;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let mut counts = regions::child_counts(&self.0, keys)
            .await
            .map_err(LoadError::new)?;
        for key in keys {
            counts.entry(*key).or_insert(0);
        }
        Ok(counts)
    }
}

/// Account by id.
pub struct UserLoader(DatabaseConnection);

impl Loader<i64> for UserLoader {
    type Value = user::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        accounts::by_ids(&self.0, keys)
            .await
            .map_err(LoadError::new)
    }
}

/// Converts a loader error for a resolver.
pub fn load_err(err: LoadError) -> async_graphql::Error {
    AppError::from_code(err.code(), err.public_message()).into()
}

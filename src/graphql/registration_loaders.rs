//! DataLoaders of registrations (诊断): by id, casebooks by id, a page of each clinic's
//! registrations, the viewer's booked registration per clinic and, for an assistant viewer,
//! how many patients they registered per clinic. Each batches one level into one statement
//! (pages: two, the rows and the totals).

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{casebook, registration};
use sea_orm::DatabaseConnection;

use super::loaders::LoadError;
use crate::auth::Viewer;
use crate::domain::page::{Page, PageRequest};
use crate::domain::registrations::{self, ClinicRegistrations};

/// The registration loaders of one request.
pub struct RegistrationLoaders {
    pub registration: DataLoader<RegistrationLoader>,
    pub casebook: DataLoader<CasebookLoader>,
    pub clinic_pages: DataLoader<ClinicRegistrationPagesLoader>,
    pub viewer_booked: DataLoader<ViewerBookedLoader>,
    pub assistant_counts: DataLoader<AssistantCountsLoader>,
    pub cared_for: DataLoader<CaredForLoader>,
    pub home_visits: DataLoader<HomeVisitLoader>,
}

impl RegistrationLoaders {
    /// Fresh loaders for one request by `viewer` (a user id).
    pub fn new(db: &DatabaseConnection, viewer: Option<&Viewer>) -> Self {
        let carer = viewer.cloned();
        let viewer = viewer.map(|v| v.user_id);
        Self {
            registration: DataLoader::new(RegistrationLoader(db.clone()), tokio::spawn),
            casebook: DataLoader::new(CasebookLoader(db.clone()), tokio::spawn),
            clinic_pages: DataLoader::new(ClinicRegistrationPagesLoader(db.clone()), tokio::spawn),
            viewer_booked: DataLoader::new(
                ViewerBookedLoader {
                    db: db.clone(),
                    viewer,
                },
                tokio::spawn,
            ),
            assistant_counts: DataLoader::new(
                AssistantCountsLoader {
                    db: db.clone(),
                    viewer,
                },
                tokio::spawn,
            ),
            cared_for: DataLoader::new(
                CaredForLoader {
                    db: db.clone(),
                    carer: carer.clone(),
                },
                tokio::spawn,
            ),
            home_visits: DataLoader::new(
                HomeVisitLoader {
                    db: db.clone(),
                    physician: carer,
                },
                tokio::spawn,
            ),
        }
    }
}

/// Registration by id.
pub struct RegistrationLoader(DatabaseConnection);

impl Loader<i64> for RegistrationLoader {
    type Value = registration::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        registrations::by_ids(&self.0, keys)
            .await
            .map_err(LoadError::new)
    }
}

/// Casebook by id.
pub struct CasebookLoader(DatabaseConnection);

impl Loader<i64> for CasebookLoader {
    type Value = casebook::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        registrations::casebooks_by_ids(&self.0, keys)
            .await
            .map_err(LoadError::new)
    }
}

/// A page of a clinic's registrations.
pub struct ClinicRegistrationPagesLoader(DatabaseConnection);

type PageKey = (i64, ClinicRegistrations, PageRequest);

impl Loader<PageKey> for ClinicRegistrationPagesLoader {
    type Value = Page<registration::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[PageKey]) -> Result<HashMap<PageKey, Self::Value>, Self::Error> {
        let mut groups: Vec<(ClinicRegistrations, PageRequest)> =
            keys.iter().map(|(_, which, w)| (*which, *w)).collect();
        groups.sort_by_key(|(which, w)| (*which == ClinicRegistrations::All, w.offset, w.limit));
        groups.dedup();
        let mut out = HashMap::with_capacity(keys.len());
        for (which, window) in groups {
            let ids: Vec<i64> = keys
                .iter()
                .filter(|(_, k, w)| *k == which && *w == window)
                .map(|(id, _, _)| *id)
                .collect();
            let pages = registrations::pages_by_clinic(&self.0, &ids, which, window)
                .await
                .map_err(LoadError::new)?;
            out.extend(
                pages
                    .into_iter()
                    .map(|(id, page)| ((id, which, window), page)),
            );
        }
        Ok(out)
    }
}

/// The viewer's booked registration of a clinic (nothing for an anonymous viewer).
pub struct ViewerBookedLoader {
    db: DatabaseConnection,
    viewer: Option<i64>,
}

impl Loader<i64> for ViewerBookedLoader {
    type Value = registration::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let Some(viewer) = self.viewer else {
            return Ok(HashMap::new());
        };
        registrations::booked_of_patient(&self.db, viewer, keys)
            .await
            .map_err(LoadError::new)
    }
}

/// How many booked registrations the viewer made, as an assistant, for a clinic.
pub struct AssistantCountsLoader {
    db: DatabaseConnection,
    viewer: Option<i64>,
}

impl Loader<i64> for AssistantCountsLoader {
    type Value = i64;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let Some(viewer) = self.viewer else {
            return Ok(HashMap::new());
        };
        registrations::assistant_counts(&self.db, viewer, keys)
            .await
            .map_err(LoadError::new)
    }
}

/// Whether the viewer takes care of a user (their clinic's doctor or their assistant).
pub struct CaredForLoader {
    db: DatabaseConnection,
    carer: Option<Viewer>,
}

impl Loader<i64> for CaredForLoader {
    type Value = bool;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let Some(carer) = &self.carer else {
            return Ok(HashMap::new());
        };
        let cared = registrations::cared_for(&self.db, carer, keys)
            .await
            .map_err(LoadError::new)?;
        Ok(keys.iter().map(|k| (*k, cared.contains(k))).collect())
    }
}

/// Whether the viewer is the physician of a user's open home visit (在家就医), who sees the
/// user's home address (see [`crate::domain::care::home_visit_patients`]).
pub struct HomeVisitLoader {
    db: DatabaseConnection,
    physician: Option<Viewer>,
}

impl Loader<i64> for HomeVisitLoader {
    type Value = bool;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let Some(physician) = &self.physician else {
            return Ok(HashMap::new());
        };
        let visited = crate::domain::care::home_visit_patients(&self.db, physician, keys)
            .await
            .map_err(LoadError::new)?;
        Ok(keys.iter().map(|k| (*k, visited.contains(k))).collect())
    }
}

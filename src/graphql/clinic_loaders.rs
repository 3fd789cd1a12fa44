//! DataLoaders of the free-clinic service: hospitals, organizations, special projects and their
//! figures, clinics, the slots of a clinic and the organizations of a doctor. Each batches one
//! relation level of a query into one statement (two for a doctor's organizations).

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{free_clinic, free_clinic_slot, hospital, organization, special_project};
use sea_orm::DatabaseConnection;

use super::loaders::LoadError;
use crate::domain::clinic_catalogue;
use crate::domain::free_clinics::{self, ProjectStats};

/// The free-clinic loaders of one request.
pub struct ClinicLoaders {
    pub hospital: DataLoader<HospitalLoader>,
    pub organization: DataLoader<OrganizationLoader>,
    pub special_project: DataLoader<SpecialProjectLoader>,
    pub project_stats: DataLoader<ProjectStatsLoader>,
    pub clinic: DataLoader<FreeClinicLoader>,
    pub slots: DataLoader<SlotsLoader>,
    pub doctor_organizations: DataLoader<DoctorOrganizationsLoader>,
}

impl ClinicLoaders {
    /// Fresh loaders for one request.
    pub fn new(db: &DatabaseConnection) -> Self {
        Self {
            hospital: DataLoader::new(HospitalLoader(db.clone()), tokio::spawn),
            organization: DataLoader::new(OrganizationLoader(db.clone()), tokio::spawn),
            special_project: DataLoader::new(SpecialProjectLoader(db.clone()), tokio::spawn),
            project_stats: DataLoader::new(ProjectStatsLoader(db.clone()), tokio::spawn),
            clinic: DataLoader::new(FreeClinicLoader(db.clone()), tokio::spawn),
            slots: DataLoader::new(SlotsLoader(db.clone()), tokio::spawn),
            doctor_organizations: DataLoader::new(
                DoctorOrganizationsLoader(db.clone()),
                tokio::spawn,
            ),
        }
    }
}

macro_rules! by_id_loader {
    ($loader:ident, $value:ty, $query:path, $doc:literal) => {
        #[doc = $doc]
        pub struct $loader(DatabaseConnection);

        impl Loader<i64> for $loader {
            type Value = $value;
            type Error = LoadError;

            async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
                $query(&self.0, keys).await.map_err(LoadError::new)
            }
        }
    };
}

by_id_loader!(
    HospitalLoader,
    hospital::Model,
    clinic_catalogue::hospitals_by_ids,
    "Hospital by id."
);
by_id_loader!(
    OrganizationLoader,
    organization::Model,
    clinic_catalogue::organizations_by_ids,
    "Organization by id."
);
by_id_loader!(
    SpecialProjectLoader,
    special_project::Model,
    clinic_catalogue::special_projects_by_ids,
    "Special project by id."
);
by_id_loader!(
    ProjectStatsLoader,
    ProjectStats,
    free_clinics::project_stats,
    "Figures of a special project's clinics."
);
by_id_loader!(
    FreeClinicLoader,
    free_clinic::Model,
    free_clinics::by_ids,
    "Free clinic by id."
);
by_id_loader!(
    SlotsLoader,
    Vec<free_clinic_slot::Model>,
    free_clinics::slots_by_clinics,
    "The time slots of a clinic, in order."
);
by_id_loader!(
    DoctorOrganizationsLoader,
    Vec<organization::Model>,
    clinic_catalogue::organizations_of_doctors,
    "The organizations a doctor is an approved member of."
);

//! Schema migrations of medgraph. Migrations are the only way tables are made, in tests too.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_regions;
mod m20261122_000002_create_users;
mod m20261122_000003_create_stored_files;
mod m20261123_000001_identity;
mod m20261123_000002_care;
mod m20261123_000003_consultations;
mod m20261123_000004_rosters;
mod m20261123_000005_interviews;
mod m20261123_000006_consultation_indexes;
mod m20261124_000001_community;
mod m20261124_000002_addresses_verification;
mod m20261124_000003_recharge_orders;
mod m20261124_000004_community_reviews;
mod m20261124_000010_free_clinics;
mod m20261124_000011_volunteer_content;
mod m20261124_000012_registrations;
mod m20261124_000013_assistant_patients;
mod m20261124_000014_clinic_indexes;
mod m20261125_000001_role_verification;
mod m20261206_000020_persisted_documents;
mod m20261207_000001_consultation_tallies;
pub mod regions_data;

/// Runs medgraph's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_regions::Migration),
            Box::new(m20261122_000002_create_users::Migration),
            Box::new(m20261122_000003_create_stored_files::Migration),
            Box::new(m20261123_000001_identity::Migration),
            Box::new(m20261123_000002_care::Migration),
            Box::new(m20261123_000003_consultations::Migration),
            Box::new(m20261123_000004_rosters::Migration),
            Box::new(m20261123_000005_interviews::Migration),
            Box::new(m20261123_000006_consultation_indexes::Migration),
            Box::new(m20261124_000001_community::Migration),
            Box::new(m20261124_000002_addresses_verification::Migration),
            Box::new(m20261124_000003_recharge_orders::Migration),
            Box::new(m20261124_000004_community_reviews::Migration),
            Box::new(m20261124_000010_free_clinics::Migration),
            Box::new(m20261124_000011_volunteer_content::Migration),
            Box::new(m20261124_000012_registrations::Migration),
            Box::new(m20261124_000013_assistant_patients::Migration),
            Box::new(m20261124_000014_clinic_indexes::Migration),
            Box::new(m20261125_000001_role_verification::Migration),
            Box::new(m20261206_000020_persisted_documents::Migration),
            Box::new(m20261207_000001_consultation_tallies::Migration),
        ]
    }
}

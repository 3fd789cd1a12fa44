//! Business rules, one module per area. Every command is one transaction; GraphQL resolvers
//! and REST shims call these functions and hold no rules of their own.

pub mod accounts;
pub mod addresses;
pub mod assistants;
pub mod audit;
pub mod care;
pub mod certifications;
pub mod chat;
pub mod checkins;
pub mod clinic_bulk;
pub mod clinic_catalogue;
pub mod coins;
pub mod community_demo;
pub mod consultation_tallies;
pub mod consultations;
pub mod counseling_imports;
pub mod demo_accounts;
pub mod discovery;
pub mod file_access;
pub mod files;
pub mod follows;
pub mod free_clinics;
pub mod homepages;
pub mod idcard;
pub mod imports;
pub mod interviews;
pub mod memberships;
pub mod notifications;
pub mod page;
pub mod post_columns;
pub mod posts;
pub mod profiles;
pub mod recharge;
pub mod regions;
pub mod registrations;
pub mod reports;
pub mod role_reviews;
pub mod rosters;
pub mod sheets;
pub mod templates;
pub mod transitions;
pub mod user_columns;
pub mod verifications;
pub mod vip;
pub mod volunteer_content;

pub use page::{Page, PageRequest};

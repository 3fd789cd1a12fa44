//! Integration tests: one binary, one module per area. Every test runs on SQLite by default and
//! on PostgreSQL when `TEST_DATABASE_URL` is set.
#![allow(clippy::unwrap_used)]

mod common;

mod care_graphql;
mod care_medassist;
mod cli;
mod clinic_bulk;
mod community;
mod community_demo;
mod community_recharge;
mod community_reviews;
mod contract_counseling;
mod contract_forum;
mod contract_medassist;
mod contract_social;
mod contract_volunteer;
mod contracts;
mod counseling_consultations;
mod counseling_interviews;
mod counseling_tallies;
mod files;
mod graphql_http;
mod hardening;
mod identity_counseling;
mod identity_forum;
mod identity_graphql;
mod identity_medassist;
mod identity_social;
mod identity_volunteer;
mod llm;
mod operations;
mod performance;
mod persisted_documents;
mod regions;
mod rest;
mod roles;
mod schema;
mod sensitive_files;
mod social_addresses;
mod social_verification;
mod subscriptions;
mod volunteer_assistants;
mod volunteer_chat;
mod volunteer_clinics;
mod volunteer_registrations;

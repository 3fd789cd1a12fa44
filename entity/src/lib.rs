//! SeaORM entities of medgraph, one module per table.
//!
//! Entities carry no GraphQL derives: table columns are not the public contract. The GraphQL
//! types in the server crate wrap these models and decide what is exposed.

pub mod assistant_patient;
pub mod assistant_profile;
pub mod audit_entry;
pub mod banner;
pub mod captcha;
pub mod casebook;
pub mod chat_dialog;
pub mod chat_message;
pub mod checkin;
pub mod client_profile;
pub mod coin_entry;
pub mod consultant_comment;
pub mod consultant_profile;
pub mod consultation_order;
pub mod counseling_template;
pub mod doctor_certification;
pub mod doctor_profile;
pub mod drug_order;
pub mod duty_slot;
pub mod follow;
pub mod free_clinic;
pub mod free_clinic_held;
pub mod free_clinic_slot;
pub mod hospital;
pub mod inquiry;
pub mod interview_archive;
pub mod interview_session;
pub mod medical_record;
pub mod news;
pub mod notification;
pub mod organization;
pub mod organization_membership;
pub mod patient_profile;
pub mod post;
pub mod post_comment;
pub mod post_like;
pub mod post_report;
pub mod post_reward;
pub mod prelude;
pub mod recharge_order;
pub mod region;
pub mod registration;
pub mod session_token;
pub mod shipping_address;
pub mod special_project;
pub mod stored_file;
pub mod suspension;
pub mod user;
pub mod user_role;
pub mod user_verification;
pub mod verification_code;
pub mod vip_membership;
pub mod wallet;

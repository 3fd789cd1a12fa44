//! SeaORM entities of medgraph, one module per table.
//!
//! Entities carry no GraphQL derives: table columns are not the public contract. The GraphQL
//! types in the server crate wrap these models and decide what is exposed.

pub mod notification;
pub mod prelude;
pub mod region;
pub mod session_token;
pub mod stored_file;
pub mod user;

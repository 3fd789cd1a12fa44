//! A GraphQL document known by id: an automatic persisted query or a trusted document.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "persisted_documents")]
pub struct Model {
    /// The id clients send (SHA-256 of the text for automatic persisted queries; the manifest's
    /// key for trusted documents).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// SHA-256 (hex) of `body`.
    pub body_sha256: String,
    pub body: String,
    /// Loaded from a manifest by an operator (never evicted).
    pub trusted: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! Metadata of a content-addressed stored file; the bytes live in the object store under the
//! file's SHA-256.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stored_files")]
pub struct Model {
    /// Lower-case hex SHA-256 of the content.
    #[sea_orm(primary_key, auto_increment = false)]
    pub hash: String,
    pub size: i64,
    /// MIME type sniffed from the bytes (never the client's claim).
    pub content_type: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// File name given by the first uploader.
    pub original_name: Option<String>,
    pub uploaded_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UploadedBy",
        to = "super::user::Column::Id",
        on_delete = "SetNull"
    )]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

//! A template file consultants download (e.g. the spreadsheet layout of an import).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "counseling_templates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// File name, unique; uploading the same name replaces the file.
    #[sea_orm(unique)]
    pub name: String,
    /// SHA-256 address of the stored bytes.
    pub file_hash: String,
    pub size: i64,
    pub uploaded_by: Option<i64>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

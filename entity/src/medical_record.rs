//! A medical record (病历): the visit a physician registered for one inquiry.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "medical_records")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The inquiry it concludes (one record per inquiry).
    pub inquiry_id: i64,
    pub patient_id: i64,
    pub physician_id: i64,
    pub description: Option<String>,
    /// SHA-256 address of the stored inquiry video.
    pub video_file: String,
    /// JSON array of the SHA-256 addresses of the record images.
    pub image_files: String,
    /// Whether drugs must be bought for the patient.
    pub needs_drugs: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::inquiry::Entity",
        from = "Column::InquiryId",
        to = "super::inquiry::Column::Id",
        on_delete = "Cascade"
    )]
    Inquiry,
    #[sea_orm(has_many = "super::drug_order::Entity")]
    DrugOrder,
}

impl Related<super::inquiry::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Inquiry.def()
    }
}

impl Related<super::drug_order::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::DrugOrder.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

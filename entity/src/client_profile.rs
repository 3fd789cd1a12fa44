//! A counselling client's personal profile (个人档案), kept by their consultant.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "client_profiles")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The consultant who keeps it (the only one who may read it).
    pub consultant_id: i64,
    /// The client's account, when they booked through the platform.
    pub client_id: Option<i64>,
    pub name: String,
    /// 0 undisclosed, 1 male, 2 female.
    pub gender: i16,
    pub age: Option<i32>,
    pub education: Option<String>,
    pub occupation: Option<String>,
    pub marital_status: Option<String>,
    pub contact: Option<String>,
    pub emergency_name: Option<String>,
    pub emergency_relationship: Option<String>,
    pub emergency_phone: Option<String>,
    /// How the client came (咨询来源).
    pub referral: Option<String>,
    /// The presenting complaint (主诉问题).
    pub complaint: Option<String>,
    /// The goal of counselling (咨询目标).
    pub goal: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::ConsultantId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    Consultant,
}

impl ActiveModelBehavior for ActiveModel {}

//! The patient role of a user (患者).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "patient_profiles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    pub height_cm: Option<f64>,
    pub weight_kg: Option<f64>,
    /// 0 single, 1 married, 2 divorced, 3 widowed.
    pub marital_status: Option<i16>,
    pub drinks: Option<bool>,
    pub smokes: Option<bool>,
    /// Average credit score (诚信分) given by doctors, 0-5.
    pub credit_score: Option<f64>,
    /// Average punctuality score (守时分) given by doctors, 0-5.
    pub punctuality_score: Option<f64>,
    pub scored_count: i32,
    /// Successful free-clinic registrations.
    pub registration_count: i32,
    /// Completed visits.
    pub visit_count: i32,
    /// 0 pending review, 1 enabled, 2 disabled.
    pub verify_state: i16,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

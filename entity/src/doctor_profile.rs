//! The doctor (physician) role of a user (医生 / 医师).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "doctor_profiles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    pub hospital_id: Option<i64>,
    pub hospital_name: Option<String>,
    /// Grade of the hospital (医院等级), e.g. `三级甲等`.
    pub hospital_rank: Option<String>,
    pub department: Option<String>,
    /// Position or professional title (职称), e.g. `主任医师`.
    pub position: Option<String>,
    /// What the doctor is good at (擅长).
    pub specialties: Option<String>,
    /// JSON array of SHA-256 file addresses: proof-of-employment photos.
    pub work_proof: Option<String>,
    pub r#abstract: Option<String>,
    /// JSON array of 7 `{"morning":0|1,"afternoon":0|1}`, Monday first.
    pub work_time: Option<String>,
    /// 0 pending review, 1 verified, 2 disabled.
    pub verify_state: i16,
    pub certified_at: Option<Date>,
    pub certification_title: Option<String>,
    /// Average score from patients, 0-5.
    pub score: Option<f64>,
    pub score_count: i32,
    pub visit_count: i32,
    pub patient_count: i32,
    pub service_minutes: i32,
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

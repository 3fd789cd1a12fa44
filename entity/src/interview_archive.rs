//! An interview archive (咨询档案): a consultant's case file on one student.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "interview_archives")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub consultant_id: i64,
    /// The client profile of the student, when one is kept.
    pub client_profile_id: Option<i64>,
    pub student_name: String,
    pub grade: String,
    pub class_name: String,
    pub school: String,
    /// Number of interviews (the highest session count so far, or as recorded).
    pub interview_count: i32,
    /// Case state as the consultant labels it (访谈状态).
    pub state: String,
    /// Case type (访谈类型).
    pub kind: String,
    /// The doctor's evaluation (医生评定).
    pub evaluation: String,
    pub follow_up_plan: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::interview_session::Entity")]
    Sessions,
}

impl Related<super::interview_session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Sessions.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

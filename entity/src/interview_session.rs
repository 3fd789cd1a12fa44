//! One session (咨询记录) of an interview archive: the n-th interview with the student.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "interview_sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub archive_id: i64,
    pub consultant_id: i64,
    /// Which interview of the archive this is (1, 2, ...), unique per archive.
    pub count: i32,
    pub student_name: String,
    /// 0 undisclosed, 1 male, 2 female.
    pub gender: i16,
    /// Student registration number (学籍号).
    pub student_number: Option<String>,
    pub school: String,
    pub grade: String,
    pub class_name: String,
    pub date: Date,
    /// `HH:MM`, local time.
    pub time: String,
    pub duration_minutes: i32,
    /// Visit state (访谈状态).
    pub visit_state: String,
    /// Objective description (客观描述).
    pub description: String,
    /// The doctor's evaluation (医生评定).
    pub evaluation: String,
    pub follow_up_plan: String,
    pub next_visit_plan: String,
    /// `none`, `low`, `medium` or `high`.
    pub crisis_state: String,
    pub consultant_name: String,
    /// SHA-256 address of the signature image.
    pub signature_file: Option<String>,
    /// JSON array of the attachment images' addresses.
    pub attachment_files: String,
    /// Whether the evaluation is by a third party (他评).
    pub third_party_evaluation: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::interview_archive::Entity",
        from = "Column::ArchiveId",
        to = "super::interview_archive::Column::Id",
        on_delete = "Cascade"
    )]
    Archive,
}

impl Related<super::interview_archive::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Archive.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

//! A doctor's certification request (医师认证): the two certificate images for review.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "doctor_certifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    /// SHA-256 address of the physician qualification certificate (医师资格证).
    pub qualification_file: String,
    /// SHA-256 address of the practice certificate (执业证).
    pub practice_file: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub title: Option<String>,
    pub department: Option<String>,
    pub hospital_rank: Option<String>,
    /// Why it was rejected.
    pub reason: Option<String>,
    pub reviewer_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub reviewed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

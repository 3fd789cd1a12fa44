//! A report (举报) of a post or one of its floors.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "post_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub reporter_id: i64,
    pub post_id: i64,
    /// The reported comment, when a floor is reported.
    pub comment_id: Option<i64>,
    pub floor: Option<i32>,
    pub reason: String,
    /// 0 pending (审核中), 1 rejected (驳回), 2 approved (通过).
    pub status: i16,
    pub response: Option<String>,
    pub reviewer_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub responded_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

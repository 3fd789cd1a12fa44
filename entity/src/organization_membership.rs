//! A doctor's or consultant's application to join an organization, and the membership it becomes once approved.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organization_memberships")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    /// The member (a doctor or a consultant; the column keeps its first name).
    pub doctor_id: i64,
    /// 0 pending, 1 approved, 2 rejected.
    pub state: i16,
    /// The administrator who decided.
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The role the member joins as: `doctor` or `consultant`.
    pub member_role: String,
    /// Whether the member administers the organization (reviews its consultants, sees its
    /// rosters and crisis alerts).
    pub is_admin: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

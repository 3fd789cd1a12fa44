//! One role of a user and its review state; a user may hold several.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_roles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    /// `patient`, `doctor`, `assistant`, `consultant`, `hospital_staff` or `administrator`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub role: String,
    pub created_at: DateTimeUtc,
    /// Review state: `pending` (an applicant), `approved` (the role acts), `rejected` or
    /// `revoked`. Patients and roles granted by administrators are `approved` at once.
    pub state: String,
    /// The administrator who decided.
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    /// The reviewer's reason (rejections, revocations).
    pub note: Option<String>,
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

//! A user's verification (用户认证): personal (`user`) or organization (`org`), reviewed by
//! administrators. One per user.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_verifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub user_id: i64,
    /// `user` (personal) or `org` (organization); never changes after submission.
    pub kind: String,
    /// -1 waiting for review, 0 rejected, 1 approved.
    pub state: i16,
    /// What the verification says about the user (认证描述).
    pub description: String,
    /// Personal: the real name.
    pub real_name: Option<String>,
    /// Personal: the ID-card number (GB 11643).
    pub id_number: Option<String>,
    /// Personal: stored-file address of the ID card's front.
    pub id_front: Option<String>,
    /// Personal: stored-file address of the ID card's back.
    pub id_rear: Option<String>,
    /// Contact mobile number.
    pub phone_number: String,
    /// Organization: its name.
    pub org_name: Option<String>,
    /// Organization: its address.
    pub org_address: Option<String>,
    /// Organization: stored-file address of its certificate (business licence).
    pub org_certificate: Option<String>,
    /// Organization: the legal representative's name.
    pub person_name: Option<String>,
    /// Organization: the legal representative's ID-card number.
    pub person_number: Option<String>,
    /// Why an administrator rejected it.
    pub reject_reason: Option<String>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
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

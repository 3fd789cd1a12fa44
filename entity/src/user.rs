//! A person's one account on the platform. Role profiles and contact details hang off it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Stable public identifier (medassist identifies users by it).
    #[sea_orm(unique)]
    pub uuid: Uuid,
    #[sea_orm(unique)]
    pub username: String,
    pub display_name: String,
    /// `active`, `disabled` (by an administrator) or `deactivated` (by the owner).
    pub status: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::session_token::Entity")]
    SessionToken,
    #[sea_orm(has_many = "super::notification::Entity")]
    Notification,
}

impl Related<super::session_token::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SessionToken.def()
    }
}

impl Related<super::notification::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Notification.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

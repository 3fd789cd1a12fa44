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
    /// Legal name (真实姓名); sensitive.
    pub real_name: Option<String>,
    /// Mainland mobile number, unique; sensitive.
    pub phone: Option<String>,
    /// Lower-case e-mail address, unique; sensitive.
    pub email: Option<String>,
    /// 0 undisclosed, 1 male, 2 female.
    pub gender: i16,
    /// Sensitive.
    pub birthday: Option<Date>,
    pub bio: Option<String>,
    /// SHA-256 address of the avatar image in the file store.
    pub avatar: Option<String>,
    /// SHA-256 address of the profile background image.
    pub background: Option<String>,
    pub province_code: Option<i32>,
    pub city_code: Option<i32>,
    pub county_code: Option<i32>,
    /// Street address; sensitive.
    pub address: Option<String>,
    /// Free-text location shown on the profile (social `location`).
    pub location: Option<String>,
    /// Resident ID-card number (GB 11643), validated; sensitive.
    pub id_card_number: Option<String>,
    #[sea_orm(unique)]
    pub invite_code: Option<String>,
    /// argon2id PHC string; never leaves the server.
    pub password_hash: Option<String>,
    pub last_active_at: Option<DateTimeUtc>,
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
    #[sea_orm(has_many = "super::user_role::Entity")]
    UserRole,
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

impl Related<super::user_role::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::UserRole.def()
    }
}

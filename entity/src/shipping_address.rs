//! A user's shipping address (收货地址, social dialect).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shipping_addresses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    /// What the user calls it (家里, 公司).
    pub alias: Option<String>,
    /// The recipient's name.
    pub name: String,
    /// The recipient's mainland mobile number.
    pub phone: String,
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub detail: String,
    /// Six digits.
    pub postcode: Option<String>,
    /// At most one per user (a partial unique index).
    pub is_default: bool,
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

//! A recharge order (充值订单): coins bought through a payment provider.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recharge_orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The merchant order number the provider sees (`out_trade_no`), unique.
    #[sea_orm(unique)]
    pub serial: String,
    pub user_id: i64,
    /// Coins credited once paid.
    pub coins: i64,
    /// Price in cents (fen).
    pub amount_cents: i64,
    /// `sandbox` or `alipay`.
    pub provider: String,
    /// `pending`, `paid` or `closed`.
    pub status: String,
    /// The provider's trade number, once paid.
    pub provider_trade_no: Option<String>,
    pub created_at: DateTimeUtc,
    pub paid_at: Option<DateTimeUtc>,
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

//! One change of a user's coins (杏仁币 / currency): the ledger.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coin_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    /// Never 0.
    pub amount: i64,
    /// The balance right after this entry.
    pub balance_after: i64,
    pub reason: String,
    /// What the change concerns (`post`, `recharge_order`, `checkin`, ...).
    pub related_type: Option<String>,
    pub related_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

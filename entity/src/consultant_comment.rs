//! A client's comment and rating on a consultant, for one finished consultation.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consultant_comments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The finished order it is about (one comment per order).
    #[sea_orm(unique)]
    pub order_id: i64,
    pub consultant_id: i64,
    pub client_id: i64,
    /// 1 to 5.
    pub rating: i16,
    pub content: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

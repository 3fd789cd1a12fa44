//! How many counted orders of a consultant one contact has in one gender or age band: what
//! the distinct-client tallies move on (0 to 1, 1 to 0). Written only by
//! `medgraph::domain::consultation_tallies`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consultation_client_tallies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub consultant_id: i64,
    /// `gender` or `age`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub dimension: String,
    /// The gender code or the age band's label.
    #[sea_orm(primary_key, auto_increment = false)]
    pub bucket: String,
    /// The client's phone number or WeChat id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub contact: String,
    pub n: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

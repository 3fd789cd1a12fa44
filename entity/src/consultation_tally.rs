//! One tally of a consultant's dashboard: counted orders per kind, month or starting hour, or
//! distinct clients per gender or age band. Written only by
//! `medgraph::domain::consultation_tallies`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consultation_tallies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub consultant_id: i64,
    /// `kind`, `month`, `hour`, `gender` or `age`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub dimension: String,
    /// The value counted: `online`, `2026-03`, `09`, `1`, `18-25`…
    #[sea_orm(primary_key, auto_increment = false)]
    pub bucket: String,
    pub n: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

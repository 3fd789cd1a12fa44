//! A consultation order (咨询订单): a client's booked or walk-in counselling session with a
//! consultant.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consultation_orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Public order number, e.g. `C202611230001A3`.
    #[sea_orm(unique)]
    pub order_no: String,
    pub consultant_id: i64,
    /// The client's account, when they booked through the platform.
    pub client_id: Option<i64>,
    /// The client's personal profile kept by the consultant.
    pub client_profile_id: Option<i64>,
    pub client_name: String,
    pub client_age: Option<i32>,
    /// 0 undisclosed, 1 male, 2 female.
    pub client_gender: i16,
    /// Phone number or WeChat id.
    pub contact: String,
    /// `online` or `offline`.
    pub kind: String,
    /// Day of the consultation, in the consultant's time zone.
    pub date: Date,
    /// `HH:MM-HH:MM`.
    pub time_slot: String,
    /// JSON array of keywords.
    pub keywords: String,
    pub amount_cents: i64,
    /// `pending_acceptance`, `waiting`, `in_consultation`, `finished`, `rejected`.
    pub state: String,
    pub reject_reason: Option<String>,
    pub accepted_at: Option<DateTimeUtc>,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    /// When it was committed (booked or recorded).
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::ConsultantId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    Consultant,
}

impl ActiveModelBehavior for ActiveModel {}

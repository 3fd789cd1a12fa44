//! A one-time verification code sent by SMS or e-mail, stored as its SHA-256 only.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "verification_codes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `sms` or `email`.
    pub channel: String,
    /// Normalised phone number or lower-case e-mail address.
    pub destination: String,
    /// What the code may be used for (`register`, `login`, `reset`, ...).
    pub purpose: String,
    pub code_hash: String,
    /// Wrong guesses so far.
    pub attempts: i32,
    pub expires_at: DateTimeUtc,
    pub consumed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! One chat message (留言) of a dialog.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "chat_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub dialog_id: i64,
    pub sender_id: i64,
    pub recipient_id: i64,
    /// The sender's side: 1 patient, 2 doctor.
    pub sender_side: i16,
    /// At most 256 characters.
    pub content: String,
    /// JSON array of at most 3 stored-file addresses.
    pub photos: String,
    pub read_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::chat_dialog::Entity",
        from = "Column::DialogId",
        to = "super::chat_dialog::Column::Id",
        on_delete = "Cascade"
    )]
    Dialog,
}

impl Related<super::chat_dialog::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Dialog.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

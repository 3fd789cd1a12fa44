//! Demo data: a few accounts with a welcome notification each, so a newcomer can explore the API
//! at once. Loaded by `medgraph seed --demo` or `serve --demo` when the database has no users.

use entity::user;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait, TransactionTrait};

use crate::domain::{accounts, notifications};
use crate::error::AppResult;

/// Demo accounts: (username, display name).
pub const DEMO_USERS: &[(&str, &str)] = &[
    ("demo-admin", "演示管理员"),
    ("demo-doctor", "李医生"),
    ("demo-patient", "王小明"),
    ("demo-consultant", "陈咨询师"),
];

/// Loads the demo data when the database holds no accounts; returns whether it did.
pub async fn demo_if_empty(db: &DatabaseConnection) -> AppResult<bool> {
    if user::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    let txn = db.begin().await?;
    for (username, name) in DEMO_USERS {
        let account = accounts::create_user(&txn, username, name).await?;
        notifications::create(
            &txn,
            account.id,
            "system",
            "欢迎使用 medgraph",
            "This is a demo account. Explore the API in GraphiQL at /graphql.",
        )
        .await?;
    }
    txn.commit().await?;
    Ok(true)
}

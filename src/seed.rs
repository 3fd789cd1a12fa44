//! Demo data: one account per role with a known password and a welcome notification each, so a
//! newcomer can explore the API at once. Loaded by `medgraph seed --demo` or `serve --demo`
//! when the database has no users. The accounts are listed in README.md.

use entity::user;
use sea_orm::{
    ActiveModelTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait, Set,
    TransactionTrait,
};

use crate::auth::{Role, passwords};
use crate::domain::{accounts, notifications};
use crate::error::AppResult;

/// Password of every demo account.
pub const DEMO_PASSWORD: &str = "demo-pass-2026";

/// A demo account.
pub struct DemoUser {
    pub username: &'static str,
    pub display_name: &'static str,
    pub phone: &'static str,
    pub email: &'static str,
    pub roles: &'static [Role],
}

/// The demo accounts.
pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        username: "demo-admin",
        display_name: "演示管理员",
        phone: "13800000000",
        email: "admin@demo.medgraph.test",
        roles: &[Role::Administrator],
    },
    DemoUser {
        username: "demo-doctor",
        display_name: "李医生",
        phone: "13800000001",
        email: "doctor@demo.medgraph.test",
        roles: &[Role::Doctor],
    },
    DemoUser {
        username: "demo-patient",
        display_name: "王小明",
        phone: "13800000002",
        email: "patient@demo.medgraph.test",
        roles: &[Role::Patient],
    },
    DemoUser {
        username: "demo-assistant",
        display_name: "赵医助",
        phone: "13800000003",
        email: "assistant@demo.medgraph.test",
        roles: &[Role::Assistant],
    },
    DemoUser {
        username: "demo-consultant",
        display_name: "陈咨询师",
        phone: "13800000004",
        email: "consultant@demo.medgraph.test",
        roles: &[Role::Consultant],
    },
    DemoUser {
        username: "demo-staff",
        display_name: "孙护士",
        phone: "13800000005",
        email: "staff@demo.medgraph.test",
        roles: &[Role::HospitalStaff],
    },
];

/// Loads the demo data when the database holds no accounts; returns whether it did.
pub async fn demo_if_empty(db: &DatabaseConnection) -> AppResult<bool> {
    if user::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    let hash = passwords::hash(DEMO_PASSWORD).await?;
    let txn = db.begin().await?;
    for demo in DEMO_USERS {
        let account = accounts::create_user(&txn, demo.username, demo.display_name).await?;
        let mut model = account.clone().into_active_model();
        model.phone = Set(Some(demo.phone.to_owned()));
        model.email = Set(Some(demo.email.to_owned()));
        model.password_hash = Set(Some(hash.clone()));
        model.update(&txn).await?;
        for role in demo.roles {
            accounts::grant_role(&txn, account.id, *role).await?;
        }
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

//! Demo data: one account per role with a known password and a welcome notification each, and
//! home-care records in every state (inquiries of the demo patient, records and drug orders of
//! the demo doctor), so a newcomer can explore the API at once. Loaded by `medgraph seed --demo`
//! or `serve --demo` when the database has no users. The accounts are listed in README.md.

use entity::user;
use sea_orm::{
    ActiveModelTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait, Set,
    TransactionTrait,
};

use crate::auth::{Role, Viewer, passwords};
use crate::domain::care::{self, NewInquiry, NewRecord};
use crate::domain::{accounts, files, notifications};
use crate::error::{AppError, AppResult};
use crate::events::SharedBus;
use crate::storage::{FileKind, FileStore};

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
pub async fn demo_if_empty(
    db: &DatabaseConnection,
    store: &FileStore,
    bus: &SharedBus,
) -> AppResult<bool> {
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
    care_demo(db, store, bus).await?;
    Ok(true)
}

/// A 1x1 PNG, the demo record image.
const DEMO_IMAGE: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// The header of an MP4 file, the demo inquiry video.
const DEMO_VIDEO: &[u8] = &[
    0x00, 0x00, 0x00, 0x18, b'f', b't', b'y', b'p', b'm', b'p', b'4', b'2', 0x00, 0x00, 0x00, 0x00,
    b'm', b'p', b'4', b'2', b'i', b's', b'o', b'm', 0x00, 0x00, 0x00, 0x08, b'f', b'r', b'e', b'e',
];

/// Complaints of the demo inquiries.
const COMPLAINTS: &[(&str, &str)] = &[
    ("在家就医", "经常感到头痛，血压偏高"),
    ("在家就医", "腿脚不便，需要上门测血糖"),
    ("电话问诊", "夜间咳嗽两周"),
    ("在家就医", "术后换药"),
    ("预约复诊", "高血压复查，药快吃完了"),
    ("在家就医", "失眠、食欲差"),
];

/// How many demo inquiries there are.
pub const DEMO_INQUIRIES: usize = 24;

/// Home-care demo data through the domain's own commands: inquiries of `demo-patient` in every
/// state, finished ones with records by `demo-doctor` and drug orders in every state.
async fn care_demo(db: &DatabaseConnection, store: &FileStore, bus: &SharedBus) -> AppResult<()> {
    let id_of = |name: &'static str| async move {
        accounts::find_by_username(db, name)
            .await?
            .map(|u| u.id)
            .ok_or_else(|| AppError::internal(format!("demo user {name} missing")))
    };
    let as_viewer = |user_id: i64, role: Role| Viewer {
        user_id,
        token_id: 0,
        roles: vec![role],
    };
    let admin = as_viewer(id_of("demo-admin").await?, Role::Administrator);
    let doctor = as_viewer(id_of("demo-doctor").await?, Role::Doctor);
    let patient = as_viewer(id_of("demo-patient").await?, Role::Patient);
    let staff = as_viewer(id_of("demo-staff").await?, Role::HospitalStaff);
    let upload = |bytes: &'static [u8], name: &'static str| {
        files::upload(
            db,
            store,
            bytes::Bytes::from_static(bytes),
            Some(name),
            FileKind::Any,
            Some(doctor.user_id),
        )
    };
    let video = upload(DEMO_VIDEO, "visit.mp4").await?.hash;
    let image = upload(DEMO_IMAGE, "record.png").await?.hash;
    let mut orders = 0;
    for i in 0..DEMO_INQUIRIES {
        let (kind, detail) = COMPLAINTS[i % COMPLAINTS.len()];
        let inquiry = care::create_inquiry(
            db,
            bus,
            &patient,
            NewInquiry {
                kind: kind.into(),
                detail: detail.into(),
                reserved_phone: None,
                appointment_at: None,
            },
        )
        .await?;
        let id = inquiry.id;
        // i % 8: 0-2 finished, 3 accepted, 4 assigned, 5 approved, 6 pending, 7 closed.
        let stage = i % 8;
        if stage == 6 {
            continue;
        }
        if stage == 7 {
            if i % 16 == 7 {
                care::reject_inquiry(db, bus, &admin, id, "请到社区门诊就医").await?;
            } else {
                care::cancel_inquiry(db, bus, &patient, id, Some("症状已缓解")).await?;
            }
            continue;
        }
        care::approve_inquiry(db, bus, &admin, id).await?;
        if stage == 5 {
            continue;
        }
        care::assign_physician(db, bus, &admin, id, doctor.user_id).await?;
        if stage == 4 {
            continue;
        }
        care::respond_to_inquiry(db, bus, &doctor, id, true).await?;
        if stage == 3 {
            continue;
        }
        let needs_drugs = i % 3 != 0;
        let (_, order) = care::register_record(
            db,
            bus,
            &doctor,
            NewRecord {
                inquiry_id: id,
                description: Some(format!(
                    "{detail}。查体无明显异常，建议规律作息，按时服药。"
                )),
                video: video.clone(),
                images: vec![image.clone()],
                needs_drugs,
                drug_note: needs_drugs.then(|| "硝苯地平缓释片 2盒".to_owned()),
            },
        )
        .await?;
        let Some(order) = order else { continue };
        // Drug orders in every state, by how far along they are.
        let steps = orders % 5;
        orders += 1;
        if steps >= 1 {
            care::confirm_order(db, bus, &staff, order.id).await?;
        }
        if steps >= 2 {
            care::purchase_order(db, bus, &doctor, order.id, std::slice::from_ref(&image)).await?;
        }
        if steps >= 3 {
            care::deliver_order(db, bus, &doctor, order.id, &[]).await?;
        }
        if steps >= 4 {
            care::confirm_receipt(db, bus, &patient, order.id).await?;
        }
    }
    Ok(())
}

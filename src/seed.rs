//! Demo data: one account per role with a known password and a welcome notification each, and
//! home-care records in every state (inquiries of the demo patient, records and drug orders of
//! the demo doctor), so a newcomer can explore the API at once. Loaded by `medgraph seed --demo`
//! or `serve --demo` when the database has no users. The accounts are listed in README.md.
//!
//! [`bulk_consultations`] adds many made-up consultation orders to one consultant (the load
//! benchmark's data: `medgraph seed --demo --bulk-consultations 100000`).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{consultation_order, user};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::auth::{Role, Viewer, passwords};
use crate::domain::care::{self, NewInquiry, NewRecord};
use crate::domain::consultations::{self, ConsultationKind, ConsultationState};
use crate::domain::interviews::{self, CrisisLevel};
use crate::domain::{accounts, consultation_tallies, files, notifications, rosters};
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

/// The demo applicants: one pending (unapproved) account per reviewed role, as a
/// registration leaves them, for administrators to review (`roleApplications`).
pub const DEMO_APPLICANTS: &[DemoUser] = &[
    DemoUser {
        username: "demo-doctor-applicant",
        display_name: "周医生",
        phone: "13800000011",
        email: "doctor-applicant@demo.medgraph.test",
        roles: &[Role::Doctor],
    },
    DemoUser {
        username: "demo-assistant-applicant",
        display_name: "吴医助",
        phone: "13800000013",
        email: "assistant-applicant@demo.medgraph.test",
        roles: &[Role::Assistant],
    },
    DemoUser {
        username: "demo-consultant-applicant",
        display_name: "郑咨询师",
        phone: "13800000014",
        email: "consultant-applicant@demo.medgraph.test",
        roles: &[Role::Consultant],
    },
    DemoUser {
        username: "demo-staff-applicant",
        display_name: "冯护士",
        phone: "13800000015",
        email: "staff-applicant@demo.medgraph.test",
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
    for (demo, applicant) in DEMO_USERS
        .iter()
        .map(|d| (d, false))
        .chain(DEMO_APPLICANTS.iter().map(|d| (d, true)))
    {
        let account = accounts::create_user(&txn, demo.username, demo.display_name).await?;
        let mut model = account.clone().into_active_model();
        model.phone = Set(Some(demo.phone.to_owned()));
        model.email = Set(Some(demo.email.to_owned()));
        model.password_hash = Set(Some(hash.clone()));
        model.update(&txn).await?;
        for role in demo.roles {
            if applicant {
                crate::domain::role_reviews::apply(&txn, account.id, *role).await?;
            } else {
                accounts::grant_role(&txn, account.id, *role).await?;
            }
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
    counseling_demo(db).await?;
    crate::domain::volunteer_content::demo(db, bus.as_ref()).await?;
    crate::domain::community_demo::demo(db, store).await?;
    crate::domain::assistants::seed_demo(db).await?;
    crate::domain::free_clinics::seed_demo(db, store).await?;
    crate::domain::registrations::seed_demo(db).await?;
    Ok(true)
}

/// A 1x1 PNG, the demo's public image (post photos).
pub(crate) const DEMO_IMAGE: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// [`DEMO_IMAGE`] with a trailer after its end, so that its address is its own. Files follow
/// their record (`domain::file_access`): were a record's image (a medical record's, an ID
/// card's) the same bytes as the public demo images (post photos, hospital logos), those would
/// be private too.
pub(crate) fn demo_image_variant(tag: &str) -> bytes::Bytes {
    bytes::Bytes::from([DEMO_IMAGE, tag.as_bytes()].concat())
}

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
    let upload = |bytes: bytes::Bytes, name: &'static str| {
        files::upload(
            db,
            store,
            bytes,
            Some(name),
            FileKind::Any,
            Some(doctor.user_id),
        )
    };
    let video = upload(bytes::Bytes::from_static(DEMO_VIDEO), "visit.mp4")
        .await?
        .hash;
    let image = upload(demo_image_variant("record"), "record.png")
        .await?
        .hash;
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

/// Counselling demo data of `demo-consultant`, through the domain's own commands: walk-in
/// consultations (which open their clients' profiles) in every state, two completed profiles,
/// three interview archives with sessions (one a high crisis) and a week of duty slots.
async fn counseling_demo(db: &DatabaseConnection) -> AppResult<()> {
    let consultant = accounts::find_by_username(db, "demo-consultant")
        .await?
        .ok_or_else(|| AppError::internal("demo user demo-consultant missing"))?;
    let me = Viewer {
        user_id: consultant.id,
        token_id: 0,
        roles: vec![Role::Consultant],
    };
    let today = Utc::now().date_naive();
    let clients: [(&str, i16, i32, &str, ConsultationKind, i64, &str); 6] = [
        (
            "李华",
            2,
            21,
            "13812345601",
            ConsultationKind::Offline,
            -20,
            "09:00-10:00",
        ),
        (
            "张伟",
            1,
            16,
            "13812345602",
            ConsultationKind::Online,
            -12,
            "14:00-15:00",
        ),
        (
            "王芳",
            2,
            34,
            "wx_wangfang",
            ConsultationKind::Offline,
            -5,
            "10:00-11:00",
        ),
        (
            "刘洋",
            1,
            45,
            "13812345604",
            ConsultationKind::Online,
            -1,
            "19:00-20:00",
        ),
        (
            "陈静",
            2,
            28,
            "13812345605",
            ConsultationKind::Offline,
            0,
            "15:00-16:00",
        ),
        (
            "赵磊",
            1,
            58,
            "13812345606",
            ConsultationKind::Online,
            3,
            "09:00-10:00",
        ),
    ];
    let mut orders = Vec::new();
    for (i, (name, gender, age, contact, kind, days, slot)) in clients.into_iter().enumerate() {
        let order = consultations::record_walk_in(
            db,
            &me,
            consultations::NewConsultation {
                client_name: name.into(),
                client_age: Some(age),
                client_gender: gender,
                contact: contact.into(),
                kind: Some(kind),
                date: Some(today + Duration::days(days)),
                time_slot: slot.into(),
                keywords: vec![
                    "焦虑".into(),
                    ["失眠", "学业压力", "人际关系"][i % 3].into(),
                ],
                amount_cents: 20_000,
                client_profile_id: None,
            },
        )
        .await?;
        // Past ones are over, today's is under way, later ones wait.
        if days <= 0 {
            consultations::start(db, &me, order.id).await?;
        }
        if days < 0 {
            consultations::finish(db, &me, order.id).await?;
        }
        orders.push(order);
    }
    for (order, education, occupation, emergency) in [
        (&orders[0], "本科", "学生", ("李强", "父亲", "13900000001")),
        (&orders[1], "高中", "学生", ("张丽", "母亲", "13900000002")),
    ] {
        if let Some(profile) = order.client_profile_id {
            interviews::update_profile(
                db,
                &me,
                profile,
                interviews::ClientProfileInput {
                    education: Some(education.into()),
                    occupation: Some(occupation.into()),
                    marital_status: Some("未婚".into()),
                    emergency_name: Some(emergency.0.into()),
                    emergency_relationship: Some(emergency.1.into()),
                    emergency_phone: Some(emergency.2.into()),
                    referral: Some("学校心理老师推荐".into()),
                    complaint: Some("考试前紧张、失眠".into()),
                    goal: Some("学会放松，改善睡眠".into()),
                    ..Default::default()
                },
            )
            .await?;
        }
    }
    let archives = [
        (
            "张伟",
            "杭州第一中学",
            "高一",
            "3班",
            orders[1].client_profile_id,
            3,
            CrisisLevel::Low,
        ),
        (
            "周敏",
            "杭州第二中学",
            "初二",
            "1班",
            None,
            2,
            CrisisLevel::High,
        ),
        (
            "吴昊",
            "杭州第一中学",
            "高三",
            "5班",
            None,
            1,
            CrisisLevel::None,
        ),
    ];
    let txn = db.begin().await?;
    for (name, school, grade, class_name, profile, sessions, crisis) in archives {
        let archive = interviews::insert_archive(
            &txn,
            &me,
            interviews::ArchiveInput {
                student_name: Some(name.into()),
                school: Some(school.into()),
                grade: Some(grade.into()),
                class_name: Some(class_name.into()),
                state: Some("跟进中".into()),
                kind: Some("个体咨询".into()),
                evaluation: Some("情绪波动，需持续关注".into()),
                follow_up_plan: Some("两周一次访谈".into()),
                client_profile_id: profile,
                ..Default::default()
            },
        )
        .await?;
        for n in 0..sessions {
            interviews::insert_session(
                &txn,
                &me,
                &archive,
                interviews::NewSession {
                    archive_id: archive.id,
                    gender: Some(if name == "周敏" { 2 } else { 1 }),
                    date: Some(today - Duration::days(14 * (sessions - n))),
                    time: Some("15:30".into()),
                    duration_minutes: Some(50),
                    notes: interviews::SessionNotes {
                        visit_state: Some("已完成".into()),
                        description: Some("主诉近期睡眠差，课堂注意力下降。".into()),
                        evaluation: Some("轻度焦虑".into()),
                        follow_up_plan: Some("布置放松练习".into()),
                        next_visit_plan: Some("两周后复访".into()),
                        crisis: Some(if n + 1 == sessions {
                            crisis
                        } else {
                            CrisisLevel::None
                        }),
                        consultant_name: Some("演示咨询师".into()),
                        ..Default::default()
                    },
                    ..Default::default()
                },
            )
            .await?;
        }
    }
    txn.commit().await?;
    for day in 0..7 {
        rosters::set_day(
            db,
            &me,
            today + Duration::days(day),
            &[
                "09:00-10:00".into(),
                "14:00-15:00".into(),
                "15:00-16:00".into(),
            ],
        )
        .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Bulk consultation orders (the load benchmark's data)

/// Rows per multi-row `INSERT` of [`bulk_consultations`]: 19 values each, well under SQLite's
/// (32,766) and PostgreSQL's (65,535) limits on bound parameters.
const BULK_CHUNK: u64 = 1000;
/// Days back from the consultant's today over which the orders' dates spread.
const BULK_DAYS: u64 = 730;
/// Recurring clients the orders are spread over, so the dashboard's distinct counts mean
/// something.
const BULK_CLIENTS: u64 = 20_000;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
];
const GIVEN_NAMES: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "小红", "子涵", "浩然", "一诺", "欣怡", "梓轩", "雨桐",
    "思远",
];
const KEYWORDS: &[&str] = &[
    "焦虑",
    "失眠",
    "抑郁",
    "人际关系",
    "学业压力",
    "工作压力",
    "情绪管理",
    "亲子关系",
    "婚恋",
    "自我成长",
    "强迫",
    "恐惧",
    "睡眠",
    "家庭",
    "职业规划",
];
const REJECT_REASONS: &[&str] = &[
    "时间冲突，请改约其他时段",
    "不在服务范围内",
    "建议先到医院精神科就诊",
    "该时段已约满",
];
/// Characters of order-number suffixes (as the domain's: no 0, 1, I, O).
const ORDER_NO_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// What [`bulk_consultations`] did.
#[derive(Debug, Clone, Copy)]
pub struct BulkReport {
    /// The consultant's user id (the counselling dialect's `userID`).
    pub consultant_id: i64,
    pub inserted: u64,
}

/// SplitMix64's finalizer: a well-mixed 64-bit hash of `z`.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SplitMix64: a tiny seeded generator, so a database gets the same orders every time.
pub(crate) struct SplitMix64(pub(crate) u64);

impl SplitMix64 {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// In `0..n` (`n` > 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True `percent` times in 100.
    pub(crate) fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// `items[i % len]` (`items` not empty).
pub(crate) fn nth<'a>(items: &[&'a str], i: u64) -> &'a str {
    items
        .get(usize::try_from(i % items.len() as u64).unwrap_or(0))
        .copied()
        .unwrap_or_default()
}

/// `C{yyyymmdd}{8 characters}`: the 8 characters are a bijection of `index` (below 2^40), so
/// order numbers never repeat.
fn bulk_order_no(created: DateTime<Utc>, index: u64) -> String {
    const MASK: u64 = (1 << 40) - 1;
    // Adding a constant and multiplying by an odd number are invertible modulo 2^40: distinct
    // indexes, distinct suffixes.
    let mut x = ((index + 0x35_A4E9_0C17) & MASK).wrapping_mul(0x5_DEEC_E66D) & MASK;
    let mut suffix = [b'A'; 8];
    for c in suffix.iter_mut().rev() {
        *c = ORDER_NO_ALPHABET[usize::try_from(x & 31).unwrap_or(0)];
        x >>= 5;
    }
    format!(
        "C{}{}",
        created.format("%Y%m%d"),
        String::from_utf8_lossy(&suffix)
    )
}

/// What every generated order shares.
struct BulkContext {
    consultant_id: i64,
    /// The account that "booked" the bookings (`demo-patient` when it exists).
    client_id: Option<i64>,
    /// The consultant's UTC offset, seconds.
    offset_secs: i64,
    today: NaiveDate,
    now: DateTime<Utc>,
}

impl BulkContext {
    /// `minutes` after the consultant's local midnight of `day`, in UTC.
    fn at(&self, day: NaiveDate, minutes: u64) -> DateTime<Utc> {
        let minutes = i64::try_from(minutes).unwrap_or(0);
        (day.and_time(chrono::NaiveTime::MIN) + Duration::minutes(minutes)
            - Duration::seconds(self.offset_secs))
        .and_utc()
    }
}

/// One made-up order, the `index`-th of the database.
fn bulk_order(
    rng: &mut SplitMix64,
    ctx: &BulkContext,
    index: u64,
) -> AppResult<consultation_order::ActiveModel> {
    let days_back = i64::try_from(rng.below(BULK_DAYS)).unwrap_or(0);
    let date = ctx.today - Duration::days(days_back);

    // The client, and what stays the same across their visits.
    let client = rng.below(BULK_CLIENTS);
    let traits = mix(client ^ 0x00C1_1E47);
    let client_name = format!(
        "{}{}",
        nth(SURNAMES, traits),
        nth(GIVEN_NAMES, traits >> 16)
    );
    let client_gender: i16 = match (traits >> 24) % 20 {
        0 => 0,
        1..=8 => 1,
        _ => 2,
    };
    let age_roll = (traits >> 40) % 1000;
    let client_age = match (traits >> 32) % 50 {
        0 => None,
        1 => Some(1 + age_roll % 13),
        2 => Some(70 + age_roll % 51),
        _ => Some(14 + age_roll % 56),
    }
    .and_then(|a| i32::try_from(a).ok());
    let contact = if client.is_multiple_of(8) {
        format!("wxid_{client:06}")
    } else {
        format!(
            "1{}{:09}",
            nth(&["3", "5", "7", "8", "9"], traits >> 48),
            (client * 7_919 + 10_007) % 1_000_000_000
        )
    };

    // When: 08:00 to 20:00 on the half hour, 50 or 60 minutes.
    let start = 8 * 60 + 30 * rng.below(25);
    let end = start + if rng.percent(30) { 50 } else { 60 };
    let time_slot = format!(
        "{:02}:{:02}-{:02}:{:02}",
        start / 60,
        start % 60,
        end / 60,
        end % 60
    );
    let slot_start = ctx.at(date, start);
    let slot_end = ctx.at(date, end);

    let online = rng.percent(55);
    let mut keywords: Vec<&str> = Vec::new();
    for _ in 0..rng.below(4) {
        let keyword = nth(KEYWORDS, rng.next());
        if !keywords.contains(&keyword) {
            keywords.push(keyword);
        }
    }
    let amount_cents: i64 = if online {
        [20_000, 26_800, 30_000][usize::try_from(rng.below(3)).unwrap_or(0)]
    } else {
        [30_000, 35_050, 40_000, 50_000][usize::try_from(rng.below(4)).unwrap_or(0)]
    };

    // Where it stands: past slots mostly finished, today's later slots still ahead.
    use ConsultationState::{Finished, InConsultation, PendingAcceptance, Rejected, Waiting};
    let (state, booked) = if slot_end <= ctx.now {
        match rng.below(100) {
            0..=84 => (Finished, rng.percent(40)),
            85..=93 => (Rejected, true),
            94..=96 => (Waiting, rng.percent(40)),
            _ => (PendingAcceptance, true),
        }
    } else if slot_start <= ctx.now {
        if rng.percent(70) {
            (InConsultation, rng.percent(40))
        } else {
            (Waiting, rng.percent(40))
        }
    } else if rng.percent(40) {
        (PendingAcceptance, true)
    } else {
        (Waiting, rng.percent(40))
    };

    // Committed 30 minutes to two weeks before the slot, never in the future.
    let latest = ctx.now - Duration::minutes(1);
    let lead = i64::try_from(30 + rng.below(14 * 24 * 60)).unwrap_or(30);
    let created_at = (slot_start - Duration::minutes(lead)).min(latest);
    let clamp = |t: DateTime<Utc>| t.min(ctx.now).max(created_at);
    let accepted_at = match state {
        PendingAcceptance | Rejected => None,
        // A booking is accepted some time between its booking and its slot.
        _ if booked => {
            let span = (slot_start - created_at).num_seconds().max(0);
            let share = i64::try_from(5 + rng.below(85)).unwrap_or(50);
            Some(clamp(created_at + Duration::seconds(span * share / 100)))
        }
        // A walk-in is accepted as it is recorded.
        _ => Some(created_at),
    };
    let started_at = matches!(state, InConsultation | Finished).then(|| {
        let late = i64::try_from(rng.below(10)).unwrap_or(0);
        clamp(slot_start + Duration::minutes(late))
    });
    let finished_at = match (state, started_at) {
        (Finished, Some(started)) => {
            let delta = i64::try_from(rng.below(15)).unwrap_or(0) - 5;
            Some(clamp(
                (slot_end + Duration::minutes(delta)).max(started + Duration::minutes(1)),
            ))
        }
        _ => None,
    };
    let (reject_reason, rejected_at) = if state == Rejected {
        let after = i64::try_from(5 + rng.below(600)).unwrap_or(5);
        (
            Some(nth(REJECT_REASONS, rng.next()).to_owned()),
            Some(clamp(created_at + Duration::minutes(after))),
        )
    } else {
        (None, None)
    };
    let updated_at = finished_at
        .or(started_at)
        .or(rejected_at)
        .or(accepted_at)
        .unwrap_or(created_at);

    Ok(consultation_order::ActiveModel {
        order_no: Set(bulk_order_no(created_at, index)),
        consultant_id: Set(ctx.consultant_id),
        client_id: Set(if booked { ctx.client_id } else { None }),
        client_name: Set(client_name),
        client_age: Set(client_age),
        client_gender: Set(client_gender),
        contact: Set(contact),
        kind: Set(if online { "online" } else { "offline" }.to_owned()),
        date: Set(date),
        time_slot: Set(time_slot),
        keywords: Set(serde_json::to_string(&keywords).map_err(AppError::internal)?),
        amount_cents: Set(amount_cents),
        state: Set(state.as_str().to_owned()),
        reject_reason: Set(reject_reason),
        accepted_at: Set(accepted_at),
        started_at: Set(started_at),
        finished_at: Set(finished_at),
        created_at: Set(created_at),
        updated_at: Set(updated_at),
        ..Default::default()
    })
}

/// Adds `count` made-up consultation orders to the consultant `username` (the load
/// benchmark's data), in one transaction of multi-row `INSERT`s of 1,000 rows: dates over the
/// last two years up to the consultant's today, 20,000 recurring clients (names, ages,
/// genders, phone numbers or WeChat ids), online and offline, every state (past ones mostly
/// finished, some rejected; today's later slots pending or waiting) with timestamps that agree
/// with it. Bookings name `demo-patient` as their client when it exists. The data is
/// deterministic for a given database; order numbers continue after the highest order id, so
/// running it again adds new, distinct orders. The same transaction then rebuilds the
/// consultant's dashboard tallies ([`consultation_tallies::rebuild`]). On PostgreSQL the
/// table is then vacuumed and
/// analyzed, as autovacuum would soon do after so many inserts, so the planner has statistics
/// and index-only scans work from the first request.
pub async fn bulk_consultations(
    db: &DatabaseConnection,
    username: &str,
    count: u64,
) -> AppResult<BulkReport> {
    let consultant = accounts::find_by_username(db, username)
        .await?
        .ok_or_else(|| AppError::bad_field("consultant", format!("no user named {username}")))?;
    let roles = accounts::roles_by_user_ids(db, &[consultant.id]).await?;
    if !roles
        .get(&consultant.id)
        .is_some_and(|r| r.contains(&Role::Consultant))
    {
        return Err(AppError::bad_field(
            "consultant",
            format!("{username} is not a consultant"),
        ));
    }
    let client_id = accounts::find_by_username(db, "demo-patient")
        .await?
        .map(|u| u.id);
    let offset = consultations::offset_of(db, consultant.id).await?;
    let now = Utc::now();
    let ctx = BulkContext {
        consultant_id: consultant.id,
        client_id,
        offset_secs: i64::from(offset.local_minus_utc()),
        today: now.with_timezone(&offset).date_naive(),
        now,
    };
    let base = consultation_order::Entity::find()
        .select_only()
        .column(consultation_order::Column::Id)
        .order_by_desc(consultation_order::Column::Id)
        .limit(1)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .map_or(0, |id| u64::try_from(id).unwrap_or(0));
    let mut rng = SplitMix64(0x6D65_6467_7261_7068 ^ base);
    let txn = db.begin().await?;
    let mut done = 0;
    while done < count {
        let n = (count - done).min(BULK_CHUNK);
        let rows = (done..done + n)
            .map(|i| bulk_order(&mut rng, &ctx, base + i))
            .collect::<AppResult<Vec<_>>>()?;
        consultation_order::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
        done += n;
    }
    // The dashboard's tallies, recomputed from all of the consultant's orders.
    consultation_tallies::rebuild(&txn, consultant.id).await?;
    txn.commit().await?;
    if db.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_unprepared("VACUUM (ANALYZE) consultation_orders")
            .await?;
    }
    Ok(BulkReport {
        consultant_id: consultant.id,
        inserted: count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_order_numbers_never_repeat() {
        let created = Utc::now();
        let mut seen = std::collections::HashSet::new();
        for index in 0..20_000 {
            let no = bulk_order_no(created, index);
            assert_eq!(no.len(), 17, "{no}");
            assert!(no.starts_with(&format!("C{}", created.format("%Y%m%d"))));
            assert!(seen.insert(no[9..].to_owned()), "{no} repeats");
        }
    }

    #[test]
    fn bulk_orders_agree_with_their_state() {
        let now = Utc::now();
        let ctx = BulkContext {
            consultant_id: 7,
            client_id: Some(3),
            offset_secs: 8 * 3600,
            today: (now + Duration::hours(8)).date_naive(),
            now,
        };
        let mut rng = SplitMix64(1);
        let get = |v: sea_orm::ActiveValue<Option<DateTime<Utc>>>| v.unwrap();
        for index in 0..5_000 {
            let o = bulk_order(&mut rng, &ctx, index).expect("an order");
            let state = o.state.clone().unwrap();
            let created = o.created_at.clone().unwrap();
            let updated = o.updated_at.clone().unwrap();
            let (accepted, started, finished) = (
                get(o.accepted_at.clone()),
                get(o.started_at.clone()),
                get(o.finished_at.clone()),
            );
            assert!(created <= now && created <= updated, "{index}");
            assert!(o.date.clone().unwrap() <= ctx.today);
            assert!(parse_slot_ok(&o.time_slot.clone().unwrap()));
            let age = o.client_age.clone().unwrap();
            assert!(age.is_none_or(|a| (1..=120).contains(&a)));
            assert!((0..=2).contains(&o.client_gender.clone().unwrap()));
            let keywords: Vec<String> =
                serde_json::from_str(&o.keywords.clone().unwrap()).expect("JSON keywords");
            assert!(keywords.len() <= 3);
            match ConsultationState::parse(&state).expect("a known state") {
                ConsultationState::PendingAcceptance | ConsultationState::Rejected => {
                    assert!(accepted.is_none() && started.is_none() && finished.is_none());
                    assert_eq!(o.client_id.clone().unwrap(), Some(3));
                }
                ConsultationState::Waiting => {
                    assert!(accepted.is_some() && started.is_none() && finished.is_none());
                }
                ConsultationState::InConsultation => {
                    assert!(started.is_some() && finished.is_none());
                }
                ConsultationState::Finished => {
                    let (a, s, f) = (
                        accepted.expect("accepted"),
                        started.expect("started"),
                        finished.expect("finished"),
                    );
                    assert!(created <= a && a <= s && s < f && f <= now && f == updated);
                }
            }
            assert_eq!(
                o.reject_reason.clone().unwrap().is_some(),
                state == "rejected"
            );
        }
    }

    fn parse_slot_ok(slot: &str) -> bool {
        consultations::parse_time_slot(slot).ok().as_deref() == Some(slot)
    }
}

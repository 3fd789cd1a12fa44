//! Community demo data (`serve --demo`) and the community load benchmark's bulk data
//! (`medgraph seed --demo --bulk-community N`).
//!
//! [`demo`] goes through the domain's own commands (posts, floors, likes, rewards through the
//! coin ledger, follows, reports, check-in, VIP, address, verification), so what it leaves is
//! what real use would. [`bulk`] writes made-up rows directly, in multi-row `INSERT`s, with
//! every counter (`like_count`, `comment_count`, `coin_count`, wallets, `balance_after`)
//! computed to agree with the rows it writes.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use entity::{coin_entry, follow, post, post_comment, post_like, post_reward, user, wallet};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, Set, TransactionTrait,
};

use super::addresses::{self, AddressInput};
use super::coins::{self, CoinChange, Related};
use super::posts::{self, PostInput};
use super::reports::{self, ReportTarget};
use super::verifications::{self, IdCardInput, VerificationInput};
use super::{accounts, checkins, files, follows, vip};
use crate::auth::{Role, Viewer};
use crate::error::{AppError, AppResult};
use crate::seed::{DEMO_IMAGE, SplitMix64, mix, nth};
use crate::storage::{FileKind, FileStore};

/// Coins every demo account starts with (an administrator's adjustment in the ledger).
pub const DEMO_START_COINS: i64 = 100;

/// (username, province, city): 成都 and 北京, so `nearbyUsers` has neighbours to show.
const DEMO_CITIES: &[(&str, i32, i32)] = &[
    ("demo-patient", 510000, 510100),
    ("demo-doctor", 510000, 510100),
    ("demo-consultant", 510000, 510100),
    ("demo-admin", 110000, 110100),
    ("demo-assistant", 110000, 110100),
    ("demo-staff", 110000, 110100),
];

/// The demo posts: (author, title, body, tags, with an image).
const DEMO_POSTS: &[(&str, &str, &str, &[&str], bool)] = &[
    (
        "demo-doctor",
        "高血压患者的日常饮食建议",
        "少盐（每天不超过 5 克）、多吃蔬菜水果、控制体重、戒烟限酒。按时服药，不要自行停药，\
         每周至少测三次血压并记录下来，复诊时带给医生看。",
        &["心内科", "高血压", "健康科普"],
        true,
    ),
    (
        "demo-doctor",
        "冬季流感高发，这些人建议接种疫苗",
        "60 岁以上老人、慢性病患者、孕妇和 6 月龄以上儿童是流感的高危人群，建议每年秋冬季接种\
         流感疫苗。出现高热、咳嗽请及时就医。",
        &["全科", "健康科普"],
        false,
    ),
    (
        "demo-patient",
        "术后复查记录：恢复得不错",
        "上个月做了阑尾手术，今天去复查，伤口愈合良好。感谢李医生的耐心解答！分享一下术后饮食：\
         前三天流食，之后慢慢过渡到正常饮食。",
        &["外科", "康复"],
        true,
    ),
    (
        "demo-patient",
        "请教：血压早上高晚上正常是怎么回事？",
        "最近早上起床量血压 150/95，晚上却只有 125/80，这种情况需要调整用药吗？",
        &["心内科", "求助"],
        false,
    ),
    (
        "demo-consultant",
        "考试季焦虑，试试这三个放松练习",
        "腹式呼吸、渐进式肌肉放松和正念冥想，每天练习 10 分钟，可以有效缓解考前紧张和失眠。\
         如果情绪持续低落两周以上，请寻求专业帮助。",
        &["心理健康", "睡眠"],
        false,
    ),
    (
        "demo-assistant",
        "上门服务预约流程说明",
        "在 App 中提交问诊申请，管理员审核后会为您分配医生，医生接单后会电话联系您确认上门时间。",
        &["服务指南"],
        false,
    ),
];

/// Comment floors: (post index, author, text). The floor marked in [`DELETED_FLOOR`] is
/// deleted by its author afterwards.
const DEMO_COMMENTS: &[(usize, &str, &str)] = &[
    (0, "demo-patient", "谢谢李医生，我现在每天都在记录血压。"),
    (0, "demo-assistant", "转给家里老人看看。"),
    (0, "demo-staff", "低钠盐也可以考虑。"),
    (
        0,
        "demo-doctor",
        "低钠盐可以用，但肾功能不好的患者要先咨询医生。",
    ),
    (
        2,
        "demo-doctor",
        "恢复得很好，继续注意饮食，一个月内避免剧烈运动。",
    ),
    (2, "demo-consultant", "祝早日康复！"),
    (2, "demo-patient", "（发错了）"),
    (
        3,
        "demo-doctor",
        "清晨高血压比较常见，建议连续记录一周后复诊，可能需要调整服药时间。",
    ),
    (4, "demo-patient", "腹式呼吸很有用，睡前做了几次就睡着了。"),
];

/// (post index, floor) of the floor its author deletes.
const DELETED_FLOOR: (usize, i32) = (2, 3);

/// Likes: (post index, who).
const DEMO_LIKES: &[(usize, &str)] = &[
    (0, "demo-patient"),
    (0, "demo-assistant"),
    (0, "demo-staff"),
    (0, "demo-consultant"),
    (1, "demo-patient"),
    (1, "demo-staff"),
    (2, "demo-doctor"),
    (2, "demo-consultant"),
    (3, "demo-doctor"),
    (4, "demo-patient"),
    (4, "demo-doctor"),
    (5, "demo-patient"),
];

/// Coin rewards (投币): (post index, who, coins).
const DEMO_REWARDS: &[(usize, &str, i64)] = &[
    (0, "demo-patient", 5),
    (0, "demo-consultant", 3),
    (2, "demo-doctor", 2),
    (4, "demo-patient", 1),
];

/// Follows: (follower, followee); most go both ways.
const DEMO_FOLLOWS: &[(&str, &str)] = &[
    ("demo-patient", "demo-doctor"),
    ("demo-doctor", "demo-patient"),
    ("demo-patient", "demo-consultant"),
    ("demo-consultant", "demo-patient"),
    ("demo-assistant", "demo-doctor"),
    ("demo-doctor", "demo-assistant"),
    ("demo-staff", "demo-doctor"),
    ("demo-patient", "demo-assistant"),
];

/// A valid resident ID-card number (the standard's own example) for the demo verification.
const DEMO_ID_CARD: &str = "11010519491231002X";

fn viewer(user: &user::Model, role: Role) -> Viewer {
    Viewer {
        user_id: user.id,
        token_id: 0,
        roles: vec![role],
    }
}

/// Loads the community demo data for the demo accounts (see README.md): posts with tags and
/// images, comment floors (one deleted), likes, coins (a starting credit, rewards, a
/// check-in), follows, a pending and a reviewed report, a VIP membership, a shipping address
/// and a pending verification of `demo-patient`, and home cities (成都, 北京). Does nothing
/// when the demo accounts are missing or already have posts, so it may run again.
pub async fn demo(db: &DatabaseConnection, store: &FileStore) -> AppResult<bool> {
    let mut users = Vec::new();
    for (username, _, _) in DEMO_CITIES {
        match accounts::find_by_username(db, username).await? {
            Some(u) => users.push(u),
            None => return Ok(false),
        }
    }
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    if post::Entity::find()
        .filter(post::Column::AuthorId.is_in(ids.clone()))
        .count(db)
        .await?
        > 0
    {
        return Ok(false);
    }
    let user = |name: &str| -> AppResult<&user::Model> {
        users
            .iter()
            .find(|u| u.username == name)
            .ok_or_else(|| AppError::internal(format!("demo user {name} missing")))
    };
    let admin = viewer(user("demo-admin")?, Role::Administrator);
    let patient = viewer(user("demo-patient")?, Role::Patient);

    let txn = db.begin().await?;
    for (username, province, city) in DEMO_CITIES {
        user::Entity::update_many()
            .col_expr(user::Column::ProvinceCode, Expr::value(Some(*province)))
            .col_expr(user::Column::CityCode, Expr::value(Some(*city)))
            .col_expr(user::Column::LastActiveAt, Expr::value(Some(Utc::now())))
            .filter(user::Column::Username.eq(*username))
            .exec(&txn)
            .await?;
    }
    for id in &ids {
        coins::apply(
            &txn,
            CoinChange {
                user_id: *id,
                amount: DEMO_START_COINS,
                reason: "新用户奖励".into(),
                related: Related::Adjustment,
            },
        )
        .await?;
    }
    txn.commit().await?;

    let image = files::upload(
        db,
        store,
        bytes::Bytes::from_static(DEMO_IMAGE),
        Some("photo.png"),
        FileKind::Any,
        Some(patient.user_id),
    )
    .await?
    .hash;

    let mut post_ids = Vec::new();
    for (author, title, body, tags, with_image) in DEMO_POSTS {
        let created = posts::create(
            db,
            user(author)?.id,
            PostInput {
                title: (*title).into(),
                body: (*body).into(),
                tags: tags.iter().map(|t| (*t).to_owned()).collect(),
                images: if *with_image {
                    vec![image.clone()]
                } else {
                    Vec::new()
                },
            },
        )
        .await?;
        post_ids.push(created.id);
    }
    let post_id = |i: usize| {
        post_ids
            .get(i)
            .copied()
            .ok_or_else(|| AppError::internal(format!("demo post {i} missing")))
    };

    let mut deleted = None;
    for (i, author, text) in DEMO_COMMENTS {
        let written = posts::comment(db, user(author)?.id, post_id(*i)?, text).await?;
        if (*i, written.floor) == DELETED_FLOOR {
            deleted = Some((written.id, user(author)?.clone()));
        }
    }
    if let Some((id, author)) = deleted {
        posts::delete_comment(db, &viewer(&author, Role::Patient), id).await?;
    }
    for (i, who) in DEMO_LIKES {
        posts::like(db, user(who)?.id, post_id(*i)?).await?;
    }
    for (i, who, amount) in DEMO_REWARDS {
        posts::reward(db, user(who)?.id, post_id(*i)?, *amount).await?;
    }
    for (follower, followee) in DEMO_FOLLOWS {
        follows::follow(db, user(follower)?.id, user(followee)?.id).await?;
    }

    // Reports: one waiting for review, one an administrator turned down.
    let staff = viewer(user("demo-staff")?, Role::HospitalStaff);
    reports::report(
        db,
        &staff,
        ReportTarget {
            post_id: post_id(5)?,
            floor: None,
        },
        "内容像广告，请核实",
    )
    .await?;
    let reviewed = reports::report(
        db,
        &patient,
        ReportTarget {
            post_id: post_id(0)?,
            floor: Some(2),
        },
        "与主题无关",
    )
    .await?;
    reports::review(
        db,
        &admin,
        reviewed.id,
        false,
        Some("经核实内容无违规，感谢反馈"),
    )
    .await?;

    checkins::check_in(db, patient.user_id).await?;
    vip::grant(
        db,
        &admin,
        patient.user_id,
        vip::Grant {
            level: "middle".into(),
            name: "黄金会员".into(),
            ends_at: Utc::now() + Duration::days(365),
        },
    )
    .await?;
    addresses::create(
        db,
        &patient,
        AddressInput {
            alias: Some("家".into()),
            name: Some("王小明".into()),
            phone: Some("13800000002".into()),
            province: Some("四川省".into()),
            city: Some("成都市".into()),
            county: Some("武侯区".into()),
            detail: Some("人民南路四段 12 号 3 栋 502 室".into()),
            postcode: Some("610041".into()),
            is_default: Some(true),
        },
    )
    .await?;
    // The ID card is the verification's own file (it follows the verification, not the posts).
    let id_card = files::upload(
        db,
        store,
        crate::seed::demo_image_variant("idcard"),
        Some("idcard.png"),
        FileKind::Any,
        Some(patient.user_id),
    )
    .await?
    .hash;
    verifications::submit(
        db,
        &patient,
        verifications::Kind::Personal,
        VerificationInput {
            id_card: Some(IdCardInput {
                front: Some(id_card.clone()),
                rear: Some(id_card),
                number: Some(DEMO_ID_CARD.into()),
            }),
            real_name: Some("王小明".into()),
            phone_number: Some("13800000002".into()),
            desc: Some("个人实名认证".into()),
            ..Default::default()
        },
    )
    .await?;
    Ok(true)
}

// ---------------------------------------------------------------------------------------------
// Bulk community data (the load benchmark's)

/// Rows per multi-row `INSERT` (at most 17 values a row: well under SQLite's 32,766 and
/// PostgreSQL's 65,535 bound parameters).
const BULK_ROWS: usize = 1000;
/// Posts per generation round (their floors, likes, rewards and ledger entries follow them).
const POST_ROUND: usize = 2000;
/// Posts of the first bulk user, the benchmark's `fetchUserPosts` subject.
pub const POSTER_POSTS: u64 = 20;
/// Floors of a post that has comments.
pub const FLOORS: i32 = 10;
/// Coins every bulk user starts with.
const START_COINS: i64 = 100;
/// Seconds between two posts at least (a post's floors, likes and rewards fit in between).
const MIN_POST_GAP_SECS: i64 = 60;

/// (province, city): 成都, 北京, 杭州, 上海, 广州, 深圳.
const CITIES: &[(i32, i32)] = &[
    (510000, 510100),
    (110000, 110100),
    (330000, 330100),
    (310000, 310100),
    (440000, 440100),
    (440000, 440300),
];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "子涵", "浩然", "欣怡", "梓轩", "雨桐",
];
const TAGS: &[&str] = &[
    "心内科",
    "高血压",
    "糖尿病",
    "健康科普",
    "康复",
    "心理健康",
    "睡眠",
    "儿科",
    "营养",
    "求助",
    "中医",
    "运动",
];
const TOPICS: &[&str] = &[
    "血压控制",
    "术后康复",
    "失眠",
    "饮食调理",
    "孩子发烧",
    "体检报告",
    "颈椎病",
    "控糖经验",
    "减重打卡",
    "中药调理",
];
const TITLE_FORMS: &[&str] = &["分享：", "求助：", "关于", "记录一下", "聊聊"];
const BODIES: &[&str] = &[
    "坚持了一个月，效果比想象中好，分享给大家参考。",
    "有没有遇到同样情况的朋友？想听听大家的经验。",
    "医生建议先观察两周，按时复查，大家有什么建议吗？",
    "整理了一些注意事项，希望对有需要的人有帮助。",
];
const COMMENTS: &[&str] = &[
    "谢谢分享！",
    "我也是这样，后来调整作息好多了。",
    "建议去医院查一下。",
    "收藏了。",
    "坚持就是胜利，加油！",
    "同问，蹲一个答案。",
    "医生说的对，不要自己乱吃药。",
];

/// What [`bulk`] did.
#[derive(Debug, Clone, Copy, Default)]
pub struct CommunityBulkReport {
    pub users: u64,
    pub posts: u64,
    pub comments: u64,
    pub likes: u64,
    pub rewards: u64,
    pub follows: u64,
    pub coin_entries: u64,
    /// The first bulk user, with [`POSTER_POSTS`] posts (the `fetchUserPosts` subject).
    pub poster_id: i64,
}

/// Ledger state of one bulk user while the rows are made.
#[derive(Debug, Clone, Copy, Default)]
struct Purse {
    balance: i64,
    income: i64,
    expenses: i64,
    updated: Option<DateTime<Utc>>,
}

/// What one bulk run shares.
struct Bulk {
    rng: SplitMix64,
    /// User id of bulk user 0; the others follow consecutively.
    first_id: i64,
    users: u64,
    purses: Vec<Purse>,
    entries: Vec<coin_entry::ActiveModel>,
    report: CommunityBulkReport,
}

impl Bulk {
    fn user_id(&self, index: u64) -> i64 {
        self.first_id + i64::try_from(index).unwrap_or(0)
    }

    fn random_user(&mut self) -> u64 {
        self.rng.below(self.users)
    }

    /// `count` distinct users, none of them `except`.
    fn distinct_users(&mut self, count: u64, except: u64) -> Vec<u64> {
        let count = count.min(self.users.saturating_sub(1));
        let mut picked = Vec::new();
        let mut seen = HashSet::new();
        while (picked.len() as u64) < count {
            let u = self.random_user();
            if u != except && seen.insert(u) {
                picked.push(u);
            }
        }
        picked
    }

    /// Records a ledger entry of bulk user `index` (the caller checked the balance).
    fn entry(
        &mut self,
        index: u64,
        amount: i64,
        reason: String,
        post_id: Option<i64>,
        at: DateTime<Utc>,
    ) {
        let user_id = self.user_id(index);
        let Some(purse) = usize::try_from(index)
            .ok()
            .and_then(|i| self.purses.get_mut(i))
        else {
            return;
        };
        purse.balance += amount;
        if amount > 0 {
            purse.income += amount;
        } else {
            purse.expenses -= amount;
        }
        purse.updated = Some(at);
        let balance = purse.balance;
        let (related_type, related_id) = match post_id {
            Some(id) => (Some("post".to_owned()), Some(id)),
            None => (Some("adjustment".to_owned()), None),
        };
        self.entries.push(coin_entry::ActiveModel {
            user_id: Set(user_id),
            amount: Set(amount),
            balance_after: Set(balance),
            reason: Set(reason),
            related_type: Set(related_type),
            related_id: Set(related_id),
            created_at: Set(at),
            ..Default::default()
        });
    }

    fn balance(&self, index: u64) -> i64 {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.purses.get(i))
            .map_or(0, |p| p.balance)
    }
}

/// Inserts `rows` in multi-row statements of [`BULK_ROWS`].
async fn insert_all<A, C>(db: &C, rows: Vec<A>) -> AppResult<u64>
where
    A: sea_orm::ActiveModelTrait,
    C: ConnectionTrait,
{
    let mut done = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(BULK_ROWS).collect();
        done += chunk.len() as u64;
        A::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(done)
}

/// The highest id of `table` (0 when empty).
async fn max_id<C: ConnectionTrait>(db: &C, table: &str) -> AppResult<i64> {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS m FROM {table}"),
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get::<i64>("", "m")?,
        None => 0,
    })
}

/// Adds `users` made-up community members (the load benchmark's data), in one transaction of
/// multi-row `INSERT`s:
/// - users `bulk-<id>` with Chinese names, genders, a home city (成都, 北京, 杭州, 上海, 广州,
///   深圳), a last activity within 30 days for 80 % of them, and 100 starting coins each;
/// - 0 to 10 posts each (5 on average; the first user exactly [`POSTER_POSTS`]), one every
///   minute or more over the last half year, with 1 to 3 tags;
/// - 10 comment floors on 30 % of the posts (and all of the first user's), one in 20 deleted;
/// - likes (0 to 15 on 70 % of the posts), coin rewards (1 to 5 coins from 1 to 3 users on
///   20 %) written to the ledger of both sides, and 0 to 20 follows per user.
///
/// Counters agree with the rows: `like_count`, `comment_count` (the last floor), `coin_count`,
/// each ledger entry's `balance_after`, and the wallets. Users and posts get explicit ids after
/// the highest ones, under a lock (PostgreSQL then moves the id sequences past them); the data
/// is deterministic for a given database. On PostgreSQL the tables are then vacuumed and
/// analyzed, as autovacuum soon would.
pub async fn bulk(db: &DatabaseConnection, users: u64) -> AppResult<CommunityBulkReport> {
    if users < 2 {
        return Err(AppError::bad_field(
            "bulkCommunity",
            "at least 2 users (posts are liked and rewarded by others)",
        ));
    }
    let backend = db.get_database_backend();
    let txn = db.begin().await?;
    // Hold off other writers before reading the highest ids: PostgreSQL by a lock that still
    // lets readers through, SQLite by writing first (its write lock is the database's).
    match backend {
        DatabaseBackend::Postgres => {
            txn.execute_unprepared("LOCK TABLE users, posts IN SHARE ROW EXCLUSIVE MODE")
                .await?;
        }
        _ => {
            txn.execute_unprepared("UPDATE users SET id = id WHERE id < 0")
                .await?;
        }
    }
    let first_id = max_id(&txn, "users").await? + 1;
    let first_post = max_id(&txn, "posts").await? + 1;
    let now = Utc::now();
    let seed = u64::try_from(first_id).unwrap_or(0);
    let mut run = Bulk {
        rng: SplitMix64(0x636F_6D6D_756E_6974 ^ seed),
        first_id,
        users,
        purses: vec![Purse::default(); usize::try_from(users).map_err(AppError::internal)?],
        entries: Vec::new(),
        report: CommunityBulkReport {
            poster_id: first_id,
            ..Default::default()
        },
    };

    // How many posts each user writes, then the posts in a shuffled order over time.
    let mut authors: Vec<u64> = Vec::new();
    for index in 0..users {
        let count = if index == 0 {
            POSTER_POSTS
        } else {
            run.rng.below(11)
        };
        authors.extend(std::iter::repeat_n(
            index,
            usize::try_from(count).unwrap_or(0),
        ));
    }
    for i in (1..authors.len()).rev() {
        let j = usize::try_from(run.rng.below(i as u64 + 1)).unwrap_or(0);
        authors.swap(i, j);
    }
    let total_posts = i64::try_from(authors.len()).map_err(AppError::internal)?;
    let gap = (180 * 24 * 3600 / total_posts.max(1)).max(MIN_POST_GAP_SECS);
    let posts_start = now - Duration::seconds(gap * total_posts) - Duration::hours(1);

    // Users, joined in the year before the first post, each with the starting coins.
    let mut rows = Vec::with_capacity(BULK_ROWS);
    for index in 0..users {
        let traits = mix(seed ^ index.wrapping_mul(0x9E37));
        let (province, city) = CITIES[usize::try_from(traits % CITIES.len() as u64).unwrap_or(0)];
        let joined =
            posts_start - Duration::seconds(i64::try_from(traits % (365 * 86_400)).unwrap_or(0));
        let active = (traits >> 20) % 10 < 8;
        let last_active = active.then(|| {
            now - Duration::seconds(i64::try_from((traits >> 24) % (30 * 86_400)).unwrap_or(0))
        });
        let id = run.user_id(index);
        let mut uuid_bytes = [0u8; 16];
        uuid_bytes[..8].copy_from_slice(&mix(traits ^ 1).to_le_bytes());
        uuid_bytes[8..].copy_from_slice(&mix(traits ^ 2).to_le_bytes());
        rows.push(user::ActiveModel {
            id: Set(id),
            uuid: Set(uuid::Builder::from_random_bytes(uuid_bytes).into_uuid()),
            username: Set(format!("bulk-{id}")),
            display_name: Set(format!(
                "{}{}",
                nth(SURNAMES, traits >> 8),
                nth(GIVEN, traits >> 16)
            )),
            gender: Set(if (traits >> 28).is_multiple_of(2) {
                1
            } else {
                2
            }),
            bio: Set((traits >> 32)
                .is_multiple_of(3)
                .then(|| "热爱生活，关注健康。".to_owned())),
            province_code: Set(Some(province)),
            city_code: Set(Some(city)),
            invite_code: Set(Some(format!("BK{id:08}"))),
            last_active_at: Set(last_active),
            status: Set(accounts::status::ACTIVE.to_owned()),
            created_at: Set(joined),
            updated_at: Set(last_active.unwrap_or(joined)),
            ..Default::default()
        });
        if rows.len() == BULK_ROWS {
            user::Entity::insert_many(std::mem::take(&mut rows))
                .exec_without_returning(&txn)
                .await?;
        }
        run.entry(index, START_COINS, "新用户奖励".into(), None, joined);
    }
    user::Entity::insert_many(rows)
        .exec_without_returning(&txn)
        .await?;
    run.report.users = users;

    // Follows: 0 to 20 per user, made after both joined.
    let mut edges = Vec::new();
    for index in 0..users {
        let count = run.rng.below(21);
        for other in run.distinct_users(count, index) {
            let ago = i64::try_from(run.rng.below(150 * 86_400)).unwrap_or(0);
            edges.push(follow::ActiveModel {
                follower_id: Set(run.user_id(index)),
                followee_id: Set(run.user_id(other)),
                created_at: Set(now - Duration::seconds(ago)),
            });
        }
    }
    run.report.follows = insert_all(&txn, edges).await?;

    // Posts in rounds, each followed by its floors, likes and rewards.
    for (round, chunk) in authors.chunks(POST_ROUND).enumerate() {
        let mut posts_rows = Vec::with_capacity(chunk.len());
        let mut comments = Vec::new();
        let mut likes = Vec::new();
        let mut rewards = Vec::new();
        for (k, &author) in chunk.iter().enumerate() {
            let n = i64::try_from(round * POST_ROUND + k).map_err(AppError::internal)?;
            let id = first_post + n;
            let at = posts_start + Duration::seconds(gap * n);
            let topic = nth(TOPICS, run.rng.next());
            let title = format!("{}{}（{}）", nth(TITLE_FORMS, run.rng.next()), topic, id);
            let mut tags: Vec<&str> = Vec::new();
            for _ in 0..=run.rng.below(3) {
                let tag = nth(TAGS, run.rng.next());
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
            // Floors 1 to 10, a few seconds apart.
            let floors = if author == 0 || run.rng.percent(30) {
                FLOORS
            } else {
                0
            };
            for floor in 1..=floors {
                let writer = run.random_user();
                let written = at + Duration::seconds(i64::from(floor));
                let deleted = run.rng.percent(5);
                comments.push(post_comment::ActiveModel {
                    post_id: Set(id),
                    author_id: Set(run.user_id(writer)),
                    floor: Set(floor),
                    body: Set(if deleted {
                        String::new()
                    } else {
                        nth(COMMENTS, run.rng.next()).to_owned()
                    }),
                    created_at: Set(written),
                    edited_at: Set(None),
                    deleted_at: Set(deleted.then(|| written + Duration::seconds(1))),
                    ..Default::default()
                });
            }
            let like_count = if run.rng.percent(70) {
                run.rng.below(16)
            } else {
                0
            };
            // Fewer users than asked for in a small run: the counter counts the rows.
            let likers = run.distinct_users(like_count, author);
            let like_count = likers.len() as u64;
            for (j, liker) in likers.into_iter().enumerate() {
                likes.push(post_like::ActiveModel {
                    post_id: Set(id),
                    user_id: Set(run.user_id(liker)),
                    created_at: Set(at + Duration::seconds(15 + i64::try_from(j).unwrap_or(0))),
                });
            }
            // Rewards: coins move from the rewarder to the author, as `posts::reward` does.
            let mut coin_count = 0;
            if run.rng.percent(20) {
                let givers = 1 + run.rng.below(3);
                let short: String = title.chars().take(40).collect();
                for (j, giver) in run.distinct_users(givers, author).into_iter().enumerate() {
                    let amount = 1 + i64::try_from(run.rng.below(5)).unwrap_or(0);
                    if run.balance(giver) < amount {
                        continue;
                    }
                    let when = at + Duration::seconds(40 + i64::try_from(j).unwrap_or(0));
                    run.entry(giver, -amount, format!("投币：《{short}》"), Some(id), when);
                    run.entry(
                        author,
                        amount,
                        format!("帖子《{short}》获得投币"),
                        Some(id),
                        when,
                    );
                    rewards.push(post_reward::ActiveModel {
                        post_id: Set(id),
                        user_id: Set(run.user_id(giver)),
                        amount: Set(amount),
                        created_at: Set(when),
                    });
                    coin_count += amount;
                }
            }
            posts_rows.push(post::ActiveModel {
                id: Set(id),
                author_id: Set(run.user_id(author)),
                title: Set(title),
                body: Set(format!("{}：{}", topic, nth(BODIES, run.rng.next()))),
                tags: Set(serde_json::to_string(&tags).map_err(AppError::internal)?),
                images: Set("[]".to_owned()),
                like_count: Set(i32::try_from(like_count).map_err(AppError::internal)?),
                comment_count: Set(floors),
                coin_count: Set(coin_count),
                created_at: Set(at),
                updated_at: Set(at),
                edited_at: Set(None),
            });
        }
        run.report.posts += insert_all(&txn, posts_rows).await?;
        run.report.comments += insert_all(&txn, comments).await?;
        run.report.likes += insert_all(&txn, likes).await?;
        run.report.rewards += insert_all(&txn, rewards).await?;
    }

    // The ledger, then the wallets it adds up to.
    let entries = std::mem::take(&mut run.entries);
    run.report.coin_entries = insert_all(&txn, entries).await?;
    let wallets: Vec<wallet::ActiveModel> = run
        .purses
        .iter()
        .enumerate()
        .map(|(i, p)| wallet::ActiveModel {
            user_id: Set(run.first_id + i64::try_from(i).unwrap_or(0)),
            balance: Set(p.balance),
            total_income: Set(p.income),
            total_expenses: Set(p.expenses),
            updated_at: Set(p.updated.unwrap_or(now)),
        })
        .collect();
    insert_all(&txn, wallets).await?;
    if backend == DatabaseBackend::Postgres {
        for table in ["users", "posts"] {
            txn.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT MAX(id) FROM {table}))"
            ))
            .await?;
        }
    }
    txn.commit().await?;
    if backend == DatabaseBackend::Postgres {
        db.execute_unprepared(
            "VACUUM (ANALYZE) users, posts, post_comments, post_likes, post_rewards, follows, \
             coin_entries, wallets",
        )
        .await?;
    }
    Ok(run.report)
}

//! Content of the volunteer-doctor service: news (公告) per audience, homepage banners (轮播图)
//! and system messages (系统消息).
//!
//! System messages are notifications (`notifications`, see [`super::notifications`]): a
//! personal message is one notification of kind `message`; a broadcast (to everyone or to one
//! audience) is fanned out when it is sent, in one `INSERT … SELECT`, into one notification of
//! kind `broadcast` per active account of the audience. So every user has one list, one read
//! state and one unread count, which also count what other features notify (a cancelled free
//! clinic, …). A broadcast reaches the accounts that exist when it is sent.

use chrono::{DateTime, Utc};
use entity::{banner, news, notification, user, user_role};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, StatementBuilder,
    TransactionTrait,
};

use super::accounts::status;
use super::page::{Page, PageRequest};
use crate::auth::Role;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::EventBus;

/// Who a news item, a banner or a broadcast is for (the volunteer `type`).
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Audience {
    /// Patients (患者端, type 1).
    Patients,
    /// Doctors (医生端, type 2).
    Doctors,
    /// Doctors' assistants (医助端, type 3).
    Assistants,
}

impl Audience {
    /// The stored and legacy code.
    pub fn code(self) -> i16 {
        match self {
            Audience::Patients => 1,
            Audience::Doctors => 2,
            Audience::Assistants => 3,
        }
    }

    /// From the stored or legacy code.
    pub fn from_code(code: i64) -> Option<Audience> {
        match code {
            1 => Some(Audience::Patients),
            2 => Some(Audience::Doctors),
            3 => Some(Audience::Assistants),
            _ => None,
        }
    }

    /// The role of the audience's accounts.
    pub fn role(self) -> Role {
        match self {
            Audience::Patients => Role::Patient,
            Audience::Doctors => Role::Doctor,
            Audience::Assistants => Role::Assistant,
        }
    }
}

/// Where a banner leads (`jump_mode`).
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum JumpMode {
    /// Nowhere (不跳转, 0).
    None,
    /// To the URL in `href` (跳转至链接, 1).
    Url,
    /// To the free clinic `jumpId` (义诊, 2).
    FreeClinic,
    /// To the news item `jumpId` (公告, 3).
    News,
}

impl JumpMode {
    /// The stored and legacy code.
    pub fn code(self) -> i16 {
        match self {
            JumpMode::None => 0,
            JumpMode::Url => 1,
            JumpMode::FreeClinic => 2,
            JumpMode::News => 3,
        }
    }

    /// From the stored code (unknown codes lead nowhere).
    pub fn from_code(code: i16) -> JumpMode {
        match code {
            1 => JumpMode::Url,
            2 => JumpMode::FreeClinic,
            3 => JumpMode::News,
            _ => JumpMode::None,
        }
    }
}

/// Notification kind of a broadcast system message (legacy `type` 0, 全量消息).
pub const KIND_BROADCAST: &str = "broadcast";
/// Notification kind of a personal system message (legacy `type` 1, 单发消息).
pub const KIND_MESSAGE: &str = "message";

const MAX_TITLE: usize = 200;
const MAX_CONTENT: usize = 100_000;
const MAX_URL: usize = 1024;

// ---- news ----

/// A news item as an administrator writes it.
#[derive(Debug, Clone)]
pub struct NewsInput {
    pub audience: Audience,
    pub title: String,
    pub content: String,
    pub cover_url: Option<String>,
    /// Shown from then on; now when absent.
    pub published_at: Option<DateTime<Utc>>,
}

fn check_news(input: &NewsInput) -> AppResult<()> {
    let mut errors = FieldErrors::default();
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE {
        errors.add("title", format!("a title has 1 to {MAX_TITLE} characters"));
    }
    if input.content.chars().count() > MAX_CONTENT {
        errors.add(
            "content",
            format!("the content has at most {MAX_CONTENT} characters"),
        );
    }
    if let Some(cover) = &input.cover_url
        && cover.chars().count() > MAX_URL
    {
        errors.add("coverUrl", format!("at most {MAX_URL} characters"));
    }
    errors.finish()
}

fn blank_to_none(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Publishes a news item (administrators; the caller checks).
pub async fn create_news<C: ConnectionTrait>(
    db: &C,
    author_id: i64,
    input: NewsInput,
) -> AppResult<news::Model> {
    check_news(&input)?;
    let now = Utc::now();
    Ok(news::ActiveModel {
        audience: Set(input.audience.code()),
        title: Set(input.title.trim().to_owned()),
        content: Set(input.content),
        cover_url: Set(blank_to_none(input.cover_url)),
        published_at: Set(input.published_at.unwrap_or(now)),
        created_by: Set(Some(author_id)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Replaces a news item's fields.
pub async fn update_news<C: ConnectionTrait>(
    db: &C,
    id: i64,
    input: NewsInput,
) -> AppResult<news::Model> {
    check_news(&input)?;
    let found = news::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no news item {id}")))?;
    let published_at = input.published_at.unwrap_or(found.published_at);
    let mut model = found.into_active_model();
    model.audience = Set(input.audience.code());
    model.title = Set(input.title.trim().to_owned());
    model.content = Set(input.content);
    model.cover_url = Set(blank_to_none(input.cover_url));
    model.published_at = Set(published_at);
    model.updated_at = Set(Utc::now());
    Ok(model.update(db).await?)
}

/// Deletes a news item; `NOT_FOUND` when there is none.
pub async fn delete_news<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<()> {
    let deleted = news::Entity::delete_by_id(id).exec(db).await?.rows_affected;
    if deleted == 0 {
        return Err(AppError::NotFound(format!("no news item {id}")));
    }
    Ok(())
}

/// Published news of an audience, newest first.
pub async fn list_news<C: ConnectionTrait>(
    db: &C,
    audience: Audience,
    page: PageRequest,
    want_total: bool,
) -> AppResult<Page<news::Model>> {
    let query = news::Entity::find()
        .filter(news::Column::Audience.eq(audience.code()))
        .filter(news::Column::PublishedAt.lte(Utc::now()));
    let total = if want_total {
        Some(query.clone().count(db).await?)
    } else {
        None
    };
    let rows = query
        .order_by_desc(news::Column::PublishedAt)
        .order_by_desc(news::Column::Id)
        .offset(page.offset)
        .limit(page.limit + 1)
        .all(db)
        .await?;
    Ok(Page::from_probe(rows, page, total))
}

/// A news item; one not yet published only for administrators (`include_scheduled`).
pub async fn find_news<C: ConnectionTrait>(
    db: &C,
    id: i64,
    include_scheduled: bool,
) -> AppResult<Option<news::Model>> {
    Ok(news::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|n| include_scheduled || n.published_at <= Utc::now()))
}

// ---- banners ----

/// A banner as an administrator sets it.
#[derive(Debug, Clone)]
pub struct BannerInput {
    pub title: String,
    pub image_url: String,
    pub jump_mode: JumpMode,
    pub jump_id: Option<i64>,
    pub href: Option<String>,
    pub audience: Audience,
    pub sort: i32,
    pub hospital_id: Option<i64>,
    pub organization_id: Option<i64>,
}

async fn check_banner<C: ConnectionTrait>(db: &C, input: &mut BannerInput) -> AppResult<()> {
    let mut errors = FieldErrors::default();
    input.title = input.title.trim().to_owned();
    if input.title.chars().count() > MAX_TITLE {
        errors.add("title", format!("at most {MAX_TITLE} characters"));
    }
    input.image_url = input.image_url.trim().to_owned();
    if input.image_url.is_empty() || input.image_url.chars().count() > MAX_URL {
        errors.add(
            "imageUrl",
            format!("the image is required (at most {MAX_URL} characters)"),
        );
    }
    input.href = blank_to_none(input.href.take());
    match input.jump_mode {
        JumpMode::None => {
            input.jump_id = None;
            input.href = None;
        }
        JumpMode::Url => {
            input.jump_id = None;
            let ok = input.href.as_deref().is_some_and(|h| {
                (h.starts_with("http://") || h.starts_with("https://"))
                    && h.chars().count() <= MAX_URL
            });
            if !ok {
                errors.add("href", "a URL banner needs an http:// or https:// href");
            }
        }
        JumpMode::FreeClinic | JumpMode::News => {
            input.href = None;
            match input.jump_id {
                Some(id) if id > 0 => {
                    if input.jump_mode == JumpMode::News
                        && news::Entity::find_by_id(id).one(db).await?.is_none()
                    {
                        errors.add("jumpId", format!("no news item {id}"));
                    }
                }
                _ => errors.add("jumpId", "this jump mode needs the id it leads to"),
            }
        }
    }
    for (field, id) in [
        ("hospitalId", input.hospital_id),
        ("organizationId", input.organization_id),
    ] {
        if id.is_some_and(|id| id <= 0) {
            errors.add(field, "an id is positive");
        }
    }
    errors.finish()
}

/// Adds a banner (administrators; the caller checks).
pub async fn create_banner<C: ConnectionTrait>(
    db: &C,
    mut input: BannerInput,
) -> AppResult<banner::Model> {
    check_banner(db, &mut input).await?;
    Ok(banner::ActiveModel {
        title: Set(input.title),
        image_url: Set(input.image_url),
        jump_mode: Set(input.jump_mode.code()),
        jump_id: Set(input.jump_id),
        href: Set(input.href),
        audience: Set(input.audience.code()),
        sort: Set(input.sort),
        hospital_id: Set(input.hospital_id),
        organization_id: Set(input.organization_id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Replaces a banner's fields.
pub async fn update_banner<C: ConnectionTrait>(
    db: &C,
    id: i64,
    mut input: BannerInput,
) -> AppResult<banner::Model> {
    check_banner(db, &mut input).await?;
    let found = banner::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no banner {id}")))?;
    let mut model = found.into_active_model();
    model.title = Set(input.title);
    model.image_url = Set(input.image_url);
    model.jump_mode = Set(input.jump_mode.code());
    model.jump_id = Set(input.jump_id);
    model.href = Set(input.href);
    model.audience = Set(input.audience.code());
    model.sort = Set(input.sort);
    model.hospital_id = Set(input.hospital_id);
    model.organization_id = Set(input.organization_id);
    Ok(model.update(db).await?)
}

/// Deletes a banner; `NOT_FOUND` when there is none.
pub async fn delete_banner<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<()> {
    let deleted = banner::Entity::delete_by_id(id)
        .exec(db)
        .await?
        .rows_affected;
    if deleted == 0 {
        return Err(AppError::NotFound(format!("no banner {id}")));
    }
    Ok(())
}

/// A banner by id.
pub async fn find_banner<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<banner::Model>> {
    Ok(banner::Entity::find_by_id(id).one(db).await?)
}

/// The banners of a homepage, by `sort` then id: the audience's banners for everyone (neither
/// hospital nor organization), plus those of the given hospital and of the given organization.
pub async fn list_banners<C: ConnectionTrait>(
    db: &C,
    audience: Audience,
    hospital_id: Option<i64>,
    organization_id: Option<i64>,
    page: PageRequest,
    want_total: bool,
) -> AppResult<Page<banner::Model>> {
    let mut scope = sea_orm::Condition::any().add(
        banner::Column::HospitalId
            .is_null()
            .and(banner::Column::OrganizationId.is_null()),
    );
    if let Some(hospital) = hospital_id {
        scope = scope.add(banner::Column::HospitalId.eq(hospital));
    }
    if let Some(organization) = organization_id {
        scope = scope.add(banner::Column::OrganizationId.eq(organization));
    }
    let query = banner::Entity::find()
        .filter(banner::Column::Audience.eq(audience.code()))
        .filter(scope);
    let total = if want_total {
        Some(query.clone().count(db).await?)
    } else {
        None
    };
    let rows = query
        .order_by_asc(banner::Column::Sort)
        .order_by_asc(banner::Column::Id)
        .offset(page.offset)
        .limit(page.limit + 1)
        .all(db)
        .await?;
    Ok(Page::from_probe(rows, page, total))
}

// ---- system messages ----

/// Whether a notification is a broadcast (legacy `type` 0) rather than a personal message (1).
pub fn is_broadcast(model: &notification::Model) -> bool {
    model.kind == KIND_BROADCAST
}

fn check_message(title: &str, content: &str) -> AppResult<()> {
    let mut errors = FieldErrors::default();
    let title = title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE {
        errors.add("title", format!("a title has 1 to {MAX_TITLE} characters"));
    }
    if content.chars().count() > 10_000 {
        errors.add("content", "the content has at most 10000 characters");
    }
    errors.finish()
}

/// Sends a personal system message to one user (stored as a notification, then published).
pub async fn send_message<C: ConnectionTrait>(
    db: &C,
    bus: &dyn EventBus,
    sender_id: i64,
    user_id: i64,
    title: &str,
    content: &str,
) -> AppResult<notification::Model> {
    check_message(title, content)?;
    let target = user::Entity::find_by_id(user_id).one(db).await?;
    if target.is_none_or(|u| u.status != status::ACTIVE) {
        return Err(AppError::NotFound(format!("no user {user_id}")));
    }
    let model = notification::ActiveModel {
        user_id: Set(user_id),
        kind: Set(KIND_MESSAGE.to_owned()),
        title: Set(title.trim().to_owned()),
        body: Set(content.to_owned()),
        read_at: Set(None),
        sender_id: Set(Some(sender_id)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    super::notifications::publish(bus, &model).await?;
    Ok(model)
}

/// Broadcasts a system message to every active account, or to those of one audience: one
/// notification each, written by one `INSERT … SELECT` in one transaction. Answers how many
/// accounts received it.
pub async fn broadcast(
    db: &DatabaseConnection,
    sender_id: i64,
    audience: Option<Audience>,
    title: &str,
    content: &str,
) -> AppResult<u64> {
    check_message(title, content)?;
    let now = Utc::now();
    let mut select = Query::select();
    select
        .column((user::Entity, user::Column::Id))
        .expr(Expr::val(KIND_BROADCAST))
        .expr(Expr::val(title.trim()))
        .expr(Expr::val(content))
        .expr(Expr::val(sender_id))
        .expr(Expr::val(now))
        .from(user::Entity)
        .and_where(user::Column::Status.eq(status::ACTIVE));
    if let Some(audience) = audience {
        select.and_where(
            user::Column::Id.in_subquery(
                Query::select()
                    .column(user_role::Column::UserId)
                    .from(user_role::Entity)
                    .and_where(user_role::Column::Role.eq(audience.role().as_str()))
                    .and_where(user_role::Column::State.eq(super::role_reviews::state::APPROVED))
                    .to_owned(),
            ),
        );
    }
    let insert = Query::insert()
        .into_table(notification::Entity)
        .columns([
            notification::Column::UserId,
            notification::Column::Kind,
            notification::Column::Title,
            notification::Column::Body,
            notification::Column::SenderId,
            notification::Column::CreatedAt,
        ])
        .select_from(select)
        .map_err(AppError::internal)?
        .to_owned();
    let txn = db.begin().await?;
    let stmt = StatementBuilder::build(&insert, &txn.get_database_backend());
    let sent = txn.execute_raw(stmt).await?.rows_affected();
    txn.commit().await?;
    Ok(sent)
}

// ---- demo data ----

/// Demo content (`medgraph seed --demo`): news for every audience, banners, a broadcast and a
/// personal message, and a chat between `demo-patient` and `demo-doctor`.
pub async fn demo(db: &DatabaseConnection, bus: &dyn EventBus) -> AppResult<()> {
    let id_of = |name: &'static str| async move {
        super::accounts::find_by_username(db, name)
            .await?
            .map(|u| u.id)
            .ok_or_else(|| AppError::internal(format!("demo user {name} missing")))
    };
    let admin = id_of("demo-admin").await?;
    let doctor = id_of("demo-doctor").await?;
    let patient = id_of("demo-patient").await?;
    let items: [(Audience, &str, &str); 6] = [
        (
            Audience::Patients,
            "义诊活动报名开始",
            "<p>本周六上午在社区卫生服务中心举办免费义诊，欢迎报名。</p>",
        ),
        (
            Audience::Patients,
            "就诊须知",
            "<p>请携带身份证和既往病历，提前 15 分钟到场。</p>",
        ),
        (
            Audience::Doctors,
            "志愿医生招募",
            "<p>欢迎各科室医生报名参加下月的义诊活动。</p>",
        ),
        (
            Audience::Doctors,
            "义诊规范更新",
            "<p>请在每次义诊后 24 小时内填写诊断结果。</p>",
        ),
        (
            Audience::Assistants,
            "医助培训通知",
            "<p>新任医助请参加周三下午的线上培训。</p>",
        ),
        (
            Audience::Assistants,
            "帮扶患者登记说明",
            "<p>为患者挂号时请核对身份证号与手机号。</p>",
        ),
    ];
    let mut first_news = None;
    for (audience, title, content) in items {
        let item = create_news(
            db,
            admin,
            NewsInput {
                audience,
                title: title.to_owned(),
                content: content.to_owned(),
                cover_url: None,
                published_at: None,
            },
        )
        .await?;
        first_news.get_or_insert(item.id);
    }
    let banners = [
        (
            "欢迎使用志愿医生",
            JumpMode::None,
            None,
            None,
            Audience::Patients,
        ),
        (
            "义诊活动",
            JumpMode::News,
            first_news,
            None,
            Audience::Patients,
        ),
        (
            "了解我们",
            JumpMode::Url,
            None,
            Some("https://example.org/volunteer"),
            Audience::Doctors,
        ),
        ("医助之家", JumpMode::None, None, None, Audience::Assistants),
    ];
    for (sort, (title, jump_mode, jump_id, href, audience)) in banners.into_iter().enumerate() {
        create_banner(
            db,
            BannerInput {
                title: title.to_owned(),
                image_url: "https://example.org/banner.png".to_owned(),
                jump_mode,
                jump_id,
                href: href.map(str::to_owned),
                audience,
                sort: i32::try_from(sort).unwrap_or(0),
                hospital_id: None,
                organization_id: None,
            },
        )
        .await?;
    }
    broadcast(
        db,
        admin,
        None,
        "系统维护通知",
        "本周日凌晨 2:00-4:00 系统维护，届时暂停服务。",
    )
    .await?;
    send_message(
        db,
        bus,
        admin,
        patient,
        "挂号提醒",
        "您关注的医生发布了新的义诊，欢迎报名。",
    )
    .await?;
    let viewer = |user_id: i64, role: Role| crate::auth::Viewer {
        user_id,
        token_id: 0,
        roles: vec![role],
    };
    let chat = [
        (
            viewer(patient, Role::Patient),
            doctor,
            "医生您好，我最近总是头晕，需要做什么检查吗？",
        ),
        (
            viewer(doctor, Role::Doctor),
            patient,
            "您好，建议先测量血压，并来义诊时带上近期的体检报告。",
        ),
        (viewer(patient, Role::Patient), doctor, "好的，谢谢医生！"),
    ];
    for (sender, to_user_id, content) in chat {
        super::chat::send(
            db,
            bus,
            &sender,
            super::chat::NewMessage {
                to_user_id,
                content: content.to_owned(),
                photos: Vec::new(),
                side: None,
            },
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for audience in [Audience::Patients, Audience::Doctors, Audience::Assistants] {
            assert_eq!(
                Audience::from_code(i64::from(audience.code())),
                Some(audience)
            );
        }
        assert_eq!(Audience::from_code(4), None);
        for mode in [
            JumpMode::None,
            JumpMode::Url,
            JumpMode::FreeClinic,
            JumpMode::News,
        ] {
            assert_eq!(JumpMode::from_code(mode.code()), mode);
        }
    }
}

//! Counselling case files, the most sensitive data of the platform: clients' personal profiles
//! (个人档案), interview archives on students (咨询档案) and the sessions of each archive
//! (咨询记录) with their crisis state.
//!
//! Only the consultant who keeps a case file sees it: not other consultants, not the
//! organization's administrators (they see rosters, never sessions). Every session or profile
//! handed out is written to the audit log first. A session whose crisis state becomes `HIGH`
//! alerts the administrators of the consultant's organization (`crisisAlerts`), with no case
//! content in the alert.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use entity::{client_profile, consultation_order, interview_archive};
use entity::{interview_session, stored_file};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};

use super::audit;
use super::page::{self, Page, PageRequest, contains};
use crate::Services;
use crate::auth::{Role, Viewer};
use crate::error::{AppError, AppResult};
use crate::policy::{self, counseling as rules};

/// Most sessions kept on one archive.
pub const MAX_SESSIONS_PER_ARCHIVE: i32 = 100;

/// Most attachment images of one session.
pub const MAX_ATTACHMENTS: usize = 9;

/// How acute a student's crisis is (危机状态).
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CrisisLevel {
    /// No crisis (无).
    None,
    /// Low (低).
    Low,
    /// Medium (中).
    Medium,
    /// High: the organization's administrators are alerted (高).
    High,
}

impl CrisisLevel {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            CrisisLevel::None => "none",
            CrisisLevel::Low => "low",
            CrisisLevel::Medium => "medium",
            CrisisLevel::High => "high",
        }
    }

    /// The legacy (Chinese) label, as the counselling clients write it (无, 低危, 中危, 高危).
    pub fn label(self) -> &'static str {
        match self {
            CrisisLevel::None => "无",
            CrisisLevel::Low => "低危",
            CrisisLevel::Medium => "中危",
            CrisisLevel::High => "高危",
        }
    }

    /// Parses the stored form, the GraphQL name or a legacy label (无/低/中/高, 低危, 高风险 ...).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Some(match s.to_ascii_lowercase().as_str() {
            "none" | "no" | "0" | "无" | "无危机" | "正常" | "暂无" => CrisisLevel::None,
            "low" | "1" | "低" | "低危" | "低风险" | "轻度" => CrisisLevel::Low,
            "medium" | "2" | "中" | "中危" | "中风险" | "中度" => CrisisLevel::Medium,
            "high" | "3" | "高" | "高危" | "高风险" | "重度" => CrisisLevel::High,
            _ => return None,
        })
    }

    fn stored(s: &str) -> Self {
        Self::parse(s).unwrap_or(CrisisLevel::None)
    }
}

/// The stored gender code of a legacy or English label: 0 undisclosed, 1 male, 2 female.
pub fn parse_gender(s: &str) -> Option<i16> {
    Some(match s.trim().to_ascii_lowercase().as_str() {
        "" | "0" | "保密" | "未知" | "undisclosed" | "unknown" => 0,
        "1" | "男" | "male" | "m" => 1,
        "2" | "女" | "female" | "f" => 2,
        _ => return None,
    })
}

/// Whether an evaluation is by a third party (是否他评), from `是`/`否`, `他评`/`自评`,
/// true/false, yes/no or 1/0; blank is no.
pub fn parse_third_party(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "是" | "他评" => Some(true),
        "0" | "false" | "no" | "n" | "否" | "自评" | "" => Some(false),
        _ => None,
    }
}

/// A duration as the counselling clients write it: `50分钟`.
pub fn duration_label(minutes: i64) -> String {
    format!("{minutes}分钟")
}

/// Minutes from `50`, `50分钟`, `50分`, `50min` or `50 minutes` (1 to 600).
pub fn parse_duration(s: &str) -> AppResult<i32> {
    let s = s.trim();
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    let rest = s[digits.len()..].trim().to_ascii_lowercase();
    let minutes: i32 = digits.parse().map_err(|_| bad_duration())?;
    if !["", "分钟", "分", "min", "mins", "minute", "minutes"].contains(&rest.as_str()) {
        return Err(bad_duration());
    }
    if !(1..=600).contains(&minutes) {
        return Err(AppError::bad_field(
            "duration",
            "the duration is 1 to 600 minutes",
        ));
    }
    Ok(minutes)
}

fn bad_duration() -> AppError {
    AppError::bad_field("duration", "the duration is minutes, e.g. `50` or `50分钟`")
}

/// A local time `HH:MM` (seconds are dropped).
pub fn parse_clock(s: &str) -> AppResult<String> {
    let s = s.trim();
    NaiveTime::parse_from_str(s, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
        .map(|t| t.format("%H:%M").to_string())
        .map_err(|_| AppError::bad_field("time", "the time is `HH:MM`, e.g. `14:30`"))
}

/// A date `YYYY-MM-DD`, `YYYY/MM/DD` or `YYYY年MM月DD日`.
pub fn parse_date(s: &str, field: &str) -> AppResult<NaiveDate> {
    let s = s.trim();
    ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
        .ok_or_else(|| AppError::bad_field(field, "the date is `YYYY-MM-DD`"))
}

fn required(value: Option<String>, field: &str, max: usize, what: &str) -> AppResult<String> {
    optional(value, field, max, what)?
        .ok_or_else(|| AppError::bad_field(field, format!("{what} is required")))
}

fn optional(
    value: Option<String>,
    field: &str,
    max: usize,
    what: &str,
) -> AppResult<Option<String>> {
    let Some(value) = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max {
        return Err(AppError::bad_field(
            field,
            format!("{what} is at most {max} characters"),
        ));
    }
    Ok(Some(value))
}

fn not_found(what: &str, id: i64) -> AppError {
    AppError::NotFound(format!("{what} {id} not found"))
}

// ---------------------------------------------------------------------------------------------
// Client profiles

/// Fields of a client profile; on update, `None` keeps a field and an empty string clears it.
#[derive(Debug, Clone, Default)]
pub struct ClientProfileInput {
    pub name: Option<String>,
    /// 0 undisclosed, 1 male, 2 female.
    pub gender: Option<i16>,
    pub age: Option<i32>,
    pub education: Option<String>,
    pub occupation: Option<String>,
    pub marital_status: Option<String>,
    pub contact: Option<String>,
    pub emergency_name: Option<String>,
    pub emergency_relationship: Option<String>,
    pub emergency_phone: Option<String>,
    pub referral: Option<String>,
    pub complaint: Option<String>,
    pub goal: Option<String>,
}

fn apply_profile(
    m: &mut client_profile::ActiveModel,
    input: ClientProfileInput,
    creating: bool,
) -> AppResult<()> {
    if creating || input.name.is_some() {
        m.name = Set(required(input.name, "name", 64, "the client's name")?);
    }
    if let Some(gender) = input.gender {
        if !(0..=2).contains(&gender) {
            return Err(AppError::bad_field("gender", "unknown gender"));
        }
        m.gender = Set(gender);
    }
    if let Some(age) = input.age {
        if !(1..=120).contains(&age) {
            return Err(AppError::bad_field("age", "age is 1 to 120"));
        }
        m.age = Set(Some(age));
    }
    macro_rules! text_field {
        ($field:ident, $name:literal, $max:literal, $what:literal) => {
            if let Some(value) = input.$field {
                m.$field = Set(optional(Some(value), $name, $max, $what)?);
            }
        };
    }
    text_field!(education, "education", 64, "the education");
    text_field!(occupation, "occupation", 64, "the occupation");
    text_field!(marital_status, "maritalStatus", 32, "the marital status");
    text_field!(contact, "contact", 64, "the contact");
    text_field!(
        emergency_name,
        "emergencyContact.name",
        64,
        "the emergency contact's name"
    );
    text_field!(
        emergency_relationship,
        "emergencyContact.relationship",
        32,
        "the relationship"
    );
    text_field!(
        emergency_phone,
        "emergencyContact.phone",
        32,
        "the emergency phone"
    );
    text_field!(referral, "referral", 200, "the referral");
    text_field!(complaint, "complaint", 4000, "the complaint");
    text_field!(goal, "goal", 4000, "the goal");
    Ok(())
}

/// A consultant opens a client profile.
pub async fn create_profile(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: ClientProfileInput,
) -> AppResult<client_profile::Model> {
    policy::require_verified(viewer, &[Role::Consultant])?;
    let now = Utc::now();
    let mut m = client_profile::ActiveModel {
        consultant_id: Set(viewer.user_id),
        gender: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply_profile(&mut m, input, true)?;
    Ok(m.insert(db).await?)
}

/// The consultant changes a profile they keep.
pub async fn update_profile(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i64,
    input: ClientProfileInput,
) -> AppResult<client_profile::Model> {
    let current = client_profile::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|p| rules::keeps_profile(viewer, p))
        .ok_or_else(|| not_found("client profile", id))?;
    let mut m = current.into_active_model();
    apply_profile(&mut m, input, false)?;
    m.updated_at = Set(Utc::now());
    Ok(m.update(db).await?)
}

/// The profile a new consultation concerns: the consultant's profile of the booking account,
/// or of a walk-in client with the same name and contact; a new one otherwise.
///
/// `c` is the order's transaction. Two bookings of one client at once must not both find no
/// profile and both make one: on PostgreSQL the transaction first takes an advisory lock on the
/// consultant's profiles (held until it ends, and across server processes); SQLite runs one
/// writing transaction at a time anyway.
pub(crate) async fn profile_for_order<C: ConnectionTrait>(
    c: &C,
    consultant_id: i64,
    client_id: Option<i64>,
    client: &ClientFacts<'_>,
) -> AppResult<i64> {
    if c.get_database_backend() == sea_orm::DbBackend::Postgres {
        c.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtextextended('medgraph.client_profiles', $1))",
            [consultant_id.into()],
        ))
        .await?;
    }
    let mut find = client_profile::Entity::find()
        .filter(client_profile::Column::ConsultantId.eq(consultant_id));
    find = match client_id {
        Some(client) => find.filter(client_profile::Column::ClientId.eq(client)),
        None => find
            .filter(client_profile::Column::ClientId.is_null())
            .filter(client_profile::Column::Name.eq(client.name))
            .filter(client_profile::Column::Contact.eq(client.contact)),
    };
    if let Some(existing) = find.order_by_asc(client_profile::Column::Id).one(c).await? {
        return Ok(existing.id);
    }
    let now = Utc::now();
    let created = client_profile::ActiveModel {
        consultant_id: Set(consultant_id),
        client_id: Set(client_id),
        name: Set(client.name.to_owned()),
        gender: Set(client.gender),
        age: Set(client.age),
        contact: Set(Some(client.contact.to_owned())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(c)
    .await?;
    Ok(created.id)
}

/// What a consultation tells about its client, for their profile.
pub(crate) struct ClientFacts<'a> {
    pub name: &'a str,
    pub gender: i16,
    pub age: Option<i32>,
    pub contact: &'a str,
}

/// Keeps the profiles the caller may read and logs the read.
async fn hand_out_profiles(
    db: &DatabaseConnection,
    viewer: &Viewer,
    profiles: Vec<client_profile::Model>,
) -> AppResult<Vec<client_profile::Model>> {
    let visible: Vec<client_profile::Model> = profiles
        .into_iter()
        .filter(|p| rules::keeps_profile(viewer, p))
        .collect();
    audit::reads(
        db,
        viewer,
        "ClientProfile",
        visible.iter().map(|p| (p.id, p.client_id)),
    )
    .await?;
    Ok(visible)
}

/// One client profile the caller keeps (the read is audited).
pub async fn find_profile(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i64,
) -> AppResult<Option<client_profile::Model>> {
    let found = client_profile::Entity::find_by_id(id).one(db).await?;
    Ok(hand_out_profiles(db, viewer, found.into_iter().collect())
        .await?
        .into_iter()
        .next())
}

/// The client profile of one of the caller's consultations (the read is audited).
pub async fn profile_of_consultation(
    db: &DatabaseConnection,
    viewer: &Viewer,
    consultation_id: i64,
) -> AppResult<Option<client_profile::Model>> {
    let order = consultation_order::Entity::find_by_id(consultation_id)
        .one(db)
        .await?
        .filter(|o| o.consultant_id == viewer.user_id);
    let Some(profile_id) = order.and_then(|o| o.client_profile_id) else {
        return Ok(None);
    };
    find_profile(db, viewer, profile_id).await
}

/// Profiles by id that the caller keeps (audited), for the loaders.
pub async fn profiles_by_ids(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    ids: &[i64],
) -> AppResult<HashMap<i64, client_profile::Model>> {
    let Some(viewer) = viewer else {
        return Ok(HashMap::new());
    };
    let rows = client_profile::Entity::find()
        .filter(client_profile::Column::Id.is_in(ids.iter().copied()))
        .filter(client_profile::Column::ConsultantId.eq(viewer.user_id))
        .all(db)
        .await?;
    Ok(hand_out_profiles(db, viewer, rows)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

/// A page of the caller's client profiles, newest first, optionally by part of the name
/// (audited).
pub async fn list_profiles(
    db: &DatabaseConnection,
    viewer: &Viewer,
    name: Option<&str>,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<client_profile::Model>> {
    policy::require_verified(viewer, &[Role::Consultant])?;
    let mut query = client_profile::Entity::find()
        .filter(client_profile::Column::ConsultantId.eq(viewer.user_id));
    if let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) {
        query = query.filter(contains(client_profile::Column::Name, name));
    }
    let page = page::fetch(
        db,
        query,
        |q| q.order_by_desc(client_profile::Column::Id),
        window,
        with_total,
    )
    .await?;
    audit::reads(
        db,
        viewer,
        "ClientProfile",
        page.items.iter().map(|p| (p.id, p.client_id)),
    )
    .await?;
    Ok(page)
}

/// Links one of the caller's consultations to one of their client profiles.
pub async fn link_consultation(
    db: &DatabaseConnection,
    viewer: &Viewer,
    consultation_id: i64,
    profile_id: i64,
) -> AppResult<consultation_order::Model> {
    own_profile(db, viewer, profile_id).await?;
    let order = consultation_order::Entity::find_by_id(consultation_id)
        .one(db)
        .await?
        .filter(|o| o.consultant_id == viewer.user_id)
        .ok_or_else(|| not_found("consultation", consultation_id))?;
    let mut m = order.into_active_model();
    m.client_profile_id = Set(Some(profile_id));
    m.updated_at = Set(Utc::now());
    Ok(m.update(db).await?)
}

async fn own_profile<C: ConnectionTrait>(
    c: &C,
    viewer: &Viewer,
    id: i64,
) -> AppResult<client_profile::Model> {
    client_profile::Entity::find_by_id(id)
        .one(c)
        .await?
        .filter(|p| rules::keeps_profile(viewer, p))
        .ok_or_else(|| {
            AppError::bad_field("clientProfileId", format!("client profile {id} not found"))
        })
}

// ---------------------------------------------------------------------------------------------
// Interview archives

/// Fields of an interview archive; on update, `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct ArchiveInput {
    pub student_name: Option<String>,
    pub grade: Option<String>,
    pub class_name: Option<String>,
    pub school: Option<String>,
    pub interview_count: Option<i32>,
    pub state: Option<String>,
    pub kind: Option<String>,
    pub evaluation: Option<String>,
    pub follow_up_plan: Option<String>,
    /// The student's client profile (one the caller keeps).
    pub client_profile_id: Option<i64>,
}

fn apply_archive(
    m: &mut interview_archive::ActiveModel,
    input: ArchiveInput,
    creating: bool,
) -> AppResult<()> {
    if creating || input.student_name.is_some() {
        m.student_name = Set(required(
            input.student_name,
            "std_name",
            64,
            "the student's name",
        )?);
    }
    if creating || input.school.is_some() {
        m.school = Set(required(input.school, "std_school", 100, "the school")?);
    }
    if creating || input.grade.is_some() {
        m.grade = Set(optional(input.grade, "std_grade", 32, "the grade")?.unwrap_or_default());
    }
    if creating || input.class_name.is_some() {
        m.class_name =
            Set(optional(input.class_name, "std_class", 32, "the class")?.unwrap_or_default());
    }
    if let Some(count) = input.interview_count {
        if !(0..=MAX_SESSIONS_PER_ARCHIVE).contains(&count) {
            return Err(AppError::bad_field(
                "interview_count",
                format!("the interview count is 0 to {MAX_SESSIONS_PER_ARCHIVE}"),
            ));
        }
        m.interview_count = Set(count);
    } else if creating {
        m.interview_count = Set(0);
    }
    if creating || input.state.is_some() {
        m.state =
            Set(optional(input.state, "interview_status", 32, "the state")?.unwrap_or_default());
    }
    if creating || input.kind.is_some() {
        m.kind = Set(optional(input.kind, "interview_type", 32, "the type")?.unwrap_or_default());
    }
    if creating || input.evaluation.is_some() {
        m.evaluation = Set(optional(
            input.evaluation,
            "doctor_evaluation",
            4000,
            "the evaluation",
        )?
        .unwrap_or_default());
    }
    if creating || input.follow_up_plan.is_some() {
        m.follow_up_plan = Set(optional(
            input.follow_up_plan,
            "follow_up_plan",
            4000,
            "the follow-up plan",
        )?
        .unwrap_or_default());
    }
    Ok(())
}

pub(crate) async fn insert_archive<C: ConnectionTrait>(
    c: &C,
    viewer: &Viewer,
    input: ArchiveInput,
) -> AppResult<interview_archive::Model> {
    if let Some(profile) = input.client_profile_id {
        own_profile(c, viewer, profile).await?;
    }
    let now = Utc::now();
    let mut m = interview_archive::ActiveModel {
        consultant_id: Set(viewer.user_id),
        client_profile_id: Set(input.client_profile_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply_archive(&mut m, input, true)?;
    Ok(m.insert(c).await?)
}

/// A consultant opens an interview archive on a student.
pub async fn create_archive(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: ArchiveInput,
) -> AppResult<interview_archive::Model> {
    policy::require_verified(viewer, &[Role::Consultant])?;
    insert_archive(db, viewer, input).await
}

async fn own_archive<C: ConnectionTrait>(
    c: &C,
    viewer: &Viewer,
    id: i64,
) -> AppResult<interview_archive::Model> {
    interview_archive::Entity::find_by_id(id)
        .one(c)
        .await?
        .filter(|a| rules::keeps_archive(viewer, a))
        .ok_or_else(|| not_found("interview archive", id))
}

/// The consultant changes one of their archives.
pub async fn update_archive(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i64,
    input: ArchiveInput,
) -> AppResult<interview_archive::Model> {
    let current = own_archive(db, viewer, id).await?;
    if let Some(profile) = input.client_profile_id {
        own_profile(db, viewer, profile).await?;
    }
    let mut m = current.into_active_model();
    if let Some(profile) = input.client_profile_id {
        m.client_profile_id = Set(Some(profile));
    }
    apply_archive(&mut m, input, false)?;
    m.updated_at = Set(Utc::now());
    Ok(m.update(db).await?)
}

/// The consultant deletes one of their archives and all its sessions, in one transaction.
/// Answers how many sessions went with it.
pub async fn delete_archive(db: &DatabaseConnection, viewer: &Viewer, id: i64) -> AppResult<u64> {
    let txn = db.begin().await?;
    let archive = own_archive(&txn, viewer, id).await?;
    let sessions = interview_session::Entity::delete_many()
        .filter(interview_session::Column::ArchiveId.eq(archive.id))
        .exec(&txn)
        .await?
        .rows_affected;
    interview_archive::Entity::delete_by_id(archive.id)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(sessions)
}

/// One archive the caller keeps.
pub async fn find_archive(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i64,
) -> AppResult<Option<interview_archive::Model>> {
    Ok(interview_archive::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|a| rules::keeps_archive(viewer, a)))
}

/// Which archives a list shows (all of the caller's; the rest narrows them).
#[derive(Debug, Clone, Default)]
pub struct ArchiveFilter {
    /// Part of the student's name.
    pub student_name: Option<String>,
    pub grade: Option<String>,
    pub class_name: Option<String>,
    /// Part of the school's name.
    pub school: Option<String>,
    pub interview_count: Option<i32>,
    pub state: Option<String>,
    pub kind: Option<String>,
    /// Part of the evaluation.
    pub evaluation: Option<String>,
    /// Part of the follow-up plan.
    pub follow_up_plan: Option<String>,
}

/// A page of the caller's archives, newest first.
pub async fn list_archives(
    db: &DatabaseConnection,
    viewer: &Viewer,
    filter: &ArchiveFilter,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<interview_archive::Model>> {
    policy::require_verified(viewer, &[Role::Consultant])?;
    let mut cond = Condition::all().add(interview_archive::Column::ConsultantId.eq(viewer.user_id));
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    if let Some(v) = given(&filter.student_name) {
        cond = cond.add(contains(interview_archive::Column::StudentName, &v));
    }
    if let Some(v) = given(&filter.school) {
        cond = cond.add(contains(interview_archive::Column::School, &v));
    }
    if let Some(v) = given(&filter.evaluation) {
        cond = cond.add(contains(interview_archive::Column::Evaluation, &v));
    }
    if let Some(v) = given(&filter.follow_up_plan) {
        cond = cond.add(contains(interview_archive::Column::FollowUpPlan, &v));
    }
    if let Some(v) = given(&filter.grade) {
        cond = cond.add(interview_archive::Column::Grade.eq(v));
    }
    if let Some(v) = given(&filter.class_name) {
        cond = cond.add(interview_archive::Column::ClassName.eq(v));
    }
    if let Some(v) = given(&filter.state) {
        cond = cond.add(interview_archive::Column::State.eq(v));
    }
    if let Some(v) = given(&filter.kind) {
        cond = cond.add(interview_archive::Column::Kind.eq(v));
    }
    if let Some(count) = filter.interview_count {
        cond = cond.add(interview_archive::Column::InterviewCount.eq(count));
    }
    page::fetch(
        db,
        interview_archive::Entity::find().filter(cond),
        |q| q.order_by_desc(interview_archive::Column::Id),
        window,
        with_total,
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Sessions

/// What a session's update may change: everything but its basic fields (count, student,
/// date, time, duration). `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct SessionNotes {
    pub visit_state: Option<String>,
    pub description: Option<String>,
    pub evaluation: Option<String>,
    pub follow_up_plan: Option<String>,
    pub next_visit_plan: Option<String>,
    pub crisis: Option<CrisisLevel>,
    pub consultant_name: Option<String>,
    pub third_party_evaluation: Option<bool>,
    /// Address of an uploaded image; an empty string removes the signature.
    pub signature_file: Option<String>,
    /// Addresses of uploaded images, replacing the list.
    pub attachment_files: Option<Vec<String>>,
}

/// A new session of an archive. Student fields default to the archive's; `count` to the
/// next one.
#[derive(Debug, Clone, Default)]
pub struct NewSession {
    pub archive_id: i64,
    pub count: Option<i32>,
    pub student_name: Option<String>,
    pub gender: Option<i16>,
    pub student_number: Option<String>,
    pub school: Option<String>,
    pub grade: Option<String>,
    pub class_name: Option<String>,
    pub date: Option<NaiveDate>,
    /// `HH:MM`.
    pub time: Option<String>,
    pub duration_minutes: Option<i32>,
    pub notes: SessionNotes,
}

/// A crisis alert: no case content, only where to look.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CrisisEvent {
    pub session_id: i64,
    pub archive_id: i64,
    pub consultant_id: i64,
    pub organization: Option<String>,
    pub level: CrisisLevel,
    pub at: DateTime<Utc>,
}

/// Topic of the crisis alerts of an organization (`None`: every alert, for the platform's
/// administrators).
pub fn crisis_topic(organization_id: Option<i64>) -> String {
    match organization_id {
        Some(org) => format!("crisis:org:{org}"),
        None => "crisis:platform".into(),
    }
}

/// The organization whose administrators a consultant's alerts concern: the one of their
/// approved membership, never a name on their profile.
pub async fn organization_of(
    db: &DatabaseConnection,
    user_id: i64,
) -> AppResult<Option<entity::organization::Model>> {
    super::memberships::organization_of(db, user_id).await
}

/// Publishes a crisis alert for a session that became `HIGH`. The session is saved already:
/// a bus failure is logged, not returned.
pub(crate) async fn alert_crisis(s: &Services, session: &interview_session::Model) {
    let organization = match organization_of(&s.db, session.consultant_id).await {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = ?e, session = session.id, "crisis alert: organization lookup failed");
            None
        }
    };
    let event = CrisisEvent {
        session_id: session.id,
        archive_id: session.archive_id,
        consultant_id: session.consultant_id,
        organization: organization.as_ref().map(|o| o.name.clone()),
        level: CrisisLevel::High,
        at: Utc::now(),
    };
    let payload = match serde_json::to_value(&event) {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = ?e, "crisis alert: cannot encode");
            return;
        }
    };
    let mut topics = vec![crisis_topic(None)];
    if let Some(org) = &organization {
        topics.push(crisis_topic(Some(org.id)));
    }
    for topic in topics {
        if let Err(e) = s.bus.publish(&topic, payload.clone()).await {
            tracing::error!(error = ?e, session = session.id, "crisis alert not published");
        }
    }
}

/// Checks that every address is an uploaded image.
async fn checked_images<C: ConnectionTrait>(
    c: &C,
    field: &str,
    addresses: &[String],
) -> AppResult<Vec<String>> {
    let addresses: Vec<String> = addresses
        .iter()
        .map(|a| super::files::address_of(a))
        .filter(|a| !a.is_empty())
        .collect();
    if addresses.is_empty() {
        return Ok(addresses);
    }
    let found = stored_file::Entity::find()
        .filter(stored_file::Column::Hash.is_in(addresses.iter().cloned()))
        .all(c)
        .await?;
    for a in &addresses {
        match found.iter().find(|f| &f.hash == a) {
            Some(f) if f.content_type.starts_with("image/") => {}
            Some(_) => {
                return Err(AppError::bad_field(
                    field,
                    format!("file {a} is not an image"),
                ));
            }
            None => {
                return Err(AppError::bad_field(field, format!("no uploaded file {a}")));
            }
        }
    }
    Ok(addresses)
}

async fn apply_notes<C: ConnectionTrait>(
    c: &C,
    m: &mut interview_session::ActiveModel,
    notes: SessionNotes,
    creating: bool,
) -> AppResult<()> {
    macro_rules! text_field {
        ($field:ident, $column:ident, $name:literal, $max:literal, $what:literal) => {
            if creating || notes.$field.is_some() {
                m.$column = Set(optional(notes.$field, $name, $max, $what)?.unwrap_or_default());
            }
        };
    }
    text_field!(
        visit_state,
        visit_state,
        "visitStatus",
        32,
        "the visit state"
    );
    text_field!(
        description,
        description,
        "description",
        8000,
        "the description"
    );
    text_field!(
        evaluation,
        evaluation,
        "doctorEvaluation",
        4000,
        "the evaluation"
    );
    text_field!(
        follow_up_plan,
        follow_up_plan,
        "followUpPlan",
        4000,
        "the follow-up plan"
    );
    text_field!(
        next_visit_plan,
        next_visit_plan,
        "nextVisitPlan",
        4000,
        "the next visit plan"
    );
    text_field!(
        consultant_name,
        consultant_name,
        "consultantName",
        64,
        "the consultant's name"
    );
    if let Some(level) = notes.crisis {
        m.crisis_state = Set(level.as_str().into());
    } else if creating {
        m.crisis_state = Set(CrisisLevel::None.as_str().into());
    }
    if let Some(third) = notes.third_party_evaluation {
        m.third_party_evaluation = Set(third);
    } else if creating {
        m.third_party_evaluation = Set(false);
    }
    if let Some(signature) = notes.signature_file {
        let checked = checked_images(c, "signatureImage", &[signature]).await?;
        m.signature_file = Set(checked.into_iter().next());
    }
    if let Some(files) = notes.attachment_files {
        if files.len() > MAX_ATTACHMENTS {
            return Err(AppError::bad_field(
                "attachImages",
                format!("at most {MAX_ATTACHMENTS} attachment images"),
            ));
        }
        let checked = checked_images(c, "attachImages", &files).await?;
        m.attachment_files = Set(serde_json::to_string(&checked).map_err(AppError::internal)?);
    } else if creating {
        m.attachment_files = Set("[]".into());
    }
    Ok(())
}

/// Inserts a session on an archive the caller keeps, inside the caller's transaction, and
/// raises the archive's interview count to it.
pub(crate) async fn insert_session<C: ConnectionTrait>(
    c: &C,
    viewer: &Viewer,
    archive: &interview_archive::Model,
    input: NewSession,
) -> AppResult<interview_session::Model> {
    let count = match input.count {
        Some(count) if !(1..=MAX_SESSIONS_PER_ARCHIVE).contains(&count) => {
            return Err(AppError::bad_field(
                "count",
                format!("the count is 1 to {MAX_SESSIONS_PER_ARCHIVE}"),
            ));
        }
        Some(count) => {
            let taken = interview_session::Entity::find()
                .filter(interview_session::Column::ArchiveId.eq(archive.id))
                .filter(interview_session::Column::Count.eq(count))
                .one(c)
                .await?
                .is_some();
            if taken {
                return Err(AppError::Conflict(format!(
                    "the archive has a session number {count} already"
                )));
            }
            count
        }
        None => {
            let last: Option<i32> = interview_session::Entity::find()
                .select_only()
                .column_as(interview_session::Column::Count.max(), "max")
                .filter(interview_session::Column::ArchiveId.eq(archive.id))
                .into_tuple::<Option<i32>>()
                .one(c)
                .await?
                .flatten();
            let next = last.unwrap_or(0) + 1;
            if next > MAX_SESSIONS_PER_ARCHIVE {
                return Err(AppError::bad_field(
                    "count",
                    format!("an archive has at most {MAX_SESSIONS_PER_ARCHIVE} sessions"),
                ));
            }
            next
        }
    };
    let gender = input.gender.unwrap_or(0);
    if !(0..=2).contains(&gender) {
        return Err(AppError::bad_field("gender", "unknown gender"));
    }
    let date = input
        .date
        .ok_or_else(|| AppError::bad_field("date", "the date is required (`YYYY-MM-DD`)"))?;
    let time = parse_clock(
        input
            .time
            .as_deref()
            .ok_or_else(|| AppError::bad_field("time", "the time is required (`HH:MM`)"))?,
    )?;
    let duration = input
        .duration_minutes
        .ok_or_else(|| AppError::bad_field("duration", "the duration is required (minutes)"))?;
    if !(1..=600).contains(&duration) {
        return Err(AppError::bad_field(
            "duration",
            "the duration is 1 to 600 minutes",
        ));
    }
    let now = Utc::now();
    let mut m = interview_session::ActiveModel {
        archive_id: Set(archive.id),
        consultant_id: Set(viewer.user_id),
        count: Set(count),
        student_name: Set(
            optional(input.student_name, "name", 64, "the student's name")?
                .unwrap_or_else(|| archive.student_name.clone()),
        ),
        gender: Set(gender),
        student_number: Set(optional(
            input.student_number,
            "studentId",
            32,
            "the student number",
        )?),
        school: Set(optional(input.school, "school", 100, "the school")?
            .unwrap_or_else(|| archive.school.clone())),
        grade: Set(optional(input.grade, "grade", 32, "the grade")?
            .unwrap_or_else(|| archive.grade.clone())),
        class_name: Set(optional(input.class_name, "class", 32, "the class")?
            .unwrap_or_else(|| archive.class_name.clone())),
        date: Set(date),
        time: Set(time),
        duration_minutes: Set(duration),
        signature_file: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply_notes(c, &mut m, input.notes, true).await?;
    let session = m.insert(c).await?;
    if count > archive.interview_count {
        interview_archive::Entity::update_many()
            .col_expr(
                interview_archive::Column::InterviewCount,
                Expr::value(count),
            )
            .col_expr(interview_archive::Column::UpdatedAt, Expr::value(now))
            .filter(interview_archive::Column::Id.eq(archive.id))
            .filter(interview_archive::Column::InterviewCount.lt(count))
            .exec(c)
            .await?;
    }
    Ok(session)
}

/// The consultant adds a session to one of their archives. A `HIGH` crisis alerts the
/// organization's administrators.
pub async fn add_session(
    s: &Services,
    viewer: &Viewer,
    input: NewSession,
) -> AppResult<interview_session::Model> {
    policy::require_verified(viewer, &[Role::Consultant])?;
    let txn = s.db.begin().await?;
    let archive = own_archive(&txn, viewer, input.archive_id).await?;
    let session = insert_session(&txn, viewer, &archive, input).await?;
    txn.commit().await?;
    if CrisisLevel::stored(&session.crisis_state) == CrisisLevel::High {
        alert_crisis(s, &session).await;
    }
    Ok(session)
}

/// The consultant updates a session's notes (never its basic fields). A change to `HIGH`
/// alerts the organization's administrators.
pub async fn update_session(
    s: &Services,
    viewer: &Viewer,
    id: i64,
    notes: SessionNotes,
) -> AppResult<interview_session::Model> {
    let txn = s.db.begin().await?;
    let current = interview_session::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .filter(|x| rules::keeps_session(viewer, x))
        .ok_or_else(|| not_found("interview session", id))?;
    let was = CrisisLevel::stored(&current.crisis_state);
    let mut m = current.into_active_model();
    apply_notes(&txn, &mut m, notes, false).await?;
    m.updated_at = Set(Utc::now());
    let session = m.update(&txn).await?;
    txn.commit().await?;
    if was != CrisisLevel::High && CrisisLevel::stored(&session.crisis_state) == CrisisLevel::High {
        alert_crisis(s, &session).await;
    }
    Ok(session)
}

/// Keeps the sessions the caller may read and logs the read.
async fn hand_out_sessions(
    db: &DatabaseConnection,
    viewer: &Viewer,
    sessions: Vec<interview_session::Model>,
) -> AppResult<Vec<interview_session::Model>> {
    let visible: Vec<interview_session::Model> = sessions
        .into_iter()
        .filter(|x| rules::keeps_session(viewer, x))
        .collect();
    audit::reads(
        db,
        viewer,
        "InterviewSession",
        visible.iter().map(|x| (x.id, None)),
    )
    .await?;
    Ok(visible)
}

/// Every session of one of the caller's archives, by count (audited); `None` when the archive
/// is not theirs.
pub async fn sessions_of_archive(
    db: &DatabaseConnection,
    viewer: &Viewer,
    archive_id: i64,
) -> AppResult<Option<Vec<interview_session::Model>>> {
    if find_archive(db, viewer, archive_id).await?.is_none() {
        return Ok(None);
    }
    Ok(Some(
        sessions_by_archive_ids(db, Some(viewer), &[archive_id])
            .await?
            .remove(&archive_id)
            .unwrap_or_default(),
    ))
}

/// Sessions of several archives the caller keeps, by count (audited), for the loaders.
pub async fn sessions_by_archive_ids(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    archive_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<interview_session::Model>>> {
    let Some(viewer) = viewer else {
        return Ok(HashMap::new());
    };
    let rows = interview_session::Entity::find()
        .filter(interview_session::Column::ArchiveId.is_in(archive_ids.iter().copied()))
        .filter(interview_session::Column::ConsultantId.eq(viewer.user_id))
        .order_by_asc(interview_session::Column::ArchiveId)
        .order_by_asc(interview_session::Column::Count)
        .all(db)
        .await?;
    let mut out: HashMap<i64, Vec<interview_session::Model>> = HashMap::new();
    for session in hand_out_sessions(db, viewer, rows).await? {
        out.entry(session.archive_id).or_default().push(session);
    }
    Ok(out)
}

/// One session the caller keeps (audited).
pub async fn find_session(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i64,
) -> AppResult<Option<interview_session::Model>> {
    let found = interview_session::Entity::find_by_id(id).one(db).await?;
    Ok(hand_out_sessions(db, viewer, found.into_iter().collect())
        .await?
        .into_iter()
        .next())
}

/// The images of a session (`signature`, attachments).
pub fn attachments(session: &interview_session::Model) -> Vec<String> {
    super::care::file_list(&session.attachment_files)
}

/// The crisis level of a stored session.
pub fn crisis_of(session: &interview_session::Model) -> CrisisLevel {
    CrisisLevel::stored(&session.crisis_state)
}

//! Counselling consultations (咨询订单): clients book a consultant or the consultant records a
//! walk-in visit; the consultant accepts or rejects, starts and finishes it; the client may
//! comment once on a finished consultation. The dashboard reads today's figure from the orders
//! (by the day of the consultant's time zone) and the others from the tallies that
//! [`consultation_tallies`] keeps with every write; [`live`] defines them as aggregates over
//! the orders.
//!
//! `PENDING_ACCEPTANCE` (booked) → accept → `WAITING` → start → `IN_CONSULTATION` → finish →
//! `FINISHED`; reject: `PENDING_ACCEPTANCE` → `REJECTED`. A walk-in starts in `WAITING`.
//! A consultant sees only their own orders; a client only the orders they booked.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use entity::{consultant_comment, consultant_profile, consultation_order, user};
use rand::Rng;
use sea_orm::sea_query::{Expr, ExprTrait, Func, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set, Statement,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};

use super::consultation_tallies::{self, Tallies};
use super::page::{self, Page, PageRequest};
use super::profiles::DEFAULT_UTC_OFFSET_MINUTES;
use super::transitions::Machine;
use crate::auth::{Role, Viewer};
use crate::error::{AppError, AppResult};
use crate::policy;

/// Where a consultation stands.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConsultationState {
    /// Booked by the client, waiting for the consultant (待接单).
    PendingAcceptance,
    /// Accepted (or a walk-in), waiting for its time (等待中).
    Waiting,
    /// Under way (咨询中).
    InConsultation,
    /// Over (已结束).
    Finished,
    /// Refused by the consultant (已拒绝).
    Rejected,
}

impl ConsultationState {
    /// Every state.
    pub const ALL: [ConsultationState; 5] = [
        ConsultationState::PendingAcceptance,
        ConsultationState::Waiting,
        ConsultationState::InConsultation,
        ConsultationState::Finished,
        ConsultationState::Rejected,
    ];

    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsultationState::PendingAcceptance => "pending_acceptance",
            ConsultationState::Waiting => "waiting",
            ConsultationState::InConsultation => "in_consultation",
            ConsultationState::Finished => "finished",
            ConsultationState::Rejected => "rejected",
        }
    }

    /// The legacy (Chinese) label.
    pub fn label(self) -> &'static str {
        match self {
            ConsultationState::PendingAcceptance => "待接单",
            ConsultationState::Waiting => "等待中",
            ConsultationState::InConsultation => "咨询中",
            ConsultationState::Finished => "已结束",
            ConsultationState::Rejected => "已拒绝",
        }
    }

    /// Parses the stored form, the legacy label (also the document's `咨询师中`) or the
    /// GraphQL name.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s == "咨询师中" {
            return Some(ConsultationState::InConsultation);
        }
        Self::ALL.into_iter().find(|state| {
            state.as_str() == s
                || state.label() == s
                || state.as_str().eq_ignore_ascii_case(&s.replace(' ', "_"))
        })
    }
}

/// How a consultation takes place.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConsultationKind {
    /// Online (线上咨询 / 在线咨询).
    Online,
    /// In person (线下咨询).
    Offline,
}

impl ConsultationKind {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsultationKind::Online => "online",
            ConsultationKind::Offline => "offline",
        }
    }

    /// The legacy (Chinese) label, the counselling document's vocabulary (`type`: 在线咨询/线下咨询).
    pub fn label(self) -> &'static str {
        match self {
            ConsultationKind::Online => "在线咨询",
            ConsultationKind::Offline => "线下咨询",
        }
    }

    /// Parses the stored form or a legacy label.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "online" | "ONLINE" | "线上咨询" | "在线咨询" | "线上" | "在线" => {
                Some(ConsultationKind::Online)
            }
            "offline" | "OFFLINE" | "线下咨询" | "线下" => Some(ConsultationKind::Offline),
            _ => None,
        }
    }
}

/// The consultation state machine.
const ORDERS: Machine<consultation_order::Entity> = Machine {
    what: "consultation",
    id: consultation_order::Column::Id,
    state: consultation_order::Column::State,
    updated_at: consultation_order::Column::UpdatedAt,
};

/// A consultation to record or book.
#[derive(Debug, Clone, Default)]
pub struct NewConsultation {
    /// The client's name; for a booking, the account's name when empty.
    pub client_name: String,
    pub client_age: Option<i32>,
    /// 0 undisclosed, 1 male, 2 female.
    pub client_gender: i16,
    /// Phone number or WeChat id; for a booking, the account's phone when empty.
    pub contact: String,
    pub kind: Option<ConsultationKind>,
    pub date: Option<NaiveDate>,
    /// `HH:MM-HH:MM`.
    pub time_slot: String,
    pub keywords: Vec<String>,
    pub amount_cents: i64,
    /// The client profile it concerns (one the consultant keeps); found or opened from the
    /// client's name and contact when absent.
    pub client_profile_id: Option<i64>,
}

fn text(value: &str, field: &str, max: usize, what: &str) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::bad_field(field, format!("{what} is required")));
    }
    if value.chars().count() > max {
        return Err(AppError::bad_field(
            field,
            format!("{what} is at most {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

/// `HH:MM-HH:MM` with the start before the end.
pub fn parse_time_slot(slot: &str) -> AppResult<String> {
    let bad = || AppError::bad_field("time", "the time slot is `HH:MM-HH:MM`, e.g. `09:00-10:00`");
    let (start, end) = slot.trim().split_once('-').ok_or_else(bad)?;
    let parse = |t: &str| chrono::NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad());
    let (start, end) = (parse(start)?, parse(end)?);
    if start >= end {
        return Err(AppError::bad_field(
            "time",
            "the time slot must end after it starts",
        ));
    }
    Ok(format!("{}-{}", start.format("%H:%M"), end.format("%H:%M")))
}

fn order_no(now: DateTime<Utc>) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let suffix: String = (0..8)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    format!("C{}{suffix}", now.format("%Y%m%d"))
}

async fn insert(
    db: &DatabaseConnection,
    viewer: &Viewer,
    consultant_id: i64,
    client_id: Option<i64>,
    input: NewConsultation,
    state: ConsultationState,
) -> AppResult<consultation_order::Model> {
    let name = text(&input.client_name, "name", 64, "the client's name")?;
    let contact = text(&input.contact, "contact", 64, "the contact")?;
    if let Some(age) = input.client_age
        && !(1..=120).contains(&age)
    {
        return Err(AppError::bad_field("age", "age is 1 to 120"));
    }
    if !(0..=2).contains(&input.client_gender) {
        return Err(AppError::bad_field("gender", "unknown gender"));
    }
    let kind = input
        .kind
        .ok_or_else(|| AppError::bad_field("type", "the type is 在线咨询 or 线下咨询"))?;
    let date = input
        .date
        .ok_or_else(|| AppError::bad_field("date", "the date is `YYYY-MM-DD`"))?;
    let slot = parse_time_slot(&input.time_slot)?;
    if input.keywords.len() > 10 {
        return Err(AppError::bad_field("key_word", "at most 10 keywords"));
    }
    let mut keywords = Vec::with_capacity(input.keywords.len());
    for keyword in &input.keywords {
        let keyword = text(keyword, "key_word", 20, "a keyword")?;
        if !keywords.contains(&keyword) {
            keywords.push(keyword);
        }
    }
    if input.amount_cents < 0 {
        return Err(AppError::bad_field(
            "amount",
            "the amount cannot be negative",
        ));
    }
    let txn = db.begin().await?;
    let profile_id = match input.client_profile_id {
        Some(id) => {
            let profile = entity::client_profile::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .filter(|p| p.consultant_id == viewer.user_id)
                .ok_or_else(|| {
                    AppError::bad_field("clientProfileId", format!("client profile {id} not found"))
                })?;
            profile.id
        }
        None => {
            super::interviews::profile_for_order(
                &txn,
                consultant_id,
                client_id,
                &super::interviews::ClientFacts {
                    name: &name,
                    gender: input.client_gender,
                    age: input.client_age,
                    contact: &contact,
                },
            )
            .await?
        }
    };
    let now = Utc::now();
    let model = consultation_order::ActiveModel {
        client_profile_id: Set(Some(profile_id)),
        order_no: Set(order_no(now)),
        consultant_id: Set(consultant_id),
        client_id: Set(client_id),
        client_name: Set(name),
        client_age: Set(input.client_age),
        client_gender: Set(input.client_gender),
        contact: Set(contact),
        kind: Set(kind.as_str().into()),
        date: Set(date),
        time_slot: Set(slot),
        keywords: Set(serde_json::to_string(&keywords).map_err(AppError::internal)?),
        amount_cents: Set(input.amount_cents),
        state: Set(state.as_str().into()),
        accepted_at: Set((state == ConsultationState::Waiting).then_some(now)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let saved = model.insert(&txn).await?;
    consultation_tallies::order_changed(&txn, None, Some(&saved)).await?;
    txn.commit().await?;
    Ok(saved)
}

/// A consultant records a walk-in visit (新增来访); it waits for its time.
pub async fn record_walk_in(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: NewConsultation,
) -> AppResult<consultation_order::Model> {
    policy::require_verified(viewer, &[Role::Consultant])?;
    insert(
        db,
        viewer,
        viewer.user_id,
        None,
        input,
        ConsultationState::Waiting,
    )
    .await
}

/// A client books a consultant; the consultant accepts or rejects it.
pub async fn book(
    db: &DatabaseConnection,
    viewer: &Viewer,
    consultant_id: i64,
    mut input: NewConsultation,
) -> AppResult<consultation_order::Model> {
    if consultant_id == viewer.user_id {
        return Err(AppError::bad_field(
            "consultantId",
            "a consultant cannot book themself",
        ));
    }
    let roles = super::accounts::roles_by_user_ids(db, &[consultant_id]).await?;
    if !roles
        .get(&consultant_id)
        .is_some_and(|r| r.contains(&Role::Consultant))
    {
        return Err(AppError::bad_field(
            "consultantId",
            "the account is not a consultant",
        ));
    }
    let me = user::Entity::find_by_id(viewer.user_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::Unauthenticated("the account no longer exists".into()))?;
    if input.client_name.trim().is_empty() {
        input.client_name = me.real_name.clone().unwrap_or(me.display_name.clone());
    }
    if input.contact.trim().is_empty() {
        input.contact = me.phone.clone().unwrap_or_default();
    }
    if input.client_gender == 0 {
        input.client_gender = me.gender;
    }
    input.client_profile_id = None;
    insert(
        db,
        viewer,
        consultant_id,
        Some(viewer.user_id),
        input,
        ConsultationState::PendingAcceptance,
    )
    .await
}

async fn own_order(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i64,
) -> AppResult<consultation_order::Model> {
    consultation_order::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|o| o.consultant_id == viewer.user_id)
        .ok_or_else(|| AppError::NotFound(format!("consultation {id} not found")))
}

async fn move_order(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i64,
    from: ConsultationState,
    to: ConsultationState,
    mut changes: Vec<(consultation_order::Column, SimpleExpr)>,
    action: &str,
) -> AppResult<consultation_order::Model> {
    let current = own_order(db, viewer, id).await?;
    if current.state != from.as_str() {
        let state = ConsultationState::parse(&current.state)
            .map(ConsultationState::label)
            .unwrap_or("?");
        return Err(AppError::Conflict(format!(
            "consultation {id} is {state} ({}); it cannot be {action}",
            current.state
        )));
    }
    changes.push((consultation_order::Column::State, Expr::value(to.as_str())));
    // The move and the dashboard's tallies (moving to or from rejected changes whether the
    // order counts) in one transaction.
    let txn = db.begin().await?;
    let after = ORDERS.apply(&txn, id, &current.state, changes).await?;
    let before = consultation_order::Model {
        state: current.state,
        ..after.clone()
    };
    consultation_tallies::order_changed(&txn, Some(&before), Some(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// The consultant accepts a booked consultation.
pub async fn accept(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i64,
) -> AppResult<consultation_order::Model> {
    move_order(
        db,
        viewer,
        id,
        ConsultationState::PendingAcceptance,
        ConsultationState::Waiting,
        vec![(
            consultation_order::Column::AcceptedAt,
            Expr::value(Utc::now()),
        )],
        "accepted",
    )
    .await
}

/// The consultant rejects a booked consultation, with a reason for the client.
pub async fn reject(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i64,
    reason: &str,
) -> AppResult<consultation_order::Model> {
    let reason = text(reason, "reason", 200, "the reason")?;
    move_order(
        db,
        viewer,
        id,
        ConsultationState::PendingAcceptance,
        ConsultationState::Rejected,
        vec![(
            consultation_order::Column::RejectReason,
            Expr::value(reason),
        )],
        "rejected",
    )
    .await
}

/// The consultant starts a waiting consultation.
pub async fn start(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i64,
) -> AppResult<consultation_order::Model> {
    move_order(
        db,
        viewer,
        id,
        ConsultationState::Waiting,
        ConsultationState::InConsultation,
        vec![(
            consultation_order::Column::StartedAt,
            Expr::value(Utc::now()),
        )],
        "started",
    )
    .await
}

/// The consultant finishes a consultation under way.
pub async fn finish(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i64,
) -> AppResult<consultation_order::Model> {
    move_order(
        db,
        viewer,
        id,
        ConsultationState::InConsultation,
        ConsultationState::Finished,
        vec![(
            consultation_order::Column::FinishedAt,
            Expr::value(Utc::now()),
        )],
        "finished",
    )
    .await
}

/// One consultation: for its consultant or the client who booked it.
pub async fn find(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i64,
) -> AppResult<Option<consultation_order::Model>> {
    Ok(consultation_order::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|o| o.consultant_id == viewer.user_id || o.client_id == Some(viewer.user_id)))
}

/// Whose consultations a list shows.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ConsultationScope {
    /// The caller's, as the consultant.
    Consultant,
    /// The ones the caller booked, as a client.
    Client,
}

/// Which consultations a list shows.
#[derive(Debug, Clone)]
pub struct ConsultationFilter {
    pub scope: ConsultationScope,
    /// Part of the client's name.
    pub name: Option<String>,
    /// First and last day (inclusive) of the consultation date.
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    pub kind: Option<ConsultationKind>,
    pub states: Option<Vec<ConsultationState>>,
}

/// A page of consultations, latest date first.
pub async fn list(
    db: &DatabaseConnection,
    viewer: &Viewer,
    filter: &ConsultationFilter,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<consultation_order::Model>> {
    let mut cond = Condition::all();
    cond = match filter.scope {
        ConsultationScope::Consultant => {
            policy::require_verified(viewer, &[Role::Consultant])?;
            cond.add(consultation_order::Column::ConsultantId.eq(viewer.user_id))
        }
        ConsultationScope::Client => {
            cond.add(consultation_order::Column::ClientId.eq(viewer.user_id))
        }
    };
    if let Some(name) = filter
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        cond = cond.add(page::contains(consultation_order::Column::ClientName, name));
    }
    if let (Some(from), Some(to)) = (filter.date_from, filter.date_to)
        && from > to
    {
        return Err(AppError::bad_field(
            "date_start",
            "the first day is after the last",
        ));
    }
    if let Some(from) = filter.date_from {
        cond = cond.add(consultation_order::Column::Date.gte(from));
    }
    if let Some(to) = filter.date_to {
        cond = cond.add(consultation_order::Column::Date.lte(to));
    }
    if let Some(kind) = filter.kind {
        cond = cond.add(consultation_order::Column::Kind.eq(kind.as_str()));
    }
    if let Some(states) = &filter.states {
        cond = cond.add(consultation_order::Column::State.is_in(states.iter().map(|s| s.as_str())));
    }
    page::fetch(
        db,
        consultation_order::Entity::find().filter(cond),
        |q| {
            q.order_by_desc(consultation_order::Column::Date)
                .order_by_desc(consultation_order::Column::Id)
        },
        window,
        with_total,
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Comments

/// The client of a finished consultation comments on it and rates the consultant (1 to 5),
/// once.
pub async fn comment(
    db: &DatabaseConnection,
    viewer: &Viewer,
    order_id: i64,
    rating: i32,
    content: &str,
) -> AppResult<consultant_comment::Model> {
    let content = text(content, "content", 500, "the comment")?;
    if !(1..=5).contains(&rating) {
        return Err(AppError::bad_field("rating", "the rating is 1 to 5"));
    }
    let order = consultation_order::Entity::find_by_id(order_id)
        .one(db)
        .await?
        .filter(|o| o.client_id == Some(viewer.user_id) || o.consultant_id == viewer.user_id)
        .ok_or_else(|| AppError::NotFound(format!("consultation {order_id} not found")))?;
    if order.client_id != Some(viewer.user_id) {
        return Err(AppError::Forbidden(
            "only the client who booked the consultation may comment on it".into(),
        ));
    }
    if order.state != ConsultationState::Finished.as_str() {
        return Err(AppError::Conflict(
            "only a finished consultation can be commented on".into(),
        ));
    }
    consultant_comment::ActiveModel {
        order_id: Set(order.id),
        consultant_id: Set(order.consultant_id),
        client_id: Set(viewer.user_id),
        rating: Set(i16::try_from(rating).map_err(AppError::internal)?),
        content: Set(content),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => {
            AppError::Conflict("this consultation already has a comment".into())
        }
        other => other,
    })
}

/// A page of the comments on the calling consultant, newest first.
pub async fn comments(
    db: &DatabaseConnection,
    viewer: &Viewer,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<consultant_comment::Model>> {
    policy::require_verified(viewer, &[Role::Consultant])?;
    page::fetch(
        db,
        consultant_comment::Entity::find()
            .filter(consultant_comment::Column::ConsultantId.eq(viewer.user_id)),
        |q| q.order_by_desc(consultant_comment::Column::Id),
        window,
        with_total,
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Dashboard

/// The consultant's time zone (their profile's UTC offset; China Standard Time by default).
pub async fn offset_of(db: &DatabaseConnection, consultant_id: i64) -> AppResult<FixedOffset> {
    let minutes = consultant_profile::Entity::find_by_id(consultant_id)
        .one(db)
        .await?
        .map_or(DEFAULT_UTC_OFFSET_MINUTES, |p| p.utc_offset_minutes);
    FixedOffset::east_opt(minutes * 60)
        .ok_or_else(|| AppError::internal(format!("UTC offset {minutes} min")))
}

/// What the dashboard is computed for: a consultant, in their time zone, at a moment.
#[derive(Debug, Clone, Copy)]
pub struct DashboardScope {
    pub consultant_id: i64,
    pub offset: FixedOffset,
    pub now: DateTime<Utc>,
}

impl DashboardScope {
    /// The calling consultant's dashboard, now.
    pub async fn of(db: &DatabaseConnection, viewer: &Viewer) -> AppResult<Self> {
        policy::require_verified(viewer, &[Role::Consultant])?;
        Ok(Self {
            consultant_id: viewer.user_id,
            offset: offset_of(db, viewer.user_id).await?,
            now: Utc::now(),
        })
    }

    fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.offset).date_naive()
    }

    /// The consultant's current year.
    pub fn year(&self) -> i32 {
        self.today().year()
    }

    /// `[start, end)` in UTC of the consultant's local day.
    fn day_bounds(&self, day: NaiveDate) -> AppResult<(DateTime<Utc>, DateTime<Utc>)> {
        let start = self
            .offset
            .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
            .single()
            .ok_or_else(|| AppError::internal("local midnight"))?
            .with_timezone(&Utc);
        Ok((start, start + Duration::days(1)))
    }
}

fn count(e: impl Into<Expr>) -> Expr {
    Func::count(e).into()
}

fn count_distinct(e: impl Into<Expr>) -> Expr {
    Func::count_distinct(e).into()
}

/// `CAST(SUM(e) AS BIGINT)`: PostgreSQL sums bigints as numerics.
fn sum(e: impl Into<Expr>) -> Expr {
    Func::cast_as(Func::sum(e), sea_orm::sea_query::Alias::new("BIGINT")).into()
}

/// Orders that count on the dashboard: every state but rejected.
fn counted(scope: &DashboardScope) -> Condition {
    Condition::all()
        .add(consultation_order::Column::ConsultantId.eq(scope.consultant_id))
        .add(consultation_order::Column::State.ne(ConsultationState::Rejected.as_str()))
}

#[derive(Debug, FromQueryResult)]
struct CountSum {
    n: i64,
    total: Option<i64>,
}

/// Consultations committed today (the consultant's day): how many, and their amount in cents.
pub async fn today(db: &DatabaseConnection, scope: &DashboardScope) -> AppResult<(i64, i64)> {
    let (start, end) = scope.day_bounds(scope.today())?;
    let row = consultation_order::Entity::find()
        .select_only()
        .column_as(count(Expr::col(consultation_order::Column::Id)), "n")
        .column_as(
            sum(Expr::col(consultation_order::Column::AmountCents)),
            "total",
        )
        .filter(counted(scope))
        .filter(consultation_order::Column::CreatedAt.gte(start))
        .filter(consultation_order::Column::CreatedAt.lt(end))
        .into_model::<CountSum>()
        .one(db)
        .await?;
    Ok(row.map_or((0, 0), |r| (r.n, r.total.unwrap_or(0))))
}

/// The age bands of the dashboard.
pub const AGE_BANDS: [(&str, i32, i32); 6] = [
    ("1-17", 1, 17),
    ("18-25", 18, 25),
    ("26-35", 26, 35),
    ("36-45", 36, 45),
    ("46-55", 46, 55),
    ("55+", 56, 200),
];

/// Online and offline consultations, all time (from the tallies).
pub async fn by_kind(db: &DatabaseConnection, scope: &DashboardScope) -> AppResult<(i64, i64)> {
    Ok(Tallies::load(db, scope.consultant_id).await?.by_kind())
}

/// This year's consultations (by consultation date): the total and one count per month (from
/// the tallies).
pub async fn this_year(
    db: &DatabaseConnection,
    scope: &DashboardScope,
) -> AppResult<(i64, [i64; 12])> {
    Tallies::load(db, scope.consultant_id)
        .await?
        .year(scope.year())
}

/// Appointments per starting hour of their time slot, all time, by hour (from the tallies).
pub async fn by_time_slot(
    db: &DatabaseConnection,
    scope: &DashboardScope,
) -> AppResult<Vec<(i32, i64)>> {
    Ok(Tallies::load(db, scope.consultant_id).await?.by_time_slot())
}

/// Distinct clients (by contact) per gender code (0 undisclosed, 1 male, 2 female), from the
/// tallies.
pub async fn clients_by_gender(
    db: &DatabaseConnection,
    scope: &DashboardScope,
) -> AppResult<[i64; 3]> {
    Ok(Tallies::load(db, scope.consultant_id)
        .await?
        .clients_by_gender())
}

/// Distinct clients (by contact) per age band of [`AGE_BANDS`], from the tallies.
pub async fn clients_by_age(
    db: &DatabaseConnection,
    scope: &DashboardScope,
) -> AppResult<[i64; 6]> {
    Ok(Tallies::load(db, scope.consultant_id)
        .await?
        .clients_by_age())
}

/// The dashboard's figures as aggregates over all of the consultant's orders: their definition,
/// which [`consultation_tallies`] must always agree with (the tests compare them after every
/// write). Each reads every counted order of the consultant; the dashboard does not use them.
pub mod live {
    use super::*;

    #[derive(Debug, FromQueryResult)]
    struct KeyCount {
        key: String,
        n: i64,
    }

    /// Online and offline consultations, all time.
    pub async fn by_kind(db: &DatabaseConnection, scope: &DashboardScope) -> AppResult<(i64, i64)> {
        let rows = consultation_order::Entity::find()
            .select_only()
            .column_as(consultation_order::Column::Kind, "key")
            .column_as(count(Expr::col(consultation_order::Column::Id)), "n")
            .filter(counted(scope))
            .group_by(consultation_order::Column::Kind)
            .into_model::<KeyCount>()
            .all(db)
            .await?;
        let count = |kind: ConsultationKind| {
            rows.iter()
                .find(|r| r.key == kind.as_str())
                .map_or(0, |r| r.n)
        };
        Ok((
            count(ConsultationKind::Online),
            count(ConsultationKind::Offline),
        ))
    }

    /// This year's consultations (by consultation date): the total and one count per month.
    pub async fn this_year(
        db: &DatabaseConnection,
        scope: &DashboardScope,
    ) -> AppResult<(i64, [i64; 12])> {
        let year = scope.today().year();
        let first = |month: u32| NaiveDate::from_ymd_opt(year, month, 1);
        let mut select = consultation_order::Entity::find().select_only();
        for month in 1..=12u32 {
            let (Some(start), Some(end)) = (
                first(month),
                if month == 12 {
                    NaiveDate::from_ymd_opt(year + 1, 1, 1)
                } else {
                    first(month + 1)
                },
            ) else {
                return Err(AppError::internal("month bounds"));
            };
            // COUNT(CASE … THEN 1 END) per month: one statement, alike on SQLite and PostgreSQL.
            select = select.column_as(
                count(Expr::case(
                    Expr::col(consultation_order::Column::Date)
                        .gte(start)
                        .and(Expr::col(consultation_order::Column::Date).lt(end)),
                    1,
                )),
                format!("m{month}"),
            );
        }
        let (Some(start), Some(end)) = (first(1), NaiveDate::from_ymd_opt(year + 1, 1, 1)) else {
            return Err(AppError::internal("year bounds"));
        };
        let row = select
            .filter(counted(scope))
            .filter(consultation_order::Column::Date.gte(start))
            .filter(consultation_order::Column::Date.lt(end))
            .build(db.get_database_backend());
        let months = match db.query_one_raw(row).await? {
            Some(row) => {
                let mut months = [0i64; 12];
                for (i, slot) in months.iter_mut().enumerate() {
                    *slot = row.try_get::<i64>("", &format!("m{}", i + 1))?;
                }
                months
            }
            None => [0; 12],
        };
        Ok((months.iter().sum(), months))
    }

    /// Appointments per starting hour of their time slot, all time, by hour.
    pub async fn by_time_slot(
        db: &DatabaseConnection,
        scope: &DashboardScope,
    ) -> AppResult<Vec<(i32, i64)>> {
        let backend = db.get_database_backend();
        let statement = Statement::from_sql_and_values(
            backend,
            match backend {
                sea_orm::DatabaseBackend::Postgres => {
                    "SELECT SUBSTR(time_slot, 1, 2) AS key, COUNT(*) AS n FROM consultation_orders \
                     WHERE consultant_id = $1 AND state <> $2 GROUP BY SUBSTR(time_slot, 1, 2) \
                     ORDER BY key"
                }
                _ => {
                    "SELECT SUBSTR(time_slot, 1, 2) AS key, COUNT(*) AS n FROM consultation_orders \
                     WHERE consultant_id = ? AND state <> ? GROUP BY SUBSTR(time_slot, 1, 2) \
                     ORDER BY key"
                }
            },
            [
                scope.consultant_id.into(),
                ConsultationState::Rejected.as_str().into(),
            ],
        );
        let rows = KeyCount::find_by_statement(statement).all(db).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| r.key.parse::<i32>().ok().map(|hour| (hour, r.n)))
            .collect())
    }

    /// Distinct clients (by contact) per gender code (0 undisclosed, 1 male, 2 female).
    pub async fn clients_by_gender(
        db: &DatabaseConnection,
        scope: &DashboardScope,
    ) -> AppResult<[i64; 3]> {
        #[derive(Debug, FromQueryResult)]
        struct GenderCount {
            gender: i16,
            n: i64,
        }
        let rows = consultation_order::Entity::find()
            .select_only()
            .column_as(consultation_order::Column::ClientGender, "gender")
            .column_as(
                count_distinct(Expr::col(consultation_order::Column::Contact)),
                "n",
            )
            .filter(counted(scope))
            .group_by(consultation_order::Column::ClientGender)
            .into_model::<GenderCount>()
            .all(db)
            .await?;
        let mut out = [0i64; 3];
        for row in rows {
            if let Some(slot) = usize::try_from(row.gender)
                .ok()
                .and_then(|g| out.get_mut(g))
            {
                *slot = row.n;
            }
        }
        Ok(out)
    }

    /// Distinct clients (by contact) per age band of [`AGE_BANDS`].
    pub async fn clients_by_age(
        db: &DatabaseConnection,
        scope: &DashboardScope,
    ) -> AppResult<[i64; 6]> {
        let mut select = consultation_order::Entity::find().select_only();
        for (i, (_, low, high)) in AGE_BANDS.iter().enumerate() {
            select = select.column_as(
                count_distinct(Expr::case(
                    Expr::col(consultation_order::Column::ClientAge).between(*low, *high),
                    Expr::col(consultation_order::Column::Contact),
                )),
                format!("b{i}"),
            );
        }
        let statement = select
            .filter(counted(scope))
            .build(db.get_database_backend());
        let mut out = [0i64; 6];
        if let Some(row) = db.query_one_raw(statement).await? {
            for (i, slot) in out.iter_mut().enumerate() {
                *slot = row.try_get::<i64>("", &format!("b{i}"))?;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_slots_parse() {
        for state in ConsultationState::ALL {
            assert_eq!(ConsultationState::parse(state.label()), Some(state));
            assert_eq!(ConsultationState::parse(state.as_str()), Some(state));
        }
        assert_eq!(
            ConsultationState::parse("咨询师中"),
            Some(ConsultationState::InConsultation)
        );
        assert_eq!(
            ConsultationKind::parse("在线咨询"),
            Some(ConsultationKind::Online)
        );
        assert_eq!(
            ConsultationKind::parse("线上咨询"),
            Some(ConsultationKind::Online)
        );
        for kind in [ConsultationKind::Online, ConsultationKind::Offline] {
            assert_eq!(ConsultationKind::parse(kind.label()), Some(kind));
        }
        assert_eq!(
            parse_time_slot(" 9:00-10:30").ok().as_deref(),
            Some("09:00-10:30")
        );
        assert!(parse_time_slot("10:00-09:00").is_err());
        assert!(parse_time_slot("morning").is_err());
        assert!(order_no(Utc::now()).starts_with('C'));
    }
}

//! Counselling consultations, clients' comments and the consultant's dashboard.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use entity::{consultant_comment, consultation_order};

use super::{Gender, User, loaders};
use crate::domain::consultation_tallies::Tallies;
use crate::domain::consultations::{
    self, AGE_BANDS, ConsultationKind, ConsultationState, DashboardScope,
};
use crate::domain::profiles::DEFAULT_UTC_OFFSET_MINUTES;
use crate::graphql::loaders::load_err;
use crate::graphql::node::global_id;
use crate::graphql::services;

/// A counselling consultation (咨询订单): booked by a client or recorded by the consultant as
/// a walk-in. Visible to its consultant and to the client who booked it.
#[derive(Clone, Debug)]
pub struct ConsultationOrder(pub consultation_order::Model);

/// `at` in the time zone of consultant `consultant_id`, `YYYY-MM-DD HH:MM:SS`.
pub(super) async fn consultant_local(
    ctx: &Context<'_>,
    consultant_id: i64,
    at: Option<DateTime<Utc>>,
) -> async_graphql::Result<Option<String>> {
    let Some(at) = at else { return Ok(None) };
    let minutes = loaders(ctx)?
        .consultant_profile
        .load_one(consultant_id)
        .await
        .map_err(load_err)?
        .map_or(DEFAULT_UTC_OFFSET_MINUTES, |p| p.utc_offset_minutes);
    let offset = FixedOffset::east_opt(minutes * 60)
        .ok_or_else(|| async_graphql::Error::new("bad UTC offset"))?;
    Ok(Some(
        at.with_timezone(&offset)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
    ))
}

/// A counselling consultation (咨询订单): booked by a client or recorded by the consultant as
/// a walk-in. Visible to its consultant and to the client who booked it.
#[Object]
impl ConsultationOrder {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("ConsultationOrder", self.0.id)
    }

    /// The integer id the counselling dialect uses.
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// The client's personal profile, for the consultant only (the read is audited).
    async fn client_profile(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<super::ClientProfile>> {
        super::interview::client_profile_of(ctx, self.0.client_profile_id).await
    }

    /// Public order number (订单号).
    async fn order_no(&self) -> &str {
        &self.0.order_no
    }

    /// The consultant.
    async fn consultant(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(loaders(ctx)?
            .user
            .load_one(self.0.consultant_id)
            .await
            .map_err(load_err)?
            .map(User))
    }

    /// The client's name (姓名).
    async fn client_name(&self) -> &str {
        &self.0.client_name
    }

    /// The client's age.
    async fn client_age(&self) -> Option<i32> {
        self.0.client_age
    }

    /// The client's gender.
    async fn client_gender(&self) -> Gender {
        Gender::from_code(self.0.client_gender)
    }

    /// Phone number or WeChat id of the client (联系方式).
    async fn contact(&self) -> &str {
        &self.0.contact
    }

    /// Online or in person.
    async fn kind(&self) -> ConsultationKind {
        ConsultationKind::parse(&self.0.kind).unwrap_or(ConsultationKind::Offline)
    }

    /// Day of the consultation (the consultant's calendar).
    async fn date(&self) -> NaiveDate {
        self.0.date
    }

    /// Time slot, `HH:MM-HH:MM`.
    async fn time_slot(&self) -> &str {
        &self.0.time_slot
    }

    /// Keywords (关键字) of the client's concern.
    async fn keywords(&self) -> Vec<String> {
        serde_json::from_str(&self.0.keywords).unwrap_or_default()
    }

    /// Amount, in cents (分).
    async fn amount_cents(&self) -> i64 {
        self.0.amount_cents
    }

    /// Where it stands.
    async fn state(&self) -> ConsultationState {
        ConsultationState::parse(&self.0.state).unwrap_or(ConsultationState::Waiting)
    }

    /// Why the consultant rejected it.
    async fn reject_reason(&self) -> Option<&str> {
        self.0.reject_reason.as_deref()
    }

    /// When it was committed (booked or recorded).
    async fn committed_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// `committedAt` in the consultant's time zone, `YYYY-MM-DD HH:MM:SS`.
    async fn committed_at_local(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(
            consultant_local(ctx, self.0.consultant_id, Some(self.0.created_at))
                .await?
                .unwrap_or_default(),
        )
    }

    /// When the consultant accepted it.
    async fn accepted_at(&self) -> Option<DateTime<Utc>> {
        self.0.accepted_at
    }

    /// When it started.
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }

    /// When it finished.
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }

    /// `finishedAt` in the consultant's time zone, `YYYY-MM-DD HH:MM:SS`.
    async fn finished_at_local(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        consultant_local(ctx, self.0.consultant_id, self.0.finished_at).await
    }
}

/// A client's comment and rating on a consultant (评论), for one finished consultation.
#[derive(Clone, Debug)]
pub struct ConsultantComment(pub consultant_comment::Model);

/// A client's comment and rating on a consultant (评论), for one finished consultation.
#[Object]
impl ConsultantComment {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("ConsultantComment", self.0.id)
    }

    /// The integer id the counselling dialect uses.
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// The client who wrote it.
    async fn client(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(loaders(ctx)?
            .user
            .load_one(self.0.client_id)
            .await
            .map_err(load_err)?
            .map(User))
    }

    /// The consultant it is about.
    async fn consultant(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(loaders(ctx)?
            .user
            .load_one(self.0.consultant_id)
            .await
            .map_err(load_err)?
            .map(User))
    }

    /// Rating, 1 to 5.
    async fn rating(&self) -> i32 {
        i32::from(self.0.rating)
    }

    /// The comment.
    async fn content(&self) -> &str {
        &self.0.content
    }

    /// When it was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// `createdAt` in the consultant's time zone, `YYYY-MM-DD HH:MM:SS`.
    async fn created_at_local(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(
            consultant_local(ctx, self.0.consultant_id, Some(self.0.created_at))
                .await?
                .unwrap_or_default(),
        )
    }
}

/// Consultations committed today.
#[derive(SimpleObject)]
pub struct DayTotals {
    /// How many (交易数量).
    pub count: i64,
    /// Their amount in cents (总交易金额, 分).
    pub amount_cents: i64,
}

/// Consultations by kind.
#[derive(SimpleObject)]
pub struct KindTotals {
    /// Online (线上).
    pub online: i64,
    /// In person (线下).
    pub offline: i64,
}

/// This year's consultations.
#[derive(SimpleObject)]
pub struct YearTotals {
    /// All of them.
    pub total: i64,
    /// January to December.
    pub months: Vec<i64>,
}

/// Appointments starting in one hour of the day.
#[derive(SimpleObject)]
pub struct SlotCount {
    /// Starting hour, 0-23.
    pub hour: i32,
    /// How many appointments.
    pub appointments: i64,
}

/// Distinct clients by gender.
#[derive(SimpleObject)]
pub struct GenderTotals {
    /// Men (男).
    pub male: i64,
    /// Women (女).
    pub female: i64,
    /// Not disclosed.
    pub undisclosed: i64,
}

/// Distinct clients in one age band.
#[derive(SimpleObject)]
pub struct AgeBandCount {
    /// `1-17`, `18-25`, `26-35`, `36-45`, `46-55` or `55+`.
    pub band: String,
    /// Distinct clients whose age falls in the band.
    pub clients: i64,
}

/// The calling consultant's dashboard (首页), in their time zone; rejected consultations do
/// not count. `today` is one SQL aggregate; the other fields come from the consultant's
/// tallies, read once per request whichever of them are selected.
pub struct ConsultationDashboard {
    scope: DashboardScope,
    tallies: tokio::sync::OnceCell<Tallies>,
}

impl ConsultationDashboard {
    /// The dashboard of `scope`; nothing is read until a field is resolved.
    pub fn new(scope: DashboardScope) -> Self {
        Self {
            scope,
            tallies: tokio::sync::OnceCell::new(),
        }
    }

    /// The consultant's tallies: one statement for all the fields that need them.
    async fn tallies(&self, ctx: &Context<'_>) -> async_graphql::Result<&Tallies> {
        let db = &services(ctx)?.db;
        Ok(self
            .tallies
            .get_or_try_init(|| Tallies::load(db, self.scope.consultant_id))
            .await?)
    }
}

/// The calling consultant's dashboard (首页), in their time zone; rejected consultations do
/// not count. `today` is one SQL aggregate; the other fields come from the consultant's
/// tallies, read once per request whichever of them are selected.
#[Object]
impl ConsultationDashboard {
    /// Consultations committed today: count and amount.
    async fn today(&self, ctx: &Context<'_>) -> async_graphql::Result<DayTotals> {
        let (count, amount_cents) = consultations::today(&services(ctx)?.db, &self.scope).await?;
        Ok(DayTotals {
            count,
            amount_cents,
        })
    }

    /// Online versus in-person consultations.
    async fn kinds(&self, ctx: &Context<'_>) -> async_graphql::Result<KindTotals> {
        let (online, offline) = self.tallies(ctx).await?.by_kind();
        Ok(KindTotals { online, offline })
    }

    /// This year's consultations by their date: total and per month.
    async fn year(&self, ctx: &Context<'_>) -> async_graphql::Result<YearTotals> {
        let (total, months) = self.tallies(ctx).await?.year(self.scope.year())?;
        Ok(YearTotals {
            total,
            months: months.to_vec(),
        })
    }

    /// Appointments per starting hour of their time slot.
    async fn time_slots(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<SlotCount>> {
        Ok(self
            .tallies(ctx)
            .await?
            .by_time_slot()
            .into_iter()
            .map(|(hour, appointments)| SlotCount { hour, appointments })
            .collect())
    }

    /// Distinct clients (by contact) per gender.
    async fn genders(&self, ctx: &Context<'_>) -> async_graphql::Result<GenderTotals> {
        let [undisclosed, male, female] = self.tallies(ctx).await?.clients_by_gender();
        Ok(GenderTotals {
            male,
            female,
            undisclosed,
        })
    }

    /// Distinct clients (by contact) per age band.
    async fn age_bands(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AgeBandCount>> {
        let counts = self.tallies(ctx).await?.clients_by_age();
        Ok(AGE_BANDS
            .iter()
            .zip(counts)
            .map(|((band, _, _), clients)| AgeBandCount {
                band: (*band).to_owned(),
                clients,
            })
            .collect())
    }
}

/// One duty time slot of a consultant on a date (排班).
#[derive(Clone, Debug)]
pub struct DutySlot(pub entity::duty_slot::Model);

/// One duty time slot of a consultant on a date (排班).
#[Object]
impl DutySlot {
    /// The integer id the counselling dialect uses.
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// The consultant on duty.
    async fn consultant(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(loaders(ctx)?
            .user
            .load_one(self.0.consultant_id)
            .await
            .map_err(load_err)?
            .map(User))
    }

    /// The day.
    async fn date(&self) -> NaiveDate {
        self.0.date
    }

    /// `HH:MM-HH:MM`.
    async fn time_slot(&self) -> &str {
        &self.0.time_slot
    }
}

/// The duty slots of one date.
#[derive(SimpleObject)]
pub struct DutyDay {
    /// The day.
    pub date: NaiveDate,
    /// Its slots, by start time.
    pub slots: Vec<DutySlot>,
}

/// A period in which a consultant takes no consultations (停诊).
#[derive(Clone, Debug)]
pub struct Suspension(pub entity::suspension::Model);

/// A period in which a consultant takes no consultations (停诊).
#[Object]
impl Suspension {
    /// When it starts.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }

    /// When it ends (exclusive).
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }

    /// `startsAt` in the consultant's time zone, `YYYY-MM-DD HH:MM:SS`.
    async fn starts_at_local(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(
            consultant_local(ctx, self.0.consultant_id, Some(self.0.starts_at))
                .await?
                .unwrap_or_default(),
        )
    }

    /// `endsAt` in the consultant's time zone, `YYYY-MM-DD HH:MM:SS`.
    async fn ends_at_local(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(
            consultant_local(ctx, self.0.consultant_id, Some(self.0.ends_at))
                .await?
                .unwrap_or_default(),
        )
    }

    /// The consultant.
    async fn consultant(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(loaders(ctx)?
            .user
            .load_one(self.0.consultant_id)
            .await
            .map_err(load_err)?
            .map(User))
    }
}

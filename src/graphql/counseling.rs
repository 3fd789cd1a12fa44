//! Counselling in GraphQL: consultations, clients' comments and the consultant's dashboard.
//! Rules live in `domain::consultations`.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::NaiveDate;

use super::connection::{Conn, PageArgs, to_connection, wants_total};
use super::node::decode_int_id;
use super::types::{
    ConsultantComment, ConsultationDashboard, ConsultationOrder, DutyDay, DutySlot, Gender,
    Suspension,
};
use super::{auth, services};
use crate::auth::Role;
use crate::domain::consultations::{
    self, ConsultationFilter, ConsultationKind, ConsultationScope, ConsultationState,
    DashboardScope, NewConsultation,
};
use crate::domain::page::DEFAULT_PAGE_SIZE;
use crate::domain::rosters::{self, Period};

/// Counselling reads.
#[derive(Default)]
pub struct CounselingQuery;

/// Counselling reads.
#[Object]
impl CounselingQuery {
    /// Consultations, latest date first: the calling consultant's (scope CONSULTANT, the
    /// default for consultants) or those the caller booked (CLIENT).
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn consultations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Whose consultations.")] scope: Option<ConsultationScope>,
        #[graphql(desc = "Part of the client's name.")] name: Option<String>,
        #[graphql(desc = "First day (inclusive) of the consultation date.")] date_from: Option<
            NaiveDate,
        >,
        #[graphql(desc = "Last day (inclusive) of the consultation date.")] date_to: Option<
            NaiveDate,
        >,
        #[graphql(desc = "Online or in person.")] kind: Option<ConsultationKind>,
        #[graphql(desc = "Only these states.")] states: Option<Vec<ConsultationState>>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<ConsultationOrder>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let scope = scope.unwrap_or(if viewer.has(Role::Consultant) {
            ConsultationScope::Consultant
        } else {
            ConsultationScope::Client
        });
        let filter = ConsultationFilter {
            scope,
            name,
            date_from,
            date_to,
            kind,
            states,
        };
        let page = consultations::list(
            &services(ctx)?.db,
            viewer,
            &filter,
            window,
            wants_total(ctx),
        )
        .await?;
        Ok(to_connection(page, ConsultationOrder))
    }

    /// One consultation, for its consultant or the client who booked it; null otherwise.
    async fn consultation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the consultation.")] id: ID,
    ) -> async_graphql::Result<Option<ConsultationOrder>> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "ConsultationOrder")?;
        Ok(consultations::find(&services(ctx)?.db, viewer, id)
            .await?
            .map(ConsultationOrder))
    }

    /// Clients' comments on the calling consultant, newest first.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn consultant_comments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<ConsultantComment>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page =
            consultations::comments(&services(ctx)?.db, viewer, window, wants_total(ctx)).await?;
        Ok(to_connection(page, ConsultantComment))
    }

    /// The duty roster of one month (排班) for the caller's organization (every consultant whose
    /// profile names the same organization), or the caller's own when they name none.
    async fn duty_roster(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year, e.g. 2026.")] year: i32,
        #[graphql(desc = "The month, 1 to 12.")] month: i32,
    ) -> async_graphql::Result<Vec<DutyDay>> {
        let viewer = auth(ctx).require()?;
        let month = u32::try_from(month).unwrap_or(0);
        let slots = rosters::month(&services(ctx)?.db, viewer, year, month).await?;
        Ok(rosters::by_date(slots)
            .into_iter()
            .map(|(date, slots)| DutyDay {
                date,
                slots: slots.into_iter().map(DutySlot).collect(),
            })
            .collect())
    }

    /// The calling consultant's suspension periods (停诊), earliest first.
    async fn my_suspensions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Suspension>> {
        let viewer = auth(ctx).require()?;
        Ok(rosters::suspensions(&services(ctx)?.db, viewer)
            .await?
            .into_iter()
            .map(Suspension)
            .collect())
    }

    /// The calling consultant's dashboard, in their time zone.
    async fn consultation_dashboard(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<ConsultationDashboard> {
        let viewer = auth(ctx).require()?;
        Ok(ConsultationDashboard::new(
            DashboardScope::of(&services(ctx)?.db, viewer).await?,
        ))
    }
}

/// A consultation to record or book.
#[derive(InputObject)]
pub struct ConsultationInput {
    /// The client's name (姓名); for a booking, the account's name when empty.
    #[graphql(default)]
    pub client_name: String,
    /// The client's age, 1 to 120.
    pub client_age: Option<i32>,
    /// The client's gender.
    pub client_gender: Option<Gender>,
    /// Phone number or WeChat id (联系方式); for a booking, the account's phone when empty.
    #[graphql(default)]
    pub contact: String,
    /// Online or in person.
    pub kind: ConsultationKind,
    /// Day of the consultation.
    pub date: NaiveDate,
    /// Time slot, `HH:MM-HH:MM`.
    pub time_slot: String,
    /// Keywords of the concern (关键字), at most 10 of 20 characters.
    #[graphql(default)]
    pub keywords: Vec<String>,
    /// Amount in cents (分), not negative.
    #[graphql(default)]
    pub amount_cents: i64,
    /// The client profile it concerns (a walk-in; one the consultant keeps). When absent, the
    /// consultant's profile of a client with the same name and contact is used, or a new one
    /// is opened from the name, gender, age and contact.
    pub client_profile_id: Option<ID>,
}

impl TryFrom<ConsultationInput> for NewConsultation {
    type Error = async_graphql::Error;

    fn try_from(input: ConsultationInput) -> async_graphql::Result<Self> {
        Ok(NewConsultation {
            client_name: input.client_name,
            client_age: input.client_age,
            client_gender: input.client_gender.map_or(0, Gender::code),
            contact: input.contact,
            kind: Some(input.kind),
            date: Some(input.date),
            time_slot: input.time_slot,
            keywords: input.keywords,
            amount_cents: input.amount_cents,
            client_profile_id: input
                .client_profile_id
                .map(|id| decode_int_id(&id, "ClientProfile"))
                .transpose()?,
        })
    }
}

/// A suspension period, in the consultant's local time.
#[derive(InputObject)]
pub struct SuspensionInput {
    /// `YYYY-MM-DD HH:MM`, `YYYY-MM-DD` (the start of that day) or RFC 3339.
    pub start: String,
    /// `YYYY-MM-DD HH:MM`, `YYYY-MM-DD` (the whole day included) or RFC 3339; after the start.
    pub end: String,
}

/// Counselling commands.
#[derive(Default)]
pub struct CounselingMutation;

/// Counselling commands.
#[Object]
impl CounselingMutation {
    /// The calling consultant records a walk-in visit (新增来访); it waits for its time.
    async fn record_walk_in(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The walk-in consultation to record: client, time and notes.")]
        input: ConsultationInput,
    ) -> async_graphql::Result<ConsultationOrder> {
        let viewer = auth(ctx).require()?;
        Ok(ConsultationOrder(
            consultations::record_walk_in(&services(ctx)?.db, viewer, input.try_into()?).await?,
        ))
    }

    /// A client books a consultant; the consultant accepts or rejects it.
    async fn book_consultation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The consultant (a User ID).")] consultant_id: ID,
        #[graphql(desc = "The fields of the consultation.")] input: ConsultationInput,
    ) -> async_graphql::Result<ConsultationOrder> {
        let viewer = auth(ctx).require()?;
        let consultant = decode_int_id(&consultant_id, "User")?;
        Ok(ConsultationOrder(
            consultations::book(&services(ctx)?.db, viewer, consultant, input.try_into()?).await?,
        ))
    }

    /// Replaces the caller's duty slots on one date (an empty list clears it); slots must not
    /// overlap. Answers the day's slots.
    async fn set_duty_slots(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The day (China time, YYYY-MM-DD) whose duty slots are replaced.")]
        date: NaiveDate,
        #[graphql(desc = "Time slots `HH:MM-HH:MM`, at most 24.")] slots: Vec<String>,
    ) -> async_graphql::Result<Vec<DutySlot>> {
        let viewer = auth(ctx).require()?;
        Ok(rosters::set_day(&services(ctx)?.db, viewer, date, &slots)
            .await?
            .into_iter()
            .map(DutySlot)
            .collect())
    }

    /// Replaces the caller's suspension periods as a whole (an empty list removes them);
    /// reversed or overlapping periods are refused.
    async fn replace_suspensions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new list of periods without consultations; replaces the old one.")]
        periods: Vec<SuspensionInput>,
    ) -> async_graphql::Result<Vec<Suspension>> {
        let viewer = auth(ctx).require()?;
        let periods: Vec<Period> = periods
            .into_iter()
            .map(|p| Period {
                start: p.start,
                end: p.end,
            })
            .collect();
        Ok(
            rosters::replace_suspensions(&services(ctx)?.db, viewer, &periods)
                .await?
                .into_iter()
                .map(Suspension)
                .collect(),
        )
    }

    /// The consultant accepts a booked consultation.
    async fn accept_consultation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the consultation to accept.")] id: ID,
    ) -> async_graphql::Result<ConsultationOrder> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "ConsultationOrder")?;
        Ok(ConsultationOrder(
            consultations::accept(&services(ctx)?.db, viewer, id).await?,
        ))
    }

    /// The consultant rejects a booked consultation, with a reason for the client.
    async fn reject_consultation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the consultation to reject.")] id: ID,
        #[graphql(desc = "Why; at most 200 characters.")] reason: String,
    ) -> async_graphql::Result<ConsultationOrder> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "ConsultationOrder")?;
        Ok(ConsultationOrder(
            consultations::reject(&services(ctx)?.db, viewer, id, &reason).await?,
        ))
    }

    /// The consultant starts a waiting consultation.
    async fn start_consultation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the consultation to start.")] id: ID,
    ) -> async_graphql::Result<ConsultationOrder> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "ConsultationOrder")?;
        Ok(ConsultationOrder(
            consultations::start(&services(ctx)?.db, viewer, id).await?,
        ))
    }

    /// The consultant finishes a consultation under way.
    async fn finish_consultation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the consultation to finish.")] id: ID,
    ) -> async_graphql::Result<ConsultationOrder> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "ConsultationOrder")?;
        Ok(ConsultationOrder(
            consultations::finish(&services(ctx)?.db, viewer, id).await?,
        ))
    }

    /// The client of a finished consultation comments on it and rates the consultant, once.
    async fn comment_consultation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ID of the consultation to comment.")] id: ID,
        #[graphql(desc = "1 to 5.")] rating: i32,
        #[graphql(desc = "At most 500 characters.")] content: String,
    ) -> async_graphql::Result<ConsultantComment> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "ConsultationOrder")?;
        Ok(ConsultantComment(
            consultations::comment(&services(ctx)?.db, viewer, id, rating, &content).await?,
        ))
    }
}

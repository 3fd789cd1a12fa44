//! Free-clinic types: hospitals (医院), organizations (组织) and doctors' applications to them,
//! special projects (专题活动) and free clinics (义诊, legacy `project`) with their time slots.

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    free_clinic, free_clinic_slot, hospital, organization, organization_membership, special_project,
};

use super::{Region, User, loaders};
use crate::domain::clinic_catalogue::{membership_state, string_list};
use crate::domain::free_clinics::{self, BookingState, ClinicState, ProjectStats};
use crate::domain::registrations::ClinicRegistrations;
use crate::graphql::connection::{Conn, PageArgs, to_connection};
use crate::graphql::loaders::load_err;
use crate::graphql::node::global_id;
use crate::graphql::registrations::Registration;
use crate::graphql::{auth, public_url};

/// The absolute URL of a stored file.
pub(crate) fn file_url(ctx: &Context<'_>, hash: &str) -> String {
    format!("{}/files/{hash}", public_url(ctx))
}

async fn region(ctx: &Context<'_>, code: Option<i32>) -> async_graphql::Result<Option<Region>> {
    match code {
        Some(code) => Ok(loaders(ctx)?
            .region
            .load_one(code)
            .await
            .map_err(load_err)?
            .map(Region)),
        None => Ok(None),
    }
}

async fn hospital_of(
    ctx: &Context<'_>,
    id: Option<i64>,
) -> async_graphql::Result<Option<Hospital>> {
    match id {
        Some(id) => Ok(loaders(ctx)?
            .clinics
            .hospital
            .load_one(id)
            .await
            .map_err(load_err)?
            .map(Hospital)),
        None => Ok(None),
    }
}

async fn organization_of(
    ctx: &Context<'_>,
    id: Option<i64>,
) -> async_graphql::Result<Option<Organization>> {
    match id {
        Some(id) => Ok(loaders(ctx)?
            .clinics
            .organization
            .load_one(id)
            .await
            .map_err(load_err)?
            .map(Organization)),
        None => Ok(None),
    }
}

/// A hospital (医院) where doctors work and free clinics are held.
#[derive(Clone, Debug)]
pub struct Hospital(pub hospital::Model);

/// A hospital (医院) where doctors work and free clinics are held.
#[Object]
impl Hospital {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("Hospital", self.0.id)
    }

    /// The integer id legacy clients use.
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// Name (医院名称).
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Absolute URL of the logo.
    async fn logo_url(&self, ctx: &Context<'_>) -> Option<String> {
        self.0.logo.as_deref().map(|h| file_url(ctx, h))
    }

    /// Absolute URLs of the banner images (banner).
    async fn banner_urls(&self, ctx: &Context<'_>) -> Vec<String> {
        string_list(&self.0.banners)
            .iter()
            .map(|h| file_url(ctx, h))
            .collect()
    }

    /// Grade (级别), e.g. `三级甲等`.
    async fn level(&self) -> Option<&str> {
        self.0.level.as_deref()
    }

    /// Specialty tag (标签 特色), e.g. `心血管科`.
    async fn tag(&self) -> Option<&str> {
        self.0.tag.as_deref()
    }

    /// Province (省份).
    async fn province(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Region>> {
        region(ctx, self.0.province_code).await
    }

    /// City (城市).
    async fn city(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Region>> {
        region(ctx, self.0.city_code).await
    }

    /// County or district (区县).
    async fn county(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Region>> {
        region(ctx, self.0.county_code).await
    }

    /// Street address (地址).
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }

    /// Longitude in degrees.
    async fn longitude(&self) -> Option<f64> {
        self.0.longitude
    }

    /// Latitude in degrees.
    async fn latitude(&self) -> Option<f64> {
        self.0.latitude
    }
}

/// An organization (组织) that doctors join; its special projects group free clinics.
#[derive(Clone, Debug)]
pub struct Organization(pub organization::Model);

/// An organization (组织) that doctors join; its special projects group free clinics.
#[Object]
impl Organization {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("Organization", self.0.id)
    }

    /// The integer id legacy clients use.
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Absolute URL of the logo.
    async fn logo_url(&self, ctx: &Context<'_>) -> Option<String> {
        self.0.logo.as_deref().map(|h| file_url(ctx, h))
    }

    /// Introduction (组织简介, legacy `abstract`).
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
}

/// State of a doctor's application to an organization (legacy `verify_status`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum MembershipState {
    /// Waiting for an administrator (0).
    Pending,
    /// A member (1).
    Approved,
    /// Refused (2); applying again reopens it.
    Rejected,
}

impl MembershipState {
    /// From the stored code.
    pub fn from_code(code: i16) -> Self {
        match code {
            membership_state::APPROVED => MembershipState::Approved,
            membership_state::REJECTED => MembershipState::Rejected,
            _ => MembershipState::Pending,
        }
    }

    /// The stored (and legacy) code.
    pub fn code(self) -> i16 {
        match self {
            MembershipState::Pending => membership_state::PENDING,
            MembershipState::Approved => membership_state::APPROVED,
            MembershipState::Rejected => membership_state::REJECTED,
        }
    }
}

/// A doctor's application to join an organization, a membership once approved. Only the
/// doctor and administrators see it.
#[derive(Clone, Debug)]
pub struct OrganizationMembership(pub organization_membership::Model);

/// A doctor's application to join an organization, a membership once approved. Only the
/// doctor and administrators see it.
#[Object]
impl OrganizationMembership {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("OrganizationMembership", self.0.id)
    }

    /// The integer id legacy clients use (`DELETE /org_remove/{id}`).
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// The organization.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        organization_of(ctx, Some(self.0.organization_id)).await
    }

    /// The doctor who applied.
    async fn doctor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(loaders(ctx)?
            .user
            .load_one(self.0.doctor_id)
            .await
            .map_err(load_err)?
            .map(User))
    }

    /// Where the application stands.
    async fn state(&self) -> MembershipState {
        MembershipState::from_code(self.0.state)
    }

    /// When the doctor applied (or applied again).
    async fn applied_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// When an administrator decided.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
}

/// Where a clinic stands in time (legacy `project_status`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum FreeClinicState {
    /// 1 待出诊: not begun.
    Waiting,
    /// 2 出诊中: under way.
    InProgress,
    /// 3 已结束: over, or cancelled.
    Ended,
}

impl From<ClinicState> for FreeClinicState {
    fn from(s: ClinicState) -> Self {
        match s {
            ClinicState::Waiting => FreeClinicState::Waiting,
            ClinicState::InProgress => FreeClinicState::InProgress,
            ClinicState::Ended => FreeClinicState::Ended,
        }
    }
}

/// Whether a clinic takes registrations (legacy `progress_status`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum FreeClinicBookingState {
    /// 1 可预约: places left.
    Bookable,
    /// 2 已约满: every place taken.
    Full,
    /// 3 已结束: over, or cancelled.
    Ended,
}

impl From<BookingState> for FreeClinicBookingState {
    fn from(s: BookingState) -> Self {
        match s {
            BookingState::Bookable => FreeClinicBookingState::Bookable,
            BookingState::Full => FreeClinicBookingState::Full,
            BookingState::Ended => FreeClinicBookingState::Ended,
        }
    }
}

/// A special project (专题活动): an organization's campaign grouping free clinics over days.
#[derive(Clone, Debug)]
pub struct SpecialProject(pub special_project::Model);

impl SpecialProject {
    async fn stats(&self, ctx: &Context<'_>) -> async_graphql::Result<ProjectStats> {
        Ok(loaders(ctx)?
            .clinics
            .project_stats
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .unwrap_or_default())
    }
}

/// A special project (专题活动): an organization's campaign grouping free clinics over days.
#[Object]
impl SpecialProject {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("SpecialProject", self.0.id)
    }

    /// The integer id legacy clients use.
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Absolute URL of the campaign picture (photo).
    async fn photo_url(&self, ctx: &Context<'_>) -> Option<String> {
        self.0.photo.as_deref().map(|h| file_url(ctx, h))
    }

    /// Introduction (专题活动简介).
    async fn r#abstract(&self) -> &str {
        &self.0.r#abstract
    }

    /// The organization running it.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        organization_of(ctx, Some(self.0.organization_id)).await
    }

    /// The hospital hosting it, if one.
    async fn hospital(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Hospital>> {
        hospital_of(ctx, self.0.hospital_id).await
    }

    /// Address.
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }

    /// Longitude in degrees.
    async fn longitude(&self) -> Option<f64> {
        self.0.longitude
    }

    /// Latitude in degrees.
    async fn latitude(&self) -> Option<f64> {
        self.0.latitude
    }

    /// Service targets (服务对象).
    async fn service_targets(&self) -> Vec<String> {
        string_list(&self.0.service_targets)
    }

    /// First day (China Standard Time).
    async fn starts_on(&self) -> NaiveDate {
        self.0.starts_on
    }

    /// Last day.
    async fn ends_on(&self) -> NaiveDate {
        self.0.ends_on
    }

    /// Daily opening, `HH:MM:SS`.
    async fn begin_time(&self) -> String {
        self.0.begin_time.format("%H:%M:%S").to_string()
    }

    /// Daily closing, `HH:MM:SS`.
    async fn end_time(&self) -> String {
        self.0.end_time.format("%H:%M:%S").to_string()
    }

    /// Where the campaign stands in time.
    async fn state(&self) -> FreeClinicState {
        let now = Utc::now();
        let starts = free_clinics::china_instant(self.0.starts_on, self.0.begin_time);
        let ends = free_clinics::china_instant(self.0.ends_on, self.0.end_time);
        if now >= ends {
            FreeClinicState::Ended
        } else if now >= starts {
            FreeClinicState::InProgress
        } else {
            FreeClinicState::Waiting
        }
    }

    /// Whether its clinics take registrations: ended after its last day, full when every
    /// place of its (not cancelled) clinics is taken.
    async fn booking_state(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<FreeClinicBookingState> {
        let ends = free_clinics::china_instant(self.0.ends_on, self.0.end_time);
        if Utc::now() >= ends {
            return Ok(FreeClinicBookingState::Ended);
        }
        let stats = self.stats(ctx).await?;
        Ok(if stats.capacity > 0 && stats.taken >= stats.capacity {
            FreeClinicBookingState::Full
        } else {
            FreeClinicBookingState::Bookable
        })
    }

    /// Its clinics that are not cancelled.
    async fn clinic_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.stats(ctx).await?.clinics)
    }

    /// Places of those clinics (legacy `people_count`).
    async fn capacity(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.stats(ctx).await?.capacity)
    }

    /// Places taken (legacy `join_people_count`).
    async fn places_taken(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.stats(ctx).await?.taken)
    }

    /// Lowest deposit among its clinics, in cents; null without clinics.
    async fn min_deposit_cents(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<i64>> {
        Ok(self.stats(ctx).await?.min_deposit_cents)
    }
}

/// A time slot of a free clinic with its places.
#[derive(Clone, Debug)]
pub struct FreeClinicSlot(pub free_clinic_slot::Model);

/// A time slot of a free clinic with its places.
#[Object]
impl FreeClinicSlot {
    /// Globally unique ID.
    async fn id(&self) -> ID {
        global_id("FreeClinicSlot", self.0.id)
    }

    /// The legacy label, `09:00:00 - 09:30:00` (a key of `plan_time`).
    async fn label(&self) -> &str {
        &self.0.label
    }

    /// Beginning, `HH:MM:SS` China Standard Time.
    async fn begin(&self) -> String {
        self.0.begin_time.format("%H:%M:%S").to_string()
    }

    /// End, `HH:MM:SS`.
    async fn end(&self) -> String {
        self.0.end_time.format("%H:%M:%S").to_string()
    }

    /// Places.
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }

    /// Places taken.
    async fn taken(&self) -> i32 {
        self.0.taken
    }

    /// Places left (可挂号数).
    async fn remaining(&self) -> i32 {
        (self.0.capacity - self.0.taken).max(0)
    }
}

/// A free clinic (义诊, legacy `project`): a doctor's day at a hospital, in time slots.
#[derive(Clone, Debug)]
pub struct FreeClinic {
    pub model: free_clinic::Model,
    /// Metres from the point the list or query was given.
    pub distance: Option<f64>,
}

impl FreeClinic {
    /// A clinic without a distance.
    pub fn new(model: free_clinic::Model) -> Self {
        Self {
            model,
            distance: None,
        }
    }

    async fn slot_models(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<free_clinic_slot::Model>> {
        Ok(loaders(ctx)?
            .clinics
            .slots
            .load_one(self.model.id)
            .await
            .map_err(load_err)?
            .unwrap_or_default())
    }

    async fn taken(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self
            .slot_models(ctx)
            .await?
            .iter()
            .map(|s| i64::from(s.taken))
            .sum())
    }
}

/// A free clinic (义诊, legacy `project`): a doctor's day at a hospital, in time slots.
#[Object]
impl FreeClinic {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("FreeClinic", self.model.id)
    }

    /// The integer id legacy clients use.
    async fn legacy_id(&self) -> i64 {
        self.model.id
    }

    /// Title (defaults to the hospital's name and 义诊).
    async fn title(&self) -> &str {
        &self.model.title
    }

    /// The doctor who publishes it.
    async fn doctor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(loaders(ctx)?
            .user
            .load_one(self.model.doctor_id)
            .await
            .map_err(load_err)?
            .map(User))
    }

    /// The hospital (医院信息).
    async fn hospital(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Hospital>> {
        hospital_of(ctx, Some(self.model.hospital_id)).await
    }

    /// The organization it is held for, if one.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        organization_of(ctx, self.model.organization_id).await
    }

    /// The special project it belongs to, if one.
    async fn special_project(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<SpecialProject>> {
        match self.model.special_project_id {
            Some(id) => Ok(loaders(ctx)?
                .clinics
                .special_project
                .load_one(id)
                .await
                .map_err(load_err)?
                .map(SpecialProject)),
            None => Ok(None),
        }
    }

    /// Day (义诊日期), China Standard Time.
    async fn date(&self) -> NaiveDate {
        self.model.date
    }

    /// Beginning, `HH:MM:SS` China Standard Time.
    async fn begin(&self) -> String {
        self.model.begin_time.format("%H:%M:%S").to_string()
    }

    /// End, `HH:MM:SS` China Standard Time.
    async fn end(&self) -> String {
        self.model.end_time.format("%H:%M:%S").to_string()
    }

    /// The beginning as an instant.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.model.starts_at
    }

    /// The end as an instant.
    async fn ends_at(&self) -> DateTime<Utc> {
        self.model.ends_at
    }

    /// Places in all (legacy `people_count`).
    async fn capacity(&self) -> i32 {
        self.model.capacity
    }

    /// Places taken (legacy `join_people_count`).
    async fn places_taken(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        self.taken(ctx).await
    }

    /// Places left.
    async fn places_left(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok((i64::from(self.model.capacity) - self.taken(ctx).await?).max(0))
    }

    /// The time slots in order, with their places (legacy `plan_time`).
    async fn slots(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FreeClinicSlot>> {
        Ok(self
            .slot_models(ctx)
            .await?
            .into_iter()
            .map(FreeClinicSlot)
            .collect())
    }

    /// Address (地址).
    async fn address(&self) -> &str {
        &self.model.address
    }

    /// Longitude in degrees.
    async fn longitude(&self) -> f64 {
        self.model.longitude
    }

    /// Latitude in degrees.
    async fn latitude(&self) -> f64 {
        self.model.latitude
    }

    /// Metres from the point the query gave (`near`); null without one.
    async fn distance(&self) -> Option<f64> {
        self.distance.map(|d| d.round())
    }

    /// Introduction (义诊简介).
    async fn r#abstract(&self) -> &str {
        &self.model.r#abstract
    }

    /// Deposit (押金) in cents; 0 = none.
    async fn deposit_cents(&self) -> i64 {
        self.model.deposit_cents
    }

    /// Service targets (服务对象), e.g. `老年人`.
    async fn service_targets(&self) -> Vec<String> {
        string_list(&self.model.service_targets)
    }

    /// Department (科室) it serves.
    async fn department(&self) -> Option<&str> {
        self.model.department.as_deref()
    }

    /// When it was published.
    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }

    /// Whether its doctor cancelled it.
    async fn cancelled(&self) -> bool {
        self.model.cancelled_at.is_some()
    }

    /// When it was cancelled.
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.model.cancelled_at
    }

    /// Where it stands in time (legacy `project_status`: 1 waiting, 2 in progress, 3 ended).
    async fn state(&self) -> FreeClinicState {
        free_clinics::clinic_state(&self.model, Utc::now()).into()
    }

    /// Whether it takes registrations (legacy `progress_status`: 1 bookable, 2 full,
    /// 3 ended).
    async fn booking_state(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<FreeClinicBookingState> {
        let taken = self.taken(ctx).await?;
        Ok(free_clinics::booking_state(&self.model, taken, Utc::now()).into())
    }

    /// Whether the caller may cancel it now: its doctor, before it ended (legacy
    /// `op_cancel` for doctors).
    async fn can_cancel(&self, ctx: &Context<'_>) -> bool {
        free_clinics::can_cancel(&self.model, auth(ctx).user_id(), Utc::now())
    }

    /// Its registrations (诊断), in visit order: booked ones unless `all`. Only for its doctor
    /// and administrators (FORBIDDEN otherwise).
    #[graphql(
        complexity = "first.map_or(crate::domain::page::DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn registrations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Rejected and cancelled ones too.", default)] all: bool,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Registration>> {
        crate::domain::registrations::require_clinic_reader(auth(ctx).require()?, &self.model)?;
        let which = if all {
            ClinicRegistrations::All
        } else {
            ClinicRegistrations::Booked
        };
        let window = PageArgs::forward(first, after).to_request()?;
        let page = loaders(ctx)?
            .registrations
            .clinic_pages
            .load_one((self.model.id, which, window))
            .await
            .map_err(load_err)?
            .unwrap_or_else(|| crate::domain::Page::from_probe(Vec::new(), window, Some(0)));
        Ok(to_connection(page, Registration))
    }

    /// The patients of its booked registrations, in visit order (legacy `join_user`): for its
    /// doctor and administrators; empty for anyone else.
    async fn booked_patients(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<User>> {
        let Ok(viewer) = auth(ctx).require() else {
            return Ok(Vec::new());
        };
        if crate::domain::registrations::require_clinic_reader(viewer, &self.model).is_err() {
            return Ok(Vec::new());
        }
        let window = crate::domain::page::PageRequest {
            offset: 0,
            limit: crate::domain::page::max_page_size(),
        };
        let loaders = loaders(ctx)?;
        let page = loaders
            .registrations
            .clinic_pages
            .load_one((self.model.id, ClinicRegistrations::Booked, window))
            .await
            .map_err(load_err)?;
        let ids: Vec<i64> = page
            .map(|p| p.items.iter().map(|r| r.patient_id).collect())
            .unwrap_or_default();
        let users = loaders
            .user
            .load_many(ids.iter().copied())
            .await
            .map_err(load_err)?;
        let patients = ids
            .iter()
            .filter_map(|id| users.get(id).cloned().map(User))
            .collect();
        Ok(patients)
    }

    /// The caller's booked registration for it, if any (legacy `is_join`).
    async fn my_registration(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Registration>> {
        Ok(loaders(ctx)?
            .registrations
            .viewer_booked
            .load_one(self.model.id)
            .await
            .map_err(load_err)?
            .map(Registration))
    }

    /// How many patients the caller registered for it as an assistant (legacy
    /// `assistant_join_count`).
    async fn assistant_registration_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(loaders(ctx)?
            .registrations
            .assistant_counts
            .load_one(self.model.id)
            .await
            .map_err(load_err)?
            .unwrap_or(0))
    }
}

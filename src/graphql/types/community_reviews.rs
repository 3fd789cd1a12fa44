//! Reviews and standing in the community: reports (举报), doctor certification requests
//! (医师认证), daily check-ins (签到) and VIP memberships (会员).

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{checkin, doctor_certification, post_report, vip_membership};

use super::{StoredFile, User, loaders};
use crate::domain::certifications::CertificationStatus;
use crate::domain::checkins;
use crate::domain::reports::ReportStatus;
use crate::graphql::loaders::load_err;
use crate::graphql::node::global_id;
use crate::graphql::public_url;

async fn user(ctx: &Context<'_>, id: Option<i64>) -> async_graphql::Result<Option<User>> {
    let Some(id) = id else { return Ok(None) };
    Ok(loaders(ctx)?
        .user
        .load_one(id)
        .await
        .map_err(load_err)?
        .map(User))
}

async fn file(ctx: &Context<'_>, hash: &str) -> async_graphql::Result<Option<StoredFile>> {
    Ok(loaders(ctx)?
        .file
        .load_one(hash.to_owned())
        .await
        .map_err(load_err)?
        .map(StoredFile))
}

/// A report (举报) of a forum post or of one of its floors, for administrators to review.
/// Visible to the reporter and administrators only.
#[derive(Clone, Debug)]
pub struct Report(pub post_report::Model);

/// A report (举报) of a forum post or of one of its floors, for administrators to review.
/// Visible to the reporter and administrators only.
#[Object]
impl Report {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("Report", self.0.id)
    }

    /// The integer id the forum dialect uses (`report_id`).
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// The reported post (a `Post` ID), or the post of the reported floor.
    async fn post_id(&self) -> ID {
        global_id("Post", self.0.post_id)
    }

    /// The reported post; null once deleted.
    async fn post(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<super::Post>> {
        Ok(super::loaders(ctx)?
            .community
            .post
            .load_one(self.0.post_id)
            .await
            .map_err(crate::graphql::loaders::load_err)?
            .map(super::Post))
    }

    /// The integer id of the post, as the forum dialect shows it (`post_id`).
    async fn post_legacy_id(&self) -> i64 {
        self.0.post_id
    }

    /// The reported floor (楼层, 1 is the first comment); null when the post itself is reported.
    async fn floor(&self) -> Option<i32> {
        self.0.floor
    }

    /// Why the reporter thinks the content breaks the rules.
    async fn reason(&self) -> &str {
        &self.0.reason
    }

    /// Where the review stands (legacy `report_status` 0, 1, 2).
    async fn status(&self) -> async_graphql::Result<ReportStatus> {
        Ok(ReportStatus::from_code(self.0.status)?)
    }

    /// The legacy status code: 0 pending (审核中), 1 rejected (驳回), 2 approved (通过).
    async fn status_code(&self) -> i16 {
        self.0.status
    }

    /// The administrator's response to the reporter, if any.
    async fn response(&self) -> Option<&str> {
        self.0.response.as_deref()
    }

    /// Who reported it.
    async fn reporter(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, Some(self.0.reporter_id)).await
    }

    /// The administrator who reviewed it; null while pending.
    async fn reviewer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.reviewer_id).await
    }

    /// When it was reported (legacy `report_time`).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was reviewed (legacy `respond_time`); null while pending.
    async fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.0.responded_at
    }
}

/// A request for doctor certification (医师认证): the photos of the physician qualification
/// certificate (医师资格证) and of the practice certificate (执业证), and the administrator's
/// decision. Visible to the user and administrators only.
#[derive(Clone, Debug)]
pub struct DoctorCertification(pub doctor_certification::Model);

/// A request for doctor certification (医师认证): the photos of the physician qualification
/// certificate (医师资格证) and of the practice certificate (执业证), and the administrator's
/// decision. Visible to the user and administrators only.
#[Object]
impl DoctorCertification {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("DoctorCertification", self.0.id)
    }

    /// The integer id of the request.
    async fn legacy_id(&self) -> i64 {
        self.0.id
    }

    /// Whose certification it is.
    async fn user(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, Some(self.0.user_id)).await
    }

    /// Where the review stands.
    async fn status(&self) -> async_graphql::Result<CertificationStatus> {
        Ok(CertificationStatus::parse(&self.0.status)?)
    }

    /// The physician qualification certificate (医师资格证) image.
    async fn qualification(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StoredFile>> {
        file(ctx, &self.0.qualification_file).await
    }

    /// Absolute URL of the qualification certificate image.
    async fn qualification_url(&self, ctx: &Context<'_>) -> String {
        format!("{}/files/{}", public_url(ctx), self.0.qualification_file)
    }

    /// The practice certificate (执业证) image.
    async fn practice(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<StoredFile>> {
        file(ctx, &self.0.practice_file).await
    }

    /// Absolute URL of the practice certificate image.
    async fn practice_url(&self, ctx: &Context<'_>) -> String {
        format!("{}/files/{}", public_url(ctx), self.0.practice_file)
    }

    /// Professional title (职称) recorded on approval.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }

    /// Department (科室) recorded on approval.
    async fn department(&self) -> Option<&str> {
        self.0.department.as_deref()
    }

    /// Grade of the hospital (医院等级) recorded on approval.
    async fn hospital_rank(&self) -> Option<&str> {
        self.0.hospital_rank.as_deref()
    }

    /// Why it was rejected, when the administrator said.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    /// The administrator who reviewed it; null while pending.
    async fn reviewer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.reviewer_id).await
    }

    /// When it was sent.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was reviewed; null while pending.
    async fn reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.reviewed_at
    }
}

/// A user's daily check-ins (签到), counted in days of China Standard Time.
#[derive(Clone, Debug)]
pub struct Checkin {
    /// None before the first check-in.
    pub state: Option<checkin::Model>,
    /// The current calendar day.
    pub today: NaiveDate,
}

/// A user's daily check-ins (签到), counted in days of China Standard Time.
#[Object]
impl Checkin {
    /// Days checked in, in all (social `extra.checkin_count`).
    async fn total(&self) -> i32 {
        self.state.as_ref().map_or(0, |s| s.total)
    }

    /// Consecutive days up to today or yesterday (social `extra.last_checkin_count`); 0 once
    /// a day was missed, until the next check-in starts a new run at 1.
    async fn streak(&self) -> i32 {
        self.state
            .as_ref()
            .map_or(0, |s| checkins::current_streak(s, self.today))
    }

    /// The last day checked in; null before the first check-in.
    async fn last_day(&self) -> Option<NaiveDate> {
        self.state.as_ref().map(|s| s.last_day)
    }

    /// Whether today is already checked in.
    async fn checked_in_today(&self) -> bool {
        self.state
            .as_ref()
            .is_some_and(|s| s.last_day >= self.today)
    }
}

/// What a check-in (签到) gave.
#[derive(Clone, Debug)]
pub struct CheckinReceipt(pub checkins::Receipt);

/// What a check-in (签到) gave.
#[Object]
impl CheckinReceipt {
    /// The check-ins after this one.
    async fn checkin(&self) -> Checkin {
        Checkin {
            today: self.0.state.last_day,
            state: Some(self.0.state.clone()),
        }
    }

    /// Coins (杏仁币) credited for this check-in.
    async fn reward(&self) -> i64 {
        self.0.reward
    }

    /// The caller's coin balance after the reward.
    async fn balance(&self) -> i64 {
        self.0.balance
    }
}

/// A VIP membership (会员): level, name and end. Public, like the social dialect's `vip`.
#[derive(Clone, Debug)]
pub struct VipMembership(pub vip_membership::Model);

/// A VIP membership (会员): level, name and end. Public, like the social dialect's `vip`.
#[Object]
impl VipMembership {
    /// The level, e.g. `middle` (social `vip.level`).
    async fn level(&self) -> &str {
        &self.0.level
    }

    /// The name shown to users, e.g. `钻石会员` (social `vip.name`).
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// When it ends (social `vip.end_time`).
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }

    /// When it was last granted or changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// The member.
    async fn user(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, Some(self.0.user_id)).await
    }
}

/// `User.checkin`: the user's check-ins (public, as the social dialect shows them).
pub(crate) async fn checkin_of(ctx: &Context<'_>, user_id: i64) -> async_graphql::Result<Checkin> {
    let state = loaders(ctx)?
        .checkin
        .load_one(user_id)
        .await
        .map_err(load_err)?;
    Ok(Checkin {
        state,
        today: checkins::local_day(Utc::now()),
    })
}

/// `User.vip`: the user's running membership.
pub(crate) async fn vip_of(
    ctx: &Context<'_>,
    user_id: i64,
) -> async_graphql::Result<Option<VipMembership>> {
    Ok(loaders(ctx)?
        .vip
        .load_one(user_id)
        .await
        .map_err(load_err)?
        .map(VipMembership))
}

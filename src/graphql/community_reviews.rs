//! Reports (举报), doctor certification (医师认证), daily check-in (签到) and VIP memberships
//! (会员) in GraphQL. Rules live in `domain::reports`, `domain::certifications`,
//! `domain::checkins` and `domain::vip`.

use async_graphql::{Context, ID, Object, Upload};
use chrono::{DateTime, Utc};

use super::connection::{Conn, PageArgs, to_connection, wants_total};
use super::loaders::load_err;
use super::node::{Node, decode_int_id};
use super::types::{CheckinReceipt, DoctorCertification, Report, User, VipMembership, loaders};
use super::{auth, read_upload, services};
use crate::domain::certifications::{self, Approval, Certificate, CertificationStatus, Decision};
use crate::domain::page::DEFAULT_PAGE_SIZE;
use crate::domain::reports::{self, ReportStatus, ReportTarget};
use crate::domain::{checkins, vip};
use crate::error::AppError;

/// `node(id:)` for reports and certification requests: only their owner and administrators
/// see them.
pub(super) async fn resolve_node(
    ctx: &Context<'_>,
    ty: &str,
    key: &str,
) -> async_graphql::Result<Option<Node>> {
    let id = key
        .parse::<i64>()
        .map_err(|_| AppError::bad_field("id", "malformed ID"))?;
    let Some(viewer) = auth(ctx).viewer.as_ref() else {
        return Ok(None);
    };
    let db = &services(ctx)?.db;
    Ok(match ty {
        "Report" => reports::find(db, viewer, id)
            .await?
            .map(|m| Node::Report(Report(m))),
        _ => certifications::find(db, viewer, id)
            .await?
            .map(|m| Node::DoctorCertification(DoctorCertification(m))),
    })
}

/// Reports and certification requests.
#[derive(Default)]
pub struct CommunityReviewQuery;

/// Reports and certification requests.
#[Object]
impl CommunityReviewQuery {
    /// The caller's reports (举报), newest first.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn my_reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Report>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page = reports::mine(&services(ctx)?.db, viewer, window, wants_total(ctx)).await?;
        Ok(to_connection(page, Report))
    }

    /// Reports (举报) to review, oldest first: those in `status`, or all. Administrators only.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only reports in this state.")] status: Option<ReportStatus>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<Report>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page =
            reports::list(&services(ctx)?.db, viewer, status, window, wants_total(ctx)).await?;
        Ok(to_connection(page, Report))
    }

    /// The caller's doctor certification requests (医师认证), newest first.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn my_doctor_certifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<DoctorCertification>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page =
            certifications::mine(&services(ctx)?.db, viewer, window, wants_total(ctx)).await?;
        Ok(to_connection(page, DoctorCertification))
    }

    /// Doctor certification requests (医师认证) to review, oldest first: those in `status`, or
    /// all. Administrators only.
    #[graphql(
        complexity = "first.map_or(DEFAULT_PAGE_SIZE as usize, |f| f.max(0) as usize) * child_complexity + 1"
    )]
    async fn doctor_certifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only requests in this state.")] status: Option<CertificationStatus>,
        #[graphql(desc = "Items per page (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the item after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<Conn<DoctorCertification>> {
        let viewer = auth(ctx).require()?;
        let window = PageArgs::forward(first, after).to_request()?;
        let page =
            certifications::list(&services(ctx)?.db, viewer, status, window, wants_total(ctx))
                .await?;
        Ok(to_connection(page, DoctorCertification))
    }
}

/// Reporting and reviewing, certification, check-in and VIP memberships.
#[derive(Default)]
pub struct CommunityReviewMutation;

/// Reporting and reviewing, certification, check-in and VIP memberships.
#[Object]
impl CommunityReviewMutation {
    /// Reports (举报) a post, or one of its floors, that someone else wrote. While a report of
    /// the same target by the caller is pending, another one is a `CONFLICT`.
    async fn report_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The post (a `Post` ID).")] post_id: ID,
        #[graphql(
            desc = "The floor (楼层) to report, 1 for the first comment; the post itself \
                          when omitted."
        )]
        floor: Option<i32>,
        #[graphql(desc = "Why, in 1 to 500 characters.")] reason: String,
    ) -> async_graphql::Result<Report> {
        let viewer = auth(ctx).require()?;
        let target = ReportTarget {
            post_id: decode_int_id(&post_id, "Post")
                .map_err(|_| AppError::bad_field("postId", "expected a Post ID"))?,
            floor,
        };
        let report = reports::report(&services(ctx)?.db, viewer, target, &reason).await?;
        Ok(Report(report))
    }

    /// Reviews a pending report (administrators): upheld (`approve: true`) or rejected, with
    /// an optional response to the reporter. A report is reviewed once (`CONFLICT` after).
    async fn review_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The report.")] id: ID,
        #[graphql(desc = "Whether the report is upheld.")] approve: bool,
        #[graphql(desc = "Response to the reporter, at most 500 characters.")] response: Option<
            String,
        >,
    ) -> async_graphql::Result<Report> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "Report")?;
        let report =
            reports::review(&services(ctx)?.db, viewer, id, approve, response.as_deref()).await?;
        Ok(Report(report))
    }

    /// Sends the caller's physician qualification certificate (医师资格证) and practice
    /// certificate (执业证) for doctor certification (医师认证): as `qualification` and
    /// `practice`, or as `images` (exactly two, the qualification first; what the forum
    /// form sends). Images only; nothing is stored when one is refused. A pending request
    /// blocks another one (`CONFLICT`); after a rejection new images may be sent.
    async fn submit_doctor_certification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The physician qualification certificate image.")] qualification: Option<
            Upload,
        >,
        #[graphql(desc = "The practice certificate image.")] practice: Option<Upload>,
        #[graphql(desc = "Both images at once, the qualification certificate first.")]
        images: Option<Vec<Upload>>,
    ) -> async_graphql::Result<DoctorCertification> {
        let viewer = auth(ctx).require()?.clone();
        let (qualification, practice) = match (qualification, practice, images) {
            (Some(q), Some(p), None) => (q, p),
            (None, None, Some(images)) => {
                let [q, p]: [Upload; 2] = images.try_into().map_err(|_| {
                    AppError::bad_field(
                        "images",
                        "send exactly two images: the qualification and the practice certificate",
                    )
                })?;
                (q, p)
            }
            (None, None, None) | (Some(_), None, None) | (None, Some(_), None) => {
                return Err(AppError::bad_field(
                    "images",
                    "both certificates are needed: the qualification and the practice certificate",
                )
                .into());
            }
            _ => {
                return Err(AppError::bad_field(
                    "images",
                    "send either qualification and practice, or images",
                )
                .into());
            }
        };
        let services = services(ctx)?;
        let limit = services.files.max_upload_bytes();
        let mut certificates = Vec::with_capacity(2);
        for upload in [qualification, practice] {
            let (name, bytes) = read_upload(ctx, upload, limit).await?;
            certificates.push(Certificate {
                bytes: bytes.into(),
                file_name: Some(name),
            });
        }
        let [qualification, practice]: [Certificate; 2] = certificates
            .try_into()
            .map_err(|_| AppError::internal("two certificates were read"))?;
        let request = certifications::submit(services, &viewer, qualification, practice).await?;
        Ok(DoctorCertification(request))
    }

    /// Reviews a pending doctor certification request (administrators). Approval needs the
    /// professional title, department and hospital rank read off the certificates: the user
    /// becomes a doctor (when not yet one) whose profile shows the certification. Rejection
    /// may say why; the user may then send new images. A request is reviewed once.
    #[allow(clippy::too_many_arguments)]
    async fn review_doctor_certification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request.")] id: ID,
        #[graphql(desc = "Whether the certificates are accepted.")] approve: bool,
        #[graphql(desc = "Professional title (职称), e.g. `主治医师`; needed to approve.")]
        title: Option<String>,
        #[graphql(desc = "Department (科室); needed to approve.")] department: Option<String>,
        #[graphql(desc = "Grade of the hospital (医院等级), e.g. `三级甲等`; needed to approve.")]
        hospital_rank: Option<String>,
        #[graphql(desc = "Why it is rejected, at most 500 characters.")] reason: Option<String>,
    ) -> async_graphql::Result<DoctorCertification> {
        let viewer = auth(ctx).require()?;
        let id = decode_int_id(&id, "DoctorCertification")?;
        let decision = if approve {
            Decision::Approve(Approval {
                title: title.unwrap_or_default(),
                department: department.unwrap_or_default(),
                hospital_rank: hospital_rank.unwrap_or_default(),
            })
        } else {
            Decision::Reject { reason }
        };
        let request = certifications::review(services(ctx)?, viewer, id, decision).await?;
        Ok(DoctorCertification(request))
    }

    /// Daily check-in (签到) of the caller: once per calendar day (China Standard Time),
    /// credited with a few coins (杏仁币). A second check-in the same day is a `CONFLICT`.
    async fn check_in(&self, ctx: &Context<'_>) -> async_graphql::Result<CheckinReceipt> {
        let viewer = auth(ctx).require()?;
        let receipt = checkins::check_in(&services(ctx)?.db, viewer.user_id).await?;
        Ok(CheckinReceipt(receipt))
    }

    /// Grants a user a VIP membership (会员) until `endsAt`, replacing the current one (to
    /// extend or change it). Administrators only.
    async fn grant_vip(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The member (a `User` ID).")] user_id: ID,
        #[graphql(desc = "Level, e.g. `middle` (1 to 16 characters).")] level: String,
        #[graphql(desc = "Name shown to users, e.g. `钻石会员` (1 to 32 characters).")]
        name: String,
        #[graphql(desc = "When it ends; must be in the future.")] ends_at: DateTime<Utc>,
    ) -> async_graphql::Result<VipMembership> {
        let viewer = auth(ctx).require()?;
        let user_id = decode_int_id(&user_id, "User")?;
        let grant = vip::Grant {
            level,
            name,
            ends_at,
        };
        Ok(VipMembership(
            vip::grant(&services(ctx)?.db, viewer, user_id, grant).await?,
        ))
    }

    /// Ends a user's VIP membership (会员) now; without one nothing changes. Administrators
    /// only. Answers the user.
    async fn revoke_vip(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The member (a `User` ID).")] user_id: ID,
    ) -> async_graphql::Result<User> {
        let viewer = auth(ctx).require()?;
        let user_id = decode_int_id(&user_id, "User")?;
        vip::revoke(&services(ctx)?.db, viewer, user_id).await?;
        loaders(ctx)?
            .user
            .load_one(user_id)
            .await
            .map_err(load_err)?
            .map(User)
            .ok_or_else(|| AppError::NotFound(format!("no user {user_id}")).into())
    }
}

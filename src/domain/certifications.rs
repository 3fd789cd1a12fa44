//! Doctor certification (医师认证): a user sends the photos of their physician qualification
//! certificate (医师资格证) and practice certificate (执业证); an administrator approves or
//! rejects the request.
//!
//! - Both images are checked (type sniffed from the bytes, size) before anything is stored: one
//!   bad image and neither is kept.
//! - A user has at most one pending request (a partial unique index enforces it under any
//!   concurrency): another one is a `CONFLICT` until it is reviewed; after a rejection the user
//!   may send new images.
//! - Approval (with the professional title, department and hospital rank read off the
//!   certificates) grants the doctor role when missing, and fills the doctor profile's
//!   certification (date, title, department, hospital rank): the profile then reads as
//!   certified (`isCertified`). Approval or rejection is one transaction with the request's
//!   conditional `UPDATE … WHERE status = 'pending'`, so a second review is a `CONFLICT`.
//! - Only the user and administrators see a request.

use bytes::Bytes;
use chrono::Utc;
use entity::{doctor_certification, doctor_profile};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, SqlErr, TransactionTrait,
};

use super::page::{self, Page, PageRequest};
use super::{accounts, checkins, files, notifications};
use crate::Services;
use crate::auth::{Role, Viewer};
use crate::error::{AppError, AppResult};
use crate::policy;
use crate::storage::FileKind;

/// Longest professional title and department, in characters.
pub const MAX_TITLE_CHARS: usize = 64;
/// Longest hospital rank, in characters.
pub const MAX_RANK_CHARS: usize = 32;
/// Longest rejection reason, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// Where a certification request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum CertificationStatus {
    /// Waiting for an administrator (审核中).
    Pending,
    /// Approved: the user is a certified doctor (通过).
    Approved,
    /// Rejected; the user may send new images (驳回).
    Rejected,
}

impl CertificationStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CertificationStatus::Pending => "pending",
            CertificationStatus::Approved => "approved",
            CertificationStatus::Rejected => "rejected",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> AppResult<Self> {
        match s {
            "pending" => Ok(CertificationStatus::Pending),
            "approved" => Ok(CertificationStatus::Approved),
            "rejected" => Ok(CertificationStatus::Rejected),
            other => Err(AppError::internal(format!("certification status {other}"))),
        }
    }
}

/// One certificate image as uploaded.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub bytes: Bytes,
    pub file_name: Option<String>,
}

/// What an approval records, read off the certificates by the administrator.
#[derive(Debug, Clone, Default)]
pub struct Approval {
    /// Professional title (职称), e.g. `主治医师`.
    pub title: String,
    /// Department (科室), e.g. `心内科`.
    pub department: String,
    /// Grade of the hospital (医院等级), e.g. `三级甲等`.
    pub hospital_rank: String,
}

/// An administrator's decision.
#[derive(Debug, Clone)]
pub enum Decision {
    Approve(Approval),
    Reject { reason: Option<String> },
}

fn required_text(value: &str, field: &str, max: usize) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max {
        return Err(AppError::bad_field(
            field,
            format!("{field} needs 1 to {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

impl Approval {
    fn checked(&self) -> AppResult<Approval> {
        Ok(Approval {
            title: required_text(&self.title, "title", MAX_TITLE_CHARS)?,
            department: required_text(&self.department, "department", MAX_TITLE_CHARS)?,
            hospital_rank: required_text(&self.hospital_rank, "hospitalRank", MAX_RANK_CHARS)?,
        })
    }
}

/// The sniffing error of one certificate, named after its field.
fn certificate_error(field: &str, err: AppError) -> AppError {
    match err {
        AppError::BadInput { message, .. } => {
            AppError::bad_field(field, format!("the {field} certificate: {message}"))
        }
        other => other,
    }
}

async fn pending_of<C: ConnectionTrait>(db: &C, user_id: i64) -> AppResult<bool> {
    Ok(doctor_certification::Entity::find()
        .filter(doctor_certification::Column::UserId.eq(user_id))
        .filter(doctor_certification::Column::Status.eq(CertificationStatus::Pending.as_str()))
        .count(db)
        .await?
        > 0)
}

fn pending_conflict() -> AppError {
    AppError::Conflict("a certification request of yours is already waiting for review".into())
}

/// The viewer sends their two certificates for review. Answers the pending request.
pub async fn submit(
    s: &Services,
    viewer: &Viewer,
    qualification: Certificate,
    practice: Certificate,
) -> AppResult<doctor_certification::Model> {
    s.files
        .sniff(&qualification.bytes, FileKind::Image)
        .map_err(|e| certificate_error("qualification", e))?;
    s.files
        .sniff(&practice.bytes, FileKind::Image)
        .map_err(|e| certificate_error("practice", e))?;
    if pending_of(&s.db, viewer.user_id).await? {
        return Err(pending_conflict());
    }
    let txn = s.db.begin().await?;
    let mut stored = Vec::with_capacity(2);
    for certificate in [qualification, practice] {
        let file = files::upload(
            &txn,
            &s.files,
            certificate.bytes,
            certificate.file_name.as_deref(),
            FileKind::Image,
            Some(viewer.user_id),
        )
        .await?;
        stored.push(file.hash);
    }
    let [qualification_file, practice_file]: [String; 2] = stored
        .try_into()
        .map_err(|_| AppError::internal("two certificates were stored"))?;
    let request = doctor_certification::ActiveModel {
        user_id: Set(viewer.user_id),
        qualification_file: Set(qualification_file),
        practice_file: Set(practice_file),
        status: Set(CertificationStatus::Pending.as_str().to_owned()),
        title: Set(None),
        department: Set(None),
        hospital_rank: Set(None),
        reason: Set(None),
        reviewer_id: Set(None),
        created_at: Set(Utc::now()),
        reviewed_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e: DbErr| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => pending_conflict(),
        _ => e.into(),
    })?;
    txn.commit().await?;
    Ok(request)
}

/// An administrator approves or rejects a pending request. Approval makes the user a certified
/// doctor in the same transaction; the user is notified.
pub async fn review(
    s: &Services,
    viewer: &Viewer,
    id: i64,
    decision: Decision,
) -> AppResult<doctor_certification::Model> {
    policy::community::require_moderator(viewer)?;
    let (status, approval, reason) = match &decision {
        Decision::Approve(approval) => (
            CertificationStatus::Approved,
            Some(approval.checked()?),
            None,
        ),
        Decision::Reject { reason } => {
            let reason = reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
            if reason.is_some_and(|r| r.chars().count() > MAX_REASON_CHARS) {
                return Err(AppError::bad_field(
                    "reason",
                    format!("a reason has at most {MAX_REASON_CHARS} characters"),
                ));
            }
            (
                CertificationStatus::Rejected,
                None,
                reason.map(str::to_owned),
            )
        }
    };
    let now = Utc::now();
    let txn = s.db.begin().await?;
    // The conditional update comes first: it decides the race and, on SQLite, takes the write
    // lock before anything is read.
    let changed = doctor_certification::Entity::update_many()
        .col_expr(
            doctor_certification::Column::Status,
            Expr::value(status.as_str()),
        )
        .col_expr(
            doctor_certification::Column::Title,
            Expr::value(approval.as_ref().map(|a| a.title.clone())),
        )
        .col_expr(
            doctor_certification::Column::Department,
            Expr::value(approval.as_ref().map(|a| a.department.clone())),
        )
        .col_expr(
            doctor_certification::Column::HospitalRank,
            Expr::value(approval.as_ref().map(|a| a.hospital_rank.clone())),
        )
        .col_expr(doctor_certification::Column::Reason, Expr::value(reason))
        .col_expr(
            doctor_certification::Column::ReviewerId,
            Expr::value(Some(viewer.user_id)),
        )
        .col_expr(
            doctor_certification::Column::ReviewedAt,
            Expr::value(Some(now)),
        )
        .filter(doctor_certification::Column::Id.eq(id))
        .filter(doctor_certification::Column::Status.eq(CertificationStatus::Pending.as_str()))
        .exec(&txn)
        .await?
        .rows_affected;
    let request = doctor_certification::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no certification request {id}")))?;
    if changed == 0 {
        return Err(AppError::Conflict(format!(
            "certification request {id} was already reviewed: it is {}",
            request.status
        )));
    }
    let (title, body) = match &approval {
        Some(approval) => {
            certify(&txn, request.user_id, approval).await?;
            (
                "医师认证已通过",
                format!(
                    "你的医师认证已通过：{}，{}，{}。",
                    approval.title, approval.department, approval.hospital_rank
                ),
            )
        }
        None => (
            "医师认证未通过",
            match &request.reason {
                Some(reason) => format!("你的医师认证未通过：{reason}。可以重新上传证件。"),
                None => "你的医师认证未通过，可以重新上传证件。".to_owned(),
            },
        ),
    };
    let note =
        notifications::create(&txn, request.user_id, "doctor_certification", title, &body).await?;
    txn.commit().await?;
    if let Err(e) = notifications::publish(s.bus.as_ref(), &note).await {
        tracing::warn!(error = ?e, "certification notification not published");
    }
    Ok(request)
}

/// Makes `user_id` a certified doctor: the role (and profile) when missing, then the
/// certification on the profile.
async fn certify<C: ConnectionTrait>(db: &C, user_id: i64, approval: &Approval) -> AppResult<()> {
    accounts::grant_role(db, user_id, Role::Doctor).await?;
    let profile = doctor_profile::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("a granted doctor role has no profile"))?;
    let mut model: doctor_profile::ActiveModel = profile.into();
    model.certified_at = Set(Some(checkins::local_day(Utc::now())));
    model.certification_title = Set(Some(approval.title.clone()));
    model.department = Set(Some(approval.department.clone()));
    model.hospital_rank = Set(Some(approval.hospital_rank.clone()));
    model.verify_state = Set(1);
    model.updated_at = Set(Utc::now());
    model.update(db).await?;
    Ok(())
}

/// A request, if `viewer` may see it (its user or an administrator).
pub async fn find<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: i64,
) -> AppResult<Option<doctor_certification::Model>> {
    Ok(doctor_certification::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|c| policy::community::may_read_private(Some(viewer), c.user_id)))
}

/// The viewer's own requests, newest first.
pub async fn mine<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<doctor_certification::Model>> {
    page::fetch(
        db,
        doctor_certification::Entity::find()
            .filter(doctor_certification::Column::UserId.eq(viewer.user_id)),
        |q| q.order_by_desc(doctor_certification::Column::Id),
        window,
        with_total,
    )
    .await
}

/// Requests for administrators: those in `status` (all when none), the oldest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    status: Option<CertificationStatus>,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<doctor_certification::Model>> {
    policy::community::require_moderator(viewer)?;
    let mut query = doctor_certification::Entity::find();
    if let Some(status) = status {
        query = query.filter(doctor_certification::Column::Status.eq(status.as_str()));
    }
    page::fetch(
        db,
        query,
        |q| q.order_by_asc(doctor_certification::Column::Id),
        window,
        with_total,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for s in [
            CertificationStatus::Pending,
            CertificationStatus::Approved,
            CertificationStatus::Rejected,
        ] {
            assert_eq!(CertificationStatus::parse(s.as_str()).ok(), Some(s));
        }
        assert!(CertificationStatus::parse("maybe").is_err());
    }

    #[test]
    fn an_approval_needs_every_field() {
        let full = Approval {
            title: " 主治医师 ".into(),
            department: "心内科".into(),
            hospital_rank: "三级甲等".into(),
        };
        assert_eq!(
            full.checked().map(|a| a.title).ok().as_deref(),
            Some("主治医师")
        );
        let missing = Approval {
            hospital_rank: String::new(),
            ..full
        };
        assert!(matches!(
            missing.checked(),
            Err(AppError::BadInput { field: Some(f), .. }) if f == "hospitalRank"
        ));
    }
}

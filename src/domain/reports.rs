//! Reports (举报) of forum posts and of their floors (楼层), and their review by
//! administrators.
//!
//! - Anyone logged in may report a post, or one floor of it, that someone else wrote, with a
//!   reason of 1 to [`MAX_REASON_CHARS`] characters. While a report of the same target by the
//!   same user is pending, another one is a `CONFLICT` (a partial unique index enforces it,
//!   whatever the concurrency).
//! - An administrator reviews a pending report once: approved (the report was right) or
//!   rejected, with an optional response; the review time and the reviewer are recorded. A
//!   second review is a `CONFLICT`. Approval records the verdict only: removing the content is
//!   the moderator's separate delete.
//! - Only the reporter and administrators see a report.
//!
//! Each command is one statement (a single `INSERT` or a conditional `UPDATE … WHERE status =
//! 0`), so it is atomic without a transaction and racing reviews cannot both succeed.

use chrono::Utc;
use entity::{post_comment, post_report};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, SqlErr,
};

use super::page::{self, Page, PageRequest};
use super::posts;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::policy;

/// Longest reason, in characters.
pub const MAX_REASON_CHARS: usize = 500;
/// Longest review response, in characters.
pub const MAX_RESPONSE_CHARS: usize = 500;

/// Where a report stands (the stored and legacy codes 0, 1, 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum ReportStatus {
    /// Waiting for an administrator (审核中, 0).
    Pending,
    /// The administrator found nothing wrong (驳回, 1).
    Rejected,
    /// The administrator upheld the report (通过, 2).
    Approved,
}

impl ReportStatus {
    /// The stored code.
    pub fn code(self) -> i16 {
        match self {
            ReportStatus::Pending => 0,
            ReportStatus::Rejected => 1,
            ReportStatus::Approved => 2,
        }
    }

    /// From the stored code.
    pub fn from_code(code: i16) -> AppResult<Self> {
        match code {
            0 => Ok(ReportStatus::Pending),
            1 => Ok(ReportStatus::Rejected),
            2 => Ok(ReportStatus::Approved),
            other => Err(AppError::internal(format!("report status {other}"))),
        }
    }

    fn label(self) -> &'static str {
        match self {
            ReportStatus::Pending => "pending",
            ReportStatus::Rejected => "rejected",
            ReportStatus::Approved => "approved",
        }
    }
}

/// What is reported: a post, or one floor of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportTarget {
    pub post_id: i64,
    /// The floor number (1 is the first comment); none for the post itself.
    pub floor: Option<i32>,
}

fn check_reason(reason: &str) -> AppResult<String> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::bad_field(
            "reason",
            format!("a reason has 1 to {MAX_REASON_CHARS} characters"),
        ));
    }
    Ok(reason.to_owned())
}

fn check_response(response: Option<&str>) -> AppResult<Option<String>> {
    let response = response.map(str::trim).filter(|r| !r.is_empty());
    if response.is_some_and(|r| r.chars().count() > MAX_RESPONSE_CHARS) {
        return Err(AppError::bad_field(
            "response",
            format!("a response has at most {MAX_RESPONSE_CHARS} characters"),
        ));
    }
    Ok(response.map(str::to_owned))
}

/// The live comment on `floor` of `post_id`.
async fn floor_of<C: ConnectionTrait>(
    db: &C,
    post_id: i64,
    floor: i32,
) -> AppResult<post_comment::Model> {
    post_comment::Entity::find()
        .filter(post_comment::Column::PostId.eq(post_id))
        .filter(post_comment::Column::Floor.eq(floor))
        .filter(post_comment::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("post {post_id} has no floor {floor}")))
}

fn insert_error(err: DbErr, post_id: i64) -> AppError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            AppError::Conflict("you already reported this and it is pending review".into())
        }
        // The post (and its floors) went away between the check and the insert.
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
            AppError::NotFound(format!("no post {post_id}"))
        }
        _ => err.into(),
    }
}

/// `viewer` reports a post or a floor. Answers the pending report.
pub async fn report<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    target: ReportTarget,
    reason: &str,
) -> AppResult<post_report::Model> {
    let reason = check_reason(reason)?;
    if target.floor.is_some_and(|f| f < 1) {
        return Err(AppError::bad_field("floor", "floors are numbered from 1"));
    }
    let post = posts::find(db, target.post_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no post {}", target.post_id)))?;
    let (author_id, comment_id) = match target.floor {
        Some(floor) => {
            let comment = floor_of(db, post.id, floor).await?;
            (comment.author_id, Some(comment.id))
        }
        None => (post.author_id, None),
    };
    policy::community::require_not_own_content(viewer, author_id)?;
    post_report::ActiveModel {
        reporter_id: Set(viewer.user_id),
        post_id: Set(post.id),
        comment_id: Set(comment_id),
        floor: Set(target.floor),
        reason: Set(reason),
        status: Set(ReportStatus::Pending.code()),
        response: Set(None),
        reviewer_id: Set(None),
        created_at: Set(Utc::now()),
        responded_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| insert_error(e, post.id))
}

/// An administrator's verdict on a pending report.
pub async fn review<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: i64,
    approve: bool,
    response: Option<&str>,
) -> AppResult<post_report::Model> {
    policy::community::require_moderator(viewer)?;
    let response = check_response(response)?;
    let status = if approve {
        ReportStatus::Approved
    } else {
        ReportStatus::Rejected
    };
    let changed = post_report::Entity::update_many()
        .col_expr(post_report::Column::Status, Expr::value(status.code()))
        .col_expr(post_report::Column::Response, Expr::value(response))
        .col_expr(
            post_report::Column::ReviewerId,
            Expr::value(Some(viewer.user_id)),
        )
        .col_expr(
            post_report::Column::RespondedAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(post_report::Column::Id.eq(id))
        .filter(post_report::Column::Status.eq(ReportStatus::Pending.code()))
        .exec(db)
        .await?
        .rows_affected;
    let current = post_report::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no report {id}")))?;
    if changed == 0 {
        return Err(AppError::Conflict(format!(
            "report {id} was already reviewed: it is {}",
            ReportStatus::from_code(current.status)?.label()
        )));
    }
    Ok(current)
}

/// A report, if `viewer` may see it (its reporter or an administrator).
pub async fn find<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: i64,
) -> AppResult<Option<post_report::Model>> {
    Ok(post_report::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|r| policy::community::may_read_private(Some(viewer), r.reporter_id)))
}

/// The viewer's own reports, newest first.
pub async fn mine<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<post_report::Model>> {
    page::fetch(
        db,
        post_report::Entity::find().filter(post_report::Column::ReporterId.eq(viewer.user_id)),
        |q| q.order_by_desc(post_report::Column::Id),
        window,
        with_total,
    )
    .await
}

/// Reports for administrators: those in `status` (all when none), the oldest first so the
/// queue is worked in order.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    status: Option<ReportStatus>,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<post_report::Model>> {
    policy::community::require_moderator(viewer)?;
    let mut query = post_report::Entity::find();
    if let Some(status) = status {
        query = query.filter(post_report::Column::Status.eq(status.code()));
    }
    page::fetch(
        db,
        query,
        |q| q.order_by_asc(post_report::Column::Id),
        window,
        with_total,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_round_trip() {
        for s in [
            ReportStatus::Pending,
            ReportStatus::Rejected,
            ReportStatus::Approved,
        ] {
            assert_eq!(ReportStatus::from_code(s.code()).ok(), Some(s));
        }
        assert!(ReportStatus::from_code(3).is_err());
    }

    #[test]
    fn reasons_and_responses_are_checked() {
        assert!(check_reason("  ").is_err());
        assert!(check_reason(&"字".repeat(MAX_REASON_CHARS + 1)).is_err());
        assert_eq!(check_reason(" 广告 ").ok().as_deref(), Some("广告"));
        assert_eq!(check_response(Some("  ")).ok(), Some(None));
        assert!(check_response(Some(&"x".repeat(MAX_RESPONSE_CHARS + 1))).is_err());
    }
}

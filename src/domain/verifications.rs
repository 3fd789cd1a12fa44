//! User verification (用户认证) of the social area: a personal (`user`) or organization (`org`)
//! verification per user, reviewed by administrators.
//!
//! States: `-1` waiting for review → an administrator approves (`1`) or rejects (`0`, with a
//! reason). A user submits once (a second submission is a `CONFLICT`); after a rejection they
//! resubmit (the kind never changes) and it waits again; they may delete it at any time. Every
//! transition is one conditional `UPDATE … WHERE state = <expected>`, so of racing requests one
//! wins and the others get `CONFLICT`.
//!
//! Everyone sees a user's verification; what others see of it is decided by the masking policy
//! (`policy::masking`), not here. Inputs are checked whole: every invalid field is reported at
//! once and nothing is written.

use std::collections::HashMap;

use chrono::Utc;
use entity::{stored_file, user_verification};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

use super::files;
use super::idcard::validate_id_card;
use super::page::{self, Page, PageRequest};
use crate::auth::Viewer;
use crate::auth::codes::normalize_phone;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::policy;

/// The stored states (the legacy `state` codes).
pub mod state {
    /// Waiting for review (等待).
    pub const WAITING: i16 = -1;
    /// Rejected (拒绝).
    pub const REJECTED: i16 = 0;
    /// Approved (认证成功).
    pub const APPROVED: i16 = 1;
}

/// Longest description, in chars.
pub const MAX_DESC: usize = 200;
/// Longest person's name, in chars.
pub const MAX_NAME: usize = 32;
/// Longest organization name, in chars.
pub const MAX_ORG_NAME: usize = 100;
/// Longest organization address or rejection reason, in chars.
pub const MAX_TEXT: usize = 200;

/// What is verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A person (`user`): real name, ID card.
    Personal,
    /// An organization (`org`): its name, address, certificate and legal representative.
    Organization,
}

impl Kind {
    /// The stored and legacy name: `user` or `org`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Personal => "user",
            Kind::Organization => "org",
        }
    }

    /// From the stored name.
    pub fn stored(s: &str) -> Self {
        if s == "org" {
            Kind::Organization
        } else {
            Kind::Personal
        }
    }
}

/// The ID card of a personal verification: file references (addresses or URLs of uploaded
/// images) and the number.
#[derive(Debug, Clone, Default)]
pub struct IdCardInput {
    pub front: Option<String>,
    pub rear: Option<String>,
    pub number: Option<String>,
}

/// The organization of an organization verification.
#[derive(Debug, Clone, Default)]
pub struct OrgInput {
    pub name: Option<String>,
    pub address: Option<String>,
    pub certificate: Option<String>,
}

/// The legal representative of an organization.
#[derive(Debug, Clone, Default)]
pub struct PersonInput {
    pub name: Option<String>,
    pub number: Option<String>,
}

/// A submission's data (the legacy `data`). The parts of the other kind are ignored.
#[derive(Debug, Clone, Default)]
pub struct VerificationInput {
    pub id_card: Option<IdCardInput>,
    pub real_name: Option<String>,
    pub phone_number: Option<String>,
    pub desc: Option<String>,
    pub org: Option<OrgInput>,
    pub person: Option<PersonInput>,
}

/// The checked columns of a submission.
#[derive(Debug, Default)]
struct Checked {
    description: String,
    phone_number: String,
    real_name: Option<String>,
    id_number: Option<String>,
    id_front: Option<String>,
    id_rear: Option<String>,
    org_name: Option<String>,
    org_address: Option<String>,
    org_certificate: Option<String>,
    person_name: Option<String>,
    person_number: Option<String>,
}

fn text(errors: &mut FieldErrors, field: &str, value: Option<&String>, max: usize) -> String {
    let value = value.map(|s| s.trim()).unwrap_or_default();
    if value.is_empty() {
        errors.add(field, format!("{field} is required"));
    } else if value.chars().count() > max {
        errors.add(field, format!("{field} is at most {max} characters"));
    }
    value.to_owned()
}

fn id_number(errors: &mut FieldErrors, field: &str, value: Option<&String>) -> Option<String> {
    match value.map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => {
            errors.add(field, format!("{field} is required"));
            None
        }
        Some(number) => errors.check(field, validate_id_card(number)),
    }
}

/// Checks every field of `input` for `kind`, reading the referenced images in one statement.
async fn check<C: ConnectionTrait>(
    db: &C,
    kind: Kind,
    input: &VerificationInput,
) -> AppResult<Checked> {
    let mut errors = FieldErrors::default();
    let mut out = Checked {
        description: text(&mut errors, "desc", input.desc.as_ref(), MAX_DESC),
        ..Checked::default()
    };
    match input.phone_number.as_deref().map(str::trim) {
        None | Some("") => errors.add("phoneNumber", "phoneNumber is required"),
        Some(phone) => {
            out.phone_number = errors
                .check("phoneNumber", normalize_phone(phone, "phoneNumber"))
                .unwrap_or_default();
        }
    }
    // (field, reference) of every image, checked together below.
    let mut images: Vec<(&str, String)> = Vec::new();
    let mut image =
        |errors: &mut FieldErrors, field: &'static str, value: Option<&String>| match value
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            None => errors.add(field, format!("{field} is required")),
            Some(reference) => images.push((field, files::address_of(reference))),
        };
    match kind {
        Kind::Personal => {
            let card = input.id_card.clone().unwrap_or_default();
            out.real_name = Some(text(
                &mut errors,
                "realName",
                input.real_name.as_ref(),
                MAX_NAME,
            ));
            out.id_number = id_number(&mut errors, "idCard.number", card.number.as_ref());
            image(&mut errors, "idCard.front", card.front.as_ref());
            image(&mut errors, "idCard.rear", card.rear.as_ref());
        }
        Kind::Organization => {
            let org = input.org.clone().unwrap_or_default();
            let person = input.person.clone().unwrap_or_default();
            out.org_name = Some(text(
                &mut errors,
                "org.name",
                org.name.as_ref(),
                MAX_ORG_NAME,
            ));
            out.org_address = Some(text(
                &mut errors,
                "org.address",
                org.address.as_ref(),
                MAX_TEXT,
            ));
            image(&mut errors, "org.certificate", org.certificate.as_ref());
            out.person_name = Some(text(
                &mut errors,
                "person.name",
                person.name.as_ref(),
                MAX_NAME,
            ));
            out.person_number = id_number(&mut errors, "person.number", person.number.as_ref());
        }
    }
    let addresses: Vec<String> = images
        .iter()
        .map(|(_, a)| a.clone())
        .filter(|a| crate::storage::is_valid_hash(a))
        .collect();
    let found: HashMap<String, stored_file::Model> = if addresses.is_empty() {
        HashMap::new()
    } else {
        files::by_hashes(db, &addresses).await?
    };
    for (field, address) in images {
        match found.get(&address) {
            Some(file) if file.content_type.starts_with("image/") => match field {
                "idCard.front" => out.id_front = Some(address),
                "idCard.rear" => out.id_rear = Some(address),
                _ => out.org_certificate = Some(address),
            },
            Some(file) => errors.add(
                field,
                format!("{field} must be an image, not {}", file.content_type),
            ),
            None => errors.add(
                field,
                format!("{field} must be the address of an uploaded image (upload it first)"),
            ),
        }
    }
    errors.finish()?;
    Ok(out)
}

/// The columns a (re)submission sets, waiting for review.
fn fill(m: &mut user_verification::ActiveModel, c: Checked) {
    m.description = Set(c.description);
    m.phone_number = Set(c.phone_number);
    m.real_name = Set(c.real_name);
    m.id_number = Set(c.id_number);
    m.id_front = Set(c.id_front);
    m.id_rear = Set(c.id_rear);
    m.org_name = Set(c.org_name);
    m.org_address = Set(c.org_address);
    m.org_certificate = Set(c.org_certificate);
    m.person_name = Set(c.person_name);
    m.person_number = Set(c.person_number);
    m.state = Set(state::WAITING);
    m.reject_reason = Set(None);
    m.reviewed_by = Set(None);
    m.reviewed_at = Set(None);
    m.updated_at = Set(Utc::now());
}

fn already_submitted() -> AppError {
    AppError::Conflict(
        "a verification was already submitted; resubmit it after a rejection or delete it".into(),
    )
}

/// The caller submits their verification (首次提交认证信息); it waits for review.
pub async fn submit(
    db: &DatabaseConnection,
    viewer: &Viewer,
    kind: Kind,
    input: VerificationInput,
) -> AppResult<user_verification::Model> {
    if of_user(db, viewer.user_id).await?.is_some() {
        return Err(already_submitted());
    }
    let checked = check(db, kind, &input).await?;
    let now = Utc::now();
    let mut m = user_verification::ActiveModel {
        user_id: Set(viewer.user_id),
        kind: Set(kind.as_str().to_owned()),
        created_at: Set(now),
        ..Default::default()
    };
    fill(&mut m, checked);
    match m.insert(db).await {
        Ok(model) => Ok(model),
        // Another submission of the same user won the race.
        Err(e) => match AppError::from(e) {
            AppError::Conflict(_) => Err(already_submitted()),
            other => Err(other),
        },
    }
}

/// The caller resubmits their rejected verification (更新认证信息) with the same kind; it waits
/// for review again.
pub async fn resubmit(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: VerificationInput,
) -> AppResult<user_verification::Model> {
    let current = of_user(db, viewer.user_id)
        .await?
        .ok_or_else(|| AppError::NotFound("no verification was submitted".into()))?;
    if current.state != state::REJECTED {
        return Err(AppError::Conflict(format!(
            "only a rejected verification can be resubmitted; this one is {}",
            state_name(current.state)
        )));
    }
    let checked = check(db, Kind::stored(&current.kind), &input).await?;
    let mut m = user_verification::ActiveModel {
        ..Default::default()
    };
    fill(&mut m, checked);
    let updated = user_verification::Entity::update_many()
        .set(m)
        .filter(user_verification::Column::Id.eq(current.id))
        .filter(user_verification::Column::State.eq(state::REJECTED))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::Conflict(
            "the verification changed meanwhile; reload it".into(),
        ));
    }
    reload(db, current.id).await
}

/// The caller deletes their verification (删除认证信息), whatever its state.
pub async fn delete(db: &DatabaseConnection, viewer: &Viewer) -> AppResult<()> {
    let deleted = user_verification::Entity::delete_many()
        .filter(user_verification::Column::UserId.eq(viewer.user_id))
        .exec(db)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(AppError::NotFound("no verification was submitted".into()));
    }
    Ok(())
}

/// An administrator approves a waiting verification, or rejects it with a reason.
pub async fn review(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i64,
    approve: bool,
    reason: Option<String>,
) -> AppResult<user_verification::Model> {
    policy::require_admin(viewer)?;
    let reason = reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    let mut errors = FieldErrors::default();
    match &reason {
        None if !approve => errors.add("reason", "a rejection needs a reason"),
        Some(r) if r.chars().count() > MAX_TEXT => {
            errors.add("reason", format!("reason is at most {MAX_TEXT} characters"));
        }
        _ => {}
    }
    errors.finish()?;
    let new_state = if approve {
        state::APPROVED
    } else {
        state::REJECTED
    };
    let updated = user_verification::Entity::update_many()
        .col_expr(user_verification::Column::State, Expr::value(new_state))
        .col_expr(
            user_verification::Column::RejectReason,
            Expr::value(if approve { None } else { reason }),
        )
        .col_expr(
            user_verification::Column::ReviewedBy,
            Expr::value(viewer.user_id),
        )
        .col_expr(
            user_verification::Column::ReviewedAt,
            Expr::value(Utc::now()),
        )
        .col_expr(
            user_verification::Column::UpdatedAt,
            Expr::value(Utc::now()),
        )
        .filter(user_verification::Column::Id.eq(id))
        .filter(user_verification::Column::State.eq(state::WAITING))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        let current = find(db, id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no verification {id}")))?;
        return Err(AppError::Conflict(format!(
            "only a waiting verification can be reviewed; this one is {}",
            state_name(current.state)
        )));
    }
    reload(db, id).await
}

fn state_name(state: i16) -> &'static str {
    match state {
        state::WAITING => "waiting for review",
        state::REJECTED => "rejected",
        _ => "approved",
    }
}

async fn reload(db: &DatabaseConnection, id: i64) -> AppResult<user_verification::Model> {
    find(db, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no verification {id}")))
}

/// A verification by id (everyone may see one; the masking policy decides how much).
pub async fn find<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> AppResult<Option<user_verification::Model>> {
    Ok(user_verification::Entity::find_by_id(id).one(db).await?)
}

/// The verification of a user, if any.
pub async fn of_user<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
) -> AppResult<Option<user_verification::Model>> {
    Ok(user_verification::Entity::find()
        .filter(user_verification::Column::UserId.eq(user_id))
        .one(db)
        .await?)
}

/// Verifications by user id, for the loader.
pub async fn by_user_ids<C: ConnectionTrait>(
    db: &C,
    user_ids: &[i64],
) -> AppResult<HashMap<i64, user_verification::Model>> {
    Ok(user_verification::Entity::find()
        .filter(user_verification::Column::UserId.is_in(user_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.user_id, v))
        .collect())
}

/// Verifications for administrators to review, in one state or all, oldest change first (the
/// review queue's order).
pub async fn list(
    db: &DatabaseConnection,
    viewer: &Viewer,
    state: Option<i16>,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<user_verification::Model>> {
    policy::require_admin(viewer)?;
    let mut query = user_verification::Entity::find();
    if let Some(state) = state {
        query = query.filter(user_verification::Column::State.eq(state));
    }
    page::fetch(
        db,
        query,
        |q| {
            q.order_by_asc(user_verification::Column::UpdatedAt)
                .order_by_asc(user_verification::Column::Id)
        },
        window,
        with_total,
    )
    .await
}

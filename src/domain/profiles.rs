//! Role profiles: what a patient, doctor, assistant or consultant adds to an account. Each
//! role's profile row exists from the moment the role is granted; edits are partial (`None`
//! leaves a field alone, an empty string clears it).

use std::collections::HashMap;

use chrono::Utc;
use entity::{assistant_profile, consultant_profile, doctor_profile, patient_profile};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};

use crate::Services;
use crate::auth::{Role, Viewer};
use crate::domain::files;
use crate::error::{AppError, AppResult, FieldErrors};

/// A consultant's UTC offset until they set one: China Standard Time.
pub const DEFAULT_UTC_OFFSET_MINUTES: i32 = 480;

/// Creates the empty profile of a role, if missing.
pub async fn ensure<C: ConnectionTrait>(db: &C, user_id: i64, role: Role) -> AppResult<()> {
    let now = Utc::now();
    match role {
        Role::Patient => {
            if patient_profile::Entity::find_by_id(user_id)
                .one(db)
                .await?
                .is_none()
            {
                patient_profile::ActiveModel {
                    user_id: Set(user_id),
                    height_cm: Set(None),
                    weight_kg: Set(None),
                    marital_status: Set(None),
                    drinks: Set(None),
                    smokes: Set(None),
                    credit_score: Set(None),
                    punctuality_score: Set(None),
                    scored_count: Set(0),
                    registration_count: Set(0),
                    visit_count: Set(0),
                    verify_state: Set(1),
                    updated_at: Set(now),
                }
                .insert(db)
                .await?;
            }
        }
        Role::Doctor => {
            if doctor_profile::Entity::find_by_id(user_id)
                .one(db)
                .await?
                .is_none()
            {
                doctor_profile::ActiveModel {
                    user_id: Set(user_id),
                    hospital_id: Set(None),
                    hospital_name: Set(None),
                    hospital_rank: Set(None),
                    department: Set(None),
                    position: Set(None),
                    specialties: Set(None),
                    work_proof: Set(None),
                    r#abstract: Set(None),
                    work_time: Set(None),
                    verify_state: Set(0),
                    certified_at: Set(None),
                    certification_title: Set(None),
                    score: Set(None),
                    score_count: Set(0),
                    visit_count: Set(0),
                    patient_count: Set(0),
                    service_minutes: Set(0),
                    updated_at: Set(now),
                }
                .insert(db)
                .await?;
            }
        }
        Role::Assistant => {
            if assistant_profile::Entity::find_by_id(user_id)
                .one(db)
                .await?
                .is_none()
            {
                assistant_profile::ActiveModel {
                    user_id: Set(user_id),
                    team_name: Set(None),
                    help_count: Set(0),
                    verify_state: Set(0),
                    updated_at: Set(now),
                }
                .insert(db)
                .await?;
            }
        }
        Role::Consultant => {
            if consultant_profile::Entity::find_by_id(user_id)
                .one(db)
                .await?
                .is_none()
            {
                consultant_profile::ActiveModel {
                    user_id: Set(user_id),
                    organization: Set(None),
                    introduction: Set(None),
                    experience: Set(None),
                    expertise: Set(None),
                    education: Set(None),
                    certifications: Set(None),
                    utc_offset_minutes: Set(DEFAULT_UTC_OFFSET_MINUTES),
                    updated_at: Set(now),
                }
                .insert(db)
                .await?;
            }
        }
        Role::HospitalStaff | Role::Administrator => {}
    }
    Ok(())
}

macro_rules! by_user_ids {
    ($name:ident, $module:ident) => {
        /// Profiles of several users, for the loaders.
        pub async fn $name<C: ConnectionTrait>(
            db: &C,
            ids: &[i64],
        ) -> AppResult<HashMap<i64, $module::Model>> {
            Ok($module::Entity::find()
                .filter($module::Column::UserId.is_in(ids.iter().copied()))
                .all(db)
                .await?
                .into_iter()
                .map(|p| (p.user_id, p))
                .collect())
        }
    };
}

by_user_ids!(patients_by_user_ids, patient_profile);
by_user_ids!(doctors_by_user_ids, doctor_profile);
by_user_ids!(assistants_by_user_ids, assistant_profile);
by_user_ids!(consultants_by_user_ids, consultant_profile);

/// Half-days a doctor works on one weekday.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    async_graphql::SimpleObject,
    async_graphql::InputObject,
)]
#[graphql(input_name = "WorkDayInput")]
pub struct WorkDay {
    /// Works in the morning.
    #[serde(with = "int_bool")]
    pub morning: bool,
    /// Works in the afternoon.
    #[serde(with = "int_bool")]
    pub afternoon: bool,
}

/// The legacy encoding of booleans as 0/1 (true/false are accepted too).
mod int_bool {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &bool, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(u8::from(*value))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Bool(b) => Ok(b),
            serde_json::Value::Number(n) => Ok(n.as_i64().unwrap_or(0) != 0),
            serde_json::Value::String(s) => Ok(s == "1" || s == "true"),
            _ => Err(serde::de::Error::custom("expected 0 or 1")),
        }
    }
}

/// A doctor's weekly work time (7 days, Monday first) from its stored JSON.
pub fn work_time(profile: &doctor_profile::Model) -> Option<Vec<WorkDay>> {
    profile
        .work_time
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
}

/// Proof-of-employment photo addresses from their stored JSON.
pub fn work_proof(profile: &doctor_profile::Model) -> Vec<String> {
    profile
        .work_proof
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

/// A trimmed text edit: `None` leaves the field alone, an empty string clears it, longer than
/// `max` characters is refused.
pub(crate) fn text(
    value: Option<String>,
    field: &str,
    max: usize,
) -> AppResult<Option<Option<String>>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let value = value.trim();
    if value.is_empty() {
        return Ok(Some(None));
    }
    if value.chars().count() > max {
        return Err(AppError::bad_field(
            field,
            format!("at most {max} characters"),
        ));
    }
    Ok(Some(Some(value.to_owned())))
}

pub(crate) async fn require_role_of<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    target: i64,
    role: Role,
) -> AppResult<()> {
    crate::policy::require_self_or_admin(viewer, target)?;
    if !super::role_reviews::held_or_applied(db, target)
        .await?
        .contains(&role)
    {
        return Err(AppError::Forbidden(format!(
            "the account does not hold the {} role",
            role.as_str().replace('_', " ")
        )));
    }
    Ok(())
}

/// Changes to a patient profile.
#[derive(Debug, Clone, Default)]
pub struct PatientChanges {
    pub height_cm: Option<f64>,
    pub weight_kg: Option<f64>,
    pub marital_status: Option<i16>,
    pub drinks: Option<bool>,
    pub smokes: Option<bool>,
}

/// Edits a patient profile (its owner or an administrator).
pub async fn update_patient(
    s: &Services,
    viewer: &Viewer,
    target: i64,
    c: PatientChanges,
) -> AppResult<patient_profile::Model> {
    let txn = s.db.begin().await?;
    require_role_of(&txn, viewer, target, Role::Patient).await?;
    let updated = update_patient_in(&txn, target, c).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Records the invalid fields of patient changes (height, weight, marital status).
pub fn check_patient(c: &PatientChanges, errors: &mut FieldErrors) {
    if c.height_cm.is_some_and(|h| !(30.0..=260.0).contains(&h)) {
        errors.add("heightCm", "a height between 30 and 260 cm");
    }
    if c.weight_kg.is_some_and(|w| !(2.0..=400.0).contains(&w)) {
        errors.add("weightKg", "a weight between 2 and 400 kg");
    }
    if c.marital_status.is_some_and(|m| !(0..=3).contains(&m)) {
        errors.add(
            "maritalStatus",
            "0 single, 1 married, 2 divorced or 3 widowed",
        );
    }
}

/// [`update_patient`] inside a caller's transaction (permissions checked by the caller).
pub async fn update_patient_in<C: ConnectionTrait>(
    txn: &C,
    target: i64,
    c: PatientChanges,
) -> AppResult<patient_profile::Model> {
    let mut errors = FieldErrors::default();
    check_patient(&c, &mut errors);
    errors.finish()?;
    ensure(txn, target, Role::Patient).await?;
    let current = patient_profile::Entity::find_by_id(target)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::internal("patient profile vanished"))?;
    let mut m = current.into_active_model();
    if let Some(v) = c.height_cm {
        m.height_cm = Set(Some(v));
    }
    if let Some(v) = c.weight_kg {
        m.weight_kg = Set(Some(v));
    }
    if let Some(v) = c.marital_status {
        m.marital_status = Set(Some(v));
    }
    if let Some(v) = c.drinks {
        m.drinks = Set(Some(v));
    }
    if let Some(v) = c.smokes {
        m.smokes = Set(Some(v));
    }
    m.updated_at = Set(Utc::now());
    Ok(m.update(txn).await?)
}

/// Changes to a doctor profile. Verification and certification are set by reviewers, not here.
#[derive(Debug, Clone, Default)]
pub struct DoctorChanges {
    pub hospital_id: Option<i64>,
    pub hospital_name: Option<String>,
    pub department: Option<String>,
    pub position: Option<String>,
    pub specialties: Option<String>,
    /// Addresses (or URLs) of uploaded proof-of-employment images.
    pub work_proof: Option<Vec<String>>,
    pub r#abstract: Option<String>,
    pub work_time: Option<Vec<WorkDay>>,
}

/// Edits a doctor profile (its owner or an administrator).
pub async fn update_doctor(
    s: &Services,
    viewer: &Viewer,
    target: i64,
    c: DoctorChanges,
) -> AppResult<doctor_profile::Model> {
    let txn = s.db.begin().await?;
    require_role_of(&txn, viewer, target, Role::Doctor).await?;
    let updated = update_doctor_in(&txn, target, c).await?;
    txn.commit().await?;
    Ok(updated)
}

/// [`update_doctor`] inside a caller's transaction (permissions checked by the caller).
pub async fn update_doctor_in<C: ConnectionTrait>(
    txn: &C,
    target: i64,
    c: DoctorChanges,
) -> AppResult<doctor_profile::Model> {
    if c.work_time.as_ref().is_some_and(|w| w.len() != 7) {
        return Err(AppError::bad_field(
            "workTime",
            "the work time lists 7 days, Monday first",
        ));
    }
    ensure(txn, target, Role::Doctor).await?;
    let current = doctor_profile::Entity::find_by_id(target)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::internal("doctor profile vanished"))?;
    let mut m = current.into_active_model();
    if let Some(v) = c.hospital_id {
        m.hospital_id = Set((v > 0).then_some(v));
    }
    if let Some(v) = text(c.hospital_name, "hospitalName", 100)? {
        m.hospital_name = Set(v);
    }
    if let Some(v) = text(c.department, "department", 64)? {
        m.department = Set(v);
    }
    if let Some(v) = text(c.position, "position", 64)? {
        m.position = Set(v);
    }
    if let Some(v) = text(c.specialties, "specialties", 500)? {
        m.specialties = Set(v);
    }
    if let Some(v) = text(c.r#abstract, "abstract", 2000)? {
        m.r#abstract = Set(v);
    }
    if let Some(photos) = c.work_proof {
        if photos.len() > 9 {
            return Err(AppError::bad_field("workProof", "at most 9 photos"));
        }
        let mut hashes = Vec::with_capacity(photos.len());
        for photo in photos {
            let hash = files::address_of(&photo);
            if !crate::storage::is_valid_hash(&hash) {
                return Err(AppError::bad_field(
                    "workProof",
                    format!("{photo} is not a file address"),
                ));
            }
            match files::find(txn, &hash).await? {
                Some(f) if f.content_type.starts_with("image/") => hashes.push(f.hash),
                Some(_) => {
                    return Err(AppError::bad_field(
                        "workProof",
                        "a proof photo is not an image",
                    ));
                }
                None => {
                    return Err(AppError::bad_field(
                        "workProof",
                        format!("no uploaded file has the address {hash}"),
                    ));
                }
            }
        }
        m.work_proof = Set(Some(
            serde_json::to_string(&hashes).map_err(AppError::internal)?,
        ));
    }
    if let Some(days) = c.work_time {
        m.work_time = Set(Some(
            serde_json::to_string(&days).map_err(AppError::internal)?,
        ));
    }
    m.updated_at = Set(Utc::now());
    Ok(m.update(txn).await?)
}

/// Edits an assistant profile (its owner or an administrator).
pub async fn update_assistant(
    s: &Services,
    viewer: &Viewer,
    target: i64,
    team_name: Option<String>,
) -> AppResult<assistant_profile::Model> {
    let txn = s.db.begin().await?;
    require_role_of(&txn, viewer, target, Role::Assistant).await?;
    let updated = update_assistant_in(&txn, target, team_name).await?;
    txn.commit().await?;
    Ok(updated)
}

/// [`update_assistant`] inside a caller's transaction (permissions checked by the caller).
pub async fn update_assistant_in<C: ConnectionTrait>(
    txn: &C,
    target: i64,
    team_name: Option<String>,
) -> AppResult<assistant_profile::Model> {
    ensure(txn, target, Role::Assistant).await?;
    let current = assistant_profile::Entity::find_by_id(target)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::internal("assistant profile vanished"))?;
    let mut m = current.into_active_model();
    if let Some(v) = text(team_name, "teamName", 100)? {
        m.team_name = Set(v);
    }
    m.updated_at = Set(Utc::now());
    Ok(m.update(txn).await?)
}

/// Changes to a consultant profile.
#[derive(Debug, Clone, Default)]
pub struct ConsultantChanges {
    pub organization: Option<String>,
    pub introduction: Option<String>,
    pub experience: Option<String>,
    pub expertise: Option<String>,
    pub education: Option<String>,
    pub certifications: Option<String>,
}

/// Edits a consultant profile (its owner or an administrator).
pub async fn update_consultant(
    s: &Services,
    viewer: &Viewer,
    target: i64,
    c: ConsultantChanges,
) -> AppResult<consultant_profile::Model> {
    let txn = s.db.begin().await?;
    require_role_of(&txn, viewer, target, Role::Consultant).await?;
    let updated = update_consultant_in(&txn, target, c).await?;
    txn.commit().await?;
    Ok(updated)
}

/// [`update_consultant`] inside a caller's transaction (permissions checked by the caller).
pub async fn update_consultant_in<C: ConnectionTrait>(
    txn: &C,
    target: i64,
    c: ConsultantChanges,
) -> AppResult<consultant_profile::Model> {
    ensure(txn, target, Role::Consultant).await?;
    let current = consultant_profile::Entity::find_by_id(target)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::internal("consultant profile vanished"))?;
    let mut m = current.into_active_model();
    // The organization comes from an approved membership, never from the profile: a form
    // that sends it back unchanged (or empty) passes, another name is refused.
    if let Some(Some(v)) = text(c.organization, "organization", 100)? {
        let current = super::memberships::organization_of(txn, target)
            .await?
            .map(|o| o.name);
        if current.as_deref() != Some(v.as_str()) {
            return Err(AppError::bad_field(
                "organization",
                "the organization comes from an approved membership: apply to it (applyToOrganization)",
            ));
        }
    }
    if let Some(v) = text(c.introduction, "introduction", 4000)? {
        m.introduction = Set(v);
    }
    if let Some(v) = text(c.experience, "experience", 4000)? {
        m.experience = Set(v);
    }
    if let Some(v) = text(c.expertise, "expertise", 4000)? {
        m.expertise = Set(v);
    }
    if let Some(v) = text(c.education, "education", 4000)? {
        m.education = Set(v);
    }
    if let Some(v) = text(c.certifications, "certifications", 4000)? {
        m.certifications = Set(v);
    }
    m.updated_at = Set(Utc::now());
    Ok(m.update(txn).await?)
}

//! The catalogue of the volunteer-doctor service: hospitals (医院), organizations (组织) and the
//! doctors' applications to join them, special projects (专题活动) and the doctor directory.
//!
//! Administrators add hospitals, organizations and special projects and decide applications;
//! a doctor applies to an organization once (applying again after a rejection reopens the
//! application), sees their own applications and withdraws or leaves with one of them. Anyone
//! reads the catalogue.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveTime, Utc};
use entity::{
    doctor_profile, hospital, organization, organization_membership, special_project, user,
    user_role,
};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    JoinType, Order, QueryFilter, QueryOrder, QuerySelect, RelationTrait, Set, TransactionSession,
    TransactionTrait,
};

use super::page::{self, Page, PageRequest};
use super::{accounts, files};
use crate::auth::{Role, Viewer};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::policy;

/// States of an application to an organization (the legacy `verify_status`).
pub mod membership_state {
    /// Waiting for an administrator (待审核).
    pub const PENDING: i16 = 0;
    /// A member (已通过).
    pub const APPROVED: i16 = 1;
    /// Refused (已拒绝).
    pub const REJECTED: i16 = 2;
}

/// A stored-file address from a client's reference (bare address or `/files/…` URL) that must
/// name an uploaded image.
pub async fn image_address<C: ConnectionTrait>(
    db: &C,
    field: &str,
    reference: &str,
) -> AppResult<String> {
    let hash = files::address_of(reference);
    if !crate::storage::is_valid_hash(&hash) {
        return Err(AppError::bad_field(
            field,
            format!("{reference} is not a file address"),
        ));
    }
    match files::find(db, &hash).await? {
        Some(f) if f.content_type.starts_with("image/") => Ok(f.hash),
        Some(_) => Err(AppError::bad_field(field, "the file is not an image")),
        None => Err(AppError::bad_field(
            field,
            format!("no uploaded file has the address {hash}"),
        )),
    }
}

/// A JSON list of strings as stored (`[]` when unreadable).
pub fn string_list(stored: &str) -> Vec<String> {
    serde_json::from_str(stored).unwrap_or_default()
}

fn text(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    max: usize,
    required: bool,
) -> Option<String> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            if required {
                errors.add(field, format!("{field} is required"));
            }
            None
        }
        Some(v) if v.chars().count() > max => {
            errors.add(field, format!("{field} is at most {max} characters"));
            None
        }
        Some(v) => Some(v.to_owned()),
    }
}

/// Checks a longitude / latitude pair (both or neither).
pub fn check_coordinates(
    errors: &mut FieldErrors,
    longitude: Option<f64>,
    latitude: Option<f64>,
) -> Option<(f64, f64)> {
    let mut ok = true;
    if let Some(lng) = longitude
        && !(lng.is_finite() && (-180.0..=180.0).contains(&lng))
    {
        errors.add("longitude", "longitude is between -180 and 180");
        ok = false;
    }
    if let Some(lat) = latitude
        && !(lat.is_finite() && (-90.0..=90.0).contains(&lat))
    {
        errors.add("latitude", "latitude is between -90 and 90");
        ok = false;
    }
    match (longitude, latitude) {
        (Some(lng), Some(lat)) if ok => Some((lng, lat)),
        (Some(_), None) => {
            errors.add("latitude", "latitude goes with longitude");
            None
        }
        (None, Some(_)) => {
            errors.add("longitude", "longitude goes with latitude");
            None
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Hospitals

/// A new hospital.
#[derive(Debug, Clone, Default)]
pub struct NewHospital {
    pub name: String,
    /// File reference (address or URL) of an uploaded image.
    pub logo: Option<String>,
    pub banners: Vec<String>,
    pub level: Option<String>,
    pub tag: Option<String>,
    /// A county, city or province code: the enclosing levels are filled in.
    pub region_code: Option<i32>,
    pub address: Option<String>,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
}

/// The (province, city, county) codes of a region code: its own level and those enclosing it.
pub async fn region_chain<C: ConnectionTrait>(
    db: &C,
    code: i32,
) -> AppResult<(Option<i32>, Option<i32>, Option<i32>)> {
    let mut chain = (None, None, None);
    let mut next = Some(code);
    while let Some(code) = next.filter(|c| *c > 0) {
        let Some(region) = super::regions::by_ids(db, &[code]).await?.remove(&code) else {
            return Err(AppError::bad_field(
                "regionCode",
                format!("no region has the code {code}"),
            ));
        };
        match region.level {
            1 => chain.0 = Some(region.id),
            2 => chain.1 = Some(region.id),
            _ => chain.2 = Some(region.id),
        }
        next = Some(region.parent_id);
    }
    Ok(chain)
}

/// Adds a hospital (administrators).
pub async fn create_hospital<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    input: NewHospital,
) -> AppResult<hospital::Model> {
    policy::require_admin(viewer)?;
    create_hospital_unchecked(db, input).await
}

/// [`create_hospital`] without the permission check (demo data).
pub async fn create_hospital_unchecked<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    input: NewHospital,
) -> AppResult<hospital::Model> {
    let mut errors = FieldErrors::default();
    let name = text(&mut errors, "name", Some(&input.name), 100, true);
    let level = text(&mut errors, "level", input.level.as_deref(), 32, false);
    let tag = text(&mut errors, "tag", input.tag.as_deref(), 64, false);
    let address = text(&mut errors, "address", input.address.as_deref(), 200, false);
    let coordinates = check_coordinates(&mut errors, input.longitude, input.latitude);
    if input.banners.len() > 9 {
        errors.add("banners", "at most 9 banners");
    }
    errors.finish()?;
    let txn = db.begin().await?;
    let logo = match input.logo.as_deref().filter(|l| !l.trim().is_empty()) {
        Some(l) => Some(image_address(&txn, "logo", l).await?),
        None => None,
    };
    let mut banners = Vec::with_capacity(input.banners.len());
    for b in &input.banners {
        banners.push(image_address(&txn, "banners", b).await?);
    }
    let (province, city, county) = match input.region_code {
        Some(code) => region_chain(&txn, code).await?,
        None => (None, None, None),
    };
    let now = Utc::now();
    let model = hospital::ActiveModel {
        name: Set(name.unwrap_or_default()),
        logo: Set(logo),
        banners: Set(serde_json::to_string(&banners).map_err(AppError::internal)?),
        level: Set(level),
        tag: Set(tag),
        province_code: Set(province),
        city_code: Set(city),
        county_code: Set(county),
        address: Set(address),
        longitude: Set(coordinates.map(|c| c.0)),
        latitude: Set(coordinates.map(|c| c.1)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Hospitals by name (or part of it, or of its address or tag), or in a region.
#[derive(Debug, Clone, Default)]
pub struct HospitalFilter {
    pub keyword: Option<String>,
    /// A province, city or county code.
    pub region_code: Option<i32>,
}

/// Hospitals in id order.
pub async fn list_hospitals<C: ConnectionTrait>(
    db: &C,
    filter: &HospitalFilter,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<hospital::Model>> {
    let mut cond = Condition::all();
    if let Some(k) = keyword(filter.keyword.as_deref()) {
        cond = cond.add(
            Condition::any()
                .add(page::contains(hospital::Column::Name, k))
                .add(page::contains(hospital::Column::Address, k))
                .add(page::contains(hospital::Column::Tag, k)),
        );
    }
    if let Some(code) = filter.region_code {
        cond = cond.add(
            Condition::any()
                .add(hospital::Column::ProvinceCode.eq(code))
                .add(hospital::Column::CityCode.eq(code))
                .add(hospital::Column::CountyCode.eq(code)),
        );
    }
    page::fetch(
        db,
        hospital::Entity::find().filter(cond),
        |q| q.order_by_asc(hospital::Column::Id),
        window,
        with_total,
    )
    .await
}

fn keyword(k: Option<&str>) -> Option<&str> {
    k.map(str::trim).filter(|k| !k.is_empty())
}

/// Hospitals by id, for the loaders.
pub async fn hospitals_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> AppResult<HashMap<i64, hospital::Model>> {
    Ok(hospital::Entity::find()
        .filter(hospital::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|h| (h.id, h))
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Organizations and memberships

/// Adds an organization (administrators).
pub async fn create_organization<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    name: &str,
    logo: Option<&str>,
    description: Option<&str>,
) -> AppResult<organization::Model> {
    policy::require_admin(viewer)?;
    create_organization_unchecked(db, name, logo, description).await
}

/// [`create_organization`] without the permission check (demo data).
pub async fn create_organization_unchecked<C: ConnectionTrait>(
    db: &C,
    name: &str,
    logo: Option<&str>,
    description: Option<&str>,
) -> AppResult<organization::Model> {
    let mut errors = FieldErrors::default();
    let name = text(&mut errors, "name", Some(name), 100, true);
    let description = text(&mut errors, "description", description, 2000, false);
    errors.finish()?;
    let logo = match logo.filter(|l| !l.trim().is_empty()) {
        Some(l) => Some(image_address(db, "logo", l).await?),
        None => None,
    };
    let now = Utc::now();
    Ok(organization::ActiveModel {
        name: Set(name.unwrap_or_default()),
        logo: Set(logo),
        description: Set(description),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Organizations by name (or part of it), in id order.
pub async fn list_organizations<C: ConnectionTrait>(
    db: &C,
    keyword_text: Option<&str>,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<organization::Model>> {
    let mut query = organization::Entity::find();
    if let Some(k) = keyword(keyword_text) {
        query = query.filter(page::contains(organization::Column::Name, k));
    }
    page::fetch(
        db,
        query,
        |q| q.order_by_asc(organization::Column::Id),
        window,
        with_total,
    )
    .await
}

/// Organizations by id, for the loaders.
pub async fn organizations_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> AppResult<HashMap<i64, organization::Model>> {
    Ok(organization::Entity::find()
        .filter(organization::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect())
}

/// The organizations each doctor is an approved member of, in id order, for the loaders.
pub async fn organizations_of_doctors<C: ConnectionTrait>(
    db: &C,
    doctors: &[i64],
) -> AppResult<HashMap<i64, Vec<organization::Model>>> {
    let memberships = organization_membership::Entity::find()
        .filter(organization_membership::Column::DoctorId.is_in(doctors.iter().copied()))
        .filter(organization_membership::Column::State.eq(membership_state::APPROVED))
        .order_by_asc(organization_membership::Column::OrganizationId)
        .all(db)
        .await?;
    let org_ids: Vec<i64> = memberships.iter().map(|m| m.organization_id).collect();
    let orgs = if org_ids.is_empty() {
        HashMap::new()
    } else {
        organizations_by_ids(db, &org_ids).await?
    };
    let mut out: HashMap<i64, Vec<organization::Model>> =
        doctors.iter().map(|d| (*d, Vec::new())).collect();
    for m in memberships {
        if let Some(org) = orgs.get(&m.organization_id) {
            out.entry(m.doctor_id).or_default().push(org.clone());
        }
    }
    Ok(out)
}

/// A doctor applies to join an organization. A pending or approved application already there
/// is a `CONFLICT`; a rejected one is reopened.
pub async fn apply_to_organization<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    organization_id: i64,
) -> AppResult<organization_membership::Model> {
    // A doctor joins as a doctor; a consultant (an applicant too: the organization's
    // administrators review consultants who applied to it) as a consultant.
    let member_role = if viewer.has(Role::Doctor) {
        Role::Doctor
    } else if super::role_reviews::held_or_applied(db, viewer.user_id)
        .await?
        .contains(&Role::Consultant)
    {
        Role::Consultant
    } else {
        return Err(AppError::Forbidden(
            "only verified doctors and consultants join organizations".into(),
        ));
    };
    let txn = db.begin().await?;
    if organization::Entity::find_by_id(organization_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound(format!(
            "no organization {organization_id}"
        )));
    }
    let now = Utc::now();
    let existing = organization_membership::Entity::find()
        .filter(organization_membership::Column::OrganizationId.eq(organization_id))
        .filter(organization_membership::Column::DoctorId.eq(viewer.user_id))
        .one(&txn)
        .await?;
    let model = match existing {
        Some(m) if m.state == membership_state::REJECTED => {
            let mut active = m.into_active_model();
            active.state = Set(membership_state::PENDING);
            active.decided_by = Set(None);
            active.decided_at = Set(None);
            active.updated_at = Set(now);
            active.update(&txn).await?
        }
        Some(m) if m.state == membership_state::APPROVED => {
            return Err(AppError::Conflict(
                "already a member of this organization".into(),
            ));
        }
        Some(_) => {
            return Err(AppError::Conflict(
                "an application to this organization is already pending".into(),
            ));
        }
        None => {
            organization_membership::ActiveModel {
                organization_id: Set(organization_id),
                doctor_id: Set(viewer.user_id),
                state: Set(membership_state::PENDING),
                decided_by: Set(None),
                decided_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                member_role: Set(member_role.as_str().to_owned()),
                is_admin: Set(false),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    txn.commit().await?;
    Ok(model)
}

/// An application or membership the viewer may see: their own, or any for administrators.
pub async fn find_membership<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: i64,
) -> AppResult<Option<organization_membership::Model>> {
    Ok(organization_membership::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|m| m.doctor_id == viewer.user_id || viewer.is_admin()))
}

/// A doctor withdraws an application or leaves an organization (their own only; another's is
/// not found).
pub async fn leave_organization<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    membership_id: i64,
) -> AppResult<organization_membership::Model> {
    let deleted = organization_membership::Entity::delete_many()
        .filter(organization_membership::Column::Id.eq(membership_id))
        .filter(organization_membership::Column::DoctorId.eq(viewer.user_id))
        .exec_with_returning(db)
        .await?;
    deleted
        .into_iter()
        .next()
        .ok_or_else(|| AppError::NotFound(format!("no application {membership_id} of yours")))
}

/// An administrator approves or rejects a pending application (an organization's
/// administrators decide its consultants' applications too); deciding twice is a `CONFLICT`.
pub async fn decide_membership<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    membership_id: i64,
    approve: bool,
) -> AppResult<organization_membership::Model> {
    if !viewer.is_admin() {
        let pending = organization_membership::Entity::find_by_id(membership_id)
            .one(db)
            .await?;
        let allowed = match &pending {
            Some(m) if m.member_role == Role::Consultant.as_str() => {
                super::memberships::administers(db, viewer, m.organization_id).await?
            }
            _ => false,
        };
        if !allowed {
            policy::require_admin(viewer)?;
        }
    }
    let now = Utc::now();
    let txn = db.begin().await?;
    let updated = organization_membership::Entity::update_many()
        .col_expr(
            organization_membership::Column::State,
            Expr::value(if approve {
                membership_state::APPROVED
            } else {
                membership_state::REJECTED
            }),
        )
        .col_expr(
            organization_membership::Column::DecidedBy,
            Expr::value(viewer.user_id),
        )
        .col_expr(organization_membership::Column::DecidedAt, Expr::value(now))
        .col_expr(organization_membership::Column::UpdatedAt, Expr::value(now))
        .filter(organization_membership::Column::Id.eq(membership_id))
        .filter(organization_membership::Column::State.eq(membership_state::PENDING))
        .exec(&txn)
        .await?;
    let model = organization_membership::Entity::find_by_id(membership_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no application {membership_id}")))?;
    if updated.rows_affected == 0 {
        return Err(AppError::Conflict(
            "the application was already decided".into(),
        ));
    }
    txn.commit().await?;
    Ok(model)
}

/// Which applications a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct MembershipFilter {
    pub organization_id: Option<i64>,
    pub doctor_id: Option<i64>,
    pub state: Option<i16>,
}

/// Applications, newest first: a doctor's own (`doctor_id` = the viewer), or any for
/// administrators.
pub async fn list_memberships<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: MembershipFilter,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<organization_membership::Model>> {
    if filter.doctor_id != Some(viewer.user_id) {
        policy::require_admin(viewer)?;
    }
    let mut cond = Condition::all();
    if let Some(org) = filter.organization_id {
        cond = cond.add(organization_membership::Column::OrganizationId.eq(org));
    }
    if let Some(doctor) = filter.doctor_id {
        cond = cond.add(organization_membership::Column::DoctorId.eq(doctor));
    }
    if let Some(state) = filter.state {
        cond = cond.add(organization_membership::Column::State.eq(state));
    }
    page::fetch(
        db,
        organization_membership::Entity::find().filter(cond),
        |q| q.order_by_desc(organization_membership::Column::Id),
        window,
        with_total,
    )
    .await
}

/// Whether `doctor` is an approved member of `organization`.
pub async fn is_member<C: ConnectionTrait>(
    db: &C,
    doctor: i64,
    organization: i64,
) -> AppResult<bool> {
    Ok(organization_membership::Entity::find()
        .filter(organization_membership::Column::OrganizationId.eq(organization))
        .filter(organization_membership::Column::DoctorId.eq(doctor))
        .filter(organization_membership::Column::State.eq(membership_state::APPROVED))
        .one(db)
        .await?
        .is_some())
}

// ---------------------------------------------------------------------------------------------
// Special projects

/// A new special project (campaign) of an organization.
#[derive(Debug, Clone)]
pub struct NewSpecialProject {
    pub organization_id: i64,
    pub hospital_id: Option<i64>,
    pub title: String,
    pub photo: Option<String>,
    pub r#abstract: String,
    pub address: Option<String>,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    pub service_targets: Vec<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub begin_time: NaiveTime,
    pub end_time: NaiveTime,
}

/// Adds a special project (administrators).
pub async fn create_special_project<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    input: NewSpecialProject,
) -> AppResult<special_project::Model> {
    policy::require_admin(viewer)?;
    create_special_project_unchecked(db, input).await
}

/// [`create_special_project`] without the permission check (demo data).
pub async fn create_special_project_unchecked<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    input: NewSpecialProject,
) -> AppResult<special_project::Model> {
    let mut errors = FieldErrors::default();
    let title = text(&mut errors, "title", Some(&input.title), 100, true);
    let abstract_text = text(
        &mut errors,
        "abstract",
        Some(&input.r#abstract),
        2000,
        false,
    );
    let address = text(&mut errors, "address", input.address.as_deref(), 200, false);
    let coordinates = check_coordinates(&mut errors, input.longitude, input.latitude);
    if input.ends_on < input.starts_on {
        errors.add("endsOn", "the campaign ends on or after its first day");
    }
    if input.end_time <= input.begin_time {
        errors.add("endTime", "the daily hours end after they begin");
    }
    let targets = super::free_clinics::check_targets(&mut errors, &input.service_targets);
    errors.finish()?;
    let txn = db.begin().await?;
    if organization::Entity::find_by_id(input.organization_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(AppError::bad_field(
            "organizationId",
            format!("no organization {}", input.organization_id),
        ));
    }
    if let Some(h) = input.hospital_id
        && hospital::Entity::find_by_id(h).one(&txn).await?.is_none()
    {
        return Err(AppError::bad_field(
            "hospitalId",
            format!("no hospital {h}"),
        ));
    }
    let photo = match input.photo.as_deref().filter(|p| !p.trim().is_empty()) {
        Some(p) => Some(image_address(&txn, "photo", p).await?),
        None => None,
    };
    let model = special_project::ActiveModel {
        organization_id: Set(input.organization_id),
        hospital_id: Set(input.hospital_id),
        title: Set(title.unwrap_or_default()),
        photo: Set(photo),
        r#abstract: Set(abstract_text.unwrap_or_default()),
        address: Set(address),
        longitude: Set(coordinates.map(|c| c.0)),
        latitude: Set(coordinates.map(|c| c.1)),
        service_targets: Set(serde_json::to_string(&targets).map_err(AppError::internal)?),
        starts_on: Set(input.starts_on),
        ends_on: Set(input.ends_on),
        begin_time: Set(input.begin_time),
        end_time: Set(input.end_time),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Special projects, newest first: all, or those of one organization.
pub async fn list_special_projects<C: ConnectionTrait>(
    db: &C,
    organization_id: Option<i64>,
    hospital_id: Option<i64>,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<special_project::Model>> {
    let mut query = special_project::Entity::find();
    if let Some(org) = organization_id {
        query = query.filter(special_project::Column::OrganizationId.eq(org));
    }
    if let Some(h) = hospital_id {
        query = query.filter(special_project::Column::HospitalId.eq(h));
    }
    page::fetch(
        db,
        query,
        |q| {
            q.order_by_desc(special_project::Column::StartsOn)
                .order_by_desc(special_project::Column::Id)
        },
        window,
        with_total,
    )
    .await
}

/// Special projects by id, for the loaders.
pub async fn special_projects_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> AppResult<HashMap<i64, special_project::Model>> {
    Ok(special_project::Entity::find()
        .filter(special_project::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Doctors

/// How the doctor directory is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DoctorOrder {
    /// Highest patient score first (评分最高); unscored doctors last.
    #[default]
    BestRated,
    /// Most visits first (热门医生).
    Popular,
}

/// Which doctors the directory shows.
#[derive(Debug, Clone, Default)]
pub struct DoctorFilter {
    /// Part of the name, hospital, department or specialties.
    pub keyword: Option<String>,
    pub department: Option<String>,
    pub position: Option<String>,
    pub hospital_id: Option<i64>,
    /// Approved members of this organization.
    pub organization_id: Option<i64>,
}

/// The doctor directory: active accounts holding the doctor role whose profile is not
/// disabled, filtered and ordered.
pub async fn list_doctors<C: ConnectionTrait>(
    db: &C,
    filter: &DoctorFilter,
    order: DoctorOrder,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<user::Model>> {
    use sea_orm::sea_query::ExprTrait;
    let mut cond = Condition::all()
        .add(user::Column::Status.eq(accounts::status::ACTIVE))
        .add(doctor_profile::Column::VerifyState.ne(2))
        .add(
            doctor_profile::Column::UserId.in_subquery(
                Query::select()
                    .column(user_role::Column::UserId)
                    .from(user_role::Entity)
                    .and_where(user_role::Column::Role.eq(Role::Doctor.as_str()))
                    .and_where(user_role::Column::State.eq(super::role_reviews::state::APPROVED))
                    .to_owned(),
            ),
        );
    if let Some(k) = keyword(filter.keyword.as_deref()) {
        cond = cond.add(
            Condition::any()
                .add(page::contains(user::Column::RealName, k))
                .add(page::contains(user::Column::DisplayName, k))
                .add(page::contains(doctor_profile::Column::HospitalName, k))
                .add(page::contains(doctor_profile::Column::Department, k))
                .add(page::contains(doctor_profile::Column::Specialties, k)),
        );
    }
    if let Some(d) = keyword(filter.department.as_deref()) {
        cond = cond.add(doctor_profile::Column::Department.eq(d));
    }
    if let Some(p) = keyword(filter.position.as_deref()) {
        cond = cond.add(doctor_profile::Column::Position.eq(p));
    }
    if let Some(h) = filter.hospital_id {
        cond = cond.add(doctor_profile::Column::HospitalId.eq(h));
    }
    if let Some(org) = filter.organization_id {
        cond = cond.add(
            doctor_profile::Column::UserId.in_subquery(
                Query::select()
                    .column(organization_membership::Column::DoctorId)
                    .from(organization_membership::Entity)
                    .and_where(organization_membership::Column::OrganizationId.eq(org))
                    .and_where(
                        organization_membership::Column::State.eq(membership_state::APPROVED),
                    )
                    .to_owned(),
            ),
        );
    }
    let query = doctor_profile::Entity::find()
        .join(JoinType::InnerJoin, doctor_profile::Relation::User.def())
        .filter(cond);
    let profiles = page::fetch(
        db,
        query,
        |q| match order {
            DoctorOrder::BestRated => q
                .order_by(
                    Expr::col((doctor_profile::Entity, doctor_profile::Column::Score)).is_null(),
                    Order::Asc,
                )
                .order_by_desc(doctor_profile::Column::Score)
                .order_by_desc(doctor_profile::Column::ScoreCount)
                .order_by_asc(doctor_profile::Column::UserId),
            DoctorOrder::Popular => q
                .order_by_desc(doctor_profile::Column::VisitCount)
                .order_by_desc(doctor_profile::Column::PatientCount)
                .order_by_asc(doctor_profile::Column::UserId),
        },
        window,
        with_total,
    )
    .await?;
    let ids: Vec<i64> = profiles.items.iter().map(|p| p.user_id).collect();
    let mut users = if ids.is_empty() {
        HashMap::new()
    } else {
        accounts::by_ids(db, &ids).await?
    };
    let Page {
        offset,
        has_next,
        total,
        ..
    } = profiles;
    Ok(Page {
        items: ids.iter().filter_map(|id| users.remove(id)).collect(),
        offset,
        has_next,
        total,
    })
}

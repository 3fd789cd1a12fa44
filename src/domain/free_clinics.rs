//! Free clinics (义诊, legacy `project`): a doctor publishes one for a day at a hospital, in
//! time slots with their places; lists them; cancels them before they end. Anyone lists and
//! reads them, filtered and sorted by distance, recency or popularity.
//!
//! Clinic times are China Standard Time (UTC+8), as the legacy clients write them; the
//! derived states ([`ClinicState`], [`BookingState`]) compare them with the current instant.
//! Places live in `free_clinic_slots` (`capacity`, `taken`); registrations
//! (`domain::registrations`) take one with [`take_place_in`], a single conditional `UPDATE`
//! that cannot overbook. Cancelling ends the clinic's registrations inside its transaction and
//! publishes a [`ClinicCancelled`] event on [`CANCELLED_TOPIC`] once committed.

use std::collections::HashMap;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use entity::{
    doctor_profile, free_clinic, free_clinic_slot, hospital, organization, special_project,
    user_role,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionSession,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};

use super::clinic_catalogue::{self, NewHospital, NewSpecialProject, check_coordinates};
use super::page::{self, Page, PageRequest};
use crate::auth::{Role, Viewer};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::EventBus;

/// Most places one clinic offers.
pub const MAX_CAPACITY: i32 = 1000;
/// Most time slots of one clinic.
pub const MAX_SLOTS: usize = 48;
/// Length of the slots a clinic is split into when the doctor gives none, in seconds.
pub const DEFAULT_SLOT_SECS: i64 = 30 * 60;
/// Largest deposit, in cents (10,000 yuan).
pub const MAX_DEPOSIT_CENTS: i64 = 1_000_000;
/// Most service targets (服务对象) of a clinic.
pub const MAX_TARGETS: usize = 10;
/// Mean Earth radius, metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// Topic on which cancellations are published ([`ClinicCancelled`] as JSON).
pub const CANCELLED_TOPIC: &str = "free-clinics:cancelled";

/// China Standard Time, the zone of every clinic date and time.
pub fn china() -> FixedOffset {
    // 8 hours is always a valid offset.
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"))
}

/// The instant of a China Standard Time date and time.
pub fn china_instant(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = NaiveDateTime::new(date, time);
    china()
        .from_local_datetime(&local)
        .single()
        .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}

/// Today in China Standard Time.
pub fn china_today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&china()).date_naive()
}

/// Where a clinic stands in time (the legacy `project_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClinicState {
    /// 1 待出诊: not begun.
    Waiting,
    /// 2 出诊中: under way.
    InProgress,
    /// 3 已结束: over, or cancelled.
    Ended,
}

impl ClinicState {
    /// The legacy code.
    pub fn code(self) -> i32 {
        match self {
            ClinicState::Waiting => 1,
            ClinicState::InProgress => 2,
            ClinicState::Ended => 3,
        }
    }
}

/// Whether a clinic takes registrations (the legacy `progress_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BookingState {
    /// 1 可预约: places left and not over.
    Bookable,
    /// 2 已约满: every place taken.
    Full,
    /// 3 已结束: over, or cancelled.
    Ended,
}

impl BookingState {
    /// The legacy code.
    pub fn code(self) -> i32 {
        match self {
            BookingState::Bookable => 1,
            BookingState::Full => 2,
            BookingState::Ended => 3,
        }
    }
}

/// The clinic's state at `now`.
pub fn clinic_state(clinic: &free_clinic::Model, now: DateTime<Utc>) -> ClinicState {
    if clinic.cancelled_at.is_some() || now >= clinic.ends_at {
        ClinicState::Ended
    } else if now >= clinic.starts_at {
        ClinicState::InProgress
    } else {
        ClinicState::Waiting
    }
}

/// The booking state at `now`, given the places taken.
pub fn booking_state(clinic: &free_clinic::Model, taken: i64, now: DateTime<Utc>) -> BookingState {
    if clinic_state(clinic, now) == ClinicState::Ended {
        BookingState::Ended
    } else if taken >= i64::from(clinic.capacity) {
        BookingState::Full
    } else {
        BookingState::Bookable
    }
}

/// Whether `viewer` may cancel the clinic now: its doctor, before it ended, not cancelled.
pub fn can_cancel(clinic: &free_clinic::Model, viewer: Option<i64>, now: DateTime<Utc>) -> bool {
    viewer == Some(clinic.doctor_id) && clinic_state(clinic, now) != ClinicState::Ended
}

/// Reads `HH:MM` or `HH:MM:SS`.
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let t = text.trim();
    NaiveTime::parse_from_str(t, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
        .ok()
}

/// The legacy label of a slot: `09:00:00 - 09:30:00`.
pub fn slot_label(begin: NaiveTime, end: NaiveTime) -> String {
    format!("{} - {}", begin.format("%H:%M:%S"), end.format("%H:%M:%S"))
}

/// A slot label in any of the spellings clients use (`09:00-09:30`, `09:00:00 - 09:30:00`)
/// as stored; `None` when it is not a label.
pub fn normalize_label(text: &str) -> Option<String> {
    let (b, e) = text.split_once('-')?;
    Some(slot_label(parse_time(b)?, parse_time(e)?))
}

/// A slot as a doctor gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotInput {
    /// `HH:MM` or `HH:MM:SS`.
    pub begin: String,
    pub end: String,
    pub capacity: i32,
}

/// A checked slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedSlot {
    pub begin: NaiveTime,
    pub end: NaiveTime,
    pub capacity: i32,
}

/// Splits `begin..end` into slots of [`DEFAULT_SLOT_SECS`] (the last one shorter when the
/// hours do not divide), and shares the places out, the earlier slots taking the remainder.
/// With fewer places than slots, neighbouring half hours are merged (still on half-hour
/// boundaries) so that every slot has a place.
pub fn split_slots(begin: NaiveTime, end: NaiveTime, capacity: i32) -> Vec<PlannedSlot> {
    let total = (end - begin).num_seconds().max(1);
    let units = (total + DEFAULT_SLOT_SECS - 1) / DEFAULT_SLOT_SECS;
    let n = units.min(i64::from(capacity.max(1))).max(1);
    let (units_each, units_extra) = (units / n, units % n);
    let (places_each, places_extra) = (i64::from(capacity) / n, i64::from(capacity) % n);
    let mut slots = Vec::new();
    let mut done_units = 0;
    for i in 0..n {
        let start = begin + Duration::seconds((done_units * DEFAULT_SLOT_SECS).min(total));
        done_units += units_each + i64::from(i < units_extra);
        let finish = begin + Duration::seconds((done_units * DEFAULT_SLOT_SECS).min(total));
        slots.push(PlannedSlot {
            begin: start,
            end: finish,
            capacity: i32::try_from(places_each + i64::from(i < places_extra)).unwrap_or(0),
        });
    }
    slots
}

/// Checks a list of service targets: trimmed, non-empty, at most 20 characters each, at most
/// [`MAX_TARGETS`], duplicates dropped.
pub fn check_targets(errors: &mut FieldErrors, targets: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in targets.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if t.chars().count() > 20 {
            errors.add(
                "serviceTargets",
                "a service target is at most 20 characters",
            );
        } else if !out.iter().any(|o| o == t) {
            out.push(t.to_owned());
        }
    }
    if out.len() > MAX_TARGETS {
        errors.add(
            "serviceTargets",
            format!("at most {MAX_TARGETS} service targets"),
        );
    }
    out
}

/// A free clinic as a doctor publishes it.
#[derive(Debug, Clone, Default)]
pub struct NewFreeClinic {
    /// Defaults to "{hospital}义诊".
    pub title: Option<String>,
    pub date: Option<NaiveDate>,
    /// `HH:MM` or `HH:MM:SS`, China Standard Time.
    pub begin: String,
    pub end: String,
    /// Places in all; with `slots`, their sum (given, it must match).
    pub capacity: Option<i32>,
    /// The slots; without them the day is split into half hours.
    pub slots: Option<Vec<SlotInput>>,
    pub address: String,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    pub r#abstract: String,
    pub deposit_cents: i64,
    pub service_targets: Vec<String>,
    /// Defaults to the doctor's department.
    pub department: Option<String>,
    /// Defaults to the doctor's hospital.
    pub hospital_id: Option<i64>,
    /// The doctor must be an approved member.
    pub organization_id: Option<i64>,
    /// Belongs to an organization, which the clinic then takes.
    pub special_project_id: Option<i64>,
}

/// A clinic ready to store.
#[derive(Debug, Clone)]
struct Checked {
    title: Option<String>,
    date: NaiveDate,
    begin: NaiveTime,
    end: NaiveTime,
    capacity: i32,
    slots: Vec<PlannedSlot>,
    address: String,
    longitude: f64,
    latitude: f64,
    r#abstract: String,
    deposit_cents: i64,
    service_targets: Vec<String>,
    department: Option<String>,
}

fn check(input: &NewFreeClinic, now: DateTime<Utc>) -> AppResult<Checked> {
    let mut errors = FieldErrors::default();
    let today = china_today(now);
    let date = match input.date {
        None => {
            errors.add("date", "date is required");
            None
        }
        Some(d) if d < today => {
            errors.add("date", "the date is in the past");
            None
        }
        Some(d) => Some(d),
    };
    let begin = parse_time(&input.begin);
    if begin.is_none() {
        errors.add("begin", "begin is a time, HH:MM or HH:MM:SS");
    }
    let end = parse_time(&input.end);
    if end.is_none() {
        errors.add("end", "end is a time, HH:MM or HH:MM:SS");
    }
    if let (Some(b), Some(e)) = (begin, end)
        && b >= e
    {
        errors.add("end", "the clinic ends after it begins, on the same day");
    }
    if let (Some(d), Some(b), Some(e)) = (date, begin, end)
        && b < e
        && china_instant(d, e) <= now
    {
        errors.add("end", "the clinic would already be over");
    }
    if let Some(c) = input.capacity
        && !(1..=MAX_CAPACITY).contains(&c)
    {
        errors.add(
            "capacity",
            format!("capacity is between 1 and {MAX_CAPACITY}"),
        );
    }
    let mut slots = Vec::new();
    match (&input.slots, begin, end) {
        (Some(given), Some(b), Some(e)) if b < e => {
            if given.is_empty() || given.len() > MAX_SLOTS {
                errors.add("slots", format!("give 1 to {MAX_SLOTS} slots"));
            }
            let mut previous_end: Option<NaiveTime> = None;
            for (i, s) in given.iter().enumerate() {
                let (Some(sb), Some(se)) = (parse_time(&s.begin), parse_time(&s.end)) else {
                    errors.add(
                        "slots",
                        format!("slot {}: times are HH:MM or HH:MM:SS", i + 1),
                    );
                    continue;
                };
                if sb >= se {
                    errors.add("slots", format!("slot {} ends after it begins", i + 1));
                } else if sb < b || se > e {
                    errors.add(
                        "slots",
                        format!("slot {} lies outside the clinic's hours", i + 1),
                    );
                } else if previous_end.is_some_and(|p| sb < p) {
                    errors.add(
                        "slots",
                        format!("slot {} overlaps or precedes the one before", i + 1),
                    );
                }
                if !(1..=MAX_CAPACITY).contains(&s.capacity) {
                    errors.add(
                        "slots",
                        format!("slot {} has 1 to {MAX_CAPACITY} places", i + 1),
                    );
                }
                previous_end = Some(se);
                slots.push(PlannedSlot {
                    begin: sb,
                    end: se,
                    capacity: s.capacity,
                });
            }
            let sum: i64 = given.iter().map(|s| i64::from(s.capacity)).sum();
            if let Some(c) = input.capacity
                && i64::from(c) != sum
            {
                errors.add("capacity", "capacity is the sum of the slots' places");
            } else if !(1..=i64::from(MAX_CAPACITY)).contains(&sum) {
                errors.add(
                    "capacity",
                    format!("capacity is between 1 and {MAX_CAPACITY}"),
                );
            }
        }
        (None, Some(b), Some(e)) if b < e => match input.capacity {
            Some(c) if (1..=MAX_CAPACITY).contains(&c) => slots = split_slots(b, e, c),
            Some(_) => {}
            None => errors.add("capacity", "capacity is required"),
        },
        _ => {}
    }
    let address = input.address.trim();
    if address.is_empty() {
        errors.add("address", "address is required");
    } else if address.chars().count() > 200 {
        errors.add("address", "address is at most 200 characters");
    }
    let abstract_text = input.r#abstract.trim();
    if abstract_text.is_empty() {
        errors.add("abstract", "abstract is required");
    } else if abstract_text.chars().count() > 2000 {
        errors.add("abstract", "abstract is at most 2000 characters");
    }
    let title = input
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if title.is_some_and(|t| t.chars().count() > 100) {
        errors.add("title", "title is at most 100 characters");
    }
    let department = input
        .department
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    if department.is_some_and(|d| d.chars().count() > 64) {
        errors.add("department", "department is at most 64 characters");
    }
    if !(0..=MAX_DEPOSIT_CENTS).contains(&input.deposit_cents) {
        errors.add(
            "depositCents",
            format!("the deposit is between 0 and {MAX_DEPOSIT_CENTS} cents"),
        );
    }
    match (input.longitude, input.latitude) {
        (None, _) => errors.add("longitude", "longitude is required"),
        (_, None) => errors.add("latitude", "latitude is required"),
        _ => {}
    }
    let coordinates = check_coordinates(&mut errors, input.longitude, input.latitude);
    let targets = check_targets(&mut errors, &input.service_targets);
    errors.finish()?;
    let (Some(date), Some(begin), Some(end), Some((longitude, latitude))) =
        (date, begin, end, coordinates)
    else {
        return Err(AppError::internal("checked clinic without its fields"));
    };
    let capacity = slots.iter().map(|s| s.capacity).sum();
    Ok(Checked {
        title: title.map(str::to_owned),
        date,
        begin,
        end,
        capacity,
        slots,
        address: address.to_owned(),
        longitude,
        latitude,
        r#abstract: abstract_text.to_owned(),
        deposit_cents: input.deposit_cents,
        service_targets: targets,
        department: department.map(str::to_owned),
    })
}

/// Publishes a free clinic: the caller must hold the doctor role; every invalid field is
/// reported at once; the hospital (given, or the doctor's) must exist; an organization needs
/// the doctor's approved membership; a special project brings its organization.
pub async fn publish<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    input: NewFreeClinic,
) -> AppResult<free_clinic::Model> {
    crate::policy::require_verified(viewer, &[Role::Doctor])?;
    let checked = check(&input, Utc::now())?;
    let txn = db.begin().await?;
    let profile = doctor_profile::Entity::find_by_id(viewer.user_id)
        .one(&txn)
        .await?;
    let hospital_id = match input
        .hospital_id
        .or_else(|| profile.as_ref().and_then(|p| p.hospital_id))
    {
        Some(id) => id,
        None => {
            return Err(AppError::bad_field(
                "hospitalId",
                "hospitalId is required (or set your hospital in your doctor profile)",
            ));
        }
    };
    let Some(hospital) = hospital::Entity::find_by_id(hospital_id).one(&txn).await? else {
        return Err(AppError::bad_field(
            "hospitalId",
            format!("no hospital {hospital_id}"),
        ));
    };
    let mut organization_id = input.organization_id;
    if let Some(sp) = input.special_project_id {
        let Some(project) = special_project::Entity::find_by_id(sp).one(&txn).await? else {
            return Err(AppError::bad_field(
                "specialProjectId",
                format!("no special project {sp}"),
            ));
        };
        if organization_id.is_some_and(|o| o != project.organization_id) {
            return Err(AppError::bad_field(
                "specialProjectId",
                "the special project belongs to another organization",
            ));
        }
        if checked.date < project.starts_on || checked.date > project.ends_on {
            return Err(AppError::bad_field(
                "date",
                "the date lies outside the special project's days",
            ));
        }
        organization_id = Some(project.organization_id);
    }
    if let Some(org) = organization_id {
        if organization::Entity::find_by_id(org)
            .one(&txn)
            .await?
            .is_none()
        {
            return Err(AppError::bad_field(
                "organizationId",
                format!("no organization {org}"),
            ));
        }
        if !clinic_catalogue::is_member(&txn, viewer.user_id, org).await? {
            return Err(AppError::Forbidden(
                "publishing for an organization needs an approved membership".into(),
            ));
        }
    }
    let department = checked
        .department
        .clone()
        .or_else(|| profile.as_ref().and_then(|p| p.department.clone()));
    let clinic = insert(
        &txn,
        viewer.user_id,
        &hospital,
        organization_id,
        input.special_project_id,
        Checked {
            department,
            ..checked
        },
        Utc::now(),
    )
    .await?;
    txn.commit().await?;
    Ok(clinic)
}

async fn insert<C: ConnectionTrait>(
    txn: &C,
    doctor_id: i64,
    hospital: &hospital::Model,
    organization_id: Option<i64>,
    special_project_id: Option<i64>,
    c: Checked,
    now: DateTime<Utc>,
) -> AppResult<free_clinic::Model> {
    let clinic =
        free_clinic::ActiveModel {
            doctor_id: Set(doctor_id),
            hospital_id: Set(hospital.id),
            organization_id: Set(organization_id),
            special_project_id: Set(special_project_id),
            title: Set(c
                .title
                .unwrap_or_else(|| format!("{}义诊", hospital.name).chars().take(100).collect())),
            date: Set(c.date),
            begin_time: Set(c.begin),
            end_time: Set(c.end),
            starts_at: Set(china_instant(c.date, c.begin)),
            ends_at: Set(china_instant(c.date, c.end)),
            capacity: Set(c.capacity),
            address: Set(c.address),
            longitude: Set(c.longitude),
            latitude: Set(c.latitude),
            r#abstract: Set(c.r#abstract),
            deposit_cents: Set(c.deposit_cents),
            service_targets: Set(
                serde_json::to_string(&c.service_targets).map_err(AppError::internal)?
            ),
            department: Set(c.department),
            created_at: Set(now),
            cancelled_at: Set(None),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    let slots: Vec<free_clinic_slot::ActiveModel> = c
        .slots
        .iter()
        .enumerate()
        .map(|(i, s)| free_clinic_slot::ActiveModel {
            clinic_id: Set(clinic.id),
            position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
            label: Set(slot_label(s.begin, s.end)),
            begin_time: Set(s.begin),
            end_time: Set(s.end),
            capacity: Set(s.capacity),
            taken: Set(0),
            ..Default::default()
        })
        .collect();
    free_clinic_slot::Entity::insert_many(slots)
        .exec(txn)
        .await?;
    Ok(clinic)
}

/// A cancellation, as published on [`CANCELLED_TOPIC`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClinicCancelled {
    pub clinic_id: i64,
    pub doctor_id: i64,
    pub cancelled_at: DateTime<Utc>,
}

/// The clinic's doctor cancels it before it ends. Another doctor's clinic is `FORBIDDEN`; an
/// ended or already cancelled one a `CONFLICT`. In the same transaction its booked
/// registrations are cancelled, their places freed, refunds applied and patients notified
/// (`registrations::end_for_cancelled_clinic_in`). Publishes [`ClinicCancelled`] once
/// committed, then the notices and refunds.
pub async fn cancel(
    db: &sea_orm::DatabaseConnection,
    bus: &dyn EventBus,
    payments: &crate::payments::Payments,
    viewer: &Viewer,
    id: i64,
) -> AppResult<free_clinic::Model> {
    let now = Utc::now();
    let txn = db.begin().await?;
    let Some(clinic) = free_clinic::Entity::find_by_id(id).one(&txn).await? else {
        return Err(AppError::NotFound(format!("no free clinic {id}")));
    };
    if clinic.doctor_id != viewer.user_id {
        return Err(AppError::Forbidden(
            "only the clinic's doctor cancels it".into(),
        ));
    }
    if clinic.cancelled_at.is_some() {
        return Err(AppError::Conflict("the clinic is already cancelled".into()));
    }
    if now >= clinic.ends_at {
        return Err(AppError::Conflict("the clinic has already ended".into()));
    }
    let updated = free_clinic::Entity::update_many()
        .col_expr(free_clinic::Column::CancelledAt, Expr::value(now))
        .filter(free_clinic::Column::Id.eq(id))
        .filter(free_clinic::Column::CancelledAt.is_null())
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::Conflict("the clinic is already cancelled".into()));
    }
    let clinic = free_clinic::Model {
        cancelled_at: Some(now),
        ..clinic
    };
    let ended = super::registrations::end_for_cancelled_clinic_in(&txn, &clinic).await?;
    txn.commit().await?;
    let event = ClinicCancelled {
        clinic_id: clinic.id,
        doctor_id: clinic.doctor_id,
        cancelled_at: now,
    };
    match serde_json::to_value(&event) {
        Ok(payload) => {
            if let Err(e) = bus.publish(CANCELLED_TOPIC, payload).await {
                // The cancellation is committed; a lost live event does not undo it.
                tracing::warn!(error = ?e, "clinic cancellation not published");
            }
        }
        Err(e) => tracing::warn!(error = %e, "clinic cancellation not serialisable"),
    }
    super::registrations::after_clinic_cancelled(db, bus, payments, &ended).await?;
    Ok(clinic)
}

/// Takes one place of a slot inside the caller's transaction: `false` when the slot is full.
/// One conditional `UPDATE`: concurrent takers never overbook.
pub async fn take_place_in<C: ConnectionTrait>(txn: &C, slot_id: i64) -> AppResult<bool> {
    use sea_orm::sea_query::ExprTrait;
    let updated = free_clinic_slot::Entity::update_many()
        .col_expr(
            free_clinic_slot::Column::Taken,
            Expr::col(free_clinic_slot::Column::Taken).add(1),
        )
        .filter(free_clinic_slot::Column::Id.eq(slot_id))
        .filter(
            Expr::col(free_clinic_slot::Column::Taken)
                .lt(Expr::col(free_clinic_slot::Column::Capacity)),
        )
        .exec(txn)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Gives a place of a slot back inside the caller's transaction (never below 0).
pub async fn release_place_in<C: ConnectionTrait>(txn: &C, slot_id: i64) -> AppResult<()> {
    use sea_orm::sea_query::ExprTrait;
    free_clinic_slot::Entity::update_many()
        .col_expr(
            free_clinic_slot::Column::Taken,
            Expr::col(free_clinic_slot::Column::Taken).sub(1),
        )
        .filter(free_clinic_slot::Column::Id.eq(slot_id))
        .filter(free_clinic_slot::Column::Taken.gt(0))
        .exec(txn)
        .await?;
    Ok(())
}

/// A clinic's slot by its label, in any spelling [`normalize_label`] reads.
pub async fn find_slot<C: ConnectionTrait>(
    db: &C,
    clinic_id: i64,
    label: &str,
) -> AppResult<Option<free_clinic_slot::Model>> {
    let Some(label) = normalize_label(label) else {
        return Ok(None);
    };
    Ok(free_clinic_slot::Entity::find()
        .filter(free_clinic_slot::Column::ClinicId.eq(clinic_id))
        .filter(free_clinic_slot::Column::Label.eq(label))
        .one(db)
        .await?)
}

/// A clinic by id (cancelled ones too).
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<Option<free_clinic::Model>> {
    Ok(free_clinic::Entity::find_by_id(id).one(db).await?)
}

/// Clinics by id, for the loaders.
pub async fn by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> AppResult<HashMap<i64, free_clinic::Model>> {
    Ok(free_clinic::Entity::find()
        .filter(free_clinic::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect())
}

/// The slots of each clinic in order, for the loaders.
pub async fn slots_by_clinics<C: ConnectionTrait>(
    db: &C,
    clinics: &[i64],
) -> AppResult<HashMap<i64, Vec<free_clinic_slot::Model>>> {
    let rows = free_clinic_slot::Entity::find()
        .filter(free_clinic_slot::Column::ClinicId.is_in(clinics.iter().copied()))
        .order_by_asc(free_clinic_slot::Column::ClinicId)
        .order_by_asc(free_clinic_slot::Column::Position)
        .all(db)
        .await?;
    let mut out: HashMap<i64, Vec<free_clinic_slot::Model>> =
        clinics.iter().map(|c| (*c, Vec::new())).collect();
    for slot in rows {
        out.entry(slot.clinic_id).or_default().push(slot);
    }
    Ok(out)
}

/// Figures of a special project's (not cancelled) clinics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProjectStats {
    pub clinics: i64,
    pub capacity: i64,
    pub taken: i64,
    /// Lowest deposit among them, in cents.
    pub min_deposit_cents: Option<i64>,
}

/// Special project, clinics, places, places taken, lowest deposit.
type StatsRow = (Option<i64>, i64, i64, i64, Option<i64>);

/// [`ProjectStats`] of each special project, in one statement, for the loaders.
pub async fn project_stats<C: ConnectionTrait>(
    db: &C,
    projects: &[i64],
) -> AppResult<HashMap<i64, ProjectStats>> {
    let rows: Vec<StatsRow> = free_clinic::Entity::find()
        .select_only()
        .column(free_clinic::Column::SpecialProjectId)
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "clinics")
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(capacity), 0) AS BIGINT)"),
            "capacity",
        )
        .column_as(
            Expr::cust(
                "CAST(COALESCE(SUM((SELECT COALESCE(SUM(s.taken), 0) FROM free_clinic_slots s \
                 WHERE s.clinic_id = free_clinics.id)), 0) AS BIGINT)",
            ),
            "taken",
        )
        .column_as(
            Expr::cust("CAST(MIN(deposit_cents) AS BIGINT)"),
            "min_deposit",
        )
        .filter(free_clinic::Column::SpecialProjectId.is_in(projects.iter().copied()))
        .filter(free_clinic::Column::CancelledAt.is_null())
        .group_by(free_clinic::Column::SpecialProjectId)
        .into_tuple()
        .all(db)
        .await?;
    let mut out: HashMap<i64, ProjectStats> = projects
        .iter()
        .map(|p| (*p, ProjectStats::default()))
        .collect();
    for (project, clinics, capacity, taken, min_deposit_cents) in rows {
        if let Some(p) = project {
            out.insert(
                p,
                ProjectStats {
                    clinics,
                    capacity,
                    taken,
                    min_deposit_cents,
                },
            );
        }
    }
    Ok(out)
}

/// Places taken in a clinic, as SQL over the `free_clinics` row in scope.
const TAKEN_SQL: &str = "(SELECT COALESCE(SUM(s.taken), 0) FROM free_clinic_slots s \
                         WHERE s.clinic_id = free_clinics.id)";

/// How a clinic list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClinicOrder {
    /// Nearest to the given point first (离我最近); needs one.
    Nearest,
    /// Most recently published first (最新发布).
    #[default]
    Newest,
    /// Most places taken first (热门义诊).
    Popular,
    /// Soonest to begin first.
    Soonest,
    /// Latest date first (a doctor's own list).
    LatestDate,
}

/// Which clinics a list shows.
#[derive(Debug, Clone, Default)]
pub struct ClinicFilter {
    /// Part of the title, abstract or address.
    pub keyword: Option<String>,
    /// One of the service targets (服务对象), exactly.
    pub service_target: Option<String>,
    pub department: Option<String>,
    pub hospital_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub special_project_id: Option<i64>,
    pub doctor_id: Option<i64>,
    /// Show clinics that are over too.
    pub include_ended: bool,
    /// Show cancelled clinics too.
    pub include_cancelled: bool,
}

/// A point, in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub longitude: f64,
    pub latitude: f64,
}

impl Point {
    /// A checked point.
    pub fn new(longitude: f64, latitude: f64) -> AppResult<Self> {
        let mut errors = FieldErrors::default();
        check_coordinates(&mut errors, Some(longitude), Some(latitude));
        errors.finish()?;
        Ok(Self {
            longitude,
            latitude,
        })
    }

    /// Reads the legacy `X-location` header, `lng-lat` (`116.39-39.91`; `,` is accepted too).
    pub fn parse_legacy(text: &str) -> AppResult<Self> {
        let text = text.trim();
        let bad = || {
            AppError::bad_field(
                "X-location",
                "X-location is longitude-latitude in degrees, e.g. 116.397-39.909",
            )
        };
        for (i, c) in text.char_indices() {
            if i == 0 || !(c == '-' || c == ',') {
                continue;
            }
            let (lng, lat) = (&text[..i], &text[i + 1..]);
            if let (Ok(lng), Ok(lat)) = (lng.trim().parse::<f64>(), lat.trim().parse::<f64>()) {
                return Self::new(lng, lat).map_err(|_| bad());
            }
        }
        Err(bad())
    }

    /// The equirectangular distance to `(longitude, latitude)`, in metres: what lists order by.
    pub fn distance_to(&self, longitude: f64, latitude: f64) -> f64 {
        let k = self.latitude.to_radians().cos();
        let dx = (longitude - self.longitude) * k;
        let dy = latitude - self.latitude;
        EARTH_RADIUS_M * (dx * dx + dy * dy).sqrt().to_radians()
    }

    /// The squared degree distance as SQL over the `free_clinics` row in scope: the same
    /// formula as [`Point::distance_to`] without the root, portable to SQLite and PostgreSQL
    /// (plain arithmetic, no functions).
    fn squared_sql(&self) -> Expr {
        // Checked, finite numbers: written into the SQL as literals, which both backends read
        // alike (bound parameters inside a custom ORDER BY expression are numbered differently).
        let k = self.latitude.to_radians().cos();
        Expr::cust(format!(
            "((free_clinics.latitude - ({lat:.9})) * (free_clinics.latitude - ({lat:.9})) \
             + (free_clinics.longitude - ({lng:.9})) * ({k:.12}) \
             * (free_clinics.longitude - ({lng:.9})) * ({k:.12}))",
            lat = self.latitude,
            lng = self.longitude,
        ))
    }
}

/// Lists clinics with their distance from `near` in metres (when given).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &ClinicFilter,
    near: Option<Point>,
    order: ClinicOrder,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<(free_clinic::Model, Option<f64>)>> {
    let now = Utc::now();
    let mut cond = Condition::all();
    if !filter.include_cancelled {
        cond = cond.add(free_clinic::Column::CancelledAt.is_null());
    }
    if !filter.include_ended {
        cond = cond.add(free_clinic::Column::EndsAt.gt(now));
    }
    if let Some(k) = filter
        .keyword
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        cond = cond.add(
            Condition::any()
                .add(page::contains(free_clinic::Column::Title, k))
                .add(page::contains(free_clinic::Column::Abstract, k))
                .add(page::contains(free_clinic::Column::Address, k)),
        );
    }
    if let Some(t) = filter
        .service_target
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let quoted = serde_json::to_string(t).map_err(AppError::internal)?;
        cond = cond.add(page::contains(free_clinic::Column::ServiceTargets, &quoted));
    }
    if let Some(d) = filter
        .department
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        cond = cond.add(free_clinic::Column::Department.eq(d));
    }
    if let Some(h) = filter.hospital_id {
        cond = cond.add(free_clinic::Column::HospitalId.eq(h));
    }
    if let Some(o) = filter.organization_id {
        cond = cond.add(free_clinic::Column::OrganizationId.eq(o));
    }
    if let Some(p) = filter.special_project_id {
        cond = cond.add(free_clinic::Column::SpecialProjectId.eq(p));
    }
    if let Some(d) = filter.doctor_id {
        cond = cond.add(free_clinic::Column::DoctorId.eq(d));
    }
    let query = free_clinic::Entity::find().filter(cond);
    let total = if with_total {
        Some(query.clone().count(db).await?)
    } else {
        None
    };
    let query = match order {
        ClinicOrder::Nearest => {
            let Some(point) = near else {
                return Err(AppError::bad_field(
                    "near",
                    "sorting by distance needs a location",
                ));
            };
            query
                .order_by(point.squared_sql(), Order::Asc)
                .order_by_asc(free_clinic::Column::Id)
        }
        ClinicOrder::Newest => query
            .order_by_desc(free_clinic::Column::CreatedAt)
            .order_by_desc(free_clinic::Column::Id),
        ClinicOrder::Popular => query
            .order_by(Expr::cust(TAKEN_SQL), Order::Desc)
            .order_by_desc(free_clinic::Column::CreatedAt)
            .order_by_desc(free_clinic::Column::Id),
        ClinicOrder::Soonest => query
            .order_by_asc(free_clinic::Column::StartsAt)
            .order_by_asc(free_clinic::Column::Id),
        ClinicOrder::LatestDate => query
            .order_by_desc(free_clinic::Column::StartsAt)
            .order_by_desc(free_clinic::Column::Id),
    };
    let rows = query
        .offset(window.offset)
        .limit(window.limit + 1)
        .all(db)
        .await?;
    let page = Page::from_probe(rows, window, total);
    Ok(page.map(|c| {
        let distance = near.map(|p| p.distance_to(c.longitude, c.latitude));
        (c, distance)
    }))
}

/// A doctor's own clinics, cancelled and ended ones too, latest date first.
pub async fn mine<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    window: PageRequest,
    with_total: bool,
) -> AppResult<Page<free_clinic::Model>> {
    let filter = ClinicFilter {
        doctor_id: Some(viewer.user_id),
        include_ended: true,
        include_cancelled: true,
        ..ClinicFilter::default()
    };
    Ok(list(
        db,
        &filter,
        None,
        ClinicOrder::LatestDate,
        window,
        with_total,
    )
    .await?
    .map(|(c, _)| c))
}

// ---------------------------------------------------------------------------------------------
// Demo data

/// A 1x1 PNG: the demo logos.
const DEMO_LOGO: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// Demo hospitals: name, level, tag, county code, address, longitude, latitude.
const DEMO_HOSPITALS: &[(&str, &str, &str, i32, &str, f64, f64)] = &[
    (
        "北京协和医院",
        "三级甲等",
        "疑难重症",
        110101,
        "北京市东城区帅府园一号",
        116.4177,
        39.9125,
    ),
    (
        "浙江大学医学院附属第一医院",
        "三级甲等",
        "器官移植",
        330102,
        "杭州市上城区庆春路79号",
        120.1789,
        30.2551,
    ),
    (
        "四川大学华西医院",
        "三级甲等",
        "心血管科",
        510107,
        "成都市武侯区国学巷37号",
        104.0632,
        30.6418,
    ),
    (
        "中山大学附属第一医院",
        "三级甲等",
        "消化内科",
        440104,
        "广州市越秀区中山二路58号",
        113.2877,
        23.1290,
    ),
];

/// Demo organizations: name, description.
const DEMO_ORGANIZATIONS: &[(&str, &str)] = &[
    ("中华志愿医生协会", "组织各地医生利用业余时间开展公益义诊。"),
    ("乡村医疗援助队", "把专家门诊带到县城和乡镇。"),
    ("银龄健康服务中心", "面向老年人的慢病筛查与健康宣教。"),
];

/// A demo clinic of every doctor.
#[derive(Clone, Copy)]
struct DemoClinic {
    /// Days from today.
    days: i64,
    begin: (u32, u32),
    end: (u32, u32),
    places: i32,
    /// Cents.
    deposit: i64,
    /// For the first organization, in the special project.
    in_project: bool,
    cancelled: bool,
    title: &'static str,
    targets: &'static [&'static str],
}

/// Over, under way (all day today), coming up (one with a deposit, one with two places),
/// cancelled.
const DEMO_CLINICS: &[DemoClinic] = &[
    DemoClinic {
        days: -3,
        begin: (9, 0),
        end: (11, 30),
        places: 20,
        deposit: 0,
        in_project: true,
        cancelled: false,
        title: "社区慢病义诊",
        targets: &["老年人", "慢病患者"],
    },
    DemoClinic {
        days: 0,
        begin: (0, 0),
        end: (23, 59),
        places: 30,
        deposit: 0,
        in_project: true,
        cancelled: false,
        title: "全天健康咨询",
        targets: &["老年人"],
    },
    DemoClinic {
        days: 2,
        begin: (9, 0),
        end: (12, 0),
        places: 12,
        deposit: 5_000,
        in_project: false,
        cancelled: false,
        title: "儿童常见病义诊",
        targets: &["儿童"],
    },
    DemoClinic {
        days: 3,
        begin: (14, 0),
        end: (15, 0),
        places: 2,
        deposit: 0,
        in_project: true,
        cancelled: false,
        title: "专家号(名额有限)",
        targets: &["慢病患者"],
    },
    DemoClinic {
        days: 5,
        begin: (9, 0),
        end: (10, 0),
        places: 6,
        deposit: 0,
        in_project: false,
        cancelled: true,
        title: "已取消的义诊",
        targets: &["老年人"],
    },
];

/// Demo data of the free-clinic service: hospitals and organizations in several cities, a
/// special project, and for every doctor account an approved membership, a pending
/// application and clinics that are over, under way today, coming up (one with only two
/// places, ready to be filled by registrations) and cancelled. Skipped when hospitals exist.
pub async fn seed_demo(
    db: &DatabaseConnection,
    store: &crate::storage::FileStore,
) -> AppResult<()> {
    if hospital::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let logo = super::files::upload(
        db,
        store,
        bytes::Bytes::from_static(DEMO_LOGO),
        Some("logo.png"),
        crate::storage::FileKind::Any,
        None,
    )
    .await?
    .hash;
    let mut hospitals = Vec::new();
    for (name, level, tag, county, address, lng, lat) in DEMO_HOSPITALS {
        hospitals.push(
            clinic_catalogue::create_hospital_unchecked(
                db,
                NewHospital {
                    name: (*name).into(),
                    logo: Some(logo.clone()),
                    banners: vec![logo.clone()],
                    level: Some((*level).into()),
                    tag: Some((*tag).into()),
                    region_code: Some(*county),
                    address: Some((*address).into()),
                    longitude: Some(*lng),
                    latitude: Some(*lat),
                },
            )
            .await?,
        );
    }
    let mut organizations = Vec::new();
    for (name, description) in DEMO_ORGANIZATIONS {
        organizations.push(
            clinic_catalogue::create_organization_unchecked(
                db,
                name,
                Some(&logo),
                Some(description),
            )
            .await?,
        );
    }
    let now = Utc::now();
    let today = china_today(now);
    let hours = |h: u32, m: u32| NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
    let project = clinic_catalogue::create_special_project_unchecked(
        db,
        NewSpecialProject {
            organization_id: organizations[0].id,
            hospital_id: Some(hospitals[0].id),
            title: "冬季送健康义诊周".into(),
            photo: Some(logo.clone()),
            r#abstract: "协会专家连续七天在各地医院开展免费义诊。".into(),
            address: Some("北京市东城区帅府园一号".into()),
            longitude: Some(116.4177),
            latitude: Some(39.9125),
            service_targets: vec!["老年人".into(), "慢病患者".into()],
            starts_on: today - Duration::days(3),
            ends_on: today + Duration::days(7),
            begin_time: hours(8, 0),
            end_time: hours(18, 0),
        },
    )
    .await?;
    let doctors: Vec<i64> = user_role::Entity::find()
        .filter(user_role::Column::Role.eq(Role::Doctor.as_str()))
        .filter(user_role::Column::State.eq(super::role_reviews::state::APPROVED))
        .order_by_asc(user_role::Column::UserId)
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.user_id)
        .collect();
    let txn = db.begin().await?;
    for (n, doctor) in doctors.iter().enumerate() {
        super::profiles::ensure(&txn, *doctor, Role::Doctor).await?;
        let hospital = &hospitals[n % hospitals.len()];
        if let Some(profile) = doctor_profile::Entity::find_by_id(*doctor)
            .one(&txn)
            .await?
            && profile.hospital_id.is_none()
        {
            let mut active: doctor_profile::ActiveModel = profile.into();
            active.hospital_id = Set(Some(hospital.id));
            active.hospital_name = Set(Some(hospital.name.clone()));
            active.department = Set(Some("内科".into()));
            active.position = Set(Some("主任医师".into()));
            active.update(&txn).await?;
        }
        let now = Utc::now();
        for (org, state) in [
            (
                &organizations[0],
                clinic_catalogue::membership_state::APPROVED,
            ),
            (
                &organizations[1],
                clinic_catalogue::membership_state::PENDING,
            ),
        ] {
            entity::organization_membership::ActiveModel {
                organization_id: Set(org.id),
                doctor_id: Set(*doctor),
                state: Set(state),
                decided_by: Set(None),
                decided_at: Set(
                    (state != clinic_catalogue::membership_state::PENDING).then_some(now)
                ),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        for plan in DEMO_CLINICS {
            let DemoClinic {
                days,
                begin,
                end,
                places,
                deposit,
                in_project,
                cancelled,
                title,
                targets,
            } = *plan;
            let (begin, end) = (hours(begin.0, begin.1), hours(end.0, end.1));
            let date = today + Duration::days(days);
            let clinic = insert(
                &txn,
                *doctor,
                hospital,
                in_project.then_some(organizations[0].id),
                in_project.then_some(project.id),
                Checked {
                    title: Some(title.to_owned()),
                    date,
                    begin,
                    end,
                    capacity: places,
                    slots: split_slots(begin, end, places),
                    address: hospital.address.clone().unwrap_or_default(),
                    longitude: hospital.longitude.unwrap_or_default() + 0.001 * n as f64,
                    latitude: hospital.latitude.unwrap_or_default(),
                    r#abstract: format!("{}专家坐诊,免费咨询与筛查。", hospital.name),
                    deposit_cents: deposit,
                    service_targets: targets.iter().map(|t| (*t).to_owned()).collect(),
                    department: Some("内科".into()),
                },
                now - Duration::days(7 - days.clamp(-6, 6)),
            )
            .await?;
            if cancelled {
                free_clinic::Entity::update_many()
                    .col_expr(free_clinic::Column::CancelledAt, Expr::value(now))
                    .filter(free_clinic::Column::Id.eq(clinic.id))
                    .exec(&txn)
                    .await?;
            }
        }
    }
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
    }

    #[test]
    fn days_split_into_half_hours_sharing_the_places() {
        let slots = split_slots(t(9, 0), t(11, 0), 10);
        assert_eq!(slots.len(), 4);
        assert_eq!(
            slots.iter().map(|s| s.capacity).collect::<Vec<_>>(),
            [3, 3, 2, 2]
        );
        assert_eq!((slots[0].begin, slots[0].end), (t(9, 0), t(9, 30)));
        assert_eq!(slots[3].end, t(11, 0));
        let few = split_slots(t(9, 0), t(12, 0), 2);
        assert_eq!(few.len(), 2);
        assert_eq!((few[0].end, few[1].end), (t(10, 30), t(12, 0)));
        let uneven = split_slots(t(9, 0), t(11, 15), 3);
        assert_eq!(
            uneven.iter().map(|s| (s.begin, s.end)).collect::<Vec<_>>(),
            [
                (t(9, 0), t(10, 0)),
                (t(10, 0), t(11, 0)),
                (t(11, 0), t(11, 15))
            ]
        );
        let odd = split_slots(t(9, 0), t(9, 45), 10);
        assert_eq!(odd.len(), 2);
        assert_eq!(
            (odd[1].begin, odd[1].end, odd[1].capacity),
            (t(9, 30), t(9, 45), 5)
        );
        assert_eq!(slot_label(t(9, 0), t(9, 30)), "09:00:00 - 09:30:00");
        assert_eq!(
            normalize_label("09:00-09:30").as_deref(),
            Some("09:00:00 - 09:30:00")
        );
        assert_eq!(normalize_label("nonsense"), None);
    }

    #[test]
    fn states_follow_china_time() {
        let date = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default();
        let clinic = free_clinic::Model {
            id: 1,
            doctor_id: 7,
            hospital_id: 1,
            organization_id: None,
            special_project_id: None,
            title: String::new(),
            date,
            begin_time: t(9, 0),
            end_time: t(11, 0),
            starts_at: china_instant(date, t(9, 0)),
            ends_at: china_instant(date, t(11, 0)),
            capacity: 2,
            address: String::new(),
            longitude: 0.0,
            latitude: 0.0,
            r#abstract: String::new(),
            deposit_cents: 0,
            service_targets: "[]".into(),
            department: None,
            created_at: Utc::now(),
            cancelled_at: None,
        };
        // 09:00 in Beijing is 01:00 UTC.
        assert_eq!(clinic.starts_at.to_rfc3339(), "2026-03-01T01:00:00+00:00");
        let at = |h: u32| NaiveDateTime::new(date, t(h, 0)).and_utc();
        assert_eq!(clinic_state(&clinic, at(0)), ClinicState::Waiting);
        assert_eq!(clinic_state(&clinic, at(2)), ClinicState::InProgress);
        assert_eq!(clinic_state(&clinic, at(3)), ClinicState::Ended);
        assert_eq!(booking_state(&clinic, 1, at(0)), BookingState::Bookable);
        assert_eq!(booking_state(&clinic, 2, at(0)), BookingState::Full);
        assert_eq!(booking_state(&clinic, 0, at(4)), BookingState::Ended);
        assert!(can_cancel(&clinic, Some(7), at(0)));
        assert!(!can_cancel(&clinic, Some(8), at(0)));
        assert!(!can_cancel(&clinic, Some(7), at(3)));
        let cancelled = free_clinic::Model {
            cancelled_at: Some(at(0)),
            ..clinic
        };
        assert_eq!(booking_state(&cancelled, 0, at(0)), BookingState::Ended);
    }

    #[test]
    fn legacy_locations_and_distances() {
        let p = Point::parse_legacy("116.397128-39.916527").expect("valid");
        assert!((p.longitude - 116.397128).abs() < 1e-9);
        assert!((p.latitude - 39.916527).abs() < 1e-9);
        let west = Point::parse_legacy("-73.98,40.75").expect("valid");
        assert!((west.longitude + 73.98).abs() < 1e-9);
        assert!(Point::parse_legacy("abc").is_err());
        assert!(Point::parse_legacy("200-10").is_err());
        // One degree of latitude is about 111 km.
        let d = p.distance_to(116.397128, 40.916527);
        assert!((d - 111_195.0).abs() < 50.0, "{d}");
    }
}

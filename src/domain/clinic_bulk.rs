//! The free-clinic load benchmark's bulk data (`medgraph seed --demo --bulk-clinics N`).
//!
//! [`bulk`] writes made-up rows directly, in multi-row `INSERT`s inside one transaction, after
//! the demo data (it needs the demo hospitals): doctor and patient accounts with their roles
//! and profiles, `N` free clinics with their time slots ([`split_slots`]) and
//! registrations, each with its casebook. The counters agree with the rows: every slot's
//! `taken` is the number of its booked registrations, every patient's `registration_count`
//! the number of their booked ones.

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use entity::{
    casebook, doctor_profile, free_clinic, free_clinic_slot, hospital, organization,
    organization_membership, patient_profile, registration, user, user_role,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

use super::accounts;
use super::clinic_catalogue::membership_state;
use super::free_clinics::{china_instant, china_today, slot_label, split_slots};
use super::registrations::{payment, verify};
use crate::auth::Role;
use crate::error::{AppError, AppResult};
use crate::seed::{SplitMix64, mix, nth};

/// Doctor accounts made for the bulk clinics (the demo doctors hold clinics too).
pub const BULK_DOCTORS: u64 = 50;
/// Days before and after today (China Standard Time) the clinics are spread over.
pub const DAYS_AROUND: i64 = 30;
/// Bound parameters per multi-row `INSERT`, well under SQLite's 32,766.
const MAX_PARAMS: usize = 30_000;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明",
    "秀英", "建国", "桂兰", "志强",
];
const DEPARTMENTS: &[&str] = &[
    "内科",
    "外科",
    "儿科",
    "心内科",
    "内分泌科",
    "眼科",
    "口腔科",
    "皮肤科",
];
const POSITIONS: &[&str] = &["主治医师", "副主任医师", "主任医师"];
const TITLES: &[&str] = &[
    "社区慢病义诊",
    "专家健康咨询",
    "儿童常见病义诊",
    "老年人健康筛查",
    "糖尿病血糖监测义诊",
    "眼健康公益行",
    "口腔健康义诊",
];
const TARGETS: &[&[&str]] = &[
    &["老年人", "慢病患者"],
    &["老年人"],
    &["儿童"],
    &["慢病患者"],
    &["孕产妇", "儿童"],
];
const CASEBOOKS: &[&str] = &[
    "血压偏高一年，服药后控制一般，想咨询用药调整。",
    "最近经常头晕乏力，想做个简单检查。",
    "孩子反复咳嗽两周，低烧。",
    "血糖控制不稳定，空腹 8 左右。",
    "视力下降，看东西模糊。",
    "牙龈出血，刷牙时明显。",
];
/// (begin hour, begin minute, minutes).
const HOURS: &[(u32, u32, i64)] = &[
    (8, 0, 240),
    (8, 30, 180),
    (9, 0, 120),
    (9, 0, 180),
    (13, 30, 180),
    (14, 0, 120),
    (14, 0, 240),
    (18, 30, 90),
];

/// What [`bulk`] did.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClinicBulkReport {
    pub clinics: u64,
    pub slots: u64,
    pub doctors: u64,
    pub patients: u64,
    /// All registrations, booked or not.
    pub registrations: u64,
    /// Booked ones (`verify_state` 1): the places taken.
    pub booked: u64,
    pub casebooks: u64,
    /// An upcoming (not cancelled, begins after now) clinic with the most slots: the
    /// benchmark's `GET /project/{id}` subject.
    pub upcoming_clinic_id: i64,
    pub upcoming_slots: u64,
}

/// Inserts `rows` in multi-row statements of at most [`MAX_PARAMS`] / `columns` rows.
async fn insert_all<A, C>(db: &C, rows: Vec<A>, columns: usize) -> AppResult<u64>
where
    A: sea_orm::ActiveModelTrait,
    C: ConnectionTrait,
{
    let per = (MAX_PARAMS / columns.max(1)).max(1);
    let mut done = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per).collect();
        done += chunk.len() as u64;
        A::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(done)
}

/// The highest id of `table` (0 when empty).
async fn max_id<C: ConnectionTrait>(db: &C, table: &str) -> AppResult<i64> {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS m FROM {table}"),
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get::<i64>("", "m")?,
        None => 0,
    })
}

fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A made-up account (no password: the benchmark never logs them in).
fn account(id: i64, prefix: &str, traits: u64, joined: DateTime<Utc>) -> user::ActiveModel {
    let mut uuid_bytes = [0u8; 16];
    uuid_bytes[..8].copy_from_slice(&mix(traits ^ 1).to_le_bytes());
    uuid_bytes[8..].copy_from_slice(&mix(traits ^ 2).to_le_bytes());
    user::ActiveModel {
        id: Set(id),
        uuid: Set(uuid::Builder::from_random_bytes(uuid_bytes).into_uuid()),
        username: Set(format!("{prefix}-{id}")),
        display_name: Set(format!(
            "{}{}",
            nth(SURNAMES, traits >> 8),
            nth(GIVEN, traits >> 16)
        )),
        gender: Set(if (traits >> 28).is_multiple_of(2) {
            1
        } else {
            2
        }),
        invite_code: Set(Some(format!("CB{id:08}"))),
        status: Set(accounts::status::ACTIVE.to_owned()),
        created_at: Set(joined),
        updated_at: Set(joined),
        ..Default::default()
    }
}

fn role(user_id: i64, role: Role, at: DateTime<Utc>) -> user_role::ActiveModel {
    user_role::ActiveModel {
        user_id: Set(user_id),
        role: Set(role.as_str().to_owned()),
        created_at: Set(at),
        state: Set(crate::domain::role_reviews::state::APPROVED.into()),
        decided_by: Set(None),
        decided_at: Set(Some(at)),
        note: Set(None),
    }
}

/// A doctor of the bulk clinics: id, hospital, department.
struct Doctor {
    id: i64,
    hospital: usize,
    department: String,
}

/// Adds `clinics` made-up free clinics (the load benchmark's data) to a database holding the
/// demo data, in one transaction of multi-row `INSERT`s:
/// - [`BULK_DOCTORS`] doctors `clinic-doctor-<id>` (verified, at a demo hospital, approved
///   members of the first organization) and `2 × clinics` (at least 50) patients
///   `clinic-patient-<id>`, with their roles and profiles;
/// - the clinics, spread over the demo doctors and the bulk ones (at their hospitals) and over
///   the days from [`DAYS_AROUND`] days ago to as many ahead, 1.5 to 4 hours with 4 to 40
///   places in half-hour slots, a third for the first organization, 3 % cancelled;
/// - registrations of distinct patients per clinic, each with a casebook: past clinics 50 to
///   100 % booked, coming ones less the later they are; a few cancelled or rejected ones (and
///   all of a cancelled clinic's) beside them. Nobody was seen yet and no deposit is asked.
///
/// Users, clinics, slots and casebooks get explicit ids after the highest ones, with the
/// tables locked for writers (PostgreSQL's id sequences are then moved past them). On
/// PostgreSQL the tables are vacuumed and analyzed afterwards, as autovacuum soon would.
pub async fn bulk(db: &DatabaseConnection, clinics: u64) -> AppResult<ClinicBulkReport> {
    if clinics == 0 {
        return Err(AppError::bad_field("bulkClinics", "at least 1 clinic"));
    }
    let hospitals = hospital::Entity::find()
        .order_by_asc(hospital::Column::Id)
        .all(db)
        .await?;
    if hospitals.is_empty() {
        return Err(AppError::bad_field(
            "bulkClinics",
            "no hospitals: load the demo data first (--demo)",
        ));
    }
    let organization = organization::Entity::find()
        .order_by_asc(organization::Column::Id)
        .one(db)
        .await?
        .map(|o| o.id);
    let backend = db.get_database_backend();
    let txn = db.begin().await?;
    // Hold off other writers before reading the highest ids: PostgreSQL by a lock that still
    // lets readers through, SQLite by writing first (its write lock is the database's).
    match backend {
        DatabaseBackend::Postgres => {
            txn.execute_unprepared(
                "LOCK TABLE users, free_clinics, free_clinic_slots, casebooks \
                 IN SHARE ROW EXCLUSIVE MODE",
            )
            .await?;
        }
        _ => {
            txn.execute_unprepared("UPDATE users SET id = id WHERE id < 0")
                .await?;
        }
    }
    let first_user = max_id(&txn, "users").await? + 1;
    let first_clinic = max_id(&txn, "free_clinics").await? + 1;
    let first_slot = max_id(&txn, "free_clinic_slots").await? + 1;
    let first_casebook = max_id(&txn, "casebooks").await? + 1;
    let now = Utc::now();
    let today = china_today(now);
    let seed = u64::try_from(first_user).unwrap_or(0) ^ clinics.rotate_left(32);
    let mut rng = SplitMix64(0x636C_696E_6963_7321 ^ seed);
    let mut report = ClinicBulkReport::default();

    // The demo doctors (those with a hospital), then the bulk ones.
    let mut doctors: Vec<Doctor> = doctor_profile::Entity::find()
        .filter(doctor_profile::Column::HospitalId.is_not_null())
        .order_by_asc(doctor_profile::Column::UserId)
        .all(&txn)
        .await?
        .into_iter()
        .filter_map(|p| {
            let hospital = hospitals.iter().position(|h| Some(h.id) == p.hospital_id)?;
            Some(Doctor {
                id: p.user_id,
                hospital,
                department: p.department.unwrap_or_else(|| "内科".into()),
            })
        })
        .collect();
    let patients = (2 * clinics).max(50);
    let joined = now - Duration::days(400);
    let mut users = Vec::new();
    let mut roles = Vec::new();
    let mut doctor_profiles = Vec::new();
    let mut memberships = Vec::new();
    for index in 0..BULK_DOCTORS {
        let id = first_user + int(index);
        let traits = mix(seed ^ index.wrapping_mul(0x9E37) ^ 0xD0C7);
        let hospital = usize::try_from(index % hospitals.len() as u64).unwrap_or(0);
        let department = nth(DEPARTMENTS, traits >> 32).to_owned();
        users.push(account(id, "clinic-doctor", traits, joined));
        roles.push(role(id, Role::Doctor, joined));
        doctor_profiles.push(doctor_profile::ActiveModel {
            user_id: Set(id),
            hospital_id: Set(Some(hospitals[hospital].id)),
            hospital_name: Set(Some(hospitals[hospital].name.clone())),
            hospital_rank: Set(hospitals[hospital].level.clone()),
            department: Set(Some(department.clone())),
            position: Set(Some(nth(POSITIONS, traits >> 40).to_owned())),
            specialties: Set(Some(format!("{department}常见病、多发病的诊治"))),
            work_proof: Set(None),
            r#abstract: Set(None),
            work_time: Set(None),
            verify_state: Set(1),
            certified_at: Set(Some(today - Duration::days(300))),
            certification_title: Set(None),
            score: Set(None),
            score_count: Set(0),
            visit_count: Set(0),
            patient_count: Set(0),
            service_minutes: Set(0),
            updated_at: Set(joined),
        });
        if let Some(org) = organization {
            memberships.push(organization_membership::ActiveModel {
                organization_id: Set(org),
                doctor_id: Set(id),
                state: Set(membership_state::APPROVED),
                decided_by: Set(None),
                decided_at: Set(Some(joined)),
                created_at: Set(joined),
                updated_at: Set(joined),
                ..Default::default()
            });
        }
        doctors.push(Doctor {
            id,
            hospital,
            department,
        });
    }
    let first_patient = first_user + int(BULK_DOCTORS);
    for index in 0..patients {
        let id = first_patient + int(index);
        let traits = mix(seed ^ index.wrapping_mul(0x9E37) ^ 0xFA71);
        users.push(account(id, "clinic-patient", traits, joined));
        roles.push(role(id, Role::Patient, joined));
    }
    report.doctors = BULK_DOCTORS;
    report.patients = patients;
    insert_all(&txn, users, 20).await?;
    insert_all(&txn, roles, 3).await?;
    insert_all(&txn, doctor_profiles, 24).await?;
    insert_all(&txn, memberships, 8).await?;

    // Clinics, slots, registrations and casebooks, in rounds of clinics.
    let mut registration_counts = vec![0i32; usize::try_from(patients).unwrap_or(0)];
    let mut next_slot = first_slot;
    let mut next_casebook = first_casebook;
    let mut best: Option<(usize, i64)> = None;
    const ROUND: u64 = 1000;
    let mut done = 0u64;
    while done < clinics {
        let round = ROUND.min(clinics - done);
        let mut clinic_rows = Vec::new();
        let mut slot_rows = Vec::new();
        let mut registration_rows = Vec::new();
        let mut casebook_rows = Vec::new();
        for k in 0..round {
            let n = done + k;
            let id = first_clinic + int(n);
            let doctor = &doctors[usize::try_from(rng.below(doctors.len() as u64)).unwrap_or(0)];
            let hospital = &hospitals[doctor.hospital];
            let days =
                int(rng.below(u64::try_from(2 * DAYS_AROUND + 1).unwrap_or(61))) - DAYS_AROUND;
            let date = today + Duration::days(days);
            let (h, m, minutes) =
                HOURS[usize::try_from(rng.below(HOURS.len() as u64)).unwrap_or(0)];
            let begin = NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
            let end = begin + Duration::minutes(minutes);
            let capacity = 4 + i32::try_from(rng.below(37)).unwrap_or(0);
            let starts_at = china_instant(date, begin);
            let ends_at = china_instant(date, end);
            // Published 1 to 14 days before the day, never in the future.
            let created_at = (starts_at - Duration::hours(24 + int(rng.below(13 * 24))))
                .min(now - Duration::minutes(int(1 + rng.below(600))));
            let cancelled = rng.percent(3);
            let cancelled_at = cancelled.then(|| {
                let span = (now.min(starts_at) - created_at).num_seconds().max(1);
                created_at + Duration::seconds(int(rng.below(u64::try_from(span).unwrap_or(1))))
            });
            let in_org = organization.is_some() && rng.percent(33);
            let title = nth(TITLES, rng.next());
            let targets = TARGETS[usize::try_from(rng.below(TARGETS.len() as u64)).unwrap_or(0)];
            clinic_rows.push(free_clinic::ActiveModel {
                id: Set(id),
                doctor_id: Set(doctor.id),
                hospital_id: Set(hospital.id),
                organization_id: Set(if in_org { organization } else { None }),
                special_project_id: Set(None),
                title: Set(title.to_owned()),
                date: Set(date),
                begin_time: Set(begin),
                end_time: Set(end),
                starts_at: Set(starts_at),
                ends_at: Set(ends_at),
                capacity: Set(capacity),
                address: Set(hospital.address.clone().unwrap_or_default()),
                longitude: Set(hospital.longitude.unwrap_or_default()
                    + (rng.below(1001) as f64 - 500.0) / 10_000.0),
                latitude: Set(hospital.latitude.unwrap_or_default()
                    + (rng.below(1001) as f64 - 500.0) / 10_000.0),
                r#abstract: Set(format!("{}专家坐诊，免费咨询与筛查。", hospital.name)),
                deposit_cents: Set(0),
                service_targets: Set(serde_json::to_string(targets).map_err(AppError::internal)?),
                department: Set(Some(doctor.department.clone())),
                created_at: Set(created_at),
                cancelled_at: Set(cancelled_at),
            });

            // How full: past clinics 50 to 100 %, coming ones less the later they are.
            let fill = if cancelled {
                0
            } else if days <= 0 {
                50 + rng.below(51)
            } else {
                rng.below(101 - u64::try_from(days * 3).unwrap_or(90).min(90))
            };
            // Distinct patients per clinic (one booked registration per patient and clinic).
            let mut seen = HashSet::new();
            let mut pick = |rng: &mut SplitMix64| loop {
                let p = rng.below(patients);
                if seen.insert(p) {
                    break p;
                }
            };
            let booked_until = now.min(starts_at);
            let mut register = |rng: &mut SplitMix64,
                                slot_id: i64,
                                slot_begin: NaiveTime,
                                state: i16,
                                reason: Option<&str>| {
                let patient = pick(rng);
                let patient_id = first_patient + int(patient);
                let span = (booked_until - created_at).num_seconds().max(1);
                let at = created_at
                    + Duration::seconds(int(rng.below(u64::try_from(span).unwrap_or(1))));
                let casebook_id = next_casebook;
                next_casebook += 1;
                casebook_rows.push(casebook::ActiveModel {
                    id: Set(casebook_id),
                    patient_id: Set(patient_id),
                    clinic_id: Set(id),
                    content: Set(nth(CASEBOOKS, rng.next()).to_owned()),
                    photos: Set("[]".to_owned()),
                    created_at: Set(at),
                    updated_at: Set(at),
                });
                if state == verify::BOOKED
                    && let Some(c) = usize::try_from(patient)
                        .ok()
                        .and_then(|i| registration_counts.get_mut(i))
                {
                    *c += 1;
                }
                let ended_at = if state == verify::BOOKED {
                    at
                } else {
                    cancelled_at.unwrap_or(at + Duration::minutes(30)).min(now)
                };
                registration_rows.push(registration::ActiveModel {
                    clinic_id: Set(id),
                    doctor_id: Set(doctor.id),
                    hospital_id: Set(hospital.id),
                    patient_id: Set(patient_id),
                    assistant_id: Set(None),
                    slot_id: Set(slot_id),
                    casebook_id: Set(Some(casebook_id)),
                    visit_at: Set(china_instant(date, slot_begin)),
                    ends_at: Set(ends_at),
                    verify_state: Set(state),
                    reject_reason: Set(reason.map(str::to_owned)),
                    seen_at: Set(None),
                    result: Set(None),
                    result_photos: Set("[]".to_owned()),
                    deposit_cents: Set(0),
                    payment_state: Set(payment::NONE),
                    payment_due_at: Set(None),
                    order_sn: Set(None),
                    provider: Set(None),
                    trade_no: Set(None),
                    paid_at: Set(None),
                    refund_state: Set(None),
                    refund_sn: Set(None),
                    refund_requested_at: Set(None),
                    refunded_at: Set(None),
                    patient_credit_score: Set(None),
                    patient_punctuality_score: Set(None),
                    doctor_commented_at: Set(None),
                    doctor_score: Set(None),
                    doctor_comment: Set(None),
                    patient_commented_at: Set(None),
                    created_at: Set(at),
                    updated_at: Set(ended_at),
                    ..Default::default()
                });
            };

            let planned = split_slots(begin, end, capacity);
            for (position, s) in planned.iter().enumerate() {
                let slot_id = next_slot;
                next_slot += 1;
                let wanted = (i64::from(s.capacity) * int(fill) + 50) / 100;
                let taken = i32::try_from(wanted).unwrap_or(0).clamp(0, s.capacity);
                for _ in 0..taken {
                    register(&mut rng, slot_id, s.begin, verify::BOOKED, None);
                }
                // A few ended registrations beside the booked ones; all of a cancelled
                // clinic's were ended by the cancellation.
                let ended = if cancelled {
                    i32::try_from(rng.below(3)).unwrap_or(0)
                } else if rng.percent(10) {
                    1
                } else {
                    0
                };
                for _ in 0..ended {
                    let (state, reason) = if cancelled {
                        (verify::CANCELLED, Some("义诊已取消"))
                    } else if rng.percent(30) {
                        (verify::REJECTED, Some("时间冲突，请改约其他时段"))
                    } else {
                        (verify::CANCELLED, None)
                    };
                    register(&mut rng, slot_id, s.begin, state, reason);
                }
                report.booked += u64::try_from(taken).unwrap_or(0);
                slot_rows.push(free_clinic_slot::ActiveModel {
                    id: Set(slot_id),
                    clinic_id: Set(id),
                    position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
                    label: Set(slot_label(s.begin, s.end)),
                    begin_time: Set(s.begin),
                    end_time: Set(s.end),
                    capacity: Set(s.capacity),
                    taken: Set(taken),
                });
            }
            if !cancelled
                && starts_at > now
                && best.is_none_or(|(slots, best_id)| {
                    planned.len() > slots || (planned.len() == slots && id < best_id)
                })
            {
                best = Some((planned.len(), id));
            }
        }
        report.clinics += insert_all(&txn, clinic_rows, 21).await?;
        report.slots += insert_all(&txn, slot_rows, 8).await?;
        report.casebooks += insert_all(&txn, casebook_rows, 7).await?;
        report.registrations += insert_all(&txn, registration_rows, 35).await?;
        done += round;
    }

    // The patients' profiles, counting their booked registrations.
    let profiles: Vec<patient_profile::ActiveModel> = registration_counts
        .iter()
        .enumerate()
        .map(|(i, count)| patient_profile::ActiveModel {
            user_id: Set(first_patient + i64::try_from(i).unwrap_or(0)),
            height_cm: Set(None),
            weight_kg: Set(None),
            marital_status: Set(None),
            drinks: Set(None),
            smokes: Set(None),
            credit_score: Set(None),
            punctuality_score: Set(None),
            scored_count: Set(0),
            registration_count: Set(*count),
            visit_count: Set(0),
            verify_state: Set(1),
            updated_at: Set(now),
        })
        .collect();
    insert_all(&txn, profiles, 13).await?;
    if let Some((slots, id)) = best {
        report.upcoming_clinic_id = id;
        report.upcoming_slots = slots as u64;
    }

    if backend == DatabaseBackend::Postgres {
        for table in ["users", "free_clinics", "free_clinic_slots", "casebooks"] {
            txn.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT MAX(id) FROM {table}))"
            ))
            .await?;
        }
    }
    txn.commit().await?;
    if backend == DatabaseBackend::Postgres {
        db.execute_unprepared(
            "VACUUM (ANALYZE) users, user_roles, doctor_profiles, patient_profiles, \
             organization_memberships, free_clinics, free_clinic_slots, registrations, casebooks",
        )
        .await?;
    }
    Ok(report)
}

//! Counselling rosters: a consultant's duty time slots per date (排班), shown per month for the
//! consultant's organization, and their suspension periods (停诊), replaced as a whole. A
//! consultant changes only their own.

use std::collections::HashMap;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use entity::{duty_slot, suspension};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

use super::consultations::{offset_of, parse_time_slot};
use crate::auth::{Role, Viewer};
use crate::error::{AppError, AppResult};
use crate::policy;

/// Most duty slots on one date.
const MAX_SLOTS_PER_DAY: usize = 24;

/// Most suspension periods of one consultant.
const MAX_SUSPENSIONS: usize = 100;

/// Slots as `(start, end)` minutes of the day, checked not to overlap.
pub(crate) fn checked_slots(slots: &[String]) -> AppResult<Vec<String>> {
    if slots.len() > MAX_SLOTS_PER_DAY {
        return Err(AppError::bad_field(
            "work_schedules",
            format!("at most {MAX_SLOTS_PER_DAY} time slots a day"),
        ));
    }
    let mut parsed: Vec<(String, String)> = Vec::with_capacity(slots.len());
    for slot in slots {
        let slot = parse_time_slot(slot).map_err(|_| {
            AppError::bad_field(
                "work_schedules",
                format!("{slot:?} is not `HH:MM-HH:MM` with the end after the start"),
            )
        })?;
        let (start, end) = slot
            .split_once('-')
            .map(|(s, e)| (s.to_owned(), e.to_owned()))
            .ok_or_else(|| AppError::internal("slot without a dash"))?;
        parsed.push((start, end));
    }
    parsed.sort();
    parsed.dedup();
    for pair in parsed.windows(2) {
        if pair[1].0 < pair[0].1 {
            return Err(AppError::bad_field(
                "work_schedules",
                format!(
                    "the time slots {}-{} and {}-{} overlap",
                    pair[0].0, pair[0].1, pair[1].0, pair[1].1
                ),
            ));
        }
    }
    Ok(parsed
        .into_iter()
        .map(|(start, end)| format!("{start}-{end}"))
        .collect())
}

/// Replaces the caller's duty slots on `date` (an empty list clears the day), in one
/// transaction. Answers the day's slots.
pub async fn set_day(
    db: &DatabaseConnection,
    viewer: &Viewer,
    date: NaiveDate,
    slots: &[String],
) -> AppResult<Vec<duty_slot::Model>> {
    policy::require_verified(viewer, &[Role::Consultant])?;
    let slots = checked_slots(slots)?;
    let txn = db.begin().await?;
    let saved = write_day(&txn, viewer.user_id, date, slots).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Replaces a consultant's duty slots on `date` with `slots` (checked already), inside the
/// caller's transaction.
pub(crate) async fn write_day<C: ConnectionTrait>(
    c: &C,
    consultant_id: i64,
    date: NaiveDate,
    slots: Vec<String>,
) -> AppResult<Vec<duty_slot::Model>> {
    duty_slot::Entity::delete_many()
        .filter(duty_slot::Column::ConsultantId.eq(consultant_id))
        .filter(duty_slot::Column::Date.eq(date))
        .exec(c)
        .await?;
    let now = Utc::now();
    let mut saved = Vec::with_capacity(slots.len());
    for slot in slots {
        saved.push(
            duty_slot::ActiveModel {
                consultant_id: Set(consultant_id),
                date: Set(date),
                time_slot: Set(slot),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(c)
            .await?,
        );
    }
    Ok(saved)
}

/// The duty slots of one month for the caller's organization (every approved member of the
/// organization of the caller's approved membership), or only the caller's without one; by
/// date, then start time.
pub async fn month(
    db: &DatabaseConnection,
    viewer: &Viewer,
    year: i32,
    month: u32,
) -> AppResult<Vec<duty_slot::Model>> {
    policy::require_verified(viewer, &[Role::Consultant, Role::Administrator])?;
    let first = NaiveDate::from_ymd_opt(year, month, 1)
        .ok_or_else(|| AppError::bad_field("month", "month is 1 to 12 of a valid year"))?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .ok_or_else(|| AppError::bad_field("year", "the year is out of range"))?;
    // The roster of an organization is for its approved members (and its administrators,
    // who are members): the caller's organization comes from an approved membership.
    let consultants: Vec<i64> =
        match super::memberships::organization_of(db, viewer.user_id).await? {
            Some(organization) => super::memberships::members_of(db, organization.id).await?,
            None => vec![viewer.user_id],
        };
    Ok(duty_slot::Entity::find()
        .filter(duty_slot::Column::ConsultantId.is_in(consultants))
        .filter(duty_slot::Column::Date.gte(first))
        .filter(duty_slot::Column::Date.lt(next))
        .order_by_asc(duty_slot::Column::Date)
        .order_by_asc(duty_slot::Column::TimeSlot)
        .order_by_asc(duty_slot::Column::ConsultantId)
        .all(db)
        .await?)
}

/// A suspension period as a consultant gives it: local times.
#[derive(Debug, Clone)]
pub struct Period {
    pub start: String,
    pub end: String,
}

/// A local time `YYYY-MM-DD HH:MM[:SS]` (or RFC 3339); a bare date is the start of that day,
/// or for an end the start of the next day (the whole day included).
fn local_time(text: &str, offset: FixedOffset, end: bool, field: &str) -> AppResult<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    let naive = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(|d| {
                let day = if end { d + Duration::days(1) } else { d };
                day.and_time(NaiveTime::MIN)
            })
        })
        .ok_or_else(|| {
            AppError::bad_field(
                field,
                format!("{field} is `YYYY-MM-DD HH:MM`, `YYYY-MM-DD` or RFC 3339"),
            )
        })?;
    offset
        .from_local_datetime(&naive)
        .single()
        .map(|at| at.with_timezone(&Utc))
        .ok_or_else(|| AppError::bad_field(field, "not a valid local time"))
}

/// Replaces the caller's suspension periods with `periods` (an empty list removes them all),
/// in one transaction. Reversed or overlapping periods are refused.
pub async fn replace_suspensions(
    db: &DatabaseConnection,
    viewer: &Viewer,
    periods: &[Period],
) -> AppResult<Vec<suspension::Model>> {
    policy::require_verified(viewer, &[Role::Consultant])?;
    if periods.len() > MAX_SUSPENSIONS {
        return Err(AppError::bad_field(
            "stop_schedules",
            format!("at most {MAX_SUSPENSIONS} periods"),
        ));
    }
    let offset = offset_of(db, viewer.user_id).await?;
    let mut parsed = Vec::with_capacity(periods.len());
    for period in periods {
        let start = local_time(&period.start, offset, false, "start_time")?;
        let end = local_time(&period.end, offset, true, "end_time")?;
        if start >= end {
            return Err(AppError::bad_field(
                "stop_schedules",
                format!(
                    "{} to {}: the end is not after the start",
                    period.start, period.end
                ),
            ));
        }
        parsed.push((start, end, period));
    }
    parsed.sort_by_key(|(start, _, _)| *start);
    for pair in parsed.windows(2) {
        if pair[1].0 < pair[0].1 {
            return Err(AppError::bad_field(
                "stop_schedules",
                format!(
                    "{} to {} overlaps {} to {}",
                    pair[0].2.start, pair[0].2.end, pair[1].2.start, pair[1].2.end
                ),
            ));
        }
    }
    let txn = db.begin().await?;
    suspension::Entity::delete_many()
        .filter(suspension::Column::ConsultantId.eq(viewer.user_id))
        .exec(&txn)
        .await?;
    let now = Utc::now();
    let mut saved = Vec::with_capacity(parsed.len());
    for (start, end, _) in parsed {
        saved.push(
            suspension::ActiveModel {
                consultant_id: Set(viewer.user_id),
                starts_at: Set(start),
                ends_at: Set(end),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?,
        );
    }
    txn.commit().await?;
    Ok(saved)
}

/// The caller's suspension periods, earliest first.
pub async fn suspensions(
    db: &DatabaseConnection,
    viewer: &Viewer,
) -> AppResult<Vec<suspension::Model>> {
    policy::require_verified(viewer, &[Role::Consultant])?;
    Ok(suspension::Entity::find()
        .filter(suspension::Column::ConsultantId.eq(viewer.user_id))
        .order_by_asc(suspension::Column::StartsAt)
        .all(db)
        .await?)
}

/// Duty slots grouped by date, in order.
pub fn by_date(slots: Vec<duty_slot::Model>) -> Vec<(NaiveDate, Vec<duty_slot::Model>)> {
    let mut days: Vec<(NaiveDate, Vec<duty_slot::Model>)> = Vec::new();
    let mut index: HashMap<NaiveDate, usize> = HashMap::new();
    for slot in slots {
        match index.get(&slot.date) {
            Some(i) => days[*i].1.push(slot),
            None => {
                index.insert(slot.date, days.len());
                days.push((slot.date, vec![slot]));
            }
        }
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_normalised_and_must_not_overlap() {
        let ok = checked_slots(&[
            "14:00-15:00".into(),
            "9:00-10:00".into(),
            "09:00-10:00".into(),
        ])
        .expect("valid");
        assert_eq!(ok, ["09:00-10:00", "14:00-15:00"]);
        assert!(checked_slots(&["09:00-10:00".into(), "09:30-11:00".into()]).is_err());
        assert!(checked_slots(&["10:00-09:00".into()]).is_err());
        assert!(checked_slots(&["09:00-10:00".into(), "10:00-11:00".into()]).is_ok());
    }

    #[test]
    fn local_times_and_whole_days() {
        let cst = FixedOffset::east_opt(8 * 3600).expect("offset");
        let start = local_time("2024-10-02", cst, false, "start_time").expect("date");
        let end = local_time("2024-10-02", cst, true, "end_time").expect("date");
        assert_eq!(end - start, Duration::days(1));
        assert_eq!(start.to_rfc3339(), "2024-10-01T16:00:00+00:00");
        assert!(local_time("soon", cst, false, "start_time").is_err());
    }
}

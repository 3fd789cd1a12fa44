//! Daily check-in (签到): once per calendar day of China Standard Time (UTC+8, no daylight
//! saving), counting the total and the run of consecutive days (a missed day starts a new run
//! at 1), with a small coin reward credited through the ledger.
//!
//! One transaction: the wallet write comes first (on SQLite it takes the write lock before
//! anything is read), then the user's row is read, the next state computed by [`next`], and
//! written conditionally on the state read (`… WHERE last_day = <read>`, or an insert that
//! does nothing when a row appeared). Of racing check-ins of one user on one day exactly one
//! writes; the others find the day taken and answer `CONFLICT`, changing nothing.

use chrono::{DateTime, Days, FixedOffset, NaiveDate, Utc};
use entity::checkin;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    TransactionTrait,
};

use super::coins::{self, CoinChange, Related};
use crate::error::{AppError, AppResult};

/// Coins credited for each check-in.
pub const REWARD: i64 = 5;

/// Seconds east of UTC of the platform's calendar (Asia/Shanghai).
const UTC_OFFSET_SECS: i32 = 8 * 3600;

/// The calendar day (China Standard Time) at `now`.
pub fn local_day(now: DateTime<Utc>) -> NaiveDate {
    match FixedOffset::east_opt(UTC_OFFSET_SECS) {
        Some(offset) => now.with_timezone(&offset).date_naive(),
        None => now.date_naive(),
    }
}

/// A user's check-in count after a check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub total: i32,
    pub streak: i32,
}

/// The state after checking in on `today`, from the state before (none: never checked in);
/// `CONFLICT` when `today` is already checked in.
pub fn next(before: Option<&checkin::Model>, today: NaiveDate) -> AppResult<Tally> {
    let Some(before) = before else {
        return Ok(Tally {
            total: 1,
            streak: 1,
        });
    };
    if before.last_day >= today {
        return Err(already());
    }
    let consecutive = before.last_day.checked_add_days(Days::new(1)) == Some(today);
    Ok(Tally {
        total: before.total.saturating_add(1),
        streak: if consecutive {
            before.streak.saturating_add(1)
        } else {
            1
        },
    })
}

/// The run of consecutive days as it stands on `today`: the stored run while it can still
/// continue (last check-in today or yesterday), 0 once a day was missed.
pub fn current_streak(state: &checkin::Model, today: NaiveDate) -> i32 {
    let yesterday = today.checked_sub_days(Days::new(1));
    if state.last_day >= today || Some(state.last_day) == yesterday {
        state.streak
    } else {
        0
    }
}

fn already() -> AppError {
    AppError::Conflict("you have already checked in today".into())
}

/// A check-in's outcome.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub state: checkin::Model,
    /// Coins credited.
    pub reward: i64,
    /// The balance after the reward.
    pub balance: i64,
}

/// `user_id` checks in now.
pub async fn check_in(db: &DatabaseConnection, user_id: i64) -> AppResult<Receipt> {
    check_in_on(db, user_id, local_day(Utc::now())).await
}

/// `user_id` checks in on `today` (a parameter so the day arithmetic can be tested).
pub async fn check_in_on(
    db: &DatabaseConnection,
    user_id: i64,
    today: NaiveDate,
) -> AppResult<Receipt> {
    let txn = db.begin().await?;
    coins::open_wallet(&txn, user_id).await?;
    let before = checkin::Entity::find_by_id(user_id).one(&txn).await?;
    let tally = next(before.as_ref(), today)?;
    let written = match &before {
        None => {
            checkin::Entity::insert(checkin::ActiveModel {
                user_id: Set(user_id),
                total: Set(tally.total),
                streak: Set(tally.streak),
                last_day: Set(today),
            })
            .on_conflict(
                OnConflict::column(checkin::Column::UserId)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?
        }
        Some(before) => {
            checkin::Entity::update_many()
                .col_expr(checkin::Column::Total, Expr::value(tally.total))
                .col_expr(checkin::Column::Streak, Expr::value(tally.streak))
                .col_expr(checkin::Column::LastDay, Expr::value(today))
                .filter(checkin::Column::UserId.eq(user_id))
                .filter(checkin::Column::LastDay.eq(before.last_day))
                .filter(checkin::Column::Total.eq(before.total))
                .exec(&txn)
                .await?
                .rows_affected
        }
    };
    if written == 0 {
        return Err(already());
    }
    let entry = coins::apply(
        &txn,
        CoinChange {
            user_id,
            amount: REWARD,
            reason: format!("每日签到（连续 {} 天）", tally.streak),
            related: Related::Checkin,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Receipt {
        state: checkin::Model {
            user_id,
            total: tally.total,
            streak: tally.streak,
            last_day: today,
        },
        reward: REWARD,
        balance: entry.balance_after,
    })
}

/// Check-in states of several users, for the loaders.
pub async fn by_users<C: ConnectionTrait>(
    db: &C,
    user_ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, checkin::Model>> {
    Ok(checkin::Entity::find()
        .filter(checkin::Column::UserId.is_in(user_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.user_id, c))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn state(total: i32, streak: i32, last: &str) -> checkin::Model {
        checkin::Model {
            user_id: 1,
            total,
            streak,
            last_day: day(last),
        }
    }

    #[test]
    fn the_first_check_in_starts_at_one() {
        let t = next(None, day("2026-11-24")).ok();
        assert_eq!(
            t,
            Some(Tally {
                total: 1,
                streak: 1
            })
        );
    }

    #[test]
    fn consecutive_days_extend_the_streak_across_months_and_years() {
        let t = next(Some(&state(4, 3, "2026-11-23")), day("2026-11-24")).ok();
        assert_eq!(
            t,
            Some(Tally {
                total: 5,
                streak: 4
            })
        );
        let t = next(Some(&state(9, 9, "2026-12-31")), day("2027-01-01")).ok();
        assert_eq!(t.map(|t| t.streak), Some(10));
        let t = next(Some(&state(1, 1, "2028-02-28")), day("2028-02-29")).ok();
        assert_eq!(t.map(|t| t.streak), Some(2));
    }

    #[test]
    fn a_missed_day_resets_the_streak_to_one() {
        let t = next(Some(&state(10, 7, "2026-11-22")), day("2026-11-24")).ok();
        assert_eq!(
            t,
            Some(Tally {
                total: 11,
                streak: 1
            })
        );
    }

    #[test]
    fn the_same_day_twice_is_a_conflict() {
        let r = next(Some(&state(2, 2, "2026-11-24")), day("2026-11-24"));
        assert!(matches!(r, Err(AppError::Conflict(_))));
        // A clock that went back does not count a day twice either.
        let r = next(Some(&state(2, 2, "2026-11-25")), day("2026-11-24"));
        assert!(matches!(r, Err(AppError::Conflict(_))));
    }

    #[test]
    fn the_current_streak_lapses_after_a_missed_day() {
        let s = state(5, 5, "2026-11-23");
        assert_eq!(current_streak(&s, day("2026-11-23")), 5);
        assert_eq!(current_streak(&s, day("2026-11-24")), 5);
        assert_eq!(current_streak(&s, day("2026-11-25")), 0);
    }

    #[test]
    fn days_follow_china_standard_time() {
        let before_midnight = "2026-11-23T15:59:59Z".parse::<DateTime<Utc>>().ok();
        let after_midnight = "2026-11-23T16:00:00Z".parse::<DateTime<Utc>>().ok();
        assert_eq!(before_midnight.map(local_day), Some(day("2026-11-23")));
        assert_eq!(after_midnight.map(local_day), Some(day("2026-11-24")));
    }
}

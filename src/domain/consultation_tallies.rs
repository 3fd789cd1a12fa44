//! The consultant dashboard's tallies, kept incrementally so that the dashboard reads a few
//! dozen rows instead of aggregating every order of the consultant. This module alone writes
//! the two tables and alone knows which tallies an order contributes to ([`contribution`]):
//!
//! - `consultation_tallies(consultant_id, dimension, bucket, n)`: the consultant's counted
//!   orders (every state but rejected) per kind ([`KIND`]: `online`/`offline`), per month of
//!   their date ([`MONTH`]: `YYYY-MM`) and per starting hour of their time slot ([`HOUR`]: the
//!   slot's first two characters); and distinct clients (contacts) per gender ([`GENDER`]:
//!   `0`, `1`, `2`) and per age band of [`AGE_BANDS`] ([`AGE`]: the band's label; an unknown
//!   age is in no band);
//! - `consultation_client_tallies(consultant_id, dimension, bucket, contact, n)`: per gender
//!   and age band, each contact's counted orders; a distinct-client tally moves only when this
//!   count goes from 0 to 1 or from 1 to 0.
//!
//! Every write that changes whether or how an order counts calls [`order_changed`] in its own
//! transaction; a bulk load calls [`rebuild`]. A change is at most two statements, each one
//! multi-row `INSERT … ON CONFLICT … DO UPDATE SET n = n + excluded.n` (the per-contact one
//! `RETURNING n`), so concurrent writers on PostgreSQL never lose an update (SQLite serialises
//! writers); the rows go in one fixed order (per-contact rows first, each statement's rows
//! sorted), so two writers never wait on each other in a cycle. Tallies that fall to 0 stay,
//! and readers skip them. The migration `m20261207_000001_consultation_tallies` filled the
//! tables from the orders stored before it.

use std::collections::BTreeMap;

use entity::{consultation_client_tally, consultation_order, consultation_tally};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, Statement, Value,
};

use super::consultations::{AGE_BANDS, ConsultationKind, ConsultationState};
use crate::error::{AppError, AppResult};

/// Orders per kind.
pub const KIND: &str = "kind";
/// Orders per month of their date.
pub const MONTH: &str = "month";
/// Orders per starting hour of their time slot.
pub const HOUR: &str = "hour";
/// Distinct clients per gender.
pub const GENDER: &str = "gender";
/// Distinct clients per age band.
pub const AGE: &str = "age";

/// The tallies one order adds to while it counts.
#[derive(Debug, PartialEq, Eq)]
struct Contribution {
    consultant_id: i64,
    /// Order tallies: (dimension, bucket).
    orders: Vec<(&'static str, String)>,
    /// Per-contact counts behind the distinct-client tallies: (dimension, bucket).
    clients: Vec<(&'static str, String)>,
    contact: String,
}

/// The month bucket of a date, `YYYY-MM`.
pub fn month_bucket(date: chrono::NaiveDate) -> String {
    date.format("%Y-%m").to_string()
}

/// What `order` adds to its consultant's tallies: nothing when it does not count (rejected).
fn contribution(order: &consultation_order::Model) -> Option<Contribution> {
    if order.state == ConsultationState::Rejected.as_str() {
        return None;
    }
    let mut clients = vec![(GENDER, order.client_gender.to_string())];
    if let Some(age) = order.client_age {
        clients.extend(
            AGE_BANDS
                .iter()
                .filter(|(_, low, high)| (*low..=*high).contains(&age))
                .map(|(label, _, _)| (AGE, (*label).to_owned())),
        );
    }
    Some(Contribution {
        consultant_id: order.consultant_id,
        orders: vec![
            (KIND, order.kind.clone()),
            (MONTH, month_bucket(order.date)),
            (HOUR, order.time_slot.chars().take(2).collect()),
        ],
        clients,
        contact: order.contact.clone(),
    })
}

type TallyKey = (i64, &'static str, String);
type ClientKey = (i64, &'static str, String, String);

/// Keeps the tallies in step with one order's write, in the write's transaction: `before` is
/// the order as it was (`None` for a new order), `after` as it is now (`None` when it is gone).
/// A change that does not alter what the order contributes (e.g. accepting it) costs no
/// statement.
pub async fn order_changed<C: ConnectionTrait>(
    c: &C,
    before: Option<&consultation_order::Model>,
    after: Option<&consultation_order::Model>,
) -> AppResult<()> {
    let mut tallies: BTreeMap<TallyKey, i64> = BTreeMap::new();
    let mut clients: BTreeMap<ClientKey, i64> = BTreeMap::new();
    for (order, sign) in [(before, -1), (after, 1)] {
        let Some(part) = order.and_then(contribution) else {
            continue;
        };
        for (dimension, bucket) in part.orders {
            *tallies
                .entry((part.consultant_id, dimension, bucket))
                .or_default() += sign;
        }
        for (dimension, bucket) in part.clients {
            *clients
                .entry((part.consultant_id, dimension, bucket, part.contact.clone()))
                .or_default() += sign;
        }
    }
    clients.retain(|_, delta| *delta != 0);
    if !clients.is_empty() {
        for (key, moved) in add_to_clients(c, &clients).await? {
            *tallies.entry(key).or_default() += moved;
        }
    }
    tallies.retain(|_, delta| *delta != 0);
    if !tallies.is_empty() {
        add_to_tallies(c, &tallies).await?;
    }
    Ok(())
}

/// `$1, $2, …` on PostgreSQL, `?` on SQLite: `rows` groups of `columns` placeholders.
fn placeholders(backend: DatabaseBackend, rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let cells = (0..columns)
                .map(|column| match backend {
                    DatabaseBackend::Postgres => format!("${}", row * columns + column + 1),
                    _ => "?".to_owned(),
                })
                .collect::<Vec<_>>()
                .join(", ");
            format!("({cells})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Adds `deltas` to the per-contact counts; answers how each distinct-client tally moves
/// (+1 where a count left 0, -1 where it fell to 0).
async fn add_to_clients<C: ConnectionTrait>(
    c: &C,
    deltas: &BTreeMap<ClientKey, i64>,
) -> AppResult<Vec<(TallyKey, i64)>> {
    let backend = c.get_database_backend();
    let sql = format!(
        "INSERT INTO consultation_client_tallies (consultant_id, dimension, bucket, contact, n) \
         VALUES {} ON CONFLICT (consultant_id, dimension, bucket, contact) \
         DO UPDATE SET n = consultation_client_tallies.n + excluded.n \
         RETURNING consultant_id, dimension, bucket, contact, n",
        placeholders(backend, deltas.len(), 5)
    );
    let mut values: Vec<Value> = Vec::with_capacity(deltas.len() * 5);
    for ((consultant, dimension, bucket, contact), delta) in deltas {
        values.extend([
            (*consultant).into(),
            (*dimension).into(),
            bucket.as_str().into(),
            contact.as_str().into(),
            (*delta).into(),
        ]);
    }
    let rows = c
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    let mut moved = Vec::new();
    for row in rows {
        let consultant: i64 = row.try_get("", "consultant_id")?;
        let dimension: String = row.try_get("", "dimension")?;
        let bucket: String = row.try_get("", "bucket")?;
        let contact: String = row.try_get("", "contact")?;
        let n: i64 = row.try_get("", "n")?;
        let Some(((_, dimension, _, _), delta)) = deltas.get_key_value(&(
            consultant,
            dimension_of(&dimension)?,
            bucket.clone(),
            contact,
        )) else {
            return Err(AppError::internal(format!(
                "consultation tallies: unexpected row {dimension}/{bucket}"
            )));
        };
        let was = n - delta;
        if n < 0 {
            return Err(AppError::internal(format!(
                "consultation tallies of consultant {consultant} out of step \
                 ({dimension}/{bucket} below 0); rebuild them"
            )));
        }
        let step = match (was > 0, n > 0) {
            (false, true) => 1,
            (true, false) => -1,
            _ => 0,
        };
        if step != 0 {
            moved.push(((consultant, *dimension, bucket), step));
        }
    }
    Ok(moved)
}

/// The dimension constant named `name`.
fn dimension_of(name: &str) -> AppResult<&'static str> {
    [KIND, MONTH, HOUR, GENDER, AGE]
        .into_iter()
        .find(|d| *d == name)
        .ok_or_else(|| AppError::internal(format!("unknown tally dimension {name}")))
}

/// Adds `deltas` to the tallies.
async fn add_to_tallies<C: ConnectionTrait>(
    c: &C,
    deltas: &BTreeMap<TallyKey, i64>,
) -> AppResult<()> {
    let backend = c.get_database_backend();
    let sql = format!(
        "INSERT INTO consultation_tallies (consultant_id, dimension, bucket, n) VALUES {} \
         ON CONFLICT (consultant_id, dimension, bucket) \
         DO UPDATE SET n = consultation_tallies.n + excluded.n",
        placeholders(backend, deltas.len(), 4)
    );
    let mut values: Vec<Value> = Vec::with_capacity(deltas.len() * 4);
    for ((consultant, dimension, bucket), delta) in deltas {
        values.extend([
            (*consultant).into(),
            (*dimension).into(),
            bucket.as_str().into(),
            (*delta).into(),
        ]);
    }
    c.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(())
}

/// Recomputes every tally of `consultant_id` from their orders (after a bulk load), in the
/// caller's transaction: the same rule as [`contribution`], as `INSERT … SELECT … GROUP BY`.
pub async fn rebuild<C: ConnectionTrait>(c: &C, consultant_id: i64) -> AppResult<()> {
    consultation_client_tally::Entity::delete_many()
        .filter(consultation_client_tally::Column::ConsultantId.eq(consultant_id))
        .exec(c)
        .await?;
    consultation_tally::Entity::delete_many()
        .filter(consultation_tally::Column::ConsultantId.eq(consultant_id))
        .exec(c)
        .await?;
    let backend = c.get_database_backend();
    let (month, mark) = match backend {
        DatabaseBackend::Postgres => ("TO_CHAR(date, 'YYYY-MM')", "$1"),
        // SQLite keeps dates as `YYYY-MM-DD` text.
        _ => ("SUBSTR(date, 1, 7)", "?"),
    };
    // The bands are constants of this program, not input.
    let bands = AGE_BANDS
        .iter()
        .map(|(label, low, high)| {
            format!("SELECT '{label}' AS label, {low} AS low, {high} AS high")
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let rejected = ConsultationState::Rejected.as_str();
    let counted = format!("consultant_id = {mark} AND state <> '{rejected}'");
    let statements = [
        format!(
            "INSERT INTO consultation_client_tallies (consultant_id, dimension, bucket, contact, n) \
             SELECT consultant_id, '{GENDER}', CAST(client_gender AS TEXT), contact, COUNT(*) \
             FROM consultation_orders WHERE {counted} \
             GROUP BY consultant_id, client_gender, contact \
             UNION ALL \
             SELECT o.consultant_id, '{AGE}', b.label, o.contact, COUNT(*) \
             FROM consultation_orders o JOIN ({bands}) b ON o.client_age BETWEEN b.low AND b.high \
             WHERE o.{counted} GROUP BY o.consultant_id, b.label, o.contact"
        ),
        format!(
            "INSERT INTO consultation_tallies (consultant_id, dimension, bucket, n) \
             SELECT consultant_id, '{KIND}', kind, COUNT(*) FROM consultation_orders \
             WHERE {counted} GROUP BY consultant_id, kind \
             UNION ALL \
             SELECT consultant_id, '{MONTH}', {month}, COUNT(*) FROM consultation_orders \
             WHERE {counted} GROUP BY consultant_id, {month} \
             UNION ALL \
             SELECT consultant_id, '{HOUR}', SUBSTR(time_slot, 1, 2), COUNT(*) \
             FROM consultation_orders WHERE {counted} \
             GROUP BY consultant_id, SUBSTR(time_slot, 1, 2)"
        ),
        format!(
            "INSERT INTO consultation_tallies (consultant_id, dimension, bucket, n) \
             SELECT consultant_id, dimension, bucket, COUNT(*) FROM consultation_client_tallies \
             WHERE consultant_id = {mark} AND n > 0 GROUP BY consultant_id, dimension, bucket"
        ),
    ];
    for sql in statements {
        // PostgreSQL binds `$1` once for every use; SQLite wants one value per `?`.
        let uses = match backend {
            DatabaseBackend::Postgres => 1,
            _ => sql.matches('?').count(),
        };
        let values: Vec<Value> = (0..uses).map(|_| consultant_id.into()).collect();
        c.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    Ok(())
}

/// The tallies of one consultant, read in one statement: what every dashboard figure but
/// today's is computed from.
#[derive(Debug, Clone, Default)]
pub struct Tallies {
    /// (dimension, bucket) → n, only the ones above 0, in bucket order.
    rows: BTreeMap<(String, String), i64>,
}

impl Tallies {
    /// Reads every tally of `consultant_id` above 0.
    pub async fn load<C: ConnectionTrait>(c: &C, consultant_id: i64) -> AppResult<Self> {
        let rows = consultation_tally::Entity::find()
            .filter(consultation_tally::Column::ConsultantId.eq(consultant_id))
            .filter(consultation_tally::Column::N.gt(0))
            .all(c)
            .await?;
        Ok(Self {
            rows: rows
                .into_iter()
                .map(|r| ((r.dimension, r.bucket), r.n))
                .collect(),
        })
    }

    fn get(&self, dimension: &str, bucket: &str) -> i64 {
        self.rows
            .get(&(dimension.to_owned(), bucket.to_owned()))
            .copied()
            .unwrap_or(0)
    }

    /// The buckets of one dimension, in order, with their counts.
    fn dimension<'a>(&'a self, dimension: &'a str) -> impl Iterator<Item = (&'a str, i64)> + 'a {
        self.rows
            .iter()
            .filter(move |((d, _), _)| d == dimension)
            .map(|((_, bucket), n)| (bucket.as_str(), *n))
    }

    /// Online and offline orders, all time.
    pub fn by_kind(&self) -> (i64, i64) {
        (
            self.get(KIND, ConsultationKind::Online.as_str()),
            self.get(KIND, ConsultationKind::Offline.as_str()),
        )
    }

    /// The orders of `year` by their date: the total and one count per month.
    pub fn year(&self, year: i32) -> AppResult<(i64, [i64; 12])> {
        let mut months = [0i64; 12];
        for (month, slot) in (1u32..).zip(months.iter_mut()) {
            let first = chrono::NaiveDate::from_ymd_opt(year, month, 1)
                .ok_or_else(|| AppError::internal(format!("month {year}-{month}")))?;
            *slot = self.get(MONTH, &month_bucket(first));
        }
        Ok((months.iter().sum(), months))
    }

    /// Orders per starting hour of their time slot, by hour.
    pub fn by_time_slot(&self) -> Vec<(i32, i64)> {
        self.dimension(HOUR)
            .filter_map(|(bucket, n)| bucket.parse::<i32>().ok().map(|hour| (hour, n)))
            .collect()
    }

    /// Distinct clients per gender code (0 undisclosed, 1 male, 2 female).
    pub fn clients_by_gender(&self) -> [i64; 3] {
        let mut out = [0i64; 3];
        for (bucket, n) in self.dimension(GENDER) {
            if let Some(slot) = bucket.parse::<usize>().ok().and_then(|g| out.get_mut(g)) {
                *slot = n;
            }
        }
        out
    }

    /// Distinct clients per age band of [`AGE_BANDS`].
    pub fn clients_by_age(&self) -> [i64; 6] {
        let mut out = [0i64; 6];
        for (slot, (label, _, _)) in out.iter_mut().zip(AGE_BANDS.iter()) {
            *slot = self.get(AGE, label);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, Utc};

    use super::*;

    fn order(state: ConsultationState, age: Option<i32>) -> consultation_order::Model {
        let now = Utc::now();
        consultation_order::Model {
            id: 1,
            order_no: "C1".into(),
            consultant_id: 7,
            client_id: None,
            client_profile_id: None,
            client_name: "小明".into(),
            client_age: age,
            client_gender: 2,
            contact: "wx".into(),
            kind: "online".into(),
            date: NaiveDate::from_ymd_opt(2026, 3, 9).unwrap_or_default(),
            time_slot: "09:30-10:30".into(),
            keywords: "[]".into(),
            amount_cents: 0,
            state: state.as_str().into(),
            reject_reason: None,
            accepted_at: None,
            started_at: None,
            finished_at: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn an_order_counts_in_its_kind_month_hour_gender_and_age_band_unless_rejected() {
        let part = contribution(&order(ConsultationState::Waiting, Some(25)));
        assert_eq!(
            part,
            Some(Contribution {
                consultant_id: 7,
                orders: vec![
                    (KIND, "online".into()),
                    (MONTH, "2026-03".into()),
                    (HOUR, "09".into())
                ],
                clients: vec![(GENDER, "2".into()), (AGE, "18-25".into())],
                contact: "wx".into(),
            })
        );
        // An unknown age is in no band; a rejected order counts nowhere.
        let part = contribution(&order(ConsultationState::Finished, None));
        assert_eq!(part.map(|p| p.clients), Some(vec![(GENDER, "2".into())]));
        assert_eq!(
            contribution(&order(ConsultationState::Rejected, Some(25))),
            None
        );
    }

    #[test]
    fn placeholders_follow_the_backend() {
        assert_eq!(
            placeholders(DatabaseBackend::Postgres, 2, 2),
            "($1, $2), ($3, $4)"
        );
        assert_eq!(
            placeholders(DatabaseBackend::Sqlite, 2, 2),
            "(?, ?), (?, ?)"
        );
    }
}

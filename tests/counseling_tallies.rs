//! The dashboard's tallies (`domain::consultation_tallies`) against the live aggregates over
//! the orders (`consultations::live`): equal after every write of a random mix through the
//! domain, after concurrent bookings and rejections, after the migration's backfill and after
//! a bulk load; and the GraphQL dashboard costs a fixed number of statements.

use chrono::{NaiveDate, Utc};
use futures::future::join_all;
use medgraph::auth::{Role, Viewer};
use medgraph::domain::consultation_tallies::Tallies;
use medgraph::domain::consultations::{
    self, ConsultationKind, ConsultationState, DashboardScope, NewConsultation, live,
};
use migration::{Migrator, MigratorTrait};
use sea_orm::{DatabaseConnection, Statement};
use serde_json::{Value, json};

use crate::common::{self, TestApp};

/// The whole dashboard, as the bench asks for it.
const DASHBOARD: &str = "{ consultationDashboard { today { count amountCents } kinds { online offline } year { total months } timeSlots { hour appointments } genders { male female undisclosed } ageBands { band clients } } }";

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

fn consultant_viewer(id: i64) -> Viewer {
    Viewer {
        user_id: id,
        token_id: 0,
        roles: vec![Role::Consultant],
    }
}

fn client_viewer(id: i64) -> Viewer {
    Viewer {
        user_id: id,
        token_id: 0,
        roles: vec![Role::Patient],
    }
}

/// The dashboard scope of `consultant_id`, now.
/// Consultant number `i`: (id, token).
async fn consultant(app: &TestApp, i: usize) -> (i64, String) {
    app.account(
        &format!("consultant{i}"),
        &format!("1380000000{i}"),
        "consult-pass-1",
        &[Role::Consultant],
    )
    .await
}

/// `n` client accounts (patients): their ids.
async fn clients(app: &TestApp, n: usize) -> Vec<i64> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let (id, _) = app
            .account(
                &format!("client{i}"),
                &format!("1370000000{i}"),
                "client-pass-1",
                &[Role::Patient],
            )
            .await;
        ids.push(id);
    }
    ids
}

async fn scope(db: &DatabaseConnection, consultant_id: i64) -> DashboardScope {
    DashboardScope {
        consultant_id,
        offset: consultations::offset_of(db, consultant_id).await.unwrap(),
        now: Utc::now(),
    }
}

/// The consultant's current year (their time zone).
async fn year_of(db: &DatabaseConnection, consultant_id: i64) -> i32 {
    scope(db, consultant_id).await.year()
}

/// The five tallied figures, as the live aggregates compute them.
#[derive(Debug, PartialEq)]
struct Figures {
    kinds: (i64, i64),
    year: (i64, [i64; 12]),
    slots: Vec<(i32, i64)>,
    genders: [i64; 3],
    ages: [i64; 6],
}

async fn live_figures(db: &DatabaseConnection, consultant_id: i64) -> Figures {
    let scope = scope(db, consultant_id).await;
    Figures {
        kinds: live::by_kind(db, &scope).await.unwrap(),
        year: live::this_year(db, &scope).await.unwrap(),
        slots: live::by_time_slot(db, &scope).await.unwrap(),
        genders: live::clients_by_gender(db, &scope).await.unwrap(),
        ages: live::clients_by_age(db, &scope).await.unwrap(),
    }
}

async fn tallied_figures(db: &DatabaseConnection, consultant_id: i64) -> Figures {
    let scope = scope(db, consultant_id).await;
    let tallies = Tallies::load(db, consultant_id).await.unwrap();
    let figures = Figures {
        kinds: tallies.by_kind(),
        year: tallies.year(scope.year()).unwrap(),
        slots: tallies.by_time_slot(),
        genders: tallies.clients_by_gender(),
        ages: tallies.clients_by_age(),
    };
    // The domain's per-figure functions read the same tallies.
    assert_eq!(
        consultations::by_kind(db, &scope).await.unwrap(),
        figures.kinds
    );
    assert_eq!(
        consultations::clients_by_age(db, &scope).await.unwrap(),
        figures.ages
    );
    figures
}

/// The tallies of `consultant_id` give what the live aggregates give; answers the figures.
async fn assert_in_step(db: &DatabaseConnection, consultant_id: i64, context: &str) -> Figures {
    let live = live_figures(db, consultant_id).await;
    let tallied = tallied_figures(db, consultant_id).await;
    assert_eq!(tallied, live, "consultant {consultant_id}, {context}");
    live
}

/// The GraphQL dashboard (as `token`) agrees with `figures`.
fn assert_dashboard_shows(answer: &Value, figures: &Figures) {
    assert!(answer.get("errors").is_none(), "{answer}");
    let dash = &answer["data"]["consultationDashboard"];
    assert_eq!(
        dash["kinds"],
        json!({"online": figures.kinds.0, "offline": figures.kinds.1})
    );
    assert_eq!(
        dash["year"],
        json!({"total": figures.year.0, "months": figures.year.1})
    );
    let slots: Vec<Value> = figures
        .slots
        .iter()
        .map(|(hour, n)| json!({"hour": hour, "appointments": n}))
        .collect();
    assert_eq!(dash["timeSlots"], json!(slots));
    assert_eq!(
        dash["genders"],
        json!({"undisclosed": figures.genders[0], "male": figures.genders[1], "female": figures.genders[2]})
    );
    let ages: Vec<i64> = dash["ageBands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["clients"].as_i64().unwrap())
        .collect();
    assert_eq!(ages, figures.ages);
}

/// Contacts shared by consultants and clients; their gender and age change between orders.
const CONTACTS: [&str; 6] = ["13900000001", "13900000002", "wx_a", "wx_b", "wx_c", "wx_d"];
/// Ages on and around the bands' edges, and unknown.
const AGES: [Option<i32>; 11] = [
    None,
    Some(1),
    Some(17),
    Some(18),
    Some(25),
    Some(26),
    Some(36),
    Some(55),
    Some(56),
    Some(90),
    Some(120),
];

/// A consultation of `year` (or the year before) with random kind, date, slot, gender, age and
/// contact; `contact` and `gender` may be left for a booking to fill from the account.
fn random_consultation(rng: &mut Rng, year: i32, booking: bool) -> NewConsultation {
    let year = if rng.below(5) == 0 { year - 1 } else { year };
    let month = 1 + rng.below(12) as u32;
    let day = 1 + rng.below(28) as u32;
    let hour = 7 + rng.below(15);
    let minute = if rng.below(2) == 0 { 0 } else { 30 };
    NewConsultation {
        client_name: format!("来访者{}", rng.below(4)),
        client_age: *rng.pick(&AGES),
        client_gender: if booking && rng.below(3) == 0 {
            0
        } else {
            rng.below(3) as i16
        },
        contact: if booking && rng.below(3) == 0 {
            String::new()
        } else {
            (*rng.pick(&CONTACTS)).to_owned()
        },
        kind: Some(if rng.below(2) == 0 {
            ConsultationKind::Online
        } else {
            ConsultationKind::Offline
        }),
        date: NaiveDate::from_ymd_opt(year, month, day),
        time_slot: format!("{hour:02}:{minute:02}-{:02}:{minute:02}", hour + 1),
        keywords: vec![],
        amount_cents: 100 * rng.below(500) as i64,
        client_profile_id: None,
    }
}

/// An order the test follows: id, its consultant's index, state.
struct Tracked {
    id: i64,
    consultant: usize,
    state: ConsultationState,
}

#[tokio::test]
async fn random_writes_keep_the_tallies_equal_to_the_live_aggregates() {
    let app = common::app().await;
    let db = &app.state.services.db;
    let mut consultants = Vec::new();
    for i in 0..3 {
        let (id, token) = consultant(&app, i).await;
        consultants.push((id, token));
    }
    let clients = clients(&app, 3).await;
    let year = year_of(db, consultants[0].0).await;
    let mut rng = Rng(0x07A1_11E5);
    let mut orders: Vec<Tracked> = Vec::new();
    let mut moved = [0usize; 5];
    for step in 0..160 {
        let roll = rng.below(100);
        let c = rng.below(3) as usize;
        let consultant = consultant_viewer(consultants[c].0);
        let of_state = |orders: &[Tracked], state: ConsultationState| -> Vec<usize> {
            orders
                .iter()
                .enumerate()
                .filter(|(_, o)| o.state == state)
                .map(|(i, _)| i)
                .collect()
        };
        let what = match roll {
            0..=29 => {
                let input = random_consultation(&mut rng, year, false);
                let order = consultations::record_walk_in(db, &consultant, input)
                    .await
                    .unwrap();
                orders.push(Tracked {
                    id: order.id,
                    consultant: c,
                    state: ConsultationState::Waiting,
                });
                "walk-in"
            }
            30..=54 => {
                let client = client_viewer(*rng.pick(&clients));
                let input = random_consultation(&mut rng, year, true);
                let order = consultations::book(db, &client, consultants[c].0, input)
                    .await
                    .unwrap();
                orders.push(Tracked {
                    id: order.id,
                    consultant: c,
                    state: ConsultationState::PendingAcceptance,
                });
                "booking"
            }
            55..=95 => {
                // A move of a random order from the state it needs.
                let (from, to) = match rng.below(4) {
                    0 => (
                        ConsultationState::PendingAcceptance,
                        ConsultationState::Waiting,
                    ),
                    1 => (
                        ConsultationState::PendingAcceptance,
                        ConsultationState::Rejected,
                    ),
                    2 => (
                        ConsultationState::Waiting,
                        ConsultationState::InConsultation,
                    ),
                    _ => (
                        ConsultationState::InConsultation,
                        ConsultationState::Finished,
                    ),
                };
                let candidates = of_state(&orders, from);
                let Some(&i) = candidates.get(rng.below(candidates.len().max(1) as u64) as usize)
                else {
                    continue;
                };
                let order = &mut orders[i];
                let viewer = consultant_viewer(consultants[order.consultant].0);
                let moved_to = match to {
                    ConsultationState::Waiting => {
                        consultations::accept(db, &viewer, order.id).await
                    }
                    ConsultationState::Rejected => {
                        consultations::reject(db, &viewer, order.id, "时间已满").await
                    }
                    ConsultationState::InConsultation => {
                        consultations::start(db, &viewer, order.id).await
                    }
                    _ => consultations::finish(db, &viewer, order.id).await,
                }
                .unwrap();
                assert_eq!(moved_to.state, to.as_str());
                order.state = to;
                moved[ConsultationState::ALL
                    .iter()
                    .position(|s| *s == to)
                    .unwrap()] += 1;
                "move"
            }
            _ => {
                // Refused writes change nothing: a wrong move, a bad walk-in.
                if let Some(order) = orders
                    .iter()
                    .find(|o| o.state != ConsultationState::PendingAcceptance)
                {
                    let viewer = consultant_viewer(consultants[order.consultant].0);
                    assert!(
                        consultations::reject(db, &viewer, order.id, "忙")
                            .await
                            .is_err()
                    );
                }
                let mut input = random_consultation(&mut rng, year, false);
                input.client_age = Some(0);
                assert!(
                    consultations::record_walk_in(db, &consultant, input)
                        .await
                        .is_err()
                );
                "refused"
            }
        };
        for (id, _) in &consultants {
            assert_in_step(db, *id, &format!("step {step} ({what})")).await;
        }
    }
    // Every kind of write happened, and rejected orders left the figures.
    assert!(orders.len() > 40, "{} orders", orders.len());
    // Accepted, rejected, started and finished at least once each.
    assert!(moved[1..].iter().all(|n| *n > 0), "{moved:?}");
    let rejected = orders
        .iter()
        .filter(|o| o.state == ConsultationState::Rejected)
        .count();
    assert!(rejected > 3, "{rejected} rejected");
    // The GraphQL dashboard shows the same figures.
    for (id, token) in &consultants {
        let figures = assert_in_step(db, *id, "the end").await;
        let counted = orders
            .iter()
            .filter(|o| {
                consultants[o.consultant].0 == *id && o.state != ConsultationState::Rejected
            })
            .count() as i64;
        assert_eq!(figures.kinds.0 + figures.kinds.1, counted);
        let answer = app.graphql(DASHBOARD, json!({}), Some(token)).await;
        assert_dashboard_shows(&answer, &figures);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_bookings_and_rejections_lose_no_update() {
    let app = common::app().await;
    let db = app.state.services.db.clone();
    let (consultant, token) = consultant(&app, 0).await;
    let clients = clients(&app, 4).await;
    let year = year_of(&db, consultant).await;
    let date = NaiveDate::from_ymd_opt(year, 6, 15);
    // 16 bookings at once: the same few contacts, genders and age bands, so every tally row
    // is raced for. The even ones of the first 16 are men of 20, the others women of 40.
    let booking = |i: usize| {
        let db = db.clone();
        let client = client_viewer(clients[i % 4]);
        let man = i < 16 && i.is_multiple_of(2);
        tokio::spawn(async move {
            let input = NewConsultation {
                client_name: format!("来访者{i}"),
                client_age: Some(if man { 20 } else { 40 }),
                client_gender: if man { 1 } else { 2 },
                contact: format!("wx_{}", i % 3),
                kind: Some(ConsultationKind::Online),
                date,
                time_slot: "09:00-10:00".into(),
                keywords: vec![],
                amount_cents: 100,
                client_profile_id: None,
            };
            consultations::book(&db, &client, consultant, input)
                .await
                .map(|o| o.id)
        })
    };
    let first: Vec<i64> = join_all((0..16).map(booking))
        .await
        .into_iter()
        .map(|r| r.unwrap().unwrap())
        .collect();
    // However their bookings raced, each client has one profile with this consultant.
    {
        use entity::client_profile::{Column, Entity};
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let profiles = Entity::find()
            .filter(Column::ConsultantId.eq(consultant))
            .all(&db)
            .await
            .unwrap();
        let mut owners: Vec<Option<i64>> = profiles.iter().map(|p| p.client_id).collect();
        owners.sort_unstable();
        let mut expected: Vec<Option<i64>> = clients.iter().map(|c| Some(*c)).collect();
        expected.sort_unstable();
        assert_eq!(owners, expected, "one profile per client: {profiles:?}");
    }
    let figures = assert_in_step(&db, consultant, "16 concurrent bookings").await;
    assert_eq!(figures.kinds, (16, 0));
    assert_eq!(figures.slots, vec![(9, 16)]);
    assert_eq!(figures.genders, [0, 3, 3]);
    assert_eq!(figures.ages, [0, 3, 0, 3, 0, 0]);
    // Then, at once: the 8 men's rejections, the 8 women's acceptances and 16 more bookings
    // of women.
    let viewer = consultant_viewer(consultant);
    let mut tasks = Vec::new();
    for (i, id) in first.iter().enumerate() {
        let db = db.clone();
        let viewer = viewer.clone();
        let id = *id;
        tasks.push(tokio::spawn(async move {
            if i.is_multiple_of(2) {
                consultations::reject(&db, &viewer, id, "时间已满")
                    .await
                    .map(|o| o.id)
            } else {
                consultations::accept(&db, &viewer, id).await.map(|o| o.id)
            }
        }));
    }
    tasks.extend((16..32).map(booking));
    for result in join_all(tasks).await {
        result.unwrap().unwrap();
    }
    let figures = assert_in_step(&db, consultant, "rejections among bookings").await;
    assert_eq!(figures.kinds, (24, 0));
    assert_eq!(figures.slots, vec![(9, 24)]);
    // Rejecting all of a contact's orders in a band takes it out of the band's clients.
    assert_eq!(figures.genders, [0, 0, 3]);
    assert_eq!(figures.ages, [0, 0, 0, 3, 0, 0]);
    let answer = app.graphql(DASHBOARD, json!({}), Some(&token)).await;
    assert_dashboard_shows(&answer, &figures);
}

/// How many migrations to revert to undo the tallies' (and all later ones).
fn steps_back_to_the_tallies() -> u32 {
    let migrations = Migrator::migrations();
    let at = migrations
        .iter()
        .position(|m| m.name() == "m20261207_000001_consultation_tallies")
        .unwrap();
    (migrations.len() - at) as u32
}

/// Every tally row above 0, sorted.
async fn tally_rows(db: &DatabaseConnection) -> Vec<(i64, String, String, i64)> {
    use sea_orm::ConnectionTrait;
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT consultant_id, dimension, bucket, n FROM consultation_tallies WHERE n > 0 \
             ORDER BY consultant_id, dimension, bucket",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get("", "consultant_id").unwrap(),
                r.try_get("", "dimension").unwrap(),
                r.try_get("", "bucket").unwrap(),
                r.try_get("", "n").unwrap(),
            )
        })
        .collect()
}

/// Walk-ins and rejected bookings of two consultants, through the domain.
async fn some_orders(app: &TestApp, rng: &mut Rng) -> Vec<i64> {
    let db = &app.state.services.db;
    let (client, _) = app
        .account("client", "13700000000", "client-pass-1", &[Role::Patient])
        .await;
    let mut consultants = Vec::new();
    for i in 0..2 {
        let (id, _) = consultant(app, i).await;
        let year = year_of(db, id).await;
        for n in 0..30 {
            let viewer = consultant_viewer(id);
            if n % 3 == 0 {
                let input = random_consultation(rng, year, true);
                let order = consultations::book(db, &client_viewer(client), id, input)
                    .await
                    .unwrap();
                consultations::reject(db, &viewer, order.id, "忙")
                    .await
                    .unwrap();
            } else {
                let input = random_consultation(rng, year, false);
                consultations::record_walk_in(db, &viewer, input)
                    .await
                    .unwrap();
            }
        }
        consultants.push(id);
    }
    consultants
}

#[tokio::test]
async fn the_migration_backfills_the_tallies_from_the_orders() {
    let app = common::app().await;
    let db = &app.state.services.db;
    let mut rng = Rng(42);
    let consultants = some_orders(&app, &mut rng).await;
    let kept = tally_rows(db).await;
    assert!(kept.len() > 20, "{kept:?}");
    // Reverting the migration drops the tables; running it again fills them from the orders.
    Migrator::down(db, Some(steps_back_to_the_tallies()))
        .await
        .unwrap();
    assert!(Tallies::load(db, consultants[0]).await.is_err());
    Migrator::up(db, None).await.unwrap();
    assert_eq!(tally_rows(db).await, kept);
    for id in &consultants {
        assert_in_step(db, *id, "after the backfill").await;
    }
    // Writes go on from the backfilled tallies.
    let year = year_of(db, consultants[0]).await;
    let input = random_consultation(&mut rng, year, false);
    consultations::record_walk_in(db, &consultant_viewer(consultants[0]), input)
        .await
        .unwrap();
    assert_in_step(db, consultants[0], "a walk-in after the backfill").await;
}

#[tokio::test]
async fn a_bulk_load_rebuilds_its_consultants_tallies() {
    let app = common::app().await;
    let db = &app.state.services.db;
    let mut rng = Rng(7);
    let consultants = some_orders(&app, &mut rng).await;
    let other = tally_rows(db)
        .await
        .into_iter()
        .filter(|r| r.0 == consultants[1])
        .collect::<Vec<_>>();
    let report = medgraph::seed::bulk_consultations(db, "consultant0", 1500)
        .await
        .unwrap();
    assert_eq!(report.consultant_id, consultants[0]);
    let figures = assert_in_step(db, consultants[0], "after the bulk load").await;
    assert!(figures.kinds.0 + figures.kinds.1 > 1300, "{figures:?}");
    assert!(figures.ages.iter().all(|n| *n > 0), "{figures:?}");
    // The other consultant's tallies are untouched.
    assert_eq!(
        tally_rows(db)
            .await
            .into_iter()
            .filter(|r| r.0 == consultants[1])
            .collect::<Vec<_>>(),
        other
    );
    // Writes go on from the rebuilt tallies.
    let year = year_of(db, consultants[0]).await;
    let input = random_consultation(&mut rng, year, false);
    consultations::record_walk_in(db, &consultant_viewer(consultants[0]), input)
        .await
        .unwrap();
    assert_in_step(db, consultants[0], "a walk-in after the bulk load").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_whole_dashboard_costs_five_statements_whatever_the_orders() {
    let app = common::app().await;
    let db = &app.state.services.db;
    let (consultant, token) = consultant(&app, 0).await;
    let spent = |concurrency: u64| {
        let app = &app;
        let token = token.clone();
        async move {
            let before = app.statements();
            let answers =
                join_all((0..concurrency).map(|_| app.graphql(DASHBOARD, json!({}), Some(&token))))
                    .await;
            let spent = app.statements() - before;
            for answer in &answers {
                assert!(answer.get("errors").is_none(), "{answer}");
                assert_eq!(answer, &answers[0]);
            }
            assert_eq!(spent % concurrency, 0, "{spent} for {concurrency}");
            spent / concurrency
        }
    };
    // The session and its roles, the consultant's time zone, today's aggregate and the
    // tallies: the five tallied figures share one statement.
    assert_eq!(spent(1).await, 5);
    medgraph::seed::bulk_consultations(db, "consultant0", 2000)
        .await
        .unwrap();
    assert_eq!(spent(1).await, 5);
    assert_eq!(spent(16).await, 5);
    let figures = assert_in_step(db, consultant, "after the bulk load").await;
    let answer = app.graphql(DASHBOARD, json!({}), Some(&token)).await;
    assert_dashboard_shows(&answer, &figures);
    // Only the tallies' statement reads the tallies, once.
    let statements = &app.state.services.statements;
    statements.record();
    app.graphql(DASHBOARD, json!({}), Some(&token)).await;
    let recorded = statements.take_recorded();
    assert_eq!(
        recorded
            .iter()
            .filter(|sql| sql.contains("consultation_tallies"))
            .count(),
        1,
        "{recorded:#?}"
    );
    assert_eq!(
        recorded
            .iter()
            .filter(|sql| sql.contains("consultation_orders"))
            .count(),
        1,
        "{recorded:#?}"
    );
}

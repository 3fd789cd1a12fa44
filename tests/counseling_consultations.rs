//! Counselling consultations: the order list and walk-in visits, bookings and their
//! transitions, comments, and the dashboard's SQL aggregates, through the counselling dialect
//! (`userID` + `token` in the body) and GraphQL.

use chrono::{Datelike, Duration, Utc};
use medgraph::auth::Role;
use serde_json::{Value, json};

use crate::common::{self, TestApp, first_code};

pub(crate) async fn post(app: &TestApp, path: &str, body: Value) -> Value {
    let (status, body) = app.call("POST", path, Some(body), &[]).await;
    assert_eq!(status, http::StatusCode::OK, "{body}");
    body
}

pub(crate) fn ok(body: &Value) -> Value {
    assert_eq!(body["code"], 0, "{body}");
    assert_eq!(body["message"], "success", "{body}");
    body["data"].clone()
}

pub(crate) fn fails(body: &Value, code: u16) {
    assert_eq!(body["code"], code, "{body}");
    assert!(body["data"].is_null(), "{body}");
}

pub(crate) struct Consultant {
    pub(crate) id: i64,
    pub(crate) token: String,
}

impl Consultant {
    /// `body` with the dialect's `userID` + `token`.
    pub(crate) fn auth(&self, mut body: Value) -> Value {
        body["userID"] = json!(self.id);
        body["token"] = json!(self.token);
        body
    }

    /// The same pair as multipart text fields.
    pub(crate) fn fields(&self) -> Vec<(String, String)> {
        vec![
            ("userID".into(), self.id.to_string()),
            ("token".into(), self.token.clone()),
        ]
    }
}

pub(crate) async fn consultant(app: &TestApp, name: &str, phone: &str) -> Consultant {
    let (id, token) = app
        .account(name, phone, "consult-pass-1", &[Role::Consultant])
        .await;
    Consultant { id, token }
}

fn walk_in(name: &str, gender: &str, age: &str, kind: &str, date: &str, time: &str) -> Value {
    json!({
        "name": name, "age": age, "gender": gender, "type": kind,
        "date": date, "time": time, "contact": format!("{name}-wx"), "key_word": ["焦虑", "失眠"],
    })
}

#[tokio::test]
async fn walk_ins_are_listed_filtered_and_kept_to_their_consultant() {
    let app = common::app().await;
    let me = consultant(&app, "wangfang", "13811110001").await;
    let other = consultant(&app, "lisi", "13811110002").await;
    let today = Utc::now().date_naive();
    let day = |d: i64| (today + Duration::days(d)).to_string();

    // Bad input is refused and records nothing.
    for (body, word) in [
        (
            walk_in("小明", "男", "16", "视频", &day(1), "09:00-10:00"),
            "type",
        ),
        (
            walk_in("小明", "男", "16", "线下咨询", "10/02", "09:00-10:00"),
            "date",
        ),
        (
            walk_in("小明", "男", "16", "线下咨询", &day(1), "10:00-09:00"),
            "end after",
        ),
        (
            walk_in("小明", "男", "200", "线下咨询", &day(1), "09:00-10:00"),
            "age",
        ),
        (
            walk_in("小明", "狗", "16", "线下咨询", &day(1), "09:00-10:00"),
            "gender",
        ),
        (
            walk_in(" ", "男", "16", "线下咨询", &day(1), "09:00-10:00"),
            "name",
        ),
    ] {
        let response = post(&app, "/api/consultant/orders/create", me.auth(body)).await;
        fails(&response, 422);
        assert!(
            response["message"].as_str().unwrap().contains(word),
            "{word}: {response}"
        );
    }
    assert_eq!(app.count_rows("consultation_orders").await, 0);
    // Without the token pair: 401.
    let response = post(
        &app,
        "/api/consultant/orders/create",
        walk_in("小明", "男", "16", "线下咨询", &day(1), "09:00-10:00"),
    )
    .await;
    fails(&response, 401);

    let created = post(
        &app,
        "/api/consultant/orders/create",
        me.auth(walk_in(
            "小明",
            "男",
            "16",
            "线下咨询",
            &day(1),
            "09:00-10:00",
        )),
    )
    .await;
    ok(&created);
    let first = created["id"]
        .as_i64()
        .expect("the id beside data, as documented");
    assert_eq!(created["data"]["id"], first);
    for (name, gender, age, kind, d, time) in [
        ("小红", "女", "21", "线上咨询", 2, "14:00-15:00"),
        ("小刚", "男", "30", "在线咨询", 3, "09:30-10:30"),
    ] {
        ok(&post(
            &app,
            "/api/consultant/orders/create",
            me.auth(walk_in(name, gender, age, kind, &day(d), time)),
        )
        .await);
    }
    ok(&post(
        &app,
        "/api/consultant/orders/create",
        other.auth(walk_in(
            "别人",
            "女",
            "40",
            "线下咨询",
            &day(1),
            "09:00-10:00",
        )),
    )
    .await);

    let list = |extra: Value| {
        let mut body = json!({"page": 1, "pageSize": 10, "name": "", "date_start": "", "date_end": "", "type": "", "status": ""});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        me.auth(body)
    };
    let all = ok(&post(&app, "/api/consultant/orders", list(json!({}))).await);
    assert_eq!(all["total"], 3);
    let names: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["小刚", "小红", "小明"], "latest date first");
    let row = &all["data"][2];
    assert_eq!(row["id"], first);
    assert_eq!(row["gender"], "男");
    assert_eq!(row["age"], "16");
    assert_eq!(row["type"], "线下咨询");
    assert_eq!(row["key_word"], "焦虑,失眠");
    assert_eq!(row["time"], "09:00-10:00");
    assert_eq!(row["status"], "等待中");
    assert_eq!(row["finish_time"], "");
    assert!(row["order_id"].as_str().unwrap().starts_with('C'));
    assert_eq!(row["commit_time"].as_str().unwrap().len(), 19);

    let online = ok(&post(
        &app,
        "/api/consultant/orders",
        list(json!({"type": "线上咨询"})),
    )
    .await);
    assert_eq!(online["total"], 2);
    // Recorded as 线上咨询 or 在线咨询, answered in the document's word.
    for row in online["data"].as_array().unwrap() {
        assert_eq!(row["type"], "在线咨询", "{online}");
    }
    let by_name = ok(&post(&app, "/api/consultant/orders", list(json!({"name": "红"}))).await);
    assert_eq!(by_name["data"][0]["name"], "小红");
    let range = ok(&post(
        &app,
        "/api/consultant/orders",
        list(json!({"date_start": day(2), "date_end": day(2)})),
    )
    .await);
    assert_eq!(range["total"], 1);
    let waiting = ok(&post(
        &app,
        "/api/consultant/orders",
        list(json!({"status": "等待中"})),
    )
    .await);
    assert_eq!(waiting["total"], 3);
    let done = ok(&post(
        &app,
        "/api/consultant/orders",
        list(json!({"status": "已结束"})),
    )
    .await);
    assert_eq!(done["total"], 0);
    let paged = ok(&post(
        &app,
        "/api/consultant/orders",
        list(json!({"page": 2, "pageSize": 2})),
    )
    .await);
    assert_eq!(paged["data"].as_array().unwrap().len(), 1);
    for bad in [
        json!({"status": "done"}),
        json!({"date_start": "yesterday"}),
        json!({"date_start": day(3), "date_end": day(1)}),
        json!({"pageSize": 100_000}),
    ] {
        fails(&post(&app, "/api/consultant/orders", list(bad)).await, 422);
    }
    // Another consultant's orders are not reachable, in REST or GraphQL.
    let theirs = ok(&post(
        &app,
        "/api/consultant/orders",
        other.auth(json!({"page": 1, "pageSize": 10})),
    )
    .await);
    assert_eq!(theirs["total"], 1);
    let id = medgraph::graphql::node::global_id("ConsultationOrder", first).0;
    let response = app
        .graphql(
            "query($id: ID!) { consultation(id: $id) { clientName } }",
            json!({"id": id}),
            Some(&other.token),
        )
        .await;
    assert!(response["data"]["consultation"].is_null(), "{response}");
    let response = app
        .graphql(
            "mutation($id: ID!) { startConsultation(id: $id) { state } }",
            json!({"id": id}),
            Some(&other.token),
        )
        .await;
    assert_eq!(first_code(&response), "NOT_FOUND");
}

#[tokio::test]
async fn bookings_move_through_their_states_and_take_one_comment() {
    let app = common::app().await;
    let me = consultant(&app, "wangfang", "13811110001").await;
    let (_, client) = app
        .account("xiaoming", "13811110009", "client-pass-1", &[Role::Patient])
        .await;
    let date = (Utc::now().date_naive() + Duration::days(1)).to_string();
    let book = app
        .graphql(
            "mutation($c: ID!, $d: NaiveDate!) { bookConsultation(consultantId: $c, input: { kind: ONLINE, date: $d, timeSlot: \"19:00-20:00\", clientAge: 16, keywords: [\"考试焦虑\"], amountCents: 20000 }) { id state clientName contact } }",
            json!({"c": medgraph::graphql::node::global_id("User", me.id).0, "d": date}),
            Some(&client),
        )
        .await;
    let booked = &book["data"]["bookConsultation"];
    assert_eq!(booked["state"], "PENDING_ACCEPTANCE", "{book}");
    assert_eq!(booked["clientName"], "xiaoming");
    assert_eq!(booked["contact"], "13811110009");
    let id = booked["id"].as_str().unwrap().to_owned();
    let run = |mutation: &str, token: &str| {
        let query = format!("mutation($id: ID!) {{ {mutation} }}");
        let token = token.to_owned();
        let id = id.clone();
        let app = &app;
        async move { app.graphql(&query, json!({"id": id}), Some(&token)).await }
    };
    // The client cannot comment before the end, nor move it; wrong steps are conflicts.
    let early = run(
        "commentConsultation(id: $id, rating: 5, content: \"好\") { rating }",
        &client,
    )
    .await;
    assert_eq!(first_code(&early), "CONFLICT");
    assert_eq!(
        first_code(&run("acceptConsultation(id: $id) { state }", &client).await),
        "NOT_FOUND"
    );
    assert_eq!(
        first_code(&run("startConsultation(id: $id) { state }", &me.token).await),
        "CONFLICT"
    );
    for (step, state) in [
        ("acceptConsultation(id: $id) { state }", "WAITING"),
        ("startConsultation(id: $id) { state }", "IN_CONSULTATION"),
        ("finishConsultation(id: $id) { state }", "FINISHED"),
    ] {
        let response = run(step, &me.token).await;
        assert!(response["errors"].is_null(), "{response}");
        assert_eq!(
            response
                .pointer("/data")
                .unwrap()
                .as_object()
                .unwrap()
                .values()
                .next()
                .unwrap()["state"],
            state
        );
    }
    assert_eq!(
        first_code(
            &run(
                "rejectConsultation(id: $id, reason: \"忙\") { state }",
                &me.token
            )
            .await
        ),
        "CONFLICT"
    );
    // One comment, by the client, rated 1-5.
    assert_eq!(
        first_code(
            &run(
                "commentConsultation(id: $id, rating: 6, content: \"好\") { rating }",
                &client
            )
            .await
        ),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        first_code(
            &run(
                "commentConsultation(id: $id, rating: 5, content: \"好\") { rating }",
                &me.token
            )
            .await
        ),
        "FORBIDDEN"
    );
    let commented = run(
        "commentConsultation(id: $id, rating: 5, content: \"很耐心，帮助很大\") { rating }",
        &client,
    )
    .await;
    assert!(commented["errors"].is_null(), "{commented}");
    assert_eq!(
        first_code(
            &run(
                "commentConsultation(id: $id, rating: 4, content: \"再来\") { rating }",
                &client
            )
            .await
        ),
        "CONFLICT"
    );
    // The consultant reads it through the documented path and the corrected one.
    for path in [
        "/api/consuntant/user/comments",
        "/api/consultant/user/comments",
    ] {
        let comments = ok(&post(&app, path, me.auth(json!({"page": 1, "pageSize": 10}))).await);
        assert_eq!(comments[0]["content"], "很耐心，帮助很大");
        assert_eq!(comments[0]["rating"], "5");
        assert_eq!(comments[0]["username"], "xiaoming");
        assert_eq!(comments[0]["time"].as_str().unwrap().len(), 19);
    }
    // The client sees the booking in their own list and through node(id).
    let mine = app
        .graphql(
            "{ consultations { totalCount nodes { state } } }",
            json!({}),
            Some(&client),
        )
        .await;
    assert_eq!(mine["data"]["consultations"]["totalCount"], 1);
    let node = app
        .graphql(
            "query($id: ID!) { node(id: $id) { ... on ConsultationOrder { state keywords amountCents } } }",
            json!({"id": id}),
            Some(&client),
        )
        .await;
    assert_eq!(
        node["data"]["node"],
        json!({"state": "FINISHED", "keywords": ["考试焦虑"], "amountCents": 20000})
    );
    // A second booking is rejected with a reason, and rejected ones leave the dashboard.
    let second = app
        .graphql(
            "mutation($c: ID!, $d: NaiveDate!) { bookConsultation(consultantId: $c, input: { kind: OFFLINE, date: $d, timeSlot: \"08:00-09:00\" }) { id } }",
            json!({"c": medgraph::graphql::node::global_id("User", me.id).0, "d": date}),
            Some(&client),
        )
        .await;
    let second = second["data"]["bookConsultation"]["id"].clone();
    let rejected = app
        .graphql(
            "mutation($id: ID!) { rejectConsultation(id: $id, reason: \"时间已满\") { state rejectReason } }",
            json!({"id": second}),
            Some(&me.token),
        )
        .await;
    assert_eq!(
        rejected["data"]["rejectConsultation"],
        json!({"state": "REJECTED", "rejectReason": "时间已满"})
    );
    let kinds = ok(&post(
        &app,
        "/api/consultant/dashboard/category-data",
        me.auth(json!({})),
    )
    .await);
    assert_eq!(kinds, json!({"online": 1, "outline": 0}));
}

#[tokio::test]
async fn the_dashboard_counts_in_sql_in_the_consultants_time_zone() {
    let app = common::app().await;
    let me = consultant(&app, "wangfang", "13811110001").await;
    let year = Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .year();
    for (name, gender, age, kind, date, time, amount) in [
        (
            "a",
            "男",
            "16",
            "线下咨询",
            format!("{year}-01-15"),
            "09:00-10:00",
            100.0,
        ),
        (
            "b",
            "女",
            "20",
            "线上咨询",
            format!("{year}-01-20"),
            "09:30-10:30",
            200.5,
        ),
        (
            "c",
            "女",
            "30",
            "线上咨询",
            format!("{year}-03-02"),
            "14:00-15:00",
            0.0,
        ),
        (
            "d",
            "男",
            "60",
            "线下咨询",
            format!("{year}-12-31"),
            "14:00-15:00",
            50.0,
        ),
        (
            "e",
            "女",
            "40",
            "线下咨询",
            format!("{}-06-01", year - 1),
            "20:00-21:00",
            10.0,
        ),
    ] {
        let mut body = walk_in(name, gender, age, kind, &date, time);
        body["amount"] = json!(amount);
        ok(&post(&app, "/api/consultant/orders/create", me.auth(body)).await);
    }
    // The same client twice counts once in the client figures.
    let mut again = walk_in(
        "a",
        "男",
        "16",
        "线下咨询",
        &format!("{year}-02-01"),
        "09:00-10:00",
    );
    again["contact"] = json!("a-wx");
    ok(&post(&app, "/api/consultant/orders/create", me.auth(again)).await);

    let dash = |path: &str| {
        let body = me.auth(json!({}));
        let app = &app;
        let path = format!("/api/consultant/dashboard/{path}");
        async move { ok(&post(app, &path, body).await) }
    };
    let today = dash("today-transactions").await;
    // The document's integer: whole yuan (360.50 rounds to 361).
    assert_eq!(today, json!({"count": 6, "amount": 361}));
    assert_eq!(
        dash("category-data").await,
        json!({"online": 2, "outline": 4})
    );
    let yearly = dash("yearly-consultations").await;
    assert_eq!(yearly["total"], 5);
    assert_eq!(yearly["data"], json!([2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1]));
    assert_eq!(
        dash("time-slot-data").await,
        json!({"timeSlots": [9, 14, 20], "appointments": [3, 2, 1]})
    );
    assert_eq!(dash("gender-data").await, json!({"male": 2, "female": 3}));
    assert_eq!(
        dash("age-data").await,
        json!({"values": [1, 1, 1, 1, 0, 1]})
    );
    // A consultant's dashboard only: other roles are refused.
    let (patient_id, patient_token) = app
        .account("xiaoming", "13811110009", "client-pass-1", &[Role::Patient])
        .await;
    let refused = post(
        &app,
        "/api/consultant/dashboard/age-data",
        json!({"userID": patient_id, "token": patient_token}),
    )
    .await;
    fails(&refused, 403);
}

#[tokio::test]
async fn rosters_show_the_organization_and_change_only_ones_own() {
    let app = common::app().await;
    let me = consultant(&app, "wangfang", "13811110001").await;
    let colleague = consultant(&app, "lisi", "13811110002").await;
    let outsider = consultant(&app, "zhao", "13811110003").await;
    // Organizations are joined (an approved membership), never named on the profile.
    let (_, admin) = app.admin().await;
    let ours = app.organization(&admin, "阳光中心").await;
    let elsewhere = app.organization(&admin, "别处").await;
    for (who, organization) in [(&me, &ours), (&colleague, &ours), (&outsider, &elsewhere)] {
        app.join_organization(&admin, &who.token, organization)
            .await;
    }
    let update = |who: &Consultant, date: i64, slots: Value| json!({"user_id": who.id, "token": who.token, "year": "2030", "month": 3, "date": date, "work_schedules": slots});
    // Overlaps, bad slots and impossible dates change nothing.
    for body in [
        update(&me, 5, json!(["09:00-10:00", "09:30-10:30"])),
        update(&me, 5, json!(["later"])),
        update(&me, 32, json!(["09:00-10:00"])),
        update(&me, 5, json!("09:00-10:00")),
    ] {
        fails(
            &post(&app, "/api/consultant/schedule/work/update", body).await,
            422,
        );
    }
    assert_eq!(app.count_rows("duty_slots").await, 0);
    // user_id must match the token.
    let mut forged = update(&me, 5, json!(["09:00-10:00"]));
    forged["user_id"] = json!(colleague.id);
    fails(
        &post(&app, "/api/consultant/schedule/work/update", forged).await,
        401,
    );

    ok(&post(
        &app,
        "/api/consultant/schedule/work/update",
        update(&me, 5, json!(["14:00-15:00", "09:00-10:00"])),
    )
    .await);
    ok(&post(
        &app,
        "/api/consultant/schedule/work/update",
        update(&colleague, 5, json!(["09:00-10:00"])),
    )
    .await);
    ok(&post(
        &app,
        "/api/consultant/schedule/work/update",
        update(&outsider, 5, json!(["09:00-10:00"])),
    )
    .await);
    ok(&post(
        &app,
        "/api/consultant/schedule/work/update",
        update(&me, 20, json!(["19:00-20:00"])),
    )
    .await);
    // Replacing a day replaces its slots; an empty list clears it.
    ok(&post(
        &app,
        "/api/consultant/schedule/work/update",
        update(&me, 20, json!([])),
    )
    .await);

    let roster = ok(&post(
        &app,
        "/api/consultant/schedule/work",
        me.auth(json!({"year": "2030", "month": "3", "organization": "别处"})),
    )
    .await);
    assert_eq!(roster.as_array().unwrap().len(), 1, "{roster}");
    assert_eq!(roster[0]["date"], 5);
    let entries: Vec<(String, String)> = roster[0]["schedules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["work_time"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            ("wangfang".to_owned(), "09:00-10:00".to_owned()),
            ("lisi".to_owned(), "09:00-10:00".to_owned()),
            ("wangfang".to_owned(), "14:00-15:00".to_owned()),
        ],
        "the organization only, by date and time"
    );
    fails(
        &post(
            &app,
            "/api/consultant/schedule/work",
            me.auth(json!({"year": 2030, "month": 13})),
        )
        .await,
        422,
    );
}

#[tokio::test]
async fn suspensions_are_replaced_whole_and_checked() {
    let app = common::app().await;
    let me = consultant(&app, "wangfang", "13811110001").await;
    let replace = |periods: Value| me.auth(json!({"stop_schedules": periods}));
    for periods in [
        json!([{"start_time": "2030-10-08", "end_time": "2030-10-01"}]),
        json!([
            {"start_time": "2030-10-01", "end_time": "2030-10-07"},
            {"start_time": "2030-10-07 12:00", "end_time": "2030-10-09"}
        ]),
        json!([{"start_time": "soon", "end_time": "2030-10-01"}]),
        json!([{"start_time": "2030-10-01"}]),
        json!("2030-10-01"),
    ] {
        fails(
            &post(
                &app,
                "/api/consultant/schedule/stop/update",
                replace(periods),
            )
            .await,
            422,
        );
    }
    assert_eq!(app.count_rows("suspensions").await, 0);
    ok(&post(
        &app,
        "/api/consultant/schedule/stop/update",
        replace(json!([
            {"start_time": "2030-12-24 18:00", "end_time": "2030-12-26"},
            {"start_time": "2030-10-01", "end_time": "2030-10-07"}
        ])),
    )
    .await);
    let listed = ok(&post(&app, "/api/consultant/schedule/stop", me.auth(json!({}))).await);
    assert_eq!(
        listed,
        json!([
            {"name": "wangfang", "start_time": "2030-10-01 00:00:00", "end_time": "2030-10-08 00:00:00"},
            {"name": "wangfang", "start_time": "2030-12-24 18:00:00", "end_time": "2030-12-27 00:00:00"}
        ])
    );
    ok(&post(
        &app,
        "/api/consultant/schedule/stop/update",
        replace(json!([])),
    )
    .await);
    assert_eq!(
        ok(&post(&app, "/api/consultant/schedule/stop", me.auth(json!({}))).await),
        json!([])
    );
    // Only consultants have suspensions.
    let (patient, token) = app
        .account("xiaoming", "13811110009", "client-pass-1", &[Role::Patient])
        .await;
    fails(
        &post(
            &app,
            "/api/consultant/schedule/stop",
            json!({"userID": patient, "token": token}),
        )
        .await,
        403,
    );
}

//! Volunteer content: news (`/news/{type}/list`, `/news/{id}`), banners, system messages
//! (`/message`), chat (`/chat`, `/chat/{id}`, the `chatMessages` subscription), follows of
//! doctors (`/follow/user/{id}`, `/custom/follow`, `/assistant/follow`) and WeChat media
//! (`/weixin/media`, against a local fake of the WeChat API).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing;
use futures::StreamExt;
use medgraph::auth::{Auth, Role, Viewer};
use serde_json::{Value, json};

use crate::care_graphql::{listen, next};
use crate::common::{self, PNG_1X1, TestApp, first_code};

fn gid(ty: &str, id: i64) -> String {
    medgraph::graphql::node::global_id(ty, id).0
}

async fn get(app: &TestApp, uri: &str, token: Option<&str>) -> Value {
    let headers: Vec<(&str, &str)> = token.map(|t| ("X-auth-token", t)).into_iter().collect();
    let (status, body) = app.call("GET", uri, None, &headers).await;
    assert_eq!(status, 200, "{uri}: {body}");
    body
}

async fn send(app: &TestApp, method: &str, uri: &str, body: Value, token: &str) -> Value {
    let (status, body) = app
        .call(method, uri, Some(body), &[("X-auth-token", token)])
        .await;
    assert_eq!(status, 200, "{uri}: {body}");
    body
}

struct Cast {
    admin: (i64, String),
    patient: (i64, String),
    other_patient: (i64, String),
    doctor: (i64, String),
    other_doctor: (i64, String),
    assistant: (i64, String),
}

async fn cast(app: &TestApp) -> Cast {
    Cast {
        admin: app.admin().await,
        patient: app
            .account("pat", "15500000001", "pass-word-1", &[Role::Patient])
            .await,
        other_patient: app
            .account("pat2", "15500000002", "pass-word-1", &[Role::Patient])
            .await,
        doctor: app
            .account("doc", "15500000003", "pass-word-1", &[Role::Doctor])
            .await,
        other_doctor: app
            .account("doc2", "15500000004", "pass-word-1", &[Role::Doctor])
            .await,
        assistant: app
            .account("asst", "15500000005", "pass-word-1", &[Role::Assistant])
            .await,
    }
}

const CREATE_NEWS: &str =
    "mutation($input: NewsFields!) { createNews(input: $input) { id legacyId title audience } }";

#[tokio::test]
async fn news_are_managed_by_administrators_and_listed_per_audience() {
    let app = common::app().await;
    let c = cast(&app).await;
    let news = |audience: &str, title: &str| json!({"input": {"audience": audience, "title": title, "content": "<p>正文</p>", "coverUrl": "https://example.org/a.png"}});
    // Only administrators; bad input changes nothing.
    let refused = app
        .graphql(CREATE_NEWS, news("PATIENTS", "x"), Some(&c.patient.1))
        .await;
    assert_eq!(first_code(&refused), "FORBIDDEN");
    let anonymous = app.graphql(CREATE_NEWS, news("PATIENTS", "x"), None).await;
    assert_eq!(first_code(&anonymous), "UNAUTHENTICATED");
    let blank = app
        .graphql(CREATE_NEWS, news("PATIENTS", "  "), Some(&c.admin.1))
        .await;
    assert_eq!(first_code(&blank), "BAD_USER_INPUT");
    assert_eq!(app.count_rows("news").await, 0);

    let mut ids = Vec::new();
    for (audience, title) in [
        ("PATIENTS", "患者公告一"),
        ("PATIENTS", "患者公告二"),
        ("DOCTORS", "医生公告"),
    ] {
        let created = app
            .graphql(CREATE_NEWS, news(audience, title), Some(&c.admin.1))
            .await;
        assert!(created["errors"].is_null(), "{created}");
        ids.push(created["data"]["createNews"]["legacyId"].as_i64().unwrap());
    }
    // A scheduled item is not listed yet.
    let scheduled = app
        .graphql(
            CREATE_NEWS,
            json!({"input": {"audience": "PATIENTS", "title": "明天", "content": "", "publishedAt": "2999-01-01T00:00:00Z"}}),
            Some(&c.admin.1),
        )
        .await;
    let scheduled_id = scheduled["data"]["createNews"]["legacyId"]
        .as_i64()
        .unwrap();

    let list = get(&app, "/news/1/list?page_size=1", None).await;
    assert_eq!(list["error_code"], 0);
    assert_eq!(
        list["data"]["page"],
        json!({"current_page": 1, "total_page": 2, "count": 2, "page_size": 1})
    );
    let item = &list["data"]["list"][0];
    assert_eq!(item["title"], "患者公告二");
    assert_eq!(item["photo"], "https://example.org/a.png");
    assert_eq!(item["content"], "<p>正文</p>");
    assert!(item["publish_time"].as_str().unwrap().len() == 19);
    let second = get(&app, "/news/1/list?page_size=1&current_page=2", None).await;
    assert_eq!(second["data"]["list"][0]["title"], "患者公告一");
    let doctors = get(&app, "/news/2/list", None).await;
    assert_eq!(doctors["data"]["page"]["count"], 1);
    assert_eq!(
        get(&app, "/news/3/list", None).await["data"]["list"],
        json!([])
    );
    assert_eq!(get(&app, "/news/9/list", None).await["error_code"], 422);
    assert_eq!(
        get(&app, "/news/1/list?page_size=0", None).await["error_code"],
        422
    );

    let detail = get(&app, &format!("/news/{}", ids[2]), None).await;
    assert_eq!(detail["data"]["title"], "医生公告");
    assert_eq!(detail["data"]["id"], ids[2]);
    assert_eq!(get(&app, "/news/99999", None).await["error_code"], 404);
    assert_eq!(
        get(&app, &format!("/news/{scheduled_id}"), None).await["error_code"],
        404
    );

    // Update and delete.
    let updated = app
        .graphql(
            "mutation($id: ID!, $input: NewsFields!) { updateNews(id: $id, input: $input) { title audience } }",
            json!({"id": gid("News", ids[0]), "input": {"audience": "ASSISTANTS", "title": "改给医助", "content": "c"}}),
            Some(&c.admin.1),
        )
        .await;
    assert_eq!(updated["data"]["updateNews"]["audience"], "ASSISTANTS");
    assert_eq!(
        get(&app, "/news/3/list", None).await["data"]["page"]["count"],
        1
    );
    let delete = "mutation($id: ID!) { deleteNews(id: $id) }";
    let refused = app
        .graphql(
            delete,
            json!({"id": gid("News", ids[1])}),
            Some(&c.doctor.1),
        )
        .await;
    assert_eq!(first_code(&refused), "FORBIDDEN");
    let deleted = app
        .graphql(delete, json!({"id": gid("News", ids[1])}), Some(&c.admin.1))
        .await;
    assert_eq!(deleted["data"]["deleteNews"], true);
    let again = app
        .graphql(delete, json!({"id": gid("News", ids[1])}), Some(&c.admin.1))
        .await;
    assert_eq!(first_code(&again), "NOT_FOUND");
    // Relay node.
    let node = app
        .graphql(
            "query($id: ID!) { node(id: $id) { ... on News { title } } }",
            json!({"id": gid("News", ids[2])}),
            None,
        )
        .await;
    assert_eq!(node["data"]["node"]["title"], "医生公告");
}

#[tokio::test]
async fn banners_follow_their_jump_mode_and_homepage() {
    let app = common::app().await;
    let c = cast(&app).await;
    let create = "mutation($input: BannerFields!) { createBanner(input: $input) { id legacyId jumpMode href jumpId } }";
    let banner = |input: Value| json!({ "input": input });
    let no_href = app
        .graphql(
            create,
            banner(
                json!({"imageUrl": "https://x/a.png", "jumpMode": "URL", "audience": "PATIENTS"}),
            ),
            Some(&c.admin.1),
        )
        .await;
    assert_eq!(first_code(&no_href), "BAD_USER_INPUT");
    let no_news = app
        .graphql(
            create,
            banner(json!({"imageUrl": "https://x/a.png", "jumpMode": "NEWS", "jumpId": 77, "audience": "PATIENTS"})),
            Some(&c.admin.1),
        )
        .await;
    assert_eq!(first_code(&no_news), "BAD_USER_INPUT");
    let not_admin = app
        .graphql(
            create,
            banner(json!({"imageUrl": "https://x/a.png", "audience": "PATIENTS"})),
            Some(&c.doctor.1),
        )
        .await;
    assert_eq!(first_code(&not_admin), "FORBIDDEN");
    assert_eq!(app.count_rows("banners").await, 0);

    for (title, sort, hospital) in [("b", 2, None), ("a", 1, None), ("h", 0, Some(5))] {
        let made = app
            .graphql(
                create,
                banner(json!({"title": title, "imageUrl": "https://x/a.png", "jumpMode": "URL", "href": "https://example.org", "audience": "PATIENTS", "sort": sort, "hospitalId": hospital})),
                Some(&c.admin.1),
            )
            .await;
        assert_eq!(made["data"]["createBanner"]["jumpMode"], "URL", "{made}");
    }
    let query = "query($h: Int) { banners(audience: PATIENTS, hospitalId: $h) { totalCount nodes { title sort hospitalId } } }";
    let global = app.graphql(query, json!({}), None).await;
    assert_eq!(global["data"]["banners"]["totalCount"], 2);
    assert_eq!(global["data"]["banners"]["nodes"][0]["title"], "a");
    let hospital = app.graphql(query, json!({"h": 5}), None).await;
    assert_eq!(hospital["data"]["banners"]["totalCount"], 3);
    assert_eq!(hospital["data"]["banners"]["nodes"][0]["title"], "h");
    let doctors = app
        .graphql(
            "{ banners(audience: DOCTORS) { totalCount } }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(doctors["data"]["banners"]["totalCount"], 0);
}

#[tokio::test]
async fn messages_list_broadcasts_and_personal_ones_with_read_state() {
    let app = common::app().await;
    let c = cast(&app).await;
    let send_message = "mutation($input: SendMessageInput!) { sendMessage(input: $input) }";
    let refused = app
        .graphql(
            send_message,
            json!({"input": {"title": "t", "content": "c"}}),
            Some(&c.patient.1),
        )
        .await;
    assert_eq!(first_code(&refused), "FORBIDDEN");
    let to_patients = app
        .graphql(
            send_message,
            json!({"input": {"title": "致患者", "content": "全体患者", "audience": "PATIENTS"}}),
            Some(&c.admin.1),
        )
        .await;
    assert_eq!(to_patients["data"]["sendMessage"], 2, "{to_patients}");
    let everyone = app
        .graphql(
            send_message,
            json!({"input": {"title": "致所有人", "content": "维护"}}),
            Some(&c.admin.1),
        )
        .await;
    assert_eq!(everyone["data"]["sendMessage"], 6);
    let personal = app
        .graphql(
            send_message,
            json!({"input": {"title": "单发", "content": "只给你", "userId": gid("User", c.patient.0)}}),
            Some(&c.admin.1),
        )
        .await;
    assert_eq!(personal["data"]["sendMessage"], 1);
    let nobody = app
        .graphql(
            send_message,
            json!({"input": {"title": "x", "content": "", "userId": gid("User", 99999)}}),
            Some(&c.admin.1),
        )
        .await;
    assert_eq!(first_code(&nobody), "NOT_FOUND");

    let list = get(&app, "/message", Some(&c.patient.1)).await;
    assert_eq!(list["error_code"], 0);
    assert_eq!(list["data"]["page"]["count"], 3);
    let first = &list["data"]["list"][0];
    assert_eq!(first["title"], "单发");
    assert_eq!(first["type"], 1);
    assert_eq!(first["username"], "admin");
    assert_eq!(first["is_read"], 0);
    assert_eq!(list["data"]["list"][1]["type"], 0);
    // Listing marks nothing.
    let again = get(
        &app,
        "/message?page_size=2&current_page=2",
        Some(&c.patient.1),
    )
    .await;
    assert_eq!(again["data"]["list"].as_array().unwrap().len(), 1);
    assert_eq!(again["data"]["list"][0]["is_read"], 0);
    let doctor_list = get(&app, "/message", Some(&c.doctor.1)).await;
    assert_eq!(doctor_list["data"]["page"]["count"], 1);
    assert_eq!(get(&app, "/message", None).await["error_code"], 401);

    let count = "{ unreadMessageCount }";
    assert_eq!(
        app.graphql(count, json!({}), Some(&c.patient.1)).await["data"]["unreadMessageCount"],
        3
    );
    let id = first["id"].as_i64().unwrap();
    let mark = "mutation($ids: [ID!]) { markMessagesRead(ids: $ids) }";
    // Another user's message is never touched.
    let foreign = app
        .graphql(
            mark,
            json!({"ids": [gid("Message", id)]}),
            Some(&c.doctor.1),
        )
        .await;
    assert_eq!(foreign["data"]["markMessagesRead"], 0);
    let marked = app
        .graphql(
            mark,
            json!({"ids": [gid("Message", id)]}),
            Some(&c.patient.1),
        )
        .await;
    assert_eq!(marked["data"]["markMessagesRead"], 1);
    assert_eq!(
        app.graphql(count, json!({}), Some(&c.patient.1)).await["data"]["unreadMessageCount"],
        2
    );
    let list = get(&app, "/message", Some(&c.patient.1)).await;
    assert_eq!(list["data"]["list"][0]["is_read"], 1);
    let all = app.graphql(mark, json!({}), Some(&c.patient.1)).await;
    assert_eq!(all["data"]["markMessagesRead"], 2);
    let node = app
        .graphql(
            "query($id: ID!) { node(id: $id) { ... on Message { title kind read sender { username } } } }",
            json!({"id": gid("Message", id)}),
            Some(&c.patient.1),
        )
        .await;
    assert_eq!(node["data"]["node"]["kind"], "PERSONAL");
    let hidden = app
        .graphql(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({"id": gid("Message", id)}),
            Some(&c.doctor.1),
        )
        .await;
    assert!(hidden["data"]["node"].is_null());
}

async fn photo(app: &TestApp, user: i64) -> String {
    let s = &app.state.services;
    let file = medgraph::domain::files::upload(
        &s.db,
        &s.files,
        bytes::Bytes::from_static(PNG_1X1),
        Some("p.png"),
        medgraph::storage::FileKind::Image,
        Some(user),
    )
    .await
    .unwrap();
    format!("http://localhost/files/{}", file.hash)
}

#[tokio::test]
async fn chat_between_a_patient_and_a_doctor() {
    let app = common::app().await;
    let c = cast(&app).await;
    let doctor_id = c.doctor.0.to_string();
    let chat = |to: i64, ty: i64, content: &str, photos: Value| json!({"to_user_id": to, "type": ty, "content": content, "photo": photos});
    // A doctor may not open a dialog; refused sends change nothing.
    let first_by_doctor = send(
        &app,
        "POST",
        "/chat",
        chat(c.patient.0, 2, "hi", json!([])),
        &c.doctor.1,
    )
    .await;
    assert_eq!(first_by_doctor["error_code"], 403);
    let patient_to_patient = send(
        &app,
        "POST",
        "/chat",
        chat(c.other_patient.0, 1, "hi", json!([])),
        &c.patient.1,
    )
    .await;
    assert_eq!(patient_to_patient["error_code"], 403);
    let as_doctor = send(
        &app,
        "POST",
        "/chat",
        chat(c.doctor.0, 2, "hi", json!([])),
        &c.patient.1,
    )
    .await;
    assert_eq!(as_doctor["error_code"], 403);
    let long = send(
        &app,
        "POST",
        "/chat",
        chat(c.doctor.0, 1, &"长".repeat(257), json!([])),
        &c.patient.1,
    )
    .await;
    assert_eq!(long["error_code"], 422);
    let empty = send(
        &app,
        "POST",
        "/chat",
        chat(c.doctor.0, 1, " ", json!([])),
        &c.patient.1,
    )
    .await;
    assert_eq!(empty["error_code"], 422);
    let image = photo(&app, c.patient.0).await;
    let four = send(
        &app,
        "POST",
        "/chat",
        chat(c.doctor.0, 1, "x", json!([image, image, image, image])),
        &c.patient.1,
    )
    .await;
    assert_eq!(four["error_code"], 422);
    let unknown = send(
        &app,
        "POST",
        "/chat",
        chat(
            c.doctor.0,
            1,
            "x",
            json!([
                "http://x/files/0000000000000000000000000000000000000000000000000000000000000000"
            ]),
        ),
        &c.patient.1,
    )
    .await;
    assert_eq!(unknown["error_code"], 422);
    let bad_type = send(
        &app,
        "POST",
        "/chat",
        chat(c.doctor.0, 5, "x", json!([])),
        &c.patient.1,
    )
    .await;
    assert_eq!(bad_type["error_code"], 422);
    let nobody = send(
        &app,
        "POST",
        "/chat",
        chat(99999, 1, "x", json!([])),
        &c.patient.1,
    )
    .await;
    assert_eq!(nobody["error_code"], 404);
    let (status, anonymous) = app
        .call(
            "POST",
            "/chat",
            Some(chat(c.doctor.0, 1, "x", json!([]))),
            &[],
        )
        .await;
    assert_eq!(
        (status.as_u16(), anonymous["error_code"].as_i64()),
        (200, Some(401))
    );
    assert_eq!(app.count_rows("chat_dialogs").await, 0);
    assert_eq!(app.count_rows("chat_messages").await, 0);

    // The patient opens the dialog (photos as a JSON string, as legacy clients send them).
    let sent = send(
        &app,
        "POST",
        "/chat",
        chat(c.doctor.0, 1, "医生您好", json!(format!("[\"{image}\"]"))),
        &c.patient.1,
    )
    .await;
    assert_eq!(sent["error_code"], 0, "{sent}");
    let message = &sent["data"]["list"][0];
    assert_eq!(message["type"], 1);
    assert_eq!(message["from_user_id"], c.patient.0);
    assert_eq!(message["to_user_id"], c.doctor.0);
    assert_eq!(message["is_read"], 0);
    assert_eq!(message["photo"].as_array().unwrap().len(), 1);
    assert!(
        message["photo"][0]
            .as_str()
            .unwrap()
            .ends_with(image.rsplit('/').next().unwrap())
    );
    // §2.2.13 types dialog_id as a string.
    let dialog_id: i64 = message["dialog_id"].as_str().unwrap().parse().unwrap();
    // Now the doctor may answer; the patient writes again into the same dialog.
    let answer = send(
        &app,
        "POST",
        "/chat",
        chat(c.patient.0, 2, "您好", json!([])),
        &c.doctor.1,
    )
    .await;
    assert_eq!(
        answer["data"]["list"][0]["dialog_id"],
        dialog_id.to_string()
    );
    let third = send(
        &app,
        "POST",
        "/chat",
        json!({"to_user_id": doctor_id, "type": "1", "content": "谢谢"}),
        &c.patient.1,
    )
    .await;
    assert_eq!(third["data"]["list"][0]["dialog_id"], dialog_id.to_string());
    assert_eq!(app.count_rows("chat_dialogs").await, 1);
    // The other doctor's dialog is newer.
    send(
        &app,
        "POST",
        "/chat",
        chat(c.other_doctor.0, 1, "另一位医生", json!([])),
        &c.patient.1,
    )
    .await;

    let dialogs = get(&app, "/chat", Some(&c.patient.1)).await;
    assert_eq!(dialogs["data"]["page"]["count"], 2);
    let latest = &dialogs["data"]["list"][0];
    assert_eq!(latest["doctor_user_id"], c.other_doctor.0);
    let ours = &dialogs["data"]["list"][1];
    assert_eq!(ours["id"], dialog_id);
    assert_eq!(ours["patient_user_id"], c.patient.0);
    assert_eq!(ours["unread_count"], 1);
    assert_eq!(ours["doctor_unread_count"], 2);
    assert_eq!(ours["patient_unread_count"], 1);
    assert_eq!(ours["last_msg"]["content"], "谢谢");
    assert_eq!(ours["last_msg_id"], ours["last_msg"]["id"].to_string());
    assert!(ours["doctor_user"].get("hospital").is_some());
    assert!(ours["patient_user"].get("height").is_some());
    let doctor_dialogs = get(&app, "/chat", Some(&c.doctor.1)).await;
    assert_eq!(doctor_dialogs["data"]["page"]["count"], 1);
    assert_eq!(doctor_dialogs["data"]["list"][0]["unread_count"], 2);

    // Strangers see nothing.
    for token in [&c.other_patient.1, &c.other_doctor.1, &c.admin.1] {
        let stranger = get(&app, &format!("/chat/{dialog_id}"), Some(token)).await;
        assert_eq!(stranger["error_code"], 404);
    }
    assert_eq!(
        get(&app, &format!("/chat/{dialog_id}"), None).await["error_code"],
        401
    );

    // The doctor reads: oldest first, paged; the patient's messages become read.
    let page = get(
        &app,
        &format!("/chat/{dialog_id}?page_size=2"),
        Some(&c.doctor.1),
    )
    .await;
    assert_eq!(page["data"]["page"]["count"], 3);
    assert_eq!(page["data"]["list"][0]["content"], "医生您好");
    assert_eq!(page["data"]["list"][1]["content"], "您好");
    let page2 = get(
        &app,
        &format!("/chat/{dialog_id}?page_size=2&current_page=2"),
        Some(&c.doctor.1),
    )
    .await;
    assert_eq!(page2["data"]["list"][0]["content"], "谢谢");
    assert_eq!(page2["data"]["list"][0]["is_read"], 1);
    assert_eq!(
        app.count_rows_where(
            "chat_messages",
            &format!("read_at IS NULL AND recipient_id = {}", c.patient.0)
        )
        .await,
        1
    );
    let doctor_dialogs = get(&app, "/chat", Some(&c.doctor.1)).await;
    assert_eq!(doctor_dialogs["data"]["list"][0]["unread_count"], 0);

    // GraphQL: the dialog with batched relations, and node().
    let q = "query($id: ID!) { chatDialog(id: $id) { legacyId unreadCount patient { username } doctor { username } lastMessage { content sender { username } } messages(first: 10) { totalCount nodes { content read senderSide } } } }";
    let dialog = app
        .graphql(
            q,
            json!({"id": gid("ChatDialog", dialog_id)}),
            Some(&c.patient.1),
        )
        .await;
    assert_eq!(
        dialog["data"]["chatDialog"]["doctor"]["username"], "doc",
        "{dialog}"
    );
    assert_eq!(dialog["data"]["chatDialog"]["unreadCount"], 1);
    assert_eq!(
        dialog["data"]["chatDialog"]["messages"]["nodes"][1]["senderSide"],
        "DOCTOR"
    );
    let hidden = app
        .graphql(
            q,
            json!({"id": gid("ChatDialog", dialog_id)}),
            Some(&c.other_patient.1),
        )
        .await;
    assert!(hidden["data"]["chatDialog"].is_null());
    let mark = app
        .graphql(
            "mutation($id: ID!) { markChatDialogRead(id: $id) { unreadCount } }",
            json!({"id": gid("ChatDialog", dialog_id)}),
            Some(&c.other_doctor.1),
        )
        .await;
    assert_eq!(first_code(&mark), "NOT_FOUND");

    // A deep list costs a fixed number of statements whatever the number of dialogs.
    let before = app.statements();
    let deep = app
        .graphql(
            "{ chatDialogs(first: 20) { totalCount nodes { unreadCount patient { username } doctor { username } lastMessage { content sender { username } } messages(first: 5) { totalCount nodes { content } } } } }",
            json!({}),
            Some(&c.patient.1),
        )
        .await;
    assert!(deep["errors"].is_null(), "{deep}");
    assert!(
        app.statements() - before <= 12,
        "{}",
        app.statements() - before
    );
}

#[tokio::test]
async fn first_messages_sent_at_once_share_one_dialog() {
    let app = common::app().await;
    let c = cast(&app).await;
    let calls = (0..6).map(|i| {
        let app = &app;
        let token = c.patient.1.clone();
        let doctor = c.doctor.0;
        async move {
            app.call(
                "POST",
                "/chat",
                Some(json!({"to_user_id": doctor, "type": 1, "content": format!("第{i}条")})),
                &[("X-auth-token", token.as_str())],
            )
            .await
        }
    });
    let answers = futures::future::join_all(calls).await;
    for (_, body) in &answers {
        assert_eq!(body["error_code"], 0, "{body}");
    }
    assert_eq!(app.count_rows("chat_dialogs").await, 1);
    assert_eq!(app.count_rows("chat_messages").await, 6);
    let dialogs = get(&app, "/chat", Some(&c.doctor.1)).await;
    assert_eq!(dialogs["data"]["list"][0]["unread_count"], 6);
    let last = app
        .count_rows_where(
            "chat_dialogs",
            "last_message_id = (SELECT MAX(id) FROM chat_messages)",
        )
        .await;
    assert_eq!(last, 1);
}

#[tokio::test]
async fn chat_messages_reach_both_participants() {
    let app = common::app().await;
    let c = cast(&app).await;
    let subscribe = |user: i64, role: Role| {
        let auth = Auth {
            viewer: Some(Viewer {
                user_id: user,
                token_id: 0,
                roles: vec![role],
            }),
            ..Auth::default()
        };
        let request = app.state.prepare(
            async_graphql::Request::new(
                "subscription { chatMessages { content senderSide sender { username } recipient { username } } }",
            ),
            auth,
            String::new(),
        );
        listen(app.state.schema.execute_stream(request).boxed())
    };
    let mut patient = subscribe(c.patient.0, Role::Patient);
    let mut doctor = subscribe(c.doctor.0, Role::Doctor);
    let mut stranger = subscribe(c.other_patient.0, Role::Patient);
    tokio::time::sleep(Duration::from_millis(100)).await;

    let sent = app
        .graphql(
            "mutation($input: SendChatMessageInput!) { sendChatMessage(input: $input) { content } }",
            json!({"input": {"toUserId": gid("User", c.doctor.0), "content": "在吗"}}),
            Some(&c.patient.1),
        )
        .await;
    assert!(sent["errors"].is_null(), "{sent}");
    for updates in [&mut patient, &mut doctor] {
        let update = next(updates).await;
        assert_eq!(update["chatMessages"]["content"], "在吗");
        assert_eq!(update["chatMessages"]["senderSide"], "PATIENT");
        assert_eq!(update["chatMessages"]["recipient"]["username"], "doc");
    }
    let answer = app
        .graphql(
            "mutation($input: SendChatMessageInput!) { sendChatMessage(input: $input) { content } }",
            json!({"input": {"toUserId": gid("User", c.patient.0), "content": "在"}}),
            Some(&c.doctor.1),
        )
        .await;
    assert!(answer["errors"].is_null(), "{answer}");
    assert_eq!(
        next(&mut patient).await["chatMessages"]["senderSide"],
        "DOCTOR"
    );
    assert_eq!(next(&mut doctor).await["chatMessages"]["content"], "在");
    assert!(
        tokio::time::timeout(Duration::from_millis(300), stranger.recv())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn patients_and_assistants_list_the_doctors_they_follow() {
    let app = common::app().await;
    let c = cast(&app).await;
    for (token, target) in [
        (&c.patient.1, c.doctor.0),
        (&c.patient.1, c.other_doctor.0),
        (&c.patient.1, c.other_patient.0),
        (&c.assistant.1, c.doctor.0),
    ] {
        let followed = get(&app, &format!("/follow/user/{target}"), Some(token)).await;
        assert_eq!(followed["error_code"], 0, "{followed}");
        assert_eq!(followed["data"], json!({}));
    }
    // Following again changes nothing; oneself and nobody are refused.
    get(
        &app,
        &format!("/follow/user/{}", c.doctor.0),
        Some(&c.patient.1),
    )
    .await;
    assert_eq!(app.count_rows("follows").await, 4);
    let me = get(
        &app,
        &format!("/follow/user/{}", c.patient.0),
        Some(&c.patient.1),
    )
    .await;
    assert_eq!(me["error_code"], 422);
    let nobody = get(&app, "/follow/user/99999", Some(&c.patient.1)).await;
    assert_eq!(nobody["error_code"], 404);
    assert_eq!(get(&app, "/follow/user/1", None).await["error_code"], 401);

    let list = get(&app, "/custom/follow?page_size=1", Some(&c.patient.1)).await;
    assert_eq!(
        list["data"]["page"],
        json!({"current_page": 1, "total_page": 2, "count": 2, "page_size": 1})
    );
    let doctor = &list["data"]["list"][0];
    assert!(doctor.get("hospital").is_some(), "{doctor}");
    assert!(doctor.get("work_time").is_some());
    let ids: Vec<i64> = get(&app, "/custom/follow", Some(&c.patient.1)).await["data"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&c.doctor.0) && ids.contains(&c.other_doctor.0));
    let assistant = get(&app, "/assistant/follow", Some(&c.assistant.1)).await;
    assert_eq!(assistant["data"]["list"][0]["id"], c.doctor.0);
    assert_eq!(get(&app, "/custom/follow", None).await["error_code"], 401);

    let (status, unfollowed) = app
        .call(
            "DELETE",
            &format!("/follow/user/{}", c.doctor.0),
            None,
            &[("X-auth-token", c.patient.1.as_str())],
        )
        .await;
    assert_eq!(
        (status.as_u16(), unfollowed["error_code"].as_i64()),
        (200, Some(0))
    );
    let after = get(&app, "/custom/follow", Some(&c.patient.1)).await;
    assert_eq!(after["data"]["page"]["count"], 1);
    assert_eq!(after["data"]["list"][0]["id"], c.other_doctor.0);
    // GraphQL: the role filter next to the plain list.
    let q = app
        .graphql(
            "{ me { all: followings { totalCount } doctors: followings(role: DOCTOR) { totalCount } patients: followings(role: PATIENT) { totalCount } } }",
            json!({}),
            Some(&c.patient.1),
        )
        .await;
    assert_eq!(q["data"]["me"]["all"]["totalCount"], 2);
    assert_eq!(q["data"]["me"]["doctors"]["totalCount"], 1);
    assert_eq!(q["data"]["me"]["patients"]["totalCount"], 1);
}

/// What the fake WeChat API saw.
#[derive(Default)]
struct WechatLog {
    token_requests: Vec<(String, String)>,
    media_requests: Vec<(String, String)>,
    /// Media requests to answer 40001 (a stale token) first.
    stale: usize,
}

type Shared = Arc<Mutex<WechatLog>>;

async fn fake_token(
    State(log): State<Shared>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let mut log = log.lock().unwrap();
    log.token_requests
        .push((q["appid"].clone(), q["secret"].clone()));
    if q["secret"] != "s3cret" {
        return axum::Json(json!({"errcode": 40125, "errmsg": "invalid appsecret"}))
            .into_response();
    }
    let n = log.token_requests.len();
    axum::Json(json!({"access_token": format!("TOKEN{n}"), "expires_in": 7200})).into_response()
}

async fn fake_media(
    State(log): State<Shared>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let mut log = log.lock().unwrap();
    log.media_requests
        .push((q["access_token"].clone(), q["media_id"].clone()));
    if log.stale > 0 {
        log.stale -= 1;
        return axum::Json(json!({"errcode": 40001, "errmsg": "invalid credential"}))
            .into_response();
    }
    match q["media_id"].as_str() {
        "good" => ([("content-type", "image/png")], PNG_1X1).into_response(),
        _ => axum::Json(json!({"errcode": 40007, "errmsg": "invalid media_id"})).into_response(),
    }
}

async fn fake_wechat() -> (String, Shared) {
    let log: Shared = Arc::default();
    let router = Router::new()
        .route("/cgi-bin/token", routing::get(fake_token))
        .route("/cgi-bin/media/get", routing::get(fake_media))
        .with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    (format!("http://{addr}"), log)
}

#[tokio::test]
async fn wechat_media_is_downloaded_through_the_configured_api() {
    // Not configured: a clear 503.
    let bare = common::app().await;
    let (_, token) = bare.user_with_token("wxuser").await;
    let answer = get(&bare, "/weixin/media?media_id=good", Some(&token)).await;
    assert_eq!(answer["error_code"], 503);
    assert!(
        answer["error_message"]
            .as_str()
            .unwrap()
            .contains("not configured")
    );

    let (base, log) = fake_wechat().await;
    let app = common::app_with(|config| {
        config.wechat.app_id = Some("wxapp".into());
        config.wechat.app_secret = Some("s3cret".into());
        config.wechat.api_base = base.clone();
    })
    .await;
    let (_, token) = app.user_with_token("wxuser").await;
    assert_eq!(
        get(&app, "/weixin/media?media_id=good", None).await["error_code"],
        401
    );
    assert_eq!(
        get(&app, "/weixin/media", Some(&token)).await["error_code"],
        422
    );
    let files_before = app.count_rows("stored_files").await;
    let answer = get(&app, "/weixin/media?media_id=good", Some(&token)).await;
    assert_eq!(answer["error_code"], 0, "{answer}");
    let url = answer["data"]["url"].as_str().unwrap();
    assert!(url.contains("/files/"), "{url}");
    assert_eq!(app.count_rows("stored_files").await, files_before + 1);
    // The token is cached.
    get(&app, "/weixin/media?media_id=good", Some(&token)).await;
    {
        let log = log.lock().unwrap();
        assert_eq!(
            log.token_requests,
            vec![("wxapp".to_owned(), "s3cret".to_owned())]
        );
        assert_eq!(log.media_requests.len(), 2);
        assert_eq!(
            log.media_requests[1],
            ("TOKEN1".to_owned(), "good".to_owned())
        );
    }
    // An unknown media id is the caller's mistake; nothing is stored.
    let unknown = get(&app, "/weixin/media?media_id=nope", Some(&token)).await;
    assert_eq!(unknown["error_code"], 422);
    assert!(unknown["error_message"].as_str().unwrap().contains("40007"));
    let odd = get(&app, "/weixin/media?media_id=a%20b", Some(&token)).await;
    assert_eq!(odd["error_code"], 422);
    assert_eq!(app.count_rows("stored_files").await, files_before + 1);
    // A token WeChat calls stale is fetched again once.
    log.lock().unwrap().stale = 1;
    let answer = get(&app, "/weixin/media?media_id=good", Some(&token)).await;
    assert_eq!(answer["error_code"], 0, "{answer}");
    assert_eq!(log.lock().unwrap().token_requests.len(), 2);

    // A wrong secret: WeChat's error code comes back as 503 with its message.
    let (base, _) = fake_wechat().await;
    let wrong = common::app_with(|config| {
        config.wechat.app_id = Some("wxapp".into());
        config.wechat.app_secret = Some("wrong".into());
        config.wechat.api_base = base.clone();
    })
    .await;
    let (_, token) = wrong.user_with_token("wxuser").await;
    let refused = get(&wrong, "/weixin/media?media_id=good", Some(&token)).await;
    assert_eq!(refused["error_code"], 503);
    assert!(refused["error_message"].as_str().unwrap().contains("40125"));
    let gql = wrong
        .graphql(
            "mutation { importWechatMedia(mediaId: \"good\") { url } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(first_code(&gql), "UNAVAILABLE");
}

#[tokio::test]
async fn demo_data_holds_volunteer_content() {
    let app = common::app().await;
    let s = &app.state.services;
    assert!(
        medgraph::seed::demo_if_empty(&s.db, &s.files, &s.bus)
            .await
            .unwrap()
    );
    assert_eq!(app.count_rows("news").await, 6);
    assert!(app.count_rows("banners").await >= 3);
    assert_eq!(app.count_rows("chat_dialogs").await, 1);
    assert_eq!(app.count_rows("chat_messages").await, 3);
    assert!(
        app.count_rows_where("notifications", "kind = 'broadcast'")
            .await
            >= 6
    );
}

//! Community demo data (`serve --demo`) and the benchmark's bulk community data
//! (`seed --bulk-community N`): what they hold, and that every counter agrees with its rows.

use http::StatusCode;
use medgraph::domain::community_demo;
use serde_json::Value;

use crate::common::{self, TestApp};

async fn token_of(app: &TestApp, username: &str) -> (i64, String) {
    let db = &app.state.services.db;
    let user = medgraph::domain::accounts::find_by_username(db, username)
        .await
        .unwrap()
        .unwrap();
    let (token, _) = medgraph::auth::issue_token(db, user.id, 1).await.unwrap();
    (user.id, token)
}

/// Every counter agrees with the rows it counts: likes, floors (the last floor number), coins
/// rewarded, each wallet with its ledger (sum, income, expenses, the last `balance_after`).
async fn assert_counters_agree(app: &TestApp) {
    for (what, condition) in [
        (
            "like_count",
            "like_count <> (SELECT COUNT(*) FROM post_likes l WHERE l.post_id = posts.id)",
        ),
        (
            "comment_count",
            "comment_count <> (SELECT COALESCE(MAX(floor), 0) FROM post_comments c \
             WHERE c.post_id = posts.id) \
             OR comment_count <> (SELECT COUNT(*) FROM post_comments c WHERE c.post_id = posts.id)",
        ),
        (
            "coin_count",
            "coin_count <> (SELECT COALESCE(SUM(amount), 0) FROM post_rewards r \
             WHERE r.post_id = posts.id)",
        ),
    ] {
        assert_eq!(app.count_rows_where("posts", condition).await, 0, "{what}");
    }
    for (what, condition) in [
        (
            "balance",
            "balance <> (SELECT COALESCE(SUM(amount), 0) FROM coin_entries e \
             WHERE e.user_id = wallets.user_id)",
        ),
        (
            "total_income",
            "total_income <> (SELECT COALESCE(SUM(amount), 0) FROM coin_entries e \
             WHERE e.user_id = wallets.user_id AND amount > 0)",
        ),
        (
            "total_expenses",
            "total_expenses <> (SELECT COALESCE(-SUM(amount), 0) FROM coin_entries e \
             WHERE e.user_id = wallets.user_id AND amount < 0)",
        ),
        (
            "last balance_after",
            "balance <> (SELECT e.balance_after FROM coin_entries e \
             WHERE e.user_id = wallets.user_id ORDER BY e.created_at DESC, e.id DESC LIMIT 1)",
        ),
        ("negative", "balance < 0"),
    ] {
        assert_eq!(
            app.count_rows_where("wallets", condition).await,
            0,
            "{what}"
        );
    }
    // Every ledger entry's balance_after is the running sum of the user's entries.
    assert_eq!(
        app.count_rows_where(
            "coin_entries",
            "balance_after <> (SELECT SUM(e.amount) FROM coin_entries e \
             WHERE e.user_id = coin_entries.user_id AND (e.created_at < coin_entries.created_at \
             OR (e.created_at = coin_entries.created_at AND e.id <= coin_entries.id)))",
        )
        .await,
        0,
        "running balances"
    );
    // Each reward is two ledger entries of the same post.
    assert_eq!(
        app.count_rows_where("coin_entries", "related_type = 'post'")
            .await,
        2 * app.count_rows("post_rewards").await
    );
}

#[tokio::test]
async fn demo_data_shows_a_living_community() {
    let app = common::app().await;
    let services = &app.state.services;
    assert!(
        medgraph::seed::demo_if_empty(&services.db, &services.files, &services.bus)
            .await
            .unwrap()
    );
    let posts = app.count_rows("posts").await;
    assert!(posts >= 5, "{posts} posts");
    assert!(app.count_rows_where("posts", "images <> '[]'").await >= 1);
    assert!(app.count_rows_where("posts", "tags <> '[]'").await == posts);
    assert_eq!(
        app.count_rows_where("post_comments", "deleted_at IS NOT NULL AND body = ''")
            .await,
        1
    );
    assert!(app.count_rows("post_likes").await >= 5);
    assert!(app.count_rows("post_rewards").await >= 2);
    assert_eq!(app.count_rows_where("post_reports", "status = 0").await, 1);
    assert_eq!(app.count_rows_where("post_reports", "status <> 0").await, 1);
    assert_eq!(app.count_rows("checkins").await, 1);
    assert_eq!(app.count_rows("vip_memberships").await, 1);
    assert_eq!(app.count_rows("shipping_addresses").await, 1);
    assert_eq!(app.count_rows("user_verifications").await, 1);
    assert_counters_agree(&app).await;

    // Loading it again changes nothing.
    assert!(
        !community_demo::demo(&services.db, &services.files)
            .await
            .unwrap()
    );
    assert_eq!(app.count_rows("posts").await, posts);

    let (patient, token) = token_of(&app, "demo-patient").await;
    let (doctor, _) = token_of(&app, "demo-doctor").await;
    // The forum's list of the doctor's posts, with the patient's likes.
    let (status, answer) = app
        .call_as(
            "POST",
            "/api/UserInfo/fetchUserPosts",
            Some(serde_json::json!({ "user_id": doctor })),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["errorCode"], 200, "{answer}");
    let list = answer["data"]["post_list"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{answer}");
    assert!(
        list.iter().all(|p| p["reward"]["like"]["status"] == true),
        "{answer}"
    );
    // Follows both ways, and neighbours in 成都.
    let (status, me) = app
        .call_as(
            "GET",
            &format!("/api/v2/users/{doctor}"),
            None,
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["has_follower"], true, "{me}");
    assert_eq!(me["has_following"], true, "{me}");
    let (status, nearby) = app
        .call_as("GET", "/api/v2/user/nearby", None, Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{nearby}");
    let names: Vec<&str> = nearby
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{nearby}");
    assert!(names.contains(&"demo-doctor") && names.contains(&"demo-consultant"));
    // The patient's own profile: check-in, VIP, wallet and the pending verification.
    let (status, mine) = app
        .call_as(
            "GET",
            &format!("/api/v2/users/{patient}"),
            None,
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine["vip"]["name"], "黄金会员", "{mine}");
    assert_eq!(mine["extra"]["checkin_count"], 1, "{mine}");
    // 100 to start, 5 for the check-in, 6 given as rewards, 2 received.
    assert_eq!(mine["wallet"]["balance"], 101, "{mine}");
    assert!(!mine["verification"].is_null(), "{mine}");
}

#[tokio::test]
async fn bulk_community_data_is_consistent() {
    let app = common::app().await;
    let db = &app.state.services.db;
    let report = community_demo::bulk(db, 60).await.unwrap();
    assert_eq!(report.users, 60);
    assert_eq!(app.count_rows("users").await, 60);
    assert_eq!(app.count_rows("posts").await as u64, report.posts);
    assert_eq!(
        app.count_rows("post_comments").await as u64,
        report.comments
    );
    assert_eq!(app.count_rows("post_likes").await as u64, report.likes);
    assert_eq!(app.count_rows("follows").await as u64, report.follows);
    assert_eq!(
        app.count_rows("coin_entries").await as u64,
        report.coin_entries
    );
    assert_eq!(app.count_rows("wallets").await, 60);
    assert!(report.posts > 100 && report.comments > 0 && report.likes > 0 && report.rewards > 0);
    assert_eq!(
        app.count_rows_where("posts", &format!("author_id = {}", report.poster_id))
            .await,
        community_demo::POSTER_POSTS as i64
    );
    assert_eq!(app.count_rows_where("users", "city_code IS NULL").await, 0);
    assert_counters_agree(&app).await;

    // A second run adds new users and posts after the first ones; ids keep working.
    let again = community_demo::bulk(db, 10).await.unwrap();
    assert_eq!(again.poster_id, report.poster_id + 60);
    assert_eq!(app.count_rows("users").await, 70);
    assert_counters_agree(&app).await;
    let (fresh, token) = app.user_with_token("after-bulk").await;
    assert_eq!(fresh, report.poster_id + 70);
    let post = medgraph::domain::posts::create(
        db,
        fresh,
        medgraph::domain::posts::PostInput {
            title: "新帖".into(),
            body: "正文".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        post.id as u64,
        report.posts + again.posts + 1,
        "the id sequence continues after the bulk posts"
    );

    // The benchmark's requests answer full pages.
    let (status, answer) = app
        .call_as(
            "POST",
            "/api/UserInfo/fetchUserPosts",
            Some(serde_json::json!({ "user_id": report.poster_id })),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["data"]["count"], 20, "{answer}");
    assert!(answer["data"]["post_list"][19].is_object(), "{answer}");
    for uri in [
        "/api/v2/users?limit=20",
        "/api/v2/users?active=1&offset=0&limit=20",
    ] {
        let (status, users) = app.call_as("GET", uri, None, None).await;
        assert_eq!(status, StatusCode::OK, "{users}");
        assert_eq!(users.as_array().unwrap().len(), 20, "{uri}: {users}");
    }
    let query = "{ posts(filter: {authorId: $a}, first: 20) { totalCount nodes { likedByMe \
                 author { username } comments(first: 10) { nodes { floor isDeleted author { username } } } } } }";
    let query = query.replace(
        "$a",
        &format!(
            "\"{}\"",
            medgraph::graphql::node::global_id("User", report.poster_id).0
        ),
    );
    let answer = app.graphql(&query, Value::Null, Some(&token)).await;
    assert!(answer["errors"].is_null(), "{answer}");
    let nodes = answer["data"]["posts"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 20);
    for node in nodes {
        let floors = node["comments"]["nodes"].as_array().unwrap();
        assert_eq!(floors.len(), 10, "{node}");
        assert_eq!(floors[0]["floor"], 1);
    }
}

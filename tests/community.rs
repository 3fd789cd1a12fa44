//! Community tests: posts, floors, likes, coin rewards and the ledger, follows, discovery and
//! the income ranking, through GraphQL, the forum dialect and the social dialect.

use http::StatusCode;
use medgraph::domain::coins::{self, CoinChange, Related};
use medgraph::domain::posts::{self, PostInput};
use medgraph::graphql::node::global_id;
use sea_orm::TransactionTrait;
use serde_json::{Value, json};

use crate::common::{self, PNG_1X1, TestApp, first_code};

fn gid(ty: &str, id: i64) -> String {
    global_id(ty, id).0
}

fn bearer(token: &str) -> (&'static str, String) {
    ("authorization", format!("Bearer {token}"))
}

/// Calls a route as `token` (or anonymously).
async fn call(
    app: &TestApp,
    method: &str,
    uri: &str,
    body: Option<Value>,
    token: Option<&str>,
) -> (StatusCode, Value) {
    let auth = token.map(bearer);
    let headers: Vec<(&str, &str)> = auth
        .as_ref()
        .map(|(k, v)| vec![(*k, v.as_str())])
        .unwrap_or_default();
    app.call(method, uri, body, &headers).await
}

async fn credit(app: &TestApp, user_id: i64, amount: i64) {
    let db = &app.state.services.db;
    let txn = db.begin().await.unwrap();
    coins::apply(
        &txn,
        CoinChange {
            user_id,
            amount,
            reason: "测试充值".into(),
            related: Related::Adjustment,
        },
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
}

async fn new_post(app: &TestApp, author: i64, title: &str) -> i64 {
    posts::create(
        &app.state.services.db,
        author,
        PostInput {
            title: title.into(),
            body: format!("{title} 的正文"),
            tags: vec!["心内科".into()],
            images: vec![],
        },
    )
    .await
    .unwrap()
    .id
}

async fn balance(app: &TestApp, user_id: i64) -> i64 {
    coins::balance(&app.state.services.db, user_id)
        .await
        .unwrap()
}

async fn ledger_sum(app: &TestApp, user_id: i64) -> i64 {
    coins::ledger_sum(&app.state.services.db, user_id)
        .await
        .unwrap()
}

const CREATE_POST: &str = "mutation($input: PostInput!) { createPost(input: $input) { id legacyId title tags images { hash } coverUrl author { username } likeCount commentCount coinCount likedByMe coinedByMe } }";

#[tokio::test]
async fn posts_floors_likes_and_rewards_follow_their_rules() {
    let app = common::app().await;
    let (author, author_token) = app.user_with_token("zhangwei").await;
    let (reader, reader_token) = app.user_with_token("lina").await;
    let (_, admin_token) = app.admin().await;

    // An image to attach.
    let db = &app.state.services.db;
    let image = medgraph::domain::files::upload(
        db,
        &app.state.services.files,
        bytes::Bytes::from_static(PNG_1X1),
        Some("x.png"),
        medgraph::storage::FileKind::Image,
        Some(author),
    )
    .await
    .unwrap()
    .hash;

    // Bad input changes nothing.
    for input in [
        json!({"title": "", "body": "x"}),
        json!({"title": "t", "body": "  "}),
        json!({"title": "t", "body": "x", "tags": ["1","2","3","4","5","6"]}),
        json!({"title": "t", "body": "x", "images": ["0".repeat(64)]}),
        json!({"title": "x".repeat(101), "body": "x"}),
    ] {
        let answer = app
            .graphql(CREATE_POST, json!({"input": input}), Some(&author_token))
            .await;
        assert_eq!(first_code(&answer), "BAD_USER_INPUT", "{answer}");
    }
    assert_eq!(app.count_rows("posts").await, 0);
    let anonymous = app
        .graphql(
            CREATE_POST,
            json!({"input": {"title": "t", "body": "x"}}),
            None,
        )
        .await;
    assert_eq!(first_code(&anonymous), "UNAUTHENTICATED");

    let created = app
        .graphql(
            CREATE_POST,
            json!({"input": {"title": "术后复查", "body": "复查注意事项", "tags": ["心内科", "心内科", "复查"], "images": [image]}}),
            Some(&author_token),
        )
        .await;
    let post = &created["data"]["createPost"];
    assert_eq!(post["tags"], json!(["心内科", "复查"]), "{created}");
    assert_eq!(post["images"][0]["hash"], image.as_str());
    assert!(post["coverUrl"].as_str().unwrap().ends_with(&image));
    let post_id = post["id"].as_str().unwrap().to_owned();

    // Floors number from 1, deleted floors keep their place.
    const COMMENT: &str =
        "mutation($p: ID!, $b: String!) { createComment(postId: $p, body: $b) { id floor body } }";
    let mut comment_ids = Vec::new();
    for (i, token) in [&reader_token, &author_token, &reader_token]
        .into_iter()
        .enumerate()
    {
        let c = app
            .graphql(
                COMMENT,
                json!({"p": post_id, "b": format!("第{}楼", i + 1)}),
                Some(token),
            )
            .await;
        assert_eq!(c["data"]["createComment"]["floor"], i + 1, "{c}");
        comment_ids.push(
            c["data"]["createComment"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let missing = app
        .graphql(
            COMMENT,
            json!({"p": gid("Post", 9999), "b": "x"}),
            Some(&reader_token),
        )
        .await;
    assert_eq!(first_code(&missing), "NOT_FOUND");
    let not_mine = app
        .graphql(
            "mutation($id: ID!) { updateComment(id: $id, body: \"改\") { id } }",
            json!({"id": comment_ids[0]}),
            Some(&author_token),
        )
        .await;
    assert_eq!(first_code(&not_mine), "FORBIDDEN");
    let deleted = app
        .graphql(
            "mutation($id: ID!) { deleteComment(id: $id) { floor body isDeleted author { id } } }",
            json!({"id": comment_ids[1]}),
            Some(&admin_token),
        )
        .await;
    assert_eq!(
        deleted["data"]["deleteComment"],
        json!({"floor": 2, "body": null, "isDeleted": true, "author": null})
    );
    let fourth = app
        .graphql(
            COMMENT,
            json!({"p": post_id, "b": "第4楼"}),
            Some(&reader_token),
        )
        .await;
    assert_eq!(fourth["data"]["createComment"]["floor"], 4);

    // Likes are idempotent and counted once.
    const LIKE: &str = "mutation($id: ID!) { likePost(id: $id) { likeCount likedByMe } }";
    for _ in 0..2 {
        let liked = app
            .graphql(LIKE, json!({"id": post_id}), Some(&reader_token))
            .await;
        assert_eq!(
            liked["data"]["likePost"],
            json!({"likeCount": 1, "likedByMe": true}),
            "{liked}"
        );
    }
    let unliked = app
        .graphql(
            "mutation($id: ID!) { unlikePost(id: $id) { likeCount likedByMe } }",
            json!({"id": post_id}),
            Some(&reader_token),
        )
        .await;
    assert_eq!(
        unliked["data"]["unlikePost"],
        json!({"likeCount": 0, "likedByMe": false})
    );
    app.graphql(LIKE, json!({"id": post_id}), Some(&reader_token))
        .await;

    // Rewards move coins from the reader to the author, once per post.
    const REWARD: &str =
        "mutation($id: ID!, $n: Int!) { rewardPost(id: $id, amount: $n) { coinCount coinedByMe } }";
    let broke = app
        .graphql(REWARD, json!({"id": post_id, "n": 3}), Some(&reader_token))
        .await;
    assert_eq!(first_code(&broke), "CONFLICT", "{broke}");
    assert_eq!(app.count_rows("post_rewards").await, 0);
    assert_eq!(app.count_rows("coin_entries").await, 0);
    credit(&app, reader, 10).await;
    for bad in [0, -1, 101] {
        let answer = app
            .graphql(
                REWARD,
                json!({"id": post_id, "n": bad}),
                Some(&reader_token),
            )
            .await;
        assert_eq!(first_code(&answer), "BAD_USER_INPUT");
    }
    let own = app
        .graphql(REWARD, json!({"id": post_id, "n": 1}), Some(&author_token))
        .await;
    assert_eq!(first_code(&own), "BAD_USER_INPUT");
    let rewarded = app
        .graphql(REWARD, json!({"id": post_id, "n": 3}), Some(&reader_token))
        .await;
    assert_eq!(
        rewarded["data"]["rewardPost"],
        json!({"coinCount": 3, "coinedByMe": true}),
        "{rewarded}"
    );
    let twice = app
        .graphql(REWARD, json!({"id": post_id, "n": 3}), Some(&reader_token))
        .await;
    assert_eq!(first_code(&twice), "CONFLICT");
    assert_eq!(balance(&app, reader).await, 7);
    assert_eq!(balance(&app, author).await, 3);
    assert_eq!(ledger_sum(&app, reader).await, 7);
    assert_eq!(ledger_sum(&app, author).await, 3);

    // The post as others see it; the ledger only for its owner.
    const READ: &str = "query($id: ID!) { post(id: $id) { likeCount commentCount coinCount likedByMe coinedByMe firstComment { floor } comments(first: 10) { totalCount nodes { floor body author { username } } } author { followerCount } } }";
    let seen = app
        .graphql(READ, json!({"id": post_id}), Some(&reader_token))
        .await;
    let p = &seen["data"]["post"];
    assert_eq!(p["commentCount"], 4, "{seen}");
    assert_eq!(p["comments"]["totalCount"], 4);
    assert_eq!(p["comments"]["nodes"][1]["body"], Value::Null);
    assert_eq!(p["comments"]["nodes"][3]["author"]["username"], "lina");
    assert_eq!(p["firstComment"]["floor"], 1);
    assert_eq!(
        (p["likedByMe"].clone(), p["coinedByMe"].clone()),
        (json!(true), json!(true))
    );
    let anonymous = app.graphql(READ, json!({"id": post_id}), None).await;
    assert_eq!(anonymous["data"]["post"]["likedByMe"], false);

    const LEDGER: &str = "query($id: ID!) { node(id: $id) { ... on User { coinBalance wallet { balance totalIncome totalExpenses } coinEntries(first: 10) { nodes { amount balanceAfter reason relatedType relatedPostId } } } } }";
    let own_ledger = app
        .graphql(
            LEDGER,
            json!({"id": gid("User", reader)}),
            Some(&reader_token),
        )
        .await;
    let u = &own_ledger["data"]["node"];
    assert_eq!(u["coinBalance"], 7, "{own_ledger}");
    assert_eq!(
        u["wallet"],
        json!({"balance": 7, "totalIncome": 10, "totalExpenses": 3})
    );
    assert_eq!(u["coinEntries"]["nodes"][0]["amount"], -3);
    assert_eq!(u["coinEntries"]["nodes"][0]["balanceAfter"], 7);
    assert_eq!(
        u["coinEntries"]["nodes"][0]["relatedPostId"],
        post_id.as_str()
    );
    let others = app
        .graphql(
            "query($id: ID!) { node(id: $id) { ... on User { coinBalance wallet { balance } } } }",
            json!({"id": gid("User", reader)}),
            Some(&author_token),
        )
        .await;
    assert_eq!(
        others["data"]["node"],
        json!({"coinBalance": null, "wallet": null})
    );
    let forbidden = app
        .graphql(
            LEDGER,
            json!({"id": gid("User", reader)}),
            Some(&author_token),
        )
        .await;
    assert_eq!(first_code(&forbidden), "FORBIDDEN");

    // Editing is for the author; deleting for the author or an administrator.
    const EDIT: &str =
        "mutation($id: ID!) { updatePost(id: $id, input: {title: \"新标题\"}) { title editedAt } }";
    let stranger = app
        .graphql(EDIT, json!({"id": post_id}), Some(&reader_token))
        .await;
    assert_eq!(first_code(&stranger), "FORBIDDEN");
    let edited = app
        .graphql(EDIT, json!({"id": post_id}), Some(&author_token))
        .await;
    assert_eq!(edited["data"]["updatePost"]["title"], "新标题");
    assert!(edited["data"]["updatePost"]["editedAt"].is_string());
    let by_reader = app
        .graphql(
            "mutation($id: ID!) { deletePost(id: $id) }",
            json!({"id": post_id}),
            Some(&reader_token),
        )
        .await;
    assert_eq!(first_code(&by_reader), "FORBIDDEN");
    let by_admin = app
        .graphql(
            "mutation($id: ID!) { deletePost(id: $id) }",
            json!({"id": post_id}),
            Some(&admin_token),
        )
        .await;
    assert_eq!(by_admin["data"]["deletePost"], post_id.as_str());
    assert_eq!(app.count_rows("post_comments").await, 0);
    assert_eq!(app.count_rows("post_likes").await, 0);
    // The coins stay where they went.
    assert_eq!(balance(&app, author).await, 3);
}

#[tokio::test]
async fn coins_never_go_negative_and_always_equal_the_ledger_under_concurrency() {
    // On SQLite, a file database with a pool of connections, so the writers really race.
    let app = if common::on_postgres() {
        common::app().await
    } else {
        common::app_with(|config| {
            config.database_url = Some(format!(
                "sqlite://{}?mode=rwc",
                config.data_dir.join("coins.db").display()
            ));
        })
        .await
    };
    let db = app.state.services.db.clone();
    let alice = medgraph::domain::accounts::create_user(&db, "alice", "alice")
        .await
        .unwrap()
        .id;
    let bob = medgraph::domain::accounts::create_user(&db, "bob", "bob")
        .await
        .unwrap()
        .id;
    credit(&app, alice, 50).await;
    let mut bobs_posts = Vec::new();
    let mut alices_posts = Vec::new();
    for i in 0..100 {
        bobs_posts.push(new_post(&app, bob, &format!("bob {i}")).await);
    }
    for i in 0..30 {
        alices_posts.push(new_post(&app, alice, &format!("alice {i}")).await);
    }
    // 100 rewards of 1 coin by Alice (who has 50) and 30 by Bob (who starts with none and
    // earns from Alice's), all at once.
    let mut tasks = Vec::new();
    for post in bobs_posts {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            posts::reward(&db, alice, post, 1).await
        }));
    }
    for post in alices_posts {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            posts::reward(&db, bob, post, 1).await
        }));
    }
    let mut ok = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => ok += 1,
            // Only a lack of coins may refuse a reward: no deadlock, no collision.
            Err(e) => assert!(
                e.code() == "CONFLICT" && e.public_message().starts_with("not enough coins"),
                "{e:?}"
            ),
        }
    }
    let (a, b) = (balance(&app, alice).await, balance(&app, bob).await);
    assert!(a >= 0 && b >= 0);
    assert_eq!(a, ledger_sum(&app, alice).await);
    assert_eq!(b, ledger_sum(&app, bob).await);
    // No coin was made or lost: 50 went round.
    assert_eq!(a + b, 50);
    // Each successful reward is one debit and one credit.
    assert_eq!(app.count_rows("coin_entries").await, 1 + 2 * ok);
    assert_eq!(app.count_rows("post_rewards").await, ok);
    let rewarded: i64 = app
        .count_rows_where("post_rewards", &format!("user_id = {alice}"))
        .await;
    assert!(rewarded >= 50, "Alice spent all 50 at least: {rewarded}");
    assert_eq!(app.count_rows_where("coin_entries", "amount = 0").await, 0);
}

#[tokio::test]
async fn forum_posts_coin_record_and_follows_have_the_documented_shapes() {
    let app = common::app().await;
    let (author, author_token) = app.user_with_token("cuiping").await;
    let (reader, reader_token) = app.user_with_token("jinjie").await;
    let first = new_post(&app, author, "没有图片").await;
    let second = new_post(&app, author, "第二篇").await;
    let db = &app.state.services.db;
    let floor = posts::comment(db, reader, second, "沙发").await.unwrap();
    credit(&app, reader, 20).await;
    posts::like(db, reader, second).await.unwrap();
    posts::reward(db, reader, second, 5).await.unwrap();

    let (status, answer) = call(
        &app,
        "POST",
        "/api/UserInfo/fetchUserPosts",
        Some(json!({"user_id": author})),
        Some(&reader_token),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["errorCode"], 200, "{answer}");
    let list = answer["data"]["post_list"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        list[0],
        json!({
            "post_pic": "",
            "author_name": "cuiping",
            "author_portrait": "",
            "post_tag": ["心内科"],
            "post_id": second,
            "post_title": "第二篇",
            "post_first_comment_id": floor.id,
            "reward": {"like": {"status": true, "num": 1}, "coin": {"status": true, "num": 5}},
        })
    );
    assert_eq!(list[1]["post_id"], first);
    assert_eq!(
        list[1]["post_first_comment_id"], 0,
        "no floor yet: 0, never null"
    );
    assert_eq!(list[1]["reward"]["like"]["status"], false);
    // The author's own list (no user_id), paged.
    let (_, mine) = call(
        &app,
        "POST",
        "/api/UserInfo/fetchUserPosts?page=2&page_size=1",
        Some(json!({})),
        Some(&author_token),
    )
    .await;
    assert_eq!(mine["data"]["post_list"][0]["post_id"], first, "{mine}");
    assert_eq!(mine["data"]["count"], 2);
    assert_eq!(
        mine["data"]["post_list"][0]["reward"]["coin"]["status"],
        false
    );
    let (_, anonymous) = call(
        &app,
        "POST",
        "/api/UserInfo/fetchUserPosts",
        Some(json!({})),
        None,
    )
    .await;
    assert_eq!(anonymous["errorCode"], 401, "{anonymous}");
    let (_, bad) = call(
        &app,
        "POST",
        "/api/UserInfo/fetchUserPosts?page=0",
        Some(json!({"user_id": author})),
        None,
    )
    .await;
    assert_eq!(bad["errorCode"], 422, "{bad}");

    // The coin record of the last 7 days.
    let (_, record) = call(&app, "GET", "/api/HB/record", None, Some(&reader_token)).await;
    assert_eq!(record["errorCode"], 200, "{record}");
    assert_eq!(record["data"]["coinNum"], 15);
    let entries = record["data"]["coinRecordList"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["Num"], -5);
    assert!(entries[0]["Reason"].as_str().unwrap().contains("第二篇"));
    let time = entries[0]["Time"].as_str().unwrap();
    assert!(
        chrono::NaiveDateTime::parse_from_str(time, "%Y-%m-%d %H:%M:%S").is_ok(),
        "{time}"
    );
    let (_, author_record) = call(&app, "GET", "/api/HB/record", None, Some(&author_token)).await;
    assert_eq!(author_record["data"]["coinNum"], 5);
    assert_eq!(author_record["data"]["coinRecordList"][0]["Num"], 5);
    let (_, nobody) = call(&app, "GET", "/api/HB/record", None, None).await;
    assert_eq!(nobody["errorCode"], 401);

    // Follows: 200, idempotent; refused ones answer 118 and change nothing.
    let follow = |id: Value| json!({ "followUserID": id });
    for _ in 0..2 {
        let (_, ok) = call(
            &app,
            "POST",
            "/api/UserInfo/followUser",
            Some(follow(json!(author))),
            Some(&reader_token),
        )
        .await;
        assert_eq!(ok["errorCode"], 200, "{ok}");
    }
    assert_eq!(app.count_rows("follows").await, 1);
    for refused in [json!(reader), json!(99999), json!("abc")] {
        let (_, answer) = call(
            &app,
            "POST",
            "/api/UserInfo/followUser",
            Some(follow(refused)),
            Some(&reader_token),
        )
        .await;
        assert_eq!(answer["errorCode"], 118, "{answer}");
        assert_eq!(answer["data"]["status"], false);
    }
    assert_eq!(app.count_rows("follows").await, 1);
    let (_, not_logged_in) = call(
        &app,
        "POST",
        "/api/UserInfo/followUser",
        Some(follow(json!(author))),
        None,
    )
    .await;
    assert_eq!(not_logged_in["errorCode"], 401);

    // Details: coins only for oneself, follow lists and isFollowed.
    let (_, details) = call(
        &app,
        "POST",
        "/api/UserInfo/Details",
        Some(json!({"user_id": author})),
        Some(&reader_token),
    )
    .await;
    let data = &details["data"];
    assert_eq!(data["isFollowed"], true, "{details}");
    assert_eq!(data["userInfo"]["numOfCoin"], 0, "coins are the user's own");
    assert_eq!(data["followList"], json!([]));
    assert_eq!(
        data["fansList"],
        json!([{"user_id": reader, "user_name": "jinjie", "user_group": "user", "avatar_url": "", "verified": false}])
    );
    let (_, own) = call(
        &app,
        "POST",
        "/api/UserInfo/Details",
        Some(json!({"user_id": 0})),
        Some(&reader_token),
    )
    .await;
    assert_eq!(own["data"]["userInfo"]["numOfCoin"], 15);
    assert_eq!(own["data"]["followList"][0]["user_id"], author);
    assert_eq!(own["data"]["isFollowed"], false);

    // Unfollow (a numeric string, as documented), then again: nothing to undo, still 200.
    for _ in 0..2 {
        let (_, answer) = call(
            &app,
            "POST",
            "/api/UserInfo/unfollowUser",
            Some(follow(json!(author.to_string()))),
            Some(&reader_token),
        )
        .await;
        assert_eq!(answer["errorCode"], 200, "{answer}");
    }
    assert_eq!(app.count_rows("follows").await, 0);
}

#[tokio::test]
async fn social_user_objects_carry_counts_relations_and_private_wallets() {
    let app = common::app().await;
    let (me, my_token) = app.user_with_token("xiaoxiao").await;
    let (other, other_token) = app.user_with_token("lisi").await;
    let (third, _) = app.user_with_token("wangwu").await;
    let db = &app.state.services.db;
    let post = new_post(&app, other, "分享").await;
    posts::comment(db, me, post, "好").await.unwrap();
    posts::like(db, me, post).await.unwrap();
    credit(&app, me, 9).await;
    posts::reward(db, me, post, 2).await.unwrap();
    medgraph::domain::follows::follow(db, me, other)
        .await
        .unwrap();
    medgraph::domain::follows::follow(db, third, other)
        .await
        .unwrap();

    let (status, seen) = call(
        &app,
        "GET",
        &format!("/api/v2/users/{other}"),
        None,
        Some(&my_token),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(
        seen["extra"],
        json!({
            "user_id": other,
            "likes_count": 1,
            "comments_count": 0,
            "followers_count": 2,
            "followings_count": 0,
            "be_reward_count": 2,
            "questions_count": 0,
            "answers_count": 0,
            "feeds_count": 1,
            "checkin_count": 0,
            "last_checkin_count": 0,
            "updated_at": seen["updated_at"],
        })
    );
    assert_eq!(seen["has_follower"], true);
    assert_eq!(seen["has_following"], false);
    assert_eq!(seen["vip"], Value::Null);
    assert!(seen.get("wallet").is_none() && seen.get("currency").is_none());
    assert!(seen.get("phone").is_none());

    // `following` / `follower` check against another user.
    let (_, checked) = call(
        &app,
        "GET",
        &format!("/api/v2/users/{other}?following={third}&follower={me}"),
        None,
        None,
    )
    .await;
    assert_eq!(checked["has_follower"], true, "{checked}");
    assert_eq!(checked["has_following"], false);
    let (status, bad) = call(
        &app,
        "GET",
        &format!("/api/v2/users/{other}?following=-3"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");

    let (_, mine) = call(&app, "GET", "/api/v2/user", None, Some(&my_token)).await;
    assert_eq!(
        mine["wallet"],
        json!({"owner_id": me, "balance": 7, "total_income": 9, "total_expenses": 2})
    );
    assert_eq!(
        mine["currency"],
        json!({"owner_id": me, "type": 1, "sum": 7})
    );
    assert_eq!(mine["extra"]["comments_count"], 1);
    assert_eq!(mine["extra"]["followings_count"], 1);

    // The other side sees that I follow them.
    let (_, back) = call(
        &app,
        "GET",
        &format!("/api/v2/users/{me}"),
        None,
        Some(&other_token),
    )
    .await;
    assert_eq!(back["has_following"], true);
    assert_eq!(back["has_follower"], false);
}

async fn set_city(app: &TestApp, user_id: i64, city: i32) {
    use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
    let db = &app.state.services.db;
    let user = entity::user::Entity::find_by_id(user_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let mut model = user.into_active_model();
    model.city_code = Set(Some(city));
    model.update(db).await.unwrap();
}

#[tokio::test]
async fn nearby_recommended_and_income_rank_follow_the_social_document() {
    let app = common::app().await;
    let (me, my_token) = app.user_with_token("chengdu1").await;
    let (neighbour, _) = app.user_with_token("chengdu2").await;
    let (far, far_token) = app.user_with_token("beijing1").await;
    let (popular, _) = app.user_with_token("popular").await;
    set_city(&app, me, 510100).await;
    set_city(&app, neighbour, 510100).await;
    set_city(&app, far, 110100).await;
    let db = &app.state.services.db;
    medgraph::domain::follows::follow(db, far, popular)
        .await
        .unwrap();
    medgraph::domain::follows::follow(db, neighbour, popular)
        .await
        .unwrap();

    let (status, nearby) = call(&app, "GET", "/api/v2/user/nearby", None, Some(&my_token)).await;
    assert_eq!(status, StatusCode::OK, "{nearby}");
    let ids: Vec<i64> = nearby
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![neighbour]);
    let (status, _) = call(&app, "GET", "/api/v2/user/nearby", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, bad) = call(
        &app,
        "GET",
        "/api/v2/user/nearby?limit=1001",
        None,
        Some(&my_token),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad["errors"]["limit"].is_array(), "{bad}");

    let (_, recommends) = call(
        &app,
        "GET",
        "/api/v2/user/recommends?limit=2",
        None,
        Some(&far_token),
    )
    .await;
    let recommended: Vec<i64> = recommends
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    assert_eq!(recommended.len(), 2, "{recommends}");
    assert!(!recommended.contains(&far) && !recommended.contains(&popular));
    let (_, anonymous) = call(&app, "GET", "/api/v2/user/recommends?limit=1", None, None).await;
    assert_eq!(
        anonymous[0]["id"], popular,
        "most followed first: {anonymous}"
    );
    let (_, second_page) = call(
        &app,
        "GET",
        "/api/v2/user/recommends?limit=1&offset=1",
        None,
        None,
    )
    .await;
    assert_ne!(second_page[0]["id"], popular);

    // Income: the neighbour earns 5, I earn 2, far earns 8.
    credit(&app, neighbour, 5).await;
    credit(&app, me, 2).await;
    credit(&app, far, 8).await;
    let (status, rank) = call(
        &app,
        "GET",
        "/api/v2/user/currency/income-rank?city=成都",
        None,
        Some(&my_token),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{rank}");
    let list = rank["rank_list"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["user"]["id"], neighbour);
    assert_eq!(list[0]["amount_count"], 5);
    assert_eq!(list[0]["rank"], "1");
    assert_eq!(rank["my_rank"]["rank"], "2");
    assert_eq!(rank["my_rank"]["amount_count"], 2);
    assert_eq!(rank["my_rank"]["user"]["id"], me);
    // Everyone, in the last day; the caller of another city has no place in 成都's ranking.
    let (_, all) = call(
        &app,
        "GET",
        "/api/v2/user/currency/income-rank?days=1&limit=1",
        None,
        Some(&far_token),
    )
    .await;
    assert_eq!(all["rank_list"].as_array().unwrap().len(), 1);
    assert_eq!(all["my_rank"]["rank"], "1");
    let (_, elsewhere) = call(
        &app,
        "GET",
        "/api/v2/user/currency/income-rank?city=成都市",
        None,
        Some(&far_token),
    )
    .await;
    assert!(elsewhere.get("my_rank").is_none(), "{elsewhere}");
    let (_, anonymous) = call(&app, "GET", "/api/v2/user/currency/income-rank", None, None).await;
    assert!(anonymous.get("my_rank").is_none());
    assert_eq!(anonymous["rank_list"].as_array().unwrap().len(), 3);
    for bad in ["limit=1001", "limit=0", "days=0"] {
        let (status, answer) = call(
            &app,
            "GET",
            &format!("/api/v2/user/currency/income-rank?{bad}"),
            None,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {answer}");
    }
    // The ranking is recomputed at most every three minutes: a new income is not shown yet.
    credit(&app, me, 100).await;
    let (_, cached) = call(
        &app,
        "GET",
        "/api/v2/user/currency/income-rank?city=成都",
        None,
        Some(&my_token),
    )
    .await;
    assert_eq!(cached["rank_list"][0]["user"]["id"], neighbour);
}

#[tokio::test]
async fn deep_post_queries_run_a_fixed_number_of_statements() {
    let app = common::app().await;
    let db = app.state.services.db.clone();
    let (viewer, viewer_token) = app.user_with_token("viewer").await;
    let mut authors = Vec::new();
    for i in 0..5 {
        authors.push(
            medgraph::domain::accounts::create_user(&db, &format!("author{i}"), "作者")
                .await
                .unwrap()
                .id,
        );
    }
    medgraph::domain::follows::follow(&db, viewer, authors[0])
        .await
        .unwrap();
    for i in 0..20 {
        let author = authors[i % authors.len()];
        let post = new_post(&app, author, &format!("帖子{i}")).await;
        for n in 0..10 {
            posts::comment(&db, authors[(i + n) % authors.len()], post, "评论")
                .await
                .unwrap();
        }
        if i % 2 == 0 {
            posts::like(&db, viewer, post).await.unwrap();
        }
    }
    const DEEP: &str = "query($p: Int!, $c: Int!) { posts(first: $p) { nodes { title likedByMe coinedByMe likeCount author { username isFollowedByMe followsMe followerCount } comments(first: $c) { nodes { floor body author { username isFollowedByMe } } } } } }";
    let count = |p: i64, c: i64| {
        let app = &app;
        let token = viewer_token.clone();
        async move {
            let before = app.statements();
            let answer = app
                .graphql(DEEP, json!({"p": p, "c": c}), Some(&token))
                .await;
            assert!(answer.get("errors").is_none(), "{answer}");
            let nodes = answer["data"]["posts"]["nodes"].as_array().unwrap();
            assert_eq!(nodes.len() as i64, p);
            assert_eq!(
                nodes[0]["comments"]["nodes"].as_array().unwrap().len() as i64,
                c
            );
            app.statements() - before
        }
    };
    let small = count(2, 1).await;
    let large = count(20, 10).await;
    assert_eq!(small, large, "statements must not grow with the page sizes");
    assert!(large <= 13, "{large} statements");
}

/// A list reads every post's floor page in one statement (on PostgreSQL a `LATERAL` page per
/// post, on SQLite numbered floors): each post keeps exactly its own window, at every offset,
/// with 0, 1, 3 or 5 floors, a deleted floor among them.
#[tokio::test]
async fn a_post_lists_floor_pages_keep_each_posts_window() {
    let app = common::app().await;
    let db = app.state.services.db.clone();
    let (author, _) = app.user_with_token("floors").await;
    let (other, other_token) = app.user_with_token("replier").await;
    let counts = [0_i64, 1, 3, 5];
    let mut ids = Vec::new();
    for (i, n) in counts.iter().enumerate() {
        let post = new_post(&app, author, &format!("楼层{i}")).await;
        for floor in 1..=*n {
            let writer = if floor % 2 == 0 { other } else { author };
            posts::comment(&db, writer, post, &format!("{i}-{floor}"))
                .await
                .unwrap();
        }
        ids.push(post);
    }
    // Floor 2 of the last post is deleted: it keeps its place, empty.
    let deleted = app
        .graphql(
            "query($id: ID!) { post(id: $id) { comments(first: 5) { nodes { id floor } } } }",
            json!({"id": gid("Post", ids[3])}),
            None,
        )
        .await;
    let floor2 = deleted["data"]["post"]["comments"]["nodes"][1]["id"].clone();
    let removed = app
        .graphql(
            "mutation($id: ID!) { deleteComment(id: $id) { floor } }",
            json!({"id": floor2}),
            Some(&other_token),
        )
        .await;
    assert_eq!(removed["data"]["deleteComment"]["floor"], 2, "{removed}");

    // Cursors after 1 and after 3 floors, from the longest post's own pages.
    const ONE: &str = "query($id: ID!, $n: Int!, $after: String) { post(id: $id) { comments(first: $n, after: $after) { pageInfo { endCursor } } } }";
    let cursor = |n: i64, after: Option<String>| {
        let app = &app;
        let id = gid("Post", ids[3]);
        async move {
            let page = app
                .graphql(ONE, json!({"id": id, "n": n, "after": after}), None)
                .await;
            page["data"]["post"]["comments"]["pageInfo"]["endCursor"]
                .as_str()
                .unwrap_or_else(|| panic!("{page}"))
                .to_owned()
        }
    };
    let after1 = cursor(1, None).await;
    let after3 = cursor(2, Some(after1.clone())).await;

    const LIST: &str = "query($a: ID!, $after: String) { posts(filter: { authorId: $a }, first: 10) { nodes { legacyId comments(first: 2, after: $after) { nodes { floor body isDeleted author { username } } pageInfo { hasNextPage } } } } }";
    for (after, skip) in [(None, 0_i64), (Some(after1), 1), (Some(after3), 3)] {
        let answer = app
            .graphql(
                LIST,
                json!({"a": gid("User", author), "after": after}),
                None,
            )
            .await;
        let nodes = answer["data"]["posts"]["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("{answer}"));
        assert_eq!(nodes.len(), ids.len(), "{answer}");
        for node in nodes {
            let i = ids
                .iter()
                .position(|id| node["legacyId"] == json!(id))
                .unwrap_or_else(|| panic!("{node}"));
            let n = counts[i];
            let expected: Vec<Value> = (skip + 1..=(skip + 2).min(n))
                .map(|floor| {
                    // A deleted floor shows neither its text nor its author.
                    if i == 3 && floor == 2 {
                        return json!({"floor": 2, "body": null, "isDeleted": true, "author": null});
                    }
                    json!({
                        "floor": floor,
                        "body": format!("{i}-{floor}"),
                        "isDeleted": false,
                        "author": {"username": if floor % 2 == 0 { "replier" } else { "floors" }},
                    })
                })
                .collect();
            assert_eq!(
                node["comments"]["nodes"],
                Value::Array(expected),
                "post {i} after {skip}: {answer}"
            );
            assert_eq!(
                node["comments"]["pageInfo"]["hasNextPage"],
                json!(n > skip + 2),
                "post {i} after {skip}"
            );
        }
    }
}

#[tokio::test]
async fn a_post_list_in_any_order_answers_every_floor_window_it_selects() {
    let app = common::app().await;
    let db = app.state.services.db.clone();
    let (author, _) = app.user_with_token("windows").await;
    let (reader, _) = app.user_with_token("liker").await;
    let (third, _) = app.user_with_token("third").await;
    // Six posts with 0 to 5 floors; likes put them in another order than their age.
    let mut ids = Vec::new();
    for i in 0..6_i64 {
        let post = new_post(&app, author, &format!("窗口{i}")).await;
        for floor in 1..=i {
            posts::comment(
                &db,
                if floor % 2 == 0 { reader } else { author },
                post,
                &format!("{i}-{floor}"),
            )
            .await
            .unwrap();
        }
        ids.push(post);
    }
    for (post, likers) in [
        (ids[1], vec![reader, third]),
        (ids[4], vec![reader]),
        (ids[2], vec![third]),
    ] {
        for liker in likers {
            posts::like(&db, liker, post).await.unwrap();
        }
    }
    // The floors of each post as the post alone shows them (read through its own loader).
    let alone = |id: i64, first: i64, after: Option<String>| {
        let app = &app;
        async move {
            let answer = app
                .graphql(
                    "query($id: ID!, $n: Int!, $after: String) { post(id: $id) { comments(first: $n, after: $after) { nodes { floor body author { username } } pageInfo { hasNextPage endCursor } } } }",
                    json!({"id": gid("Post", id), "n": first, "after": after}),
                    None,
                )
                .await;
            assert!(answer.get("errors").is_none(), "{answer}");
            answer["data"]["post"]["comments"].clone()
        }
    };
    let after2 = alone(ids[5], 2, None).await["pageInfo"]["endCursor"]
        .as_str()
        .unwrap()
        .to_owned();
    const LIST: &str = "query($a: ID!, $order: PostListOrder!, $after: String!) { posts(filter: { authorId: $a }, order: $order, first: 5) { nodes { legacyId title author { username } first: comments(first: 2) { nodes { floor body author { username } } pageInfo { hasNextPage endCursor } } later: comments(first: 3, after: $after) { nodes { floor body author { username } } pageInfo { hasNextPage endCursor } } } } }";
    const ORDER_ONLY: &str = "query($a: ID!, $order: PostListOrder!) { posts(filter: { authorId: $a }, order: $order, first: 5) { nodes { legacyId } } }";
    for order in ["NEWEST", "MOST_LIKED"] {
        let answer = app
            .graphql(
                LIST,
                json!({"a": gid("User", author), "order": order, "after": after2}),
                None,
            )
            .await;
        assert!(answer.get("errors").is_none(), "{answer}");
        let nodes = answer["data"]["posts"]["nodes"].as_array().unwrap();
        // The same posts in the same order as a list that reads no floors.
        let plain = app
            .graphql(
                ORDER_ONLY,
                json!({"a": gid("User", author), "order": order}),
                None,
            )
            .await;
        let order_of = |nodes: &[Value]| -> Vec<Value> {
            nodes.iter().map(|n| n["legacyId"].clone()).collect()
        };
        assert_eq!(
            order_of(nodes),
            order_of(plain["data"]["posts"]["nodes"].as_array().unwrap()),
            "{order}"
        );
        if order == "MOST_LIKED" {
            assert_eq!(
                order_of(&nodes[..3]),
                vec![json!(ids[1]), json!(ids[4]), json!(ids[2])]
            );
        }
        assert_eq!(nodes.len(), 5);
        for node in nodes {
            let id = node["legacyId"].as_i64().unwrap();
            assert_eq!(node["author"]["username"], "windows", "{node}");
            assert_eq!(
                node["first"],
                alone(id, 2, None).await,
                "post {id} first 2, {order}"
            );
            assert_eq!(
                node["later"],
                alone(id, 3, Some(after2.clone())).await,
                "post {id} 3 after 2, {order}"
            );
        }
        // Floors are there to compare: the post with 5 floors shows 2, then 3 after 2.
        let longest = nodes
            .iter()
            .find(|n| n["legacyId"] == json!(ids[5]))
            .unwrap();
        assert_eq!(longest["first"]["nodes"].as_array().unwrap().len(), 2);
        assert_eq!(longest["later"]["nodes"][0]["floor"], 3);
        assert_eq!(longest["later"]["nodes"][0]["body"], "5-3");
        assert_eq!(longest["later"]["nodes"][1]["author"]["username"], "liker");
    }
}

/// A floor page read ahead with only the floor columns its selection shows serves that
/// selection only: another selection of the same window that shows more, in the same list or
/// reached again through a floor's post, gets every column it shows.
#[tokio::test]
async fn floor_pages_read_with_fewer_columns_serve_only_the_selections_they_were_read_for() {
    let app = common::app().await;
    let db = app.state.services.db.clone();
    let (author, token) = app.user_with_token("narrow").await;
    let (reader, _) = app.user_with_token("wide").await;
    let post = new_post(&app, author, "列").await;
    let mut floors = Vec::new();
    for (floor, who) in [(1, author), (2, reader), (3, author)] {
        let comment = posts::comment(&db, who, post, &format!("楼{floor}"))
            .await
            .unwrap();
        floors.push(comment.id);
    }
    // Floor 1 edited, floor 3 deleted.
    let edited = app
        .graphql(
            "mutation($id: ID!) { updateComment(id: $id, body: \"改过\") { editedAt } }",
            json!({"id": gid("Comment", floors[0])}),
            Some(&token),
        )
        .await;
    assert!(edited.get("errors").is_none(), "{edited}");
    let deleted = app
        .graphql(
            "mutation($id: ID!) { deleteComment(id: $id) { floor } }",
            json!({"id": gid("Comment", floors[2])}),
            Some(&token),
        )
        .await;
    assert!(deleted.get("errors").is_none(), "{deleted}");

    const WIDE: &str = "nodes { legacyId floor body isDeleted createdAt editedAt author { username } post { legacyId } }";
    let alone = app
        .graphql(
            &format!("query($id: ID!) {{ post(id: $id) {{ comments(first: 10) {{ {WIDE} }} }} }}"),
            json!({"id": gid("Post", post)}),
            None,
        )
        .await;
    assert!(alone.get("errors").is_none(), "{alone}");
    let expected = &alone["data"]["post"]["comments"];
    assert_eq!(expected["nodes"][0]["body"], "改过");
    assert!(expected["nodes"][0]["editedAt"].is_string(), "{expected}");
    assert_eq!(expected["nodes"][1]["author"]["username"], "wide");
    assert_eq!(expected["nodes"][2]["isDeleted"], true);

    let statements = &app.state.services.statements;
    statements.record();
    let list = app
        .graphql(
            &format!(
                "query($a: ID!) {{ posts(filter: {{ authorId: $a }}, first: 5) {{ nodes {{ narrow: comments(first: 10) {{ nodes {{ floor }} }} wide: comments(first: 10) {{ {WIDE} }} }} }} }}"
            ),
            json!({"a": gid("User", author)}),
            None,
        )
        .await;
    let recorded = statements.take_recorded();
    assert!(list.get("errors").is_none(), "{list}");
    let node = &list["data"]["posts"]["nodes"][0];
    assert_eq!(node["wide"], *expected, "{list}");
    assert_eq!(
        node["narrow"]["nodes"],
        json!([{"floor": 1}, {"floor": 2}, {"floor": 3}])
    );
    // The same post reached again through its first floor, with the same window: the page
    // the list read for `narrow` alone must not answer it.
    let again = app
        .graphql(
            &format!(
                "query($a: ID!) {{ posts(filter: {{ authorId: $a }}, first: 5) {{ nodes {{ narrow: comments(first: 10) {{ nodes {{ floor }} }} firstComment {{ post {{ again: comments(first: 10) {{ {WIDE} }} }} }} }} }} }}"
            ),
            json!({"a": gid("User", author)}),
            None,
        )
        .await;
    assert!(again.get("errors").is_none(), "{again}");
    let node = &again["data"]["posts"]["nodes"][0];
    assert_eq!(node["firstComment"]["post"]["again"], *expected, "{again}");
    assert_eq!(
        node["narrow"]["nodes"],
        json!([{"floor": 1}, {"floor": 2}, {"floor": 3}])
    );

    // A list whose floors show only their numbers reads no other floor column.
    statements.record();
    let narrow = app
        .graphql(
            "query($a: ID!) { posts(filter: { authorId: $a }, first: 5) { nodes { comments(first: 10) { nodes { floor isDeleted } } } } }",
            json!({"a": gid("User", author)}),
            None,
        )
        .await;
    let narrow_statements = statements.take_recorded();
    assert!(narrow.get("errors").is_none(), "{narrow}");
    assert_eq!(
        narrow["data"]["posts"]["nodes"][0]["comments"]["nodes"],
        json!([
            {"floor": 1, "isDeleted": false},
            {"floor": 2, "isDeleted": false},
            {"floor": 3, "isDeleted": true}
        ])
    );
    assert_eq!(narrow_statements.len(), 1, "{narrow_statements:#?}");
    for column in ["body", "created_at", "edited_at", "author_id"] {
        assert!(
            !narrow_statements[0].contains(&format!("\"post_comments\".\"{column}\"")),
            "{column} read: {}",
            narrow_statements[0]
        );
    }
    // The wide selections read their floors in full.
    assert!(
        recorded
            .iter()
            .any(|sql| sql.contains("\"post_comments\".\"edited_at\"")),
        "{recorded:#?}"
    );
}

#[tokio::test]
async fn nodes_and_administrator_adjustments_respect_their_owners() {
    let app = common::app().await;
    let (me, my_token) = app.user_with_token("owner").await;
    let (_, other_token) = app.user_with_token("other").await;
    let (_, admin_token) = app.admin().await;
    let post = new_post(&app, me, "节点").await;
    let comment = posts::comment(&app.state.services.db, me, post, "一楼")
        .await
        .unwrap();
    const NODE: &str = "query($id: ID!) { node(id: $id) { __typename ... on Post { title } ... on Comment { floor } ... on RechargeOrder { coins } } }";
    let seen = app
        .graphql(NODE, json!({"id": gid("Post", post)}), None)
        .await;
    assert_eq!(seen["data"]["node"]["title"], "节点", "{seen}");
    let seen = app
        .graphql(NODE, json!({"id": gid("Comment", comment.id)}), None)
        .await;
    assert_eq!(seen["data"]["node"]["floor"], 1);

    // A recharge order is its owner's (and administrators').
    let checkout = app
        .graphql(
            "mutation { rechargeCoins(coins: 3) { order { id } } }",
            json!({}),
            Some(&my_token),
        )
        .await;
    let order = checkout["data"]["rechargeCoins"]["order"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{checkout}"))
        .to_owned();
    for (token, visible) in [
        (&my_token, true),
        (&admin_token, true),
        (&other_token, false),
    ] {
        let seen = app.graphql(NODE, json!({"id": order}), Some(token)).await;
        assert_eq!(seen["data"]["node"].is_null(), !visible, "{seen}");
    }

    // Adjustments are for administrators, and never overdraw.
    const ADJUST: &str =
        "mutation($u: ID!, $n: Int!) { adjustCoins(userId: $u, amount: $n, reason: \"活动奖励\") }";
    let refused = app
        .graphql(
            ADJUST,
            json!({"u": gid("User", me), "n": 5}),
            Some(&my_token),
        )
        .await;
    assert_eq!(first_code(&refused), "FORBIDDEN");
    let credited = app
        .graphql(
            ADJUST,
            json!({"u": gid("User", me), "n": 5}),
            Some(&admin_token),
        )
        .await;
    assert_eq!(credited["data"]["adjustCoins"], 5, "{credited}");
    let overdraw = app
        .graphql(
            ADJUST,
            json!({"u": gid("User", me), "n": -6}),
            Some(&admin_token),
        )
        .await;
    assert_eq!(first_code(&overdraw), "CONFLICT");
    let missing = app
        .graphql(
            ADJUST,
            json!({"u": gid("User", 999_999), "n": 1}),
            Some(&admin_token),
        )
        .await;
    assert_eq!(first_code(&missing), "NOT_FOUND", "{missing}");
    let zero = app
        .graphql(
            ADJUST,
            json!({"u": gid("User", me), "n": 0}),
            Some(&admin_token),
        )
        .await;
    assert_eq!(first_code(&zero), "BAD_USER_INPUT");
    assert_eq!(balance(&app, me).await, 5);
    assert_eq!(ledger_sum(&app, me).await, 5);
}

/// A feed pages backward too: `last` alone is the end of the list, `last` + `before` the items
/// before a cursor, with `hasPreviousPage` telling whether more lie before.
#[tokio::test]
async fn the_post_feed_pages_backward_with_last_and_before() {
    let app = common::app().await;
    let (_, token) = app.user_with_token("writer").await;
    for i in 1..=5 {
        let v = app
            .graphql(
                "mutation($input: PostInput!) { createPost(input: $input) { id } }",
                json!({"input": {"title": format!("p{i}"), "body": "x"}}),
                Some(&token),
            )
            .await;
        assert!(v.get("errors").is_none(), "{v}");
    }
    let page = |args: &str| {
        format!(
            "{{ posts({args}) {{ totalCount edges {{ cursor node {{ title }} }} pageInfo {{ hasPreviousPage hasNextPage }} }} }}"
        )
    };
    let titles = |v: &Value| -> Vec<String> {
        v["data"]["posts"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["title"].as_str().unwrap().to_owned())
            .collect()
    };
    // Newest first: p5 … p1. The last two are the oldest.
    let v = app.graphql(&page("last: 2"), json!({}), None).await;
    assert_eq!(titles(&v), ["p2", "p1"], "{v}");
    assert_eq!(v["data"]["posts"]["totalCount"], 5);
    assert_eq!(v["data"]["posts"]["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(v["data"]["posts"]["pageInfo"]["hasNextPage"], false);
    let first_cursor = v["data"]["posts"]["edges"][0]["cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let v = app
        .graphql(
            &page(&format!("last: 2, before: \"{first_cursor}\"")),
            json!({}),
            None,
        )
        .await;
    assert_eq!(titles(&v), ["p4", "p3"], "{v}");
    assert_eq!(v["data"]["posts"]["pageInfo"]["hasPreviousPage"], true);
    let v = app
        .graphql(&page("first: 2, last: 2"), json!({}), None)
        .await;
    assert_eq!(first_code(&v), "BAD_USER_INPUT", "{v}");
}

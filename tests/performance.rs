//! Lists are planned from their selection: a page of posts with its authors, floors and the
//! floors' authors costs the same statements whatever the page size and however many requests
//! run at once (batching must not depend on when the items' futures are polled), and users are
//! read with only the columns the selection shows.

use futures::future::join_all;
use medgraph::domain::community_demo;
use serde_json::{Value, json};

use crate::common::{self, TestApp};

/// 100 posts newest first, each with its author's name.
const AUTHORS: &str =
    "query($n: Int!) { posts(first: $n) { nodes { id title author { displayName } } } }";

/// Posts with their authors and their first 10 floors with their authors.
const FLOORS: &str = "query($n: Int!) { posts(first: $n) { nodes { id title createdAt author { id displayName avatarUrl } comments(first: 10) { nodes { floor body isDeleted createdAt author { displayName } } } } } }";

/// The forum's `fetchUserPosts` selection with a viewer: like and coin state, floor 1, counts.
const VIEWER: &str = "query($n: Int!) { posts(first: $n) { totalCount nodes { legacyId title tags coverUrl likeCount coinCount likedByMe coinedByMe firstComment { legacyId author { username } } author { username displayName avatarUrl } } } }";

/// Page sizes around `FuturesOrdered`'s threshold (30 futures) and the largest page.
const SIZES: [i64; 3] = [30, 31, 100];

/// A database with the bulk community of 60 users (about 300 posts, 30 % with 10 floors).
async fn community() -> TestApp {
    let app = common::app().await;
    let report = community_demo::bulk(&app.state.services.db, 60)
        .await
        .unwrap();
    assert!(report.posts >= 100, "{report:?}");
    app
}

/// Runs `query` with page size `n` as `concurrency` requests at once; checks every answer
/// and answers the statements per request (the total must divide evenly).
async fn per_request(
    app: &TestApp,
    query: &str,
    n: i64,
    concurrency: u64,
    token: Option<&str>,
) -> u64 {
    let before = app.statements();
    let answers =
        join_all((0..concurrency).map(|_| app.graphql(query, json!({"n": n}), token))).await;
    let spent = app.statements() - before;
    let first = &answers[0];
    for answer in &answers {
        assert!(answer.get("errors").is_none(), "{answer}");
        let nodes = answer["data"]["posts"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len() as i64, n);
        for node in nodes {
            assert!(node["author"].is_object(), "{node}");
        }
        assert_eq!(answer, first, "concurrent answers differ");
    }
    assert_eq!(
        spent % concurrency,
        0,
        "{spent} statements for {concurrency} requests of {n}"
    );
    spent / concurrency
}

/// Statements per request for every page size, alone and 16 at once: all equal.
async fn fixed_statements(app: &TestApp, query: &str, token: Option<&str>) -> u64 {
    let alone = per_request(app, query, 1, 1, token).await;
    for n in SIZES {
        for concurrency in [1, 16] {
            let spent = per_request(app, query, n, concurrency, token).await;
            assert_eq!(
                spent, alone,
                "{n} posts, {concurrency} at once: {spent} statements per request, {alone} for 1 post"
            );
        }
    }
    alone
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn post_authors_cost_one_statement_at_any_page_size_and_concurrency() {
    let app = community().await;
    // The page with its authors joined.
    assert_eq!(fixed_statements(&app, AUTHORS, None).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn floors_with_authors_cost_one_statement_at_any_page_size_and_concurrency() {
    let app = community().await;
    // The page with its authors, and the floors of every post on it with theirs, joined.
    assert_eq!(fixed_statements(&app, FLOORS, None).await, 1);
    let answer = app.graphql(FLOORS, json!({"n": 100}), None).await;
    let with_floors = answer["data"]["posts"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["comments"]["nodes"].as_array().unwrap().is_empty())
        .count();
    assert!(with_floors > 10, "{with_floors} posts with floors");
}

/// The same floors under `nodes` and under `edges { node }`: the same posts, read once.
const NODES_AND_EDGES: &str = "query($n: Int!) { posts(first: $n) { nodes { id author { id } comments(first: 10) { nodes { floor body author { displayName } } } } edges { node { comments(first: 10) { nodes { floor body author { displayName } } } } } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn floors_selected_twice_for_the_same_posts_are_read_once() {
    let app = community().await;
    assert_eq!(fixed_statements(&app, NODES_AND_EDGES, None).await, 1);
    let answer = app.graphql(NODES_AND_EDGES, json!({"n": 100}), None).await;
    let posts = &answer["data"]["posts"];
    let edges = posts["edges"].as_array().unwrap();
    for (node, edge) in posts["nodes"].as_array().unwrap().iter().zip(edges) {
        assert_eq!(node["comments"], edge["node"]["comments"], "{node}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_viewer_state_and_first_floors_are_planned_too() {
    let app = community().await;
    let (_, token) = app.user_with_token("reader").await;
    let spent = fixed_statements(&app, VIEWER, Some(&token)).await;
    // Session, roles, count, page with authors, floor 1 with authors, likes, rewards.
    assert_eq!(spent, 7, "{spent} statements");
}

/// The same users as `node` shows them (the whole model, through the plain user loader).
async fn users_by_node(app: &TestApp, authors: &[Value]) -> Vec<Value> {
    let ids: Vec<&str> = authors.iter().map(|a| a["id"].as_str().unwrap()).collect();
    let answer = app
        .graphql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { ... on User { id displayName avatarUrl } } }",
            json!({"ids": ids}),
            None,
        )
        .await;
    assert!(answer.get("errors").is_none(), "{answer}");
    answer["data"]["nodes"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_name_is_read_without_credentials_or_identity_numbers() {
    let app = community().await;
    let statements = &app.state.services.statements;
    statements.record();
    let answer = app.graphql(FLOORS, json!({"n": 40}), None).await;
    let recorded = statements.take_recorded();
    assert!(answer.get("errors").is_none(), "{answer}");
    // One statement joins the posts' authors and the floors' authors.
    assert_eq!(recorded.len(), 1, "{recorded:#?}");
    if app.state.services.db.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Its page bounds are literals, so that PostgreSQL keeps one plan for it.
        for bound in [" LIMIT 41 OFFSET 0", " LIMIT 11 OFFSET 0"] {
            assert!(recorded[0].contains(bound), "{bound}: {}", recorded[0]);
        }
    }
    let users: Vec<&String> = recorded
        .iter()
        .filter(|sql| sql.contains("\"users\""))
        .collect();
    assert_eq!(users.len(), 1, "{recorded:#?}");
    for statement in users {
        for secret in [
            "password_hash",
            "id_card_number",
            "phone",
            "email",
            "real_name",
            "address",
            "birthday",
        ] {
            assert!(!statement.contains(secret), "{secret} read: {statement}");
        }
    }
    // The same authors as the whole model shows them.
    let posts = answer["data"]["posts"]["nodes"].as_array().unwrap();
    let planned: Vec<Value> = posts.iter().map(|p| p["author"].clone()).collect();
    assert_eq!(planned, users_by_node(&app, &planned).await);
    assert!(
        planned
            .iter()
            .all(|a| !a["displayName"].as_str().unwrap().is_empty())
    );
}

#[tokio::test]
async fn authors_reached_outside_a_list_still_come_batched_with_their_columns() {
    let app = community().await;
    // Floors reached through `node`, their post and its author: the loaders answer.
    let answer = app
        .graphql("{ posts(first: 3) { nodes { id } } }", json!({}), None)
        .await;
    let ids: Vec<Value> = answer["data"]["posts"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].clone())
        .collect();
    let answer = app
        .graphql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Post { author { username displayName phone hasPassword } comments(first: 2) { totalCount nodes { post { author { displayName } } } } } } }",
            json!({"ids": ids}),
            None,
        )
        .await;
    assert!(answer.get("errors").is_none(), "{answer}");
    for node in answer["data"]["nodes"].as_array().unwrap() {
        let author = &node["author"];
        assert!(!author["username"].as_str().unwrap().is_empty(), "{node}");
        // Others see no password state; the masked phone is the policy's.
        assert!(author["hasPassword"].is_null(), "{node}");
        let total = node["comments"]["totalCount"].as_u64().unwrap();
        for floor in node["comments"]["nodes"].as_array().unwrap() {
            assert_eq!(
                floor["post"]["author"]["displayName"], author["displayName"],
                "{node}"
            );
        }
        assert!(total >= node["comments"]["nodes"].as_array().unwrap().len() as u64);
    }
}

/// A page of titles reads no bodies, tags or images.
#[tokio::test]
async fn a_page_reads_only_the_post_columns_it_shows() {
    let app = community().await;
    let statements = &app.state.services.statements;
    statements.record();
    let answer = app.graphql(AUTHORS, json!({"n": 30}), None).await;
    let recorded = statements.take_recorded();
    assert!(answer.get("errors").is_none(), "{answer}");
    assert_eq!(recorded.len(), 1, "{recorded:#?}");
    for column in [
        "body",
        "tags",
        "images",
        "like_count",
        "coin_count",
        "edited_at",
    ] {
        assert!(
            !recorded[0].contains(column),
            "{column} read: {}",
            recorded[0]
        );
    }
}

/// Every field of `Post`, with a selection where it needs one.
const POST_FIELDS: [(&str, &str); 17] = [
    ("id", "id"),
    ("legacyId", "legacyId"),
    ("title", "title"),
    ("body", "body"),
    ("tags", "tags"),
    ("images", "images { url }"),
    ("coverUrl", "coverUrl"),
    ("author", "author { id displayName username }"),
    ("likeCount", "likeCount"),
    ("commentCount", "commentCount"),
    ("coinCount", "coinCount"),
    ("likedByMe", "likedByMe"),
    ("coinedByMe", "coinedByMe"),
    (
        "firstComment",
        "firstComment { floor body author { displayName } }",
    ),
    (
        "comments",
        "comments(first: 3) { totalCount nodes { floor body } }",
    ),
    ("createdAt", "createdAt"),
    ("editedAt", "editedAt"),
];

/// Each field of `Post` selected alone (the list then reads only the columns it names) answers
/// what it answers when every field is selected (all columns read): no field reads a column
/// the list left out. A new field of `Post` must be added to [`POST_FIELDS`].
#[tokio::test]
async fn each_post_field_alone_answers_what_the_whole_post_answers() {
    let app = community().await;
    let (_, token) = app.user_with_token("field-reader").await;
    let fields = app
        .graphql(
            "{ __type(name: \"Post\") { fields { name } } }",
            json!({}),
            None,
        )
        .await;
    let mut names: Vec<String> = fields["data"]["__type"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    let mut listed: Vec<String> = POST_FIELDS.iter().map(|(n, _)| (*n).to_owned()).collect();
    listed.sort();
    assert_eq!(names, listed, "POST_FIELDS must list every field of Post");

    let every: Vec<&str> = POST_FIELDS.iter().map(|(_, s)| *s).collect();
    let whole = app
        .graphql(
            &format!(
                "{{ posts(first: 40) {{ nodes {{ {} }} }} }}",
                every.join(" ")
            ),
            json!({}),
            Some(&token),
        )
        .await;
    assert!(whole.get("errors").is_none(), "{whole}");
    let whole = whole["data"]["posts"]["nodes"].as_array().unwrap().clone();
    for (name, selection) in POST_FIELDS {
        let alone = app
            .graphql(
                &format!("{{ posts(first: 40) {{ nodes {{ {selection} }} }} }}"),
                json!({}),
                Some(&token),
            )
            .await;
        assert!(alone.get("errors").is_none(), "{alone}");
        for (one, all) in alone["data"]["posts"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .zip(&whole)
        {
            assert_eq!(one[name], all[name], "{name}");
        }
    }
}

/// Rows read by position ([`row_values`]) hold what sea-orm reads by name, NULLs included, and
/// a column read into the wrong type is an error, on its first read and on later rows (the
/// type of a PostgreSQL column is checked once per statement, a SQLite value every time).
#[tokio::test]
async fn rows_read_by_position_equal_rows_read_by_name_and_refuse_wrong_types() {
    use entity::user::{Column as U, Entity as Users};
    use medgraph::domain::row_values::{ColumnValue, Positions, position};
    use sea_orm::ConnectionTrait;
    use sea_orm::sea_query::Query;
    let app = community().await;
    let db = &app.state.services.db;
    let statement = Query::select()
        .columns([U::Id, U::Username, U::Bio, U::LastActiveAt, U::CreatedAt])
        .from(Users)
        .order_by(U::Id, sea_orm::Order::Asc)
        .limit(5)
        .to_owned();
    let rows = db
        .query_all_raw(db.get_database_backend().build(&statement))
        .await
        .unwrap();
    assert_eq!(rows.len(), 5);
    let first = &rows[0];
    let mut positions = Positions::default();
    for (slot, name) in ["id", "username", "bio", "last_active_at", "created_at"]
        .into_iter()
        .enumerate()
    {
        positions.find(first, slot, "", name).unwrap();
        assert_eq!(position(first, "", name).unwrap(), slot);
    }
    assert!(position(first, "", "missing").is_err());
    let mut nulls = 0;
    for row in &rows {
        let id: i64 = positions.read(row, 0).unwrap();
        let username: String = positions.read(row, 1).unwrap();
        let bio: Option<String> = positions.read(row, 2).unwrap();
        let active: Option<chrono::DateTime<chrono::Utc>> = positions.read(row, 3).unwrap();
        let created: chrono::DateTime<chrono::Utc> = positions.read(row, 4).unwrap();
        assert_eq!(id, row.try_get_by::<i64, _>("id").unwrap());
        assert_eq!(username, row.try_get_by::<String, _>("username").unwrap());
        assert_eq!(bio, row.try_get_by::<Option<String>, _>("bio").unwrap());
        assert_eq!(
            active,
            row.try_get_by::<Option<chrono::DateTime<chrono::Utc>>, _>("last_active_at")
                .unwrap()
        );
        assert_eq!(
            created,
            row.try_get_by::<chrono::DateTime<chrono::Utc>, _>("created_at")
                .unwrap()
        );
        nulls += usize::from(bio.is_none());
        // Checked reads agree too.
        assert_eq!(i64::read(row, 0).unwrap(), id);
        assert_eq!(Option::<String>::read(row, 2).unwrap(), bio);
    }
    assert!(nulls > 0, "the seeded users have no bio: NULLs are read");
    // A text column read as an integer is refused, on the first row and on the next ones.
    let mut wrong = Positions::default();
    wrong.find(first, 0, "", "username").unwrap();
    // Refused by the type check (which names the column's SQL type), not by a decoder that
    // happened to choke on the bytes.
    let refused_for_its_type = |err: sea_orm::DbErr| {
        let message = err.to_string();
        assert!(
            message.contains("TEXT") || message.contains("VARCHAR"),
            "{message}"
        );
    };
    for row in &rows {
        refused_for_its_type(wrong.read::<i64>(row, 0).unwrap_err());
        refused_for_its_type(i64::read(row, 1).unwrap_err());
    }
    // A NULL where a value is required is an error, not a default.
    let bio_null = rows
        .iter()
        .find(|row| Option::<String>::read(row, 2).unwrap().is_none())
        .unwrap();
    assert!(String::read(bio_null, 2).is_err());
}

//! Community endpoints of the forum dialect: a user's posts with the caller's like and coin
//! state, the caller's coin record of the last seven days, following and unfollowing. The
//! profile's `numOfCoin`, `followList`, `fansList` and `isFollowed` are in `identity`.

use chrono::{Duration, FixedOffset, SecondsFormat, Utc};
use http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::super::{Access, Dialect, Kind, Param, Route, Source, object, pick};
use super::{number, text, whole_list};
use crate::domain::page::max_page_size;
use crate::error::{AppError, AppResult};
use crate::graphql::connection::OffsetCursor;
use crate::graphql::node::global_id;
use async_graphql::connection::CursorType;

/// errorCode the forum documents for a refused follow or unfollow.
pub const FOLLOW_REFUSED: u16 = 118;

const PAGE_PARAMS: [Param; 2] = [
    Param::optional(
        "page",
        Source::Query,
        Kind::Int,
        "$page",
        "Page number, from 1 (default 1); an extension: without page and page_size the whole \
         list is answered",
    ),
    Param::optional(
        "page_size",
        Source::Query,
        Kind::Int,
        "$pageSize",
        "Items per page, 1 to http.dialect_list_ceiling (default 1000) (default 20 when page is \
         given); an extension: without page and page_size the whole list is answered",
    ),
];

const USER_POSTS_PARAMS: &[Param] = &[
    Param::optional(
        "user_id",
        Source::Query,
        Kind::Int,
        "$userId",
        "Whose posts; absent, 0 or -1 means the caller (needs a session)",
    ),
    PAGE_PARAMS[0],
    PAGE_PARAMS[1],
];

const COIN_RECORD_PARAMS: &[Param] = &[PAGE_PARAMS[0], PAGE_PARAMS[1]];

const FOLLOW_PARAMS: &[Param] = &[Param::required(
    "followUserID",
    Source::Body,
    Kind::NodeId("User"),
    "userId",
    "Id of the user (a number or a numeric string)",
)];

fn route(
    method: Method,
    path: &'static str,
    summary: &'static str,
    document: &'static str,
    params: &'static [Param],
) -> Route {
    Route {
        dialect: Dialect::Forum,
        method,
        path,
        summary,
        access: Access::LoggedIn,
        document,
        params,
        transform: super::super::empty,
        example: None,
        status: StatusCode::OK,
        prepare: None,
    }
}

/// The community routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route {
            access: Access::Public,
            transform: user_posts,
            prepare: Some(prepare_user_posts),
            example: Some(
                r#"{"post_list":[{"post_pic":"http://127.0.0.1:8080/files/9f86d0…","author_name":"cuiping","author_portrait":"http://127.0.0.1:8080/files/2c26b4…","post_tag":["心内科"],"post_id":15,"post_title":"术后复查","post_first_comment_id":42,"reward":{"like":{"status":false,"num":15},"coin":{"status":true,"num":5}}}],"count":1}"#,
            ),
            ..route(
                Method::POST,
                "/api/UserInfo/fetchUserPosts",
                "Posts a user published, newest first, with the caller's like and coin state \
                 (false without a session). post_pic is the first image or else the author's \
                 avatar (\"\" when neither exists); post_first_comment_id is 0 before floor 1 \
                 is written. The document does not page: without page/page_size every post is \
                 answered (up to http.dialect_list_ceiling, default 1000); count is the number \
                 of posts.",
                include_str!("ops/community_user_posts.graphql"),
                USER_POSTS_PARAMS,
            )
        },
        Route {
            transform: coin_record,
            prepare: Some(prepare_coin_record),
            example: Some(
                r#"{"coinRecordList":[{"Reason":"帖子《术后复查》获得投币","Time":"2023-07-13 09:45:11","Num":5}],"coinNum":52,"count":1}"#,
            ),
            ..route(
                Method::GET,
                "/api/HB/record",
                "The caller's coin (杏仁币) changes of the last 7 days, newest first (Time in \
                 China time, Num never 0), and the balance coinNum. The document does not page: \
                 without page/page_size every change of the 7 days is answered (up to \
                 http.dialect_list_ceiling, default 1000); count is the number of changes in the \
                 7 days.",
                include_str!("ops/community_coin_record.graphql"),
                COIN_RECORD_PARAMS,
            )
        },
        route(
            Method::POST,
            "/api/UserInfo/followUser",
            "Follow a user; following again changes nothing. errorCode 118 when refused \
             (yourself, no such user, a disabled account).",
            include_str!("ops/community_follow.graphql"),
            FOLLOW_PARAMS,
        ),
        route(
            Method::POST,
            "/api/UserInfo/unfollowUser",
            "Stop following a user; without a follow nothing changes. errorCode 118 when \
             refused.",
            include_str!("ops/community_unfollow.graphql"),
            FOLLOW_PARAMS,
        ),
    ]
}

/// The errorCode a refused request of `path` answers, when the forum documents one.
pub fn failure_code(path: &str) -> Option<u16> {
    matches!(
        path,
        "/api/UserInfo/followUser" | "/api/UserInfo/unfollowUser"
    )
    .then_some(FOLLOW_REFUSED)
}

/// `page`/`page_size` as `first`/`after`; without either, the whole list (the documents do
/// not page these lists).
fn paging(vars: &mut Map<String, Value>) -> AppResult<()> {
    let page = vars.remove("$page").and_then(|v| v.as_i64());
    let size = vars.remove("$pageSize").and_then(|v| v.as_i64());
    if page.is_none() && size.is_none() {
        vars.insert("first".into(), whole_list());
        return Ok(());
    }
    let page = page.unwrap_or(1);
    let size = size.unwrap_or(20);
    if page < 1 {
        return Err(AppError::bad_field("page", "page starts at 1"));
    }
    let max = i64::try_from(max_page_size()).unwrap_or(i64::MAX);
    if !(1..=max).contains(&size) {
        return Err(AppError::bad_field(
            "page_size",
            format!("page_size must be between 1 and {max}"),
        ));
    }
    let skip = (page - 1).saturating_mul(size);
    if skip > 0 {
        let cursor = OffsetCursor(skip.unsigned_abs() - 1).encode_cursor();
        vars.insert("after".into(), Value::String(cursor));
    }
    vars.insert("first".into(), Value::from(size));
    Ok(())
}

fn prepare_user_posts(vars: &mut Map<String, Value>) -> AppResult<()> {
    match vars.remove("$userId").and_then(|v| v.as_i64()) {
        None | Some(0 | -1) => {
            vars.insert("mine".into(), Value::Bool(true));
        }
        Some(id) if id > 0 => {
            vars.insert("mine".into(), Value::Bool(false));
            vars.insert("authorId".into(), Value::String(global_id("User", id).0));
        }
        Some(_) => {
            return Err(AppError::bad_field(
                "user_id",
                "user_id must be a user id, or 0 / -1 for yourself",
            ));
        }
    }
    paging(vars)
}

fn prepare_coin_record(vars: &mut Map<String, Value>) -> AppResult<()> {
    let since = Utc::now() - Duration::days(7);
    vars.insert(
        "since".into(),
        Value::String(since.to_rfc3339_opts(SecondsFormat::Secs, true)),
    );
    paging(vars)
}

fn user_posts(data: Value) -> AppResult<Value> {
    let posts = pick(&data, "/posts")?;
    let list: Vec<Value> = posts["nodes"]
        .as_array()
        .map(|nodes| {
            nodes
                .iter()
                .map(|p| {
                    let author = &p["author"];
                    let portrait = text(&author["avatarUrl"]);
                    let pic = if p["coverUrl"].is_null() {
                        portrait.clone()
                    } else {
                        text(&p["coverUrl"])
                    };
                    let tags = if p["tags"].is_array() {
                        p["tags"].clone()
                    } else {
                        Value::Array(Vec::new())
                    };
                    let state = |given: &str, count: &str| {
                        object([
                            ("status", p[given].as_bool().unwrap_or(false).into()),
                            ("num", number(&p[count])),
                        ])
                    };
                    object([
                        ("post_pic", pic),
                        ("author_name", text(&author["displayName"])),
                        ("author_portrait", portrait),
                        ("post_tag", tags),
                        ("post_id", number(&p["legacyId"])),
                        ("post_title", text(&p["title"])),
                        // 0 until floor 1 is written: the field is a required integer.
                        (
                            "post_first_comment_id",
                            number(&p["firstComment"]["legacyId"]),
                        ),
                        (
                            "reward",
                            object([
                                ("like", state("likedByMe", "likeCount")),
                                ("coin", state("coinedByMe", "coinCount")),
                            ]),
                        ),
                    ])
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(object([
        ("post_list", Value::Array(list)),
        ("count", posts["totalCount"].clone()),
    ]))
}

/// A GraphQL `DateTime` as the forum's `2023-07-13 09:45:11`, China time.
fn china_time(value: &Value) -> Value {
    let china = FixedOffset::east_opt(8 * 3600);
    match (
        value.as_str().map(chrono::DateTime::parse_from_rfc3339),
        china,
    ) {
        (Some(Ok(t)), Some(offset)) => Value::String(
            t.with_timezone(&offset)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
        ),
        _ => value.clone(),
    }
}

fn coin_record(data: Value) -> AppResult<Value> {
    let me = pick(&data, "/me")?;
    if me.is_null() {
        return Err(AppError::Unauthenticated("log in first".into()));
    }
    let list: Vec<Value> = me["coinEntries"]["nodes"]
        .as_array()
        .map(|nodes| {
            nodes
                .iter()
                .map(|e| {
                    json!({
                        "Reason": text(&e["reason"]),
                        "Time": china_time(&e["createdAt"]),
                        "Num": e["amount"],
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(json!({
        "coinRecordList": list,
        "coinNum": number(&me["coinBalance"]),
        "count": me["coinEntries"]["totalCount"],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_paging_asks_for_the_whole_list() {
        let mut vars = Map::new();
        assert!(paging(&mut vars).is_ok());
        assert_eq!(vars["first"], max_page_size());
        assert!(!vars.contains_key("after"));
    }

    #[test]
    fn pages_become_cursors() {
        let mut vars = Map::new();
        vars.insert("$page".into(), Value::from(3));
        vars.insert("$pageSize".into(), Value::from(10));
        assert!(paging(&mut vars).is_ok());
        assert_eq!(vars["first"], 10);
        assert_eq!(vars["after"], OffsetCursor(19).encode_cursor().as_str());
        let mut vars = Map::new();
        vars.insert("$page".into(), Value::from(0));
        assert!(paging(&mut vars).is_err());
    }

    #[test]
    fn times_are_china_time() {
        assert_eq!(
            china_time(&Value::from("2023-07-13T01:45:11Z")),
            "2023-07-13 09:45:11"
        );
    }
}

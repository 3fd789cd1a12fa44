//! Content endpoints of this dialect: news (`/news/{type}/list`, `/news/{id}`), system
//! messages (`/message`), follows of users (`/follow/user/{id}`, `/custom/follow`,
//! `/assistant/follow`) and WeChat media (`/weixin/media`). Times are China Standard Time,
//! `YYYY-MM-DD HH:MM:SS`, as the document shows them.

use chrono::{DateTime, FixedOffset};
use http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::super::{Access, Dialect, Kind, Param, Route, Source, empty, pick};
use super::clinics::doctor;
use super::paging::{self, PAGE_PARAMS};
use super::{int, text};
use crate::error::{AppError, AppResult};

const NEWS_LIST_PARAMS: &[Param] = &[
    Param::required(
        "type",
        Source::Path,
        Kind::Int,
        "$type",
        "类型: 1 患者端公告, 2 医生端, 3 医助端",
    ),
    PAGE_PARAMS[0],
    PAGE_PARAMS[1],
];

const NEWS_PARAMS: &[Param] = &[Param::required(
    "id",
    Source::Path,
    Kind::Int,
    "id",
    "公告id",
)];

const LIST_PARAMS: &[Param] = &[PAGE_PARAMS[0], PAGE_PARAMS[1]];

const FOLLOW_PARAMS: &[Param] = &[Param::required(
    "id",
    Source::Path,
    Kind::NodeId("User"),
    "userId",
    "用户id",
)];

const WECHAT_PARAMS: &[Param] = &[Param::required(
    "media_id",
    Source::Query,
    Kind::String,
    "mediaId",
    "素材id: the WeChat media_id",
)];

const NEWS_EXAMPLE: &str = r#"{"id":1,"title":"义诊活动","photo":"http://127.0.0.1:8080/files/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","content":"<div>富文本</div>","publish_time":"2017-02-17 13:00:00"}"#;

const NEWS_LIST_EXAMPLE: &str = r#"{"list":[{"id":1,"title":"义诊活动","photo":null,"content":"<div>富文本</div>","publish_time":"2017-02-17 13:00:00"}],"page":{"current_page":1,"total_page":1,"count":1,"page_size":10}}"#;

const MESSAGES_EXAMPLE: &str = r#"{"list":[{"id":123,"type":1,"title":"标题","content":"文字描述","publish_time":"2017-09-25 23:05:23","username":"demo-admin","avatars":null,"is_read":0}],"page":{"current_page":1,"total_page":1,"count":1,"page_size":10}}"#;

const DOCTORS_EXAMPLE: &str = r#"{"list":[{"id":2,"real_name":"李*","phone":"155****1235","hospital":"省人民医院","departments":"内科","job_position":"主任","is_verify":1,"score":"4.5"}],"page":{"current_page":1,"total_page":1,"count":1,"page_size":10}}"#;

/// The document of a route with the news fragment.
macro_rules! with_news_fields {
    ($file:literal) => {
        concat!(
            include_str!($file),
            include_str!("ops/content_news_fields.graphql")
        )
    };
}

fn route(
    method: Method,
    path: &'static str,
    summary: &'static str,
    access: Access,
    document: &'static str,
    params: &'static [Param],
    transform: super::super::Transform,
) -> Route {
    Route {
        dialect: Dialect::Volunteer,
        method,
        path,
        summary,
        access,
        document,
        params,
        transform,
        example: None,
        status: StatusCode::OK,
        prepare: None,
    }
}

/// The content routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route {
            prepare: Some(prepare_news_list),
            example: Some(NEWS_LIST_EXAMPLE),
            ..route(
                Method::GET,
                "/news/{type}/list",
                "Published news (公告) of an audience (1 patients, 2 doctors, 3 assistants), \
                 newest first, paged",
                Access::Public,
                with_news_fields!("ops/content_news_list.graphql"),
                NEWS_LIST_PARAMS,
                news_list,
            )
        },
        Route {
            example: Some(NEWS_EXAMPLE),
            ..route(
                Method::GET,
                "/news/{id}",
                "One published news item (error_code 404 when there is none)",
                Access::Public,
                with_news_fields!("ops/content_news.graphql"),
                NEWS_PARAMS,
                news_detail,
            )
        },
        Route {
            prepare: Some(paging::prepare),
            example: Some(MESSAGES_EXAMPLE),
            ..route(
                Method::GET,
                "/message",
                "The caller's system messages (我的消息), newest first, paged: broadcasts (type \
                 0) and personal messages (type 1, including notices of their records). \
                 Nothing is marked read; `is_read` tells",
                Access::LoggedIn,
                include_str!("ops/content_messages.graphql"),
                LIST_PARAMS,
                messages,
            )
        },
        Route {
            example: Some("{}"),
            ..route(
                Method::GET,
                "/follow/user/{id}",
                "Follow a user (关注); following again changes nothing. Yourself: error_code \
                 400; no such user: 404",
                Access::LoggedIn,
                include_str!("ops/content_follow.graphql"),
                FOLLOW_PARAMS,
                empty,
            )
        },
        Route {
            example: Some("{}"),
            ..route(
                Method::DELETE,
                "/follow/user/{id}",
                "Stop following a user (取消关注); without a follow nothing changes",
                Access::LoggedIn,
                include_str!("ops/content_unfollow.graphql"),
                FOLLOW_PARAMS,
                empty,
            )
        },
        Route {
            prepare: Some(paging::prepare),
            example: Some(DOCTORS_EXAMPLE),
            ..route(
                Method::GET,
                "/custom/follow",
                "The doctors the patient follows (我关注的医生), latest follow first, paged, in \
                 the doctor structure",
                Access::LoggedIn,
                concat!(
                    include_str!("ops/content_followed_doctors.graphql"),
                    include_str!("ops/identity_user_fields.graphql")
                ),
                LIST_PARAMS,
                followed_doctors,
            )
        },
        Route {
            prepare: Some(paging::prepare),
            example: Some(DOCTORS_EXAMPLE),
            ..route(
                Method::GET,
                "/assistant/follow",
                "The doctors the assistant follows (我关注医生列表), latest follow first, paged, \
                 in the doctor structure",
                Access::LoggedIn,
                concat!(
                    include_str!("ops/content_followed_doctors.graphql"),
                    include_str!("ops/identity_user_fields.graphql")
                ),
                LIST_PARAMS,
                followed_doctors,
            )
        },
        Route {
            example: Some(
                r#"{"url":"http://127.0.0.1:8080/files/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}"#,
            ),
            ..route(
                Method::GET,
                "/weixin/media",
                "Download a WeChat media item (微信素材) through the WeChat API, store it and \
                 answer its URL. error_code 503 when WeChat is not configured or refuses; 400 \
                 for an unknown media_id",
                Access::LoggedIn,
                include_str!("ops/content_wechat_media.graphql"),
                WECHAT_PARAMS,
                wechat_media,
            )
        },
    ]
}

/// An RFC 3339 time as the dialect's `YYYY-MM-DD HH:MM:SS` in China Standard Time.
pub(super) fn legacy_time(value: &Value) -> Value {
    let china = FixedOffset::east_opt(8 * 3600);
    match (value.as_str().map(DateTime::parse_from_rfc3339), china) {
        (Some(Ok(time)), Some(china)) => Value::String(
            time.with_timezone(&china)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
        ),
        _ => Value::Null,
    }
}

/// `/news/{type}/list`: the type code as the audience.
fn prepare_news_list(vars: &mut Map<String, Value>) -> AppResult<()> {
    let audience = match vars.remove("$type").and_then(|v| v.as_i64()) {
        Some(1) => "PATIENTS",
        Some(2) => "DOCTORS",
        Some(3) => "ASSISTANTS",
        _ => {
            return Err(AppError::bad_field(
                "type",
                "type must be 1 (patients), 2 (doctors) or 3 (assistants)",
            ));
        }
    };
    vars.insert("audience".into(), Value::from(audience));
    paging::prepare(vars)
}

pub(super) fn news_item(news: &Value) -> Value {
    json!({
        "id": int(&news["legacyId"]),
        "title": text(&news["title"]),
        "photo": text(&news["coverUrl"]),
        "content": text(&news["content"]),
        "publish_time": text(&legacy_time(&news["publishedAt"])),
    })
}

fn news_list(data: Value) -> AppResult<Value> {
    let conn = pick(&data, "/newsList")?;
    let list = conn["nodes"]
        .as_array()
        .map(|nodes| nodes.iter().map(news_item).collect())
        .unwrap_or_default();
    Ok(paging::paged(&data, list, &conn["totalCount"]))
}

fn news_detail(data: Value) -> AppResult<Value> {
    match pick(&data, "/news")? {
        Value::Null => Err(AppError::NotFound("no such news item".into())),
        news => Ok(news_item(news)),
    }
}

fn messages(data: Value) -> AppResult<Value> {
    let conn = pick(&data, "/messages")?;
    let list = conn["nodes"]
        .as_array()
        .map(|nodes| {
            nodes
                .iter()
                .map(|m| {
                    json!({
                        "id": int(&m["legacyId"]),
                        "type": if m["kind"] == "BROADCAST" { 0 } else { 1 },
                        "title": text(&m["title"]),
                        "content": text(&m["content"]),
                        "publish_time": text(&legacy_time(&m["publishedAt"])),
                        "username": text(&m["sender"]["username"]),
                        "avatars": text(&m["sender"]["avatarUrl"]),
                        "is_read": i64::from(m["read"] == true),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(paging::paged(&data, list, &conn["totalCount"]))
}

fn followed_doctors(data: Value) -> AppResult<Value> {
    let me = pick(&data, "/me")?;
    if me.is_null() {
        return Err(AppError::Unauthenticated(
            "log in first: send the token in the X-auth-token header".into(),
        ));
    }
    let conn = &me["followings"];
    let list = conn["nodes"]
        .as_array()
        .map(|nodes| nodes.iter().map(doctor).collect::<AppResult<Vec<_>>>())
        .transpose()?
        .unwrap_or_default();
    Ok(paging::paged(&data, list, &conn["totalCount"]))
}

fn wechat_media(data: Value) -> AppResult<Value> {
    Ok(json!({ "url": pick(&data, "/importWechatMedia/url")? }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn times_are_china_time() {
        assert_eq!(
            legacy_time(&json!("2017-02-17T05:00:00Z")),
            json!("2017-02-17 13:00:00")
        );
        assert_eq!(legacy_time(&Value::Null), Value::Null);
    }

    #[test]
    fn news_types() {
        let mut vars = Map::new();
        vars.insert("$type".into(), json!(2));
        prepare_news_list(&mut vars).unwrap();
        assert_eq!(vars["audience"], "DOCTORS");
        assert_eq!(vars["first"], 10);
        let mut vars = Map::new();
        vars.insert("$type".into(), json!(4));
        assert!(prepare_news_list(&mut vars).is_err());
    }

    #[test]
    fn examples_are_json() {
        for route in routes() {
            let example = route.example.unwrap();
            assert!(
                serde_json::from_str::<Value>(example).is_ok(),
                "{} {}",
                route.method,
                route.path
            );
        }
    }
}

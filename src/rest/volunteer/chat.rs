//! Chat endpoints of this dialect (留言消息, §3.6): `GET /chat` (the caller's dialogs, latest
//! first), `POST /chat` (send) and `GET /chat/{id}` (a dialog's messages, oldest first; the
//! caller's received messages become read). Only the two participants see a dialog (others:
//! error_code 404).

use http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::super::{Access, Dialect, Kind, Param, Route, Source, pick};
use super::clinics::doctor;
use super::content::legacy_time;
use super::identity::{Shape, profile};
use super::paging::{self, PAGE_PARAMS};
use super::{int, strings, text};
use crate::error::{AppError, AppResult};

const LIST_PARAMS: &[Param] = &[PAGE_PARAMS[0], PAGE_PARAMS[1]];

const SEND_PARAMS: &[Param] = &[
    Param::optional(
        "content",
        Source::Body,
        Kind::String,
        "$content",
        "消息内容, at most 256 characters (documented as required; may be empty with a photo)",
    ),
    Param::optional(
        "photo",
        Source::Body,
        Kind::Json,
        "$photo",
        "留言图片: at most 3 URLs of images uploaded with POST /imgupload, as an array or a \
         JSON-encoded array (documented as required; may be empty)",
    ),
    Param::required(
        "type",
        Source::Body,
        Kind::Int,
        "$type",
        "发起留言的用户类型: 1 patient (患者), 2 doctor (医生)",
    ),
    Param::required(
        "to_user_id",
        Source::Body,
        Kind::NodeId("User"),
        "$toUserId",
        "发送对象的用户id",
    ),
];

const READ_PARAMS: &[Param] = &[
    Param::required(
        "id",
        Source::Path,
        Kind::NodeId("ChatDialog"),
        "id",
        "留言对话id (chat_dialog id)",
    ),
    PAGE_PARAMS[0],
    PAGE_PARAMS[1],
];

const MESSAGES_EXAMPLE: &str = r#"{"list":[{"id":123,"type":1,"from_user_id":2,"to_user_id":1,"content":"医生您好","photo":[],"is_read":0,"dialog_id":7,"created_at":"2018-03-01 09:00:00","from_user":{"real_name":"张三","avatars":null},"to_user":{"real_name":"李*","avatars":null}}],"page":{"current_page":1,"total_page":1,"count":1,"page_size":10}}"#;

const DIALOGS_EXAMPLE: &str = r#"{"list":[{"id":7,"patient_user_id":2,"doctor_user_id":1,"last_msg_id":123,"unread_count":1,"patient_unread_count":0,"doctor_unread_count":1,"last_msg":{"id":123,"type":1,"from_user_id":2,"to_user_id":1,"content":"医生您好","photo":[],"is_read":0,"dialog_id":7,"created_at":"2018-03-01 09:00:00","from_user":{"real_name":"张三","avatars":null},"to_user":{"real_name":"李*","avatars":null}},"patient_user":{"id":2,"real_name":"张三"},"doctor_user":{"id":1,"real_name":"李*"}}],"page":{"current_page":1,"total_page":1,"count":1,"page_size":10}}"#;

/// The document of a route with the message (and user) fragments.
macro_rules! with_chat_fields {
    ($file:literal) => {
        concat!(
            include_str!($file),
            include_str!("ops/chat_message_fields.graphql")
        )
    };
}

/// The chat routes.
pub fn routes() -> Vec<Route> {
    let route = |method: Method,
                 path: &'static str,
                 summary: &'static str,
                 document: &'static str,
                 params: &'static [Param],
                 transform: super::super::Transform,
                 prepare: super::super::Prepare,
                 example: &'static str| Route {
        dialect: Dialect::Volunteer,
        method,
        path,
        summary,
        access: Access::LoggedIn,
        document,
        params,
        transform,
        example: Some(example),
        status: StatusCode::OK,
        prepare: Some(prepare),
    };
    vec![
        route(
            Method::GET,
            "/chat",
            "The caller's chat dialogs (留言对话列表), latest message first, paged, with the \
             unread counts (the caller's and each side's), the last message and both users \
             (patient and doctor structures)",
            concat!(
                include_str!("ops/chat_dialogs.graphql"),
                include_str!("ops/chat_message_fields.graphql"),
                include_str!("ops/identity_user_fields.graphql")
            ),
            LIST_PARAMS,
            dialogs,
            paging::prepare,
            DIALOGS_EXAMPLE,
        ),
        route(
            Method::POST,
            "/chat",
            "Send a chat message (发送留言): a patient (type 1) to any doctor, a doctor (type 2) \
             to a patient who wrote to them first. The first message opens the dialog. \
             data.list holds the message sent",
            with_chat_fields!("ops/chat_send.graphql"),
            SEND_PARAMS,
            sent,
            prepare_send,
            MESSAGES_EXAMPLE,
        ),
        route(
            Method::GET,
            "/chat/{id}",
            "A dialog's messages (留言对话记录), oldest first, paged; the caller's received \
             messages become read. error_code 404 for anyone but the two participants",
            with_chat_fields!("ops/chat_read.graphql"),
            READ_PARAMS,
            dialog_messages,
            paging::prepare,
            MESSAGES_EXAMPLE,
        ),
    ]
}

/// `POST /chat`: the legacy form as the mutation's input.
fn prepare_send(vars: &mut Map<String, Value>) -> AppResult<()> {
    let side = match vars.remove("$type").and_then(|v| v.as_i64()) {
        Some(1) => "PATIENT",
        Some(2) => "DOCTOR",
        _ => {
            return Err(AppError::bad_field(
                "type",
                "type must be 1 (patient) or 2 (doctor)",
            ));
        }
    };
    let photos = photos(vars.remove("$photo").unwrap_or(Value::Null))?;
    let content = vars.remove("$content").unwrap_or(Value::from(""));
    let to_user_id = vars
        .remove("$toUserId")
        .ok_or_else(|| AppError::bad_field("to_user_id", "to_user_id is required"))?;
    vars.insert(
        "input".into(),
        json!({
            "toUserId": to_user_id,
            "content": content,
            "photos": photos,
            "side": side,
        }),
    );
    Ok(())
}

/// `photo`: an array of URLs, a JSON-encoded one, one URL, or nothing.
fn photos(value: Value) -> AppResult<Value> {
    let bad = || AppError::bad_field("photo", "photo must be an array of image URLs");
    let value = match value {
        Value::String(s) if s.trim_start().starts_with('[') => {
            serde_json::from_str(&s).map_err(|_| bad())?
        }
        other => other,
    };
    match value {
        Value::Null => Ok(json!([])),
        Value::String(s) if s.trim().is_empty() => Ok(json!([])),
        Value::String(s) => Ok(json!([s])),
        Value::Array(items) if items.iter().all(Value::is_string) => Ok(Value::Array(items)),
        _ => Err(bad()),
    }
}

/// A `VolunteerChatMessage` as the legacy "@留言信息".
fn message(m: &Value) -> Value {
    let user = |u: &Value| {
        json!({
            "real_name": text(&u["realName"]),
            "avatars": text(&u["avatarUrl"]),
        })
    };
    json!({
        "id": int(&m["legacyId"]),
        "type": if m["senderSide"] == "DOCTOR" { 2 } else { 1 },
        "from_user_id": int(&m["senderLegacyId"]),
        "to_user_id": int(&m["recipientLegacyId"]),
        "content": text(&m["content"]),
        "photo": strings(&m["photoUrls"]),
        "is_read": i64::from(m["read"] == true),
        // §2.2.13 types the dialog id as a string.
        "dialog_id": text(&m["dialogLegacyId"]),
        "created_at": legacy_time(&m["createdAt"]),
        "from_user": user(&m["sender"]),
        "to_user": user(&m["recipient"]),
    })
}

fn patient(user: &Value) -> AppResult<Value> {
    if user.is_null() {
        return Ok(Value::Null);
    }
    profile(user, Shape::Patient).map(Value::Object)
}

fn dialogs(data: Value) -> AppResult<Value> {
    let conn = pick(&data, "/chatDialogs")?;
    let list = conn["nodes"]
        .as_array()
        .map(|nodes| {
            nodes
                .iter()
                .map(|d| {
                    Ok(json!({
                        "id": d["legacyId"],
                        "patient_user_id": d["patientLegacyId"],
                        "doctor_user_id": d["doctorLegacyId"],
                        // §2.2.14 types it as a string.
                        "last_msg_id": text(&d["lastMessage"]["legacyId"]),
                        "unread_count": d["unreadCount"],
                        "patient_unread_count": d["patientUnreadCount"],
                        "doctor_unread_count": d["doctorUnreadCount"],
                        "last_msg": if d["lastMessage"].is_null() {
                            Value::Null
                        } else {
                            message(&d["lastMessage"])
                        },
                        "patient_user": patient(&d["patient"])?,
                        "doctor_user": doctor(&d["doctor"])?,
                    }))
                })
                .collect::<AppResult<Vec<_>>>()
        })
        .transpose()?
        .unwrap_or_default();
    Ok(paging::paged(&data, list, &conn["totalCount"]))
}

fn sent(data: Value) -> AppResult<Value> {
    Ok(json!({ "list": [message(pick(&data, "/sendChatMessage")?)] }))
}

fn dialog_messages(data: Value) -> AppResult<Value> {
    let conn = pick(&data, "/markChatDialogRead/messages")?;
    let list = conn["nodes"]
        .as_array()
        .map(|nodes| nodes.iter().map(message).collect())
        .unwrap_or_default();
    Ok(paging::paged(&data, list, &conn["totalCount"]))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn send_form_becomes_input() {
        let mut vars = Map::new();
        vars.insert("$type".into(), json!(1));
        vars.insert("$toUserId".into(), json!("VXNlcjox"));
        vars.insert("$photo".into(), json!(r#"["http://a/files/x"]"#));
        vars.insert("$content".into(), json!("hi"));
        prepare_send(&mut vars).unwrap();
        assert_eq!(vars["input"]["side"], "PATIENT");
        assert_eq!(vars["input"]["photos"], json!(["http://a/files/x"]));
        let mut bad = Map::new();
        bad.insert("$type".into(), json!(3));
        assert!(prepare_send(&mut bad).is_err());
        assert!(photos(json!(5)).is_err());
        assert_eq!(photos(Value::Null).unwrap(), json!([]));
    }

    #[test]
    fn examples_are_json() {
        for route in routes() {
            assert!(serde_json::from_str::<Value>(route.example.unwrap()).is_ok());
        }
    }
}

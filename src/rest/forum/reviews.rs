//! Reviews in the forum dialect: the caller's reports (举报, `GET /api/UserInfo/Report`) and
//! the doctor certification upload (医师认证, `POST /api/UserInfo/uploadDoctorApproval`). The
//! certification shows in `/api/UserInfo/Details` once an administrator approved it.

use chrono::{DateTime, FixedOffset};
use http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::super::{Access, Dialect, Kind, Param, Route, Source, pick};
use crate::error::{AppError, AppResult};

const DOCTOR_APPROVAL_PARAMS: &[Param] = &[Param::required(
    "image",
    Source::File,
    Kind::Uploads,
    "images",
    "Two image parts named image: the physician qualification certificate (医师资格证) first, \
     then the practice certificate (执业证); JPEG, PNG, GIF or WebP",
)];

/// The review routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route {
            dialect: Dialect::Forum,
            method: Method::GET,
            path: "/api/UserInfo/Report",
            summary: "The caller's reports of posts and floors (举报), newest first, the whole \
                      list (up to http.dialect_list_ceiling, default 1000). report_status: 0 \
                      pending (审核中), 1 rejected (驳回), 2 approved (通过); report_time and \
                      respond_time (null until reviewed) are China Standard Time, YYYY-MM-DD \
                      HH:MM:SS, and report_date / respond_date (the example's names) their \
                      dates; floor_number is \"0\" for a report of the post itself; ids are \
                      strings.",
            access: Access::LoggedIn,
            document: include_str!("ops/report_list.graphql"),
            params: &[],
            transform: report_list,
            example: Some(
                r#"{"reportList":[{"report_id":"38","report_status":2,"report_time":"2026-11-20 09:12:45","respond_time":"2026-11-21 10:00:00","report_date":"2026-11-20","respond_date":"2026-11-21","floor_number":"3","post_id":"12"},{"report_id":"11","report_status":0,"report_time":"2026-11-19 20:01:02","respond_time":null,"report_date":"2026-11-19","respond_date":null,"floor_number":"0","post_id":"7"}]}"#,
            ),
            status: StatusCode::OK,
            prepare: Some(whole_list),
        },
        Route {
            dialect: Dialect::Forum,
            method: Method::POST,
            path: "/api/UserInfo/uploadDoctorApproval",
            summary: "Send the physician qualification certificate and the practice certificate \
                      (two multipart parts named image, in that order) for doctor certification \
                      (医师认证); an administrator reviews them. Both must be images; nothing is \
                      stored when one is refused. A request waiting for review blocks another \
                      one (409); after a rejection new images may be sent. url is the address \
                      of the qualification certificate image.",
            access: Access::LoggedIn,
            document: include_str!("ops/doctor_approval.graphql"),
            params: DOCTOR_APPROVAL_PARAMS,
            transform: doctor_approval,
            example: Some(r#"{"status":true,"url":"http://127.0.0.1:8080/files/9f86d0…"}"#),
            status: StatusCode::OK,
            prepare: None,
        },
    ]
}

/// The whole list: the document does not page.
fn whole_list(vars: &mut Map<String, Value>) -> AppResult<()> {
    vars.insert("first".into(), super::whole_list());
    Ok(())
}

/// The date part of a forum time (`2023-07-13` of `2023-07-13 09:45:11`); null stays null.
fn date_of(time: &Value) -> Value {
    time.as_str()
        .and_then(|t| t.get(..10))
        .map_or(Value::Null, Value::from)
}

/// An RFC 3339 time of the schema as the forum shows times: China Standard Time,
/// `YYYY-MM-DD HH:MM:SS`; null stays null.
fn forum_time(value: &Value) -> AppResult<Value> {
    let Some(text) = value.as_str() else {
        return Ok(Value::Null);
    };
    let time = DateTime::parse_from_rfc3339(text).map_err(AppError::internal)?;
    let china = FixedOffset::east_opt(8 * 3600)
        .ok_or_else(|| AppError::internal("China Standard Time offset"))?;
    Ok(Value::from(
        time.with_timezone(&china)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
    ))
}

/// A number of the schema as the string the document shows.
fn id_text(value: &Value) -> AppResult<Value> {
    value
        .as_i64()
        .map(|n| Value::from(n.to_string()))
        .ok_or_else(|| AppError::internal("a report without an id"))
}

fn report_list(data: Value) -> AppResult<Value> {
    let nodes = pick(&data, "/myReports/nodes")?;
    let list = nodes
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let reported = forum_time(&r["createdAt"])?;
            let responded = forum_time(&r["respondedAt"])?;
            Ok(json!({
                "report_id": id_text(&r["legacyId"])?,
                "report_status": r["statusCode"],
                "report_date": date_of(&reported),
                "respond_date": date_of(&responded),
                "report_time": reported,
                "respond_time": responded,
                "floor_number": r["floor"].as_i64().unwrap_or(0).to_string(),
                "post_id": id_text(&r["postLegacyId"])?,
            }))
        })
        .collect::<AppResult<Vec<Value>>>()?;
    Ok(crate::rest::object([("reportList", Value::Array(list))]))
}

fn doctor_approval(data: Value) -> AppResult<Value> {
    Ok(json!({
        "status": true,
        "url": pick(&data, "/submitDoctorCertification/qualificationUrl")?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_show_in_china_standard_time() {
        let t = forum_time(&Value::from("2026-11-23T16:30:05Z")).ok();
        assert_eq!(t, Some(Value::from("2026-11-24 00:30:05")));
        assert_eq!(forum_time(&Value::Null).ok(), Some(Value::Null));
    }
}

//! The REST dialect framework through the routes the spine serves.

use axum::body::Body;
use http::{Request, StatusCode};
use serde_json::json;

use crate::common::app;

#[tokio::test]
async fn volunteer_city_lists_regions_in_the_documented_shape() {
    let app = app().await;
    let (status, v) = app.get_json("/city").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["error_code"], 0);
    assert_eq!(v["error_message"], "");
    let list = v["data"]["list"].as_array().unwrap();
    assert_eq!(list.len(), 31);
    assert_eq!(
        list[0],
        json!({"id": 110000, "parent_id": 0, "name": "北京市", "short_name": "北京", "pinyin": "beijingshi", "sort": 1})
    );
    // parent_id as a number-string, as legacy clients send it.
    let (_, v) = app.get_json("/city?parent_id=330000").await;
    let list = v["data"]["list"].as_array().unwrap();
    assert_eq!(list.len(), 11);
    assert_eq!(list[0]["name"], "杭州市");
    assert_eq!(list[0]["parent_id"], 330000);
    // In a form body too.
    let (_, v) = app
        .send_json(
            Request::get("/city")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from("parent_id=330000"))
                .unwrap(),
        )
        .await;
    assert_eq!(v["data"]["list"].as_array().unwrap().len(), 11);
    // A leaf has no children.
    let (_, v) = app.get_json("/city?parent_id=110105").await;
    assert_eq!(v["data"]["list"], json!([]));
}

#[tokio::test]
async fn volunteer_bad_input_gets_the_envelope() {
    let app = app().await;
    let (status, v) = app.get_json("/city?parent_id=abc").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["error_code"], 422);
    assert_eq!(v["data"], serde_json::Value::Null);
    assert!(v["error_message"].as_str().unwrap().contains("parent_id"));
    let (_, v) = app.get_json("/area/city").await;
    assert_eq!(v["error_code"], 422);
    assert!(v["error_message"].as_str().unwrap().contains("name"));
    let (_, v) = app
        .get_json("/area/city?name=%E4%B8%8D%E5%AD%98%E5%9C%A8")
        .await;
    assert_eq!(v["error_code"], 404);
    let (status, v) = app
        .send_json(
            Request::get("/city")
                .header("content-type", "application/json")
                .body(Body::from("{not json"))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["error_code"], 422);
}

#[tokio::test]
async fn area_city_finds_districts_by_full_short_and_municipality_names() {
    let app = app().await;
    for name in ["%E6%9D%AD%E5%B7%9E%E5%B8%82", "%E6%9D%AD%E5%B7%9E"] {
        let (_, v) = app.get_json(&format!("/area/city?name={name}")).await;
        let list = v["data"]["list"].as_array().unwrap();
        assert!(list.len() >= 10, "{v}");
        assert!(list.iter().all(|d| d["parent_id"] == 330100));
        assert!(list.iter().any(|d| d["name"] == "西湖区"));
    }
    let (_, v) = app
        .get_json("/area/city?name=%E5%8C%97%E4%BA%AC%E5%B8%82")
        .await;
    let list = v["data"]["list"].as_array().unwrap();
    assert_eq!(list.len(), 16);
    assert!(list.iter().any(|d| d["name"] == "朝阳区"));
}

#[tokio::test]
async fn unknown_routes_answer_in_their_dialect() {
    let app = app().await;
    let (status, v) = app.get_json("/no/such/route").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(v["error_code"], 404);
    let (status, v) = app.get_json("/api/v2/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(v["message"].is_string() && v.get("error_code").is_none());
    let (_, v) = app.get_json("/api/UserInfo/nothing").await;
    assert_eq!(v["errorCode"], 404);
    assert_eq!(v["data"]["status"], false);
    let (_, v) = app.get_json("/api/consuntant/nothing").await;
    assert_eq!(v["code"], 404);
    let (status, v) = app.get_json("/api/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(v["code"], 404);
    assert_eq!(v["error"], "NOT_FOUND");
    // A known path with the wrong method.
    let (status, v) = app
        .send_json(Request::delete("/city").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(v["error_code"], 404);
}

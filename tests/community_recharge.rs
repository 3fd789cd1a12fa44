//! Recharging coins (充值杏仁币): forum `POST /api/HB/order`, GraphQL `rechargeCoins` and
//! `rechargeOrders`, the sandbox provider and Alipay page pay with locally generated RSA keys,
//! and the notify endpoints: a paid order is credited exactly once, whatever is replayed.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::body::Body;
use http::{Request, StatusCode};
use medgraph::payments::alipay::{notification_signing_string, request_signing_string, rsa2_sign};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::{PrivateKey, PublicKey};
use serde_json::{Value, json};

use crate::common::{self, TestApp, first_code};

const ORDER: &str = "/api/HB/order";
const APP_ID: &str = "2021000000000001";
const GATEWAY: &str = "https://openapi-sandbox.dl.alipaydev.com/gateway.do";
const PUBLIC_URL: &str = "https://api.medgraph.test";

/// The merchant's key pair and "Alipay's", generated once per test process.
struct Keys {
    merchant: PrivateKey,
    alipay: PrivateKey,
    stranger: PrivateKey,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let generate = || PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap();
        Keys {
            merchant: generate(),
            alipay: generate(),
            stranger: generate(),
        }
    })
}

fn private_pem(key: &PrivateKey) -> String {
    key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string()
}

fn public_pem(key: &PrivateKey) -> String {
    key.to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap()
}

async fn alipay_app() -> TestApp {
    let keys = keys();
    common::app_with(|config| {
        config.public_url = Some(PUBLIC_URL.into());
        config.payments.provider = Some("alipay".into());
        config.payments.alipay.app_id = Some(APP_ID.into());
        config.payments.alipay.private_key = Some(private_pem(&keys.merchant));
        config.payments.alipay.public_key = Some(public_pem(&keys.alipay));
        config.payments.alipay.gateway = GATEWAY.into();
    })
    .await
}

async fn sandbox_app() -> TestApp {
    common::app_with(|config| {
        config.payments.sandbox_secret = Some("sandbox-test-secret".into());
    })
    .await
}

/// POSTs a forum JSON body as `token`; the forum always answers HTTP 200.
async fn forum(app: &TestApp, body: Value, token: Option<&str>) -> Value {
    let (status, value) = app.call_as("POST", ORDER, Some(body), token).await;
    assert_eq!(status, StatusCode::OK, "{value}");
    value
}

/// Orders `num` coins through the forum and answers the pay page.
async fn order(app: &TestApp, token: &str, num: i64) -> String {
    let answer = forum(app, json!({ "num": num }), Some(token)).await;
    assert_eq!(answer["errorCode"], 200, "{answer}");
    answer["data"]["pay_page"].as_str().unwrap().to_owned()
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A pay page's form: its action and its hidden inputs.
pub(crate) fn parse_form(page: &str) -> (String, BTreeMap<String, String>) {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
        let end = tag[start..].find('"')? + start;
        Some(unescape(&tag[start..end]))
    };
    let form_tag = &page[page.find("<form").unwrap()..];
    let form_tag = &form_tag[..form_tag.find('>').unwrap()];
    let action = attr(form_tag, "action").unwrap();
    let mut fields = BTreeMap::new();
    for tag in page.split("<input").skip(1) {
        let tag = &tag[..tag.find('>').unwrap()];
        if attr(tag, "type").as_deref() == Some("hidden") {
            fields.insert(attr(tag, "name").unwrap(), attr(tag, "value").unwrap());
        }
    }
    (action, fields)
}

/// POSTs form fields to a notify endpoint and answers its text.
async fn notify(app: &TestApp, path: &str, fields: &BTreeMap<String, String>) -> String {
    let body = serde_urlencoded::to_string(fields).unwrap();
    let request = Request::post(path)
        .header(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .body(Body::from(body))
        .unwrap();
    let (status, headers, bytes) = app.send(request).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    String::from_utf8(bytes).unwrap()
}

async fn balance(app: &TestApp, user_id: i64) -> i64 {
    medgraph::domain::coins::balance(&app.state.services.db, user_id)
        .await
        .unwrap()
}

async fn order_row(app: &TestApp, serial: &str) -> entity::recharge_order::Model {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    entity::recharge_order::Entity::find()
        .filter(entity::recharge_order::Column::Serial.eq(serial))
        .one(&app.state.services.db)
        .await
        .unwrap()
        .unwrap()
}

/// Everything a notification may change, to compare before and after.
async fn snapshot(app: &TestApp, user_id: i64) -> (i64, i64, i64, i64) {
    (
        balance(app, user_id).await,
        app.count_rows("coin_entries").await,
        app.count_rows_where("recharge_orders", "status = 'paid'")
            .await,
        app.count_rows_where("recharge_orders", "status = 'pending'")
            .await,
    )
}

#[tokio::test]
async fn hb_order_answers_the_sandbox_pay_page() {
    let app = sandbox_app().await;
    let (user_id, token) = app.user_with_token("buyer").await;
    let answer = forum(&app, json!({"num": 3}), Some(&token)).await;
    assert_eq!(answer["errorCode"], 200, "{answer}");
    let page = answer["data"]["pay_page"].as_str().unwrap();
    assert!(page.starts_with("<form"), "{page}");
    assert!(page.ends_with("<script>document.forms[0].submit();</script>"));
    let (action, fields) = parse_form(page);
    assert!(action.ends_with("/payments/sandbox/notify"), "{action}");
    assert_eq!(fields["total_amount"], "3.00");
    assert_eq!(fields["trade_status"], "TRADE_SUCCESS");
    let order = order_row(&app, &fields["out_trade_no"]).await;
    assert_eq!(
        (
            order.user_id,
            order.coins,
            order.amount_cents,
            order.status.as_str()
        ),
        (user_id, 3, 300, "pending")
    );
    assert!(order.serial.starts_with('R') && order.serial.len() == 23);
    assert_eq!(balance(&app, user_id).await, 0, "nothing is credited yet");

    // Numbers as strings are accepted, as legacy clients send them.
    let answer = forum(&app, json!({"num": "2"}), Some(&token)).await;
    assert_eq!(answer["errorCode"], 200, "{answer}");
    assert_eq!(app.count_rows("recharge_orders").await, 2);
}

#[tokio::test]
async fn hb_order_refuses_bad_numbers_and_anonymous_callers() {
    let app = sandbox_app().await;
    let (_, token) = app.user_with_token("buyer").await;
    for num in [
        json!(0),
        json!(-3),
        json!(10_001),
        json!(3_000_000_000i64),
        json!("three"),
        json!(1.5),
        json!(null),
    ] {
        let answer = forum(&app, json!({ "num": num }), Some(&token)).await;
        assert_eq!(answer["errorCode"], 422, "num {num}: {answer}");
        assert_eq!(answer["data"]["status"], false);
        assert_eq!(answer["data"]["errorType"], "BAD_USER_INPUT");
    }
    let answer = forum(&app, json!({}), Some(&token)).await;
    assert_eq!(answer["errorCode"], 422, "{answer}");
    let answer = forum(&app, json!({"num": 3}), None).await;
    assert_eq!(answer["errorCode"], 401, "{answer}");
    assert_eq!(app.count_rows("recharge_orders").await, 0);
    assert_eq!(app.count_rows("coin_entries").await, 0);
}

#[tokio::test]
async fn sandbox_payment_credits_once_and_refuses_bad_signatures() {
    let app = sandbox_app().await;
    let (user_id, token) = app.user_with_token("buyer").await;
    let page = order(&app, &token, 3).await;
    let (action, fields) = parse_form(&page);
    let path = &action[action.find("/payments/").unwrap()..];

    // A forged notification: the amount changed after signing, then a made-up signature.
    let mut tampered = fields.clone();
    tampered.insert("total_amount".into(), "300.00".into());
    assert_eq!(notify(&app, path, &tampered).await, "failure");
    let mut forged = fields.clone();
    forged.insert("sign".into(), "00".repeat(32));
    assert_eq!(notify(&app, path, &forged).await, "failure");
    let mut unsigned = fields.clone();
    unsigned.remove("sign");
    assert_eq!(notify(&app, path, &unsigned).await, "failure");
    assert_eq!(snapshot(&app, user_id).await, (0, 0, 0, 1));

    // What the pay page posts: paid, credited once.
    assert_eq!(notify(&app, path, &fields).await, "success");
    assert_eq!(snapshot(&app, user_id).await, (3, 1, 1, 0));
    let order = order_row(&app, &fields["out_trade_no"]).await;
    assert_eq!(order.status, "paid");
    assert_eq!(
        order.provider_trade_no.as_deref(),
        Some(fields["trade_no"].as_str())
    );
    assert!(order.paid_at.is_some());
    let entries = medgraph::domain::coins::entries(
        &app.state.services.db,
        user_id,
        None,
        medgraph::domain::PageRequest::new(0, 10).unwrap(),
        false,
    )
    .await
    .unwrap()
    .items;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].amount, 3);
    assert_eq!(entries[0].balance_after, 3);
    assert_eq!(entries[0].related_type.as_deref(), Some("recharge_order"));
    assert_eq!(entries[0].related_id, Some(order.id));
    assert!(entries[0].reason.contains("充值"), "{}", entries[0].reason);

    // Replays are acknowledged and change nothing.
    for _ in 0..3 {
        assert_eq!(notify(&app, path, &fields).await, "success");
    }
    assert_eq!(snapshot(&app, user_id).await, (3, 1, 1, 0));

    // The sandbox notification is not Alipay's.
    assert_eq!(
        notify(&app, "/payments/alipay/notify", &fields).await,
        "failure"
    );
    assert_eq!(
        medgraph::domain::coins::ledger_sum(&app.state.services.db, user_id)
            .await
            .unwrap(),
        3
    );
}

#[tokio::test]
async fn concurrent_replays_credit_once() {
    // On SQLite a file database, so the replays really run on concurrent connections.
    let app = common::app_with(|config| {
        config.payments.sandbox_secret = Some("sandbox-test-secret".into());
        if !common::on_postgres() {
            config.database_url = Some(format!(
                "sqlite://{}?mode=rwc",
                config.data_dir.join("recharge.db").display()
            ));
        }
    })
    .await;
    let (user_id, token) = app.user_with_token("buyer").await;
    let page = order(&app, &token, 7).await;
    let (action, fields) = parse_form(&page);
    let path = action[action.find("/payments/").unwrap()..].to_owned();
    let answers = futures::future::join_all((0..10).map(|_| notify(&app, &path, &fields))).await;
    assert!(answers.iter().all(|a| a == "success"), "{answers:?}");
    assert_eq!(snapshot(&app, user_id).await, (7, 1, 1, 0));
    assert_eq!(
        app.count_rows_where("coin_entries", "related_type = 'recharge_order'")
            .await,
        1
    );
}

#[tokio::test]
async fn graphql_recharges_and_lists_the_callers_orders() {
    let app = sandbox_app().await;
    let (user_id, token) = app.user_with_token("buyer").await;
    let (_, other) = app.user_with_token("other").await;
    let checkout = app
        .graphql(
            "mutation { rechargeCoins(coins: 5) { payPage order { id serial coins amountCents amount provider status paidAt } } }",
            json!({}),
            Some(&token),
        )
        .await;
    let order = &checkout["data"]["rechargeCoins"]["order"];
    assert_eq!(order["coins"], 5, "{checkout}");
    assert_eq!(order["amountCents"], 500);
    assert_eq!(order["amount"], "5.00");
    assert_eq!(order["provider"], "sandbox");
    assert_eq!(order["status"], "PENDING");
    let page = checkout["data"]["rechargeCoins"]["payPage"]
        .as_str()
        .unwrap();
    let (action, fields) = parse_form(page);
    let path = &action[action.find("/payments/").unwrap()..];
    assert_eq!(notify(&app, path, &fields).await, "success");
    app.graphql(
        "mutation { rechargeCoins(coins: 1) { order { serial } } }",
        json!({}),
        Some(&token),
    )
    .await;

    let list = app
        .graphql(
            "{ rechargeOrders(first: 1) { totalCount pageInfo { hasNextPage } nodes { serial coins status providerTradeNo } } }",
            json!({}),
            Some(&token),
        )
        .await;
    let orders = &list["data"]["rechargeOrders"];
    assert_eq!(orders["totalCount"], 2, "{list}");
    assert_eq!(orders["pageInfo"]["hasNextPage"], true);
    assert_eq!(orders["nodes"][0]["coins"], 1, "newest first");
    assert_eq!(orders["nodes"][0]["status"], "PENDING");
    let list = app
        .graphql(
            "{ rechargeOrders { nodes { serial status providerTradeNo } } }",
            json!({}),
            Some(&token),
        )
        .await;
    let paid = &list["data"]["rechargeOrders"]["nodes"][1];
    assert_eq!(paid["serial"], order["serial"]);
    assert_eq!(paid["status"], "PAID");
    assert_eq!(paid["providerTradeNo"], fields["trade_no"].as_str());
    assert_eq!(balance(&app, user_id).await, 5);

    // Another user sees none of them; anonymous callers and bad input are refused.
    let list = app
        .graphql("{ rechargeOrders { totalCount } }", json!({}), Some(&other))
        .await;
    assert_eq!(list["data"]["rechargeOrders"]["totalCount"], 0);
    let anonymous = app
        .graphql("{ rechargeOrders { totalCount } }", json!({}), None)
        .await;
    assert_eq!(first_code(&anonymous), "UNAUTHENTICATED");
    let bad = app
        .graphql(
            "mutation { rechargeCoins(coins: 0) { payPage } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(first_code(&bad), "BAD_USER_INPUT");
    assert_eq!(bad["errors"][0]["extensions"]["field"], "coins");
    assert_eq!(app.count_rows("recharge_orders").await, 2);
}

#[tokio::test]
async fn production_without_a_provider_is_unavailable() {
    let app = common::app_with(|config| config.production = true).await;
    let (_, token) = app.user_with_token("buyer").await;
    let answer = forum(&app, json!({"num": 3}), Some(&token)).await;
    assert_eq!(answer["errorCode"], 503, "{answer}");
    assert_eq!(answer["data"]["errorType"], "UNAVAILABLE");
    assert_eq!(app.count_rows("recharge_orders").await, 0);
    let mut fields = BTreeMap::new();
    fields.insert("out_trade_no".to_owned(), "R1".to_owned());
    assert_eq!(
        notify(&app, "/payments/sandbox/notify", &fields).await,
        "failure"
    );

    // The sandbox would hand out coins for nothing: refused in production.
    let mut config = (*app.state.services.config).clone();
    config.payments.provider = Some("sandbox".into());
    assert!(config.validate().is_err());
    assert!(medgraph::payments::Payments::from_config(&config).is_err());
}

/// The signed page-pay request of an Alipay pay page: the action's query and the form fields.
fn alipay_request(page: &str, expected_gateway: &str) -> BTreeMap<String, String> {
    let (action, fields) = parse_form(page);
    let (gateway, query) = action.split_once('?').unwrap();
    assert_eq!(gateway, expected_gateway);
    let mut params: BTreeMap<String, String> = serde_urlencoded::from_str(query).unwrap();
    assert_eq!(fields.keys().collect::<Vec<_>>(), ["biz_content"]);
    params.extend(fields);
    params
}

/// A notification for `serial` as Alipay sends it, signed with `key`.
fn alipay_notice(
    serial: &str,
    amount: &str,
    app_id: &str,
    key: &PrivateKey,
) -> BTreeMap<String, String> {
    let mut fields: BTreeMap<String, String> = [
        ("gmt_create", "2026-11-24 10:00:00"),
        ("charset", "utf-8"),
        ("gmt_payment", "2026-11-24 10:00:05"),
        ("notify_time", "2026-11-24 10:00:06"),
        ("subject", "杏仁币充值 3 枚"),
        ("buyer_id", "2088102177846880"),
        ("invoice_amount", amount),
        ("version", "1.0"),
        ("notify_id", "2026112400222100006000000000000000"),
        (
            "fund_bill_list",
            "[{\"amount\":\"3.00\",\"fundChannel\":\"ALIPAYACCOUNT\"}]",
        ),
        ("notify_type", "trade_status_sync"),
        ("out_trade_no", serial),
        ("total_amount", amount),
        ("trade_status", "TRADE_SUCCESS"),
        ("trade_no", "2026112422001446880500000001"),
        ("auth_app_id", app_id),
        ("receipt_amount", amount),
        ("point_amount", "0.00"),
        ("buyer_pay_amount", amount),
        ("app_id", app_id),
        ("seller_id", "2088102177649450"),
        ("passback_params", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let content = notification_signing_string(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    fields.insert("sign".into(), rsa2_sign(key, &content).unwrap());
    fields.insert("sign_type".into(), "RSA2".into());
    fields
}

#[tokio::test]
async fn alipay_pay_page_is_a_signed_page_pay_request() {
    let app = alipay_app().await;
    let (user_id, token) = app.user_with_token("buyer").await;
    let page = order(&app, &token, 3).await;
    assert!(
        page.starts_with("<form name=\"punchout_form\" method=\"post\""),
        "{page}"
    );
    assert!(page.contains("<input type=\"submit\" value=\"立即支付\" style=\"display:none\" >"));
    assert!(page.ends_with("<script>document.forms[0].submit();</script>"));
    let params = alipay_request(&page, GATEWAY);
    assert_eq!(params["app_id"], APP_ID);
    assert_eq!(params["method"], "alipay.trade.page.pay");
    assert_eq!(params["format"], "JSON");
    assert_eq!(params["charset"], "utf-8");
    assert_eq!(params["sign_type"], "RSA2");
    assert_eq!(params["version"], "1.0");
    assert_eq!(
        params["notify_url"],
        format!("{PUBLIC_URL}/payments/alipay/notify")
    );
    assert_eq!(params["return_url"], format!("{PUBLIC_URL}/"));
    assert!(
        chrono::NaiveDateTime::parse_from_str(&params["timestamp"], "%Y-%m-%d %H:%M:%S").is_ok(),
        "{}",
        params["timestamp"]
    );
    let biz: Value = serde_json::from_str(&params["biz_content"]).unwrap();
    let serial = biz["out_trade_no"].as_str().unwrap();
    assert_eq!(biz["product_code"], "FAST_INSTANT_TRADE_PAY");
    assert_eq!(biz["total_amount"], "3.00");
    assert_eq!(biz["subject"], "杏仁币充值 3 枚");
    let order = order_row(&app, serial).await;
    assert_eq!(
        (order.user_id, order.provider.as_str()),
        (user_id, "alipay")
    );

    // The signature verifies with the merchant's public key over the sorted parameters.
    let content = request_signing_string(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    assert!(content.starts_with(&format!("app_id={APP_ID}&biz_content={{")));
    assert!(!content.contains("sign="));
    let merchant: PublicKey = keys().merchant.to_public_key();
    assert!(medgraph::payments::alipay::rsa2_verify(
        &merchant,
        &content,
        &params["sign"]
    ));
    assert!(!medgraph::payments::alipay::rsa2_verify(
        &merchant,
        &content.replace("3.00", "0.01"),
        &params["sign"]
    ));
}

#[tokio::test]
async fn alipay_notifications_credit_once_and_forgeries_change_nothing() {
    let app = alipay_app().await;
    let keys = keys();
    let (user_id, token) = app.user_with_token("buyer").await;
    let page = order(&app, &token, 3).await;
    let biz: Value = serde_json::from_str(&alipay_request(&page, GATEWAY)["biz_content"]).unwrap();
    let serial = biz["out_trade_no"].as_str().unwrap().to_owned();
    let path = "/payments/alipay/notify";
    let good = alipay_notice(&serial, "3.00", APP_ID, &keys.alipay);

    // Tampered after signing, signed by someone else, for another app, another amount or an
    // unknown order, or not signed at all: refused, nothing changes.
    let mut tampered = good.clone();
    tampered.insert("total_amount".into(), "0.01".into());
    let mut no_sign = good.clone();
    no_sign.remove("sign");
    let mut wrong_type = good.clone();
    wrong_type.insert("sign_type".into(), "RSA".into());
    for (what, fields) in [
        ("tampered", tampered),
        (
            "merchant's own key",
            alipay_notice(&serial, "3.00", APP_ID, &keys.merchant),
        ),
        (
            "stranger's key",
            alipay_notice(&serial, "3.00", APP_ID, &keys.stranger),
        ),
        (
            "another app",
            alipay_notice(&serial, "3.00", "2021999999999999", &keys.alipay),
        ),
        (
            "another amount",
            alipay_notice(&serial, "0.01", APP_ID, &keys.alipay),
        ),
        (
            "unknown order",
            alipay_notice("R2026010100000000000000", "3.00", APP_ID, &keys.alipay),
        ),
        ("unsigned", no_sign),
        ("sign_type RSA", wrong_type),
    ] {
        assert_eq!(notify(&app, path, &fields).await, "failure", "{what}");
        assert_eq!(snapshot(&app, user_id).await, (0, 0, 0, 1), "{what}");
    }
    // Not a form at all.
    let request = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("a=1&a=2"))
        .unwrap();
    assert_eq!(app.send(request).await.2, b"failure");

    // The genuine notification credits once; replays are acknowledged and change nothing.
    assert_eq!(notify(&app, path, &good).await, "success");
    assert_eq!(snapshot(&app, user_id).await, (3, 1, 1, 0));
    let order = order_row(&app, &serial).await;
    assert_eq!(order.status, "paid");
    assert_eq!(
        order.provider_trade_no.as_deref(),
        Some("2026112422001446880500000001")
    );
    let replays = futures::future::join_all((0..10).map(|_| notify(&app, path, &good))).await;
    assert!(replays.iter().all(|a| a == "success"), "{replays:?}");
    assert_eq!(snapshot(&app, user_id).await, (3, 1, 1, 0));

    // TRADE_FINISHED (Alipay's later notice of the same trade) changes nothing either.
    let mut finished = good.clone();
    finished.insert("trade_status".into(), "TRADE_FINISHED".into());
    finished.remove("sign");
    finished.remove("sign_type");
    let content =
        notification_signing_string(finished.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    finished.insert("sign".into(), rsa2_sign(&keys.alipay, &content).unwrap());
    assert_eq!(notify(&app, path, &finished).await, "success");
    assert_eq!(snapshot(&app, user_id).await, (3, 1, 1, 0));

    // The sandbox endpoint is closed when Alipay is the provider.
    assert_eq!(
        notify(&app, "/payments/sandbox/notify", &good).await,
        "failure"
    );
}

#[tokio::test]
async fn alipay_keys_load_from_pkcs1_pem_and_files() {
    let keys = keys();
    let dir = tempfile::tempdir().unwrap();
    let private_path = dir.path().join("app_private_key.pem");
    std::fs::write(
        &private_path,
        keys.merchant
            .to_pkcs1_pem(LineEnding::LF)
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    let public_path = dir.path().join("alipay_public_key.pem");
    std::fs::write(&public_path, public_pem(&keys.alipay)).unwrap();
    let app = common::app_with(|config| {
        config.payments.provider = Some("alipay".into());
        config.payments.alipay.app_id = Some(APP_ID.into());
        config.payments.alipay.private_key_path = Some(private_path.clone());
        config.payments.alipay.public_key_path = Some(public_path.clone());
        config.payments.notify_url = Some("https://pay.medgraph.test/notify".into());
    })
    .await;
    let (_, token) = app.user_with_token("buyer").await;
    let params = alipay_request(
        &order(&app, &token, 1).await,
        "https://openapi.alipay.com/gateway.do",
    );
    assert_eq!(params["notify_url"], "https://pay.medgraph.test/notify");
    let content = request_signing_string(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    assert!(medgraph::payments::alipay::rsa2_verify(
        &keys.merchant.to_public_key(),
        &content,
        &params["sign"]
    ));

    // Bare base64 keys (as Alipay's tools print them) work too; garbage does not.
    let bare = |pem: &str| -> String { pem.lines().filter(|l| !l.starts_with("-----")).collect() };
    assert!(
        medgraph::payments::alipay::parse_private_key(&bare(&private_pem(&keys.merchant))).is_ok()
    );
    assert!(medgraph::payments::alipay::parse_public_key(&bare(&public_pem(&keys.alipay))).is_ok());
    let mut config = medgraph::config::Config::default();
    config.payments.provider = Some("alipay".into());
    config.payments.alipay.app_id = Some(APP_ID.into());
    config.payments.alipay.private_key =
        Some("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----".into());
    config.payments.alipay.public_key = Some(public_pem(&keys.alipay));
    assert!(medgraph::payments::Payments::from_config(&config).is_err());
    config.payments.alipay.app_id = None;
    assert!(config.validate().is_err());
    let debug = format!("{:?}", config.payments);
    assert!(
        !debug.contains("AAAA"),
        "the private key is not in Debug output"
    );
}

//! Recharging coins in the forum dialect (充值杏仁币): `POST /api/HB/order` with `{"num": 3}`
//! answers the payment page of the configured provider, an HTML form that submits itself.

use http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::super::{Access, Dialect, Kind, Param, Route, Source, pick};
use crate::error::{AppError, AppResult};

const ORDER_PARAMS: &[Param] = &[Param::required(
    "num",
    Source::Body,
    Kind::Int,
    "coins",
    "How many coins (杏仁币) to buy: 1 to payments.max_coins_per_order (default 10000), at \
     payments.coin_price_cents each (default 1 yuan)",
)];

/// The recharge routes.
pub fn routes() -> Vec<Route> {
    vec![Route {
        dialect: Dialect::Forum,
        method: Method::POST,
        path: "/api/HB/order",
        summary: "Order coins (充值杏仁币) for the caller: creates a pending recharge order and \
                  answers pay_page, the configured provider's payment page (Alipay page pay: a \
                  form posting the signed alipay.trade.page.pay request to the gateway; in \
                  development the sandbox's form, which confirms the payment at once). The coins \
                  are credited when the provider's notification arrives. 503 when no payment \
                  provider is configured.",
        access: Access::LoggedIn,
        document: include_str!("ops/recharge_order.graphql"),
        params: ORDER_PARAMS,
        transform: order,
        example: Some(
            r#"{"pay_page":"<form name=\"punchout_form\" method=\"post\" action=\"https://openapi.alipay.com/gateway.do?app_id=…&amp;method=alipay.trade.page.pay&amp;…&amp;sign=…\">\n<input type=\"hidden\" name=\"biz_content\" value=\"{&quot;out_trade_no&quot;:&quot;R2026112410000012345678&quot;,&quot;product_code&quot;:&quot;FAST_INSTANT_TRADE_PAY&quot;,&quot;total_amount&quot;:&quot;3.00&quot;,&quot;subject&quot;:&quot;杏仁币充值 3 枚&quot;}\">\n<input type=\"submit\" value=\"立即支付\" style=\"display:none\" >\n</form>\n<script>document.forms[0].submit();</script>"}"#,
        ),
        status: StatusCode::OK,
        prepare: Some(prepare_order),
    }]
}

/// A number of coins beyond any order is refused here under its documented name (the schema's
/// `Int` would refuse it in GraphQL's words).
fn prepare_order(vars: &mut Map<String, Value>) -> AppResult<()> {
    match vars.get("coins").and_then(Value::as_i64) {
        Some(n) if i32::try_from(n).is_ok() => Ok(()),
        _ => Err(AppError::bad_field(
            "num",
            "num must be a number of coins from 1 to payments.max_coins_per_order",
        )),
    }
}

fn order(data: Value) -> AppResult<Value> {
    Ok(json!({"pay_page": pick(&data, "/rechargeCoins/payPage")?}))
}

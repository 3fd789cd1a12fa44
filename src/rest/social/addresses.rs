//! Shipping addresses of the social dialect (`/api/v2/user/addresses*`, 收货地址): the caller's
//! list (newest first, a bare array: at most 20 exist), one address, add (201), edit with PUT
//! or PATCH (200 with the address), delete (204). Another user's address is 404.
//!
//! Every field is optional at this layer so that the domain can report every invalid one at
//! once: a 422 answers `{"message", "errors": {field: [messages]}}` with the legacy field
//! names. Times are `2019-04-13 04:34:33` (UTC), as documented.

use chrono::{DateTime, Utc};
use http::{Method, StatusCode};
use serde_json::{Map, Value};

use super::super::{Access, Dialect, Kind, Param, Route, Source, pick};
use crate::error::{AppError, AppResult};
use crate::graphql::node::decode_int_id;

const ID: Param = Param::required(
    "id",
    Source::Path,
    Kind::NodeId("ShippingAddress"),
    "id",
    "Id of one of the caller's addresses",
);

const ID_PARAMS: &[Param] = &[ID];

/// The address fields; their variables are the `ShippingAddressInput` fields.
const FIELDS: [Param; 9] = [
    Param::optional(
        "alias",
        Source::Body,
        Kind::String,
        "alias",
        "Alias such as 家里 or 公司; at most 24 bytes in GB18030 (ASCII 1, Chinese 2, emoji 4)",
    ),
    Param::optional(
        "name",
        Source::Body,
        Kind::String,
        "name",
        "Recipient's name (required to add); at most 24 bytes in GB18030",
    ),
    Param::optional(
        "phone",
        Source::Body,
        Kind::String,
        "phone",
        "Recipient's mainland mobile number (required to add)",
    ),
    Param::optional(
        "province",
        Source::Body,
        Kind::String,
        "province",
        "Province; at most 32 bytes in GB18030",
    ),
    Param::optional(
        "city",
        Source::Body,
        Kind::String,
        "city",
        "City; at most 32 bytes in GB18030",
    ),
    Param::optional(
        "county",
        Source::Body,
        Kind::String,
        "county",
        "County or district; at most 32 bytes in GB18030",
    ),
    Param::optional(
        "detail",
        Source::Body,
        Kind::String,
        "detail",
        "Detailed address (required to add); at most 160 bytes in GB18030",
    ),
    Param::optional(
        "postcode",
        Source::Body,
        Kind::String,
        "postcode",
        "Postcode: exactly 6 digits",
    ),
    Param::optional(
        "is_default",
        Source::Body,
        Kind::Bool,
        "isDefault",
        "Whether it is the default address (required to add); true makes the previous default \
         an ordinary address",
    ),
];

const UPDATE_PARAMS: [Param; 10] = {
    let mut params = [ID; 10];
    let mut i = 0;
    while i < FIELDS.len() {
        params[i + 1] = FIELDS[i];
        i += 1;
    }
    params
};

const ADDRESS_EXAMPLE: &str = r#"{"id":1,"user_id":1,"alias":"公司","name":"张三","phone":"18818181818","province":"四川省","city":"成都市","county":"高新区","detail":"环球中心E1区9楼","postcode":"610000","is_default":false,"created_at":"2019-04-13 04:34:33","updated_at":"2019-04-13 04:44:12"}"#;

fn route(
    method: Method,
    path: &'static str,
    summary: &'static str,
    document: &'static str,
    params: &'static [Param],
    transform: fn(Value) -> AppResult<Value>,
    status: StatusCode,
) -> Route {
    Route {
        dialect: Dialect::Social,
        method,
        path,
        summary,
        access: Access::LoggedIn,
        document,
        params,
        transform,
        example: (status != StatusCode::NO_CONTENT).then_some(ADDRESS_EXAMPLE),
        status,
        prepare: Some(nest_input),
    }
}

/// The address routes.
pub fn routes() -> Vec<Route> {
    let update = |method| {
        route(
            method,
            "/api/v2/user/addresses/{id}",
            "Edit one of the caller's shipping addresses (PUT or PATCH): only the given fields \
             change; is_default=true makes it the only default. 404 for another user's; 422 \
             lists every invalid field.",
            concat!(
                include_str!("ops/address_update.graphql"),
                include_str!("ops/address_fields.graphql")
            ),
            &UPDATE_PARAMS,
            one,
            StatusCode::OK,
        )
    };
    let mut list = route(
        Method::GET,
        "/api/v2/user/addresses",
        "The caller's shipping addresses (收货地址), newest first, as a bare array (at most 20 \
         exist; at most one is the default)",
        concat!(
            include_str!("ops/address_list.graphql"),
            include_str!("ops/address_fields.graphql")
        ),
        &[],
        many,
        StatusCode::OK,
    );
    list.example = Some(LIST_EXAMPLE);
    vec![
        list,
        route(
            Method::GET,
            "/api/v2/user/addresses/{id}",
            "One of the caller's shipping addresses (404 for another user's)",
            concat!(
                include_str!("ops/address_one.graphql"),
                include_str!("ops/address_fields.graphql")
            ),
            ID_PARAMS,
            one_or_404,
            StatusCode::OK,
        ),
        route(
            Method::POST,
            "/api/v2/user/addresses",
            "Add a shipping address (201 with it): name, phone, detail and is_default are \
             required; lengths in GB18030 bytes; at most 20 per user. 422 lists every invalid \
             field and nothing is saved.",
            concat!(
                include_str!("ops/address_create.graphql"),
                include_str!("ops/address_fields.graphql")
            ),
            &FIELDS,
            one,
            StatusCode::CREATED,
        ),
        update(Method::PUT),
        update(Method::PATCH),
        route(
            Method::DELETE,
            "/api/v2/user/addresses/{id}",
            "Delete one of the caller's shipping addresses (404 for another user's)",
            include_str!("ops/address_delete.graphql"),
            ID_PARAMS,
            super::super::empty,
            StatusCode::NO_CONTENT,
        ),
    ]
}

const LIST_EXAMPLE: &str = r#"[{"id":1,"user_id":1,"alias":"公司","name":"张三","phone":"18818181818","province":"四川省","city":"成都市","county":"高新区","detail":"环球中心E1区9楼","postcode":"610000","is_default":false,"created_at":"2019-04-13 04:34:33","updated_at":"2019-04-13 04:44:12"}]"#;

/// Moves the address fields into `input` (the path `id` stays a variable of its own).
fn nest_input(vars: &mut Map<String, Value>) -> AppResult<()> {
    let mut input = Map::new();
    for param in FIELDS {
        if let Some(value) = vars.remove(param.var) {
            input.insert(param.var.to_owned(), value);
        }
    }
    vars.insert("input".into(), Value::Object(input));
    Ok(())
}

/// A GraphQL `DateTime` as `2019-04-13 04:34:33` (UTC).
fn time(value: &Value) -> Value {
    match value.as_str().map(DateTime::parse_from_rfc3339) {
        Some(Ok(t)) => Value::String(
            t.with_timezone(&Utc)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
        ),
        _ => value.clone(),
    }
}

/// The documented address object.
fn address_object(a: &Value) -> AppResult<Value> {
    let id = a["id"]
        .as_str()
        .ok_or_else(|| AppError::internal("an address without an id"))?;
    let owner = a["owner"]["id"]
        .as_str()
        .ok_or_else(|| AppError::internal("an address without its owner"))?;
    let mut out = Map::new();
    out.insert(
        "id".into(),
        Value::from(decode_int_id(id, "ShippingAddress")?),
    );
    out.insert("user_id".into(), Value::from(decode_int_id(owner, "User")?));
    for (legacy, field) in [
        ("alias", "alias"),
        ("name", "name"),
        ("phone", "phone"),
        ("province", "province"),
        ("city", "city"),
        ("county", "county"),
        ("detail", "detail"),
        ("postcode", "postcode"),
        ("is_default", "isDefault"),
    ] {
        // Optional fields left empty are "", never null.
        let value = if field == "isDefault" {
            Value::Bool(a[field].as_bool().unwrap_or(false))
        } else {
            super::identity::or_empty(&a[field])
        };
        out.insert(legacy.into(), value);
    }
    out.insert("created_at".into(), time(&a["createdAt"]));
    out.insert("updated_at".into(), time(&a["updatedAt"]));
    Ok(Value::Object(out))
}

fn many(data: Value) -> AppResult<Value> {
    let nodes = pick(&data, "/myShippingAddresses/nodes")?;
    Ok(Value::Array(
        nodes
            .as_array()
            .map(|n| n.iter().map(address_object).collect::<AppResult<Vec<_>>>())
            .transpose()?
            .unwrap_or_default(),
    ))
}

fn one_or_404(data: Value) -> AppResult<Value> {
    let address = pick(&data, "/shippingAddress")?;
    if address.is_null() {
        return Err(AppError::NotFound("no such shipping address".into()));
    }
    address_object(address)
}

/// The address a create or update answered.
fn one(data: Value) -> AppResult<Value> {
    let address = data
        .as_object()
        .and_then(|o| o.values().next())
        .cloned()
        .ok_or_else(|| AppError::internal("no address in the result"))?;
    address_object(&address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_documented_format() {
        assert_eq!(
            time(&Value::from("2019-04-13T04:34:33.123Z")),
            "2019-04-13 04:34:33"
        );
    }

    #[test]
    fn update_params_are_the_id_and_the_fields() {
        assert_eq!(UPDATE_PARAMS[0].name, "id");
        assert_eq!(UPDATE_PARAMS[9].name, "is_default");
    }
}

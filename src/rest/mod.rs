//! The legacy REST dialects, as a thin declarative layer over the GraphQL schema.
//!
//! A [`Route`] is declared once: method, documented path, the GraphQL document it executes
//! in-process, where each parameter comes from and which variable it becomes, and how the result
//! is shaped into the dialect's data. The [`Dialect`] wraps data and errors into its envelope and
//! HTTP status. The OpenAPI document is generated from the same tables.

pub mod contract;
pub mod dialect;
mod extract;
mod handler;
pub mod openapi;

pub mod counseling;
pub mod forum;
pub mod medassist;
pub mod social;
pub mod volunteer;

use http::Method;
use serde_json::Value;

pub use dialect::Dialect;
pub use extract::{nul_error, refuse_nul};
pub use handler::{dialect_fallback, refuse_cross_site_cookie, router};

use crate::error::AppResult;

/// Where a parameter is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A `{name}` segment of the path.
    Path,
    /// The query string, then the body (legacy clients mix them up).
    Query,
    /// The body (JSON object, form-encoded or multipart text field), then the query string.
    Body,
    /// A request header.
    Header,
    /// A multipart file part; becomes a GraphQL `Upload`.
    File,
    /// A cookie (the captcha binding of the volunteer dialect).
    Cookie,
}

/// What a parameter holds; strings are accepted for numbers and booleans (`"12"`, `"true"`,
/// `"1"`), as legacy clients send them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Float,
    String,
    Bool,
    /// Any JSON value, passed through.
    Json,
    /// A file (with [`Source::File`]).
    Upload,
    /// One or more files under one part name (with [`Source::File`]); a GraphQL `[Upload!]`.
    Uploads,
    /// A legacy integer id of the named GraphQL type, passed on as its global `ID`.
    NodeId(&'static str),
}

/// One documented parameter and the GraphQL variable it becomes.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// Name as the legacy clients send it.
    pub name: &'static str,
    pub source: Source,
    pub kind: Kind,
    /// GraphQL variable name.
    pub var: &'static str,
    pub required: bool,
    /// JSON literal used when the parameter is absent.
    pub default: Option<&'static str>,
    /// Shown in the OpenAPI document.
    pub description: &'static str,
}

impl Param {
    /// An optional parameter without default.
    pub const fn optional(
        name: &'static str,
        source: Source,
        kind: Kind,
        var: &'static str,
        description: &'static str,
    ) -> Self {
        Self {
            name,
            source,
            kind,
            var,
            required: false,
            default: None,
            description,
        }
    }

    /// A required parameter.
    pub const fn required(
        name: &'static str,
        source: Source,
        kind: Kind,
        var: &'static str,
        description: &'static str,
    ) -> Self {
        let mut param = Self::optional(name, source, kind, var, description);
        param.required = true;
        param
    }

    /// The same parameter with a default.
    pub const fn with_default(mut self, literal: &'static str) -> Self {
        self.default = Some(literal);
        self
    }
}

/// Whether a route needs a logged-in caller (documentation; the schema enforces it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    LoggedIn,
}

/// Shapes the GraphQL `data` into the dialect's `data`.
pub type Transform = fn(Value) -> AppResult<Value>;

/// Adjusts the variables before execution where a legacy argument does not map one-to-one
/// (a code table, "0 means me", one path segment that may be an id or a name). Keys it adds
/// with a leading `$` are not sent as variables but handed to the transform next to the data
/// (the page a legacy list asked for).
pub type Prepare = fn(&mut serde_json::Map<String, Value>) -> AppResult<()>;

/// One legacy endpoint.
#[derive(Debug, Clone)]
pub struct Route {
    pub dialect: Dialect,
    pub method: Method,
    /// Documented path, with `{name}` segments.
    pub path: &'static str,
    pub summary: &'static str,
    pub access: Access,
    /// The GraphQL document executed (from a `.graphql` file next to the route table).
    pub document: &'static str,
    pub params: &'static [Param],
    pub transform: Transform,
    /// Example of the dialect's `data` for the OpenAPI document.
    pub example: Option<&'static str>,
    /// HTTP status of a success (social answers 201 and 204; enveloped dialects always 200).
    pub status: http::StatusCode,
    /// Variable adjustments, when the arguments need more than a rename.
    pub prepare: Option<Prepare>,
}

/// Every route of every dialect.
pub fn all_routes() -> Vec<Route> {
    let mut routes = Vec::new();
    routes.extend(forum::routes());
    routes.extend(volunteer::routes());
    routes.extend(medassist::routes());
    routes.extend(social::routes());
    routes.extend(counseling::routes());
    routes
}

/// Drops the dialect's data (commands that answer an empty `data`).
pub fn empty(_: Value) -> AppResult<Value> {
    Ok(Value::Object(serde_json::Map::new()))
}

/// Returns the value at `pointer` (RFC 6901) of the GraphQL data.
pub fn pick<'a>(data: &'a Value, pointer: &str) -> AppResult<&'a Value> {
    data.pointer(pointer)
        .ok_or_else(|| crate::error::AppError::internal(format!("result has no {pointer}")))
}

/// A JSON object of `fields`, moving each value in. `serde_json::json!` copies every value that
/// is not a literal through `to_value`, so `json!({"data": data})` copies the whole answer once
/// more; answers and envelopes are built with this instead.
pub fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    Value::Object(
        fields
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect(),
    )
}

/// A document's answer as the JSON the transforms read: the JSON that
/// [`async_graphql::Value::into_json`] gives, with the strings moved instead of serialised and
/// copied one by one (that conversion was a tenth of a list route's CPU).
pub fn answer_json(value: async_graphql::Value) -> Value {
    use async_graphql::Value as G;
    match value {
        G::Null => Value::Null,
        G::Number(n) => Value::Number(n),
        G::String(s) => Value::String(s),
        G::Boolean(b) => Value::Bool(b),
        G::Enum(name) => Value::String(name.as_str().to_owned()),
        G::Binary(bytes) => Value::Array(bytes.iter().map(|b| Value::from(*b)).collect()),
        G::List(items) => Value::Array(items.into_iter().map(answer_json).collect()),
        G::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(name, v)| (name.as_str().to_owned(), answer_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::indexmap::IndexMap;
    use async_graphql::{Name, Number, Value as G};

    #[test]
    fn answer_json_is_the_json_of_into_json() {
        let mut inner = IndexMap::new();
        inner.insert(Name::new("z"), G::Number(Number::from(-3)));
        inner.insert(Name::new("a"), G::String("楼层 \"1\"".into()));
        inner.insert(Name::new("e"), G::Enum(Name::new("PENDING")));
        inner.insert(Name::new("b"), G::Binary(vec![0, 255].into()));
        inner.insert(Name::new("n"), G::Null);
        let mut outer = IndexMap::new();
        outer.insert(
            Name::new("list"),
            G::List(vec![
                G::Object(inner.clone()),
                G::Boolean(true),
                G::Number(Number::from_f64(1.5).unwrap_or_else(|| Number::from(0))),
                G::List(vec![]),
            ]),
        );
        outer.insert(Name::new("object"), G::Object(inner));
        outer.insert(Name::new("empty"), G::Object(IndexMap::new()));
        let value = G::Object(outer);
        let expected = value.clone().into_json().expect("serialisable");
        assert_eq!(super::answer_json(value), expected);
    }
}

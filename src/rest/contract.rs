//! The documents as contracts: for every route of a dialect, the documented request, the
//! documented answer and the JSON Schema (2020-12) of the dialect's `data`, extracted once from
//! `shared/seeds/` into `src/rest/contracts/<dialect>.json`.
//!
//! One file per dialect:
//!
//! ```json
//! {
//!   "dialect": "volunteer",
//!   "source": "001_303bc9a5d2be2197.txt",
//!   "structures": { "VolunteerUser": { "type": "object", "properties": { … }, "required": [ … ] } },
//!   "routes": [
//!     {
//!       "method": "GET", "path": "/user/{id}", "section": "3.1.5",
//!       "request": { "path": {"id": 12}, "query": {}, "body": {}, "headers": {} },
//!       "response": { …the document's example of data… },
//!       "schema": { "$ref": "#/components/schemas/VolunteerUser" },
//!       "notes": ["the table says `sex` is text, the example shows 1; we serve the number"]
//!     }
//!   ]
//! }
//! ```
//!
//! Structures the document defines once and reuses (@用户信息, @诊断信息, …) are named schemas,
//! referenced as `#/components/schemas/<Name>`; names carry the dialect's prefix so that the five
//! files share one namespace. The same schemas become the OpenAPI document's response schemas
//! and the contract tests (`tests/contract_<dialect>.rs`) validate every answer against them.

use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::Dialect;

/// A dialect's contract file.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Contract {
    /// The dialect's name (checked against the file it came from).
    #[serde(default)]
    pub dialect: String,
    /// The seed document the contract was extracted from.
    #[serde(default)]
    pub source: String,
    /// Named schemas of the document's shared structures.
    #[serde(default)]
    pub structures: Map<String, Value>,
    /// One entry per documented route.
    #[serde(default)]
    pub routes: Vec<RouteContract>,
}

/// One documented route.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RouteContract {
    /// HTTP method, upper case.
    pub method: String,
    /// Documented path with `{name}` segments, as in the route table.
    pub path: String,
    /// Section of the document.
    #[serde(default)]
    pub section: Option<String>,
    /// The documented request: `path`, `query`, `body` and `headers` objects.
    #[serde(default)]
    pub request: Value,
    /// The document's example of the dialect's `data` (the whole body for social).
    #[serde(default)]
    pub response: Option<Value>,
    /// JSON Schema of the dialect's `data`.
    #[serde(default)]
    pub schema: Option<Value>,
    /// Where the document contradicts itself, and which form is served.
    #[serde(default)]
    pub notes: Vec<String>,
}

fn parse(dialect: Dialect, text: &str) -> Contract {
    match serde_json::from_str::<Contract>(text) {
        Ok(contract) => contract,
        Err(error) => {
            // `contract_files_parse` fails on this; the server serves example schemas meanwhile.
            tracing::error!(dialect = dialect.name(), %error, "contract file does not parse");
            Contract::default()
        }
    }
}

static FORUM: LazyLock<Contract> =
    LazyLock::new(|| parse(Dialect::Forum, include_str!("contracts/forum.json")));
static VOLUNTEER: LazyLock<Contract> =
    LazyLock::new(|| parse(Dialect::Volunteer, include_str!("contracts/volunteer.json")));
static MEDASSIST: LazyLock<Contract> =
    LazyLock::new(|| parse(Dialect::Medassist, include_str!("contracts/medassist.json")));
static SOCIAL: LazyLock<Contract> =
    LazyLock::new(|| parse(Dialect::Social, include_str!("contracts/social.json")));
static COUNSELING: LazyLock<Contract> = LazyLock::new(|| {
    parse(
        Dialect::Counseling,
        include_str!("contracts/counseling.json"),
    )
});

/// The raw text of a dialect's contract file (for the test that it parses).
pub fn source_text(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Forum => include_str!("contracts/forum.json"),
        Dialect::Volunteer => include_str!("contracts/volunteer.json"),
        Dialect::Medassist => include_str!("contracts/medassist.json"),
        Dialect::Social => include_str!("contracts/social.json"),
        Dialect::Counseling => include_str!("contracts/counseling.json"),
    }
}

/// A dialect's contract.
pub fn contract(dialect: Dialect) -> &'static Contract {
    match dialect {
        Dialect::Forum => &FORUM,
        Dialect::Volunteer => &VOLUNTEER,
        Dialect::Medassist => &MEDASSIST,
        Dialect::Social => &SOCIAL,
        Dialect::Counseling => &COUNSELING,
    }
}

/// The contract of one route, if the document's has been extracted.
pub fn route(dialect: Dialect, method: &str, path: &str) -> Option<&'static RouteContract> {
    contract(dialect)
        .routes
        .iter()
        .find(|r| r.method.eq_ignore_ascii_case(method) && r.path == path)
}

/// Every named structure of every dialect (the OpenAPI document's `components.schemas`).
pub fn structures() -> impl Iterator<Item = (&'static String, &'static Value)> {
    Dialect::ALL
        .into_iter()
        .flat_map(|d| contract(d).structures.iter())
}

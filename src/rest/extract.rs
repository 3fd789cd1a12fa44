//! Reading a legacy request's inputs: path, query string, headers and a body that may be JSON,
//! form-encoded or multipart, and coercing them into GraphQL variables.

use std::collections::HashMap;

use axum::extract::{FromRequest, Multipart, Request};
use bytes::Bytes;
use http::HeaderMap;
use serde_json::{Map, Value};

use super::{Kind, Param, Source};
use crate::error::{AppError, AppResult};

/// A file part of a multipart body.
#[derive(Debug, Clone)]
pub struct FilePart {
    pub filename: String,
    pub content_type: Option<String>,
    pub bytes: Bytes,
}

/// A file part bound for a GraphQL `Upload` variable: (variable name, part).
pub type Upload = (String, FilePart);

/// Everything a legacy request carries.
#[derive(Debug, Default)]
pub struct Inputs {
    pub path: HashMap<String, String>,
    pub query: HashMap<String, String>,
    pub body: Map<String, Value>,
    /// File parts by name, in order (a name may repeat: several files for one list).
    pub files: HashMap<String, Vec<FilePart>>,
    pub headers: HeaderMap,
}

/// Parses a query string; repeated keys keep the last value. A NUL character anywhere is
/// refused, naming the parameter.
pub fn parse_query(raw: Option<&str>) -> AppResult<HashMap<String, String>> {
    match raw {
        None | Some("") => Ok(HashMap::new()),
        Some(q) => {
            let pairs = serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .map_err(|_| AppError::bad_input("malformed query string"))?;
            for (name, value) in &pairs {
                refuse_nul(name, name)?;
                refuse_nul(name, value)?;
            }
            Ok(pairs.into_iter().collect())
        }
    }
}

/// The error for a NUL character (U+0000) in `field`: no text the server stores or searches may
/// hold one (PostgreSQL cannot), so it is refused at the edge, on every database alike.
pub fn nul_error(field: &str) -> AppError {
    AppError::bad_field(field, format!("{field} must not contain a NUL character"))
}

/// Refuses `text` when it holds a NUL character.
pub fn refuse_nul(field: &str, text: &str) -> AppResult<()> {
    if text.contains('\0') {
        Err(nul_error(field))
    } else {
        Ok(())
    }
}

/// The path (`field`, `field.inner`, `field.2`) of the first NUL character in a JSON value's
/// strings or keys.
pub fn nul_in_json(path: &str, value: &Value) -> Option<String> {
    match value {
        Value::String(s) if s.contains('\0') => Some(path.to_owned()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_in_json(&format!("{path}.{i}"), v)),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let inner = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            if k.contains('\0') {
                Some(inner)
            } else {
                nul_in_json(&inner, v)
            }
        }),
        _ => None,
    }
}

/// Refuses a body whose text (values, keys, file names) holds a NUL character.
fn refuse_nul_in_body(
    body: &Map<String, Value>,
    files: &HashMap<String, Vec<FilePart>>,
) -> AppResult<()> {
    for (name, value) in body {
        refuse_nul(name, name)?;
        if let Some(path) = nul_in_json(name, value) {
            return Err(nul_error(&path));
        }
    }
    for (name, parts) in files {
        refuse_nul(name, name)?;
        for part in parts {
            refuse_nul(name, &part.filename)?;
        }
    }
    Ok(())
}

/// Reads the body according to its content type; text holding a NUL character is refused.
pub async fn read_body(
    request: Request,
    limit: usize,
) -> AppResult<(Map<String, Value>, HashMap<String, Vec<FilePart>>)> {
    let (body, files) = read_any_body(request, limit).await?;
    refuse_nul_in_body(&body, &files)?;
    Ok((body, files))
}

async fn read_any_body(
    request: Request,
    limit: usize,
) -> AppResult<(Map<String, Value>, HashMap<String, Vec<FilePart>>)> {
    let content_type = request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        return read_multipart(request).await;
    }
    let bytes = axum::body::to_bytes(request.into_body(), limit)
        .await
        .map_err(|_| AppError::bad_input(format!("the body is larger than {limit} bytes")))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok((Map::new(), HashMap::new()));
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| AppError::bad_input("malformed form body"))?;
        return Ok((
            pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
            HashMap::new(),
        ));
    }
    if content_type.is_empty()
        || content_type.starts_with("application/json")
        || content_type.starts_with("text/plain")
    {
        return match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok((map, HashMap::new())),
            Ok(_) => Err(AppError::bad_input("the JSON body must be an object")),
            Err(e) => Err(AppError::bad_input(format!("malformed JSON body: {e}"))),
        };
    }
    Err(AppError::bad_input(format!(
        "unsupported content type {content_type}; send JSON, form-encoded or multipart"
    )))
}

async fn read_multipart(
    request: Request,
) -> AppResult<(Map<String, Value>, HashMap<String, Vec<FilePart>>)> {
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|e| AppError::bad_input(format!("malformed multipart body: {e}")))?;
    let mut fields = Map::new();
    let mut files: HashMap<String, Vec<FilePart>> = HashMap::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::bad_input(format!("malformed multipart body: {e}")))?
    {
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        let filename = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|e| {
            AppError::bad_input(format!("multipart part {name} could not be read: {e}"))
        })?;
        match filename {
            Some(filename) => {
                files.entry(name).or_default().push(FilePart {
                    filename,
                    content_type,
                    bytes,
                });
            }
            None => {
                let text = String::from_utf8(bytes.to_vec())
                    .map_err(|_| AppError::bad_field(name.clone(), "a text field must be UTF-8"))?;
                fields.insert(name, Value::String(text));
            }
        }
    }
    Ok((fields, files))
}

impl Inputs {
    /// The raw value of a parameter from where it is declared (with legacy fallbacks).
    pub fn raw(&self, param: &Param) -> Option<Value> {
        let from_query = || self.query.get(param.name).cloned().map(Value::String);
        let from_body = || self.body.get(param.name).cloned();
        match param.source {
            Source::Path => self.path.get(param.name).cloned().map(Value::String),
            Source::Query => from_query().or_else(from_body),
            Source::Body => from_body().or_else(from_query),
            Source::Header => self
                .headers
                .get(param.name)
                .and_then(|v| v.to_str().ok())
                .map(|v| Value::String(v.to_owned())),
            Source::File => None,
            Source::Cookie => self
                .headers
                .get_all(http::header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(';'))
                .filter_map(|pair| pair.trim().split_once('='))
                .find(|(name, _)| *name == param.name)
                .map(|(_, value)| Value::String(value.to_owned())),
        }
        .filter(|v| !v.is_null() && v.as_str() != Some(""))
    }

    /// GraphQL variables for `params`; files are returned separately for `set_upload`.
    pub fn variables(&self, params: &[Param]) -> AppResult<(Map<String, Value>, Vec<Upload>)> {
        let mut vars = Map::new();
        let mut uploads = Vec::new();
        for param in params {
            if param.source == Source::File {
                let parts = self
                    .files
                    .get(param.name)
                    .or_else(|| self.files.get(&format!("{}[]", param.name)))
                    .filter(|parts| !parts.is_empty())
                    .map(Vec::as_slice);
                match (parts, param.kind) {
                    (Some(parts), Kind::Uploads) => {
                        vars.insert(
                            param.var.to_owned(),
                            Value::Array(vec![Value::Null; parts.len()]),
                        );
                        for (i, part) in parts.iter().enumerate() {
                            uploads.push((format!("{}.{i}", param.var), part.clone()));
                        }
                    }
                    (Some([part]), _) => {
                        vars.insert(param.var.to_owned(), Value::Null);
                        uploads.push((param.var.to_owned(), part.clone()));
                    }
                    (Some(_), _) => {
                        return Err(AppError::bad_field(
                            param.name,
                            format!("send one file as {}", param.name),
                        ));
                    }
                    (None, _) if param.required => {
                        return Err(AppError::bad_field(
                            param.name,
                            format!("the file part {} is required", param.name),
                        ));
                    }
                    (None, _) => {}
                }
                continue;
            }
            let value = match self.raw(param) {
                Some(raw) => coerce(param, raw)?,
                None => match param.default {
                    Some(literal) => serde_json::from_str(literal).map_err(AppError::internal)?,
                    None if param.required => {
                        return Err(AppError::bad_field(
                            param.name,
                            format!("{} is required", param.name),
                        ));
                    }
                    None => continue,
                },
            };
            vars.insert(param.var.to_owned(), value);
        }
        Ok((vars, uploads))
    }
}

/// Converts a raw value into the parameter's kind, accepting the string forms legacy clients
/// send.
pub fn coerce(param: &Param, raw: Value) -> AppResult<Value> {
    let bad =
        |what: &str| AppError::bad_field(param.name, format!("{} must be {what}", param.name));
    Ok(match param.kind {
        Kind::Int => match &raw {
            Value::Number(n) if n.is_i64() => raw,
            Value::String(s) => {
                Value::from(s.trim().parse::<i64>().map_err(|_| bad("an integer"))?)
            }
            _ => return Err(bad("an integer")),
        },
        Kind::Float => match &raw {
            Value::Number(_) => raw,
            Value::String(s) => {
                let f = s.trim().parse::<f64>().map_err(|_| bad("a number"))?;
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| bad("a finite number"))?
            }
            _ => return Err(bad("a number")),
        },
        Kind::Bool => match &raw {
            Value::Bool(_) => raw,
            Value::Number(n) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => {
                Value::Bool(n.as_i64() == Some(1))
            }
            Value::String(s) => match s.trim() {
                "1" | "true" | "TRUE" | "True" => Value::Bool(true),
                "0" | "false" | "FALSE" | "False" => Value::Bool(false),
                _ => return Err(bad("a boolean")),
            },
            _ => return Err(bad("a boolean")),
        },
        Kind::String => match raw {
            Value::String(_) => raw,
            Value::Number(n) => Value::String(n.to_string()),
            Value::Bool(b) => Value::String(b.to_string()),
            _ => return Err(bad("a string")),
        },
        Kind::Json => raw,
        Kind::Upload | Kind::Uploads => return Err(bad("a file")),
        Kind::NodeId(type_name) => {
            let id = match &raw {
                Value::Number(n) if n.is_i64() => n.as_i64(),
                Value::String(s) => s.trim().parse::<i64>().ok(),
                _ => None,
            }
            .filter(|id| *id > 0)
            .ok_or_else(|| bad("a positive integer id"))?;
            Value::String(crate::graphql::node::global_id(type_name, id).0)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coerces_legacy_string_forms() {
        let p = Param::optional("n", Source::Query, Kind::Int, "n", "");
        assert_eq!(coerce(&p, Value::from("12")).ok(), Some(Value::from(12)));
        assert!(coerce(&p, Value::from("x")).is_err());
        let b = Param::optional("b", Source::Query, Kind::Bool, "b", "");
        assert_eq!(coerce(&b, Value::from("1")).ok(), Some(Value::Bool(true)));
        let s = Param::optional("s", Source::Query, Kind::String, "s", "");
        assert_eq!(coerce(&s, Value::from(5)).ok(), Some(Value::from("5")));
    }

    #[test]
    fn required_and_defaults() {
        let params = [
            Param::required("a", Source::Query, Kind::Int, "a", ""),
            Param::optional("b", Source::Query, Kind::Int, "b", "").with_default("0"),
        ];
        let mut inputs = Inputs::default();
        assert!(inputs.variables(&params).is_err());
        inputs.query.insert("a".into(), "3".into());
        let (vars, _) = inputs.variables(&params).expect("valid");
        assert_eq!(vars["a"], 3);
        assert_eq!(vars["b"], 0);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn json_value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(Value::from),
                any::<f64>().prop_map(|f| {
                    serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
                }),
                ".{0,12}".prop_map(Value::String),
                "[0-9 ]{0,6}\\x00?".prop_map(Value::String),
            ];
            leaf.prop_recursive(3, 24, 4, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    prop::collection::btree_map(".{0,6}", inner, 0..4)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        const KINDS: [Kind; 8] = [
            Kind::Int,
            Kind::Float,
            Kind::String,
            Kind::Bool,
            Kind::Json,
            Kind::Upload,
            Kind::Uploads,
            Kind::NodeId("User"),
        ];
        const SOURCES: [Source; 6] = [
            Source::Path,
            Source::Query,
            Source::Body,
            Source::Header,
            Source::File,
            Source::Cookie,
        ];

        proptest! {
            // Bounded, so that it runs in the ordinary test run (and CI) in about a second.
            #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

            #[test]
            fn query_strings_never_panic_and_never_pass_a_nul(raw in "([a-z%0-9&=+]|%00|%FF|%){0,40}") {
                if let Ok(map) = parse_query(Some(&raw)) {
                    prop_assert!(map.iter().all(|(k, v)| !k.contains('\0') && !v.contains('\0')));
                }
            }

            #[test]
            fn extraction_never_panics(
                kind in 0..KINDS.len(),
                source in 0..SOURCES.len(),
                raw in json_value(),
                text in ".{0,16}",
                required in any::<bool>(),
                default in prop::option::of(prop_oneof![Just("0"), Just("\"x\""), Just("[1]")]),
            ) {
                let param = Param {
                    name: "p",
                    source: SOURCES[source],
                    kind: KINDS[kind],
                    var: "p",
                    required,
                    default,
                    description: "",
                };
                let _ = coerce(&param, raw.clone());
                let mut inputs = Inputs::default();
                inputs.body.insert("p".into(), raw.clone());
                inputs.query.insert("p".into(), text.clone());
                inputs.path.insert("p".into(), text.clone());
                if let Ok(value) = http::HeaderValue::from_str(&text) {
                    inputs.headers.insert("p", value);
                }
                let _ = inputs.variables(&[param]);
                // A NUL anywhere in the body is found and refused.
                let has_nul = raw.to_string().contains("\\u0000");
                prop_assert_eq!(
                    refuse_nul_in_body(&inputs.body, &inputs.files).is_err(),
                    has_nul
                );
            }
        }
    }
}

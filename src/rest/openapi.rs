//! The OpenAPI 3.1 document of the REST dialects, generated from the route tables.

use std::collections::BTreeMap;

use http::Method;
use serde_json::{Value, json};
use utoipa::openapi::path::{
    HttpMethod, Operation, OperationBuilder, ParameterBuilder, ParameterIn, PathItem,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::{ResponseBuilder, ResponsesBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{
    ContentBuilder, InfoBuilder, KnownFormat, OpenApi, OpenApiBuilder, PathsBuilder, Required,
    SchemaFormat,
};

use super::{Access, Dialect, Kind, Route, Source};

/// Builds the document for `routes`.
pub fn document(routes: &[Route]) -> OpenApi {
    let mut items: BTreeMap<&str, PathItem> = BTreeMap::new();
    for route in routes {
        let Some(method) = http_method(&route.method) else {
            continue;
        };
        let operation = operation(route);
        let item = items.remove(route.path);
        let item = match item {
            Some(mut existing) => {
                existing.merge_operations(PathItem::new(method, operation));
                existing
            }
            None => PathItem::new(method, operation),
        };
        items.insert(route.path, item);
    }
    items.insert(CHAT_COMPLETIONS, chat_completions());
    items.insert(super::counseling::download::PATH, template_download());
    items.extend(crate::payments::routes::openapi_items());
    items.insert("/captcha/app", captcha_image());
    for (path, item) in items.iter_mut() {
        complete_hand_written(path, item);
    }
    let mut paths = PathsBuilder::new();
    for (path, item) in items {
        paths = paths.path(path, item);
    }
    let info = InfoBuilder::new()
        .title("medgraph REST dialects")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "The five legacy APIs medgraph keeps serving at their documented paths. Every route \
         executes a GraphQL document against the same schema as /graphql, so authorization, \
         masking and batching are the same. Numbers and booleans are accepted as strings too \
         (\"12\", \"1\", \"true\"); bodies may be JSON, form-encoded or multipart.",
        ))
        .license(Some(
            utoipa::openapi::LicenseBuilder::new()
                .name("MIT OR Apache-2.0")
                .identifier(Some("MIT OR Apache-2.0"))
                .build(),
        ))
        .build();
    let mut components = utoipa::openapi::ComponentsBuilder::new();
    for (name, scheme) in security_schemes() {
        components = components.security_scheme(name, scheme);
    }
    for (name, schema) in super::contract::structures() {
        if let Some(schema) = schema_from(schema.clone()) {
            components = components.schema(name.as_str(), schema);
        }
    }
    OpenApiBuilder::new()
        .info(info)
        .servers(Some([utoipa::openapi::ServerBuilder::new()
            .url("/")
            .description(Some(
                "This server: every dialect is served at its documented path from the root",
            ))
            .build()]))
        .components(Some(components.build()))
        .paths(paths.build())
        .tags(Some(Dialect::ALL.map(|d| {
            TagBuilder::new()
                .name(d.name())
                .description(Some(d.description()))
                .build()
        })))
        .build()
}

/// `GET /captcha/app` (volunteer): the image captcha that guards SMS codes.
fn captcha_image() -> PathItem {
    let response = ResponseBuilder::new()
        .description(
            "A PNG image; its answer is bound to this client by the HttpOnly cookie set with it, \
             and checked by `POST /verifycode` before an SMS code is sent (one try per image)",
        )
        .content(
            "image/png",
            ContentBuilder::new()
                .schema(schema_from(json!({"type": "string", "format": "binary"})))
                .build(),
        )
        .header(
            "Set-Cookie",
            utoipa::openapi::HeaderBuilder::new()
                .schema(Some(Schema::from(
                    ObjectBuilder::new().schema_type(Type::String).build(),
                )))
                .description(Some("the captcha's id, HttpOnly"))
                .build(),
        )
        .build();
    let operation = OperationBuilder::new()
        .tag(Dialect::Volunteer.name())
        .summary(Some("A captcha image"))
        .operation_id(Some("volunteer_get_captcha_app"))
        .securities(Some(vec![
            utoipa::openapi::security::SecurityRequirement::default(),
        ]))
        .responses(
            ResponsesBuilder::new()
                .response("200", response)
                .response(
                    "4XX",
                    ResponseBuilder::new()
                        .description("Too many requests (429)")
                        .content(
                            "application/json",
                            ContentBuilder::new()
                                .schema(schema_from(error_schema(Dialect::Volunteer)))
                                .build(),
                        )
                        .build(),
                )
                .build(),
        )
        .build();
    PathItem::new(HttpMethod::Get, operation)
}

/// Security and client-error answers of the path items written by hand (the chat proxy, the
/// template download, the payment notifications).
fn complete_hand_written(path: &str, item: &mut PathItem) {
    use utoipa::openapi::security::SecurityRequirement;
    let public = path.starts_with("/payments/") || path == "/captcha/app";
    for operation in [&mut item.get, &mut item.post].into_iter().flatten() {
        if operation.security.is_none() {
            operation.security = Some(if public {
                vec![SecurityRequirement::default()]
            } else {
                vec![SecurityRequirement::new::<_, _, &str>(BEARER, [])]
            });
        }
        for response in operation.responses.responses.values_mut() {
            if let utoipa::openapi::RefOr::T(response) = response {
                for (media, content) in response.content.iter_mut() {
                    let utoipa::openapi::RefOr::T(content) = content else {
                        continue;
                    };
                    if content.schema.is_none() {
                        let schema = if media == "application/json" {
                            any_value()
                        } else if media.starts_with("text/") {
                            json!({"type": "string"})
                        } else {
                            json!({"type": "string", "format": "binary"})
                        };
                        content.schema = schema_from(schema).map(utoipa::openapi::RefOr::T);
                    }
                }
            }
        }
        let has_4xx = operation
            .responses
            .responses
            .keys()
            .any(|k| k.starts_with('4'));
        if !has_4xx {
            let description = if public {
                "A malformed notification (400)"
            } else {
                "No or an invalid token (401), bad input (400, 422), too many requests (429)"
            };
            operation.responses.responses.insert(
                "4XX".into(),
                utoipa::openapi::RefOr::T(
                    ResponseBuilder::new()
                        .description(description)
                        .content(
                            "application/json",
                            ContentBuilder::new()
                                .schema(schema_from(error_schema(Dialect::Medassist)))
                                .build(),
                        )
                        .build(),
                ),
            );
        }
    }
}

/// The medassist language-model proxy, served by its own handler rather than a route table.
const CHAT_COMPLETIONS: &str = "/api/v1/chat/completions";

/// `POST /api/v1/chat/completions`: the request as the legacy document gives it, the upstream's
/// answer (JSON or server-sent events) and the dialect's failures.
fn chat_completions() -> PathItem {
    let request_example = json!({
        "model": "glm4",
        "messages": [
            {"role": "system", "content": "你是一个经验丰富的AI助手，能帮我处理很多计算机事务"},
            {"role": "user", "content": "你好 1+1=?"},
            {"role": "assistant", "content": ""}
        ]
    });
    let message = ObjectBuilder::new()
        .property("role", ObjectBuilder::new().schema_type(Type::String))
        .required("role")
        .property("content", ObjectBuilder::new().schema_type(Type::String))
        .required("content")
        .build();
    let body = ObjectBuilder::new()
        .property(
            "model",
            ObjectBuilder::new().schema_type(Type::String).description(Some(
                "Replaced by the configured model (llm.model) unless it names one of llm.allowed_models",
            )),
        )
        .property(
            "messages",
            utoipa::openapi::schema::ArrayBuilder::new().items(message),
        )
        .required("messages")
        .property(
            "stream",
            ObjectBuilder::new()
                .schema_type(Type::Boolean)
                .description(Some("Answer with server-sent events (text/event-stream)")),
        )
        .description(Some(
            "An OpenAI chat-completions request; fields other than model, messages and stream \
             (temperature, max_tokens, …) are passed on unchanged",
        ))
        .build();
    let request = RequestBodyBuilder::new()
        .required(Some(Required::True))
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Schema::from(body)))
                .example(Some(request_example))
                .build(),
        )
        .build();
    let answer = json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "glm-4",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": "1+1=2"},
            "finish_reason": "stop"
        }],
        "usage": {"prompt_tokens": 30, "completion_tokens": 5, "total_tokens": 35}
    });
    let ok = ResponseBuilder::new()
        .description(
            "The language model's answer as it came (OpenAI's chat completion object; clients of \
             this route are OpenAI clients), not wrapped in the envelope",
        )
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(schema_from(schema_of_example(&answer)))
                .example(Some(answer))
                .build(),
        )
        .content(
            "text/event-stream",
            ContentBuilder::new()
                .schema(schema_from(json!({"type": "string", "description": "server-sent events: `data: <chunk JSON>` lines, ending with `data: [DONE]`"})))
                .example(Some(Value::String(
                    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"1+1\"}}]}\n\n\
                     data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"=2\"}}]}\n\n\
                     data: [DONE]\n\n"
                        .into(),
                )))
                .build(),
        )
        .build();
    let failure = ResponseBuilder::new()
        .description(
            "Failure in the dialect's envelope with its HTTP status: 401 without a valid token, \
             422 for a body that is not a chat, 429 beyond the per-user limit, 503 when the \
             model is not configured, answers an error or does not answer in time",
        )
        .content(
            "application/json",
            ContentBuilder::new()
                .example(Some(json!({
                    "code": 503,
                    "message": "the language model is not configured (set MEDGRAPH_LLM_URL)",
                    "error": "UNAVAILABLE",
                    "data": null
                })))
                .build(),
        )
        .build();
    let operation = OperationBuilder::new()
        .tag(Dialect::Medassist.name())
        .summary(Some(
            "OpenAI-style chat completion through the configured language model",
        ))
        .operation_id(Some("medassist_post_api_v1_chat_completions"))
        .description(Some(
            "Forwards the request to the configured OpenAI-compatible endpoint \
             (`llm.url`/chat/completions) with the server's key, and answers what it answers: \
             its JSON, or with `\"stream\": true` its server-sent events passed through as they \
             come (a failure mid-stream ends it with one `data: {\"error\": …}` event).\n\n\
             Needs a login token in the Authorization header (bare or `Bearer`): the legacy \
             document marks it optional, but an open proxy to a paid model would be abused. \
             Each user may make `llm.requests_per_user_per_minute` (30) requests per minute.",
        ))
        .parameter(
            ParameterBuilder::new()
                .name("Authorization")
                .parameter_in(ParameterIn::Header)
                .required(Required::True)
                .description(Some("The login token, bare or as `Bearer <token>`"))
                .schema(Some(Schema::from(
                    ObjectBuilder::new().schema_type(Type::String).build(),
                )))
                .build(),
        )
        .request_body(Some(request))
        .responses(
            ResponsesBuilder::new()
                .response("200", ok)
                .response("default", failure)
                .build(),
        )
        .build();
    PathItem::new(HttpMethod::Post, operation)
}

/// `POST /api/consultant/interview/download`: template files by name, answered as the file
/// itself (several as a zip), served by its own handler rather than a route table.
fn template_download() -> PathItem {
    let body = ObjectBuilder::new()
        .property("userID", ObjectBuilder::new().schema_type(Type::Integer))
        .property("token", ObjectBuilder::new().schema_type(Type::String))
        .required("token")
        .property(
            "fileNames",
            utoipa::openapi::schema::ArrayBuilder::new()
                .items(ObjectBuilder::new().schema_type(Type::String)),
        )
        .required("fileNames")
        .build();
    let request = RequestBodyBuilder::new()
        .required(Some(Required::True))
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Schema::from(body)))
                .example(Some(json!({
                    "userID": 7,
                    "token": "…",
                    "fileNames": ["interview_records_template.xlsx"]
                })))
                .build(),
        )
        .build();
    let binary = || {
        ContentBuilder::new()
            .schema(Some(Schema::from(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))),
            )))
            .build()
    };
    let ok = ResponseBuilder::new()
        .description(
            "One name: the file itself (Content-Disposition names it); several: templates.zip",
        )
        .content(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            binary(),
        )
        .content("application/zip", binary())
        .build();
    let failure = ResponseBuilder::new()
        .description("Failure in the dialect's envelope (HTTP 200): 401, 403, 404 naming the unknown files, 422")
        .content(
            "application/json",
            ContentBuilder::new()
                .example(Some(error_example(Dialect::Counseling)))
                .build(),
        )
        .build();
    let operation = OperationBuilder::new()
        .tag(Dialect::Counseling.name())
        .summary(Some(
            "Download template files by name: one as itself, several as one zip",
        ))
        .operation_id(Some("counseling_post_api_consultant_interview_download"))
        .request_body(Some(request))
        .responses(
            ResponsesBuilder::new()
                .response("200", ok)
                .response("default", failure)
                .build(),
        )
        .build();
    PathItem::new(HttpMethod::Post, operation)
}

fn http_method(method: &Method) -> Option<HttpMethod> {
    Some(match *method {
        Method::GET => HttpMethod::Get,
        Method::POST => HttpMethod::Post,
        Method::PUT => HttpMethod::Put,
        Method::PATCH => HttpMethod::Patch,
        Method::DELETE => HttpMethod::Delete,
        _ => return None,
    })
}

fn object_of(kind: Kind) -> ObjectBuilder {
    match kind {
        Kind::Int | Kind::NodeId(_) => ObjectBuilder::new().schema_type(Type::Integer),
        Kind::Float => ObjectBuilder::new().schema_type(Type::Number),
        Kind::String => ObjectBuilder::new().schema_type(Type::String),
        Kind::Bool => ObjectBuilder::new().schema_type(Type::Boolean),
        Kind::Json => ObjectBuilder::new(),
        Kind::Upload => ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))),
        Kind::Uploads => ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .description(Some("one or more files, the part repeated")),
    }
}

/// How callers carry their session token (every route accepts all of them; each dialect's
/// clients use the one its document names).
fn security_schemes() -> Vec<(&'static str, utoipa::openapi::security::SecurityScheme)> {
    use utoipa::openapi::security::{
        ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
    };
    vec![
        (
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "`Authorization: Bearer <token>` (a bare `Authorization: <token>` is \
                         accepted too): medassist, social and GraphQL clients",
                    ))
                    .build(),
            ),
        ),
        (
            X_AUTH_TOKEN,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-auth-token",
                "The volunteer apps' header, holding the token of `POST /login`",
            ))),
        ),
        (
            SESSION_COOKIE,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "medgraph_session",
                "The session cookie set by a login (forum pages); `auth.cookie_name` renames it",
            ))),
        ),
    ]
}

const BEARER: &str = "bearerToken";
const X_AUTH_TOKEN: &str = "xAuthToken";
const SESSION_COOKIE: &str = "sessionCookie";

/// The security requirement of a route: none for public routes, else any one carrier.
fn security(route: &Route) -> Vec<utoipa::openapi::security::SecurityRequirement> {
    use utoipa::openapi::security::SecurityRequirement;
    match route.access {
        Access::Public => vec![SecurityRequirement::default()],
        Access::LoggedIn => {
            let mut carriers = vec![BEARER];
            match route.dialect {
                Dialect::Volunteer => carriers.insert(0, X_AUTH_TOKEN),
                Dialect::Forum => carriers.push(SESSION_COOKIE),
                _ => {}
            }
            carriers
                .into_iter()
                .map(|name| SecurityRequirement::new::<_, _, &str>(name, []))
                .collect()
        }
    }
}

/// A JSON Schema read off an example value: property names, JSON types and nesting (lists by
/// their first item). Strings that look like dates or times carry the format.
fn schema_of_example(value: &Value) -> Value {
    match value {
        Value::Null => any_value(),
        Value::Bool(_) => json!({"type": "boolean"}),
        Value::Number(n) if n.is_i64() || n.is_u64() => json!({"type": "integer"}),
        Value::Number(_) => json!({"type": "number"}),
        Value::String(s) => {
            let mut schema = json!({"type": "string"});
            if chrono::DateTime::parse_from_rfc3339(s).is_ok() {
                schema["format"] = json!("date-time");
            } else if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() {
                schema["format"] = json!("date");
            }
            schema
        }
        Value::Array(items) => {
            let item = items
                .iter()
                .map(schema_of_example)
                .reduce(merge_schemas)
                .unwrap_or_else(any_value);
            json!({"type": "array", "items": item})
        }
        Value::Object(map) => {
            let properties: serde_json::Map<String, Value> = map
                .iter()
                .map(|(k, v)| (k.clone(), schema_of_example(v)))
                .collect();
            let required: Vec<&String> = map
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, _)| k)
                .collect();
            json!({"type": "object", "properties": properties, "required": required})
        }
    }
}

/// Any JSON value (what an example's `null` says about a field).
fn any_value() -> Value {
    json!({"type": ["string", "number", "boolean", "object", "array", "null"]})
}

/// One schema admitting what either admits (the items of one example list).
fn merge_schemas(a: Value, b: Value) -> Value {
    fn nullable(mut schema: Value) -> Value {
        match schema.get("type").cloned() {
            Some(Value::String(t)) => schema["type"] = json!([t, "null"]),
            Some(Value::Array(mut types)) if !types.contains(&json!("null")) => {
                types.push(json!("null"));
                schema["type"] = Value::Array(types);
            }
            _ => {}
        }
        schema
    }
    if a == b {
        return a;
    }
    let any = any_value();
    if a == any {
        return nullable(b);
    }
    if b == any {
        return nullable(a);
    }
    let type_of = |v: &Value| v.get("type").and_then(Value::as_str).map(str::to_owned);
    match (type_of(&a), type_of(&b)) {
        (Some(ta), Some(tb)) if ta == "object" && tb == "object" => {
            let mut properties = a["properties"].as_object().cloned().unwrap_or_default();
            let b_properties = b["properties"].as_object().cloned().unwrap_or_default();
            for (key, schema) in b_properties {
                let merged = match properties.remove(&key) {
                    Some(existing) => merge_schemas(existing, schema),
                    None => schema,
                };
                properties.insert(key, merged);
            }
            let required_b: Vec<Value> = b["required"].as_array().cloned().unwrap_or_default();
            let required: Vec<Value> = a["required"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter(|k| required_b.contains(k))
                .collect();
            json!({"type": "object", "properties": properties, "required": required})
        }
        (Some(ta), Some(tb)) if ta == "array" && tb == "array" => {
            json!({"type": "array", "items": merge_schemas(a["items"].clone(), b["items"].clone())})
        }
        (Some(ta), Some(tb)) if ta == tb => json!({"type": ta}),
        (Some(ta), Some(tb))
            if [ta.as_str(), tb.as_str()] == ["integer", "number"]
                || [ta.as_str(), tb.as_str()] == ["number", "integer"] =>
        {
            json!({"type": "number"})
        }
        _ => json!({"anyOf": [a, b]}),
    }
}

/// The dialect's success envelope around `data`.
fn envelope_schema(dialect: Dialect, data: Value) -> Value {
    let object = |properties: Value, required: &[&str]| json!({"type": "object", "properties": properties, "required": required});
    match dialect {
        Dialect::Forum => object(
            json!({"errorCode": {"type": "integer", "description": "200 on success"}, "data": data}),
            &["errorCode", "data"],
        ),
        Dialect::Volunteer => object(
            json!({
                "error_code": {"type": "integer", "description": "0 on success"},
                "data": data,
                "error_message": {"type": "string"}
            }),
            &["error_code", "data", "error_message"],
        ),
        Dialect::Medassist => object(
            json!({"code": {"type": "integer", "description": "0 on success"}, "message": {"type": "string"}, "data": data}),
            &["code", "message", "data"],
        ),
        Dialect::Social => data,
        Dialect::Counseling => object(
            json!({"code": {"type": "integer", "description": "0 on success"}, "message": {"type": "string"}, "data": data}),
            &["code", "message", "data"],
        ),
    }
}

/// The dialect's failure envelope.
fn error_schema(dialect: Dialect) -> Value {
    match dialect {
        Dialect::Social => json!({
            "type": "object",
            "properties": {
                "message": {"type": "string"},
                "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                           "description": "the invalid fields, each with its messages"}
            },
            "required": ["message"]
        }),
        Dialect::Forum => json!({
            "type": "object",
            "properties": {
                "errorCode": {"type": "integer", "description": "the failure's code (401, 403, 404, 422, 118, ...)"},
                "data": {"type": "object", "properties": {
                    "status": {"type": "boolean"}, "errorType": {"type": "string"}, "message": {"type": "string"}
                }}
            },
            "required": ["errorCode", "data"]
        }),
        Dialect::Volunteer => json!({
            "type": "object",
            "properties": {
                "error_code": {"type": "integer", "description": "the failure's code (401, 403, 404, 409, 422, 429, ...)"},
                "data": any_value(),
                "error_message": {"type": "string"}
            },
            "required": ["error_code", "error_message"]
        }),
        Dialect::Medassist | Dialect::Counseling => json!({
            "type": "object",
            "properties": {
                "code": {"type": "integer", "description": "the failure's code, equal to the HTTP status where the dialect uses statuses"},
                "message": {"type": "string"},
                "error": {"type": "string", "description": "medassist: the error's kind (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT, CONFLICT, ...)"},
                "data": any_value()
            },
            "required": ["code", "message"]
        }),
    }
}

fn schema_from(value: Value) -> Option<Schema> {
    converted(value)
}

/// `value` as utoipa's `T` (a schema, or a schema or reference); `None`, logged, when it does
/// not convert.
fn converted<T: serde::de::DeserializeOwned>(value: Value) -> Option<T> {
    match serde_json::from_value(value) {
        Ok(schema) => Some(schema),
        Err(e) => {
            tracing::error!(error = %e, "an OpenAPI schema did not convert");
            None
        }
    }
}

/// A body's schema, which may be a bare reference (social's data is the whole body): a
/// reference stands as it is, without an `allOf` of one schema around it.
fn body_schema_from(value: Value) -> Option<utoipa::openapi::RefOr<Schema>> {
    converted(value)
}

fn operation(route: &Route) -> Operation {
    let contract = super::contract::route(route.dialect, route.method.as_str(), route.path);
    let mut contract_text = String::new();
    if let Some(contract) = contract.filter(|c| c.section.is_some() || !c.notes.is_empty()) {
        contract_text = format!(
            "\n\nContract: {}.",
            contract.section.as_deref().map_or_else(
                || "the legacy document".to_owned(),
                |s| format!("§{s} of the legacy document")
            )
        );
        for note in &contract.notes {
            contract_text.push_str(&format!("\n- {note}"));
        }
    }
    let mut op = OperationBuilder::new()
        .securities(Some(security(route)))
        .tag(route.dialect.name())
        .summary(Some(route.summary))
        .operation_id(Some(format!(
            "{}_{}_{}",
            route.dialect.name(),
            route.method.as_str().to_ascii_lowercase(),
            route
                .path
                .trim_matches('/')
                .replace(['/', '{', '}', '-'], "_")
        )))
        .description(Some(format!(
            "{}{contract_text}\n\nExecutes:\n```graphql\n{}\n```",
            match route.access {
                Access::Public => "No login needed.",
                Access::LoggedIn => "Needs a login token (see the dialect's carrier).",
            },
            route.document.trim()
        )));
    let mut body = ObjectBuilder::new();
    let mut body_fields = 0;
    let mut has_file = false;
    for param in route.params {
        let location = match param.source {
            Source::Path => Some(ParameterIn::Path),
            Source::Query => Some(ParameterIn::Query),
            Source::Header => Some(ParameterIn::Header),
            Source::Cookie => Some(ParameterIn::Cookie),
            Source::Body | Source::File => None,
        };
        let mut description = param.description.to_owned();
        if let Some(default) = param.default {
            description.push_str(&format!(" (default {default})"));
        }
        match location {
            Some(location) => {
                op = op.parameter(
                    ParameterBuilder::new()
                        .name(param.name)
                        .parameter_in(location)
                        .required(if param.required || param.source == Source::Path {
                            Required::True
                        } else {
                            Required::False
                        })
                        .description(Some(description))
                        .schema(Some(Schema::from(object_of(param.kind).build())))
                        .build(),
                );
            }
            None => {
                has_file |= param.source == Source::File;
                body_fields += 1;
                let field = object_of(param.kind).description(Some(description)).build();
                body = body.property(param.name, field);
                if param.required {
                    body = body.required(param.name);
                }
            }
        }
    }
    if body_fields > 0 {
        let schema = Schema::from(body.build());
        let content = || ContentBuilder::new().schema(Some(schema.clone())).build();
        let mut request = RequestBodyBuilder::new().required(Some(Required::True));
        if has_file {
            request = request.content("multipart/form-data", content());
        } else {
            request = request
                .content("application/json", content())
                .content("application/x-www-form-urlencoded", content());
        }
        op = op.request_body(Some(request.build()));
    }
    let example = route
        .example
        .and_then(|e| serde_json::from_str::<Value>(e).ok())
        .or_else(|| contract.and_then(|c| c.response.clone()));
    // The contract's schema (the document's field table) wins over one read off the example.
    let data_schema = match contract.and_then(|c| c.schema.clone()) {
        Some(schema) => schema,
        None => example.as_ref().map_or_else(
            || {
                let mut any = any_value();
                any["description"] =
                    json!("the result of the GraphQL document above, shaped by the dialect");
                any
            },
            schema_of_example,
        ),
    };
    let ok_schema = body_schema_from(envelope_schema(route.dialect, data_schema));
    let ok_example = example.map(|data| success_example(route.dialect, data));
    let errors = error_example(route.dialect);
    let status = if route.dialect == Dialect::Social {
        route.status
    } else {
        http::StatusCode::OK
    };
    let ok = if status == http::StatusCode::NO_CONTENT {
        ResponseBuilder::new()
            .description("Success, without a body")
            .build()
    } else {
        ResponseBuilder::new()
            .description("Success, in the dialect's envelope")
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(ok_schema)
                    .example(ok_example)
                    .build(),
            )
            .build()
    };
    let client_error = ResponseBuilder::new()
        .description(match route.dialect {
            Dialect::Forum | Dialect::Volunteer | Dialect::Counseling => {
                "Refused before the dialect's handler: body too large (413), malformed body \
                 (400), too many requests (429); other failures arrive with HTTP 200 in the \
                 envelope"
            }
            Dialect::Medassist => {
                "Bad input (400, 422), no or an invalid token (401), not allowed (403), not \
                 found (404), a conflicting state (409), too many requests (429)"
            }
            Dialect::Social => {
                "Bad input (422, with every invalid field in `errors`), no or an invalid \
                 token (401), not allowed (403), not found (404), too many requests (429)"
            }
        })
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(schema_from(error_schema(route.dialect)))
                .example(Some(errors.clone()))
                .build(),
        )
        .build();
    let failure = ResponseBuilder::new()
        .description(match route.dialect {
            Dialect::Forum | Dialect::Volunteer | Dialect::Counseling => {
                "Failures arrive with HTTP 200 in the envelope (see the dialect's description)"
            }
            _ => "Failure with the HTTP status of the error (see the dialect's description)",
        })
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(schema_from(error_schema(route.dialect)))
                .example(Some(errors))
                .build(),
        )
        .build();
    op.responses(
        ResponsesBuilder::new()
            .response(status.as_u16().to_string(), ok)
            .response("4XX", client_error)
            .response("default", failure)
            .build(),
    )
    .build()
}

fn success_example(dialect: Dialect, data: Value) -> Value {
    match dialect {
        Dialect::Forum => json!({"errorCode": 200, "data": data}),
        Dialect::Volunteer => json!({"error_code": 0, "data": data, "error_message": ""}),
        Dialect::Medassist => json!({"code": 0, "message": "ok", "data": data}),
        Dialect::Social => data,
        Dialect::Counseling => json!({"code": 0, "message": "success", "data": data}),
    }
}

fn error_example(dialect: Dialect) -> Value {
    match dialect {
        Dialect::Forum => {
            json!({"errorCode": 401, "data": {"status": false, "errorType": "UNAUTHENTICATED", "message": "authentication required"}})
        }
        Dialect::Volunteer => {
            json!({"error_code": 422, "data": null, "error_message": "name is required"})
        }
        Dialect::Medassist => {
            json!({"code": 401, "message": "authentication required", "error": "UNAUTHENTICATED", "data": null})
        }
        Dialect::Social => {
            json!({"message": "name is required", "errors": {"name": ["name is required"]}})
        }
        Dialect::Counseling => {
            json!({"code": 401, "message": "userID and token do not belong together", "data": null})
        }
    }
}

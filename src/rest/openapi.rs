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
        .build();
    OpenApiBuilder::new()
        .info(info)
        .paths(paths.build())
        .tags(Some(Dialect::ALL.map(|d| {
            TagBuilder::new()
                .name(d.name())
                .description(Some(d.description()))
                .build()
        })))
        .build()
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
    let ok = ResponseBuilder::new()
        .description("The language model's answer as it came, not wrapped in the envelope")
        .content(
            "application/json",
            ContentBuilder::new()
                .example(Some(json!({
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "model": "glm-4",
                    "choices": [{
                        "index": 0,
                        "message": {"role": "assistant", "content": "1+1=2"},
                        "finish_reason": "stop"
                    }],
                    "usage": {"prompt_tokens": 30, "completion_tokens": 5, "total_tokens": 35}
                })))
                .build(),
        )
        .content(
            "text/event-stream",
            ContentBuilder::new()
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

fn operation(route: &Route) -> Operation {
    let mut op = OperationBuilder::new()
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
            "{}\n\nExecutes:\n```graphql\n{}\n```",
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
        .and_then(|e| serde_json::from_str::<Value>(e).ok());
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
                ContentBuilder::new().example(ok_example).build(),
            )
            .build()
    };
    let failure = ResponseBuilder::new()
        .description(match route.dialect {
            Dialect::Forum | Dialect::Volunteer | Dialect::Counseling => {
                "Failures arrive with HTTP 200 in the envelope (see the dialect's description)"
            }
            _ => "Failure with the HTTP status of the error (see the dialect's description)",
        })
        .content(
            "application/json",
            ContentBuilder::new().example(Some(errors)).build(),
        )
        .build();
    op.responses(
        ResponsesBuilder::new()
            .response(status.as_u16().to_string(), ok)
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

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

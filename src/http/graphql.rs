//! The GraphQL-over-HTTP endpoint: `POST /graphql` (JSON or multipart uploads), `GET /graphql`
//! for queries, WebSocket upgrades (graphql-transport-ws) and GraphiQL.

use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, MultipartOptions, receive_batch_body};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql::{
    BatchRequest, BatchResponse, Data, ErrorExtensionValues, Response as GqlResponse,
};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{FromRequestParts, Request, State};
use axum::response::{Html, IntoResponse, Response};
use futures::TryStreamExt;
use http::{HeaderMap, HeaderValue, StatusCode, header};

use crate::AppState;
use crate::auth::{Auth, token_from_connection_params, token_from_headers};
use crate::config::GraphqlConfig;
use crate::error::AppError;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// The query GraphiQL opens with: the README's first example.
pub const SAMPLE_QUERY: &str = "# Run: the ▶ button or Ctrl-Enter.\n\
# Docs (top left): every type and field.\n\
{\n  posts(first: 5) {\n    totalCount\n    nodes {\n      title\n      likeCount\n      author {\n        displayName\n      }\n    }\n  }\n}\n";

/// GraphiQL, pointed at this endpoint, with its scripts served by this binary.
pub fn graphiql_html() -> String {
    super::assets::graphiql_page("/graphql", SAMPLE_QUERY)
}

/// `GET /graphql`: WebSocket upgrade, GraphiQL for browsers, or a query in the query string.
pub async fn get_handler(State(state): State<AppState>, request: Request) -> Response {
    let (mut parts, _body) = request.into_parts();
    let is_upgrade = parts
        .headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if is_upgrade {
        let protocol = match GraphQLProtocol::from_request_parts(&mut parts, &state).await {
            Ok(p) => p,
            Err(rejection) => return rejection.into_response(),
        };
        let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
            Ok(u) => u,
            Err(rejection) => return rejection.into_response(),
        };
        let config = &state.services.config;
        // A page of another site may open a WebSocket to us with the user's cookie: refused.
        if crate::auth::is_cross_site(
            &parts.headers,
            &config.http.cors_origins,
            config.public_url.as_deref(),
        ) {
            return request_error(
                &parts.headers,
                StatusCode::FORBIDDEN,
                "WebSocket connections from another site's page are refused",
            );
        }
        let public_url = super::public_url(config, &parts.headers);
        let header_token = token_from_headers(&parts.headers, &config.auth.cookie_name);
        let upgrade_headers = parts.headers.clone();
        return upgrade
            .protocols(ALL_WEBSOCKET_PROTOCOLS)
            .on_upgrade(move |socket| {
                let schema = crate::graphql::PreparedSchema {
                    schema: state.schema.clone(),
                    preparer: state.preparer.clone(),
                    services: state.services.clone(),
                };
                GraphQLWebSocket::new(socket, schema, protocol)
                    .on_connection_init(move |params| async move {
                        let token = token_from_connection_params(&params).or(header_token);
                        let auth = state
                            .authenticate(token.as_deref(), &upgrade_headers)
                            .await
                            .map_err(async_graphql::Error::from)?;
                        if auth.token_rejected {
                            return Err(async_graphql::Error::new(
                                "the token is invalid, expired or revoked",
                            ));
                        }
                        let mut data = Data::default();
                        state.insert_request_data(&mut data, auth, public_url);
                        Ok(data)
                    })
                    .serve()
            });
    }
    let query_string = parts.uri.query().unwrap_or("");
    if query_string.is_empty() {
        let wants_html = accepts(&parts.headers, "text/html");
        if wants_html && !state.services.config.production {
            return Html(graphiql_html()).into_response();
        }
        return request_error(
            &parts.headers,
            StatusCode::BAD_REQUEST,
            "send a query: POST application/json, or GET /graphql?query=…",
        );
    }
    let request = match async_graphql::http::parse_query_string(query_string) {
        Ok(mut r) => {
            let named = serde_urlencoded::from_str::<Vec<(String, String)>>(query_string)
                .unwrap_or_default()
                .into_iter()
                .find(|(k, _)| k == "documentId" || k == "doc_id" || k == "id")
                .map(|(_, v)| v);
            if let Some(id) = named {
                r.extensions.0.insert(
                    crate::graphql::persisted::DOCUMENT_ID.to_owned(),
                    async_graphql::Value::String(id),
                );
            }
            r
        }
        Err(e) => {
            return request_error(
                &parts.headers,
                StatusCode::BAD_REQUEST,
                &format!("malformed query string: {e}"),
            );
        }
    };
    let limits = &state.services.config.graphql;
    if let Err(message) = check_length(&request, limits) {
        return request_error(&parts.headers, StatusCode::BAD_REQUEST, &message);
    }
    execute(
        &state,
        &parts.headers,
        BatchRequest::Single(request),
        Via::Get,
    )
    .await
}

/// `POST /graphql`: `application/json` (a single operation, or a batch when enabled) or a
/// GraphQL multipart request with a preflight header. Other content types are refused (CSRF).
pub async fn post_handler(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let headers = parts.headers;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let lower = content_type.to_ascii_lowercase();
    let config = &state.services.config;
    let is_json = lower.starts_with("application/json") || lower.starts_with(GRAPHQL_RESPONSE_JSON);
    let is_multipart = lower.starts_with("multipart/form-data");
    if !is_json && !is_multipart {
        return request_error(
            &headers,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send application/json (or multipart/form-data for uploads)",
        );
    }
    if is_multipart && !has_preflight_header(&headers) {
        // Read (and drop) the body first: answering while the client is still sending makes
        // it see a broken pipe instead of this message.
        drain(body, config.storage.max_upload_bytes + 64 * 1024).await;
        return request_error(
            &headers,
            StatusCode::BAD_REQUEST,
            "multipart requests need a GraphQL-Preflight, Apollo-Require-Preflight, Authorization or X-auth-token header",
        );
    }
    let limit = if is_multipart {
        config.storage.max_upload_bytes + 64 * 1024
    } else {
        config.http.body_limit_bytes
    };
    let stream = http_body_util::BodyStream::new(axum::body::Body::new(
        http_body_util::Limited::new(body, limit),
    ));
    let reader = stream
        .try_filter_map(|frame| async move { Ok(frame.into_data().ok()) })
        .map_err(std::io::Error::other)
        .into_async_read();
    let options = MultipartOptions::default()
        .max_file_size(config.storage.max_upload_bytes)
        .max_num_files(10);
    let received = if is_json {
        receive_json_batch(Box::pin(reader)).await
    } else {
        receive_batch_body(Some(content_type.as_str()), reader, options).await
    };
    let batch = match received {
        Ok(batch) => batch,
        Err(e) => {
            let text = e.to_string();
            let (status, message) = if text.contains("length limit exceeded") {
                (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("the body is larger than {limit} bytes"),
                )
            } else {
                (
                    StatusCode::BAD_REQUEST,
                    format!("malformed request: {text}"),
                )
            };
            return request_error(&headers, status, &message);
        }
    };
    let requests = match &batch {
        BatchRequest::Single(r) => vec![r],
        BatchRequest::Batch(list) => {
            if !config.graphql.batching {
                return request_error(
                    &headers,
                    StatusCode::BAD_REQUEST,
                    "batched requests are disabled on this server",
                );
            }
            if list.is_empty() || list.len() > config.graphql.max_batch_size {
                return request_error(
                    &headers,
                    StatusCode::BAD_REQUEST,
                    &format!(
                        "a batch holds 1 to {} operations",
                        config.graphql.max_batch_size
                    ),
                );
            }
            list.iter().collect()
        }
    };
    for request in requests {
        if let Err(message) = check_length(request, &config.graphql) {
            return request_error(&headers, StatusCode::BAD_REQUEST, &message);
        }
    }
    execute(&state, &headers, batch, Via::Post).await
}

/// A JSON body: one request or a batch. Besides the standard members, a request may name a
/// persisted or trusted document by `documentId` (GraphQL over HTTP), `doc_id` or `id` (Relay);
/// the name travels to `graphql::persisted` as `extensions.documentId`.
async fn receive_json_batch(
    mut reader: std::pin::Pin<Box<dyn futures::AsyncRead + Send + '_>>,
) -> Result<BatchRequest, async_graphql::ParseRequestError> {
    use futures::AsyncReadExt;
    let mut body = Vec::new();
    reader
        .read_to_end(&mut body)
        .await
        .map_err(async_graphql::ParseRequestError::Io)?;
    let value: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| async_graphql::ParseRequestError::InvalidRequest(Box::new(e)))?;
    let one = |value: serde_json::Value| -> Result<async_graphql::Request, async_graphql::ParseRequestError> {
        let mut value = value;
        let id = value.as_object_mut().and_then(|map| {
            ["documentId", "doc_id", "id"]
                .iter()
                .find_map(|key| match map.remove(*key) {
                    Some(serde_json::Value::String(id)) => Some(id),
                    _ => None,
                })
        });
        let mut request: async_graphql::Request = serde_json::from_value(value)
            .map_err(|e| async_graphql::ParseRequestError::InvalidRequest(Box::new(e)))?;
        if let Some(id) = id {
            request.extensions.0.insert(
                crate::graphql::persisted::DOCUMENT_ID.to_owned(),
                async_graphql::Value::String(id),
            );
        }
        Ok(request)
    };
    match value {
        serde_json::Value::Array(items) => Ok(BatchRequest::Batch(
            items.into_iter().map(one).collect::<Result<_, _>>()?,
        )),
        other => Ok(BatchRequest::Single(one(other)?)),
    }
}

/// Reads up to `limit` bytes of a body into nothing.
async fn drain(body: axum::body::Body, limit: usize) {
    use http_body_util::BodyExt;
    let mut body = http_body_util::Limited::new(body, limit);
    while let Some(Ok(_)) = body.frame().await {}
}

/// The HTTP method a request came with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Via {
    Get,
    Post,
}

/// A request of the body after preparation: ready to run (on the schema it needs), or already
/// answered with the error that stopped it.
enum Prepared {
    Ready {
        request: async_graphql::Request,
        introspection: bool,
    },
    Failed(GqlResponse),
}

async fn execute(state: &AppState, headers: &HeaderMap, batch: BatchRequest, via: Via) -> Response {
    let config = &state.services.config;
    let carried = crate::auth::carried_token(headers, Some(&config.auth.cookie_name));
    if carried
        .as_ref()
        .is_some_and(|(_, from_cookie)| *from_cookie)
        && let Err(err) = crate::rest::refuse_cross_site_cookie(config, headers)
    {
        return request_error(headers, err.http_status(), &err.public_message());
    }
    let auth = match state
        .authenticate(carried.map(|(token, _)| token).as_deref(), headers)
        .await
    {
        Ok(auth) => auth,
        Err(err) => {
            let mut response = request_error(headers, err.http_status(), &err.public_message());
            if let Some(value) = err
                .retry_after_secs()
                .and_then(|s| HeaderValue::from_str(&s.to_string()).ok())
            {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return response;
        }
    };
    let public_url = super::public_url(&state.services.config, headers);
    let single = matches!(batch, BatchRequest::Single(_));
    let requests = match batch {
        BatchRequest::Single(r) => vec![r],
        BatchRequest::Batch(list) => list,
    };
    let mut names = Vec::with_capacity(requests.len());
    let mut prepared = Vec::with_capacity(requests.len());
    for request in requests {
        let given_name = request.operation_name.clone();
        let mut request = match state.preparer.prepare(Some(&state.services), request).await {
            Ok(request) => request,
            Err(error) => {
                names.push(operation_label(given_name.as_deref(), None));
                prepared.push(Prepared::Failed(GqlResponse::from_errors(vec![error])));
                continue;
            }
        };
        let operation_name = request.operation_name.clone();
        let doc = match request.parsed_query() {
            Ok(doc) => doc,
            Err(error) => {
                names.push(operation_label(operation_name.as_deref(), None));
                prepared.push(Prepared::Failed(GqlResponse::from_errors(vec![error])));
                continue;
            }
        };
        if let Err(message) = check_aliases(doc, &config.graphql) {
            return request_error(headers, StatusCode::BAD_REQUEST, &message);
        }
        if via == Via::Get
            && selected_operation_type(doc, operation_name.as_deref())
                .is_some_and(|t| t != OperationType::Query)
        {
            let mut response = request_error(
                headers,
                StatusCode::METHOD_NOT_ALLOWED,
                "only queries may be sent with GET; use POST for mutations",
            );
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return response;
        }
        // An introspection-only operation is bounded by its own rule and then runs without the
        // data queries' depth and complexity limits (see `introspection`). It is classified on
        // the document that runs, also when the request named it by id or hash.
        let mut introspection = false;
        if single {
            match super::introspection::classify(doc, operation_name.as_deref()) {
                super::introspection::Kind::Data => {}
                super::introspection::Kind::Introspection => introspection = true,
                super::introspection::Kind::TooLarge(message) => {
                    return request_error(headers, StatusCode::BAD_REQUEST, &message);
                }
            }
        }
        names.push(operation_label(operation_name.as_deref(), Some(doc)));
        prepared.push(Prepared::Ready {
            request: state.prepare(request, auth.clone(), public_url.clone()),
            introspection,
        });
    }
    let run = |item: Prepared| async move {
        match item {
            Prepared::Ready {
                request,
                introspection,
            } => {
                let schema = if introspection {
                    &state.trusted_schema
                } else {
                    &state.schema
                };
                schema.execute(request).await
            }
            Prepared::Failed(response) => response,
        }
    };
    let mut response = if single {
        match prepared.pop() {
            Some(item) => BatchResponse::Single(run(item).await),
            None => return AppError::internal("no request").into_response(),
        }
    } else {
        BatchResponse::Batch(futures::future::join_all(prepared.into_iter().map(run)).await)
    };
    match &mut response {
        BatchResponse::Single(r) => finish_response(r),
        BatchResponse::Batch(list) => list.iter_mut().for_each(finish_response),
    }
    let outcomes: Vec<bool> = match &response {
        BatchResponse::Single(r) => vec![r.errors.is_empty()],
        BatchResponse::Batch(list) => list.iter().map(|r| r.errors.is_empty()).collect(),
    };
    for (name, ok) in names.into_iter().zip(outcomes) {
        metrics::counter!("medgraph_graphql_operations_total", "operation" => name, "outcome" => if ok { "ok" } else { "error" }).increment(1);
    }
    respond(headers, response)
}

/// Gives every error a code (async-graphql's own parse, validation and limit errors are the
/// client's: `BAD_USER_INPUT`).
fn finish_response(response: &mut GqlResponse) {
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some());
        if !has_code {
            error
                .extensions
                .get_or_insert_with(ErrorExtensionValues::default)
                .set("code", "BAD_USER_INPUT");
        }
    }
}

fn respond(headers: &HeaderMap, response: BatchResponse) -> Response {
    let graphql_response = accepts(headers, GRAPHQL_RESPONSE_JSON);
    // A request that never executed (a parse or validation error: no error has a path) is a
    // request error: under application/graphql-response+json a 400, and in either type its
    // body has no `data` key (GraphQL over HTTP, "request error").
    let never_executed = |r: &GqlResponse| {
        r.data == async_graphql::Value::Null
            && !r.errors.is_empty()
            && r.errors.iter().all(|e| e.path.is_empty())
    };
    let request_errors = match &response {
        BatchResponse::Single(r) if never_executed(r) => Some(&r.errors),
        _ => None,
    };
    let failed_before_execution = request_errors.is_some();
    let status = if graphql_response && failed_before_execution {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let content_type = if graphql_response {
        GRAPHQL_RESPONSE_JSON
    } else {
        "application/json"
    };
    let body = if let Some(errors) = request_errors {
        serde_json::to_vec(&serde_json::json!({ "errors": errors }))
    } else {
        serde_json::to_vec(&response)
    };
    let body = match body {
        Ok(b) => b,
        Err(e) => return AppError::internal(e).into_response(),
    };
    // Headers resolvers set (the session cookie of a login or logout).
    let mut extra = HeaderMap::new();
    match &response {
        BatchResponse::Single(r) => extra.extend(r.http_headers.clone()),
        BatchResponse::Batch(list) => {
            for r in list {
                extra.extend(r.http_headers.clone());
            }
        }
    }
    // A rate-limited operation: when to try again, as HTTP says it.
    let retry_after = match &response {
        BatchResponse::Single(r) => retry_after_of(r),
        BatchResponse::Batch(list) => list.iter().find_map(retry_after_of),
    };
    if let Some(value) = retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
        extra.insert(header::RETRY_AFTER, value);
    }
    let mut response = (status, [(header::CONTENT_TYPE, content_type)], body).into_response();
    for (name, value) in extra.iter() {
        response.headers_mut().append(name.clone(), value.clone());
    }
    response
}

/// The `retryAfter` seconds of a rate-limited error in the response.
fn retry_after_of(response: &GqlResponse) -> Option<u64> {
    response
        .errors
        .iter()
        .find_map(|e| match e.extensions.as_ref()?.get("retryAfter")? {
            async_graphql::Value::Number(n) => n.as_u64(),
            _ => None,
        })
}

/// A GraphQL-shaped error for a request that could not be executed.
fn request_error(headers: &HeaderMap, status: StatusCode, message: &str) -> Response {
    let content_type = if accepts(headers, GRAPHQL_RESPONSE_JSON) {
        GRAPHQL_RESPONSE_JSON
    } else {
        "application/json"
    };
    let code = match status {
        StatusCode::UNAUTHORIZED => "UNAUTHENTICATED",
        StatusCode::FORBIDDEN => "FORBIDDEN",
        StatusCode::TOO_MANY_REQUESTS => "RATE_LIMITED",
        StatusCode::SERVICE_UNAVAILABLE => "UNAVAILABLE",
        StatusCode::INTERNAL_SERVER_ERROR => "INTERNAL",
        _ => "BAD_USER_INPUT",
    };
    let body = serde_json::json!({
        "errors": [{"message": message, "extensions": {"code": code}}]
    });
    (
        status,
        [(header::CONTENT_TYPE, content_type)],
        body.to_string(),
    )
        .into_response()
}

fn accepts(headers: &HeaderMap, media_type: &str) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|t| t.trim().starts_with(media_type)))
}

fn has_preflight_header(headers: &HeaderMap) -> bool {
    [
        "graphql-preflight",
        "apollo-require-preflight",
        "authorization",
        "x-auth-token",
    ]
    .iter()
    .any(|h| headers.contains_key(*h))
}

/// Metric label of an operation: its name (given, or of the document's single operation).
fn operation_label(name: Option<&str>, doc: Option<&ExecutableDocument>) -> String {
    let from_document = || match &doc?.operations {
        DocumentOperations::Single(_) => None,
        DocumentOperations::Multiple(map) if map.len() == 1 => {
            map.keys().next().map(|n| n.as_str())
        }
        DocumentOperations::Multiple(_) => None,
    };
    match name.or_else(from_document) {
        Some(name)
            if name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            name.to_owned()
        }
        Some(_) => "invalid".into(),
        None => "anonymous".into(),
    }
}

/// The query length limit, checked on the text before anything else.
fn check_length(request: &async_graphql::Request, limits: &GraphqlConfig) -> Result<(), String> {
    if request.query.len() > limits.max_query_length {
        return Err(format!(
            "the query is {} characters long; the limit is {}",
            request.query.len(),
            limits.max_query_length
        ));
    }
    Ok(())
}

/// The alias limit (async-graphql has none), checked on the parsed document.
fn check_aliases(doc: &ExecutableDocument, limits: &GraphqlConfig) -> Result<(), String> {
    let aliases = count_aliases(doc);
    if aliases > limits.max_aliases {
        return Err(format!(
            "the document uses {aliases} aliases; the limit is {}",
            limits.max_aliases
        ));
    }
    Ok(())
}

fn count_aliases(doc: &ExecutableDocument) -> usize {
    fn in_set(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(f) => {
                    usize::from(f.node.alias.is_some()) + in_set(&f.node.selection_set.node)
                }
                Selection::InlineFragment(i) => in_set(&i.node.selection_set.node),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    let ops: usize = doc
        .operations
        .iter()
        .map(|(_, op)| in_set(&op.node.selection_set.node))
        .sum();
    let fragments: usize = doc
        .fragments
        .values()
        .map(|f| in_set(&f.node.selection_set.node))
        .sum();
    ops + fragments
}

fn selected_operation_type(doc: &ExecutableDocument, name: Option<&str>) -> Option<OperationType> {
    match (&doc.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(map), Some(name)) => map
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, op)| op.node.ty),
        (DocumentOperations::Multiple(map), None) if map.len() == 1 => {
            map.values().next().map(|op| op.node.ty)
        }
        _ => None,
    }
}

impl AppState {
    /// The caller's authentication for a token from any carrier.
    pub async fn authenticate(
        &self,
        token: Option<&str>,
        headers: &HeaderMap,
    ) -> Result<Auth, AppError> {
        let mut auth = crate::auth::resolve_token(&self.services.db, token).await?;
        auth.client_ip = headers
            .get(crate::auth::CLIENT_IP_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        self.spend_request_budget(&auth).await?;
        Ok(auth)
    }

    /// Counts the request against the caller's account and address budgets (in the database,
    /// so the limits hold across processes); `RATE_LIMITED` once either is spent.
    async fn spend_request_budget(&self, auth: &Auth) -> Result<(), AppError> {
        let config = &self.services.config;
        let (per_account, per_ip) = config.http.request_budgets(config.production);
        let db = &self.services.db;
        if per_ip > 0
            && let Some(ip) = auth.client_ip
        {
            crate::ratelimit::check(
                db,
                &format!("requests:ip:{ip}"),
                60,
                per_ip,
                "requests from this address",
            )
            .await?;
        }
        if per_account > 0
            && let Some(viewer) = &auth.viewer
        {
            crate::ratelimit::check(
                db,
                &format!("requests:user:{}", viewer.user_id),
                60,
                per_account,
                "requests from this account",
            )
            .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_aliases_in_operations_and_fragments() {
        let doc = async_graphql::parser::parse_query(
            "query { a: x b: y { c: z } ...F } fragment F on Q { d: w }",
        )
        .expect("parses");
        assert_eq!(count_aliases(&doc), 4);
    }

    #[test]
    fn finds_the_selected_operation() {
        let doc =
            async_graphql::parser::parse_query("query A { x } mutation B { y }").expect("parses");
        assert_eq!(
            selected_operation_type(&doc, Some("B")),
            Some(OperationType::Mutation)
        );
        assert_eq!(selected_operation_type(&doc, None), None);
    }
}

//! Serving the route tables: one generic handler reads the inputs a route declares, executes the
//! route's GraphQL document in-process and wraps the result in the dialect's envelope.

use std::collections::BTreeMap;
use std::io::{Seek, Write};
use std::sync::Arc;

use async_graphql::{UploadValue, Variables};
use axum::Router;
use axum::extract::{DefaultBodyLimit, RawPathParams, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use http::{Method, StatusCode, Uri};
use serde_json::Value;

use super::extract::{FilePart, Inputs, parse_query, read_body};
use super::{Dialect, Route, Source};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppError, AppResult};

/// Mounts every route of the table on its documented path and method.
pub fn router(routes: &[Route], upload_limit: usize) -> Router<AppState> {
    let mut by_path: BTreeMap<&'static str, MethodRouter<AppState>> = BTreeMap::new();
    for route in routes {
        let route = Arc::new(route.clone());
        let filter = match MethodFilter::try_from(route.method.clone()) {
            Ok(filter) => filter,
            Err(_) => continue,
        };
        let has_files = route.params.iter().any(|p| p.source == Source::File);
        let handler_route = route.clone();
        let mut method_router: MethodRouter<AppState> = on(
            filter,
            move |State(state): State<AppState>, request: Request| {
                let route = handler_route.clone();
                async move { handle(state, route, request).await }
            },
        );
        if has_files {
            method_router = method_router.layer(DefaultBodyLimit::max(upload_limit + 64 * 1024));
        }
        let entry = by_path.remove(route.path);
        by_path.insert(
            route.path,
            match entry {
                Some(existing) => existing.merge(method_router),
                None => method_router,
            },
        );
    }
    by_path
        .into_iter()
        .fold(Router::new(), |router, (path, method_router)| {
            router.route(path, method_router.fallback(method_not_allowed))
        })
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    Dialect::for_path(uri.path())
        .method_not_allowed(format!("{method} is not served at {}", uri.path()))
}

/// Answer for a path no route serves, in the envelope of the dialect that owns the prefix.
pub async fn dialect_fallback(method: Method, uri: Uri) -> Response {
    let dialect = Dialect::for_path(uri.path());
    let mut response = dialect.error(&AppError::NotFound(format!(
        "no endpoint {method} {}",
        uri.path()
    )));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

async fn handle(state: AppState, route: Arc<Route>, request: Request) -> Response {
    let dialect = route.dialect;
    match run(&state, &route, request).await {
        Ok(data) => dialect.ok(data, route.status),
        Err(err) => dialect.error_coded(&err, documented_failure_code(&route, &err)),
    }
}

/// The envelope code a route documents for its refusals, if any (a missing login keeps 401).
fn documented_failure_code(route: &Route, err: &AppError) -> Option<u16> {
    if matches!(err, AppError::Unauthenticated(_)) {
        return None;
    }
    match route.dialect {
        Dialect::Forum => super::forum::community::failure_code(route.path),
        _ => None,
    }
}

async fn run(state: &AppState, route: &Route, request: Request) -> AppResult<Value> {
    let (mut parts, body) = request.into_parts();
    let path = axum::RequestPartsExt::extract::<RawPathParams>(&mut parts)
        .await
        .map_err(|e| AppError::bad_input(e.body_text()))?;
    for (name, value) in path.iter() {
        super::extract::refuse_nul(name, value)?;
    }
    let query = parse_query(parts.uri.query())?;
    let headers = parts.headers.clone();
    let public_url = crate::http::public_url(&state.services.config, &headers);
    let limit = state.services.config.http.body_limit_bytes;
    let (body, files) = read_body(Request::from_parts(parts, body), limit).await?;
    let inputs = Inputs {
        path: path
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        query,
        body,
        files,
        headers,
    };
    let auth = authenticate(state, route.dialect, &inputs).await?;
    let (mut vars, uploads) = inputs.variables(route.params)?;
    let ceiling = state.services.config.http.dialect_list_ceiling;
    if let Some(prepare) = route.prepare {
        // Under the same page ceiling as the document, so that a legacy page size is checked
        // against what the document may answer.
        crate::domain::page::with_ceiling_sync(ceiling, || prepare(&mut vars))?;
    }
    // Values a `prepare` set aside for the transform (keys starting with `$`) are not variables.
    let set_aside: Vec<String> = vars
        .keys()
        .filter(|k| k.starts_with('$'))
        .cloned()
        .collect();
    let echoed: Vec<(String, Value)> = set_aside
        .into_iter()
        .filter_map(|k| vars.remove(&k).map(|v| (k, v)))
        .collect();
    let mut request = async_graphql::Request::new(route.document)
        .variables(Variables::from_json(Value::Object(vars)));
    for (var, part) in uploads {
        let upload = to_upload(part).await?;
        request.set_upload(&format!("variables.{var}"), upload);
    }
    let request = state
        .prepare(request, auth, public_url)
        .data(crate::graphql::persisted::DialectDocument);
    let response = match state.preparer.prepare(Some(&state.services), request).await {
        Ok(request) => {
            crate::domain::page::with_ceiling(ceiling, state.trusted_schema.execute(request)).await
        }
        Err(error) => async_graphql::Response::from_errors(vec![error]),
    };
    if let Some(err) = response.errors.first() {
        return Err(legacy_field_names(app_error_of(err), route.params));
    }
    let mut data = super::answer_json(response.data);
    if let Value::Object(map) = &mut data {
        map.extend(echoed);
    }
    (route.transform)(data)
}

/// The caller of a legacy request: a token in the headers, or (counseling) `token` + `userID`
/// in the body, which must belong together. The session cookie counts only in the dialect that
/// documents cookie sessions (forum), and not from another site's page (CSRF).
pub(crate) async fn authenticate(
    state: &AppState,
    dialect: Dialect,
    inputs: &Inputs,
) -> AppResult<Auth> {
    let config = &state.services.config;
    let cookie = (dialect == Dialect::Forum).then_some(config.auth.cookie_name.as_str());
    let carried = crate::auth::carried_token(&inputs.headers, cookie);
    if carried
        .as_ref()
        .is_some_and(|(_, from_cookie)| *from_cookie)
    {
        refuse_cross_site_cookie(config, &inputs.headers)?;
    }
    let mut token = carried.map(|(token, _)| token);
    let mut claimed_user = None;
    if dialect == Dialect::Counseling {
        let field = |name: &str| {
            inputs
                .body
                .get(name)
                .cloned()
                .or_else(|| inputs.query.get(name).cloned().map(Value::String))
        };
        if let Some(t) = field("token").and_then(|v| v.as_str().map(str::to_owned)) {
            token = Some(t);
        }
        // `user_id` is the spelling of the roster endpoints.
        claimed_user = field("userID")
            .or_else(|| field("user_id"))
            .map(|v| match v {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            });
    }
    let auth = state
        .authenticate(token.as_deref(), &inputs.headers)
        .await?;
    if let Some(claimed) = claimed_user {
        match (&auth.viewer, claimed) {
            (Some(viewer), Some(id)) if viewer.user_id == id => {}
            (None, _) => {}
            _ => {
                return Err(AppError::Unauthenticated(
                    "userID and token do not belong together".into(),
                ));
            }
        }
    }
    Ok(auth)
}

/// Refuses a request authenticated by the session cookie that another site's page sent.
pub fn refuse_cross_site_cookie(
    config: &crate::config::Config,
    headers: &http::HeaderMap,
) -> AppResult<()> {
    if crate::auth::is_cross_site(
        headers,
        &config.http.cors_origins,
        config.public_url.as_deref(),
    ) {
        return Err(AppError::Forbidden(
            "the session cookie is not accepted on requests from another site".into(),
        ));
    }
    Ok(())
}

async fn to_upload(part: FilePart) -> AppResult<UploadValue> {
    let FilePart {
        filename,
        content_type,
        bytes,
    } = part;
    let file = tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
        let mut file = tempfile::tempfile()?;
        file.write_all(&bytes)?;
        file.rewind()?;
        Ok(file)
    })
    .await
    .map_err(AppError::internal)??;
    Ok(UploadValue {
        filename,
        content_type,
        content: file,
    })
}

/// Names the field of an input error as the dialect's clients sent it (`verifiable_code`, not
/// the schema's `code`) when a route parameter maps onto it.
fn legacy_field_names(err: AppError, params: &[super::Param]) -> AppError {
    match err {
        AppError::BadInput {
            message,
            field: Some(field),
        } => AppError::BadInput {
            message,
            field: Some(legacy_field_name(field, params)),
        },
        // Rebuilt, so that a message naming several fields names them as the clients do.
        AppError::BadFields { fields, .. } => AppError::bad_fields(
            fields
                .into_iter()
                .map(|e| crate::error::FieldError {
                    field: legacy_field_name(e.field, params),
                    message: e.message,
                })
                .collect(),
        ),
        other => other,
    }
}

/// The legacy name of one input field: the parameter that maps onto it; for a field inside a
/// JSON parameter that is the whole `input` object, the parameter's name and the field's path
/// in snake case (`idCard.number` under `data` is `data.id_card.number`).
fn legacy_field_name(field: String, params: &[super::Param]) -> String {
    if let Some(p) = params.iter().find(|p| {
        p.var == field
            || p.var
                .rsplit_once('.')
                .is_some_and(|(_, last)| last == field)
    }) {
        return p.name.to_owned();
    }
    match params
        .iter()
        .find(|p| p.kind == super::Kind::Json && p.var == "input")
    {
        Some(p) => format!("{}.{}", p.name, snake_case(&field)),
        None => field,
    }
}

fn snake_case(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 4);
    for c in path.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The application error a GraphQL error stands for.
pub fn app_error_of(err: &async_graphql::ServerError) -> AppError {
    let ext = err.extensions.as_ref();
    let code = ext
        .and_then(|e| e.get("code"))
        .and_then(|v| match v {
            async_graphql::Value::String(s) => Some(s.clone()),
            _ => None,
        })
        .unwrap_or_else(|| "BAD_USER_INPUT".into());
    let field = ext.and_then(|e| e.get("field")).and_then(|v| match v {
        async_graphql::Value::String(s) => Some(s.clone()),
        _ => None,
    });
    if let (Some(async_graphql::Value::Object(fields)), "BAD_USER_INPUT") =
        (ext.and_then(|e| e.get("fields")), code.as_str())
    {
        let fields = fields
            .iter()
            .flat_map(|(field, messages)| {
                let messages = match messages {
                    async_graphql::Value::List(list) => list.clone(),
                    other => vec![other.clone()],
                };
                messages.into_iter().map(move |m| crate::error::FieldError {
                    field: field.to_string(),
                    message: match m {
                        async_graphql::Value::String(s) => s,
                        other => other.to_string(),
                    },
                })
            })
            .collect();
        return AppError::BadFields {
            message: err.message.clone(),
            fields,
        };
    }
    match (code.as_str(), field) {
        ("BAD_USER_INPUT", Some(field)) => AppError::BadInput {
            message: err.message.clone(),
            field: Some(field),
        },
        _ => AppError::from_code(&code, err.message.clone()),
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.http_status();
        (
            status,
            axum::Json(serde_json::json!({
                "errors": [{"message": self.public_message(), "extensions": {"code": self.code()}}]
            })),
        )
            .into_response()
    }
}

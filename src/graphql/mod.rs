//! The GraphQL schema: queries, mutations and subscriptions per area, request-scoped
//! DataLoaders, Relay `Node` and connections, and the limits that keep queries affordable.

mod assistants;
mod care;
pub mod clinic_loaders;
mod clinics;
mod community;
pub mod community_loaders;
mod community_plan;
mod community_reviews;
pub mod connection;
mod counseling;
mod identity;
mod interviews;
pub mod loaders;
mod mutation;
pub mod node;
mod nul;
pub mod persisted;
pub mod prepare;
mod query;
pub(crate) mod recharge;
pub mod registration_loaders;
pub(crate) mod registrations;
mod role_reviews;
mod social;
mod subscription;
pub mod types;
mod volunteer;
pub mod volunteer_loaders;

use std::io::Read;

use crate::error::AppError;

use async_graphql::{Context, Schema};

pub use mutation::MutationRoot;
pub use prepare::{PreparedSchema, Preparer};
pub use query::QueryRoot;
pub use subscription::SubscriptionRoot;

use crate::Services;
use crate::auth::Auth;
use crate::config::Config;

/// The executable schema.
pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Absolute base URL of this server for the current request (for file URLs).
#[derive(Debug, Clone)]
pub struct PublicUrl(pub String);

/// Builds the schema with the configured limits; `services` become schema data.
pub fn build_schema(services: Option<Services>, config: &Config) -> AppSchema {
    build_schema_with(services, config, true)
}

/// The same schema without the depth and complexity limits meant for client-written data
/// queries: it runs the dialects' own documents (trusted code) and introspection-only
/// operations, which [`crate::http`] bounds by their own rule first.
pub fn build_trusted_schema(services: Option<Services>, config: &Config) -> AppSchema {
    build_schema_with(services, config, false)
}

fn build_schema_with(services: Option<Services>, config: &Config, limited: bool) -> AppSchema {
    let limits = &config.graphql;
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    .limit_directives(limits.max_directives_per_field)
    .limit_recursive_depth(64);
    // No extensions: an extension makes the executor wrap every resolved field (see
    // `prepare`, which does their work once per request instead).
    if limited {
        builder = builder
            .limit_depth(limits.max_depth)
            .limit_complexity(limits.max_complexity);
    }
    if config.production {
        builder = builder.disable_introspection().disable_suggestions();
    }
    if let Some(services) = services {
        builder = builder.data(services);
    }
    builder.finish()
}

/// Name of an operation no document has: executing with it runs parsing and validation only.
const VALIDATE_ONLY: &str = "__medgraphValidateOnly";

/// Why `document` does not parse or validate against `schema` (empty when it does), without
/// executing anything. The manifest of trusted documents does not apply.
pub async fn validation_errors(schema: &AppSchema, document: &str) -> Vec<String> {
    let response = schema
        .execute(async_graphql::Request::new(document).operation_name(VALIDATE_ONLY))
        .await;
    response
        .errors
        .iter()
        .filter(|e| !e.message.contains(VALIDATE_ONLY))
        .map(|e| e.message.clone())
        .collect()
}

/// The SDL of the schema, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    build_schema(None, &Config::default()).sdl()
}

/// Shared services of the running app.
pub(crate) fn services<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Services> {
    ctx.data::<Services>()
}

/// The account a login or registration in this request opened a session for: its own data is
/// shown to the caller in the mutation's answer.
#[derive(Default)]
pub struct SessionGrant(std::sync::Mutex<Option<i64>>);

impl SessionGrant {
    /// Records the account a session was opened for.
    pub fn grant(&self, user_id: i64) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(user_id);
        }
    }

    fn get(&self) -> Option<i64> {
        self.0.lock().ok().and_then(|slot| *slot)
    }
}

/// Whether the caller counts as the owner of `user_id`'s data: logged in as that user, or
/// having just logged in as that user in this request.
pub(crate) fn is_owner(ctx: &Context<'_>, user_id: i64) -> bool {
    auth(ctx).user_id() == Some(user_id)
        || ctx.data_opt::<SessionGrant>().and_then(SessionGrant::get) == Some(user_id)
}

/// What the request established about its caller (anonymous when absent).
pub(crate) fn auth<'a>(ctx: &Context<'a>) -> &'a Auth {
    static ANONYMOUS: Auth = Auth {
        viewer: None,
        token_rejected: false,
        client_ip: None,
    };
    ctx.data_opt::<Auth>().unwrap_or(&ANONYMOUS)
}

/// Reads an upload (at most `limit` bytes) off the async runtime: its file name and bytes.
pub(crate) async fn read_upload(
    ctx: &Context<'_>,
    file: async_graphql::Upload,
    limit: usize,
) -> async_graphql::Result<(String, Vec<u8>)> {
    let value = file
        .value(ctx)
        .map_err(|e| AppError::bad_field("file", e.to_string()))?;
    let name = value.filename.clone();
    let bytes = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, AppError> {
        let mut buf = Vec::new();
        value
            .into_read()
            .take(limit as u64 + 1)
            .read_to_end(&mut buf)
            .map_err(AppError::internal)?;
        Ok(buf)
    })
    .await
    .map_err(AppError::internal)??;
    if bytes.len() > limit {
        return Err(AppError::bad_field("file", "the file is too large").into());
    }
    Ok((name, bytes))
}

/// Base URL for absolute links, from the request or configuration.
pub(crate) fn public_url(ctx: &Context<'_>) -> String {
    ctx.data_opt::<PublicUrl>()
        .map(|u| u.0.clone())
        .unwrap_or_default()
}

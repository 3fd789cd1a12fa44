//! The GraphQL schema: queries, mutations and subscriptions per area, request-scoped
//! DataLoaders, Relay `Node` and connections, and the limits that keep queries affordable.

pub mod connection;
mod identity;
pub mod loaders;
mod mutation;
pub mod node;
mod query;
mod subscription;
pub mod types;

use async_graphql::{Context, Schema};

pub use mutation::MutationRoot;
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
    let limits = &config.graphql;
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
    .limit_directives(limits.max_directives_per_field)
    .limit_recursive_depth(64);
    if config.production {
        builder = builder.disable_introspection().disable_suggestions();
    }
    if let Some(services) = services {
        builder = builder.data(services);
    }
    builder.finish()
}

/// The SDL of the schema, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    build_schema(None, &Config::default()).sdl()
}

/// Shared services of the running app.
pub(crate) fn services<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Services> {
    ctx.data::<Services>()
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

/// Base URL for absolute links, from the request or configuration.
pub(crate) fn public_url(ctx: &Context<'_>) -> String {
    ctx.data_opt::<PublicUrl>()
        .map(|u| u.0.clone())
        .unwrap_or_default()
}

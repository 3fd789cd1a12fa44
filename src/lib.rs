//! medgraph: one GraphQL API (and the legacy REST dialects over it) for a healthcare and
//! community platform. See `ARCHITECTURE.md` in the shared folder for the layering:
//! HTTP → (REST dialect shim →) GraphQL → domain → entities → database.

// The merged GraphQL roots nest deeply enough for rustc's layout queries in release builds.
#![recursion_limit = "256"]

pub mod auth;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod events;
pub mod graphql;
pub mod http;
pub mod llm;
pub mod payments;
pub mod policy;
pub mod ratelimit;
pub mod rest;
pub mod seed;
pub mod storage;
pub mod telemetry;
pub mod wechat;

use std::sync::Arc;

use axum::Router;
use sea_orm::DatabaseConnection;

use crate::auth::Auth;
use crate::config::Config;
use crate::db::StatementCounter;
use crate::events::SharedBus;
use crate::graphql::loaders::Loaders;
use crate::graphql::{AppSchema, PublicUrl};
use crate::storage::FileStore;

/// Long-lived services every request uses.
#[derive(Clone)]
pub struct Services {
    pub config: Arc<Config>,
    pub db: DatabaseConnection,
    pub files: FileStore,
    pub bus: SharedBus,
    /// SQL statements executed so far (tests compare before and after a request).
    pub statements: Arc<StatementCounter>,
    /// Where verification codes go.
    pub codes: auth::codes::CodeSenders,
    /// The configured language model (answers "not configured" without `llm.url`).
    pub llm: llm::LlmClient,
    /// Income rankings computed in the last three minutes.
    pub rankings: domain::discovery::RankCache,
    /// The payment provider of recharges (UNAVAILABLE when none is configured).
    pub payments: payments::Payments,
    /// The WeChat API client (answers "not configured" without credentials).
    pub wechat: wechat::WechatClient,
}

/// State of the HTTP application: one shared [`AppStateInner`], so that the clone axum makes
/// for every handler and middleware is one reference count, not one per service.
#[derive(Clone)]
pub struct AppState(Arc<AppStateInner>);

impl std::ops::Deref for AppState {
    type Target = AppStateInner;

    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}

/// What [`AppState`] holds.
pub struct AppStateInner {
    pub services: Services,
    pub schema: AppSchema,
    /// The same schema without the limits for client-written data queries: the dialects' own
    /// documents and (bounded separately) introspection run on it.
    pub trusted_schema: AppSchema,
    /// What every GraphQL request goes through before it executes (persisted documents, NUL
    /// characters, one cached parse).
    pub preparer: graphql::Preparer,
    pub openapi: Arc<utoipa::openapi::OpenApi>,
}

impl AppState {
    /// Attaches the per-request data (caller, fresh loaders, base URL) to a GraphQL request.
    pub fn prepare(
        &self,
        request: async_graphql::Request,
        auth: Auth,
        public_url: String,
    ) -> async_graphql::Request {
        let loaders = Loaders::new(&self.services.db, auth.viewer.clone());
        request
            .data(auth)
            .data(loaders)
            .data(PublicUrl(public_url))
            .data(graphql::SessionGrant::default())
    }

    /// The same for a WebSocket connection's data.
    pub fn insert_request_data(
        &self,
        data: &mut async_graphql::Data,
        auth: Auth,
        public_url: String,
    ) {
        data.insert(Loaders::new(&self.services.db, auth.viewer.clone()));
        data.insert(auth);
        data.insert(PublicUrl(public_url));
        data.insert(graphql::SessionGrant::default());
    }
}

/// The assembled application.
pub struct App {
    pub router: Router,
    pub state: AppState,
}

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("{0}")]
    App(String),
    #[error("route table: {0}")]
    Routes(String),
}

impl From<error::AppError> for StartupError {
    fn from(err: error::AppError) -> Self {
        StartupError::App(err.detail())
    }
}

/// Connects, migrates and assembles the application (tests run exactly this in-process).
pub async fn build_app(config: Config) -> Result<App, StartupError> {
    let config = Arc::new(config);
    // Install the metrics recorder before anything records.
    telemetry::metrics_handle();
    let (db, statements) = db::connect(&config).await?;
    db::migrate_up(&db).await?;
    let files = FileStore::from_config(&config)?;
    let bus = events::from_config(&config, &db).await?;
    let codes = auth::codes::CodeSenders::from_config(&config.auth).map_err(StartupError::App)?;
    let services = Services {
        config: config.clone(),
        db,
        files,
        bus,
        statements,
        codes,
        llm: llm::LlmClient::from_config(&config.llm),
        rankings: domain::discovery::RankCache::default(),
        payments: payments::Payments::from_config(&config).map_err(StartupError::App)?,
        wechat: wechat::WechatClient::from_config(&config.wechat),
    };
    let schema = graphql::build_schema(Some(services.clone()), &config);
    let trusted_schema = graphql::build_trusted_schema(Some(services.clone()), &config);
    let routes = rest::all_routes();
    validate_route_documents(&trusted_schema, &routes).await?;
    let openapi = Arc::new(rest::openapi::document(&routes));
    let state = AppState(Arc::new(AppStateInner {
        services,
        schema,
        trusted_schema,
        preparer: graphql::Preparer::default(),
        openapi,
    }));
    let router = http::router(state.clone());
    Ok(App { router, state })
}

/// Checks every route's GraphQL document against the schema (parse and validation), without
/// executing anything.
pub async fn validate_route_documents(
    schema: &AppSchema,
    routes: &[rest::Route],
) -> Result<(), StartupError> {
    for route in routes {
        let unexpected = graphql::validation_errors(schema, route.document).await;
        if !unexpected.is_empty() {
            return Err(StartupError::Routes(format!(
                "{} {}: {}",
                route.method,
                route.path,
                unexpected.join("; ")
            )));
        }
    }
    Ok(())
}

//! The `medgraph` command: serve, migrate, seed, schema, openapi, token.

// The merged GraphQL roots nest deeply enough for rustc's layout queries in release builds.
#![recursion_limit = "256"]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use medgraph::config::{Config, Overrides};
use migration::{Migrator, MigratorTrait};

/// mimalloc instead of the system allocator: a GraphQL answer is built from many small, short-
/// lived allocations, where glibc's malloc and free took a fifth of the server's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "medgraph",
    version,
    about = "GraphQL API server of the medgraph platform"
)]
struct Cli {
    /// Configuration file (default: ./medgraph.toml when present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Directory of the embedded database and uploaded files.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Database URL (sqlite:… or postgres://…); overrides DATABASE_URL.
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (migrates the database up first).
    Serve {
        /// Listen address (default 127.0.0.1:8080, or MEDGRAPH_LISTEN).
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
        /// Load demo data when the database is empty.
        #[arg(long)]
        demo: bool,
        /// Production mode: no GraphiQL, introspection or suggestions; DATABASE_URL required.
        #[arg(long)]
        production: bool,
    },
    /// Apply, revert or inspect migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Load data into the database.
    Seed {
        /// Demo accounts and data (only into an empty database).
        #[arg(long)]
        demo: bool,
        /// Then add this many made-up consultation orders to the consultant (load benchmark
        /// data; deterministic, in one transaction).
        #[arg(long, value_name = "N")]
        bulk_consultations: Option<u64>,
        /// The consultant who gets --bulk-consultations.
        #[arg(long, value_name = "USERNAME", default_value = "demo-consultant")]
        consultant: String,
        /// Then add this many made-up community users with posts, comment floors, likes,
        /// rewards, follows and coins (load benchmark data; deterministic, in one
        /// transaction).
        #[arg(long, value_name = "N")]
        bulk_community: Option<u64>,
        /// Then add this many made-up free clinics with time slots, registrations and
        /// casebooks, with their doctors and patients (load benchmark data; needs the demo
        /// hospitals; deterministic, in one transaction).
        #[arg(long, value_name = "N")]
        bulk_clinics: Option<u64>,
    },
    /// Print the GraphQL SDL.
    Schema,
    /// Print the OpenAPI 3.1 document of the REST dialects.
    Openapi,
    /// Session tokens for operators and demos.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Trusted GraphQL documents (executed alone with `graphql.trusted_documents`).
    Documents {
        #[command(subcommand)]
        action: DocumentsAction,
    },
}

#[derive(Subcommand)]
enum DocumentsAction {
    /// Load a manifest: the GraphQL codegen client preset's persisted-documents.json, Relay's
    /// persisted_queries.json (both id → text), or Apollo's persisted query manifest. Every
    /// document must validate against the schema, or nothing is loaded.
    Load {
        /// The manifest file.
        file: std::path::PathBuf,
        /// Remove trusted documents that are not in this manifest.
        #[arg(long)]
        replace: bool,
    },
}

#[derive(Subcommand)]
enum MigrateAction {
    /// Apply all pending migrations.
    Up,
    /// Revert the last N migrations (default 1).
    Down {
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether they are applied.
    Status,
    /// Drop everything and apply all migrations again.
    Fresh,
}

#[derive(Subcommand)]
enum TokenAction {
    /// Issue a session token for an existing user and print it.
    Issue {
        username: String,
        #[arg(long, default_value_t = 24)]
        ttl_hours: i64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("medgraph: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("medgraph: {e}");
            ExitCode::FAILURE
        }
    }
}

type AnyError = Box<dyn std::error::Error + Send + Sync>;

async fn run(cli: Cli) -> Result<(), AnyError> {
    let mut overrides = Overrides {
        data_dir: cli.data_dir.clone(),
        database_url: cli.database_url.clone(),
        ..Overrides::default()
    };
    match cli.command {
        Command::Schema => {
            print!("{}", medgraph::graphql::sdl());
            Ok(())
        }
        Command::Openapi => {
            let doc = medgraph::rest::openapi::document(&medgraph::rest::all_routes());
            println!("{}", doc.to_pretty_json()?);
            Ok(())
        }
        Command::Serve {
            listen,
            demo,
            production,
        } => {
            overrides.listen = listen;
            overrides.production = production;
            let config = Config::load(cli.config.as_deref(), &overrides)?;
            serve(config, demo).await
        }
        Command::Migrate { action } => {
            let config = Config::load(cli.config.as_deref(), &overrides)?;
            medgraph::telemetry::init_logging(&config.log);
            let (db, _) = medgraph::db::connect(&config).await?;
            match action {
                MigrateAction::Up => Migrator::up(&db, None).await?,
                MigrateAction::Down { steps } => Migrator::down(&db, Some(steps)).await?,
                MigrateAction::Status => {
                    for m in Migrator::get_migration_with_status(&db).await? {
                        println!("{:?}\t{}", m.status(), m.name());
                    }
                }
                MigrateAction::Fresh => Migrator::fresh(&db).await?,
            }
            Ok(())
        }
        Command::Seed {
            demo,
            bulk_consultations,
            consultant,
            bulk_community,
            bulk_clinics,
        } => {
            if !demo
                && bulk_consultations.is_none()
                && bulk_community.is_none()
                && bulk_clinics.is_none()
            {
                return Err("say what to seed: --demo, --bulk-consultations N, \
                            --bulk-community N and/or --bulk-clinics N"
                    .into());
            }
            let config = Config::load(cli.config.as_deref(), &overrides)?;
            medgraph::telemetry::init_logging(&config.log);
            let (db, _) = medgraph::db::connect(&config).await?;
            medgraph::db::migrate_up(&db).await?;
            if demo {
                seed_demo(&config, &db).await?;
            }
            if let Some(count) = bulk_consultations {
                let started = std::time::Instant::now();
                let report = medgraph::seed::bulk_consultations(&db, &consultant, count)
                    .await
                    .map_err(|e| e.detail())?;
                println!(
                    "bulk: {} consultation orders for {consultant} (user id {}) in {:.2} s",
                    report.inserted,
                    report.consultant_id,
                    started.elapsed().as_secs_f64()
                );
            }
            if let Some(users) = bulk_community {
                let started = std::time::Instant::now();
                let r = medgraph::domain::community_demo::bulk(&db, users)
                    .await
                    .map_err(|e| e.detail())?;
                println!(
                    "bulk: {} community users (poster user id {} with {} posts): {} posts, \
                     {} comment floors, {} likes, {} rewards, {} follows, {} coin entries in \
                     {:.2} s",
                    r.users,
                    r.poster_id,
                    medgraph::domain::community_demo::POSTER_POSTS,
                    r.posts,
                    r.comments,
                    r.likes,
                    r.rewards,
                    r.follows,
                    r.coin_entries,
                    started.elapsed().as_secs_f64()
                );
            }
            if let Some(clinics) = bulk_clinics {
                let started = std::time::Instant::now();
                let r = medgraph::domain::clinic_bulk::bulk(&db, clinics)
                    .await
                    .map_err(|e| e.detail())?;
                println!(
                    "bulk: {} free clinics (upcoming clinic id {} with {} slots): {} slots, \
                     {} doctors, {} patients, {} registrations ({} booked), {} casebooks in \
                     {:.2} s",
                    r.clinics,
                    r.upcoming_clinic_id,
                    r.upcoming_slots,
                    r.slots,
                    r.doctors,
                    r.patients,
                    r.registrations,
                    r.booked,
                    r.casebooks,
                    started.elapsed().as_secs_f64()
                );
            }
            Ok(())
        }
        Command::Documents { action } => {
            let config = Config::load(cli.config.as_deref(), &overrides)?;
            let (db, _) = medgraph::db::connect(&config).await?;
            medgraph::db::migrate_up(&db).await?;
            match action {
                DocumentsAction::Load { file, replace } => {
                    let text = std::fs::read_to_string(&file)
                        .map_err(|e| format!("{}: {e}", file.display()))?;
                    let documents = medgraph::graphql::persisted::parse_manifest(&text)
                        .map_err(|e| format!("{}: {e}", file.display()))?;
                    let schema = medgraph::graphql::build_trusted_schema(None, &config);
                    let changed = medgraph::graphql::persisted::load_trusted(
                        &db, &schema, &documents, replace,
                    )
                    .await
                    .map_err(|e| e.detail())?;
                    let total = medgraph::graphql::persisted::count_trusted(&db)
                        .await
                        .map_err(|e| e.detail())?;
                    println!(
                        "{} documents in the manifest, {changed} added or changed; {total} trusted documents loaded",
                        documents.len()
                    );
                }
            }
            Ok(())
        }
        Command::Token { action } => {
            let config = Config::load(cli.config.as_deref(), &overrides)?;
            let (db, _) = medgraph::db::connect(&config).await?;
            medgraph::db::migrate_up(&db).await?;
            match action {
                TokenAction::Issue {
                    username,
                    ttl_hours,
                } => {
                    let user = medgraph::domain::accounts::find_by_username(&db, &username)
                        .await
                        .map_err(|e| e.detail())?
                        .ok_or_else(|| format!("no user named {username}"))?;
                    let (token, _) = medgraph::auth::issue_token(&db, user.id, ttl_hours)
                        .await
                        .map_err(|e| e.detail())?;
                    println!("{token}");
                }
            }
            Ok(())
        }
    }
}

/// `seed --demo`: the demo data, into an empty database.
async fn seed_demo(config: &Config, db: &sea_orm::DatabaseConnection) -> Result<(), AnyError> {
    let store = medgraph::storage::FileStore::from_config(config).map_err(|e| e.detail())?;
    // Nobody subscribes while seeding: the events of the demo commands go nowhere.
    let bus: medgraph::events::SharedBus = std::sync::Arc::new(medgraph::events::MemoryBus::new());
    if medgraph::seed::demo_if_empty(db, &store, &bus)
        .await
        .map_err(|e| e.detail())?
    {
        println!(
            "demo data loaded: users {:?}",
            medgraph::seed::DEMO_USERS
                .iter()
                .map(|u| u.username)
                .collect::<Vec<_>>()
        );
    } else {
        println!("the database already has users; demo data not loaded");
    }
    Ok(())
}

async fn serve(config: Config, demo: bool) -> Result<(), AnyError> {
    medgraph::telemetry::init_logging(&config.log);
    for name in medgraph::config::unknown_env_vars() {
        tracing::warn!(variable = %name, "ignoring environment variable {name}: it names no setting");
    }
    let listen = config.listen;
    let grace = Duration::from_secs(config.http.shutdown_grace_secs);
    let production = config.production;
    let app = medgraph::build_app(config).await?;
    if demo
        && medgraph::seed::demo_if_empty(
            &app.state.services.db,
            &app.state.services.files,
            &app.state.services.bus,
        )
        .await
        .map_err(|e| e.detail())?
    {
        tracing::info!("demo data loaded");
    }
    medgraph::domain::registrations::spawn_expiry(
        app.state.services.db.clone(),
        app.state.services.bus.clone(),
        Duration::from_secs(60),
    );
    if let Some(metrics_listen) = app.state.services.config.metrics.listen {
        let metrics_listener = tokio::net::TcpListener::bind(metrics_listen).await?;
        tracing::info!(address = %metrics_listen, "metrics on http://{metrics_listen}/metrics");
        let router = medgraph::http::metrics_router(app.state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(metrics_listener, router).await {
                tracing::error!(error = %e, "metrics listener failed");
            }
        });
    }
    // TCP_NODELAY: an answer goes out as soon as it is written, not after the client's
    // acknowledgement of the previous segment (Nagle), which held back every other answer on a
    // keep-alive connection.
    let listener =
        axum::serve::ListenerExt::tap_io(tokio::net::TcpListener::bind(listen).await?, |tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "TCP_NODELAY");
            }
        });
    tracing::info!(
        address = %listen,
        graphiql = !production,
        "medgraph listening on http://{listen}/graphql"
    );
    axum::serve(
        listener,
        app.router
            .into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal(grace))
    .await?;
    tracing::info!("shut down");
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C; in-flight requests then get `grace` to finish.
async fn shutdown_signal(grace: Duration) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!(
        grace_secs = grace.as_secs(),
        "shutdown signal: draining in-flight requests"
    );
    tokio::spawn(async move {
        tokio::time::sleep(grace).await;
        tracing::warn!("grace period over; exiting with requests still open");
        std::process::exit(0);
    });
}

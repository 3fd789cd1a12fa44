//! Database connections: SQLite (WAL, foreign keys, busy timeout, one connection so that
//! writers take turns) or PostgreSQL (sized pool, statement timeout), and the statement counter
//! tests and metrics read.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

use crate::config::Config;

/// Counts SQL statements executed through a connection; on request (tests) also keeps their
/// text.
#[derive(Debug, Default)]
pub struct StatementCounter {
    count: AtomicU64,
    recording: std::sync::atomic::AtomicBool,
    recorded: std::sync::Mutex<Vec<String>>,
}

impl StatementCounter {
    /// Statements executed so far.
    pub fn get(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// Starts keeping the text of every statement from now on (until [`Self::take_recorded`]).
    pub fn record(&self) {
        if let Ok(mut recorded) = self.recorded.lock() {
            recorded.clear();
        }
        self.recording.store(true, Ordering::SeqCst);
    }

    /// Stops keeping statements and answers those kept since [`Self::record`].
    pub fn take_recorded(&self) -> Vec<String> {
        self.recording.store(false, Ordering::SeqCst);
        self.recorded
            .lock()
            .map(|mut r| std::mem::take(&mut *r))
            .unwrap_or_default()
    }

    fn count(&self, sql: &str) {
        self.count.fetch_add(1, Ordering::Relaxed);
        if self.recording.load(Ordering::Relaxed)
            && let Ok(mut recorded) = self.recorded.lock()
        {
            recorded.push(sql.to_owned());
        }
    }
}

/// Opens the configured database (creating the data dir for the embedded default) and installs
/// the statement metric callback.
pub async fn connect(
    config: &Config,
) -> Result<(DatabaseConnection, Arc<StatementCounter>), DbErr> {
    let url = config.effective_database_url();
    if config.database_url.is_none() {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            DbErr::Custom(format!(
                "cannot create data dir {}: {e}",
                config.data_dir.display()
            ))
        })?;
    }
    let db_cfg = &config.database;
    let mut options = ConnectOptions::new(url.clone());
    options
        .max_connections(db_cfg.max_connections)
        .min_connections(db_cfg.min_connections)
        .connect_timeout(Duration::from_secs(db_cfg.connect_timeout_secs))
        .acquire_timeout(Duration::from_secs(db_cfg.acquire_timeout_secs))
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        let busy = Duration::from_millis(db_cfg.sqlite_busy_timeout_ms);
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        options.map_sqlx_sqlite_opts(move |opts| {
            let opts = opts
                .foreign_keys(true)
                .busy_timeout(busy)
                .synchronous(SqliteSynchronous::Normal);
            if in_memory {
                opts
            } else {
                opts.journal_mode(SqliteJournalMode::Wal)
            }
        });
        // One connection: every pooled connection to `:memory:` would be its own database, and
        // on a file a deferred transaction that turns into a write while another connection
        // writes fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT bypasses the busy
        // timeout). Through one connection, writers wait their turn in the pool's queue (up to
        // `acquire_timeout_secs`); other processes on the same file still wait `busy_timeout`.
        options.max_connections(1).min_connections(1);
        if in_memory {
            options
                .idle_timeout(None::<Duration>)
                .max_lifetime(None::<Duration>);
        }
    } else {
        options.statement_timeout(Duration::from_millis(db_cfg.statement_timeout_ms));
        // sqlx pings a connection on every checkout by default: one more round trip per
        // statement. Only connections idle long enough to have been dropped are checked.
        options.test_before_acquire_if_idle_for(Duration::from_secs(
            db_cfg.ping_idle_connections_after_secs,
        ));
        options.set_application_name("medgraph");
        probe_postgres(&url, Duration::from_secs(db_cfg.connect_timeout_secs)).await?;
    }
    let mut db = Database::connect(options).await?;
    let counter = Arc::new(StatementCounter::default());
    let c = counter.clone();
    db.set_metric_callback(move |info| {
        c.count(&info.statement.sql);
        metrics::histogram!("medgraph_db_statement_seconds", "failed" => if info.failed { "true" } else { "false" })
            .record(info.elapsed.as_secs_f64());
    });
    Ok((db, counter))
}

/// One connection attempt before the pool is built, so that an unreachable server fails
/// start-up at once with its host and the cause, instead of "pool timed out" after the pool's
/// retries.
async fn probe_postgres(url: &str, timeout: Duration) -> Result<(), DbErr> {
    use sea_orm::sqlx::ConnectOptions as _;
    use sea_orm::sqlx::postgres::PgConnectOptions;
    let options: PgConnectOptions = url
        .parse()
        .map_err(|e| DbErr::Custom(format!("invalid PostgreSQL URL: {e}")))?;
    let place = format!("{}:{}", options.get_host(), options.get_port());
    match tokio::time::timeout(timeout, options.connect()).await {
        Err(_) => Err(DbErr::Custom(format!(
            "cannot connect to PostgreSQL at {place}: no answer within {}s",
            timeout.as_secs()
        ))),
        Ok(Err(e)) => Err(DbErr::Custom(format!(
            "cannot connect to PostgreSQL at {place}: {}",
            connect_failure(&e)
        ))),
        Ok(Ok(conn)) => {
            // Closing is best effort; the connection was only a probe.
            let _ = sea_orm::sqlx::Connection::close(conn).await;
            Ok(())
        }
    }
}

/// Why a connection attempt failed, in words an operator can act on.
fn connect_failure(err: &sea_orm::sqlx::Error) -> String {
    use std::io::ErrorKind;
    match err {
        sea_orm::sqlx::Error::Io(e) if e.kind() == ErrorKind::ConnectionRefused => {
            "connection refused".into()
        }
        sea_orm::sqlx::Error::Io(e)
            if e.to_string().contains("lookup")
                || e.to_string().contains("Name or service not known")
                || e.to_string().contains("nodename nor servname") =>
        {
            format!("unknown host ({e})")
        }
        sea_orm::sqlx::Error::Io(e) if e.kind() == ErrorKind::TimedOut => "timed out".into(),
        other => other.to_string(),
    }
}

/// Applies every pending migration.
pub async fn migrate_up(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Publishes pool gauges (called when `/metrics` is scraped).
pub fn record_pool_metrics(db: &DatabaseConnection) {
    use sea_orm::DatabaseBackend;
    let (size, idle) = match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
    };
    metrics::gauge!("medgraph_db_pool_connections").set(f64::from(size));
    metrics::gauge!("medgraph_db_pool_idle_connections").set(idle as f64);
}

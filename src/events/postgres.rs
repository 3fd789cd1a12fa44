//! Cross-process bus over PostgreSQL `LISTEN`/`NOTIFY`.

use std::time::Duration;

use futures::stream::BoxStream;
use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use super::{Event, EventBus, MemoryBus};
use crate::error::{AppError, AppResult};

const CHANNEL: &str = "medgraph_events";
/// PostgreSQL refuses NOTIFY payloads of 8000 bytes or more.
const MAX_PAYLOAD: usize = 7900;

/// Publishes with `pg_notify`; one listener connection per process re-delivers every event to
/// the local subscribers.
pub struct PostgresBus {
    db: DatabaseConnection,
    local: MemoryBus,
}

impl PostgresBus {
    /// Starts the listener task (it reconnects on its own after connection loss).
    pub async fn start(db: &DatabaseConnection) -> AppResult<Self> {
        let local = MemoryBus::new();
        let pool = db.get_postgres_connection_pool().clone();
        let mut listener = PgListener::connect_with(&pool)
            .await
            .map_err(|e| AppError::Unavailable(format!("event listener: {e}")))?;
        listener
            .listen(CHANNEL)
            .await
            .map_err(|e| AppError::Unavailable(format!("event listener: {e}")))?;
        let sink = local.clone();
        tokio::spawn(async move {
            loop {
                match listener.try_recv().await {
                    Ok(Some(notification)) => {
                        match serde_json::from_str::<Event>(notification.payload()) {
                            Ok(event) => sink.deliver(event),
                            Err(e) => tracing::warn!(error = %e, "malformed event payload"),
                        }
                    }
                    // The connection was lost and re-established; events in between are gone.
                    Ok(None) => tracing::warn!("event listener reconnected"),
                    Err(e) => {
                        tracing::error!(error = %e, "event listener failed; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(Self {
            db: db.clone(),
            local,
        })
    }
}

#[async_trait::async_trait]
impl EventBus for PostgresBus {
    async fn publish(&self, topic: &str, payload: serde_json::Value) -> AppResult<()> {
        let text = serde_json::to_string(&Event {
            topic: topic.to_owned(),
            payload,
        })
        .map_err(AppError::internal)?;
        if text.len() > MAX_PAYLOAD {
            return Err(AppError::internal(format!(
                "event on {topic} is {} bytes, over the NOTIFY limit",
                text.len()
            )));
        }
        self.db
            .execute_raw(Statement::from_sql_and_values(
                sea_orm::DatabaseBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), text.into()],
            ))
            .await?;
        Ok(())
    }

    fn subscribe(&self, topic: &str) -> BoxStream<'static, serde_json::Value> {
        self.local.subscribe(topic)
    }
}

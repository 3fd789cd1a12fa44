//! Publish/subscribe behind one trait. In-process by default; PostgreSQL LISTEN/NOTIFY when
//! several server processes share one database, so an event published by any process reaches
//! subscribers connected to every process.

mod memory;
mod postgres;

use std::sync::Arc;

use futures::stream::BoxStream;
use sea_orm::DatabaseConnection;

pub use memory::MemoryBus;
pub use postgres::PostgresBus;

use crate::config::Config;
use crate::error::AppResult;

/// A message on a topic.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Event {
    pub topic: String,
    pub payload: serde_json::Value,
}

/// Transport of events between publishers and subscribers.
#[async_trait::async_trait]
pub trait EventBus: Send + Sync + 'static {
    /// Sends `payload` to every current subscriber of `topic`.
    async fn publish(&self, topic: &str, payload: serde_json::Value) -> AppResult<()>;
    /// Payloads published on `topic` from now on.
    fn subscribe(&self, topic: &str) -> BoxStream<'static, serde_json::Value>;
}

/// Shared handle to the configured bus.
pub type SharedBus = Arc<dyn EventBus>;

/// Builds the bus the configuration asks for.
pub async fn from_config(config: &Config, db: &DatabaseConnection) -> AppResult<SharedBus> {
    let postgres = match config.events.backend.as_str() {
        "postgres" => true,
        "memory" => false,
        _ => config.is_postgres(),
    };
    if postgres {
        if !config.is_postgres() {
            return Err(crate::error::AppError::Unavailable(
                "events.backend = postgres needs a PostgreSQL database".into(),
            ));
        }
        Ok(Arc::new(PostgresBus::start(db).await?))
    } else {
        Ok(Arc::new(MemoryBus::new()))
    }
}

/// Topic of one user's notifications.
pub fn notifications_topic(user_id: i64) -> String {
    format!("notifications:{user_id}")
}

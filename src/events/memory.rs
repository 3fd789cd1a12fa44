//! In-process bus over a tokio broadcast channel.

use std::sync::Arc;

use futures::StreamExt;
use futures::stream::BoxStream;
use tokio::sync::broadcast;

use super::{Event, EventBus};
use crate::error::AppResult;

/// Delivers events to subscribers in this process only.
#[derive(Clone)]
pub struct MemoryBus {
    sender: broadcast::Sender<Arc<Event>>,
}

impl Default for MemoryBus {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryBus {
    /// A bus that buffers up to 1024 events for slow subscribers.
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(1024);
        Self { sender }
    }

    /// Delivers an event to local subscribers (used by the PostgreSQL bus for incoming NOTIFYs).
    pub(crate) fn deliver(&self, event: Event) {
        // No receivers is not an error: nobody listens right now.
        let _ = self.sender.send(Arc::new(event));
    }
}

#[async_trait::async_trait]
impl EventBus for MemoryBus {
    async fn publish(&self, topic: &str, payload: serde_json::Value) -> AppResult<()> {
        self.deliver(Event {
            topic: topic.to_owned(),
            payload,
        });
        Ok(())
    }

    fn subscribe(&self, topic: &str) -> BoxStream<'static, serde_json::Value> {
        let mut receiver = self.sender.subscribe();
        let topic = topic.to_owned();
        async_stream::stream! {
            loop {
                match receiver.recv().await {
                    Ok(event) if event.topic == topic => yield event.payload.clone(),
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(skipped = n, topic = %topic, "subscriber lagged");
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        }
        .boxed()
    }
}

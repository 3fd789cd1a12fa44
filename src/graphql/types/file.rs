use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::stored_file;

use crate::graphql::node::global_id;
use crate::graphql::public_url;

/// A stored file, addressed by the SHA-256 of its content.
#[derive(Clone, Debug)]
pub struct StoredFile(pub stored_file::Model);

/// A stored file, addressed by the SHA-256 of its content.
#[Object]
impl StoredFile {
    /// Globally unique ID.
    pub async fn id(&self) -> ID {
        global_id("StoredFile", &self.0.hash)
    }

    /// Lower-case hex SHA-256 of the content: the file's address.
    async fn hash(&self) -> &str {
        &self.0.hash
    }

    /// Absolute URL that serves the content.
    async fn url(&self, ctx: &Context<'_>) -> String {
        format!("{}/files/{}", public_url(ctx), self.0.hash)
    }

    /// Size in bytes.
    async fn size(&self) -> i64 {
        self.0.size
    }

    /// MIME type, sniffed from the bytes.
    async fn content_type(&self) -> &str {
        &self.0.content_type
    }

    /// Width in pixels, for images.
    async fn width(&self) -> Option<i32> {
        self.0.width
    }

    /// Height in pixels, for images.
    async fn height(&self) -> Option<i32> {
        self.0.height
    }

    /// File name given by the first uploader.
    async fn original_name(&self) -> Option<&str> {
        self.0.original_name.as_deref()
    }

    /// When the content was first stored.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

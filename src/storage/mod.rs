//! Content-addressed file store: bytes are kept under their SHA-256 in an object store (a local
//! directory by default, S3-compatible when configured). What a file is comes from sniffing its
//! bytes, never from the client's claim.

use std::sync::Arc;

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use sha2::{Digest, Sha256};

use crate::config::{Config, StorageConfig};
use crate::error::{AppError, AppResult};

/// What the bytes of an upload turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sniffed {
    pub hash: String,
    pub size: usize,
    pub content_type: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// Which files an upload accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum FileKind {
    /// Images only (JPEG, PNG, GIF, WebP).
    Image,
    /// Any type the server's configuration allows (images, PDF, audio, video).
    Any,
    /// Office documents and PDF (template files): .xlsx, .xls, .ods, .docx, .doc, .pdf.
    Document,
}

/// Content types a [`FileKind::Document`] upload may have.
pub const DOCUMENT_TYPES: &[&str] = &[
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/msword",
    "application/pdf",
];

/// The configured byte store.
#[derive(Clone)]
pub struct FileStore {
    store: Arc<dyn ObjectStore>,
    config: StorageConfig,
}

impl FileStore {
    /// Opens the configured backend; the local one under `data_dir/files`.
    pub fn from_config(config: &Config) -> AppResult<Self> {
        let store: Arc<dyn ObjectStore> = match config.storage.backend.as_str() {
            "s3" => {
                let s3 = &config.storage.s3;
                let mut builder = object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(&s3.bucket)
                    .with_allow_http(s3.allow_http);
                if !s3.region.is_empty() {
                    builder = builder.with_region(&s3.region);
                }
                if let Some(endpoint) = &s3.endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                if let (Some(id), Some(secret)) = (&s3.access_key_id, &s3.secret_access_key) {
                    builder = builder
                        .with_access_key_id(id)
                        .with_secret_access_key(secret);
                }
                Arc::new(builder.build().map_err(AppError::internal)?)
            }
            _ => {
                let dir = config.data_dir.join("files");
                std::fs::create_dir_all(&dir)?;
                Arc::new(
                    object_store::local::LocalFileSystem::new_with_prefix(&dir)
                        .map_err(AppError::internal)?,
                )
            }
        };
        Ok(Self {
            store,
            config: config.storage.clone(),
        })
    }

    /// Largest accepted upload in bytes.
    pub fn max_upload_bytes(&self) -> usize {
        self.config.max_upload_bytes
    }

    /// Checks size and type of `bytes` for `kind` and computes its address and dimensions.
    pub fn sniff(&self, bytes: &[u8], kind: FileKind) -> AppResult<Sniffed> {
        if bytes.is_empty() {
            return Err(AppError::bad_field("file", "the file is empty"));
        }
        if bytes.len() > self.config.max_upload_bytes {
            return Err(AppError::bad_field(
                "file",
                format!(
                    "the file is {} bytes; the limit is {}",
                    bytes.len(),
                    self.config.max_upload_bytes
                ),
            ));
        }
        let sniffed = infer::get(bytes).map(|t| t.mime_type());
        // An office document whose zip parts are not in the order Office writes them is only
        // "a zip" to the signature sniffer: its part names tell (`domain::sheets`).
        let content_type = match sniffed {
            None | Some("application/zip") => {
                crate::domain::sheets::office_container_type(bytes).or(sniffed)
            }
            other => other,
        }
        .map(str::to_owned)
        .ok_or_else(|| AppError::bad_field("file", "the file type is not recognised"))?;
        let allowed = match kind {
            FileKind::Document => DOCUMENT_TYPES.contains(&content_type.as_str()),
            _ => self.config.allowed_types.iter().any(|t| t == &content_type),
        };
        let is_image = content_type.starts_with("image/");
        if !allowed || (kind == FileKind::Image && !is_image) {
            return Err(AppError::bad_field(
                "file",
                format!(
                    "files of type {content_type} are not accepted here{}",
                    match kind {
                        FileKind::Image => " (images only)",
                        FileKind::Document => " (spreadsheets, Word documents and PDF only)",
                        FileKind::Any => "",
                    }
                ),
            ));
        }
        let (width, height) = if is_image {
            let size = imagesize::blob_size(bytes)
                .map_err(|_| AppError::bad_field("file", "the image is corrupt"))?;
            (
                u32::try_from(size.width).ok(),
                u32::try_from(size.height).ok(),
            )
        } else {
            (None, None)
        };
        Ok(Sniffed {
            hash: hex::encode(Sha256::digest(bytes)),
            size: bytes.len(),
            content_type,
            width,
            height,
        })
    }

    /// Stores the bytes under their hash (a no-op when they are there already).
    pub async fn put(&self, hash: &str, bytes: Bytes) -> AppResult<()> {
        let path = object_path(hash)?;
        if self.store.head(&path).await.is_ok() {
            return Ok(());
        }
        self.store.put(&path, PutPayload::from(bytes)).await?;
        Ok(())
    }

    /// Streams the bytes stored under `hash`.
    pub async fn get(&self, hash: &str) -> AppResult<BoxStream<'static, std::io::Result<Bytes>>> {
        let path = object_path(hash)?;
        let result = self.store.get(&path).await?;
        Ok(result.into_stream().map_err(std::io::Error::other).boxed())
    }
}

/// Whether `hash` is a lower-case hex SHA-256.
pub fn is_valid_hash(hash: &str) -> bool {
    hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn object_path(hash: &str) -> AppResult<StorePath> {
    if !is_valid_hash(hash) {
        return Err(AppError::bad_field("hash", "not a SHA-256 file address"));
    }
    Ok(StorePath::from(format!(
        "{}/{}/{hash}",
        &hash[..2],
        &hash[2..4]
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest valid PNG: 1x1, transparent.
    pub const PNG_1X1: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F,
        0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00,
        0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49,
        0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];

    fn store() -> FileStore {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = Config {
            data_dir: dir.keep(),
            ..Config::default()
        };
        FileStore::from_config(&config).expect("store")
    }

    #[test]
    fn sniffs_png_dimensions_and_hash() {
        let s = store()
            .sniff(PNG_1X1, FileKind::Image)
            .expect("png accepted");
        assert_eq!(s.content_type, "image/png");
        assert_eq!((s.width, s.height), (Some(1), Some(1)));
        assert_eq!(s.hash.len(), 64);
    }

    #[test]
    fn refuses_unknown_and_wrong_types() {
        let store = store();
        assert!(store.sniff(b"hello world", FileKind::Any).is_err());
        assert!(store.sniff(b"", FileKind::Any).is_err());
        let pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF";
        assert!(store.sniff(pdf, FileKind::Any).is_ok());
        assert!(store.sniff(pdf, FileKind::Image).is_err());
    }

    #[test]
    fn paths_only_for_hashes() {
        assert!(object_path("../etc/passwd").is_err());
        assert!(object_path(&"a".repeat(64)).is_ok());
    }
}

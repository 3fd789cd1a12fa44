//! Uploaded files: checked, stored once under their SHA-256, described in `stored_files`.

use bytes::Bytes;
use chrono::Utc;
use entity::stored_file;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::error::{AppError, AppResult};
use crate::storage::{FileKind, FileStore, is_valid_hash};

/// Stores an upload: refuses wrong types and sizes before anything is written; uploading the
/// same bytes twice gives the same file.
pub async fn upload<C: ConnectionTrait>(
    db: &C,
    store: &FileStore,
    bytes: Bytes,
    original_name: Option<&str>,
    kind: FileKind,
    uploaded_by: Option<i64>,
) -> AppResult<stored_file::Model> {
    let sniffed = store.sniff(&bytes, kind)?;
    store.put(&sniffed.hash, bytes).await?;
    let name = original_name
        .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n))
        .map(|n| n.chars().take(255).collect::<String>())
        .filter(|n| !n.is_empty());
    let model = stored_file::ActiveModel {
        hash: Set(sniffed.hash.clone()),
        size: Set(i64::try_from(sniffed.size).map_err(AppError::internal)?),
        content_type: Set(sniffed.content_type),
        width: Set(sniffed.width.and_then(|w| i32::try_from(w).ok())),
        height: Set(sniffed.height.and_then(|h| i32::try_from(h).ok())),
        original_name: Set(name),
        uploaded_by: Set(uploaded_by),
        created_at: Set(Utc::now()),
    };
    stored_file::Entity::insert(model)
        .on_conflict_do_nothing_on([stored_file::Column::Hash])
        .exec(db)
        .await?;
    find(db, &sniffed.hash)
        .await?
        .ok_or_else(|| AppError::internal("stored file row vanished"))
}

/// A stored file's description by its address.
pub async fn find<C: ConnectionTrait>(db: &C, hash: &str) -> AppResult<Option<stored_file::Model>> {
    if !is_valid_hash(hash) {
        return Err(AppError::bad_field("hash", "not a SHA-256 file address"));
    }
    Ok(stored_file::Entity::find()
        .filter(stored_file::Column::Hash.eq(hash))
        .one(db)
        .await?)
}

/// The SHA-256 address in a client's reference to a stored file: the bare address or a URL
/// ending in `/files/{address}` (what upload endpoints hand out). Empty for an empty input.
pub fn address_of(reference: &str) -> String {
    let reference = reference.trim();
    let tail = reference
        .split(['?', '#'])
        .next()
        .unwrap_or(reference)
        .rsplit('/')
        .next()
        .unwrap_or(reference);
    tail.to_ascii_lowercase()
}

/// Stored files by address, for the loaders.
pub async fn by_hashes<C: ConnectionTrait>(
    db: &C,
    hashes: &[String],
) -> AppResult<std::collections::HashMap<String, stored_file::Model>> {
    Ok(stored_file::Entity::find()
        .filter(stored_file::Column::Hash.is_in(hashes.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.hash.clone(), f))
        .collect())
}

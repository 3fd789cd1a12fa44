//! The audit log of sensitive reads: medical records, counselling sessions, client profiles.
//! Whoever hands such data out writes the entries first; when they cannot be written nothing
//! is handed out.

use chrono::Utc;
use entity::audit_entry;
use sea_orm::{ConnectionTrait, EntityTrait, Set};

use crate::auth::Viewer;
use crate::error::AppResult;

/// Writes one `read` entry per `(subject id, owner id)` of kind `subject_type` (one statement
/// for all of them).
pub async fn reads<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    subject_type: &str,
    subjects: impl IntoIterator<Item = (i64, Option<i64>)>,
) -> AppResult<()> {
    let now = Utc::now();
    let rows: Vec<audit_entry::ActiveModel> = subjects
        .into_iter()
        .map(|(subject_id, owner_id)| audit_entry::ActiveModel {
            actor_id: Set(viewer.user_id),
            action: Set("read".into()),
            subject_type: Set(subject_type.to_owned()),
            subject_id: Set(subject_id),
            owner_id: Set(owner_id),
            created_at: Set(now),
            ..Default::default()
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    audit_entry::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

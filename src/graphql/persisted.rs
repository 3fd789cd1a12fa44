//! Persisted and trusted documents, for every transport (HTTP and WebSocket).
//!
//! - **Automatic persisted queries** (Apollo Client's persisted-queries link): a request carries
//!   `extensions.persistedQuery.sha256Hash`; without the text, the stored document runs, or the
//!   answer is `PersistedQueryNotFound` and the client sends the text with its hash once, which
//!   registers it. Documents live in the database (`persisted_documents`), so every process
//!   behind a load balancer knows what any of them registered; at most
//!   `graphql.max_persisted_queries` are kept, oldest dropped first.
//! - **Trusted documents** (`graphql.trusted_documents`): only documents an operator loaded from
//!   a manifest (`medgraph documents load FILE`: the GraphQL codegen client preset's
//!   `persisted-documents.json`, Relay's `persisted_queries.json`, or Apollo's persisted query
//!   manifest) are executed, sent by id (`documentId`, Relay's `doc_id` or `id`, or the APQ hash)
//!   or as identical text. Anything else is refused (`FORBIDDEN`).
//!
//! The HTTP layer moves a body's `documentId` / `doc_id` / `id` into `extensions.documentId`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_graphql::{ErrorExtensionValues, Request, ServerError, ServerResult};
use chrono::Utc;
use entity::persisted_document::{ActiveModel, Column, Entity};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, ExprTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::Services;
use crate::error::AppError;

/// Marks a request running one of the dialects' own documents (our code, not a client's), or
/// validating a document: the manifest does not apply to it.
pub struct DialectDocument;

/// Key of the extension the HTTP layer fills from a body's `documentId`, `doc_id` or `id`.
pub const DOCUMENT_ID: &str = "documentId";
/// How long a process trusts what it read of the table (a manifest reloaded with `--replace`
/// reaches every process within this time).
const CACHE_TTL: Duration = Duration::from_secs(60);
/// Documents a process keeps in memory.
const CACHE_ENTRIES: usize = 2_000;

/// SHA-256 of a document's text, in lower-case hex.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// A stored document.
#[derive(Clone)]
struct Known {
    body: Arc<str>,
    trusted: bool,
    read_at: Instant,
}

/// The store of persisted and trusted documents as this process sees it (its cache is shared
/// by the requests of this process).
#[derive(Default, Clone)]
pub struct PersistedDocuments {
    cache: Arc<Mutex<HashMap<String, Known>>>,
}

fn error(message: &str, code: &str) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code);
    error.extensions = Some(extensions);
    error
}

fn not_found() -> ServerError {
    error("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
}

fn internal(e: impl std::fmt::Display) -> ServerError {
    tracing::error!(error = %e, "persisted documents");
    error("internal error", "INTERNAL")
}

impl PersistedDocuments {
    fn cached(&self, key: &str) -> Option<Known> {
        let cache = self.cache.lock().ok()?;
        cache
            .get(key)
            .filter(|k| k.read_at.elapsed() < CACHE_TTL)
            .cloned()
    }

    fn remember(&self, keys: &[&str], known: &Known) {
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() + keys.len() > CACHE_ENTRIES {
                cache.clear();
            }
            for key in keys {
                cache.insert((*key).to_owned(), known.clone());
            }
        }
    }

    /// The document with this id or this text hash, trusted ones first.
    async fn find(&self, db: &DatabaseConnection, key: &str) -> ServerResult<Option<Known>> {
        if let Some(known) = self.cached(key) {
            return Ok(Some(known));
        }
        let rows = Entity::find()
            .filter(Column::Id.eq(key).or(Column::BodySha256.eq(key)))
            .order_by_desc(Column::Trusted)
            .limit(1)
            .all(db)
            .await
            .map_err(internal)?;
        Ok(rows.into_iter().next().map(|row| {
            let known = Known {
                body: Arc::from(row.body),
                trusted: row.trusted,
                read_at: Instant::now(),
            };
            self.remember(&[key], &known);
            known
        }))
    }

    /// Registers an automatic persisted query and drops the oldest beyond `max`.
    async fn register(
        &self,
        db: &DatabaseConnection,
        hash: &str,
        text: &str,
        max: u64,
    ) -> ServerResult<()> {
        let row = ActiveModel {
            id: Set(hash.to_owned()),
            body_sha256: Set(hash.to_owned()),
            body: Set(text.to_owned()),
            trusted: Set(false),
            created_at: Set(Utc::now()),
        };
        let inserted = Entity::insert(row)
            .on_conflict(OnConflict::column(Column::Id).do_nothing().to_owned())
            .exec_without_returning(db)
            .await
            .map_err(internal)?;
        if inserted == 0 {
            return Ok(());
        }
        let registered = Entity::find()
            .filter(Column::Trusted.eq(false))
            .count(db)
            .await
            .map_err(internal)?;
        if registered > max {
            let oldest: Vec<String> = Entity::find()
                .select_only()
                .column(Column::Id)
                .filter(Column::Trusted.eq(false))
                .order_by_asc(Column::CreatedAt)
                .order_by_asc(Column::Id)
                .limit(registered - max)
                .into_tuple()
                .all(db)
                .await
                .map_err(internal)?;
            Entity::delete_many()
                .filter(Column::Id.is_in(oldest))
                .filter(Column::Trusted.eq(false))
                .exec(db)
                .await
                .map_err(internal)?;
        }
        self.remember(
            &[hash],
            &Known {
                body: Arc::from(text),
                trusted: false,
                read_at: Instant::now(),
            },
        );
        Ok(())
    }
}

/// The `persistedQuery` extension's value.
fn apq_hash(value: &async_graphql::Value) -> ServerResult<String> {
    let json = value
        .clone()
        .into_json()
        .map_err(|_| error("invalid persistedQuery extension", "BAD_USER_INPUT"))?;
    if json.get("version").and_then(Value::as_i64) != Some(1) {
        return Err(error(
            "only version 1 of the persistedQuery extension is supported",
            "BAD_USER_INPUT",
        ));
    }
    json.get("sha256Hash")
        .and_then(Value::as_str)
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| {
            error(
                "persistedQuery.sha256Hash must be 64 hex digits",
                "BAD_USER_INPUT",
            )
        })
}

impl PersistedDocuments {
    /// Replaces a request's document named by id or hash with its text, registers an automatic
    /// persisted query, and refuses what the manifest does not allow. Requests marked
    /// [`DialectDocument`] and schemas without services (no store) pass unchanged.
    pub async fn resolve(
        &self,
        services: Option<&Services>,
        mut request: Request,
    ) -> ServerResult<Request> {
        if request
            .data
            .contains_key(&std::any::TypeId::of::<DialectDocument>())
        {
            return Ok(request);
        }
        let persisted = request.extensions.0.remove("persistedQuery");
        let document_id = request
            .extensions
            .0
            .remove(DOCUMENT_ID)
            .and_then(|v| match v {
                async_graphql::Value::String(s) => Some(s),
                _ => None,
            });
        // A schema without services (the SDL export, document validation) has no store.
        let Some(services) = services else {
            return Ok(request);
        };
        let config = &services.config.graphql;
        let db = &services.db;
        let apq = persisted.as_ref().map(apq_hash).transpose()?;
        let key = document_id.or_else(|| apq.clone());

        if config.trusted_documents {
            let known = match (&key, request.query.is_empty()) {
                (Some(key), _) => self.find(db, key).await?,
                (None, false) => self.find(db, &sha256_hex(&request.query)).await?,
                (None, true) => None,
            };
            match known {
                Some(known) if known.trusted => request.query = known.body.to_string(),
                _ if key.is_some() && request.query.is_empty() => return Err(not_found()),
                _ => {
                    return Err(error(
                        "this server executes only trusted documents; send the id of one",
                        "FORBIDDEN",
                    ));
                }
            }
            return Ok(request);
        }

        if let Some(key) = key.filter(|_| request.query.is_empty()) {
            if !config.persisted_queries && apq.is_some() {
                return Err(error(
                    "PersistedQueryNotSupported",
                    "PERSISTED_QUERY_NOT_SUPPORTED",
                ));
            }
            let known = self.find(db, &key).await?.ok_or_else(not_found)?;
            request.query = known.body.to_string();
        } else if let Some(hash) = apq.filter(|_| config.persisted_queries) {
            if sha256_hex(&request.query) != hash {
                return Err(error("provided sha does not match query", "BAD_USER_INPUT"));
            }
            // Only documents that parse are kept.
            if async_graphql::parser::parse_query(&request.query).is_ok() {
                self.register(db, &hash, &request.query, config.max_persisted_queries)
                    .await?;
            }
        }
        Ok(request)
    }
}

/// One document of a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestDocument {
    pub id: String,
    pub body: String,
}

/// Reads a manifest: a JSON object of id → text (the GraphQL codegen client preset's
/// `persisted-documents.json`, Relay's `persisted_queries.json`), or Apollo's persisted query
/// manifest (`{"format": "apollo-persisted-query-manifest", "operations": [{"id", "body"}]}`).
pub fn parse_manifest(text: &str) -> Result<Vec<ManifestDocument>, String> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("the manifest is not JSON: {e}"))?;
    let Value::Object(map) = value else {
        return Err("the manifest must be a JSON object".into());
    };
    let mut documents = Vec::new();
    if map.get("format").and_then(Value::as_str) == Some("apollo-persisted-query-manifest") {
        let operations = map
            .get("operations")
            .and_then(Value::as_array)
            .ok_or("an Apollo manifest needs `operations`")?;
        for (i, op) in operations.iter().enumerate() {
            let id = op.get("id").and_then(Value::as_str);
            let body = op.get("body").and_then(Value::as_str);
            match (id, body) {
                (Some(id), Some(body)) => documents.push(ManifestDocument {
                    id: id.to_owned(),
                    body: body.to_owned(),
                }),
                _ => return Err(format!("operation {i} needs a string `id` and `body`")),
            }
        }
    } else {
        for (id, body) in map {
            let Value::String(body) = body else {
                return Err(format!("document {id} is not a string"));
            };
            documents.push(ManifestDocument { id, body });
        }
    }
    if documents.is_empty() {
        return Err("the manifest holds no documents".into());
    }
    for doc in &documents {
        if doc.id.is_empty() || doc.id.len() > 200 {
            return Err(format!(
                "document id {:?} must be 1 to 200 characters",
                doc.id
            ));
        }
    }
    Ok(documents)
}

/// Loads trusted documents in one transaction (every one must validate against `schema`, or
/// nothing is loaded); with `replace`, trusted documents not in the manifest are removed.
/// Returns how many were added or changed.
pub async fn load_trusted(
    db: &DatabaseConnection,
    schema: &super::AppSchema,
    documents: &[ManifestDocument],
    replace: bool,
) -> Result<usize, AppError> {
    let mut problems = Vec::new();
    for doc in documents {
        let errors = super::validation_errors(schema, &doc.body).await;
        if !errors.is_empty() {
            problems.push(format!("{}: {}", doc.id, errors.join("; ")));
        }
    }
    if !problems.is_empty() {
        return Err(AppError::bad_input(format!(
            "{} documents do not validate, nothing was loaded:\n{}",
            problems.len(),
            problems.join("\n")
        )));
    }
    let txn = db.begin().await?;
    if replace {
        let ids: Vec<String> = documents.iter().map(|d| d.id.clone()).collect();
        Entity::delete_many()
            .filter(Column::Trusted.eq(true))
            .filter(Column::Id.is_not_in(ids))
            .exec(&txn)
            .await?;
    }
    let mut changed = 0;
    for doc in documents {
        let row = ActiveModel {
            id: Set(doc.id.clone()),
            body_sha256: Set(sha256_hex(&doc.body)),
            body: Set(doc.body.clone()),
            trusted: Set(true),
            created_at: Set(Utc::now()),
        };
        let existing = Entity::find_by_id(doc.id.clone()).one(&txn).await?;
        match existing {
            Some(e) if e.trusted && e.body == doc.body => {}
            Some(_) => {
                Entity::update(row).exec(&txn).await?;
                changed += 1;
            }
            None => {
                Entity::insert(row).exec_without_returning(&txn).await?;
                changed += 1;
            }
        }
    }
    txn.commit().await?;
    Ok(changed)
}

/// Trusted documents currently loaded.
pub async fn count_trusted(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    Ok(Entity::find()
        .filter(Column::Trusted.eq(true))
        .count(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_manifest_formats() {
        let codegen = r#"{"b2c3": "query A { __typename }", "d4e5": "query B { me { id } }"}"#;
        let docs = parse_manifest(codegen).expect("codegen manifest");
        assert_eq!(docs.len(), 2);
        let apollo = r#"{"format": "apollo-persisted-query-manifest", "version": 1,
            "operations": [{"id": "abc", "body": "query A { __typename }", "name": "A", "type": "query"}]}"#;
        assert_eq!(
            parse_manifest(apollo).expect("apollo manifest"),
            vec![ManifestDocument {
                id: "abc".into(),
                body: "query A { __typename }".into()
            }]
        );
        assert!(parse_manifest("[]").is_err());
        assert!(parse_manifest("{}").is_err());
        assert!(parse_manifest(r#"{"a": 1}"#).is_err());
    }
}

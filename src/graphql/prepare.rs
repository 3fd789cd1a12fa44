//! What every GraphQL request goes through before it executes, whichever way it came in (HTTP,
//! a WebSocket, a REST dialect's own document):
//!
//! 1. a document sent by id or hash is replaced by its stored text, and the manifest of trusted
//!    documents is enforced ([`PersistedDocuments::resolve`]);
//! 2. NUL characters are refused in variables and file names ([`nul`](super::nul));
//! 3. the text is parsed once, from a cache of parsed documents keyed by their text, and NUL
//!    characters are refused in its literals. The executor, the HTTP layer's own checks (aliases,
//!    introspection, GET) and the metrics all read this one parse.
//!
//! These steps used to be async-graphql extensions. An extension, even one that only looks at
//! the request, makes the executor wrap every field it resolves: a registry lookup and a boxed
//! future per extension and field. For a page of 100 posts that was some 800 boxed futures per
//! request, and the query text was parsed four times. Here they run once per request.

use std::sync::Arc;

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Data, Executor, Request, Response, ServerResult};
use futures::stream::BoxStream;
use futures::{StreamExt, stream};

use super::AppSchema;
use super::nul;
use super::persisted::PersistedDocuments;
use crate::Services;

/// Total length of the document texts whose parses are kept (each process).
const PARSED_TEXT_BYTES: u64 = 8 * 1024 * 1024;

/// Weighs a cached parse by its text's length.
#[derive(Clone)]
struct TextLength;

impl quick_cache::Weighter<String, Arc<ExecutableDocument>> for TextLength {
    fn weight(&self, key: &String, _: &Arc<ExecutableDocument>) -> u64 {
        key.len() as u64 + 1
    }
}

/// The request preparation of one process: the persisted documents it knows and the parses it
/// keeps. Cloning shares both.
#[derive(Clone)]
pub struct Preparer {
    persisted: PersistedDocuments,
    parsed: Arc<quick_cache::sync::Cache<String, Arc<ExecutableDocument>, TextLength>>,
}

impl Default for Preparer {
    fn default() -> Self {
        Self {
            persisted: PersistedDocuments::default(),
            parsed: Arc::new(quick_cache::sync::Cache::with_weighter(
                1_000,
                PARSED_TEXT_BYTES,
                TextLength,
            )),
        }
    }
}

impl Preparer {
    /// Steps 1 to 3 of the module: the request, ready to execute with its document parsed, or
    /// the error its caller gets instead (nothing has run).
    pub async fn prepare(
        &self,
        services: Option<&Services>,
        request: Request,
    ) -> ServerResult<Request> {
        let mut request = self.persisted.resolve(services, request).await?;
        nul::refuse_in_request(&request)?;
        let document = self.parse(&request.query)?;
        nul::refuse_in_document(&document)?;
        request.set_parsed_query(ExecutableDocument::clone(&document));
        Ok(request)
    }

    /// The parsed document of `text`, from the cache or parsed now (and then kept).
    pub fn parse(&self, text: &str) -> ServerResult<Arc<ExecutableDocument>> {
        if let Some(document) = self.parsed.get(text) {
            return Ok(document);
        }
        let document = Arc::new(async_graphql::parser::parse_query(text)?);
        self.parsed.insert(text.to_owned(), document.clone());
        Ok(document)
    }
}

/// A schema whose requests are prepared first: what the WebSocket transport executes.
#[derive(Clone)]
pub struct PreparedSchema {
    pub schema: AppSchema,
    pub preparer: Preparer,
    pub services: Services,
}

impl Executor for PreparedSchema {
    async fn execute(&self, request: Request) -> Response {
        match self.preparer.prepare(Some(&self.services), request).await {
            Ok(request) => self.schema.execute(request).await,
            Err(error) => Response::from_errors(vec![error]),
        }
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let this = self.clone();
        stream::once(async move {
            match this.preparer.prepare(Some(&this.services), request).await {
                Ok(request) => this
                    .schema
                    .execute_stream_with_session_data(request, session_data.unwrap_or_default()),
                Err(error) => {
                    stream::once(async move { Response::from_errors(vec![error]) }).boxed()
                }
            }
        })
        .flatten()
        .boxed()
    }
}

//! Home-care dialect (`shared/seeds/002_9c50656a4d79c16b.txt`): base URL `/api`,
//! `Authorization` header, `{code, message, data}` (the document gives no bodies; this is ours).
//! Every answer speaks the document's vocabulary, applied in one place ([`vocabulary`]) from
//! the table in `src/rest/contracts/medassist.json`.

mod care;
mod identity;
pub mod vocabulary;

use http::Method;
use serde_json::Value;

use super::{Access, Dialect, Kind, Param, Route, Source, pick};
use crate::error::AppResult;

const UPLOAD_PARAMS: &[Param] = &[Param::required(
    "file",
    Source::File,
    Kind::Upload,
    "file",
    "The file (image, PDF, audio or video), as a multipart file part",
)];

/// Items per page when a client asks for a page (`page`) without saying how large.
const DEFAULT_PAGE_SIZE: i64 = 20;

/// What the OpenAPI document says about `pageSize`.
const PAGE_SIZE_DESCRIPTION: &str = "Items per page, 1 to the list ceiling `http.dialect_list_ceiling` (default 1000) (medgraph addition). Without `page` and `pageSize` the whole list is answered, up to that ceiling; with `page` alone pages hold 20";

pub(crate) use super::dialect::failure;

/// The medassist routes.
pub fn routes() -> Vec<Route> {
    let mut routes = identity::routes();
    routes.extend(care::routes());
    routes.extend(vec![Route {
        dialect: Dialect::Medassist,
        method: Method::POST,
        path: "/api/upload",
        summary: "Upload a file to content-addressed storage; answers its address (SHA-256) and URL",
        access: Access::LoggedIn,
        document: include_str!("ops/upload.graphql"),
        params: UPLOAD_PARAMS,
        transform: upload,
        example: None,
        status: http::StatusCode::OK,
        prepare: None,
    }]);
    routes
}

fn upload(data: Value) -> AppResult<Value> {
    Ok(vocabulary::file(pick(&data, "/uploadFile")?))
}

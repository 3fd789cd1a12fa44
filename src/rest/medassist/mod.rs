//! Home-care dialect (`shared/seeds/002_9c50656a4d79c16b.txt`): base URL `/api`,
//! `Authorization` header, `{code, message, data}` (the document gives no bodies; this is ours).

mod care;
mod identity;

use http::Method;
use serde_json::{Value, json};

use super::{Access, Dialect, Kind, Param, Route, Source, pick};
use crate::error::AppResult;

const UPLOAD_PARAMS: &[Param] = &[Param::required(
    "file",
    Source::File,
    Kind::Upload,
    "file",
    "The file (image, PDF, audio or video), as a multipart file part",
)];

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
        example: Some(
            r#"{"address":"9f86d0…","url":"http://127.0.0.1:8080/files/9f86d0…","size":52311,"contentType":"image/jpeg","width":800,"height":600}"#,
        ),
        status: http::StatusCode::OK,
        prepare: None,
    }]);
    routes
}

fn upload(data: Value) -> AppResult<Value> {
    let file = pick(&data, "/uploadFile")?;
    Ok(json!({
        "address": file["hash"],
        "url": file["url"],
        "size": file["size"],
        "contentType": file["contentType"],
        "width": file["width"],
        "height": file["height"],
    }))
}

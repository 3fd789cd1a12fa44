//! The browser pages' scripts and styles, built into the binary: GraphiQL (`GET /graphql`) and the
//! REST reference (`GET /docs`) work on a machine with no internet access, and no request leaves
//! the server's origin. The files are the npm packages' own builds, kept gzipped in
//! `assets/vendor/` (versions, sources and checksums in `assets/vendor/README.md`).

use std::io::Read;

use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};

/// Where the assets are served; every name carries its version, so they are cached for a year.
pub const PREFIX: &str = "/assets/vendor";

/// One embedded file: its name under [`PREFIX`], its type and its gzipped bytes.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    gzipped: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $type:expr) => {
        Asset {
            name: $name,
            content_type: $type,
            gzipped: include_bytes!(concat!("../../assets/vendor/", $name, ".gz")),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

static ASSETS: &[Asset] = &[
    asset!("graphiql-3.8.3.min.js", JS),
    asset!("graphiql-3.8.3.min.css", CSS),
    asset!("react-18.3.1.production.min.js", JS),
    asset!("react-dom-18.3.1.production.min.js", JS),
    asset!("redoc-2.5.2.standalone.js", JS),
];

/// The address of an embedded asset, for the pages that load it.
pub fn url(name: &str) -> String {
    format!("{PREFIX}/{name}")
}

/// `GET /assets/vendor/{name}`: the file, gzipped when the client accepts it (every browser
/// does), else unpacked; immutable for a year.
pub async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == name) else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let accepts_gzip = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| p.trim().replace(' ', "") == "q=0");
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        });
    let mut response = if accepts_gzip {
        let mut response = asset.gzipped.into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        response
    } else {
        let mut plain = Vec::with_capacity(asset.gzipped.len() * 4);
        if let Err(e) = flate2::read::GzDecoder::new(asset.gzipped).read_to_end(&mut plain) {
            tracing::error!(asset = asset.name, error = %e, "embedded asset is not valid gzip");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        plain.into_response()
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Escapes JSON for a `<script>` element: no `<`, `>` or `&` survives, so no content (such as
/// an example holding `</script>` or `<!--`) can end the element early; U+2028/U+2029 are
/// escaped too. The result is still the same JSON.
pub fn json_for_script<T: serde::Serialize + ?Sized>(value: &T) -> String {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for HTML element content and attribute values.
pub fn html_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The GraphiQL page: GraphiQL 3 with React 18 from [`PREFIX`], queries over `POST /graphql`
/// (with the session cookie), subscriptions over graphql-transport-ws on the same path, and a
/// first query to run.
pub fn graphiql_page(endpoint: &str, default_query: &str) -> String {
    let config = serde_json::json!({
        "endpoint": endpoint,
        "defaultQuery": default_query,
    });
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="robots" content="noindex">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>medgraph GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{css}">
<style>body {{ margin: 0; height: 100vh; overflow: hidden; }} #graphiql {{ height: 100vh; }}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="{react}"></script>
<script src="{react_dom}"></script>
<script src="{graphiql}"></script>
<script>
(function () {{
  var config = {config};
  function absolute(path, ws) {{
    var url = new URL(path, window.location.href);
    if (ws) url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.toString();
  }}
  var fetcher = GraphiQL.createFetcher({{
    url: absolute(config.endpoint, false),
    subscriptionUrl: absolute(config.endpoint, true),
    fetch: function (url, options) {{
      return window.fetch(url, Object.assign({{}}, options, {{ credentials: 'same-origin' }}));
    }}
  }});
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {{
      fetcher: fetcher,
      defaultQuery: config.defaultQuery,
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: false
    }})
  );
}})();
</script>
</body>
</html>
"#,
        css = url("graphiql-3.8.3.min.css"),
        react = url("react-18.3.1.production.min.js"),
        react_dom = url("react-dom-18.3.1.production.min.js"),
        graphiql = url("graphiql-3.8.3.min.js"),
        config = json_for_script(&config),
    )
}

/// The REST reference page: Redoc over the OpenAPI document, embedded in the page (escaped for
/// the script element) so that nothing else is fetched.
pub fn redoc_page<T: serde::Serialize + ?Sized>(title: &str, spec: &T) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<style>body {{ margin: 0; padding: 0; }}</style>
</head>
<body>
<div id="redoc">Loading the API reference…</div>
<script src="{redoc}"></script>
<script>
(function () {{
  var spec = {spec};
  Redoc.init(spec, {{ hideDownloadButton: false, expandResponses: "200", jsonSampleExpandLevel: 3 }},
    document.getElementById('redoc'));
}})();
</script>
</body>
</html>
"#,
        title = html_text(title),
        redoc = url("redoc-2.5.2.standalone.js"),
        spec = json_for_script(spec),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_end_the_element() {
        let value = serde_json::json!({"example": "</script><script>alert(1)</script><!--"});
        let escaped = json_for_script(&value);
        assert!(!escaped.contains('<'));
        assert!(!escaped.to_ascii_lowercase().contains("</script"));
        let back: serde_json::Value = serde_json::from_str(&escaped).expect("still JSON");
        assert_eq!(back, value);
    }

    #[test]
    fn every_asset_unpacks() {
        for asset in ASSETS {
            let mut plain = Vec::new();
            flate2::read::GzDecoder::new(asset.gzipped)
                .read_to_end(&mut plain)
                .expect("gzip");
            assert!(plain.len() > 1000, "{}", asset.name);
        }
    }

    #[test]
    fn pages_load_only_local_assets() {
        let page = graphiql_page("/graphql", "{ __typename }");
        let page2 = redoc_page("t", &serde_json::json!({"openapi": "3.1.0"}));
        for page in [page, page2] {
            assert!(!page.contains("https://"), "{page}");
            assert!(!page.contains("http://"), "{page}");
        }
    }
}

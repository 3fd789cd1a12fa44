//! Where callers put their token: `Authorization: Bearer …`, a bare `Authorization` header,
//! `X-auth-token` (volunteer), the session cookie (forum), graphql-ws `connectionParams`.
//! (Counseling's `userID` + `token` body fields are read by that dialect's shim.)

use std::net::{IpAddr, SocketAddr};

use http::HeaderMap;

/// Request header the HTTP layer sets to the resolved client address (any value a client
/// sends under this name is replaced first).
pub const CLIENT_IP_HEADER: &str = "x-medgraph-client-ip";

/// The client address: the first `X-Forwarded-For` entry when the proxy is trusted, else the
/// peer of the connection.
pub fn client_ip(
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    trust_forwarded_for: bool,
) -> Option<IpAddr> {
    if trust_forwarded_for
        && let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return Some(ip);
    }
    peer.map(|p| p.ip())
}

/// The token a request carries in its headers, if any.
pub fn token_from_headers(headers: &HeaderMap, cookie_name: &str) -> Option<String> {
    carried_token(headers, Some(cookie_name)).map(|(token, _)| token)
}

/// The token a request carries in its headers and whether it came in the session cookie
/// (`cookie_name`, when the endpoint accepts the cookie at all). A header wins over the cookie.
pub fn carried_token(headers: &HeaderMap, cookie_name: Option<&str>) -> Option<(String, bool)> {
    header_token(headers)
        .map(|t| (t, false))
        .or_else(|| cookie_name.and_then(|name| cookie_token(headers, name).map(|t| (t, true))))
}

/// Whether a request comes from another site than this server's own pages: a browser says so in
/// `Sec-Fetch-Site` (`cross-site`, `same-site`), or sends an `Origin` (`null` included) other
/// than the server's own (its `Host`, or `public_url`). Origins in `allowed` (the configured CORS
/// origins, not `*`) count as the server's own. Requests without either header (non-browser
/// clients) are not cross-site.
pub fn is_cross_site(headers: &HeaderMap, allowed: &[String], public_url: Option<&str>) -> bool {
    let origin = headers
        .get(http::header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("null").trim().to_ascii_lowercase());
    let allowed_origin = origin.as_deref().is_some_and(|o| {
        allowed
            .iter()
            .any(|a| a != "*" && a.trim_end_matches('/').eq_ignore_ascii_case(o))
    });
    if allowed_origin {
        return false;
    }
    let fetch_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase());
    if matches!(fetch_site.as_deref(), Some("cross-site" | "same-site")) {
        return true;
    }
    let Some(origin) = origin else {
        return false;
    };
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'));
    let host = headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(|h| h.trim().to_ascii_lowercase());
    let own_public = public_url.map(|u| u.trim_end_matches('/').to_ascii_lowercase());
    let same = origin_host.is_some_and(|o| host.as_deref() == Some(o))
        || own_public.as_deref() == Some(origin.as_str());
    !same
}

fn header_token(headers: &HeaderMap) -> Option<String> {
    if let Some(value) = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let value = value.trim();
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .unwrap_or(value)
            .trim();
        if !token.is_empty() {
            return Some(token.to_owned());
        }
    }
    if let Some(value) = headers.get("x-auth-token").and_then(|v| v.to_str().ok()) {
        let value = value.trim();
        if !value.is_empty() {
            return Some(value.to_owned());
        }
    }
    None
}

fn cookie_token(headers: &HeaderMap, cookie_name: &str) -> Option<String> {
    for cookies in headers.get_all(http::header::COOKIE) {
        let Ok(cookies) = cookies.to_str() else {
            continue;
        };
        for pair in cookies.split(';') {
            if let Some((name, value)) = pair.trim().split_once('=')
                && name == cookie_name
                && !value.is_empty()
            {
                return Some(value.to_owned());
            }
        }
    }
    None
}

/// The token in a graphql-ws `connection_init` payload: `Authorization`/`authorization`
/// (with or without `Bearer `), `authToken`, `token` or `X-auth-token`.
pub fn token_from_connection_params(params: &serde_json::Value) -> Option<String> {
    for key in [
        "Authorization",
        "authorization",
        "authToken",
        "token",
        "X-auth-token",
        "x-auth-token",
    ] {
        if let Some(value) = params.get(key).and_then(|v| v.as_str()) {
            let value = value.trim();
            let token = value.strip_prefix("Bearer ").unwrap_or(value).trim();
            if !token.is_empty() {
                return Some(token.to_owned());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, http::HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn finds_token_in_every_header_carrier() {
        assert_eq!(
            token_from_headers(&headers(&[("authorization", "Bearer abc")]), "s").as_deref(),
            Some("abc")
        );
        assert_eq!(
            token_from_headers(&headers(&[("authorization", "abc")]), "s").as_deref(),
            Some("abc")
        );
        assert_eq!(
            token_from_headers(&headers(&[("x-auth-token", "abc")]), "s").as_deref(),
            Some("abc")
        );
        assert_eq!(
            token_from_headers(&headers(&[("cookie", "a=1; s=abc")]), "s").as_deref(),
            Some("abc")
        );
        assert_eq!(token_from_headers(&headers(&[]), "s"), None);
    }

    #[test]
    fn tells_cross_site_requests() {
        let allowed = vec!["https://app.example.org".to_owned()];
        let cross =
            |pairs: &[(&'static str, &'static str)]| is_cross_site(&headers(pairs), &allowed, None);
        assert!(!cross(&[("host", "api.example.org")]));
        assert!(!cross(&[
            ("host", "api.example.org"),
            ("origin", "https://api.example.org")
        ]));
        assert!(!cross(&[
            ("host", "a"),
            ("origin", "https://app.example.org")
        ]));
        assert!(!cross(&[("host", "a"), ("sec-fetch-site", "same-origin")]));
        assert!(cross(&[
            ("host", "api.example.org"),
            ("origin", "https://evil.example")
        ]));
        assert!(cross(&[("host", "a"), ("origin", "null")]));
        assert!(cross(&[("host", "a"), ("sec-fetch-site", "cross-site")]));
        assert_eq!(
            carried_token(&headers(&[("cookie", "s=abc")]), Some("s")),
            Some(("abc".to_owned(), true))
        );
        assert_eq!(carried_token(&headers(&[("cookie", "s=abc")]), None), None);
        assert_eq!(
            carried_token(
                &headers(&[("cookie", "s=abc"), ("x-auth-token", "t")]),
                Some("s")
            ),
            Some(("t".to_owned(), false))
        );
    }

    #[test]
    fn finds_token_in_connection_params() {
        let params = serde_json::json!({"Authorization": "Bearer xyz"});
        assert_eq!(
            token_from_connection_params(&params).as_deref(),
            Some("xyz")
        );
        assert_eq!(token_from_connection_params(&serde_json::json!({})), None);
    }
}

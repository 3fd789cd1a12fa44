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
    fn finds_token_in_connection_params() {
        let params = serde_json::json!({"Authorization": "Bearer xyz"});
        assert_eq!(
            token_from_connection_params(&params).as_deref(),
            Some("xyz")
        );
        assert_eq!(token_from_connection_params(&serde_json::json!({})), None);
    }
}

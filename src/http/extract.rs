//! Who is asking, read from the request's parts: the client (request id and
//! address) and the credentials of the `Authorization` header.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use base64::Engine;
use ipnet::IpNet;
use secrecy::{ExposeSecret, SecretString};

use super::AppState;
use super::body::{name, password};
use super::errors::ApiError;
use crate::audit::RequestContext;
use crate::reset::{Failure, Principal};

/// The request id set by the request-id layer, and the client's address.
pub struct Caller {
    request_id: String,
    client: IpAddr,
}

impl Caller {
    /// The context every audit line and lockout of this request uses.
    pub fn at(self, endpoint: &'static str) -> RequestContext {
        RequestContext { request_id: self.request_id, client: self.client, endpoint }
    }
}

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)), |c| c.0);
        let request_id =
            parts.headers.get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        Ok(Caller { request_id, client: client_address(&parts.headers, peer, &state.trusted_proxies) })
    }
}

/// `X-Forwarded-For` is believed only from a trusted proxy, and then read
/// from the right, skipping trusted proxies, so a client cannot choose its
/// own address (and escape its lockout) by sending the header.
fn client_address(headers: &HeaderMap, peer: SocketAddr, trusted_proxies: &[IpNet]) -> IpAddr {
    let trusted = |ip: &IpAddr| trusted_proxies.iter().any(|net| net.contains(ip));
    let mut client = peer.ip();
    if trusted(&client) {
        let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        let hops: Vec<IpAddr> =
            forwarded.flat_map(|v| v.split(',')).map_while(|hop| hop.trim().parse::<IpAddr>().ok()).collect();
        if let Some(first_untrusted) = hops.iter().rev().find(|ip| !trusted(ip)) {
            client = *first_untrusted;
        }
    }
    client
}

/// The `Authorization` header: Bearer, Basic, or none. Read with the
/// request's parts but judged only after the body, so a malformed body is a
/// 400 whatever the credentials.
pub struct Authorization(Result<Option<Principal>, ApiError>);

impl Authorization {
    pub fn principal(self) -> Result<Option<Principal>, ApiError> {
        self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Authorization {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Authorization(principal(&parts.headers)))
    }
}

fn principal(headers: &HeaderMap) -> Result<Option<Principal>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || ApiError::from(Failure::Unauthenticated("malformed Authorization header"));
    let value = value.to_str().map_err(|_| malformed())?;
    let (scheme, rest) = value.split_once(' ').ok_or_else(malformed)?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") && !rest.is_empty() {
        return Ok(Some(Principal::Bearer(SecretString::from(rest))));
    }
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(malformed());
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(rest).map_err(|_| malformed())?;
    let decoded = SecretString::from(String::from_utf8(decoded).map_err(|_| malformed())?);
    let (username, secret) = decoded.expose_secret().split_once(':').ok_or_else(malformed)?;
    name("Basic user", username)?;
    let secret = SecretString::from(secret);
    password("Basic password", &secret)?;
    Ok(Some(Principal::Basic { username: username.to_owned(), password: secret }))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::http::errors::RequestError;

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let proxy: SocketAddr = "10.0.0.2:5000".parse().unwrap();
        let trusted: Vec<IpNet> = vec!["10.0.0.0/24".parse().unwrap()];
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "198.51.100.7, 203.0.113.9, 10.0.0.3".parse().unwrap());
        // The rightmost untrusted hop is the client; what it claims to the left is ignored.
        assert_eq!(client_address(&headers, proxy, &trusted).to_string(), "203.0.113.9");
        // From an untrusted peer the header means nothing.
        assert_eq!(client_address(&headers, proxy, &[]).to_string(), "10.0.0.2");
        headers.insert("x-forwarded-for", "garbage".parse().unwrap());
        assert_eq!(client_address(&headers, proxy, &trusted).to_string(), "10.0.0.2");
    }

    #[test]
    fn authorization_headers_are_read() {
        let mut headers = HeaderMap::new();
        assert!(matches!(principal(&headers), Ok(None)));
        headers.insert(header::AUTHORIZATION, "Basic aGVscGRlc2sxOnMzY3I6ZXQ=".parse().unwrap());
        match principal(&headers) {
            Ok(Some(Principal::Basic { username, password })) => {
                assert_eq!(username, "helpdesk1");
                assert_eq!(password.expose_secret(), "s3cr:et");
            }
            _ => panic!("expected Basic"),
        }
        for malformed in ["Digest abc", "Basic !!!"] {
            headers.insert(header::AUTHORIZATION, malformed.parse().unwrap());
            assert!(matches!(principal(&headers), Err(ApiError::Failure(Failure::Unauthenticated(_)))));
        }
    }

    proptest! {
        #[test]
        fn any_authorization_header_is_read_without_panic(value in proptest::collection::vec(any::<u8>(), 0..256)) {
            let mut headers = HeaderMap::new();
            if let Ok(value) = axum::http::HeaderValue::from_bytes(&value) {
                headers.insert(header::AUTHORIZATION, value);
            }
            let _ = principal(&headers);
        }

        #[test]
        fn basic_credentials_round_trip(user in "[a-z][a-z0-9._-]{0,30}", password in "[^\\x00]{0,40}") {
            let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, format!("Basic {encoded}").parse().unwrap());
            match principal(&headers) {
                Ok(Some(Principal::Basic { username, password: p })) => {
                    prop_assert_eq!(username, user);
                    prop_assert_eq!(p.expose_secret(), password.as_str());
                }
                Err(ApiError::Request(RequestError::Invalid(_))) => prop_assert!(password.chars().any(|c| c == '\0')),
                _ => prop_assert!(false, "unexpected outcome"),
            }
        }

        #[test]
        fn any_forwarded_header_yields_an_address(value in "[0-9a-f.:, ]{0,80}") {
            let peer: SocketAddr = "127.0.0.1:1".parse().unwrap();
            let mut headers = HeaderMap::new();
            headers.insert("x-forwarded-for", value.parse().unwrap());
            let trusted: Vec<IpNet> = vec!["127.0.0.0/8".parse().unwrap()];
            let _ = client_address(&headers, peer, &trusted);
        }
    }
}

//! Who is asking, as every request of the API and the console sees it:
//! the request id and the client's address.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

use super::AppState;
use crate::audit::{RequestContext, Via};

/// The request id set by the request-id layer, and the client's address.
pub struct Caller {
    request_id: String,
    client: IpAddr,
}

impl Caller {
    /// The context every audit event and lockout of an API request uses.
    pub fn api(self, endpoint: &'static str) -> RequestContext {
        RequestContext { request_id: self.request_id, client: self.client, via: Via::Api, endpoint }
    }

    /// The same, for a console page or form.
    pub fn console(self, endpoint: &'static str) -> RequestContext {
        RequestContext { request_id: self.request_id, client: self.client, via: Via::Console, endpoint }
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

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

    proptest! {
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

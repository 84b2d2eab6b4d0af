//! Turning what arrives over HTTP into domain values, with every refusal a
//! `Failure` that never quotes a submitted value.

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

use crate::audit::RequestContext;
use crate::failure::Failure;
use crate::reset::Principal;

/// Longest accepted user or admin name, in characters.
const MAX_NAME_CHARS: usize = 256;

/// Who is asking: the request id set by the request-id layer, and the
/// client's address. `X-Forwarded-For` is believed only from a trusted proxy,
/// and then read from the right, skipping trusted proxies, so a client cannot
/// choose its own address (and escape its lockout) by sending the header.
pub fn context(
    headers: &HeaderMap,
    peer: SocketAddr,
    trusted_proxies: &[IpNet],
    endpoint: &'static str,
) -> RequestContext {
    let request_id = headers.get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
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
    RequestContext { request_id, client, endpoint }
}

/// Parses a JSON body. Serde's own messages are not passed on: they can quote
/// the offending value, which may be a password.
pub fn json<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, Failure> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Failure::PayloadTooLarge
        } else {
            Failure::InvalidRequest("The request body could not be read.".into())
        }
    })?;
    // Serde would also read a struct from a JSON array; the contract is objects.
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(Failure::InvalidRequest("The request body must be a JSON object.".into()));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(&body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let why = match inner.classify() {
            serde_json::error::Category::Data if inner.to_string().starts_with("missing field") => {
                // "missing field `password`": names our field, quotes nothing sent.
                let text = inner.to_string();
                format!(
                    "The request body is missing a required field: {}.",
                    text.split(" at line").next().unwrap_or(&text).trim_start_matches("missing field ")
                )
            }
            serde_json::error::Category::Data if path != "." => {
                format!("The field `{path}` has the wrong type or value.")
            }
            serde_json::error::Category::Data => "The request body must be a JSON object.".into(),
            _ => "The request body is not valid JSON.".into(),
        };
        Failure::InvalidRequest(why)
    })
}

/// A user or admin name: present, not too long, no control characters (a
/// NUL would cut the name short in some directories' C code).
pub fn name(field: &str, value: &str) -> Result<(), Failure> {
    if value.trim().is_empty() {
        return Err(Failure::InvalidRequest(format!("The field `{field}` must not be empty.")));
    }
    if value.chars().count() > MAX_NAME_CHARS {
        return Err(Failure::InvalidRequest(format!(
            "The field `{field}` is longer than {MAX_NAME_CHARS} characters."
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(Failure::InvalidRequest(format!("The field `{field}` contains control characters.")));
    }
    Ok(())
}

/// A password may hold any character but NUL, which LDAP servers written in
/// C would truncate at.
pub fn password(field: &str, value: &SecretString) -> Result<(), Failure> {
    if value.expose_secret().contains('\0') {
        return Err(Failure::InvalidRequest(format!("The field `{field}` contains a NUL character.")));
    }
    Ok(())
}

/// The `Authorization` header: Bearer, Basic, or none. Checked after the
/// body, so a malformed body is a 400 whatever the credentials.
pub fn principal(headers: &HeaderMap) -> Result<Option<Principal>, Failure> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || Failure::Unauthenticated("malformed Authorization header");
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
    let (username, password) = decoded.expose_secret().split_once(':').ok_or_else(malformed)?;
    name("Basic user", username)?;
    let password = SecretString::from(password);
    self::password("Basic password", &password)?;
    Ok(Some(Principal::Basic { username: username.to_owned(), password }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        password: SecretString,
        temporary: Option<bool>,
    }

    fn parse(raw: &str) -> Result<Body, Failure> {
        json(Ok(Bytes::from(raw.to_owned())))
    }

    fn refusal(raw: &str) -> String {
        match parse(raw) {
            Err(Failure::InvalidRequest(why)) => why,
            other => panic!("expected invalid_request, got {other:?}"),
        }
    }

    #[test]
    fn parse_errors_never_quote_values() {
        let why = refusal(r#"{"password": "hunter2-secret", "temporary": "hunter2-secret"}"#);
        assert!(!why.contains("hunter2"), "{why}");
        assert!(why.contains("temporary"), "{why}");
        let why = refusal(r#"{"password": 123456789}"#);
        assert!(!why.contains("123456789"), "{why}");
    }

    #[test]
    fn missing_fields_are_named() {
        assert!(refusal(r#"{"temporary": true}"#).contains("password"));
        assert!(refusal("not json").contains("not valid JSON"));
        assert!(refusal("[]").contains("JSON object"));
    }

    #[test]
    fn names_with_control_characters_are_refused() {
        assert!(name("userName", "alice").is_ok());
        assert!(name("userName", "al\0ice").is_err());
        assert!(name("userName", "al\nice").is_err());
        assert!(name("userName", " ").is_err());
        assert!(name("userName", &"a".repeat(257)).is_err());
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let proxy: SocketAddr = "10.0.0.2:5000".parse().unwrap();
        let trusted: Vec<IpNet> = vec!["10.0.0.0/24".parse().unwrap()];
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "198.51.100.7, 203.0.113.9, 10.0.0.3".parse().unwrap());
        // The rightmost untrusted hop is the client; what it claims to the left is ignored.
        assert_eq!(context(&headers, proxy, &trusted, "t").client.to_string(), "203.0.113.9");
        // From an untrusted peer the header means nothing.
        assert_eq!(context(&headers, proxy, &[], "t").client.to_string(), "10.0.0.2");
        headers.insert("x-forwarded-for", "garbage".parse().unwrap());
        assert_eq!(context(&headers, proxy, &trusted, "t").client.to_string(), "10.0.0.2");
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
        headers.insert(header::AUTHORIZATION, "Digest abc".parse().unwrap());
        assert!(matches!(principal(&headers), Err(Failure::Unauthenticated(_))));
        headers.insert(header::AUTHORIZATION, "Basic !!!".parse().unwrap());
        assert!(matches!(principal(&headers), Err(Failure::Unauthenticated(_))));
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        proptest! {
            #[test]
            fn any_body_bytes_parse_or_are_refused_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
                let _ = json::<Body>(Ok(Bytes::from(bytes)));
            }

            #[test]
            fn json_shaped_bodies_never_quote_a_value(password in "[a-zA-Z0-9]{12,20}", temporary in "[a-zA-Z0-9]{12,20}") {
                let raw = format!(r#"{{"password": 5, "temporary": "{temporary}", "x": "{password}"}}"#);
                if let Err(Failure::InvalidRequest(why)) = json::<Body>(Ok(Bytes::from(raw))) {
                    prop_assert!(!why.contains(&password) && !why.contains(&temporary));
                }
            }

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
                    Err(Failure::InvalidRequest(_)) => prop_assert!(password.chars().any(|c| c == '\0')),
                    _ => prop_assert!(false, "unexpected outcome"),
                }
            }

            #[test]
            fn any_forwarded_header_yields_an_address(value in "[0-9a-f.:, ]{0,80}") {
                let peer: SocketAddr = "127.0.0.1:1".parse().unwrap();
                let mut headers = HeaderMap::new();
                headers.insert("x-forwarded-for", value.parse().unwrap());
                let trusted: Vec<IpNet> = vec!["127.0.0.0/8".parse().unwrap()];
                let _ = context(&headers, peer, &trusted, "t");
            }
        }
    }
}

//! The credentials of the `Authorization` header: Bearer, Basic, or none.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};

use super::body::{name, password};
use super::errors::ApiError;
use crate::app::{Failure, Principal};

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
    use crate::web::api::errors::RequestError;

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
    }
}

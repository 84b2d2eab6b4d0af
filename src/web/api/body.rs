//! JSON bodies and the fields in them, turned into domain values; every
//! refusal is a 400 (or 413) that never quotes a submitted value.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use secrecy::SecretString;
use serde::de::DeserializeOwned;

use super::errors::{ApiError, RequestError};
use crate::app::NewPassword;
use crate::generate::Delivery;
use crate::web::input;

/// A JSON body, parsed when the request is extracted. Its refusal is kept
/// for the handler rather than answered at once, because the endpoint's
/// contract decides the error's shape and what is audited with it.
pub struct JsonBody<T>(pub Result<T, ApiError>);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = std::convert::Infallible;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Ok(JsonBody(json(Bytes::from_request(request, state).await)))
    }
}

/// A JSON body that may be left out: an empty (or blank) body is `None`.
pub struct OptionalJsonBody<T>(pub Result<Option<T>, ApiError>);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for OptionalJsonBody<T> {
    type Rejection = std::convert::Infallible;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = Bytes::from_request(request, state).await;
        // Nothing, or JSON's null: no body.
        let blank = |body: &Bytes| body.iter().all(u8::is_ascii_whitespace) || body.trim_ascii() == b"null";
        if body.as_ref().is_ok_and(blank) {
            return Ok(OptionalJsonBody(Ok(None)));
        }
        Ok(OptionalJsonBody(json(body).map(Some)))
    }
}

/// Parses a JSON body. Serde's own messages are not passed on: they can quote
/// the offending value, which may be a password.
fn json<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, ApiError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::from(RequestError::TooLarge)
        } else {
            ApiError::invalid("The request body could not be read.")
        }
    })?;
    // Serde would also read a struct from a JSON array; the contract is objects.
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(ApiError::invalid("The request body must be a JSON object."));
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
        ApiError::invalid(why)
    })
}

/// A user or admin name, held to the shared bounds.
pub fn name(field: &str, value: &str) -> Result<(), ApiError> {
    Ok(input::name(field, value)?)
}

/// What a reset body asks to be written: a typed `password` (and, where the
/// endpoint has one, its confirmation), or `"generate": true` with an
/// optional `deliver`; never both, and never neither.
pub fn new_password(
    password: Option<SecretString>,
    confirmation: Option<(&str, Option<SecretString>)>,
    generate: bool,
    deliver: Option<Delivery>,
) -> Result<NewPassword, ApiError> {
    let confirming = confirmation.as_ref().and_then(|(_, value)| value.as_ref()).is_some();
    if generate {
        if password.is_some() || confirming {
            return Err(ApiError::invalid("Send either a password or \"generate\": true, not both."));
        }
        return Ok(NewPassword::Generated { deliver });
    }
    if deliver.is_some() {
        return Err(ApiError::invalid("The field `deliver` applies only with \"generate\": true."));
    }
    let missing =
        |field: &str| ApiError::invalid(format!("The request body is missing a required field: `{field}`."));
    let password = password.ok_or_else(|| missing("password"))?;
    self::password("password", &password)?;
    let confirmation = match confirmation {
        None => None,
        Some((field, value)) => {
            let value = value.ok_or_else(|| missing(field))?;
            self::password(field, &value)?;
            Some(value)
        }
    };
    Ok(NewPassword::Typed { password, confirmation })
}

/// A password, held to the shared bounds (no NUL).
pub fn password(field: &str, value: &SecretString) -> Result<(), ApiError> {
    Ok(input::password(field, value)?)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        password: SecretString,
        temporary: Option<bool>,
    }

    fn parse(raw: &str) -> Result<Body, ApiError> {
        json(Ok(Bytes::from(raw.to_owned())))
    }

    fn refusal(raw: &str) -> String {
        match parse(raw) {
            Err(ApiError::Request(RequestError::Invalid(why))) => why,
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

    proptest! {
        #[test]
        fn any_body_bytes_parse_or_are_refused_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = json::<Body>(Ok(Bytes::from(bytes)));
        }

        #[test]
        fn json_shaped_bodies_never_quote_a_value(password in "[a-zA-Z0-9]{12,20}", temporary in "[a-zA-Z0-9]{12,20}") {
            let raw = format!(r#"{{"password": 5, "temporary": "{temporary}", "x": "{password}"}}"#);
            if let Err(error) = json::<Body>(Ok(Bytes::from(raw))) {
                let why = error.message();
                prop_assert!(!why.contains(&password) && !why.contains(&temporary));
            }
        }
    }
}

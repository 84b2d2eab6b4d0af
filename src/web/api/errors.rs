//! The API's errors: the status (the shared table for the domain's
//! failures, [`failure_status`]), the headers that go with it, and the
//! contract's common error body. The domain owns codes and sentences
//! ([`Failure`]); failures only the API can have are here.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::answers::{CommonError, Violation};

use crate::access::Refusal;
use crate::app::{Failure, whole_seconds};
use crate::audit::{Action, RequestContext};
use crate::policy::Rule;
use crate::web::AppState;
use crate::web::failure::failure_status;
use crate::web::input::Invalid;

/// Failures of the request itself, found before the use case runs.
#[derive(Debug)]
pub enum RequestError {
    /// Malformed body, missing field, NUL byte, not a UUID… The text is safe
    /// to show: it never quotes a submitted value.
    Invalid(String),
    TooLarge,
    NoSuchEndpoint,
    MethodNotAllowed,
}

/// Anything an endpoint answers other than success.
#[derive(Debug)]
pub enum ApiError {
    Request(RequestError),
    Failure(Failure),
    /// A failure of an endpoint whose body has no option to hint at (an
    /// account action): the domain's sentence alone.
    Bare(Failure),
}

impl From<Failure> for ApiError {
    fn from(failure: Failure) -> Self {
        ApiError::Failure(failure)
    }
}

impl From<Invalid> for ApiError {
    fn from(Invalid(why): Invalid) -> Self {
        ApiError::invalid(why)
    }
}

impl From<RequestError> for ApiError {
    fn from(error: RequestError) -> Self {
        ApiError::Request(error)
    }
}

impl ApiError {
    pub fn invalid(why: impl Into<String>) -> Self {
        ApiError::Request(RequestError::Invalid(why.into()))
    }

    /// The contract's status table.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Request(RequestError::Invalid(_)) => StatusCode::BAD_REQUEST,
            ApiError::Request(RequestError::TooLarge) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Request(RequestError::NoSuchEndpoint) => StatusCode::NOT_FOUND,
            ApiError::Request(RequestError::MethodNotAllowed) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Failure(failure) | ApiError::Bare(failure) => failure_status(failure),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Request(RequestError::Invalid(_)) => "invalid_request",
            ApiError::Request(RequestError::TooLarge) => "payload_too_large",
            ApiError::Request(RequestError::NoSuchEndpoint) => "not_found",
            ApiError::Request(RequestError::MethodNotAllowed) => "method_not_allowed",
            ApiError::Failure(failure) | ApiError::Bare(failure) => failure.code(),
        }
    }

    pub fn message(&self) -> String {
        match self {
            ApiError::Request(RequestError::Invalid(why)) => why.clone(),
            ApiError::Request(RequestError::TooLarge) => "The request body is too large.".into(),
            ApiError::Request(RequestError::NoSuchEndpoint) => "No such endpoint.".into(),
            ApiError::Request(RequestError::MethodNotAllowed) => {
                "This endpoint does not take that method.".into()
            }
            ApiError::Failure(failure) => match hint(failure) {
                Some(hint) => format!("{} {hint}", failure.message()),
                None => failure.message(),
            },
            ApiError::Bare(failure) => failure.message(),
        }
    }

    /// Every rule a password broke, for a policy failure.
    pub fn violations(&self) -> &[Rule] {
        match self {
            ApiError::Failure(Failure::PasswordPolicy(rules)) => rules,
            _ => &[],
        }
    }

    /// Records a request refused before the application could run it as
    /// `action` on `target` (as the request named it, if it did), and hands
    /// the error back.
    pub async fn refused(
        self,
        state: &AppState,
        context: &RequestContext,
        action: Action,
        target: Option<&str>,
    ) -> Self {
        state.refused(context, action, target, None, self.code()).await;
        self
    }

    /// `body` with the status and the headers that go with it: a 401 tells
    /// which schemes are accepted, a 429 when to come back. Logged here,
    /// inside the request's span: operators get the details (never secrets:
    /// no failure carries one), callers only the message.
    pub fn respond(&self, body: impl Serialize) -> Response {
        let status = self.status();
        let code = self.code();
        match self {
            ApiError::Failure(failure) | ApiError::Bare(failure) if status.is_server_error() => {
                tracing::error!(code, "request failed: {failure}");
            }
            ApiError::Failure(failure) | ApiError::Bare(failure) => {
                tracing::info!(code, "request refused: {failure}");
            }
            ApiError::Request(error) => tracing::info!(code, "request refused: {error:?}"),
        }
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        match self {
            ApiError::Failure(Failure::Unauthenticated(_) | Failure::AccountUnusable(_))
            | ApiError::Bare(Failure::Unauthenticated(_) | Failure::AccountUnusable(_)) => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer, Basic realm=\"pwproxy\""),
                );
            }
            ApiError::Failure(Failure::RateLimited(wait)) | ApiError::Bare(Failure::RateLimited(wait)) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(whole_seconds(*wait)));
            }
            _ => {}
        }
        response
    }
}

/// What the API adds to the domain's sentence: the JSON field or setting
/// a caller changes to get on.
fn hint(failure: &Failure) -> Option<&'static str> {
    Some(match failure {
        Failure::Forbidden(Refusal::UnlockNotAllowed) => "(`\"unlock\": true` is not allowed.)",
        Failure::Forbidden(Refusal::TemporaryNotAllowed) => "(`\"temporary\": true` is not allowed.)",
        Failure::Forbidden(Refusal::PermanentNotAllowed) => "(`\"temporary\": false` is not allowed.)",
        Failure::NoMailAddress => "Ask for `\"deliver\": \"response\"`.",
        Failure::MailNotConfigured => "(`[notify]` is not configured.) Ask for `\"deliver\": \"response\"`.",
        _ => return None,
    })
}

/// The common error shape (seed 000, the token endpoint, 404 and 405):
/// `{"error": true, "message", "code"}`, plus `violations` for a policy
/// failure.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let violations = Some(self.violations()).filter(|rules| !rules.is_empty()).map(|rules| {
            rules.iter().map(|r| Violation { code: r.code().into(), message: r.message() }).collect()
        });
        let body = CommonError { error: true, message: self.message(), code: self.code().into(), violations };
        self.respond(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusable_accounts_and_wrong_passwords_are_both_401_with_the_schemes() {
        for failure in [Failure::Unauthenticated("x"), Failure::AccountUnusable("locked")] {
            let response = ApiError::from(failure).into_response();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
            assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
        }
    }

    #[test]
    fn a_lockout_says_when_to_come_back() {
        let response =
            ApiError::from(Failure::RateLimited(std::time::Duration::from_millis(2500))).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "3");
    }

    #[test]
    fn transport_failures_have_their_own_codes() {
        assert_eq!(ApiError::from(RequestError::TooLarge).status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(ApiError::invalid("x").code(), "invalid_request");
        assert_eq!(ApiError::from(RequestError::NoSuchEndpoint).status(), StatusCode::NOT_FOUND);
    }
}

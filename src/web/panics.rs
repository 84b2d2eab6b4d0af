//! The last line of defence: a panic in a request path still answers (500
//! `internal`, the contract's body) and leaves an audit line, instead of
//! closing the connection on a caller who cannot tell what happened. The
//! code denies `unwrap`, `expect` and `panic!` outside tests; this is for
//! whatever a library might still do.

use std::net::{Ipv4Addr, SocketAddr};
use std::panic::AssertUnwindSafe;

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::FutureExt;

use super::api::errors::ApiError;
use crate::app::Failure;
use crate::audit::{self, RequestContext, Via};

pub(super) async fn answer_panics(request: Request, next: Next) -> Response {
    // Read before the request is handed on: the audit line needs them after.
    let request_id =
        request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)), |c| c.0);
    let route = request.uri().path().to_owned();
    match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(_) => {
            // The panic's own message went to the log through the panic hook.
            tracing::error!(%route, "a request was interrupted by a panic; answered 500");
            let via = if route.starts_with("/console") { Via::Console } else { Via::Api };
            let context = RequestContext { request_id, client: peer.ip(), via, endpoint: "interrupted" };
            audit::interrupted(&context, &route);
            ApiError::Failure(Failure::Internal("the request was interrupted".into())).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::http::StatusCode;
    use axum::middleware::from_fn;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    async fn boom() -> &'static str {
        panic!("a library's bug")
    }

    #[tokio::test]
    async fn a_panicking_handler_is_answered_500_internal() {
        let router = Router::new()
            .route("/boom", get(boom))
            .route("/fine", get(|| async { "fine" }))
            .layer(from_fn(answer_panics));
        let boom = Request::builder().uri("/boom").body(Body::empty()).unwrap();
        let answer = router.clone().oneshot(boom).await.unwrap();
        assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(answer.into_body(), 4096).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["code"], "internal", "{body}");
        let fine = Request::builder().uri("/fine").body(Body::empty()).unwrap();
        assert_eq!(router.oneshot(fine).await.unwrap().status(), StatusCode::OK);
    }
}

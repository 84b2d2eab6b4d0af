//! Every kind of request, through the whole web layer on the in-memory
//! directory, leaves exactly one audit event with the right action,
//! outcome and door — refusals decided before any use case included.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;
use tower::ServiceExt;

use super::{AppState, console, router};
use crate::app::tests::{PASSWORD, directory, service};
use crate::audit::Via;
use crate::audit::recorded::{Recorded, Recorder};
use crate::config::ConsoleSettings;
use crate::metrics::Metrics;

fn web() -> (Router, Recorder) {
    let recorder = Recorder::default();
    let app = service(directory()).with_audit(Arc::new(recorder.clone()));
    let state = Arc::new(AppState {
        app: Arc::new(app),
        metrics: Arc::new(Metrics::default()),
        default_admin: String::new(),
        bulk_max_people: 500,
        trusted_proxies: Vec::new(),
    });
    let console = console::router(&ConsoleSettings::default(), false, false).unwrap();
    (router(state, 64 * 1024, true, Some(console)), recorder)
}

struct Answer {
    status: StatusCode,
    cookies: Vec<String>,
    body: String,
}

async fn send(web: &Router, request: Request<Body>) -> Answer {
    let response = web.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let cookies = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    Answer { status, cookies, body: String::from_utf8_lossy(&body).into_owned() }
}

fn json_request(method: &str, path: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn form(path: &str, cookies: &[String], fields: &[(&str, &str)]) -> Request<Body> {
    let body: String =
        url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields.iter().copied()).finish();
    Request::builder()
        .method("POST")
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookies.join("; "))
        .body(Body::from(body))
        .unwrap()
}

fn get(path: &str, cookies: &[String]) -> Request<Body> {
    Request::builder().uri(path).header(header::COOKIE, cookies.join("; ")).body(Body::empty()).unwrap()
}

/// The one event a request left: its action, outcome and door.
fn one(recorder: &Recorder) -> Recorded {
    let events = recorder.take();
    assert_eq!(events.len(), 1, "exactly one event: {events:#?}");
    events.into_iter().next().unwrap()
}

fn is(event: &Recorded, action: &str, outcome: &str, via: Via) {
    assert_eq!(
        (event.action.as_str(), event.outcome.as_str(), event.via),
        (action, outcome, via),
        "{event:#?}"
    );
}

fn csrf_of(body: &str) -> String {
    let at = body.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    body[at..].split('"').next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn every_api_request_leaves_one_event() {
    let (web, recorder) = web();
    let reset =
        |body: serde_json::Value| json_request("PUT", "/api/v1/users/changePassword", &body.to_string());
    let new = "a-new-password-1";

    // The token login first: the failures below lock the name out.
    let login = |password: &str| {
        json_request(
            "POST",
            "/api/v1/auth/token",
            &json!({"username": "agent", "password": password}).to_string(),
        )
    };
    let token = send(&web, login(PASSWORD)).await;
    assert_eq!(token.status, StatusCode::OK);
    let event = one(&recorder);
    is(&event, "login", "ok", Via::Api);
    assert_eq!(event.actor.as_deref(), Some("agent"));
    assert_eq!(
        send(&web, json_request("POST", "/api/v1/auth/token", "[]")).await.status,
        StatusCode::BAD_REQUEST
    );
    is(&one(&recorder), "login", "invalid_request", Via::Api);

    let ok = send(&web, reset(json!({"userName": "alice", "password": new, "adminPassword": PASSWORD, "adminUserName": "agent"}))).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let event = one(&recorder);
    is(&event, "reset", "ok", Via::Api);
    assert_eq!((event.actor.as_deref(), event.target.as_deref()), (Some("agent"), Some("alice")));
    assert!(event.details.contains("\"temporary\""), "{}", event.details);

    let wrong = send(
        &web,
        reset(
            json!({"userName": "alice", "password": new, "adminPassword": "wrong", "adminUserName": "agent"}),
        ),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    is(&one(&recorder), "reset", "unauthenticated", Via::Api);

    let protected = send(
        &web,
        reset(
            json!({"userName": "ceo", "password": new, "adminPassword": PASSWORD, "adminUserName": "agent"}),
        ),
    )
    .await;
    assert_eq!(protected.status, StatusCode::FORBIDDEN);
    is(&one(&recorder), "reset", "forbidden", Via::Api);

    // Refused before any use case: a body that is not JSON, a bad name.
    let malformed = send(&web, json_request("PUT", "/api/v1/users/changePassword", "{not json")).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    is(&one(&recorder), "reset", "invalid_request", Via::Api);
    let bad_name =
        send(&web, reset(json!({"userName": "al\u{7}ice", "password": new, "adminPassword": PASSWORD})))
            .await;
    assert_eq!(bad_name.status, StatusCode::BAD_REQUEST);
    is(&one(&recorder), "reset", "invalid_request", Via::Api);
    let not_uuid = send(
        &web,
        json_request(
            "POST",
            "/actions/persons/x/change-password",
            &json!({"password": new, "password_2": new}).to_string(),
        ),
    )
    .await;
    assert_eq!(not_uuid.status, StatusCode::BAD_REQUEST);
    is(&one(&recorder), "reset", "invalid_request", Via::Api);

    // The second failure locks the name out (two allowed here): a 429, once.
    assert_eq!(send(&web, login("wrong")).await.status, StatusCode::UNAUTHORIZED);
    is(&one(&recorder), "login", "unauthenticated", Via::Api);
    assert_eq!(send(&web, login(PASSWORD)).await.status, StatusCode::TOO_MANY_REQUESTS);
    is(&one(&recorder), "login", "rate_limited", Via::Api);

    // Lookups: a search, a person, and a search the bounds refuse.
    let bearer = serde_json::from_str::<serde_json::Value>(&token.body).unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let lookup = |path: &str| {
        Request::builder()
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {bearer}"))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(send(&web, lookup("/api/v1/users?q=al")).await.status, StatusCode::OK);
    let event = one(&recorder);
    is(&event, "search", "ok", Via::Api);
    assert_eq!(event.target.as_deref(), Some("al"));
    assert_eq!(send(&web, lookup("/api/v1/users/alice")).await.status, StatusCode::OK);
    is(&one(&recorder), "lookup", "ok", Via::Api);
    assert_eq!(send(&web, lookup("/api/v1/users/nobody")).await.status, StatusCode::NOT_FOUND);
    is(&one(&recorder), "lookup", "user_not_found", Via::Api);
    assert_eq!(
        send(&web, lookup(&format!("/api/v1/users?q={}", "a".repeat(65)))).await.status,
        StatusCode::BAD_REQUEST
    );
    is(&one(&recorder), "search", "invalid_request", Via::Api);

    // Probes and unknown paths are no operation.
    assert_eq!(send(&web, get("/healthz", &[])).await.status, StatusCode::OK);
    assert_eq!(send(&web, get("/nowhere", &[])).await.status, StatusCode::NOT_FOUND);
    assert!(recorder.take().is_empty());
}

#[tokio::test]
async fn every_console_request_leaves_one_event() {
    let (web, recorder) = web();

    // The sign-in page is no operation; a stale form is a refused login.
    let page = send(&web, get("/console/signin", &[])).await;
    assert!(recorder.take().is_empty());
    let cookies = page.cookies.clone();
    let forged = send(
        &web,
        form(
            "/console/signin",
            &cookies,
            &[("csrf", "forged"), ("username", "agent"), ("password", PASSWORD)],
        ),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let event = one(&recorder);
    is(&event, "login", "forbidden", Via::Console);
    assert_eq!(event.actor.as_deref(), Some("agent"));

    let csrf = csrf_of(&forged.body);
    let wrong = send(
        &web,
        form("/console/signin", &cookies, &[("csrf", &csrf), ("username", "agent"), ("password", "wrong")]),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    is(&one(&recorder), "login", "unauthenticated", Via::Console);
    let signed_in = send(
        &web,
        form("/console/signin", &cookies, &[("csrf", &csrf), ("username", "agent"), ("password", PASSWORD)]),
    )
    .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    is(&one(&recorder), "login", "ok", Via::Console);
    let session: Vec<String> =
        signed_in.cookies.iter().filter(|c| c.starts_with("pwproxy_session=")).cloned().collect();

    let search = send(&web, get("/console/search?q=al", &session)).await;
    assert_eq!(search.status, StatusCode::OK);
    is(&one(&recorder), "search", "ok", Via::Console);
    let csrf = csrf_of(&search.body);

    // A forged reset form: refused before the use case, one event, the
    // page that answers it no second one.
    let alice = "00000000-0000-4000-8000-000000000003";
    let reset = format!("/console/people/{alice}/reset");
    let forged = send(&web, form(&reset, &session, &[("csrf", "forged"), ("mode", "generated")])).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.body.contains("out of date"), "{}", forged.body);
    let event = one(&recorder);
    is(&event, "reset", "forbidden", Via::Console);
    assert_eq!((event.actor.as_deref(), event.target.as_deref()), (Some("agent"), Some(alice)));
    // Refused by the use case (the typed password is too short): once.
    let short = [("csrf", csrf.as_str()), ("mode", "typed"), ("password", "short"), ("password_2", "short")];
    assert_eq!(send(&web, form(&reset, &session, &short)).await.status, StatusCode::BAD_REQUEST);
    is(&one(&recorder), "reset", "password_policy", Via::Console);
    let done = send(&web, form(&reset, &session, &[("csrf", &csrf), ("mode", "generated")])).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    is(&one(&recorder), "reset", "ok", Via::Console);
    let person = send(&web, get(&format!("/console/people/{alice}"), &session)).await;
    assert_eq!(person.status, StatusCode::OK);
    is(&one(&recorder), "lookup", "ok", Via::Console);
    let nobody = send(&web, get("/console/people/00000000-0000-4000-8000-000000000999", &session)).await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    is(&one(&recorder), "lookup", "user_not_found", Via::Console);

    let forged = send(&web, form("/console/signout", &session, &[("csrf", "forged")])).await;
    assert_eq!(forged.status, StatusCode::SEE_OTHER);
    is(&one(&recorder), "logout", "forbidden", Via::Console);
    let signed_out = send(&web, form("/console/signout", &session, &[("csrf", &csrf)])).await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    let event = one(&recorder);
    is(&event, "logout", "ok", Via::Console);
    assert_eq!(event.actor.as_deref(), Some("agent"));
}

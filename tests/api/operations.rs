//! Operating pwproxy: Prometheus metrics, `/metrics` on a listener of its
//! own, and HTTPS on the listener itself.

use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;
use serde_json::json;

const NEW: &str = "Fresh-Passw0rd-1";

/// The value of the series `name{labels}`, 0 when absent.
fn series(text: &str, name_and_labels: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(name_and_labels).and_then(|rest| rest.trim().parse().ok()))
        .unwrap_or(0.0)
}

async fn scrape(app: &TestApp) -> String {
    let answer = app.get("/metrics").await;
    assert_eq!(answer.status, 200, "{answer:?}");
    answer.body.as_str().expect("text").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_move_by_exactly_what_happened() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);
    let route = "/actions/persons/{person_id}/change-password";
    let before = scrape(&app).await;

    let ok = app.persons(&person.id, Some(&auth), json!({ "password": NEW, "password_2": NEW })).await;
    assert_eq!(ok.status, 200);
    let missing = uuid::Uuid::new_v4().to_string();
    app.persons(&missing, Some(&auth), json!({ "password": NEW, "password_2": NEW }))
        .await
        .assert_persons_error(404, "user_not_found");
    let after = scrape(&app).await;

    let delta = |name: &str| series(&after, name) - series(&before, name);
    assert_eq!(delta(r#"pwproxy_resets_total{outcome="ok"}"#), 1.0);
    assert_eq!(delta(r#"pwproxy_resets_total{outcome="user_not_found"}"#), 1.0);
    assert_eq!(delta(&format!(r#"pwproxy_http_requests_total{{route="{route}",status="200"}}"#)), 1.0);
    assert_eq!(delta(&format!(r#"pwproxy_http_requests_total{{route="{route}",status="404"}}"#)), 1.0);
    assert_eq!(delta(&format!(r#"pwproxy_http_request_duration_seconds_count{{route="{route}"}}"#)), 2.0);
    // The success: find the admin, bind, their groups, find the target, its
    // groups, the modify; the refusal stops after finding nobody.
    assert!(
        delta(r#"pwproxy_directory_operation_duration_seconds_count{operation="modify"}"#) == 1.0,
        "{after}"
    );
    assert!(
        series(&after, r#"pwproxy_directory_connections{pool="service",state="idle"}"#) >= 1.0,
        "{after}"
    );
    assert!(dir.binds(&person.dn, NEW).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_unknown_paths_adds_no_series() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    for i in 0..200 {
        app.get(&format!("/probe-{i}-{}", uuid::Uuid::new_v4())).await;
    }
    let text = scrape(&app).await;

    assert_eq!(series(&text, r#"pwproxy_http_requests_total{route="unmatched",status="404"}"#), 200.0);
    let request_series = text.lines().filter(|l| l.starts_with("pwproxy_http_requests_total")).count();
    assert!(request_series <= 3, "{text}");
    assert!(!text.contains("probe-"), "no path ever becomes a label");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lockouts_are_counted_by_scope() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, |settings| settings.rate_limit.failures_per_name = 2).await;
    for _ in 0..2 {
        app.login("helpdesk1", "Wrong-Guess-123").await.assert_persons_error(401, "unauthenticated");
    }
    let text = scrape(&app).await;
    assert_eq!(series(&text, r#"pwproxy_lockouts_total{scope="name"}"#), 1.0, "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_listen_serves_metrics_apart_and_the_api_no_longer_does() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, |settings| {
        settings.server.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;

    app.get("/metrics").await.assert_persons_error(404, "not_found");
    let apart = app.metrics_address.expect("a metrics listener");
    let answer = Answer::from(reqwest::get(format!("http://{apart}/metrics")).await.unwrap()).await;
    assert_eq!(answer.status, 200);
    assert!(answer.body.as_str().unwrap().contains("pwproxy_http_requests_total"), "{answer:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_serves_https_with_its_certificate() {
    let dir = TestDirectory::start_own().await;
    let (cert, key) = dir.own().server_certificate();
    let app = TestApp::spawn_with(&dir, |settings| {
        settings.server.tls_cert_file = Some(cert);
        settings.server.tls_key_file = Some(key);
    })
    .await;
    let person = dir.add_person("target", true).await;

    assert!(app.url("/").starts_with("https://"));
    let answer = app
        .persons(
            &person.id,
            Some(&basic("helpdesk1", SEED_PASSWORD)),
            json!({ "password": NEW, "password_2": NEW }),
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dir.binds(&person.dn, NEW).await);
    // Plain HTTP to the same port gets no answer.
    let plain = reqwest::get(format!("http://{}/healthz", app.address)).await;
    assert!(plain.is_err() || plain.is_ok_and(|r| r.status() != 200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_document_and_the_router_cannot_drift() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let answer = app.get("/openapi.json").await;
    assert_eq!(answer.status, 200);
    let document = answer.body;
    assert_eq!(document["openapi"], "3.1.0");

    // Exactly the contract's endpoints are documented…
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    documented.sort();
    let expected = [
        ("GET", "/actions/persons/{person_id}"),
        ("GET", "/api/v1/audit"),
        ("GET", "/api/v1/users"),
        ("GET", "/api/v1/users/{userName}"),
        ("GET", "/healthz"),
        ("GET", "/metrics"),
        ("GET", "/openapi.json"),
        ("GET", "/readyz"),
        ("POST", "/actions/persons/{person_id}/change-password"),
        ("POST", "/actions/persons/{person_id}/{action}"),
        ("POST", "/api/v1/auth/token"),
        ("POST", "/api/v1/users/{userName}/{action}"),
        ("PUT", "/api/v1/users/changePassword"),
    ];
    let expected: Vec<(String, String)> =
        expected.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    assert_eq!(documented, expected);

    // …and every one of them is served: none falls through to the router's
    // "no such endpoint" or "method not allowed".
    for (method, path) in &documented {
        let url = app.url(
            &path.replace("{person_id}", &uuid::Uuid::new_v4().to_string()).replace("{userName}", "alice"),
        );
        let request = app.http.request(method.parse().unwrap(), url).json(&json!({}));
        let answer = Answer::from(request.send().await.unwrap()).await;
        assert!(
            answer.body.get("code").is_none_or(|c| c != "not_found" && c != "method_not_allowed"),
            "{method} {path}: {answer:?}"
        );
        assert_ne!(answer.status, 404, "{method} {path}");
    }
    // What is not documented is not served.
    app.get("/api/v1/people").await.assert_persons_error(404, "not_found");
}

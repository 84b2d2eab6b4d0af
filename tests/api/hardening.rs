//! Abuse and bad input: brute-force limits, forwarded addresses, injection
//! payloads, every refusal in the contract's shape, skipped certificate checks.

use serde_json::{Value, json};

use pwproxy::config::Settings;
use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;

pub(crate) const NEW: &str = "Fresh-Passw0rd-1";

pub(crate) fn persons_body() -> Value {
    json!({ "password": NEW, "password_2": NEW })
}

pub(crate) fn users_body(user: &str, admin: &str, admin_password: &str) -> Value {
    json!({ "userName": user, "password": NEW, "adminPassword": admin_password, "adminUserName": admin })
}

pub(crate) fn limits(per_name: u32, per_address: u32) -> impl FnOnce(&mut Settings) {
    move |settings: &mut Settings| {
        settings.rate_limit.failures_per_name = per_name;
        settings.rate_limit.failures_per_address = per_address;
        settings.rate_limit.window_secs = 900;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_locked_by_failures_is_refused_even_with_the_right_password_without_asking_the_directory() {
    let dir = TestDirectory::start_own().await;
    let app = TestApp::spawn_with(&dir, limits(3, 100)).await;
    let person = dir.add_person("target", true).await;

    for _ in 0..3 {
        let answer =
            app.persons(&person.id, Some(&basic("helpdesk1", "wrong-guess-1")), persons_body()).await;
        answer.assert_persons_error(401, "unauthenticated");
    }
    let answer = app.persons(&person.id, Some(&basic("helpdesk1", SEED_PASSWORD)), persons_body()).await;
    answer.assert_persons_error(429, "rate_limited");
    let retry_after: u64 = answer.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=300).contains(&retry_after), "{retry_after}");

    // The lock is on the name, whatever the endpoint, and never asks the
    // directory: with it stopped, the answer is still 429, not 503.
    dir.stop();
    let answer = app.users(None, users_body(&person.uid, "HelpDesk1", SEED_PASSWORD)).await;
    answer.assert_users_error(429, "rate_limited", "Too Many Requests");
    assert!(answer.headers.contains_key("retry-after"));
    app.login("helpdesk1", SEED_PASSWORD).await.assert_persons_error(429, "rate_limited");
    // Another admin is not affected.
    dir.restart();
    let answer = app.persons(&person.id, Some(&basic("tier2agent", SEED_PASSWORD)), persons_body()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_is_locked_after_failures_under_any_names() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, limits(100, 4)).await;
    let person = dir.add_person("target", true).await;

    app.login("helpdesk1", "wrong-guess-1").await.assert_persons_error(401, "unauthenticated");
    app.users(None, users_body(&person.uid, "tier2agent", "wrong-guess-2")).await.assert_users_error(
        401,
        "unauthenticated",
        "Unauthorized",
    );
    app.persons(&person.id, Some("Bearer forged.token.value"), persons_body())
        .await
        .assert_persons_error(401, "unauthenticated");
    app.persons(&person.id, Some(&basic("no-such-admin", "wrong-guess-3")), persons_body())
        .await
        .assert_persons_error(401, "unauthenticated");

    let answer = app.persons(&person.id, Some(&basic("helpdesk1", SEED_PASSWORD)), persons_body()).await;
    answer.assert_persons_error(429, "rate_limited");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, |settings| {
        settings.server.trusted_proxies = vec!["127.0.0.1".into()];
        limits(100, 2)(settings);
    })
    .await;
    let login = |forwarded, password| login_forwarded(&app, forwarded, password);

    assert_eq!(login("203.0.113.5", "wrong-guess-1").await, 401);
    assert_eq!(login("203.0.113.5", "wrong-guess-2").await, 401);
    assert_eq!(login("203.0.113.5", SEED_PASSWORD).await, 429, "that client is locked");
    assert_eq!(login("203.0.113.6", SEED_PASSWORD).await, 200, "another client behind the proxy is not");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_addresses_from_untrusted_peers_are_ignored() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, limits(100, 2)).await;
    let login = |forwarded, password| login_forwarded(&app, forwarded, password);

    assert_eq!(login("203.0.113.5", "wrong-guess-1").await, 401);
    assert_eq!(login("203.0.113.6", "wrong-guess-2").await, 401);
    assert_eq!(login("203.0.113.7", SEED_PASSWORD).await, 429, "the header did not buy a fresh address");
}

/// helpdesk1's token login, as if relayed for `forwarded`.
async fn login_forwarded(app: &TestApp, forwarded: &str, password: &str) -> u16 {
    let request = app
        .http
        .post(app.url("/api/v1/auth/token"))
        .header("X-Forwarded-For", forwarded)
        .json(&json!({ "username": "helpdesk1", "password": password }));
    request.send().await.unwrap().status().as_u16()
}

/// Filter and DN injection attempts. None may match anything, none may get a 5xx.
const INJECTIONS: &[&str] = &[
    "*",
    "*)",
    "*)(uid=*",
    "*)(|(uid=*",
    "alice)(uid=*",
    "alice)(|(uid=*))",
    "alice*",
    "*alice",
    "a*e",
    ")(objectClass=*",
    "*))%00",
    "alice\\2a",
    "\\2a",
    "\\",
    "\\\\",
    "(",
    ")",
    "(&)",
    "(|)",
    "!",
    "(!(uid=alice))",
    "uid=alice,ou=people,dc=example,dc=org",
    "cn=admin,dc=example,dc=org",
    "helpdesk1,ou=people,dc=example,dc=org",
    "helpdesk1)(memberOf=cn=helpdesk,ou=groups,dc=example,dc=org",
    "helpdesk1*",
    "*)(userPassword=*",
    "alice)(&",
    "\u{0}",
    "alice\u{0}",
    "alice\u{1b}[31m",
    "alice\r\nuid: helpdesk1",
    "' or '1'='1",
    "${jndi:ldap://127.0.0.1/a}",
    "ａｌｉｃｅ",
    "alice ",
    " alice",
    "%2a",
    "alice;uid=bob",
    "<script>alert(1)</script>",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ldap_injection_payloads_match_nothing_and_never_fail_the_server() {
    assert!(INJECTIONS.len() >= 30);
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, limits(10_000, 10_000)).await;
    let alice = format!("uid=alice,{PEOPLE}");

    for payload in INJECTIONS {
        let as_target = app.users(None, users_body(payload, "helpdesk1", SEED_PASSWORD)).await;
        assert!(matches!(as_target.status, 400 | 404), "userName {payload:?}: {as_target:?}");
        let as_admin = app.users(None, users_body("alice", payload, SEED_PASSWORD)).await;
        assert!(matches!(as_admin.status, 400 | 401), "adminUserName {payload:?}: {as_admin:?}");
        let id = dir.id_of(&alice).await;
        let as_basic = app.persons(&id, Some(&basic(payload, SEED_PASSWORD)), persons_body()).await;
        assert!(matches!(as_basic.status, 400 | 401), "Basic user {payload:?}: {as_basic:?}");
        let as_login = app.login(payload, SEED_PASSWORD).await;
        assert!(matches!(as_login.status, 400 | 401), "token user {payload:?}: {as_login:?}");
    }
    assert!(dir.binds(&alice, SEED_PASSWORD).await, "alice was never changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refusal_of_bad_input_has_the_contract_shape() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;

    let answer = app.get("/api/v1/users/changePassword").await;
    answer.assert_persons_error(405, "method_not_allowed");
    let answer = app.persons("%FF%FE", None, persons_body()).await;
    answer.assert_persons_error(400, "invalid_request");
    let invalid_utf8 = app
        .http
        .put(app.url("/api/v1/users/changePassword"))
        .header("content-type", "application/json")
        .body(b"{\"userName\": \"al\xffice\", \"password\": \"x\", \"adminPassword\": \"y\"}".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(invalid_utf8.status(), 400);
    let body: Value = invalid_utf8.json().await.unwrap();
    assert_eq!(body["status"], "Bad Request");
    let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    let answer = app.http.post(app.url("/api/v1/auth/token")).body(deep).send().await.unwrap();
    assert_eq!(answer.status(), 400);
    let nested_object =
        format!("{{\"username\": {}1{}, \"password\": \"x\"}}", "{\"a\":".repeat(200), "}".repeat(200));
    let answer = app.http.post(app.url("/api/v1/auth/token")).body(nested_object).send().await.unwrap();
    assert_eq!(answer.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_checks_can_only_be_skipped_explicitly() {
    let dir = TestDirectory::start_own().await;
    let skip_verification = |settings: &mut Settings| settings.ldap.danger_skip_tls_verify = true;
    let app = TestApp::spawn_with(&dir, |settings| {
        dir.over_ldaps_without_ca()(settings);
        skip_verification(settings);
    })
    .await;

    assert_eq!(app.get("/readyz").await.status, 200);
}

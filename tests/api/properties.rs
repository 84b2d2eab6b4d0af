//! Arbitrary requests against the real server: no input gets a 5xx (but 503,
//! which a directory failure may cause), a panic, or an answer outside the
//! contract's shapes.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;

fn percent_encode(raw: &[u8]) -> String {
    raw.iter().map(|b| format!("%{b:02X}")).collect()
}

/// Bodies that are sometimes valid JSON of the right shape and often not.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let field = prop_oneof![
        Just("password"),
        Just("password_2"),
        Just("userName"),
        Just("adminPassword"),
        Just("adminUserName"),
        Just("username"),
        Just("temporary"),
    ];
    let value = prop_oneof![
        "[\\PC]{0,30}".prop_map(Value::String),
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
        Just(serde_json::json!([1, {"a": []}])),
    ];
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        proptest::collection::btree_map(field, value, 0..7)
            .prop_map(|fields| serde_json::to_vec(&fields).unwrap_or_default()),
    ]
}

fn authorization() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        "(Basic|Bearer|basic|Digest) [ -~]{0,60}".prop_map(Some),
        "[a-z0-9:\\x00-\\x1f]{0,30}".prop_map(|s| Some(format!("Basic {}", base64_of(&s)))),
    ]
}

fn base64_of(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[test]
fn arbitrary_requests_get_an_answer_in_the_contract_shape_and_never_a_5xx_but_503() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (dir, app) = runtime.block_on(async {
        let dir = TestDirectory::start().await;
        let app = TestApp::spawn_with(&dir, |settings| {
            settings.rate_limit.failures_per_name = 100_000;
            settings.rate_limit.failures_per_address = 100_000;
        })
        .await;
        (dir, app)
    });
    let alice = runtime.block_on(dir.id_of(&format!("uid=alice,{PEOPLE}")));
    let endpoint = prop_oneof![Just(0u8), Just(1u8), Just(2u8)];
    let path_id = prop_oneof![
        Just(alice.clone()),
        Just(alice.to_uppercase()),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(|raw| percent_encode(&raw)),
    ];
    let mut runner = TestRunner::new(Config { cases: 300, failure_persistence: None, ..Config::default() });

    runner
        .run(&(endpoint, path_id, body(), authorization()), |(endpoint, id, body, auth)| {
            let request = match endpoint {
                0 => app.http.post(app.url(&format!("/actions/persons/{id}/change-password"))),
                1 => app.http.put(app.url("/api/v1/users/changePassword")),
                _ => app.http.post(app.url("/api/v1/auth/token")),
            };
            let request = match auth.as_deref().map(reqwest::header::HeaderValue::from_str) {
                Some(Ok(value)) => request.header("Authorization", value),
                _ => request,
            };
            let (status, text) = runtime.block_on(async {
                let response = request.body(body).send().await.expect("an answer");
                (response.status().as_u16(), response.text().await.unwrap_or_default())
            });
            prop_assert!(status < 500 || status == 503, "status {status}: {text}");
            let answer: Value = serde_json::from_str(&text).expect("a JSON answer");
            let shaped = if endpoint == 1 {
                status == 200 || (answer["status"].is_string() && answer["errorDetails"].is_object())
            } else {
                status == 200 || (answer["error"] == true && answer["code"].is_string())
            };
            prop_assert!(shaped, "status {status}: {text}");
            Ok(())
        })
        .unwrap();
    runtime.block_on(async {
        assert!(
            dir.binds(&format!("uid=alice,{PEOPLE}"), SEED_PASSWORD).await,
            "no random request changed alice"
        );
    });
    drop(app);
}

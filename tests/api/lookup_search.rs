//! Searching for people: bounded by the limit, saying when more matched,
//! and filter syntax in the text matching nothing more.

use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_is_bounded_by_its_limit_and_says_when_more_matched() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    for _ in 0..4 {
        dir.add_person("many", true).await;
    }
    let bearer = app.bearer("helpdesk1").await;

    let three = app.lookup("/api/v1/users?q=MANY-&limit=3", Some(&bearer)).await;
    assert_eq!(three.status, 200, "{three:?}");
    assert_eq!(three.body["users"].as_array().unwrap().len(), 3);
    assert_eq!(three.body["truncated"], true);
    let all = app.lookup("/api/v1/users?q=many-", Some(&bearer)).await;
    assert_eq!(
        (all.body["users"].as_array().unwrap().len(), all.body["truncated"].clone()),
        (4, json!(false))
    );
    // By name (cn) too, in any letter case.
    let alice = app.lookup("/api/v1/users?q=Alice", Some(&bearer)).await;
    assert_eq!(alice.body["users"][0]["username"], "alice", "{alice:?}");
    // By surname and given name, as a caller says them on the phone.
    let extra = [("cn", "Ned Brownlow-Quist"), ("sn", "Brownlow-Quist"), ("givenName", "Nedwin")];
    let ned = dir.add_person_in(PEOPLE, "ned", true, &extra).await;
    for q in ["brownlow-q", "Nedwin"] {
        let found = app.lookup(&format!("/api/v1/users?q={q}"), Some(&bearer)).await;
        assert_eq!(found.body["users"][0]["username"], ned.uid.as_str(), "{q}: {found:?}");
    }

    for bad in [
        "/api/v1/users?q=a&limit=0",
        "/api/v1/users?q=a&limit=101",
        "/api/v1/users?q=&limit=5",
        "/api/v1/users?q=a&limit=x",
    ] {
        app.lookup(bad, Some(&bearer)).await.assert_persons_error(400, "invalid_request");
    }
    let long = format!("/api/v1/users?q={}", "a".repeat(65));
    app.lookup(&long, Some(&bearer)).await.assert_persons_error(400, "invalid_request");
    app.lookup("/api/v1/users?q=a", None).await.assert_persons_error(401, "unauthenticated");
    app.lookup("/api/v1/users?q=a", Some(&basic("alice", SEED_PASSWORD)))
        .await
        .assert_persons_error(403, "forbidden");
    app.lookup("/actions/persons/not-a-uuid", Some(&bearer))
        .await
        .assert_persons_error(400, "invalid_request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filter_syntax_in_the_search_text_matches_nothing_more() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let bearer = app.bearer("helpdesk1").await;
    for payload in ["*", "*)(uid=*", ")(|(uid=*", "a*)(objectClass=*", "\\2a", "al\\", "*)(|(mail=*))"] {
        let query: String = payload.bytes().map(|b| format!("%{b:02X}")).collect();
        let answer = app.lookup(&format!("/api/v1/users?q={query}"), Some(&bearer)).await;
        assert_eq!(answer.status, 200, "{payload}: {answer:?}");
        let users = answer.body["users"].as_array().unwrap();
        assert!(users.is_empty(), "{payload} matched {users:?}");
    }
    // The same text without the syntax finds alice: the escaping, not an
    // empty directory, is what kept the payloads from matching.
    let plain = app.lookup("/api/v1/users?q=al", Some(&bearer)).await;
    assert!(!plain.body["users"].as_array().unwrap().is_empty(), "{plain:?}");
    app.lookup("/api/v1/users?q=al%00", Some(&bearer)).await.assert_persons_error(400, "invalid_request");
}

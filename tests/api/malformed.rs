//! Seed 000's requests refused before anything is asked of the directory:
//! malformed ones and an oversized body, and nothing changed.

use serde_json::json;

use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;

use super::persons::{NEW, body};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_are_refused_and_change_nothing() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);

    for bad in [
        json!({ "password": NEW }),
        json!({ "password": NEW, "password_2": 12345678 }),
        json!({ "password": "Fresh\u{0}Passw0rd", "password_2": "Fresh\u{0}Passw0rd" }),
        json!({ "password": NEW, "password_2": NEW, "temporary": "yes" }),
        json!([NEW, NEW]),
    ] {
        let answer = app.persons(&person.id, Some(&auth), bad).await;
        answer.assert_persons_error(400, "invalid_request");
    }
    let answer = app.persons("not-a-uuid", Some(&auth), body(NEW)).await;
    answer.assert_persons_error(400, "invalid_request");
    let raw = app
        .http
        .post(app.url(&format!("/actions/persons/{}/change-password", person.id)))
        .header("Authorization", &auth)
        .header("Content-Type", "application/json")
        .body("{\"password\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_refused() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;
    let huge = "x".repeat(17 * 1024);

    let answer = app.persons(&person.id, Some(&basic("helpdesk1", SEED_PASSWORD)), body(&huge)).await;

    answer.assert_persons_error(413, "payload_too_large");
}

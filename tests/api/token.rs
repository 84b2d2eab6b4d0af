//! POST /api/v1/auth/token, and what a token is worth later.

use serde_json::json;

use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;

const NEW: &str = "Fresh-Passw0rd-1";

fn body(password: &str) -> serde_json::Value {
    json!({ "password": password, "password_2": password })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_gets_a_bearer_token() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;

    let answer = app.login("helpdesk1", SEED_PASSWORD).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["token_type"], "Bearer");
    assert_eq!(answer.body["expires_in"], 900);
    assert!(answer.body["access_token"].as_str().unwrap().len() > 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_get_no_token() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;

    app.login("helpdesk1", "wrong").await.assert_persons_error(401, "unauthenticated");
    app.login("nobody", SEED_PASSWORD).await.assert_persons_error(401, "unauthenticated");
    app.login("helpdesk1", "").await.assert_persons_error(401, "unauthenticated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_admin_gets_no_token() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;

    app.login("mallory", SEED_PASSWORD).await.assert_persons_error(403, "forbidden");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_stops_working_when_its_admin_leaves_the_admin_group() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let admin = dir.add_person("agent", true).await;
    dir.set_membership(HELPDESK, &admin.dn, true).await;
    let bearer = {
        let answer = app.login(&admin.uid, SEED_PASSWORD).await;
        format!("Bearer {}", answer.body["access_token"].as_str().unwrap())
    };
    let first = dir.add_person("target", true).await;
    assert_eq!(app.persons(&first.id, Some(&bearer), body(NEW)).await.status, 200);

    dir.set_membership(HELPDESK, &admin.dn, false).await;
    let second = dir.add_person("target", true).await;
    app.persons(&second.id, Some(&bearer), body(NEW)).await.assert_persons_error(403, "forbidden");

    dir.delete(&admin.dn).await;
    app.persons(&second.id, Some(&bearer), body(NEW)).await.assert_persons_error(401, "unauthenticated");
    assert!(dir.binds(&second.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_stops_working_when_its_admin_is_locked() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let admin = dir.add_person("agent", true).await;
    dir.set_membership(HELPDESK, &admin.dn, true).await;
    let answer = app.login(&admin.uid, SEED_PASSWORD).await;
    let bearer = format!("Bearer {}", answer.body["access_token"].as_str().unwrap());
    let lock = ldap3::Mod::Add("pwdAccountLockedTime", std::collections::HashSet::from(["000001010000Z"]));
    dir.modify(&admin.dn, vec![lock]).await;
    let target = dir.add_person("target", true).await;

    app.persons(&target.id, Some(&bearer), body(NEW)).await.assert_persons_error(401, "unauthenticated");
    assert!(dir.binds(&target.dn, SEED_PASSWORD).await);
}

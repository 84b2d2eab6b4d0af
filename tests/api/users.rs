//! Seed 001: PUT /api/v1/users/changePassword.

use serde_json::{Value, json};

use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;

const NEW: &str = "Fresh-Passw0rd-1";

fn body(user: &str, password: &str, admin_password: &str) -> Value {
    json!({ "userName": user, "password": password, "adminPassword": admin_password })
}

fn with_admin(mut body: Value, admin: &str) -> Value {
    body["adminUserName"] = json!(admin);
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_named_in_the_body_resets_a_user_by_name() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;

    let answer = app.users(None, with_admin(body(&person.uid, NEW, SEED_PASSWORD), "helpdesk1")).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        answer.body,
        json!({ "successUsers": [{ "username": person.uid, "email": person.mail.unwrap() }], "status": "OK" })
    );
    assert_eq!(dir.attribute(&person.dn, "modifiersName").await.unwrap(), format!("uid=helpdesk1,{PEOPLE}"));
    assert_eq!(dir.attribute(&person.dn, "pwdReset").await.as_deref(), Some("TRUE"));
    assert!(dir.binds(&person.dn, NEW).await);
    assert!(!dir.binds(&person.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_is_left_out_when_the_directory_has_none() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", false).await;

    let answer = app.users(None, with_admin(body(&person.uid, NEW, SEED_PASSWORD), "tier2agent")).await;

    assert_eq!(answer.body, json!({ "successUsers": [{ "username": person.uid }], "status": "OK" }));
    assert!(dir.binds(&person.dn, NEW).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_authorization_header_names_the_admin_before_the_body() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;

    // The header says helpdesk1; the body's adminUserName (mallory) is ignored.
    let request = with_admin(body(&person.uid, NEW, SEED_PASSWORD), "mallory");
    let answer = app.users(Some(&basic("helpdesk1", SEED_PASSWORD)), request).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dir.binds(&person.dn, NEW).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bearer_token_names_the_admin_whose_password_is_still_verified() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;
    let bearer = app.bearer("helpdesk1").await;

    let answer = app.users(Some(&bearer), body(&person.uid, NEW, "not the admin's password")).await;
    answer.assert_users_error(401, "unauthenticated", "Unauthorized");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);

    let answer = app.users(Some(&bearer), body(&person.uid, NEW, SEED_PASSWORD)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dir.binds(&person.dn, NEW).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_admin_acts_when_none_is_named() {
    let dir = TestDirectory::start().await;
    let app =
        TestApp::spawn_with(&dir, |settings| settings.authorization.default_admin = "helpdesk1".into()).await;
    let person = dir.add_person("target", true).await;

    let answer = app.users(None, body(&person.uid, NEW, SEED_PASSWORD)).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dir.binds(&person.dn, NEW).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_any_admin_the_call_is_unauthenticated() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;

    let answer = app.users(None, body(&person.uid, NEW, SEED_PASSWORD)).await;

    let details = answer.assert_users_error(401, "unauthenticated", "Unauthorized");
    assert_eq!(details.len(), 1);
    assert_eq!(answer.body["failedUsers"], json!([{ "username": person.uid }]));
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_admin_password_is_unauthenticated() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;

    for admin in ["helpdesk1", "no-such-admin"] {
        let answer = app.users(None, with_admin(body(&person.uid, NEW, "wrong password"), admin)).await;
        answer.assert_users_error(401, "unauthenticated", "Unauthorized");
    }
    let answer = app.users(None, with_admin(body(&person.uid, NEW, ""), "helpdesk1")).await;
    answer.assert_users_error(401, "unauthenticated", "Unauthorized");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_are_refused_and_change_nothing() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;

    for bad in [
        json!({ "userName": person.uid, "password": NEW, "adminUserName": "helpdesk1" }),
        json!({ "userName": person.uid, "password": NEW, "adminPassword": 7, "adminUserName": "helpdesk1" }),
        with_admin(body(&format!("{}\u{0}", person.uid), NEW, SEED_PASSWORD), "helpdesk1"),
        with_admin(body(&person.uid, NEW, SEED_PASSWORD), "help\ndesk1"),
        with_admin(body("", NEW, SEED_PASSWORD), "helpdesk1"),
        json!("a string"),
    ] {
        let answer = app.users(None, bad).await;
        answer.assert_users_error(400, "invalid_request", "Bad Request");
    }
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_broken_policy_rule_has_its_own_entry() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, |settings| settings.policy.min_length = 20).await;
    let person = dir.add_person("target", true).await;

    let weak = format!("X{}", person.uid);
    let answer = app.users(None, with_admin(body(&person.uid, &weak, SEED_PASSWORD), "helpdesk1")).await;

    let details = answer.assert_users_error(400, "password_policy", "Bad Request");
    assert!(details.contains_key("password_too_short"), "{details:?}");
    assert!(details.contains_key("password_contains_username"), "{details:?}");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_user_is_refused_as_inactive() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;

    let answer = app.users(None, with_admin(body("lucy", NEW, SEED_PASSWORD), "helpdesk1")).await;

    answer.assert_users_error(400, "user_inactive", "Bad Request");
    assert_eq!(dir.attribute(&format!("uid=lucy,{PEOPLE}"), "pwdHistory").await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_directory_refusal_is_reported_in_plain_words() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;

    let answer =
        app.users(None, with_admin(body(&person.uid, SEED_PASSWORD, SEED_PASSWORD), "helpdesk1")).await;

    let details = answer.assert_users_error(400, "directory_rejected_password", "Bad Request");
    let message = details["directory_rejected_password"].as_str().unwrap();
    assert!(message.contains("same as the current"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_and_protected_users_are_forbidden_and_so_are_non_admins() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;

    let answer = app.users(None, with_admin(body(&person.uid, NEW, SEED_PASSWORD), "mallory")).await;
    answer.assert_users_error(403, "forbidden", "Forbidden");
    for target in ["helpdesk1", "tier2agent", "carl"] {
        let answer = app.users(None, with_admin(body(target, NEW, SEED_PASSWORD), "helpdesk1")).await;
        answer.assert_users_error(403, "forbidden", "Forbidden");
        assert!(dir.binds(&format!("uid={target},{PEOPLE}"), SEED_PASSWORD).await);
    }
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_out_of_scope_users_are_not_found() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;

    for target in ["nobody", "outsider", "backup", "*", "alice)(uid=*"] {
        let answer = app.users(None, with_admin(body(target, NEW, SEED_PASSWORD), "helpdesk1")).await;
        answer.assert_users_error(404, "user_not_found", "Not Found");
    }
    assert!(dir.binds(&format!("uid=outsider,ou=external,{BASE}"), SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_refused() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;

    let answer =
        app.users(None, with_admin(body("alice", &"x".repeat(17 * 1024), SEED_PASSWORD), "helpdesk1")).await;

    answer.assert_users_error(413, "payload_too_large", "Payload Too Large");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_directory_is_unavailable() {
    let dir = TestDirectory::start_own().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;
    dir.stop();

    let answer = app.users(None, with_admin(body(&person.uid, NEW, SEED_PASSWORD), "helpdesk1")).await;

    answer.assert_users_error(503, "directory_unavailable", "Service Unavailable");
    dir.restart();
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ambiguous_user_name_is_an_internal_error() {
    let dir = TestDirectory::start_own().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;
    dir.add_entry(
        &format!("cn={}-copy,{PEOPLE}", person.uid),
        vec![
            ("objectClass", vec!["inetOrgPerson"]),
            ("cn", vec!["copy"]),
            ("sn", vec!["copy"]),
            ("uid", vec![person.uid.as_str()]),
        ],
    )
    .await;

    let answer = app.users(None, with_admin(body(&person.uid, NEW, SEED_PASSWORD), "helpdesk1")).await;

    answer.assert_users_error(500, "internal", "Internal Server Error");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

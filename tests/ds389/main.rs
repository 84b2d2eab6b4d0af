//! Integration tests against a real 389 Directory Server (tests/fixtures/389ds).
//! Run by `bash tests/fixtures/389ds/run-389ds-suite.sh`, which makes one
//! instance for the run; `scripts/test.sh` runs it.
//!
//! The suite shares one server, so every test creates the people it changes.

mod generated;
mod lookups;
mod membership;
mod refusals;
mod unlock;

use std::collections::HashSet;

use ldap3::Mod;
use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;
use serde_json::{Value, json};

/// No three characters of it (389 checks every run of
/// `passwordMinTokenLength`) stand in the test people's names, whose random
/// part is hexadecimal after a "-".
const NEW: &str = "FreshPassw0rdOne";

fn reset(password: &str) -> Value {
    json!({ "password": password, "password_2": password })
}

fn permanent(password: &str) -> Value {
    json!({ "password": password, "password_2": password, "temporary": false })
}

fn by_name(user: &str, password: &str, temporary: bool) -> Value {
    json!({ "userName": user, "password": password, "adminUserName": "helpdesk1", "adminPassword": SEED_PASSWORD, "temporary": temporary })
}

fn helpdesk1() -> String {
    basic("helpdesk1", SEED_PASSWORD)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_by_entry_uuid_gets_a_temporary_password_they_must_change() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;

    let answer = app.persons(&person.id.to_uppercase(), Some(&helpdesk1()), reset(NEW)).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body, json!({ "success": true }));
    assert!(dir.must_change(&person.dn, NEW).await, "the next bind must change the password");
    assert!(!dir.binds(&person.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_by_uid_gets_a_permanent_password_that_works_at_once() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;

    let answer = app.users(None, by_name(&person.uid, NEW, false)).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["successUsers"], json!([{ "username": person.uid, "email": person.mail }]));
    assert!(dir.binds(&person.dn, NEW).await);
    assert!(!dir.must_change(&person.dn, NEW).await, "a permanent password is a normal account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_password_lifts_an_earlier_obligation_to_change() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", false).await;
    let bearer = app.bearer("helpdesk1").await;

    assert_eq!(app.persons(&person.id, Some(&bearer), reset(NEW)).await.status, 200);
    assert!(dir.must_change(&person.dn, NEW).await);
    let answer = app.persons(&person.id, Some(&bearer), permanent("SecondPassw0rdTwo")).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dir.binds(&person.dn, "SecondPassw0rdTwo").await);
    assert!(!dir.must_change(&person.dn, "SecondPassw0rdTwo").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nested_admin_with_a_token_resets_and_the_service_account_writes() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;
    // tier2agent is in tier2 (groupOfUniqueNames), which is in helpdesk.
    let bearer = app.bearer("tier2agent").await;

    let answer = app.persons(&person.id, Some(&bearer), reset(NEW)).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dir.must_change(&person.dn, NEW).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_writes_on_their_own_bind_so_the_directorys_rules_name_them() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;
    // auditor1 is an admin to pwproxy, but no ACI lets the auditors set
    // passwords: on their own bind the directory refuses the write.
    let answer = app.persons(&person.id, Some(&basic("auditor1", SEED_PASSWORD)), reset(NEW)).await;
    let message = answer.assert_persons_error(400, "directory_rejected_password");
    assert!(message.contains("does not allow"), "{message}");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);

    // With a token the service account writes, and may.
    let bearer = app.bearer("auditor1").await;
    assert_eq!(app.persons(&person.id, Some(&bearer), reset(NEW)).await.status, 200);
    assert!(dir.must_change(&person.dn, NEW).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_protected_people_and_oneself_are_refused() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn(&dir).await;
    let other_admin = dir.add_person("agent", false).await;
    dir.set_membership(HELPDESK, &other_admin.dn, true).await;
    let carl = format!("uid=carl,{PEOPLE}");

    for dn in [other_admin.dn.as_str(), carl.as_str(), &format!("uid=helpdesk1,{PEOPLE}")] {
        let id = dir.id_of(dn).await;
        app.persons(&id, Some(&helpdesk1()), reset(NEW)).await.assert_persons_error(403, "forbidden");
        assert!(dir.binds(dn, SEED_PASSWORD).await, "{dn} unchanged");
    }
    let answer = app.users(None, by_name("carl", NEW, true)).await;
    answer.assert_users_error(403, "forbidden", "Forbidden");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_non_admins_and_unknown_people_get_their_codes() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", false).await;
    let nobody = dir.add_person("nobody", false).await;
    let agent = dir.add_person("agent", false).await;
    dir.set_membership(HELPDESK, &agent.dn, true).await;

    let answer = app.persons(&person.id, Some(&basic(&agent.uid, "Wrong-Guess-123")), reset(NEW)).await;
    answer.assert_persons_error(401, "unauthenticated");
    let answer = app.persons(&person.id, Some(&basic(&nobody.uid, SEED_PASSWORD)), reset(NEW)).await;
    answer.assert_persons_error(403, "forbidden");
    let unknown = uuid::Uuid::new_v4().to_string();
    app.persons(&unknown, Some(&helpdesk1()), reset(NEW)).await.assert_persons_error(404, "user_not_found");
    let answer = app.users(None, by_name("no-such-person", NEW, true)).await;
    answer.assert_users_error(404, "user_not_found", "Not Found");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_works_like_ldaps() {
    let dir = TestDirectory::ds389_from_env();
    let url = dir.ldap_url.clone();
    let app = TestApp::spawn_with(&dir, |settings| {
        settings.ldap.url = url;
        settings.ldap.starttls = true;
    })
    .await;
    let person = dir.add_person("target", false).await;

    let answer = app.persons(&person.id, Some(&helpdesk1()), reset(NEW)).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dir.must_change(&person.dn, NEW).await);
}

#[test]
fn plain_ldap_to_389_is_a_start_up_error_that_says_why() {
    let dir = TestDirectory::ds389_from_env();
    let mut settings = pwproxy_testkit::app::settings(&dir.config_toml());
    settings.ldap.url = dir.ldap_url.clone();
    let error = settings.validate().expect_err("plain LDAP is refused").to_string();
    assert!(error.contains("ldap.url") && error.contains("extended operation"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_remaining_contract_rows_hold_on_both_endpoints() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn_with(&dir, |settings| {
        settings.rate_limit.failures_per_name = 2;
        settings.rate_limit.failures_per_address = 1000;
    })
    .await;
    let person = dir.add_person("target", false).await;

    app.persons("not-a-uuid", Some(&helpdesk1()), reset(NEW))
        .await
        .assert_persons_error(400, "invalid_request");
    let mismatch = json!({ "password": NEW, "password_2": "Other-Passw0rd-2" });
    app.persons(&person.id, Some(&helpdesk1()), mismatch)
        .await
        .assert_persons_error(400, "passwords_do_not_match");
    let answer = app.persons(&person.id, Some(&helpdesk1()), reset("short")).await;
    answer.assert_persons_error(400, "password_policy");
    assert!(answer.body["violations"].as_array().is_some_and(|v| !v.is_empty()), "{answer:?}");
    let answer = app.users(None, by_name(&person.uid, "short", true)).await;
    let details = answer.assert_users_error(400, "password_policy", "Bad Request");
    assert!(details.contains_key("password_too_short"), "{details:?}");
    let answer = app.users(None, json!({ "userName": person.uid, "password": NEW })).await;
    answer.assert_users_error(400, "invalid_request", "Bad Request");

    // A name guessed at twice is locked out, on either endpoint. (An admin of
    // this test's own: the directory counts the failures too.)
    let agent = dir.add_person("agent", false).await;
    dir.set_membership(HELPDESK, &agent.dn, true).await;
    let wrong = json!({ "userName": person.uid, "password": NEW, "adminUserName": agent.uid, "adminPassword": "Wrong-Guess-123" });
    app.users(None, wrong.clone()).await.assert_users_error(401, "unauthenticated", "Unauthorized");
    app.users(None, wrong).await.assert_users_error(401, "unauthenticated", "Unauthorized");
    let answer = app.persons(&person.id, Some(&basic(&agent.uid, SEED_PASSWORD)), reset(NEW)).await;
    answer.assert_persons_error(429, "rate_limited");
    assert!(answer.headers.contains_key("retry-after"));
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await, "nothing was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_directory_is_503_on_both_endpoints() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn_with(&dir, |settings| {
        settings.ldap.url = format!("ldaps://localhost:{}", pwproxy_testkit::net::free_port());
        settings.ldap.timeout_secs = 1;
    })
    .await;
    let person = dir.add_person("target", false).await;

    let answer = app.persons(&person.id, Some(&helpdesk1()), reset(NEW)).await;
    answer.assert_persons_error(503, "directory_unavailable");
    let answer = app.users(None, by_name(&person.uid, NEW, true)).await;
    answer.assert_users_error(503, "directory_unavailable", "Service Unavailable");
    assert_eq!(app.get("/readyz").await.status, 503);
}

//! Seed 000: POST /actions/persons/{person_id}/change-password.

use serde_json::json;

use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;

pub(crate) const NEW: &str = "Fresh-Passw0rd-1";

pub(crate) fn body(password: &str) -> serde_json::Value {
    json!({ "password": password, "password_2": password })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_with_basic_credentials_resets_a_person_by_uuid() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;

    let answer = app.persons(&person.id, Some(&basic("helpdesk1", SEED_PASSWORD)), body(NEW)).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body, json!({ "success": true }));
    assert!(answer.headers.contains_key("x-request-id"));
    // Written on the admin's own connection, and must-change set with it.
    // (Read first: ppolicy's record of a failed bind changes modifiersName.)
    let modifier = dir.attribute(&person.dn, "modifiersName").await.unwrap();
    assert_eq!(modifier, format!("uid=helpdesk1,{PEOPLE}"));
    assert_eq!(dir.attribute(&person.dn, "pwdReset").await.as_deref(), Some("TRUE"));
    assert!(dir.binds(&person.dn, NEW).await);
    assert!(!dir.binds(&person.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bearer_token_resets_a_person_named_by_an_upper_case_uuid() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;
    // tier2agent is an admin through a nested groupOfUniqueNames.
    let bearer = app.bearer("tier2agent").await;

    let answer = app.persons(&person.id.to_uppercase(), Some(&bearer), body(NEW)).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dir.binds(&person.dn, NEW).await);
    // With a token the service account writes.
    assert_eq!(dir.attribute(&person.dn, "modifiersName").await.unwrap(), SERVICE_DN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_password_does_not_require_a_change() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", false).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);

    let answer = app
        .persons(&person.id, Some(&auth), json!({ "password": NEW, "password_2": NEW, "temporary": false }))
        .await;

    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dir.binds(&person.dn, NEW).await);
    assert_eq!(dir.attribute(&person.dn, "pwdReset").await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mismatched_confirmation_is_refused() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;

    let answer = app
        .persons(
            &person.id,
            Some(&basic("helpdesk1", SEED_PASSWORD)),
            json!({ "password": NEW, "password_2": "Fresh-Passw0rd-2" }),
        )
        .await;

    answer.assert_persons_error(400, "passwords_do_not_match");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_broken_policy_rule_is_listed() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, |settings| settings.policy.min_length = 20).await;
    let person = dir.add_person("target", true).await;
    let weak = format!("X{}", person.uid);

    let answer = app
        .persons(
            &person.id,
            Some(&basic("helpdesk1", SEED_PASSWORD)),
            json!({ "password": weak, "password_2": "other" }),
        )
        .await;

    answer.assert_persons_error(400, "password_policy");
    let codes: Vec<&str> =
        answer.body["violations"].as_array().unwrap().iter().map(|v| v["code"].as_str().unwrap()).collect();
    // The fixture's people have their uid as cn: the name is personal
    // information too.
    assert_eq!(
        codes,
        [
            "passwords_do_not_match",
            "password_too_short",
            "password_contains_username",
            "password_contains_personal_info"
        ]
    );
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_person_is_refused_as_inactive() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let lucy = format!("uid=lucy,{PEOPLE}");
    let id = dir.id_of(&lucy).await;

    let answer = app.persons(&id, Some(&basic("helpdesk1", SEED_PASSWORD)), body(NEW)).await;

    answer.assert_persons_error(400, "user_inactive");
    assert_eq!(dir.attribute(&lucy, "pwdHistory").await, None, "no write reached the directory");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inactive_filter_marks_people_inactive() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, |settings| {
        settings.directory.inactive_filter = "(description=disabled)".into()
    })
    .await;
    let person = dir.add_person("target", true).await;
    let ldap_mod = ldap3::Mod::Add("description", std::collections::HashSet::from(["disabled"]));
    dir.modify(&person.dn, vec![ldap_mod]).await;

    let answer = app.persons(&person.id, Some(&basic("helpdesk1", SEED_PASSWORD)), body(NEW)).await;

    answer.assert_persons_error(400, "user_inactive");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_directory_refusals_are_reported_in_plain_words() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);

    // 9 characters: enough for pwproxy (8), too short for the directory (10).
    let answer = app.persons(&person.id, Some(&auth), body("Short-P1x")).await;
    let message = answer.assert_persons_error(400, "directory_rejected_password");
    assert!(message.contains("too short"), "{message}");

    assert_eq!(app.persons(&person.id, Some(&auth), body(NEW)).await.status, 200);
    assert_eq!(app.persons(&person.id, Some(&auth), body("Second-Passw0rd")).await.status, 200);
    let answer = app.persons(&person.id, Some(&auth), body(NEW)).await;
    let message = answer.assert_persons_error(400, "directory_rejected_password");
    assert!(message.contains("used before"), "{message}");
    assert!(dir.binds(&person.dn, "Second-Passw0rd").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_or_wrong_credentials_are_unauthenticated() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;

    for auth in [
        None,
        Some(basic("helpdesk1", "wrong password")),
        Some(basic("helpdesk1", "")),
        Some(basic("nobody-by-that-name", SEED_PASSWORD)),
        Some("Bearer not.a.token".to_string()),
        Some("Negotiate abc".to_string()),
    ] {
        let answer = app.persons(&person.id, auth.as_deref(), body(NEW)).await;
        answer.assert_persons_error(401, "unauthenticated");
        assert!(answer.headers.contains_key("www-authenticate"));
    }
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthenticated_callers_learn_nothing_about_who_exists() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let unknown = uuid::Uuid::new_v4().to_string();

    let answer = app.persons(&unknown, Some(&basic("mallory", "wrong")), body(NEW)).await;

    answer.assert_persons_error(401, "unauthenticated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_admin_may_not_reset_anyone() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;

    let answer = app.persons(&person.id, Some(&basic("mallory", SEED_PASSWORD)), body(NEW)).await;

    answer.assert_persons_error(403, "forbidden");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_themselves_and_protected_people_are_refused() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);

    for uid in ["tier2agent", "helpdesk1", "carl"] {
        let dn = format!("uid={uid},{PEOPLE}");
        let answer = app.persons(&dir.id_of(&dn).await, Some(&auth), body(NEW)).await;
        answer.assert_persons_error(403, "forbidden");
        assert!(dir.binds(&dn, SEED_PASSWORD).await, "{uid} unchanged");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_out_of_scope_are_not_found() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);
    let outsider = format!("uid=outsider,ou=external,{BASE}");
    let not_a_person = format!("uid=backup,{PEOPLE}");

    for id in [uuid::Uuid::new_v4().to_string(), dir.id_of(&outsider).await, dir.id_of(&not_a_person).await] {
        let answer = app.persons(&id, Some(&auth), body(NEW)).await;
        answer.assert_persons_error(404, "user_not_found");
    }
    assert!(dir.binds(&outsider, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ambiguous_admin_name_is_an_internal_error() {
    let dir = TestDirectory::start_own().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;
    // A second entry with uid=helpdesk1 makes the name ambiguous.
    dir.add_entry(
        &format!("cn=helpdesk1-copy,{PEOPLE}"),
        vec![
            ("objectClass", vec!["inetOrgPerson"]),
            ("cn", vec!["copy"]),
            ("sn", vec!["copy"]),
            ("uid", vec!["helpdesk1"]),
        ],
    )
    .await;

    let answer = app.persons(&person.id, Some(&basic("helpdesk1", SEED_PASSWORD)), body(NEW)).await;

    let message = answer.assert_persons_error(500, "internal");
    assert!(!message.contains("helpdesk1"), "no internals in the message: {message}");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

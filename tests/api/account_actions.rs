//! Unlock, disable and enable against the real OpenLDAP fixture: a lock
//! made by real failed binds is lifted with the password untouched; a
//! disable makes slapd refuse every bind until an enable; refusals change
//! nothing; each action is one audit event with its reason.

use pwproxy_testkit::config::{unlocking, unlocking_and_disabling};
use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;
use serde_json::{Value, json};

fn helpdesk() -> String {
    basic("helpdesk1", SEED_PASSWORD)
}

/// More failed binds than the fixture policy's `pwdMaxFailure` (20).
async fn lock_by_failed_binds(dir: &TestDirectory, dn: &str) {
    for _ in 0..21 {
        assert!(!dir.binds(dn, "Wrong-Passw0rd!").await);
    }
    assert!(dir.attribute(dn, "pwdAccountLockedTime").await.is_some(), "ppolicy locked {dn}");
    assert!(!dir.binds(dn, SEED_PASSWORD).await, "locked: the right password is refused too");
}

/// The actor's own events of `action`, newest first (admins read their own).
async fn events(app: &TestApp, action: &str) -> Vec<Value> {
    let answer =
        app.lookup(&format!("/api/v1/audit?action={action}&actor=helpdesk1"), Some(&helpdesk())).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    answer.body["events"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_locked_by_failed_binds_is_unlocked_and_signs_in_with_their_own_password() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, unlocking(HELPDESK)).await;
    let person = dir.add_person("locked", false).await;
    lock_by_failed_binds(&dir, &person.dn).await;

    let path = format!("/api/v1/users/{}/unlock", person.uid);
    let answer =
        app.act(&path, Some(&helpdesk()), Some(json!({ "reason": "called from the front desk" }))).await;

    assert_eq!((answer.status, &answer.body), (200, &json!({ "success": true, "changed": true })));
    assert_eq!(dir.attribute(&person.dn, "pwdAccountLockedTime").await, None);
    assert_eq!(dir.attribute(&person.dn, "pwdFailureTime").await, None, "ppolicy cleared the failures");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await, "the old password works again");

    // Nothing left to lift: said so, nothing written. By id too.
    let again = app.act(&format!("/actions/persons/{}/unlock", person.id), Some(&helpdesk()), None).await;
    assert_eq!((again.status, &again.body), (200, &json!({ "success": true, "changed": false })));

    let found = events(&app, "unlock").await;
    assert_eq!(found.len(), 2, "{found:?}");
    let first = found.iter().find(|e| e["details"]["changed"] == true).expect("the unlock's event");
    assert_eq!(first["outcome"], "ok");
    assert_eq!(first["details"]["reason"], "called from the front desk");
    assert_eq!(first["target"]["dn"], person.dn);
    let metrics = app.get("/metrics").await.body.as_str().unwrap_or_default().to_owned();
    assert!(
        metrics.contains(r#"pwproxy_account_actions_total{action="unlock",outcome="ok"} 2"#),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_person_cannot_sign_in_until_enabled_and_is_never_reset_or_unlocked_meanwhile() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, unlocking_and_disabling(HELPDESK)).await;
    let person = dir.add_person("disabled", false).await;
    let by_name = |action: &str| format!("/api/v1/users/{}/{action}", person.uid);

    let shown = app.lookup(&format!("/api/v1/users/{}", person.uid), Some(&helpdesk())).await;
    assert_eq!(shown.body["actions"]["disable"], true, "{shown:?}");
    assert_eq!(shown.body["actions"]["enable"], false);

    let answer = app.act(&by_name("disable"), Some(&helpdesk()), Some(json!({}))).await;
    assert_eq!((answer.status, &answer.body), (200, &json!({ "success": true, "changed": true })));
    assert!(dir.attribute(&person.dn, "pwdEndTime").await.is_some());
    assert!(!dir.binds(&person.dn, SEED_PASSWORD).await, "slapd refuses every bind after pwdEndTime");
    let again = app.act(&by_name("disable"), Some(&helpdesk()), None).await;
    assert_eq!(again.body, json!({ "success": true, "changed": false }));

    let shown = app.lookup(&format!("/api/v1/users/{}", person.uid), Some(&helpdesk())).await;
    assert_eq!(shown.body["status"]["disabled"], true, "{shown:?}");
    assert_eq!(
        (shown.body["actions"]["enable"].clone(), shown.body["actions"]["reset"].clone()),
        (json!(true), json!(false))
    );

    // Neither an unlock nor a reset enables them.
    app.act(&by_name("unlock"), Some(&helpdesk()), None).await.assert_persons_error(400, "user_inactive");
    let reset = json!({ "password": "Fresh-Passw0rd-9", "password_2": "Fresh-Passw0rd-9", "unlock": true });
    app.persons(&person.id, Some(&helpdesk()), reset).await.assert_persons_error(400, "user_inactive");
    assert!(!dir.binds(&person.dn, SEED_PASSWORD).await);

    let answer =
        app.act(&by_name("enable"), Some(&helpdesk()), Some(json!({ "reason": "back from leave" }))).await;
    assert_eq!((answer.status, &answer.body), (200, &json!({ "success": true, "changed": true })));
    assert_eq!(dir.attribute(&person.dn, "pwdEndTime").await, None);
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await, "signs in again with the same password");
    let again = app.act(&by_name("enable"), Some(&helpdesk()), None).await;
    assert_eq!(again.body, json!({ "success": true, "changed": false }));
    let enabled = events(&app, "enable").await;
    assert!(enabled.iter().any(|e| e["details"]["reason"] == "back from leave"), "{enabled:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_the_delegation_does_not_allow_or_bad_requests_are_refused_and_change_nothing() {
    let dir = TestDirectory::start().await;
    // The plain helpdesk group: no delegation table, so no unlock, no disable.
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("refused", false).await;
    lock_by_failed_binds(&dir, &person.dn).await;
    let by_name = |action: &str| format!("/api/v1/users/{}/{action}", person.uid);

    let refused = app.act(&by_name("unlock"), Some(&helpdesk()), None).await;
    assert!(refused.assert_persons_error(403, "forbidden").contains("unlocking"), "{refused:?}");
    let refused = app.act(&by_name("disable"), Some(&helpdesk()), None).await;
    assert!(refused.assert_persons_error(403, "forbidden").contains("disabling"), "{refused:?}");
    app.act(&by_name("enable"), None, None).await.assert_persons_error(401, "unauthenticated");
    app.act("/api/v1/users/nobody-here/unlock", Some(&helpdesk()), None)
        .await
        .assert_persons_error(404, "user_not_found");
    app.act("/actions/persons/not-a-uuid/unlock", Some(&helpdesk()), None)
        .await
        .assert_persons_error(400, "invalid_request");
    let long = "x".repeat(201);
    for body in
        [json!({ "reason": long }), json!({ "reason": "two\nlines" }), json!({ "why": "x" }), json!([1])]
    {
        app.act(&by_name("unlock"), Some(&helpdesk()), Some(body))
            .await
            .assert_persons_error(400, "invalid_request");
    }
    app.act(&by_name("explode"), Some(&helpdesk()), None).await.assert_persons_error(400, "invalid_request");

    assert!(dir.attribute(&person.dn, "pwdAccountLockedTime").await.is_some(), "still locked");
    assert_eq!(dir.attribute(&person.dn, "pwdEndTime").await, None, "never disabled");
    let refusals = events(&app, "unlock").await;
    assert!(refusals.iter().all(|e| e["outcome"] != "ok"), "{refusals:?}");
    assert!(refusals.iter().any(|e| e["outcome"] == "forbidden"));
}

//! Looking people up on the real 389 DS: status from `nsAccountLock`,
//! `passwordRetryCount` and `accountUnlockTime` against the server's
//! lockout policy, and `passwordExpirationTime`'s must-change value.

use ldap3::Mod;
use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_locked_by_failed_binds_is_locked_until_an_admin_acts_and_a_reset_with_unlock_clears_it() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn_with(&dir, unlocking(HELPDESK)).await;
    let person = dir.add_person("locked", true).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);
    let path = format!("/actions/persons/{}", person.id);

    // The fixture's policy: three failures lock until an administrator acts.
    for _ in 0..3 {
        assert!(!dir.binds(&person.dn, "NotThePassw0rd").await);
    }
    let locked = app.lookup(&path, Some(&auth)).await;
    assert_eq!(locked.status, 200, "{locked:?}");
    let status = &locked.body["status"];
    assert_eq!(status["locked"], true, "{status}");
    assert_eq!(status["failedAttempts"], 3, "{status}");
    assert_eq!((status["lockedSince"].clone(), status["lockedUntil"].clone()), (Value::Null, Value::Null));
    assert_eq!(
        locked.body["actions"],
        json!({ "reset": true, "unlock": true, "disable": false, "enable": false, "temporary": "optional" })
    );

    let new = "FreshPassw0rdTwo";
    let body = json!({ "password": new, "password_2": new, "unlock": true, "temporary": false });
    let reset = app.persons(&person.id, Some(&auth), body).await;
    assert_eq!(reset.status, 200, "{reset:?}");
    dir.wait_until_389_unlocked(&person.dn).await;
    assert!(dir.binds(&person.dn, new).await);
    let after = app.lookup(&path, Some(&auth)).await;
    assert_eq!(after.body["status"]["locked"], false, "{after:?}");
    assert_eq!(after.body["status"]["failedAttempts"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabled_and_must_change_follow_the_entry() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn(&dir).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);
    let person = dir.add_person("status", false).await;
    let path = format!("/api/v1/users/{}", person.uid);

    let shown = app.lookup(&path, Some(&auth)).await;
    assert_eq!(shown.status, 200, "{shown:?}");
    assert_eq!(shown.body["status"]["mustChange"], false);
    // passwordExp is off in the fixture: no expiry, whatever the attribute says.
    assert_eq!(shown.body["status"]["passwordExpiresAt"], Value::Null);

    let temporary = json!({ "password": "TemporaryPassw0rdSix", "password_2": "TemporaryPassw0rdSix" });
    assert_eq!(app.persons(&person.id, Some(&auth), temporary).await.status, 200);
    assert!(dir.must_change(&person.dn, "TemporaryPassw0rdSix").await);
    let shown = app.lookup(&path, Some(&auth)).await;
    assert_eq!(shown.body["status"]["mustChange"], true, "{shown:?}");
    // 389 records no change time of its own; with passwordExp off, none
    // can be derived from the expiry either.
    assert_eq!(shown.body["status"]["passwordChangedAt"], Value::Null, "{shown:?}");

    dir.modify(&person.dn, vec![Mod::Replace("nsAccountLock", ["true"].into())]).await;
    let shown = app.lookup(&path, Some(&auth)).await;
    assert_eq!(shown.body["status"]["disabled"], true, "{shown:?}");
    assert_eq!(shown.body["actions"]["reset"], false);
    let found = app.lookup(&format!("/api/v1/users?q={}", person.uid), Some(&auth)).await;
    assert_eq!(found.body["users"][0]["status"]["disabled"], true, "{found:?}");
    for payload in ["*", "*)(uid=*"] {
        let query: String = payload.bytes().map(|b| format!("%{b:02X}")).collect();
        let answer = app.lookup(&format!("/api/v1/users?q={query}"), Some(&auth)).await;
        assert_eq!(answer.body["users"], json!([]), "{payload}: {answer:?}");
    }
}

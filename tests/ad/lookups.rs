//! Looking people up on the real Samba AD DC: status from `lockoutTime`
//! against the domain's `lockoutDuration`, `userAccountControl`,
//! `pwdLastSet` against `maxPwdAge`, and `badPwdCount`.

use std::time::Duration;

use ldap3::Mod;
use pwproxy_testkit::prelude::*;
use pwproxy_testkit::samba::*;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn time_of(value: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(value.as_str().unwrap_or_else(|| panic!("a time, not {value}")), &Rfc3339).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_locked_by_failed_binds_shows_the_domains_lockout_and_a_reset_with_unlock_clears_it() {
    let dc = Dc::from_env();
    let app = TestApp::spawn_with(&dc, unlocking(HELPDESK)).await;
    let person = dc.add_user("locked", &[]).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);
    let path = format!("/actions/persons/{}", person.guid);

    let started = OffsetDateTime::now_utc() - Duration::from_secs(1);
    // The fixture's domain: three failures lock for 30 minutes.
    for _ in 0..3 {
        assert!(!dc.binds(&person, "Not-The-Passw0rd-1").await);
    }
    let ended = OffsetDateTime::now_utc() + Duration::from_secs(1);

    let locked = app.lookup(&path, Some(&auth)).await;
    assert_eq!(locked.status, 200, "{locked:?}");
    let status = &locked.body["status"];
    assert_eq!(status["locked"], true, "{status}");
    assert_eq!(status["failedAttempts"], 3, "{status}");
    let since = time_of(&status["lockedSince"]);
    assert!(started <= since && since <= ended, "{since} not within {started}..{ended}");
    assert_eq!(time_of(&status["lockedUntil"]), since + Duration::from_secs(30 * 60));
    assert_eq!(locked.body["actions"]["unlock"], true, "{locked:?}");
    assert_eq!(locked.body["id"], person.guid.as_str());

    let new = "Fresh-Passw0rd-7";
    let body = json!({ "password": new, "password_2": new, "unlock": true, "temporary": false });
    let reset = app.persons(&person.guid, Some(&auth), body).await;
    assert_eq!(reset.status, 200, "{reset:?}");
    assert!(dc.binds(&person, new).await);
    let after = app.lookup(&path, Some(&auth)).await;
    assert_eq!(after.body["status"]["locked"], false, "{after:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabled_must_change_and_expiry_follow_the_account_and_the_domain() {
    let dc = Dc::from_env();
    let app = TestApp::spawn(&dc).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);
    let person = dc.add_user("status", &[]).await;
    let path = format!("/api/v1/users/{}", person.sam);

    let shown = app.lookup(&path, Some(&auth)).await;
    assert_eq!(shown.status, 200, "{shown:?}");
    let status = &shown.body["status"];
    assert_eq!((status["disabled"].clone(), status["mustChange"].clone()), (json!(false), json!(false)));
    // Samba's default maxPwdAge: 42 days after pwdLastSet.
    let changed = time_of(&status["passwordChangedAt"]);
    assert_eq!(time_of(&status["passwordExpiresAt"]), changed + Duration::from_secs(42 * 86400));
    assert_eq!(status["failedAttempts"], 0);

    let temporary =
        json!({ "password": "Fresh-Passw0rd-8", "password_2": "Fresh-Passw0rd-8", "temporary": true });
    assert_eq!(app.persons(&person.guid, Some(&auth), temporary).await.status, 200);
    let shown = app.lookup(&path, Some(&auth)).await;
    assert_eq!(shown.body["status"]["mustChange"], true, "{shown:?}");
    assert_eq!(shown.body["status"]["passwordExpiresAt"], Value::Null);

    // ACCOUNTDISABLE (0x2) on a normal account (0x200).
    dc.modify(&person.dn, vec![Mod::Replace("userAccountControl", ["514"].into())]).await;
    let shown = app.lookup(&path, Some(&auth)).await;
    assert_eq!(shown.body["status"]["disabled"], true, "{shown:?}");
    assert_eq!(shown.body["actions"]["reset"], false);

    let found = app.lookup(&format!("/api/v1/users?q={}", person.sam), Some(&auth)).await;
    assert_eq!(found.body["users"].as_array().map(Vec::len), Some(1), "{found:?}");
    assert_eq!(found.body["users"][0]["status"]["disabled"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protected_people_are_shown_without_a_reset_and_injections_match_nothing() {
    let dc = Dc::from_env();
    let app = TestApp::spawn(&dc).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);
    let admin = app.lookup("/api/v1/users/tier2agent", Some(&auth)).await;
    assert_eq!(admin.status, 200, "{admin:?}");
    assert_eq!(admin.body["actions"]["reset"], false);
    let outside = app.lookup("/api/v1/users/Administrator", Some(&auth)).await;
    outside.assert_persons_error(404, "user_not_found");
    for payload in ["*", "*)(sAMAccountName=*", ")(|(objectClass=*"] {
        let query: String = payload.bytes().map(|b| format!("%{b:02X}")).collect();
        let answer = app.lookup(&format!("/api/v1/users?q={query}"), Some(&auth)).await;
        assert_eq!(answer.body["users"], json!([]), "{payload}: {answer:?}");
    }
}

//! Looking people up against the real OpenLDAP fixture: status computed
//! from ppolicy's attributes and the person's policy, the actor's reach
//! (outside it: 404), actions that match what a reset does, and the round
//! trips a lookup takes (searches: `lookup_search.rs`).

use std::collections::HashSet;
use std::time::Duration;

use ldap3::Mod;

use pwproxy::access::Allowance;
use pwproxy::config::DelegationSettings;
use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn time_of(value: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(value.as_str().unwrap_or_else(|| panic!("a time, not {value}")), &Rfc3339).unwrap()
}

/// A password policy entry of this test's own, with `attrs` over a policy
/// that checks nothing; people name it in their `pwdPolicySubentry`.
async fn policy(dir: &TestDirectory, name: &str, attrs: &[(&str, &str)]) -> String {
    let dn = format!("cn={name}-{},ou=policies,{BASE}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let mut entry = vec![
        ("objectClass", vec!["device", "pwdPolicy"]),
        ("cn", vec![dn[3..dn.find(',').unwrap()].as_ref()]),
        ("pwdAttribute", vec!["userPassword"]),
    ];
    entry.extend(attrs.iter().map(|(k, v)| (*k, vec![*v])));
    dir.add_entry(&dn, entry).await;
    dn
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_locked_by_failed_binds_shows_when_and_until_and_a_reset_with_unlock_clears_it() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, unlocking(HELPDESK)).await;
    let lockout = policy(
        &dir,
        "lockout",
        &[("pwdLockout", "TRUE"), ("pwdMaxFailure", "3"), ("pwdLockoutDuration", "3600")],
    )
    .await;
    let person = dir.add_person_in(PEOPLE, "locked", true, &[("pwdPolicySubentry", &lockout)]).await;
    let bearer = app.bearer("helpdesk1").await;
    let path = format!("/actions/persons/{}", person.id);

    let before = app.lookup(&path, Some(&bearer)).await;
    assert_eq!(before.status, 200, "{before:?}");
    assert_eq!(before.body["status"]["locked"], false);
    assert_eq!(before.body["status"]["failedAttempts"], 0);

    let started = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    for _ in 0..3 {
        assert!(!dir.binds(&person.dn, "Not-The-Passw0rd").await);
    }
    let ended = OffsetDateTime::now_utc();
    assert!(!dir.binds(&person.dn, SEED_PASSWORD).await, "ppolicy locked the account");

    let locked = app.lookup(&path, Some(&bearer)).await;
    assert_eq!(locked.status, 200, "{locked:?}");
    let status = &locked.body["status"];
    assert_eq!(
        (status["locked"].clone(), status["disabled"].clone()),
        (json!(true), json!(false)),
        "{status}"
    );
    assert_eq!(status["failedAttempts"], 3, "{status}");
    let since = time_of(&status["lockedSince"]);
    assert!(started <= since && since <= ended, "{since} not within {started}..{ended}");
    assert_eq!(time_of(&status["lockedUntil"]), since + Duration::from_secs(3600));
    assert_eq!(
        locked.body["actions"],
        json!({ "reset": true, "unlock": true, "disable": false, "enable": false, "temporary": "optional" })
    );
    assert_eq!(locked.body["username"], person.uid.as_str());
    assert_eq!(locked.body["id"], person.id.as_str());
    assert_eq!(locked.body["email"], person.mail.as_deref().unwrap());

    let new = "Fresh-Passw0rd-77";
    let reset = app
        .persons(
            &person.id,
            Some(&bearer),
            json!({ "password": new, "password_2": new, "unlock": true, "temporary": false }),
        )
        .await;
    assert_eq!(reset.status, 200, "{reset:?}");
    let after = app.lookup(&path, Some(&bearer)).await;
    assert_eq!(after.body["status"]["locked"], false, "{after:?}");
    assert_eq!(after.body["status"]["lockedSince"], Value::Null);
    assert!(dir.binds(&person.dn, new).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_lock_has_no_end_and_a_delegation_that_may_not_unlock_may_not_reset() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let bearer = app.bearer("helpdesk1").await;

    // lucy: locked until an administrator acts (000001010000Z).
    let lucy = app.lookup("/api/v1/users/lucy", Some(&bearer)).await;
    assert_eq!(lucy.status, 200, "{lucy:?}");
    assert_eq!(lucy.body["status"]["locked"], true);
    assert_eq!(
        (lucy.body["status"]["lockedSince"].clone(), lucy.body["status"]["lockedUntil"].clone()),
        (Value::Null, Value::Null)
    );
    assert_eq!(lucy.body["actions"]["reset"], false, "the default delegation may not unlock");
    let id = lucy.body["id"].as_str().unwrap().to_owned();
    let refused = app
        .persons(
            &id,
            Some(&bearer),
            json!({ "password": "Some-Passw0rd-9", "password_2": "Some-Passw0rd-9" }),
        )
        .await;
    refused.assert_persons_error(400, "user_inactive");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn must_change_and_expiry_come_from_pwd_reset_and_the_policys_max_age() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let short = policy(&dir, "short", &[("pwdMaxAge", "60"), ("pwdMustChange", "TRUE")]).await;
    let person = dir.add_person_in(PEOPLE, "expiring", false, &[("pwdPolicySubentry", &short)]).await;
    let bearer = app.bearer("helpdesk1").await;
    let path = format!("/api/v1/users/{}", person.uid);

    let shown = app.lookup(&path, Some(&bearer)).await;
    let status = &shown.body["status"];
    assert_eq!(status["mustChange"], false, "{shown:?}");
    let changed = time_of(&status["passwordChangedAt"]);
    let recorded = dir.attribute(&person.dn, "pwdChangedTime").await.unwrap();
    assert_eq!(time_of(&json!(generalized(&recorded))), changed);
    assert_eq!(time_of(&status["passwordExpiresAt"]), changed + Duration::from_secs(60));

    // A temporary reset: pwdReset, which the person meets at their next bind.
    let new = "Temporary-Passw0rd-1";
    let reset = app.users(Some(&bearer), json!({ "userName": person.uid, "password": new, "adminPassword": SEED_PASSWORD, "temporary": true })).await;
    assert_eq!(reset.status, 200, "{reset:?}");
    assert!(dir.must_change(&person.dn, new).await);
    let shown = app.lookup(&path, Some(&bearer)).await;
    assert_eq!(shown.body["status"]["mustChange"], true, "{shown:?}");

    // No pwdMaxAge in the default policy: no expiry.
    let alice = app.lookup("/api/v1/users/alice", Some(&bearer)).await;
    assert_eq!(alice.body["status"]["passwordExpiresAt"], Value::Null, "{alice:?}");
}

/// `20261204101500Z` as RFC 3339.
fn generalized(text: &str) -> String {
    format!(
        "{}-{}-{}T{}:{}:{}Z",
        &text[0..4],
        &text[4..6],
        &text[6..8],
        &text[8..10],
        &text[10..12],
        &text[12..14]
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabled_and_protected_people_are_shown_but_not_offered_for_a_reset() {
    let dir = TestDirectory::start().await;
    let app =
        TestApp::spawn_with(&dir, |s| s.directory.inactive_filter = "(description=disabled)".into()).await;
    let disabled = dir.add_person_in(PEOPLE, "gone", false, &[("description", "disabled")]).await;
    let bearer = app.bearer("helpdesk1").await;

    let shown = app.lookup(&format!("/actions/persons/{}", disabled.id.to_uppercase()), Some(&bearer)).await;
    assert_eq!(shown.status, 200, "{shown:?}");
    assert_eq!(shown.body["status"]["disabled"], true);
    assert_eq!(shown.body["actions"]["reset"], false);
    let found = app.lookup(&format!("/api/v1/users?q={}", disabled.uid), Some(&bearer)).await;
    assert_eq!(found.body["users"][0]["status"]["disabled"], true, "{found:?}");

    for protected in ["carl", "tier2agent", "helpdesk1"] {
        let shown = app.lookup(&format!("/api/v1/users/{protected}"), Some(&bearer)).await;
        assert_eq!(shown.status, 200, "{shown:?}");
        assert_eq!(shown.body["actions"]["reset"], false, "{protected}: {shown:?}");
    }
    let carl = app.lookup("/api/v1/users?q=carl", Some(&bearer)).await;
    assert_eq!(carl.body["users"][0]["actions"]["reset"], false, "{carl:?}");
    let alice = app.lookup("/api/v1/users/alice", Some(&bearer)).await;
    assert_eq!(
        alice.body["actions"],
        json!({ "reset": true, "unlock": false, "disable": false, "enable": false, "temporary": "optional" })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_a_delegation_is_not_found_exactly_as_if_absent() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, |settings| {
        settings.authorization.delegation = vec![DelegationSettings {
            group: HELPDESK_PARIS.into(),
            bases: vec![PARIS.into()],
            filter: "(employeeType=staff)".into(),
            unlock: Allowance::Optional,
            must_change: Allowance::Always,
            disable: pwproxy::access::Permission::Never,
        }];
    })
    .await;
    let staff = dir.add_person_in(PARIS, "staff", false, &[("employeeType", "staff")]).await;
    let contractor = dir.add_person_in(PARIS, "contractor", false, &[("employeeType", "contractor")]).await;
    let in_lyon = dir.add_person_in(LYON, "lyon", false, &[("employeeType", "staff")]).await;
    let agent = basic("paris-agent", SEED_PASSWORD);

    let shown = app.lookup(&format!("/api/v1/users/{}", staff.uid), Some(&agent)).await;
    assert_eq!(shown.status, 200, "{shown:?}");
    assert_eq!(shown.body["actions"]["temporary"], "always");
    let absent = app.lookup("/api/v1/users/no-such-person", Some(&agent)).await;
    let absent_message = absent.assert_persons_error(404, "user_not_found").to_owned();
    for outside in [&contractor, &in_lyon] {
        let answer = app.lookup(&format!("/actions/persons/{}", outside.id), Some(&agent)).await;
        assert_eq!(answer.assert_persons_error(404, "user_not_found"), absent_message);
    }
    let found = app.lookup("/api/v1/users?q=", Some(&agent)).await;
    found.assert_persons_error(400, "invalid_request");
    let all = app.lookup("/api/v1/users?q=s&limit=100", Some(&agent)).await;
    let names: Vec<&str> =
        all.body["users"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names, [staff.uid.as_str()], "{all:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lookup_takes_the_round_trips_of_a_reset_without_its_write() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let bearer = app.bearer("helpdesk1").await;
    let person = dir.add_person("counted", true).await;
    // Warm: pools opened, the default policy read (then kept for a minute).
    app.lookup("/api/v1/users/alice", Some(&bearer)).await;

    let by_id = app.lookup(&format!("/actions/persons/{}", person.id), Some(&bearer)).await;
    assert_eq!(by_id.status, 200, "{by_id:?}");
    // The admin and the person in one search, both group trees in one.
    assert_eq!(exchanges_of(&by_id.request_id()), 2);
    let by_basic =
        app.lookup(&format!("/api/v1/users/{}", person.uid), Some(&basic("helpdesk1", SEED_PASSWORD))).await;
    // The bind beside the walk.
    assert_eq!(exchanges_of(&by_basic.request_id()), 3);
    let search = app.lookup(&format!("/api/v1/users?q={}", person.uid), Some(&bearer)).await;
    assert_eq!(search.body["users"].as_array().unwrap().len(), 1);
    // The admin, their walk (which stops at the helpdesk group), the
    // search, and the person's walk.
    assert_eq!(exchanges_of(&search.request_id()), 4);
    let metrics = app.get("/metrics").await.body.as_str().unwrap().to_owned();
    assert!(metrics.contains("pwproxy_lookups_total{outcome=\"ok\"} 4"), "{metrics}");
    assert!(metrics.contains("route=\"/api/v1/users\""), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_lock_that_has_run_out_is_no_lock_for_a_lookup_or_a_reset() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let minute = policy(
        &dir,
        "minute",
        &[("pwdLockout", "TRUE"), ("pwdMaxFailure", "3"), ("pwdLockoutDuration", "60")],
    )
    .await;
    let person = dir.add_person_in(PEOPLE, "ranout", true, &[("pwdPolicySubentry", &minute)]).await;
    // Locked an hour ago for a minute: ppolicy keeps the mark until the
    // person's next bind, and lets that bind in.
    let format = time::macros::format_description!("[year][month][day][hour][minute][second]Z");
    let an_hour_ago = (OffsetDateTime::now_utc() - Duration::from_secs(3600)).format(&format).unwrap();
    dir.modify(&person.dn, vec![Mod::Replace("pwdAccountLockedTime", HashSet::from([an_hour_ago.as_str()]))])
        .await;
    assert_eq!(dir.attribute(&person.dn, "pwdAccountLockedTime").await, Some(an_hour_ago));

    let bearer = app.bearer("helpdesk1").await;
    let shown = app.lookup(&format!("/actions/persons/{}", person.id), Some(&bearer)).await;
    assert_eq!(shown.status, 200, "{shown:?}");
    assert_eq!(shown.body["status"]["locked"], false, "{shown:?}");
    assert_eq!(
        shown.body["actions"],
        json!({ "reset": true, "unlock": false, "disable": false, "enable": false, "temporary": "optional" })
    );

    // The default delegation may not unlock: a lock that still held would
    // be 400 user_inactive.
    let new = "Fresh-Passw0rd-78";
    let reset = app.persons(&person.id, Some(&bearer), json!({ "password": new, "password_2": new })).await;
    assert_eq!(reset.status, 200, "{reset:?}");
    assert!(dir.binds(&person.dn, new).await);
}

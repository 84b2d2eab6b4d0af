//! Integration tests against a real 389 Directory Server (tests/fixtures/389ds).
//! Run by `bash tests/fixtures/389ds/run-389ds-suite.sh`, which makes one
//! instance for the run; `scripts/test.sh` runs it.
//!
//! The suite shares one server, so every test creates the people it changes.

mod generated;
mod lookups;

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
async fn disabled_and_locked_people_are_inactive_and_nothing_is_written() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn(&dir).await;
    let disabled = dir.add_person("disabled", false).await;
    dir.modify(&disabled.dn, vec![Mod::Replace("nsAccountLock", HashSet::from(["true"]))]).await;
    let locked = dir.add_person("locked", false).await;
    // The fixture's policy locks an account after 3 failures, until an
    // administrator acts.
    for _ in 0..3 {
        assert!(!dir.binds(&locked.dn, "Wrong-Guess-123").await);
    }
    assert!(!dir.binds(&locked.dn, SEED_PASSWORD).await, "locked");

    for person in [&disabled, &locked] {
        let answer = app.persons(&person.id, Some(&helpdesk1()), reset(NEW)).await;
        answer.assert_persons_error(400, "user_inactive");
        let answer = app.users(None, by_name(&person.uid, NEW, false)).await;
        answer.assert_users_error(400, "user_inactive", "Bad Request");
    }
    // Nothing was written: lifted by hand, the old passwords still bind.
    dir.modify(&disabled.dn, vec![Mod::Delete("nsAccountLock", HashSet::new())]).await;
    assert!(dir.binds(&disabled.dn, SEED_PASSWORD).await);
    dir.modify(
        &locked.dn,
        vec![
            Mod::Replace("passwordRetryCount", HashSet::from(["0"])),
            Mod::Delete("accountUnlockTime", HashSet::new()),
        ],
    )
    .await;
    assert!(dir.binds(&locked.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_or_disabled_admin_is_told_why() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", false).await;
    let locked = dir.add_person("agent", false).await;
    dir.set_membership(HELPDESK, &locked.dn, true).await;
    for _ in 0..3 {
        dir.binds(&locked.dn, "Wrong-Guess-123").await;
    }
    let disabled = dir.add_person("agent", false).await;
    dir.set_membership(HELPDESK, &disabled.dn, true).await;
    dir.modify(&disabled.dn, vec![Mod::Replace("nsAccountLock", HashSet::from(["true"]))]).await;

    for (admin, why) in [(&locked, "locked out"), (&disabled, "disabled")] {
        let answer = app.persons(&person.id, Some(&basic(&admin.uid, SEED_PASSWORD)), reset(NEW)).await;
        let message = answer.assert_persons_error(401, "unauthenticated");
        assert!(message.contains(why), "{message}");
    }
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_directorys_refusals_are_reported_in_plain_words() {
    let dir = TestDirectory::ds389_from_env();
    // pwproxy's own check against the person's entry is off, so that the
    // directory's shows.
    let app = TestApp::spawn_with(&dir, |settings| settings.policy.context_attributes.clear()).await;
    let person = dir.add_person("target", false).await;

    // Permanent passwords are written with a modify, whose refusal names the rule.
    let cases = [
        ("Short-P1x", "too short"),
        ("No-Digits-Here", "digit"),
        (SEED_PASSWORD, "used before"),
        // The fixture's people have the surname "Test".
        ("Test-Passw0rd-12", "own entry"),
    ];
    for (password, reason) in cases {
        let answer = app.persons(&person.id, Some(&helpdesk1()), permanent(password)).await;
        let message = answer.assert_persons_error(400, "directory_rejected_password");
        assert!(message.contains(reason), "{password}: {message}");
    }
    // Temporary ones with the extended operation, whose ppolicy control
    // tells the kind of rule.
    let answer = app.persons(&person.id, Some(&helpdesk1()), reset("Short-P1x")).await;
    let message = answer.assert_persons_error(400, "directory_rejected_password");
    assert!(message.contains("syntax rules"), "{message}");
    let answer = app.users(None, by_name(&person.uid, SEED_PASSWORD, true)).await;
    let details = answer.assert_users_error(400, "directory_rejected_password", "Bad Request");
    assert!(details["directory_rejected_password"].as_str().unwrap().contains("current one"), "{details:?}");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
    assert!(!dir.must_change(&person.dn, SEED_PASSWORD).await);

    // Once changed, the old password is history to the extended operation too.
    assert_eq!(app.persons(&person.id, Some(&helpdesk1()), permanent(NEW)).await.status, 200);
    let answer = app.persons(&person.id, Some(&helpdesk1()), reset(SEED_PASSWORD)).await;
    let message = answer.assert_persons_error(400, "directory_rejected_password");
    assert!(message.contains("used before"), "{message}");
    assert!(dir.binds(&person.dn, NEW).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_temporary_password_the_policy_would_not_enforce_is_refused_and_nothing_written() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", false).await;
    // This person's own policy has passwordMustChange off.
    dir.modify(&person.dn, vec![Mod::Replace("pwdpolicysubentry", HashSet::from([NO_MUST_CHANGE_POLICY]))])
        .await;

    let answer = app.persons(&person.id, Some(&helpdesk1()), reset(NEW)).await;
    let message = answer.assert_persons_error(400, "directory_rejected_password");
    assert!(message.contains("cannot be temporary") && message.contains("passwordMustChange"), "{message}");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await, "nothing was written");

    let answer = app.persons(&person.id, Some(&helpdesk1()), permanent(NEW)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dir.binds(&person.dn, NEW).await);
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

/// helpdesk may unlock.
fn may_unlock(settings: &mut pwproxy::config::Settings) {
    settings.authorization.delegation = vec![pwproxy::config::DelegationSettings {
        group: HELPDESK.into(),
        bases: Vec::new(),
        filter: String::new(),
        unlock: pwproxy::access::Allowance::Optional,
        must_change: pwproxy::access::Allowance::Optional,
    }];
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_locked_by_the_retry_counter_is_unlocked_by_the_write_when_asked_and_allowed() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn_with(&dir, may_unlock).await;
    let temporary = dir.add_person("locked", false).await;
    let permanent = dir.add_person("locked", false).await;
    for person in [&temporary, &permanent] {
        for _ in 0..3 {
            dir.binds(&person.dn, "Wrong-Guess-123").await;
        }
        app.persons(&person.id, Some(&helpdesk1()), reset(NEW))
            .await
            .assert_persons_error(400, "user_inactive");
    }

    let unlock = json!({ "password": NEW, "password_2": NEW, "unlock": true });
    let answer = app.persons(&temporary.id, Some(&helpdesk1()), unlock).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dir.must_change(&temporary.dn, NEW).await, "unlocked, and obliged to change it");
    let unlock = json!({ "password": NEW, "password_2": NEW, "unlock": true, "temporary": false });
    let answer = app.persons(&permanent.id, Some(&helpdesk1()), unlock).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    // 389 sets the retry counter back in a post-operation that may finish
    // just after the answer to a plain modify: measured, well under a second.
    let mut unlocked = false;
    for _ in 0..30 {
        if dir.binds(&permanent.dn, NEW).await {
            unlocked = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(unlocked && !dir.must_change(&permanent.dn, NEW).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unlocking_is_refused_where_the_delegation_does_not_allow_it() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", false).await;

    let answer = app
        .persons(
            &person.id,
            Some(&helpdesk1()),
            json!({ "password": NEW, "password_2": NEW, "unlock": true }),
        )
        .await;

    assert!(answer.assert_persons_error(403, "forbidden").contains("unlock"));
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_walks_run_side_by_side_and_each_request_takes_the_round_trips_the_readme_gives() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn(&dir).await;
    // The first request makes the pools' connections; the next are counted.
    let warm = dir.add_person("warm", true).await;
    app.persons(&warm.id, Some(&helpdesk1()), reset(NEW)).await;
    let person = dir.add_person("target", true).await;

    let temporary = app.persons(&person.id, Some(&helpdesk1()), reset(NEW)).await;
    let permanent = app.users(None, by_name(&person.uid, "FreshPassw0rdTwo", false)).await;

    assert_eq!(temporary.status, 200, "{temporary:?}");
    assert_eq!(permanent.status, 200, "{permanent:?}");
    // find the admin and the target, bind, the admin's groups ‖ the target's
    // groups (389 DS has no Matched Values: one walk each), the policy read,
    // the Password Modify operation
    assert_eq!(exchanges_of(&temporary.request_id()), 6);
    // … no policy read, a plain modify
    assert_eq!(exchanges_of(&permanent.request_id()), 5);
    assert!(dir.binds(&person.dn, "FreshPassw0rdTwo").await);
}

/// `directory.membership = "memberof"`, the groups searched under
/// ou=groups only: the fixture's MemberOf plug-in keeps memberOf there.
fn by_memberof(settings: &mut pwproxy::config::Settings) {
    settings.directory.membership = pwproxy::config::Membership::MemberOf;
    settings.directory.groups_base_dn = Some(format!("ou=groups,{BASE}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plug_ins_nested_memberof_is_proven_and_spares_the_walks() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn_with(&dir, by_memberof).await;
    // 389 DS names the groups above too (tier2agent: tier2 and helpdesk).
    assert!(app.memberof_proven().await, "the fixture's plug-in keeps memberOf for both group types");
    let warm = dir.add_person("warm", true).await;
    app.persons(&warm.id, Some(&helpdesk1()), reset(NEW)).await;
    let person = dir.add_person("target", true).await;

    // tier2agent acts through a groupOfUniqueNames nested in helpdesk.
    let by_nested = app.persons(&person.id, Some(&basic("tier2agent", SEED_PASSWORD)), permanent(NEW)).await;
    assert_eq!(by_nested.status, 200, "{by_nested:?}");
    let answer = app.users(None, by_name(&person.uid, "FreshPassw0rdTwo", false)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    // find the admin and the target (their groups come along), bind, modify
    assert_eq!(exchanges_of(&answer.request_id()), 3);
    assert!(dir.binds(&person.dn, "FreshPassw0rdTwo").await);

    let other_admin = dir.add_person("agent", false).await;
    dir.set_membership(HELPDESK, &other_admin.dn, true).await;
    for dn in [other_admin.dn.as_str(), &format!("uid=carl,{PEOPLE}"), &format!("uid=tier2agent,{PEOPLE}")] {
        let id = dir.id_of(dn).await;
        app.persons(&id, Some(&helpdesk1()), reset(NEW)).await.assert_persons_error(403, "forbidden");
        assert!(dir.binds(dn, SEED_PASSWORD).await, "{dn} unchanged");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memberof_the_plug_in_does_not_keep_is_never_read() {
    let dir = TestDirectory::ds389_from_env();
    // ou=imported is outside the plug-in's scope (create.sh): a protected
    // group there leaves its member without memberOf.
    let imported = format!("ou=imported,{BASE}");
    let person = dir.add_person_in(&imported, "imported", false, &[]).await;
    let name = format!("staff-{}", person.uid);
    let group = format!("cn={name},{imported}");
    let attrs = vec![
        ("objectClass", vec!["groupOfNames"]),
        ("cn", vec![name.as_str()]),
        ("member", vec![person.dn.as_str()]),
    ];
    dir.add_entry(&group, attrs).await;
    let app = TestApp::spawn_with(&dir, |settings| {
        settings.directory.membership = pwproxy::config::Membership::MemberOf;
        settings.directory.users_base_dn = imported.clone();
        settings.directory.admins_base_dn = Some(PEOPLE.to_owned());
        settings.directory.groups_base_dn = Some(BASE.to_owned());
        settings.authorization.protected_groups.push(group.clone());
    })
    .await;
    assert!(!app.memberof_proven().await);

    // With memberOf read unproven, this reset would go through.
    let answer = app.persons(&person.id, Some(&helpdesk1()), permanent(NEW)).await;
    answer.assert_persons_error(403, "forbidden");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

//! Integration tests against a real Samba AD DC (tests/fixtures/samba).
//! Run by `bash tests/fixtures/samba/run-ad-suite.sh`, which starts the DC
//! in a network namespace shared with these tests; `scripts/test.sh` runs it.
//!
//! The suite shares one DC, so every test creates the people it changes.

mod actions;
mod delegation;
mod generated;
mod lookups;

use std::collections::HashSet;

use ldap3::Mod;
use pwproxy_testkit::prelude::*;
use pwproxy_testkit::samba::*;
use serde_json::{Value, json};
use uuid::Uuid;

const NEW: &str = "Fresh-Passw0rd-1";

fn reset(password: &str) -> Value {
    json!({ "password": password, "password_2": password })
}

fn by_name(user: &str, admin: &str, admin_password: &str, temporary: bool) -> Value {
    json!({ "userName": user, "password": NEW, "adminUserName": admin, "adminPassword": admin_password, "temporary": temporary })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_is_reset_by_object_guid_and_must_change_it() {
    let dc = Dc::from_env();
    let app = TestApp::spawn(&dc).await;
    let person = dc.add_user("target", &[]).await;

    let answer =
        app.persons(&person.guid.to_uppercase(), Some(&basic("helpdesk1", SEED_PASSWORD)), reset(NEW)).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    // pwdLastSet = 0: the right new password is refused with "must change" (773).
    let refusal = dc.bind(&person.upn, NEW).await.unwrap_err();
    assert!(refusal.contains("data 773"), "{refusal}");
    let refusal = dc.bind(&person.upn, SEED_PASSWORD).await.unwrap_err();
    assert!(refusal.contains("data 52e"), "the old password is gone: {refusal}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_is_reset_by_sam_account_name_or_upn_by_an_admin_named_either_way() {
    let dc = Dc::from_env();
    let app = TestApp::spawn(&dc).await;
    let first = dc.add_user("target", &[]).await;
    let second = dc.add_user("target", &[]).await;

    let answer = app.users(None, by_name(&first.sam, "helpdesk1", SEED_PASSWORD, false)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["successUsers"], json!([{ "username": first.sam, "email": first.mail }]));
    assert!(dc.binds(&first, NEW).await, "permanent: the new password works at once");

    let answer = app.users(None, by_name(&second.upn, "helpdesk1@example.test", SEED_PASSWORD, false)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dc.binds(&second, NEW).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nested_helpdesk_member_may_act_and_tokens_work() {
    let dc = Dc::from_env();
    let app = TestApp::spawn(&dc).await;
    let person = dc.add_user("target", &[]).await;

    // tier2agent is in Tier2, which is in Helpdesk.
    let answer = app.login("tier2agent", SEED_PASSWORD).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let bearer = format!("Bearer {}", answer.body["access_token"].as_str().unwrap());
    let answer = app
        .persons(
            &person.guid,
            Some(&bearer),
            json!({ "password": NEW, "password_2": NEW, "temporary": false }),
        )
        .await;

    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dc.binds(&person, NEW).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn domain_admins_and_other_admins_are_refused() {
    let dc = Dc::from_env();
    let app = TestApp::spawn(&dc).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);
    // A Domain Admin under OU=People: Samba lets the delegated right reach it,
    // so pwproxy's own rule is what stops it, with protected_groups = [].
    let domain_admin = dc.add_user("da", &["CN=Domain Admins,CN=Users,DC=example,DC=test"]).await;
    let operator = dc.add_user("op", &["CN=Account Operators,CN=Builtin,DC=example,DC=test"]).await;
    let other_admin = dc.add_user("agent", &[HELPDESK]).await;

    for person in [&domain_admin, &operator, &other_admin] {
        let answer = app.persons(&person.guid, Some(&auth), reset(NEW)).await;
        answer.assert_persons_error(403, "forbidden");
        assert!(dc.binds(person, SEED_PASSWORD).await, "{} unchanged", person.sam);
    }
    let answer = app.users(None, by_name("helpdesk1", "helpdesk1", SEED_PASSWORD, false)).await;
    answer.assert_users_error(403, "forbidden", "Forbidden");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_count_and_protected_groups_protect_too() {
    let dc = Dc::from_env();
    let app = TestApp::spawn_with(&dc, |settings| {
        settings.authorization.protected_groups = vec![EXECUTIVES.into()]
    })
    .await;
    let marked = dc.add_user("marked", &[]).await;
    dc.modify(&marked.dn, vec![Mod::Replace("adminCount", HashSet::from(["1"]))]).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);

    app.persons(&marked.guid, Some(&auth), reset(NEW)).await.assert_persons_error(403, "forbidden");
    // carl is in Board, nested in Executives.
    let carl = dc.guid_of("carl").await;
    app.persons(&carl, Some(&auth), reset(NEW)).await.assert_persons_error(403, "forbidden");
    assert!(dc.binds(&marked, SEED_PASSWORD).await);
    assert!(dc.bind("carl@example.test", SEED_PASSWORD).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabled_and_locked_people_are_inactive() {
    let dc = Dc::from_env();
    let app = TestApp::spawn(&dc).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);
    let disabled = dc.add_user("disabled", &[]).await;
    dc.modify(&disabled.dn, vec![Mod::Replace("userAccountControl", HashSet::from(["514"]))]).await;
    let locked = dc.add_user("locked", &[]).await;
    // The fixture domain locks an account after 3 bad passwords.
    for _ in 0..3 {
        let _ = dc.bind(&locked.upn, "wrong password").await;
    }

    for person in [&disabled, &locked] {
        let answer = app.persons(&person.guid, Some(&auth), reset(NEW)).await;
        answer.assert_persons_error(400, "user_inactive");
    }
    let answer = app.users(None, by_name(&disabled.sam, "helpdesk1", SEED_PASSWORD, true)).await;
    answer.assert_users_error(400, "user_inactive", "Bad Request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_domains_refusals_are_reported_in_plain_words() {
    let dc = Dc::from_env();
    let app = TestApp::spawn(&dc).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);
    let person = dc.add_user("target", &[]).await;

    // (AD does not check the password history on an administrator's reset.)
    let cases = [("Short-P1x", "too short"), ("onlylowercaseletters", "not complex enough")];
    for (password, reason) in cases {
        let answer = app.persons(&person.guid, Some(&auth), reset(password)).await;
        let message = answer.assert_persons_error(400, "directory_rejected_password");
        assert!(message.contains(reason), "{password}: {message}");
    }
    let answer = app.users(None, json!({ "userName": person.sam, "password": "Short-P1x", "adminUserName": "helpdesk1", "adminPassword": SEED_PASSWORD })).await;
    let details = answer.assert_users_error(400, "directory_rejected_password", "Bad Request");
    assert!(details["directory_rejected_password"].as_str().unwrap().contains("too short"));
    assert!(dc.binds(&person, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_whose_account_cannot_be_used_is_told_why() {
    let dc = Dc::from_env();
    let app = TestApp::spawn(&dc).await;
    let person = dc.add_user("target", &[]).await;
    let must_change = dc.add_user("agent", &[HELPDESK]).await;
    dc.modify(&must_change.dn, vec![Mod::Replace("pwdLastSet", HashSet::from(["0"]))]).await;
    let disabled = dc.add_user("agent", &[HELPDESK]).await;
    dc.modify(&disabled.dn, vec![Mod::Replace("userAccountControl", HashSet::from(["514"]))]).await;
    let wrong = dc.add_user("agent", &[HELPDESK]).await;

    let answer = app.users(None, by_name(&person.sam, &must_change.sam, SEED_PASSWORD, true)).await;
    let details = answer.assert_users_error(401, "unauthenticated", "Unauthorized");
    assert!(details["unauthenticated"].as_str().unwrap().contains("must change its password"), "{details:?}");
    let answer = app.persons(&person.guid, Some(&basic(&disabled.upn, SEED_PASSWORD)), reset(NEW)).await;
    let message = answer.assert_persons_error(401, "unauthenticated");
    assert!(message.contains("disabled"), "{message}");
    let answer = app.users(None, by_name(&person.sam, &wrong.sam, "Not-The-Passw0rd", true)).await;
    let details = answer.assert_users_error(401, "unauthenticated", "Unauthorized");
    assert!(
        !details["unauthenticated"].as_str().unwrap().contains("account"),
        "a wrong password says nothing more"
    );
    assert!(dc.binds(&person, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_outside_the_users_ou_are_not_found() {
    let dc = Dc::from_env();
    let app = TestApp::spawn(&dc).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);

    // The service account lives in OU=Services, outside users_base_dn.
    let outside = dc.guid_of("pwproxy").await;
    app.persons(&outside, Some(&auth), reset(NEW)).await.assert_persons_error(404, "user_not_found");
    app.persons(&Uuid::new_v4().to_string(), Some(&auth), reset(NEW))
        .await
        .assert_persons_error(404, "user_not_found");
    let answer = app.users(None, by_name("Administrator", "helpdesk1", SEED_PASSWORD, true)).await;
    answer.assert_users_error(404, "user_not_found", "Not Found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_may_sign_in_with_a_upn_and_tokens_work_on_both_endpoints() {
    let dc = Dc::from_env();
    let app = TestApp::spawn(&dc).await;
    let first = dc.add_user("target", &[]).await;
    let second = dc.add_user("target", &[]).await;

    let answer =
        app.persons(&first.guid, Some(&basic("helpdesk1@example.test", SEED_PASSWORD)), reset(NEW)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dc.bind(&first.upn, NEW).await.unwrap_err().contains("data 773"), "temporary by default");

    let token = app.login("helpdesk1@example.test", SEED_PASSWORD).await;
    let bearer = format!("Bearer {}", token.body["access_token"].as_str().unwrap());
    let body = json!({ "userName": second.upn, "password": NEW, "adminPassword": SEED_PASSWORD, "temporary": false });
    let answer = app.users(Some(&bearer), body).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dc.binds(&second, NEW).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_walks_run_side_by_side_and_each_request_takes_the_round_trips_the_readme_gives() {
    let dc = Dc::from_env();
    let app = TestApp::spawn(&dc).await;
    let helpdesk1 = basic("helpdesk1", SEED_PASSWORD);
    let bearer = app.bearer("helpdesk1").await;
    // The first requests make the pools' connections; the next are counted.
    let warm = dc.add_user("warm", &[]).await;
    app.persons(&warm.guid, Some(&helpdesk1), reset(NEW)).await;
    app.persons(&warm.guid, Some(&bearer), reset("Fresh-Passw0rd-2")).await;
    let person = dc.add_user("target", &[]).await;

    let by_basic = app.persons(&person.guid, Some(&helpdesk1), reset(NEW)).await;
    let by_token = app.persons(&person.guid, Some(&bearer), reset("Fresh-Passw0rd-2")).await;

    assert_eq!(by_basic.status, 200, "{by_basic:?}");
    assert_eq!(by_token.status, 200, "{by_token:?}");
    // find the admin and the target, bind, the admin's groups ‖ the target's
    // groups (one in-chain search each covers every level), the modify
    assert_eq!(exchanges_of(&by_basic.request_id()), 5);
    // … without the bind
    assert_eq!(exchanges_of(&by_token.request_id()), 4);
    let refusal = dc.bind(&person.upn, "Fresh-Passw0rd-2").await.unwrap_err();
    assert!(refusal.contains("data 773"), "written, and must be changed: {refusal}");
}

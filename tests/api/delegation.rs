//! Delegation: who may reset whom, and with which options, against the real
//! OpenLDAP fixture (two sites under ou=people, nested delegation groups).

use pwproxy::access::{Allowance, Permission};
use pwproxy::config::{DelegationSettings, Settings};
use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;
use serde_json::{Value, json};

const NEW: &str = "Fresh-Passw0rd-1";
/// ppolicy's "locked until an administrator acts".
const LOCKED: (&str, &str) = ("pwdAccountLockedTime", "000001010000Z");

fn body(extra: Value) -> Value {
    let mut body = json!({ "password": NEW, "password_2": NEW });
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    body
}

fn table(
    group: &str,
    bases: &[&str],
    filter: &str,
    unlock: Allowance,
    must_change: Allowance,
) -> DelegationSettings {
    DelegationSettings {
        group: group.into(),
        bases: bases.iter().map(|b| b.to_string()).collect(),
        filter: filter.into(),
        unlock,
        must_change,
        disable: Permission::Never,
    }
}

/// helpdesk (plain: everyone, never unlock, optional must-change),
/// helpdesk-paris (staff in Paris, may unlock, always temporary),
/// unlockers (everyone, always unlock, never temporary).
fn two_sites(settings: &mut Settings) {
    settings.policy.must_change = false;
    settings.authorization.delegation = vec![
        table(HELPDESK_PARIS, &[PARIS], "(employeeType=staff)", Allowance::Optional, Allowance::Always),
        table(UNLOCKERS, &[], "", Allowance::Always, Allowance::Never),
    ];
}

fn paris_agent() -> String {
    basic("paris-agent", SEED_PASSWORD)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegated_admin_reaches_their_site_by_base_and_filter_only() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, two_sites).await;
    let staff = dir.add_person_in(PARIS, "staff", true, &[("employeeType", "staff")]).await;
    let contractor = dir.add_person_in(PARIS, "contractor", false, &[("employeeType", "contractor")]).await;
    let in_lyon = dir.add_person_in(LYON, "lyon", false, &[("employeeType", "staff")]).await;

    let answer = app.persons(&staff.id, Some(&paris_agent()), body(json!({}))).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dir.binds(&staff.dn, NEW).await);
    assert_eq!(
        dir.attribute(&staff.dn, "pwdReset").await.as_deref(),
        Some("TRUE"),
        "Paris always sets temporary"
    );

    for outside in [&contractor, &in_lyon] {
        let answer = app.persons(&outside.id, Some(&paris_agent()), body(json!({}))).await;
        let message = answer.assert_persons_error(403, "forbidden");
        assert!(message.contains("outside"), "{message}");
        let by_name = json!({ "userName": outside.uid, "password": NEW, "adminUserName": "paris-agent", "adminPassword": SEED_PASSWORD });
        app.users(None, by_name).await.assert_users_error(403, "forbidden", "Forbidden");
        assert!(dir.binds(&outside.dn, SEED_PASSWORD).await);
    }
    // The plain helpdesk still reaches everyone, permanent by default here.
    let answer = app.persons(&in_lyon.id, Some(&basic("helpdesk1", SEED_PASSWORD)), body(json!({}))).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(dir.attribute(&in_lyon.dn, "pwdReset").await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_of_a_nested_delegation_group_and_token_holders_get_the_same_reach() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, two_sites).await;
    let staff = dir.add_person_in(PARIS, "staff", false, &[("employeeType", "staff")]).await;
    let in_lyon = dir.add_person_in(LYON, "lyon", false, &[("employeeType", "staff")]).await;
    // paris-tier1-agent is in paris-tier1, nested in helpdesk-paris.
    let bearer = app.bearer("paris-tier1-agent").await;

    assert_eq!(app.persons(&staff.id, Some(&bearer), body(json!({}))).await.status, 200);
    assert!(dir.binds(&staff.dn, NEW).await);
    app.persons(&in_lyon.id, Some(&bearer), body(json!({}))).await.assert_persons_error(403, "forbidden");
    assert!(dir.binds(&in_lyon.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_outside_the_delegation_are_refused_by_name() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, two_sites).await;
    let staff = dir.add_person_in(PARIS, "staff", false, &[("employeeType", "staff")]).await;

    let answer = app.persons(&staff.id, Some(&paris_agent()), body(json!({ "temporary": false }))).await;
    assert!(answer.assert_persons_error(403, "forbidden").contains("temporary"));
    let answer = app
        .persons(&staff.id, Some(&basic("unlock-agent", SEED_PASSWORD)), body(json!({ "temporary": true })))
        .await;
    assert!(answer.assert_persons_error(403, "forbidden").contains("temporary"));
    let answer = app
        .persons(&staff.id, Some(&basic("helpdesk1", SEED_PASSWORD)), body(json!({ "unlock": true })))
        .await;
    assert!(answer.assert_persons_error(403, "forbidden").contains("unlock"));
    assert!(dir.binds(&staff.dn, SEED_PASSWORD).await, "nothing was written");

    // unlockers never set temporary passwords, whatever policy.must_change says.
    let answer = app.persons(&staff.id, Some(&basic("unlock-agent", SEED_PASSWORD)), body(json!({}))).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(dir.attribute(&staff.dn, "pwdReset").await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_person_is_unlocked_in_the_same_write_only_when_the_delegation_allows() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, two_sites).await;
    let asked = dir.add_person_in(PARIS, "locked", false, &[("employeeType", "staff"), LOCKED]).await;
    let not_asked = dir.add_person_in(PARIS, "locked", false, &[("employeeType", "staff"), LOCKED]).await;
    let anywhere = dir.add_person_in(LYON, "locked", false, &[LOCKED]).await;

    // Paris may unlock when asked; without asking, a locked person stays 400.
    let answer = app.persons(&not_asked.id, Some(&paris_agent()), body(json!({}))).await;
    answer.assert_persons_error(400, "user_inactive");
    let answer = app.persons(&asked.id, Some(&paris_agent()), body(json!({ "unlock": true }))).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(dir.attribute(&asked.dn, "pwdAccountLockedTime").await, None, "the lock is gone");
    assert!(dir.binds(&asked.dn, NEW).await);

    // The helpdesk may not unlock: the locked person stays locked and unchanged.
    let answer = app.persons(&anywhere.id, Some(&basic("helpdesk1", SEED_PASSWORD)), body(json!({}))).await;
    answer.assert_persons_error(400, "user_inactive");
    // unlockers always unlock, asked or not.
    let answer =
        app.persons(&anywhere.id, Some(&basic("unlock-agent", SEED_PASSWORD)), body(json!({}))).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(dir.attribute(&anywhere.dn, "pwdAccountLockedTime").await, None);
    assert!(dir.binds(&anywhere.dn, NEW).await);

    let audit = pwproxy_testkit::log::text();
    let line =
        audit.lines().find(|l| l.contains(&answer.request_id()) && l.contains("action=\"reset\"")).unwrap();
    assert!(line.contains(r#"\"unlocked\":true"#) && line.contains(r#"\"temporary\":false"#), "{line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_person_is_never_re_enabled() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, |settings| {
        two_sites(settings);
        settings.directory.inactive_filter = "(description=disabled)".into();
    })
    .await;
    let disabled = dir.add_person_in(LYON, "disabled", false, &[("description", "disabled"), LOCKED]).await;

    let answer = app
        .persons(&disabled.id, Some(&basic("unlock-agent", SEED_PASSWORD)), body(json!({ "unlock": true })))
        .await;

    answer.assert_persons_error(400, "user_inactive");
    assert_eq!(dir.attribute(&disabled.dn, "pwdAccountLockedTime").await.as_deref(), Some("000001010000Z"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delegation_group_members_are_protected_admins() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, two_sites).await;
    let paris_agent_id = dir.id_of(&format!("uid=paris-agent,{PEOPLE}")).await;

    let answer =
        app.persons(&paris_agent_id, Some(&basic("helpdesk1", SEED_PASSWORD)), body(json!({}))).await;

    answer.assert_persons_error(403, "forbidden");
    assert!(dir.binds(&format!("uid=paris-agent,{PEOPLE}"), SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegated_request_takes_a_round_trip_per_filter_and_walks_the_admins_whole_group_tree() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, two_sites).await;
    let bearer = app.bearer("paris-agent").await;
    let warm = dir.add_person_in(PARIS, "warm", false, &[("employeeType", "staff")]).await;
    app.persons(&warm.id, Some(&bearer), body(json!({}))).await;
    let staff = dir.add_person_in(PARIS, "staff", false, &[("employeeType", "staff")]).await;

    let answer = app.persons(&staff.id, Some(&bearer), body(json!({}))).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    // find the admin and the target together, the groups of both level by
    // level up to the admin's top (helpdesk-paris, then delegated-helpdesks
    // above it, then none: 3 searches where an undelegated admin's walk stops
    // after 1), the filter, the modify.
    assert_eq!(exchanges_of(&answer.request_id()), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_agents_unlocking_one_person_at_once_both_get_a_definite_answer() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, two_sites).await;
    for _ in 0..3 {
        let locked = dir.add_person_in(LYON, "locked", false, &[LOCKED]).await;
        let unlocker = basic("unlock-agent", SEED_PASSWORD);
        let bodies = [
            json!({ "password": "Race-Passw0rd-1", "password_2": "Race-Passw0rd-1" }),
            json!({ "password": "Race-Passw0rd-2", "password_2": "Race-Passw0rd-2" }),
        ];
        let (first, second) = tokio::join!(
            app.persons(&locked.id, Some(&unlocker), bodies[0].clone()),
            app.persons(&locked.id, Some(&unlocker), bodies[1].clone())
        );
        for answer in [&first, &second] {
            assert!(answer.status == 200 || answer.status == 400, "{answer:?}");
        }
        assert_eq!(dir.attribute(&locked.dn, "pwdAccountLockedTime").await, None);
        assert!(
            dir.binds(&locked.dn, "Race-Passw0rd-1").await || dir.binds(&locked.dn, "Race-Passw0rd-2").await
        );
    }
}

//! What a delegation allows on AD: reach limited to its OU, and an unlock
//! in the same modify as the password.

use super::*;

const PARIS: &str = "OU=Paris,OU=People,DC=example,DC=test";

/// Helpdesk reaches OU=Paris only, and may unlock there.
fn paris_only(settings: &mut pwproxy::config::Settings) {
    settings.authorization.delegation = vec![pwproxy::config::DelegationSettings {
        group: HELPDESK.into(),
        bases: vec![PARIS.into()],
        filter: String::new(),
        unlock: pwproxy::access::Allowance::Optional,
        must_change: pwproxy::access::Allowance::Optional,
        disable: pwproxy::access::Permission::Never,
    }];
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegation_limits_reach_to_its_base() {
    let dc = Dc::from_env();
    dc.ensure_ou(PARIS).await;
    let app = TestApp::spawn_with(&dc, paris_only).await;
    let in_paris = dc.add_user_in(PARIS, "paris", &[]).await;
    let elsewhere = dc.add_user("target", &[]).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);

    let answer = app
        .persons(
            &in_paris.guid,
            Some(&auth),
            json!({ "password": NEW, "password_2": NEW, "temporary": false }),
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dc.binds(&in_paris, NEW).await);
    let message = app
        .persons(&elsewhere.guid, Some(&auth), reset(NEW))
        .await
        .assert_persons_error(403, "forbidden")
        .to_owned();
    assert!(message.contains("outside"), "{message}");
    assert!(dc.binds(&elsewhere, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_out_person_is_unlocked_in_the_same_modify_when_asked_and_allowed() {
    let dc = Dc::from_env();
    dc.ensure_ou(PARIS).await;
    let app = TestApp::spawn_with(&dc, paris_only).await;
    let locked = dc.add_user_in(PARIS, "locked", &[]).await;
    // The fixture domain locks an account after 3 bad passwords.
    for _ in 0..3 {
        let _ = dc.bind(&locked.upn, "wrong password").await;
    }
    let disabled = dc.add_user_in(PARIS, "disabled", &[]).await;
    dc.modify(&disabled.dn, vec![Mod::Replace("userAccountControl", HashSet::from(["514"]))]).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);
    let unlock = json!({ "password": NEW, "password_2": NEW, "temporary": false, "unlock": true });

    app.persons(&locked.guid, Some(&auth), reset(NEW)).await.assert_persons_error(400, "user_inactive");
    let answer = app.persons(&locked.guid, Some(&auth), unlock.clone()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dc.binds(&locked, NEW).await, "unlocked, and the new password works");
    // A disabled account is never re-enabled.
    app.persons(&disabled.guid, Some(&auth), unlock).await.assert_persons_error(400, "user_inactive");
}

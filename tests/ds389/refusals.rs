//! What 389 DS refuses, and how each refusal reaches the caller: inactive
//! people and admins, the server's password rules, a must-change the policy
//! would not enforce.

use super::*;

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

//! Unlocking a person the retry counter locked: with the write, and only
//! where the delegation allows it.

use super::*;

/// helpdesk may unlock.
fn may_unlock(settings: &mut pwproxy::config::Settings) {
    settings.authorization.delegation = vec![pwproxy::config::DelegationSettings {
        group: HELPDESK.into(),
        bases: Vec::new(),
        filter: String::new(),
        unlock: pwproxy::access::Allowance::Optional,
        must_change: pwproxy::access::Allowance::Optional,
        disable: pwproxy::access::Permission::Allowed,
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
    dir.wait_until_389_unlocked(&temporary.dn).await;
    assert!(dir.must_change(&temporary.dn, NEW).await, "unlocked, and obliged to change it");
    let unlock = json!({ "password": NEW, "password_2": NEW, "unlock": true, "temporary": false });
    let answer = app.persons(&permanent.id, Some(&helpdesk1()), unlock).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    dir.wait_until_389_unlocked(&permanent.dn).await;
    assert!(dir.binds(&permanent.dn, NEW).await && !dir.must_change(&permanent.dn, NEW).await);
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
async fn unlock_alone_keeps_the_password_and_disable_and_enable_follow_ns_account_lock() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn_with(&dir, may_unlock).await;
    let person = dir.add_person("acted", false).await;
    for _ in 0..3 {
        dir.binds(&person.dn, "Wrong-Guess-123").await;
    }
    assert!(!dir.binds(&person.dn, SEED_PASSWORD).await, "locked by the retry counter");
    let at = |action: &str| format!("/actions/persons/{}/{action}", person.id);
    let listed = async |status: &str| {
        let answer =
            app.lookup(&format!("/api/v1/users?status={status}&q={}", person.uid), Some(&helpdesk1())).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        answer.body["users"].as_array().unwrap().len()
    };
    assert_eq!((listed("locked").await, listed("disabled").await), (1, 0), "found by accountUnlockTime");

    let answer = app.act(&at("unlock"), Some(&helpdesk1()), Some(json!({ "reason": "on the phone" }))).await;
    eprintln!(
        "DEBUG {}",
        pwproxy_testkit::log::text().lines().filter(|l| l.contains("failed")).collect::<Vec<_>>().join("\n")
    );
    assert_eq!((answer.status, &answer.body), (200, &json!({ "success": true, "changed": true })));
    assert_eq!(dir.attribute(&person.dn, "accountUnlockTime").await, None);
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await, "their own password works again");

    let answer = app.act(&at("disable"), Some(&helpdesk1()), None).await;
    assert_eq!(answer.body, json!({ "success": true, "changed": true }), "{answer:?}");
    assert_eq!(dir.attribute(&person.dn, "nsAccountLock").await.as_deref(), Some("true"));
    assert!(!dir.binds(&person.dn, SEED_PASSWORD).await, "389 refuses a disabled account");
    assert_eq!((listed("locked").await, listed("disabled").await), (0, 1), "found by nsAccountLock");
    assert_eq!(listed("expiring").await, 0, "expires far in the future");
    app.act(&at("unlock"), Some(&helpdesk1()), None).await.assert_persons_error(400, "user_inactive");

    let answer = app.act(&at("enable"), Some(&helpdesk1()), None).await;
    assert_eq!(answer.body, json!({ "success": true, "changed": true }), "{answer:?}");
    assert_eq!(dir.attribute(&person.dn, "nsAccountLock").await, None);
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
    let again = app.act(&at("enable"), Some(&helpdesk1()), None).await;
    assert_eq!(again.body, json!({ "success": true, "changed": false }));
}

/// `pwproxy check` probes, without changing anything, whether the service
/// account may write what each action writes: granted by the fixture's ACI.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_finds_the_rights_of_each_action_and_changes_nothing() {
    let dir = TestDirectory::ds389_from_env();
    let file = pwproxy_testkit::config_file(&dir.config_toml());
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pwproxy"))
        .args(["check", "--config"])
        .arg(file.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    for action in ["may unlock (passwordRetryCount", "may disable and enable (nsAccountLock"] {
        let line =
            stdout.lines().find(|l| l.contains(action)).unwrap_or_else(|| panic!("{action}: {stdout}"));
        assert!(line.starts_with("ok"), "{line}");
    }
}

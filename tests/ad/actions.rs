//! Unlock, disable and enable on the real Samba AD DC: a lock made by real
//! failed binds lifted with the password untouched, and the disable flag
//! changed without losing the account's other `userAccountControl` flags.

use std::collections::HashSet;

use ldap3::Mod;
use pwproxy_testkit::config::unlocking_and_disabling;
use pwproxy_testkit::prelude::*;
use pwproxy_testkit::samba::*;
use serde_json::json;

/// NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD, and with ACCOUNTDISABLE.
const NEVER_EXPIRES: &str = "66048";
const NEVER_EXPIRES_DISABLED: &str = "66050";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unlock_keeps_the_password_and_disable_and_enable_keep_the_other_account_flags() {
    let dc = Dc::from_env();
    let app = TestApp::spawn_with(&dc, unlocking_and_disabling(HELPDESK)).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);
    let person = dc.add_user("acted", &[]).await;
    dc.modify(&person.dn, vec![Mod::Replace("userAccountControl", HashSet::from([NEVER_EXPIRES]))]).await;
    // The fixture's domain locks after three bad passwords.
    for _ in 0..3 {
        assert!(!dc.binds(&person, "Not-The-Passw0rd-1").await);
    }
    assert!(!dc.binds(&person, SEED_PASSWORD).await, "locked out");
    let at = |action: &str| format!("/api/v1/users/{}/{action}", person.sam);
    let listed = async |status: &str| {
        let answer =
            app.lookup(&format!("/api/v1/users?status={status}&q={}", person.sam), Some(&auth)).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        answer.body["users"].as_array().unwrap().len()
    };
    assert_eq!((listed("locked").await, listed("disabled").await), (1, 0), "found by lockoutTime");

    let answer = app.act(&at("unlock"), Some(&auth), Some(json!({ "reason": "verified by phone" }))).await;
    assert_eq!((answer.status, &answer.body), (200, &json!({ "success": true, "changed": true })));
    assert!(dc.binds(&person, SEED_PASSWORD).await, "their own password works again");

    let answer = app.act(&at("disable"), Some(&auth), None).await;
    eprintln!(
        "DEBUG {}",
        pwproxy_testkit::log::text().lines().filter(|l| l.contains("failed")).collect::<Vec<_>>().join("\n")
    );
    assert_eq!(answer.body, json!({ "success": true, "changed": true }), "{answer:?}");
    assert_eq!(dc.attribute(&person.dn, "userAccountControl").await.as_deref(), Some(NEVER_EXPIRES_DISABLED));
    assert!(!dc.binds(&person, SEED_PASSWORD).await, "the DC refuses a disabled account");
    assert_eq!((listed("locked").await, listed("disabled").await), (0, 1), "found by the flag");
    let again = app.act(&at("disable"), Some(&auth), None).await;
    assert_eq!(again.body, json!({ "success": true, "changed": false }));
    app.act(&at("unlock"), Some(&auth), None).await.assert_persons_error(400, "user_inactive");

    let answer = app.act(&format!("/actions/persons/{}/enable", person.guid), Some(&auth), None).await;
    assert_eq!(answer.body, json!({ "success": true, "changed": true }), "{answer:?}");
    assert_eq!(dc.attribute(&person.dn, "userAccountControl").await.as_deref(), Some(NEVER_EXPIRES));
    assert!(dc.binds(&person, SEED_PASSWORD).await);
}

/// Another tool changes the account's flags between pwproxy's read and its
/// write: the write, which deletes the value it read, is refused whole;
/// pwproxy reads the entry again and writes from what it holds then, so the
/// other tool's flag stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrent_change_of_the_other_flags_is_never_lost() {
    use pwproxy::directory::{AccountChange, Directory, LdapDirectory, Lookup, Writer};
    let dc = Dc::from_env();
    let settings = pwproxy_testkit::app::settings(&dc.config_toml());
    let metrics = std::sync::Arc::new(pwproxy::metrics::Metrics::default());
    let directory = LdapDirectory::new(&settings.ldap, &settings.directory, &[], metrics).unwrap();
    let person = dc.add_user("raced", &[]).await;
    let (_, read) = directory.find_admin_and_person("helpdesk1", Lookup::Name(&person.sam)).await.unwrap();
    let read = read.expect("the person, read with flags 512");

    dc.modify(&person.dn, vec![Mod::Replace("userAccountControl", HashSet::from([NEVER_EXPIRES]))]).await;
    let changed = directory.change_account(Writer::Service, &read, AccountChange::Disable).await.unwrap();

    assert!(changed);
    assert_eq!(dc.attribute(&person.dn, "userAccountControl").await.as_deref(), Some(NEVER_EXPIRES_DISABLED));
}

/// `pwproxy check` asks the DC, without changing anything, whether the
/// service account may write what each action writes: the fixture grants
/// `lockoutTime` and `userAccountControl` on OU=People; a plain user as the
/// service account may write neither.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_finds_the_rights_of_each_action_and_changes_nothing() {
    let dc = Dc::from_env();
    let person = dc.add_user("checked", &[]).await;
    let before = dc.attribute(&person.dn, "userAccountControl").await;
    let check = |envs: &[(&str, &str)]| {
        let file = pwproxy_testkit::config_file(&dc.config_toml());
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_pwproxy"))
            .args(["check", "--config"])
            .arg(file.path())
            .envs(envs.iter().copied())
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let said = |stdout: &str, action: &str| {
        stdout.lines().find(|l| l.contains(action)).unwrap_or_else(|| panic!("{action}: {stdout}")).to_owned()
    };
    let actions = ["may unlock (lockoutTime", "may disable and enable (userAccountControl"];

    let stdout = check(&[]);
    for action in actions {
        assert!(said(&stdout, action).starts_with("ok"), "{stdout}");
    }
    let plain =
        [("PWPROXY__LDAP__BIND_DN", person.dn.as_str()), ("PWPROXY__LDAP__BIND_PASSWORD", SEED_PASSWORD)];
    let stdout = check(&plain);
    for action in actions {
        let line = said(&stdout, action);
        assert!(line.starts_with("warn") && line.contains("grant it write on"), "{line}");
    }
    assert_eq!(dc.attribute(&person.dn, "userAccountControl").await, before);
}

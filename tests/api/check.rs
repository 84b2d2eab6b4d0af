//! `pwproxy check`: the real binary against the real fixture directory.

use std::process::Command;
use std::time::{Duration, Instant};

use pwproxy_testkit::config_file;
use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;

const BINARY: &str = env!("CARGO_BIN_EXE_pwproxy");

/// ppolicy's "locked until an administrator acts".
const LOCKED: (&str, &str) = ("pwdAccountLockedTime", "000001010000Z");

/// `pwproxy check` on the fixture's configuration over LDAPS, with
/// environment overrides: exit code and standard output.
fn check(dir: &TestDirectory, envs: &[(&str, &str)]) -> (i32, String) {
    let toml = dir.config_toml().replace(&dir.ldap_url, &dir.ldaps_url);
    let file = config_file(&toml);
    let output = Command::new(BINARY)
        .args(["check", "--config"])
        .arg(file.path())
        .envs(envs.iter().copied())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let everything = format!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    for secret in [SERVICE_PASSWORD, TOKEN_SECRET, "Wrong-Service-Passw0rd"] {
        assert!(!everything.contains(secret), "a secret was printed: {everything}");
    }
    (output.status.code().unwrap_or(-1), stdout)
}

fn line<'a>(stdout: &'a str, containing: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.contains(containing))
        .unwrap_or_else(|| panic!("no line with {containing}: {stdout}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sound_deployment_passes_every_check() {
    let dir = TestDirectory::start_own().await;

    let (code, stdout) = check(&dir, &[]);

    assert_eq!(code, 0, "{stdout}");
    assert!(
        line(&stdout, "reachable").starts_with("ok")
            && line(&stdout, "reachable").contains("certificate verified")
    );
    // The fixture's certificates live two days: a warning, which passes.
    assert!(line(&stdout, "certificate is valid until").starts_with("warn"), "{stdout}");
    for ok in [
        "the service account binds",
        "users_base_dn",
        "groups_base_dn",
        "cn=helpdesk",
        "cn=executives",
        "entryUUID and uid",
        "ppolicy",
        "the password policy cn=default,ou=policies",
        "the audit store (audit.store) is reachable and writable, schema version 1",
        "the service account may unlock (pwdAccountLockedTime on uid=",
        "the service account may disable and enable (pwdEndTime on uid=",
    ] {
        assert!(line(&stdout, ok).starts_with("ok"), "{ok}: {stdout}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_account_without_the_rights_of_account_actions_is_told_which_and_nothing_changes() {
    let dir = TestDirectory::start().await;
    // A plain person as the service account: it reads, and may write nothing.
    let plain = dir.add_person("plainservice", false).await;
    let locked = dir.add_person_in(PEOPLE, "checklocked", false, &[LOCKED]).await;
    let envs =
        [("PWPROXY__LDAP__BIND_DN", plain.dn.as_str()), ("PWPROXY__LDAP__BIND_PASSWORD", SEED_PASSWORD)];

    let (code, stdout) = check(&dir, &envs);

    // No delegation allows the actions: a warning, which passes.
    assert_eq!(code, 0, "{stdout}");
    for action in ["may unlock (pwdAccountLockedTime", "may disable and enable (pwdEndTime"] {
        let said = line(&stdout, action);
        assert!(said.starts_with("warn") && said.contains("grant it write on"), "{said}");
    }
    assert!(!stdout.contains(SEED_PASSWORD));
    assert_eq!(dir.attribute(&locked.dn, "pwdAccountLockedTime").await.as_deref(), Some("000001010000Z"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audit_store_that_cannot_be_reached_fails_its_line() {
    let dir = TestDirectory::start().await;
    let (code, stdout) =
        check(&dir, &[("PWPROXY__AUDIT__STORE", "postgres://pwproxy:not-printed@127.0.0.1:1/none")]);
    assert_eq!(code, 1, "{stdout}");
    let store = line(&stdout, "the audit store");
    assert!(store.starts_with("FAIL") && store.contains("audit.store"), "{stdout}");
    assert!(!stdout.contains("not-printed"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_broken_part_fails_on_its_own_line_with_the_fix() {
    let dir = TestDirectory::start_own().await;

    let (code, stdout) = check(&dir, &[("PWPROXY__LDAP__BIND_PASSWORD", "Wrong-Service-Passw0rd")]);
    assert_eq!(code, 1);
    assert!(line(&stdout, "the service account binds").starts_with("FAIL"));
    assert!(line(&stdout, "the service account binds").contains("ldap.bind_password"));
    assert!(line(&stdout, "remaining checks").starts_with("skip"));

    let (code, stdout) =
        check(&dir, &[("PWPROXY__DIRECTORY__USERS_BASE_DN", "ou=nowhere,dc=example,dc=org")]);
    assert_eq!(code, 1);
    assert!(line(&stdout, "users_base_dn 'ou=nowhere").starts_with("FAIL"), "{stdout}");

    let groups = format!("{HELPDESK};cn=nosuch,ou=groups,{BASE}");
    let (code, stdout) = check(&dir, &[("PWPROXY__AUTHORIZATION__ADMIN_GROUPS", &groups)]);
    assert_eq!(code, 1);
    assert!(line(&stdout, "cn=nosuch").starts_with("FAIL"), "{stdout}");
    assert!(line(&stdout, "cn=helpdesk").starts_with("ok"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_directory_fails_within_the_timeout() {
    let dir = TestDirectory::start_own().await;
    dir.freeze();
    let started = Instant::now();

    let (code, stdout) = check(&dir, &[]);

    let elapsed = started.elapsed();
    dir.thaw();
    assert_eq!(code, 1);
    assert!(line(&stdout, "reachable").starts_with("FAIL"), "{stdout}");
    // timeout_secs = 2
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
}

#[test]
fn an_unreadable_configuration_exits_2() {
    let output =
        Command::new(BINARY).args(["check", "--config", "/nonexistent/pwproxy.toml"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memberof_is_checked_entry_by_entry_when_it_is_relied_on() {
    let dir = TestDirectory::start_own().await;
    let memberof = [("PWPROXY__DIRECTORY__MEMBERSHIP", "memberof")];
    let what = "memberOf names exactly the groups";

    let (code, stdout) = check(&dir, &[]);
    assert_eq!(code, 0, "{stdout}");
    assert!(!stdout.contains(what), "not asked when not relied on: {stdout}");
    let (code, stdout) = check(&dir, &memberof);
    assert_eq!(code, 0, "{stdout}");
    assert!(line(&stdout, what).starts_with("ok"), "{stdout}");

    // A group written past the overlays (slapadd), as a bulk import would.
    dir.own().bulk_load(&format!(
        "dn: cn=imported,ou=groups,{BASE}\nobjectClass: groupOfUniqueNames\ncn: imported\n\
         uniqueMember: uid=carl,{PEOPLE}\n\n"
    ));
    let (code, stdout) = check(&dir, &memberof);
    assert_eq!(code, 1, "{stdout}");
    let failed = line(&stdout, what);
    assert!(failed.starts_with("FAIL"), "{stdout}");
    assert!(failed.contains("cn=imported,ou=groups") && failed.contains("uid=carl"), "{failed}");
    assert!(failed.contains("olcMemberOfGroupOC"), "says how to fix it: {failed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_policy_lookups_read_is_checked() {
    let dir = TestDirectory::start_own().await;
    let what = "for lookups' account status";

    let (code, stdout) =
        check(&dir, &[("PWPROXY__DIRECTORY__POLICY_DN", "cn=nosuch,ou=policies,dc=example,dc=org")]);
    assert_eq!(code, 1, "{stdout}");
    let failed = line(&stdout, what);
    assert!(failed.starts_with("FAIL") && failed.contains("pwdLockoutDuration"), "{stdout}");

    let (code, stdout) = check(&dir, &[("PWPROXY__DIRECTORY__POLICY_DN", "")]);
    assert_eq!(code, 0, "a warning passes: {stdout}");
    assert!(line(&stdout, what).starts_with("warn") && stdout.contains("directory.policy_dn"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mail_relay_is_greeted_when_notify_is_set() {
    let dir = TestDirectory::start_own().await;
    let smtp = pwproxy_testkit::smtp::SmtpServer::start();
    let from = ("PWPROXY__NOTIFY__FROM", "helpdesk@example.org");

    let (code, stdout) = check(&dir, &[("PWPROXY__NOTIFY__SMTP_URL", &smtp.url("")), from]);
    assert_eq!(code, 0, "{stdout}");
    assert!(line(&stdout, "the mail relay").starts_with("ok"), "{stdout}");

    // A relay that does not listen, reached with a password in its URL.
    let closed = pwproxy_testkit::smtp::SmtpServer::start();
    let url = format!("smtp://relay-user:Relay-Secret-9@127.0.0.1:{}", closed.port);
    drop(closed);
    let (code, stdout) = check(&dir, &[("PWPROXY__NOTIFY__SMTP_URL", &url), from]);
    assert_eq!(code, 1, "{stdout}");
    assert!(line(&stdout, "the mail relay").starts_with("FAIL"), "{stdout}");
    assert!(line(&stdout, "the mail relay").contains("notify.smtp_url"), "{stdout}");
    assert!(!stdout.contains("Relay-Secret-9"), "{stdout}");
}

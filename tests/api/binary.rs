//! The real `pwproxy` binary: configuration errors, environment overrides,
//! logs and audit lines, graceful shutdown, and that no secret is ever
//! printed.

use std::process::Command;

use pwproxy_testkit::config_file;
use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;
use serde_json::{Value, json};

const BINARY: &str = env!("CARGO_BIN_EXE_pwproxy");

/// The binary at trace level, its output kept.
async fn start(toml: &str, envs: &[(&str, &str)]) -> PwproxyProcess {
    PwproxyProcess::start(BINARY, toml, envs, Output::Captured).await
}

#[test]
fn an_invalid_configuration_is_refused_with_the_key_and_the_fix() {
    let file = config_file("[ldap]\nurl = \"ldap://127.0.0.1\"\n");
    let output = Command::new(BINARY).args(["serve", "--config"]).arg(file.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("ldap.bind_dn"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn environment_variables_override_the_file_and_are_validated() {
    let dir = TestDirectory::start().await;
    let file = config_file(&dir.config_toml());

    let output = Command::new(BINARY)
        .args(["check-config", "--config"])
        .arg(file.path())
        .env("PWPROXY__AUTH__TOKEN_SECRET", "short")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("auth.token_secret") && stderr.contains("32 bytes"), "{stderr}");
    assert!(!stderr.contains("short"), "the secret itself is not echoed: {stderr}");

    let output = Command::new(BINARY)
        .args(["check-config"])
        .env("PWPROXY_CONFIG", file.path())
        .env("PWPROXY__LDAP__URL", "ldap://ldap.example.org")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("ldap.url") && stderr.contains("starttls"), "{stderr}");

    // The file's service password and admin groups are wrong; the environment's are right.
    let toml = dir.config_toml().replace(SERVICE_PASSWORD, "wrong-in-the-file").replace(
        &format!("admin_groups = [\"{HELPDESK}\"]"),
        "admin_groups = [\"cn=nobody,dc=example,dc=org\"]",
    );
    let groups = format!("cn=nobody,dc=example,dc=org;{HELPDESK}");
    // Served by a pool of threads here; the other tests run the default, one thread.
    let env = [
        ("PWPROXY__LDAP__BIND_PASSWORD", SERVICE_PASSWORD),
        ("PWPROXY__AUTHORIZATION__ADMIN_GROUPS", &groups),
        ("PWPROXY__SERVER__WORKER_THREADS", "3"),
    ];
    let running = start(&toml, &env).await;
    let ready = reqwest::get(format!("{}/readyz", running.base)).await.unwrap();
    assert_eq!(ready.status(), 200);
    let login = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/token", running.base))
        .json(&json!({ "username": "helpdesk1", "password": SEED_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200, "helpdesk1 is an admin through the environment's list");
    running.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_scenario_at_trace_level_prints_no_secret_and_audits_every_attempt() {
    let dir = TestDirectory::start().await;
    let running = start(&dir.config_toml(), &[]).await;
    let http = reqwest::Client::new();
    let person = dir.add_person("target", true).await;
    let new_passwords = ["Scenario-Passw0rd-1", "Scenario-Passw0rd-2", "Scenario-Passw0rd-3"];

    let token: Value = http
        .post(format!("{}/api/v1/auth/token", running.base))
        .json(&json!({ "username": "helpdesk1", "password": SEED_PASSWORD }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let persons = format!("{}/actions/persons/{}/change-password", running.base, person.id);
    let ok = http
        .post(&persons)
        .bearer_auth(&token)
        .json(&json!({ "password": new_passwords[0], "password_2": new_passwords[0] }))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let request_id = ok.headers()["x-request-id"].to_str().unwrap().to_owned();
    let ok = http
        .post(&persons)
        .basic_auth("helpdesk1", Some(SEED_PASSWORD))
        .json(&json!({ "password": new_passwords[1], "password_2": new_passwords[1] }))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let users = format!("{}/api/v1/users/changePassword", running.base);
    let ok = http
        .put(&users)
        .json(&json!({ "userName": person.uid, "password": new_passwords[2], "adminPassword": SEED_PASSWORD, "adminUserName": "helpdesk1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let refused = http
        .put(&users)
        .json(&json!({ "userName": person.uid, "password": "Wrong-Attempt-Passw0rd", "adminPassword": "Bad-Admin-Guess-42", "adminUserName": "helpdesk1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let malformed = http
        .post(&persons)
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(r#"{"password": "Typed-Secret-Passw0rd", "password_2": 5}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    assert!(dir.binds(&person.dn, new_passwords[2]).await);

    let (stdout, stderr) = running.stop();
    let everything = format!("{stdout}\n{stderr}");
    for secret in [
        SEED_PASSWORD,
        SERVICE_PASSWORD,
        TOKEN_SECRET,
        token.as_str(),
        new_passwords[0],
        new_passwords[1],
        new_passwords[2],
        "Wrong-Attempt-Passw0rd",
        "Bad-Admin-Guess-42",
        "Typed-Secret-Passw0rd",
    ] {
        assert!(!everything.contains(secret), "a secret was printed: {secret}");
    }
    // The base64 of Basic credentials must not show up either.
    assert!(!everything.contains(&basic("helpdesk1", SEED_PASSWORD)[6..]));
    assert!(stderr.contains(&request_id), "the request id is in the request's log lines");
    assert!(stderr.lines().count() > 20, "trace level really logged: {stderr}");

    let audit: Vec<Value> =
        stdout.lines().map(|l| serde_json::from_str(l).expect("audit lines are JSON")).collect();
    assert_eq!(audit.len(), 6, "one event per operation: {stdout}");
    assert_eq!(audit[0]["action"], "login");
    let first_reset = &audit[1];
    assert_eq!(first_reset["request_id"], request_id.as_str());
    assert_eq!(first_reset["action"], "reset");
    assert_eq!(first_reset["via"], "api");
    assert_eq!(first_reset["outcome"], "ok");
    assert_eq!(first_reset["endpoint"], "persons.change-password");
    assert_eq!(first_reset["actor"], "helpdesk1");
    assert_eq!(first_reset["target_dn"], person.dn.as_str());
    assert_eq!(first_reset["target_id"], person.id.as_str());
    assert_eq!(first_reset["client"], "127.0.0.1");
    assert!(first_reset["timestamp"].is_string());
    assert_eq!(audit[4]["outcome"], "unauthenticated");
    assert_eq!(
        (audit[5]["action"].as_str(), audit[5]["outcome"].as_str()),
        (Some("reset"), Some("invalid_request"))
    );
    let details: Value = serde_json::from_str(first_reset["details"].as_str().unwrap()).unwrap();
    assert_eq!(
        (details["temporary"].clone(), details["unlocked"].clone()),
        (json!(true), json!(false)),
        "{details}"
    );
}

#[test]
fn an_unreadable_blocklist_stops_start_up_naming_the_file() {
    let toml = "
[ldap]
url = \"ldap://127.0.0.1:1\"
bind_dn = \"cn=pwproxy,dc=example,dc=org\"
bind_password = \"service secret\"
[directory]
users_base_dn = \"ou=people,dc=example,dc=org\"
[authorization]
admin_groups = [\"cn=helpdesk,dc=example,dc=org\"]
[auth]
token_secret = \"0123456789abcdef0123456789abcdef\"
[policy]
blocklist_files = [\"/nonexistent/breach-corpus.txt\"]
";
    let file = config_file(toml);
    let output = Command::new(BINARY).args(["serve", "--config"]).arg(file.path()).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("policy.blocklist_files") && stderr.contains("/nonexistent/breach-corpus.txt"),
        "{stderr}"
    );
}

#[test]
fn a_configuration_error_never_quotes_a_secret_from_the_file() {
    let broken =
        "[ldap]\nurl = \"ldap://127.0.0.1\"\nbind_dn = \"cn=x\"\nbind_password = \"Sup3r-Secret-Value\n";
    let mistyped = "[ldap]\nurl = \"ldap://127.0.0.1\"\nbind_dn = \"cn=x\"\nbind_password = \"x\"\ntimeout_secs = \"Sup3r-Secret-Value\"\n";
    for (toml, mentions) in [(broken, "line 4"), (mistyped, "ldap.timeout_secs")] {
        let file = config_file(toml);
        for command in ["check", "serve"] {
            let output = Command::new(BINARY).args([command, "--config"]).arg(file.path()).output().unwrap();
            assert_eq!(output.status.code(), Some(2));
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(!stderr.contains("Sup3r"), "{stderr}");
            assert!(stderr.contains(mentions), "{stderr}");
        }
    }
}

//! The audit trail in a real store: SQLite files (one per app, or shared by
//! two pwproxy processes) and a private PostgreSQL cluster. Each success is
//! proven in the store and the directory; each refusal by what it left
//! unwritten.

use std::process::Command;
use std::time::Duration;

use pwproxy::access::Allowance;
use pwproxy::config::{DelegationSettings, Settings};
use pwproxy_testkit::ldap::*;
use pwproxy_testkit::postgres;
use pwproxy_testkit::prelude::*;
use secrecy::SecretString;
use serde_json::{Value, json};

const NEW: &str = "Audit-Passw0rd-1";
const PEOPLE_GROUPS: &str = "ou=groups,dc=example,dc=org";

fn body(password: &str) -> Value {
    json!({ "password": password, "password_2": password })
}

/// A group of auditors with one new member: their basic credentials.
async fn auditor(dir: &TestDirectory) -> (String, String) {
    let person = dir.add_person("auditor", false).await;
    let group = format!("cn=trail-{},{PEOPLE_GROUPS}", &person.uid);
    dir.add_entry(&group, vec![("objectClass", vec!["groupOfNames"]), ("member", vec![person.dn.as_str()])])
        .await;
    (group, basic(&person.uid, SEED_PASSWORD))
}

fn with_auditors(group: &str) -> impl FnOnce(&mut Settings) + use<> {
    let group = group.to_owned();
    move |settings| settings.authorization.auditor_groups = vec![group]
}

async fn trail(app: &TestApp, auth: &str, query: &str) -> Answer {
    let response = app
        .http
        .get(app.url(&format!("/api/v1/audit{query}")))
        .header("authorization", auth)
        .send()
        .await
        .unwrap();
    Answer::from(response).await
}

fn events(answer: &Answer) -> Vec<Value> {
    assert_eq!(answer.status, 200, "{answer:?}");
    answer.body["events"].as_array().unwrap().clone()
}

/// `pwproxy audit verify` on a configuration whose store is `store`.
fn verify(dir: &TestDirectory, store: &str) -> (i32, String) {
    let toml = with_store(&dir.config_toml(), store);
    let file = pwproxy_testkit::config_file(&toml);
    let out = Command::new(env!("CARGO_BIN_EXE_pwproxy"))
        .args(["audit", "verify", "--config"])
        .arg(file.path())
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// The fixture's configuration with `[audit] store` set to `store`.
fn with_store(toml: &str, store: &str) -> String {
    toml.lines()
        .map(
            |line| {
                if line.starts_with("store = \"sqlite:") {
                    format!("store = \"{store}\"")
                } else {
                    line.into()
                }
            },
        )
        .collect::<Vec<_>>()
        .join("\n")
}

async fn sqlite(path: &std::path::Path, sql: &str) {
    use sqlx::Connection;
    let mut connection =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    sqlx::query(sql).execute(&mut connection).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_is_one_chained_event_that_auditors_read_and_verify_checks() {
    let dir = TestDirectory::start().await;
    let (group, auditor) = auditor(&dir).await;
    let app = TestApp::spawn_with(&dir, with_auditors(&group)).await;
    let person = dir.add_person("audited", true).await;

    let answer = app.persons(&person.id, Some(&basic("helpdesk1", SEED_PASSWORD)), body(NEW)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dir.binds(&person.dn, NEW).await);

    let found = events(&trail(&app, &auditor, &format!("?person={}", person.uid.to_uppercase())).await);
    assert_eq!(found.len(), 1, "{found:?}");
    let event = &found[0];
    assert_eq!(event["action"], "reset");
    assert_eq!(event["outcome"], "ok");
    assert_eq!(event["actor"], "helpdesk1");
    assert_eq!(event["target"], json!({"username": person.id, "dn": person.dn}));
    assert_eq!(event["via"], "api");
    assert_eq!(event["client"], "127.0.0.1");
    assert_eq!(event["details"]["temporary"], true);
    assert!(event["requestId"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(event["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(event["hash"].as_str().unwrap().len(), 64);

    let store = format!("sqlite:{}", app.audit_db().display());
    let (code, text) = verify(&dir, &store);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("the audit chain holds"), "{text}");

    // An outcome edited in the store breaks the chain at that event.
    let id = event["id"].as_i64().unwrap();
    sqlite(&app.audit_db(), &format!("UPDATE audit_events SET outcome = 'forbidden' WHERE id = {id}")).await;
    let (code, text) = verify(&dir, &store);
    assert_eq!((code, text.trim()), (1, format!("first bad event: {id}").as_str()));

    // The auditor may read, and nothing else.
    let refused = app.persons(&person.id, Some(&auditor), body("Other-Passw0rd-2")).await;
    refused.assert_persons_error(403, "forbidden");
    assert!(dir.binds(&person.dn, NEW).await);
    // Someone neither auditor nor admin may not read.
    let nobody = dir.add_person("nobody", false).await;
    trail(&app, &basic(&nobody.uid, SEED_PASSWORD), "").await.assert_persons_error(403, "forbidden");
    trail(&app, "Bearer nonsense", "").await.assert_persons_error(401, "unauthenticated");
    // A store that cannot be read is exit 2.
    let (code, _) = verify(&dir, "postgres://nobody@127.0.0.1:1/none");
    assert_eq!(code, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_event_is_found_by_the_one_after_the_gap() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    for _ in 0..3 {
        assert_eq!(app.login("helpdesk1", SEED_PASSWORD).await.status, 200);
    }
    let store = format!("sqlite:{}", app.audit_db().display());
    assert_eq!(verify(&dir, &store).0, 0);
    sqlite(&app.audit_db(), "DELETE FROM audit_events WHERE id = 2").await;
    let (code, text) = verify(&dir, &store);
    assert_eq!((code, text.trim()), (1, "first bad event: 3"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_hold_every_event_once_and_export_as_csv_and_ocsf() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let admin = basic("helpdesk1", SEED_PASSWORD);
    for _ in 0..5 {
        assert_eq!(app.login("helpdesk1", SEED_PASSWORD).await.status, 200);
    }
    let mut seen = Vec::new();
    let mut query = "?action=login&limit=2".to_owned();
    loop {
        let answer = trail(&app, &admin, &query).await;
        let page = events(&answer);
        assert!(page.len() <= 2);
        seen.extend(page.iter().map(|e| e["id"].as_i64().unwrap()));
        match answer.body["next"].as_str() {
            Some(next) => query = format!("?action=login&limit=2&after={next}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0] > w[1]), "newest first, each once: {seen:?}");

    let csv = app
        .http
        .get(app.url("/api/v1/audit?action=login"))
        .header("authorization", &admin)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = csv.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("id,at,action,outcome,actor,target_username,target_dn,client,request_id,via,details")
    );
    assert_eq!(lines.count(), 5);

    let ocsf = app
        .http
        .get(app.url("/api/v1/audit?format=ocsf"))
        .header("authorization", &admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let ocsf: Vec<Value> = ocsf.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(ocsf.len(), 5, "the logins; the trail's reads are no events");
    assert!(
        ocsf.iter()
            .all(|e| e["class_uid"] == 3002 && e["activity_id"] == 1 && e["user"]["name"] == "helpdesk1")
    );

    for bad in ["?limit=0", "?since=yesterday", "?action=drop", "?after=x", "?format=xml", "?unknown=1"] {
        trail(&app, &admin, bad).await.assert_persons_error(400, "invalid_request");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_reads_the_events_of_their_reach_and_their_own() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, |settings| {
        settings.authorization.delegation = vec![DelegationSettings {
            group: HELPDESK_PARIS.into(),
            bases: vec![PARIS.into()],
            filter: String::new(),
            unlock: Allowance::Never,
            must_change: Allowance::Optional,
            disable: pwproxy::access::Permission::Never,
        }];
    })
    .await;
    let in_paris = dir.add_person_in(PARIS, "paris", false, &[]).await;
    let in_lyon = dir.add_person_in(LYON, "lyon", false, &[]).await;
    let helpdesk = basic("helpdesk1", SEED_PASSWORD);
    for person in [&in_paris, &in_lyon] {
        assert_eq!(app.persons(&person.id, Some(&helpdesk), body(NEW)).await.status, 200);
    }
    let paris_agent = basic("paris-agent", SEED_PASSWORD);
    assert_eq!(app.login("paris-agent", SEED_PASSWORD).await.status, 200);

    let seen = events(&trail(&app, &paris_agent, "").await);
    let dns: Vec<&str> = seen.iter().filter_map(|e| e["target"]["dn"].as_str()).collect();
    assert!(dns.contains(&in_paris.dn.as_str()), "{seen:?}");
    assert!(!dns.contains(&in_lyon.dn.as_str()), "{seen:?}");
    assert!(seen.iter().any(|e| e["action"] == "login" && e["actor"] == "paris-agent"), "{seen:?}");
    assert!(!seen.iter().any(|e| e["action"] == "login" && e["actor"] == "helpdesk1"), "{seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_store_the_trail_is_not_found() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, |s| s.audit.store = SecretString::from("none")).await;
    trail(&app, &basic("helpdesk1", SEED_PASSWORD), "").await.assert_persons_error(404, "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_the_reset_and_writes_nothing() {
    let dir = TestDirectory::start().await;
    let disk = tempfile::tempdir().unwrap();
    let mounted =
        Command::new("mount").args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"]).arg(disk.path()).status();
    assert!(mounted.unwrap().success(), "a small tmpfs is needed (run as root)");
    let db = disk.path().join("audit.db");
    let store = format!("sqlite:{}", db.display());
    let app = TestApp::spawn_with(&dir, move |s| s.audit.store = SecretString::from(store)).await;
    let person = dir.add_person("full-disk", false).await;
    // Fill what is left of the disk.
    let filler = disk.path().join("filler");
    let _ =
        Command::new("dd").arg("if=/dev/zero").arg(format!("of={}", filler.display())).arg("bs=4k").output();

    let answer = app.persons(&person.id, Some(&basic("helpdesk1", SEED_PASSWORD)), body(NEW)).await;
    answer.assert_persons_error(503, "audit_unavailable");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await, "nothing was written");
    let metrics = app.get("/metrics").await.body.as_str().unwrap().to_owned();
    assert!(
        metrics.contains("pwproxy_audit_store_failures_total 1")
            || metrics.contains("pwproxy_audit_store_failures_total 2"),
        "{metrics}"
    );

    // Room again: the next reset is written and stored.
    std::fs::remove_file(&filler).unwrap();
    let answer = app.persons(&person.id, Some(&basic("helpdesk1", SEED_PASSWORD)), body(NEW)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    drop(app);
    let _ = Command::new("umount").arg("-l").arg(disk.path()).status();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_sqlite_file_make_one_chain() {
    let dir = TestDirectory::start().await;
    let folder = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", folder.path().join("shared.db").display());
    let toml = with_store(&dir.config_toml(), &store);
    let binary = env!("CARGO_BIN_EXE_pwproxy");
    let first = PwproxyProcess::start(binary, &toml, &[], Output::Quiet).await;
    let second = PwproxyProcess::start(binary, &toml, &[], Output::Quiet).await;
    let people = [dir.add_person("shared-a", false).await, dir.add_person("shared-b", false).await];
    let http = reqwest::Client::new();
    let resets = people.iter().enumerate().flat_map(|(i, person)| {
        [(0, &first), (1, &second)].map(|(j, process)| {
            let http = http.clone();
            let url = format!("{}/actions/persons/{}/change-password", process.base, person.id);
            let password = format!("Common-Passw0rd-{i}{j}");
            async move {
                http.post(url)
                    .header("authorization", basic("helpdesk1", SEED_PASSWORD))
                    .json(&body(&password))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        })
    });
    let statuses = futures::future::join_all(resets).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let (code, text) = verify(&dir, &store);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains(": 4 events"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_keeps_the_trail_and_its_absence_refuses_writes() {
    // A cluster of its own: it is stopped mid-test.
    let server = postgres::PostgresServer::start();
    let url = server.database();
    let dir = TestDirectory::start().await;
    let (group, auditor) = auditor(&dir).await;
    let store = url.clone();
    let app = TestApp::spawn_with(&dir, move |s| {
        s.audit.store = SecretString::from(store);
        s.authorization.auditor_groups = vec![group];
    })
    .await;
    app.remember_secret(postgres::DATABASE_PASSWORD);
    let person = dir.add_person("pg", false).await;
    let helpdesk = basic("helpdesk1", SEED_PASSWORD);
    assert_eq!(app.persons(&person.id, Some(&helpdesk), body(NEW)).await.status, 200);
    let found = events(&trail(&app, &auditor, &format!("?person={}&action=reset", person.uid)).await);
    assert_eq!((found.len(), found[0]["outcome"].as_str()), (1, Some("ok")));
    assert_eq!(
        server.psql(&url, "SELECT count(*) FROM audit_events WHERE action = 'reset' AND seq IS NOT NULL"),
        "1"
    );
    assert_eq!(verify(&dir, &url).0, 0);

    // The database goes away: a write is refused and nothing written.
    server.halt();
    let answer = app.persons(&person.id, Some(&helpdesk), body("Second-Passw0rd-2")).await;
    answer.assert_persons_error(503, "audit_unavailable");
    assert!(dir.binds(&person.dn, NEW).await, "the old password still binds");
    server.resume();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let answer = app.persons(&person.id, Some(&helpdesk), body("Second-Passw0rd-2")).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(verify(&dir, &url).0, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_not_required_is_logged_and_counted_and_the_reset_goes_on() {
    let server = postgres::shared();
    let url = server.database();
    let dir = TestDirectory::start().await;
    let store = url.clone();
    let app = TestApp::spawn_with(&dir, move |s| {
        s.audit.store = SecretString::from(store);
        s.audit.required = false;
    })
    .await;
    app.remember_secret(postgres::DATABASE_PASSWORD);
    let person = dir.add_person("pg-optional", false).await;
    // The store's table renamed under it: every event fails, the cluster stays.
    server.psql(&url, "ALTER TABLE audit_events RENAME TO audit_events_gone");
    let answer = app.persons(&person.id, Some(&basic("helpdesk1", SEED_PASSWORD)), body(NEW)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dir.binds(&person.dn, NEW).await);
    let metrics = app.get("/metrics").await.body.as_str().unwrap().to_owned();
    let failures = metrics
        .lines()
        .find_map(|l| l.strip_prefix("pwproxy_audit_store_failures_total "))
        .and_then(|n| n.parse::<u64>().ok());
    assert!(failures.is_some_and(|n| n >= 2), "the attempt and the event: {metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auditor_reads_the_activity_in_the_console_and_may_do_nothing_else() {
    use pwproxy_testkit::console::ConsoleClient;
    let dir = TestDirectory::start().await;
    let person = dir.add_person("auditor-console", false).await;
    let group = format!("cn=trail-{},{PEOPLE_GROUPS}", &person.uid);
    dir.add_entry(&group, vec![("objectClass", vec!["groupOfNames"]), ("member", vec![person.dn.as_str()])])
        .await;
    let app = TestApp::spawn_with(&dir, with_auditors(&group)).await;
    let target = dir.add_person("watched", false).await;
    assert_eq!(
        app.persons(&target.id, Some(&basic("helpdesk1", SEED_PASSWORD)), body(NEW)).await.status,
        200
    );

    let mut console = ConsoleClient::new(&app.url(""));
    let signed_in = console.sign_in(&person.uid, SEED_PASSWORD).await;
    assert_eq!(signed_in.status, 303, "an auditor signs in");
    let page = console.get(&format!("/console/activity?person={}&action=reset", target.uid)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&target.uid) && page.body.contains("helpdesk1"), "{}", page.body);
    let csv = console.get(&format!("/console/activity.csv?person={}", target.uid)).await;
    assert_eq!(csv.status, 200);
    assert!(csv.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(csv.body.starts_with("id,at,action,outcome,actor,target_username"), "{}", csv.body);
    assert_eq!(csv.body.lines().count(), 2, "{}", csv.body);
    // Nothing else: a search is refused, and the session stays.
    let search = console.get("/console/search?q=watched").await;
    assert_eq!(search.status, 403);
    assert!(search.body.contains("not a helpdesk admin"), "{}", search.body);
    assert_eq!(console.get("/console/activity").await.status, 200);
    let bad = console.get("/console/activity?since=yesterday").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("RFC 3339"), "{}", bad.body);
}

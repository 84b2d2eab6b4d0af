//! Generated passwords and the mail after a reset, against the real slapd
//! and a real SMTP server (aiosmtpd) that takes, refuses, defers or stalls.

use std::time::{Duration, Instant};

use pwproxy::config::{NotifySettings, Settings};
use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;
use pwproxy_testkit::smtp::SmtpServer;
use serde_json::{Value, json};

const NEW: &str = "Fresh-Passw0rd-1";
const CONTACT: &str = "the IT desk on 555-0100";
/// notify.timeout_secs in these tests: a stalled server is given up on.
const TIMEOUT_SECS: u64 = 2;

pub(crate) fn mailing(url: String, ca_file: Option<std::path::PathBuf>) -> impl FnOnce(&mut Settings) {
    move |settings| {
        settings.notify = Some(NotifySettings {
            smtp_url: url.into(),
            from: "Helpdesk <helpdesk@example.org>".into(),
            timeout_secs: TIMEOUT_SECS,
            mail_attribute: "mail".into(),
            templates_dir: None,
            ca_file,
            contact: CONTACT.into(),
        });
    }
}

pub(crate) fn typed(password: &str) -> Value {
    json!({ "password": password, "password_2": password })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_tells_the_person_who_and_when_but_never_the_password() {
    let (dir, smtp) = (TestDirectory::start().await, SmtpServer::start());
    let app = TestApp::spawn_with(&dir, mailing(smtp.url(""), None)).await;
    let person = dir.add_person("notified", true).await;

    let answer = app.persons(&person.id, Some(&app.bearer("helpdesk1").await), typed(NEW)).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body, json!({ "success": true, "notification": { "status": "sent" } }));
    assert!(dir.binds(&person.dn, NEW).await);
    let mails = smtp.wait_for(1, Duration::from_secs(5));
    let [mail] = mails.as_slice() else { panic!("one mail: {mails:?}") };
    assert_eq!(mail.to, [person.mail.clone().unwrap()]);
    assert_eq!(mail.subject, "Your password was reset");
    assert_eq!(mail.message_id, format!("<{}@example.org>", answer.request_id()));
    for part in [&mail.text, &mail.html] {
        for expected in [person.uid.as_str(), "helpdesk1", CONTACT, &answer.request_id()] {
            assert!(part.contains(expected), "{expected} is missing: {part}");
        }
    }
    assert!(!mail.raw.contains(NEW), "the notice never holds the password");
    let metrics = app.get("/metrics").await.body;
    assert!(
        metrics.as_str().unwrap().contains("pwproxy_notifications_total{status=\"sent\"} 1"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_password_passes_the_directorys_policy_is_temporary_and_is_answered_once() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let by_name = dir.add_person("generated", true).await;
    let by_id = dir.add_person("generated", false).await;

    let answer = app
        .users(
            None,
            json!({ "userName": by_name.uid, "generate": true, "adminPassword": SEED_PASSWORD, "adminUserName": "helpdesk1" }),
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let password = answer.body["generatedPassword"].as_str().unwrap().to_owned();
    assert_eq!(password.chars().count(), 20);
    assert!(answer.body.get("notification").is_none(), "no [notify]: {answer:?}");
    assert!(dir.binds(&by_name.dn, &password).await, "slapd's ppolicy (quality 2, 10+) took it");
    assert!(!dir.binds(&by_name.dn, SEED_PASSWORD).await);
    assert_eq!(dir.attribute(&by_name.dn, "pwdReset").await.as_deref(), Some("TRUE"));

    let basic_auth = basic("helpdesk1", SEED_PASSWORD);
    let answer =
        app.persons(&by_id.id, Some(&basic_auth), json!({ "generate": true, "deliver": "response" })).await;
    let other = answer.body["generated_password"].as_str().unwrap();
    assert_ne!(other, password);
    assert!(dir.binds(&by_id.dn, other).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mailed_password_reaches_only_the_person() {
    let (dir, smtp) = (TestDirectory::start().await, SmtpServer::start());
    let app = TestApp::spawn_with(&dir, mailing(smtp.url(""), None)).await;
    let person = dir.add_person("mailed", true).await;

    let body = json!({ "generate": true, "deliver": "mail", "temporary": true });
    let answer = app.persons(&person.id, Some(&app.bearer("helpdesk1").await), body).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body, json!({ "success": true, "notification": { "status": "sent" } }));
    let mails = smtp.wait_for(1, Duration::from_secs(5));
    let [mail] = mails.as_slice() else { panic!("one mail: {mails:?}") };
    assert_eq!(mail.subject, "Your new password");
    let password =
        mail.text.lines().map(str::trim).find(|l| l.chars().count() == 20).expect("the password line");
    app.remember_secret(password);
    assert!(mail.html.contains(password));
    assert!(dir.binds(&person.dn, password).await);
    assert!(dir.must_change(&person.dn, password).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mailing_to_nobody_is_refused_before_anything_is_written() {
    let (dir, smtp) = (TestDirectory::start().await, SmtpServer::start());
    let app = TestApp::spawn_with(&dir, mailing(smtp.url(""), None)).await;
    let person = dir.add_person("no-mail", false).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);

    let answer = app.persons(&person.id, Some(&auth), json!({ "generate": true, "deliver": "mail" })).await;
    answer.assert_persons_error(400, "no_mail_address");
    for (body, why) in [
        (json!({ "generate": true, "password": NEW, "password_2": NEW }), "both"),
        (json!({ "password": NEW, "password_2": NEW, "deliver": "mail" }), "deliver alone"),
        (json!({ "generate": true, "deliver": "pigeon" }), "an unknown delivery"),
    ] {
        let answer = app.persons(&person.id, Some(&auth), body).await;
        assert_eq!(answer.body["code"], "invalid_request", "{why}: {answer:?}");
    }
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await, "nothing was written");
    // A typed reset of someone without an address: done, and said to be skipped.
    let answer = app.persons(&person.id, Some(&auth), typed(NEW)).await;
    assert_eq!(answer.body["notification"]["status"], "skipped", "{answer:?}");
    assert!(smtp.received().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mail_fault_leaves_the_reset_done_and_says_so_within_the_deadline() {
    let (dir, smtp) = (TestDirectory::start().await, SmtpServer::start());
    let app = TestApp::spawn_with(&dir, mailing(smtp.url(""), None)).await;
    let closed = SmtpServer::start();
    let closed_url = closed.url("");
    drop(closed);
    let nowhere = TestApp::spawn_with(&dir, mailing(closed_url, None)).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);

    for (server, fault, expected) in [
        (&app, "refuse", "refused the mail (550)"),
        (&app, "busy", "could not take the mail now (451)"),
        (&app, "stall", "within 2 seconds"),
        (&nowhere, "closed", "could not be reached"),
    ] {
        let mail = format!("test+{fault}@example.org");
        let person = dir.add_person_in(PEOPLE, fault, false, &[("mail", mail.as_str())]).await;
        let started = Instant::now();
        let answer = server.persons(&person.id, Some(&auth), typed(NEW)).await;
        assert!(
            started.elapsed() < Duration::from_secs(TIMEOUT_SECS + 2),
            "{fault}: {:?}",
            started.elapsed()
        );
        assert_eq!(answer.status, 200, "{fault}: {answer:?}");
        assert_eq!(answer.body["notification"]["status"], "failed", "{fault}: {answer:?}");
        let reason = answer.body["notification"]["reason"].as_str().unwrap();
        assert!(reason.contains(expected), "{fault}: {reason}");
        assert!(dir.binds(&person.dn, NEW).await, "{fault}: the reset stands");

        // A generated password that could not be delivered is never shown instead.
        let answer =
            server.persons(&person.id, Some(&auth), json!({ "generate": true, "deliver": "mail" })).await;
        assert_eq!(answer.body["notification"]["status"], "failed", "{fault}: {answer:?}");
        assert!(answer.body["notification"]["reason"].as_str().unwrap().contains("reset again"));
        assert!(answer.body.get("generated_password").is_none());
        assert!(!dir.binds(&person.dn, NEW).await, "{fault}: the generated one was written");
    }
    assert!(smtp.received().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_can_be_required_and_the_relay_checked() {
    let dir = TestDirectory::start_own().await;
    let (certificate, key) = dir.own().server_certificate();
    let smtp = SmtpServer::start_tls(&certificate, &key);
    let url = format!("smtp://localhost:{}?tls=required", smtp.port);
    let app = TestApp::spawn_with(&dir, mailing(url.clone(), Some(dir.own().ca_file()))).await;
    let person = dir.add_person("tls", true).await;

    let answer = app.persons(&person.id, Some(&basic("helpdesk1", SEED_PASSWORD)), typed(NEW)).await;

    assert_eq!(answer.body["notification"]["status"], "sent", "{answer:?}");
    assert_eq!(smtp.wait_for(1, Duration::from_secs(5)).len(), 1);
    // Without the CA the relay's certificate is not trusted: no mail, the reset stands.
    let untrusted = TestApp::spawn_with(&dir, mailing(url, None)).await;
    let answer = untrusted
        .persons(&person.id, Some(&basic("helpdesk1", SEED_PASSWORD)), typed("Fresh-Passw0rd-2"))
        .await;
    assert_eq!(answer.body["notification"]["status"], "failed", "{answer:?}");
    assert!(dir.binds(&person.dn, "Fresh-Passw0rd-2").await);
}

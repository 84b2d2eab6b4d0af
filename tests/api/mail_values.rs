//! Directory values are input like any other: a name holding a line break
//! or an address mail cannot go to never loses a reset's answer, never
//! leaves a password nobody knows, and never adds a header.

use std::time::Duration;

use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;
use pwproxy_testkit::smtp::SmtpServer;
use serde_json::json;

use super::mail::{mailing, typed};

const NEW: &str = "Fresh-Passw0rd-1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_with_a_line_break_is_answered_and_mailed_on_one_line() {
    let (dir, smtp) = (TestDirectory::start().await, SmtpServer::start());
    let app = TestApp::spawn_with(&dir, mailing(smtp.url(""), None)).await;
    let injected = "Hugo\r\nBcc: evil@example.net";
    let extra = [("displayName", injected), ("cn", injected)];
    let person = dir.add_person_in(PEOPLE, "hugo", true, &extra).await;
    let bearer = app.bearer("helpdesk1").await;

    let answer = app.persons(&person.id, Some(&bearer), typed(NEW)).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["notification"]["status"], "sent", "{answer:?}");
    assert!(dir.binds(&person.dn, NEW).await);
    let mails = smtp.wait_for(1, Duration::from_secs(5));
    let [mail] = mails.as_slice() else { panic!("one mail: {mails:?}") };
    assert_eq!(mail.to, [person.mail.clone().unwrap()], "the person only, no Bcc");
    assert!(mail.header_to.contains("Hugo Bcc: evil@example.net"), "one line: {}", mail.header_to);
    let raw = mail.raw.replace("\r\n", "\n");
    let headers = raw.split("\n\n").next().unwrap_or_default().to_lowercase();
    assert!(!headers.lines().any(|line| line.starts_with("bcc:")), "{headers}");

    // A generated password mailed to the same person: delivered too.
    let body = json!({ "generate": true, "deliver": "mail" });
    let answer = app.persons(&person.id, Some(&bearer), body).await;
    assert_eq!(answer.body["notification"]["status"], "sent", "{answer:?}");
    assert_eq!(smtp.wait_for(2, Duration::from_secs(5)).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_mail_cannot_go_to_is_no_address() {
    let (dir, smtp) = (TestDirectory::start().await, SmtpServer::start());
    let app = TestApp::spawn_with(&dir, mailing(smtp.url(""), None)).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);

    for unusable in ["not-an-address", "two words@example.org", "ned@"] {
        let person = dir.add_person_in(PEOPLE, "badmail", false, &[("mail", unusable)]).await;
        let body = json!({ "generate": true, "deliver": "mail" });
        let answer = app.persons(&person.id, Some(&auth), body).await;
        answer.assert_persons_error(400, "no_mail_address");
        assert!(dir.binds(&person.dn, SEED_PASSWORD).await, "{unusable}: nothing was written");
        // A typed reset is done, and the notice is said to be skipped.
        let answer = app.persons(&person.id, Some(&auth), typed(NEW)).await;
        assert_eq!(answer.status, 200, "{unusable}: {answer:?}");
        assert_eq!(answer.body["notification"]["status"], "skipped", "{unusable}: {answer:?}");
        assert!(dir.binds(&person.dn, NEW).await);
    }
    assert!(smtp.received().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_with_a_password_or_a_person_are_never_cached() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("nocache", true).await;
    let bearer = app.bearer("helpdesk1").await;

    let generated = app.persons(&person.id, Some(&bearer), json!({ "generate": true })).await;
    assert_eq!(generated.status, 200, "{generated:?}");
    app.remember_secret(generated.body["generated_password"].as_str().unwrap());
    let by_name = app
        .users(
            None,
            json!({ "userName": person.uid, "generate": true, "adminPassword": SEED_PASSWORD, "adminUserName": "helpdesk1" }),
        )
        .await;
    app.remember_secret(by_name.body["generatedPassword"].as_str().unwrap());
    let token = app.login("helpdesk1", SEED_PASSWORD).await;
    let shown = app.lookup(&format!("/actions/persons/{}", person.id), Some(&bearer)).await;
    let found = app.lookup("/api/v1/users?q=nocache", Some(&bearer)).await;
    let refused = app.lookup("/api/v1/users?q=nocache", None).await;
    for (what, answer) in [
        ("generated", generated),
        ("by name", by_name),
        ("token", token),
        ("shown", shown),
        ("found", found),
        ("refused", refused),
    ] {
        assert_eq!(answer.headers["cache-control"], "no-store", "{what}: {answer:?}");
    }
}

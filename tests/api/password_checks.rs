//! pwproxy's own password checks (NIST SP 800-63B rev. 4) against the real
//! OpenLDAP fixture: refusals change nothing, and the password written is
//! exactly the one sent.

use std::io::Write;

use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;
use serde_json::json;

fn persons_body(password: &str) -> serde_json::Value {
    json!({ "password": password, "password_2": password })
}

fn users_body(user: &str, password: &str) -> serde_json::Value {
    json!({ "userName": user, "password": password, "adminUserName": "helpdesk1", "adminPassword": SEED_PASSWORD })
}

fn violation_codes(answer: &Answer) -> Vec<String> {
    answer.body["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["code"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn common_passwords_are_refused_on_both_endpoints_whatever_their_case_or_width() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;

    for common in ["Welcome123", "ｐａｓｓｗｏｒｄ１２３"] {
        let answer =
            app.persons(&person.id, Some(&basic("helpdesk1", SEED_PASSWORD)), persons_body(common)).await;
        let message = answer.assert_persons_error(400, "password_policy");
        assert_eq!(violation_codes(&answer), ["password_blocklisted"]);
        assert!(!message.to_lowercase().contains("welcome"), "{message}");
        assert!(!answer.body.to_string().contains(common), "the password is never quoted");
    }
    let answer = app.users(None, users_body(&person.uid, "qwertyuiop")).await;
    let details = answer.assert_users_error(400, "password_policy", "Bad Request");
    assert!(details.contains_key("password_blocklisted"), "{details:?}");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await, "nothing was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn words_of_the_persons_own_entry_are_refused_without_another_round_trip() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person =
        dir.add_person_in(PEOPLE, "target", true, &[("givenName", "Quentin"), ("sn", "Marsupial")]).await;

    let helpdesk1 = basic("helpdesk1", SEED_PASSWORD);
    let refuse = || app.persons(&person.id, Some(&helpdesk1), persons_body("Marsupial-Rocks-42"));
    // The first request fills the connection pools; the second is counted.
    refuse().await.assert_persons_error(400, "password_policy");
    let answer = refuse().await;
    answer.assert_persons_error(400, "password_policy");
    assert_eq!(violation_codes(&answer), ["password_contains_personal_info"]);
    // find the admin and the target (with the words) together, bind, the
    // groups of both: no write.
    assert_eq!(exchanges_of(&answer.request_id()), 3);
    let answer = app.users(None, users_body(&person.uid, "i-am-QUENTIN-2026")).await;
    let details = answer.assert_users_error(400, "password_policy", "Bad Request");
    assert!(details.contains_key("password_contains_personal_info"), "{details:?}");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_with_compatibility_characters_is_written_byte_for_byte() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;
    let sent = "Ｆｕｌｌｗｉｄｔｈ-Ｐａｓｓ-42";
    let normalized = "Fullwidth-Pass-42";

    let answer = app.persons(&person.id, Some(&basic("helpdesk1", SEED_PASSWORD)), persons_body(sent)).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dir.binds(&person.dn, sent).await, "it binds as sent");
    assert!(!dir.binds(&person.dn, normalized).await, "its NFKC form does not");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operators_list_is_refused_too() {
    let dir = TestDirectory::start().await;
    let mut list = tempfile::NamedTempFile::new().unwrap();
    list.write_all(b"Summer-Corp-2026\nHunter2hunter2\n").unwrap();
    let path = list.path().to_owned();
    let app = TestApp::spawn_with(&dir, |settings| settings.policy.blocklist_files = vec![path]).await;
    let person = dir.add_person("target", true).await;

    let answer = app
        .persons(&person.id, Some(&basic("helpdesk1", SEED_PASSWORD)), persons_body("SUMMER-CORP-2026"))
        .await;

    answer.assert_persons_error(400, "password_policy");
    assert_eq!(violation_codes(&answer), ["password_blocklisted"]);
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

//! Callers acting at once on one person: never a 5xx, and the password that
//! binds is one that was acknowledged, never one that was refused. (Which of
//! the acknowledged ones is the directory's order: a client cannot tell the
//! order of answers that cross on the wire.)

use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_resets_of_one_person_all_get_a_definite_answer() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, |settings| settings.policy.must_change = false).await;
    let person = dir.add_person("target", true).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);

    // Eight: the binds that prove it fail seven times, well under the
    // fixture's lockout (pwdMaxFailure 20).
    let requests = (0..8).map(|i| {
        let password = format!("Concurrent-Passw0rd-{i:02}");
        let body = json!({ "password": password, "password_2": password });
        let (app, auth, id) = (&app, &auth, &person.id);
        async move { (password, app.persons(id, Some(auth), body).await, std::time::Instant::now()) }
    });
    let answers = futures::future::join_all(requests).await;

    for (_, answer, _) in &answers {
        assert!(answer.status < 500, "{answer:?}");
    }
    let mut bound = Vec::new();
    for (password, answer, _) in &answers {
        if dir.binds(&person.dn, password).await {
            bound.push((password, answer.status));
        }
    }
    assert_eq!(bound.len(), 1, "{bound:?}");
    assert_eq!(bound[0].1, 200, "the password that binds was acknowledged");
}

/// With one write slot, resets of different people that arrive together
/// queue for it (the admin's own bound connection held meanwhile) and all
/// land: every new password binds, no old one does.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn resets_beyond_the_write_slots_wait_their_turn_and_all_land() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, |settings| {
        settings.policy.must_change = false;
        settings.ldap.max_concurrent_writes = 1;
    })
    .await;
    let mut people = Vec::new();
    for _ in 0..8 {
        people.push(dir.add_person("queued", false).await);
    }
    let token = app.bearer("helpdesk1").await;
    let requests = people.iter().enumerate().map(|(i, person)| {
        let password = format!("Turn-Taking-Passw0rd-{i:02}");
        let (app, token) = (&app, &token);
        async move {
            let answer = if i % 2 == 0 {
                let body = json!({
                    "userName": person.uid, "password": password,
                    "adminPassword": SEED_PASSWORD, "adminUserName": "helpdesk1",
                });
                app.users(None, body).await
            } else {
                let body = json!({ "password": password, "password_2": password });
                app.persons(&person.id, Some(token), body).await
            };
            (person, password, answer)
        }
    });
    for (person, password, answer) in futures::future::join_all(requests).await {
        assert_eq!(answer.status, 200, "{answer:?}");
        assert!(dir.binds(&person.dn, &password).await, "{}'s new password binds", person.uid);
        assert!(!dir.binds(&person.dn, SEED_PASSWORD).await, "{}'s old one does not", person.uid);
    }
}

//! The directory down at start-up, frozen, killed mid-traffic: 503s within
//! the timeout, never a 500, and recovery when it is back.

use std::time::{Duration, Instant};

use serde_json::json;

use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;

use super::hardening::{NEW, limits, persons_body, users_body};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pwproxy_starts_while_the_directory_is_down_and_becomes_ready_when_it_appears() {
    let dir = TestDirectory::start_own().await;
    dir.stop();
    let app = TestApp::spawn(&dir).await;

    assert_eq!(app.get("/healthz").await.status, 200);
    assert_eq!(app.get("/readyz").await.status, 503);
    dir.restart();
    assert_eq!(app.get("/readyz").await.status, 200);
    let person = dir.add_person("target", true).await;
    let answer = app.persons(&person.id, Some(&basic("helpdesk1", SEED_PASSWORD)), persons_body()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_directory_answers_503_within_the_timeout_and_recovers_when_it_thaws() {
    let dir = TestDirectory::start_own().await;
    let app = TestApp::spawn(&dir).await; // timeout_secs = 2
    let person = dir.add_person("target", true).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);
    // Warm the connection pool, so frozen pooled connections are exercised too.
    assert_eq!(app.get("/readyz").await.status, 200);

    dir.freeze();
    let started = Instant::now();
    let (a, b, c) = tokio::join!(
        app.persons(&person.id, Some(&auth), persons_body()),
        app.users(None, users_body(&person.uid, "helpdesk1", SEED_PASSWORD)),
        app.get("/readyz"),
    );
    let elapsed = started.elapsed();
    dir.thaw();

    a.assert_persons_error(503, "directory_unavailable");
    b.assert_users_error(503, "directory_unavailable", "Service Unavailable");
    assert_eq!(c.status, 503);
    assert!(elapsed < Duration::from_secs(3), "answered within timeout_secs + 1 s: {elapsed:?}");
    let answer = app.persons(&person.id, Some(&auth), persons_body()).await;
    assert_eq!(answer.status, 200, "recovered without a restart: {answer:?}");
    assert!(dir.binds(&person.dn, NEW).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directory_killed_mid_traffic_gives_503s_and_recovers_when_restarted() {
    let dir = TestDirectory::start_own().await;
    let app = TestApp::spawn_with(&dir, limits(10_000, 10_000)).await;
    let mut people = Vec::new();
    for _ in 0..8 {
        people.push(dir.add_person("target", true).await);
    }
    let auth = basic("helpdesk1", SEED_PASSWORD);

    let traffic = async {
        let mut statuses = Vec::new();
        for round in 0..6 {
            let requests = people.iter().map(|p| {
                let password = format!("Round-{round}-Passw0rd");
                app.persons(&p.id, Some(&auth), json!({ "password": password, "password_2": password }))
            });
            statuses.extend(futures::future::join_all(requests).await.into_iter().map(|a| a.status));
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        statuses
    };
    let chaos = async {
        tokio::time::sleep(Duration::from_millis(60)).await;
        dir.stop();
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let (statuses, ()) = tokio::join!(traffic, chaos);

    assert!(statuses.iter().all(|s| *s == 200 || *s == 503), "{statuses:?}");
    assert!(statuses.contains(&503), "the kill was felt: {statuses:?}");
    dir.restart();
    let answer = app.persons(&people[0].id, Some(&auth), persons_body()).await;
    assert_eq!(answer.status, 200, "recovered: {answer:?}");
}

//! Replicas sharing their failure counters through a real Redis, and
//! concurrent resets through all of them.

use std::time::{Duration, Instant};

use pwproxy::config::Settings;
use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;
use pwproxy_testkit::redis::RedisServer;
use secrecy::SecretString;
use serde_json::json;

fn shared(redis: &RedisServer, per_name: u32) -> impl Fn(&mut Settings) + Clone {
    let url = redis.url();
    move |settings: &mut Settings| {
        settings.rate_limit.store = SecretString::from(url.clone());
        settings.rate_limit.failures_per_name = per_name;
        settings.rate_limit.failures_per_address = 1000;
    }
}

async fn replicas(dir: &TestDirectory, tweak: impl Fn(&mut Settings) + Clone) -> [TestApp; 3] {
    [
        TestApp::spawn_with(dir, tweak.clone()).await,
        TestApp::spawn_with(dir, tweak.clone()).await,
        TestApp::spawn_with(dir, tweak).await,
    ]
}

async fn scrape(app: &TestApp) -> String {
    app.get("/metrics").await.body.as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_spread_over_replicas_count_together_and_lock_everywhere() {
    let redis = RedisServer::start();
    let dir = TestDirectory::start().await;
    let apps = replicas(&dir, shared(&redis, 3)).await;

    for app in &apps {
        app.login("helpdesk1", "Wrong-Guess-123").await.assert_persons_error(401, "unauthenticated");
    }
    // Three failures in all: the name is locked on every replica, right
    // password or not.
    for app in &apps {
        let answer = app.login("helpdesk1", SEED_PASSWORD).await;
        answer.assert_persons_error(429, "rate_limited");
        assert!(answer.headers.contains_key("retry-after"));
    }
    assert!(scrape(&apps[0]).await.contains("pwproxy_rate_limit_store_up 1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_each_replica_counts_alone_and_shares_again_when_it_returns() {
    let redis = RedisServer::start();
    let dir = TestDirectory::start().await;
    let apps = replicas(&dir, shared(&redis, 2)).await;
    let person = dir.add_person("target", true).await;
    let agent = dir.add_person("agent", false).await;
    dir.set_membership(HELPDESK, &agent.dn, true).await;

    redis.kill();
    // No request fails for Redis, and none waits long for it.
    let started = Instant::now();
    let answer = apps[0]
        .persons(
            &person.id,
            Some(&basic("helpdesk1", SEED_PASSWORD)),
            json!({ "password": "Fresh-Passw0rd-1", "password_2": "Fresh-Passw0rd-1" }),
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    // Counting is local meanwhile: two failures on one replica lock it
    // there, and not on another.
    for _ in 0..2 {
        apps[0].login(&agent.uid, "Wrong-Guess-123").await.assert_persons_error(401, "unauthenticated");
    }
    apps[0].login(&agent.uid, SEED_PASSWORD).await.assert_persons_error(429, "rate_limited");
    assert_eq!(apps[1].login(&agent.uid, SEED_PASSWORD).await.status, 200);
    assert!(scrape(&apps[0]).await.contains("pwproxy_rate_limit_store_up 0"));

    redis.restart();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    // Shared again: failures on two replicas lock the third.
    let other = dir.add_person("agent", false).await;
    dir.set_membership(HELPDESK, &other.dn, true).await;
    apps[1].login(&other.uid, "Wrong-Guess-123").await.assert_persons_error(401, "unauthenticated");
    apps[2].login(&other.uid, "Wrong-Guess-123").await.assert_persons_error(401, "unauthenticated");
    apps[0].login(&other.uid, SEED_PASSWORD).await.assert_persons_error(429, "rate_limited");
    assert!(scrape(&apps[1]).await.contains("pwproxy_rate_limit_store_up 1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_resets_of_two_people_through_every_replica_never_fail() {
    let redis = RedisServer::start();
    let dir = TestDirectory::start().await;
    let apps = replicas(&dir, shared(&redis, 1000)).await;
    let people = [dir.add_person("target", true).await, dir.add_person("target", true).await];
    let auth = basic("helpdesk1", SEED_PASSWORD);

    let requests = (0..12).map(|i| {
        let (app, person) = (&apps[i % 3], &people[i % 2]);
        let password = format!("Replica-Passw0rd-{i:02}");
        let body = json!({ "password": password, "password_2": password, "temporary": false });
        let auth = &auth;
        async move { (i % 2, password, app.persons(&person.id, Some(auth), body).await) }
    });
    let answers = futures::future::join_all(requests).await;

    for (_, _, answer) in &answers {
        assert!(answer.status < 500, "{answer:?}");
    }
    for (p, person) in people.iter().enumerate() {
        let mut bound = Vec::new();
        for (_, password, answer) in answers.iter().filter(|(q, _, _)| *q == p) {
            if dir.binds(&person.dn, password).await {
                bound.push(answer.status);
            }
        }
        assert_eq!(bound, [200], "exactly one password binds, an acknowledged one");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_that_does_not_answer_delays_requests_by_a_short_bound_only() {
    let redis = RedisServer::start();
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, shared(&redis, 5)).await;
    assert_eq!(app.login("helpdesk1", SEED_PASSWORD).await.status, 200, "Redis answers first");

    redis.freeze();
    let started = Instant::now();
    let answer = app.login("helpdesk1", SEED_PASSWORD).await;
    let elapsed = started.elapsed();
    redis.thaw();

    assert_eq!(answer.status, 200, "{answer:?}");
    // The bound is 250 ms (not ldap.timeout_secs), plus the directory's work.
    assert!(elapsed < Duration::from_millis(1000), "{elapsed:?}");
    assert!(scrape(&app).await.contains("pwproxy_rate_limit_store_up 0"));
}

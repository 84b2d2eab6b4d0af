//! How pwproxy reaches the directory: LDAPS and StartTLS with the configured
//! CA, a certificate from another CA refused, a stopped directory.

use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;

use super::persons::{NEW, body};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_directory_is_unavailable() {
    let dir = TestDirectory::start_own().await;
    let app = TestApp::spawn(&dir).await;
    let person = dir.add_person("target", true).await;
    dir.stop();

    let started = std::time::Instant::now();
    let answer = app.persons(&person.id, Some(&basic("helpdesk1", SEED_PASSWORD)), body(NEW)).await;

    answer.assert_persons_error(503, "directory_unavailable");
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "answered within timeout_secs + 1");
    dir.restart();
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ldaps_with_the_configured_ca_works() {
    let dir = TestDirectory::start_own().await;
    let ldaps = dir.ldaps_url.clone();
    let app = TestApp::spawn_with(&dir, |settings| settings.ldap.url = ldaps).await;
    let person = dir.add_person("target", true).await;

    let answer = app.persons(&person.id, Some(&basic("helpdesk1", SEED_PASSWORD)), body(NEW)).await;

    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(dir.binds(&person.dn, NEW).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_with_the_configured_ca_works() {
    let dir = TestDirectory::start_own().await;
    let app = TestApp::spawn_with(&dir, |settings| settings.ldap.starttls = true).await;
    let person = dir.add_person("target", true).await;

    let answer = app.persons(&person.id, Some(&basic("helpdesk1", SEED_PASSWORD)), body(NEW)).await;

    assert_eq!(answer.status, 200, "{answer:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_from_an_untrusted_ca_is_refused() {
    let dir = TestDirectory::start_own().await;
    let app = TestApp::spawn_with(&dir, dir.over_ldaps_without_ca()).await;
    let person = dir.add_person("target", true).await;

    let answer = app.persons(&person.id, Some(&basic("helpdesk1", SEED_PASSWORD)), body(NEW)).await;

    answer.assert_persons_error(503, "directory_unavailable");
    assert_eq!(app.get("/readyz").await.status, 503);
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await);
}

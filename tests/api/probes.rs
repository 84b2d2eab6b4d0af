//! /healthz and /readyz.

use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_is_independent_of_the_directory_and_readiness_follows_it() {
    let dir = TestDirectory::start_own().await;
    let app = TestApp::spawn(&dir).await;

    assert_eq!(app.get("/healthz").await.status, 200);
    assert_eq!(app.get("/readyz").await.status, 200);

    dir.stop();
    assert_eq!(app.get("/healthz").await.status, 200);
    assert_eq!(app.get("/readyz").await.status, 503);

    dir.restart();
    assert_eq!(app.get("/readyz").await.status, 200, "recovers without a restart of pwproxy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_service_password_is_not_ready() {
    let dir = TestDirectory::start().await;
    let app =
        TestApp::spawn_with(&dir, |settings| settings.ldap.bind_password = "wrong-service-password".into())
            .await;

    let answer = app.get("/readyz").await;

    assert_eq!(answer.status, 503, "{answer:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_paths_answer_in_the_error_shape() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;

    let answer = app.get("/nope").await;

    answer.assert_persons_error(404, "not_found");
}

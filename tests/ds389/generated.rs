//! Generated passwords on the real 389 DS: its syntax checks (length,
//! digits, no run of three characters of the person's own values) pass, and
//! the password is temporary (the extended operation under
//! `passwordMustChange`).

use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_passwords_pass_389s_syntax_checks_and_must_be_changed() {
    let dir = TestDirectory::ds389_from_env();
    let app = TestApp::spawn(&dir).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);
    // Many draws: a rule pwproxy did not know of would refuse some of them.
    for _ in 0..20 {
        let person = dir.add_person("generated", true).await;
        let answer = app.persons(&person.id, Some(&auth), json!({ "generate": true })).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        let password = answer.body["generated_password"].as_str().unwrap();
        assert!(dir.must_change(&person.dn, password).await, "temporary: must change at the next bind");
        assert!(!dir.binds(&person.dn, SEED_PASSWORD).await);
    }
}

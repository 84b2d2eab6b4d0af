//! Generated passwords on the real Samba AD DC with complexity on: never
//! the account name or a display-name token, the domain's minimum length,
//! temporary (pwdLastSet 0).

use pwproxy_testkit::prelude::*;
use pwproxy_testkit::samba::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_passwords_pass_the_domains_complexity_and_must_be_changed() {
    let dc = Dc::from_env();
    let app = TestApp::spawn(&dc).await;
    let auth = basic("helpdesk1", SEED_PASSWORD);
    // Many draws: a rule pwproxy did not know of would refuse some of them.
    for _ in 0..10 {
        let person = dc.add_user("generated", &[]).await;
        let body = json!({ "userName": person.sam, "generate": true, "adminPassword": SEED_PASSWORD, "adminUserName": "helpdesk1" });
        let answer = app.users(Some(&auth), body).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        let password = answer.body["generatedPassword"].as_str().unwrap();
        // pwdLastSet = 0: the right new password is refused with "must change" (773).
        let refusal = dc.bind(&person.upn, password).await.unwrap_err();
        assert!(refusal.contains("data 773"), "{refusal}");
    }
}

//! Worklists: `GET /api/v1/users?status=…` against the real OpenLDAP
//! fixture: the people in reach in a state now, as their `status` says,
//! found by ppolicy's attributes.

use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;
use serde_json::{Value, json};

fn helpdesk() -> String {
    basic("helpdesk1", SEED_PASSWORD)
}

async fn listed(app: &TestApp, query: &str) -> Vec<String> {
    let answer = app.lookup(&format!("/api/v1/users?{query}"), Some(&helpdesk())).await;
    assert_eq!(answer.status, 200, "{query}: {answer:?}");
    answer.body["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_list_holds_exactly_the_people_its_status_says() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, pwproxy_testkit::config::unlocking_and_disabling(HELPDESK)).await;
    let prefix = format!("wl{}", &uuid::Uuid::new_v4().simple().to_string()[..6]);
    let locked = dir.add_person(&format!("{prefix}locked"), false).await;
    for _ in 0..21 {
        dir.binds(&locked.dn, "Wrong-Passw0rd!").await;
    }
    let disabled = dir.add_person(&format!("{prefix}disabled"), false).await;
    let answer = app.act(&format!("/api/v1/users/{}/disable", disabled.uid), Some(&helpdesk()), None).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let changing = dir.add_person(&format!("{prefix}changing"), false).await;
    let body =
        json!({ "password": "Worklist-Passw0rd-1", "password_2": "Worklist-Passw0rd-1", "temporary": true });
    assert_eq!(app.persons(&changing.id, Some(&helpdesk()), body).await.status, 200);
    let plain = dir.add_person(&format!("{prefix}plain"), false).await;

    let narrowed = |status: &str| format!("status={status}&q={prefix}");
    assert_eq!(listed(&app, &narrowed("locked")).await, [locked.uid.as_str()]);
    assert_eq!(listed(&app, &narrowed("disabled")).await, [disabled.uid.as_str()]);
    assert_eq!(listed(&app, &narrowed("must_change")).await, [changing.uid.as_str()]);
    // The fixture's default policy sets no maximum age: nobody's expires.
    assert!(listed(&app, &narrowed("expiring")).await.is_empty());
    assert!(!listed(&app, "status=locked").await.contains(&plain.uid));

    // Their own policy with a maximum age of 30 days: expiring within 31,
    // not within 14.
    let policy = format!("cn={prefix}-thirty-days,ou=policies,dc=example,dc=org");
    dir.add_entry(
        &policy,
        vec![
            ("objectClass", vec!["device", "pwdPolicy"]),
            ("pwdAttribute", vec!["userPassword"]),
            ("pwdMaxAge", vec!["2592000"]),
        ],
    )
    .await;
    let expiring = dir
        .add_person_in(PEOPLE, &format!("{prefix}expiring"), false, &[("pwdPolicySubentry", &policy)])
        .await;
    assert_eq!(
        listed(&app, &format!("status=expiring&within_days=31&q={prefix}")).await,
        [expiring.uid.as_str()]
    );
    assert!(listed(&app, &narrowed("expiring")).await.is_empty(), "not within the default 14 days");

    // Bad parameters are 400, and the list is an audited search.
    for query in
        ["status=sleeping", "status=expiring&within_days=0", "status=expiring&within_days=366", "limit=0"]
    {
        let answer = app.lookup(&format!("/api/v1/users?{query}"), Some(&helpdesk())).await;
        answer.assert_persons_error(400, "invalid_request");
    }
    // Neither a text nor a state: everyone in reach, up to the limit.
    let everyone = app.lookup("/api/v1/users?limit=3", Some(&helpdesk())).await;
    assert_eq!((everyone.status, everyone.body["truncated"].clone()), (200, json!(true)), "{everyone:?}");
    assert_eq!(everyone.body["users"].as_array().unwrap().len(), 3);
    let trail = app.lookup("/api/v1/audit?action=search&actor=helpdesk1&limit=50", Some(&helpdesk())).await;
    let searches: Vec<&Value> = trail.body["events"].as_array().unwrap().iter().collect();
    assert!(searches.iter().any(|e| e["details"]["status"] == "must_change"), "{trail:?}");
}

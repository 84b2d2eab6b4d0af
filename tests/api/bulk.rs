//! Bulk resets on seed 001's endpoint against the real OpenLDAP fixture:
//! each person through the whole order on their own, one answer saying who
//! succeeded and who did not (and why), nothing written for a bad list.

use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;
use serde_json::{Value, json};

fn bulk(names: &[&str], extra: Value) -> Value {
    let mut body = json!({
        "userNames": names,
        "generate": true,
        "deliver": "response",
        "adminUserName": "helpdesk1",
        "adminPassword": SEED_PASSWORD,
    });
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    body
}

fn disabled_by_description(settings: &mut pwproxy::config::Settings) {
    settings.directory.inactive_filter = "(description=disabled)".into();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_person_is_reset_or_refused_on_their_own_and_the_answer_is_multi_status() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, disabled_by_description).await;
    let first = dir.add_person("bulk", true).await;
    let second = dir.add_person("bulk", false).await;
    let disabled = dir.add_person_in(PEOPLE, "bulk", false, &[("description", "disabled")]).await;
    let names =
        [first.uid.as_str(), "nobody-in-this-directory", second.uid.as_str(), "carl", disabled.uid.as_str()];

    let answer = app.users(None, bulk(&names, json!({}))).await;

    assert_eq!(answer.status, 207, "{answer:?}");
    assert_eq!(answer.body["status"], "Multi-Status");
    let succeeded = answer.body["successUsers"].as_array().unwrap();
    assert_eq!(succeeded.len(), 2, "{answer:?}");
    for (person, item) in [(&first, &succeeded[0]), (&second, &succeeded[1])] {
        assert_eq!(item["username"], person.uid);
        let password = item["generatedPassword"].as_str().expect("shown once, in the answer");
        assert!(dir.binds(&person.dn, password).await, "{} has the password the answer shows", person.uid);
        assert!(dir.must_change(&person.dn, password).await, "generated: temporary");
    }
    assert_eq!(succeeded[0]["email"], first.mail.clone().unwrap());
    let failed: Vec<(String, String)> = answer.body["failedUsers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["username"].as_str().unwrap().to_owned(), f["code"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        failed,
        [
            ("nobody-in-this-directory".to_owned(), "user_not_found".to_owned()),
            ("carl".to_owned(), "forbidden".to_owned()),
            (disabled.uid.clone(), "user_inactive".to_owned()),
        ]
    );
    assert!(answer.body["errorDetails"][&disabled.uid].as_str().unwrap().contains("disabled"), "{answer:?}");
    assert!(dir.binds(&disabled.dn, SEED_PASSWORD).await, "the refused are untouched");

    // One event per person, each carrying the request's id.
    let auth = basic("helpdesk1", SEED_PASSWORD);
    let trail = app.lookup("/api/v1/audit?action=reset&actor=helpdesk1&limit=50", Some(&auth)).await;
    let request_id = answer.request_id();
    let events: Vec<&Value> = trail.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["details"]["bulk"] == request_id)
        .collect();
    assert_eq!(events.len(), 5, "{trail:?}");
    assert_eq!(events.iter().filter(|e| e["outcome"] == "ok").count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_answers_what_the_real_run_would_and_writes_nothing() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let people = [dir.add_person("dry", false).await, dir.add_person("dry", false).await];
    let names: Vec<&str> = people.iter().map(|p| p.uid.as_str()).collect();

    let answer = app.users(None, bulk(&names, json!({ "dryRun": true }))).await;
    assert_eq!((answer.status, answer.body["status"].clone()), (200, json!("OK")), "{answer:?}");
    for (item, person) in answer.body["successUsers"].as_array().unwrap().iter().zip(&people) {
        assert_eq!(item["username"], person.uid);
        assert!(item.get("generatedPassword").is_none(), "{item}");
        assert!(dir.binds(&person.dn, SEED_PASSWORD).await, "nothing written");
    }

    let answer = app.users(None, bulk(&names, json!({}))).await;
    assert_eq!((answer.status, answer.body["status"].clone()), (200, json!("OK")), "{answer:?}");
    for person in &people {
        assert!(!dir.binds(&person.dn, SEED_PASSWORD).await, "reset for real this time");
    }

    // Everyone failing alike: their shared status.
    let answer = app.users(None, bulk(&["nobody-1", "nobody-2"], json!({}))).await;
    assert_eq!((answer.status, answer.body["status"].clone()), (404, json!("Not Found")), "{answer:?}");
    assert_eq!(answer.body["failedUsers"][1]["code"], "user_not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_list_or_a_refused_admin_is_refused_whole_and_nothing_is_written() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, |settings| settings.bulk.max_people = 3).await;
    let person = dir.add_person("untouched", false).await;
    let uid = person.uid.as_str();
    let upper = uid.to_uppercase();

    for (names, extra) in [
        (vec![uid, upper.as_str()], json!({})),
        (vec![], json!({})),
        (vec![uid, "a", "b", "c"], json!({})),
        (vec![uid], json!({ "generate": false, "password": "Typed-Passw0rd-1" })),
        (vec![uid], json!({ "userName": uid })),
        (vec![uid, "two\nlines"], json!({})),
    ] {
        let answer = app.users(None, bulk(&names, extra.clone())).await;
        let details = answer.assert_users_error(400, "invalid_request", "Bad Request");
        assert!(!details.is_empty(), "{extra}");
        let failed = answer.body["failedUsers"].as_array().unwrap();
        let given = names.len() + usize::from(extra.get("userName").is_some());
        assert_eq!(failed.len(), given, "every name given is named: {answer:?}");
    }
    let answer = app.users(None, bulk(&[uid], json!({ "adminPassword": "Wrong-Passw0rd-1" }))).await;
    answer.assert_users_error(401, "unauthenticated", "Unauthorized");
    let not_an_admin = dir.add_person("plain", false).await;
    let answer = app
        .users(
            None,
            bulk(&[uid], json!({ "adminUserName": not_an_admin.uid, "adminPassword": SEED_PASSWORD })),
        )
        .await;
    answer.assert_users_error(403, "forbidden", "Forbidden");
    assert!(dir.binds(&person.dn, SEED_PASSWORD).await, "nothing written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_outside_the_agents_reach_is_refused_on_their_own() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn_with(&dir, |settings| {
        settings.authorization.delegation = vec![pwproxy::config::DelegationSettings {
            group: HELPDESK_PARIS.into(),
            bases: vec![PARIS.into()],
            filter: String::new(),
            unlock: pwproxy::access::Allowance::Never,
            must_change: pwproxy::access::Allowance::Optional,
            disable: pwproxy::access::Permission::Never,
        }];
    })
    .await;
    let in_paris = dir.add_person_in(PARIS, "bulkparis", false, &[]).await;
    let in_lyon = dir.add_person_in(LYON, "bulklyon", false, &[]).await;
    let body = bulk(
        &[in_paris.uid.as_str(), in_lyon.uid.as_str()],
        json!({ "adminUserName": "paris-agent", "adminPassword": SEED_PASSWORD }),
    );

    let answer = app.users(None, body).await;

    assert_eq!(answer.status, 207, "{answer:?}");
    assert_eq!(answer.body["failedUsers"][0]["username"], in_lyon.uid);
    assert_eq!(answer.body["failedUsers"][0]["code"], "forbidden");
    assert!(answer.body["errorDetails"][&in_lyon.uid].as_str().unwrap().contains("outside"), "{answer:?}");
    assert!(dir.binds(&in_lyon.dn, SEED_PASSWORD).await, "untouched");
    assert!(!dir.binds(&in_paris.dn, SEED_PASSWORD).await, "reset");
}

//! Integration tests: pwproxy over real HTTP against a real OpenLDAP.

mod account_actions;
mod audit;
mod binary;
mod bulk;
mod check;
mod concurrency;
mod connection;
mod console;
mod console_links;
mod delegation;
mod directory_faults;
mod docs;
mod hardening;
mod lookup_search;
mod lookups;
mod mail;
mod mail_values;
mod malformed;
mod membership;
mod operations;
mod password_checks;
mod persons;
mod probes;
mod properties;
mod replicas;
mod round_trips;
mod token;
mod users;
mod worklists;

use pwproxy_testkit::ldap::{SEED_PASSWORD, TestDirectory, TestPerson};
use pwproxy_testkit::prelude::*;
use serde_json::json;

/// One request of each kind by helpdesk1 on a new person, once the pools
/// are warm (connection set-up is not counted): a Bearer reset, a Basic
/// reset, a reset by name with `adminPassword`, a sign-in. The person's
/// passwords become Count-Passw0rd-1, -2 and -3, in that order.
pub async fn one_request_of_each_kind(dir: &TestDirectory, app: &TestApp) -> (TestPerson, [Answer; 4]) {
    let body = |password: &str| json!({ "password": password, "password_2": password });
    let bearer = app.bearer("helpdesk1").await;
    let basic_auth = basic("helpdesk1", SEED_PASSWORD);
    let warm = dir.add_person("warm", true).await;
    app.persons(&warm.id, Some(&basic_auth), body("Warm-Passw0rd-1")).await;
    app.persons(&warm.id, Some(&bearer), body("Warm-Passw0rd-2")).await;

    let person = dir.add_person("target", true).await;
    let by_token = app.persons(&person.id, Some(&bearer), body("Count-Passw0rd-1")).await;
    let by_basic = app.persons(&person.id, Some(&basic_auth), body("Count-Passw0rd-2")).await;
    let by_name = app
        .users(
            None,
            json!({ "userName": person.uid, "password": "Count-Passw0rd-3", "adminPassword": SEED_PASSWORD, "adminUserName": "helpdesk1" }),
        )
        .await;
    let login = app.login("helpdesk1", SEED_PASSWORD).await;
    (person, [by_token, by_basic, by_name, login])
}

//! Each request type takes only the directory round trips it needs.

use pwproxy_testkit::floor::{Floor, Request};
use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_request_type_takes_only_the_directory_round_trips_it_needs() {
    let dir = TestDirectory::start().await;
    let app = TestApp::spawn(&dir).await;
    let (person, [by_token, by_basic, by_name, login]) = crate::one_request_of_each_kind(&dir, &app).await;

    // find the admin and the target together, the groups of both, modify
    assert_eq!(exchanges_of(&by_token.request_id()), 3);
    // … plus the admin's bind
    assert_eq!(exchanges_of(&by_basic.request_id()), 4);
    assert_eq!(exchanges_of(&by_name.request_id()), 4);
    // find admin, bind, admin's groups
    assert_eq!(exchanges_of(&login.request_id()), 3);
    assert!(dir.binds(&person.dn, "Count-Passw0rd-3").await);

    // The throughput benchmark's floor makes the same checks the naive way,
    // one question each: find admin, (bind), admin's groups, find target,
    // target's groups, modify.
    let floor = Floor::new(&dir.ldap_url, dir.ca_file.as_deref());
    let mut connections = floor.connections().await;
    let by_id = connections.request(Request::ById, &person.id, &person.uid, "Floor-Passw0rd-1").await;
    assert_eq!(by_id, Some(5));
    let by_name_floor =
        connections.request(Request::ByName, &person.id, &person.uid, "Floor-Passw0rd-2").await;
    assert_eq!(by_name_floor, Some(6));
    assert!(dir.binds(&person.dn, "Floor-Passw0rd-2").await);
}

//! The store on a real SQLite file: attempts a crash left, retention, and
//! many writers at once, each proven by the chain verifying.

use std::time::Duration;

use secrecy::SecretString;
use serde_json::json;

use super::*;
use crate::audit::record::now_ms;

fn key() -> ChainKey {
    ChainKey::new(&SecretString::from(""), &SecretString::from("a token secret of at least 32 bytes!"))
        .unwrap()
}

fn row(at_ms: i64, action: &'static str) -> Row {
    Row {
        at_ms,
        action,
        outcome: "ok".into(),
        actor: Some("helpdesk1".into()),
        target_username: Some("alice".into()),
        target_dn: Some("uid=alice,ou=people,dc=example,dc=org".into()),
        person: Some("alice".into()),
        client: Some("127.0.0.1".into()),
        request_id: Some("r".into()),
        via: Some("api"),
        details: json!({"temporary": true}),
    }
}

async fn open(folder: &tempfile::TempDir) -> Store {
    let url = StoreUrl::Sqlite(folder.path().join("trail/audit.db").display().to_string());
    Store::open(&url, key()).await.unwrap()
}

#[tokio::test]
async fn an_attempt_a_crash_left_pending_is_completed_as_unknown_at_the_next_start() {
    let folder = tempfile::tempdir().unwrap();
    let store = open(&folder).await;
    store.insert(row(now_ms(), "login")).await.unwrap();
    let pending = store.begin(row(now_ms(), "reset")).await.unwrap();
    // The process dies here: its store is dropped, the attempt stays.
    drop(store);

    let store = open(&folder).await;
    assert_eq!(store.verify().await.unwrap(), Verdict::Intact(1), "a pending event is outside the chain");
    spawn_upkeep(store.clone(), 0, Duration::ZERO).await.unwrap();
    let page = store.page(&Filter::default(), 10).await.unwrap();
    let settled = page.events.iter().find(|e| e.id == pending).unwrap();
    assert_eq!((settled.action.as_str(), settled.outcome.as_str()), ("reset", "unknown"));
    assert_eq!(store.verify().await.unwrap(), Verdict::Intact(2));

    // Its outcome arriving after all changes nothing.
    store.complete(pending, row(now_ms(), "reset")).await.unwrap();
    let page = store.page(&Filter::default(), 10).await.unwrap();
    assert_eq!(page.events.iter().find(|e| e.id == pending).unwrap().outcome, "unknown");
    assert_eq!(store.verify().await.unwrap(), Verdict::Intact(2));
}

#[tokio::test]
async fn retention_deletes_the_oldest_records_itself_and_the_rest_still_verifies() {
    let folder = tempfile::tempdir().unwrap();
    let store = open(&folder).await;
    let day = 24 * 3600 * 1000;
    for age in [400, 380, 366] {
        store.insert(row(now_ms() - age * day, "reset")).await.unwrap();
    }
    for age in [10, 1] {
        store.insert(row(now_ms() - age * day, "lookup")).await.unwrap();
    }
    assert_eq!(store.retain(now_ms() - 365 * day).await.unwrap(), 3);
    let page = store.page(&Filter::default(), 10).await.unwrap();
    assert_eq!(page.events.len(), 3);
    let retention = &page.events[0];
    assert_eq!((retention.action.as_str(), &retention.details["deleted"]), ("retention", &json!(3)));
    assert_eq!(retention.actor, None);
    assert_eq!(store.verify().await.unwrap(), Verdict::Intact(3));
    // Nothing older left: no event.
    assert_eq!(store.retain(now_ms() - 365 * day).await.unwrap(), 0);
    assert_eq!(store.verify().await.unwrap(), Verdict::Intact(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_writers_at_once_make_one_chain_with_every_id_once() {
    let folder = tempfile::tempdir().unwrap();
    let store = open(&folder).await;
    let writes = (0..300).map(|i| {
        let store = store.clone();
        async move {
            if i % 3 == 0 {
                let id = store.begin(row(now_ms(), "reset")).await.unwrap();
                store.complete(id, row(now_ms(), "reset")).await.unwrap();
                id
            } else {
                store.insert(row(now_ms(), "lookup")).await.unwrap()
            }
        }
    });
    let mut ids = futures::future::join_all(writes).await;
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 300);
    assert_eq!(store.verify().await.unwrap(), Verdict::Intact(300));
    let filter = Filter { action: Some("reset".into()), person: Some("ALICE".into()), ..Filter::default() };
    assert_eq!(store.page(&filter, 1000).await.unwrap().events.len(), 100);
}

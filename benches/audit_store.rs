//! What the audit store sustains alone: C writers storing events for T
//! seconds — half of them whole events (a lookup's), half a write's attempt
//! then its completion (a reset's) — through the store's one group-
//! committing writer, on a SQLite file (the default store) and, with
//! `--postgres`, a private PostgreSQL cluster. Prints events/s and the
//! latency of one store call.
//!
//!   cargo bench --bench audit_store -- --clients 32 --seconds 10 [--postgres]

use std::time::{Duration, Instant};

use clap::Parser;
use pwproxy::audit::record::{ChainKey, now_ms};
use pwproxy::audit::store::{Row, Store, StoreUrl, Verdict};
use pwproxy_testkit::figures::millis;
use secrecy::SecretString;
use serde_json::json;

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 32)]
    clients: usize,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Also measure a private PostgreSQL cluster.
    #[arg(long)]
    postgres: bool,
    #[arg(long, hide = true)]
    bench: bool,
}

fn row(action: &'static str) -> Row {
    Row {
        at_ms: now_ms(),
        action,
        outcome: "ok".into(),
        actor: Some("helpdesk1".into()),
        target_username: Some("bench-000123".into()),
        target_dn: Some("uid=bench-000123,ou=people,dc=example,dc=org".into()),
        person: Some("bench-000123".into()),
        client: Some("127.0.0.1".into()),
        request_id: Some("0f8e6c1e-5f7a-4c1d-9d4a-8a2b9c0d1e2f".into()),
        via: Some("api"),
        details: json!({"temporary": true, "unlocked": false}),
    }
}

async fn measure(name: &str, url: StoreUrl, args: &Args) {
    let key =
        ChainKey::new(&SecretString::from(""), &SecretString::from("bench-secret-of-at-least-32-bytes!!"))
            .unwrap();
    let store = Store::open(&url, key).await.unwrap();
    let until = Instant::now() + Duration::from_secs(args.seconds);
    let writers = (0..args.clients).map(|client| {
        let store = store.clone();
        tokio::spawn(async move {
            let (mut events, mut latencies) = (0u64, Vec::new());
            while Instant::now() < until {
                let started = Instant::now();
                if client % 2 == 0 {
                    store.insert(row("lookup")).await.unwrap();
                    latencies.push(started.elapsed());
                } else {
                    let id = store.begin(row("reset")).await.unwrap();
                    latencies.push(started.elapsed());
                    let completing = Instant::now();
                    store.complete(id, row("reset")).await.unwrap();
                    latencies.push(completing.elapsed());
                }
                events += 1;
            }
            (events, latencies)
        })
    });
    let started = Instant::now();
    let (mut events, mut latencies) = (0u64, Vec::new());
    for writer in futures::future::join_all(writers).await {
        let (count, mut taken) = writer.unwrap();
        events += count;
        latencies.append(&mut taken);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let p = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    let verified = match store.verify().await.unwrap() {
        Verdict::Intact(count) => format!("{count} events verified"),
        other => format!("{other:?}"),
    };
    println!(
        "| {name} | {} | {:.0} | {} / {} / {} | {verified} |",
        args.clients,
        events as f64 / elapsed,
        millis(p(0.5)),
        millis(p(0.95)),
        millis(p(0.99)),
    );
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    println!("# the audit store alone: {} writers, {} s\n", args.clients, args.seconds);
    println!("| store | writers | events/s | store call p50 / p95 / p99 | chain |");
    println!("|---|---|---|---|---|");
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("audit.db").display().to_string();
    measure("SQLite (WAL, synchronous = FULL)", StoreUrl::Sqlite(path), &args).await;
    if args.postgres {
        let server = pwproxy_testkit::postgres::PostgresServer::start();
        measure(
            "PostgreSQL (fsync off: a test cluster)",
            StoreUrl::Postgres(server.database().into()),
            &args,
        )
        .await;
    }
}

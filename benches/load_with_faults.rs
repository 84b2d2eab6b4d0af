//! Load with a fault in the middle: C clients drive both password endpoints
//! for T seconds against the release binary while the directory is killed
//! and restarted halfway through. Reports answers by status, any 5xx other
//! than 503, and lost writes: for every user, the last password pwproxy
//! acknowledged must bind (or, if a later request's outcome was unknown —
//! 503 after the write was sent — that later one).
//!
//!   cargo bench --bench load_with_faults -- --clients 16 --seconds 60

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;
use serde_json::json;

#[derive(Parser)]
struct Args {
    /// Concurrent clients; each owns one user, so its last write is known.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// How long the load runs.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// How long the directory stays down in the middle.
    #[arg(long, default_value_t = 2)]
    down_secs: u64,
    /// Passed by `cargo bench`.
    #[arg(long, hide = true)]
    bench: bool,
}

#[derive(Default)]
struct ClientLog {
    statuses: BTreeMap<u16, usize>,
    last_acknowledged: Option<String>,
    /// Sent after the last acknowledged one with an unknown outcome.
    maybe_applied: Vec<String>,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let dir = Arc::new(TestDirectory::start_own().await);
    dir.own().ldapadd(&people_ldif("load", args.clients));
    let envs = [
        ("PWPROXY__LDAP__URL", dir.ldaps_url.as_str()),
        ("PWPROXY__RATE_LIMIT__FAILURES_PER_NAME", "1000000"),
        ("PWPROXY__RATE_LIMIT__FAILURES_PER_ADDRESS", "1000000"),
    ];
    let proxy =
        PwproxyProcess::start(env!("CARGO_BIN_EXE_pwproxy"), &dir.config_toml(), &envs, Output::Quiet).await;
    proxy.wait_ready().await;
    let ids = dir.ids("load", args.clients).await;
    let http = reqwest::Client::new();
    let token = proxy.token("helpdesk1", SEED_PASSWORD).await;

    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    let chaos = {
        let dir = dir.clone();
        let (half, down) = (Duration::from_secs(args.seconds) / 2, Duration::from_secs(args.down_secs));
        tokio::task::spawn_blocking(move || {
            std::thread::sleep(half);
            eprintln!("[{:>5.1}s] killing the directory", half.as_secs_f64());
            dir.stop();
            std::thread::sleep(down);
            dir.restart();
            eprintln!("[{:>5.1}s] directory restarted", (half + down).as_secs_f64());
        })
    };
    let clients: Vec<_> = (0..args.clients)
        .map(|client| {
            let (http, base, token, id) =
                (http.clone(), proxy.base.clone(), token.clone(), ids[client].clone());
            tokio::spawn(async move {
                let mut log = ClientLog::default();
                let mut n = 0u64;
                while Instant::now() < deadline {
                    n += 1;
                    let password = format!("Load-{client}-{n}-Passw0rd");
                    let request = if n.is_multiple_of(2) {
                        http.post(format!("{base}/actions/persons/{id}/change-password"))
                            .bearer_auth(&token)
                            .json(&json!({ "password": password, "password_2": password }))
                    } else {
                        http.put(format!("{base}/api/v1/users/changePassword")).json(&json!({
                            "userName": format!("load{client}"),
                            "password": password,
                            "adminPassword": SEED_PASSWORD,
                            "adminUserName": "helpdesk1",
                        }))
                    };
                    let status = match request.timeout(Duration::from_secs(10)).send().await {
                        Ok(response) => response.status().as_u16(),
                        Err(_) => 0, // no answer at all
                    };
                    *log.statuses.entry(status).or_default() += 1;
                    if status == 200 {
                        log.last_acknowledged = Some(password);
                        log.maybe_applied.clear();
                    } else if status == 503 || status == 0 {
                        log.maybe_applied.push(password);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
                log
            })
        })
        .collect();
    let mut logs = Vec::new();
    for client in clients {
        logs.push(client.await.unwrap());
    }
    let elapsed = started.elapsed();
    chaos.await.unwrap();
    let peak_rss = proxy.peak_rss_kib();

    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    let (mut exact, mut later_unknown, mut lost) = (0, 0, 0);
    for (client, log) in logs.iter().enumerate() {
        for (status, count) in &log.statuses {
            *statuses.entry(*status).or_default() += count;
        }
        let dn = format!("uid=load{client},{PEOPLE}");
        let acknowledged = log.last_acknowledged.as_deref().unwrap_or(SEED_PASSWORD);
        if dir.binds(&dn, acknowledged).await {
            exact += 1;
            continue;
        }
        let mut found = false;
        for candidate in log.maybe_applied.iter().rev() {
            if dir.binds(&dn, candidate).await {
                found = true;
                break;
            }
        }
        if found {
            later_unknown += 1;
        } else {
            lost += 1;
            eprintln!("LOST: load{client}: neither the last acknowledged password nor a later one binds");
        }
    }

    let total: usize = statuses.values().sum();
    let bad_5xx: usize =
        statuses.iter().filter(|(s, _)| (**s >= 500 && **s != 503) || **s == 0).map(|(_, c)| c).sum();
    println!(
        "load with faults: {} clients, {:.1} s, directory killed at {} s for {} s (LDAPS)",
        args.clients,
        elapsed.as_secs_f64(),
        args.seconds / 2,
        args.down_secs
    );
    println!("requests: {total} ({:.0}/s)", total as f64 / elapsed.as_secs_f64());
    for (status, count) in &statuses {
        let label = if *status == 0 { "no answer".to_string() } else { status.to_string() };
        println!("  {label:>9}: {count}");
    }
    println!("5xx other than 503 (or no answer): {bad_5xx}");
    println!(
        "users: {} — last acknowledged password binds: {exact}; a later write with unknown outcome binds: {later_unknown}; lost: {lost}",
        logs.len()
    );
    println!("pwproxy peak RSS: {:.1} MiB", peak_rss as f64 / 1024.0);
    if bad_5xx > 0 || lost > 0 {
        std::process::exit(1);
    }
}

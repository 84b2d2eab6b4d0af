//! What a lookup costs: pwproxy's release binary on the OpenLDAP fixture
//! holding `--users` people, driven by `--clients` concurrent HTTP clients
//! for `--seconds` each, one case for a person by id
//! (`GET /actions/persons/{id}`) and one for a search
//! (`GET /api/v1/users?q=…&limit=20`, 20 matches of many). Prints
//! requests per second, latency percentiles, pwproxy's and slapd's CPU time
//! per lookup (utime + stime from /proc) and pwproxy's peak memory; then
//! the same for `GET /healthz`, which asks nothing of the directory: the
//! HTTP stack's own share of every request.
//! `directory.membership = "memberof"`, as in the throughput bench.
//!
//!   cargo bench --bench lookups -- --users 10000 --clients 32 --seconds 10

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use pwproxy_testkit::figures::{cpu_time, micros_per, millis, percentile};
use pwproxy_testkit::ldap::{SEED_PASSWORD, TestDirectory, people_ldif};
use pwproxy_testkit::{Fixture, Output, PwproxyProcess};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 10_000)]
    users: usize,
    #[arg(long, default_value_t = 32)]
    clients: usize,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Passed by `cargo bench`.
    #[arg(long, hide = true)]
    bench: bool,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let dir = TestDirectory::start_own().await;
    dir.own().bulk_load(&people_ldif("bench", args.users));
    let ids = Arc::new(dir.ids("bench", args.users).await);
    let envs = [
        ("PWPROXY__RATE_LIMIT__FAILURES_PER_NAME", "1000000"),
        ("PWPROXY__RATE_LIMIT__FAILURES_PER_ADDRESS", "1000000"),
        // As the throughput bench: direct groups come with the entry.
        ("PWPROXY__DIRECTORY__MEMBERSHIP", "memberof"),
    ];
    let proxy =
        PwproxyProcess::start(env!("CARGO_BIN_EXE_pwproxy"), &dir.config_toml(), &envs, Output::Quiet).await;
    proxy.wait_ready().await;
    let auth = Arc::new(format!("Bearer {}", proxy.token("helpdesk1", SEED_PASSWORD).await));

    println!("# pwproxy lookups: {} people, {} s per case\n", args.users, args.seconds);
    println!(
        "| lookup | clients | req/s | p50 / p95 / p99 | errors | pwproxy CPU/lookup | slapd CPU/lookup | peak RSS |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let (proxy_pid, slapd_pid) = (proxy.pid(), dir.own().process_id());
    // `/healthz` asks nothing of the directory: what the HTTP stack alone
    // (hyper, axum, the layers every request passes) costs a request.
    for case in ["by id", "search", "healthz"] {
        for clients in [args.clients, 1] {
            let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build().unwrap();
            // Warm: connections and pools open, the policy read.
            drive(&http, &proxy.base, &auth, &ids, case, clients, Duration::from_millis(500)).await;
            let (proxy_before, slapd_before) = (cpu_time(proxy_pid), cpu_time(slapd_pid));
            let (requests, errors, latencies, elapsed) =
                drive(&http, &proxy.base, &auth, &ids, case, clients, Duration::from_secs(args.seconds))
                    .await;
            let proxy_cpu = micros_per(cpu_time(proxy_pid) - proxy_before, requests);
            let slapd_cpu = micros_per(cpu_time(slapd_pid) - slapd_before, requests);
            println!(
                "| {case} | {clients} | {:.0} | {} / {} / {} | {errors} | {proxy_cpu:.0} µs | {slapd_cpu:.0} µs | {:.0} MiB |",
                requests as f64 / elapsed.as_secs_f64(),
                millis(percentile(&latencies, 50.0)),
                millis(percentile(&latencies, 95.0)),
                millis(percentile(&latencies, 99.0)),
                proxy.peak_rss_kib() as f64 / 1024.0,
            );
        }
    }
}

/// `clients` loops sending `case` for `length`: requests, errors, sorted
/// latencies, and the time taken.
async fn drive(
    http: &reqwest::Client,
    base: &str,
    auth: &Arc<String>,
    ids: &Arc<Vec<String>>,
    case: &'static str,
    clients: usize,
    length: Duration,
) -> (usize, usize, Vec<Duration>, Duration) {
    let started = Instant::now();
    let loops = (0..clients).map(|c| {
        let (http, base, auth, ids) = (http.clone(), base.to_owned(), auth.clone(), ids.clone());
        tokio::spawn(async move {
            let (mut latencies, mut errors) = (Vec::new(), 0);
            let mut n = c;
            while started.elapsed() < length {
                let url = match case {
                    "by id" => format!("{base}/actions/persons/{}", ids[n % ids.len()]),
                    "healthz" => format!("{base}/healthz"),
                    // bench1… matches many: the limit bounds the answer.
                    _ => format!("{base}/api/v1/users?q=bench{}&limit=20", n % 9 + 1),
                };
                let sent = Instant::now();
                let answer = http.get(url).header("Authorization", auth.as_str()).send().await;
                let ok = match answer {
                    Ok(response) => response.status() == 200 && response.bytes().await.is_ok(),
                    Err(_) => false,
                };
                latencies.push(sent.elapsed());
                errors += usize::from(!ok);
                n += clients;
            }
            (latencies, errors)
        })
    });
    let mut all = Vec::new();
    let mut errors = 0;
    for handle in futures::future::join_all(loops).await {
        let (latencies, failed) = handle.expect("a client loop");
        all.extend(latencies);
        errors += failed;
    }
    let elapsed = started.elapsed();
    all.sort();
    (all.len(), errors, all, elapsed)
}

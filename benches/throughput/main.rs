//! Throughput and latency of pwproxy against the directory's own limit.
//!
//! For each directory size and transport it starts the fixture slapd with N
//! extra people, runs the release pwproxy, and drives both endpoints with C
//! concurrent clients for T seconds; then, in the same run and against the
//! same slapd, it makes the same checks directly over persistent
//! connections, one question each (the floor). The two alternate in slices
//! and write to disjoint halves of the directory. Both are measured again
//! with one client for the latency pwproxy adds.
//!
//!   cargo bench --bench throughput -- --users 1000,100000 --transports ldap,ldaps --clients 32 --seconds 10

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use pwproxy_testkit::figures::{cpu_time, micros_per, millis};
use pwproxy_testkit::floor::Floor;
use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;
use pwproxy_testkit::redis::RedisServer;

mod load;
use load::{ProxyClient, Run, Side, drive};

#[derive(Parser)]
struct Args {
    /// Directory sizes (people besides the fixture's).
    #[arg(long, value_delimiter = ',', default_value = "1000,100000")]
    users: Vec<usize>,
    #[arg(long, value_delimiter = ',', default_value = "ldap,ldaps")]
    transports: Vec<String>,
    /// Concurrent clients of the main run.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Length of each measured run, per side.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Slices each run is cut into, alternating pwproxy and the floor.
    #[arg(long, default_value_t = 5)]
    rounds: u32,
    /// Count failures in a private Redis (`rate_limit.store`), as replicas
    /// do, instead of in the process.
    #[arg(long)]
    redis: bool,
    /// `directory.membership`: `memberof` (direct groups come with the
    /// lookup; the fixture keeps memberOf for both group types, and the run
    /// stops if pwproxy has not proven it) or `member` (searched for).
    #[arg(long, default_value = "memberof", value_parser = ["memberof", "member"])]
    membership: String,
    /// `audit.store` of each pwproxy run, in turn: `sqlite` (the default
    /// store, a file in a temporary folder) or `none`; `sqlite,none` is the
    /// A/B of what keeping the trail costs.
    #[arg(long, value_delimiter = ',', default_value = "sqlite", value_parser = ["sqlite", "none"])]
    audit: Vec<String>,
    /// Passed by `cargo bench`.
    #[arg(long, hide = true)]
    bench: bool,
}

/// One measured run.
#[tokio::main]
async fn main() {
    let args = Args::parse();
    println!(
        "# pwproxy throughput: {} clients, {} s per run, directory.membership = {}\n",
        args.clients, args.seconds, args.membership
    );
    println!(
        "| people | transport | clients | pwproxy req/s | floor req/s | ratio | pwproxy p50 / p95 / p99 | floor p50 / p95 / p99 | p99 ratio | errors pwproxy / floor | peak RSS |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let redis = args.redis.then(RedisServer::start);
    let mut cpu_rows = Vec::new();
    for &users in &args.users {
        let dir = TestDirectory::start_own().await;
        let loading = Instant::now();
        dir.own().bulk_load(&people_ldif("bench", users));
        eprintln!("loaded {users} people in {:.1} s", loading.elapsed().as_secs_f64());
        let ids = Arc::new(dir.ids("bench", users).await);
        let cases = args.transports.iter().flat_map(|t| args.audit.iter().map(move |a| (t, a)));
        for (transport, audit) in cases {
            let url = if transport == "ldaps" { &dir.ldaps_url } else { &dir.ldap_url };
            let trail = tempfile::tempdir().unwrap();
            let store = match audit.as_str() {
                "none" => "none".to_owned(),
                _ => format!("sqlite:{}", trail.path().join("audit.db").display()),
            };
            let proxy = start_pwproxy(&dir, url, redis.as_ref(), &args.membership, &store).await;
            let transport = format!("{transport}, audit {audit}");
            let token = proxy.token("helpdesk1", SEED_PASSWORD).await;
            let floor = Floor::new(url, dir.ca_file.as_deref());
            for clients in [args.clients, 1] {
                // Both sides keep their connections for the whole case, and
                // open them before any clock starts: the floor's LDAP ones
                // here, pwproxy's HTTP ones (and its pools) in the warm-up.
                let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build().unwrap();
                // Each client's count of requests goes on from slice to
                // slice: its targets never start over.
                let through_proxy = ProxyClient { http, base: proxy.base.clone(), token: token.clone() };
                let mut proxy_clients = vec![(through_proxy, 0u64); clients];
                let mut floor_clients = Vec::new();
                for _ in 0..clients {
                    floor_clients.push((floor.connections().await, 0u64));
                }
                // Warm both up: connection pools filled, caches hot.
                let warm = Duration::from_secs(1);
                proxy_clients = drive(Side::Proxy, proxy_clients, &ids, warm).await.1;
                floor_clients = drive(Side::Floor, floor_clients, &ids, warm).await.1;
                // Alternate short slices of each, so that a slow spell of the
                // shared machine weighs on both alike.
                let slice = Duration::from_secs(args.seconds) / args.rounds;
                let operations_before = operations(&proxy.base).await;
                let (mut proxied, mut direct) = (Run::default(), Run::default());
                // CPU time of pwproxy and of slapd during pwproxy's slices,
                // and of slapd and of this process (the floor's ldap3
                // clients, alone in it then) during the floor's.
                let (proxy_pid, slapd_pid, own_pid) =
                    (proxy.pid(), dir.own().process_id(), std::process::id());
                let (mut proxy_cpu, mut slapd_cpu, mut slapd_floor_cpu, mut floor_cpu) =
                    (Duration::ZERO, Duration::ZERO, Duration::ZERO, Duration::ZERO);
                for _ in 0..args.rounds {
                    let (p0, s0) = (cpu_time(proxy_pid), cpu_time(slapd_pid));
                    let (run, kept) = drive(Side::Proxy, proxy_clients, &ids, slice).await;
                    let (p1, s1) = (cpu_time(proxy_pid), cpu_time(slapd_pid));
                    proxy_cpu += p1 - p0;
                    slapd_cpu += s1 - s0;
                    proxied.add(run);
                    proxy_clients = kept;
                    let f0 = cpu_time(own_pid);
                    let (run, kept) = drive(Side::Floor, floor_clients, &ids, slice).await;
                    slapd_floor_cpu += cpu_time(slapd_pid) - s1;
                    floor_cpu += cpu_time(own_pid) - f0;
                    direct.add(run);
                    floor_clients = kept;
                }
                let (per_proxy, per_slapd) =
                    (micros_per(proxy_cpu, proxied.requests), micros_per(slapd_cpu, proxied.requests));
                let per_floor = micros_per(floor_cpu, direct.requests);
                cpu_rows.push(format!(
                    "| {users} | {transport} | {clients} | {per_proxy:.0} µs | {per_slapd:.0} µs | {:.2} | {:.0} µs | {per_floor:.0} µs | {:.0} µs |",
                    per_proxy / per_slapd.max(f64::MIN_POSITIVE),
                    micros_per(slapd_floor_cpu, direct.requests),
                    per_floor / FLOOR_OPERATIONS,
                ));
                proxied.latencies.sort();
                direct.latencies.sort();
                println!(
                    "| {users} | {transport} | {clients} | {:.0} | {:.0} | {:.2} | {} / {} / {} | {} / {} / {} | {:.2} | {} / {} | {:.1} MiB |",
                    proxied.rate(),
                    direct.rate(),
                    proxied.rate() / direct.rate(),
                    millis(proxied.p(50.0)),
                    millis(proxied.p(95.0)),
                    millis(proxied.p(99.0)),
                    millis(direct.p(50.0)),
                    millis(direct.p(95.0)),
                    millis(direct.p(99.0)),
                    proxied.p(99.0).as_secs_f64() / direct.p(99.0).as_secs_f64(),
                    proxied.errors,
                    direct.errors,
                    proxy.peak_rss_kib() as f64 / 1024.0,
                );
                if clients == 1 {
                    println!(
                        "|  |  | added latency at p50, one client: {}; pwproxy's directory round trips, mean: {} |  |  |  |  |  |  |  |  |",
                        added(proxied.p(50.0), direct.p(50.0)),
                        means(&operations_before, &operations(&proxy.base).await),
                    );
                }
            }
        }
    }
    println!("\nCPU time per request (utime + stime from /proc, during pwproxy's slices and the floor's):\n");
    println!(
        "| people | transport | clients | pwproxy CPU/req | slapd CPU/req via pwproxy | pwproxy / slapd | slapd CPU/req, floor | floor client CPU/req | floor client CPU/operation |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for row in cpu_rows {
        println!("{row}");
    }
}

/// The floor's LDAP operations per request, both kinds alternating: 6 for a
/// `PUT` (the bind among them), 5 for a `POST`.
const FLOOR_OPERATIONS: f64 = 5.5;

/// pwproxy's directory operations so far, from `/metrics`: per operation,
/// the seconds spent and the count.
async fn operations(base: &str) -> Vec<(String, f64, f64)> {
    let metrics = reqwest::get(format!("{base}/metrics")).await.unwrap().text().await.unwrap();
    let value = |name: &str, operation: &str| {
        let prefix =
            format!("pwproxy_directory_operation_duration_seconds_{name}{{operation=\"{operation}\"}} ");
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(prefix.as_str()))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    ["search", "bind", "modify"]
        .into_iter()
        .map(|operation| (operation.to_owned(), value("sum", operation), value("count", operation)))
        .collect()
}

/// The mean duration of each operation between two snapshots.
fn means(before: &[(String, f64, f64)], after: &[(String, f64, f64)]) -> String {
    let mut means = Vec::new();
    for ((operation, sum_before, count_before), (_, sum_after, count_after)) in before.iter().zip(after) {
        let count = count_after - count_before;
        if count > 0.0 {
            means.push(format!("{operation} {:.3} ms", (sum_after - sum_before) / count * 1000.0));
        }
    }
    means.join(", ")
}

/// What pwproxy adds to the floor's latency; negative (a minus sign) when
/// it answers sooner than the floor's own sequence.
fn added(proxied: Duration, direct: Duration) -> String {
    match proxied.checked_sub(direct) {
        Some(more) => millis(more),
        None => format!("−{}", millis(direct - proxied)),
    }
}

/// The release binary on the fixture's configuration at `url`; brute-force
/// limits are lifted, since the load itself never fails to authenticate.
async fn start_pwproxy(
    dir: &TestDirectory,
    url: &str,
    redis: Option<&RedisServer>,
    membership: &str,
    audit_store: &str,
) -> PwproxyProcess {
    let store = redis.map_or_else(|| "memory".to_owned(), RedisServer::url);
    let envs = [
        ("PWPROXY__AUDIT__STORE", audit_store),
        ("PWPROXY__DIRECTORY__MEMBERSHIP", membership),
        ("PWPROXY__LDAP__URL", url),
        ("PWPROXY__RATE_LIMIT__FAILURES_PER_NAME", "1000000"),
        ("PWPROXY__RATE_LIMIT__FAILURES_PER_ADDRESS", "1000000"),
        ("PWPROXY__RATE_LIMIT__STORE", store.as_str()),
    ];
    let proxy =
        PwproxyProcess::start(env!("CARGO_BIN_EXE_pwproxy"), &dir.config_toml(), &envs, Output::Quiet).await;
    proxy.wait_ready().await;
    if membership == "memberof" {
        let metrics = reqwest::get(format!("{}/metrics", proxy.base)).await.unwrap().text().await.unwrap();
        assert!(
            metrics.lines().any(|l| l == "pwproxy_directory_memberof_proven 1"),
            "pwproxy did not prove memberOf on the fixture: {metrics}"
        );
    }
    proxy
}

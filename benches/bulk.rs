//! A bulk reset of N people with generated passwords against the
//! directory's own pace: the same N password writes made directly, over
//! `bulk.concurrency` connections bound as the same admin (the floor). Both
//! against one fixture slapd loaded with 2N + 10 people, on disjoint
//! halves; a bulk of 10 warms pwproxy up first.
//!
//!   cargo bench --bench bulk -- --people 500

use std::collections::HashSet;
use std::time::{Duration, Instant};

use clap::Parser;
use ldap3::{LdapConnAsync, Mod};
use pwproxy_testkit::figures::cpu_time;
use pwproxy_testkit::ldap::*;
use pwproxy_testkit::prelude::*;
use serde_json::{Value, json};

#[derive(Parser)]
struct Args {
    /// People in the measured bulk reset.
    #[arg(long, default_value_t = 500)]
    people: usize,
    /// `bulk.concurrency`, and the floor's connections.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Passed by `cargo bench`.
    #[arg(long, hide = true)]
    bench: bool,
}

const ADMIN: &str = "uid=helpdesk1,ou=people,dc=example,dc=org";

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let n = args.people;
    let dir = TestDirectory::start_own().await;
    dir.own().bulk_load(&people_ldif("bulk", 2 * n + 10));
    let trail = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", trail.path().join("audit.db").display());
    let concurrency = args.concurrency.to_string();
    let envs = [
        ("PWPROXY__AUDIT__STORE", store.as_str()),
        ("PWPROXY__BULK__MAX_PEOPLE", "10000"),
        ("PWPROXY__BULK__CONCURRENCY", concurrency.as_str()),
        ("PWPROXY__SERVER__MAX_BODY_BYTES", "1048576"),
    ];
    let proxy =
        PwproxyProcess::start(env!("CARGO_BIN_EXE_pwproxy"), &dir.config_toml(), &envs, Output::Quiet).await;
    proxy.wait_ready().await;
    let http = reqwest::Client::new();
    let bulk = async |names: Vec<String>| {
        let body = json!({ "userNames": names, "generate": true, "deliver": "response",
                           "adminUserName": "helpdesk1", "adminPassword": SEED_PASSWORD });
        let response =
            http.put(format!("{}/api/v1/users/changePassword", proxy.base)).json(&body).send().await;
        let response = response.unwrap();
        let status = response.status().as_u16();
        (status, response.json::<Value>().await.unwrap())
    };

    let (status, _) = bulk((2 * n..2 * n + 10).map(|i| format!("bulk{i}")).collect()).await;
    assert_eq!(status, 200, "the warm-up bulk");
    let cpu_before = cpu_time(proxy.pid());
    let started = Instant::now();
    let (status, answer) = bulk((0..n).map(|i| format!("bulk{i}")).collect()).await;
    let proxy_took = started.elapsed();
    let proxy_cpu = cpu_time(proxy.pid()) - cpu_before;
    assert_eq!(status, 200, "{answer}");
    let done = answer["successUsers"].as_array().unwrap();
    assert_eq!(done.len(), n);
    // Proven in the directory: the last person's new password binds.
    let last = done[n - 1]["generatedPassword"].as_str().unwrap();
    assert!(dir.binds(&format!("uid=bulk{},{PEOPLE}", n - 1), last).await);

    let floor_took = floor(&dir.ldap_url, n..2 * n, args.concurrency).await;
    let per_second = |took: Duration| n as f64 / took.as_secs_f64();
    println!("# a bulk reset of {n} people, bulk.concurrency = {}\n", args.concurrency);
    println!("| side | people | wall time | people/s | pwproxy CPU per person | peak RSS |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| pwproxy (generated, temporary, audit sqlite) | {n} | {:.2} s | {:.0} | {:.0} µs | {:.1} MiB |",
        proxy_took.as_secs_f64(),
        per_second(proxy_took),
        proxy_cpu.as_secs_f64() * 1e6 / n as f64,
        proxy.peak_rss_kib() as f64 / 1024.0
    );
    println!(
        "| floor (the same writes, {} connections as the admin) | {n} | {:.2} s | {:.0} | — | — |",
        args.concurrency,
        floor_took.as_secs_f64(),
        per_second(floor_took)
    );
    println!("\nratio pwproxy / floor wall time: {:.2}", proxy_took.as_secs_f64() / floor_took.as_secs_f64());
    let _ = proxy.stop();
}

/// Each person's password and must-change in one modify, as pwproxy
/// writes on OpenLDAP, over `connections` connections bound as the admin.
async fn floor(url: &str, people: std::ops::Range<usize>, connections: usize) -> Duration {
    let people: Vec<usize> = people.collect();
    let started = Instant::now();
    let workers = people.chunks(people.len().div_ceil(connections)).map(|chunk| {
        let chunk = chunk.to_vec();
        let url = url.to_owned();
        async move {
            let (conn, mut ldap) = LdapConnAsync::new(&url).await.unwrap();
            ldap3::drive!(conn);
            ldap.simple_bind(ADMIN, SEED_PASSWORD).await.unwrap().success().unwrap();
            for i in chunk {
                let password = format!("Floor-{i:06}-Passw0rd-X");
                let mods = vec![
                    Mod::Replace("userPassword", HashSet::from([password.as_str()])),
                    Mod::Replace("pwdReset", HashSet::from(["TRUE"])),
                ];
                ldap.modify(&format!("uid=bulk{i},{PEOPLE}"), mods).await.unwrap().success().unwrap();
            }
        }
    });
    futures::future::join_all(workers).await;
    started.elapsed()
}

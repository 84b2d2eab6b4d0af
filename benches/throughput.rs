//! Throughput and latency of pwproxy against the directory's own limit.
//!
//! For each directory size and transport it starts the fixture slapd with N
//! extra people, runs the release pwproxy, and drives both endpoints with C
//! concurrent clients for T seconds; then, in the same run and against the
//! same slapd, it issues the very LDAP sequence pwproxy issues per request
//! directly over persistent connections (the floor). Both are measured again
//! with one client for the latency pwproxy adds.
//!
//!   cargo bench --bench throughput -- --users 1000,100000 --transports ldap,ldaps --clients 32 --seconds 10

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, Mod, Scope, SearchOptions, ldap_escape};
use serde_json::json;
use support::*;

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
    /// Passed by `cargo bench`.
    #[arg(long, hide = true)]
    bench: bool,
}

/// One measured run.
#[derive(Default)]
struct Run {
    requests: usize,
    errors: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Run {
    fn add(&mut self, slice: Run) {
        self.requests += slice.requests;
        self.errors += slice.errors;
        self.elapsed += slice.elapsed;
        self.latencies.extend(slice.latencies);
    }

    fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
    fn p(&self, p: f64) -> Duration {
        percentile(&self.latencies, p)
    }
}

/// Which request a client sends next: the two endpoints alternate.
#[derive(Clone, Copy)]
enum Kind {
    /// Seed 001: admin named in the body, adminPassword bound, admin writes.
    ByName,
    /// Seed 000 with a Bearer token: the service account writes.
    ById,
}

fn kind(n: u64) -> Kind {
    if n.is_multiple_of(2) { Kind::ById } else { Kind::ByName }
}

/// Client `c`'s `n`-th target: spread over the whole directory, never the
/// same person as another client's.
fn target(c: usize, clients: usize, n: u64, users: usize) -> usize {
    let slots = (users / clients).max(1);
    let slot = (n.wrapping_mul(2_654_435_761) as usize) % slots;
    (slot * clients + c) % users
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    println!("# pwproxy throughput: {} clients, {} s per run\n", args.clients, args.seconds);
    println!(
        "| people | transport | clients | pwproxy req/s | floor req/s | ratio | pwproxy p50 / p95 / p99 | floor p50 / p95 / p99 | p99 ratio | errors pwproxy / floor | peak RSS |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for &users in &args.users {
        let slapd = Slapd::start();
        let loading = Instant::now();
        slapd.bulk_load(&people_ldif("bench", users));
        eprintln!("loaded {users} people in {:.1} s", loading.elapsed().as_secs_f64());
        let ids = Arc::new(ids(&slapd.ldap_url(), "bench", users).await);
        for transport in &args.transports {
            let url = if transport == "ldaps" { slapd.ldaps_url() } else { slapd.ldap_url() };
            let proxy = Pwproxy::start(|listen| config(&url, &slapd.ca_file(), listen)).await;
            let token = proxy.token().await;
            let floor = Floor::new(&url, &slapd.ca_file());
            for clients in [args.clients, 1] {
                // Warm both up: connection pools filled, caches hot.
                let warm = Duration::from_secs(1);
                drive_proxy(&proxy, &token, &ids, clients, warm).await;
                drive_floor(&floor, &ids, clients, warm).await;
                // Alternate short slices of each, so that a slow spell of the
                // shared machine weighs on both alike.
                let slice = Duration::from_secs(args.seconds) / args.rounds;
                let (mut proxied, mut direct) = (Run::default(), Run::default());
                for _ in 0..args.rounds {
                    proxied.add(drive_proxy(&proxy, &token, &ids, clients, slice).await);
                    direct.add(drive_floor(&floor, &ids, clients, slice).await);
                }
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
                        "|  |  | added latency at p50, one client: {} |  |  |  |  |  |  |  |  |",
                        millis(proxied.p(50.0).saturating_sub(direct.p(50.0)))
                    );
                }
            }
        }
    }
}

async fn drive_proxy(
    proxy: &Pwproxy,
    token: &str,
    ids: &Arc<Vec<String>>,
    clients: usize,
    length: Duration,
) -> Run {
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build().unwrap();
    let started = Instant::now();
    let deadline = started + length;
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let (http, base, token, ids) = (http.clone(), proxy.base.clone(), token.to_owned(), ids.clone());
            tokio::spawn(async move {
                let (mut latencies, mut errors, mut n) = (Vec::new(), 0, 0u64);
                while Instant::now() < deadline {
                    n += 1;
                    let i = target(c, clients, n, ids.len());
                    let password = format!("Bench-{c}-{n}-{}-Passw0rd", started.elapsed().as_micros());
                    let request = match kind(n) {
                        Kind::ById => http
                            .post(format!("{base}/actions/persons/{}/change-password", ids[i]))
                            .bearer_auth(&token)
                            .json(&json!({ "password": password, "password_2": password })),
                        Kind::ByName => {
                            http.put(format!("{base}/api/v1/users/changePassword")).json(&json!({
                                "userName": format!("bench{i}"),
                                "password": password,
                                "adminPassword": SEED_PASSWORD,
                                "adminUserName": "helpdesk1",
                            }))
                        }
                    };
                    let sent = Instant::now();
                    let ok = match request.send().await {
                        Ok(response) if response.status() == 200 => true,
                        Ok(response) => {
                            let status = response.status();
                            eprintln!(
                                "pwproxy answered {status}: {}",
                                response.text().await.unwrap_or_default()
                            );
                            false
                        }
                        Err(e) => {
                            eprintln!("no answer from pwproxy: {e}");
                            false
                        }
                    };
                    latencies.push(sent.elapsed());
                    errors += usize::from(!ok);
                }
                (latencies, errors)
            })
        })
        .collect();
    collect(tasks, started).await
}

async fn collect(tasks: Vec<tokio::task::JoinHandle<(Vec<Duration>, usize)>>, started: Instant) -> Run {
    let mut run = Run { requests: 0, errors: 0, elapsed: Duration::ZERO, latencies: Vec::new() };
    for task in tasks {
        let (latencies, errors) = task.await.unwrap();
        run.requests += latencies.len();
        run.errors += errors;
        run.latencies.extend(latencies);
    }
    run.elapsed = started.elapsed();
    run.latencies.sort();
    run
}

/// The directory's own limit: pwproxy's LDAP sequence for each request,
/// issued directly over persistent connections (one bound as the service
/// account, one that the admin binds on, per client).
struct Floor {
    url: String,
    settings: LdapConnSettings,
}

const GROUPS: &str = "dc=example,dc=org";
const HELPDESK1: &str = "uid=helpdesk1,ou=people,dc=example,dc=org";
const LOOKUP_ATTRS: [&str; 4] = ["uid", "entryUUID", "mail", "pwdAccountLockedTime"];

impl Floor {
    fn new(url: &str, ca_file: &std::path::Path) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut roots = rustls::RootCertStore::empty();
        use rustls::pki_types::pem::PemObject;
        for cert in rustls::pki_types::CertificateDer::pem_file_iter(ca_file).unwrap() {
            roots.add(cert.unwrap()).unwrap();
        }
        let tls = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
        Self { url: url.to_owned(), settings: LdapConnSettings::new().set_config(Arc::new(tls)) }
    }

    async fn connect(&self) -> Ldap {
        let (conn, ldap) = LdapConnAsync::with_settings(self.settings.clone(), &self.url).await.unwrap();
        ldap3::drive!(conn);
        ldap
    }

    /// The same operations, in the same order and with the same
    /// concurrency, as pwproxy for one request.
    async fn request(
        service: &mut Ldap,
        admin: &mut Ldap,
        kind: Kind,
        id: &str,
        name: &str,
        password: &str,
    ) -> bool {
        let admin_lookup =
            search(service, "ou=people,dc=example,dc=org", "(uid=helpdesk1)", &LOOKUP_ATTRS, 2);
        if admin_lookup.await.len() != 1 {
            return false;
        }
        if let Kind::ByName = kind
            && !admin.simple_bind(HELPDESK1, SEED_PASSWORD).await.is_ok_and(|r| r.rc == 0)
        {
            return false;
        }
        let target_filter = match kind {
            Kind::ById => format!("(&(objectClass=inetOrgPerson)(entryUUID={}))", ldap_escape(id)),
            Kind::ByName => format!("(&(objectClass=inetOrgPerson)(uid={}))", ldap_escape(name)),
        };
        let mut for_target = service.clone();
        let admin_groups_filter = groups_filter(HELPDESK1);
        let (admin_groups, target) = tokio::join!(
            search(service, GROUPS, &admin_groups_filter, &["1.1"], 0),
            search(&mut for_target, "ou=people,dc=example,dc=org", &target_filter, &LOOKUP_ATTRS, 2),
        );
        if admin_groups.is_empty() || target.len() != 1 {
            return false;
        }
        let target_groups = search(service, GROUPS, &groups_filter(&target[0]), &["1.1"], 0).await;
        if !target_groups.is_empty() {
            return false;
        }
        let writer = match kind {
            Kind::ById => service,
            Kind::ByName => admin,
        };
        let mods = vec![
            Mod::Replace("userPassword", std::collections::HashSet::from([password])),
            Mod::Replace("pwdReset", std::collections::HashSet::from(["TRUE"])),
        ];
        let ppolicy =
            ldap3::controls::RawControl { ctype: "1.3.6.1.4.1.42.2.27.8.5.1".into(), crit: false, val: None };
        writer.with_controls(ppolicy).modify(&target[0], mods).await.is_ok_and(|r| r.rc == 0)
    }
}

fn groups_filter(dn: &str) -> String {
    let dn = ldap_escape(dn);
    format!(
        "(&(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))(|(member={dn})(uniqueMember={dn})))"
    )
}

/// DNs of the entries found.
async fn search(ldap: &mut Ldap, base: &str, filter: &str, attrs: &[&str], limit: i32) -> Vec<String> {
    let result = ldap
        .with_search_options(SearchOptions::new().sizelimit(limit))
        .search(base, Scope::Subtree, filter, attrs.to_vec())
        .await;
    match result {
        Ok(ldap3::SearchResult(entries, _)) => {
            entries.into_iter().filter(|e| !e.is_ref()).map(|e| ldap3::SearchEntry::construct(e).dn).collect()
        }
        Err(_) => Vec::new(),
    }
}

async fn drive_floor(floor: &Floor, ids: &Arc<Vec<String>>, clients: usize, length: Duration) -> Run {
    let started = Instant::now();
    let deadline = started + length;
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (mut service, mut admin) = (floor.connect().await, floor.connect().await);
        service.simple_bind(SERVICE_DN, SERVICE_PASSWORD).await.unwrap().success().unwrap();
        let ids = ids.clone();
        tasks.push(tokio::spawn(async move {
            let (mut latencies, mut errors, mut n) = (Vec::new(), 0, 0u64);
            while Instant::now() < deadline {
                n += 1;
                let i = target(c, clients, n, ids.len());
                let password = format!("Floor-{c}-{n}-{}-Passw0rd", started.elapsed().as_micros());
                let sent = Instant::now();
                let ok = Floor::request(
                    &mut service,
                    &mut admin,
                    kind(n),
                    &ids[i],
                    &format!("bench{i}"),
                    &password,
                )
                .await;
                latencies.push(sent.elapsed());
                errors += usize::from(!ok);
            }
            (latencies, errors)
        }));
    }
    collect(tasks, started).await
}

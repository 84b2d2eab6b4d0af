//! The least CPU any client built on pwproxy's LDAP client (ldap3) can
//! spend on pwproxy's resets: the operations pwproxy sends for one reset,
//! and nothing else (no HTTP, no checks, no audit line), from one thread
//! as pwproxy serves, against the fixture slapd. Prints this process's CPU
//! per reset beside slapd's, and their ratio: the floor under pwproxy's own
//! ratio in the throughput bench's CPU table.
//!
//! Per reset, the two endpoints alternating as in the throughput bench: one
//! search finding the admin and the target together (pwproxy's attributes,
//! memberOf among them), the admin's bind for a `PUT`, and the modify
//! (ppolicy control, `pwdReset`), on the service account's connection for a
//! `POST` and on the admin's for a `PUT`.
//!
//!   cargo bench --bench ldap_client -- --users 1000 --clients 32 --seconds 10

use std::collections::HashSet;
use std::time::{Duration, Instant};

use clap::Parser;
use ldap3::controls::RawControl;
use ldap3::{Ldap, LdapConnAsync, Mod, Scope, SearchEntry, SearchOptions, ldap_escape};
use pwproxy_testkit::figures::{cpu_time, micros_per};
use pwproxy_testkit::ldap::{
    PEOPLE, SEED_PASSWORD, SERVICE_DN, SERVICE_PASSWORD, TestDirectory, people_ldif,
};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 1000)]
    users: usize,
    #[arg(long, default_value_t = 32)]
    clients: usize,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Passed by `cargo bench`.
    #[arg(long, hide = true)]
    bench: bool,
}

/// What pwproxy reads of the admin and the target on OpenLDAP with
/// `directory.membership = "memberof"`.
const ATTRIBUTES: [&str; 11] = [
    "uid",
    "entryUUID",
    "mail",
    "displayName",
    "cn",
    "pwdAccountLockedTime",
    "pwdFailureTime",
    "pwdChangedTime",
    "pwdReset",
    "pwdPolicySubentry",
    "memberOf",
];
const HELPDESK1: &str = "uid=helpdesk1,ou=people,dc=example,dc=org";
const PPOLICY: &str = "1.3.6.1.4.1.42.2.27.8.5.1";

async fn connect(url: &str) -> Ldap {
    let (conn, ldap) = LdapConnAsync::new(url).await.unwrap();
    ldap3::drive!(conn);
    ldap
}

/// One reset's operations: `by_name` is a `PUT` (the admin binds and
/// writes), otherwise a `POST` with a token (the service account writes).
async fn reset(service: &mut Ldap, admin: &mut Ldap, by_name: bool, target: &str, password: &str) -> bool {
    let filter = if by_name {
        format!("(|(uid=helpdesk1)(&(objectClass=inetOrgPerson)(uid={})))", ldap_escape(target))
    } else {
        format!("(|(uid=helpdesk1)(&(objectClass=inetOrgPerson)(entryUUID={})))", ldap_escape(target))
    };
    let found = service
        .with_search_options(SearchOptions::new().sizelimit(5))
        .search(PEOPLE, Scope::Subtree, &filter, ATTRIBUTES.to_vec())
        .await;
    let Ok(ldap3::SearchResult(entries, _)) = found else { return false };
    let people: Vec<SearchEntry> = entries.into_iter().map(SearchEntry::construct).collect();
    let Some(person) = people.iter().find(|p| p.dn != HELPDESK1) else { return false };
    let writer = if by_name {
        if !admin.simple_bind(HELPDESK1, SEED_PASSWORD).await.is_ok_and(|r| r.rc == 0) {
            return false;
        }
        admin
    } else {
        service
    };
    let mods = vec![
        Mod::Replace("userPassword", HashSet::from([password])),
        Mod::Replace("pwdReset", HashSet::from(["TRUE"])),
    ];
    let ppolicy = RawControl { ctype: PPOLICY.into(), crit: false, val: None };
    writer.with_controls(ppolicy).modify(&person.dn, mods).await.is_ok_and(|r| r.rc == 0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args = Args::parse();
    let dir = TestDirectory::start_own().await;
    dir.own().bulk_load(&people_ldif("bench", args.users));
    let ids = dir.ids("bench", args.users).await;
    println!("# ldap3 alone, pwproxy's operations per reset: {} people, {} s\n", args.users, args.seconds);
    println!("| clients | resets/s | errors | client CPU/reset | slapd CPU/reset | client / slapd |");
    println!("|---|---|---|---|---|---|");
    let (own_pid, slapd_pid) = (std::process::id(), dir.own().process_id());
    for clients in [args.clients, 1] {
        let mut connections = Vec::new();
        for _ in 0..clients {
            let mut service = connect(&dir.ldap_url).await;
            service.simple_bind(SERVICE_DN, SERVICE_PASSWORD).await.unwrap().success().unwrap();
            connections.push((service, connect(&dir.ldap_url).await));
        }
        let warm = drive(&mut connections, &ids, Duration::from_secs(1), 0).await;
        let (c0, s0) = (cpu_time(own_pid), cpu_time(slapd_pid));
        let started = Instant::now();
        let (done, errors) = drive(&mut connections, &ids, Duration::from_secs(args.seconds), warm.0).await;
        let elapsed = started.elapsed();
        let (client, slapd) = (cpu_time(own_pid) - c0, cpu_time(slapd_pid) - s0);
        let (per_client, per_slapd) = (micros_per(client, done), micros_per(slapd, done));
        println!(
            "| {clients} | {:.0} | {errors} | {per_client:.0} µs | {per_slapd:.0} µs | {:.2} |",
            done as f64 / elapsed.as_secs_f64(),
            per_client / per_slapd.max(f64::MIN_POSITIVE),
        );
    }
}

/// Every client resetting its own people for `length`; `from` numbers the
/// passwords on from an earlier drive. Resets done, and failed.
async fn drive(
    connections: &mut [(Ldap, Ldap)],
    ids: &[String],
    length: Duration,
    from: usize,
) -> (usize, usize) {
    let deadline = Instant::now() + length;
    let count = connections.len();
    let clients = connections.iter_mut().enumerate().map(|(c, (service, admin))| async move {
        let (mut n, mut errors) = (0, 0);
        while Instant::now() < deadline {
            n += 1;
            // Each client its own people, so that no two write one entry at once.
            let i = c + count * ((from + n) % (ids.len() / count).max(1));
            let by_name = n % 2 == 1;
            let target = if by_name { format!("bench{i}") } else { ids[i].clone() };
            let password = format!("Floor-{c}-{}-{n}-Passw0rd", from + n);
            errors += usize::from(!reset(service, admin, by_name, &target, &password).await);
        }
        (n, errors)
    });
    futures::future::join_all(clients).await.into_iter().fold((0, 0), |(n, e), (dn, de)| (n + dn, e + de))
}

//! The load both sides of the benchmark are put under: who sends what to
//! whom, in the same loop for pwproxy's clients and the floor's, and what a
//! run measured.

use std::sync::Arc;
use std::time::{Duration, Instant};

use pwproxy_testkit::figures::percentile;
use pwproxy_testkit::floor::{Connections, Request};
use pwproxy_testkit::ldap::SEED_PASSWORD;
use serde_json::json;

#[derive(Default)]
pub struct Run {
    pub requests: usize,
    pub errors: usize,
    pub elapsed: Duration,
    pub latencies: Vec<Duration>,
}

impl Run {
    pub fn add(&mut self, slice: Run) {
        self.requests += slice.requests;
        self.errors += slice.errors;
        self.elapsed += slice.elapsed;
        self.latencies.extend(slice.latencies);
    }

    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
    pub fn p(&self, p: f64) -> Duration {
        percentile(&self.latencies, p)
    }
}

/// Which request a client sends next: the two endpoints alternate.
fn kind(n: u64) -> Request {
    if n.is_multiple_of(2) { Request::ById } else { Request::ByName }
}

/// Whose requests: each side writes to its own half of the directory, so
/// that neither writes in the other's wake (an entry just written by one is
/// hot for the next writer; at 100 000 people a first write costs the
/// directory more).
#[derive(Clone, Copy)]
pub enum Side {
    Proxy = 0,
    Floor = 1,
}

impl Side {
    /// Starts the side's generated passwords.
    fn label(self) -> &'static str {
        match self {
            Side::Proxy => "Bench",
            Side::Floor => "Floor",
        }
    }
}

/// Client `c`'s `n`-th target on `side`: spread over the whole directory,
/// never the same person as another client's or the other side's.
fn target(side: Side, c: usize, clients: usize, n: u64, users: usize) -> usize {
    let half = (users / 2).max(1);
    let slots = (half / clients).max(1);
    let slot = (n.wrapping_mul(2_654_435_761) as usize) % slots;
    ((slot * clients + c) % half) * 2 + side as usize
}

/// How one benchmark client sends a request: through pwproxy, or as the
/// floor's direct LDAP sequence.
pub trait Client: Send + 'static {
    /// Whether `kind` of request for the person `id` (named `name`) with
    /// `password` succeeded.
    fn send(
        &mut self,
        kind: Request,
        id: &str,
        name: &str,
        password: &str,
    ) -> impl Future<Output = bool> + Send;
}

/// pwproxy's HTTP client, shared by its side's clients (one keep-alive
/// connection each).
#[derive(Clone)]
pub struct ProxyClient {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Client for ProxyClient {
    async fn send(&mut self, kind: Request, id: &str, name: &str, password: &str) -> bool {
        let base = &self.base;
        let request = match kind {
            Request::ById => self
                .http
                .post(format!("{base}/actions/persons/{id}/change-password"))
                .bearer_auth(&self.token)
                .json(&json!({ "password": password, "password_2": password })),
            Request::ByName => self.http.put(format!("{base}/api/v1/users/changePassword")).json(&json!({
                "userName": name,
                "password": password,
                "adminPassword": SEED_PASSWORD,
                "adminUserName": "helpdesk1",
            })),
        };
        match request.send().await {
            Ok(response) if response.status() == 200 => true,
            Ok(response) => {
                let status = response.status();
                eprintln!("pwproxy answered {status}: {}", response.text().await.unwrap_or_default());
                false
            }
            Err(e) => {
                eprintln!("no answer from pwproxy: {e}");
                false
            }
        }
    }
}

impl Client for Connections {
    async fn send(&mut self, kind: Request, id: &str, name: &str, password: &str) -> bool {
        self.request(kind, id, name, password).await.is_some()
    }
}

/// Each of `side`'s clients sending its requests for `length`, the same
/// loop for both sides; hands each client back with its count so far.
pub async fn drive<C: Client>(
    side: Side,
    clients: Vec<(C, u64)>,
    ids: &Arc<Vec<String>>,
    length: Duration,
) -> (Run, Vec<(C, u64)>) {
    let count = clients.len();
    let started = Instant::now();
    let deadline = started + length;
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(c, (mut client, mut n))| {
            let ids = ids.clone();
            tokio::spawn(async move {
                let (mut latencies, mut errors) = (Vec::new(), 0);
                while Instant::now() < deadline {
                    n += 1;
                    let i = target(side, c, count, n, ids.len());
                    let password =
                        format!("{}-{c}-{n}-{}-Passw0rd", side.label(), started.elapsed().as_micros());
                    let sent = Instant::now();
                    let ok = client.send(kind(n), &ids[i], &format!("bench{i}"), &password).await;
                    latencies.push(sent.elapsed());
                    errors += usize::from(!ok);
                }
                (latencies, errors, (client, n))
            })
        })
        .collect();
    let mut run = Run::default();
    let mut kept = Vec::new();
    for task in tasks {
        let (latencies, errors, client) = task.await.unwrap();
        run.requests += latencies.len();
        run.errors += errors;
        run.latencies.extend(latencies);
        kept.push(client);
    }
    run.elapsed = started.elapsed();
    run.latencies.sort();
    (run, kept)
}

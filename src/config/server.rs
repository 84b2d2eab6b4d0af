//! `[server]`: the listener, TLS, trusted proxies, threads.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Address the HTTP server listens on.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Largest accepted request body, in bytes.
    #[serde(default = "default_body_limit")]
    pub max_body_bytes: usize,
    /// Reverse proxies (addresses or CIDR ranges) whose `X-Forwarded-For` is
    /// believed; from anyone else the socket's address is the client's.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// Serve `/metrics` on this address alone (and not on `listen`).
    #[serde(default)]
    pub metrics_listen: Option<SocketAddr>,
    /// PEM certificate chain and key: with both, pwproxy serves HTTPS.
    #[serde(default)]
    pub tls_cert_file: Option<PathBuf>,
    #[serde(default)]
    pub tls_key_file: Option<PathBuf>,
    /// Plain HTTP on an address other than the loopback carries admins'
    /// passwords in clear: refused unless this is set (only behind a proxy
    /// that terminates TLS).
    #[serde(default)]
    pub allow_plaintext: bool,
    /// Threads that serve requests: 1 runs everything on one thread.
    #[serde(default = "default_worker_threads")]
    pub worker_threads: usize,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            listen: default_listen(),
            max_body_bytes: default_body_limit(),
            trusted_proxies: Vec::new(),
            metrics_listen: None,
            tls_cert_file: None,
            tls_key_file: None,
            allow_plaintext: false,
            worker_threads: default_worker_threads(),
        }
    }
}

impl ServerSettings {
    /// `trusted_proxies` parsed; a bare address is a one-address range.
    pub fn trusted_proxy_ranges(&self) -> Result<Vec<ipnet::IpNet>, String> {
        self.trusted_proxies
            .iter()
            .map(|entry| {
                let entry = entry.trim();
                entry
                    .parse::<ipnet::IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| format!("'{entry}' is neither an IP address nor a CIDR range"))
            })
            .collect()
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}

fn default_body_limit() -> usize {
    16 * 1024
}

/// A reset is a few directory exchanges and ~0.17 ms of CPU: one thread
/// serves thousands a second, and on one thread a request, its
/// connections and the I/O driver hand work to each other without waking
/// another thread (measured in BENCHMARKS.md).
fn default_worker_threads() -> usize {
    1
}

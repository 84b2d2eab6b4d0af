//! Ports and certificates the way every suite needs them.

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

/// A port nobody listens on right now (another process may still take it
/// first: starters retry).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A `127.0.0.1:PORT` listen address on a free port.
pub fn free_listen() -> String {
    format!("127.0.0.1:{}", free_port())
}

/// A TLS client configuration that trusts the fixture's CA and nothing else,
/// built the way pwproxy builds its own from `ldap.ca_file`.
pub fn trust_only(ca_file: &Path) -> Arc<rustls::ClientConfig> {
    Arc::new(pwproxy::directory::trust_only(ca_file).expect("the fixture's CA file"))
}

//! Logging, set up once: human-readable lines on stderr, and the audit trail
//! as one JSON object per line on stdout so it can be shipped separately.

use tracing::Level;
use tracing_subscriber::filter::{EnvFilter, Targets};
use tracing_subscriber::prelude::*;

/// The tracing target of audit records; see [`crate::audit`].
pub const AUDIT_TARGET: &str = "pwproxy::audit";

/// Installs the global subscriber. `RUST_LOG` sets the level of the
/// operational log (default `info`); audit records are always written.
pub fn init() {
    let operational = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_filter(tracing_subscriber::filter::filter_fn(|m| m.target() != AUDIT_TARGET));
    let audit = tracing_subscriber::fmt::layer()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_writer(std::io::stdout)
        .with_filter(Targets::new().with_target(AUDIT_TARGET, Level::INFO));
    // A second init (tests in one process) keeps the first subscriber.
    let _ = tracing_subscriber::registry().with(operational).with(audit).try_init();
}

//! Prometheus metrics, one registry per running pwproxy (so that tests in
//! one process see only their own): requests and their latency per route and
//! status, resets and lookups by outcome, directory operations' latency, connections by
//! pool and state, and lockouts by scope. Every label value comes from a
//! fixed set (route templates, stable codes, operation names): a flood of
//! unknown paths counts as `route="unmatched"`.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The route of a request no route matched.
pub const UNMATCHED: &str = "unmatched";

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EventLabels {
    action: &'static str,
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ConnectionLabels {
    pool: &'static str,
    state: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ScopeLabels {
    scope: &'static str,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    request_durations: Histograms<RouteLabels>,
    resets: Family<OutcomeLabels, Counter>,
    lookups: Family<OutcomeLabels, Counter>,
    notifications: Family<StatusLabels, Counter>,
    audit_events: Family<EventLabels, Counter>,
    account_actions: Family<EventLabels, Counter>,
    audit_store_failures: Counter,
    operations: Histograms<OperationLabels>,
    connections: Family<ConnectionLabels, Gauge>,
    lockouts: Family<ScopeLabels, Counter>,
    store_up: Gauge,
    member_of: Gauge,
}

/// 0.5 ms to ~8 s: a directory exchange on a LAN to a request that waited
/// out the timeout.
fn latency() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::default();
        registry.register("pwproxy_http_requests", "HTTP requests by route and status", requests.clone());
        let request_durations: Histograms<RouteLabels> = Family::new_with_constructor(latency);
        registry.register(
            "pwproxy_http_request_duration_seconds",
            "HTTP request latency by route",
            request_durations.clone(),
        );
        let resets = Family::default();
        registry.register(
            "pwproxy_resets",
            "Password reset attempts by outcome (the stable code, ok for success)",
            resets.clone(),
        );
        let lookups = Family::default();
        registry.register(
            "pwproxy_lookups",
            "Searches and person lookups by outcome (the stable code, ok for success)",
            lookups.clone(),
        );
        let notifications = Family::default();
        registry.register(
            "pwproxy_notifications",
            "Mails to people after a reset, by status (sent, failed, skipped: no address)",
            notifications.clone(),
        );
        let operations: Histograms<OperationLabels> = Family::new_with_constructor(latency);
        registry.register(
            "pwproxy_directory_operation_duration_seconds",
            "Directory operation latency by operation",
            operations.clone(),
        );
        let connections = Family::default();
        registry.register(
            "pwproxy_directory_connections",
            "Directory connections by pool and state (at the time of the scrape)",
            connections.clone(),
        );
        let audit_events = Family::default();
        registry.register(
            "pwproxy_audit_events",
            "Audit events recorded, by action and outcome (ok or the stable code)",
            audit_events.clone(),
        );
        let account_actions = Family::default();
        registry.register(
            "pwproxy_account_actions",
            "Unlocks, disables and enables by action and outcome (the stable code, ok for success, changed or not)",
            account_actions.clone(),
        );
        let audit_store_failures = Counter::default();
        registry.register(
            "pwproxy_audit_store_failures",
            "Audit events the store could not take (refused with audit.required, else only logged)",
            audit_store_failures.clone(),
        );
        let lockouts = Family::default();
        registry.register(
            "pwproxy_lockouts",
            "Names and client addresses locked out after too many failures, by scope",
            lockouts.clone(),
        );
        let store_up = Gauge::default();
        registry.register(
            "pwproxy_rate_limit_store_up",
            "1 while the shared failure counters (rate_limit.store = redis://…) answer, 0 while this replica counts alone",
            store_up.clone(),
        );
        let member_of = Gauge::default();
        registry.register(
            "pwproxy_directory_memberof_proven",
            "1 while direct groups are read from memberOf (directory.membership = \"memberof\", the last proof agreed), 0 while they are searched for",
            member_of.clone(),
        );
        Self {
            registry,
            requests,
            request_durations,
            resets,
            lookups,
            notifications,
            audit_events,
            account_actions,
            audit_store_failures,
            operations,
            connections,
            lockouts,
            store_up,
            member_of,
        }
    }
}

impl Metrics {
    pub fn http_request(&self, route: &str, status: u16, elapsed: Duration) {
        let route = route.to_owned();
        self.requests.get_or_create(&RequestLabels { route: route.clone(), status }).inc();
        self.request_durations.get_or_create(&RouteLabels { route }).observe(elapsed.as_secs_f64());
    }

    /// `outcome`: a stable code, or `ok`.
    pub fn reset(&self, outcome: &'static str) {
        self.resets.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    /// `outcome`: a stable code, or `ok`.
    pub fn lookup(&self, outcome: &'static str) {
        self.lookups.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    /// `action`: unlock, disable or enable; `outcome`: `ok` or a stable code.
    pub fn account_action(&self, action: &'static str, outcome: &'static str) {
        self.account_actions.get_or_create(&EventLabels { action, outcome }).inc();
    }

    /// `status`: sent, failed or skipped.
    pub fn notification(&self, status: &'static str) {
        self.notifications.get_or_create(&StatusLabels { status }).inc();
    }

    /// One audit event: `outcome` is `ok` or a stable code.
    pub fn audit_event(&self, action: &'static str, outcome: &'static str) {
        self.audit_events.get_or_create(&EventLabels { action, outcome }).inc();
    }

    /// An event the audit store could not take.
    pub fn audit_store_failure(&self) {
        self.audit_store_failures.inc();
    }

    pub fn directory_operation(&self, operation: &'static str, elapsed: Duration) {
        self.operations.get_or_create(&OperationLabels { operation }).observe(elapsed.as_secs_f64());
    }

    /// A pool's connections right now.
    pub fn connections(&self, pool: &'static str, idle: usize, in_use: usize, waiting: usize) {
        for (state, count) in [("idle", idle), ("in_use", in_use), ("waiting", waiting)] {
            self.connections.get_or_create(&ConnectionLabels { pool, state }).set(count as i64);
        }
    }

    /// `scope`: `name` or `address`.
    pub fn lockout(&self, scope: &'static str) {
        self.lockouts.get_or_create(&ScopeLabels { scope }).inc();
    }

    pub fn rate_limit_store_up(&self, up: bool) {
        self.store_up.set(i64::from(up));
    }

    pub fn member_of_proven(&self, proven: bool) {
        self.member_of.set(i64::from(proven));
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contracts_names_and_labels_are_rendered() {
        let metrics = Metrics::default();
        metrics.http_request("/healthz", 200, Duration::from_millis(3));
        metrics.reset("ok");
        metrics.directory_operation("search", Duration::from_millis(1));
        metrics.connections("service", 2, 1, 0);
        metrics.lockout("name");
        let text = metrics.render();
        for expected in [
            r#"pwproxy_http_requests_total{route="/healthz",status="200"} 1"#,
            r#"pwproxy_http_request_duration_seconds_count{route="/healthz"} 1"#,
            r#"pwproxy_resets_total{outcome="ok"} 1"#,
            r#"pwproxy_directory_operation_duration_seconds_count{operation="search"} 1"#,
            r#"pwproxy_directory_connections{pool="service",state="idle"} 2"#,
            r#"pwproxy_lockouts_total{scope="name"} 1"#,
        ] {
            assert!(text.contains(expected), "{expected}\n{text}");
        }
    }
}

//! The audit trail: one [`Event`] per operation, refused or not — who did
//! what to whom, through which door, how it ended — handed to a [`Sink`].
//! The application's pipeline is the only writer. [`LogSink`] writes each
//! event as one JSON line on its own tracing target (to stdout, by
//! [`crate::telemetry`]). An event never holds a password, a token or a
//! code: its fields are names, outcomes and decisions.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_json::Value;

use crate::telemetry::AUDIT_TARGET;

/// What was done, as the contract names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Login,
    Logout,
    Search,
    Lookup,
    Reset,
    Notify,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Login => "login",
            Action::Logout => "logout",
            Action::Search => "search",
            Action::Lookup => "lookup",
            Action::Reset => "reset",
            Action::Notify => "notify",
        }
    }
}

/// The door a request came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Api,
    Console,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Api => "api",
            Via::Console => "console",
        }
    }
}

/// Where a request came from, fixed before any work is done.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
    /// The client's address: the socket's, or `X-Forwarded-For`'s from a
    /// trusted proxy.
    pub client: IpAddr,
    pub via: Via,
    /// The route or page, for operators (`persons.change-password`).
    pub endpoint: &'static str,
}

/// What else was decided, by name: temporary, unlocked, where a generated
/// password went, a notification's status, how many people were shown.
pub type Details = BTreeMap<&'static str, Value>;

/// One operation's record.
#[derive(Debug, Default)]
pub struct Event {
    /// The authenticated principal, else the name claimed.
    pub actor: Option<String>,
    /// The person as the request named them (a username, an id, a search
    /// text), and once resolved their DN and id attribute.
    pub target: Option<String>,
    pub target_dn: Option<String>,
    pub target_id: Option<String>,
    /// Directory round trips the operation took.
    pub exchanges: u32,
    pub details: Details,
}

/// Where events go. The log today; a store may stand beside it.
pub trait Sink: Send + Sync {
    /// `outcome` is `ok` or the failure's stable code.
    fn record(&self, context: &RequestContext, action: Action, outcome: &str, event: &Event);
}

/// Each event as one JSON log line on the audit target.
pub struct LogSink;

impl Sink for LogSink {
    fn record(&self, context: &RequestContext, action: Action, outcome: &str, event: &Event) {
        let details = serde_json::to_string(&event.details).unwrap_or_default();
        tracing::info!(
            target: AUDIT_TARGET,
            request_id = %context.request_id,
            client = %context.client,
            via = context.via.as_str(),
            endpoint = context.endpoint,
            action = action.as_str(),
            outcome,
            actor = event.actor.as_deref().unwrap_or(""),
            target_user = event.target.as_deref().unwrap_or(""),
            target_dn = event.target_dn.as_deref().unwrap_or(""),
            target_id = event.target_id.as_deref().unwrap_or(""),
            directory_exchanges = event.exchanges,
            details,
            "audit event"
        );
    }
}

/// A request a panic interrupted before its operation could record itself:
/// its own line, so that nothing answered goes unrecorded.
pub fn interrupted(context: &RequestContext, route: &str) {
    tracing::error!(
        target: AUDIT_TARGET,
        request_id = %context.request_id,
        client = %context.client,
        via = context.via.as_str(),
        route,
        outcome = "internal",
        "request interrupted"
    );
}

#[cfg(test)]
pub mod recorded {
    //! A sink that keeps what it is given, for tests of who records what.

    use std::sync::{Arc, Mutex};

    use super::*;

    /// One recorded event, flattened for assertions.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Recorded {
        pub action: Action,
        pub outcome: String,
        pub via: Via,
        pub actor: Option<String>,
        pub target: Option<String>,
        pub details: String,
    }

    #[derive(Clone, Default)]
    pub struct Recorder(pub Arc<Mutex<Vec<Recorded>>>);

    impl Recorder {
        pub fn take(&self) -> Vec<Recorded> {
            std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
        }
    }

    impl Sink for Recorder {
        fn record(&self, context: &RequestContext, action: Action, outcome: &str, event: &Event) {
            let recorded = Recorded {
                action,
                outcome: outcome.to_owned(),
                via: context.via,
                actor: event.actor.clone(),
                target: event.target.clone(),
                details: serde_json::to_string(&event.details).unwrap_or_default(),
            };
            self.0.lock().unwrap_or_else(|p| p.into_inner()).push(recorded);
        }
    }
}

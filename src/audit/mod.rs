//! The audit trail: one [`Event`] per operation, refused or not — who did
//! what to whom, through which door, how it ended — handed to a [`Sink`].
//! The application's pipeline is the only writer. Each event is one JSON
//! line on its own tracing target (to stdout, by [`crate::telemetry`]) and,
//! with `[audit] store`, a row of the [`store`] whose chain shows any edit
//! ([`Trail`]). An event never holds a password, a token or a code: its
//! fields are names, outcomes and decisions.

pub mod export;
pub mod record;
pub mod store;
mod trail;
pub mod verify;

use std::collections::BTreeMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

use serde_json::Value;

pub use trail::Trail;

use crate::telemetry::AUDIT_TARGET;

/// What was done, as the contract names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Login,
    Logout,
    Search,
    Lookup,
    Reset,
    Unlock,
    Disable,
    Enable,
    Notify,
    Retention,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Login => "login",
            Action::Logout => "logout",
            Action::Search => "search",
            Action::Lookup => "lookup",
            Action::Reset => "reset",
            Action::Unlock => "unlock",
            Action::Disable => "disable",
            Action::Enable => "enable",
            Action::Notify => "notify",
            Action::Retention => "retention",
        }
    }
}

impl From<crate::directory::AccountChange> for Action {
    fn from(change: crate::directory::AccountChange) -> Self {
        use crate::directory::AccountChange;
        match change {
            AccountChange::Unlock => Action::Unlock,
            AccountChange::Disable => Action::Disable,
            AccountChange::Enable => Action::Enable,
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
    /// The person's username once resolved.
    pub person: Option<String>,
    /// Directory round trips the operation took.
    pub exchanges: u32,
    pub details: Details,
    /// A write's attempt, stored before the directory was touched.
    pub attempt: Option<Attempt>,
}

/// A write stored as pending, to be completed with its outcome.
#[derive(Debug, Clone, Copy)]
pub struct Attempt {
    pub id: i64,
    pub at_ms: i64,
}

/// One event as the pipeline hands it over: `outcome` is `ok` or the
/// failure's stable code (`pending` for an attempt).
#[derive(Clone, Copy)]
pub struct Entry<'a> {
    pub context: &'a RequestContext,
    pub action: Action,
    pub outcome: &'a str,
    pub event: &'a Event,
}

/// The store could not take an event that had to be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unavailable;

/// A sink's work under way.
pub type Storing<'a, T> = Pin<Box<dyn Future<Output = Result<T, Unavailable>> + Send + 'a>>;

/// Where events go.
pub trait Sink: Send + Sync {
    /// A write about to be made: kept as pending where the sink keeps
    /// attempts. `Err` only when it had to be kept and could not.
    fn attempt<'a>(&'a self, _entry: Entry<'a>) -> Storing<'a, Option<Attempt>> {
        Box::pin(async { Ok(None) })
    }

    /// An operation ended (completing its attempt, if one was kept). `Err`
    /// only when it had to be kept and could not.
    fn record<'a>(&'a self, entry: Entry<'a>) -> Storing<'a, ()>;
}

/// Each event as one JSON log line on the audit target.
pub struct LogSink;

impl Sink for LogSink {
    fn record<'a>(&'a self, entry: Entry<'a>) -> Storing<'a, ()> {
        log(entry);
        Box::pin(async { Ok(()) })
    }
}

/// The event's JSON log line.
pub fn log(entry: Entry<'_>) {
    let Entry { context, action, outcome, event } = entry;
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
        fn record<'a>(&'a self, entry: Entry<'a>) -> Storing<'a, ()> {
            let Entry { context, action, outcome, event } = entry;
            let recorded = Recorded {
                action,
                outcome: outcome.to_owned(),
                via: context.via,
                actor: event.actor.clone(),
                target: event.target.clone(),
                details: serde_json::to_string(&event.details).unwrap_or_default(),
            };
            self.0.lock().unwrap_or_else(|p| p.into_inner()).push(recorded);
            Box::pin(async { Ok(()) })
        }
    }
}

//! The application: one [`App`] and one file per use case — `reset`,
//! `actions` (unlock, disable, enable), `bulk`, `lookup`, `login`, `trail` — each run through `pipeline`, the one place that
//! frames an operation (deadline, directory exchanges counted, one audit
//! event, one metric). Who is asking is proven in `authentication`, whose
//! reach a person is in `reach`. The web layer sees the App through
//! [`Operations`]; failures speak the domain's words ([`Failure`]).

mod actions;
mod authentication;
mod bulk;
mod failure;
mod login;
mod lookup;
mod new_password;
mod operations;
mod pipeline;
mod reach;
mod reset;
#[cfg(test)]
pub(crate) mod tests;
mod trail;

use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

pub use actions::{AccountChanged, AccountCommand};
pub(crate) use authentication::Authenticated;
pub use authentication::{Credentials, Principal};
pub use bulk::{BulkCommand, BulkOutcome};
pub use failure::{Failure, Inactive, whole_seconds};
pub use lookup::{Found, MAX_LIMIT, Shown};
use new_password::Mailing;
pub use new_password::NewPassword;
pub use operations::{Operations, Pending};
pub use reset::{Changed, ResetCommand};
pub use trail::TrailQuery;

use crate::access::Rules;
use crate::audit::store::Store;
use crate::audit::{LogSink, Sink};
use crate::config::GenerateSettings;
use crate::directory::{Directory, Lookup};
use crate::lockout::Lockout;
use crate::metrics::Metrics;
use crate::notify::Notifier;
use crate::policy::Policy;
use crate::token::Tokens;

/// How a request names a person.
#[derive(Debug)]
pub enum Target {
    Id(Uuid),
    Name(String),
}

impl Target {
    /// The directory's question for this person.
    pub(crate) fn lookup(&self) -> Lookup<'_> {
        match self {
            Target::Id(id) => Lookup::Id(id),
            Target::Name(name) => Lookup::Name(name),
        }
    }

    /// As the request named them, for the audit trail.
    pub fn named(&self) -> String {
        match self {
            Target::Id(id) => id.to_string(),
            Target::Name(name) => name.clone(),
        }
    }
}

pub struct App<D: Directory> {
    pub(crate) directory: D,
    pub(crate) rules: Rules,
    tokens: Tokens,
    pub(crate) policy: Policy,
    lockout: Lockout,
    mailing: Mailing,
    /// The whole directory conversation of one request must end within this,
    /// however many operations it takes.
    deadline: Duration,
    audit: Arc<dyn Sink>,
    /// The store events are read back from; `None` with `store = "none"`.
    trail: Option<Store>,
    metrics: Option<Arc<Metrics>>,
    /// People a bulk reset resets at once.
    bulk_concurrency: usize,
}

impl<D: Directory> App<D> {
    pub fn new(
        directory: D,
        rules: Rules,
        tokens: Tokens,
        policy: Policy,
        lockout: Lockout,
        deadline: Duration,
    ) -> Self {
        let mailing = Mailing { generate: GenerateSettings::default(), notifier: None };
        let audit = Arc::new(LogSink);
        Self {
            directory,
            rules,
            tokens,
            policy,
            lockout,
            mailing,
            deadline,
            audit,
            trail: None,
            metrics: None,
            bulk_concurrency: 4,
        }
    }

    /// A bulk reset resets this many people at once (at least one).
    pub fn with_bulk_concurrency(mut self, concurrency: usize) -> Self {
        self.bulk_concurrency = concurrency.max(1);
        self
    }

    /// Generated passwords as `generate` says, and mail through `notifier`.
    pub fn with_mail(mut self, generate: GenerateSettings, notifier: Option<Notifier>) -> Self {
        self.mailing = Mailing { generate, notifier };
        self
    }

    /// Every operation's event goes to `sink` (the log by default).
    pub fn with_audit(mut self, sink: Arc<dyn Sink>) -> Self {
        self.audit = sink;
        self
    }

    /// The trail is read back from `store`.
    pub fn with_trail(mut self, store: Option<Store>) -> Self {
        self.trail = store;
        self
    }

    /// Every operation is counted in `metrics`.
    pub fn observed_by(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    pub fn lockout(&self) -> &Lockout {
        &self.lockout
    }

    pub fn directory(&self) -> &D {
        &self.directory
    }
}

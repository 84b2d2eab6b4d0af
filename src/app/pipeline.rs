//! The frame around every operation, and the only writer of audit events
//! and operation metrics: the work runs under the request's deadline with
//! its directory exchanges counted, then one event is recorded with its
//! outcome and counted. An operation refused before it could run (a body
//! that cannot be read, a console form whose CSRF token is wrong) is
//! recorded here too, through [`App::refused`]. A write is kept as an
//! attempt before the directory is touched ([`App::attempting`]) and the
//! event completes it; a store that must keep events and cannot refuses
//! the operation (`audit_unavailable`), never a write already made.

use super::{App, Failure};
use crate::audit::{Action, Entry, Event, RequestContext, Unavailable};
use crate::directory::{Directory, counting_exchanges};
use crate::notify::NotificationStatus;

impl<D: Directory> App<D> {
    /// Runs `work` as `action`: under the deadline, its round trips counted,
    /// then one audit event (`event` as `work` filled it in) and one metric.
    /// A write already sent when the deadline passes may or may not have been
    /// applied; it is never repeated.
    ///
    /// The work is boxed at once: the whole conversation is one large
    /// future, which kept inline would make every caller's as large.
    pub(crate) async fn run<T>(
        &self,
        context: &RequestContext,
        action: Action,
        event: Event,
        work: impl AsyncFnOnce(&mut Event) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        self.run_as(context, Some(action), event, work).await
    }

    /// As [`Self::run`]; `None`: the work is part of an operation already
    /// recorded (the page that answers a refused console form shows the
    /// person again), so it is framed but not recorded twice.
    pub(crate) async fn run_as<T>(
        &self,
        context: &RequestContext,
        action: Option<Action>,
        mut event: Event,
        work: impl AsyncFnOnce(&mut Event) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let work = Box::pin(tokio::time::timeout(self.deadline, work(&mut event)));
        let (result, exchanges) = counting_exchanges(work).await;
        let result = result.unwrap_or_else(|_| {
            Err(Failure::DirectoryUnavailable(format!(
                "the request's directory work took over {:?}",
                self.deadline
            )))
        });
        event.exchanges = exchanges;
        let Some(action) = action else { return result };
        let stored =
            self.record(context, action, result.as_ref().err().map_or("ok", Failure::code), &event).await;
        match (stored, result) {
            // What was shown or granted cannot be accounted for: not given.
            // A write already made stands (its attempt is kept; see
            // `audit::store` for how an attempt left pending is settled).
            (Err(Unavailable), Ok(_)) if event.attempt.is_none() => Err(Failure::AuditUnavailable),
            (_, result) => result,
        }
    }

    /// Before a write: the attempt kept where events are stored. A store
    /// that must keep it and cannot means no write.
    pub(crate) async fn attempting(
        &self,
        context: &RequestContext,
        action: Action,
        event: &mut Event,
    ) -> Result<(), Failure> {
        let entry = Entry { context, action, outcome: "pending", event };
        let attempt = self.audit.attempt(entry).await.map_err(|Unavailable| Failure::AuditUnavailable)?;
        event.attempt = attempt;
        Ok(())
    }

    /// An operation refused before it could run: `code` is the refusal's.
    pub async fn refused(&self, context: &RequestContext, action: Action, event: &Event, code: &'static str) {
        // Refused either way: a store that cannot keep it changes nothing.
        let _ = self.record(context, action, code, event).await;
    }

    /// One event, and its count.
    pub(crate) async fn record(
        &self,
        context: &RequestContext,
        action: Action,
        outcome: &'static str,
        event: &Event,
    ) -> Result<(), Unavailable> {
        let stored = self.audit.record(Entry { context, action, outcome, event }).await;
        if let Some(metrics) = &self.metrics {
            metrics.audit_event(action.as_str(), outcome);
            match action {
                Action::Reset => metrics.reset(outcome),
                Action::Unlock | Action::Disable | Action::Enable => {
                    metrics.account_action(action.as_str(), outcome);
                }
                Action::Search | Action::Lookup => metrics.lookup(outcome),
                Action::Notify => metrics.notification(NotificationStatus::of_outcome(outcome).as_str()),
                Action::Login | Action::Logout | Action::Retention => {}
            }
        }
        stored
    }
}

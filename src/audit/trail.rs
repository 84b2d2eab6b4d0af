//! The sink pwproxy serves with: every event as its log line and, with a
//! store, as a row of the chain. `audit.required` decides what a store
//! failure means: the operation refused (503 `audit_unavailable`, nothing
//! written to the directory), or logged, counted and let go.

use std::sync::Arc;

use serde_json::Value;

use super::record::now_ms;
use super::store::{Row, Store};
use super::{Attempt, Entry, Sink, Storing, Unavailable, log};
use crate::metrics::Metrics;

pub struct Trail {
    store: Option<Store>,
    required: bool,
    metrics: Option<Arc<Metrics>>,
}

impl Trail {
    pub fn new(store: Option<Store>, required: bool, metrics: Option<Arc<Metrics>>) -> Self {
        Self { store, required, metrics }
    }

    /// A store failure: refused when the store is required, else let go.
    fn failed<T>(&self, error: &super::store::StoreError, fallback: T) -> Result<T, Unavailable> {
        if let Some(metrics) = &self.metrics {
            metrics.audit_store_failure();
        }
        if self.required {
            tracing::error!("{error}: the operation is refused (audit.required)");
            Err(Unavailable)
        } else {
            tracing::error!("{error}: the event is only in the log (audit.required = false)");
            Ok(fallback)
        }
    }
}

/// The event's columns, as first stored at `at_ms`.
fn row(entry: Entry<'_>, at_ms: i64) -> Row {
    let Entry { context, action, outcome, event } = entry;
    let details = event.details.iter().map(|(name, value)| ((*name).to_owned(), value.clone())).collect();
    Row {
        at_ms,
        action: action.as_str(),
        outcome: outcome.to_owned(),
        actor: event.actor.clone(),
        target_username: event.target.clone(),
        target_dn: event.target_dn.clone(),
        person: event.person.clone(),
        client: Some(context.client.to_string()),
        request_id: Some(context.request_id.clone()),
        via: Some(context.via.as_str()),
        details: Value::Object(details),
    }
}

impl Sink for Trail {
    fn attempt<'a>(&'a self, entry: Entry<'a>) -> Storing<'a, Option<Attempt>> {
        Box::pin(async move {
            let Some(store) = &self.store else { return Ok(None) };
            let at_ms = now_ms();
            match store.begin(row(entry, at_ms)).await {
                Ok(id) => Ok(Some(Attempt { id, at_ms })),
                Err(error) => self.failed(&error, None),
            }
        })
    }

    fn record<'a>(&'a self, entry: Entry<'a>) -> Storing<'a, ()> {
        log(entry);
        Box::pin(async move {
            let Some(store) = &self.store else { return Ok(()) };
            let stored = match entry.event.attempt {
                Some(attempt) => store.complete(attempt.id, row(entry, attempt.at_ms)).await,
                None => store.insert(row(entry, now_ms())).await.map(|_| ()),
            };
            stored.or_else(|error| self.failed(&error, ()))
        })
    }
}

//! What every request of the API and the console shares.

use std::sync::Arc;

use crate::app::Operations;
use crate::audit::{Action, Event, RequestContext};
use crate::metrics::Metrics;

pub struct AppState {
    /// The application, on whatever directory it was built with.
    pub app: Arc<dyn Operations>,
    pub metrics: Arc<Metrics>,
    /// `authorization.default_admin`, empty when unset.
    pub default_admin: String,
    /// `bulk.max_people`: names one bulk reset may hold.
    pub bulk_max_people: usize,
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl AppState {
    /// Records an operation refused before the application could run it
    /// (a body or form that cannot be read, a stale CSRF token): `target`
    /// and `actor` as the request named them, when it did.
    pub async fn refused(
        &self,
        context: &RequestContext,
        action: Action,
        target: Option<&str>,
        actor: Option<&str>,
        code: &'static str,
    ) {
        // A name the request left empty names nobody.
        let named = |value: Option<&str>| value.filter(|v| !v.is_empty()).map(str::to_owned);
        let event = Event { actor: named(actor), target: named(target), ..Event::default() };
        self.app.refused(context, action, &event, code).await;
    }
}

//! The audit trail: one JSON line per attempt (a reset, a sign-in, a
//! lookup), success or not, on its own
//! tracing target (written to stdout by [`crate::telemetry`]). It names who
//! tried what on whom and how it ended; never a password or a token.

use std::net::IpAddr;

use crate::directory::Write;
use crate::generate::Delivery;
use crate::notify::Notification;
use crate::telemetry::AUDIT_TARGET;

/// Where a request came from, fixed before any work is done.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
    /// The client's address: the socket's, or `X-Forwarded-For`'s from a
    /// trusted proxy.
    pub client: IpAddr,
    pub endpoint: &'static str,
}

/// One attempt's record.
#[derive(Debug)]
pub struct Attempt<'a> {
    pub context: &'a RequestContext,
    /// The name the caller acted as, when known.
    pub actor: Option<&'a str>,
    /// The target as named in the request (username or id) and, once
    /// resolved, its DN.
    pub target: Option<&'a str>,
    pub target_dn: Option<&'a str>,
    /// The target's id attribute once resolved (entryUUID, or objectGUID in
    /// its usual hyphenated form).
    pub target_id: Option<&'a str>,
    /// `None` on success; else the stable code of the failure.
    pub code: Option<&'static str>,
    /// Directory round trips the attempt took.
    pub exchanges: u32,
    /// How the password was written (or would have been, had the directory
    /// accepted it); `None` before that was decided.
    pub write: Option<Write>,
    /// Where a generated password went; `None` for a typed one.
    pub generated: Option<Delivery>,
}

/// A request refused before it could be understood (bad body, bad path):
/// nobody and nothing named yet.
pub fn refused(context: &RequestContext, code: &'static str) {
    record(&Attempt {
        context,
        actor: None,
        target: None,
        target_dn: None,
        target_id: None,
        code: Some(code),
        exchanges: 0,
        write: None,
        generated: None,
    });
}

pub fn record(attempt: &Attempt<'_>) {
    tracing::info!(
        target: AUDIT_TARGET,
        request_id = %attempt.context.request_id,
        client = %attempt.context.client,
        endpoint = attempt.context.endpoint,
        actor = attempt.actor.unwrap_or(""),
        target_user = attempt.target.unwrap_or(""),
        target_dn = attempt.target_dn.unwrap_or(""),
        target_id = attempt.target_id.unwrap_or(""),
        outcome = if attempt.code.is_none() { "success" } else { "failure" },
        code = attempt.code.unwrap_or("ok"),
        directory_exchanges = attempt.exchanges,
        temporary = attempt.write.map(|w| w.temporary),
        unlocked = attempt.write.map(|w| w.unlock),
        generated = attempt.generated.map(|d| match d {
            Delivery::Response => "response",
            Delivery::Mail => "mail",
        }),
        "password reset attempt"
    );
}

/// What became of the mail after a reset: its own line, under the reset's
/// request id. Never the address's server reply, never the password.
pub fn notification(context: &RequestContext, target: &str, notification: &Notification) {
    tracing::info!(
        target: AUDIT_TARGET,
        request_id = %context.request_id,
        client = %context.client,
        endpoint = context.endpoint,
        target_user = target,
        notification = notification.status.as_str(),
        reason = notification.reason.as_deref().unwrap_or(""),
        "reset notification"
    );
}

/// One lookup's record: a search (`target` is the query text) or one
/// person shown (`target` as named, `target_dn` once found), and how many
/// people were answered.
pub struct Lookup<'a> {
    pub context: &'a RequestContext,
    pub actor: Option<&'a str>,
    pub target: &'a str,
    pub target_dn: Option<&'a str>,
    pub answered: usize,
    pub code: Option<&'static str>,
    pub exchanges: u32,
}

pub fn lookup(lookup: &Lookup<'_>) {
    tracing::info!(
        target: AUDIT_TARGET,
        request_id = %lookup.context.request_id,
        client = %lookup.context.client,
        endpoint = lookup.context.endpoint,
        actor = lookup.actor.unwrap_or(""),
        target_user = lookup.target,
        target_dn = lookup.target_dn.unwrap_or(""),
        answered = lookup.answered,
        outcome = if lookup.code.is_none() { "success" } else { "failure" },
        code = lookup.code.unwrap_or("ok"),
        directory_exchanges = lookup.exchanges,
        "person lookup"
    );
}

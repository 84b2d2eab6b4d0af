//! `pwproxy check`: the configuration was read; now the live directory,
//! one line per check, `ok` or the problem and its fix. Never prints a
//! secret: findings name keys, DNs and URLs only.

use std::io::Write;

use crate::audit::store::{Store, StoreUrl};
use crate::config::{NotifySettings, Settings};
use crate::directory::{Finding, Status, probe};
use crate::notify::SmtpMailer;

/// Writes the report; whether every check passed (warnings pass).
pub async fn run(settings: &Settings, out: &mut impl Write) -> bool {
    let mut findings =
        vec![Finding { status: Status::Ok, what: "the configuration is valid".into(), detail: None }];
    findings.extend(probe(settings, &groups(settings)).await);
    if let Some(notify) = &settings.notify {
        findings.push(relay(notify).await);
    }
    findings.push(audit_store(settings).await);
    for finding in &findings {
        let label = match finding.status {
            Status::Ok => "ok  ",
            Status::Warning => "warn",
            Status::Failed => "FAIL",
            Status::Skipped => "skip",
        };
        let _ = match &finding.detail {
            Some(detail) => writeln!(out, "{label}  {}: {detail}", finding.what),
            None => writeln!(out, "{label}  {}", finding.what),
        };
    }
    findings.iter().all(|f| matches!(f.status, Status::Ok | Status::Warning))
}

/// The mail relay of `[notify]`: connects, greets, starts TLS as the URL
/// says, within `notify.timeout_secs`.
async fn relay(notify: &NotifySettings) -> Finding {
    let what = "the mail relay (notify.smtp_url) answers";
    let mailer = match SmtpMailer::new(notify) {
        Ok(mailer) => mailer,
        Err(e) => return Finding::failed(what, e.to_string()),
    };
    let deadline = std::time::Duration::from_secs(notify.timeout_secs);
    match tokio::time::timeout(deadline, mailer.probe()).await {
        Ok(Ok(())) => Finding::ok(what),
        Ok(Err(e)) => {
            Finding::failed(what, format!("{e}: check the host, port and TLS mode of notify.smtp_url"))
        }
        Err(_) => {
            Finding::failed(what, format!("no answer within {} s (notify.timeout_secs)", notify.timeout_secs))
        }
    }
}

/// The audit store: opened (created and migrated as at start), its schema
/// version read, and a write to it rolled back.
async fn audit_store(settings: &Settings) -> Finding {
    let what = "the audit store (audit.store)";
    let url = match settings.audit.store_url() {
        Ok(StoreUrl::None) => {
            return Finding {
                status: Status::Warning,
                what: what.into(),
                detail: Some("\"none\": events go to the log only, and the trail cannot be read back".into()),
            };
        }
        Ok(url) => url,
        Err(e) => return Finding::failed(what, e.to_string()),
    };
    let key = match settings.audit.chain_key(&settings.auth.token_secret) {
        Ok(key) => key,
        Err(e) => return Finding::failed(what, e.to_string()),
    };
    let store = match Store::open(&url, key).await {
        Ok(store) => store,
        Err(e) => return Finding::failed(what, e.to_string()),
    };
    let version = match store.schema_version().await {
        Ok(version) => version,
        Err(e) => return Finding::failed(what, format!("cannot read the schema version: {e}")),
    };
    match store.writable().await {
        Ok(()) => Finding::ok(format!("{what} is reachable and writable, schema version {version}")),
        Err(e) => {
            Finding::failed(what, format!("reachable, schema version {version}, but not writable: {e}"))
        }
    }
}

/// Every group the configuration names, once.
fn groups(settings: &Settings) -> Vec<String> {
    let authorization = &settings.authorization;
    let mut groups: Vec<String> = authorization
        .admin_groups
        .iter()
        .chain(&authorization.protected_groups)
        .chain(&authorization.auditor_groups)
        .chain(authorization.delegation.iter().map(|d| &d.group))
        .map(|g| g.trim().to_owned())
        .filter(|g| !g.is_empty())
        .collect();
    groups.sort_by_key(|g| g.to_lowercase());
    groups.dedup_by_key(|g| g.to_lowercase());
    groups
}

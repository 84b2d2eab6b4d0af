//! `pwproxy check`: the configuration was read; now the live directory,
//! one line per check, `ok` or the problem and its fix. Never prints a
//! secret: findings name keys, DNs and URLs only.

use std::io::Write;

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
        Err(e) => return Finding::failed(what, e),
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

/// Every group the configuration names, once.
fn groups(settings: &Settings) -> Vec<String> {
    let authorization = &settings.authorization;
    let mut groups: Vec<String> = authorization
        .admin_groups
        .iter()
        .chain(&authorization.protected_groups)
        .chain(authorization.delegation.iter().map(|d| &d.group))
        .map(|g| g.trim().to_owned())
        .filter(|g| !g.is_empty())
        .collect();
    groups.sort_by_key(|g| g.to_lowercase());
    groups.dedup_by_key(|g| g.to_lowercase());
    groups
}

//! `[generate]` (generated passwords) and `[notify]` (mail to the person
//! after a reset), and their checks.

use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::{ConfigError, Settings, invalid};
use crate::generate::Delivery;

/// Shortest and longest generated password a configuration may ask for.
pub const GENERATED_LENGTHS: std::ops::RangeInclusive<usize> = 15..=128;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateSettings {
    /// Characters in a generated password (the directory's or pwproxy's
    /// minimum, when longer, wins).
    #[serde(default = "default_length")]
    pub length: usize,
    /// Where a generated password goes when the request does not say.
    #[serde(default = "default_deliver")]
    pub deliver: Delivery,
}

impl Default for GenerateSettings {
    fn default() -> Self {
        Self { length: default_length(), deliver: default_deliver() }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifySettings {
    /// `smtp://host:port` (STARTTLS when the server offers it),
    /// `smtp://…?tls=required`, or `smtps://host:port` (TLS from the
    /// start); `user:password@` for AUTH. A secret: it may hold a password.
    pub smtp_url: SecretString,
    /// The sender, `Name <address>` or a bare address.
    pub from: String,
    /// The whole send, from connecting to the server's last reply.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// The person's attribute holding their mail address.
    #[serde(default = "default_mail_attribute")]
    pub mail_attribute: String,
    /// A folder with the operator's own templates (any of
    /// `notice_subject.txt`, `notice.txt`, `notice.html`,
    /// `delivery_subject.txt`, `delivery.txt`, `delivery.html`); the
    /// built-in ones stand in for those it lacks.
    #[serde(default)]
    pub templates_dir: Option<PathBuf>,
    /// Trust this CA (PEM) for the relay's certificate, besides the system's.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Whom the person should call if they did not ask for the reset.
    #[serde(default = "default_contact")]
    pub contact: String,
}

fn default_length() -> usize {
    20
}

fn default_deliver() -> Delivery {
    Delivery::Response
}

fn default_timeout() -> u64 {
    10
}

fn default_mail_attribute() -> String {
    "mail".into()
}

fn default_contact() -> String {
    "your helpdesk".into()
}

impl Settings {
    pub(super) fn validate_generate_and_notify(&self) -> Result<(), ConfigError> {
        if !GENERATED_LENGTHS.contains(&self.generate.length) {
            return Err(invalid("generate.length", "must be between 15 and 128"));
        }
        if self.generate.length > self.policy.max_length {
            return Err(invalid(
                "generate.length",
                format!("is longer than policy.max_length ({})", self.policy.max_length),
            ));
        }
        let Some(notify) = &self.notify else {
            if self.generate.deliver == Delivery::Mail {
                return Err(invalid("generate.deliver", "\"mail\" needs a [notify] section to send it"));
            }
            return Ok(());
        };
        let url = notify.smtp_url.expose_secret();
        if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
            // Never quoted: the URL may hold a password.
            return Err(invalid("notify.smtp_url", "must be an smtp:// or smtps:// URL"));
        }
        if notify.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(invalid("notify.from", format!("'{}' is not a mail address", notify.from)));
        }
        if notify.timeout_secs == 0 {
            return Err(invalid("notify.timeout_secs", "must be at least 1"));
        }
        if notify.mail_attribute.trim().is_empty() {
            return Err(invalid("notify.mail_attribute", "must name an attribute"));
        }
        if let Some(dir) = &notify.templates_dir
            && !dir.is_dir()
        {
            return Err(invalid("notify.templates_dir", format!("'{}' is not a folder", dir.display())));
        }
        if let Some(ca) = &notify.ca_file {
            std::fs::read(ca)
                .map_err(|e| invalid("notify.ca_file", format!("cannot read '{}': {e}", ca.display())))?;
        }
        Ok(())
    }
}

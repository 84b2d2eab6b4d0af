//! Telling people their password was reset, and (when asked) what it now
//! is. The reset use case hands a [`Mail`] to the [`Notifier`] after the
//! directory took the password: whatever happens to the mail is reported
//! as a [`Notification`], never raised, so a mail failure can neither undo
//! nor hide a reset. The transport sits behind [`Mailer`]; SMTP is in
//! `smtp`, the texts in `templates`.

mod smtp;
mod templates;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use lettre::Address;
use secrecy::SecretString;
use time::OffsetDateTime;

pub use smtp::SmtpMailer;
pub use templates::Templates;

/// One mail to one person about one reset.
pub struct Mail {
    pub kind: MailKind,
    /// The person's address, already known to be one ([`address`]).
    pub to: Address,
    pub username: String,
    /// As the directory holds it, which may be anything, a line break
    /// included: the mailer makes it fit for a header ([`header_text`]).
    pub display_name: Option<String>,
    /// The admin who reset it.
    pub actor: String,
    pub at: OffsetDateTime,
    /// The request's id: the audit trail's, and the mail's Message-ID.
    pub reference: String,
    /// Whether the person must change the password at their next sign-in.
    pub temporary: bool,
}

pub enum MailKind {
    /// "Your password was reset": never the password.
    Notice,
    /// The generated password itself, for `deliver = "mail"`.
    Delivery(SecretString),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum NotificationStatus {
    Sent,
    Failed,
    /// The person has no mail address.
    Skipped,
}

/// The directory's mail value as an address mail can go to; `None` when
/// it is not one. Decided before a reset writes, so that a password meant
/// for the mail is never written for an address nobody can reach.
pub fn address(raw: &str) -> Option<Address> {
    raw.trim().parse().ok()
}

/// A directory value fit for a mail header or subject: control characters
/// (a line break that would start a header of its own among them) become
/// spaces, runs of white space one; `None` when nothing is left.
pub fn header_text(raw: &str) -> Option<String> {
    let words: Vec<&str> =
        raw.split(|c: char| c.is_control() || c.is_whitespace()).filter(|w| !w.is_empty()).collect();
    (!words.is_empty()).then(|| words.join(" "))
}

impl NotificationStatus {
    /// The audit event's outcome for a notification.
    pub fn outcome(self) -> &'static str {
        match self {
            NotificationStatus::Sent => "ok",
            NotificationStatus::Failed => "mail_failed",
            NotificationStatus::Skipped => "no_mail_address",
        }
    }

    /// The status an event's outcome stands for ([`Self::outcome`] read back).
    pub fn of_outcome(outcome: &str) -> Self {
        match outcome {
            "ok" => NotificationStatus::Sent,
            "no_mail_address" => NotificationStatus::Skipped,
            _ => NotificationStatus::Failed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NotificationStatus::Sent => "sent",
            NotificationStatus::Failed => "failed",
            NotificationStatus::Skipped => "skipped",
        }
    }
}

/// What became of the mail, in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub status: NotificationStatus,
    pub reason: Option<String>,
}

impl Notification {
    pub fn skipped() -> Self {
        Self {
            status: NotificationStatus::Skipped,
            reason: Some("the person has no usable mail address".into()),
        }
    }

    /// A delivery that failed lost the only copy of the password: say so.
    pub fn for_delivery(mut self, delivery: bool) -> Self {
        if delivery && self.status == NotificationStatus::Failed {
            let reason = self.reason.take().unwrap_or_default();
            self.reason = Some(format!(
                "{reason}; the new password was written but not delivered, so nobody knows it: reset again"
            ));
        }
        self
    }
}

/// Why a mail did not go: a sentence for the caller (no server text, no
/// address), the details for the log.
#[derive(Debug)]
pub struct Undelivered {
    pub reason: String,
    pub details: String,
}

pub type Sending<'a> = Pin<Box<dyn Future<Output = Result<(), Undelivered>> + Send + 'a>>;

/// Sends one mail; SMTP in production, a recorder in unit tests.
pub trait Mailer: Send + Sync {
    fn send<'a>(&'a self, mail: &'a Mail) -> Sending<'a>;
}

/// The mailer with a deadline on the whole send: lettre's own timeout
/// covers each step, not a server that answers slowly at every one.
pub struct Notifier {
    mailer: Box<dyn Mailer>,
    deadline: Duration,
}

impl Notifier {
    pub fn new(mailer: Box<dyn Mailer>, deadline: Duration) -> Self {
        Self { mailer, deadline }
    }

    pub async fn notify(&self, mail: &Mail) -> Notification {
        let outcome = tokio::time::timeout(self.deadline, self.mailer.send(mail)).await;
        let failed =
            |reason: String| Notification { status: NotificationStatus::Failed, reason: Some(reason) };
        match outcome {
            Ok(Ok(())) => Notification { status: NotificationStatus::Sent, reason: None },
            Ok(Err(undelivered)) => {
                tracing::warn!(reference = %mail.reference, "the mail was not sent: {}", undelivered.details);
                failed(undelivered.reason)
            }
            Err(_) => {
                tracing::warn!(reference = %mail.reference, "the mail was not sent within {:?}", self.deadline);
                failed(format!(
                    "the mail server did not take the mail within {} seconds",
                    self.deadline.as_secs()
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_with_a_line_break_is_one_line_in_a_header() {
        assert_eq!(
            header_text("Hugo\r\nBcc: evil@example.net").as_deref(),
            Some("Hugo Bcc: evil@example.net")
        );
        assert_eq!(header_text("  Ned\tBrown \u{0}").as_deref(), Some("Ned Brown"));
        assert_eq!(header_text("\r\n \u{7f}"), None);
    }

    #[test]
    fn only_an_address_is_an_address() {
        assert!(address(" ned@example.org ").is_some());
        for raw in ["", "ned", "ned@", "@example.org", "ned@example.org\r\nBcc: x@y.z", "a b@example.org"] {
            assert!(address(raw).is_none(), "{raw:?}");
        }
    }
}

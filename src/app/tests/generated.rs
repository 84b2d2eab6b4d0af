//! Generated passwords and the mail after a reset, over the in-memory
//! directory and a recording mailer: the reset is written first, the mail
//! after it, and no mail failure undoes or hides it.

use std::sync::Arc;

use super::*;
use crate::config::GenerateSettings;
use crate::generate::Delivery;
use crate::notify::{Mail, MailKind, Mailer, NotificationStatus, Notifier, Sending, Undelivered};

/// What the mailer does with a mail.
#[derive(Clone, Copy)]
enum Behaviour {
    Take,
    Refuse,
    Stall,
}

/// Mails taken: (to, the password they carried, if any).
type Sent = Arc<Mutex<Vec<(String, Option<String>)>>>;

struct Recorder {
    behaviour: Behaviour,
    sent: Sent,
}

impl Mailer for Recorder {
    fn send<'a>(&'a self, mail: &'a Mail) -> Sending<'a> {
        Box::pin(async move {
            match self.behaviour {
                Behaviour::Take => {
                    let password = match &mail.kind {
                        MailKind::Delivery(password) => Some(password.expose_secret().to_owned()),
                        MailKind::Notice => None,
                    };
                    self.sent.lock().unwrap().push((mail.to.to_string(), password));
                    Ok(())
                }
                Behaviour::Refuse => Err(Undelivered {
                    reason: "the mail server refused the mail (550)".into(),
                    details: "550 no such mailbox".into(),
                }),
                Behaviour::Stall => std::future::pending().await,
            }
        })
    }
}

/// `alice` has a mail address, `bob` none.
fn people() -> Directory {
    let mut directory = directory().with("bob", &[], AccountFacts::default());
    directory.people.get_mut("alice").unwrap().0.email = Some("alice@example.org".into());
    directory
}

fn mailing(behaviour: Option<Behaviour>) -> (App<Directory>, Sent) {
    mailing_over(people(), behaviour)
}

fn mailing_over(directory: Directory, behaviour: Option<Behaviour>) -> (App<Directory>, Sent) {
    let sent = Sent::default();
    let notifier = behaviour.map(|behaviour| {
        let recorder = Recorder { behaviour, sent: sent.clone() };
        Notifier::new(Box::new(recorder), Duration::from_millis(300))
    });
    (service(directory).with_mail(GenerateSettings::default(), notifier), sent)
}

fn generate(target: &str, deliver: Option<Delivery>) -> ResetCommand {
    ResetCommand { password: NewPassword::Generated { deliver }, ..command("agent", PASSWORD, target, NEW) }
}

#[tokio::test]
async fn a_generated_password_passes_both_policies_is_temporary_and_is_answered_once() {
    let (service, _) = mailing(None);
    let changed = reset(&service, generate("alice", Some(Delivery::Response))).await.unwrap();
    let written = service.directory.passwords.lock().unwrap().clone();
    let answered = changed.generated.as_ref().unwrap().expose_secret();
    assert_eq!(written, [answered.to_owned()]);
    // The fake directory's known rules: 16 characters, no "alice".
    assert_eq!(answered.chars().count(), 20);
    assert!(!answered.to_lowercase().contains("alice"));
    assert!(changed.temporary, "temporary unless the delegation forbids");
    assert_eq!(changed.notification, None, "no [notify]: no notification field");
    let asked = service.directory.asked.lock().unwrap().clone();
    let rules = asked.iter().position(|a| *a == "known_rules").unwrap();
    assert!(rules < asked.iter().position(|a| *a == "write").unwrap(), "{asked:?}");
}

#[tokio::test]
async fn a_mailed_password_goes_only_to_the_person_after_the_write() {
    let (service, sent) = mailing(Some(Behaviour::Take));
    let changed = reset(&service, generate("alice", Some(Delivery::Mail))).await.unwrap();
    assert!(changed.generated.is_none(), "never in the answer");
    assert_eq!(changed.notification.unwrap().status, NotificationStatus::Sent);
    let written = service.directory.passwords.lock().unwrap().clone();
    assert_eq!(*sent.lock().unwrap(), [("alice@example.org".to_owned(), Some(written[0].clone()))]);
}

#[tokio::test]
async fn a_typed_reset_sends_the_notice_without_the_password() {
    let (service, sent) = mailing(Some(Behaviour::Take));
    let changed = reset(&service, command("agent", PASSWORD, "alice", NEW)).await.unwrap();
    assert_eq!(changed.notification.unwrap().status, NotificationStatus::Sent);
    assert_eq!(*sent.lock().unwrap(), [("alice@example.org".to_owned(), None)]);
    // Bob has no address: skipped, and the reset stands.
    let changed = reset(&service, command("agent", PASSWORD, "bob", NEW)).await.unwrap();
    assert_eq!(changed.notification.unwrap().status, NotificationStatus::Skipped);
}

#[tokio::test]
async fn a_mail_delivery_that_cannot_happen_is_refused_before_anything_is_written() {
    let (service, _) = mailing(Some(Behaviour::Take));
    assert_eq!(code(reset(&service, generate("bob", Some(Delivery::Mail))).await), "no_mail_address");
    // An address mail cannot go to is no address: refused before the write too.
    let mut directory = people();
    directory.people.get_mut("bob").unwrap().0.email = Some("bob at example.org\r\nBcc: x@y.z".into());
    let (unusable, _) = mailing_over(directory, Some(Behaviour::Take));
    assert_eq!(code(reset(&unusable, generate("bob", Some(Delivery::Mail))).await), "no_mail_address");
    assert!(unusable.directory.written.lock().unwrap().is_empty());
    let (unconfigured, _) = mailing(None);
    assert_eq!(code(reset(&unconfigured, generate("alice", Some(Delivery::Mail))).await), "invalid_request");
    assert!(service.directory.written.lock().unwrap().is_empty());
    assert!(unconfigured.directory.written.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_refused_or_stalled_mail_leaves_the_reset_done_and_says_so() {
    for behaviour in [Behaviour::Refuse, Behaviour::Stall] {
        let (service, _) = mailing(Some(behaviour));
        let started = std::time::Instant::now();
        let changed = reset(&service, generate("alice", Some(Delivery::Mail))).await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(2), "within the deadline");
        let notification = changed.notification.unwrap();
        assert_eq!(notification.status, NotificationStatus::Failed);
        let reason = notification.reason.unwrap();
        assert!(reason.contains("reset again"), "{reason}");
        assert_eq!(service.directory.written.lock().unwrap().len(), 1, "the reset stands");
        assert!(changed.generated.is_none(), "the password is never shown instead");
    }
}

#[tokio::test]
async fn a_delegation_that_forbids_temporary_gets_a_permanent_generated_password() {
    let rules = Rules::new(
        vec![Delegation {
            must_change: Allowance::Never,
            ..Delegation::whole(Dn::new(HELPDESK), Dn::new("dc=x"))
        }],
        &[],
        true,
    );
    let service = App { rules, ..service(people()) };
    let changed = reset(&service, generate("alice", Some(Delivery::Response))).await.unwrap();
    assert!(!changed.temporary);
}

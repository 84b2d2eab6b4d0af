//! The new password of a reset: the one typed, held to pwproxy's policy,
//! or one generated to pass that policy and the directory's known rules;
//! and the mail that tells the person once it is written.

use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

use super::{App, Failure};
use crate::config::GenerateSettings;
use crate::directory::{Directory, Person};
use crate::generate::{self, Delivery};
use crate::notify::{self, Mail, MailKind, Notifier};
use crate::policy::Rule;

/// What a reset request asks to be written.
#[derive(Debug)]
pub enum NewPassword {
    Typed {
        password: SecretString,
        /// `None` where the endpoint has no confirmation field.
        confirmation: Option<SecretString>,
    },
    /// `None`: `generate.deliver` decides.
    Generated { deliver: Option<Delivery> },
}

/// The password a reset writes: the one typed, or one generated and where
/// it goes.
pub(super) enum Fresh<'a> {
    Typed(&'a SecretString),
    Generated { password: SecretString, delivery: Delivery },
}

impl Fresh<'_> {
    pub fn password(&self) -> &SecretString {
        match self {
            Fresh::Typed(password) => password,
            Fresh::Generated { password, .. } => password,
        }
    }

    /// Where a generated password goes; `None` for a typed one.
    pub fn delivery(&self) -> Option<Delivery> {
        match self {
            Fresh::Typed(_) => None,
            Fresh::Generated { delivery, .. } => Some(*delivery),
        }
    }
}

/// Generation's settings and the mail, when configured.
pub(super) struct Mailing {
    pub generate: GenerateSettings,
    pub notifier: Option<Notifier>,
}

impl<D: Directory> App<D> {
    /// The typed password once it passes pwproxy's policy, or a generated
    /// one (the directory's policy read for its rules). A mail delivery that
    /// cannot happen is refused here, before any write.
    pub(super) async fn fresh<'a>(
        &self,
        person: &Person,
        new: &'a NewPassword,
    ) -> Result<Fresh<'a>, Failure> {
        let deliver = match new {
            NewPassword::Typed { password, confirmation } => {
                let broken =
                    self.policy.check(&person.username, &person.context, password, confirmation.as_ref());
                return match broken.as_slice() {
                    [] => Ok(Fresh::Typed(password)),
                    [Rule::PasswordsDoNotMatch] => Err(Failure::PasswordsDoNotMatch),
                    _ => Err(Failure::PasswordPolicy(broken)),
                };
            }
            NewPassword::Generated { deliver } => deliver.unwrap_or(self.mailing.generate.deliver),
        };
        if deliver == Delivery::Mail {
            if self.mailing.notifier.is_none() {
                return Err(Failure::MailNotConfigured);
            }
            // An address mail cannot go to is no address: refused before the
            // write, or the password would be one nobody knows.
            if person.email.as_deref().and_then(notify::address).is_none() {
                return Err(Failure::NoMailAddress);
            }
        }
        let rules = self.directory.known_rules(person).await?;
        let length = self.mailing.generate.length.max(rules.min_length).max(self.policy.min_length());
        let password = generate::draw(length, |candidate| {
            rules.admits(candidate.expose_secret())
                && self.policy.check(&person.username, &person.context, candidate, None).is_empty()
        })
        .map_err(|e| Failure::Internal(e.to_string()))?;
        Ok(Fresh::Generated { password, delivery: deliver })
    }

    /// The mail for a written reset: the password itself for a mail
    /// delivery, else the notice; `None` without `[notify]` or a usable
    /// address.
    pub(super) fn mail(
        &self,
        person: &Person,
        actor: &str,
        reference: &str,
        temporary: bool,
        fresh: Fresh<'_>,
    ) -> (Option<Mail>, Option<SecretString>) {
        let (kind, answered) = match fresh {
            Fresh::Generated { password, delivery: Delivery::Mail } => (MailKind::Delivery(password), None),
            Fresh::Generated { password, delivery: Delivery::Response } => (MailKind::Notice, Some(password)),
            Fresh::Typed(_) => (MailKind::Notice, None),
        };
        let to = self.mailing.notifier.as_ref().and(person.email.as_deref()).and_then(notify::address);
        let mail = to.map(|to| Mail {
            kind,
            to,
            username: person.username.clone(),
            display_name: person.display_name.clone(),
            actor: actor.to_owned(),
            at: OffsetDateTime::now_utc(),
            reference: reference.to_owned(),
            temporary,
        });
        (mail, answered)
    }
}

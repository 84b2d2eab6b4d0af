//! The password-reset use case, shared by both endpoints (who is asking,
//! and the token login, are in `authentication`). Decisions are taken in the contract's order: authenticate (401) →
//! actor is an admin (403) → resolve the target (404) → target not protected
//! (403) → target active (400) → proxy policy (400) → write (400 when the
//! directory refuses) → one audit line whatever the outcome.

use std::collections::HashSet;
use std::net::IpAddr;
use std::time::Duration;

use secrecy::SecretString;
use uuid::Uuid;

use crate::access::{Member, Rules};
use crate::audit::{self, Attempt, RequestContext};
use crate::config::{PolicySettings, Settings};
use crate::directory::{Directory, Lookup, Person, counting_exchanges};
use crate::failure::Failure;
use crate::lockout::Lockout;
use crate::policy;
use crate::token::Tokens;

mod authentication;

use authentication::claimed_name;
pub use authentication::{Credentials, Principal};

/// How the request names the person whose password changes.
#[derive(Debug)]
pub enum Target {
    Id(Uuid),
    Name(String),
}

#[derive(Debug)]
pub struct ResetCommand {
    pub credentials: Credentials,
    pub target: Target,
    pub password: SecretString,
    /// `None` where the endpoint has no confirmation field.
    pub confirmation: Option<SecretString>,
    /// `None`: `policy.must_change` decides.
    pub temporary: Option<bool>,
}

/// The person whose password was changed.
#[derive(Debug)]
pub struct Changed {
    pub username: String,
    pub email: Option<String>,
}

/// What the audit line says of an attempt, filled in as it is learnt.
struct Trail {
    actor: Option<String>,
    target_dn: Option<String>,
    /// The target's id attribute (AD's objectGUID in its usual form).
    target_id: Option<String>,
}

pub struct Service {
    directory: Directory,
    rules: Rules,
    tokens: Tokens,
    policy: PolicySettings,
    lockout: Lockout,
    /// The whole directory conversation of one request must end within this,
    /// however many operations it takes.
    deadline: Duration,
}

impl Service {
    pub fn new(settings: &Settings) -> Result<Self, String> {
        Ok(Self {
            directory: Directory::new(settings)?,
            rules: Rules::new(&settings.authorization.admin_groups, &settings.authorization.protected_groups),
            tokens: Tokens::new(&settings.auth.token_secret, settings.auth.token_ttl_secs),
            policy: settings.policy.clone(),
            lockout: Lockout::new(&settings.rate_limit),
            deadline: Duration::from_secs(settings.ldap.timeout_secs),
        })
    }

    pub fn lockout(&self) -> &Lockout {
        &self.lockout
    }

    /// Runs a request's directory work under the deadline. A write already
    /// sent when it passes may or may not have been applied; it is never
    /// repeated.
    ///
    /// Boxed at once: the whole conversation is one large future, which kept
    /// inline would make the handler's as large.
    fn within_deadline<'a, T: 'a>(
        &'a self,
        work: impl Future<Output = Result<T, Failure>> + Send + 'a,
    ) -> impl Future<Output = Result<T, Failure>> + Send + 'a {
        let work = Box::pin(work);
        async move {
            tokio::time::timeout(self.deadline, work).await.unwrap_or_else(|_| {
                Err(Failure::DirectoryUnavailable(format!(
                    "the request's directory work took over {:?}",
                    self.deadline
                )))
            })
        }
    }

    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    pub fn token_ttl_secs(&self) -> u64 {
        self.tokens.ttl_secs()
    }

    /// Records a request refused before it could be understood (bad body,
    /// bad path) and hands the failure back.
    pub fn refuse(&self, context: &RequestContext, failure: Failure) -> Failure {
        audit::record(&Attempt {
            context,
            actor: None,
            target: None,
            target_dn: None,
            target_id: None,
            code: Some(crate::http::errors::code(&failure)),
            exchanges: 0,
        });
        failure
    }

    pub async fn reset(&self, context: &RequestContext, command: ResetCommand) -> Result<Changed, Failure> {
        let mut trail =
            Trail { actor: claimed_name(&command.credentials.principal), target_dn: None, target_id: None };
        let (result, exchanges) =
            counting_exchanges(self.within_deadline(self.run_reset(context.client, &command, &mut trail)))
                .await;
        let target = match &command.target {
            Target::Id(id) => id.to_string(),
            Target::Name(name) => name.clone(),
        };
        audit::record(&Attempt {
            context,
            actor: trail.actor.as_deref(),
            target: Some(&target),
            target_dn: trail.target_dn.as_deref(),
            target_id: trail.target_id.as_deref(),
            code: result.as_ref().err().map(crate::http::errors::code),
            exchanges,
        });
        result
    }

    async fn run_reset(
        &self,
        client: IpAddr,
        command: &ResetCommand,
        trail: &mut Trail,
    ) -> Result<Changed, Failure> {
        let (admin, writer) = self.authenticate(client, &command.credentials).await?;
        trail.actor = Some(admin.username.clone());

        let lookup = match &command.target {
            Target::Id(id) => Lookup::Id(id),
            Target::Name(name) => Lookup::Name(name),
        };
        // Independent questions, asked together to save a round trip of
        // latency; the answers are still taken in the contract's order (403
        // for a non-admin before any 404).
        let (actor, person) =
            tokio::join!(self.member(&admin, self.rules.admin_groups()), self.directory.find_person(lookup));
        let actor = actor?;
        self.rules.may_act(&actor).map_err(Failure::Forbidden)?;
        let person = person?.ok_or(Failure::UserNotFound)?;
        trail.target_dn = Some(person.dn.clone());
        trail.target_id.clone_from(&person.id);
        let target = self.member(&person, self.rules.guarded_groups()).await?;
        self.rules.may_reset(&actor, &target).map_err(Failure::Forbidden)?;
        if person.inactive {
            return Err(Failure::UserInactive);
        }

        let violations =
            policy::check(&self.policy, &person.username, &command.password, command.confirmation.as_ref());
        match violations.as_slice() {
            [] => {}
            [only] if only.code == "passwords_do_not_match" => {
                return Err(Failure::PasswordsDoNotMatch);
            }
            _ => return Err(Failure::PasswordPolicy(violations)),
        }

        let temporary = command.temporary.unwrap_or(self.policy.must_change);
        self.directory.set_password(writer, &person.dn, &command.password, temporary).await?;
        Ok(Changed { username: person.username, email: person.email })
    }

    /// A person's groups, as far as `decisive` ones are concerned: the walk
    /// up the group tree stops at the first of them it meets.
    async fn member(&self, person: &Person, decisive: &HashSet<String>) -> Result<Member, Failure> {
        let groups = self.directory.groups_of(&person.dn, decisive).await?;
        Ok(Member {
            dn: person.dn.clone(),
            groups: groups.dns,
            privileged: person.privileged || groups.privileged,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_of_a_command_redacts_every_secret() {
        let command = ResetCommand {
            credentials: Credentials {
                principal: Principal::Basic {
                    username: "helpdesk1".into(),
                    password: "basic-secret-1".into(),
                },
                admin_password: Some("admin-secret-2".into()),
            },
            target: Target::Name("alice".into()),
            password: "new-secret-3".into(),
            confirmation: Some("new-secret-3".into()),
            temporary: None,
        };
        let bearer = Principal::Bearer("token-secret-4".into());
        let debug = format!("{command:?} {bearer:?}");
        assert!(debug.contains("helpdesk1") && debug.contains("alice"), "{debug}");
        for secret in ["basic-secret-1", "admin-secret-2", "new-secret-3", "token-secret-4"] {
            assert!(!debug.contains(secret), "{debug}");
        }
    }
}

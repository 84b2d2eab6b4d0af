//! Who is asking: the credentials a request carried, the admin they prove,
//! and the brute-force gate in front of every check.

use std::net::IpAddr;

use secrecy::{ExposeSecret, SecretString};

use super::{App, Failure, Target};
use crate::access::Member;
use crate::audit::{Event, RequestContext};
use crate::directory::{Directory, Lookup, Person, Writer};

/// Who the caller says they are, as the endpoint received it.
#[derive(Debug)]
pub enum Principal {
    Missing,
    Bearer(SecretString),
    Basic {
        username: String,
        password: SecretString,
    },
    /// An admin named in the body (`adminUserName`) or by
    /// `authorization.default_admin`; proven by `admin_password`.
    Named(String),
}

impl Principal {
    /// The name a caller claims before it is verified (a token's is only
    /// known once its signature is checked).
    pub fn claimed_name(&self) -> Option<String> {
        match self {
            Principal::Basic { username, .. } | Principal::Named(username) => Some(username.clone()),
            Principal::Bearer(_) | Principal::Missing => None,
        }
    }
}

/// The contract's first decisions taken (401, 403 for a non-admin, 404):
/// the admin proven, their groups, the connection to write on, and the
/// person the request names with their groups.
pub(crate) struct Resolved<Session> {
    pub admin: Person,
    pub actor: Member,
    pub writer: Writer<Session>,
    pub person: Person,
    pub target: Member,
}

/// What authentication established, and the target looked up with it.
pub(crate) struct Authenticated<Session> {
    pub admin: Person,
    pub writer: Writer<Session>,
    pub target: Option<Person>,
}

#[derive(Debug)]
pub struct Credentials {
    pub principal: Principal,
    /// Seed 001's `adminPassword`: always verified by a bind when present.
    pub admin_password: Option<SecretString>,
}

impl<D: Directory> App<D> {
    /// Refuses at once while `name` or `client` is locked out, and counts a
    /// failed authentication against both.
    pub(super) async fn throttled<T>(
        &self,
        name: Option<&str>,
        client: IpAddr,
        authentication: impl Future<Output = Result<T, Failure>>,
    ) -> Result<T, Failure> {
        // Boxed, as the conversations below: a shared store's round trip is
        // kilobytes of state.
        if let Some(wait) = Box::pin(self.lockout.locked_for(name, client)).await {
            return Err(Failure::RateLimited(wait));
        }
        let result = authentication.await;
        if let Err(Failure::Unauthenticated(_) | Failure::AccountUnusable(_)) = &result {
            Box::pin(self.lockout.record_failure(name, client)).await;
        }
        result
    }

    /// The admin behind the credentials, the connection to write on, and the
    /// person `target` names (looked up with the admin, in one search where
    /// the directory allows; used only once the admin is authenticated). A
    /// disabled or locked admin is not authenticated.
    ///
    /// `alongside` runs on the admin and the target found while the
    /// directory checks the password: the password's bind and the group walk
    /// need each other's answers only at the end, so they share a round
    /// trip's time instead of taking one each. What `alongside` found is
    /// used only once the password holds: a refused bind is the answer
    /// whatever it found, and keeps the contract's order.
    pub(crate) async fn authenticate<T>(
        &self,
        client: IpAddr,
        credentials: &Credentials,
        target: Option<Lookup<'_>>,
        alongside: impl AsyncFnOnce(&Person, Option<&Person>) -> Result<T, Failure>,
    ) -> Result<(Authenticated<D::Session>, T), Failure> {
        if let Principal::Missing = credentials.principal {
            // Not a guess: nothing to count.
            return Err(Failure::Unauthenticated("no credentials"));
        }
        let name = credentials.principal.claimed_name();
        let authentication = self.authenticate_unthrottled(credentials, target, alongside);
        self.throttled(name.as_deref(), client, authentication).await
    }

    async fn authenticate_unthrottled<T>(
        &self,
        credentials: &Credentials,
        target: Option<Lookup<'_>>,
        alongside: impl AsyncFnOnce(&Person, Option<&Person>) -> Result<T, Failure>,
    ) -> Result<(Authenticated<D::Session>, T), Failure> {
        let admin_password = credentials.admin_password.as_ref();
        // The name to look up, and the passwords that must bind as it: none
        // for a verified token alone.
        let (username, passwords) = match &credentials.principal {
            Principal::Missing => return Err(Failure::Unauthenticated("no credentials")),
            Principal::Bearer(token) => {
                let username =
                    self.tokens.verify(token).ok_or(Failure::Unauthenticated("invalid or expired token"))?;
                (username, admin_password.into_iter().collect())
            }
            Principal::Basic { username, password } => {
                let mut passwords = vec![password];
                if let Some(admin_password) = admin_password
                    && admin_password.expose_secret() != password.expose_secret()
                {
                    // Two different passwords for one person: both must hold.
                    passwords.push(admin_password);
                }
                (username.clone(), passwords)
            }
            Principal::Named(username) => {
                let password = admin_password.ok_or(Failure::Unauthenticated("no admin password"))?;
                (username.clone(), vec![password])
            }
        };
        // Boxed: each of these conversations is kilobytes of state, which
        // would otherwise be copied into every future awaiting it.
        let (person, found) = Box::pin(self.admin_and_target(&username, target)).await?;
        let (writer, along) = tokio::join!(
            Box::pin(self.proven(&person, &passwords)),
            Box::pin(alongside(&person, found.as_ref()))
        );
        let writer = writer?;
        let admin = active(person)?;
        Ok((Authenticated { admin, writer, target: found }, along?))
    }

    /// Binds as `admin` with each password, in turn; the first bind's
    /// connection writes. Without a password (a token), the service writes.
    async fn proven(
        &self,
        admin: &Person,
        passwords: &[&SecretString],
    ) -> Result<Writer<D::Session>, Failure> {
        let mut writer = Writer::Service;
        for password in passwords {
            let session = self.directory.bind_as(&admin.dn, password).await?;
            if let Writer::Service = writer {
                writer = Writer::Admin(session);
            }
        }
        Ok(writer)
    }

    /// The admin and the person `target` names. The target is looked up
    /// with the admin, and both group trees are walked together while the
    /// admin's password is checked: fewer round trips. The answers are
    /// still taken in the contract's order (401, then 403 for a non-admin
    /// before any 404). `event` gets the admin's name once proven.
    pub(super) async fn resolve(
        &self,
        context: &RequestContext,
        credentials: &Credentials,
        target: &Target,
        event: &mut Event,
    ) -> Result<Resolved<D::Session>, Failure> {
        let walk = async |admin: &Person, person: Option<&Person>| self.members(admin, person).await;
        let (Authenticated { admin, writer, target: person }, (actor, target)) =
            self.authenticate(context.client, credentials, Some(target.lookup()), walk).await?;
        event.actor = Some(admin.username.clone());
        self.rules.may_act(&actor).map_err(Failure::Forbidden)?;
        let (Some(person), Some(target)) = (person, target) else {
            return Err(Failure::UserNotFound);
        };
        Ok(Resolved { admin, actor, writer, person, target })
    }

    /// A connection bound as an admin already proven, for one more write
    /// (each write takes the connection it goes on); the service's for a
    /// token, as the first write.
    pub(super) async fn writer_again(
        &self,
        admin: &Person,
        credentials: &Credentials,
    ) -> Result<Writer<D::Session>, Failure> {
        let password = match &credentials.principal {
            Principal::Basic { password, .. } => Some(password),
            _ => credentials.admin_password.as_ref(),
        };
        match password {
            Some(password) => Ok(Writer::Admin(self.directory.bind_as(&admin.dn, password).await?)),
            None => Ok(Writer::Service),
        }
    }

    /// The admin (an unknown name fails like a wrong password) and whoever
    /// `target` names, if anyone (a search names nobody).
    async fn admin_and_target(
        &self,
        username: &str,
        target: Option<Lookup<'_>>,
    ) -> Result<(Person, Option<Person>), Failure> {
        let (admin, found) = match target {
            Some(target) => self.directory.find_admin_and_person(username, target).await?,
            None => (self.directory.find_admin(username).await?, None),
        };
        Ok((admin.ok_or(Failure::Unauthenticated("unknown admin name"))?, found))
    }

    /// An unknown admin name is an authentication failure, so callers cannot
    /// tell unknown names from wrong passwords.
    pub(super) async fn admin_named(&self, username: &str) -> Result<Person, Failure> {
        self.directory.find_admin(username).await?.ok_or(Failure::Unauthenticated("unknown admin name"))
    }
}

/// A disabled or locked admin is not authenticated, whatever the password.
pub(super) fn active(admin: Person) -> Result<Person, Failure> {
    if admin.inactive() {
        return Err(Failure::Unauthenticated("the admin's account is inactive"));
    }
    Ok(admin)
}

//! Signing in: an admin trades a directory bind for a token (the API's
//! `POST /api/v1/auth/token`, the console's sign-in), and signing out.

use secrecy::SecretString;

use super::authentication::active;
use super::{App, Failure};
use crate::audit::{Action, Event, RequestContext};
use crate::directory::Directory;

impl<D: Directory> App<D> {
    /// A bind proves the password, membership of an admin group earns the
    /// token. The bind and the group walk run side by side, as for a reset;
    /// what the walk found (or met) counts only once the bind has succeeded.
    pub async fn login(
        &self,
        context: &RequestContext,
        username: &str,
        password: &SecretString,
    ) -> Result<SecretString, Failure> {
        let event = Event { actor: Some(username.to_owned()), ..Event::default() };
        self.run(context, Action::Login, event, async |_| {
            let (person, member) = self
                .throttled(Some(username), context.client, async {
                    let person = self.admin_named(username).await?;
                    let (bound, member) = tokio::join!(
                        self.directory.bind_as(&person.dn, password),
                        self.member(&person, self.rules.admin_groups())
                    );
                    bound?;
                    // The walk's own failure is not a failed guess: answered
                    // below, outside the count.
                    Ok((active(person)?, member))
                })
                .await?;
            let member = member?;
            self.rules.may_act(&member).map_err(Failure::Forbidden)?;
            self.tokens.issue(&person.username).map_err(Failure::Internal)
        })
        .await
    }

    /// A console session ended at the agent's request.
    pub fn logout(&self, context: &RequestContext, username: &str) {
        let event = Event { actor: Some(username.to_owned()), ..Event::default() };
        self.record(context, Action::Logout, "ok", &event);
    }
}

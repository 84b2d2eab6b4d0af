//! Signing in: an admin (or an auditor) trades a directory bind for a token (the API's
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
                        self.member(&person, self.rules.sign_in_groups())
                    );
                    bound?;
                    // The walk's own failure is not a failed guess: answered
                    // below, outside the count.
                    Ok((active(person)?, member))
                })
                .await?;
            let member = member?;
            // Admins, and auditors (who may only read the trail with it).
            self.rules.may_sign_in(&member).map_err(Failure::Forbidden)?;
            self.tokens.issue(&person.username).map_err(Failure::Internal)
        })
        .await
    }

    /// A console session ended at the agent's request.
    pub async fn logout(&self, context: &RequestContext, username: &str) {
        let event = Event { actor: Some(username.to_owned()), ..Event::default() };
        // Signed out either way.
        let _ = self.record(context, Action::Logout, "ok", &event).await;
    }
}

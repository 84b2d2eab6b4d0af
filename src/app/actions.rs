//! Unlock, disable and enable: an account's state changed, its password
//! untouched. Decisions in the contract's order: authenticate (401) → actor
//! is an admin (403) → resolve the target (404) → not protected (403) →
//! inside a delegation that allows this change (403) → unlocking a disabled
//! person is 400 (an unlock never enables anyone) → the attempt kept → the
//! write → one audit event, with the reason given and whether anything
//! changed.

use serde_json::json;

use super::authentication::Resolved;
use super::reset::concerns;
use super::{App, Credentials, Failure, Inactive, Target};
use crate::access::{self, Refusal};
use crate::audit::{Action, Event, RequestContext};
use crate::directory::{AccountChange, Directory};

#[derive(Debug)]
pub struct AccountCommand {
    pub credentials: Credentials,
    pub target: Target,
    pub change: AccountChange,
    /// Why, in the agent's words (checked: at most 200 code points).
    pub reason: Option<String>,
}

/// Whose account, and whether anything changed (`false`: it already was
/// so; nothing was written).
#[derive(Debug)]
pub struct AccountChanged {
    pub username: String,
    pub changed: bool,
}

impl<D: Directory> App<D> {
    pub async fn change_account(
        &self,
        context: &RequestContext,
        command: AccountCommand,
    ) -> Result<AccountChanged, Failure> {
        let mut event = Event {
            actor: command.credentials.principal.claimed_name(),
            target: Some(command.target.named()),
            ..Event::default()
        };
        if let Some(reason) = &command.reason {
            event.details.insert("reason", json!(reason));
        }
        let action = Action::from(command.change);
        self.run(context, action, event, async |event| self.run_change(context, &command, event).await).await
    }

    async fn run_change(
        &self,
        context: &RequestContext,
        command: &AccountCommand,
        event: &mut Event,
    ) -> Result<AccountChanged, Failure> {
        let Resolved { actor, writer, person, target, .. } =
            self.resolve(context, &command.credentials, &command.target, event).await?;
        concerns(event, &person);
        self.rules.may_reset(&actor, &target).map_err(Failure::Forbidden)?;
        let covering = self.covering(&actor, &person.dn).await?;
        if covering.is_empty() {
            return Err(Failure::Forbidden(Refusal::OutOfReach));
        }
        access::permit(&covering, command.change).map_err(Failure::Forbidden)?;
        if command.change == AccountChange::Unlock && person.account.disabled {
            return Err(Failure::UserInactive(Inactive::Disabled));
        }
        let action = Action::from(command.change);
        self.attempting(context, action, event).await?;
        let changed = self.directory.change_account(writer, &person, command.change).await?;
        event.details.insert("changed", json!(changed));
        Ok(AccountChanged { username: person.username, changed })
    }
}

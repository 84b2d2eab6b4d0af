//! What the web layer asks of the application, as one object-safe trait:
//! the API and the console hold an `Arc<dyn Operations>`, so they run on
//! any directory — LDAP in production, the in-memory one in tests.

use std::future::Future;
use std::pin::Pin;

use secrecy::SecretString;

use super::{
    AccountChanged, AccountCommand, App, BulkCommand, BulkOutcome, Changed, Credentials, Failure, Found,
    ResetCommand, Shown, Target, TrailQuery,
};
use crate::audit::store::Page;
use crate::audit::{Action, Event, RequestContext};
use crate::directory::{Directory, PeopleQuery};

/// An operation under way.
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait Operations: Send + Sync {
    fn reset<'a>(
        &'a self,
        context: &'a RequestContext,
        command: ResetCommand,
    ) -> Pending<'a, Result<Changed, Failure>>;
    /// Unlock, disable or enable; `false`: it already was so.
    fn change_account<'a>(
        &'a self,
        context: &'a RequestContext,
        command: AccountCommand,
    ) -> Pending<'a, Result<AccountChanged, Failure>>;
    /// Several people's passwords generated and reset; `Err`: refused as a whole.
    fn bulk_reset<'a>(
        &'a self,
        context: &'a RequestContext,
        command: BulkCommand,
    ) -> Pending<'a, Result<BulkOutcome, Failure>>;
    fn show<'a>(
        &'a self,
        context: &'a RequestContext,
        credentials: &'a Credentials,
        target: &'a Target,
    ) -> Pending<'a, Result<Shown, Failure>>;
    /// As `show`, for the page that answers an operation already recorded.
    fn show_in_answer<'a>(
        &'a self,
        context: &'a RequestContext,
        credentials: &'a Credentials,
        target: &'a Target,
    ) -> Pending<'a, Result<Shown, Failure>>;
    fn search<'a>(
        &'a self,
        context: &'a RequestContext,
        credentials: &'a Credentials,
        query: PeopleQuery<'a>,
        limit: usize,
    ) -> Pending<'a, Result<Found, Failure>>;
    fn login<'a>(
        &'a self,
        context: &'a RequestContext,
        username: &'a str,
        password: &'a SecretString,
    ) -> Pending<'a, Result<SecretString, Failure>>;
    fn logout<'a>(&'a self, context: &'a RequestContext, username: &'a str) -> Pending<'a, ()>;
    /// An operation refused before it could run, with the refusal's code.
    fn refused<'a>(
        &'a self,
        context: &'a RequestContext,
        action: Action,
        event: &'a Event,
        code: &'static str,
    ) -> Pending<'a, ()>;
    /// Reads the audit trail (no event of its own).
    fn trail<'a>(
        &'a self,
        context: &'a RequestContext,
        credentials: &'a Credentials,
        query: &'a TrailQuery,
    ) -> Pending<'a, Result<Page, Failure>>;
    /// Whether events are kept in a store that can be read.
    fn keeps_trail(&self) -> bool;
    /// A fresh token for the holder of a valid one (the console's sliding
    /// session); every use still re-checks the admin in the directory.
    fn renew(&self, token: &SecretString) -> Option<SecretString>;
    /// Whether `[notify]` is set: mail delivery can be offered.
    fn sends_mail(&self) -> bool;
    fn token_ttl_secs(&self) -> u64;
    /// Whether the directory answers the service account now; why not.
    fn ready(&self) -> Pending<'_, Result<(), String>>;
    fn pool_status(&self) -> Vec<(&'static str, deadpool::managed::Status)>;
}

impl<D: Directory> Operations for App<D> {
    fn reset<'a>(
        &'a self,
        context: &'a RequestContext,
        command: ResetCommand,
    ) -> Pending<'a, Result<Changed, Failure>> {
        Box::pin(App::reset(self, context, command))
    }

    fn change_account<'a>(
        &'a self,
        context: &'a RequestContext,
        command: AccountCommand,
    ) -> Pending<'a, Result<AccountChanged, Failure>> {
        Box::pin(App::change_account(self, context, command))
    }

    fn bulk_reset<'a>(
        &'a self,
        context: &'a RequestContext,
        command: BulkCommand,
    ) -> Pending<'a, Result<BulkOutcome, Failure>> {
        Box::pin(App::bulk_reset(self, context, command))
    }

    fn show<'a>(
        &'a self,
        context: &'a RequestContext,
        credentials: &'a Credentials,
        target: &'a Target,
    ) -> Pending<'a, Result<Shown, Failure>> {
        Box::pin(App::show(self, context, credentials, target))
    }

    fn show_in_answer<'a>(
        &'a self,
        context: &'a RequestContext,
        credentials: &'a Credentials,
        target: &'a Target,
    ) -> Pending<'a, Result<Shown, Failure>> {
        Box::pin(App::show_in_answer(self, context, credentials, target))
    }

    fn search<'a>(
        &'a self,
        context: &'a RequestContext,
        credentials: &'a Credentials,
        query: PeopleQuery<'a>,
        limit: usize,
    ) -> Pending<'a, Result<Found, Failure>> {
        Box::pin(App::search(self, context, credentials, query, limit))
    }

    fn login<'a>(
        &'a self,
        context: &'a RequestContext,
        username: &'a str,
        password: &'a SecretString,
    ) -> Pending<'a, Result<SecretString, Failure>> {
        Box::pin(App::login(self, context, username, password))
    }

    fn logout<'a>(&'a self, context: &'a RequestContext, username: &'a str) -> Pending<'a, ()> {
        Box::pin(App::logout(self, context, username))
    }

    fn refused<'a>(
        &'a self,
        context: &'a RequestContext,
        action: Action,
        event: &'a Event,
        code: &'static str,
    ) -> Pending<'a, ()> {
        Box::pin(App::refused(self, context, action, event, code))
    }

    fn trail<'a>(
        &'a self,
        context: &'a RequestContext,
        credentials: &'a Credentials,
        query: &'a TrailQuery,
    ) -> Pending<'a, Result<Page, Failure>> {
        Box::pin(App::trail(self, context, credentials, query))
    }

    fn keeps_trail(&self) -> bool {
        App::keeps_trail(self)
    }

    fn renew(&self, token: &SecretString) -> Option<SecretString> {
        self.tokens.verify(token).and_then(|username| self.tokens.issue(&username).ok())
    }

    fn sends_mail(&self) -> bool {
        self.mailing.notifier.is_some()
    }

    fn token_ttl_secs(&self) -> u64 {
        self.tokens.ttl_secs()
    }

    fn ready(&self) -> Pending<'_, Result<(), String>> {
        Box::pin(async move { self.directory.ready().await.map_err(|e| e.to_string()) })
    }

    fn pool_status(&self) -> Vec<(&'static str, deadpool::managed::Status)> {
        self.directory.pool_status()
    }
}

//! The signed-in agent as every console request sees them, and how a
//! failure of theirs is answered.

use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use secrecy::{ExposeSecret, SecretString};

use super::Console;
use super::sessions::Current;
use crate::app::{Credentials, Failure, Principal};
use crate::web::AppState;

pub(super) type Web = State<Arc<AppState>>;
pub(super) type Con = Extension<Arc<Console>>;

pub(super) const STALE: &str =
    "This form was out of date or did not come from this console; nothing was changed. Try again.";

/// The signed-in admin: their session and the credentials a use case takes.
pub(super) struct Agent {
    pub(super) current: Current,
}

impl Agent {
    pub(super) fn username(&self) -> &str {
        self.current.admin.as_ref().map_or("", |(name, _)| name.as_str())
    }

    /// What a use case takes: the session's token, checked again there.
    pub(super) fn credentials(&self) -> Credentials {
        let token = self.current.admin.as_ref().map(|(_, t)| t.expose_secret()).unwrap_or_default();
        Credentials { principal: Principal::Bearer(SecretString::from(token)), admin_password: None }
    }
}

impl Console {
    pub(super) fn agent(&self, jar: &CookieJar) -> Option<Agent> {
        let current = self.current(jar).filter(|current| current.admin.is_some())?;
        Some(Agent { current })
    }

    /// After a use case accepted the agent: their token slides on.
    pub(super) fn renew(&self, state: &AppState, agent: &Agent) {
        if let Some((_, token)) = &agent.current.admin
            && let Some(fresh) = state.app.renew(token)
        {
            self.sessions.renew(&agent.current.id, fresh);
        }
    }
}

/// Failures that mean the agent may no longer act: signed out. (One who
/// is no admin, an auditor, stays: the trail is theirs to read, and every
/// other page tells them why not.)
pub(super) fn ends_session(failure: &Failure) -> bool {
    matches!(failure, Failure::Unauthenticated(_) | Failure::AccountUnusable(_))
}

pub(super) fn to_signin(console: &Console, agent: &Agent) -> Response {
    console.sessions.close(&agent.current.id);
    Redirect::to("/console/signin").into_response()
}

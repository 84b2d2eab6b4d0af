//! A reset from a person's page: the form in, the reset use case, the
//! outcome kept for the page the browser is sent back to.

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::cookie::CookieJar;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use uuid::Uuid;

use super::agent::*;
use super::people::person_page;
use super::sessions::Done;
use super::signin::signin_then;
use crate::app::{Failure, NewPassword, ResetCommand, Target};
use crate::audit::Action;
use crate::generate::Delivery;
use crate::web::failure::failure_status;
use crate::web::{Caller, input};

#[derive(Deserialize)]
pub struct ResetForm {
    csrf: String,
    mode: String,
    #[serde(default)]
    password: Option<SecretString>,
    #[serde(default)]
    password_2: Option<SecretString>,
    /// Sent when the page offered the choice; `temporary` is the checkbox.
    #[serde(default)]
    temporary_offered: Option<String>,
    #[serde(default)]
    temporary: Option<String>,
    #[serde(default)]
    unlock: Option<String>,
    #[serde(default)]
    deliver: Option<String>,
}

impl ResetForm {
    fn new_password(self) -> Result<(NewPassword, Option<bool>, bool), &'static str> {
        let temporary = self.temporary_offered.map(|_| self.temporary.is_some());
        let unlock = self.unlock.is_some();
        let new = match self.mode.as_str() {
            "typed" => {
                let given = |p: Option<SecretString>| p.filter(|p| !p.expose_secret().is_empty());
                let password = given(self.password).ok_or("Type the new password.")?;
                let confirmation = given(self.password_2).ok_or("Type the new password a second time.")?;
                // The shared bounds, in the form's words.
                if input::password("password", &password).is_err()
                    || input::password("password_2", &confirmation).is_err()
                {
                    return Err("A password cannot hold a NUL character.");
                }
                NewPassword::Typed { password, confirmation: Some(confirmation) }
            }
            "generated" => NewPassword::Generated {
                deliver: match self.deliver.as_deref() {
                    Some("mail") => Some(Delivery::Mail),
                    _ => Some(Delivery::Response),
                },
            },
            _ => return Err("Choose a typed or a generated password."),
        };
        Ok((new, temporary, unlock))
    }
}

pub async fn reset(
    State(state): Web,
    Extension(console): Con,
    caller: Caller,
    jar: CookieJar,
    Path(id): Path<String>,
    form: Result<Form<ResetForm>, FormRejection>,
) -> Response {
    // Signed out meanwhile: back to this person's page after signing in.
    let Some(agent) = console.agent(&jar) else { return signin_then(&format!("/console/people/{id}")) };
    let context = caller.console("console.reset");
    // The page that answers a refusal shows the person again, as part of
    // this one operation.
    let answer = async |status: StatusCode, errors: Vec<String>| {
        person_page(&state, &console, &context, &agent, &id, Some((status, errors))).await
    };
    // Refused before the reset could run: recorded here, once.
    let refused_early = async |code: &'static str, status: StatusCode, why: &str| {
        state.refused(&context, Action::Reset, Some(&id), Some(agent.username()), code).await;
        answer(status, vec![why.to_owned()]).await
    };
    let form = match form {
        Ok(Form(form)) if agent.current.csrf_matches(&form.csrf) => form,
        Ok(_) => return refused_early("forbidden", StatusCode::FORBIDDEN, STALE).await,
        Err(_) => {
            let why = "The form could not be read; nothing was changed.";
            return refused_early("invalid_request", StatusCode::BAD_REQUEST, why).await;
        }
    };
    let Ok(uuid) = Uuid::try_parse(&id) else {
        state.refused(&context, Action::Reset, Some(&id), Some(agent.username()), "invalid_request").await;
        return Redirect::to("/console/search").into_response();
    };
    let (password, temporary, unlock) = match form.new_password() {
        Ok(parts) => parts,
        Err(why) => return refused_early("invalid_request", StatusCode::BAD_REQUEST, why).await,
    };
    let command = ResetCommand {
        credentials: agent.credentials(),
        target: Target::Id(uuid),
        password,
        temporary,
        unlock,
    };
    match state.app.reset(&context, command).await {
        Ok(changed) => {
            console.sessions.keep_outcome(&agent.current.id, Done::Reset(changed));
            console.renew(&state, &agent);
            Redirect::to(&format!("/console/people/{uuid}")).into_response()
        }
        Err(failure) if ends_session(&failure) => to_signin(&console, &agent),
        Err(failure) => {
            let errors = match &failure {
                Failure::PasswordPolicy(rules) => rules.iter().map(|rule| rule.message()).collect(),
                other => vec![other.message()],
            };
            answer(failure_status(&failure), errors).await
        }
    }
}

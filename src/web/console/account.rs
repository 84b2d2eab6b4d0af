//! Unlock, disable and enable from a person's page: the form in, the
//! account action use case, the outcome kept for the page the browser is
//! sent back to.

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use uuid::Uuid;

use super::agent::*;
use super::people::person_page;
use super::sessions::Done;
use super::signin::signin_then;
use crate::app::{AccountCommand, Target};
use crate::audit::Action;
use crate::directory::AccountChange;
use crate::web::failure::failure_status;
use crate::web::{Caller, input};

#[derive(Deserialize)]
pub struct AccountForm {
    csrf: String,
    action: String,
    #[serde(default)]
    reason: Option<String>,
}

pub async fn act(
    State(state): Web,
    Extension(console): Con,
    caller: Caller,
    jar: CookieJar,
    Path(id): Path<String>,
    form: Result<Form<AccountForm>, FormRejection>,
) -> Response {
    let Some(agent) = console.agent(&jar) else { return signin_then(&format!("/console/people/{id}")) };
    let context = caller.console("console.account");
    let change = form.as_ref().ok().and_then(|Form(form)| AccountChange::named(&form.action));
    let action = change.map_or(Action::Unlock, Action::from);
    let answer = async |status: StatusCode, errors: Vec<String>| {
        person_page(&state, &console, &context, &agent, &id, Some((status, errors))).await
    };
    let refused_early = async |code: &'static str, status: StatusCode, why: String| {
        state.refused(&context, action, Some(&id), Some(agent.username()), code).await;
        answer(status, vec![why]).await
    };
    let form = match form {
        Ok(Form(form)) if agent.current.csrf_matches(&form.csrf) => form,
        Ok(_) => return refused_early("forbidden", StatusCode::FORBIDDEN, STALE.to_owned()).await,
        Err(_) => {
            let why = "The form could not be read; nothing was changed.".to_owned();
            return refused_early("invalid_request", StatusCode::BAD_REQUEST, why).await;
        }
    };
    let Ok(uuid) = Uuid::try_parse(&id) else {
        state.refused(&context, action, Some(&id), Some(agent.username()), "invalid_request").await;
        return Redirect::to("/console/search").into_response();
    };
    let Some(change) = change else {
        let why = "Choose unlock, disable or enable; nothing was changed.".to_owned();
        return refused_early("invalid_request", StatusCode::BAD_REQUEST, why).await;
    };
    let reason = match input::reason("reason", form.reason) {
        Ok(reason) => reason,
        Err(invalid) => {
            let why = format!("{} Nothing was changed.", invalid.message());
            return refused_early("invalid_request", StatusCode::BAD_REQUEST, why).await;
        }
    };
    let command =
        AccountCommand { credentials: agent.credentials(), target: Target::Id(uuid), change, reason };
    match state.app.change_account(&context, command).await {
        Ok(done) => {
            let (username, changed) = (done.username, done.changed);
            console.sessions.keep_outcome(&agent.current.id, Done::Account { username, change, changed });
            console.renew(&state, &agent);
            Redirect::to(&format!("/console/people/{uuid}")).into_response()
        }
        Err(failure) if ends_session(&failure) => to_signin(&console, &agent),
        Err(failure) => answer(failure_status(&failure), vec![failure.message()]).await,
    }
}

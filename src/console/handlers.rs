//! The console's requests, each a thin translation: a form in, one use
//! case called with the signed-in admin's token, a page or a redirect out.

use std::sync::Arc;

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::cookie::CookieJar;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Console;
use super::pages::{PersonView, STYLESHEET};
use super::sessions::{Current, Outcome};
use crate::audit::RequestContext;
use crate::generate::Delivery;
use crate::http::errors::ApiError;
use crate::http::{AppState, Caller};
use crate::reset::{Credentials, Failure, NewPassword, Principal, ResetCommand, Target};

type App = State<Arc<AppState>>;
type Con = Extension<Arc<Console>>;

const STALE: &str =
    "This form was out of date or did not come from this console; nothing was changed. Try again.";

/// The signed-in admin: their session and the credentials a use case takes.
struct Agent {
    current: Current,
    username: String,
}

impl Agent {
    /// What a use case takes: the session's token, checked again there.
    fn credentials(&self) -> Credentials {
        let token = self.current.admin.as_ref().map(|(_, t)| t.expose_secret()).unwrap_or_default();
        Credentials { principal: Principal::Bearer(SecretString::from(token)), admin_password: None }
    }
}

impl Console {
    fn agent(&self, jar: &CookieJar) -> Option<Agent> {
        let current = self.current(jar)?;
        let username = current.admin.as_ref()?.0.clone();
        Some(Agent { username, current })
    }

    /// After a use case accepted the agent: their token slides on.
    fn renew(&self, app: &AppState, agent: &Agent) {
        if let Some((_, token)) = &agent.current.admin
            && let Some(fresh) = app.service.renew(token)
        {
            self.sessions.renew(&agent.current.id, fresh);
        }
    }
}

/// Failures that mean the agent may no longer act: signed out.
fn ends_session(failure: &Failure) -> bool {
    matches!(
        failure,
        Failure::Unauthenticated(_)
            | Failure::AccountUnusable(_)
            | Failure::Forbidden(crate::access::Refusal::ActorNotAdmin)
    )
}

fn to_signin(console: &Console, agent: &Agent) -> Response {
    console.sessions.close(&agent.current.id);
    Redirect::to("/console/signin").into_response()
}

fn status_of(failure: Failure) -> (StatusCode, Failure) {
    let error = ApiError::Failure(failure);
    let status = error.status();
    match error {
        ApiError::Failure(failure) => (status, failure),
        ApiError::Request(_) => (status, Failure::Internal(String::new())),
    }
}

pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLESHEET).into_response()
}

pub async fn home(Extension(console): Con, jar: CookieJar) -> Redirect {
    match console.agent(&jar) {
        Some(_) => Redirect::to("/console/search"),
        None => Redirect::to("/console/signin"),
    }
}

#[derive(Serialize, Default)]
struct SigninPage<'a> {
    csrf: &'a str,
    username: &'a str,
    error: Option<String>,
}

fn signin_form(
    console: &Console,
    jar: CookieJar,
    status: StatusCode,
    username: &str,
    error: Option<String>,
) -> Response {
    let current =
        console.current(&jar).filter(|c| c.admin.is_none()).unwrap_or_else(|| console.sessions.open(None));
    let page = SigninPage { csrf: &current.csrf, username, error };
    let jar = jar.add(console.cookie(&current));
    (jar, console.pages.render(status, "signin.html", page)).into_response()
}

pub async fn signin_page(Extension(console): Con, jar: CookieJar) -> Response {
    if console.agent(&jar).is_some() {
        return Redirect::to("/console/search").into_response();
    }
    signin_form(&console, jar, StatusCode::OK, "", None)
}

#[derive(Deserialize)]
pub struct SigninForm {
    csrf: String,
    username: String,
    password: SecretString,
}

pub async fn signin(
    State(app): App,
    Extension(console): Con,
    caller: Caller,
    jar: CookieJar,
    form: Result<Form<SigninForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return signin_form(&console, jar, StatusCode::BAD_REQUEST, "", Some("Fill in both fields.".into()));
    };
    let Some(current) = console.current(&jar).filter(|c| c.csrf_matches(&form.csrf)) else {
        return signin_form(&console, jar, StatusCode::FORBIDDEN, &form.username, Some(STALE.into()));
    };
    let username = form.username.trim();
    if username.is_empty() || username.chars().count() > 256 || username.chars().any(char::is_control) {
        return signin_form(
            &console,
            jar,
            StatusCode::BAD_REQUEST,
            "",
            Some("That is not a username.".into()),
        );
    }
    let context = caller.at("console.signin");
    match app.service.login(&context, username, &form.password).await {
        Ok(token) => {
            // A new id at sign-in: a session fixed before it is worth nothing.
            console.sessions.close(&current.id);
            let signed_in = console.sessions.open(Some((username.to_owned(), token)));
            (jar.add(console.cookie(&signed_in)), Redirect::to("/console/search")).into_response()
        }
        Err(failure) => {
            let (status, failure) = status_of(failure);
            signin_form(&console, jar, status, username, Some(failure.message()))
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn signout(
    Extension(console): Con,
    jar: CookieJar,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    if let (Some(current), Ok(Form(form))) = (console.current(&jar), form)
        && current.csrf_matches(&form.csrf)
    {
        console.sessions.close(&current.id);
    }
    Redirect::to("/console/signin").into_response()
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Serialize)]
struct SearchPage<'a> {
    admin: &'a str,
    csrf: &'a str,
    q: &'a str,
    searched: bool,
    people: Vec<PersonView>,
    truncated: bool,
    error: Option<String>,
}

pub async fn search(
    State(app): App,
    Extension(console): Con,
    caller: Caller,
    jar: CookieJar,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Response {
    let Some(agent) = console.agent(&jar) else { return Redirect::to("/console/signin").into_response() };
    let q = query.map(|Query(q)| q.q).unwrap_or_default();
    let q = q.trim();
    let mut page = SearchPage {
        admin: &agent.username,
        csrf: &agent.current.csrf,
        q,
        searched: false,
        people: Vec::new(),
        truncated: false,
        error: None,
    };
    if q.is_empty() {
        return console.pages.render(StatusCode::OK, "search.html", page);
    }
    if q.chars().count() > 64 || q.chars().any(char::is_control) {
        page.error = Some("Search with 1 to 64 characters, without control characters.".into());
        return console.pages.render(StatusCode::BAD_REQUEST, "search.html", page);
    }
    match app.service.search(&caller.at("console.search"), &agent.credentials(), q, 20).await {
        Ok(found) => {
            console.renew(&app, &agent);
            app.metrics.lookup("ok");
            page.searched = true;
            page.truncated = found.truncated;
            page.people =
                found.people.iter().map(|shown| PersonView::new(shown, app.service.sends_mail())).collect();
            console.pages.render(StatusCode::OK, "search.html", page)
        }
        Err(failure) if ends_session(&failure) => to_signin(&console, &agent),
        Err(failure) => {
            app.metrics.lookup(failure.code());
            let (status, failure) = status_of(failure);
            page.error = Some(failure.message());
            console.pages.render(status, "search.html", page)
        }
    }
}

#[derive(Serialize)]
struct PersonPage<'a> {
    admin: &'a str,
    csrf: &'a str,
    p: PersonView,
    outcome: Option<OutcomeView>,
    errors: Vec<String>,
}

#[derive(Serialize)]
struct OutcomeView {
    username: String,
    temporary: bool,
    unlocked: bool,
    generated: Option<String>,
    notification: Option<String>,
}

impl From<Outcome> for OutcomeView {
    fn from(outcome: Outcome) -> Self {
        Self {
            username: outcome.username,
            temporary: outcome.temporary,
            unlocked: outcome.unlocked,
            // Exposed for this one page, which is never cached.
            generated: outcome.generated.map(|p| p.expose_secret().to_owned()),
            notification: outcome.notification.map(|(status, reason)| match reason {
                Some(reason) => format!("{status}: {reason}"),
                None => status,
            }),
        }
    }
}

/// The person's page: `errors` from a refused reset, or the last outcome.
async fn person_page(
    app: &AppState,
    console: &Console,
    context: &RequestContext,
    agent: &Agent,
    id: &str,
    (status, errors): (StatusCode, Vec<String>),
) -> Response {
    let not_found = |message: &str| {
        let page = SearchPage {
            admin: &agent.username,
            csrf: &agent.current.csrf,
            q: "",
            searched: false,
            people: Vec::new(),
            truncated: false,
            error: Some(message.to_owned()),
        };
        console.pages.render(StatusCode::NOT_FOUND, "search.html", page)
    };
    let Ok(uuid) = Uuid::try_parse(id) else { return not_found("No such person.") };
    match app.service.show(context, &agent.credentials(), &Target::Id(uuid)).await {
        Ok(shown) => {
            console.renew(app, agent);
            let outcome = console.sessions.take_outcome(&agent.current.id).map(OutcomeView::from);
            let p = PersonView::new(&shown, app.service.sends_mail());
            let page = PersonPage { admin: &agent.username, csrf: &agent.current.csrf, p, outcome, errors };
            console.pages.render(status, "person.html", page)
        }
        Err(failure) if ends_session(&failure) => to_signin(console, agent),
        Err(failure) => not_found(&failure.message()),
    }
}

pub async fn person(
    State(app): App,
    Extension(console): Con,
    caller: Caller,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Response {
    let Some(agent) = console.agent(&jar) else { return Redirect::to("/console/signin").into_response() };
    person_page(&app, &console, &caller.at("console.person"), &agent, &id, (StatusCode::OK, Vec::new())).await
}

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
                if password.expose_secret().contains('\0') || confirmation.expose_secret().contains('\0') {
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
    State(app): App,
    Extension(console): Con,
    caller: Caller,
    jar: CookieJar,
    Path(id): Path<String>,
    form: Result<Form<ResetForm>, FormRejection>,
) -> Response {
    let Some(agent) = console.agent(&jar) else { return Redirect::to("/console/signin").into_response() };
    let context = caller.at("console.reset");
    let refused = async |status: StatusCode, errors: Vec<String>| {
        person_page(&app, &console, &context, &agent, &id, (status, errors)).await
    };
    let form = match form {
        Ok(Form(form)) if agent.current.csrf_matches(&form.csrf) => form,
        Ok(_) => return refused(StatusCode::FORBIDDEN, vec![STALE.into()]).await,
        Err(_) => {
            let why = "The form could not be read; nothing was changed.";
            return refused(StatusCode::BAD_REQUEST, vec![why.into()]).await;
        }
    };
    let Ok(uuid) = Uuid::try_parse(&id) else { return Redirect::to("/console/search").into_response() };
    let (password, temporary, unlock) = match form.new_password() {
        Ok(parts) => parts,
        Err(why) => return refused(StatusCode::BAD_REQUEST, vec![why.into()]).await,
    };
    let command = ResetCommand {
        credentials: agent.credentials(),
        target: Target::Id(uuid),
        password,
        temporary,
        unlock,
    };
    match app.service.reset(&context, command).await {
        Ok(changed) => {
            app.metrics.reset("ok");
            if let Some(n) = &changed.notification {
                app.metrics.notification(n.status.as_str());
            }
            let outcome = Outcome {
                username: changed.username,
                temporary: changed.temporary,
                unlocked: changed.unlocked,
                generated: changed.generated,
                notification: changed.notification.map(|n| (n.status.as_str().to_owned(), n.reason)),
            };
            console.sessions.keep_outcome(&agent.current.id, outcome);
            console.renew(&app, &agent);
            Redirect::to(&format!("/console/people/{uuid}")).into_response()
        }
        Err(failure) if ends_session(&failure) => to_signin(&console, &agent),
        Err(failure) => {
            app.metrics.reset(failure.code());
            let errors = match &failure {
                Failure::PasswordPolicy(rules) => rules.iter().map(|rule| rule.message()).collect(),
                other => vec![other.message()],
            };
            let (status, _) = status_of(failure);
            refused(status, errors).await
        }
    }
}

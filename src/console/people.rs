//! Finding people and a person's page.

use axum::Extension;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Console;
use super::agent::*;
use super::pages::PersonView;
use super::signin::signin_then;
use crate::audit::RequestContext;
use crate::http::errors::failure_status;
use crate::http::people::search_text;
use crate::http::{AppState, Caller};
use crate::reset::{Changed, Target};

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
    uri: Uri,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Response {
    let Some(agent) = console.agent(&jar) else { return signin_then(&wanted(&uri)) };
    let q = query.map(|Query(q)| q.q).unwrap_or_default();
    let q = q.trim();
    let mut page = SearchPage {
        admin: agent.username(),
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
    if let Err(error) = search_text(q) {
        page.error = Some(error.message());
        return console.pages.render(error.status(), "search.html", page);
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
            page.error = Some(failure.message());
            console.pages.render(failure_status(&failure), "search.html", page)
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

impl From<Changed> for OutcomeView {
    fn from(outcome: Changed) -> Self {
        Self {
            username: outcome.username,
            temporary: outcome.temporary,
            unlocked: outcome.unlocked,
            // Exposed for this one page, which is never cached.
            generated: outcome.generated.map(|p| p.expose_secret().to_owned()),
            notification: outcome.notification.map(|n| match n.reason {
                Some(reason) => format!("{}: {reason}", n.status.as_str()),
                None => n.status.as_str().to_owned(),
            }),
        }
    }
}

/// The person's page: `errors` from a refused reset, or the last outcome.
pub(super) async fn person_page(
    app: &AppState,
    console: &Console,
    context: &RequestContext,
    agent: &Agent,
    id: &str,
    (status, errors): (StatusCode, Vec<String>),
) -> Response {
    let not_found = |message: &str| {
        let page = SearchPage {
            admin: agent.username(),
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
            app.metrics.lookup("ok");
            console.renew(app, agent);
            let outcome = console.sessions.take_outcome(&agent.current.id).map(OutcomeView::from);
            let p = PersonView::new(&shown, app.service.sends_mail());
            let page = PersonPage { admin: agent.username(), csrf: &agent.current.csrf, p, outcome, errors };
            console.pages.render(status, "person.html", page)
        }
        Err(failure) if ends_session(&failure) => to_signin(console, agent),
        Err(failure) => {
            app.metrics.lookup(failure.code());
            not_found(&failure.message())
        }
    }
}

pub async fn person(
    State(app): App,
    Extension(console): Con,
    caller: Caller,
    jar: CookieJar,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let Some(agent) = console.agent(&jar) else { return signin_then(&wanted(&uri)) };
    person_page(&app, &console, &caller.at("console.person"), &agent, &id, (StatusCode::OK, Vec::new())).await
}

fn wanted(uri: &Uri) -> String {
    uri.path_and_query().map_or_else(String::new, |p| p.as_str().to_owned())
}

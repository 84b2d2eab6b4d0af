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
use super::activity::{EventView, about, latest};
use super::agent::*;
use super::pages::PersonView;
use super::sessions::Done;
use super::signin::signin_then;
use crate::app::{Changed, MAX_LIMIT, Target};
use crate::audit::{Action, RequestContext};
use crate::directory::{AccountChange, Listed, PeopleQuery};
use crate::web::failure::failure_status;
use crate::web::input::{DEFAULT_SEARCH_LIMIT, search_text};
use crate::web::{AppState, Caller};

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    /// A worklist: the people in reach in this state.
    #[serde(default)]
    status: String,
}

/// The worklists the console offers: their `status`, and their title.
const WORKLISTS: [(&str, &str); 4] = [
    ("locked", "Locked now"),
    ("expiring", "Expiring within 14 days"),
    ("disabled", "Disabled"),
    ("must_change", "Must change their password"),
];

fn worklist(status: &str) -> Option<(Listed, &'static str)> {
    let (_, title) = WORKLISTS.iter().find(|(name, _)| *name == status)?;
    Some((Listed::named(status, Listed::DEFAULT_WITHIN_DAYS)?, title))
}

#[derive(Serialize)]
struct SearchPage<'a> {
    admin: &'a str,
    csrf: &'a str,
    q: &'a str,
    /// The worklist shown, by its title.
    list: Option<&'static str>,
    lists: &'static [(&'static str, &'static str)],
    searched: bool,
    people: Vec<PersonView>,
    truncated: bool,
    error: Option<String>,
}

pub async fn search(
    State(state): Web,
    Extension(console): Con,
    caller: Caller,
    jar: CookieJar,
    uri: Uri,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Response {
    let Some(agent) = console.agent(&jar) else { return signin_then(&wanted(&uri)) };
    let (q, status) = query.map(|Query(query)| (query.q, query.status)).unwrap_or_default();
    let q = q.trim();
    let list = worklist(&status);
    let mut page = SearchPage {
        admin: agent.username(),
        csrf: &agent.current.csrf,
        q,
        list: list.map(|(_, title)| title),
        lists: &WORKLISTS,
        searched: false,
        people: Vec::new(),
        truncated: false,
        error: None,
    };
    if q.is_empty() && list.is_none() {
        return console.pages.render(StatusCode::OK, "search.html", page);
    }
    let context = caller.console("console.search");
    if let Some(error) = (!q.is_empty()).then(|| search_text("in the box", q).err()).flatten() {
        state.refused(&context, Action::Search, Some(q), Some(agent.username()), "invalid_request").await;
        page.error = Some(error.message());
        return console.pages.render(StatusCode::BAD_REQUEST, "search.html", page);
    }
    let query =
        PeopleQuery { text: Some(q).filter(|q| !q.is_empty()), listed: list.map(|(listed, _)| listed) };
    let limit = if list.is_some() { MAX_LIMIT } else { DEFAULT_SEARCH_LIMIT };
    match state.app.search(&context, &agent.credentials(), query, limit).await {
        Ok(found) => {
            console.renew(&state, &agent);
            page.searched = true;
            page.truncated = found.truncated;
            page.people =
                found.people.iter().map(|shown| PersonView::new(shown, state.app.sends_mail())).collect();
            console.pages.render(StatusCode::OK, "search.html", page)
        }
        Err(failure) if ends_session(&failure) => to_signin(&console, &agent),
        Err(failure) => {
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
    /// The latest events about the person; `None` without a trail.
    events: Option<Vec<EventView>>,
    /// Their whole activity.
    activity: String,
}

#[derive(Serialize)]
struct OutcomeView {
    username: String,
    temporary: bool,
    unlocked: bool,
    generated: Option<String>,
    notification: Option<String>,
    /// An account action's sentence instead of a reset's.
    account: Option<String>,
}

impl From<Done> for OutcomeView {
    fn from(done: Done) -> Self {
        match done {
            Done::Reset(changed) => Self::from(changed),
            Done::Account { username, change, changed } => {
                let (done, already) = match change {
                    AccountChange::Unlock => ("unlocked", "was not locked"),
                    AccountChange::Disable => ("disabled", "already was disabled"),
                    AccountChange::Enable => ("enabled", "was not disabled"),
                };
                let said = if changed {
                    format!("The account of {username} was {done}.")
                } else {
                    format!("The account of {username} {already}: nothing was changed.")
                };
                Self {
                    username,
                    temporary: false,
                    unlocked: false,
                    generated: None,
                    notification: None,
                    account: Some(said),
                }
            }
        }
    }
}

impl From<Changed> for OutcomeView {
    fn from(outcome: Changed) -> Self {
        Self {
            account: None,
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

/// The person's page: its own lookup, with the last outcome; or, with
/// `refused`, the answer to a form the reset refused (status and errors),
/// which shows the person again as part of that one operation.
pub(super) async fn person_page(
    state: &AppState,
    console: &Console,
    context: &RequestContext,
    agent: &Agent,
    id: &str,
    refused: Option<(StatusCode, Vec<String>)>,
) -> Response {
    let not_found = |message: &str| {
        let page = SearchPage {
            admin: agent.username(),
            csrf: &agent.current.csrf,
            q: "",
            list: None,
            lists: &WORKLISTS,
            searched: false,
            people: Vec::new(),
            truncated: false,
            error: Some(message.to_owned()),
        };
        console.pages.render(StatusCode::NOT_FOUND, "search.html", page)
    };
    let Ok(uuid) = Uuid::try_parse(id) else {
        if refused.is_none() {
            state.refused(context, Action::Lookup, Some(id), Some(agent.username()), "invalid_request").await;
        }
        return not_found("No such person.");
    };
    let (credentials, target) = (agent.credentials(), Target::Id(uuid));
    let shown = match refused {
        None => state.app.show(context, &credentials, &target).await,
        Some(_) => state.app.show_in_answer(context, &credentials, &target).await,
    };
    let (status, errors) = refused.unwrap_or((StatusCode::OK, Vec::new()));
    match shown {
        Ok(shown) => {
            console.renew(state, agent);
            let outcome = console.sessions.take_outcome(&agent.current.id).map(OutcomeView::from);
            let p = PersonView::new(&shown, state.app.sends_mail());
            let events = latest(state, context, agent, &shown.person.username).await;
            let activity = about(&shown.person.username);
            let page = PersonPage {
                admin: agent.username(),
                csrf: &agent.current.csrf,
                p,
                outcome,
                errors,
                events,
                activity,
            };
            console.pages.render(status, "person.html", page)
        }
        Err(failure) if ends_session(&failure) => to_signin(console, agent),
        Err(failure) => not_found(&failure.message()),
    }
}

pub async fn person(
    State(state): Web,
    Extension(console): Con,
    caller: Caller,
    jar: CookieJar,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let Some(agent) = console.agent(&jar) else { return signin_then(&wanted(&uri)) };
    person_page(&state, &console, &caller.console("console.person"), &agent, &id, None).await
}

pub(super) fn wanted(uri: &Uri) -> String {
    uri.path_and_query().map_or_else(String::new, |p| p.as_str().to_owned())
}

//! The trail in the console: `/console/activity` with the API's filters,
//! older pages and a CSV download, and the latest events on a person's
//! page. Reading writes no event.

use axum::Extension;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Serialize;

use super::agent::*;
use super::people::wanted;
use super::signin::{not_found, signin_then};
use crate::app::TrailQuery;
use crate::audit::RequestContext;
use crate::audit::export;
use crate::audit::record::Record;
use crate::audit::store::{Filter, Page};
use crate::web::failure::failure_status;
use crate::web::trail_query::{ACTIONS, TrailParams};
use crate::web::{AppState, Caller};

/// Events a person's page shows.
const ON_PERSON_PAGE: u32 = 20;
/// Events an activity page shows.
const PER_PAGE: u32 = 50;

/// One event as a page shows it.
#[derive(Serialize)]
pub(super) struct EventView {
    at: String,
    action: String,
    outcome: String,
    actor: String,
    target: String,
    via: String,
    client: String,
    details: String,
}

impl From<&Record> for EventView {
    fn from(record: &Record) -> Self {
        let details = match &record.details {
            serde_json::Value::Object(map) if map.is_empty() => String::new(),
            details => details.to_string(),
        };
        Self {
            at: record.at.replacen('T', " ", 1).replace('Z', " UTC"),
            action: record.action.clone(),
            outcome: record.outcome.clone(),
            actor: record.actor.clone().unwrap_or_default(),
            target: record
                .target
                .as_ref()
                .map(|t| match t.dn.as_deref().and_then(leading_value) {
                    // Named by an id, resolved: the entry's own name reads better.
                    Some(name) => name.to_owned(),
                    None => t.username.clone(),
                })
                .unwrap_or_default(),
            via: record.via.clone().unwrap_or_default(),
            client: record.client.clone().unwrap_or_default(),
            details,
        }
    }
}

/// The value of a DN's first attribute (`alice` of `uid=alice,ou=…`).
fn leading_value(dn: &str) -> Option<&str> {
    let first = dn.split(',').next()?;
    first.split_once('=').map(|(_, value)| value.trim()).filter(|v| !v.is_empty() && !v.ends_with('\\'))
}

/// The latest events about `username`, for their page; `None` when no
/// trail is kept or it cannot be read now (the page shows without it).
pub(super) async fn latest(
    state: &AppState,
    context: &RequestContext,
    agent: &Agent,
    username: &str,
) -> Option<Vec<EventView>> {
    if !state.app.keeps_trail() {
        return None;
    }
    let filter = Filter { person: Some(username.to_owned()), ..Filter::default() };
    let query = TrailQuery { filter, limit: ON_PERSON_PAGE };
    let page = state.app.trail(context, &agent.credentials(), &query).await.ok()?;
    Some(page.events.iter().map(EventView::from).collect())
}

/// The activity page of everything about `username`.
pub(super) fn about(username: &str) -> String {
    let filters = Filters { person: username.to_owned(), ..Filters::default() };
    format!("/console/activity?{}", filters.query(None))
}

#[derive(Serialize)]
struct ActivityPage<'a> {
    admin: &'a str,
    csrf: &'a str,
    f: Filters,
    actions: &'static [&'static str],
    events: Vec<EventView>,
    /// The query string of the next (older) page, and of the CSV.
    older: Option<String>,
    csv: String,
    error: Option<String>,
}

/// The filters as the form shows them again.
#[derive(Serialize, Default)]
struct Filters {
    person: String,
    actor: String,
    action: String,
    outcome: String,
    since: String,
    until: String,
}

impl Filters {
    fn of(params: &TrailParams) -> Self {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        Self {
            person: text(&params.person),
            actor: text(&params.actor),
            action: text(&params.action),
            outcome: text(&params.outcome),
            since: text(&params.since),
            until: text(&params.until),
        }
    }

    /// As a query string, `after` added.
    fn query(&self, after: Option<i64>) -> String {
        let pairs = [
            ("person", &self.person),
            ("actor", &self.actor),
            ("action", &self.action),
            ("outcome", &self.outcome),
            ("since", &self.since),
            ("until", &self.until),
        ];
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in pairs.into_iter().filter(|(_, v)| !v.is_empty()) {
            query.append_pair(name, value);
        }
        if let Some(after) = after {
            query.append_pair("after", &after.to_string());
        }
        query.finish()
    }
}

/// What a request for the trail asked: its filters, or why they cannot be
/// read.
fn asked(params: Result<Query<TrailParams>, QueryRejection>) -> (TrailParams, Result<TrailQuery, String>) {
    let params = params.map(|Query(params)| params.from_form());
    match params {
        Ok(params) => {
            let query = params.query().map_err(|e| e.message());
            (params, query)
        }
        Err(_) => (TrailParams::default(), Err("The filters could not be read.".into())),
    }
}

/// The signed-in agent and what they asked; or the answer when there is
/// no trail (404) or nobody signed in (to the sign-in, and back).
async fn reader(
    state: &AppState,
    console: &std::sync::Arc<super::Console>,
    jar: &CookieJar,
    uri: &Uri,
    params: Result<Query<TrailParams>, QueryRejection>,
) -> Result<(Agent, TrailParams, Result<TrailQuery, String>), Response> {
    if !state.app.keeps_trail() {
        return Err(not_found(Extension(console.clone())).await);
    }
    let Some(agent) = console.agent(jar) else { return Err(signin_then(&wanted(uri))) };
    let (params, query) = asked(params);
    Ok((agent, params, query))
}

pub async fn activity(
    State(state): Web,
    Extension(console): Con,
    caller: Caller,
    jar: CookieJar,
    uri: Uri,
    params: Result<Query<TrailParams>, QueryRejection>,
) -> Response {
    let (agent, params, query) = match reader(&state, &console, &jar, &uri, params).await {
        Ok(asked) => asked,
        Err(response) => return response,
    };
    let f = Filters::of(&params);
    let csv = format!("/console/activity.csv?{}", f.query(None));
    let mut page = ActivityPage {
        admin: agent.username(),
        csrf: &agent.current.csrf,
        f,
        actions: &ACTIONS,
        events: Vec::new(),
        older: None,
        csv,
        error: None,
    };
    let query = match query {
        Ok(query) => TrailQuery { limit: PER_PAGE, ..query },
        Err(message) => {
            page.error = Some(message);
            return console.pages.render(StatusCode::BAD_REQUEST, "activity.html", page);
        }
    };
    let context = caller.console("console.activity");
    match state.app.trail(&context, &agent.credentials(), &query).await {
        Ok(Page { events, next }) => {
            console.renew(&state, &agent);
            page.events = events.iter().map(EventView::from).collect();
            page.older = next.map(|next| page.f.query(Some(next)));
            console.pages.render(StatusCode::OK, "activity.html", page)
        }
        Err(failure) if ends_session(&failure) => to_signin(&console, &agent),
        Err(failure) => {
            page.error = Some(failure.message());
            console.pages.render(failure_status(&failure), "activity.html", page)
        }
    }
}

/// The same events as CSV, up to the API's largest page.
pub async fn activity_csv(
    State(state): Web,
    Extension(console): Con,
    caller: Caller,
    jar: CookieJar,
    uri: Uri,
    params: Result<Query<TrailParams>, QueryRejection>,
) -> Response {
    let (agent, _, query) = match reader(&state, &console, &jar, &uri, params).await {
        Ok(asked) => asked,
        Err(response) => return response,
    };
    let query = match query {
        Ok(query) => TrailQuery { limit: crate::web::trail_query::MAX_LIMIT, ..query },
        Err(message) => return (StatusCode::BAD_REQUEST, message).into_response(),
    };
    match state.app.trail(&caller.console("console.activity"), &agent.credentials(), &query).await {
        Ok(page) => csv_download(export::csv(&page.events), "attachment; filename=\"audit.csv\""),
        Err(failure) => (failure_status(&failure), failure.message()).into_response(),
    }
}

/// `csv` as a file to save: `disposition` names it.
pub(super) fn csv_download(csv: String, disposition: &'static str) -> Response {
    let mut response = csv.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static(disposition));
    response
}

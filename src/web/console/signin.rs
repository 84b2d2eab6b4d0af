//! Signing in and out, and the pages anyone may see. A signed-out agent
//! who followed a link into the console (from a ticket, say) is sent to
//! sign in and then on to where they were going: a path under `/console/`
//! only, never another site.

use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::agent::*;
use super::pages::STYLESHEET;
use super::{Console, SIGNIN_COOKIE};
use crate::audit::Action;
use crate::web::Caller;
use crate::web::failure::failure_status;
use crate::web::input::name;

const HOME: &str = "/console/search";

pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLESHEET).into_response()
}

pub async fn home(Extension(console): Con, jar: CookieJar) -> Redirect {
    match console.agent(&jar) {
        Some(_) => Redirect::to(HOME),
        None => Redirect::to("/console/signin"),
    }
}

/// `next` when it is a path of this console's and nothing else: no other
/// host, no scheme, no way out of `/console/`.
fn safe_next(next: Option<&str>) -> Option<&str> {
    let next = next?;
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~/?=&%+".contains(c);
    let safe = next.starts_with("/console/")
        && next.len() <= 512
        && next.chars().all(allowed)
        && !next.contains("//")
        && !next.contains("..");
    safe.then_some(next)
}

/// The sign-in page for a signed-out agent, who comes back to `wanted`
/// (a path and query) after.
pub(super) fn signin_then(wanted: &str) -> Response {
    match safe_next(Some(wanted)) {
        Some(next) => {
            let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
            Redirect::to(&format!("/console/signin?next={next}")).into_response()
        }
        None => Redirect::to("/console/signin").into_response(),
    }
}

#[derive(Serialize, Default)]
struct SigninPage<'a> {
    csrf: &'a str,
    username: &'a str,
    next: &'a str,
    error: Option<String>,
}

/// The form, on a sign-in session of its own: the agent's session cookie,
/// if they have one, is never touched here.
fn signin_form(console: &Console, jar: CookieJar, status: StatusCode, page: SigninPage<'_>) -> Response {
    let current = console.signin_current(&jar).unwrap_or_else(|| console.sessions.open(None));
    let page = SigninPage { csrf: &current.csrf, ..page };
    let jar = jar.add(console.signin_cookie(&current));
    (jar, console.pages.render(status, "signin.html", page)).into_response()
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn signin_page(
    Extension(console): Con,
    jar: CookieJar,
    query: Result<Query<NextQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Query(query) = query.unwrap_or_default();
    let next = safe_next(query.next.as_deref());
    if console.agent(&jar).is_some() {
        return Redirect::to(next.unwrap_or(HOME)).into_response();
    }
    let page = SigninPage { next: next.unwrap_or_default(), ..SigninPage::default() };
    signin_form(&console, jar, StatusCode::OK, page)
}

#[derive(Deserialize)]
pub struct SigninForm {
    csrf: String,
    username: String,
    password: SecretString,
    #[serde(default)]
    next: Option<String>,
}

pub async fn signin(
    State(state): Web,
    Extension(console): Con,
    caller: Caller,
    jar: CookieJar,
    form: Result<Form<SigninForm>, FormRejection>,
) -> Response {
    let context = caller.console("console.signin");
    let Ok(Form(form)) = form else {
        state.refused(&context, Action::Login, None, None, "invalid_request").await;
        let page = SigninPage { error: Some("Fill in both fields.".into()), ..SigninPage::default() };
        return signin_form(&console, jar, StatusCode::BAD_REQUEST, page);
    };
    let next = safe_next(form.next.as_deref());
    let page = |username, error: String| SigninPage {
        username,
        next: next.unwrap_or_default(),
        error: Some(error),
        ..SigninPage::default()
    };
    let username = form.username.trim();
    let Some(current) = console.signin_current(&jar).filter(|c| c.csrf_matches(&form.csrf)) else {
        state.refused(&context, Action::Login, None, Some(username), "forbidden").await;
        return signin_form(&console, jar, StatusCode::FORBIDDEN, page(&form.username, STALE.into()));
    };
    // The shared bounds on a name (present, 256 characters, no control ones).
    if name("username", username).is_err() {
        state.refused(&context, Action::Login, None, None, "invalid_request").await;
        let why = "Type your username: at most 256 characters, no control characters.";
        return signin_form(&console, jar, StatusCode::BAD_REQUEST, page("", why.into()));
    }
    match state.app.login(&context, username, &form.password).await {
        Ok(token) => {
            // A new id at sign-in: a session fixed before it is worth nothing.
            console.sessions.close(&current.id);
            let signed_in = console.sessions.open(Some((username.to_owned(), token)));
            let jar = jar
                .remove(Cookie::build(SIGNIN_COOKIE).path("/console/signin"))
                .add(console.cookie(&signed_in));
            (jar, Redirect::to(next.unwrap_or(HOME))).into_response()
        }
        Err(failure) => {
            signin_form(&console, jar, failure_status(&failure), page(username, failure.message()))
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn signout(
    State(state): Web,
    Extension(console): Con,
    caller: Caller,
    jar: CookieJar,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    // Without a live session there is nobody to sign out, and nothing to record.
    if let Some(agent) = console.agent(&jar) {
        let context = caller.console("console.signout");
        match form {
            Ok(Form(form)) if agent.current.csrf_matches(&form.csrf) => {
                console.sessions.close(&agent.current.id);
                state.app.logout(&context, agent.username()).await;
            }
            _ => state.refused(&context, Action::Logout, None, Some(agent.username()), "forbidden").await,
        }
    }
    Redirect::to("/console/signin").into_response()
}

/// Any other path under `/console/`: the console's own page, not the API's.
pub async fn not_found(Extension(console): Con) -> Response {
    console.pages.render(StatusCode::NOT_FOUND, "not_found.html", ())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_a_path_of_the_console_is_somewhere_to_go_next() {
        for good in ["/console/people/3f2c", "/console/search?q=ned%20b", "/console/search?q=a+b"] {
            assert_eq!(safe_next(Some(good)), Some(good));
        }
        for bad in [
            "https://evil.example/console/",
            "//evil.example/console/",
            "/console//evil.example",
            "/console/\\\\evil.example",
            "/console/../metrics",
            "/consolex",
            "/api/v1/users",
            "/console/a\r\nSet-Cookie: x=y",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad}");
        }
        assert_eq!(safe_next(None), None);
    }
}

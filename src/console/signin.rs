//! Signing in and out, and the pages anyone may see.

use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::cookie::CookieJar;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::Console;
use super::agent::*;
use super::pages::STYLESHEET;
use crate::http::Caller;
use crate::http::body::name;
use crate::http::errors::failure_status;

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
    // The API's bounds on a name (present, 256 characters, no control ones).
    if let Err(error) = name("username", username) {
        return signin_form(&console, jar, error.status(), "", Some(error.message()));
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
            signin_form(&console, jar, failure_status(&failure), username, Some(failure.message()))
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

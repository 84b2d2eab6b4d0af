//! The helpdesk console: server-rendered pages under `/console/` on the
//! same use cases as the API (sign-in is the token login, search and the
//! person's page are the lookups, a reset is the reset), so no second path
//! reaches the directory. Plain forms and POST-redirect-GET: it works
//! without JavaScript, and none is served. Every response carries a strict
//! CSP and frame and referrer headers; every form a CSRF token.

mod account;
mod activity;
mod agent;
mod bulk;
mod pages;
mod people;
mod reset;
mod sessions;
mod signin;

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::{any, get, post};
use axum::{Extension, Router};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use tower::ServiceBuilder;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::ConsoleSettings;
use crate::web::AppState;
use pages::Pages;
use sessions::{Current, Sessions};

/// A signed-in agent's session. `SameSite=Lax`: a link from a ticket
/// system (another site) reaches the page with the session, while a form
/// posted from another site still goes without it (and every form carries a
/// CSRF token besides).
const COOKIE: &str = "pwproxy_session";
/// The sign-in form's own session (its CSRF token), apart from the agent's:
/// showing the sign-in page can never replace a live session's cookie.
const SIGNIN_COOKIE: &str = "pwproxy_signin";

/// No script, no frame, no plug-in; styles and forms from this origin only.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

pub struct Console {
    sessions: Sessions,
    pages: Pages,
    /// Mark the cookie Secure: served over HTTPS (by pwproxy or a proxy).
    secure: bool,
}

impl Console {
    /// The live session the request's session cookie names.
    fn current(&self, jar: &CookieJar) -> Option<Current> {
        jar.get(COOKIE).and_then(|cookie| self.sessions.find(cookie.value()))
    }

    /// The sign-in form's live session, if the request names one.
    fn signin_current(&self, jar: &CookieJar) -> Option<Current> {
        let current = jar.get(SIGNIN_COOKIE).and_then(|cookie| self.sessions.find(cookie.value()))?;
        current.admin.is_none().then_some(current)
    }

    /// The cookie naming the signed-in session `current`, for the
    /// console's paths only.
    fn cookie(&self, current: &Current) -> Cookie<'static> {
        Cookie::build((COOKIE, current.id.clone()))
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .path("/console/")
            .build()
    }

    /// The cookie naming the sign-in form's session, for that form only.
    fn signin_cookie(&self, current: &Current) -> Cookie<'static> {
        Cookie::build((SIGNIN_COOKIE, current.id.clone()))
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(self.secure)
            .path("/console/signin")
            .build()
    }
}

/// The console's routes, to be served beside the API; `secure`: the
/// cookie goes over HTTPS only; `trail`: the audit trail can be read.
pub fn router(
    settings: &ConsoleSettings,
    secure: bool,
    trail: bool,
) -> Result<Router<Arc<AppState>>, String> {
    let console = Console {
        sessions: Sessions::new(Duration::from_secs(settings.session_idle_secs)),
        pages: Pages::new(trail)?,
        secure,
    };
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    let headers = ServiceBuilder::new()
        .layer(header(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::CACHE_CONTROL, "no-store"));
    Ok(Router::new()
        .route("/console", get(signin::home))
        .route("/console/", get(signin::home))
        .route("/console/signin", get(signin::signin_page).post(signin::signin))
        .route("/console/signout", post(signin::signout))
        .route("/console/search", get(people::search))
        .route("/console/people/{id}", get(people::person))
        .route("/console/people/{id}/reset", post(reset::reset))
        .route("/console/people/{id}/account", post(account::act))
        .route("/console/bulk", get(bulk::page).post(bulk::run))
        .route("/console/bulk.csv", get(bulk::outcomes))
        .route("/console/activity", get(activity::activity))
        .route("/console/activity.csv", get(activity::activity_csv))
        .route("/console/static/console.css", get(signin::stylesheet))
        // Every other path under /console/: the console's own page, headers.
        .route("/console/{*rest}", any(signin::not_found))
        .layer(Extension(Arc::new(console)))
        .layer(headers))
}

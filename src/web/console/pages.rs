//! The console's pages: minijinja templates built into the binary (HTML
//! escaping on), and the plain views they are given. No decision is taken
//! here or in a template: the views carry what the use cases answered.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::Environment;
use serde::Serialize;
use time::OffsetDateTime;
use time::macros::format_description;

use crate::access::{Allowance, Blocked};
use crate::app::Failure;
use crate::app::Shown;
use crate::directory::NoExpiry;

const TEMPLATES: [(&str, &str); 9] = [
    ("layout.html", include_str!("../../../templates/console/layout.html")),
    ("signin.html", include_str!("../../../templates/console/signin.html")),
    ("search.html", include_str!("../../../templates/console/search.html")),
    ("person.html", include_str!("../../../templates/console/person.html")),
    ("options.html", include_str!("../../../templates/console/options.html")),
    ("not_found.html", include_str!("../../../templates/console/not_found.html")),
    ("activity.html", include_str!("../../../templates/console/activity.html")),
    ("events.html", include_str!("../../../templates/console/events.html")),
    ("bulk.html", include_str!("../../../templates/console/bulk.html")),
];

pub const STYLESHEET: &str = include_str!("../../../static/console.css");

pub struct Pages {
    env: Environment<'static>,
}

impl Pages {
    /// `trail`: the audit trail can be read (the activity link shows).
    pub fn new(trail: bool) -> Result<Self, String> {
        let mut env = Environment::new();
        env.add_global("trail", trail);
        for (name, source) in TEMPLATES {
            env.add_template(name, source).map_err(|e| format!("console template {name}: {e}"))?;
        }
        Ok(Self { env })
    }

    /// The page, or a plain 500 if a template fails (logged; never a panic).
    pub fn render(&self, status: StatusCode, name: &str, context: impl Serialize) -> Response {
        let rendered = self
            .env
            .get_template(name)
            .and_then(|template| template.render(minijinja::value::Serde(&context)));
        match rendered {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!("console template {name} failed: {e}");
                (StatusCode::INTERNAL_SERVER_ERROR, "The page could not be drawn; see the log.")
                    .into_response()
            }
        }
    }
}

fn when(at: Option<OffsetDateTime>) -> Option<String> {
    at.and_then(|t| t.format(format_description!("[year]-[month]-[day] [hour]:[minute] UTC")).ok())
}

/// One person as a page shows them.
#[derive(Serialize)]
pub struct PersonView {
    pub id: String,
    pub username: String,
    pub name: String,
    pub email: Option<String>,
    pub state: &'static str,
    pub locked: bool,
    pub locked_since: Option<String>,
    pub locked_until: Option<String>,
    pub failed_attempts: String,
    pub must_change: bool,
    pub changed_at: Option<String>,
    /// When the password expires, or why no time can be named.
    pub expires: String,
    pub may_reset: bool,
    pub why_not: String,
    pub may_unlock: bool,
    pub may_disable: bool,
    pub may_enable: bool,
    /// Why the account action the person's state calls for is not
    /// offered, when it is not.
    pub why_no_action: Option<&'static str>,
    pub temporary: &'static str,
    /// Whether mail delivery is offered at all (`[notify]` set).
    pub offers_mail: bool,
    pub may_mail: bool,
    pub why_no_mail: &'static str,
}

/// The person's page's answer for "Password expires".
fn expires(at: Option<OffsetDateTime>, no_expiry: Option<NoExpiry>) -> String {
    if let Some(at) = when(at) {
        return at;
    }
    match no_expiry {
        Some(NoExpiry::AccountNeverExpires) => "never: this account's password is set never to expire",
        Some(NoExpiry::NoMaxAge) => "never: the password policy sets no maximum age",
        Some(NoExpiry::MustChangeFirst) => "not yet: a new password must be chosen at the next sign-in",
        Some(NoExpiry::PolicyUnread) => {
            "unknown: the password policy could not be read (see `pwproxy check`; for OpenLDAP set \
             directory.policy_dn to the default policy entry, readable by the service account)"
        }
        Some(NoExpiry::NotRecorded) | None => "unknown: the directory does not record when it was last set",
    }
    .to_owned()
}

impl PersonView {
    pub fn new(shown: &Shown, sends_mail: bool) -> Self {
        let (person, status, actions) = (&shown.person, &shown.status, &shown.actions);
        let why_not = match actions.blocked {
            Some(Blocked::Refused(refusal)) => Failure::Forbidden(refusal).message(),
            Some(Blocked::Disabled) => "the account is disabled in the directory.".into(),
            None => String::new(),
        };
        let usable = person.email.as_deref().and_then(crate::notify::address).is_some();
        let (may_mail, why_no_mail) = match (sends_mail, usable) {
            (false, _) => (false, ""),
            (true, false) => (false, "the person has no usable mail address"),
            (true, true) => (true, ""),
        };
        Self {
            id: person.account.id.clone().unwrap_or_default(),
            username: person.username.clone(),
            name: person.display_name.clone().unwrap_or_else(|| person.username.clone()),
            email: person.email.clone(),
            state: match (status.disabled, status.locked) {
                (true, _) => "disabled",
                (false, true) => "locked",
                (false, false) => "active",
            },
            locked: status.locked,
            locked_since: when(status.locked_since),
            locked_until: when(status.locked_until),
            failed_attempts: status.failed_attempts.map_or_else(|| "unknown".into(), |n| n.to_string()),
            must_change: status.must_change,
            changed_at: when(status.password_changed_at),
            expires: expires(status.password_expires_at, status.no_expiry),
            may_reset: actions.reset,
            why_not,
            may_unlock: actions.unlock,
            may_disable: actions.disable,
            may_enable: actions.enable,
            why_no_action: match (status.disabled, status.locked) {
                (true, _) if !actions.enable => Some(
                    "The account is disabled, and you may not enable it here: your delegation does not allow \
                     it, or the person is protected.",
                ),
                (false, true) if !actions.unlock => Some(
                    "The account is locked, and you may not unlock it alone here: your delegation does not \
                     allow unlocking, or the person is protected.",
                ),
                _ => None,
            },
            temporary: match actions.temporary {
                Allowance::Always => "always",
                Allowance::Never => "never",
                Allowance::Optional => "optional",
            },
            offers_mail: sends_mail,
            may_mail,
            why_no_mail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_expiry_says_whether_never_or_unknown_and_why() {
        let said = |why| expires(None, Some(why));
        assert!(said(NoExpiry::NoMaxAge).starts_with("never: "));
        assert!(said(NoExpiry::AccountNeverExpires).starts_with("never: "));
        assert!(said(NoExpiry::MustChangeFirst).starts_with("not yet: "));
        let unread = said(NoExpiry::PolicyUnread);
        assert!(unread.starts_with("unknown: ") && unread.contains("directory.policy_dn"), "{unread}");
        assert!(said(NoExpiry::NotRecorded).starts_with("unknown: "));
        let at = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(expires(Some(at), None), "1970-01-01 00:00 UTC");
    }
}

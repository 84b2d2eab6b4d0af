//! The mails' subjects and bodies (text and HTML), from minijinja templates:
//! built into the binary, each replaceable by a file of the same name in
//! `notify.templates_dir`. HTML templates escape what they insert.

use std::path::Path;

use minijinja::Environment;
use secrecy::ExposeSecret;
use serde::Serialize;
use time::macros::format_description;

use super::{Mail, MailKind};

const BUILT_IN: [(&str, &str); 6] = [
    ("notice_subject.txt", include_str!("../../templates/mail/notice_subject.txt")),
    ("notice.txt", include_str!("../../templates/mail/notice.txt")),
    ("notice.html", include_str!("../../templates/mail/notice.html")),
    ("delivery_subject.txt", include_str!("../../templates/mail/delivery_subject.txt")),
    ("delivery.txt", include_str!("../../templates/mail/delivery.txt")),
    ("delivery.html", include_str!("../../templates/mail/delivery.html")),
];

pub struct Templates {
    env: Environment<'static>,
    contact: String,
}

/// A mail's texts.
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What a template may use.
#[derive(Serialize)]
struct Context<'a> {
    /// The display name, else the username.
    name: &'a str,
    username: &'a str,
    actor: &'a str,
    at: String,
    reference: &'a str,
    contact: &'a str,
    temporary: bool,
    /// Only in the delivery mail.
    password: Option<&'a str>,
}

impl Templates {
    /// The built-in templates, each replaced by `dir`'s file of the same
    /// name when it has one; a template that does not parse is an error
    /// naming its file, at start-up rather than at the first reset.
    pub fn load(dir: Option<&Path>, contact: &str) -> Result<Self, String> {
        let mut env = Environment::new();
        for (name, built_in) in BUILT_IN {
            let own = dir.map(|dir| dir.join(name)).filter(|path| path.is_file());
            let source = match &own {
                Some(path) => std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read '{}': {e}", path.display()))?,
                None => built_in.to_owned(),
            };
            env.add_template_owned(name, source).map_err(|e| {
                let origin = own.map_or_else(|| format!("built-in {name}"), |p| p.display().to_string());
                format!("the mail template {origin} does not parse: {e}")
            })?;
        }
        Ok(Self { env, contact: contact.to_owned() })
    }

    pub fn render(&self, mail: &Mail) -> Result<Rendered, String> {
        let (kind, password) = match &mail.kind {
            MailKind::Notice => ("notice", None),
            MailKind::Delivery(password) => ("delivery", Some(password.expose_secret())),
        };
        let at = mail
            .at
            .format(format_description!("[year]-[month]-[day] [hour]:[minute] UTC"))
            .map_err(|e| e.to_string())?;
        let context = Context {
            name: mail.display_name.as_deref().unwrap_or(&mail.username),
            username: &mail.username,
            actor: &mail.actor,
            at,
            reference: &mail.reference,
            contact: &self.contact,
            temporary: mail.temporary,
            password,
        };
        let render = |part: &str| {
            let name = format!("{kind}{part}");
            self.env
                .get_template(&name)
                .and_then(|template| template.render(minijinja::value::Serde(&context)))
                // minijinja's errors name the template and line, never a value.
                .map_err(|e| format!("the mail template {name} failed: {e}"))
        };
        Ok(Rendered {
            // A subject is one line, whatever the template's layout.
            subject: render("_subject.txt")?.split_whitespace().collect::<Vec<_>>().join(" "),
            text: render(".txt")?,
            html: render(".html")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;
    use time::macros::datetime;

    use super::*;

    fn mail(kind: MailKind) -> Mail {
        Mail {
            kind,
            to: "jdoe@example.org".parse().unwrap(),
            username: "jdoe".into(),
            display_name: Some("John <b>Doe</b>".into()),
            actor: "helpdesk1".into(),
            at: datetime!(2026-12-04 13:45 UTC),
            reference: "req-42".into(),
            temporary: true,
        }
    }

    #[test]
    fn a_notice_says_who_when_and_whom_to_call_but_never_a_password() {
        let texts =
            Templates::load(None, "the IT desk on 1234").unwrap().render(&mail(MailKind::Notice)).unwrap();
        assert_eq!(texts.subject, "Your password was reset");
        for part in [&texts.text, &texts.html] {
            for expected in ["jdoe", "helpdesk1", "2026-12-04 13:45 UTC", "the IT desk on 1234", "req-42"] {
                assert!(part.contains(expected), "{expected} missing from {part}");
            }
        }
        assert!(texts.html.contains("John &lt;b&gt;Doe"), "{}", texts.html);
        assert!(!texts.html.contains("<b>Doe"), "{}", texts.html);
    }

    #[test]
    fn a_delivery_carries_the_password() {
        let password = SecretString::from("Xy7#generated-Q9");
        let texts = Templates::load(None, "x").unwrap().render(&mail(MailKind::Delivery(password))).unwrap();
        assert_eq!(texts.subject, "Your new password");
        assert!(texts.text.contains("Xy7#generated-Q9") && texts.html.contains("Xy7#generated-Q9"));
    }

    #[test]
    fn an_operators_template_replaces_the_built_in_one_and_a_broken_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notice_subject.txt"), "Reset of {{ username }}\n").unwrap();
        let texts = Templates::load(Some(dir.path()), "x").unwrap().render(&mail(MailKind::Notice)).unwrap();
        assert_eq!(texts.subject, "Reset of jdoe");
        std::fs::write(dir.path().join("notice.txt"), "{% if %}").unwrap();
        let error = Templates::load(Some(dir.path()), "x").err().unwrap();
        assert!(error.contains("notice.txt"), "{error}");
    }
}

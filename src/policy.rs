//! The proxy's own password rules, checked before the directory sees the
//! password. Every broken rule is reported, so a helpdesk agent fixes the
//! password in one go.

use secrecy::{ExposeSecret, SecretString};

use crate::config::PolicySettings;

/// One broken rule. Its code and its sentence are written here only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    PasswordsDoNotMatch,
    TooShort { min: usize },
    TooLong { max: usize },
    ContainsUsername,
}

impl Rule {
    /// The stable code callers match on.
    pub fn code(self) -> &'static str {
        match self {
            Rule::PasswordsDoNotMatch => "passwords_do_not_match",
            Rule::TooShort { .. } => "password_too_short",
            Rule::TooLong { .. } => "password_too_long",
            Rule::ContainsUsername => "password_contains_username",
        }
    }

    /// A sentence for a person; never quotes the password.
    pub fn message(self) -> String {
        match self {
            Rule::PasswordsDoNotMatch => "The password and its confirmation differ.".into(),
            Rule::TooShort { min } => format!("The password must be at least {min} characters long."),
            Rule::TooLong { max } => format!("The password must be at most {max} characters long."),
            Rule::ContainsUsername => "The password must not contain the username.".into(),
        }
    }
}

/// Shortest username that is checked for inside a password: shorter names
/// ("al") would forbid too many ordinary passwords.
const MIN_USERNAME_TO_MATCH: usize = 3;

/// All rules `password` breaks for `username`; empty when it passes.
/// `confirmation` is `None` where the endpoint has no confirmation field.
pub fn check(
    rules: &PolicySettings,
    username: &str,
    password: &SecretString,
    confirmation: Option<&SecretString>,
) -> Vec<Rule> {
    let password = password.expose_secret();
    let length = password.chars().count();
    let mut broken = Vec::new();
    if let Some(confirmation) = confirmation
        && confirmation.expose_secret() != password
    {
        broken.push(Rule::PasswordsDoNotMatch);
    }
    if length < rules.min_length {
        broken.push(Rule::TooShort { min: rules.min_length });
    }
    if length > rules.max_length {
        broken.push(Rule::TooLong { max: rules.max_length });
    }
    if username.chars().count() >= MIN_USERNAME_TO_MATCH
        && password.to_lowercase().contains(&username.to_lowercase())
    {
        broken.push(Rule::ContainsUsername);
    }
    broken
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> PolicySettings {
        PolicySettings { min_length: 12, max_length: 20, must_change: true }
    }

    fn codes(username: &str, password: &str, confirmation: Option<&str>) -> Vec<&'static str> {
        let confirmation = confirmation.map(SecretString::from);
        check(&rules(), username, &password.into(), confirmation.as_ref())
            .into_iter()
            .map(Rule::code)
            .collect()
    }

    #[test]
    fn a_good_password_passes() {
        assert!(codes("alice", "correct-horse-7", Some("correct-horse-7")).is_empty());
    }

    #[test]
    fn every_broken_rule_is_reported_together() {
        assert_eq!(
            codes("alice", "Alice1", Some("alice1")),
            ["passwords_do_not_match", "password_too_short", "password_contains_username"]
        );
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(codes("bob", "ééééééééééé", None).contains(&"password_too_short"));
        assert!(codes("bob", "éééééééééééé", None).is_empty());
        assert_eq!(codes("bob", &"x".repeat(21), None), ["password_too_long"]);
    }

    #[test]
    fn the_username_is_matched_in_any_letter_case() {
        assert_eq!(codes("Carol", "my-CAROL-password", None), ["password_contains_username"]);
        assert!(codes("al", "always-al-password", None).is_empty());
    }

    #[test]
    fn violations_never_quote_the_password() {
        let all = check(&rules(), "alice", &"alice".into(), Some(&"x".into()));
        assert!(all.iter().all(|rule| !rule.message().contains("alice")));
    }

    #[test]
    fn messages_name_the_configured_bounds() {
        assert_eq!(Rule::TooShort { min: 12 }.message(), "The password must be at least 12 characters long.");
    }
}

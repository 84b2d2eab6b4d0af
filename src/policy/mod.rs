//! pwproxy's own password policy, checked before the directory sees the
//! password, after NIST SP 800-63B rev. 4 (3.1.1.2): a length counted in
//! characters of the normalized form, room for long passphrases, no
//! composition rules, and a comparison against common and compromised
//! passwords and against words of the person's own entry. Every broken rule
//! is reported, so a helpdesk agent fixes the password in one go.

mod blocklist;
mod fold;

use secrecy::{ExposeSecret, SecretString};

pub use blocklist::{Blocklist, BlocklistError};
pub use fold::fold;

use crate::config::PolicySettings;

/// One broken rule. Its code and its sentence are written here only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    PasswordsDoNotMatch,
    TooShort { min: usize },
    TooLong { max: usize },
    ContainsUsername,
    Blocklisted,
    ContainsPersonalInfo,
}

impl Rule {
    /// The stable code callers match on.
    pub fn code(self) -> &'static str {
        match self {
            Rule::PasswordsDoNotMatch => "passwords_do_not_match",
            Rule::TooShort { .. } => "password_too_short",
            Rule::TooLong { .. } => "password_too_long",
            Rule::ContainsUsername => "password_contains_username",
            Rule::Blocklisted => "password_blocklisted",
            Rule::ContainsPersonalInfo => "password_contains_personal_info",
        }
    }

    /// A sentence for a person; never quotes the password nor what it matched.
    pub fn message(self) -> String {
        match self {
            Rule::PasswordsDoNotMatch => "The password and its confirmation differ.".into(),
            Rule::TooShort { min } => format!("The password must be at least {min} characters long."),
            Rule::TooLong { max } => format!("The password must be at most {max} characters long."),
            Rule::ContainsUsername => "The password must not contain the username.".into(),
            Rule::Blocklisted => {
                "The password is too common or known from breaches; choose one that is not.".into()
            }
            Rule::ContainsPersonalInfo => {
                "The password must not contain the person's name, e-mail address or other details of \
                 their own."
                    .into()
            }
        }
    }
}

/// Shortest username that is checked for inside a password: shorter names
/// ("al") would forbid too many ordinary passwords.
const MIN_USERNAME_TO_MATCH: usize = 3;
/// Shortest word of a person's own entry that is checked for: shorter
/// fragments of names ("Li", "Jo") match too much by chance.
const MIN_CONTEXT_WORD: usize = 4;

/// The settings and the lists, loaded once at start-up.
pub struct Policy {
    settings: PolicySettings,
    blocklist: Blocklist,
}

impl Policy {
    pub fn load(settings: &PolicySettings) -> Result<Self, BlocklistError> {
        let blocklist = Blocklist::load(settings.builtin_blocklist, &settings.blocklist_files)?;
        Ok(Self { settings: settings.clone(), blocklist })
    }

    /// The shortest password this policy takes, in characters.
    pub fn min_length(&self) -> usize {
        self.settings.min_length
    }

    /// Default of a request's `temporary`.
    pub fn must_change(&self) -> bool {
        self.settings.must_change
    }

    pub fn blocklist(&self) -> &Blocklist {
        &self.blocklist
    }

    /// All rules `password` breaks for the person known as `username` whose
    /// entry holds `context` (the values of `policy.context_attributes`);
    /// empty when it passes. `confirmation` is `None` where the endpoint has
    /// no confirmation field.
    pub fn check(
        &self,
        username: &str,
        context: &[String],
        password: &SecretString,
        confirmation: Option<&SecretString>,
    ) -> Vec<Rule> {
        let exact = password.expose_secret();
        let folded = fold(exact);
        let length = folded.chars().count();
        let mut broken = Vec::new();
        if let Some(confirmation) = confirmation
            && confirmation.expose_secret() != exact
        {
            broken.push(Rule::PasswordsDoNotMatch);
        }
        if length < self.settings.min_length {
            broken.push(Rule::TooShort { min: self.settings.min_length });
        }
        if length > self.settings.max_length {
            broken.push(Rule::TooLong { max: self.settings.max_length });
        }
        let username = fold(username);
        if username.chars().count() >= MIN_USERNAME_TO_MATCH && folded.contains(&username) {
            broken.push(Rule::ContainsUsername);
        }
        if self.blocklist.contains(&folded, exact) {
            broken.push(Rule::Blocklisted);
        }
        if context_words(context).iter().any(|word| *word != username && folded.contains(word.as_str())) {
            broken.push(Rule::ContainsPersonalInfo);
        }
        broken
    }
}

/// The words of a person's own entry worth looking for, folded: each value
/// whole, the local part of an e-mail address, and every word of them.
fn context_words(values: &[String]) -> Vec<String> {
    let mut words = Vec::new();
    for value in values {
        let value = fold(value);
        let local = value.split('@').next().unwrap_or_default().to_owned();
        let parts: Vec<String> = value
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        words.extend([value, local].into_iter().chain(parts));
    }
    words.retain(|w| w.chars().count() >= MIN_CONTEXT_WORD);
    words.sort();
    words.dedup();
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(builtin: bool) -> Policy {
        let settings = PolicySettings {
            min_length: 12,
            max_length: 20,
            builtin_blocklist: builtin,
            ..PolicySettings::default()
        };
        Policy::load(&settings).unwrap()
    }

    fn codes_with(
        context: &[&str],
        username: &str,
        password: &str,
        confirmation: Option<&str>,
    ) -> Vec<&'static str> {
        let context: Vec<String> = context.iter().map(|v| v.to_string()).collect();
        let confirmation = confirmation.map(SecretString::from);
        policy(true)
            .check(username, &context, &password.into(), confirmation.as_ref())
            .into_iter()
            .map(Rule::code)
            .collect()
    }

    fn codes(username: &str, password: &str, confirmation: Option<&str>) -> Vec<&'static str> {
        codes_with(&[], username, password, confirmation)
    }

    #[test]
    fn a_good_password_passes() {
        assert!(codes("alice", "correct-horse-7", Some("correct-horse-7")).is_empty());
    }

    #[test]
    fn every_broken_rule_is_reported_together() {
        assert_eq!(
            codes("alice", "xq-Alice-7", Some("xq-alice-7")),
            ["passwords_do_not_match", "password_too_short", "password_contains_username"]
        );
    }

    #[test]
    fn length_counts_characters_of_the_normalized_form_not_bytes() {
        assert!(codes("bob", "ééééééééééé", None).contains(&"password_too_short"));
        assert!(codes("bob", "éééééééééééé", None).is_empty());
        // Eleven characters decomposed (e + combining accent) are eleven.
        assert!(codes("bob", &"e\u{301}".repeat(11), None).contains(&"password_too_short"));
        assert_eq!(codes("bob", &"x".repeat(21), None), ["password_too_long"]);
    }

    #[test]
    fn the_username_is_matched_in_any_letter_case_and_width() {
        assert_eq!(codes("Carol", "my-CAROL-password", None), ["password_contains_username"]);
        assert_eq!(codes("carol", "my-ＣＡＲＯＬ-password", None), ["password_contains_username"]);
        assert!(codes("al", "always-al-password", None).is_empty());
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case_or_width() {
        for common in ["welcome12345", "Welcome12345", "ｗｅｌｃｏｍｅ１２３４５", "qwertyuiop123"]
        {
            assert_eq!(codes("bob", common, None), ["password_blocklisted"], "{common}");
        }
        let relaxed = policy(false);
        assert!(relaxed.check("bob", &[], &"welcome12345".into(), None).is_empty());
    }

    #[test]
    fn words_of_the_persons_own_entry_are_refused() {
        let context = ["Quentin Marsupial", "Quentin", "Marsupial", "q.marsupial@example.org"];
        assert_eq!(
            codes_with(&context, "qm", "MARSUPIAL-rocks-42", None),
            ["password_contains_personal_info"]
        );
        assert_eq!(
            codes_with(&context, "qm", "i-am-quentin-9999", None),
            ["password_contains_personal_info"]
        );
        assert_eq!(codes_with(&context, "qm", "q.marsupial-9999", None), ["password_contains_personal_info"]);
        assert!(codes_with(&context, "qm", "correct-horse-7", None).is_empty());
        // Short words are not looked for.
        assert!(codes_with(&["Li Wu"], "lw", "lithium-wurst-42", None).is_empty());
    }

    #[test]
    fn context_words_are_the_values_their_words_and_mail_local_parts() {
        let words = context_words(&["Jean-Paul Sartre".into(), "jp.sartre@example.org".into()]);
        for expected in
            ["jean-paul sartre", "jean", "paul", "sartre", "jp.sartre", "jp.sartre@example.org", "example"]
        {
            assert!(words.contains(&expected.to_string()), "{expected}: {words:?}");
        }
        assert!(!words.contains(&"jp".to_string()));
    }

    #[test]
    fn violations_never_quote_the_password() {
        let all = policy(true).check("alice", &["Alice Liddell".into()], &"alice".into(), Some(&"x".into()));
        assert!(all.iter().all(|rule| !rule.message().to_lowercase().contains("alice")));
    }

    #[test]
    fn messages_name_the_configured_bounds() {
        assert_eq!(Rule::TooShort { min: 12 }.message(), "The password must be at least 12 characters long.");
    }
}

//! Bounds both transports hold a request's input to before it reaches the
//! application: a name, a password, a search text. The message names the
//! field as the transport calls it (a JSON field, a form label) and never
//! quotes what was sent.

use secrecy::{ExposeSecret, SecretString};

/// Longest accepted user or admin name, in characters.
pub const MAX_NAME_CHARS: usize = 256;
/// Longest search text, in characters.
pub const MAX_QUERY_CHARS: usize = 64;
/// Longest reason given for an account action, in code points.
pub const MAX_REASON_CHARS: usize = 200;
/// People a search answers unless asked for another number.
pub const DEFAULT_SEARCH_LIMIT: usize = 20;

/// Why an input was refused, in a sentence.
#[derive(Debug)]
pub struct Invalid(pub String);

impl Invalid {
    pub fn message(self) -> String {
        self.0
    }
}

/// A user or admin name: present, not too long, no control characters (a
/// NUL would cut the name short in some directories' C code).
pub fn name(field: &str, value: &str) -> Result<(), Invalid> {
    if value.trim().is_empty() {
        return Err(Invalid(format!("The field `{field}` must not be empty.")));
    }
    if value.chars().count() > MAX_NAME_CHARS {
        return Err(Invalid(format!("The field `{field}` is longer than {MAX_NAME_CHARS} characters.")));
    }
    if value.chars().any(char::is_control) {
        return Err(Invalid(format!("The field `{field}` contains control characters.")));
    }
    Ok(())
}

/// A password may hold any character but NUL, which LDAP servers written in
/// C would truncate at.
pub fn password(field: &str, value: &SecretString) -> Result<(), Invalid> {
    if value.expose_secret().contains('\0') {
        return Err(Invalid(format!("The field `{field}` contains a NUL character.")));
    }
    Ok(())
}

/// A search text: 1–64 characters, none of them a control character.
pub fn search_text(field: &str, text: &str) -> Result<(), Invalid> {
    let length = text.chars().count();
    if length == 0 || length > MAX_QUERY_CHARS {
        return Err(Invalid(format!("The search text {field} must have 1 to {MAX_QUERY_CHARS} characters.")));
    }
    if text.chars().any(char::is_control) {
        return Err(Invalid(format!("The search text {field} must not contain control characters.")));
    }
    Ok(())
}

/// The reason given for an account action: at most 200 code points, none of
/// them a control character (it is shown on one line of the trail); blank is
/// no reason.
pub fn reason(field: &str, text: Option<String>) -> Result<Option<String>, Invalid> {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else { return Ok(None) };
    if text.chars().count() > MAX_REASON_CHARS {
        return Err(Invalid(format!("The {field} must have at most {MAX_REASON_CHARS} characters.")));
    }
    if text.chars().any(char::is_control) {
        return Err(Invalid(format!(
            "The {field} must not contain control characters (line breaks included)."
        )));
    }
    Ok(Some(text.trim().to_owned()))
}

/// A bulk reset's names: 1 to `max`, each a name, none twice in any letter
/// case; `field` is how the transport calls the list.
pub fn names(field: &str, names: &[String], max: usize) -> Result<(), Invalid> {
    if names.is_empty() || names.len() > max {
        return Err(Invalid(format!("{field} must hold 1 to {max} names.")));
    }
    let mut seen = std::collections::HashSet::new();
    for (index, given) in names.iter().enumerate() {
        name(&format!("{field}[{index}]"), given)?;
        if !seen.insert(given.to_lowercase()) {
            return Err(Invalid(format!("{field} names {given} twice.")));
        }
    }
    Ok(())
}

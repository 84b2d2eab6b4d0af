//! Reading attribute values out of a search entry, whatever the letter case
//! the server spelt the attribute's name in.

use ldap3::SearchEntry;

pub fn first_value(entry: &SearchEntry, attribute: &str) -> Option<String> {
    entry
        .attrs
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(attribute))
        .and_then(|(_, values)| values.first().cloned())
}

/// Every value of an attribute (none when absent).
pub fn all_values(entry: &SearchEntry, attribute: &str) -> Vec<String> {
    entry
        .attrs
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(attribute))
        .map(|(_, values)| values.clone())
        .unwrap_or_default()
}

/// First value of a binary attribute (ldap3 files a value that happens to be
/// valid UTF-8 among the text ones).
pub fn first_bytes(entry: &SearchEntry, attribute: &str) -> Option<Vec<u8>> {
    entry
        .bin_attrs
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(attribute))
        .and_then(|(_, values)| values.first().cloned())
        .or_else(|| first_value(entry, attribute).map(String::into_bytes))
}

/// A whole-number attribute, such as AD's account-control flags.
pub fn number(entry: &SearchEntry, attribute: &str) -> Option<i64> {
    first_value(entry, attribute).and_then(|v| v.parse().ok())
}

/// Whether the entry has the attribute at all.
pub fn has(entry: &SearchEntry, attribute: &str) -> bool {
    entry.attrs.keys().any(|name| name.eq_ignore_ascii_case(attribute))
}

//! What a directory is known to check of a new password, beyond pwproxy's
//! own policy; the person's dialect fills it in from their password policy
//! (each rule's source is named there).

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct KnownRules {
    /// The directory's minimum length, in characters.
    pub min_length: usize,
    /// Lower-cased words the password must not contain (AD: the account
    /// name and the display name's tokens).
    pub forbidden: Vec<String>,
}

impl KnownRules {
    pub fn admits(&self, password: &str) -> bool {
        let folded = password.to_lowercase();
        password.chars().count() >= self.min_length
            && !self.forbidden.iter().any(|word| folded.contains(word.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_and_words_are_checked_in_any_letter_case() {
        let rules = KnownRules { min_length: 10, forbidden: vec!["doe".into()] };
        assert!(rules.admits("xK7#mmmmmm"));
        assert!(!rules.admits("xK7#mmmmm"));
        assert!(!rules.admits("xK7#mmDOEm"));
    }
}

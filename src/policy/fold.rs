//! The form passwords and words are compared in (NIST SP 800-63B rev. 4,
//! 3.1.1.2: normalize Unicode before comparing): NFKC, then full case
//! folding, then NFKC again (case folding can leave a string that is not in
//! NFKC). Only ever compared, never written: the directory gets the password
//! exactly as sent.

use unicode_normalization::UnicodeNormalization;

/// The comparison form of `text`.
pub fn fold(text: &str) -> String {
    // Breach corpora and most passwords are ASCII, where NFKC changes
    // nothing and folding is lower-casing: the fast path keeps loading a
    // list of millions of lines in seconds.
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let folded = caseless::default_case_fold_str(&text.nfkc().collect::<String>());
    folded.nfkc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compatibility_characters_and_case_fold_away() {
        assert_eq!(fold("Ｗｅｌｃｏｍｅ１２３"), "welcome123");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("ﬁnance"), "finance");
        assert_eq!(fold("ÉCOLE"), fold("école"));
        assert_eq!(fold("e\u{301}cole"), fold("école"), "combining marks compose");
    }

    #[test]
    fn ascii_is_lower_cased() {
        assert_eq!(fold("Welcome2026!"), "welcome2026!");
    }
}

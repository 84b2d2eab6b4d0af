//! Generated temporary passwords: drawn from the operating system's CSPRNG
//! over an alphabet without look-alike characters, and drawn again, whole,
//! until one passes every rule. Redrawing the whole string (rather than
//! placing one character of each class and shuffling) keeps every accepted
//! password equally likely among those the rules allow.

mod rules;

use rand::TryRngCore;
use rand::rngs::OsRng;
use rand::seq::IndexedRandom;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

pub use rules::KnownRules;

/// Letters and digits no reader confuses when a password is read out or
/// copied from a mail: no `0 O o`, `1 l I i`, `5 S s`, `2 Z z`, `8 B`; and
/// symbols every keyboard layout and directory takes, none of them quotes,
/// backslashes, spaces or `|`.
pub const UPPER: &[u8] = b"ACDEFGHJKLMNPQRTUVWXY";
pub const LOWER: &[u8] = b"abcdefghjkmnpqrtuvwxy";
pub const DIGITS: &[u8] = b"34679";
pub const SYMBOLS: &[u8] = b"!#%+-=?@_*";

/// Candidates drawn before giving up: with 15 or more characters from the
/// four classes nearly every draw passes, so reaching this means rules that
/// no password can meet.
const MAX_DRAWS: usize = 1_000;

/// Where a generated password goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    /// The answer carries it, once.
    Response,
    /// Only the person's mail address gets it.
    Mail,
}

/// No password of `length` passes the rules, or the OS has no randomness.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CannotGenerate(String);

/// A password of `length` characters with every class present that
/// `accepts`, drawn afresh each time it does not.
pub fn draw(length: usize, accepts: impl Fn(&SecretString) -> bool) -> Result<SecretString, CannotGenerate> {
    let alphabet: Vec<u8> = [UPPER, LOWER, DIGITS, SYMBOLS].concat();
    let mut rng = OsRng.unwrap_err();
    for _ in 0..MAX_DRAWS {
        let candidate: String =
            (0..length).filter_map(|_| alphabet.choose(&mut rng)).map(|&b| char::from(b)).collect();
        // Dropped (and zeroed) at once when refused.
        let candidate = SecretString::from(candidate);
        if every_class(candidate.expose_secret()) && accepts(&candidate) {
            return Ok(candidate);
        }
    }
    Err(CannotGenerate(format!("no password of {length} characters passed the rules in {MAX_DRAWS} draws")))
}

fn every_class(password: &str) -> bool {
    [UPPER, LOWER, DIGITS, SYMBOLS].iter().all(|class| password.bytes().any(|b| class.contains(&b)))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const LOOK_ALIKES: &str = "0Oo1lIi|5Ss2Zz8B '\"`\\";

    #[test]
    fn a_password_nobody_can_meet_is_an_error_not_a_loop() {
        assert!(draw(20, |_| false).is_err());
    }

    #[test]
    fn the_classes_hold_no_look_alike() {
        for byte in [UPPER, LOWER, DIGITS, SYMBOLS].concat() {
            assert!(!LOOK_ALIKES.contains(char::from(byte)), "{}", char::from(byte));
        }
    }

    #[test]
    fn every_character_of_the_alphabet_is_drawn() {
        // 2 000 passwords of 20: each of the 57 characters comes up ~700
        // times; never seeing one would mean a biased draw.
        let mut seen = std::collections::HashSet::new();
        for _ in 0..2_000 {
            seen.extend(draw(20, |_| true).unwrap().expose_secret().bytes());
        }
        assert_eq!(seen.len(), UPPER.len() + LOWER.len() + DIGITS.len() + SYMBOLS.len());
    }

    #[test]
    fn the_api_documentation_counts_the_alphabet_as_it_is() {
        let size = UPPER.len() + LOWER.len() + DIGITS.len() + SYMBOLS.len();
        let api = include_str!("../../docs/api.md").split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(api.contains(&format!("`OsRng`) over {size} characters")), "docs/api.md: {size} characters");
    }

    proptest! {
        #[test]
        fn every_class_is_present_and_no_look_alike(length in 15usize..=128) {
            let password = draw(length, |_| true).unwrap();
            let password = password.expose_secret();
            prop_assert_eq!(password.chars().count(), length);
            prop_assert!(password.bytes().any(|b| b.is_ascii_uppercase()));
            prop_assert!(password.bytes().any(|b| b.is_ascii_lowercase()));
            prop_assert!(password.bytes().any(|b| b.is_ascii_digit()));
            prop_assert!(password.bytes().any(|b| SYMBOLS.contains(&b)));
            prop_assert!(!password.chars().any(|c| LOOK_ALIKES.contains(c)));
        }

        #[test]
        fn what_the_rules_refuse_is_drawn_again(length in 15usize..=40) {
            // Refuses every password containing an `a`: none comes back.
            let password = draw(length, |p| !p.expose_secret().contains('a')).unwrap();
            prop_assert!(!password.expose_secret().contains('a'));
        }
    }
}

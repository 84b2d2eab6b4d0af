//! Distinguished names as pwproxy compares them. DNs are only ever taken
//! from search results or the configuration; this type only makes two
//! spellings of one DN compare equal, so no caller has to remember to
//! normalize.

use std::fmt;
use std::hash::{Hash, Hasher};

/// A DN that keeps the spelling it was given (for the directory and the
/// audit line) and compares, hashes and tests containment on its
/// normalized form: lower case, no spaces around RDN separators, so that
/// `CN=Helpdesk, OU=Groups` equals `cn=helpdesk,ou=groups`.
#[derive(Clone)]
pub struct Dn {
    raw: String,
    normalized: String,
}

impl Dn {
    pub fn new(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        // Built in one string: DNs are made for every person and group a
        // request meets, and per-RDN strings joined cost an allocation each.
        let mut normalized = String::with_capacity(raw.len());
        for (i, rdn) in raw.split(',').enumerate() {
            if i > 0 {
                normalized.push(',');
            }
            normalized.extend(rdn.trim().chars().flat_map(char::to_lowercase));
        }
        Self { raw, normalized }
    }

    /// As given: what the directory is sent.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Whether this DN lies at or below `base`, on a whole-RDN boundary.
    pub fn is_within(&self, base: &Dn) -> bool {
        self.normalized == base.normalized
            || self.normalized.strip_suffix(base.normalized.as_str()).is_some_and(|rest| rest.ends_with(','))
    }

    /// The DN one level up (`ou=people,dc=x` → `dc=x`); itself at the top.
    pub fn parent(&self) -> Dn {
        match self.raw.split_once(',') {
            Some((_, parent)) => Dn::new(parent.trim()),
            None => self.clone(),
        }
    }

    /// The trailing `DC=` components: the domain an AD DN belongs to.
    pub fn domain_root(&self) -> Dn {
        let rdns: Vec<&str> = self.raw.split(',').collect();
        let is_dc = |rdn: &&&str| rdn.trim_start().to_ascii_lowercase().starts_with("dc=");
        let dcs = rdns.iter().rev().take_while(is_dc).count();
        if dcs == 0 {
            return self.clone();
        }
        Dn::new(rdns.get(rdns.len() - dcs..).map(|dcs| dcs.join(",")).unwrap_or_default().trim())
    }

    pub fn is_empty(&self) -> bool {
        self.normalized.trim().is_empty()
    }
}

impl PartialEq for Dn {
    fn eq(&self, other: &Self) -> bool {
        self.normalized == other.normalized
    }
}

impl Eq for Dn {}

impl Hash for Dn {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.normalized.hash(state);
    }
}

impl fmt::Display for Dn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl fmt::Debug for Dn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.raw)
    }
}

impl From<&str> for Dn {
    fn from(raw: &str) -> Self {
        Dn::new(raw)
    }
}

impl From<String> for Dn {
    fn from(raw: String) -> Self {
        Dn::new(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_dn_are_equal_and_keep_their_own_text() {
        let a = Dn::new("CN=Helpdesk, OU=Groups,DC=Example");
        assert_eq!(a, Dn::new("cn=helpdesk,ou=groups,dc=example"));
        assert_eq!(a.as_str(), "CN=Helpdesk, OU=Groups,DC=Example");
    }

    #[test]
    fn within_means_below_a_whole_rdn_boundary() {
        let people = Dn::new("ou=people,dc=x");
        assert!(Dn::new("uid=a,ou=people,dc=x").is_within(&people));
        assert!(Dn::new("UID=a, OU=People,dc=x").is_within(&people));
        assert!(people.is_within(&people));
        assert!(!Dn::new("uid=a,ou=otherpeople,dc=x").is_within(&people));
        assert!(!Dn::new("uid=a,ou=external,dc=x").is_within(&people));
    }

    #[test]
    fn parents_and_domain_roots() {
        assert_eq!(Dn::new("ou=people, dc=example,dc=org").parent().as_str(), "dc=example,dc=org");
        assert_eq!(Dn::new("OU=People,DC=example,DC=test").domain_root().as_str(), "DC=example,DC=test");
        assert_eq!(Dn::new("dc=example,dc=test").domain_root().as_str(), "dc=example,dc=test");
        assert_eq!(Dn::new("o=corp").domain_root().as_str(), "o=corp");
    }
}

//! DN comparison. DNs are only ever taken from search results or the
//! configuration; this only makes two spellings of one DN compare equal.

/// Lower-cases and drops spaces around RDN separators, so that
/// `CN=Helpdesk, OU=Groups` equals `cn=helpdesk,ou=groups`.
pub fn normalize(dn: &str) -> String {
    dn.split(',').map(|rdn| rdn.trim().to_lowercase()).collect::<Vec<_>>().join(",")
}

/// Whether `dn` lies at or below `base`.
pub fn is_within(dn: &str, base: &str) -> bool {
    let (dn, base) = (normalize(dn), normalize(base));
    dn == base || dn.ends_with(&format!(",{base}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_dn_are_equal() {
        assert_eq!(normalize("CN=Helpdesk, OU=Groups,DC=Example"), "cn=helpdesk,ou=groups,dc=example");
    }

    #[test]
    fn within_means_below_a_whole_rdn_boundary() {
        assert!(is_within("uid=a,ou=people,dc=x", "ou=people,dc=x"));
        assert!(!is_within("uid=a,ou=otherpeople,dc=x", "ou=people,dc=x"));
        assert!(!is_within("uid=a,ou=external,dc=x", "ou=people,dc=x"));
    }
}

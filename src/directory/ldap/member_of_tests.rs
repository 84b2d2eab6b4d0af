//! The proof's comparison, without a directory.

use super::*;

fn dn(s: &str) -> Dn {
    Dn::new(s)
}

#[test]
fn groups_above_follow_nesting_and_stop_at_cycles() {
    let mut listed: HashMap<Dn, HashSet<Dn>> = HashMap::new();
    listed.entry(dn("uid=a")).or_default().insert(dn("cn=g1"));
    listed.entry(dn("cn=g1")).or_default().insert(dn("cn=g2"));
    listed.entry(dn("cn=g2")).or_default().insert(dn("cn=g1"));
    assert_eq!(above(&dn("uid=a"), &listed), HashSet::from([dn("cn=g1"), dn("cn=g2")]));
    assert!(above(&dn("uid=b"), &listed).is_empty());
}

fn person(dn: &Dn) -> bool {
    dn.as_str().starts_with("uid=")
}

fn relation(pairs: &[(&str, &str)]) -> HashMap<Dn, HashSet<Dn>> {
    let mut relation: HashMap<Dn, HashSet<Dn>> = HashMap::new();
    for (entry, group) in pairs {
        relation.entry(dn(entry)).or_default().insert(dn(group));
    }
    relation
}

#[test]
fn memberof_passes_with_the_direct_groups_or_with_the_nested_ones_too() {
    let listed = relation(&[("uid=a", "cn=g1"), ("cn=g1", "cn=g2")]);
    // OpenLDAP's overlay: direct groups only.
    assert_eq!(compare(&listed, &relation(&[("uid=a", "cn=g1")]), person).ok(), Some(1));
    // 389 DS's plug-in: the groups above too.
    let nested = relation(&[("uid=a", "cn=g1"), ("uid=a", "cn=g2")]);
    assert_eq!(compare(&listed, &nested, person).ok(), Some(1));
    // A group's own memberOf is never read, so never asked for: 389 DS
    // leaves it out for a group listed before it was created.
    assert!(compare(&listed, &nested, |_| true).is_err());
}

#[test]
fn a_missing_or_stale_memberof_fails_with_an_example() {
    let listed = relation(&[("uid=a", "cn=admins"), ("uid=b", "cn=staff")]);
    let missing = compare(&listed, &relation(&[("uid=b", "cn=staff")]), person).unwrap_err();
    assert_eq!(missing.missing, vec![(dn("uid=a"), dn("cn=admins"))]);
    assert!(missing.stale.is_empty());
    // uid=b was removed from cn=admins; its memberOf still names it.
    let stale = relation(&[("uid=a", "cn=admins"), ("uid=b", "cn=staff"), ("uid=b", "cn=admins")]);
    let stale = compare(&listed, &stale, person).unwrap_err();
    assert!(stale.missing.is_empty());
    assert_eq!(stale.stale, vec![(dn("uid=b"), dn("cn=admins"))]);
    assert!(stale.to_string().contains("uid=b names cn=admins"), "{stale}");
}

#[test]
fn only_a_disagreement_found_again_counts() {
    let pair = |entry: &str, group: &str| (dn(entry), dn(group));
    let first = Discrepancy {
        missing: vec![pair("uid=a", "cn=admins"), pair("uid=b", "cn=staff")],
        stale: vec![pair("uid=c", "cn=admins")],
    };
    // uid=b's change landed between the searches; the others last.
    let second = Discrepancy {
        missing: vec![pair("uid=a", "cn=admins")],
        stale: vec![pair("uid=c", "cn=admins"), pair("uid=d", "cn=staff")],
    };
    let lasting = found_again(first, &second).unwrap();
    assert_eq!(lasting.missing, vec![pair("uid=a", "cn=admins")]);
    assert_eq!(lasting.stale, vec![pair("uid=c", "cn=admins")]);
    let moved = Discrepancy { missing: vec![pair("uid=e", "cn=staff")], stale: Vec::new() };
    assert!(found_again(lasting, &moved).is_none());
}

#[test]
fn each_entry_is_read_under_one_base_only() {
    let (root, people, groups) = (dn("dc=x"), dn("ou=people,dc=x"), dn("ou=groups,dc=x"));
    assert_eq!(outermost(&[&people, &people, &groups]), vec![&people, &groups]);
    assert_eq!(outermost(&[&people, &root, &groups]), vec![&root]);
}

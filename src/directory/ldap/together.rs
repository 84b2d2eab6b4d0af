//! Fewer questions per request: the acting admin and the target found in one
//! search, and both their group trees walked in one search per level. The
//! answers are the same as asking separately; only the round trips differ.

use std::collections::HashSet;

use bytes::BytesMut;
use ldap3::Scope;
use ldap3::asn1::{ASNTag, OctetString, Sequence, Tag, TagClass, write};
use ldap3::controls::RawControl;

use super::search::one_of;
use super::{LdapDirectory, MAX_GROUP_DEPTH, walk_start};
use crate::directory::{Directory, DirectoryError, Groups, Lookup, Person};
use crate::dn::Dn;

/// RFC 3876's Matched Values control: the directory returns, of each group
/// found, only the member values that name someone asked about.
const MATCHED_VALUES: &str = "1.2.826.0.1.3344810.2.3";

/// A group found by a shared search, with those it lists of the people
/// asked about.
struct Named {
    dn: Dn,
    members: Vec<Dn>,
    privileged: bool,
}

/// One side of a combined walk: whose groups, where it may stop, what it met.
struct Side<'a> {
    stops_at: &'a HashSet<Dn>,
    groups: Groups,
    frontier: Vec<Dn>,
    done: bool,
}

impl LdapDirectory {
    /// The admin named `admin` and the person `lookup` names, in one search
    /// when one base holds both; the same answers as two searches.
    pub(super) async fn find_both(
        &self,
        admin: &str,
        lookup: Lookup<'_>,
    ) -> Result<(Option<Person>, Option<Person>), DirectoryError> {
        let Some(base) = &self.both_base else {
            return Ok((self.find_admin(admin).await?, self.find_person(lookup).await?));
        };
        let admin_filter = self.dialect.name_filter(&self.username_attribute, admin);
        let target_filter = self.target_filter(lookup);
        let filter = format!("(|{admin_filter}{target_filter})");
        // Up to two of each side tell "one" from "ambiguous".
        let entries =
            self.search(base.as_str(), Scope::Subtree, &filter, &self.person_attributes(), 5).await?;
        let people: Vec<Person> = entries.into_iter().map(|entry| self.person(entry)).collect();
        // Positions first, then the people moved out: nobody is copied.
        let admins: Vec<usize> = (people.iter().enumerate())
            .filter(|(_, p)| p.is_named(admin) && p.dn.is_within(&self.admins_base))
            .map(|(i, _)| i)
            .collect();
        let mut targets = Vec::new();
        for (i, person) in people.iter().enumerate() {
            if !person.dn.is_within(&self.users_base) || !self.answers(person, lookup) {
                continue;
            }
            // Found through the admin's clause alone, it may not match
            // users_filter: asked of the directory, as a separate search would.
            if admins.iter().any(|&a| people.get(a).is_some_and(|p| p.dn == person.dn))
                && self
                    .search(person.dn.as_str(), Scope::Base, &self.users_filter, &["1.1"], 1)
                    .await?
                    .is_empty()
            {
                continue;
            }
            targets.push(i);
        }
        let (admin, target) = (one_of(admins, base)?, one_of(targets, base)?);
        let mut people: Vec<Option<Person>> = people.into_iter().map(Some).collect();
        // The admin may be their own target: then the one entry serves both.
        let admin = admin.and_then(|i| {
            let entry = people.get_mut(i)?;
            if target == Some(i) { entry.clone() } else { entry.take() }
        });
        let target = target.and_then(|i| people.get_mut(i)?.take());
        Ok((self.checked(admin).await?, self.checked(target).await?))
    }

    /// Whether `person` is the one `lookup` names (the directory may have
    /// matched by its own folding rules).
    fn answers(&self, person: &Person, lookup: Lookup<'_>) -> bool {
        match lookup {
            Lookup::Id(id) => person
                .account
                .id
                .as_deref()
                .is_some_and(|v| v.eq_ignore_ascii_case(&id.hyphenated().to_string())),
            Lookup::Name(name) => person.is_named(name),
        }
    }

    /// The groups of two people, each walk stopping where its own
    /// `stops_at` says: one search per level for both, where the dialect
    /// names its member attributes (the Matched Values control tells whose
    /// each group is); otherwise one walk each, side by side.
    pub(super) async fn walk_both(
        &self,
        first: (&Person, &HashSet<Dn>),
        second: (&Person, &HashSet<Dn>),
    ) -> Result<(Groups, Groups), DirectoryError> {
        let Some(member_attributes) = self.dialect.member_attributes() else {
            let (a, b) = tokio::join!(self.groups_of(first.0, first.1), self.groups_of(second.0, second.1));
            return Ok((a?, b?));
        };
        let mut sides = [first, second].map(|(person, stops_at)| {
            let (groups, frontier) = walk_start(person);
            let done = frontier.is_empty() || !groups.dns.is_disjoint(stops_at);
            Side { stops_at, groups, frontier, done }
        });
        for _ in 0..MAX_GROUP_DEPTH {
            let asked: Vec<Dn> =
                sides.iter().filter(|s| !s.done).flat_map(|s| s.frontier.iter().cloned()).collect();
            if asked.is_empty() {
                break;
            }
            let found = self.groups_naming(&asked, member_attributes).await?;
            for side in sides.iter_mut().filter(|s| !s.done) {
                let frontier: HashSet<&Dn> = side.frontier.iter().collect();
                let mut next = Vec::new();
                for group in found.iter().filter(|g| g.members.iter().any(|m| frontier.contains(m))) {
                    side.groups.privileged |= group.privileged;
                    if side.groups.dns.insert(group.dn.clone()) {
                        next.push(group.dn.clone());
                    }
                }
                side.frontier = next;
                side.done = side.frontier.is_empty() || !side.groups.dns.is_disjoint(side.stops_at);
            }
        }
        let [a, b] = sides.map(|s| s.groups);
        Ok((a, b))
    }

    /// The groups that list any of `members` directly, each with the listed
    /// ones among its values.
    async fn groups_naming(
        &self,
        members: &[Dn],
        member_attributes: &[&str],
    ) -> Result<Vec<Named>, DirectoryError> {
        let filter = self.dialect.groups_filter(members);
        let control = matched_values(member_attributes, members);
        let (found, _) = self
            .search_with(
                Some(control),
                self.groups_base.as_str(),
                Scope::Subtree,
                &filter,
                member_attributes,
                0,
            )
            .await?;
        Ok(found
            .into_iter()
            .map(|group| Named {
                privileged: self.dialect.is_privileged_group(&group),
                members: group.attrs.values().flatten().map(|v| Dn::new(v.as_str())).collect(),
                dn: Dn::new(group.dn),
            })
            .collect())
    }
}

/// `(|(member=A)(uniqueMember=A)…)` as a Matched Values control value:
/// SEQUENCE OF equalityMatch [3] AttributeValueAssertion.
fn matched_values(attributes: &[&str], values: &[Dn]) -> RawControl {
    let items = values
        .iter()
        .flat_map(|dn| attributes.iter().map(move |attribute| (*attribute, dn.as_str())))
        .map(|(attribute, value)| {
            Tag::Sequence(Sequence {
                id: 3,
                class: TagClass::Context,
                inner: vec![
                    Tag::OctetString(OctetString {
                        inner: attribute.as_bytes().to_vec(),
                        ..Default::default()
                    }),
                    Tag::OctetString(OctetString { inner: value.as_bytes().to_vec(), ..Default::default() }),
                ],
            })
        })
        .collect();
    let mut buffer = BytesMut::new();
    // Encoding into memory cannot fail; an empty value would only widen the
    // answer (all values), never change whose groups they are.
    let _ = write::encode_into(
        &mut buffer,
        Tag::Sequence(Sequence { inner: items, ..Default::default() }).into_structure(),
    );
    RawControl { ctype: MATCHED_VALUES.to_owned(), crit: false, val: Some(buffer.to_vec()) }
}

impl LdapDirectory {
    /// One person's groups. Where the directory follows nesting itself
    /// (AD): one search. Otherwise the walk goes up one level per search,
    /// stops at cycles, and stops early once it has met any of the
    /// `decisive` groups.
    pub(super) async fn walk_one(
        &self,
        person: &Person,
        decisive: &HashSet<Dn>,
    ) -> Result<Groups, DirectoryError> {
        let (mut groups, mut frontier) = walk_start(person);
        for _ in 0..MAX_GROUP_DEPTH {
            if frontier.is_empty() || !groups.dns.is_disjoint(decisive) {
                break;
            }
            let filter = self.dialect.groups_filter(&frontier);
            let attrs = self.dialect.group_attributes();
            let found = self.search(self.groups_base.as_str(), Scope::Subtree, &filter, attrs, 0).await?;
            groups.privileged |= found.iter().any(|g| self.dialect.is_privileged_group(g));
            frontier =
                found.into_iter().map(|g| Dn::new(g.dn)).filter(|g| groups.dns.insert(g.clone())).collect();
            if self.dialect.follows_nesting() {
                break;
            }
        }
        Ok(groups)
    }
}

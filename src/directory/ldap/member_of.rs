//! `directory.membership = "memberof"`: a person's direct groups read from
//! their `memberOf`, which comes with the search that finds them, instead
//! of one search for the groups that list them.
//!
//! A `memberOf` the directory does not keep for every group pwproxy walks
//! (an overlay configured for groupOfNames only, entries bulk-loaded past
//! the overlay) would hide an admin or protected group and let an admin
//! reset another admin; a stale one would let a removed admin act. So it is
//! used only once [`prove`] has compared it, entry by entry, with what the
//! groups themselves list, and the walk answers until then and whenever a
//! later proof fails.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use ldap3::adapters::{Adapter, EntriesOnly, PagedResults};
use ldap3::{Ldap, Scope, SearchEntry};

use super::connection::Connector;
use crate::directory::DirectoryError;
use crate::directory::attributes::all_values;
use crate::directory::dialects::WalkedGroups;
use crate::dn::Dn;

/// The attribute, as OpenLDAP's memberof overlay and 389 DS's MemberOf
/// plug-in name it.
pub const MEMBER_OF: &str = "memberOf";

/// Entries per page of the proof's searches: below the usual size limits.
const PAGE: i32 = 500;

/// Whether `memberOf` may answer right now.
#[derive(Default)]
pub struct Proven(AtomicBool);

impl Proven {
    pub fn get(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }

    pub fn set(&self, proven: bool) {
        self.0.store(proven, Ordering::Release);
    }
}

/// What a proof found: the memberships it compared.
#[derive(Debug)]
pub struct Agreement {
    pub groups: usize,
    pub memberships: usize,
}

/// Where `memberOf` and the groups disagree, as (entry, group) pairs.
#[derive(Debug, Default)]
pub struct Discrepancy {
    /// A group lists the entry, its `memberOf` does not name the group.
    pub missing: Vec<(Dn, Dn)>,
    /// `memberOf` names a group the entry is not in, not even through
    /// nesting.
    pub stale: Vec<(Dn, Dn)>,
}

impl fmt::Display for Discrepancy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some((entry, group)) = self.missing.first() {
            parts.push(format!(
                "{} membership(s) missing from memberOf (e.g. {group} lists {entry}, whose memberOf does not name it)",
                self.missing.len()
            ));
        }
        if let Some((entry, group)) = self.stale.first() {
            parts.push(format!(
                "{} stale memberOf value(s) (e.g. {entry} names {group}, which does not list it)",
                self.stale.len()
            ));
        }
        f.write_str(&parts.join("; "))
    }
}

/// Compares, for every entry under `people` (the users and admins bases:
/// pwproxy reads `memberOf` only on the people it looks up), its `memberOf`
/// values inside `groups_base` with the groups there that list it.
/// `memberOf` passes when it names every group that lists the entry
/// directly and no group the entry is not in through nesting (389 DS's
/// plug-in also names the groups above; OpenLDAP's overlay names direct
/// groups only): walked upwards from there, by the groups' own member
/// values, it then finds exactly the groups the walk from the entry does.
/// A member that does not exist has no `memberOf`, so it fails too: neither
/// overlay nor plug-in gives it one when it is created later.
///
/// The groups and the people are read by two searches, so a membership
/// changed between them looks like a disagreement: one is taken as real
/// only when the readings that follow find it again (up to [`ATTEMPTS`]).
pub async fn prove(
    connector: &Connector,
    ldap: &mut Ldap,
    walked: WalkedGroups,
    groups_base: &Dn,
    people: &[&Dn],
) -> Result<Result<Agreement, Discrepancy>, DirectoryError> {
    // What every reading since the last clean intersection found, and how
    // many readings that is.
    let mut lasting: Option<(Discrepancy, usize)> = None;
    for _ in 0..ATTEMPTS {
        let found = match prove_once(connector, ldap, walked, groups_base, people).await? {
            Ok(agreement) => return Ok(Ok(agreement)),
            Err(found) => found,
        };
        lasting = match lasting.take() {
            None => Some((found, 1)),
            Some((earlier, readings)) => found_again(earlier, &found).map(|d| (d, readings + 1)),
        };
    }
    match lasting {
        Some((discrepancy, readings)) if readings > 1 => Ok(Err(discrepancy)),
        // Memberships kept changing between the two searches: no answer now.
        _ => Err(DirectoryError::Unavailable(
            "memberOf could not be compared: memberships kept changing during the proof".into(),
        )),
    }
}

/// What of `earlier` a later reading found again; `None` when nothing was
/// (changes in flight).
fn found_again(mut earlier: Discrepancy, later: &Discrepancy) -> Option<Discrepancy> {
    let again: HashSet<&(Dn, Dn)> = later.missing.iter().chain(&later.stale).collect();
    earlier.missing.retain(|pair| again.contains(pair));
    earlier.stale.retain(|pair| again.contains(pair));
    (!(earlier.missing.is_empty() && earlier.stale.is_empty())).then_some(earlier)
}

/// How many proofs in a row must find a disagreement for it to count.
const ATTEMPTS: usize = 3;

/// One reading of the groups and the people, compared.
async fn prove_once(
    connector: &Connector,
    ldap: &mut Ldap,
    walked: WalkedGroups,
    groups_base: &Dn,
    people: &[&Dn],
) -> Result<Result<Agreement, Discrepancy>, DirectoryError> {
    let is_person = |dn: &Dn| people.iter().any(|base| dn.is_within(base));
    let groups = paged(connector, ldap, groups_base, walked.filter, walked.member_attributes).await?;
    // member → the groups listing it directly: people, and groups for the
    // nesting above them.
    let mut listed: HashMap<Dn, HashSet<Dn>> = HashMap::new();
    for group in &groups {
        let group_dn = Dn::new(group.dn.as_str());
        for attribute in walked.member_attributes {
            let members = all_values(group, attribute).into_iter().map(Dn::new);
            for member in members.filter(|m| is_person(m) || m.is_within(groups_base)) {
                listed.entry(member).or_default().insert(group_dn.clone());
            }
        }
    }
    let mut named: HashMap<Dn, HashSet<Dn>> = HashMap::new();
    for base in outermost(people) {
        let filter = format!("({MEMBER_OF}=*)");
        for entry in paged(connector, ldap, base, &filter, &[MEMBER_OF]).await? {
            let values: HashSet<Dn> = all_values(&entry, MEMBER_OF)
                .into_iter()
                .map(Dn::new)
                .filter(|g| g.is_within(groups_base))
                .collect();
            if !values.is_empty() {
                named.insert(Dn::new(entry.dn), values);
            }
        }
    }

    let agreement = compare(&listed, &named, is_person);
    Ok(agreement.map(|memberships| Agreement { groups: groups.len(), memberships }))
}

/// `listed`: each member and the groups listing it directly; `named`: each
/// person and the groups their `memberOf` names. The people's memberships
/// compared, or where they disagree.
fn compare(
    listed: &HashMap<Dn, HashSet<Dn>>,
    named: &HashMap<Dn, HashSet<Dn>>,
    is_person: impl Fn(&Dn) -> bool,
) -> Result<usize, Discrepancy> {
    let mut discrepancy = Discrepancy::default();
    let nobody = HashSet::new();
    let mut memberships = 0;
    for (member, direct) in listed.iter().filter(|(member, _)| is_person(member)) {
        let names = named.get(member).unwrap_or(&nobody);
        discrepancy.missing.extend(direct.difference(names).map(|group| (member.clone(), group.clone())));
        memberships += direct.len();
    }
    for (entry, names) in named {
        let within = above(entry, listed);
        discrepancy.stale.extend(names.difference(&within).map(|group| (entry.clone(), group.clone())));
    }
    if !(discrepancy.missing.is_empty() && discrepancy.stale.is_empty()) {
        return Err(discrepancy);
    }
    Ok(memberships)
}

/// Every group `entry` is in, nesting followed (cycles stop).
fn above(entry: &Dn, listed: &HashMap<Dn, HashSet<Dn>>) -> HashSet<Dn> {
    let mut found = HashSet::new();
    let mut frontier = vec![entry.clone()];
    while let Some(dn) = frontier.pop() {
        for group in listed.get(&dn).into_iter().flatten() {
            if found.insert(group.clone()) {
                frontier.push(group.clone());
            }
        }
    }
    found
}

/// The bases not inside another of them: each entry is read once.
fn outermost<'a>(bases: &[&'a Dn]) -> Vec<&'a Dn> {
    let mut kept: Vec<&Dn> = Vec::new();
    for (i, base) in bases.iter().enumerate() {
        let inside_another = bases
            .iter()
            .enumerate()
            .any(|(j, other)| i != j && base.is_within(other) && (!other.is_within(base) || j < i));
        if !inside_another {
            kept.push(base);
        }
    }
    kept
}

/// Every entry under `base` matching `filter`, a page at a time; a size
/// limit met is an error (a proof over part of the directory proves
/// nothing).
async fn paged(
    connector: &Connector,
    ldap: &mut Ldap,
    base: &Dn,
    filter: &str,
    attrs: &[&str],
) -> Result<Vec<SearchEntry>, DirectoryError> {
    let adapters: Vec<Box<dyn Adapter<_, _>>> =
        vec![Box::new(EntriesOnly::new()), Box::new(PagedResults::new(PAGE))];
    let attrs: Vec<String> = attrs.iter().map(|a| (*a).to_owned()).collect();
    let mut stream = connector
        .timed("search", ldap.streaming_search_with(adapters, base.as_str(), Scope::Subtree, filter, attrs))
        .await?;
    let mut entries = Vec::new();
    while let Some(entry) = connector.timed("search", stream.next()).await? {
        entries.push(SearchEntry::construct(entry));
    }
    let outcome = stream.finish().await;
    match outcome.rc {
        0 | 32 => Ok(entries),
        4 => Err(DirectoryError::Other(format!(
            "reading every entry with {filter} under {base} met the service account's size limit; raise it"
        ))),
        rc => Err(super::connection::from_result("search", rc, &outcome.text)),
    }
}

#[cfg(test)]
#[path = "member_of_tests.rs"]
mod tests;

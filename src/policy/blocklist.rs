//! Passwords nobody may choose (NIST SP 800-63B rev. 4, 3.1.1.2: compare
//! against commonly used, expected or compromised values): the common
//! passwords built into the binary, and the operator's own lists.
//!
//! The built-in list is the `passwords` crate's table of 99,838 common
//! passwords. Operator lists (breach corpora of millions of lines) are
//! loaded at start-up into one binary fuse filter (`xorf`'s `BinaryFuse16`):
//! about 18 bits an entry whatever the length of the passwords, a lookup is
//! three memory reads, and the false-positive rate is 2^-16 (a password not
//! on any list is refused as listed once in 65,536), never a false negative.

use std::collections::hash_map::DefaultHasher;
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use xorf::{BinaryFuse16, Filter};

use super::fold::fold;

pub struct Blocklist {
    builtin: bool,
    /// Every operator list's entries, folded; `None` without lists.
    lists: Option<BinaryFuse16>,
    /// Distinct entries in `lists`.
    entries: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum BlocklistError {
    #[error("policy.blocklist_files: cannot read '{}': {source}", path.display())]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("policy.blocklist_files: cannot build the filter of {entries} entries: {why}")]
    Filter { entries: usize, why: &'static str },
}

impl Blocklist {
    pub fn load(builtin: bool, files: &[PathBuf]) -> Result<Self, BlocklistError> {
        let mut keys = Vec::new();
        for path in files {
            read_keys(path, &mut keys)?;
        }
        keys.sort_unstable();
        keys.dedup();
        let entries = keys.len();
        let lists = match keys.is_empty() {
            true => None,
            false => {
                Some(BinaryFuse16::try_from(&keys).map_err(|why| BlocklistError::Filter { entries, why })?)
            }
        };
        Ok(Self { builtin, lists, entries })
    }

    /// Distinct entries of the operator's lists.
    pub fn entries(&self) -> usize {
        self.entries
    }

    /// Whether a password, in its comparison form, is on a list. The
    /// built-in table is case-sensitive, so it is also asked for the form as
    /// typed (`exact`).
    pub fn contains(&self, folded: &str, exact: &str) -> bool {
        (self.builtin
            && (passwords::analyzer::is_common_password(folded)
                || passwords::analyzer::is_common_password(exact)))
            || self.lists.as_ref().is_some_and(|filter| filter.contains(&key(folded)))
    }
}

/// One list's entries as filter keys: a line a password, folded; blank
/// lines and lines that are not UTF-8 are passed over.
fn read_keys(path: &Path, keys: &mut Vec<u64>) -> Result<(), BlocklistError> {
    let unreadable = |source| BlocklistError::Unreadable { path: path.to_owned(), source };
    let mut reader = BufReader::with_capacity(1 << 20, File::open(path).map_err(unreadable)?);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).map_err(unreadable)? == 0 {
            return Ok(());
        }
        let text = std::str::from_utf8(&line).unwrap_or_default().trim_end_matches(['\n', '\r']);
        if !text.is_empty() {
            keys.push(key(&fold(text)));
        }
    }
}

fn key(folded: &str) -> u64 {
    // The filter is built and asked in the same process: any fixed hash
    // will do.
    let mut hasher = DefaultHasher::new();
    folded.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn list(lines: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(lines.as_bytes()).unwrap();
        file
    }

    fn listed(blocklist: &Blocklist, password: &str) -> bool {
        blocklist.contains(&fold(password), password)
    }

    #[test]
    fn the_builtin_list_refuses_common_passwords_in_any_case() {
        let builtin = Blocklist::load(true, &[]).unwrap();
        for common in
            ["welcome123", "Welcome123", "WELCOME123", "password1", "Ｐａｓｓｗｏｒｄ１", "qwertyuiop"]
        {
            assert!(listed(&builtin, common), "{common}");
        }
        assert!(!listed(&builtin, "correct-horse-battery-staple-42"));
        assert!(!listed(&Blocklist::load(false, &[]).unwrap(), "welcome123"), "switched off");
    }

    #[test]
    fn operator_lists_are_folded_and_crlf_tolerant() {
        let file = list("Summer-Corp-2026\r\n\nHunter2hunter2\nＦｕｌｌｗｉｄｔｈ-Entry\n");
        let blocklist = Blocklist::load(false, &[file.path().to_owned()]).unwrap();
        assert_eq!(blocklist.entries(), 3);
        assert!(listed(&blocklist, "summer-corp-2026"));
        assert!(listed(&blocklist, "HUNTER2HUNTER2"));
        assert!(listed(&blocklist, "fullwidth-entry"));
        assert!(!listed(&blocklist, "Autumn-Corp-2026"));
    }

    #[test]
    fn an_unreadable_list_is_named() {
        let missing = PathBuf::from("/nonexistent/breach.txt");
        let error = Blocklist::load(true, &[missing]).err().unwrap().to_string();
        assert!(
            error.contains("policy.blocklist_files") && error.contains("/nonexistent/breach.txt"),
            "{error}"
        );
    }
}

//! The one test kit of pwproxy: every suite (OpenLDAP, Active Directory) and
//! every benchmark starts its servers, runs pwproxy and checks its logs with
//! these parts.

pub mod answer;
pub mod app;
pub mod browser;
pub mod config;
pub mod console;
pub mod figures;
pub mod floor;
pub mod ldap;
pub mod log;
pub mod net;
pub mod postgres;
pub mod process;
pub mod redis;
pub mod samba;
pub mod slapd;
pub mod smtp;

use std::io::Write;
use std::path::PathBuf;

pub use answer::{Answer, basic};
pub use app::TestApp;
pub use log::exchanges_of;
pub use process::{Output, PwproxyProcess};

/// A directory fixture pwproxy can be configured for.
pub trait Fixture {
    /// pwproxy's configuration file for this directory, with
    /// `listen = "127.0.0.1:0"`.
    fn config_toml(&self) -> String;
    /// Passwords and keys the configuration and the fixture hold: none may
    /// ever be logged.
    fn secrets(&self) -> Vec<String>;
    /// What the fixture's seeded people sign in with.
    fn seed_password(&self) -> &'static str;
}

/// The pwproxy repository (the fixtures' scripts live there).
pub fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `toml` in a file of its own, as an operator's configuration would be.
pub fn config_file(toml: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(toml.as_bytes()).expect("write the configuration");
    file
}

/// What every suite imports.
pub mod prelude {
    pub use crate::config::unlocking;
    pub use crate::{Answer, Fixture, Output, PwproxyProcess, TestApp, basic, exchanges_of};
}

//! Integration tests: pwproxy over real HTTP against a real OpenLDAP.
mod helpers;
#[path = "../support/http.rs"]
mod http;
#[path = "../support/slapd.rs"]
#[allow(dead_code)] // shared with the benchmarks, which use all of it
mod slapd;

mod binary;
mod hardening;
mod persons;
mod probes;
mod properties;
mod token;
mod users;

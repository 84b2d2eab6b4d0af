//! Integration tests: pwproxy over real HTTP against a real OpenLDAP.

mod binary;
mod hardening;
mod persons;
mod probes;
mod properties;
mod token;
mod users;

//! Integration tests: pwproxy over real HTTP against a real OpenLDAP.
mod helpers;

mod binary;
mod hardening;
mod persons;
mod properties;
mod probes;
mod token;
mod users;

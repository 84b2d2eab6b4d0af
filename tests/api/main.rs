//! Integration tests: pwproxy over real HTTP against a real OpenLDAP.

mod binary;
mod check;
mod concurrency;
mod delegation;
mod hardening;
mod membership;
mod operations;
mod password_checks;
mod persons;
mod probes;
mod properties;
mod replicas;
mod token;
mod users;

//! pwproxy: a small, safe REST API that lets helpdesk staff and tooling reset
//! people's passwords in the organization's own LDAP directory.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented,
        clippy::indexing_slicing
    )
)]

pub mod access;
pub mod app;
pub mod audit;
pub mod check;
pub mod config;
pub mod directory;
pub mod dn;
pub mod generate;
pub mod lockout;
mod maintenance;
pub mod metrics;
pub mod notify;
pub mod policy;
pub mod shared;
pub mod startup;
pub mod telemetry;
pub mod token;
pub mod web;

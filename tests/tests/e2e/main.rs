//! End-to-end tests: real git repositories, the real binary, a real server.
//! One test binary, one module per feature.

mod access;
mod alerts;
mod check;
mod content;
mod crash;
mod federation;
mod hardening;
mod reading;
mod search;
mod site;

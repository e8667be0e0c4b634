//! Request handlers, one file per resource; `routes.rs` maps URLs to them.
//! Handlers import shared helpers (`render`, `view`, `views`, `forms`,
//! `params`), never each other.

pub mod alerts;
pub mod api;
pub mod beheer;
pub mod discovery;
pub mod health;
pub mod insight;
pub mod pages;
pub mod samenstellen;
pub mod schrijven;
pub mod webhook;

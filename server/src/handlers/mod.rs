//! Request handlers, one file per resource; `routes.rs` maps URLs to them.
//! Handlers import shared helpers (`render`, `view`, `views`, `forms`,
//! `params`, `json`, `error`), never each other; the one exception is
//! `api/openapi.rs`, whose OpenAPI document names the API handlers it
//! describes (utoipa reads their annotations).

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

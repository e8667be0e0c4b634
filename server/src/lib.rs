//! The Tegenkracht application: configuration, the command-line commands,
//! and the website and JSON API served over the content engine (`indexer`).

pub mod alerts;
pub mod auth;
pub mod berichten;
pub mod cache;
pub mod cli;
pub mod config;
pub mod error;
pub mod fanout;
pub mod forms;
pub mod handlers;
pub mod hooks;
pub mod i18n;
pub mod insight;
pub mod json;
pub mod lessons;
pub mod listener;
pub mod mailer;
pub mod metrics;
pub mod middleware;
pub mod moved;
pub mod params;
pub mod render;
pub mod routes;
pub mod state;
pub mod store;
#[cfg(test)]
mod testing;
pub mod theme;
pub mod updater;
pub mod updates;
pub mod view;
pub mod views;

pub use routes::app;
pub use state::AppState;

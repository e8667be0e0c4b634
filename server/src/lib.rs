//! The Tegenkracht application: configuration, the command-line commands,
//! and the website and JSON API served over the content engine (`indexer`).

pub mod alerts;
pub mod api;
pub mod auth;
pub mod beheer;
pub mod berichten;
pub mod cache;
pub mod check;
pub mod cli;
pub mod config;
pub mod discovery;
pub mod error;
pub mod fanout;
pub mod health;
pub mod hooks;
pub mod i18n;
pub mod insight;
pub mod lessons;
pub mod listener;
pub mod metrics;
pub mod moved;
pub mod nieuw;
pub mod openapi;
pub mod pages;
pub mod params;
pub mod routes;
pub mod samenstellen;
pub mod schrijven;
pub mod serve;
pub mod state;
pub mod store;
pub mod theme;
pub mod updater;
pub mod views;

pub use routes::app;
pub use state::AppState;

//! Running the server: logging, the first load, periodic updates, the
//! listener (with TCP_NODELAY) and graceful shutdown.

use crate::config::Config;
use crate::state::AppState;
use anyhow::{Context, Result};
use std::process::ExitCode;
use std::time::Duration;

/// Logs to stderr; `RUST_LOG` sets the level (default `info`), `TK_LOG_FORMAT=json`
/// gives one JSON object per line; colours only on a terminal without `NO_COLOR`.
pub fn init_tracing() {
    use std::io::IsTerminal;
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tantivy=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if std::env::var("TK_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().with_current_span(true).try_init()
    } else {
        let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        builder.with_ansi(ansi).try_init()
    };
}

/// Serves until interrupted.
pub fn run(config: Config) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(serve(config))?;
    Ok(ExitCode::SUCCESS)
}

/// Saves changed usage counts every `FLUSH_EVERY` (and `serve` once more at shutdown).
async fn save_insight(state: crate::AppState) {
    let mut tick = tokio::time::interval(crate::insight::FLUSH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let s = state.clone();
        match tokio::task::spawn_blocking(move || s.insight.flush()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %format!("{e:#}"), "could not save the usage counts"),
            Err(e) => tracing::warn!(error = %e, "saving the usage counts failed"),
        }
    }
}

async fn serve(config: Config) -> Result<()> {
    let listen = config.listen;
    if let Some(w) = config.site_url_warning() {
        tracing::warn!("{w}");
    }
    let state = AppState::new(config)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(address = %listener.local_addr()?, "serving Tegenkracht");
    tokio::spawn(crate::updater::run(state.clone()));
    tokio::spawn(save_insight(state.clone()));
    if let (Some(mail), Some(alerts)) = (&state.config.mail, &state.alerts) {
        let mailer = crate::mailer::Mailer::new(std::sync::Arc::clone(alerts), mail)?;
        tracing::info!(relay = %mail.smtp_host, every = ?mail.interval, "sending email alerts");
        tokio::spawn(std::sync::Arc::new(mailer).run(state.clone()));
    }
    let app = crate::app(state.clone());
    crate::listener::serve(listener, app, shutdown()).await;
    if let Err(e) = tokio::task::spawn_blocking(move || state.insight.flush()).await? {
        tracing::error!(error = %format!("{e:#}"), "could not save the usage counts");
    }
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
    tokio::time::sleep(Duration::from_millis(10)).await;
}

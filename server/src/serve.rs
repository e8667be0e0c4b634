//! Running the server: logging, the first load, periodic updates, the
//! listener (with TCP_NODELAY) and graceful shutdown.

use crate::config::Config;
use crate::state::AppState;
use anyhow::{Context, Result};
use std::process::ExitCode;
use std::time::Duration;

/// Logs to stderr; `RUST_LOG` sets the level (default `info`).
pub fn init_tracing() {
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tantivy=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
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

async fn serve(config: Config) -> Result<()> {
    let listen = config.listen;
    let state = AppState::new(config)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(address = %listener.local_addr()?, "serving Tegenkracht");
    tokio::spawn(keep_updated(state.clone()));
    let app = crate::app(state);
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown())
        .await
        .context("server failed")?;
    Ok(())
}

/// Loads the content now, then again every `poll_interval` when a source moved.
async fn keep_updated(state: AppState) {
    loop {
        reload(&state).await;
        tokio::time::sleep(state.config.poll_interval).await;
    }
}

/// Reloads the sources if anything changed; keeps serving the old state on failure.
pub async fn reload(state: &AppState) {
    let specs = state.config.source_specs();
    let data_dir = state.config.data_dir.clone();
    let current = state.loaded().and_then(|l| indexer::engine::fingerprint(&l.catalog));
    let heads = {
        let specs = specs.clone();
        tokio::task::spawn_blocking(move || indexer::engine::head_fingerprint(&specs))
            .await
            .ok()
            .flatten()
    };
    if current.is_some() && current == heads {
        return;
    }
    let started = std::time::Instant::now();
    match tokio::task::spawn_blocking(move || indexer::load(&specs, &data_dir)).await {
        Ok(Ok(loaded)) => {
            for r in &loaded.catalog.reports {
                if let Some(e) = &r.read_error {
                    tracing::error!(source = %r.name, error = %e, "source could not be read");
                }
                tracing::info!(source = %r.name, commit = ?r.commit, documents = r.documents, errors = r.errors, warnings = r.warnings, "source loaded");
            }
            tracing::info!(
                dossiers = loaded.public.library.dossiers.len(),
                rebuilt = loaded.rebuilt,
                ms = started.elapsed().as_millis() as u64,
                "content ready"
            );
            state.swap(loaded);
        }
        Ok(Err(e)) => tracing::error!(error = %e, "loading content failed; still serving the previous state"),
        Err(e) => tracing::error!(error = %e, "loading content panicked; still serving the previous state"),
    }
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

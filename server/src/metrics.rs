//! Prometheus metrics (`/metrics`): requests and latency per route pattern
//! (never the raw path), search outcomes, per-source state, index writes and
//! webhook deliveries. Hand-written text format; no label ever holds
//! content, a query or a reader.

use indexer::Loaded;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default, Clone)]
struct SourceState {
    commit: String,
    documents: usize,
    errors: usize,
    fetch_failing: bool,
    last_success: f64,
}

/// All metrics of the process.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    searches: AtomicU64,
    zero_results: AtomicU64,
    updates: AtomicU64,
    written: AtomicU64,
    removed: AtomicU64,
    sources: Mutex<BTreeMap<String, SourceState>>,
    webhooks: Mutex<BTreeMap<(String, &'static str), u64>>,
    /// Email alerts: mails accepted by the SMTP server, failed attempts, items queued now.
    mail_sent: AtomicU64,
    mail_failed: AtomicU64,
    mail_queued: AtomicU64,
    mail_enabled: std::sync::atomic::AtomicBool,
}

fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

impl Metrics {
    pub fn record_request(&self, route: &str, status: u16, seconds: f64) {
        *self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((route.to_string(), status))
            .or_insert(0) += 1;
        let mut lat = self.latency.lock().unwrap_or_else(|e| e.into_inner());
        let h = lat.entry(route.to_string()).or_default();
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                h.counts[i] += 1;
            }
        }
        h.sum += seconds;
        h.count += 1;
    }

    pub fn record_search(&self, total: usize) {
        self.searches.fetch_add(1, Ordering::Relaxed);
        if total == 0 {
            self.zero_results.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A mail run's outcome: sent and failed mails, and what is left queued.
    pub fn record_mail(&self, sent: u64, failed: u64, queued: u64) {
        self.mail_enabled.store(true, Ordering::Relaxed);
        self.mail_sent.fetch_add(sent, Ordering::Relaxed);
        self.mail_failed.fetch_add(failed, Ordering::Relaxed);
        self.mail_queued.store(queued, Ordering::Relaxed);
    }

    pub fn record_webhook(&self, source: &str, outcome: &'static str) {
        *self
            .webhooks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((source.to_string(), outcome))
            .or_insert(0) += 1;
    }

    /// Sources fetched without news: their last success is now.
    pub fn record_fetch_ok(&self, sources: &[String]) {
        let mut all = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        for name in sources {
            if let Some(s) = all.get_mut(name) {
                s.last_success = now();
                s.fetch_failing = false;
            }
        }
    }

    pub fn record_update(&self, loaded: &Loaded) {
        self.updates.fetch_add(1, Ordering::Relaxed);
        self.written.fetch_add(loaded.stats.added as u64, Ordering::Relaxed);
        self.removed.fetch_add(loaded.stats.deleted as u64, Ordering::Relaxed);
        let mut sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        for r in loaded.reports() {
            let prev = sources.get(&r.name).cloned().unwrap_or_default();
            let ok = r.fetch_error.is_none() && r.read_error.is_none();
            sources.insert(
                r.name.clone(),
                SourceState {
                    commit: r.commit.clone().unwrap_or_default(),
                    documents: r.documents,
                    errors: r.errors,
                    fetch_failing: !ok,
                    last_success: if ok { now() } else { prev.last_success },
                },
            );
        }
    }

    /// The Prometheus text exposition; `extra` are counters kept elsewhere
    /// (name, help, value).
    pub fn render(&self, index_bytes: u64, generation_docs: u64, extra: &[(&str, &str, u64)]) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "# HELP tegenkracht_http_requests_total HTTP requests by route pattern and status.\n# TYPE tegenkracht_http_requests_total counter"
        );
        for ((route, status), n) in self.requests.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(
                o,
                "tegenkracht_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
                esc(route)
            );
        }
        let _ = writeln!(
            o,
            "# HELP tegenkracht_http_request_duration_seconds Request latency by route pattern.\n# TYPE tegenkracht_http_request_duration_seconds histogram"
        );
        for (route, h) in self.latency.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let r = esc(route);
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    o,
                    "tegenkracht_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{b}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                o,
                "tegenkracht_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(o, "tegenkracht_http_request_duration_seconds_sum{{route=\"{r}\"}} {}", h.sum);
            let _ = writeln!(o, "tegenkracht_http_request_duration_seconds_count{{route=\"{r}\"}} {}", h.count);
        }
        let counters = [
            ("tegenkracht_searches_total", "Searches run.", self.searches.load(Ordering::Relaxed)),
            (
                "tegenkracht_searches_zero_results_total",
                "Searches that found nothing.",
                self.zero_results.load(Ordering::Relaxed),
            ),
            (
                "tegenkracht_updates_total",
                "Content updates applied.",
                self.updates.load(Ordering::Relaxed),
            ),
            (
                "tegenkracht_index_documents_written_total",
                "Documents written to indexes (all audiences).",
                self.written.load(Ordering::Relaxed),
            ),
            (
                "tegenkracht_index_documents_removed_total",
                "Documents removed from indexes (all audiences).",
                self.removed.load(Ordering::Relaxed),
            ),
        ];
        for &(name, help, v) in counters.iter().chain(extra) {
            let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        }
        let _ = writeln!(
            o,
            "# HELP tegenkracht_index_size_bytes Size of the indexes on disk.\n# TYPE tegenkracht_index_size_bytes gauge\ntegenkracht_index_size_bytes {index_bytes}"
        );
        let _ = writeln!(
            o,
            "# HELP tegenkracht_index_public_documents Documents in the public index.\n# TYPE tegenkracht_index_public_documents gauge\ntegenkracht_index_public_documents {generation_docs}"
        );
        let sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(
            o,
            "# HELP tegenkracht_source_info The commit each source is at.\n# TYPE tegenkracht_source_info gauge"
        );
        for (name, s) in sources.iter() {
            let _ = writeln!(
                o,
                "tegenkracht_source_info{{source=\"{}\",commit=\"{}\"}} 1",
                esc(name),
                esc(&s.commit)
            );
        }
        for (metric, help, f) in [
            (
                "tegenkracht_source_documents",
                "Documents published from each source.",
                (|s: &SourceState| s.documents as f64) as fn(&SourceState) -> f64,
            ),
            ("tegenkracht_source_errors", "Content errors per source.", |s: &SourceState| {
                s.errors as f64
            }),
            (
                "tegenkracht_source_fetch_failing",
                "1 when the last fetch or read of a source failed.",
                |s: &SourceState| f64::from(u8::from(s.fetch_failing)),
            ),
            (
                "tegenkracht_source_last_success_timestamp_seconds",
                "When a source was last fetched and read successfully.",
                |s: &SourceState| s.last_success,
            ),
        ] {
            let _ = writeln!(o, "# HELP {metric} {help}\n# TYPE {metric} gauge");
            for (name, s) in sources.iter() {
                let _ = writeln!(o, "{metric}{{source=\"{}\"}} {}", esc(name), f(s));
            }
        }
        let _ = writeln!(
            o,
            "# HELP tegenkracht_webhook_deliveries_total Webhook deliveries by outcome.\n# TYPE tegenkracht_webhook_deliveries_total counter"
        );
        for ((source, outcome), n) in self.webhooks.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(
                o,
                "tegenkracht_webhook_deliveries_total{{source=\"{}\",outcome=\"{outcome}\"}} {n}",
                esc(source)
            );
        }
        if self.mail_enabled.load(Ordering::Relaxed) {
            let _ = writeln!(
                o,
                "# HELP tegenkracht_mail_sent_total Alert mails accepted by the SMTP server.\n# TYPE tegenkracht_mail_sent_total counter\ntegenkracht_mail_sent_total {}",
                self.mail_sent.load(Ordering::Relaxed)
            );
            let _ = writeln!(
                o,
                "# HELP tegenkracht_mail_failed_total Alert mails that could not be sent (retried later).\n# TYPE tegenkracht_mail_failed_total counter\ntegenkracht_mail_failed_total {}",
                self.mail_failed.load(Ordering::Relaxed)
            );
            let _ = writeln!(
                o,
                "# HELP tegenkracht_mail_queued Dossiers queued for alert mails.\n# TYPE tegenkracht_mail_queued gauge\ntegenkracht_mail_queued {}",
                self.mail_queued.load(Ordering::Relaxed)
            );
        }
        o
    }
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Total size of the files under `dir`.
pub fn dir_size(dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

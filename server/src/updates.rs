//! Requests for updates: webhooks and the poll timer add a source (or all)
//! to one pending set and wake the updater, which takes the whole set.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// What is waiting to be fetched.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    pub(crate) all: bool,
    pub(crate) sources: BTreeSet<String>,
}

/// A handle to request updates.
#[derive(Clone, Default)]
pub struct Updates {
    pending: Arc<Mutex<Pending>>,
    notify: Arc<Notify>,
}

impl Updates {
    /// Asks for a fetch of one source (or all with `None`); returns at once.
    pub fn request(&self, source: Option<&str>) {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        match source {
            Some(s) => {
                p.sources.insert(s.to_string());
            }
            None => p.all = true,
        }
        drop(p);
        self.notify.notify_one();
    }

    /// Waits for the next request (one stored by `Notify` if it came while nobody waited).
    pub(crate) async fn requested(&self) {
        self.notify.notified().await
    }

    /// Takes every pending request.
    pub(crate) fn take(&self) -> Pending {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

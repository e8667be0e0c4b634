//! Webhook fan-out to the other replicas. A git host's delivery reaches one
//! replica behind a load balancer; that replica passes it on, body and host
//! headers unchanged, to every address the configured `replicas` names resolve
//! to (resolved anew each time, so pods that come and go are followed). Each
//! replica verifies the signature itself: nothing is trusted because it came
//! from a replica. A passed-on delivery carries [`FORWARDED`] with the sender's
//! instance id, is never passed on again, and is ignored by its own sender.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, Request};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::Duration;

/// The header of a passed-on delivery; its value is the sender's instance id.
pub const FORWARDED: &str = "x-tegenkracht-doorgestuurd";

/// How long one replica may take to answer a passed-on delivery.
const TIMEOUT: Duration = Duration::from_secs(5);

/// At most this many addresses per fan-out (a misconfigured name cannot make
/// one delivery into thousands of requests).
const MAX_TARGETS: usize = 64;

/// Headers of the git hosts that a replica needs to verify and deduplicate a
/// delivery; nothing else (no cookies, no authorization) is passed on.
fn passed_on(name: &str) -> bool {
    ["x-hub-", "x-github-", "x-gitea-", "x-forgejo-", "x-gitlab-"]
        .iter()
        .any(|p| name.starts_with(p))
        || matches!(name, "idempotency-key" | "content-type" | "user-agent")
}

/// What became of passing one delivery on to one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The replica answered 2xx.
    Forwarded,
    /// No answer, or not 2xx: that replica catches up at its next poll.
    Failed,
}

/// The replicas to pass deliveries on to, and who this replica is.
pub struct Fanout {
    names: Vec<String>,
    instance: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Fanout {
    pub fn new(names: Vec<String>) -> Fanout {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(TIMEOUT));
        Fanout {
            names,
            instance: instance_id(),
            client: Client::builder(TokioExecutor::new()).build(connector),
        }
    }

    /// True when replicas are configured.
    pub fn enabled(&self) -> bool {
        !self.names.is_empty()
    }

    /// True when `headers` mark a delivery that this very replica passed on
    /// (its own name resolved to itself).
    pub fn is_own(&self, headers: &HeaderMap) -> bool {
        headers.get(FORWARDED).is_some_and(|v| v.as_bytes() == self.instance.as_bytes())
    }

    /// Passes a verified delivery for `source` on to every replica, in the
    /// background; `done` is told each address's outcome.
    pub fn spread(self: &Arc<Self>, source: &str, headers: &HeaderMap, body: Bytes, done: impl Fn(Outcome) + Send + Sync + 'static) {
        let mut kept = HeaderMap::new();
        for (name, value) in headers {
            if passed_on(name.as_str()) {
                kept.append(name.clone(), value.clone());
            }
        }
        if let Ok(v) = HeaderValue::from_str(&self.instance) {
            kept.insert(FORWARDED, v);
        }
        let this = Arc::clone(self);
        let done = Arc::new(done);
        // A source name matches [a-z0-9-]+ (checked in config), so it needs no escaping.
        let path = format!("/hooks/{source}");
        tokio::spawn(async move {
            for addr in this.resolve().await {
                let (client, done) = (this.client.clone(), Arc::clone(&done));
                let request = build(&addr, &path, &kept, body.clone());
                tokio::spawn(async move { done(send(&client, addr, request).await) });
            }
        });
    }

    /// Every address of every configured name, without repeats.
    async fn resolve(&self) -> Vec<std::net::SocketAddr> {
        let mut out = Vec::new();
        for name in &self.names {
            match tokio::time::timeout(TIMEOUT, tokio::net::lookup_host(name.as_str())).await {
                Ok(Ok(addrs)) => {
                    for a in addrs {
                        if !out.contains(&a) && out.len() < MAX_TARGETS {
                            out.push(a);
                        }
                    }
                }
                Ok(Err(e)) => tracing::warn!(name = %name, error = %e, "cannot resolve the replicas"),
                Err(_) => tracing::warn!(name = %name, "resolving the replicas took too long"),
            }
        }
        out
    }
}

fn build(addr: &std::net::SocketAddr, path: &str, headers: &HeaderMap, body: Bytes) -> Option<Request<Full<Bytes>>> {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(format!("http://{addr}{path}"))
        .body(Full::new(body))
        .ok()?;
    *req.headers_mut() = headers.clone();
    Some(req)
}

async fn send(client: &Client<HttpConnector, Full<Bytes>>, addr: std::net::SocketAddr, request: Option<Request<Full<Bytes>>>) -> Outcome {
    let Some(request) = request else { return Outcome::Failed };
    match tokio::time::timeout(TIMEOUT, client.request(request)).await {
        Ok(Ok(res)) if res.status().is_success() => Outcome::Forwarded,
        Ok(Ok(res)) => {
            tracing::warn!(replica = %addr, status = res.status().as_u16(), "a replica refused a passed-on webhook");
            Outcome::Failed
        }
        Ok(Err(e)) => {
            tracing::warn!(replica = %addr, error = %e, "cannot pass a webhook on to a replica");
            Outcome::Failed
        }
        Err(_) => {
            tracing::warn!(replica = %addr, "a replica did not answer a passed-on webhook in time");
            Outcome::Failed
        }
    }
}

/// An id for this process, different for every start (it only has to tell
/// this replica's own passed-on deliveries from others').
fn instance_id() -> String {
    use sha2::Digest;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let seed = format!("{}:{now}:{:p}", std::process::id(), &now);
    hex::encode(&sha2::Sha256::digest(seed.as_bytes())[..12])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_on_only_what_a_host_signed_or_identifies() {
        for h in [
            "x-hub-signature-256",
            "x-github-delivery",
            "x-gitea-signature",
            "x-gitlab-token",
            "x-gitlab-event-uuid",
            "content-type",
        ] {
            assert!(passed_on(h), "{h}");
        }
        for h in [
            "authorization",
            "cookie",
            "x-forwarded-user",
            "x-forwarded-groups",
            "host",
            "content-length",
            FORWARDED,
        ] {
            assert!(!passed_on(h), "{h}");
        }
    }

    #[test]
    fn knows_its_own_deliveries() {
        let a = Fanout::new(vec!["x:1".into()]);
        let b = Fanout::new(vec!["x:1".into()]);
        assert_ne!(a.instance, b.instance);
        let mut h = HeaderMap::new();
        h.insert(FORWARDED, HeaderValue::from_str(&a.instance).unwrap());
        assert!(a.is_own(&h));
        assert!(!b.is_own(&h));
        assert!(!a.is_own(&HeaderMap::new()));
    }
}

//! Git-host webhooks (`POST /hooks/{source}`): GitHub (`X-Hub-Signature-256`),
//! Gitea and Forgejo (`X-Gitea-Signature`, `X-Forgejo-Signature`) and GitLab
//! (`X-Gitlab-Token`). The signature is checked on the raw body in constant
//! time; a valid delivery only *requests* a fetch of that source (the
//! payload's commit id is never trusted), so the answer is immediate.
//! Deliveries are deduplicated by their delivery id, and passed on to the
//! other replicas when `replicas` is configured (`fanout.rs`).

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

/// How many delivery ids are remembered for deduplication.
const REMEMBERED: usize = 4096;

/// Recently seen delivery ids.
#[derive(Default)]
pub struct Deliveries {
    seen: Mutex<(HashSet<String>, VecDeque<String>)>,
}

impl Deliveries {
    /// Records `id`; false when it was seen before.
    pub(crate) fn first_time(&self, id: &str) -> bool {
        let mut guard = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let (set, order) = &mut *guard;
        if set.contains(id) {
            return false;
        }
        set.insert(id.to_string());
        order.push_back(id.to_string());
        if order.len() > REMEMBERED
            && let Some(old) = order.pop_front()
        {
            set.remove(&old);
        }
        true
    }
}

/// Which host signed a delivery, and how.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    Invalid,
    /// No signature header of any supported host.
    Unsigned,
}

/// Checks a delivery's signature against `secret`, on the raw `body`.
pub fn verify(headers: &HeaderMap, body: &[u8], secret: &[u8]) -> Verdict {
    // Raw bytes, not `to_str`: a header that is not visible ASCII (a GitLab token
    // with non-ASCII characters, a garbled signature) still belongs to its host.
    let header = |name: &str| headers.get(name).map(|v| v.as_bytes().trim_ascii());
    if let Some(sig) = header("x-hub-signature-256") {
        return match sig.strip_prefix(b"sha256=").and_then(|h| hex::decode(h).ok()) {
            Some(mac) => hmac_matches(secret, body, &mac),
            None => Verdict::Invalid,
        };
    }
    for name in ["x-gitea-signature", "x-forgejo-signature"] {
        if let Some(sig) = header(name) {
            return match hex::decode(sig) {
                Ok(mac) => hmac_matches(secret, body, &mac),
                Err(_) => Verdict::Invalid,
            };
        }
    }
    if let Some(token) = header("x-gitlab-token") {
        // Compare fixed-length digests so the comparison time does not depend on the token.
        let a: [u8; 32] = <Sha256 as sha2::Digest>::digest(token).into();
        let b: [u8; 32] = <Sha256 as sha2::Digest>::digest(secret).into();
        return if bool::from(subtle::ConstantTimeEq::ct_eq(&a[..], &b[..])) {
            Verdict::Valid
        } else {
            Verdict::Invalid
        };
    }
    Verdict::Unsigned
}

fn hmac_matches(secret: &[u8], body: &[u8], mac: &[u8]) -> Verdict {
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(secret) else {
        return Verdict::Invalid;
    };
    m.update(body);
    // `verify_slice` compares in constant time.
    if m.verify_slice(mac).is_ok() {
        Verdict::Valid
    } else {
        Verdict::Invalid
    }
}

/// The delivery id of whichever host sent it.
pub(crate) fn delivery_id(headers: &HeaderMap) -> Option<String> {
    [
        "x-github-delivery",
        "x-gitea-delivery",
        "x-forgejo-delivery",
        "x-gitlab-event-uuid",
        "x-gitlab-webhook-uuid",
        "idempotency-key",
    ]
    .iter()
    .find_map(|h| headers.get(*h).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(200).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::headers as h;

    fn sign(secret: &[u8], body: &[u8]) -> String {
        let mut m = Hmac::<Sha256>::new_from_slice(secret).unwrap();
        m.update(body);
        hex::encode(m.finalize().into_bytes())
    }

    #[test]
    fn verifies_each_hosts_signature_on_the_raw_body() {
        let body = br#"{"ref":"refs/heads/main","after":"0000"}"#;
        let sig = sign(b"geheim", body);
        assert_eq!(
            verify(&h(&[("x-hub-signature-256", &format!("sha256={sig}"))]), body, b"geheim"),
            Verdict::Valid
        );
        assert_eq!(verify(&h(&[("x-gitea-signature", &sig)]), body, b"geheim"), Verdict::Valid);
        assert_eq!(verify(&h(&[("x-forgejo-signature", &sig)]), body, b"geheim"), Verdict::Valid);
        assert_eq!(verify(&h(&[("x-gitlab-token", "geheim")]), body, b"geheim"), Verdict::Valid);
        // Forgeries: another secret, a changed body, garbage, nothing.
        assert_eq!(
            verify(
                &h(&[("x-hub-signature-256", &format!("sha256={}", sign(b"fout", body)))]),
                body,
                b"geheim"
            ),
            Verdict::Invalid
        );
        assert_eq!(verify(&h(&[("x-gitea-signature", &sig)]), b"{}", b"geheim"), Verdict::Invalid);
        assert_eq!(
            verify(&h(&[("x-hub-signature-256", "sha256=zz")]), body, b"geheim"),
            Verdict::Invalid
        );
        assert_eq!(verify(&h(&[("x-gitlab-token", "geheim2")]), body, b"geheim"), Verdict::Invalid);
        assert_eq!(verify(&h(&[]), body, b"geheim"), Verdict::Unsigned);
    }

    #[test]
    fn verifies_a_gitlab_token_that_is_not_ascii() {
        // Found by fuzz/fuzz_targets/webhook.rs: the token was read with `to_str`, so a
        // secret with non-ASCII characters made every delivery `Unsigned`.
        let secret = "geheim-sleutel-é".as_bytes();
        let mut m = HeaderMap::new();
        m.insert("x-gitlab-token", axum::http::HeaderValue::from_bytes(secret).unwrap());
        assert_eq!(verify(&m, b"{}", secret), Verdict::Valid);
        m.insert("x-gitlab-token", axum::http::HeaderValue::from_bytes(&[0xaf, 0x65]).unwrap());
        assert_eq!(verify(&m, b"{}", secret), Verdict::Invalid);
        // A garbled signature header is a forgery, not a missing signature.
        let mut m = HeaderMap::new();
        m.insert("x-hub-signature-256", axum::http::HeaderValue::from_bytes(b"sha256=\xff").unwrap());
        assert_eq!(verify(&m, b"{}", b"geheim"), Verdict::Invalid);
    }

    #[test]
    fn remembers_delivery_ids() {
        let d = Deliveries::default();
        assert!(d.first_time("a"));
        assert!(!d.first_time("a"));
        for i in 0..REMEMBERED + 1 {
            d.first_time(&i.to_string());
        }
        assert!(d.first_time("a"), "old ids are forgotten");
    }
}

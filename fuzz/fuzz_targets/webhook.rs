//! Webhook verification (`tegenkracht::hooks::verify`) on arbitrary headers,
//! secrets and bodies. Nothing may panic, and the verdict must be right: a
//! delivery is `Valid` exactly when it carries the true HMAC-SHA256 of the
//! body under the secret (GitHub, Gitea, Forgejo) or the secret itself
//! (GitLab), for the header that `verify` reads first.
//!
//! Input layout: one mode byte, then signature value, secret and body
//! separated by 0xFF bytes. The mode picks the header(s) and whether the
//! value is used as given or replaced by the correct (or an almost correct)
//! signature, so the fuzzer reaches the `Valid` path too.
#![no_main]

use hmac::{Hmac, Mac};
use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;
use tegenkracht::hooks::{Verdict, verify};

const HEADERS: [&str; 4] = ["x-hub-signature-256", "x-gitea-signature", "x-forgejo-signature", "x-gitlab-token"];

fn mac(secret: &[u8], body: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    m.update(body);
    m.finalize().into_bytes().to_vec()
}

/// The signature a host would send for `header`.
fn genuine(header: &str, secret: &[u8], body: &[u8]) -> Vec<u8> {
    match header {
        "x-hub-signature-256" => format!("sha256={}", hex::encode(mac(secret, body))).into_bytes(),
        "x-gitlab-token" => secret.to_vec(),
        _ => hex::encode(mac(secret, body)).into_bytes(),
    }
}

/// The verdict `verify` must reach, worked out independently.
fn expected(headers: &HeaderMap, secret: &[u8], body: &[u8]) -> Verdict {
    let Some((name, value)) = HEADERS.iter().find_map(|h| headers.get(*h).map(|v| (*h, v))) else {
        return Verdict::Unsigned;
    };
    let value = value.as_bytes().trim_ascii();
    let valid = match name {
        "x-hub-signature-256" => value
            .strip_prefix(b"sha256=")
            .and_then(|h| hex::decode(h).ok())
            .is_some_and(|m| m == mac(secret, body)),
        "x-gitlab-token" => value == secret,
        _ => hex::decode(value).is_ok_and(|m| m == mac(secret, body)),
    };
    if valid { Verdict::Valid } else { Verdict::Invalid }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let mut parts = rest.splitn(3, |b| *b == 0xff);
    let given = parts.next().unwrap_or_default();
    let secret = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();

    let header = HEADERS[usize::from(mode & 0x03)];
    let value = match (mode >> 2) & 0x03 {
        0 => given.to_vec(),
        1 => genuine(header, secret, body),
        2 => {
            // Almost right: the genuine signature with one byte changed.
            let mut v = genuine(header, secret, body);
            if let Some(b) = v.last_mut() {
                *b ^= given.first().copied().unwrap_or(1).max(1);
            }
            v
        }
        _ => {
            let mut v = genuine(header, secret, body);
            v.extend_from_slice(given);
            v
        }
    };
    let mut headers = HeaderMap::new();
    if mode & 0x10 == 0
        && let Ok(v) = HeaderValue::from_bytes(&value)
    {
        headers.insert(HeaderName::from_static(header), v);
    }
    if mode & 0x20 != 0 {
        // A second host's header beside the first: only one may decide.
        let other = HEADERS[usize::from((mode >> 6) & 0x03)];
        if let Ok(v) = HeaderValue::from_bytes(given) {
            headers.append(HeaderName::from_static(other), v);
        }
    }
    let verdict = verify(&headers, body, secret);
    let want = expected(&headers, secret, body);
    assert_eq!(verdict, want, "headers {headers:?}, secret {secret:?}, body {body:?}");
    // (A GitLab secret with surrounding blanks can never match: the token is trimmed.)
    if (mode >> 2) & 0x03 == 1 && mode & 0x30 == 0 && HeaderValue::from_bytes(&value).is_ok() && secret.trim_ascii() == secret {
        assert_eq!(verdict, Verdict::Valid, "a genuine signature was refused");
    }
});

//! Helpers shared by the unit tests of this crate.

use axum::http::{HeaderMap, HeaderName};

/// A header map of `(name, value)` pairs.
pub fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut m = HeaderMap::new();
    for (k, v) in pairs {
        m.insert(HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
    }
    m
}

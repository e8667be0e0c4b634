//! `Json`: the JSON response of every API route. It writes `<`, `>` and `&`
//! inside strings as `\u003c`, `\u003e` and `\u0026` while serialising (the
//! same JSON, and safe should a client ever embed it in HTML), so no body is
//! read twice.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::io;

/// A value answered as `application/json`.
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        match to_vec(&self.0) {
            Ok(body) => {
                let mut res = body.into_response();
                res.headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
                res
            }
            Err(e) => {
                tracing::error!(error = %e, "a response could not be serialised");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }
}

/// `value` as compact JSON with `<`, `>` and `&` escaped.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(256);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, HtmlSafe);
    value.serialize(&mut ser)?;
    Ok(out)
}

/// serde_json's compact formatter, but the three characters that matter in
/// HTML are written as escapes in every string and key.
struct HtmlSafe;

impl serde_json::ser::Formatter for HtmlSafe {
    fn write_string_fragment<W: ?Sized + io::Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        let mut rest = fragment.as_bytes();
        while let Some(i) = rest.iter().position(|b| matches!(b, b'<' | b'>' | b'&')) {
            w.write_all(&rest[..i])?;
            w.write_all(match rest[i] {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                _ => b"\\u0026",
            })?;
            rest = &rest[i + 1..];
        }
        w.write_all(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_markup_in_strings_and_keys_and_reads_back_the_same() {
        let v = json!({"<b>": "a & b </script>", "n": [1, "x>y"], "t": "\"quoted\"\n"});
        let out = String::from_utf8(to_vec(&v).unwrap()).unwrap();
        assert!(!out.contains('<') && !out.contains('>') && !out.contains('&'), "{out}");
        assert!(out.contains(r"a \u0026 b \u003c/script\u003e"), "{out}");
        assert!(out.contains(r"\u003cb\u003e"), "{out}");
        let back: serde_json::Value = serde_json::from_slice(out.as_bytes()).unwrap();
        assert_eq!(back, v);
    }
}

//! What the writing and collection forms share: the submitted fields
//! (`Draft`), YAML quoting, slugs, and percent-encoding for a forge's URL.

use crate::error::Problem;

/// The longest form accepted (the body limit of the whole server is larger).
const MAX_FORM: usize = 256 * 1024;

/// The submitted fields, in order, as the browser sent them.
pub struct Draft(pub(crate) Vec<(String, String)>);

impl Draft {
    pub fn parse(body: &[u8]) -> Result<Draft, Problem> {
        if body.len() > MAX_FORM {
            return Err(Problem::BadRequest(format!("het formulier is groter dan {} kB", MAX_FORM / 1024)));
        }
        let text = std::str::from_utf8(body).map_err(|_| Problem::BadRequest("het formulier is geen geldige UTF-8".into()))?;
        Ok(Draft(crate::params::pairs(Some(text))?))
    }

    pub(crate) fn one(&self, key: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().replace("\r\n", "\n"))
            .unwrap_or_default()
    }

    pub(crate) fn many(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }

    /// How many numbered rows (`{prefix}1`, `{prefix}2`, …) the form sent, at least `min`.
    pub(crate) fn rows(&self, prefix: &str, min: usize) -> usize {
        numbered(self.0.iter().map(|(k, _)| k.as_str()), prefix).max(min)
    }

    /// A comma-separated text field as a list.
    pub(crate) fn list(&self, key: &str) -> Vec<String> {
        self.one(key)
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// How many numbered names `{prefix}1`, `{prefix}2`, … run on from 1 among `names`.
pub(crate) fn numbered<'a>(names: impl Iterator<Item = &'a str>, prefix: &str) -> usize {
    let present: std::collections::HashSet<usize> = names.filter_map(|k| k.strip_prefix(prefix)?.parse().ok()).collect();
    (1..).take_while(|i| present.contains(i)).count()
}

/// Percent-encoding for a forge URL's query: everything but RFC 3986's unreserved characters.
pub(crate) fn url_encode(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

pub(crate) fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A slug from a title: lowercase, accents off, words joined by `-`.
pub fn slugify(titel: &str) -> String {
    let folded = indexer::text::fold(titel);
    let mut out = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-')
        .chars()
        .take(80)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

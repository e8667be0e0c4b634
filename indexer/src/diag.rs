//! Findings about content (`path:line: error|warning: message`), collected
//! while reading sources and reported by `check`, `index` and the status API.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a finding is: errors keep a document from being published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    /// Information for reviewers (`check --vergelijk`); never fails a check.
    Notice,
}

/// One finding about one file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Diagnostic {
    pub path: String,
    pub line: usize,
    pub severity: Severity,
    pub message: String,
}

impl Diagnostic {
    pub fn error(path: &str, line: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.to_string(),
            line: line.max(1),
            severity: Severity::Error,
            message: message.into(),
        }
    }

    pub fn warning(path: &str, line: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, line, message)
        }
    }

    pub fn notice(path: &str, line: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Notice,
            ..Diagnostic::error(path, line, message)
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Notice => "notice",
        };
        write!(f, "{}:{}: {}: {}", self.path, self.line, sev, self.message)
    }
}

/// The closest candidate to `word` within edit distance 2, for "did you mean" hints.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (crate::text::edit_distance(word, c), c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_path_line_severity_message() {
        let d = Diagnostic::error("dossiers/a.md", 3, "unknown key `x`");
        assert_eq!(d.to_string(), "dossiers/a.md:3: error: unknown key `x`");
    }

    #[test]
    fn can_suggest_the_closest_word() {
        assert_eq!(closest("limbrug", ["limburg", "rotterdam"]), Some("limburg"));
        assert_eq!(closest("xyz", ["limburg"]), None);
    }
}

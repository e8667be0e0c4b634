//! A strict loader for the small YAML subset that front matter and
//! `vocabulaire.yaml` use: one document of mappings, sequences and scalars,
//! every node carrying its line number.
//!
//! Anchors, aliases and tags are rejected outright, so alias bombs ("billion
//! laughs") cannot expand; depth and node count are capped as well. The
//! event parser of `yaml-rust2` does the lexing; this module builds the tree.

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

/// Deepest nesting a document may have.
pub const MAX_DEPTH: usize = 16;
/// Most nodes (scalars, sequences, mappings) a document may have.
pub const MAX_NODES: usize = 20_000;

/// A YAML node with the 1-based line it starts on (relative to the YAML text).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub line: usize,
}

/// The value of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar; `quoted` is true for single- or double-quoted scalars.
    Scalar {
        text: String,
        quoted: bool,
    },
    Seq(Vec<Node>),
    /// Key/value pairs in document order; keys are unique.
    Map(Vec<(Node, Node)>),
}

/// Why a YAML text could not be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    pub line: usize,
    pub message: String,
}

impl Node {
    /// The scalar's text, if this is a scalar.
    pub fn as_scalar(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// True for an explicit or implicit null (`~`, `null`, nothing).
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, quoted: false } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// A short description of the node's kind for error messages.
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Scalar { .. } if self.is_null() => "an empty value",
            Value::Scalar { text, quoted: false } if is_bool(text) => "a boolean",
            Value::Scalar { text, quoted: false } if is_number(text) => "a number",
            Value::Scalar { .. } => "text",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

fn is_bool(s: &str) -> bool {
    matches!(s, "true" | "false" | "True" | "False" | "TRUE" | "FALSE")
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.parse::<f64>().is_ok()
}

/// Plain advice for the YAML mistakes editors make most.
fn hint(text: &str, line: usize, info: &str) -> &'static str {
    let near = |l: usize| text.lines().nth(l.saturating_sub(1)).unwrap_or_default();
    if near(line).contains('\t') || near(line.saturating_sub(1)).contains('\t') || info.contains("tab") {
        " (YAML does not allow tabs: indent with spaces)"
    } else if info.contains("mapping values are not allowed") {
        " (is there a colon in a value? Put the value in quotes, for example titel: \"Vastgoed: de aanpak\")"
    } else if info.contains("'-' indicator") || info.contains("block end") {
        " (does every item of a list start with `- `, indented like the others?)"
    } else {
        ""
    }
}

fn err(line: usize, message: impl Into<String>) -> YamlError {
    YamlError {
        line,
        message: message.into(),
    }
}

/// Loads exactly one YAML document from `text`. An empty text is an empty mapping.
pub fn load(text: &str) -> Result<Node, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut builder = Builder::default();
    let mut root: Option<Node> = None;
    let mut documents = 0;
    // The scanner reports the end of the stream on the line after the last one.
    let last = line_count(text);
    loop {
        let (event, mark) = parser.next_token().map_err(|e| {
            let line = e.marker().line().clamp(1, last);
            err(line, format!("malformed YAML: {}{}", e.info(), hint(text, line, e.info())))
        })?;
        let line = mark.line().clamp(1, last);
        match event {
            Event::StreamStart | Event::Nothing | Event::DocumentEnd => {}
            Event::StreamEnd => break,
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return Err(err(line, "only one YAML document is allowed"));
                }
            }
            Event::Alias(_) => {
                return Err(err(line, "YAML aliases (*name) are not allowed"));
            }
            Event::Scalar(text, style, anchor, tag) => {
                check_plain(anchor, tag.is_some(), line)?;
                let quoted = !matches!(style, TScalarStyle::Plain);
                let node = Node {
                    value: Value::Scalar { text, quoted },
                    line,
                };
                if let Some(done) = builder.push(node)? {
                    root = Some(done);
                }
            }
            Event::SequenceStart(anchor, tag) => {
                check_plain(anchor, tag.is_some(), line)?;
                builder.open(Value::Seq(Vec::new()), line)?;
            }
            Event::MappingStart(anchor, tag) => {
                check_plain(anchor, tag.is_some(), line)?;
                builder.open(Value::Map(Vec::new()), line)?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(done) = builder.close()? {
                    root = Some(done);
                }
            }
        }
    }
    Ok(root.unwrap_or(Node {
        value: Value::Map(Vec::new()),
        line: 1,
    }))
}

/// Lines of `text` as YAML counts them: `\r\n`, a lone `\r` and `\n` each end one.
fn line_count(text: &str) -> usize {
    let b = text.as_bytes();
    let breaks = (0..b.len())
        .filter(|&i| b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')))
        .count();
    breaks + 1
}

fn check_plain(anchor: usize, tagged: bool, line: usize) -> Result<(), YamlError> {
    if anchor != 0 {
        return Err(err(line, "YAML anchors (&name) are not allowed"));
    }
    if tagged {
        return Err(err(line, "YAML tags (!tag) are not allowed"));
    }
    Ok(())
}

/// Builds the tree from events with an explicit stack (no recursion).
#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    nodes: usize,
}

struct Frame {
    node: Node,
    /// For mappings: a key waiting for its value.
    pending_key: Option<Node>,
}

impl Builder {
    fn count(&mut self, line: usize) -> Result<(), YamlError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(err(line, format!("too many YAML nodes (more than {MAX_NODES})")));
        }
        Ok(())
    }

    fn open(&mut self, value: Value, line: usize) -> Result<(), YamlError> {
        self.count(line)?;
        if self.stack.len() >= MAX_DEPTH {
            return Err(err(line, format!("YAML nested deeper than {MAX_DEPTH} levels")));
        }
        self.stack.push(Frame {
            node: Node { value, line },
            pending_key: None,
        });
        Ok(())
    }

    fn close(&mut self) -> Result<Option<Node>, YamlError> {
        let frame = self.stack.pop().expect("parser balances start and end events");
        self.attach(frame.node)
    }

    fn push(&mut self, node: Node) -> Result<Option<Node>, YamlError> {
        self.count(node.line)?;
        self.attach(node)
    }

    /// Adds a finished node to its parent; returns it when it is the root.
    fn attach(&mut self, node: Node) -> Result<Option<Node>, YamlError> {
        let Some(parent) = self.stack.last_mut() else {
            return Ok(Some(node));
        };
        match &mut parent.node.value {
            Value::Seq(items) => items.push(node),
            Value::Map(entries) => match parent.pending_key.take() {
                None => {
                    if node.as_scalar().is_none() {
                        return Err(err(node.line, "mapping keys must be plain text"));
                    }
                    let key = node.as_scalar().unwrap_or_default();
                    if entries.iter().any(|(k, _)| k.as_scalar() == Some(key)) {
                        return Err(err(node.line, format!("duplicate key `{key}`")));
                    }
                    parent.pending_key = Some(node);
                }
                Some(key) => entries.push((key, node)),
            },
            Value::Scalar { .. } => unreachable!("scalars never sit on the stack"),
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn can_load_mappings_lists_and_lines() {
        let node = load("titel: Test\nthemas: [a, b]\nlessen:\n  - uitdaging: x\n    les: y\n").unwrap();
        let Value::Map(entries) = &node.value else { panic!() };
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].0.as_scalar(), Some("titel"));
        assert_eq!(entries[0].0.line, 1);
        assert_eq!(entries[1].1.line, 2);
        assert_eq!(entries[2].0.line, 3);
        let Value::Seq(lessen) = &entries[2].1.value else { panic!() };
        assert_eq!(lessen[0].line, 4);
    }

    #[test]
    fn errors_when_aliases_or_anchors_are_used() {
        let e = load("a: &x [1, 2]\nb: *x\n").unwrap_err();
        assert!(e.message.contains("anchors"), "{e:?}");
        assert_eq!(e.line, 1);
    }

    #[test]
    fn rejects_a_billion_laughs_file_in_milliseconds() {
        let mut text = String::from("a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let start = Instant::now();
        assert!(load(&text).is_err());
        assert!(start.elapsed() < Duration::from_millis(100));
    }

    #[test]
    fn errors_when_nested_too_deep_or_duplicated() {
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(load(&deep).unwrap_err().message.contains("nested deeper"));
        let e = load("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (3, "duplicate key `a`"));
    }

    #[test]
    fn common_mistakes_get_a_hint() {
        let colon = load("titel: Vastgoed: de aanpak\n").unwrap_err();
        assert!(colon.message.contains("Put the value in quotes"), "{colon:?}");
        let tab = load("a:\n\tb: 1\n").unwrap_err();
        assert!(tab.message.contains("indent with spaces"), "{tab:?}");
        let dash = load("lessen:\n  - uitdaging: leren\n    les: x\n  uitdaging: grenzen\n").unwrap_err();
        assert!(dash.message.contains("start with `- `"), "{dash:?}");
    }

    #[test]
    fn reports_malformed_yaml_with_its_line() {
        let e = load("a: 1\nb: [unclosed\nc: 2\n").unwrap_err();
        assert!(e.message.starts_with("malformed YAML"), "{e:?}");
        assert!(e.line >= 2, "{e:?}");
    }

    #[test]
    fn reports_errors_at_the_end_on_the_last_line() {
        // Found by the property tests (indexer/tests/sanitize_props.rs): yaml-rust2 puts the
        // end of the stream on the line after the last, so `a: !!str` failed on line 2 of 1.
        assert_eq!(load("!!str").unwrap_err().line, 1);
        assert_eq!(load("a: 1\nb: !!str").unwrap_err().line, 2);
        assert_eq!(load("a: [").unwrap_err().line, 1);
        assert_eq!(load("a: [\n").unwrap_err().line, 2);
        assert_eq!(load("a: 1\rb: [").unwrap_err().line, 2);
        assert_eq!(line_count("a\r\nb\rc\n"), 4);
    }

    #[test]
    fn errors_on_tags_and_many_documents() {
        assert!(load("a: !!str 1\n").unwrap_err().message.contains("tags"));
        assert!(load("a: 1\n---\nb: 2\n").unwrap_err().message.contains("one YAML document"));
    }
}

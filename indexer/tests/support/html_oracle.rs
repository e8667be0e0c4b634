//! The oracle for "sanitised HTML is inert": every element and attribute of
//! the output, as a real HTML parser (html5ever, through `scraper`) builds
//! them, checked against what could run code, load active content, submit
//! data or restyle the page. Shared by `tests/sanitize_props.rs` and the
//! `markdown` fuzz target (`fuzz/fuzz_targets/markdown.rs`).

use scraper::{Html, Node as HtmlNode};

/// Elements that run code, load active content, submit data or restyle the page.
const ACTIVE_TAGS: &[&str] = &[
    "script",
    "iframe",
    "frame",
    "frameset",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    "style",
    "meta",
    "link",
    "base",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "template",
    "noscript",
    "xmp",
    "plaintext",
    "portal",
    "audio",
    "video",
    "source",
    "track",
];

/// The same, as they would appear in the serialised output.
const ACTIVE_SUBSTRINGS: &[&str] = &[
    "<script",
    "<iframe",
    "<frame",
    "<form",
    "<input",
    "<button",
    "<style",
    "<meta",
    "<link",
    "<base",
    "<object",
    "<embed",
    "<svg",
    "<math",
    "<template",
    "<noscript",
];

/// Attributes that hold a URL a browser may follow or load.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "srcset",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "cite",
    "longdesc",
    "lowsrc",
    "dynsrc",
    "ping",
    "xlink:href",
];

/// The URL as a browser's URL parser sees its start: leading and trailing
/// C0 controls and spaces removed, tabs and newlines removed anywhere, lowercased.
/// (Entities were already decoded by the HTML parser.)
fn normalised_url(value: &str) -> String {
    value
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The scheme of a (normalised) URL, if it has one: as the URL standard reads
/// it, an ASCII letter, then letters, digits, `+`, `-` or `.`, up to a `:`.
/// Anything else (`%6a…:`, `\\j…:`) is a relative URL.
fn scheme(url: &str) -> Option<&str> {
    let end = url.find(':')?;
    let s = &url[..end];
    let mut chars = s.chars();
    let valid =
        chars.next().is_some_and(|c| c.is_ascii_alphabetic()) && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(s)
}

/// Every reason `html` (the sanitiser's output) could run code or load active content.
pub fn violations(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lower = html.to_lowercase();
    for bad in ACTIVE_SUBSTRINGS {
        if lower.contains(bad) {
            found.push(format!("substring `{bad}`"));
        }
    }
    let doc = Html::parse_fragment(html);
    for node in doc.tree.nodes() {
        let HtmlNode::Element(el) = node.value() else { continue };
        let tag = el.name().to_ascii_lowercase();
        if ACTIVE_TAGS.contains(&tag.as_str()) {
            found.push(format!("element <{tag}>"));
        }
        if &*el.name.ns != "http://www.w3.org/1999/xhtml" {
            found.push(format!("foreign element <{tag}> in {:?}", el.name.ns));
        }
        for (name, value) in el.attrs() {
            let name = name.to_ascii_lowercase();
            if name.starts_with("on") {
                found.push(format!("event handler `{name}` on <{tag}>"));
            }
            if name == "style" {
                let v = value.to_ascii_lowercase();
                let only_alignment = v.split(';').map(str::trim).filter(|d| !d.is_empty()).all(|d| {
                    let (prop, val) = d.split_once(':').unwrap_or((d, ""));
                    prop.trim() == "text-align" && matches!(val.trim(), "left" | "center" | "right")
                });
                if !only_alignment || !matches!(tag.as_str(), "th" | "td") {
                    found.push(format!("style `{value}` on <{tag}>"));
                }
            }
            if name == "http-equiv" || name == "srcdoc" || name == "formaction" {
                found.push(format!("attribute `{name}` on <{tag}>"));
            }
            if URL_ATTRIBUTES.contains(&name.as_str()) {
                let url = normalised_url(value);
                for bad in ["javascript:", "data:", "vbscript:"] {
                    if url.starts_with(bad) {
                        found.push(format!("`{name}` starts with `{bad}`: {value:?}"));
                    }
                }
                // Stronger: the only schemes that survive are the allowlisted ones.
                if let Some(s) = scheme(&url)
                    && !matches!(s, "http" | "https" | "mailto")
                {
                    found.push(format!("`{name}` has scheme `{s}`: {value:?}"));
                }
            }
        }
    }
    found
}

//! Markdown bodies: CommonMark with tables, rendered by pulldown-cmark and
//! sanitised by ammonia (raw HTML and dangerous URLs never survive), plus the
//! plain text for the index and the heading outline for a table of contents.

use crate::model::{Heading, Rendered};
use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
use std::collections::HashSet;
use std::sync::LazyLock;

/// Most markdown bytes rendered per document (files are capped at 1 MiB before this).
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// Most links and images in one document.
pub const MAX_LINKS: usize = 2_000;
/// Deepest nesting of block quotes and lists.
pub const MAX_NESTING: usize = 32;
/// Longest a document may take to parse.
pub const MAX_RENDER_TIME: std::time::Duration = std::time::Duration::from_secs(2);

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.add_tag_attributes("h2", ["id"])
        .add_tag_attributes("h3", ["id"])
        .add_tag_attributes("h4", ["id"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .filter_style_properties(["text-align"].into_iter().collect());
    b
});

/// Renders a markdown body to sanitised HTML, plain text and an outline.
/// Fails (with a message for the author) when a document exceeds a cap.
pub fn render(markdown: &str) -> Result<Rendered, String> {
    let markdown = truncate(markdown, MAX_BODY_BYTES);
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let started = std::time::Instant::now();
    let mut events: Vec<Event<'_>> = Vec::new();
    let (mut links, mut depth) = (0usize, 0usize);
    for (n, event) in Parser::new_ext(markdown, options).enumerate() {
        match &event {
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => {
                links += 1;
                if links > MAX_LINKS {
                    return Err(format!("more than {MAX_LINKS} links or images"));
                }
            }
            Event::Start(Tag::BlockQuote(_) | Tag::List(_)) => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(format!("block quotes or lists nested deeper than {MAX_NESTING} levels"));
                }
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_)) => depth = depth.saturating_sub(1),
            _ => {}
        }
        if n % 1024 == 0 && started.elapsed() > MAX_RENDER_TIME {
            return Err(format!("rendering took longer than {} s", MAX_RENDER_TIME.as_secs()));
        }
        events.push(event);
    }

    let mut toc = Vec::new();
    let mut text = String::new();
    let mut used = HashSet::new();
    let mut open_heading: Option<(usize, u8, String)> = None;
    for i in 0..events.len() {
        match &events[i] {
            Event::Start(Tag::Heading { level, .. }) => open_heading = Some((i, heading_level(*level), String::new())),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((start, level, title)) = open_heading.take() {
                    let title = title.trim().to_string();
                    let anchor = unique_anchor(&title, &mut used);
                    if let Event::Start(Tag::Heading { id, .. }) = &mut events[start] {
                        *id = Some(CowStr::from(anchor.clone()));
                    }
                    if (2..=3).contains(&level) && !title.is_empty() {
                        toc.push(Heading {
                            level,
                            text: title,
                            anchor,
                        });
                    }
                }
                text.push('\n');
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, title)) = &mut open_heading {
                    title.push_str(t);
                }
                text.push_str(t);
            }
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell | TagEnd::CodeBlock | TagEnd::BlockQuote(_)) => text.push('\n'),
            _ => {}
        }
    }
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, events.into_iter());
    Ok(Rendered::new(&sanitize(&raw), &collapse_blank_lines(&text), toc))
}

/// Cleans untrusted HTML with the site's allowlist.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// A URL fragment for a heading: lowercase ASCII letters, digits and dashes.
pub fn anchor_for(title: &str) -> String {
    let mut out = String::new();
    for c in crate::text::fold(title).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "sectie".to_string() } else { out }
}

fn unique_anchor(title: &str, used: &mut HashSet<String>) -> String {
    let base = anchor_for(title);
    let mut anchor = base.clone();
    let mut n = 2;
    while !used.insert(anchor.clone()) {
        anchor = format!("{base}-{n}");
        n += 1;
    }
    anchor
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn collapse_blank_lines(s: &str) -> String {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn can_render_tables_headings_and_outline() {
        let r =
            render("## Aanleiding\n\nTekst met *nadruk*.\n\n## Aanleiding\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n### Café & coöperatie\n")
                .unwrap();
        assert!(r.html().contains("<h2 id=\"aanleiding\">Aanleiding</h2>"), "{}", r.html());
        assert!(r.html().contains("<h2 id=\"aanleiding-2\">"), "{}", r.html());
        assert!(r.html().contains("<table>"), "{}", r.html());
        assert_eq!(
            r.toc().iter().map(|h| h.anchor.as_str()).collect::<Vec<_>>(),
            ["aanleiding", "aanleiding-2", "cafe-cooperatie"]
        );
        assert!(r.text().contains("Tekst met nadruk."));
    }

    #[test]
    fn never_lets_scripts_handlers_or_javascript_urls_through() {
        let evil = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[klik](javascript:alert(1))\n\n\
<a href=\"JaVaScRiPt:alert(1)\">x</a>\n\n<iframe src=\"https://e.example\"></iframe>\n\n<form action=\"/x\"><input></form>\n\n\
<div style=\"background:url(x)\">s</div>\n\n<meta http-equiv=\"refresh\" content=\"0;url=https://e.example\">\n\n[data](data:text/html;base64,PHNjcmlwdD4=)\n";
        let html = render(evil).unwrap().html().to_lowercase();
        for bad in [
            "<script",
            "onerror",
            "javascript:",
            "<iframe",
            "<form",
            "<input",
            "style=",
            "<meta",
            "data:",
        ] {
            assert!(!html.contains(bad), "`{bad}` survived in {html}");
        }
    }

    #[test]
    fn adds_rel_noopener_to_external_links() {
        let html = render("[RIEC](https://www.riec.nl)").unwrap().html();
        assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
    }

    #[test]
    fn errors_when_a_document_exceeds_a_cap() {
        let links = "[a](https://e.example) ".repeat(MAX_LINKS + 1);
        assert!(render(&links).unwrap_err().contains("links"));
        let nested = "> ".repeat(MAX_NESTING + 1) + "diep";
        assert!(render(&nested).unwrap_err().contains("nested deeper"));
        assert!(render(&"> ".repeat(MAX_NESTING - 1)).is_ok());
    }

    #[test]
    fn pathological_inputs_render_quickly() {
        // Shapes from pulldown-cmark's issue history (#82, #248, #251, #255, #934).
        let inputs = [
            "[".repeat(50_000),
            "*a **a ".repeat(20_000),
            "`".repeat(50_000),
            "<a ".repeat(30_000),
            "- ".repeat(20_000) + "x",
            "[x](".repeat(20_000),
            "a_".repeat(50_000),
            "|a".repeat(30_000) + "\n|-|\n",
        ];
        // Each one is rendered completely, or refused by a cap on its shape
        // (links, nesting), never cut off by the time budget: a render that got
        // slow would give up at `MAX_RENDER_TIME` and fail here.
        for input in inputs {
            match render(&input) {
                Ok(r) => assert!(
                    !r.text().is_empty() || !r.html().is_empty(),
                    "input starting {:?}: empty",
                    &input[..20]
                ),
                Err(e) => assert!(
                    !e.contains("took longer"),
                    "input starting {:?} hit the time budget: {e}",
                    &input[..20]
                ),
            }
        }
    }
}

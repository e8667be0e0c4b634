//! Property tests for the hostile-input boundaries of the indexer (issue 6):
//! - `markdown::render` never lets an active element, an event handler or a
//!   script-capable URL through, for markdown and raw HTML built from
//!   adversarial fragments; the output is checked with a real HTML parser
//!   (html5ever through `scraper`), the same tokenising a browser does;
//! - `yaml::load` never panics and stays within its depth and node caps;
//! - `query::parse` never panics and keeps at most `MAX_CLAUSES` clauses.

use indexer::model::yaml::{self, MAX_DEPTH, MAX_NODES, Node, Value};
use indexer::search::query::{self, Item, MAX_CLAUSES};
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::time::{Duration, Instant};

#[path = "support/html_oracle.rs"]
mod html_oracle;
use html_oracle::violations;

/// The sanitised HTML of `input`, or `None` when rendering refused it (a cap was hit).
fn rendered_html(input: &str) -> Option<String> {
    indexer::model::markdown::render(input).ok().map(|r| r.html())
}

// ---------------------------------------------------------------- generators

/// A word in random ASCII case (`ScRiPt`).
fn odd_case(word: &'static str) -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<bool>(), word.len()).prop_map(move |upper| {
        word.chars()
            .zip(upper)
            .map(|(c, u)| if u { c.to_ascii_uppercase() } else { c })
            .collect()
    })
}

/// Whitespace and controls that parsers treat in surprising ways.
fn junk_space() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" ".to_string()),
        Just("\t".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\u{0c}".to_string()),
        Just("\u{0b}".to_string()),
        Just("\u{0}".to_string()),
        Just("\u{a0}".to_string()),
        Just("/".to_string()),
        Just("&#9;".to_string()),
        Just("&#10;".to_string()),
        Just("&Tab;".to_string()),
        Just("&NewLine;".to_string()),
        Just("&#x0A;".to_string()),
        Just("&#0000009".to_string()),
    ]
}

/// One character of a scheme, either itself or as an HTML or percent encoding.
fn encoded_char(c: char) -> impl Strategy<Value = String> {
    let n = c as u32;
    prop_oneof![
        4 => Just(c.to_string()),
        1 => Just(c.to_ascii_uppercase().to_string()),
        1 => Just(format!("&#{n};")),
        1 => Just(format!("&#x{n:x};")),
        1 => Just(format!("&#X{n:X}")),
        1 => Just(format!("&#{n:07}")),
        1 => Just(format!("%{n:02x}")),
        1 => Just(format!("\\{c}")),
    ]
}

/// `javascript:`, `data:` or `vbscript:` with entities, case and whitespace tricks.
fn hostile_scheme() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("javascript"),
        Just("data"),
        Just("vbscript"),
        Just("jav\tascript"),
        Just("java\0script")
    ]
    .prop_flat_map(|s| {
        let chars: Vec<BoxedStrategy<String>> = s.chars().map(|c| encoded_char(c).boxed()).collect();
        let colon = prop_oneof![
            Just(":".to_string()),
            Just("&colon;".to_string()),
            Just("&#58;".to_string()),
            Just("&#x3a;".to_string()),
            Just("&#0058".to_string()),
            Just("%3a".to_string()),
        ];
        (junk_space(), chars, junk_space(), colon)
    })
    .prop_map(|(lead, chars, mid, colon)| {
        let mut s = lead;
        let n = chars.len();
        for (i, c) in chars.into_iter().enumerate() {
            s.push_str(&c);
            if i == n / 2 {
                s.push_str(&mid);
            }
        }
        s.push_str(&colon);
        s
    })
}

fn payload() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("alert(1)".to_string()),
        Just("alert(document.cookie)//".to_string()),
        Just("text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==".to_string()),
        Just("text/html,<script>alert(1)</script>".to_string()),
        Just("image/svg+xml,<svg onload=alert(1)>".to_string()),
        Just("msgbox(1)".to_string()),
        Just("//%0aalert(1)".to_string()),
    ]
}

/// A URL an attacker would try, or an ordinary one.
fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (hostile_scheme(), payload()).prop_map(|(s, p)| format!("{s}{p}")),
        1 => Just("https://www.riec.nl/".to_string()),
        1 => Just("/dossiers/x".to_string()),
        1 => Just("#sectie".to_string()),
        1 => Just("mailto:a@b.nl".to_string()),
        1 => Just("//evil.example/x".to_string()),
        1 => Just("file:///etc/passwd".to_string()),
        1 => Just("ftp://x".to_string()),
    ]
}

fn quoted(value: String) -> impl Strategy<Value = String> {
    prop_oneof![
        Just(format!("\"{value}\"")),
        Just(format!("'{value}'")),
        Just(value.replace([' ', '>'], "")),
        Just(format!("`{value}`")),
    ]
}

fn tag_name() -> impl Strategy<Value = String> {
    prop_oneof![
        odd_case("script"),
        odd_case("iframe"),
        odd_case("form"),
        odd_case("input"),
        odd_case("style"),
        odd_case("meta"),
        odd_case("object"),
        odd_case("embed"),
        odd_case("svg"),
        odd_case("math"),
        odd_case("a"),
        odd_case("img"),
        odd_case("div"),
        odd_case("p"),
        odd_case("td"),
        odd_case("details"),
        odd_case("video"),
        odd_case("base"),
        odd_case("link"),
        odd_case("button"),
        odd_case("textarea"),
        odd_case("template"),
        odd_case("noscript"),
        odd_case("xmp"),
        odd_case("plaintext"),
        odd_case("frameset"),
    ]
}

fn attr_name() -> impl Strategy<Value = String> {
    prop_oneof![
        odd_case("onerror"),
        odd_case("onload"),
        odd_case("onclick"),
        odd_case("onmouseover"),
        odd_case("onfocus"),
        odd_case("onanimationstart"),
        odd_case("href"),
        odd_case("src"),
        odd_case("srcset"),
        odd_case("action"),
        odd_case("formaction"),
        odd_case("data"),
        odd_case("style"),
        odd_case("xlink:href"),
        odd_case("http-equiv"),
        odd_case("content"),
        odd_case("srcdoc"),
        odd_case("background"),
        odd_case("title"),
        odd_case("id"),
        odd_case("class"),
        odd_case("autofocus"),
    ]
}

fn attr_value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => url(),
        1 => Just("alert(1)".to_string()),
        1 => Just("0;url=javascript:alert(1)".to_string()),
        1 => Just("refresh".to_string()),
        1 => Just("background:url(javascript:alert(1))".to_string()),
        1 => Just("width:expression(alert(1))".to_string()),
        1 => Just("text-align: center".to_string()),
        1 => Just("<script>alert(1)</script>".to_string()),
        1 => Just("x\" onerror=\"alert(1)".to_string()),
    ]
}

/// A raw HTML start tag with hostile attributes, in odd spellings.
fn start_tag() -> impl Strategy<Value = String> {
    let attr = (junk_space(), attr_name(), junk_space(), attr_value().prop_flat_map(quoted)).prop_map(|(s1, n, s2, v)| {
        let sep = if s1.is_empty() { " ".to_string() } else { s1 };
        format!("{sep}{n}{s2}={v}")
    });
    (
        tag_name(),
        proptest::collection::vec(attr, 0..3),
        prop_oneof![Just(">"), Just("/>"), Just(" >"), Just("")],
    )
        .prop_map(|(t, attrs, close)| format!("<{t}{}{close}", attrs.concat()))
}

fn end_tag() -> impl Strategy<Value = String> {
    (tag_name(), junk_space()).prop_map(|(t, s)| format!("</{t}{s}>"))
}

/// Markdown constructs that produce links, images and raw HTML.
fn markdown_fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        url().prop_map(|u| format!("[klik]({u})")),
        url().prop_map(|u| format!("![beeld]({u})")),
        url().prop_map(|u| format!("[klik]({u} \"titel\")")),
        url().prop_map(|u| format!("[klik](<{u}>)")),
        url().prop_map(|u| format!("<{u}>")),
        url().prop_map(|u| format!("[ref][r]\n\n[r]: {u}\n")),
        url().prop_map(|u| format!("![ref][i]\n\n[i]: <{u}> 'titel'\n")),
        (url(), url()).prop_map(|(a, b)| format!("[![img]({a})]({b})")),
        (url(), url()).prop_map(|(a, b)| format!("[a [b]({a}) c]({b})")),
        (url(), url()).prop_map(|(a, b)| format!("[[x]({a})]({b})")),
        url().prop_map(|u| format!("[x](  {u}  )")),
        url().prop_map(|u| format!("[x]({})", u.replace(':', "&#58;"))),
        Just("| a | b |\n|:--|:-:|\n| <img src=x onerror=alert(1)> | [x](javascript:alert(1)) |\n".to_string()),
        Just("```html\n<script>alert(1)</script>\n```\n".to_string()),
        Just("    <script>alert(1)</script>\n".to_string()),
        Just("`<script>`".to_string()),
        Just("# <script>alert(1)</script> kop\n".to_string()),
        Just("## Kop {#onclick}\n".to_string()),
        Just("> <iframe src=x>\n".to_string()),
        Just("- <svg><script>alert(1)</script></svg>\n".to_string()),
        Just("***<b>x</b>***".to_string()),
        Just("~~<s onclick=x>x</s>~~".to_string()),
    ]
}

/// Raw HTML blocks and known sanitiser-bypass shapes.
fn html_block() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<div>\n\n[x](javascript:alert(1))\n\n</div>\n".to_string()),
        Just("<!-- <script>alert(1)</script> -->".to_string()),
        Just("<!--><script>alert(1)</script>-->".to_string()),
        Just("<![CDATA[<script>alert(1)</script>]]>".to_string()),
        Just("<?xml version=\"1.0\"?><script>alert(1)</script>".to_string()),
        Just("<!DOCTYPE html><script>alert(1)</script>".to_string()),
        Just("<scr<script>ipt>alert(1)</scr</script>ipt>".to_string()),
        Just("<<script>script>alert(1)<</script>/script>".to_string()),
        Just("<svg><style><img src=x onerror=alert(1)></style></svg>".to_string()),
        Just("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>".to_string()),
        Just("<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">".to_string()),
        Just("<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>".to_string()),
        Just("<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>".to_string()),
        Just("<math href=\"javascript:alert(1)\">x</math>".to_string()),
        Just("<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">".to_string()),
        Just("<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>".to_string()),
        Just("<object data=\"data:text/html,<script>alert(1)</script>\"></object>".to_string()),
        Just("<embed src=\"javascript:alert(1)\">".to_string()),
        Just("<form action=\"javascript:alert(1)\"><input type=submit formaction=javascript:alert(1)></form>".to_string()),
        Just("<style>@import 'javascript:alert(1)';</style>".to_string()),
        Just("<a href=\"jav&#x09;ascript:alert(1)\">x</a>".to_string()),
        Just("<a href=\"&#14;javascript:alert(1)\">x</a>".to_string()),
        Just("<a href=\" &#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)\">x</a>".to_string()),
        Just("<img src=\"x\" onerror=\"alert(1)\"/>".to_string()),
        Just("<img/src=x/onerror=alert(1)>".to_string()),
        Just("<details open ontoggle=alert(1)>".to_string()),
        Just("<table><td style=\"background:url(javascript:alert(1))\">x</td></table>".to_string()),
        Just("<pre>\n<script>alert(1)</script>\n</pre>\n".to_string()),
        Just("<textarea><script>alert(1)</script></textarea>".to_string()),
        Just("<base href=\"javascript:alert(1)//\">".to_string()),
        Just("<link rel=stylesheet href=\"data:text/css,*{}\">".to_string()),
    ]
}

fn noise() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z ]{0,12}",
        "[<>\"'=&#;:/\\\\ \n\t!\\[\\]()`*_-]{0,12}",
        ".{0,8}",
        Just("\n\n".to_string()),
        Just("\n    ".to_string()),
        Just("\n> ".to_string()),
        Just("\n- ".to_string()),
    ]
}

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => start_tag(),
        2 => end_tag(),
        3 => markdown_fragment(),
        3 => html_block(),
        2 => noise(),
        1 => (hostile_scheme(), payload()).prop_map(|(s, p)| format!("{s}{p}")),
    ]
}

/// A document of adversarial fragments joined by random separators.
fn hostile_document() -> impl Strategy<Value = String> {
    let sep = prop_oneof![Just(""), Just(" "), Just("\n"), Just("\n\n"), Just("\n\n    ")];
    proptest::collection::vec((fragment(), sep), 1..12).prop_map(|parts| {
        parts.into_iter().fold(String::new(), |mut s, (f, sep)| {
            s.push_str(&f);
            s.push_str(sep);
            s
        })
    })
}

// ---------------------------------------------------------------- markdown

proptest! {
    #![proptest_config(Config { cases: 1024, ..Config::default() })]

    #[test]
    fn rendered_html_never_holds_an_active_element_or_attribute(input in hostile_document()) {
        // Small documents are always within the caps.
        let html = rendered_html(&input).expect("a small document renders");
        let bad = violations(&html);
        prop_assert!(bad.is_empty(), "{bad:?}\ninput: {input:?}\noutput: {html}");
    }

    #[test]
    fn rendered_html_is_safe_for_arbitrary_text(input in "\\PC{0,200}") {
        // Small documents are always within the caps.
        let html = rendered_html(&input).expect("a small document renders");
        let bad = violations(&html);
        prop_assert!(bad.is_empty(), "{bad:?}\ninput: {input:?}\noutput: {html}");
    }
}

#[test]
fn the_oracle_catches_what_it_looks_for() {
    // Guard against a vacuous property: raw hostile HTML, unsanitised, must be flagged.
    for (raw, expect) in [
        ("<script>alert(1)</script>", "element <script>"),
        ("<a href=\" &#x6A;avascript&colon;alert(1)\">x</a>", "starts with `javascript:`"),
        ("<a href=\"java&#9;script:alert(1)\">x</a>", "starts with `javascript:`"),
        ("<img src=\"DATA:text/html,x\">", "starts with `data:`"),
        ("<img src=x oNeRrOr=alert(1)>", "event handler `onerror`"),
        ("<svg><a xlink:href=\"javascript:alert(1)\">x</a></svg>", "element <svg>"),
        ("<table><tr><td style=\"background:url(x)\">x</td></tr></table>", "style"),
        ("<a href=\"file:///etc/passwd\">x</a>", "scheme `file`"),
        ("<a href=\"&#10;Vbscript:msgbox(1)\">x</a>", "starts with `vbscript:`"),
    ] {
        let found = violations(raw);
        assert!(
            found.iter().any(|v| v.contains(expect)),
            "{raw}: expected {expect}, found {found:?}"
        );
    }
    assert!(violations("<p><a href=\"https://x.nl\" rel=\"noopener noreferrer\">x</a> onclick=1</p>").is_empty());
    assert!(violations("<table><tr><td style=\"text-align: center\">x</td></tr></table>").is_empty());
    // Percent signs and backslashes cannot start a scheme: these are relative URLs.
    assert!(violations("<a href=\"%6aavascript:alert(1)\">x</a><a href=\"\\javascript:x\">y</a>").is_empty());
}

// ---------------------------------------------------------------- yaml

fn yaml_fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,6}: [a-z0-9 ]{0,6}\n",
        "[ ]{0,6}- [a-z]{0,4}\n",
        "[ ]{0,6}[a-z]{1,4}:\n",
        Just("[".to_string()),
        Just("]".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just(", ".to_string()),
        Just("&a ".to_string()),
        Just("*a ".to_string()),
        Just("!!str ".to_string()),
        Just("!<tag:x> ".to_string()),
        Just("? ".to_string()),
        Just(": ".to_string()),
        Just("---\n".to_string()),
        Just("...\n".to_string()),
        Just("%YAML 1.2\n".to_string()),
        Just("%TAG ! tag:x:\n".to_string()),
        Just("|\n  blok\n".to_string()),
        Just(">-\n  gevouwen\n".to_string()),
        Just("\"esc \\x41 \\u00e9 \\".to_string()),
        Just("'quote ''".to_string()),
        Just("# commentaar\n".to_string()),
        Just("\t".to_string()),
        Just("\u{feff}".to_string()),
        Just("\r".to_string()),
        "[\\[\\]{}:,\\- \n]{1,30}",
        ".{0,10}",
    ]
}

fn yaml_document() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::collection::vec(yaml_fragment(), 0..40).prop_map(|v| v.concat()),
        1 => (1usize..400).prop_map(|n| "[".repeat(n)),
        1 => (1usize..200).prop_map(|n| "- ".repeat(n) + "x\n"),
        1 => (1usize..200).prop_map(|n| (0..n).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect()),
        1 => (1usize..30_000).prop_map(|n| format!("[{}]", vec!["a"; n].join(","))),
        1 => "\\PC{0,300}",
    ]
}

/// Depth and node count of a loaded tree (iteratively, like the loader).
fn measure(root: &Node) -> (usize, usize) {
    let mut stack = vec![(root, 1usize)];
    let (mut depth, mut nodes) = (0, 0);
    while let Some((node, d)) = stack.pop() {
        nodes += 1;
        depth = depth.max(d);
        match &node.value {
            Value::Scalar { .. } => {}
            Value::Seq(items) => stack.extend(items.iter().map(|n| (n, d + 1))),
            Value::Map(entries) => {
                for (k, v) in entries {
                    stack.push((k, d + 1));
                    stack.push((v, d + 1));
                }
            }
        }
    }
    (depth, nodes)
}

proptest! {
    #![proptest_config(Config { cases: 1024, ..Config::default() })]

    #[test]
    fn yaml_load_never_panics_and_stays_within_its_caps(input in yaml_document()) {
        let start = Instant::now();
        let result = yaml::load(&input);
        let took = start.elapsed();
        // Generous for an unoptimised build on a busy machine; the inputs are < 100 KB.
        prop_assert!(took < Duration::from_secs(2), "took {took:?} for {} bytes", input.len());
        match result {
            Ok(root) => {
                let (depth, nodes) = measure(&root);
                // Collections count towards the depth cap; a scalar leaf sits one below.
                prop_assert!(depth <= MAX_DEPTH + 1, "depth {depth}");
                prop_assert!(nodes <= MAX_NODES, "{nodes} nodes");
                prop_assert!(root.line >= 1);
            }
            Err(e) => {
                prop_assert!(!e.message.is_empty());
                // Lines as YAML counts them: `\r\n`, a lone `\r` and `\n` each end one.
                let lines = input.replace("\r\n", "\n").chars().filter(|c| matches!(c, '\r' | '\n')).count() + 1;
                prop_assert!(e.line <= lines, "line {} of {lines} lines", e.line);
            }
        }
    }
}

// ---------------------------------------------------------------- query

fn query_input() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Zëéï]{1,8}",
        Just("\"".to_string()),
        Just("-".to_string()),
        Just(" OR ".to_string()),
        Just("OR".to_string()),
        Just(" -\"".to_string()),
        Just(":".to_string()),
        Just("-".to_string()),
        Just("drugs-criminaliteit".to_string()),
        "[ \t\n\u{a0}\u{3000}]{1,3}",
        "\\PC{0,4}",
    ];
    prop_oneof![
        4 => proptest::collection::vec(piece, 0..60).prop_map(|v| v.concat()),
        1 => (1usize..3000).prop_map(|n| "a ".repeat(n)),
        1 => (1usize..3000).prop_map(|n| "a-".repeat(n)),
        1 => (1usize..3000).prop_map(|n| "\"".repeat(n)),
        1 => "\\PC{0,300}",
    ]
}

proptest! {
    #![proptest_config(Config { cases: 2048, ..Config::default() })]

    #[test]
    fn query_parse_never_panics_and_caps_its_clauses(input in query_input()) {
        let start = Instant::now();
        let clauses = query::parse(&input);
        prop_assert!(start.elapsed() < Duration::from_secs(2));
        prop_assert!(clauses.len() <= MAX_CLAUSES, "{} clauses", clauses.len());
        for c in &clauses {
            prop_assert!(!c.alts.is_empty());
            for item in &c.alts {
                match item {
                    Item::Word(w) => prop_assert!(!w.is_empty()),
                    Item::Phrase(ws) => prop_assert!(ws.len() >= 2 && ws.iter().all(|w| !w.is_empty())),
                    Item::Abbreviation(_) => prop_assert!(false, "only the builder reads abbreviations"),
                }
            }
        }
        if !clauses.is_empty() {
            prop_assert!(clauses.iter().any(|c| !c.negated), "a query of exclusions alone");
        }
    }
}

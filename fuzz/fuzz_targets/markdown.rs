//! Markdown rendering and sanitising: nothing may panic, and the HTML that
//! comes out must be inert by the same oracle as the property tests
//! (`indexer/tests/support/html_oracle.rs`: a real HTML parse, no active
//! element, no event handler, no script-capable URL).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../indexer/tests/support/html_oracle.rs"]
mod html_oracle;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // A document over a cap (links, nesting, time) is refused with a message.
    let Ok(rendered) = indexer::model::markdown::render(&text) else { return };
    let bad = html_oracle::violations(&rendered.html());
    assert!(bad.is_empty(), "{bad:?}\ninput: {text:?}\noutput: {}", rendered.html());
    for h in &rendered.toc() {
        assert!(
            h.anchor.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
            "anchor {:?}",
            h.anchor
        );
    }
});

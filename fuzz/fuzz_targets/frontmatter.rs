//! Front matter: `split`, then every per-document validator (dossier with the
//! starter vocabulary and themas, playbook, collection), and the vocabulary
//! parser on the same YAML. Nothing may panic, and every diagnostic must point
//! at a line of the file.
#![no_main]

use indexer::Diagnostic;
use indexer::model::frontmatter::{self, Context};
use indexer::model::vocab::Vocabulary;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeSet;
use std::sync::LazyLock;

static VOCAB: LazyLock<Vocabulary> = LazyLock::new(|| {
    Vocabulary::parse("content/vocabulaire.yaml", include_str!("../../content/vocabulaire.yaml")).expect("the starter vocabulary is valid")
});

/// The starter content's themas: the playbooks in `content/themas/`.
static THEMAS: LazyLock<BTreeSet<String>> = LazyLock::new(|| {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../content/themas");
    let themas: BTreeSet<String> = std::fs::read_dir(dir)
        .expect("content/themas exists")
        .filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(str::to_string))
        .collect();
    assert!(!themas.is_empty());
    themas
});

/// Lines as YAML counts them: `\r\n`, a lone `\r` and `\n` each end one.
fn yaml_lines(text: &str) -> usize {
    text.replace("\r\n", "\n").chars().filter(|c| matches!(c, '\r' | '\n')).count() + 1
}

fn check(text: &str, diagnostics: &[Diagnostic]) {
    let lines = yaml_lines(text);
    for d in diagnostics {
        assert!(!d.message.is_empty(), "empty message: {d:?}");
        assert!(d.line >= 1 && d.line <= lines, "line {} of a {lines}-line file: {d:?}", d.line);
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(split) = frontmatter::split(&text) else { return };
    assert!(split.body.len() + split.yaml.len() <= text.len());
    let ctx = Context {
        vocab: &VOCAB,
        themas: &THEMAS,
        thema_namen: &[],
    };
    match frontmatter::dossier("dossiers/x/fuzz.md", &split, &ctx) {
        Err(d) | Ok((_, d)) => check(&text, &d),
    }
    if let Err(d) = frontmatter::playbook("themas/fuzz.md", &split) {
        check(&text, &d);
    }
    if let Err(d) = frontmatter::collection("collecties/fuzz.md", &split, &VOCAB) {
        check(&text, &d);
    }
    if let Err(d) = Vocabulary::parse("vocabulaire.yaml", split.yaml) {
        for d in &d {
            assert!(!d.message.is_empty());
        }
    }
});

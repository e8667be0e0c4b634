//! Test helpers: small libraries built from in-memory documents.

use crate::Library;
use crate::source::{RawFile, Snapshot};

fn file(rel: &str, text: &str) -> RawFile {
    RawFile {
        rel: rel.into(),
        display: rel.into(),
        bytes: text.as_bytes().into(),
        oid: None,
        deferred: false,
    }
}

/// A file as read from git: its blob id is a hash of its content.
fn blob(rel: &str, text: &str) -> RawFile {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    RawFile {
        oid: Some(format!("{:016x}", h.finish())),
        ..file(rel, text)
    }
}

/// A catalog assembled with `cache`, as an engine does on every update, from
/// files read from git: the starter vocabulary, playbooks `(slug, titel)` and
/// dossiers `(regio/slug, toegang, body)`.
pub fn catalog(cache: &mut crate::catalog::RenderCache, themas: &[(&str, &str)], docs: &[(&str, &str, &str)]) -> crate::Catalog {
    let mut files = vec![blob(
        "vocabulaire.yaml",
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../content/vocabulaire.yaml")),
    )];
    for (slug, titel) in themas {
        files.push(blob(
            &format!("themas/{slug}.md"),
            &format!(
                "---\ntitel: {titel}\ntype: playbook\nsamenvatting: Over {slug} en ondermijning, voor de test.\ntoegang: openbaar\n---\n"
            ),
        ));
    }
    let thema = themas.first().map_or("vastgoed", |t| t.0);
    for (id, toegang, body) in docs {
        let (regio, slug) = id.split_once('/').expect("regio/slug");
        files.push(blob(
            &format!("dossiers/{regio}/{slug}.md"),
            &format!(
                "---\ntitel: Dossier {slug}\ntype: praktijk\nregio: {regio}\nthemas: [{thema}]\nsamenvatting: Een praktijk, voor de test van dit werk en van ons.\ntoegang: {toegang}\n---\n{body}\n"
            ),
        ));
    }
    let commit = files.len().to_string();
    assemble(files, commit, cache)
}

/// One source of `files` at `commit`, assembled with `cache`; no errors allowed.
fn assemble(files: Vec<RawFile>, commit: String, cache: &mut crate::catalog::RenderCache) -> crate::Catalog {
    let snap = Snapshot {
        commit: Some(commit),
        files,
        ..Default::default()
    };
    let spec = crate::SourceSpec {
        name: "t".into(),
        location: crate::Location::Dir("x".into()),
        regions: vec!["*".into()],
        edit_url: None,
    };
    let cat = crate::Catalog::assemble_cached(vec![(spec, Ok(snap))], cache);
    assert!(cat.diagnostics().all(|d| !d.is_error()), "{:?}", cat.reports);
    cat
}

/// A public library of Limburg praktijken `(slug, body)` on the thema vastgoed,
/// with the starter vocabulary and a horeca playbook with synonyms.
pub fn library(docs: &[(&str, &str)]) -> Library {
    let mut files = vec![
        file(
            "vocabulaire.yaml",
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../content/vocabulaire.yaml")),
        ),
        file(
            "themas/vastgoed.md",
            "---\ntitel: Vastgoed\ntype: playbook\nsamenvatting: Over vastgoed en ondermijning, voor de test.\ntoegang: openbaar\n---\n",
        ),
        file(
            "themas/horeca.md",
            "---\ntitel: Horeca\ntype: playbook\nsamenvatting: Over horeca en ondermijning, voor de test.\ntoegang: openbaar\nsynoniemen: [kroeg, café]\n---\n",
        ),
    ];
    for (slug, body) in docs {
        files.push(file(
            &format!("dossiers/limburg/{slug}.md"),
            &format!(
                "---\ntitel: Dossier {slug}\ntype: praktijk\nregio: limburg\nthemas: [vastgoed]\nsamenvatting: Een praktijk voor de test van de zoekmachine.\ntoegang: openbaar\n---\n{body}\n"
            ),
        ));
    }
    let cat = assemble(files, "abc".into(), &mut crate::catalog::RenderCache::default());
    Library::new(&cat, crate::Audience::Public)
}

/// The starter content (`content/`) as `audience` sees it.
pub fn starter(audience: crate::Audience) -> Library {
    let spec = crate::SourceSpec {
        name: "content".into(),
        location: crate::Location::Dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../content").into()),
        regions: vec!["*".into()],
        edit_url: None,
    };
    Library::new(&crate::Catalog::load(&[spec]), audience)
}

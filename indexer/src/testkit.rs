//! Test helpers: small libraries built from in-memory documents.

use crate::Library;
use crate::source::{RawFile, Snapshot};

fn file(rel: &str, text: &str) -> RawFile {
    RawFile {
        rel: rel.into(),
        display: rel.into(),
        bytes: text.as_bytes().to_vec(),
        oid: None,
    }
}

/// A public library of Limburg praktijken `(slug, body)` on the thema vastgoed,
/// with the starter vocabulary and a horeca playbook with synonyms.
pub fn library(docs: &[(&str, &str)]) -> Library {
    let mut files = vec![
        file("vocabulaire.yaml", include_str!("../../content/vocabulaire.yaml")),
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
    let snap = Snapshot {
        commit: Some("abc".into()),
        files,
        ..Default::default()
    };
    let spec = crate::SourceSpec {
        name: "t".into(),
        location: crate::Location::Dir("x".into()),
        regions: vec!["*".into()],
        edit_url: None,
    };
    let cat = crate::Catalog::assemble(vec![(spec, Ok(snap))]);
    assert!(cat.diagnostics().all(|d| !d.is_error()), "{:?}", cat.reports);
    Library::new(&cat, crate::Audience::Public)
}

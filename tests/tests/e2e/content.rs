//! The repository's own starter content stays valid and complete.

use tegenkracht_tests::{run, workspace};

#[test]
fn starter_content_checks_clean() {
    let out = run(&workspace(), &["check", "content", "--format", "json"]);
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(findings, serde_json::json!([]), "check must report nothing on content/");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn starter_content_has_the_required_documents() {
    let root = workspace().join("content");
    for thema in [
        "horeca",
        "buitengebied",
        "vastgoed",
        "havens",
        "luchthavens",
        "jonge-aanwas",
        "criminele-geldstromen",
        "recreatieparken",
        "bedrijventerreinen",
        "motorbendes",
        "bestuurlijke-weerbaarheid",
        "drugsproductie",
    ] {
        assert!(root.join(format!("themas/{thema}.md")).is_file(), "playbook {thema}");
    }
    let mut dossiers = 0;
    let mut praktijken = 0;
    for entry in walk(&root.join("dossiers")) {
        let text = std::fs::read_to_string(&entry).unwrap();
        if text.contains("\ntype: leerdossier\n") {
            dossiers += 1;
        } else if text.contains("\ntype: praktijk\n") {
            praktijken += 1;
        }
    }
    assert!(dossiers >= 13, "{dossiers} leerdossiers");
    assert!(praktijken >= 15, "{praktijken} praktijken");
    let collecties = std::fs::read_dir(root.join("collecties")).unwrap().count();
    assert!(collecties >= 4, "{collecties} collecties");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

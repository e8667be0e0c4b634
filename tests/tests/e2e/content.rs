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

/// The front matter of a starter file (between the first two `---` lines).
fn front_matter(text: &str) -> &str {
    let rest = text.strip_prefix("---\n").expect("front matter");
    &rest[..rest.find("\n---").expect("end of front matter")]
}

#[test]
fn starter_content_cites_its_sources_and_speaks_for_no_real_body() {
    let root = workspace().join("content");
    // Every dossier and playbook names the documents it draws on.
    let mut files = walk(&root.join("dossiers"));
    files.extend(walk(&root.join("themas")));
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let fm = front_matter(&text);
        assert!(fm.contains("\nbronnen:"), "{} has no `bronnen`", f.display());
        assert!(
            fm.contains("titel:") && fm.contains("uitgever:") && fm.contains("jaar:"),
            "{}",
            f.display()
        );
    }
    // No collection is presented as written by the LIEC, a RIEC or a ministry.
    for f in walk(&root.join("collecties")) {
        let text = std::fs::read_to_string(&f).unwrap();
        let fm = front_matter(&text);
        assert!(fm.contains("\nredactie:"), "{} names no `redactie`", f.display());
        for line in fm.lines().filter(|l| l.starts_with("curator:") || l.starts_with("redactie:")) {
            let lower = line.to_lowercase();
            for body in ["liec", "riec", "ministerie", "minister ", "politie", "openbaar ministerie"] {
                assert!(!lower.contains(body), "{}: `{line}` names a real body as its author", f.display());
            }
        }
        assert!(!text.contains("wij als LIEC") && !text.contains("wij als RIEC"), "{}", f.display());
    }
    // Every playbook links at least two dossiers on its thema.
    for f in walk(&root.join("themas")) {
        let text = std::fs::read_to_string(&f).unwrap();
        let slug = f.file_stem().unwrap().to_string_lossy().to_string();
        let mut linked: Vec<&str> = text
            .match_indices("](/dossiers/")
            .map(|(i, _)| {
                let rest = &text[i + 12..];
                &rest[..rest.find(')').unwrap()]
            })
            .collect();
        linked.sort();
        linked.dedup();
        let on_thema = linked
            .iter()
            .filter(|id| {
                let dossier = std::fs::read_to_string(root.join(format!("dossiers/{id}.md")))
                    .unwrap_or_else(|_| panic!("{}: link to a missing dossier {id}", f.display()));
                let themas = front_matter(&dossier)
                    .lines()
                    .find(|l| l.starts_with("themas:"))
                    .unwrap_or_default()
                    .to_string();
                themas.split(|c: char| !(c.is_alphanumeric() || c == '-')).any(|t| t == slug)
            })
            .count();
        assert!(
            on_thema >= 2,
            "{} links {on_thema} dossiers on its thema (at least two)",
            f.display()
        );
    }
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

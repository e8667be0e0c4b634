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

/// The front matter of a file as JSON, read as an editor's YAML tools read it.
fn front_matter_json(text: &str) -> serde_json::Value {
    use yaml_rust2::{Yaml, YamlLoader};
    fn json(y: &Yaml) -> serde_json::Value {
        match y {
            Yaml::String(s) => s.clone().into(),
            Yaml::Integer(i) => (*i).into(),
            Yaml::Real(r) => r.parse::<f64>().map(serde_json::Value::from).unwrap_or_default(),
            Yaml::Boolean(b) => (*b).into(),
            Yaml::Array(a) => a.iter().map(json).collect(),
            Yaml::Hash(h) => h
                .iter()
                .map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), json(v)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
            _ => serde_json::Value::Null,
        }
    }
    let yaml = front_matter(text);
    json(&YamlLoader::load_from_str(yaml).unwrap()[0])
}

/// The JSON Schema the server serves (and `check --schema` writes) accepts
/// every starter dossier and rejects broken ones (checked with the
/// `jsonschema` crate).
#[test]
fn the_front_matter_schema_accepts_the_starter_dossiers_and_rejects_broken_ones() {
    let (r, s) = tegenkracht_tests::starter_server();
    let (code, schema) = s.json("/schema/dossier.json");
    assert_eq!(code, 200);
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let files = walk(&workspace().join("content/dossiers"));
    assert!(files.len() > 20);
    for f in &files {
        let fm = front_matter_json(&std::fs::read_to_string(f).unwrap());
        let errors: Vec<String> = validator.iter_errors(&fm).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", f.display());
    }
    let good = front_matter_json(&std::fs::read_to_string(&files[0]).unwrap());
    for (key, bad) in [
        ("regio", serde_json::json!("atlantis")),
        ("themas", serde_json::json!([])),
        ("toegang", serde_json::json!("geheim")),
        ("samenvatting", serde_json::json!("Kort")),
        ("kleur", serde_json::json!("rood")),
        ("herzien_voor", serde_json::json!("binnenkort")),
    ] {
        let mut broken = good.clone();
        broken[key] = bad.clone();
        assert!(!validator.is_valid(&broken), "{key}: {bad} passed");
    }
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("titel");
    assert!(!validator.is_valid(&missing), "a missing title passed");
    // `check --schema` writes the same schema (a former region slug is allowed too).
    let file = r.path().join("dossier.schema.json");
    let out = tegenkracht_tests::run(r.path(), &["check", "--schema", &file.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(written, schema);
    assert!(
        schema["properties"]["regio"]["enum"]
            .as_array()
            .unwrap()
            .contains(&"oost-brabant".into())
    );
}

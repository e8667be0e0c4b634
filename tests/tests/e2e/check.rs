//! `tegenkracht check`: exit codes and `path:line:` findings.

use tegenkracht_tests::{TestRepo, fixture, run};

fn repo_with_context() -> TestRepo {
    let r = TestRepo::new();
    r.write("content/vocabulaire.yaml", fixture::VOCAB)
        .write("content/themas/vastgoed.md", &fixture::playbook("Vastgoed"))
        .write(
            "content/dossiers/limburg/goed.md",
            &fixture::dossier("Goed dossier", "limburg", "vastgoed", "openbaar", "", "Tekst."),
        );
    r.commit("context");
    r
}

#[test]
fn exits_0_on_good_content() {
    let r = repo_with_context();
    let out = run(r.path(), &["check", "content"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn exits_1_with_path_line_findings_on_bad_content() {
    let r = repo_with_context();
    r.write("content/dossiers/limburg/fout.md", "---\ntitel: Fout dossier\ntype: leerdossier\nregio: limbrug\nthemas: [vastgoed]\nsamenvatting: Een dossier met een fout in de regio en een onbekende sleutel.\ntoegang: openbaar\nkleur: rood\n---\n\n## Aanpak\n");
    let out = run(r.path(), &["check", "content"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("content/dossiers/limburg/fout.md:4: error: unknown regio `limbrug` (did you mean `limburg`?)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("content/dossiers/limburg/fout.md:8: error: unknown key `kleur`"),
        "{stdout}"
    );
    // The good dossier is not reported.
    assert!(!stdout.contains("goed.md"), "{stdout}");
}

#[test]
fn formats_github_annotations_and_json() {
    let r = repo_with_context();
    r.write("content/dossiers/limburg/leeg.md", "geen front matter\n");
    let out = run(r.path(), &["check", "content", "--format", "github"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("::error file=content/dossiers/limburg/leeg.md,line=1::missing front matter"),
        "{stdout}"
    );
    let out = run(r.path(), &["check", "content", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v[0]["path"], "content/dossiers/limburg/leeg.md");
    assert_eq!(v[0]["severity"], "error");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn warns_without_failing_for_a_leerdossier_without_aanpak() {
    let r = repo_with_context();
    r.write(
        "content/dossiers/limburg/kort.md",
        &fixture::dossier("Kort dossier", "limburg", "vastgoed", "openbaar", "", "x").replace("## Aanpak", "## Resultaten"),
    );
    let out = run(r.path(), &["check", "content"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("kort.md:1: warning: a leerdossier should have a `## Aanpak` section"),
        "{stdout}"
    );
}

#[test]
fn applies_region_ownership_with_source() {
    let r = repo_with_context();
    let pr = tempfile::tempdir().unwrap();
    let pr_repo = TestRepo::new();
    pr_repo.write(
        "dossiers/rotterdam/haven.md",
        &fixture::dossier("Havendossier", "rotterdam", "vastgoed", "openbaar", "", "x"),
    );
    let cfg = format!(
        "[[source]]\nname = \"centraal\"\nurl = \"{}\"\nbranch = \"main\"\npath = \"content\"\nregions = [\"*\"]\n\n[[source]]\nname = \"riec-limburg\"\nurl = \"{}\"\nbranch = \"main\"\nregions = [\"limburg\"]\n",
        r.path().display(),
        pr_repo.path().display()
    );
    std::fs::write(pr.path().join("tk.toml"), cfg).unwrap();
    let cfg_path = pr.path().join("tk.toml");
    let out = run(
        pr_repo.path(),
        &["check", ".", "--config", &cfg_path.to_string_lossy(), "--source", "riec-limburg"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("source `riec-limburg` may not publish for regio `rotterdam`"),
        "{stdout}"
    );
}

#[test]
fn bad_configuration_is_a_one_line_error() {
    let r = repo_with_context();
    r.write("bad.toml", "listen = 5\nonbekend = true\n");
    let out = run(r.path(), &["check", "--config", "bad.toml"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("tegenkracht: "), "{stderr}");
}

#[cfg(unix)]
#[test]
fn reports_symlinks_in_a_checkout_and_never_follows_them() {
    let r = repo_with_context();
    std::os::unix::fs::symlink("/etc/passwd", r.path().join("content/dossiers/limburg/link.md")).unwrap();
    let out = run(r.path(), &["check", "content"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("link.md:1: error: symbolic links are never read"), "{stdout}");
    assert!(!stdout.contains("root:"), "{stdout}");
}

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

#[test]
fn vergelijk_names_similar_dossiers_in_other_regions_for_new_ones() {
    let r = repo_with_context();
    r.write(
        "content/dossiers/rotterdam/haven-panden.md",
        &fixture::dossier(
            "Panden aan de haven",
            "rotterdam",
            "vastgoed",
            "openbaar",
            "",
            "Tekst over panden en witwassen.",
        ),
    );
    r.commit("context with a rotterdam dossier");
    let pr = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(pr.path().join("dossiers/limburg")).unwrap();
    std::fs::write(
        pr.path().join("dossiers/limburg/nieuw.md"),
        fixture::dossier(
            "Nieuwe aanpak van panden",
            "limburg",
            "vastgoed",
            "openbaar",
            "",
            "Panden en witwassen, opnieuw.",
        ),
    )
    .unwrap();
    let out = run(
        r.path(),
        &["check", &pr.path().to_string_lossy(), "--vergelijk", "--format", "github"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "notices never fail a check: {stdout}");
    assert!(
        stdout.contains("::notice file=") && stdout.contains("nieuw.md,line=1::lijkt op rotterdam/haven-panden"),
        "{stdout}"
    );
    assert!(!stdout.contains("lijkt op limburg/"), "other regions only: {stdout}");
    // Unchanged context dossiers get no notices.
    assert!(!stdout.contains("goed.md"), "{stdout}");
}

#[test]
fn preview_serves_a_working_folder_with_its_findings_on_the_page() {
    let r = repo_with_context();
    let pr = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(pr.path().join("dossiers/limburg")).unwrap();
    std::fs::write(
        pr.path().join("dossiers/limburg/concept.md"),
        fixture::dossier(
            "Conceptdossier voorbeeldwoord",
            "limburg",
            "vastgoed",
            "openbaar",
            "",
            "Nog niet gepubliceerd.",
        ),
    )
    .unwrap();
    std::fs::write(pr.path().join("dossiers/limburg/kapot.md"), "---\ntitel: x\n---\n").unwrap();
    let port = tegenkracht_tests::free_port();
    let mut child = std::process::Command::new(tegenkracht_tests::binary())
        .args([
            "serve",
            "--preview",
            &pr.path().to_string_lossy(),
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .current_dir(r.path())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut page = String::new();
    while std::time::Instant::now() < deadline {
        if let Ok(res) = reqwest::blocking::get(format!("{base}/dossiers/limburg/concept"))
            && res.status() == 200
        {
            page = res.text().unwrap();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let central = reqwest::blocking::get(format!("{base}/dossiers/limburg/goed"))
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    let _ = child.kill();
    let _ = child.wait();
    assert!(page.contains("Conceptdossier voorbeeldwoord"), "the draft is served: {page}");
    assert!(
        page.contains("Voorbeeldweergave") && page.contains("kapot.md:"),
        "findings are shown on the page"
    );
    assert_eq!(central, 200, "the central content is served too");
}

#[test]
fn region_descriptions_and_pages_are_checked() {
    let r = repo_with_context();
    r.write(
        "content/regios/limburg.md",
        "---\ntype: regio\nsamenvatting: Het zuidelijkste RIEC, met Maastricht als grootste stad.\ngemeenten: [Maastricht]\n---\nTekst.\n",
    )
    .write(
        "content/regios/limbrug.md",
        "---\ntype: regio\nsamenvatting: Een regio met een tikfout in de naam van het bestand.\n---\n",
    )
    .write(
        "content/regios/oost-brabant.md",
        "---\ntype: regio\nsamenvatting: Een regio die is opgegaan in een andere regio, met een oude naam.\n---\n",
    )
    .write(
        "content/paginas/over.md",
        "---\ntitel: Over\ntype: pagina\nsamenvatting: Kort.\nkleur: rood\n---\n",
    );
    let out = run(r.path(), &["check", "content"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for want in [
        "content/regios/limbrug.md:1: error: `limbrug` is not a region of the vocabulary (did you mean `limburg`?)",
        "content/regios/oost-brabant.md:1: error: `oost-brabant` is not a region of the vocabulary: `oost-brabant` is now part of `zeeland-brabant`",
        "content/paginas/over.md:4: error: `samenvatting` must be",
        "content/paginas/over.md:5: error: unknown key `kleur`",
    ] {
        assert!(stdout.contains(want), "missing {want}\n{stdout}");
    }
    assert!(!stdout.contains("regios/limburg.md"), "{stdout}");
}

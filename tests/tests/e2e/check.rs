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

/// Runs `check` with its standard output into a pipe the reader closes after
/// one line, as `check … | head -1` does.
fn check_into_a_closed_pipe(cwd: &std::path::Path) -> (Option<i32>, String) {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(tegenkracht_tests::binary())
        .args(["check", "content"])
        .current_dir(cwd)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    // The reader is dropped here: further writes fail with a broken pipe.
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string())
}

#[test]
fn the_checker_speaks_to_editors() {
    let r = repo_with_context();
    r.write(
        "content/themas/recreatieparken.md",
        &fixture::playbook("Recreatieparken").replace("toegang: openbaar\n", "toegang: openbaar\nsynoniemen: [vakantieparken, chalets]\n"),
    );
    // A dossier in the wrong region's folder.
    r.write(
        "content/dossiers/oost-nederland/verkeerd.md",
        &fixture::dossier("Dossier in de verkeerde map", "limburg", "vastgoed", "openbaar", "", "Tekst."),
    );
    // A synonym instead of the thema's slug, an overdue review date, a YAML mistake.
    r.write(
        "content/dossiers/limburg/synoniem.md",
        &fixture::dossier("Dossier met een synoniem", "limburg", "vakantieparken", "openbaar", "", "Tekst."),
    );
    r.write(
        "content/dossiers/limburg/verlopen.md",
        &fixture::dossier(
            "Dossier om te herzien",
            "limburg",
            "vastgoed",
            "openbaar",
            "herzien_voor: 2020-01-01\n",
            "Tekst.",
        ),
    );
    r.write(
        "content/dossiers/limburg/dubbele-punt.md",
        &fixture::dossier("x", "limburg", "vastgoed", "openbaar", "", "Tekst.").replace("titel: x", "titel: Vastgoed: de aanpak"),
    );
    let out = run(r.path(), &["check", "content"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for want in [
        "content/dossiers/oost-nederland/verkeerd.md:4: error: the file is in dossiers/oost-nederland/ but its `regio` is `limburg`: move it to dossiers/limburg/ or correct `regio`",
        "content/dossiers/limburg/synoniem.md:5: error: `vakantieparken` is another name of thema `recreatieparken`: write `recreatieparken` in `themas`",
        "content/dossiers/limburg/verlopen.md:1: warning: `herzien_voor` (2020-01-01) has passed",
        "content/dossiers/limburg/dubbele-punt.md:2: error: malformed YAML: mapping values are not allowed in this context",
        "Put the value in quotes",
    ] {
        assert!(stdout.contains(want), "missing: {want}\n{stdout}");
    }

    // GitLab Code Quality: one issue per finding, at its path and line.
    let out = run(r.path(), &["check", "content", "--format", "gitlab"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let issues = report.as_array().unwrap();
    let moved = issues
        .iter()
        .find(|i| i["location"]["path"] == "content/dossiers/oost-nederland/verkeerd.md")
        .unwrap();
    assert_eq!(
        (moved["severity"].as_str(), moved["location"]["lines"]["begin"].as_u64()),
        (Some("major"), Some(4)),
        "{moved}"
    );
    assert_eq!(moved["check_name"], "tegenkracht");
    assert_eq!(moved["fingerprint"].as_str().unwrap().len(), 64);
    let overdue = issues
        .iter()
        .find(|i| i["description"].as_str().unwrap().contains("herzien_voor"))
        .unwrap();
    assert_eq!(overdue["severity"], "minor");
    assert_eq!(out.status.code(), Some(1));

    // A folder without documents is an error that says where they belong.
    let out = run(r.path(), &["check", "content/dossiers/limburg"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "content/dossiers/limburg:1: error: no documents found, so nothing was checked: dossiers belong in dossiers/{regio}/{slug}.md"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("check the folder that holds `dossiers/`"), "{stdout}");
    let out = run(r.path(), &["check", "."]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("(try `tegenkracht check ./content`)"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // `check | head`: no panic on the closed pipe.
    let (code, stderr) = check_into_a_closed_pipe(r.path());
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(code, Some(1), "{stderr}");
}

#[test]
fn a_duplicate_of_an_id_in_an_earlier_source_is_named() {
    let r = repo_with_context();
    let pr = TestRepo::new();
    pr.write(
        "dossiers/limburg/goed.md",
        &fixture::dossier("Zelfde id als de centrale bron", "limburg", "vastgoed", "openbaar", "", "x"),
    )
    .write(
        "dossiers/limburg/nieuw.md",
        &fixture::dossier("Een nieuw dossier", "limburg", "vastgoed", "openbaar", "", "x"),
    );
    let cfg = pr.path().join("tk.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[source]]\nname = \"centraal\"\nurl = \"{}\"\nbranch = \"main\"\npath = \"content\"\nregions = [\"*\"]\n\n[[source]]\nname = \"riec-limburg\"\nurl = \"{}\"\nbranch = \"main\"\nregions = [\"limburg\"]\n",
            r.path().display(),
            pr.path().display()
        ),
    )
    .unwrap();
    let out = run(
        pr.path(),
        &["check", ".", "--config", &cfg.to_string_lossy(), "--source", "riec-limburg"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("dossiers/limburg/goed.md:1: error: duplicate id `limburg/goed`: source `centraal` already publishes it from content/dossiers/limburg/goed.md, and the first source wins, so this file is never published"),
        "{stdout}"
    );
    assert!(!stdout.contains("nieuw.md"), "{stdout}");
}

#[test]
fn nieuw_writes_a_skeleton_that_check_refuses_until_it_is_written() {
    let r = repo_with_context();
    let out = run(r.path(), &["nieuw", "limburg", "mijn-project"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let path = r.path().join("content/dossiers/limburg/mijn-project.md");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "./content/dossiers/limburg/mijn-project.md"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    for key in [
        "titel:",
        "type: leerdossier",
        "regio: limburg",
        "themas:",
        "samenvatting:",
        "toegang:",
        "partners:",
        "instrumenten:",
        "status:",
        "start:",
        "gemeenten:",
        "trefwoorden:",
        "lessen:",
        "gerelateerd:",
        "contact:",
        "bronnen:",
        "herzien_voor:",
        "bijgewerkt:",
    ] {
        assert!(text.contains(key), "the skeleton lacks {key}");
    }
    assert!(text.contains("# openbaar (iedereen)"), "fields are explained");
    // Every placeholder is an error, each on its own line.
    let out = run(r.path(), &["check", "content"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    let unwritten = stdout
        .lines()
        .filter(|l| l.contains("mijn-project.md") && l.contains("is still here"))
        .count();
    assert_eq!(unwritten, text.matches("[in te vullen]").count(), "{stdout}");
    // Written, it passes.
    let done = text
        .replace("[in te vullen] ", "")
        .replace("\"[in te vullen]\"", "vastgoed")
        .replace("[in te vullen]@voorbeeld.nl", "projectleider@voorbeeld.nl");
    std::fs::write(&path, done).unwrap();
    let out = run(r.path(), &["check", "content"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    // It never overwrites, and it checks what it is given.
    let out = run(r.path(), &["nieuw", "limburg", "mijn-project"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    let out = run(r.path(), &["nieuw", "limbrug", "x"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `limburg`?"));
    let out = run(r.path(), &["nieuw", "limburg", "Mijn Project"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a slug"));
}

/// The writing form: a draft becomes a file that `check` accepts, and a forge
/// "new file" address that holds exactly that file; mistakes come back beside
/// their fields; the JSON check says the same.
#[test]
fn the_writing_form_makes_a_file_check_accepts_and_hands_it_to_the_forge() {
    let r = repo_with_context();
    let cfg = format!(
        "data_dir = \"{{data}}\"\n[[source]]\nname = \"centraal\"\nurl = \"{}\"\nbranch = \"main\"\npath = \"content\"\nregions = [\"*\"]\nnew_url = \"https://forge.example/kennisbank/new/main?filename={{path}}&value={{content}}\"\n",
        r.path().display()
    );
    let s = tegenkracht_tests::Server::start(r.path(), &cfg);
    let client = reqwest::blocking::Client::new();
    let post = |path: &str, body: &str| {
        client
            .post(format!("{}{path}", s.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_string())
            .send()
            .unwrap()
    };
    let good = "titel=Panden+in+beeld%3A+een+proef&type=praktijk&regio=limburg&themas=vastgoed&samenvatting=Gemeente+en+politie+legden+gegevens+naast+elkaar+om+panden+te+vinden.&toegang=openbaar&partners=gemeente&start=2021&gemeenten=Maastricht&les_uitdaging_1=samenwerking&les_tekst_1=Spreek+vooraf+af+wie+wat+doet.&bron_titel_1=Koers+bepalen&bron_uitgever_1=WODC&bron_jaar_1=2022&aanpak=We+begonnen+klein.&herzien_voor=2028-01-01&bijgewerkt=2026-01-01";
    let (code, html) = {
        let r = post("/schrijven", good);
        (r.status().as_u16(), r.text().unwrap())
    };
    assert_eq!(code, 200);
    assert!(html.contains("Het dossier is klaar om voor te stellen"), "{html}");
    assert!(html.contains("<code>content/dossiers/limburg/panden-in-beeld-een-proef.md</code>"));
    // The hand-off link carries exactly the file shown.
    let api: serde_json::Value = post("/api/v1/schrijven/controle", good).json().unwrap();
    assert_eq!(api["bevindingen"], serde_json::json!([]), "{api}");
    let file = api["bestand"].as_str().unwrap();
    let forge = api["forge_url"].as_str().unwrap();
    let url = reqwest::Url::parse(forge).unwrap();
    let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["filename"], "content/dossiers/limburg/panden-in-beeld-een-proef.md");
    assert_eq!(q["value"], file);
    assert!(html.contains(&forge.replace('&', "&amp;")), "the page links the same address");
    // `check` accepts the file where the form says it belongs.
    r.write("content/dossiers/limburg/panden-in-beeld-een-proef.md", file);
    let out = run(r.path(), &["check", "content"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));

    // Mistakes: each finding beside its field, in the summary, no hand-off.
    let bad = good
        .replace(
            "samenvatting=Gemeente+en+politie+legden+gegevens+naast+elkaar+om+panden+te+vinden.",
            "samenvatting=Kort",
        )
        .replace("themas=vastgoed&", "themas=vakantieparken&");
    let html = post("/schrijven", &bad).text().unwrap();
    assert!(html.contains("Er zijn 2 fouten"), "{html}");
    let beside = |field: &str| {
        let at = html
            .find(&format!("id=\"fout-{field}\""))
            .unwrap_or_else(|| panic!("no findings box for {field}"));
        html[at..at + 600].to_string()
    };
    assert!(
        beside("samenvatting").contains("`samenvatting` moet 20 tot 600 tekens lang zijn, het zijn er 4"),
        "{}",
        beside("samenvatting")
    );
    assert!(beside("themas").contains("onbekend thema `vakantieparken`"), "{}", beside("themas"));
    assert!(
        html.contains("id=\"samenvatting\" name=\"samenvatting\" rows=\"4\" aria-invalid=\"true\""),
        "the field is marked"
    );
    assert!(!html.contains("forge.example"), "no hand-off while there are errors");
    let api: serde_json::Value = post("/api/v1/schrijven/controle", &bad).json().unwrap();
    let fields: Vec<&str> = api["bevindingen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["veld"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["themas", "samenvatting"], "{api}");
    // A file name of another source's dossier is a duplicate, named.
    let dup = format!("{good}&slug=goed");
    let api: serde_json::Value = post("/api/v1/schrijven/controle", &dup).json().unwrap();
    assert!(
        api["bevindingen"][0]["bericht"]
            .as_str()
            .unwrap()
            .contains("content/dossiers/limburg/goed.md bestaat al in bron `centraal`"),
        "{api}"
    );
}

/// Editors read the findings in Dutch unless they ask for English.
#[test]
fn findings_are_dutch_by_default_and_english_on_request() {
    let r = repo_with_context();
    r.write("content/dossiers/limburg/fout.md", "---\ntitel: Fout dossier\ntype: leerdossier\nregio: limbrug\nthemas: [vastgoed]\nsamenvatting: Een dossier met een fout in de regio en een onbekende sleutel.\ntoegang: openbaar\nkleur: rood\n---\n\n## Aanpak\n");
    let dutch = std::process::Command::new(tegenkracht_tests::binary())
        .args(["check", "content"])
        .current_dir(r.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&dutch.stdout);
    assert!(
        stdout.contains("content/dossiers/limburg/fout.md:4: error: onbekende regio `limbrug` (bedoel je `limburg`?)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("content/dossiers/limburg/fout.md:8: error: onbekend veld `kleur`"),
        "{stdout}"
    );
    let english = run(r.path(), &["check", "content", "--taal", "en"]);
    assert!(String::from_utf8_lossy(&english.stdout).contains("unknown regio `limbrug` (did you mean `limburg`?)"));
    let bad = run(r.path(), &["check", "content", "--taal", "fr"]);
    assert_eq!(bad.status.code(), Some(2), "an unknown language is a usage error");
}

/// "Bewerk": the form filled in from an existing dossier (its body read from
/// git at its commit); checked without counting the dossier itself as taken;
/// handed to the forge's edit page for the same file.
#[test]
fn editing_a_dossier_through_the_form() {
    use sha2::Digest;
    let r = repo_with_context();
    r.write(
        "content/dossiers/limburg/met-contact.md",
        &fixture::dossier(
            "Dossier met contact",
            "limburg",
            "vastgoed",
            "openbaar",
            "contact:\n  organisatie: Gemeente X\n  functie: adviseur\n  email: a@x.example\n",
            "Tekst.",
        ),
    );
    r.commit("contact");
    let cfg = format!(
        "data_dir = \"{{data}}\"\n[[source]]\nname = \"centraal\"\nurl = \"{}\"\nbranch = \"main\"\npath = \"content\"\nregions = [\"*\"]\nedit_url = \"https://forge.example/kennisbank/edit/main/{{path}}\"\nnew_url = \"https://forge.example/kennisbank/new/main?filename={{path}}&value={{content}}\"\n[[auth.token]]\nname = \"redactie\"\nsha256 = \"{}\"\nregions = [\"liec\"]\n",
        r.path().display(),
        hex::encode(sha2::Sha256::digest(b"redactie-token"))
    );
    let s = tegenkracht_tests::Server::start(r.path(), &cfg);
    let client = reqwest::blocking::Client::new();
    let get = |path: &str, signed: bool| {
        let mut req = client.get(format!("{}{path}", s.base));
        if signed {
            req = req.header("authorization", "Bearer redactie-token");
        }
        let r = req.send().unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    let post = |path: &str, body: &str| {
        client
            .post(format!("{}{path}", s.base))
            .header("authorization", "Bearer redactie-token")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_string())
            .send()
            .unwrap()
            .text()
            .unwrap()
    };
    let (code, html) = get("/schrijven?dossier=limburg%2Fgoed", true);
    assert_eq!(code, 200);
    assert!(
        html.contains("Een dossier bewerken") && html.contains("value=\"Goed dossier\""),
        "{html}"
    );
    assert!(html.contains("<input type=\"hidden\" name=\"bewerk\" value=\"limburg/goed\">"));
    assert!(html.contains(">Tekst.</textarea>"), "the body comes from git");
    let body = "bewerk=limburg%2Fgoed&titel=Goed+dossier&slug=goed&type=leerdossier&regio=limburg&themas=vastgoed&samenvatting=Een+dossier+voor+de+tests%2C+met+genoeg+tekst+om+geldig+te+zijn.&toegang=openbaar&les_uitdaging_1=leren&les_tekst_1=Schrijf+lessen+op.&aanpak=Nieuwe+tekst.&herzien_voor=2028-01-01&bijgewerkt=2026-01-01";
    let api: serde_json::Value = serde_json::from_str(&post("/api/v1/schrijven/controle", body)).unwrap();
    assert_eq!(
        api["bevindingen"],
        serde_json::json!([]),
        "the dossier itself does not count as taken: {api}"
    );
    let html = post("/schrijven", body);
    assert!(
        html.contains("href=\"https://forge.example/kennisbank/edit/main/content/dossiers/limburg/goed.md\""),
        "{html}"
    );
    assert!(
        !html.contains("forge.example/kennisbank/new/"),
        "the same file is edited, not created"
    );
    // The dossier's contact is in the form of a reader who may see it.
    let (code, html) = get("/schrijven?dossier=limburg%2Fmet-contact", true);
    assert_eq!(code, 200, "{html}");
    assert!(html.contains("value=\"a@x.example\""));
    // Only readers who see everything edit through the form; the answer to
    // others is the same whatever the dossier holds, and they get no link.
    let (code, html) = get("/schrijven?dossier=limburg%2Fgoed", false);
    assert_eq!(code, 400);
    assert!(html.contains("alleen voor landelijke redacteuren"), "{html}");
    assert!(
        !get("/dossiers/limburg/goed", false).1.contains("/schrijven?dossier="),
        "no Bewerk link"
    );
    assert!(get("/dossiers/limburg/goed", true).1.contains("/schrijven?dossier=limburg/goed"));
    // A file name that is no slug (or climbs out of its folder) is an error on the field.
    let bad = body
        .replace("slug=goed", "slug=..%2F..%2Fthemas%2Fx")
        .replace("bewerk=limburg%2Fgoed&", "");
    let api: serde_json::Value = serde_json::from_str(&post("/api/v1/schrijven/controle", &bad)).unwrap();
    assert_eq!(api["bevindingen"][0]["veld"], "slug", "{api}");
    assert!(api["bevindingen"][0]["bericht"].as_str().unwrap().contains("is geen slug"), "{api}");
}

/// The curator's form: search, add, order, note; the collection file it makes
/// passes `check` and goes to the central source's forge.
#[test]
fn the_curators_form_composes_a_collection_check_accepts() {
    let r = repo_with_context();
    r.write(
        "content/dossiers/limburg/tweede.md",
        &fixture::dossier(
            "Tweede dossier over panden",
            "limburg",
            "vastgoed",
            "openbaar",
            "",
            "Panden en nog eens panden.",
        ),
    );
    r.commit("tweede");
    let cfg = format!(
        "data_dir = \"{{data}}\"\n[[source]]\nname = \"centraal\"\nurl = \"{}\"\nbranch = \"main\"\npath = \"content\"\nregions = [\"*\"]\nnew_url = \"https://forge.example/kennisbank/new/main?filename={{path}}&value={{content}}\"\n",
        r.path().display()
    );
    let s = tegenkracht_tests::Server::start(r.path(), &cfg);
    let post = |body: &str| {
        reqwest::blocking::Client::new()
            .post(format!("{}/samenstellen", s.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_string())
            .send()
            .unwrap()
            .text()
            .unwrap()
    };
    let base = "titel=Panden+bundel&samenvatting=Twee+dossiers+over+panden.&toegang=openbaar&curator=Redactie+Tegenkracht&redactie=Redactie+Tegenkracht&inleiding=Begin+hier.";
    // Search, then add.
    let html = post(&format!("{base}&q=panden&zoek=1"));
    assert!(html.contains("name=\"voeg_toe\" value=\"limburg/tweede\""), "{html}");
    let html = post(&format!("{base}&voeg_toe=limburg%2Ftweede"));
    assert!(html.contains("name=\"item_id_1\" value=\"limburg/tweede\""), "{html}");
    // Two items, then the second moved up, then checked.
    let two = format!("{base}&item_id_1=limburg%2Ftweede&item_notitie_1=Lees+eerst.&voeg_toe=limburg%2Fgoed");
    let html = post(&two);
    assert!(html.contains("name=\"item_id_2\" value=\"limburg/goed\""));
    let moved = post(&format!(
        "{base}&item_id_1=limburg%2Ftweede&item_notitie_1=Lees+eerst.&item_id_2=limburg%2Fgoed&omhoog=2"
    ));
    assert!(moved.contains("name=\"item_id_1\" value=\"limburg/goed\""), "moved up");
    assert!(moved.contains("name=\"item_id_2\" value=\"limburg/tweede\""));
    let done = post(&format!(
        "{base}&item_id_1=limburg%2Fgoed&item_id_2=limburg%2Ftweede&item_notitie_2=Lees+eerst.&controleer=1"
    ));
    assert!(done.contains("De collectie is klaar om voor te stellen"), "{done}");
    assert!(
        done.contains("https://forge.example/kennisbank/new/main?filename=content%2Fcollecties%2Fpanden-bundel.md&amp;value="),
        "{done}"
    );
    // The file, written where the form says, passes check.
    let start = done.find("readonly>").unwrap() + "readonly>".len();
    let file = &done[start..start + done[start..].find("</textarea>").unwrap()];
    let file = file
        .replace("&quot;", "\"")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
        .replace("&#x27;", "'");
    assert!(
        file.contains("  - id: \"limburg/goed\"\n  - id: \"limburg/tweede\"\n    notitie: \"Lees eerst.\""),
        "{file}"
    );
    r.write("content/collecties/panden-bundel.md", &file);
    let out = run(r.path(), &["check", "content"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    // An item that is no published dossier is an error, no hand-off.
    let bad = post(&format!("{base}&item_id_1=limburg%2Fbestaat-niet&controleer=1"));
    assert!(bad.contains("item `limburg/bestaat-niet` is geen gepubliceerd dossier"), "{bad}");
    assert!(!bad.contains("forge.example"));
}

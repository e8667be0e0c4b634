//! Federation: several git sources, mirrors, webhooks, incremental updates,
//! region ownership, duplicates, rewritten history and unreachable sources.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;
use tegenkracht_tests::{Server, TestRepo, fixture, free_port};

const SECRET: &str = "webhook-geheim";
const TOKEN: &str = "status-token";

fn sign(body: &[u8]) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    m.update(body);
    hex::encode(m.finalize().into_bytes())
}

fn token_hash() -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(TOKEN.as_bytes()))
}

struct Fed {
    central: TestRepo,
    limburg: TestRepo,
    rotterdam: TestRepo,
}

fn federation() -> Fed {
    let central = TestRepo::new();
    central
        .write("content/vocabulaire.yaml", fixture::VOCAB)
        .write("content/themas/vastgoed.md", &fixture::playbook("Vastgoed"))
        .write("content/themas/havens.md", &fixture::playbook("Havens"))
        .write(
            "content/dossiers/landelijk/centraal.md",
            &fixture::dossier("Landelijke aanpak", "landelijk", "vastgoed", "openbaar", "", "Centrale tekst."),
        );
    central.commit("central");
    let limburg = TestRepo::new();
    limburg
        .write(
            "dossiers/panden.md",
            &fixture::dossier(
                "Panden in Maastricht",
                "limburg",
                "vastgoed",
                "openbaar",
                "",
                "Oorspronkelijke tekst over panden.",
            ),
        )
        .write(
            "dossiers/weg.md",
            &fixture::dossier("Dossier dat verdwijnt", "limburg", "vastgoed", "openbaar", "", "Verdwijntekst."),
        )
        .write(
            "dossiers/oud-naam.md",
            &fixture::dossier("Dossier dat verhuist", "limburg", "vastgoed", "openbaar", "", "Verhuistekst."),
        )
        // Not its region: an error, not published.
        .write(
            "dossiers/fout.md",
            &fixture::dossier(
                "Rotterdams dossier in Limburg",
                "rotterdam",
                "havens",
                "openbaar",
                "",
                "Foute regio.",
            ),
        );
    limburg.commit("limburg");
    let rotterdam = TestRepo::new();
    rotterdam
        .write(
            "dossiers/haven.md",
            &fixture::dossier("Haven van Rotterdam", "rotterdam", "havens", "openbaar", "", "Havenwerk."),
        )
        // Same id as central's: the first configured source wins.
        .write(
            "dossiers/centraal.md",
            &fixture::dossier("Kopie", "landelijk", "vastgoed", "openbaar", "", "Kopie."),
        );
    rotterdam.commit("rotterdam");
    Fed {
        central,
        limburg,
        rotterdam,
    }
}

fn config(f: &Fed, extra_source: &str) -> String {
    format!(
        "data_dir = \"{{data}}\"\npoll_interval = \"1h\"\n\
[[source]]\nname = \"centraal\"\nurl = \"{}\"\nbranch = \"main\"\npath = \"content\"\nregions = [\"*\"]\n\
[[source]]\nname = \"riec-limburg\"\nurl = \"file://{}\"\nbranch = \"main\"\nregions = [\"limburg\"]\nwebhook_secret_env = \"TK_HOOK_LIMBURG\"\n\
[[source]]\nname = \"riec-rotterdam\"\nurl = \"{}\"\nbranch = \"main\"\nregions = [\"rotterdam\", \"landelijk\"]\nwebhook_secret_env = \"TK_HOOK_LIMBURG\"\n{extra_source}\
[[auth.token]]\nname = \"beheer\"\nsha256 = \"{}\"\nregions = [\"liec\"]\n",
        f.central.path().display(),
        f.limburg.path().display(),
        f.rotterdam.path().display(),
        token_hash()
    )
}

fn start(f: &Fed, extra: &str) -> Server {
    Server::start_env(f.central.path(), &config(f, extra), &[("TK_HOOK_LIMBURG", SECRET)])
}

fn total(s: &Server, q: &str) -> u64 {
    s.json(&format!("/api/v1/search?q={q}")).1["total"].as_u64().unwrap()
}

fn status(s: &Server) -> serde_json::Value {
    let client = reqwest::blocking::Client::new();
    let r = client
        .get(format!("{}/api/v1/status", s.base))
        .header("authorization", format!("Bearer {TOKEN}"))
        .send()
        .unwrap();
    r.json().unwrap()
}

fn github_hook(s: &Server, source: &str, delivery: &str) -> (u16, Duration) {
    let body = br#"{"ref":"refs/heads/main","after":"0123456789012345678901234567890123456789"}"#;
    s.post(
        &format!("/hooks/{source}"),
        &[
            ("x-hub-signature-256", &format!("sha256={}", sign(body))),
            ("x-github-delivery", delivery),
            ("x-github-event", "push"),
        ],
        body,
    )
}

#[test]
fn three_sources_with_ownership_and_duplicates() {
    let f = federation();
    let s = start(&f, "");
    assert_eq!(total(&s, "panden"), 1);
    assert_eq!(total(&s, "havenwerk"), 1);
    assert_eq!(total(&s, "centrale"), 1);
    assert_eq!(total(&s, "foute"), 0, "a dossier outside the source's regions is not published");
    assert_eq!(total(&s, "kopie"), 0, "the first configured source wins a duplicate id");
    let st = status(&s);
    let meldingen = |i: usize| st["bronnen"][i]["meldingen"].to_string();
    assert!(meldingen(1).contains("may not publish for regio `rotterdam`"), "{st}");
    assert!(meldingen(2).contains("duplicate id `landelijk/centraal`"), "{st}");
}

#[test]
fn a_webhook_makes_a_commit_searchable_quickly_and_only_changed_files_are_reindexed() {
    let f = federation();
    let s = start(&f, "");
    f.limburg.write(
        "dossiers/panden.md",
        &fixture::dossier(
            "Panden in Maastricht",
            "limburg",
            "vastgoed",
            "openbaar",
            "",
            "Nieuwe tekst over hennepkwekerij in panden.",
        ),
    );
    f.limburg.commit("change one dossier");
    let (code, took) = github_hook(&s, "riec-limburg", "delivery-1");
    assert_eq!(code, 202);
    assert!(took < Duration::from_secs(1), "answered in {took:?}");
    let waited = s.wait_for("/api/v1/search?q=hennepkwekerij", Duration::from_secs(2), |v| v["total"] == 1);
    assert!(waited < Duration::from_secs(2));
    let st = status(&s);
    assert_eq!(st["laatste_update"]["gerenderd"], 1, "only the changed file was rendered: {st}");
    // One document written per audience index that holds it (here one shared index).
    assert_eq!(st["laatste_update"]["geschreven"], 1, "{st}");
    assert_eq!(st["laatste_update"]["verwijderd"], 1, "{st}");
}

#[test]
fn deletions_renames_and_rewritten_history_converge() {
    let f = federation();
    let s = start(&f, "");
    assert_eq!(total(&s, "verdwijntekst"), 1);
    f.limburg.remove("dossiers/weg.md");
    let moved = std::fs::read_to_string(f.limburg.path().join("dossiers/oud-naam.md")).unwrap();
    f.limburg.remove("dossiers/oud-naam.md");
    f.limburg.write("dossiers/nieuwe-naam.md", &moved);
    f.limburg.commit("delete and rename");
    github_hook(&s, "riec-limburg", "d-2");
    s.wait_for("/api/v1/search?q=verdwijntekst", Duration::from_secs(5), |v| v["total"] == 0);
    let (_, v) = s.json("/api/v1/search?q=verhuistekst");
    assert_eq!(v["hits"][0]["id"], "limburg/nieuwe-naam", "{v}");
    assert_eq!(s.get("/dossiers/limburg/oud-naam").0, 404);
    // A force-push: the last commit is replaced by another one.
    f.limburg.drop_last_commit();
    f.limburg.write(
        "dossiers/herschreven.md",
        &fixture::dossier(
            "Herschreven geschiedenis",
            "limburg",
            "vastgoed",
            "openbaar",
            "",
            "Herschrijftekst.",
        ),
    );
    f.limburg.commit("rewritten");
    github_hook(&s, "riec-limburg", "d-3");
    s.wait_for("/api/v1/search?q=herschrijftekst", Duration::from_secs(5), |v| v["total"] == 1);
    assert_eq!(
        total(&s, "verdwijntekst"),
        1,
        "the deleted dossier is back: the rewrite dropped its deletion"
    );
    assert_eq!(total(&s, "verhuistekst"), 1);
    let (_, v) = s.json("/api/v1/search?q=verhuistekst");
    assert_eq!(v["hits"][0]["id"], "limburg/oud-naam");
}

#[test]
fn forged_and_duplicate_deliveries_trigger_nothing() {
    let f = federation();
    let s = start(&f, "");
    f.limburg.write(
        "dossiers/panden.md",
        &fixture::dossier(
            "Panden in Maastricht",
            "limburg",
            "vastgoed",
            "openbaar",
            "",
            "Vervalste levering tekst.",
        ),
    );
    f.limburg.commit("change");
    let body = br#"{"ref":"refs/heads/main"}"#;
    let forged = [
        vec![("x-hub-signature-256", format!("sha256={}", "0".repeat(64)))],
        vec![("x-gitea-signature", "deadbeef".to_string())],
        vec![("x-forgejo-signature", sign(b"another body"))],
        vec![("x-gitlab-token", "raden".to_string())],
        vec![],
    ];
    for headers in forged {
        let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (code, took) = s.post("/hooks/riec-limburg", &h, body);
        assert_eq!(code, 401, "{h:?}");
        assert!(took < Duration::from_secs(1));
    }
    assert_eq!(s.post("/hooks/onbekend", &[("x-gitlab-token", SECRET)], body).0, 404);
    assert_eq!(
        s.post("/hooks/centraal", &[("x-gitlab-token", SECRET)], body).0,
        404,
        "no webhook configured"
    );
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(total(&s, "vervalste"), 0, "no forged delivery triggered a fetch");
    // A valid GitLab delivery does; repeating its id does nothing more.
    let gitlab = [("x-gitlab-token", SECRET), ("x-gitlab-event-uuid", "abc-1")];
    assert_eq!(s.post("/hooks/riec-limburg", &gitlab, body).0, 202);
    s.wait_for("/api/v1/search?q=vervalste", Duration::from_secs(2), |v| v["total"] == 1);
    let (_, metrics) = s.get("/metrics");
    assert_eq!(s.post("/hooks/riec-limburg", &gitlab, body).0, 202);
    let (_, metrics2) = s.get("/metrics");
    assert!(
        metrics2.contains("tegenkracht_webhook_deliveries_total{source=\"riec-limburg\",outcome=\"duplicate\"} 1"),
        "{metrics2}"
    );
    assert!(metrics.contains("outcome=\"bad_signature\"} 5"), "{metrics}");
}

/// Replicas agree: a delivery that reaches one of three replicas is passed on
/// to the others (and to itself, which it recognises), each verifies it, and
/// all three serve the new commit within two seconds although they poll once
/// an hour. A passed-on delivery is not passed on again; one with a forged
/// signature is refused even when it says it comes from a replica.
#[test]
fn one_webhook_reaches_every_replica() {
    let f = federation();
    let ports = [free_port(), free_port(), free_port()];
    let names: Vec<String> = ports.iter().map(|p| format!("\"127.0.0.1:{p}\"")).collect();
    let cfg = config(&f, "").replace(
        "poll_interval = \"1h\"\n",
        &format!("poll_interval = \"1h\"\nreplicas = [{}]\n", names.join(", ")),
    );
    let replicas: Vec<Server> = ports
        .iter()
        .map(|p| Server::start_on(*p, f.central.path(), &cfg, &[("TK_HOOK_LIMBURG", SECRET)]))
        .collect();
    f.limburg.write(
        "dossiers/panden.md",
        &fixture::dossier(
            "Panden in Maastricht",
            "limburg",
            "vastgoed",
            "openbaar",
            "",
            "Een hennepkwekerij in panden.",
        ),
    );
    f.limburg.commit("change one dossier");
    let started = std::time::Instant::now();
    assert_eq!(github_hook(&replicas[0], "riec-limburg", "delivery-replicas").0, 202);
    for r in &replicas {
        r.wait_for("/api/v1/search?q=hennepkwekerij", Duration::from_secs(10), |v| v["total"] == 1);
    }
    let converged = started.elapsed();
    assert!(converged < Duration::from_secs(2), "three replicas converged in {converged:?}");

    let metric = |r: &Server, outcome: &str| {
        let (_, m) = r.get("/metrics");
        let key = format!("tegenkracht_webhook_deliveries_total{{source=\"riec-limburg\",outcome=\"{outcome}\"}} ");
        m.lines()
            .find_map(|l| l.strip_prefix(&key))
            .map_or(0, |n| n.parse::<u64>().unwrap())
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while metric(&replicas[0], "passed_on") < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "the first replica did not pass the delivery on to all three addresses"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(metric(&replicas[0], "accepted"), 1);
    assert_eq!(
        metric(&replicas[0], "accepted_from_replica"),
        0,
        "its own passed-on copy is recognised"
    );
    for r in &replicas[1..] {
        assert_eq!(metric(r, "accepted_from_replica"), 1);
        assert_eq!(metric(r, "passed_on"), 0, "a passed-on delivery is not passed on again");
    }
    // The git host retries the same delivery at another replica: already seen there.
    assert_eq!(github_hook(&replicas[1], "riec-limburg", "delivery-replicas").0, 202);
    assert_eq!(metric(&replicas[1], "duplicate"), 1);
    // Saying it comes from a replica does not replace the signature.
    let body = br#"{"ref":"refs/heads/main"}"#;
    let forged = [
        (
            "x-hub-signature-256",
            "sha256=0000000000000000000000000000000000000000000000000000000000000000",
        ),
        ("x-tegenkracht-doorgestuurd", "iemand"),
        ("x-github-delivery", "forged-1"),
    ];
    assert_eq!(replicas[2].post("/hooks/riec-limburg", &forged, body).0, 401);
    assert_eq!(metric(&replicas[2], "bad_signature"), 1);
}

#[test]
fn an_unreachable_source_keeps_serving_its_last_good_commit() {
    let f = federation();
    let s = start(&f, "");
    assert_eq!(total(&s, "havenwerk"), 1);
    // The Rotterdam repository disappears.
    let gone = f.rotterdam.path().with_extension("weg");
    std::fs::rename(f.rotterdam.path(), &gone).unwrap();
    assert_eq!(github_hook(&s, "riec-rotterdam", "r-1").0, 202);
    s.wait_for("/api/v1/status", Duration::from_secs(5), |v| {
        !v["bronnen"][2]["ophaalfout"].is_null()
    });
    assert_eq!(total(&s, "havenwerk"), 1, "last good commit still served");
    assert_eq!(total(&s, "panden"), 1, "other sources unaffected");
    let (_, metrics) = s.get("/metrics");
    assert!(
        metrics.contains("tegenkracht_source_fetch_failing{source=\"riec-rotterdam\"} 1"),
        "{metrics}"
    );
    std::fs::rename(&gone, f.rotterdam.path()).unwrap();
}

#[test]
fn a_source_that_never_was_reachable_is_reported_and_the_others_serve() {
    let f = federation();
    let extra = "[[source]]\nname = \"riec-zeeland\"\nurl = \"/bestaat/niet\"\nbranch = \"main\"\nregions = [\"zeeland-west-brabant\"]\n";
    let s = start(&f, extra);
    assert_eq!(total(&s, "panden"), 1);
    let (_, st) = s.json("/api/v1/status");
    assert!(st["bronnen"][3]["ophaalfout"].as_str().unwrap().contains("fetching"), "{st}");
}

#[test]
fn a_webhook_source_without_its_secret_is_a_configuration_error() {
    let f = federation();
    let cfg = config(&f, "").replace("TK_HOOK_LIMBURG", "TK_HOOK_ONTBREEKT");
    let data = tempfile::tempdir().unwrap();
    let path = data.path().join("tk.toml");
    std::fs::write(&path, cfg.replace("{data}", &data.path().to_string_lossy())).unwrap();
    let out = tegenkracht_tests::run(
        f.central.path(),
        &["serve", "--config", &path.to_string_lossy(), "--listen", "127.0.0.1:0"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("TK_HOOK_ONTBREEKT"));
}

/// A regional source that still says `oost-brabant` everywhere after the
/// central vocabulary merged it into `zeeland-brabant` (an alias).
#[test]
fn a_source_with_a_former_region_slug_publishes_under_the_region_it_merged_into() {
    let f = federation();
    let brabant = TestRepo::new();
    brabant
        .write(
            "dossiers/oud.md",
            &fixture::dossier(
                "Brabantse pandenaanpak",
                "oost-brabant",
                "vastgoed",
                "openbaar",
                "",
                "Kasteeltekst.",
            ),
        )
        .write(
            "dossiers/intern.md",
            &fixture::dossier(
                "Brabants regiodossier",
                "zeeland-west-brabant",
                "vastgoed",
                "regio",
                "gerelateerd: [oost-brabant/oud]\n",
                "Molentekst.",
            ),
        );
    brabant.commit("brabant");
    let extra = format!(
        "[[source]]\nname = \"riec-oost-brabant\"\nurl = \"{}\"\nbranch = \"main\"\nregions = [\"oost-brabant\", \"zeeland-west-brabant\"]\n\
[auth]\nproxy_user_header = \"X-Forwarded-User\"\nproxy_groups_header = \"X-Forwarded-Groups\"\ntrusted_proxies = [\"127.0.0.1/32\"]\n",
        brabant.path().display()
    );
    let s = start(&f, &extra);

    // Published under the merged region, found by either name of it.
    let (_, voc) = s.json("/api/v1/vocabulaire");
    assert_eq!(voc["regio_aliassen"]["oost-brabant"], "zeeland-brabant", "{voc}");
    assert!(voc["regios"].get("oost-brabant").is_none(), "{voc}");
    let (code, d) = s.json("/api/v1/dossiers/zeeland-brabant/oud");
    assert_eq!((code, d["regio"].as_str()), (200, Some("zeeland-brabant")), "{d}");
    for regio in ["oost-brabant", "zeeland-brabant"] {
        let (_, v) = s.json(&format!("/api/v1/search?q=kasteeltekst&regio={regio}"));
        assert_eq!(tegenkracht_tests::hit_ids(&v), ["zeeland-brabant/oud"], "{regio}: {v}");
    }

    // Old addresses answer 301 with the query kept, and lead to the page.
    let plain = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (old, new) in [
        ("/dossiers/oost-brabant/oud?x=1", "/dossiers/zeeland-brabant/oud?x=1"),
        ("/regios/zeeland-west-brabant/feed.atom", "/regios/zeeland-brabant/feed.atom"),
        (
            "/api/v1/dossiers/oost-brabant/oud/vergelijkbaar",
            "/api/v1/dossiers/zeeland-brabant/oud/vergelijkbaar",
        ),
    ] {
        let r = plain.get(format!("{}{old}", s.base)).send().unwrap();
        assert_eq!(r.status().as_u16(), 301, "{old}");
        assert_eq!(r.headers()["location"].to_str().unwrap(), new, "{old}");
    }
    let (code, page) = s.get("/regios/oost-brabant");
    assert_eq!(code, 200);
    assert!(
        page.contains("Brabantse pandenaanpak"),
        "the old region page leads to the merged one"
    );
    // A path that only looks like one stays a 404.
    assert_eq!(
        plain
            .get(format!("{}/dossiers/oost-brabant/bestaat-niet", s.base))
            .send()
            .unwrap()
            .status(),
        301
    );
    assert_eq!(s.get("/dossiers/zeeland-brabant/bestaat-niet").0, 404);

    // A reader of either former region reads the region's restricted dossier;
    // other readers do not, and the related link was read through the alias.
    let as_reader = |groups: &str| -> serde_json::Value {
        plain
            .get(format!("{}/api/v1/search?q=molentekst", s.base))
            .header("x-forwarded-user", "lezer")
            .header("x-forwarded-groups", groups)
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    for groups in ["oost-brabant", "zeeland-west-brabant", "zeeland-brabant", "limburg, oost-brabant"] {
        assert_eq!(
            tegenkracht_tests::hit_ids(&as_reader(groups)),
            ["zeeland-brabant/intern"],
            "{groups}"
        );
    }
    assert_eq!(as_reader("limburg")["total"], 0);
    assert_eq!(total(&s, "molentekst"), 0, "anonymous readers never see it");
    let intern: serde_json::Value = plain
        .get(format!("{}/api/v1/dossiers/zeeland-brabant/intern", s.base))
        .header("x-forwarded-user", "lezer")
        .header("x-forwarded-groups", "oost-brabant")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(intern["gerelateerd"], serde_json::json!(["zeeland-brabant/oud"]), "{intern}");

    // The source's own check passes, and tells the editor the new name.
    let cfg = f.central.path().join("tk-brabant.toml");
    std::fs::write(&cfg, config(&f, &extra).replace("data_dir = \"{data}\"\n", "")).unwrap();
    let out = tegenkracht_tests::run(
        brabant.path(),
        &["check", ".", "--config", &cfg.to_string_lossy(), "--source", "riec-oost-brabant"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("dossiers/oud.md:4: warning: regio `oost-brabant` is now part of `zeeland-brabant`"),
        "{stdout}"
    );
}

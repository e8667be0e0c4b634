//! Search and similar initiatives over a small fixture repository.

use tegenkracht_tests::{Server, TestRepo, fixture, hit_ids as ids};

fn fixture_repo() -> TestRepo {
    let r = TestRepo::new();
    r.write("vocabulaire.yaml", fixture::VOCAB)
        .write("themas/vastgoed.md", &fixture::playbook("Vastgoed"))
        .write("themas/horeca.md", &fixture::playbook("Horeca"))
        .write(
            "dossiers/limburg/woning.md",
            &fixture::dossier(
                "Malafide verhuur van een woning",
                "limburg",
                "vastgoed",
                "openbaar",
                "instrumenten: [bestuursrechtelijk]\ngerelateerd: [rotterdam/cafe]\n",
                "De gemeente onderzocht de woning en de verhuurder van het pand. Huisjesmelkers en witwassen via panden.",
            ),
        )
        .write(
            "dossiers/rotterdam/cooperatie.md",
            &fixture::dossier(
                "Een coöperatie van ondernemers",
                "rotterdam",
                "vastgoed",
                "openbaar",
                "instrumenten: [bestuursrechtelijk]\n",
                "Panden van een coöperatie, huisjesmelkers en witwassen via verhuur.",
            ),
        )
        .write(
            "dossiers/rotterdam/cafe.md",
            &fixture::dossier(
                "Café aan de haven",
                "rotterdam",
                "horeca",
                "openbaar",
                "",
                "Een café dat als dekmantel diende.",
            ),
        )
        .write(
            "dossiers/limburg/buren.md",
            &fixture::dossier(
                "Panden in dezelfde regio",
                "limburg",
                "vastgoed",
                "openbaar",
                "",
                "Huisjesmelkers en witwassen via panden en verhuur in Limburg.",
            ),
        )
        .write(
            "dossiers/limburg/geheim.md",
            &fixture::dossier(
                "Vertrouwelijke woningscan geheimwoord",
                "limburg",
                "vastgoed",
                "netwerk",
                "",
                "Geheimwoord woningen panden witwassen.",
            ),
        );
    r.commit("fixture");
    r
}

fn config(r: &TestRepo) -> String {
    format!(
        "data_dir = \"{{data}}\"\n[[source]]\nname = \"centraal\"\nurl = \"{}\"\nbranch = \"main\"\nregions = [\"*\"]\nedit_url = \"https://git.example.nl/edit/{{path}}\"\n",
        r.path().display()
    )
}

#[test]
fn inflections_and_diacritics_match() {
    let r = fixture_repo();
    let s = Server::start(r.path(), &config(&r));
    let (status, v) = s.json("/api/v1/search?q=woningen");
    assert_eq!(status, 200);
    assert_eq!(ids(&v), vec!["limburg/woning"]);
    let (_, v) = s.json("/api/v1/search?q=cooperatie");
    assert_eq!(ids(&v), vec!["rotterdam/cooperatie"]);
    let (_, v) = s.json("/api/v1/search?q=cafe");
    assert_eq!(ids(&v), vec!["rotterdam/cafe"]);
    assert!(v["hits"][0]["snippet"].as_str().unwrap().contains("<mark>"), "{v}");
}

#[test]
fn filters_facets_pagination_and_phrases() {
    let r = fixture_repo();
    let s = Server::start(r.path(), &config(&r));
    let (_, v) = s.json("/api/v1/search?q=witwassen&regio=rotterdam");
    assert_eq!(ids(&v), vec!["rotterdam/cooperatie"]);
    // The regio facet counts ignore the regio filter itself, so a reader can widen it.
    assert_eq!(v["facets"]["regio"]["limburg"], 2);
    assert_eq!(v["facets"]["regio"]["rotterdam"], 1);
    let (_, v) = s.json("/api/v1/search?regio=rotterdam&regio=limburg&thema=horeca");
    assert_eq!(ids(&v), vec!["rotterdam/cafe"]);
    let (_, v) = s.json("/api/v1/search?per_pagina=1&pagina=2&sort=datum");
    assert_eq!(v["hits"].as_array().unwrap().len(), 1);
    assert_eq!(v["total"], 4);
    let (_, v) = s.json("/api/v1/search?q=%22dekmantel+diende%22");
    assert_eq!(ids(&v), vec!["rotterdam/cafe"]);
    // Malformed syntax never errors.
    let (status, _) = s.json("/api/v1/search?q=%22titel%3A(((");
    assert_eq!(status, 200);
}

#[test]
fn restricted_documents_are_never_published() {
    let r = fixture_repo();
    let s = Server::start(r.path(), &config(&r));
    let (_, v) = s.json("/api/v1/search?q=geheimwoord");
    assert_eq!(v["total"], 0, "{v}");
    let (_, v) = s.json("/api/v1/search");
    assert_eq!(v["facets"]["regio"]["limburg"], 2, "{v}");
    assert_eq!(s.get("/dossiers/limburg/geheim").0, 404);
    assert_eq!(s.json("/api/v1/dossiers/limburg/geheim").0, 404);
    // The pages list the public dossiers of the same region, so the absence
    // of the restricted one means something.
    let (_, home) = s.get("/");
    assert!(
        home.contains("Malafide verhuur van een woning") && !home.contains("Vertrouwelijke"),
        "{home}"
    );
    let (_, regio) = s.get("/regios/limburg");
    assert!(
        regio.contains("Malafide verhuur van een woning")
            && regio.contains("Panden in dezelfde regio")
            && !regio.contains("Vertrouwelijke"),
        "{regio}"
    );
}

#[test]
fn similar_initiatives_come_from_other_regions_with_reasons() {
    let r = fixture_repo();
    let s = Server::start(r.path(), &config(&r));
    let (status, v) = s.json("/api/v1/dossiers/limburg/woning/vergelijkbaar");
    assert_eq!(status, 200);
    let found = ids(&v);
    // The author's link comes first, even though it shares the least.
    assert_eq!(found[0], "rotterdam/cafe", "{v}");
    assert!(found.contains(&"rotterdam/cooperatie".to_string()), "{v}");
    assert!(!found.contains(&"limburg/buren".to_string()), "own region excluded by default: {v}");
    let reasons: Vec<String> = v["hits"][1]["waarom"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect();
    assert!(reasons.contains(&"zelfde thema: vastgoed".to_string()), "{reasons:?}");
    assert!(
        reasons.contains(&"gedeelde instrumenten: bestuursrechtelijk".to_string()),
        "{reasons:?}"
    );
    let (_, v) = s.json("/api/v1/dossiers/limburg/woning/vergelijkbaar?zelfde_regio=true&k=10");
    assert!(ids(&v).contains(&"limburg/buren".to_string()), "{v}");
    let (status, _) = s.json("/api/v1/dossiers/limburg/woning/vergelijkbaar?k=0");
    assert_eq!(status, 400);
}

#[test]
fn api_dossier_has_front_matter_html_and_provenance() {
    let r = fixture_repo();
    let s = Server::start(r.path(), &config(&r));
    let (status, v) = s.json("/api/v1/dossiers/limburg/woning");
    assert_eq!(status, 200);
    assert_eq!(v["titel"], "Malafide verhuur van een woning");
    assert_eq!(v["toegang"], "openbaar");
    assert_eq!(v["bron"]["source"], "centraal");
    assert_eq!(v["bron"]["path"], "dossiers/limburg/woning.md");
    assert_eq!(v["bron"]["commit"].as_str().unwrap().len(), 40);
    assert_eq!(v["bewerk_url"], "https://git.example.nl/edit/dossiers/limburg/woning.md");
    assert!(v["html"].as_str().unwrap().contains("<h2 id=\"aanpak\">Aanpak</h2>"));
    assert!(v["bijgewerkt"].as_str().unwrap().len() == 10, "{v}");
}

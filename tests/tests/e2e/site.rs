//! The HTML site and the API over the real starter content, served the way
//! the README's run command serves it: no configuration, from a git checkout.

use tegenkracht_tests::starter_server;

#[test]
fn every_route_answers_as_specified() {
    let (_r, s) = starter_server();
    for path in [
        "/",
        "/zoeken",
        "/zoeken?q=vastgoed",
        "/zoeken?q=drugsdumping&thema=buitengebied",
        "/dossiers/limburg/vastgoed-in-beeld-maastricht",
        "/themas",
        "/themas/horeca",
        "/regios",
        "/regios/limburg",
        "/collecties",
        "/collecties/jonge-aanwas",
        "/lessen",
        "/lessen?uitdaging=capaciteit&regio=limburg",
        "/static/tegenkracht.css",
        "/healthz",
        "/readyz",
    ] {
        let (status, body) = s.get(path);
        assert_eq!(status, 200, "{path}: {body}");
        if !path.starts_with("/static") && !path.ends_with('z') {
            assert!(body.contains("<html lang=\"nl\">"), "{path}");
            assert!(body.contains("Direct naar de inhoud"), "{path}");
        }
    }
    for path in [
        "/api/v1/search?q=horeca",
        "/api/v1/dossiers/limburg/vastgoed-in-beeld-maastricht",
        "/api/v1/dossiers/limburg/vastgoed-in-beeld-maastricht/vergelijkbaar",
        "/api/v1/themas",
        "/api/v1/themas/horeca",
        "/api/v1/collecties",
        "/api/v1/collecties/jonge-aanwas",
        "/api/v1/vocabulaire",
        "/api/v1/lessen?uitdaging=leren",
        "/api/v1/status",
        "/api/v1/openapi.json",
    ] {
        let (status, _) = s.json(path);
        assert_eq!(status, 200, "{path}");
    }
}

#[test]
fn dossier_page_shows_metadata_toc_lessons_and_similar() {
    let (_r, s) = starter_server();
    let (_, html) = s.get("/dossiers/limburg/vastgoed-in-beeld-maastricht");
    assert!(html.contains("Vergelijkbare initiatieven in andere regio"));
    assert!(html.contains("Waarom:"));
    assert!(html.contains("href=\"/regios/limburg\""));
    assert!(html.contains("href=\"/zoeken?partner="));
    assert!(html.contains("class=\"inhoudsopgave\""));
    assert!(html.contains("Geleerde lessen"));
    assert!(html.contains("Bron: centraal"));
}

#[test]
fn errors_are_themed_pages_and_json() {
    let (_r, s) = starter_server();
    let (status, html) = s.get("/bestaat/niet");
    assert_eq!(status, 404);
    assert!(html.contains("Pagina niet gevonden") && html.contains("<html lang=\"nl\">"));
    assert_eq!(s.get("/dossiers/limburg/bestaat-niet").0, 404);
    assert_eq!(s.get("/themas/bestaat-niet").0, 404);
    let (status, html) = s.get("/zoeken?regio=atlantis");
    assert_eq!(status, 400);
    assert!(html.contains("onbekende waarde `atlantis` voor `regio`"), "{html}");
    let (status, v) = s.json("/api/v1/search?onbekend=1");
    assert_eq!(status, 400);
    assert_eq!(v["error"]["code"], "bad_request");
    assert!(v["error"]["message"].as_str().unwrap().contains("onbekend"));
    let (status, v) = s.json("/api/v1/search?per_pagina=101");
    assert_eq!(status, 400, "{v}");
    let (status, v) = s.json("/api/v1/dossiers/limburg/bestaat-niet");
    assert_eq!(status, 404);
    assert_eq!(v["error"]["code"], "not_found");
}

#[test]
fn openapi_is_generated_from_the_code() {
    let (_r, s) = starter_server();
    let (_, v) = s.json("/api/v1/openapi.json");
    assert!(v["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/search",
        "/api/v1/dossiers/{regio}/{slug}",
        "/api/v1/dossiers/{regio}/{slug}/vergelijkbaar",
        "/api/v1/status",
    ] {
        assert!(v["paths"][path].is_object(), "{path} missing");
    }
    assert!(v["components"]["schemas"]["SearchResponse"].is_object());
    // Every operation has a summary, may be called with a token, and says what a bad one gets.
    // Email alerts need a token with an address; everything else may be called without one.
    let mut operations = 0;
    for (path, item) in v["paths"].as_object().unwrap() {
        for (_, op) in item
            .as_object()
            .unwrap()
            .iter()
            .filter(|(m, _)| ["get", "post", "delete"].contains(&m.as_str()))
        {
            operations += 1;
            assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{path}: no summary");
            let security = if path.starts_with("/api/v1/abonnementen") {
                serde_json::json!([{"bearer": []}])
            } else {
                serde_json::json!([{}, {"bearer": []}])
            };
            assert_eq!(op["security"], security, "{path}");
            assert!(op["responses"]["401"].is_object(), "{path}: no 401");
            assert!(
                op.get("parameters").is_none_or(|p| p.is_array()),
                "{path}: parameters {}",
                op["parameters"]
            );
        }
    }
    assert!(operations >= 15, "{operations} operations");
    assert!(v["paths"]["/api/v1/abonnementen"]["post"]["requestBody"].is_object());
    assert_eq!(v["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    // Allowed values come from the vocabulary; numbers start at 1.
    let params = v["paths"]["/api/v1/search"]["get"]["parameters"].as_array().unwrap();
    let param = |name: &str| params.iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{name}"));
    let regios = &param("regio")["schema"]["items"]["enum"];
    assert!(
        regios.as_array().unwrap().contains(&"limburg".into()) && regios.as_array().unwrap().contains(&"oost-brabant".into()),
        "{regios}"
    );
    assert!(
        param("thema")["schema"]["items"]["enum"]
            .as_array()
            .unwrap()
            .contains(&"horeca".into())
    );
    assert_eq!(param("sort")["schema"]["enum"], serde_json::json!(["relevantie", "datum"]));
    assert_eq!(param("pagina")["schema"]["minimum"], 1);
    assert_eq!(param("per_pagina")["schema"]["maximum"], 100);
    // The regions endpoint.
    assert!(v["paths"]["/api/v1/regios"].is_object() && v["paths"]["/api/v1/regios/{slug}"].is_object());
    let (code, regios) = s.json("/api/v1/regios");
    assert_eq!(code, 200);
    let on = regios.as_array().unwrap().iter().find(|r| r["slug"] == "oost-nederland").unwrap();
    assert!(on["gemeenten"].as_array().unwrap().contains(&"Deventer".into()), "{on}");
    assert!(on.get("html").is_none(), "the list has no bodies");
    let (code, one) = s.json("/api/v1/regios/oost-nederland");
    assert_eq!(code, 200);
    assert!(one["html"].as_str().unwrap().contains("<p>"), "{one}");
    assert_eq!(s.json("/api/v1/regios/atlantis").0, 404);

    // The same document as a page people can read, linked from every footer.
    let (code, html) = s.get("/api");
    assert_eq!(code, 200);
    for (path, item) in v["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let shown = format!("{} {path}</code>", method.to_uppercase());
            assert!(html.contains(&shown), "/api lacks {shown}");
        }
    }
    assert!(html.contains("<code>oost-nederland</code>"), "allowed values are listed");
    assert!(html.contains("id=\"schema-SearchHit\""), "schemas are described");
    assert!(!html.contains("<script"), "no script");
    assert!(s.get("/").1.contains("href=\"/api\""));
}

#[test]
fn status_reports_the_source_commit() {
    let (r, s) = starter_server();
    let head = r.repo.head().unwrap().peel_to_commit().unwrap().id().to_string();
    let (_, v) = s.json("/api/v1/status");
    assert_eq!(v["bronnen"][0]["commit"], head);
    assert_eq!(v["bronnen"][0]["fouten"], 0);
    assert!(v["dossiers"].as_u64().unwrap() >= 28);
}

#[test]
fn curated_pins_come_first() {
    let (_r, s) = starter_server();
    let (_, v) = s.json("/api/v1/search?q=Leren+van+elkaar");
    assert_eq!(v["hits"][0]["id"], "landelijk/lerende-gemeenschappen", "{v}");
    assert_eq!(v["hits"][1]["id"], "zeeland-brabant/ondermijningsexperience", "{v}");
}

#[test]
fn english_interface_on_request_or_from_the_browser() {
    let (_r, s) = starter_server();
    let client = reqwest::blocking::Client::new();
    let get = |path: &str, headers: &[(&str, &str)]| {
        let mut req = client.get(format!("{}{path}", s.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let r = req.send().expect("request");
        let cookies: Vec<String> = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        (r.status().as_u16(), cookies, r.text().expect("body"))
    };
    let english = |path: &str, html: &str| {
        assert!(html.contains("<html lang=\"en\">"), "{path}");
        assert!(
            html.contains(">Search</a>") && html.contains(">Themes</a>") && html.contains(">Regions</a>"),
            "{path}"
        );
        assert!(html.contains("Skip to content"), "{path}");
        for dutch in [
            ">Zoeken</a>",
            ">Collecties</a>",
            ">Lessen</a>",
            "Direct naar de inhoud",
            "Hoofdmenu",
        ] {
            assert!(!html.contains(dutch), "{path}: {dutch}");
        }
        // The switch back to Dutch, in Dutch.
        assert!(html.contains("hreflang=\"nl\" lang=\"nl\">Nederlands</a>"), "{path}");
    };

    // ?taal=en: English, and remembered in a cookie.
    let (status, cookies, html) = get("/?taal=en", &[]);
    assert_eq!(status, 200);
    english("/?taal=en", &html);
    assert!(cookies.iter().any(|c| c.starts_with("taal=en")), "{cookies:?}");
    // The cookie alone keeps the reader in English.
    let (_, _, html) = get("/themas", &[("cookie", "taal=en")]);
    english("/themas (cookie)", &html);

    // A browser that prefers English gets English, without a cookie being set.
    let (status, cookies, html) = get("/zoeken?q=vastgoed", &[("accept-language", "en-GB,en;q=0.9,nl;q=0.5")]);
    assert_eq!(status, 200);
    english("/zoeken?q=vastgoed (Accept-Language)", &html);
    assert!(html.contains("results for"), "the result count is translated");
    assert!(!cookies.iter().any(|c| c.starts_with("taal=")), "{cookies:?}");

    // Content stays Dutch; error pages are translated too.
    let (_, _, html) = get("/dossiers/limburg/vastgoed-in-beeld-maastricht?taal=en", &[]);
    assert!(html.contains("Similar initiatives in other regions") && html.contains("Lessons learned"));
    assert!(html.contains("Vastgoed in Beeld Maastricht"), "the title is not translated");
    // Vocabulary names have English names where the vocabulary gives them.
    assert!(
        html.contains(">Business</a>") && !html.contains(">Bedrijfsleven</a>"),
        "partner names in English"
    );
    let (_, _, html) = get("/lessen?taal=en", &[]);
    assert!(html.contains("The learning government") && !html.contains("De lerende overheid"));
    let (_, _, html) = get("/regios?taal=en", &[]);
    assert!(html.contains("National (LIEC and national partners)"));
    let (_, _, html) = get("/regios", &[]);
    assert!(html.contains("Landelijk (LIEC en landelijke partners)"), "Dutch by default");
    let (status, _, html) = get("/bestaat/niet", &[("cookie", "taal=en")]);
    assert_eq!(status, 404);
    assert!(html.contains("Page not found") && !html.contains("Pagina niet gevonden"));

    // Dutch stays the default, and ?taal=nl switches back.
    let (_, _, html) = get("/", &[]);
    assert!(html.contains("<html lang=\"nl\">") && html.contains(">Zoeken</a>"));
    assert!(html.contains("href=\"?taal=en\" hreflang=\"en\" lang=\"en\">English</a>"));
    let (_, cookies, html) = get("/?taal=nl", &[("cookie", "taal=en")]);
    assert!(html.contains("<html lang=\"nl\">"));
    assert!(cookies.iter().any(|c| c.starts_with("taal=nl")), "{cookies:?}");
}

#[test]
fn vary_names_every_request_header_a_response_depends_on() {
    let (_r, s) = starter_server();
    let vary = |path: &str| -> Vec<String> {
        let r = reqwest::blocking::get(format!("{}{path}", s.base)).expect("request");
        // Several Vary fields combine into one list (RFC 9110, 5.3).
        let names: Vec<String> = r
            .headers()
            .get_all("vary")
            .iter()
            .flat_map(|v| v.to_str().unwrap().split(',').map(|n| n.trim().to_lowercase()).collect::<Vec<_>>())
            .collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{path}: each name once, {names:?}");
        names
    };
    // A page's language follows Accept-Language: a shared cache must not serve
    // an English page to a Dutch reader.
    for path in ["/", "/zoeken?q=horeca", "/bestaat/niet"] {
        let names = vary(path);
        for n in ["accept-language", "authorization", "cookie"] {
            assert!(names.contains(&n.to_string()), "{path}: Vary {names:?} lacks {n}");
        }
    }
    // Content-Language names the language each negotiated page was made in.
    let lang = |headers: &[(&str, &str)]| {
        let mut req = reqwest::blocking::Client::new().get(format!("{}/themas", s.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let r = req.send().unwrap();
        r.headers()["content-language"].to_str().unwrap().to_string()
    };
    assert_eq!(lang(&[]), "nl");
    assert_eq!(lang(&[("accept-language", "en-GB,en;q=0.9")]), "en");
    assert_eq!(lang(&[("cookie", "taal=en")]), "en");
    // The API speaks one language.
    let names = vary("/api/v1/search?q=horeca");
    assert!(
        names.contains(&"authorization".to_string()) && !names.contains(&"accept-language".to_string()),
        "{names:?}"
    );
}

/// Every page that can be followed announces its feed in the head and links
/// it visibly; the feed it names answers.
#[test]
fn followable_pages_announce_and_link_their_feeds() {
    let (_r, s) = starter_server();
    for (page, feed) in [
        ("/", "/feed.atom"),
        ("/zoeken?q=vastgoed", "/zoeken/feed.atom?q=vastgoed"),
        ("/themas/horeca", "/themas/horeca/feed.atom"),
        ("/regios/limburg", "/regios/limburg/feed.atom"),
        ("/collecties/begin-hier", "/collecties/begin-hier/feed.atom"),
    ] {
        let (_, html) = s.get(page);
        let href = format!("href=\"{}\"", feed.replace('&', "&amp;"));
        let head = &html[..html.find("</head>").unwrap()];
        assert!(
            head.contains("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"") && head.contains(&href),
            "{page}: no autodiscovery of {feed}"
        );
        let body = &html[html.find("<body").unwrap()..];
        assert!(body.contains(&href) && body.contains(">Volg: "), "{page}: no visible follow link");
        let (code, atom) = s.get(feed);
        assert_eq!(code, 200, "{feed}");
        assert!(atom.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""), "{feed}");
    }
    // The collection's feed holds its dossiers only.
    let (_, atom) = s.get("/collecties/begin-hier/feed.atom");
    let (_, c) = s.json("/api/v1/collecties/begin-hier");
    let entries = atom.matches("<entry>").count();
    assert!(
        entries > 0 && entries == c["items"].as_array().unwrap().len(),
        "{entries} entries: {c}"
    );
}

/// Without `site_url`, a server on another address says that its absolute
/// links point elsewhere (test servers listen on a free port).
#[test]
fn an_unset_site_url_is_reported_when_listening_elsewhere() {
    let (_r, s) = starter_server();
    let (code, body) = s.get("/readyz");
    assert_eq!(code, 200);
    assert!(body.starts_with("ready\nwarning: site_url is not set"), "{body}");
    let (_, st) = s.json("/api/v1/status");
    assert!(st["configuratie"][0].as_str().unwrap().contains("site_url is not set"), "{st}");
}

/// Site pages and region descriptions: pages of their own, linked from the
/// footer, found by search (a municipality finds its region).
#[test]
fn site_pages_and_region_descriptions_are_served_and_found() {
    let (_r, s) = starter_server();
    let (_, home) = s.get("/");
    for slug in ["over", "contact", "privacy", "toegankelijkheid"] {
        assert!(home.contains(&format!("href=\"/paginas/{slug}\"")), "footer lacks {slug}");
        let (code, html) = s.get(&format!("/paginas/{slug}"));
        assert_eq!(code, 200, "{slug}");
        assert!(html.contains("class=\"utrecht-html tk-tekst\""), "{slug}");
    }
    assert!(
        s.get("/paginas/privacy")
            .1
            .contains("<h1 class=\"utrecht-heading-1\">Privacyverklaring</h1>")
    );
    assert_eq!(s.get("/paginas/bestaat-niet").0, 404);

    let (_, region) = s.get("/regios/oost-nederland");
    assert!(region.contains("Over deze regio") && region.contains("Werkgebied"), "{region}");
    assert!(region.contains("href=\"/zoeken?q=Deventer\""), "municipalities link to a search");

    // A municipality or an area finds its region first; filters work on it.
    for (q, want) in [
        ("deventer", "regios/oost-nederland"),
        ("Twente", "regios/oost-nederland"),
        ("maastricht", "regios/limburg"),
    ] {
        let (_, v) = s.json(&format!("/api/v1/search?q={q}"));
        let ids = tegenkracht_tests::hit_ids(&v);
        assert!(ids.contains(&want.to_string()), "{q}: {ids:?}");
        let hit = v["hits"].as_array().unwrap().iter().find(|h| h["id"] == want).unwrap();
        assert_eq!(
            (hit["type"].as_str(), hit["url"].as_str()),
            (Some("regio"), Some(&*format!("/{want}"))),
            "{hit}"
        );
    }
    let (_, v) = s.json("/api/v1/search?q=deventer&type=regio");
    assert_eq!(tegenkracht_tests::hit_ids(&v), ["regios/oost-nederland"], "{v}");
    let (_, v) = s.json("/api/v1/search?q=deventer&regio=limburg");
    assert!(
        !tegenkracht_tests::hit_ids(&v).contains(&"regios/oost-nederland".to_string()),
        "{v}"
    );
    let (_, v) = s.json("/api/v1/search?q=cookie");
    assert!(tegenkracht_tests::hit_ids(&v).contains(&"paginas/privacy".to_string()), "{v}");
    let (_, html) = s.get("/zoeken?q=deventer");
    assert!(
        html.contains("href=\"/regios/oost-nederland\"") && html.contains("Regiobeschrijving"),
        "{html}"
    );
    let (_, sitemap) = s.get("/sitemap.xml");
    assert!(sitemap.contains("/paginas/toegankelijkheid</loc>"));
}

//! Search that reads a query the way a colleague would (issue 13), over the
//! real starter content on a real server: abbreviations that are also words,
//! phrases, questions, playbooks as hits, similar initiatives with the
//! author's links, forgiving links.

use tegenkracht_tests::{Server, hit_ids as ids, starter_server, workspace};

fn search(s: &Server, q: &str) -> serde_json::Value {
    let (status, v) = s.json(&format!("/api/v1/search?q={}&per_pagina=100", q.replace(' ', "+")));
    assert_eq!(status, 200, "{v}");
    v
}

/// The starter dossier files, by id, as written (front matter and body).
fn starter_dossiers() -> Vec<(String, String)> {
    let root = workspace().join("content/dossiers");
    let mut out = Vec::new();
    for region in std::fs::read_dir(&root).unwrap().flatten() {
        for f in std::fs::read_dir(region.path()).unwrap().flatten() {
            let text = std::fs::read_to_string(f.path()).unwrap();
            let regio = text.lines().find_map(|l| l.strip_prefix("regio: ")).unwrap().trim().to_string();
            let slug = f.path().file_stem().unwrap().to_string_lossy().to_string();
            out.push((format!("{regio}/{slug}"), text));
        }
    }
    out
}

/// True when a dossier concerns the Openbaar Ministerie: it writes `OM`,
/// `Openbaar Ministerie` or `officier van justitie`, or has `om` as partner.
fn concerns_the_om(text: &str) -> bool {
    let lower = text.to_lowercase();
    text.split(|c: char| !c.is_alphanumeric()).any(|w| w == "OM")
        || lower.contains("openbaar ministerie")
        || lower.contains("officier van justitie")
        || lower.contains("officieren van justitie")
        || text
            .lines()
            .any(|l| l.starts_with("partners:") && l.split(|c: char| !c.is_alphanumeric()).any(|w| w == "om"))
}

#[test]
fn om_finds_the_openbaar_ministerie_and_never_the_word_om() {
    let (_r, s) = starter_server();
    let dossiers = starter_dossiers();
    let all = dossiers.len();
    for q in ["OM", "om", "rol van het om", "ovj"] {
        let v = search(&s, q);
        let found: Vec<String> = ids(&v)
            .into_iter()
            .filter(|id| !id.contains("themas/") && !id.starts_with("collecties/"))
            .collect();
        assert!(!found.is_empty(), "{q} finds the OM's dossiers");
        assert!(found.len() < all, "{q} must not find every dossier ({} of {all})", found.len());
        for id in &found {
            let (_, text) = dossiers.iter().find(|(d, _)| d == id).unwrap();
            assert!(
                concerns_the_om(text),
                "{q} found {id}, which names neither the OM nor has it as partner"
            );
        }
        // The snippet marks the acronym or its expansion, never the word "om".
        for h in v["hits"].as_array().unwrap() {
            let snippet = h["snippet"].as_str().unwrap().to_lowercase();
            assert!(!snippet.contains("<mark>om</mark> "), "{q}: {snippet}");
        }
    }
    // "om te" is a function word in a sentence: it does not restrict or match.
    let with = ids(&search(&s, "vastgoed om te"));
    let without = ids(&search(&s, "vastgoed"));
    assert_eq!(with, without, "`om` before `te` is read as a function word");
}

#[test]
fn synonyms_of_several_words_match_as_phrases_and_highlight_only_the_phrase() {
    let (_r, s) = starter_server();
    for q in ["riec", "bibob", "13b"] {
        let v = search(&s, q);
        for h in v["hits"].as_array().unwrap() {
            // `RIEC's` is the synonym `riec's` as a whole: its `s` may be marked there.
            let s = h["snippet"]
                .as_str()
                .unwrap()
                .replace("</mark>&#39;<mark>s</mark>", "</mark>&#39;s");
            for noise in [
                "<mark>en</mark>",
                "<mark>s</mark>",
                "<mark>wet</mark>",
                "<mark>weten</mark>",
                "<mark>van</mark>",
            ] {
                // Marked only inside a marked phrase: a marked word right before and after.
                for (at, _) in s.match_indices(noise) {
                    let before = s[..at].trim_end_matches([' ', '-']).ends_with("</mark>");
                    let after = s[at + noise.len()..].trim_start_matches([' ', '-']).starts_with("<mark>");
                    assert!(before && after, "{q}: {noise} marked on its own in {s}");
                }
            }
        }
    }
}

#[test]
fn an_unquoted_concept_ranks_the_documents_with_the_phrase_first() {
    let (_r, s) = starter_server();
    let v = search(&s, "permanente bewoning");
    let first = &v["hits"][0];
    let id = first["id"].as_str().unwrap();
    assert_eq!(id, "themas/recreatieparken", "{v}");
    assert!(
        v.get("bedoelde_u").is_none(),
        "no spelling suggestion for a phrase that exists: {v}"
    );
    assert!(
        first["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>permanente</mark> <mark>bewoning</mark>"),
        "{first}"
    );
}

#[test]
fn questions_find_what_their_content_words_find() {
    let (_r, s) = starter_server();
    let everything = search(&s, "")["total"].as_u64().unwrap();
    for (question, words) in [
        ("hoe pak ik een vakantiepark aan", "vakantiepark"),
        ("drugsafval in het bos", "drugsafval bos"),
    ] {
        let q = search(&s, question);
        assert!(q["total"].as_u64().unwrap() < everything, "{question} must not match everything");
        let first: Vec<String> = ids(&q).into_iter().take(3).collect();
        let content = ids(&search(&s, words));
        assert!(
            first.iter().all(|id| content.contains(id)),
            "{question}: the first hits {first:?} are among what `{words}` finds ({content:?})"
        );
    }
}

#[test]
fn hits_with_part_of_the_words_come_after_those_with_all_and_are_marked() {
    let (_r, s) = starter_server();
    // Every word finds little here: hits with part of them follow, marked.
    let q = "welke rol heeft de belastingdienst bij afpakken";
    let v = search(&s, q);
    let hits = v["hits"].as_array().unwrap();
    // A best bet comes first whatever its words; the order holds for the rest.
    let rest = if v.get("beste_antwoord").is_some() { &hits[1..] } else { &hits[..] };
    let whole: Vec<bool> = rest.iter().map(|h| h["alle_woorden"].as_bool().unwrap()).collect();
    let first_partial = whole.iter().position(|w| !w).expect("hits with part of the words");
    assert!(first_partial > 0, "the hits with every word come first: {whole:?}");
    assert!(
        whole[first_partial..].iter().all(|w| !w),
        "no hit with every word after a partial one: {whole:?}"
    );
    assert_eq!(v["total"].as_u64().unwrap() as usize, hits.len());
    let (status, html) = s.get(&format!("/zoeken?q={}", q.replace(' ', "+")));
    assert_eq!(status, 200);
    assert_eq!(
        html.matches("bevatten niet al uw zoekwoorden").count(),
        1,
        "one line above the partial hits"
    );
    // `herken` occurs nowhere, but the other words find hits: those are shown
    // (all partial), not the hits of a "correction" (`werken`).
    let v = search(&s, "hoe herken ik een drugslab in een schuur");
    assert!(v.get("vervangen").is_none(), "{v}");
    assert!(v["hits"].as_array().unwrap().iter().all(|h| h["alle_woorden"] == false), "{v}");
    // A query that finds plenty with every word has no partial hits and no line.
    let v = search(&s, "horeca");
    assert!(v["hits"].as_array().unwrap().iter().all(|h| h["alle_woorden"] == true));
    let (_, html) = s.get("/zoeken?q=criminele+geldstromen");
    assert!(!html.contains("bevatten niet al uw zoekwoorden"));
    // The best bet is first even with part of the words; the line stays where partial hits start.
    let (_, html) = s.get("/zoeken?q=hoe+pak+ik+een+vakantiepark+aan");
    let (best, line) = (
        html.find("tk-beste-label").unwrap(),
        html.find("bevatten niet al uw zoekwoorden").unwrap(),
    );
    assert!(best < line, "no line above the best bet");
}

#[test]
fn playbooks_and_collections_are_hits_with_a_type_facet_and_a_best_bet() {
    let (_r, s) = starter_server();
    // Words only a playbook explains.
    for q in ["wietkwekerij", "arbeidsuitbuiting"] {
        let v = search(&s, q);
        assert!(ids(&v).iter().any(|id| id.starts_with("themas/")), "{q}: {v}");
        assert!(
            v["hits"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["type"] == "thema" && h["regio"].is_null())
        );
    }
    // A query that names a thema (a synonym of it) puts the playbook first.
    let v = search(&s, "vakantieparken");
    assert_eq!(v["hits"][0]["id"], "themas/recreatieparken", "{v}");
    assert_eq!(v["beste_antwoord"], "themas/recreatieparken");
    assert!(v["facets"]["type"]["thema"].as_u64().unwrap() >= 1, "{v}");
    // Dossier-only filtering keeps working.
    let (_, only) = s.json("/api/v1/search?q=vakantieparken&type=leerdossier&type=praktijk");
    assert!(
        ids(&only)
            .iter()
            .all(|id| !id.starts_with("themas/") && !id.starts_with("collecties/")),
        "{only}"
    );
    let (_, themas) = s.json("/api/v1/search?q=horeca&type=thema");
    assert!(
        !ids(&themas).is_empty() && ids(&themas).iter().all(|id| id.starts_with("themas/")),
        "{themas}"
    );
    // The website shows the best bet first.
    let (status, html) = s.get("/zoeken?q=vakantieparken");
    assert_eq!(status, 200);
    let best = html.find("tk-kaart--beste").expect("a best-bet card");
    let first_card = html.find("<article").unwrap();
    assert!(
        html[first_card..].starts_with("<article class=\"tk-kaart tk-kaart--pagina tk-kaart--beste"),
        "{}",
        &html[best - 200..best + 200]
    );
    assert!(html[first_card..].contains("href=\"/themas/recreatieparken\""));
}

#[test]
fn similar_initiatives_start_with_the_authors_links_and_give_informative_reasons() {
    let (_r, s) = starter_server();
    // The spec's default lists other regions only; the author's links of the
    // same region come with `auteur_alle_regios` (and on the dossier page).
    let (_, plain) = s.json("/api/v1/dossiers/midden-nederland/horecascan/vergelijkbaar?k=10");
    assert!(
        plain["hits"].as_array().unwrap().iter().all(|h| h["regio"] != "midden-nederland"),
        "{plain}"
    );
    let (status, v) = s.json("/api/v1/dossiers/midden-nederland/horecascan/vergelijkbaar?k=10&auteur_alle_regios=true");
    assert_eq!(status, 200, "{v}");
    let hits = v["hits"].as_array().or_else(|| v.as_array()).unwrap_or_else(|| panic!("{v}"));
    let dossier = std::fs::read_to_string(workspace().join("content/dossiers/midden-nederland/horecascan.md")).unwrap();
    let links: Vec<String> = dossier
        .lines()
        .find_map(|l| l.strip_prefix("gerelateerd: "))
        .unwrap()
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    assert!(!links.is_empty());
    for (i, link) in links.iter().enumerate() {
        assert_eq!(hits[i]["id"], link.as_str(), "author link {i} first, in the author's order: {v}");
        assert_eq!(hits[i]["auteur"], true);
        assert!(hits[i]["waarom"].to_string().contains("gekozen door de auteur"), "{}", hits[i]);
    }
    let (_, page) = s.get("/dossiers/midden-nederland/horecascan");
    for link in &links {
        assert!(
            page.contains(&format!("href=\"/dossiers/{link}\"")),
            "the dossier page lists {link}"
        );
    }
    assert!(page.contains("Gekozen door de auteur"));
    for h in &hits[links.len()..] {
        assert_eq!(h["auteur"], false);
        assert_ne!(h["regio"], "midden-nederland", "others come from other regions: {h}");
        assert!(h["score"].as_f64().unwrap() >= 0.25, "no weak matches: {h}");
        let reasons = h["waarom"].to_string();
        assert!(
            !reasons.contains("Gemeente"),
            "a partner nearly every dossier has is no reason: {reasons}"
        );
    }
}

#[test]
fn tracking_parameters_are_ignored_on_pages_but_not_in_the_api() {
    let (_r, s) = starter_server();
    let (status, html) = s.get("/zoeken?q=horeca&utm_source=nieuwsbrief&utm_medium=email&fbclid=abc123&gclid=x");
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("horeca"));
    let (status, _) = s.get("/themas/horeca?utm_campaign=x&mc_eid=1");
    assert_eq!(status, 200);
    let (status, v) = s.json("/api/v1/search?q=horeca&utm_source=nieuwsbrief");
    assert_eq!(status, 400, "{v}");
    let (status, _) = s.get("/zoeken?q=horeca&onbekend=1");
    assert_eq!(status, 400, "other unknown parameters keep their clear error");
}

#[test]
fn a_page_past_the_end_says_so_and_links_back() {
    let (_r, s) = starter_server();
    let (status, html) = s.get("/zoeken?q=horeca&pagina=5");
    assert_eq!(status, 200);
    assert!(!html.contains("Niets gevonden"), "not 'nothing found' beside a count");
    assert!(html.contains("Pagina 5 bestaat niet"), "{html}");
    assert!(html.contains("Naar de laatste pagina"));
}

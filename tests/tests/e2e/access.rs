//! Access levels: restricted documents never show to readers not entitled to
//! them, in any form; proven by difference over the whole anonymous site.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use tegenkracht_tests::{Server, TestRepo, fixture};

const TOKEN_LIMBURG: &str = "token-limburg-123";
const TOKEN_NETWERK: &str = "token-netwerk-456";

fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

/// The public documents, identical in both repositories.
fn public(r: &TestRepo, with_restricted_links: bool) {
    let rel = if with_restricted_links {
        "gerelateerd: [limburg/regio-vastgoed, rotterdam/haven]\n"
    } else {
        "gerelateerd: [rotterdam/haven]\n"
    };
    r.write("vocabulaire.yaml", fixture::VOCAB)
        .write("themas/vastgoed.md", &fixture::playbook("Vastgoed"))
        .write("themas/havens.md", &fixture::playbook("Havens"))
        .write(
            "dossiers/limburg/panden.md",
            &fixture::dossier(
                "Panden en witwassen in Maastricht",
                "limburg",
                "vastgoed",
                "openbaar",
                rel,
                "Panden, witwassen en huisjesmelkers. Het vastgoed werd gescreend.",
            ),
        )
        .write(
            "dossiers/rotterdam/haven.md",
            &fixture::dossier(
                "Havenbedrijven weerbaar",
                "rotterdam",
                "havens",
                "openbaar",
                "",
                "Douane en haven werken samen tegen smokkel en witwassen.",
            ),
        )
        .write(
            "dossiers/rotterdam/vastgoed.md",
            &fixture::dossier(
                "Vastgoedscan Rotterdam-Zuid",
                "rotterdam",
                "vastgoed",
                "openbaar",
                "",
                "Een scan van panden en witwassen in vastgoed.",
            ),
        );
    let extra = if with_restricted_links {
        "  - id: limburg/regio-vastgoed\n    notitie: Alleen voor Limburg.\n"
    } else {
        ""
    };
    r.write(
        "collecties/vastgoed.md",
        &format!("---\ntitel: Vastgoedbundel\ntype: collectie\nsamenvatting: Dossiers over vastgoed.\ntoegang: openbaar\ncurator: LIEC\nitems:\n  - id: limburg/panden\n{extra}  - id: rotterdam/vastgoed\n---\nInleiding.\n"),
    );
}

/// Restricted documents, only in the second repository.
fn restricted(r: &TestRepo) {
    r.write(
        "dossiers/limburg/netwerk-panden.md",
        &fixture::dossier("Netwerkdossier geheimterm panden", "limburg", "vastgoed, havens", "netwerk", "partners: [fiod]\n", "Geheimterm panden witwassen vastgoed haven smokkel, veel vaker panden panden panden."),
    )
    .write(
        "dossiers/limburg/regio-vastgoed.md",
        &fixture::dossier(
            "Regiodossier limburgsgeheim",
            "limburg",
            "vastgoed",
            "regio",
            "status: pilot\ncontact:\n  organisatie: Gemeente X\n  functie: projectleider\n  email: p@x.example\n",
            "Limburgsgeheim witwassen panden vastgoed.",
        ),
    )
    .write("dossiers/rotterdam/regio-haven.md", &fixture::dossier("Rotterdams havengeheim", "rotterdam", "havens", "regio", "", "Havengeheim smokkel douane witwassen."))
    .write("collecties/netwerkbundel.md", "---\ntitel: Netwerkbundel\ntype: collectie\nsamenvatting: Alleen voor partners.\ntoegang: netwerk\ncurator: LIEC\nitems:\n  - id: limburg/netwerk-panden\n---\nGeheim.\n");
}

fn config(r: &TestRepo) -> String {
    format!(
        "data_dir = \"{{data}}\"\n[[source]]\nname = \"centraal\"\nurl = \"{}\"\nbranch = \"main\"\nregions = [\"*\"]\n\n[auth]\nproxy_user_header = \"X-Forwarded-User\"\nproxy_groups_header = \"X-Forwarded-Groups\"\ntrusted_proxies = [\"127.0.0.1/32\"]\n\n[[auth.token]]\nname = \"analist-limburg\"\nsha256 = \"{}\"\nregions = [\"limburg\"]\n\n[[auth.token]]\nname = \"partner\"\nsha256 = \"{}\"\nregions = []\n",
        r.path().display(),
        sha256_hex(TOKEN_LIMBURG),
        sha256_hex(TOKEN_NETWERK)
    )
}

fn servers() -> ((TestRepo, Server), (TestRepo, Server)) {
    let a = TestRepo::new();
    public(&a, false);
    a.commit("public only");
    let b = TestRepo::new();
    public(&b, true);
    restricted(&b);
    b.commit("public and restricted");
    let sa = Server::start(a.path(), &config(&a));
    let sb = Server::start(b.path(), &config(&b));
    ((a, sa), (b, sb))
}

fn get_as(s: &Server, path: &str, headers: &[(&str, &str)]) -> (u16, String, reqwest::header::HeaderMap) {
    let client = reqwest::blocking::Client::new();
    let mut req = client.get(format!("{}{path}", s.base));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().unwrap();
    let status = r.status().as_u16();
    let h = r.headers().clone();
    (status, r.text().unwrap(), h)
}

/// Replaces what differs by construction (commit ids, load times) with placeholders.
fn normalize(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let chars: Vec<char> = body.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
            .count();
        if run == 40 {
            out.push_str("COMMIT");
            i += 40;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    // `"geladen":"2026-...Z"`
    let re_start = "\"geladen\":\"";
    let mut res = String::new();
    let mut rest = out.as_str();
    while let Some(pos) = rest.find(re_start) {
        res.push_str(&rest[..pos + re_start.len()]);
        rest = &rest[pos + re_start.len()..];
        let end = rest.find('"').unwrap_or(0);
        res.push_str("TIME");
        rest = &rest[end..];
    }
    res.push_str(rest);
    res
}

fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|s| s.replace("&amp;", "&"))
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .collect()
}

/// Crawls the anonymous site from `/` plus a list of API calls; path → (status, normalized body).
fn crawl(s: &Server) -> BTreeMap<String, (u16, String)> {
    crawl_with(s, &[])
}

/// `crawl`, with more paths to start from.
fn crawl_with(s: &Server, extra: &[&str]) -> BTreeMap<String, (u16, String)> {
    let mut seen = BTreeMap::new();
    let mut queue: VecDeque<String> = VecDeque::new();
    let api = [
        "/api/v1/search",
        "/api/v1/search?q=panden",
        "/api/v1/search?q=witwassen&per_pagina=100",
        "/api/v1/search?q=geheimterm",
        "/api/v1/search?q=limburgsgeheim",
        "/api/v1/search?q=havengeheim",
        "/api/v1/search?q=panden&regio=limburg",
        "/api/v1/search?q=haven+smokkel&sort=datum",
        "/api/v1/search?partner=fiod",
        "/api/v1/search?status=pilot",
        "/api/v1/themas",
        "/api/v1/themas/vastgoed",
        "/api/v1/themas/havens",
        "/api/v1/collecties",
        "/api/v1/collecties/vastgoed",
        "/api/v1/collecties/netwerkbundel",
        "/api/v1/vocabulaire",
        "/api/v1/lessen",
        "/api/v1/status",
        "/api/v1/dossiers/limburg/panden",
        "/api/v1/dossiers/limburg/netwerk-panden",
        "/api/v1/dossiers/limburg/regio-vastgoed",
        "/api/v1/dossiers/rotterdam/regio-haven",
        "/api/v1/dossiers/limburg/panden/vergelijkbaar?zelfde_regio=true&k=50",
        "/api/v1/dossiers/rotterdam/haven/vergelijkbaar?k=50",
        "/api/v1/dossiers/rotterdam/vastgoed/vergelijkbaar?zelfde_regio=true&k=50",
        "/api/v1/dossiers/limburg/netwerk-panden/vergelijkbaar",
        "/dossiers/limburg/netwerk-panden",
        "/dossiers/limburg/regio-vastgoed",
        "/collecties/netwerkbundel",
        "/zoeken?q=geheimterm",
        "/zoeken?q=panden+witwassen",
        "/lessen?regio=limburg",
    ];
    queue.push_back("/".to_string());
    queue.extend(api.iter().chain(extra).map(|s| s.to_string()));
    while let Some(path) = queue.pop_front() {
        if seen.contains_key(&path) || seen.len() >= 600 || path.starts_with("/static/") {
            continue;
        }
        let (status, body, _) = get_as(s, &path, &[]);
        if body.trim_start().starts_with('<') {
            for l in links(&body) {
                if !seen.contains_key(&l) {
                    queue.push_back(l);
                }
            }
        }
        seen.insert(path, (status, normalize(&body)));
    }
    seen
}

#[test]
fn the_anonymous_site_is_identical_with_and_without_restricted_documents() {
    let ((_a, sa), (_b, sb)) = servers();
    let without = crawl(&sa);
    let with = crawl(&sb);
    assert!(without.len() > 40, "crawl reached only {} pages", without.len());
    let paths: BTreeSet<&String> = without.keys().chain(with.keys()).collect();
    let mut diffs = Vec::new();
    for p in paths {
        if without.get(p) != with.get(p) {
            diffs.push(p.clone());
        }
    }
    assert!(
        diffs.is_empty(),
        "anonymous responses differ for: {diffs:?}\nfirst: {:?}\nvs {:?}",
        without.get(&diffs[0]),
        with.get(&diffs[0])
    );
    // And the restricted words appear nowhere.
    for (p, (_, body)) in &with {
        for secret in ["geheimterm", "limburgsgeheim", "havengeheim", "Netwerkbundel", "p@x.example"] {
            assert!(
                !body.to_lowercase().contains(&secret.to_lowercase()) || p.contains(&secret.to_lowercase()),
                "{secret} leaked on {p}"
            );
        }
    }
}

/// The anonymous answers of two servers that differ (status aside, which names
/// its load and update history), as a readable assertion message.
fn assert_same_answers(live: &Server, fresh: &Server, extra: &[&str], when: &str) {
    let a = crawl_with(live, extra);
    let b = crawl_with(fresh, extra);
    assert!(a.len() > 40, "crawl reached only {} pages", a.len());
    let diffs: Vec<&String> = a
        .keys()
        .chain(b.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|p| !p.starts_with("/api/v1/status") && a.get(*p) != b.get(*p))
        .collect();
    assert!(
        diffs.is_empty(),
        "{when}: the updated server answers differently from a fresh build for {diffs:?}\nupdated: {:?}\nfresh: {:?}",
        a.get(diffs[0]),
        b.get(diffs[0])
    );
}

/// Term statistics never outlive access: after a dossier is made `netwerk`,
/// and after another is deleted, every anonymous answer of the running server
/// (scores, "Bedoelde u", corrections and compound splits included) equals
/// that of a server built from scratch on the same commit.
#[test]
fn public_statistics_after_a_dossier_leaves_equal_a_fresh_build() {
    let r = TestRepo::new();
    public(&r, false);
    let zonnepanelen = |toegang: &str| {
        fixture::dossier(
            "Zonnepanelen op boerenschuren",
            "limburg",
            "vastgoed",
            toegang,
            "",
            "Zonnepanelen op boerenschuren: panden, witwassen en vastgoed. Veel panden, zonnepanelen en schuren.",
        )
    };
    r.write("dossiers/limburg/zonnepanelen.md", &zonnepanelen("openbaar")).write(
        "dossiers/rotterdam/hennep.md",
        &fixture::dossier(
            "Hennepkwekerij in een bedrijfshal",
            "rotterdam",
            "havens",
            "openbaar",
            "",
            "Een hennepkwekerij in een bedrijfshal bij de haven; witwassen en smokkel.",
        ),
    );
    r.commit("two more public dossiers");
    let cfg = config(&r).replace("data_dir = \"{data}\"\n", "data_dir = \"{data}\"\npoll_interval = \"1s\"\n");
    let live = Server::start(r.path(), &cfg);
    let queries = [
        "/api/v1/search?q=zonnepanelen",
        "/api/v1/search?q=zonepanelen",
        "/api/v1/search?q=boerenschuren",
        "/api/v1/search?q=schuren",
        "/api/v1/search?q=hennepkwekerij",
        "/api/v1/search?q=kwekerij",
        "/api/v1/search?q=hennep",
        "/api/v1/search?q=bedrijfshal",
        "/api/v1/search?q=bedrijfshallen",
        "/api/v1/search?q=panden+vastgoed&per_pagina=100",
        "/api/v1/search?q=witwassen+haven&per_pagina=100",
        "/zoeken?q=zonnepanelen",
        "/zoeken?q=hennepkwekerij",
        "/zoeken?q=bedrijfshal",
    ];
    assert!(
        crawl_with(&live, &queries)["/api/v1/search?q=zonnepanelen"]
            .1
            .contains("limburg/zonnepanelen"),
        "the dossier is public at first"
    );
    let wait_for_commit = |commit: &str| {
        live.wait_for("/api/v1/status", std::time::Duration::from_secs(30), |v| {
            v["bronnen"][0]["commit"].as_str() == Some(commit)
        });
    };

    r.write("dossiers/limburg/zonnepanelen.md", &zonnepanelen("netwerk"));
    wait_for_commit(&r.commit("made netwerk"));
    let fresh = Server::start(r.path(), &cfg);
    assert_same_answers(&live, &fresh, &queries, "after openbaar became netwerk");
    drop(fresh);

    r.remove("dossiers/rotterdam/hennep.md");
    wait_for_commit(&r.commit("deleted"));
    let fresh = Server::start(r.path(), &cfg);
    assert_same_answers(&live, &fresh, &queries, "after a deletion");
}

#[test]
fn signed_in_readers_see_what_they_are_entitled_to() {
    let (_, (_b, s)) = servers();
    let limburg = [("authorization", "Bearer token-limburg-123")];
    let netwerk = [("authorization", "Bearer token-netwerk-456")];
    // A region reader: openbaar, netwerk and their own region.
    let (status, body, headers) = get_as(&s, "/api/v1/search?q=witwassen&per_pagina=100", &limburg);
    assert_eq!(status, 200);
    assert!(
        body.contains("limburg/regio-vastgoed") && body.contains("limburg/netwerk-panden"),
        "{body}"
    );
    assert!(!body.contains("rotterdam/regio-haven"), "{body}");
    assert_eq!(headers["cache-control"], "private, no-store");
    // Contact blocks only for signed-in readers.
    let (_, body, _) = get_as(&s, "/api/v1/dossiers/limburg/regio-vastgoed", &limburg);
    assert!(body.contains("p@x.example"), "{body}");
    let (_, html, _) = get_as(&s, "/dossiers/limburg/regio-vastgoed", &limburg);
    assert!(html.contains("p@x.example"));
    // A network reader: no regio documents.
    let (_, body, _) = get_as(&s, "/api/v1/search?q=witwassen&per_pagina=100", &netwerk);
    assert!(
        body.contains("limburg/netwerk-panden") && !body.contains("regio-vastgoed"),
        "{body}"
    );
    assert_eq!(get_as(&s, "/dossiers/limburg/regio-vastgoed", &netwerk).0, 404);
    // Anonymous: 404, exactly as for a document that does not exist.
    let (status, missing, _) = get_as(&s, "/api/v1/dossiers/limburg/bestaat-niet", &[]);
    let (status2, restricted, _) = get_as(&s, "/api/v1/dossiers/limburg/netwerk-panden", &[]);
    assert_eq!((status, status2), (404, 404));
    assert_eq!(missing, restricted);
    // A wrong token is refused, not silently anonymous.
    let (status, _, h) = get_as(&s, "/api/v1/search", &[("authorization", "Bearer fout")]);
    assert_eq!(status, 401);
    assert!(h.contains_key("www-authenticate"));
}

#[test]
fn proxy_identity_is_trusted_only_from_trusted_proxies() {
    let (_, (_b, s)) = servers();
    // The test client connects from 127.0.0.1, which the configuration trusts.
    let (_, body, h) = get_as(
        &s,
        "/api/v1/search?q=havengeheim",
        &[("x-forwarded-user", "piet"), ("x-forwarded-groups", "rotterdam")],
    );
    assert!(body.contains("rotterdam/regio-haven"), "{body}");
    assert_eq!(h["cache-control"], "private, no-store");
    let (_, body, _) = get_as(
        &s,
        "/api/v1/search?q=limburgsgeheim",
        &[("x-forwarded-user", "piet"), ("x-forwarded-groups", "liec")],
    );
    assert!(body.contains("limburg/regio-vastgoed"), "{body}");
    // Groups without a user header are ignored.
    let (_, body, _) = get_as(&s, "/api/v1/search?q=havengeheim", &[("x-forwarded-groups", "rotterdam")]);
    assert!(!body.contains("regio-haven"), "{body}");
}

#[test]
fn proxy_headers_from_untrusted_addresses_are_ignored() {
    let r = TestRepo::new();
    public(&r, true);
    restricted(&r);
    r.commit("all");
    let cfg = config(&r).replace("trusted_proxies = [\"127.0.0.1/32\"]", "trusted_proxies = [\"10.0.0.0/8\"]");
    let s = Server::start(r.path(), &cfg);
    let (_, body, h) = get_as(
        &s,
        "/api/v1/search?q=limburgsgeheim",
        &[("x-forwarded-user", "piet"), ("x-forwarded-groups", "liec")],
    );
    assert!(!body.contains("regio-vastgoed"), "{body}");
    assert_eq!(h["cache-control"], "public, max-age=60");
}

#[test]
fn usage_insight_shows_only_anonymous_aggregates_to_liec_readers() {
    let (_, (_b, s)) = servers();
    for _ in 0..3 {
        get_as(&s, "/zoeken?q=Xyzzy+Onbekend", &[]);
        get_as(&s, "/api/v1/search?q=panden", &[]);
        get_as(
            &s,
            "/api/v1/search?q=limburgsgeheim",
            &[("authorization", "Bearer token-limburg-123")],
        );
    }
    get_as(&s, "/api/v1/search?q=eenmalig", &[]);
    let liec = [("x-forwarded-user", "beheerder"), ("x-forwarded-groups", "liec")];
    let (status, html, _) = get_as(&s, "/beheer/inzicht", &liec);
    assert_eq!(status, 200);
    assert!(html.contains("xyzzy onbekend") && html.contains("panden"), "{html}");
    assert!(
        !html.contains("limburgsgeheim"),
        "signed-in readers' searches are never counted by their text"
    );
    assert!(
        html.contains("Lezers van een regio</td><td class=\"utrecht-table__cell\">3<"),
        "... only per kind of reader: {html}"
    );
    assert!(!html.contains("eenmalig"), "small counts are suppressed");
    assert_eq!(get_as(&s, "/beheer/inzicht", &[]).0, 404);
    assert_eq!(
        get_as(&s, "/beheer/inzicht", &[("authorization", "Bearer token-netwerk-456")]).0,
        404
    );
}

#[test]
fn cached_search_results_never_cross_audiences() {
    let (_, (_b, s)) = servers();
    let limburg = [("authorization", "Bearer token-limburg-123")];
    let netwerk = [("authorization", "Bearer token-netwerk-456")];
    // The same request, the most entitled reader first, so a shared cache entry would show.
    for path in [
        "/api/v1/search?q=witwassen&per_pagina=100",
        "/zoeken?q=witwassen",
        "/api/v1/search?q=limburgsgeheim",
    ] {
        for round in 0..2 {
            let (_, body, _) = get_as(&s, path, &limburg);
            assert!(body.contains("regio-vastgoed"), "{path} round {round}: {body}");
            let (_, body, _) = get_as(&s, path, &netwerk);
            assert!(!body.contains("regio-vastgoed"), "{path} round {round}: {body}");
            let (_, body, _) = get_as(&s, path, &[]);
            assert!(
                !body.contains("regio-vastgoed") && !body.contains("netwerk-panden"),
                "{path} round {round}: {body}"
            );
        }
    }
    // The cache was used (the second round), and is visible in the metrics.
    let (_, metrics, _) = get_as(&s, "/metrics", &[]);
    let hits: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("tegenkracht_search_cache_hits_total "))
        .and_then(|v| v.trim().parse().ok())
        .expect("cache metric");
    assert!(hits >= 9, "{metrics}");
}

/// A reader sees what is restricted and who they are signed in as; a
/// dossier's contact is announced to anonymous readers, never shown to them.
#[test]
fn access_is_visible_and_contacts_show_only_after_signing_in() {
    let r = TestRepo::new();
    public(&r, true);
    restricted(&r);
    r.write(
        "dossiers/limburg/met-contact.md",
        &fixture::dossier(
            "Openbaar dossier met contactpersoon",
            "limburg",
            "vastgoed",
            "openbaar",
            "contact:\n  organisatie: Gemeente Y\n  functie: adviseur\n  email: adviseur@y.example\n",
            "Contacttekst over panden.",
        ),
    );
    r.commit("with contact");
    let cfg = config(&r).replace(
        "[auth]\n",
        "[auth]\nsign_in_url = \"/oauth2/start\"\nsign_out_url = \"/oauth2/sign_out\"\n",
    );
    let s = Server::start(r.path(), &cfg);
    let limburg = format!("Bearer {TOKEN_LIMBURG}");
    let as_limburg = [("authorization", limburg.as_str())];
    let partner = format!("Bearer {TOKEN_NETWERK}");
    let as_partner = [("authorization", partner.as_str())];

    // Anonymous: the contact is announced with a sign-in link, never shown.
    let (code, html, _) = get_as(&s, "/dossiers/limburg/met-contact", &[]);
    assert_eq!(code, 200);
    assert!(html.contains("Contactpersoon zichtbaar na inloggen"), "{html}");
    assert!(html.contains("href=\"/oauth2/start\""), "sign-in link");
    assert!(!html.contains("adviseur@y.example") && !html.contains("Gemeente Y"), "{html}");
    assert!(!html.contains("Ingelogd als"));
    let (_, api, _) = get_as(&s, "/api/v1/dossiers/limburg/met-contact", &[]);
    let api: serde_json::Value = serde_json::from_str(&api).unwrap();
    assert_eq!(api["contact_na_inloggen"], true, "{api}");
    assert!(api.get("contact").is_none(), "{api}");
    assert!(!api.to_string().contains("adviseur@y.example"));

    // Signed in: the contact itself, who the reader is and what they may see.
    let (_, html, _) = get_as(&s, "/dossiers/limburg/met-contact", &as_limburg);
    assert!(html.contains("adviseur@y.example"), "{html}");
    assert!(!html.contains("Contactpersoon zichtbaar na inloggen"));
    assert!(
        html.contains("Ingelogd als <strong>analist-limburg</strong> (netwerkpartner, RIEC Limburg)"),
        "{html}"
    );
    assert!(html.contains("href=\"/oauth2/sign_out\"") && !html.contains("href=\"/oauth2/start\""));
    let (_, api, _) = get_as(&s, "/api/v1/dossiers/limburg/met-contact", &as_limburg);
    let api: serde_json::Value = serde_json::from_str(&api).unwrap();
    assert_eq!(
        (api["contact_na_inloggen"].as_bool(), api["contact"]["email"].as_str()),
        (Some(false), Some("adviseur@y.example"))
    );
    let (_, html, _) = get_as(&s, "/", &as_partner);
    assert!(html.contains("Ingelogd als <strong>partner</strong> (netwerkpartner)"), "{html}");

    // Restricted dossiers say so: a banner on the page, a label in lists and the API.
    let (_, html, _) = get_as(&s, "/dossiers/limburg/netwerk-panden", &as_partner);
    assert!(html.contains("Alleen voor netwerkpartners."), "{html}");
    let (_, html, _) = get_as(&s, "/dossiers/limburg/regio-vastgoed", &as_limburg);
    assert!(html.contains("Alleen voor lezers van RIEC Limburg en landelijke lezers."), "{html}");
    let (_, html, _) = get_as(&s, "/dossiers/limburg/panden", &as_limburg);
    assert!(!html.contains("tk-toegang-banner"), "a public dossier has no banner");
    let (_, html, _) = get_as(&s, "/zoeken?q=geheimterm", &as_partner);
    assert!(html.contains("Alleen netwerkpartners</span>"), "{html}");
    let (_, api, _) = get_as(&s, "/api/v1/search?q=limburgsgeheim", &as_limburg);
    let api: serde_json::Value = serde_json::from_str(&api).unwrap();
    assert_eq!(api["hits"][0]["toegang"], "regio", "{api}");
    let (_, api, _) = get_as(&s, "/api/v1/search?q=panden", &[]);
    let api: serde_json::Value = serde_json::from_str(&api).unwrap();
    assert!(api["hits"].as_array().unwrap().iter().all(|h| h["toegang"] == "openbaar"), "{api}");
    // ... and still nothing restricted for anonymous readers.
    assert_eq!(get_as(&s, "/dossiers/limburg/netwerk-panden", &[]).0, 404);
}

/// The usage counts survive a restart (saved at a graceful stop), and a query
/// that found nothing as typed counts as a miss even when a correction was
/// shown instead, with a synonym group proposed for it.
#[test]
fn usage_insight_survives_a_restart_and_proposes_synonyms_for_misses() {
    let r = TestRepo::new();
    public(&r, false);
    r.commit("public");
    let data = tempfile::tempdir().unwrap();
    let cfg = config(&r).replace("data_dir = \"{data}\"", &format!("data_dir = \"{}\"", data.path().display()));
    let liec = [("x-forwarded-user", "beheerder"), ("x-forwarded-groups", "liec")];
    {
        let s = Server::start(r.path(), &cfg);
        for _ in 0..3 {
            get_as(&s, "/zoeken?q=smokel", &[]);
            get_as(&s, "/api/v1/search?q=haven", &[]);
        }
        let (_, v, _) = get_as(&s, "/api/v1/search?q=smokel", &[]);
        assert!(v.contains("\"vervangen\":true"), "the typo is corrected: {v}");
        s.stop();
    }
    let s = Server::start(r.path(), &cfg);
    let (status, html, _) = get_as(&s, "/beheer/inzicht", &liec);
    assert_eq!(status, 200);
    assert!(html.contains(">haven</td><td class=\"utrecht-table__cell\">3<"), "{html}");
    assert!(
        html.contains(">smokel</td><td class=\"utrecht-table__cell\">4<"),
        "counted as a miss: {html}"
    );
    assert!(
        html.contains("- [&quot;smokel&quot;, &quot;smokkel&quot;]"),
        "a synonym group is proposed: {html}"
    );
    assert!(data.path().join("tegenkracht.redb").exists());
}

/// The writing form checks against what the reader may see: an id taken by
/// a restricted dossier is not revealed to someone who may not see it.
#[test]
fn the_writing_form_reveals_no_restricted_id() {
    let (_, (_b, s)) = servers();
    let body = "titel=Nieuw&slug=netwerk-panden&type=praktijk&regio=limburg&themas=vastgoed&samenvatting=Een+samenvatting+die+lang+genoeg+is+om+geldig+te+zijn.&toegang=openbaar&herzien_voor=2028-01-01&bijgewerkt=2026-01-01&aanpak=Tekst.";
    let check = |headers: &[(&str, &str)]| -> serde_json::Value {
        let mut req = reqwest::blocking::Client::new()
            .post(format!("{}/api/v1/schrijven/controle", s.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().unwrap().json().unwrap()
    };
    let anonymous = check(&[]);
    assert_eq!(
        anonymous["bevindingen"],
        serde_json::json!([]),
        "nothing about the restricted dossier: {anonymous}"
    );
    let partner = check(&[("authorization", "Bearer token-netwerk-456")]);
    assert!(
        partner["bevindingen"][0]["bericht"].as_str().unwrap().contains("bestaat al"),
        "{partner}"
    );
}

/// `/beheer` shows the vocabulary's lists in plain words, to LIEC readers only.
#[test]
fn the_vocabulary_page_is_for_liec_readers_and_says_what_check_says() {
    let (_, (_b, s)) = servers();
    let liec = [("x-forwarded-user", "beheerder"), ("x-forwarded-groups", "liec")];
    let (status, html, _) = get_as(&s, "/beheer", &liec);
    assert_eq!(status, 200);
    assert!(html.contains("damocles"), "synonym groups are listed");
    assert!(
        html.contains("witwassen <span class=\"tk-groep__aantal\">("),
        "with the number of dossiers per word"
    );
    assert!(
        html.contains("leren van elkaar") && html.contains("niet gepubliceerd"),
        "pins and whether they resolve"
    );
    assert!(
        html.contains("<code>oost-brabant</code> → <code>zeeland-brabant</code>"),
        "former regions"
    );
    assert!(
        html.contains("vastgezet bij `leren van elkaar`"),
        "the check's findings, in Dutch: {html}"
    );
    for who in [
        vec![],
        vec![("authorization", "Bearer token-netwerk-456")],
        vec![("authorization", "Bearer token-limburg-123")],
    ] {
        assert_eq!(get_as(&s, "/beheer", &who).0, 404, "{who:?}");
    }
}

/// With only public dossiers, signed-in readers see the same documents as
/// anonymous ones, but still their contacts (the public library has none).
#[test]
fn signed_in_readers_see_contacts_when_every_dossier_is_public() {
    let r = TestRepo::new();
    public(&r, false);
    r.write(
        "dossiers/limburg/met-contact.md",
        &fixture::dossier(
            "Openbaar met contact",
            "limburg",
            "vastgoed",
            "openbaar",
            "contact:\n  organisatie: Gemeente Z\n  functie: adviseur\n  email: z@z.example\n",
            "Tekst.",
        ),
    );
    r.commit("public with a contact");
    let s = Server::start(r.path(), &config(&r));
    let (_, anonymous, _) = get_as(&s, "/dossiers/limburg/met-contact", &[]);
    assert!(!anonymous.contains("z@z.example") && anonymous.contains("Contactpersoon zichtbaar na inloggen"));
    let partner = format!("Bearer {TOKEN_NETWERK}");
    let (_, signed, _) = get_as(&s, "/dossiers/limburg/met-contact", &[("authorization", partner.as_str())]);
    assert!(signed.contains("z@z.example"), "{signed}");
}

//! Hostile content and traffic against the real server: escaping in every
//! context, security headers everywhere, body and header limits, malformed
//! input, path traversal; plus feeds, sitemap, robots and security.txt.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use tegenkracht_tests::{Server, TestRepo, fixture};

const EVIL_TITLE: &str = "Panden <script>alert(1)</script> & \\\"quotes\\\" 'enkel'";

fn repo() -> TestRepo {
    let r = TestRepo::new();
    r.write("vocabulaire.yaml", fixture::VOCAB)
        .write("themas/vastgoed.md", &fixture::playbook("Vastgoed"))
        .write(
            "dossiers/limburg/kwaad.md",
            &fixture::dossier(
                EVIL_TITLE,
                "limburg",
                "vastgoed",
                "openbaar",
                "trefwoorden: [\"<img src=x onerror=alert(2)>\"]\n",
                "<script>alert(3)</script>\n\n[klik](javascript:alert(4))\n\n<iframe src=\"https://e.example\"></iframe>",
            ),
        )
        .write(
            "dossiers/limburg/gewoon.md",
            &fixture::dossier("Gewoon dossier", "limburg", "vastgoed", "openbaar", "", "Panden en witwassen."),
        );
    r.commit("hostile");
    r
}

fn config(r: &TestRepo, extra: &str) -> String {
    format!(
        "data_dir = \"{{data}}\"\nsite_url = \"https://kennisbank.example.nl\"\n{extra}[[source]]\nname = \"c\"\nurl = \"{}\"\nbranch = \"main\"\nregions = [\"*\"]\n",
        r.path().display()
    )
}

fn raw_get(s: &Server, path: &str) -> reqwest::blocking::Response {
    reqwest::blocking::get(format!("{}{path}", s.base)).unwrap()
}

#[test]
fn front_matter_text_is_escaped_in_every_context() {
    let r = repo();
    let s = Server::start(r.path(), &config(&r, ""));
    for path in [
        "/dossiers/limburg/kwaad",
        "/zoeken?q=panden",
        "/regios/limburg",
        "/feed.atom",
        "/api/v1/search?q=panden",
        "/api/v1/dossiers/limburg/kwaad",
        "/sitemap.xml",
        "/themas/vastgoed",
    ] {
        let (status, body) = s.get(path);
        assert_eq!(status, 200, "{path}");
        for bad in ["<script>alert", "<img src=x", "javascript:alert", "<iframe"] {
            assert!(!body.contains(bad), "{path} contains {bad}");
        }
    }
    let (_, html) = s.get("/dossiers/limburg/kwaad");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "titles are escaped, not dropped"
    );
    let title = html.split("<title>").nth(1).unwrap().split("</title>").next().unwrap();
    assert!(!title.contains('<'), "{title}");
}

#[test]
fn security_headers_are_on_every_response() {
    let r = repo();
    let s = Server::start(r.path(), &config(&r, ""));
    for path in [
        "/",
        "/bestaat-niet",
        "/static/tegenkracht.css",
        "/api/v1/search?x=1",
        "/api/v1/search",
        "/healthz",
        "/feed.atom",
    ] {
        let res = raw_get(&s, path);
        let h = res.headers();
        let csp = h
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("{path}: no CSP"))
            .to_str()
            .unwrap();
        for part in [
            "default-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "script-src 'self'",
        ] {
            assert!(csp.contains(part), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert!(h.contains_key("referrer-policy"), "{path}");
        assert_eq!(
            h["strict-transport-security"], "max-age=31536000",
            "{path}: https site_url means HSTS"
        );
    }
}

#[test]
fn malformed_and_oversized_input_gets_clear_errors() {
    let r = repo();
    let s = Server::start(r.path(), &config(&r, ""));
    assert_eq!(s.get("/api/v1/search?q=%zz").0, 400);
    assert_eq!(s.get("/api/v1/search?q=%FF%FE").0, 400, "invalid UTF-8");
    assert_eq!(s.get("/zoeken?q=%E2%28").0, 400);
    assert_eq!(
        s.get(&format!("/api/v1/search?q={}", "a".repeat(600))).0,
        400,
        "query length is capped"
    );
    assert_eq!(s.get("/api/v1/search?pagina=999999").0, 400);
    // Path traversal is impossible.
    for path in [
        "/static/../Cargo.toml",
        "/static/%2e%2e/%2e%2e/Cargo.toml",
        "/static/..%2f..%2fCargo.toml",
        "/static/.hidden",
    ] {
        let (status, body) = s.get(path);
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("[workspace]"), "{path}");
    }
    // Bodies over the limit: 413, before anything reads them.
    let big = vec![b'x'; 2 << 20];
    assert_eq!(s.post("/hooks/c", &[("x-gitlab-token", "x")], &big).0, 413);
    // Anything a user types is accepted in search.
    for q in ["%22titel%3A((((", "-", "OR+OR+OR", "%22%22", "*%3F%5B%5D%7B%7D%5E~"] {
        assert_eq!(s.get(&format!("/zoeken?q={q}")).0, 200, "{q}");
    }
}

#[test]
fn slow_clients_are_dropped() {
    let r = repo();
    let s = Server::start(r.path(), &config(&r, ""));
    let addr = s.base.trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&addr).unwrap();
    // Headers that never finish (slowloris).
    stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ").unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let start = Instant::now();
    let mut buf = Vec::new();
    let _ = stream.read_to_end(&mut buf);
    let took = start.elapsed();
    assert!(took < Duration::from_secs(20), "the server kept a slow client for {took:?}");
    assert!(took >= Duration::from_secs(5), "dropped suspiciously early: {took:?}");
    // The server still answers others.
    assert_eq!(s.get("/healthz").0, 200);
}

#[test]
fn feeds_sitemap_robots_and_security_txt() {
    let r = repo();
    let s = Server::start(
        r.path(),
        &config(
            &r,
            "security_contact = \"mailto:security@example.nl\"\nsecurity_expires = \"2027-12-31T23:00:00Z\"\n",
        ),
    );
    for path in [
        "/feed.atom",
        "/themas/vastgoed/feed.atom",
        "/regios/limburg/feed.atom",
        "/zoeken/feed.atom?q=witwassen",
    ] {
        let res = raw_get(&s, path);
        assert_eq!(res.status(), 200, "{path}");
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/atom+xml"));
        let body = res.text().unwrap();
        assert!(body.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""), "{path}");
        assert!(
            body.contains("https://kennisbank.example.nl/dossiers/limburg/gewoon"),
            "{path}: absolute URLs from site_url"
        );
    }
    let (_, feed) = s.get("/zoeken/feed.atom?q=witwassen");
    assert!(!feed.contains("kwaad"), "the saved search has only its matches");
    assert_eq!(s.get("/themas/onbekend/feed.atom").0, 404);
    let (_, sitemap) = s.get("/sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://kennisbank.example.nl/dossiers/limburg/gewoon</loc>"),
        "{sitemap}"
    );
    let (_, robots) = s.get("/robots.txt");
    assert!(robots.contains("Sitemap: https://kennisbank.example.nl/sitemap.xml"));
    let (status, sec) = s.get("/.well-known/security.txt");
    assert_eq!(status, 200);
    assert!(sec.contains("Contact: mailto:security@example.nl") && sec.contains("Expires: 2027-12-31T23:00:00Z"));
    // The Host header never makes it into absolute URLs.
    let client = reqwest::blocking::Client::new();
    let body = client
        .get(format!("{}/feed.atom", s.base))
        .header("host", "evil.example")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(!body.contains("evil.example"));
}

#[test]
fn metrics_count_requests_by_route_pattern() {
    let r = repo();
    let s = Server::start(r.path(), &config(&r, ""));
    s.get("/dossiers/limburg/gewoon");
    s.get("/api/v1/search?q=nergensgevonden");
    assert_eq!(s.post("/hooks/c", &[], &vec![b'x'; 2 << 20]).0, 413);
    let (_, m) = s.get("/metrics");
    assert!(
        m.contains("tegenkracht_http_requests_total{route=\"-\",status=\"413\"} 1"),
        "refusals outside the router are counted: {m}"
    );
    assert!(
        m.contains("tegenkracht_http_requests_total{route=\"/dossiers/{regio}/{slug}\",status=\"200\"} 1"),
        "{m}"
    );
    assert!(!m.contains("gewoon"), "raw paths never become labels");
    assert!(m.contains("tegenkracht_searches_zero_results_total 1"), "{m}");
    assert!(m.contains("tegenkracht_source_documents{source=\"c\"}"), "{m}");
}

//! In-process tests of the router: the real application (`tegenkracht::app`)
//! over a small content folder, driven request by request with
//! `tower::ServiceExt::oneshot` (no socket, no binary), and insta snapshots
//! of the API's JSON and the HTML of the main page types. A snapshot that
//! changes fails the test: review it (`cargo insta review`, or run with
//! `INSTA_UPDATE=always` and read the diff) and commit the new one.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tegenkracht::AppState;
use tegenkracht::config::Config;
use tegenkracht_tests::fixture;
use tower::ServiceExt;

/// A content folder with the starter vocabulary, one playbook and three dossiers.
struct Site {
    _content: tempfile::TempDir,
    _data: tempfile::TempDir,
    state: AppState,
}

fn write(dir: &std::path::Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn site(loaded: bool) -> Site {
    let content = tempfile::tempdir().unwrap();
    let c = content.path();
    write(c, "vocabulaire.yaml", fixture::VOCAB);
    write(c, "themas/horeca.md", &fixture::playbook("Horeca"));
    write(
        c,
        "dossiers/limburg/horecascan.md",
        &fixture::dossier(
            "Horecascan <Parkstad> & omgeving",
            "limburg",
            "horeca",
            "openbaar",
            "partners: [gemeente, politie]\n",
            "Een scan van horecapanden met de Bibob-toets, samen met politie en gemeente.",
        ),
    );
    write(
        c,
        "dossiers/rotterdam/horeca-keten.md",
        &fixture::dossier(
            "Ketenaanpak horeca",
            "rotterdam",
            "horeca",
            "openbaar",
            "partners: [gemeente]\n",
            "Horecapanden in de keten, getoetst met de Bibob-toets en bestuurlijke rapportages.",
        ),
    );
    write(
        c,
        "dossiers/limburg/besloten.md",
        &fixture::dossier(
            "Besloten horecaonderzoek",
            "limburg",
            "horeca",
            "netwerk",
            "",
            "Alleen voor partners: horeca en Bibob.",
        ),
    );
    let data = tempfile::tempdir().unwrap();
    let toml = format!(
        "data_dir = \"{}\"\nsite_url = \"https://tegenkracht.example\"\n[[source]]\nname = \"centraal\"\nurl = \"{}\"\nbranch = \"-\"\nregions = [\"*\"]\n",
        data.path().display(),
        c.display()
    );
    let config = Config::parse(&toml, &[]).unwrap();
    let specs = config.source_specs();
    let state = AppState::new(config).unwrap();
    if loaded {
        state.swap(indexer::load(&specs, data.path()).unwrap());
    }
    Site {
        _content: content,
        _data: data,
        state,
    }
}

/// One request through the whole router; the status, the content type and the body.
async fn get(state: &AppState, uri: &str) -> (StatusCode, String, String) {
    let res = tegenkracht::app(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let kind = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, kind, String::from_utf8(body.to_vec()).unwrap())
}

async fn json(state: &AppState, uri: &str) -> serde_json::Value {
    let (status, kind, body) = get(state, uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    assert!(kind.starts_with("application/json"), "{uri}: {kind}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn api_json_keeps_its_shape() {
    let s = site(true);
    let st = &s.state;
    insta::assert_json_snapshot!("api_dossier", json(st, "/api/v1/dossiers/limburg/horecascan").await);
    insta::assert_json_snapshot!("api_search", json(st, "/api/v1/search?q=bibob").await, {
        ".hits[].score" => "[score]",
    });
    insta::assert_json_snapshot!("api_similar", json(st, "/api/v1/dossiers/limburg/horecascan/vergelijkbaar").await, {
        ".hits[].score" => "[score]",
    });
    insta::assert_json_snapshot!("api_themas", json(st, "/api/v1/themas").await);
}

#[tokio::test]
async fn main_pages_keep_their_html() {
    let s = site(true);
    for (name, uri) in [
        ("page_home", "/"),
        ("page_dossier", "/dossiers/limburg/horecascan"),
        ("page_zoeken", "/zoeken?q=bibob"),
        ("page_thema", "/themas/horeca"),
    ] {
        let (status, kind, body) = get(&s.state, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(kind.starts_with("text/html"), "{uri}: {kind}");
        insta::assert_snapshot!(name, body);
    }
}

#[tokio::test]
async fn api_json_escapes_markup_while_serialising() {
    let s = site(true);
    let (_, _, raw) = get(&s.state, "/api/v1/dossiers/limburg/horecascan").await;
    assert!(raw.contains(r"Horecascan \u003cParkstad\u003e \u0026 omgeving"), "{raw}");
    assert!(!raw.contains('<') && !raw.contains('>') && !raw.contains('&'), "{raw}");
    // The same title, read back, is the text the author wrote.
    let v: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(v["titel"], "Horecascan <Parkstad> & omgeving");
    // Errors are escaped the same way.
    let (status, _, raw) = get(&s.state, "/api/v1/search?q=x&%3Cb%3E=1").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        raw.contains(r"\u003cb\u003e") && !raw.contains('<'),
        "the message names the parameter, escaped: {raw}"
    );
}

#[tokio::test]
async fn restricted_dossiers_are_absent_for_anonymous_requests() {
    let s = site(true);
    let (status, _, _) = get(&s.state, "/api/v1/dossiers/limburg/besloten").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = get(&s.state, "/dossiers/limburg/besloten").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let hits = json(&s.state, "/api/v1/search?q=horeca").await;
    let ids = tegenkracht_tests::hit_ids(&hits);
    assert!(ids.contains(&"limburg/horecascan".to_string()), "{ids:?}");
    assert!(!ids.iter().any(|i| i.contains("besloten")), "{ids:?}");
}

#[tokio::test]
async fn query_strings_are_strict_in_the_api_and_forgiving_on_pages() {
    let s = site(true);
    let (status, kind, body) = get(&s.state, "/api/v1/search?q=bibob&onbekend=1").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(kind.starts_with("application/json"));
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["code"], "bad_request", "{body}");
    // Tracking parameters on a page are ignored: the same results as without.
    let (status, _, tracked) = get(&s.state, "/zoeken?q=bibob&utm_source=nieuwsbrief").await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, plain) = get(&s.state, "/zoeken?q=bibob").await;
    assert_eq!(tracked, plain);
}

#[tokio::test]
async fn before_the_first_load_pages_and_api_answer_503_in_their_own_form() {
    let s = site(false);
    let (status, kind, body) = get(&s.state, "/zoeken?q=bibob").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(kind.starts_with("text/html"), "{kind}");
    assert!(body.contains("Even geduld"), "a themed page: {body}");
    let (status, kind, body) = get(&s.state, "/api/v1/search?q=bibob").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(kind.starts_with("application/json"), "{kind}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["code"], "unavailable");
    // The status says it is not ready yet, as a status, not as an error.
    let v = json(&s.state, "/api/v1/status").await;
    assert_eq!(v["klaar"], false, "{v}");
    // Curator pages answer a reader who is not one before anything else.
    let (status, _, _) = get(&s.state, "/beheer").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The sitemap is no page: its 503 is plain text.
    let (status, kind, _) = get(&s.state, "/sitemap.xml").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(kind.starts_with("text/plain"), "{kind}");
}

#[tokio::test]
async fn feeds_and_the_sitemap_are_escaped_xml() {
    let s = site(true);
    let (status, kind, feed) = get(&s.state, "/themas/horeca/feed.atom").await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("application/atom+xml"), "{kind}");
    assert!(feed.contains("<title>Horecascan &lt;Parkstad&gt; &amp; omgeving</title>"), "{feed}");
    assert!(!feed.contains("besloten"), "a restricted dossier in the public feed: {feed}");
    insta::assert_snapshot!("feed_thema", feed);
    let (status, kind, sitemap) = get(&s.state, "/sitemap.xml").await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("application/xml"), "{kind}");
    assert!(
        sitemap.contains("<url><loc>https://tegenkracht.example/dossiers/limburg/horecascan</loc></url>"),
        "{sitemap}"
    );
    assert!(!sitemap.contains("besloten"), "{sitemap}");
    insta::assert_snapshot!("sitemap", sitemap);
}

//! Email alerts against a real SMTP server (aiosmtpd): subscribing through the
//! API and the page's form, the right dossiers to the right readers only,
//! one-click unsubscribe, and an SMTP outage plus a killed server that neither
//! lose nor duplicate a mail, nor send what became restricted meanwhile.

use std::time::{Duration, Instant};
use tegenkracht_tests::{Server, Smtp, TestRepo, fixture, free_port};

const PARTNER: &str = "partner-token-1";
const LIMBURG: &str = "limburg-token-2";
const ZONDER: &str = "zonder-adres-3";

fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

fn repo() -> TestRepo {
    let r = TestRepo::new();
    r.write("vocabulaire.yaml", fixture::VOCAB)
        .write("themas/vastgoed.md", &fixture::playbook("Vastgoed"))
        .write("themas/horeca.md", &fixture::playbook("Horeca"))
        .write(
            "dossiers/limburg/bestaand.md",
            &fixture::dossier("Bestaande panden", "limburg", "vastgoed", "openbaar", "", "Panden in Maastricht."),
        );
    r.commit("start");
    r
}

fn dossier(r: &TestRepo, id: &str, titel: &str, thema: &str, toegang: &str) {
    let regio = id.split('/').next().unwrap();
    r.write(
        &format!("dossiers/{id}.md"),
        &fixture::dossier(titel, regio, thema, toegang, "", &format!("{titel}: panden en witwassen.")),
    );
}

fn start(r: &TestRepo, smtp_port: u16) -> Server {
    let port = free_port();
    let config = format!(
        "data_dir = \"{{data}}\"\nsite_url = \"http://127.0.0.1:{port}\"\npoll_interval = \"1s\"\n\
[[source]]\nname = \"centraal\"\nurl = \"{}\"\nbranch = \"main\"\nregions = [\"*\"]\n\
[auth]\nproxy_user_header = \"X-Forwarded-User\"\nproxy_groups_header = \"X-Forwarded-Groups\"\nproxy_email_header = \"X-Forwarded-Email\"\ntrusted_proxies = [\"127.0.0.1/32\"]\n\
[[auth.token]]\nname = \"partner\"\nsha256 = \"{}\"\nregions = []\nemail = \"partner@example.nl\"\n\
[[auth.token]]\nname = \"limburg\"\nsha256 = \"{}\"\nregions = [\"limburg\"]\nemail = \"limburg@example.nl\"\n\
[[auth.token]]\nname = \"zonder\"\nsha256 = \"{}\"\nregions = []\n\
[mail]\nmailer = true\nfrom = \"Tegenkracht <noreply@example.nl>\"\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {smtp_port}\ntls = \"none\"\ninterval = \"1s\"\n",
        r.path().display(),
        sha256_hex(PARTNER),
        sha256_hex(LIMBURG),
        sha256_hex(ZONDER)
    );
    let s = Server::start_on(port, r.path(), &config, &[]);
    // The mailer's first look at the content only records what exists.
    std::thread::sleep(Duration::from_millis(2500));
    s
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn subscribe(s: &Server, token: &str, body: &str) -> (u16, serde_json::Value) {
    let r = client()
        .post(format!("{}/api/v1/abonnementen", s.base))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().unwrap_or(serde_json::Value::Null))
}

fn list(s: &Server, token: &str) -> serde_json::Value {
    client()
        .get(format!("{}/api/v1/abonnementen", s.base))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .unwrap()
        .json()
        .unwrap()
}

fn wait_for_commit(s: &Server, commit: &str) {
    s.wait_for("/api/v1/status", Duration::from_secs(30), |v| {
        v["bronnen"][0]["commit"].as_str() == Some(commit)
    });
}

/// Waits until `address` has `n` mails; returns them parsed (subject, text, html, raw).
fn mails(smtp: &Smtp, address: &str, n: usize) -> Vec<(String, String, String, String)> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let got = smtp.to(address);
        if got.len() >= n {
            return got
                .iter()
                .map(|raw| {
                    let m = mail_parser::MessageParser::default().parse(raw.as_bytes()).expect("a mail");
                    (
                        m.subject().unwrap_or_default().to_string(),
                        m.body_text(0).unwrap_or_default().to_string(),
                        m.body_html(0).unwrap_or_default().to_string(),
                        raw.clone(),
                    )
                })
                .collect();
        }
        assert!(Instant::now() < deadline, "{address}: {} of {n} mails after 30 s", got.len());
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn metric(s: &Server, name: &str) -> u64 {
    let (_, m) = s.get("/metrics");
    m.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .map_or(0, |n| n.trim().parse().unwrap())
}

#[test]
fn alerts_bring_the_right_dossiers_to_the_right_readers_only() {
    let r = repo();
    let smtp = Smtp::start();
    let s = start(&r, smtp.port);

    // Through the API, with tokens that carry an address.
    let (status, partner) = subscribe(&s, PARTNER, r#"{"zoek": "thema=vastgoed", "frequentie": "direct"}"#);
    assert_eq!(status, 201, "{partner}");
    assert_eq!(partner["titel"], "thema Vastgoed");
    assert_eq!(subscribe(&s, LIMBURG, r#"{"zoek": "q=panden", "frequentie": "direct"}"#).0, 201);
    assert_eq!(
        subscribe(&s, LIMBURG, r#"{"zoek": "q=panden&pagina=2"}"#).0,
        409,
        "the same search twice"
    );
    assert_eq!(
        subscribe(&s, ZONDER, r#"{"zoek": "q=panden"}"#).0,
        403,
        "a token without an address"
    );
    assert_eq!(subscribe(&s, PARTNER, r#"{"zoek": "thema=bestaatniet"}"#).0, 400);
    assert_eq!(subscribe(&s, PARTNER, r#"{"zoek": "q=x", "frequentie": "elk uur"}"#).0, 400);
    let anonymous = client().get(format!("{}/api/v1/abonnementen", s.base)).send().unwrap();
    assert_eq!(anonymous.status().as_u16(), 403);
    // JSON only: a form on another site cannot produce this request.
    let as_text = client()
        .post(format!("{}/api/v1/abonnementen", s.base))
        .header("authorization", format!("Bearer {PARTNER}"))
        .header("content-type", "text/plain")
        .body(r#"{"zoek": "q=x"}"#)
        .send()
        .unwrap();
    assert_eq!(as_text.status().as_u16(), 400);

    // Through the page's form, signed in through the proxy: only from this site.
    let proxy = |req: reqwest::blocking::RequestBuilder| {
        req.header("x-forwarded-user", "piet")
            .header("x-forwarded-email", "piet@example.nl")
            .header("x-forwarded-groups", "rotterdam")
    };
    let form = "zoek=regio%3Dlimburg&frequentie=direct";
    let cross = proxy(client().post(format!("{}/abonnementen", s.base)))
        .header("sec-fetch-site", "cross-site")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .unwrap();
    assert_eq!(cross.status().as_u16(), 403, "a form from another site");
    let ok = proxy(client().post(format!("{}/abonnementen", s.base)))
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .unwrap();
    assert_eq!(ok.status().as_u16(), 303);
    // The API is for tokens; a browser's reader uses the page.
    let via_api = proxy(client().post(format!("{}/api/v1/abonnementen", s.base)))
        .header("content-type", "application/json")
        .body(r#"{"zoek": "q=x"}"#)
        .send()
        .unwrap();
    assert_eq!(via_api.status().as_u16(), 403);
    let page = proxy(client().get(format!("{}/abonnementen", s.base)))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("regio RIEC Limburg") || page.contains("regio Limburg"), "{page}");
    assert!(page.contains("piet@example.nl"));
    // The search page offers it to readers with an address, not to others.
    let zoeken = proxy(client().get(format!("{}/zoeken?q=panden", s.base)))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        zoeken.contains("action=\"/abonnementen\"") && zoeken.contains("value=\"q=panden\""),
        "{zoeken}"
    );
    assert!(!s.get("/zoeken?q=panden").1.contains("action=\"/abonnementen\""));

    // New content: public, netwerk, and another region's `regio` dossier.
    dossier(&r, "limburg/nieuwe-panden", "Nieuwe panden", "vastgoed", "openbaar");
    dossier(&r, "limburg/netwerkpanden", "Netwerkpanden", "vastgoed", "netwerk");
    dossier(&r, "rotterdam/regiogeheim", "Rotterdams regiogeheim", "vastgoed", "regio");
    dossier(&r, "limburg/horecapanden", "Horecapanden", "horeca", "openbaar");
    wait_for_commit(&s, &r.commit("new dossiers"));

    // The netwerk partner follows the thema: both visible vastgoed dossiers, not
    // the regio dossier of Rotterdam, not the horeca one.
    let m = mails(&smtp, "partner@example.nl", 1);
    let (subject, text, html, raw) = &m[0];
    assert!(
        subject.contains("2 nieuw of bijgewerkt") && subject.contains("thema Vastgoed"),
        "{subject}"
    );
    for t in [text, html] {
        assert!(t.contains("Nieuwe panden") && t.contains("Netwerkpanden"), "{t}");
        assert!(!t.contains("regiogeheim") && !t.contains("Horecapanden"), "{t}");
    }
    assert!(text.contains("/dossiers/limburg/nieuwe-panden"));
    assert!(html.contains("<a href=\"http://127.0.0.1:"), "{html}");
    assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{raw}");
    assert!(!raw.contains("Bestaande panden"), "what existed before is not announced");
    // Limburg follows `panden`: the three it may see, never Rotterdam's regio dossier.
    let m = mails(&smtp, "limburg@example.nl", 1);
    assert!(m[0].1.contains("Nieuwe panden") && m[0].1.contains("Netwerkpanden") && m[0].1.contains("Horecapanden"));
    assert!(!m[0].1.contains("regiogeheim"));
    // Piet (Rotterdam) follows region Limburg: its dossiers he may see.
    let m = mails(&smtp, "piet@example.nl", 1);
    assert!(m[0].1.contains("Nieuwe panden") && m[0].1.contains("Netwerkpanden"));
    assert!(!m[0].1.contains("regiogeheim"));

    // One click from the mail, without signing in, ends it.
    let link = raw
        .lines()
        .find_map(|l| l.strip_prefix("List-Unsubscribe: <"))
        .and_then(|l| l.strip_suffix('>'))
        .expect("List-Unsubscribe")
        .to_string();
    let asked = client().get(&link).send().unwrap();
    assert_eq!(asked.headers()["cache-control"], "no-store");
    assert_eq!(asked.headers()["referrer-policy"], "no-referrer");
    assert!(asked.text().unwrap().contains("Afmelden"), "GET only asks");
    assert_eq!(list(&s, PARTNER).as_array().unwrap().len(), 1);
    let one_click = client()
        .post(&link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .unwrap();
    assert_eq!(one_click.status().as_u16(), 200);
    assert!(one_click.text().unwrap().contains("afgemeld"));
    assert_eq!(client().get(&link).send().unwrap().status().as_u16(), 404, "the key is spent");
    assert_eq!(list(&s, PARTNER), serde_json::json!([]));
    dossier(&r, "limburg/na-afmelden", "Na afmelden panden", "vastgoed", "openbaar");
    wait_for_commit(&s, &r.commit("after unsubscribing"));
    mails(&smtp, "limburg@example.nl", 2);
    assert_eq!(smtp.to("partner@example.nl").len(), 1, "no mail after unsubscribing");

    // Deleting through the API.
    let id = list(&s, LIMBURG)[0]["id"].as_str().unwrap().to_string();
    let del = client()
        .delete(format!("{}/api/v1/abonnementen/{id}", s.base))
        .header("authorization", format!("Bearer {LIMBURG}"))
        .send()
        .unwrap();
    assert_eq!(del.status().as_u16(), 204);
    assert_eq!(list(&s, LIMBURG), serde_json::json!([]));
}

#[test]
fn an_smtp_outage_and_a_killed_server_lose_and_duplicate_nothing() {
    let r = repo();
    let smtp = Smtp::start();
    let s = start(&r, smtp.port);
    assert_eq!(
        subscribe(&s, PARTNER, r#"{"zoek": "thema=vastgoed", "frequentie": "direct"}"#).0,
        201
    );

    // The mail server goes down; two matching dossiers arrive and are queued.
    let down = smtp.stop();
    dossier(&r, "limburg/tijdens-storing", "Tijdens de storing", "vastgoed", "openbaar");
    dossier(&r, "limburg/wordt-beperkt", "Wordt beperkt", "vastgoed", "openbaar");
    wait_for_commit(&s, &r.commit("during the outage"));
    let deadline = Instant::now() + Duration::from_secs(30);
    while metric(&s, "tegenkracht_mail_queued") < 2 || metric(&s, "tegenkracht_mail_failed_total") < 1 {
        assert!(Instant::now() < deadline, "nothing queued and tried");
        std::thread::sleep(Duration::from_millis(100));
    }
    // One of them becomes a Limburg-only dossier before anything could be sent.
    dossier(&r, "limburg/wordt-beperkt", "Wordt beperkt", "vastgoed", "regio");
    wait_for_commit(&s, &r.commit("restricted"));

    // Killed between queueing and sending, started again; then the mail server returns.
    let s = s.kill_and_restart();
    let smtp = Smtp::restart(down);
    let m = mails(&smtp, "partner@example.nl", 1);
    assert!(m[0].1.contains("Tijdens de storing"), "{}", m[0].1);
    assert!(!m[0].1.contains("Wordt beperkt"), "a dossier made restricted is never sent");
    // Exactly once: nothing more over several runs, and the queue is empty.
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(smtp.to("partner@example.nl").len(), 1);
    assert_eq!(metric(&s, "tegenkracht_mail_queued"), 0);
}

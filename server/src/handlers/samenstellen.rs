//! `/samenstellen`: the curator's form for a collection. Dossiers are picked
//! by searching (among those the curator may see), put in order and given a
//! note; the server makes `collecties/{slug}.md`, checks it (front matter
//! rules, every item a published dossier, the slug free) and hands it to the
//! forge of the source that may publish for every region. Like `/schrijven`
//! it stores nothing: the whole collection travels in the form, so it works
//! without JavaScript.

use crate::error::{PageError, Problem};
use crate::forms::{Draft, quoted, slugify};
use crate::render::{Page, render};
use crate::state::AppState;
use crate::view::View;
use axum::extract::State;
use indexer::search::pagedocs::HitKind;
use indexer::{Diagnostic, Library};
use minijinja::context;
use serde_json::{Value, json};
use std::fmt::Write;

/// One chosen dossier with its note.
struct Item {
    id: String,
    notitie: String,
}

/// The items of the draft, after the action the curator chose (add, move, remove).
fn items(draft: &Draft) -> Vec<Item> {
    let n = draft.rows("item_id_", 0);
    let mut items: Vec<Item> = (1..=n)
        .map(|i| Item {
            id: draft.one(&format!("item_id_{i}")),
            notitie: draft.one(&format!("item_notitie_{i}")),
        })
        .filter(|it| !it.id.is_empty())
        .collect();
    let at = |k: &str| draft.one(k).parse::<usize>().ok().filter(|i| (1..=items.len()).contains(i));
    if let Some(i) = at("omhoog").filter(|i| *i > 1) {
        items.swap(i - 1, i - 2);
    } else if let Some(i) = at("omlaag").filter(|i| *i < items.len()) {
        items.swap(i - 1, i);
    } else if let Some(i) = at("weg") {
        items.remove(i - 1);
    }
    let add = draft.one("voeg_toe");
    if !add.is_empty() && !items.iter().any(|it| it.id == add) {
        items.push(Item {
            id: add,
            notitie: String::new(),
        });
    }
    items
}

/// The collection file for a draft.
fn to_file(draft: &Draft, items: &[Item]) -> (String, String) {
    let titel = draft.one("titel");
    let slug = match draft.one("slug") {
        s if s.is_empty() => slugify(&titel),
        s => s,
    };
    let mut t = String::from("---\n");
    let _ = writeln!(t, "titel: {}", quoted(&titel));
    t.push_str("type: collectie\n");
    let _ = writeln!(t, "samenvatting: {}", quoted(&draft.one("samenvatting")));
    let _ = writeln!(t, "toegang: {}", quoted(&draft.one("toegang")));
    let _ = writeln!(t, "curator: {}", quoted(&draft.one("curator")));
    let redactie = draft.one("redactie");
    if !redactie.is_empty() {
        let _ = writeln!(t, "redactie: {}", quoted(&redactie));
    }
    t.push_str("items:\n");
    for it in items {
        let _ = writeln!(t, "  - id: {}", quoted(&it.id));
        if !it.notitie.is_empty() {
            let _ = writeln!(t, "    notitie: {}", quoted(&it.notitie));
        }
    }
    t.push_str("---\n");
    let inleiding = draft.one("inleiding");
    if !inleiding.is_empty() {
        let _ = write!(t, "\n{inleiding}\n");
    }
    (format!("collecties/{slug}.md"), t)
}

/// What `check` would say of the file, against what the reader may see.
fn findings(lib: &Library, path: &str, text: &str) -> Vec<Diagnostic> {
    let split = match indexer::model::frontmatter::split(text) {
        Ok(s) => s,
        Err((line, message)) => return vec![Diagnostic::error(path, line, message)],
    };
    let meta = match indexer::model::frontmatter::collection(path, &split, &lib.vocab) {
        Ok(m) => m,
        Err(errs) => return errs,
    };
    let mut out = Vec::new();
    if meta.items.is_empty() {
        out.push(Diagnostic::warning(
            path,
            1,
            "the collection has no items yet: search for dossiers and add them",
        ));
    }
    for it in meta.items.iter().filter(|it| lib.dossier(&it.id).is_none()) {
        out.push(Diagnostic::error(
            path,
            it.line,
            format!("item `{}` is not a published dossier", it.id),
        ));
    }
    let slug = path.trim_start_matches("collecties/").trim_end_matches(".md");
    if !indexer::model::is_slug(slug) {
        out.push(Diagnostic::error(
            path,
            1,
            format!("file name `{slug}.md` is not a slug: use a-z, 0-9 and -, at most 80 characters"),
        ));
    }
    if lib.collection(slug).is_some() {
        out.push(Diagnostic::error(
            path,
            1,
            format!("collecties/{slug}.md already exists: choose another file name (slug)"),
        ));
    }
    out
}

/// The dossiers a search of the curator finds (dossiers only, at most 10).
async fn search(state: &AppState, v: &crate::view::View, q: &str) -> Result<Vec<Value>, Problem> {
    if q.trim().is_empty() {
        return Ok(Vec::new());
    }
    let lib = &v.shelf().library;
    let pairs = vec![
        ("q".to_string(), q.to_string()),
        ("type".into(), "leerdossier".into()),
        ("type".into(), "praktijk".into()),
    ];
    let mut req = crate::params::search(&pairs, lib, &[])?;
    req.per_page = 10;
    let results = v.search(&state.search_cache, &req).await?;
    Ok(results
        .hits
        .iter()
        .filter(|h| h.kind == HitKind::Dossier)
        .map(|h| {
            let d = &lib.dossiers[h.ord];
            json!({"id": d.id, "titel": d.meta.titel, "regio": lib.vocab.regios.name(&d.meta.regio)})
        })
        .collect())
}

/// `GET /samenstellen` and `POST /samenstellen`: the form, with the search,
/// the chosen items and, on "Controleren", the file and its findings.
pub async fn form(State(state): State<AppState>, v: View, body: axum::body::Bytes) -> Page {
    let lib = &v.shelf().library;
    let draft = Draft::parse(&body).map_err(PageError)?;
    let items = items(&draft);
    let q = draft.one("q");
    // A search that fails (too long, index loading) is said on the page: the
    // collection lives only in this form and must not be lost.
    let (gevonden, zoekfout) = match search(&state, &v, &q).await {
        Ok(found) => (found, None),
        Err(p) => (Vec::new(), Some(p.message())),
    };
    let gekozen: Vec<Value> = items
        .iter()
        .map(|it| json!({"id": it.id, "notitie": it.notitie, "titel": lib.dossier(&it.id).map(|d| d.meta.titel.clone())}))
        .collect();
    let controleer = draft.0.iter().any(|(k, _)| k == "controleer");
    let mut uitkomst = Value::Null;
    if controleer {
        let (pad, tekst) = to_file(&draft, &items);
        let taal = crate::i18n::current();
        let bevindingen: Vec<Value> = findings(lib, &pad, &tekst)
            .into_iter()
            .map(|d| json!({"ernst": d.severity, "bericht": crate::berichten::in_taal(&d.message, taal)}))
            .collect();
        let fouten = bevindingen.iter().filter(|b| b["ernst"] == "error").count();
        let central = state.config.sources.iter().find(|s| s.regions.iter().any(|r| r == "*"));
        let repo_path = match central {
            Some(s) if !s.path.trim_matches('/').is_empty() => format!("{}/{pad}", s.path.trim_matches('/')),
            _ => pad.clone(),
        };
        let forge = central.and_then(|s| s.new_url.as_ref()).filter(|_| fouten == 0).map(|u| {
            u.replace("{path}", &crate::forms::url_encode(&repo_path))
                .replace("{content}", &crate::forms::url_encode(&tekst))
        });
        uitkomst = json!({"pad": repo_path, "bestand": tekst, "bevindingen": bevindingen, "fouten": fouten, "forge": forge});
    }
    let waarden = json!({
        "titel": draft.one("titel"), "slug": draft.one("slug"), "samenvatting": draft.one("samenvatting"),
        "toegang": match draft.one("toegang") { t if t.is_empty() => "openbaar".to_string(), t => t },
        "curator": draft.one("curator"), "redactie": draft.one("redactie"), "inleiding": draft.one("inleiding"), "q": q,
    });
    render(
        &state,
        "samenstellen.html",
        context! { waarden, gekozen, gevonden, zoekfout, uitkomst, gezocht => !q.is_empty() },
    )
}

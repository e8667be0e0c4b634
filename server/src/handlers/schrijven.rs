//! `/schrijven`: writing a new dossier without git or YAML. The form's fields
//! come from the vocabularies; the server turns them into the markdown file
//! (`bestand`), checks that file with the rules of `check` against what the
//! reader may see (`Library::check_dossier`) and shows every finding beside its field. The
//! result goes to the source's own forge ("new file" page, `new_url`), where
//! the author opens the pull request: the server holds no forge tokens and
//! stores nothing. `POST /api/v1/schrijven/controle` answers the same as JSON
//! (live validation). Works without JavaScript.

use crate::auth::Reader;
use crate::error::{ApiError, PageError, Problem};
use crate::forms::{Draft, numbered, quoted, slugify, url_encode};
use crate::json::Json;
use crate::render::{Page, render};
use crate::state::AppState;
use crate::view::View;
use axum::Extension;
use axum::extract::State;
use indexer::{Diagnostic, Library, SourceSpec};
use minijinja::context;
use serde::Serialize;
use serde_json::{Value, json};
use std::fmt::Write;

/// The body sections the form has a box for: field name and heading.
const SECTIONS: [(&str, &str); 4] = [
    ("aanleiding", "Aanleiding"),
    ("aanpak", "Aanpak"),
    ("resultaat", "Resultaat"),
    ("lessen_tekst", "Lessen"),
];

/// Lesson and source rows on the form.
const LES_RIJEN: usize = 3;
const BRON_RIJEN: usize = 2;

/// The file a draft makes, and the line where each field's key starts.
#[derive(Debug, Serialize)]
pub struct File {
    /// Relative to the source root: `dossiers/{regio}/{slug}.md`.
    pub pad: String,
    pub tekst: String,
    /// The file name without `.md`.
    pub slug: String,
    #[serde(skip)]
    regels: Vec<(&'static str, usize)>,
}

impl File {
    /// The form field a finding on `line` belongs to.
    fn field_of(&self, line: usize) -> &'static str {
        self.regels.iter().rev().find(|(_, l)| *l <= line).map_or("tekst", |(k, _)| k)
    }
}

fn quoted_list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|i| quoted(i)).collect::<Vec<_>>().join(", "))
}

/// The markdown file for a draft: every filled-in field, in the content model's order.
pub fn to_file(d: &Draft) -> File {
    let mut lines: Vec<String> = vec!["---".into()];
    let mut regels = Vec::new();
    let mut key = |lines: &mut Vec<String>, k: &'static str, text: String| {
        regels.push((k, lines.len() + 1));
        lines.push(text);
    };
    let titel = d.one("titel");
    let slug = match d.one("slug") {
        s if s.is_empty() => slugify(&titel),
        s => s,
    };
    let regio = d.one("regio");
    key(&mut lines, "titel", format!("titel: {}", quoted(&titel)));
    key(&mut lines, "type", format!("type: {}", quoted(&d.one("type"))));
    key(&mut lines, "regio", format!("regio: {}", quoted(&regio)));
    key(&mut lines, "themas", format!("themas: {}", quoted_list(&d.many("themas"))));
    key(
        &mut lines,
        "samenvatting",
        format!("samenvatting: {}", quoted(&d.one("samenvatting"))),
    );
    key(&mut lines, "toegang", format!("toegang: {}", quoted(&d.one("toegang"))));
    for (k, v) in [("partners", d.many("partners")), ("instrumenten", d.many("instrumenten"))] {
        if !v.is_empty() {
            key(&mut lines, k, format!("{k}: {}", quoted_list(&v)));
        }
    }
    for k in ["status", "start", "eind"] {
        let v = d.one(k);
        if !v.is_empty() {
            key(&mut lines, k, format!("{k}: {}", quoted(&v)));
        }
    }
    for (k, v) in [("gemeenten", d.list("gemeenten")), ("trefwoorden", d.list("trefwoorden"))] {
        if !v.is_empty() {
            key(&mut lines, k, format!("{k}: {}", quoted_list(&v)));
        }
    }
    let lessen: Vec<(String, String)> = (1..=d.rows("les_tekst_", LES_RIJEN))
        .map(|i| (d.one(&format!("les_uitdaging_{i}")), d.one(&format!("les_tekst_{i}"))))
        .filter(|(_, t)| !t.is_empty())
        .collect();
    if !lessen.is_empty() {
        key(&mut lines, "lessen", "lessen:".into());
        for (u, t) in &lessen {
            lines.push(format!("  - uitdaging: {}", quoted(u)));
            lines.push(format!("    les: {}", quoted(t)));
        }
    }
    let gerelateerd = d.list("gerelateerd");
    if !gerelateerd.is_empty() {
        key(&mut lines, "gerelateerd", format!("gerelateerd: {}", quoted_list(&gerelateerd)));
    }
    let contact = ["organisatie", "functie", "email"].map(|f| d.one(&format!("contact_{f}")));
    if contact.iter().any(|c| !c.is_empty()) {
        key(&mut lines, "contact", "contact:".into());
        for (f, v) in ["organisatie", "functie", "email"].iter().zip(&contact) {
            lines.push(format!("  {f}: {}", quoted(v)));
        }
    }
    let bronnen: Vec<[String; 5]> = (1..=d.rows("bron_titel_", BRON_RIJEN))
        .map(|i| ["titel", "uitgever", "jaar", "pagina", "url"].map(|f| d.one(&format!("bron_{f}_{i}"))))
        .filter(|b| b.iter().any(|v| !v.is_empty()))
        .collect();
    if !bronnen.is_empty() {
        key(&mut lines, "bronnen", "bronnen:".into());
        for b in &bronnen {
            lines.push(format!("  - titel: {}", quoted(&b[0])));
            lines.push(format!("    uitgever: {}", quoted(&b[1])));
            lines.push(format!("    jaar: {}", quoted(&b[2])));
            for (f, v) in [("pagina", &b[3]), ("url", &b[4])] {
                if !v.is_empty() {
                    lines.push(format!("    {f}: {}", quoted(v)));
                }
            }
        }
    }
    for k in ["herzien_voor", "bijgewerkt"] {
        let v = d.one(k);
        if !v.is_empty() {
            key(&mut lines, k, format!("{k}: {}", quoted(&v)));
        }
    }
    lines.push("---".into());
    let mut tekst = lines.join("\n");
    tekst.push('\n');
    for (field, heading) in SECTIONS {
        let body = d.one(field);
        if !body.is_empty() {
            let _ = write!(tekst, "\n## {heading}\n\n{body}\n");
        }
    }
    // The rest of an edited dossier's text (other sections), as it was.
    let overig = d.one("overig");
    if !overig.is_empty() {
        let _ = write!(tekst, "\n{overig}\n");
    }
    regels.push(("tekst", lines.len() + 1));
    File {
        pad: format!("dossiers/{regio}/{slug}.md"),
        tekst,
        slug,
        regels,
    }
}

/// The configured source that publishes for `regio`: the first regional one
/// that may, else the first that may publish for every region.
fn source_for<'c>(config: &'c crate::config::Config, lib: &Library, regio: &str) -> Option<(SourceSpec, &'c crate::config::SourceConfig)> {
    let specs = config.source_specs();
    let pick = |wildcard: bool| {
        config.sources.iter().find(|s| {
            let star = s.regions.iter().any(|r| r == "*");
            star == wildcard && (star || s.regions.iter().any(|r| lib.vocab.canonical_regio(r) == regio))
        })
    };
    let chosen = pick(false).or_else(|| pick(true))?;
    specs.into_iter().find(|s| s.name == chosen.name).map(|s| (s, chosen))
}

/// What a check of the draft yields: the file, the findings by field, the hand-off.
struct Checked {
    file: File,
    findings: Vec<(String, Diagnostic)>,
    forge: Option<String>,
    /// When the file replaces an existing one: the forge's edit page for it.
    bewerk_url: Option<String>,
    repo_path: String,
    source: Option<String>,
}

/// `may_edit`: the reader may replace an existing dossier through the form (LIEC).
fn check(state: &AppState, lib: &Library, draft: &Draft, may_edit: bool) -> Checked {
    let mut file = to_file(draft);
    let regio = draft.one("regio");
    let canonical = lib.vocab.canonical_regio(&regio).to_string();
    // Editing an existing dossier: its own source publishes the new version.
    let editing = lib.dossier(&draft.one("bewerk")).filter(|_| may_edit);
    let chosen = match editing {
        Some(d) => {
            let specs = state.config.source_specs();
            let conf = state.config.sources.iter().find(|s| s.name == d.bron.source);
            specs.into_iter().find(|s| s.name == d.bron.source).zip(conf)
        }
        None => source_for(&state.config, lib, &canonical),
    };
    // An edit that keeps the dossier's id replaces its own file, wherever that
    // file is (a former region's folder included).
    let mut moved_from = None;
    if let (Some(d), Some((_, conf))) = (editing, &chosen) {
        let root = conf.path.trim_matches('/');
        let own = d.bron.path.strip_prefix(&format!("{root}/")).unwrap_or(&d.bron.path).to_string();
        if format!("{canonical}/{}", file.slug) == d.id {
            file.pad = own;
        } else {
            moved_from = Some(d.bron.path.clone());
        }
    }
    let diags: Vec<Diagnostic> = match &chosen {
        Some((spec, _)) => lib.check_dossier(spec, &file.pad, &file.tekst, editing.map(|d| d.id.as_str())),
        None => vec![Diagnostic::error(&file.pad, 1, "no configured source publishes for this region")],
    };
    // Findings of the form itself, with the field they belong to.
    let mut own: Vec<(&str, Diagnostic)> = Vec::new();
    if !indexer::model::is_slug(&file.slug) {
        let message = format!(
            "file name `{}.md` is not a slug: use a-z, 0-9 and -, at most 80 characters",
            file.slug
        );
        own.push(("slug", Diagnostic::error(&file.pad, 1, message)));
    }
    if editing.is_some_and(|d| d.contact_na_inloggen) {
        let message = "this dossier has a contact only signed-in readers see: sign in to edit it";
        own.push(("tekst", Diagnostic::error(&file.pad, 1, message)));
    }
    if let Some(old) = &moved_from {
        own.push((
            "slug",
            Diagnostic::warning(
                &file.pad,
                1,
                format!("this makes a new file: remove the old one, {old}, in the same pull request"),
            ),
        ));
    }
    // Messages in the language of the page (the form sends it along for the live check).
    let taal = match draft.one("taal").as_str() {
        "en" => "en",
        "nl" => "nl",
        _ => crate::i18n::current(),
    };
    let findings = own
        .into_iter()
        .map(|(f, d)| (f.to_string(), d))
        .chain(diags.into_iter().map(|d| (file.field_of(d.line).to_string(), d)))
        .map(|(f, mut d)| {
            d.message = crate::berichten::in_taal(&d.message, taal);
            (f, d)
        })
        .collect();
    let repo_path = match &chosen {
        Some((_, s)) if !s.path.trim_matches('/').is_empty() => format!("{}/{}", s.path.trim_matches('/'), file.pad),
        _ => file.pad.clone(),
    };
    // The same file again: the forge's edit page (the author pastes the new
    // text there); a new path: its "new file" page, prefilled.
    let same_file = editing.is_some_and(|d| d.bron.path == repo_path);
    let bewerk_url = chosen
        .as_ref()
        .filter(|_| same_file)
        .and_then(|(_, s)| s.edit_url.as_ref())
        .map(|u| u.replace("{path}", &repo_path));
    let forge = chosen
        .as_ref()
        .filter(|_| !same_file)
        .and_then(|(_, s)| s.new_url.as_ref())
        .map(|u| {
            u.replace("{path}", &url_encode(&repo_path))
                .replace("{content}", &url_encode(&file.tekst))
        });
    Checked {
        file,
        findings,
        forge,
        bewerk_url,
        repo_path,
        source: chosen.map(|(s, _)| s.name),
    }
}

/// The vocabularies the form offers, in the reader's language.
fn choices(lib: &indexer::Library, waarden: &Value) -> Value {
    let rows = |prefix: &str, min: usize| -> Vec<usize> {
        let names = waarden.as_object().into_iter().flat_map(|m| m.keys().map(String::as_str));
        (1..=numbered(names, prefix).max(min)).collect()
    };
    let names = |n: &indexer::model::vocab::Names| -> Vec<Value> {
        n.slugs().map(|s| json!({"slug": s, "naam": crate::views::label(n, s)})).collect()
    };
    json!({
        "regios": names(&lib.vocab.regios),
        "themas": lib.playbooks.iter().map(|p| json!({"slug": p.slug, "naam": p.meta.titel})).collect::<Vec<_>>(),
        "partners": names(&lib.vocab.partners),
        "instrumenten": names(&lib.vocab.instrumenten),
        "uitdagingen": names(&lib.vocab.uitdagingen),
        "statussen": indexer::model::Status::ALL.iter().map(|(s, _)| s.to_string()).collect::<Vec<_>>(),
        "les_rijen": rows("les_tekst_", LES_RIJEN),
        "bron_rijen": rows("bron_titel_", BRON_RIJEN),
    })
}

/// The submitted values by field name (repeated fields as lists), for refilling the form.
fn values(draft: &Draft) -> Value {
    let mut m = serde_json::Map::new();
    for (k, v) in &draft.0 {
        match m.get_mut(k) {
            Some(Value::Array(a)) => a.push(json!(v)),
            Some(other) => *other = json!([other.clone(), v]),
            None => {
                m.insert(k.clone(), json!(v));
            }
        }
    }
    // Checkbox groups are always lists, however many were ticked.
    for k in ["themas", "partners", "instrumenten"] {
        let v = m.remove(k).map_or_else(|| json!([]), |v| if v.is_array() { v } else { json!([v]) });
        m.insert(k.to_string(), v);
    }
    Value::Object(m)
}

/// `GET /schrijven`: the empty form (a `regio` in the query preselects it).
pub async fn form(
    State(state): State<AppState>,
    v: View,
    Extension(reader): Extension<Reader>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Page {
    let lib = &v.shelf().library;
    let pairs = crate::params::page_pairs(raw.as_deref())?;
    crate::params::only(&pairs, &["regio", "dossier", "taal"])?;
    let today = indexer::model::PartialDate::today();
    let waarden = match crate::params::single(&pairs, "dossier")? {
        Some(id) => {
            // Only a reader who sees everything a file may reference can edit it
            // here without dropping what they cannot see; for others the answer
            // is the same whatever the dossier holds.
            if !reader.is_curator() {
                return Err(Problem::BadRequest(
                    "Een bestaand dossier bewerken met dit formulier kan alleen voor landelijke redacteuren (LIEC). Stel een wijziging voor met de link op het dossier.".into(),
                )
                .into());
            }
            let d = lib.dossier(id).ok_or(Problem::NotFound)?;
            if d.contact_na_inloggen {
                // The file holds a contact this reader may not see; a form
                // without it would drop it from the dossier.
                return Err(Problem::BadRequest(
                    "Dit dossier heeft een contactpersoon die alleen ingelogde lezers zien. Log in om het te bewerken.".into(),
                )
                .into());
            }
            prefill(&state, lib, d)?
        }
        None => {
            let regio = crate::params::single(&pairs, "regio")?.unwrap_or_default();
            json!({
                "type": "leerdossier", "toegang": "netwerk", "regio": regio, "themas": [], "partners": [], "instrumenten": [],
                "bijgewerkt": today.to_string(),
                "herzien_voor": format!("{:04}-{:02}-{:02}", today.year + 2, today.month.unwrap_or(1), today.day.unwrap_or(1).min(28)),
            })
        }
    };
    render(
        &state,
        "schrijven.html",
        context! { keuzes => choices(lib, &waarden), waarden, gecontroleerd => false },
    )
}

/// The body split into the form's sections, if it is nothing but those, each
/// at most once, in the form's order (no text before the first, no code
/// fences that could hide a heading).
fn known_sections(body: &str) -> Option<Vec<(&'static str, String)>> {
    if body.contains("```") || body.contains("~~~") {
        return None;
    }
    let mut out: Vec<(&'static str, String)> = Vec::new();
    let mut next = 0;
    for line in body.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            let at = SECTIONS.iter().position(|(_, heading)| *heading == h.trim())?;
            if at < next {
                return None;
            }
            next = at + 1;
            out.push((SECTIONS[at].0, String::new()));
        } else if let Some((_, text)) = out.last_mut() {
            text.push_str(line);
            text.push('\n');
        } else if !line.trim().is_empty() {
            return None;
        }
    }
    Some(out.into_iter().map(|(f, t)| (f, t.trim().to_string())).collect())
}

/// The form's values for an existing dossier: its front matter as the
/// library holds it, and its markdown body read from the source at the
/// commit it was published from (the server keeps only the rendering). The
/// body's four known sections fill their boxes; any other text goes, as it
/// was, into `overig`.
fn prefill(state: &AppState, lib: &Library, d: &indexer::model::Dossier) -> Result<Value, PageError> {
    let spec = state.config.source_specs().into_iter().find(|s| s.name == d.bron.source);
    let raw = match spec.map(|s| s.location) {
        Some(indexer::Location::Git { .. }) => {
            let mirror = indexer::DataDir::new(&state.config.data_dir).mirror(&d.bron.source);
            let commit = d.bron.commit.clone().unwrap_or_default();
            indexer::source::read_file_at(&mirror, &commit, &d.bron.path).map_err(Problem::Internal)?
        }
        Some(indexer::Location::Dir(dir)) => {
            let path = dir.join(&d.bron.path);
            let meta = std::fs::symlink_metadata(&path).map_err(|e| Problem::Internal(e.to_string()))?;
            if !meta.is_file() || meta.len() > indexer::source::MAX_FILE_BYTES {
                return Err(Problem::NotFound.into());
            }
            std::fs::read_to_string(&path).map_err(|e| Problem::Internal(e.to_string()))?
        }
        None => return Err(Problem::NotFound.into()),
    };
    let split = indexer::model::frontmatter::split(&raw).map_err(|(_, m)| Problem::Internal(m))?;
    let body = split.body.to_string();
    let m = &d.meta;
    // The form must carry everything the file holds, or saving it would drop
    // something (or show what the site never shows).
    let root = indexer::model::yaml::load(split.yaml).ok();
    let entries: &[(indexer::model::yaml::Node, indexer::model::yaml::Node)] = match root.as_ref().map(|r| &r.value) {
        Some(indexer::model::yaml::Value::Map(entries)) => entries,
        _ => &[],
    };
    let listed = |key: &str| -> Vec<String> {
        entries
            .iter()
            .find(|(k, _)| k.as_scalar() == Some(key))
            .and_then(|(_, v)| match &v.value {
                indexer::model::yaml::Value::Seq(items) => Some(items.iter().filter_map(|i| i.as_scalar().map(str::to_string)).collect()),
                _ => None,
            })
            .unwrap_or_default()
    };
    let hidden_links = listed("gerelateerd")
        .iter()
        .any(|g| !m.gerelateerd.contains(&lib.vocab.canonical_id(g)));
    let hidden_themas = listed("themas").iter().any(|t| !m.themas.contains(t));
    if hidden_links || hidden_themas || body.contains("<!--") {
        return Err(Problem::BadRequest(
            "Dit dossier bevat verwijzingen, thema's, opmerkingen of HTML die het formulier niet kan tonen of bewaren. Bewerk het in de repository.".into(),
        )
        .into());
    }
    let mut w = serde_json::Map::new();
    let mut put = |k: &str, v: Value| {
        w.insert(k.to_string(), v);
    };
    put("bewerk", json!(d.id));
    put("titel", json!(m.titel));
    put("slug", json!(d.slug));
    put("type", json!(m.kind.as_str()));
    put("regio", json!(m.regio));
    put("themas", json!(m.themas));
    // A form prefilled without them would remove them when saved: no form.
    let details = (m.details.try_read()).ok_or_else(|| Problem::Internal("the dossier's details cannot be read".into()))?;
    put("samenvatting", json!(details.samenvatting));
    put("toegang", json!(m.toegang.as_str()));
    put("partners", json!(m.partners));
    put("instrumenten", json!(m.instrumenten));
    put("status", json!(m.status.map(|s| s.as_str())));
    put("start", json!(m.start.map(|x| x.to_string())));
    put("eind", json!(m.eind.map(|x| x.to_string())));
    put("gemeenten", json!(details.gemeenten.join(", ")));
    put("trefwoorden", json!(details.trefwoorden.join(", ")));
    put("gerelateerd", json!(m.gerelateerd.join(", ")));
    for (i, l) in details.lessen.iter().enumerate() {
        put(&format!("les_uitdaging_{}", i + 1), json!(l.uitdaging));
        put(&format!("les_tekst_{}", i + 1), json!(l.les));
    }
    for (i, b) in details.bronnen.iter().enumerate() {
        let n = i + 1;
        put(&format!("bron_titel_{n}"), json!(b.titel));
        put(&format!("bron_uitgever_{n}"), json!(b.uitgever));
        put(&format!("bron_jaar_{n}"), json!(b.jaar.to_string()));
        put(&format!("bron_pagina_{n}"), json!(b.pagina));
        put(&format!("bron_url_{n}"), json!(b.url));
    }
    if let Some(c) = &m.contact {
        put("contact_organisatie", json!(c.organisatie));
        put("contact_functie", json!(c.functie));
        put("contact_email", json!(c.email));
    }
    put("herzien_voor", json!(m.herzien_voor.map(|x| x.to_string())));
    put("bijgewerkt", json!(indexer::model::PartialDate::today().to_string()));
    // A body made of the four known sections, in their order, fills their
    // boxes; any other body goes whole into "overig", exactly as it was.
    match known_sections(&body) {
        Some(sections) => {
            for (f, text) in sections {
                put(f, json!(text));
            }
        }
        None => put("overig", json!(body.trim())),
    }
    w.retain(|_, v| !v.is_null());
    Ok(Value::Object(w))
}

/// `POST /schrijven`: the form again with the file, its findings beside their
/// fields and the hand-off to the forge.
pub async fn submit(State(state): State<AppState>, v: View, Extension(reader): Extension<Reader>, body: axum::body::Bytes) -> Page {
    let lib = &v.shelf().library;
    let draft = Draft::parse(&body).map_err(PageError)?;
    let c = check(&state, lib, &draft, reader.is_curator());
    let fouten: Value = {
        let mut m = serde_json::Map::new();
        for (field, d) in &c.findings {
            let entry = m.entry(field.clone()).or_insert_with(|| json!([]));
            if let Value::Array(a) = entry {
                a.push(json!({"ernst": d.severity, "bericht": d.message, "regel": d.line}));
            }
        }
        Value::Object(m)
    };
    let aantal_fouten = c.findings.iter().filter(|(_, d)| d.is_error()).count();
    render(
        &state,
        "schrijven.html",
        context! {
            keuzes => choices(lib, &values(&draft)), waarden => values(&draft), gecontroleerd => true, bewerk_url => c.bewerk_url,
            fouten, aantal_fouten, aantal => c.findings.len(),
            bestand => c.file.tekst, pad => c.repo_path, forge => c.forge, bron => c.source,
        },
    )
}

/// `POST /api/v1/schrijven/controle`: the same check as JSON.
pub async fn api_check(
    State(state): State<AppState>,
    v: View,
    Extension(reader): Extension<Reader>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let draft = Draft::parse(&body)?;
    let c = check(&state, &v.shelf().library, &draft, reader.is_curator());
    Ok(Json(json!({
        "pad": c.repo_path,
        "bron": c.source,
        "bestand": c.file.tekst,
        "forge_url": c.forge,
        "bevindingen": c.findings.iter().map(|(f, d)| json!({"veld": f, "regel": d.line, "ernst": d.severity, "bericht": d.message})).collect::<Vec<_>>(),
    })))
}

/// `GET /schema/dossier.json`: the JSON Schema of a dossier's front matter,
/// with the vocabulary and the themas the reader may see.
pub async fn schema(State(_state): State<AppState>, v: View) -> Result<Json<Value>, PageError> {
    let lib = &v.shelf().library;
    let themas: Vec<String> = lib.playbooks.iter().map(|p| p.slug.clone()).collect();
    Ok(Json(indexer::model::schema::dossier(&lib.vocab, &themas)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_becomes_a_file_with_every_field_on_a_known_line() {
        let body = "titel=Panden+in+beeld%3A+de+aanpak&type=praktijk&regio=limburg&themas=vastgoed&themas=horeca&samenvatting=Een+%22samenvatting%22&toegang=openbaar&gemeenten=Maastricht%2C+Heerlen&les_uitdaging_1=leren&les_tekst_1=Begin+klein.&aanpak=Zo+deden+we+het.&herzien_voor=2027-01-01&bijgewerkt=2025-01-01";
        let f = to_file(&Draft::parse(body.as_bytes()).unwrap());
        assert_eq!(f.pad, "dossiers/limburg/panden-in-beeld-de-aanpak.md");
        assert!(f.tekst.contains("titel: \"Panden in beeld: de aanpak\"\n"), "{}", f.tekst);
        assert!(f.tekst.contains("samenvatting: \"Een \\\"samenvatting\\\"\"\n"));
        assert!(f.tekst.contains("themas: [\"vastgoed\", \"horeca\"]\n"));
        assert!(f.tekst.contains("gemeenten: [\"Maastricht\", \"Heerlen\"]\n"));
        assert!(f.tekst.contains("\n## Aanpak\n\nZo deden we het.\n"));
        assert_eq!(f.field_of(2), "titel");
        let lessen = f.tekst.lines().position(|l| l == "lessen:").unwrap() + 1;
        assert_eq!(f.field_of(lessen + 2), "lessen", "lines inside a block belong to its key");
        assert_eq!(f.field_of(f.tekst.lines().count()), "tekst");
        assert_eq!(slugify("Één aanpak, twee regio's!"), "een-aanpak-twee-regio-s");
    }
}

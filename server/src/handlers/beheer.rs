//! `/beheer`: the vocabulary's curated lists in plain words, for LIEC readers
//! (everyone else gets a 404): each synonym group with how many dossiers use
//! each word, the pinned queries and whether their dossiers are published,
//! the former region slugs, and what `check` reports about `vocabulaire.yaml`.

use crate::auth::Reader;
use crate::error::{PageError, Problem};
use crate::render::render;
use crate::state::AppState;
use crate::view::View;
use axum::Extension;
use axum::extract::State;
use axum::response::Html;
use minijinja::context;
use serde_json::json;

pub async fn page(State(state): State<AppState>, Extension(reader): Extension<Reader>) -> Result<Html<String>, PageError> {
    // Curators only, and asked first: nobody else makes the server build a view.
    if !reader.is_curator() {
        return Err(Problem::NotFound.into());
    }
    let v = View::of(&state, reader.audience.clone()).await?;
    let lib = &v.shelf().library;
    let voc = &lib.vocab;
    // Dossiers per word (single words: the library's word counts; phrases: a text search).
    let used = |w: &str| -> usize {
        let folded = indexer::text::fold(w);
        if folded.contains(' ') {
            lib.dossiers
                .iter()
                .filter(|d| indexer::text::fold(&indexer::model::full_text(&d.meta, &d.body)).contains(&folded))
                .count()
        } else {
            lib.words.count(&folded) as usize
        }
    };
    let groepen: Vec<_> = voc
        .synoniemen
        .iter()
        .map(|g| {
            let woorden: Vec<_> = g.iter().map(|w| json!({"woord": w, "dossiers": used(w)})).collect();
            let ongebruikt = woorden.iter().all(|w| w["dossiers"] == 0);
            json!({"woorden": woorden, "ongebruikt": ongebruikt})
        })
        .collect();
    let vastgezet: Vec<_> = voc
        .vastgezet
        .iter()
        .map(|(q, ids, _)| {
            let dossiers: Vec<_> = ids
                .iter()
                .map(|id| json!({"id": id, "titel": lib.dossier(id).map(|d| d.meta.titel.clone()), "url": format!("/dossiers/{id}")}))
                .collect();
            json!({"vraag": q, "dossiers": dossiers})
        })
        .collect();
    let aliassen: Vec<_> = voc
        .regio_aliassen
        .iter()
        .map(|(a, to)| json!({"oud": a, "nieuw": to, "naam": voc.regios.name(to)}))
        .collect();
    let taal = crate::i18n::current();
    let meldingen: Vec<String> = v
        .reports()
        .iter()
        .flat_map(|r| r.diagnostics.iter())
        .filter(|d| d.path.ends_with("vocabulaire.yaml"))
        .map(|d| {
            format!(
                "{} {}: {}",
                if taal == "en" { "line" } else { "regel" },
                d.line,
                crate::berichten::in_taal(&d.message, taal)
            )
        })
        .collect();
    render(&state, "beheer.html", context! { groepen, vastgezet, aliassen, meldingen })
}

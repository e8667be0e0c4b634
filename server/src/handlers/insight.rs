//! `/beheer/inzicht`: what readers search for and miss, for LIEC curators.

use crate::auth::Reader;
use crate::error::{PageError, Problem};
use crate::insight::MIN_COUNT;
use crate::render::render;
use crate::state::AppState;
use crate::view::View;
use axum::Extension;
use axum::extract::State;
use axum::response::Html;
use minijinja::context;

/// `/beheer/inzicht`: for LIEC readers only; everyone else gets a 404.
pub async fn page(State(state): State<AppState>, Extension(reader): Extension<Reader>) -> Result<Html<String>, PageError> {
    // Curators only, and asked first: nobody else makes the server build a view.
    if !reader.is_curator() {
        return Err(Problem::NotFound.into());
    }
    let v = View::of(&state, reader.audience.clone()).await?;
    let lib = &v.shelf().library;
    let (frequent, empty) = state.insight.top(50);
    // For each query without results: a synonym group to consider, pairing it
    // with the closest word the knowledge base does know.
    let suggesties: Vec<minijinja::Value> = empty
        .iter()
        .filter_map(|(q, n)| {
            let words: Vec<&str> = q.split(' ').collect();
            let known: Vec<String> = words.iter().filter_map(|w| lib.suggest(w)).collect();
            (!known.is_empty()).then(|| {
                let groep = format!("[{}, {}]", crate::forms::quoted(q), crate::forms::quoted(&known.join(" ")));
                context! { query => q, aantal => n, groep }
            })
        })
        .collect();
    let ingelogd = state.insight.signed_in();
    render(
        &state,
        "inzicht.html",
        context! { frequent, empty, suggesties, ingelogd, minimum => MIN_COUNT },
    )
}

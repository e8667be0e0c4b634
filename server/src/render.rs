//! Rendering a page: a template with the site-wide context (the reader, the
//! footer's site pages, preview findings), and errors of page handlers as
//! themed HTML.

use crate::error::{PageError, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::{Value, context};

/// What a page handler returns.
pub type Page = Result<Html<String>, PageError>;

/// Renders a template with the site-wide context.
pub fn render(state: &AppState, template: &str, ctx: Value) -> Page {
    let tmpl = state.templates.get_template(template)?;
    let loaded = state.loaded();
    // `serve --preview`: the working folder's findings on every page.
    let voorbeeld = state.config.preview.as_ref().map(|_| {
        let meldingen: Vec<String> = loaded
            .as_ref()
            .map(|l| {
                l.reports()
                    .iter()
                    .filter(|r| r.name == crate::config::PREVIEW_SOURCE)
                    .flat_map(|r| r.diagnostics.iter().map(ToString::to_string))
                    .collect()
            })
            .unwrap_or_default();
        context! { meldingen }
    });
    let reader = crate::auth::current();
    let lezer = reader.name.as_ref().map(|naam| {
        let vocab = loaded.as_ref().map(|l| l.vocab());
        context! { naam, ..crate::views::access_of(&reader.audience, vocab) }
    });
    let auth = &state.config.auth;
    // The footer links every site page; pages are public, the same for every reader.
    let paginas: Vec<Value> = loaded
        .as_ref()
        .map(|l| {
            l.pages()
                .iter()
                .map(|p| context! { slug => p.slug, titel => p.meta.titel })
                .collect()
        })
        .unwrap_or_default();
    // "Volg per e-mail" for readers with an address, where alerts are offered.
    let meldingen = state.config.mail.is_some() && reader.email.is_some();
    let site = context! {
        naam => "Tegenkracht",
        meldingen,
        url => state.config.site_url.trim_end_matches('/'),
        voorbeeld,
        lezer,
        inloggen => auth.sign_in_url,
        uitloggen => auth.sign_out_url,
        paginas,
    };
    let taal = crate::i18n::current();
    Ok(Html(tmpl.render(context! { site, taal, ..ctx })?))
}

/// Middleware: turns a `PageError` response into the themed error page.
pub async fn render_page_errors(State(state): State<AppState>, req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let res = next.run(req).await;
    let Some(problem) = res.extensions().get::<Problem>().cloned() else {
        return res;
    };
    let status = problem.status();
    let titel = match status {
        StatusCode::NOT_FOUND => "Pagina niet gevonden",
        StatusCode::BAD_REQUEST => "Deze vraag begrijpen we niet",
        StatusCode::SERVICE_UNAVAILABLE => "Even geduld",
        _ => "Er ging iets mis",
    };
    match render(
        &state,
        "fout.html",
        context! { status => status.as_u16(), titel, bericht => problem.message() },
    ) {
        Ok(html) => {
            let mut r = (status, html).into_response();
            if status == StatusCode::SERVICE_UNAVAILABLE {
                r.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
            }
            r
        }
        Err(e) => {
            tracing::error!(error = ?e.0, "error page failed to render");
            (status, problem.message()).into_response()
        }
    }
}

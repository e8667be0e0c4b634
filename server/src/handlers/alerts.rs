//! The pages and API of email alerts: `/abonnementen` (a signed-in reader's
//! list, subscribe, delete), the one-click unsubscribe link of every mail
//! (`/abonnementen/afmelden/{key}`, RFC 8058), and `/api/v1/abonnementen` for
//! tokens that carry an address (JSON only, so no form on another site can
//! reach it). Forms that change something must come from this site
//! (`Sec-Fetch-Site` or `Origin`), so another site cannot subscribe or
//! unsubscribe a signed-in reader.

use crate::alerts::{Alerts, AlreadyFollowing, BadAddress, Follows, Frequency, Owner, Request, Subscription, TooMany};
use crate::auth::Reader;
use crate::error::{ApiError, PageError, Problem};
use crate::json::Json;
use crate::render::{Page, render};
use crate::state::AppState;
use crate::view::View;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The alerts of this replica, or 404 when it does not keep them.
fn alerts(state: &AppState) -> Result<Arc<Alerts>, Problem> {
    state.alerts.clone().ok_or(Problem::NotFound)
}

/// The signed-in reader as the owner of subscriptions, or why they cannot be one.
fn owner(reader: &Reader) -> Result<Owner, Problem> {
    if !reader.is_signed_in() {
        return Err(Problem::Forbidden("Log in om meldingen per e-mail te ontvangen.".into()));
    }
    Owner::of(reader).ok_or_else(|| {
        Problem::Forbidden("Er is geen e-mailadres bekend bij uw inlog; meldingen per e-mail zijn daarom niet mogelijk.".into())
    })
}

/// The API is for tokens: a reader signed in through the proxy (a browser,
/// with cookies) uses the pages, whose forms are checked for their origin.
fn api_owner(reader: &Reader) -> Result<Owner, Problem> {
    let who = owner(reader)?;
    if who.token.is_none() {
        return Err(Problem::Forbidden(
            "De API voor meldingen is voor toegangssleutels met een e-mailadres; gebruik als lezer de pagina /abonnementen.".into(),
        ));
    }
    Ok(who)
}

/// Refuses a form posted from another site.
fn same_site(headers: &HeaderMap, site_url: &str) -> Result<(), Problem> {
    let refused = || Problem::Forbidden("Dit formulier komt niet van deze site en is daarom geweigerd.".into());
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return if site == "same-origin" { Ok(()) } else { Err(refused()) };
    }
    let origin = headers.get("origin").and_then(|v| v.to_str().ok()).ok_or_else(refused)?;
    let ours = site_url.trim_end_matches('/');
    let host = headers.get("host").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let matches_host = origin.split_once("://").is_some_and(|(_, h)| !host.is_empty() && h == host);
    if origin == ours || matches_host { Ok(()) } else { Err(refused()) }
}

/// Checks what is asked to be followed against the reader's own view, and
/// describes it in words.
fn describe(v: &View, zoek: Option<&str>, collectie: Option<&str>) -> Result<(Follows, String), Problem> {
    let lib = &v.shelf().library;
    match (zoek, collectie) {
        (_, Some(slug)) if !slug.is_empty() => {
            let c = lib.collection(slug).ok_or(Problem::NotFound)?;
            Ok((Follows::Collectie(slug.to_string()), format!("collectie {}", c.meta.titel)))
        }
        (Some(qs), _) => {
            let pairs = crate::params::pairs(Some(qs))?;
            if pairs.iter().any(|(k, v)| k.chars().chain(v.chars()).any(char::is_control)) {
                return Err(Problem::BadRequest("de zoekopdracht bevat stuurtekens".into()));
            }
            let mut req = crate::params::search(&pairs, lib, &[])?;
            // Page and order do not change what a search finds: one subscription for all.
            req.page = 1;
            req.sort = if req.q.is_empty() {
                indexer::search::Sort::Datum
            } else {
                indexer::search::Sort::Relevantie
            };
            let mut parts: Vec<String> = Vec::new();
            if !req.q.is_empty() {
                parts.push(format!("‘{}’", req.q));
            }
            for (facet, values) in &req.filters {
                let names: Vec<String> = values.iter().map(|v| crate::views::facet_name(lib, facet, v)).collect();
                parts.push(format!(
                    "{} {}",
                    crate::views::facet_label(facet).to_lowercase(),
                    names.join(" of ")
                ));
            }
            let titel = if parts.is_empty() {
                "alle dossiers".to_string()
            } else {
                parts.join(", ")
            };
            Ok((Follows::Zoekopdracht(crate::views::search_query(&req)), titel))
        }
        _ => Err(Problem::BadRequest("geef `zoek` (een zoekopdracht) of `collectie` op".into())),
    }
}

fn frequency(s: Option<&str>) -> Result<Frequency, Problem> {
    match s {
        None | Some("") => Ok(Frequency::Dagelijks),
        Some(f) => Frequency::parse(f)
            .ok_or_else(|| Problem::BadRequest(format!("`frequentie` moet direct, dagelijks of wekelijks zijn, niet `{f}`"))),
    }
}

/// The store's refusals in words.
fn stored(e: anyhow::Error) -> Problem {
    if e.downcast_ref::<AlreadyFollowing>().is_some() {
        Problem::Conflict("U volgt dit al per e-mail.".into())
    } else if e.downcast_ref::<TooMany>().is_some() {
        Problem::Conflict(format!(
            "U hebt al {} meldingen; zeg er eerst een op.",
            crate::alerts::MAX_PER_ADDRESS
        ))
    } else if e.downcast_ref::<BadAddress>().is_some() {
        Problem::Forbidden("Uw e-mailadres bij het inloggen is geen enkelvoudig adres; meldingen zijn daarom niet mogelijk.".into())
    } else {
        e.into()
    }
}

/// Runs blocking store work off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> anyhow::Result<T> + Send + 'static) -> Result<T, Problem> {
    Ok(tokio::task::spawn_blocking(f).await??)
}

/// Stores what `reader` asked to follow: the one path of the form and the API.
async fn follow(
    state: &AppState,
    reader: Reader,
    zoek: Option<&str>,
    collectie: Option<&str>,
    frequentie: Option<&str>,
    taal: &str,
) -> Result<Subscription, Problem> {
    let a = alerts(state)?;
    owner(&reader)?;
    let v = View::of(state, reader.audience.clone()).await?;
    let (volgt, titel) = describe(&v, zoek, collectie)?;
    let frequentie = frequency(frequentie)?;
    let taal = if taal == "en" { "en" } else { "nl" }.to_string();
    tokio::task::spawn_blocking(move || {
        a.subscribe(
            &reader,
            Request {
                volgt,
                titel,
                frequentie,
                taal,
            },
        )
    })
    .await
    .map_err(Problem::from)?
    .map_err(stored)
}

/// `GET /abonnementen`.
pub async fn list(State(state): State<AppState>, Extension(reader): Extension<Reader>) -> Page {
    let a = alerts(&state)?;
    let who = owner(&reader)?;
    let email = who.email.clone();
    let subs = blocking(move || a.of(&who)).await?;
    let items: Vec<minijinja::Value> = subs.iter().map(item).collect();
    render(
        &state,
        "abonnementen.html",
        context! { email, items, max => crate::alerts::MAX_PER_ADDRESS },
    )
}

fn item(s: &Subscription) -> minijinja::Value {
    let url = match &s.volgt {
        Follows::Zoekopdracht(qs) => format!("/zoeken?{qs}"),
        Follows::Collectie(slug) => format!("/collecties/{slug}"),
    };
    context! { id => s.id, titel => s.titel, url, frequentie => s.frequentie.as_str() }
}

/// The form fields of `POST /abonnementen`.
#[derive(Deserialize)]
pub struct Form {
    zoek: Option<String>,
    collectie: Option<String>,
    frequentie: Option<String>,
}

/// `POST /abonnementen`: subscribe from a page's "Volg per e-mail".
pub async fn subscribe(
    State(state): State<AppState>,
    Extension(reader): Extension<Reader>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<Form>,
) -> Result<Redirect, PageError> {
    same_site(&headers, &state.config.site_url)?;
    let taal = crate::i18n::current();
    follow(
        &state,
        reader,
        form.zoek.as_deref(),
        form.collectie.as_deref(),
        form.frequentie.as_deref(),
        taal,
    )
    .await?;
    Ok(Redirect::to("/abonnementen"))
}

/// `POST /abonnementen/{id}/opzeggen`.
pub async fn delete(
    State(state): State<AppState>,
    Extension(reader): Extension<Reader>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Redirect, PageError> {
    same_site(&headers, &state.config.site_url)?;
    let a = alerts(&state)?;
    let who = owner(&reader)?;
    if !blocking(move || a.delete(&id, &who)).await? {
        return Err(Problem::NotFound.into());
    }
    Ok(Redirect::to("/abonnementen"))
}

/// `GET /abonnementen/afmelden/{key}`: a confirmation button (a link scanner
/// that follows the mail's link changes nothing).
pub async fn unsubscribe_page(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    let found = match alerts(&state) {
        Ok(a) => blocking(move || a.by_key(&key)).await,
        Err(p) => Err(p),
    };
    unsubscribe_answer(&state, found, false)
}

/// `POST /abonnementen/afmelden/{key}`: the one click (RFC 8058: the mail
/// program posts `List-Unsubscribe=One-Click`), or the page's button.
pub async fn unsubscribe(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    let found = match alerts(&state) {
        Ok(a) => blocking(move || a.unsubscribe(&key)).await,
        Err(p) => Err(p),
    };
    unsubscribe_answer(&state, found, true)
}

/// The unsubscribe page: never cached and never passing its address (the
/// key) on as a referrer; 404 for a key that is not (or no longer) valid.
fn unsubscribe_answer(state: &AppState, found: Result<Option<Subscription>, Problem>, done: bool) -> Response {
    let page = found.and_then(|sub| {
        let status = if sub.is_some() { StatusCode::OK } else { StatusCode::NOT_FOUND };
        let titel = sub.as_ref().map(|s| s.titel.clone());
        let html = render(
            state,
            "afmelden.html",
            context! { titel, geldig => sub.is_some(), afgemeld => done && sub.is_some() },
        )
        .map_err(|e| e.0)?;
        Ok((status, html))
    });
    let mut res = match page {
        Ok(ok) => ok.into_response(),
        Err(p) => PageError(p).into_response(),
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res.headers_mut()
        .insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    res
}

/// A subscription in the API (never its unsubscribe key).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiSubscription {
    id: String,
    /// What it follows, in words.
    titel: String,
    /// The search's query string, when it follows a search.
    zoek: Option<String>,
    /// The collection's slug, when it follows a collection.
    collectie: Option<String>,
    /// `direct`, `dagelijks` or `wekelijks`.
    frequentie: String,
    /// The language of the mails.
    taal: String,
}

fn api_item(s: &Subscription) -> ApiSubscription {
    let (zoek, collectie) = match &s.volgt {
        Follows::Zoekopdracht(q) => (Some(q.clone()), None),
        Follows::Collectie(c) => (None, Some(c.clone())),
    };
    ApiSubscription {
        id: s.id.clone(),
        titel: s.titel.clone(),
        zoek,
        collectie,
        frequentie: s.frequentie.as_str().into(),
        taal: s.taal.clone(),
    }
}

/// `GET /api/v1/abonnementen`.
#[utoipa::path(get, path = "/api/v1/abonnementen",
    summary = "The email alerts of this token (a token with an address; where alerts are offered)",
    responses((status = 200, body = Vec<ApiSubscription>), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_list(State(state): State<AppState>, Extension(reader): Extension<Reader>) -> Result<Json<Vec<ApiSubscription>>, ApiError> {
    let a = alerts(&state)?;
    let who = api_owner(&reader)?;
    let subs = blocking(move || a.of(&who)).await?;
    Ok(Json(subs.iter().map(api_item).collect()))
}

/// The body of `POST /api/v1/abonnementen`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiRequest {
    /// A search as a query string, e.g. `q=panden&thema=vastgoed` (`""`: every dossier).
    zoek: Option<String>,
    /// A collection's slug.
    collectie: Option<String>,
    /// `direct`, `dagelijks` (default) or `wekelijks`.
    frequentie: Option<String>,
    /// The language of the mails: `nl` (default) or `en`.
    taal: Option<String>,
}

/// `POST /api/v1/abonnementen` (a token with an address; JSON only).
#[utoipa::path(post, path = "/api/v1/abonnementen",
    summary = "Follow a search or a collection by email",
    request_body = ApiRequest,
    responses((status = 201, body = ApiSubscription), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn api_subscribe(
    State(state): State<AppState>,
    Extension(reader): Extension<Reader>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    alerts(&state)?;
    api_owner(&reader)?;
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(Problem::BadRequest("stuur de aanvraag als JSON (Content-Type: application/json)".into()).into());
    }
    let req: ApiRequest = serde_json::from_slice(&body).map_err(|e| Problem::BadRequest(format!("ongeldige JSON: {e}")))?;
    let taal = match req.taal.as_deref() {
        None | Some("nl") => "nl",
        Some("en") => "en",
        Some(t) => return Err(Problem::BadRequest(format!("`taal` moet nl of en zijn, niet `{t}`")).into()),
    };
    let sub = follow(
        &state,
        reader,
        req.zoek.as_deref(),
        req.collectie.as_deref(),
        req.frequentie.as_deref(),
        taal,
    )
    .await?;
    let location = format!("/api/v1/abonnementen/{}", sub.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(api_item(&sub))).into_response())
}

/// `DELETE /api/v1/abonnementen/{id}`.
#[utoipa::path(delete, path = "/api/v1/abonnementen/{id}",
    summary = "Stop an email alert",
    params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn api_delete(
    State(state): State<AppState>,
    Extension(reader): Extension<Reader>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let a = alerts(&state)?;
    let who = api_owner(&reader)?;
    if blocking(move || a.delete(&id, &who)).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::NotFound.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::headers as h;

    #[test]
    fn forms_from_another_site_are_refused() {
        let site = "https://kennisbank.example.nl";
        assert!(same_site(&h(&[("sec-fetch-site", "same-origin")]), site).is_ok());
        assert!(same_site(&h(&[("sec-fetch-site", "cross-site"), ("origin", site)]), site).is_err());
        assert!(same_site(&h(&[("origin", site)]), site).is_ok());
        assert!(same_site(&h(&[("origin", "http://127.0.0.1:8080"), ("host", "127.0.0.1:8080")]), site).is_ok());
        assert!(same_site(&h(&[("origin", "https://elders.example")]), site).is_err());
        assert!(same_site(&h(&[]), site).is_err(), "no origin at all");
    }
}

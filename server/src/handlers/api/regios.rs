//! `/api/v1/regios`: the regions of the vocabulary with their descriptions
//! (`regios/{slug}.md`, public) and how many dossiers the reader may see.

use super::ApiResult;
use crate::error::ErrorBody;
use crate::error::Problem;
use crate::json::Json;
use crate::params;
use crate::state::AppState;
use crate::view::View;
use axum::extract::{Path, RawQuery, State};
use indexer::Library;
use serde::Serialize;
use utoipa::ToSchema;

/// Public contact data of a region's centre.
#[derive(Serialize, ToSchema)]
pub struct RegioContact {
    email: Option<String>,
    telefoon: Option<String>,
    adres: Option<String>,
}

/// A region.
#[derive(Serialize, ToSchema)]
pub struct Regio {
    slug: String,
    naam: String,
    /// Dossiers of this region the reader may see.
    dossiers: usize,
    url: String,
    /// From the region's description; `null` when it has none.
    samenvatting: Option<String>,
    werkgebied: Vec<String>,
    gemeenten: Vec<String>,
    website: Option<String>,
    contact: Option<RegioContact>,
    /// The sanitised description (only in `/api/v1/regios/{slug}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    html: Option<String>,
}

fn regio_of(lib: &Library, slug: &str, with_html: bool) -> Regio {
    let r = lib.regions.iter().find(|r| r.slug == slug);
    Regio {
        slug: slug.to_string(),
        naam: lib.vocab.regios.name(slug).to_string(),
        dossiers: lib.dossiers.iter().filter(|d| d.meta.regio == slug).count(),
        url: format!("/regios/{slug}"),
        samenvatting: r.map(|r| r.meta.samenvatting.clone()),
        werkgebied: r.map(|r| r.meta.werkgebied.clone()).unwrap_or_default(),
        gemeenten: r.map(|r| r.meta.gemeenten.clone()).unwrap_or_default(),
        website: r.and_then(|r| r.meta.website.clone()),
        contact: r.and_then(|r| r.meta.contact.as_ref()).map(|c| RegioContact {
            email: c.email.clone(),
            telefoon: c.telefoon.clone(),
            adres: c.adres.clone(),
        }),
        html: r.filter(|_| with_html).map(|r| r.body.html()),
    }
}

/// All regions
///
/// In the vocabulary's order, with their description's summary, area,
/// municipalities and public contact data where a description exists.
#[utoipa::path(get, path = "/api/v1/regios", responses((status = 200, body = Vec<Regio>), (status = 400, body = ErrorBody)))]
pub async fn regios(State(_state): State<AppState>, v: View, RawQuery(raw): RawQuery) -> ApiResult<Vec<Regio>> {
    params::only(&params::pairs(raw.as_deref())?, &[])?;
    let lib = &v.shelf().library;
    Ok(Json(lib.vocab.regios.slugs().map(|s| regio_of(lib, s, false)).collect()))
}

/// One region
///
/// Like an entry of `/api/v1/regios`, with the description as sanitised HTML.
/// A former region slug answers 301 to the region it merged into.
#[utoipa::path(get, path = "/api/v1/regios/{slug}", params(("slug" = String, Path)),
    responses((status = 200, body = Regio), (status = 404, body = ErrorBody)))]
pub async fn regio(State(_state): State<AppState>, v: View, Path(slug): Path<String>, RawQuery(raw): RawQuery) -> ApiResult<Regio> {
    params::only(&params::pairs(raw.as_deref())?, &[])?;
    let lib = &v.shelf().library;
    if !lib.vocab.regios.contains(&slug) {
        return Err(Problem::NotFound.into());
    }
    Ok(Json(regio_of(lib, &slug, true)))
}

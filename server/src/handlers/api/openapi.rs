//! The OpenAPI document of `/api/v1`: generated from the handlers'
//! `#[utoipa::path]` annotations, then completed with what holds for every
//! operation (an optional bearer token, 401 for a wrong one) and with what
//! only the running server knows: the values the vocabulary filters accept,
//! for the reader asking (a playbook the reader may not see is not listed).

use crate::error::ApiError;
use crate::handlers::api;
use crate::json::Json;
use crate::state::AppState;
use crate::view::View;
use axum::extract::State;
use indexer::Library;
use serde_json::{Value, json};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tegenkracht API",
        description = "Zoeken in leerdossiers, praktijken, thema's, collecties, pagina's en regio's van de RIEC's en het LIEC. \
Zonder token ziet u alleen openbare documenten; met een token (`Authorization: Bearer …`) ook wat dat token mag zien. \
Documenten die u niet mag zien bestaan voor u niet (404)."
    ),
    paths(
        api::search,
        api::dossier,
        api::similar,
        api::themas,
        api::thema,
        api::collecties,
        api::collectie,
        api::regios::regios,
        api::regios::regio,
        api::vocabulaire,
        api::lessen,
        api::status,
        crate::handlers::alerts::api_list,
        crate::handlers::alerts::api_subscribe,
        crate::handlers::alerts::api_delete
    )
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`.
pub async fn document(State(_state): State<AppState>, v: View) -> Result<Json<Value>, ApiError> {
    Ok(Json(complete(&v.shelf().library)))
}

/// The generated document with security, 401 answers and allowed values.
pub fn complete(lib: &Library) -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    doc["components"]["securitySchemes"]["bearer"] = json!({
        "type": "http",
        "scheme": "bearer",
        "description": "A token handed out by the operator. Without one, only public documents exist."
    });
    let allowed = allowed_values(lib);
    if let Some(paths) = doc["paths"].as_object_mut() {
        for (path, item) in paths.iter_mut() {
            // Email alerts are for a token that carries an address; the rest is open.
            let token_needed = path.starts_with("/api/v1/abonnementen");
            let Some(ops) = item.as_object_mut() else { continue };
            // Only operations: a path item may also hold `summary` or `parameters`.
            let methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];
            for (_, op) in ops.iter_mut().filter(|(m, _)| methods.contains(&m.as_str())) {
                // Signing in is optional (but for alerts); a wrong token is a 401.
                op["security"] = if token_needed {
                    json!([{"bearer": []}])
                } else {
                    json!([{}, {"bearer": []}])
                };
                op["responses"]["401"] = json!({
                    "description": "The bearer token sent is unknown or invalid (without a token the request is answered as for an anonymous reader).",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
                });
                // (`get_mut`: indexing a missing key mutably would add a `null`.)
                let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
                    continue;
                };
                for p in params.iter_mut().filter(|p| p["in"] == "query") {
                    let Some(values) = p["name"].as_str().and_then(|n| allowed.iter().find(|(k, _)| *k == n)) else {
                        continue;
                    };
                    let schema = &mut p["schema"];
                    let target = if schema["type"] == "array" { &mut schema["items"] } else { schema };
                    target["enum"] = json!(values.1);
                }
            }
        }
    }
    doc
}

/// Query parameter → the values the server accepts for it now.
fn allowed_values(lib: &Library) -> Vec<(&'static str, Vec<String>)> {
    let v = &lib.vocab;
    let slugs = |n: &indexer::model::vocab::Names| n.slugs().map(str::to_string).collect::<Vec<_>>();
    let mut regios = slugs(&v.regios);
    regios.extend(v.regio_aliassen.iter().map(|(a, _)| a.clone()));
    let fixed = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        ("regio", regios),
        ("thema", lib.playbooks.iter().map(|p| p.slug.clone()).collect()),
        ("partner", slugs(&v.partners)),
        ("instrument", slugs(&v.instrumenten)),
        ("uitdaging", slugs(&v.uitdagingen)),
        ("status", indexer::model::Status::ALL.iter().map(|(n, _)| n.to_string()).collect()),
        ("type", fixed(&["leerdossier", "praktijk", "thema", "collectie", "pagina", "regio"])),
        ("sort", fixed(&["relevantie", "datum"])),
    ]
}

/// `GET /api`: the same document as a page people can read, rendered on the
/// server from `complete` (so it never disagrees with `openapi.json`), with
/// no script: it works under the site's CSP and without JavaScript.
pub async fn page(State(state): State<AppState>, v: View) -> crate::render::Page {
    let doc = complete(&v.shelf().library);
    crate::render::render(&state, "api.html", readable(&doc))
}

/// The document as operations and schemas with plain type names.
fn readable(doc: &Value) -> minijinja::Value {
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let params: Vec<Value> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    json!({
                        "naam": p["name"], "waar": p["in"], "verplicht": p["required"].as_bool().unwrap_or(false),
                        "type": type_name(&p["schema"]), "waarden": allowed(&p["schema"]),
                        "minimum": p["schema"]["minimum"], "maximum": p["schema"]["maximum"],
                        "uitleg": p["description"],
                    })
                })
                .collect();
            let responses: Vec<Value> = op["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(status, r)| json!({"status": status, "uitleg": r["description"], "type": type_name(&r["content"]["application/json"]["schema"])}))
                .collect();
            operations.push(json!({
                "id": op["operationId"], "methode": method.to_uppercase(), "pad": path,
                "samenvatting": op["summary"], "uitleg": op["description"], "parameters": params, "antwoorden": responses,
            }));
        }
    }
    let schemas: Vec<Value> = doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, s)| {
            let required: Vec<&str> = s["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            let velden: Vec<Value> = s["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(f, fs)| json!({"naam": f, "type": type_name(fs), "verplicht": required.contains(&f.as_str()), "uitleg": fs["description"]}))
                .collect();
            json!({"naam": name, "uitleg": s["description"], "velden": velden})
        })
        .collect();
    minijinja::Value::from_serialize(json!({
        "titel": doc["info"]["title"], "uitleg": doc["info"]["description"], "versie": doc["info"]["version"],
        "operaties": operations, "schemas": schemas,
    }))
}

/// A schema's type in words: `string`, `lijst van SearchHit`, `integer of null`.
fn type_name(s: &Value) -> String {
    if let Some(r) = s["$ref"].as_str() {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    if let Some(all) = s["oneOf"].as_array().or(s["anyOf"].as_array()).or(s["allOf"].as_array()) {
        return all.iter().map(type_name).collect::<Vec<_>>().join(" of ");
    }
    let one = |t: &str| {
        if t == "array" {
            format!("lijst van {}", type_name(&s["items"]))
        } else {
            t.to_string()
        }
    };
    match &s["type"] {
        Value::String(t) => one(t),
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).map(one).collect::<Vec<_>>().join(" of "),
        _ if s.get("additionalProperties").is_some() => format!("object met {}", type_name(&s["additionalProperties"])),
        _ => "object".into(),
    }
}

/// The allowed values of a parameter, if it has a list.
fn allowed(s: &Value) -> Value {
    let e = if s["type"] == "array" { &s["items"]["enum"] } else { &s["enum"] };
    e.clone()
}

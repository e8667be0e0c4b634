//! A JSON Schema (draft-07: what editors and linters support best) of a dossier's front matter, made from the
//! content model's rules and the live vocabulary (regions with their former
//! slugs, themas, partners, instruments, challenges), so an editor's tools
//! can complete and check fields before `check` runs. `check` stays the
//! authority: some rules (ids taken, region ownership, links) need the whole
//! federation and are not in the schema.

use crate::model::Status;
use crate::model::vocab::Vocabulary;
use serde_json::{Value, json};

/// The schema for dossiers, given the vocabulary and the thema slugs.
pub fn dossier(vocab: &Vocabulary, themas: &[String]) -> Value {
    let slugs = |n: &crate::model::vocab::Names| n.slugs().map(str::to_string).collect::<Vec<_>>();
    let mut regios = slugs(&vocab.regios);
    regios.extend(vocab.regio_aliassen.iter().map(|(a, _)| a.clone()));
    let text = |min: usize, max: usize, title: &str| json!({"type": "string", "minLength": min, "maxLength": max, "title": title});
    let list_of = |items: Value, title: &str| json!({"type": "array", "items": items, "uniqueItems": true, "title": title});
    let one_of = |values: Vec<String>, title: &str| json!({"enum": values, "title": title});
    // YAML reads `2019` as a number and `2019-03` as text: both are allowed.
    let date = |title: &str, full: bool| {
        let pattern = if full {
            r"^\d{4}-\d{2}-\d{2}$"
        } else {
            r"^\d{4}(-\d{2}(-\d{2})?)?$"
        };
        if full {
            json!({"type": "string", "pattern": pattern, "title": title})
        } else {
            json!({"anyOf": [{"type": "string", "pattern": pattern}, {"type": "integer", "minimum": 1000, "maximum": 9999}], "title": title})
        }
    };
    let lessen = json!({"type": "array", "title": "Lessen", "items": {
        "type": "object", "additionalProperties": false, "required": ["uitdaging", "les"],
        "properties": {"uitdaging": {"enum": slugs(&vocab.uitdagingen)}, "les": {"type": "string", "minLength": 1}},
    }});
    let contact = json!({"type": "object", "title": "Contactpersoon", "additionalProperties": false,
        "required": ["organisatie", "functie", "email"],
        "properties": {"organisatie": text(1, 200, "Organisatie"), "functie": text(1, 200, "Functie"),
            "email": {"type": "string", "pattern": "^[^@\\s]+@[^@\\s]+$", "maxLength": 254}}});
    let jaar = json!({"anyOf": [{"type": "integer", "minimum": 1000, "maximum": 9999}, {"type": "string", "pattern": r"^\d{4}$"}]});
    let bron = json!({
        "type": "object", "additionalProperties": false, "required": ["titel", "uitgever", "jaar"],
        "properties": {
            "titel": {"type": "string", "minLength": 1}, "uitgever": {"type": "string", "minLength": 1}, "jaar": jaar,
            "pagina": {"type": ["string", "integer"]}, "url": {"type": "string", "pattern": "^https?://\\S+$"},
        },
    });
    let mut properties = serde_json::Map::new();
    for (k, v) in [
        ("titel", text(3, 160, "Titel")),
        (
            "type",
            one_of(vec!["leerdossier".into(), "praktijk".into()], "leerdossier of praktijk"),
        ),
        ("regio", one_of(regios, "De regio die het dossier publiceert")),
        (
            "themas",
            json!({"type": "array", "items": {"enum": themas}, "minItems": 1, "maxItems": 5, "uniqueItems": true, "title": "Een tot vijf thema's"}),
        ),
        ("samenvatting", text(20, 600, "Samenvatting")),
        (
            "toegang",
            one_of(vec!["openbaar".into(), "netwerk".into(), "regio".into()], "Wie het mag lezen"),
        ),
        ("partners", list_of(json!({"enum": slugs(&vocab.partners)}), "Partners")),
        ("instrumenten", list_of(json!({"enum": slugs(&vocab.instrumenten)}), "Instrumenten")),
        ("status", one_of(Status::ALL.iter().map(|(s, _)| s.to_string()).collect(), "Status")),
        ("start", date("Begin (JJJJ, JJJJ-MM of JJJJ-MM-DD)", false)),
        ("eind", date("Einde (JJJJ, JJJJ-MM of JJJJ-MM-DD)", false)),
        ("gemeenten", list_of(json!({"type": "string", "minLength": 1}), "Gemeenten")),
        ("trefwoorden", list_of(json!({"type": ["string", "integer"]}), "Trefwoorden")),
        ("lessen", lessen),
        (
            "gerelateerd",
            list_of(
                json!({"type": "string", "pattern": "^[a-z0-9-]+/[a-z0-9-]+$"}),
                "Verwante dossiers (regio/slug)",
            ),
        ),
        ("contact", contact),
        ("bronnen", json!({"type": "array", "title": "Bronnen", "items": bron})),
        ("herzien_voor", date("Herzien vóór (JJJJ-MM-DD)", true)),
        ("bijgewerkt", date("Bijgewerkt op (JJJJ-MM-DD)", true)),
    ] {
        properties.insert(k.to_string(), v);
    }
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Tegenkracht: kopgegevens van een leerdossier of praktijk",
        "description": "Gemaakt uit de regels van `tegenkracht check` en het vocabulaire van deze kennisbank. `check` blijft de maatstaf.",
        "type": "object",
        "additionalProperties": false,
        "required": ["titel", "type", "regio", "themas", "samenvatting", "toegang"],
        "properties": properties,
    })
}

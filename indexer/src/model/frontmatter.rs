//! Strict front matter: splits a document into YAML and body, and checks
//! every rule of the content model, reporting each violation with the line
//! it is on. Cross-document rules (ids, collection items, region ownership)
//! live in `catalog/assemble.rs`.

use crate::diag::{Diagnostic, closest};
use crate::model::vocab::{Names, Vocabulary};
use crate::model::yaml::{self, Node, Value};
use crate::model::*;
use std::collections::BTreeSet;

mod site;
pub use site::{page, region};

/// A document split at its front matter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Split<'a> {
    pub yaml: &'a str,
    /// Number of file lines before the first YAML line.
    pub yaml_offset: usize,
    pub body: &'a str,
}

/// Splits `---` front matter from the body.
pub fn split(text: &str) -> Result<Split<'_>, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or_default();
    if first.trim_end() != "---" {
        return Err((1, "missing front matter: the file must start with a line `---`".into()));
    }
    let start = first.len();
    let mut pos = start;
    for line in lines {
        let t = line.trim_end();
        if t == "---" || t == "..." {
            return Ok(Split {
                yaml: &text[start..pos],
                yaml_offset: 1,
                body: &text[pos + line.len()..],
            });
        }
        pos += line.len();
    }
    Err((1, "front matter is not closed: add a line `---` after it".into()))
}

/// The mark of a text still to be written in a new file's skeleton
/// (`tegenkracht nieuw`); a document that still holds it is not published.
pub const PLACEHOLDER: &str = "[in te vullen]";

/// What validation needs to know beyond the document itself.
pub struct Context<'a> {
    pub vocab: &'a Vocabulary,
    /// Thema slugs: the playbooks in the federation.
    pub themas: &'a BTreeSet<String>,
    /// Other names of the themas (a playbook's title and `synoniemen`, lowercase)
    /// → its slug, for hints on unknown themas.
    pub thema_namen: &'a [(String, String)],
}

/// Reads the keys of one mapping, recording errors with file line numbers.
struct Fields<'a> {
    path: &'a str,
    offset: usize,
    entries: &'a [(Node, Node)],
    /// Line of the mapping itself, for "missing key" errors.
    line: usize,
    errors: Vec<Diagnostic>,
    /// Warnings: the value was read, but the editor should know something.
    notices: Vec<Diagnostic>,
}

impl<'a> Fields<'a> {
    fn new(path: &'a str, offset: usize, node: &'a Node, allowed: &[&str], what: &str) -> Result<Self, Vec<Diagnostic>> {
        let Value::Map(entries) = &node.value else {
            return Err(vec![Diagnostic::error(
                path,
                node.line + offset,
                format!("{what} must be a mapping of keys and values"),
            )]);
        };
        let mut f = Fields {
            path,
            offset,
            entries,
            line: node.line + offset,
            errors: Vec::new(),
            notices: Vec::new(),
        };
        for (k, _) in entries {
            let key = k.as_scalar().unwrap_or_default();
            if !allowed.contains(&key) {
                let hint = closest(key, allowed.iter().copied())
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                f.error(k, format!("unknown key `{key}`{hint}"));
            }
        }
        Ok(f)
    }

    fn error(&mut self, node: &Node, message: impl Into<String>) {
        self.errors.push(Diagnostic::error(self.path, node.line + self.offset, message));
    }

    fn notice(&mut self, node: &Node, message: impl Into<String>) {
        self.notices.push(Diagnostic::warning(self.path, node.line + self.offset, message));
    }

    fn get(&self, key: &str) -> Option<&'a Node> {
        self.entries
            .iter()
            .find(|(k, _)| k.as_scalar() == Some(key))
            .map(|(_, v)| v)
            .filter(|v| !v.is_null())
    }

    fn required(&mut self, key: &str) -> Option<&'a Node> {
        let node = self.get(key);
        if node.is_none() {
            let line = self
                .entries
                .iter()
                .find(|(k, _)| k.as_scalar() == Some(key))
                .map_or(self.line, |(k, _)| k.line + self.offset);
            self.errors
                .push(Diagnostic::error(self.path, line, format!("missing required key `{key}`")));
        }
        node
    }

    /// Text of a scalar node; numbers are accepted as text, booleans and collections are not.
    fn text_of(&mut self, key: &str, node: &Node) -> Option<String> {
        match &node.value {
            Value::Scalar { text, .. } if node.kind_name() != "a boolean" => Some(text.trim().to_string()),
            _ => {
                self.error(node, format!("`{key}` must be text, found {}", node.kind_name()));
                None
            }
        }
    }

    fn text(&mut self, key: &str, required: bool, min: usize, max: usize) -> Option<String> {
        let node = if required { self.required(key)? } else { self.get(key)? };
        let text = self.text_of(key, node)?;
        let n = text.chars().count();
        if n < min || n > max {
            self.error(node, format!("`{key}` must be {min} to {max} characters long, it has {n}"));
            return None;
        }
        Some(text)
    }

    fn one_of<T: Copy>(&mut self, key: &str, required: bool, options: &[(&str, T)]) -> Option<T> {
        let node = if required { self.required(key)? } else { self.get(key)? };
        let value = self.text_of(key, node)?;
        match options.iter().find(|(n, _)| *n == value) {
            Some((_, v)) => Some(*v),
            None => {
                let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
                self.error(node, format!("`{key}` must be one of {}, not `{value}`", names.join(", ")));
                None
            }
        }
    }

    fn list(&mut self, key: &str, required: bool) -> Option<&'a [Node]> {
        let node = if required { self.required(key)? } else { self.get(key)? };
        match &node.value {
            Value::Seq(items) => Some(items),
            _ => {
                self.error(node, format!("`{key}` must be a list, found {}", node.kind_name()));
                None
            }
        }
    }

    fn texts(&mut self, key: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for item in self.list(key, false).unwrap_or_default() {
            if let Some(t) = self.text_of(key, item) {
                if t.is_empty() {
                    self.error(item, format!("`{key}` has an empty entry"));
                } else if out.contains(&t) {
                    self.error(item, format!("`{key}` lists `{t}` twice"));
                } else {
                    out.push(t);
                }
            }
        }
        out
    }

    fn slugs(&mut self, key: &str, required: bool, vocab: &dyn Fn(&str) -> bool, all: &[&str], what: &str) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = Vec::new();
        for item in self.list(key, required).unwrap_or_default() {
            let Some(t) = self.text_of(key, item) else { continue };
            if !vocab(&t) {
                let hint = closest(&t, all.iter().copied())
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                self.error(item, format!("unknown {what} `{t}` in `{key}`{hint}"));
            } else if out.iter().any(|(s, _)| *s == t) {
                self.error(item, format!("`{key}` lists `{t}` twice"));
            } else {
                out.push((t, item.line + self.offset));
            }
        }
        out
    }

    fn date(&mut self, key: &str, full: bool) -> Option<PartialDate> {
        let node = self.get(key)?;
        let text = self.text_of(key, node)?;
        match PartialDate::parse(&text) {
            Some(d) if !full || d.is_full() => Some(d),
            _ if full => {
                self.error(node, format!("`{key}` must be a date YYYY-MM-DD, not `{text}`"));
                None
            }
            _ => {
                self.error(node, format!("`{key}` must be YYYY, YYYY-MM or YYYY-MM-DD, not `{text}`"));
                None
            }
        }
    }

    fn finish<T>(self, value: T) -> Result<T, Vec<Diagnostic>> {
        if self.errors.is_empty() { Ok(value) } else { Err(self.errors) }
    }
}

const TOEGANG: [(&str, Toegang); 3] = [
    ("openbaar", Toegang::Openbaar),
    ("netwerk", Toegang::Netwerk),
    ("regio", Toegang::Regio),
];

fn load(path: &str, split: &Split<'_>) -> Result<Node, Vec<Diagnostic>> {
    yaml::load(split.yaml).map_err(|e| vec![Diagnostic::error(path, e.line + split.yaml_offset, e.message)])
}

fn vocab_check<'v>(names: &'v Names) -> impl Fn(&str) -> bool + 'v {
    move |s| names.contains(s)
}

/// The thema a name (a title or synonym, compared lowercase, plural `-en`/`-s` too) stands for.
fn thema_by_name<'c>(ctx: &'c Context<'_>, name: &str) -> Option<&'c str> {
    let n = name.trim().to_lowercase();
    let forms = [
        n.clone(),
        format!("{n}en"),
        format!("{n}s"),
        n.trim_end_matches("en").to_string(),
        n.trim_end_matches('s').to_string(),
    ];
    ctx.thema_namen
        .iter()
        .find(|(k, _)| forms.contains(k))
        .map(|(_, slug)| slug.as_str())
}

/// Validates a dossier's front matter: the meta and its warnings, or its errors.
pub fn dossier(path: &str, split: &Split<'_>, ctx: &Context<'_>) -> Result<(DossierMeta, Vec<Diagnostic>), Vec<Diagnostic>> {
    const KEYS: &[&str] = &[
        "titel",
        "type",
        "regio",
        "themas",
        "samenvatting",
        "toegang",
        "partners",
        "instrumenten",
        "status",
        "start",
        "eind",
        "gemeenten",
        "trefwoorden",
        "lessen",
        "gerelateerd",
        "contact",
        "herzien_voor",
        "bijgewerkt",
        "bronnen",
    ];
    let root = load(path, split)?;
    let mut f = Fields::new(path, split.yaml_offset, &root, KEYS, "front matter")?;
    let v = ctx.vocab;
    let titel = f.text("titel", true, 3, 160);
    let kind = f.one_of(
        "type",
        true,
        &[("leerdossier", DossierType::Leerdossier), ("praktijk", DossierType::Praktijk)],
    );
    let regio = f.required("regio").and_then(|n| {
        let t = f.text_of("regio", n)?;
        if v.regios.contains(&t) {
            Some(t)
        } else if v.knows_regio(&t) {
            let to = v.canonical_regio(&t).to_string();
            f.notice(
                n,
                format!(
                    "regio `{t}` is now part of `{to}` ({}): the dossier is published as {to}/…; write `regio: {to}`",
                    v.regios.name(&to)
                ),
            );
            Some(to)
        } else {
            let all: Vec<&str> = v.regios.slugs().chain(v.regio_aliassen.iter().map(|(a, _)| a.as_str())).collect();
            let hint = closest(&t, all).map(|c| format!(" (did you mean `{c}`?)")).unwrap_or_default();
            f.error(n, format!("unknown regio `{t}`{hint}"));
            None
        }
    });
    let thema_list: Vec<&str> = ctx.themas.iter().map(String::as_str).collect();
    let mut themas = f.slugs(
        "themas",
        true,
        &|s| ctx.themas.contains(s) || thema_by_name(ctx, s).is_some(),
        &thema_list,
        "thema (no playbook themas/{slug}.md)",
    );
    // Another name of a thema (its title, a synonym) is an error that names the slug.
    themas.retain(|(t, line)| match thema_by_name(ctx, t).filter(|_| !ctx.themas.contains(t)) {
        Some(slug) => {
            let line = *line;
            f.errors.push(Diagnostic::error(
                f.path,
                line,
                format!("`{t}` is another name of thema `{slug}`: write `{slug}` in `themas`"),
            ));
            false
        }
        None => true,
    });
    if let Some(node) = f.get("themas")
        && let Value::Seq(items) = &node.value
        && (items.is_empty() || items.len() > 5)
    {
        f.error(node, format!("`themas` must list 1 to 5 themas, it lists {}", items.len()));
    }
    let samenvatting = f.text("samenvatting", true, 20, 600);
    let toegang = f.one_of("toegang", true, &TOEGANG);
    let all_partners: Vec<&str> = v.partners.slugs().collect();
    let partners = f.slugs("partners", false, &vocab_check(&v.partners), &all_partners, "partner");
    let all_instr: Vec<&str> = v.instrumenten.slugs().collect();
    let instrumenten = f.slugs("instrumenten", false, &vocab_check(&v.instrumenten), &all_instr, "instrument");
    let status = f.one_of("status", false, &Status::ALL);
    let start = f.date("start", false);
    let eind = f.date("eind", false);
    if let (Some(s), Some(e)) = (start, eind)
        && e.sort_key() < s.sort_key()
    {
        let node = f.get("eind").expect("eind was read");
        f.error(node, format!("`eind` ({e}) lies before `start` ({s})"));
    }
    let gemeenten = f.texts("gemeenten");
    let trefwoorden = f.texts("trefwoorden");
    let lessen = lessons(&mut f, v);
    let mut gerelateerd = Vec::new();
    for (id, _) in f.slugs("gerelateerd", false, &|s| is_dossier_id(s), &[], "dossier id (expected regio/slug)") {
        let id = v.canonical_id(&id);
        if !gerelateerd.contains(&id) {
            gerelateerd.push(id);
        }
    }
    let contact = contact(&mut f);
    let bronnen = sources(&mut f);
    let herzien_voor = f.date("herzien_voor", true);
    let bijgewerkt = f.date("bijgewerkt", true);
    let meta = (|| {
        Some(DossierMeta {
            titel: titel?,
            kind: kind?,
            regio: regio?,
            themas: themas.into_iter().map(|(s, _)| s).collect(),
            toegang: toegang?,
            partners: partners.into_iter().map(|(s, _)| s).collect(),
            instrumenten: instrumenten.into_iter().map(|(s, _)| s).collect(),
            status,
            start,
            eind,
            gerelateerd,
            contact,
            herzien_voor,
            bijgewerkt,
            details: Details::new(&DossierDetails {
                samenvatting: samenvatting?,
                gemeenten,
                trefwoorden,
                lessen,
                bronnen,
            }),
        })
    })();
    match meta {
        Some(meta) if meta.themas.is_empty() => {
            let mut errors = f.errors;
            if errors.is_empty() {
                errors.push(Diagnostic::error(path, 1, "`themas` must list 1 to 5 themas"));
            }
            Err(errors)
        }
        Some(meta) => {
            let notices = std::mem::take(&mut f.notices);
            f.finish(meta).map(|meta| (meta, notices))
        }
        None => {
            debug_assert!(!f.errors.is_empty());
            Err(f.errors)
        }
    }
}

fn lessons(f: &mut Fields<'_>, v: &Vocabulary) -> Vec<Les> {
    let mut out = Vec::new();
    let Some(items) = f.list("lessen", false) else { return out };
    for item in items {
        let sub = match Fields::new(f.path, f.offset, item, &["uitdaging", "les"], "each les") {
            Ok(sub) => sub,
            Err(e) => {
                f.errors.extend(e);
                continue;
            }
        };
        let mut sub = sub;
        let uitdaging = sub.required("uitdaging").and_then(|n| {
            let t = sub.text_of("uitdaging", n)?;
            if v.uitdagingen.contains(&t) {
                Some(t)
            } else {
                let names: Vec<&str> = v.uitdagingen.slugs().collect();
                sub.error(n, format!("unknown uitdaging `{t}` (one of {})", names.join(", ")));
                None
            }
        });
        let les = sub.text("les", true, 10, 400);
        f.errors.append(&mut sub.errors);
        if let (Some(uitdaging), Some(les)) = (uitdaging, les) {
            out.push(Les { uitdaging, les });
        }
    }
    out
}

/// `bronnen`: a list of `{titel, uitgever, jaar, pagina?, url?}`.
fn sources(f: &mut Fields<'_>) -> Vec<Bron> {
    let mut out = Vec::new();
    let Some(items) = f.list("bronnen", false) else { return out };
    for item in items {
        let mut sub = match Fields::new(f.path, f.offset, item, &["titel", "uitgever", "jaar", "pagina", "url"], "each bron") {
            Ok(sub) => sub,
            Err(e) => {
                f.errors.extend(e);
                continue;
            }
        };
        let titel = sub.text("titel", true, 2, 300);
        let uitgever = sub.text("uitgever", true, 2, 200);
        let jaar = sub.text("jaar", true, 4, 4).and_then(|t| match t.parse::<u16>() {
            Ok(y) if (1800..=2200).contains(&y) => Some(y),
            _ => {
                if let Some(n) = sub.get("jaar") {
                    sub.error(n, format!("`jaar` must be a year like 2022, found `{t}`"));
                }
                None
            }
        });
        let pagina = sub.text("pagina", false, 1, 120);
        let url = sub.text("url", false, 8, 2000);
        if let (Some(u), Some(n)) = (&url, sub.get("url"))
            && (!(u.starts_with("https://") || u.starts_with("http://")) || u.contains(char::is_whitespace))
        {
            sub.error(n, format!("`url` must be a web address starting with https://, found `{u}`"));
        }
        let ok = sub.errors.is_empty();
        f.errors.append(&mut sub.errors);
        if let (true, Some(titel), Some(uitgever), Some(jaar)) = (ok, titel, uitgever, jaar) {
            out.push(Bron {
                titel,
                uitgever,
                jaar,
                pagina,
                url,
            });
        }
    }
    out
}

fn contact(f: &mut Fields<'_>) -> Option<Contact> {
    let node = f.get("contact")?;
    let mut sub = match Fields::new(f.path, f.offset, node, &["organisatie", "functie", "email"], "`contact`") {
        Ok(sub) => sub,
        Err(e) => {
            f.errors.extend(e);
            return None;
        }
    };
    let organisatie = sub.text("organisatie", true, 1, 200);
    let functie = sub.text("functie", true, 1, 200);
    let email = sub.text("email", true, 3, 254);
    if let (Some(e), Some(n)) = (&email, sub.get("email"))
        && (!e.contains('@') || e.contains(char::is_whitespace))
    {
        sub.error(n, format!("`email` is not an e-mail address: `{e}`"));
    }
    let ok = sub.errors.is_empty();
    f.errors.append(&mut sub.errors);
    if !ok {
        return None;
    }
    Some(Contact {
        organisatie: organisatie?,
        functie: functie?,
        email: email?,
    })
}

/// Validates a playbook's front matter.
pub fn playbook(path: &str, split: &Split<'_>) -> Result<PlaybookMeta, Vec<Diagnostic>> {
    const KEYS: &[&str] = &[
        "titel",
        "type",
        "samenvatting",
        "toegang",
        "fase",
        "synoniemen",
        "redactie",
        "bronnen",
    ];
    let root = load(path, split)?;
    let mut f = Fields::new(path, split.yaml_offset, &root, KEYS, "front matter")?;
    let titel = f.text("titel", true, 1, 160);
    let kind = f.one_of("type", true, &[("playbook", ())]);
    let samenvatting = f.text("samenvatting", true, 20, 600);
    let toegang = f.one_of("toegang", true, &TOEGANG);
    let fase = f.one_of(
        "fase",
        false,
        &[("doe", Fase::Doe), ("ontwikkel", Fase::Ontwikkel), ("beide", Fase::Beide)],
    );
    let synoniemen = f.texts("synoniemen").into_iter().map(|s| s.to_lowercase()).collect();
    let redactie = f.text("redactie", false, 2, 200);
    let bronnen = sources(&mut f);
    let meta = (|| {
        kind?;
        Some(PlaybookMeta {
            titel: titel?,
            samenvatting: samenvatting?,
            toegang: toegang?,
            fase,
            synoniemen,
            redactie,
            bronnen,
        })
    })();
    match meta {
        Some(meta) => f.finish(meta),
        None => Err(f.errors),
    }
}

/// Validates a collection's front matter (items are resolved later; an item
/// id written with a former region slug is read as its current id).
pub fn collection(path: &str, split: &Split<'_>, vocab: &Vocabulary) -> Result<CollectionMeta, Vec<Diagnostic>> {
    const KEYS: &[&str] = &[
        "titel",
        "type",
        "samenvatting",
        "toegang",
        "curator",
        "redactie",
        "bronnen",
        "items",
    ];
    let root = load(path, split)?;
    let mut f = Fields::new(path, split.yaml_offset, &root, KEYS, "front matter")?;
    let titel = f.text("titel", true, 1, 160);
    let kind = f.one_of("type", true, &[("collectie", ())]);
    let samenvatting = f.text("samenvatting", true, 1, 600);
    let toegang = f.one_of("toegang", true, &TOEGANG);
    let curator = f.text("curator", true, 1, 160);
    let redactie = f.text("redactie", false, 2, 200);
    let bronnen = sources(&mut f);
    let mut items = Vec::new();
    for item in f.list("items", true).unwrap_or_default() {
        let mut sub = match Fields::new(f.path, f.offset, item, &["id", "notitie"], "each item") {
            Ok(sub) => sub,
            Err(e) => {
                f.errors.extend(e);
                continue;
            }
        };
        let id = sub.text("id", true, 3, 161);
        if let (Some(id), Some(n)) = (&id, sub.get("id"))
            && !is_dossier_id(id)
        {
            sub.error(n, format!("item id `{id}` is not a dossier id (regio/slug)"));
        }
        let id = id.map(|id| vocab.canonical_id(&id));
        let notitie = sub.text("notitie", false, 1, 1000);
        let ok = sub.errors.is_empty();
        f.errors.append(&mut sub.errors);
        if let (true, Some(id)) = (ok, id) {
            if items.iter().any(|i: &CollectionItem| i.id == id) {
                f.error(item, format!("item `{id}` is listed twice"));
            } else {
                items.push(CollectionItem {
                    id,
                    notitie,
                    line: item.line + f.offset,
                });
            }
        }
    }
    let meta = (|| {
        kind?;
        Some(CollectionMeta {
            titel: titel?,
            samenvatting: samenvatting?,
            toegang: toegang?,
            curator: curator?,
            redactie,
            bronnen,
            items,
        })
    })();
    match meta {
        Some(meta) => f.finish(meta),
        None => Err(f.errors),
    }
}

#[cfg(test)]
mod tests;

//! The controlled vocabularies of `vocabulaire.yaml`: regions, partners,
//! instruments, challenges and synonym groups.

use crate::diag::Diagnostic;
use crate::model::is_slug;
use crate::model::yaml::{self, Node, Value};
use serde::Serialize;

/// Slugs every vocabulary must hold (content model, section 4); a region
/// slug may also be held as an alias of the region it merged into.
pub const MIN_REGIOS: &[&str] = &[
    "amsterdam-amstelland",
    "den-haag",
    "limburg",
    "midden-nederland",
    "noord-holland",
    "noord-nederland",
    "oost-brabant",
    "oost-nederland",
    "rotterdam",
    "zeeland-west-brabant",
    "landelijk",
];
pub const MIN_PARTNERS: &[&str] = &[
    "gemeente",
    "provincie",
    "waterschap",
    "politie",
    "om",
    "belastingdienst",
    "fiod",
    "douane",
    "kmar",
    "nla",
    "ind",
    "fiu",
    "riec",
    "liec",
    "woningcorporatie",
    "onderwijs",
    "zorg-en-welzijn",
    "wetenschap",
    "bedrijfsleven",
    "bewoners",
];
pub const MIN_INSTRUMENTEN: &[&str] = &[
    "strafrechtelijk",
    "bestuursrechtelijk",
    "fiscaal",
    "privaatrechtelijk",
    "preventief",
    "communicatie",
];
pub const MIN_UITDAGINGEN: &[&str] = &["capaciteit", "draagvlak", "grenzen", "samenwerking", "overlegcultuur", "leren"];

/// An ordered slug → display name list, and the English names of those that
/// have one (written `slug: {naam: ..., en: ...}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Names(pub Vec<(String, String)>, pub Vec<(String, String)>);

impl Names {
    pub fn get(&self, slug: &str) -> Option<&str> {
        self.0.iter().find(|(s, _)| s == slug).map(|(_, n)| n.as_str())
    }

    pub fn contains(&self, slug: &str) -> bool {
        self.get(slug).is_some()
    }

    /// The display name, or the slug itself when it is unknown.
    pub fn name<'a>(&'a self, slug: &'a str) -> &'a str {
        self.get(slug).unwrap_or(slug)
    }

    /// The display name in an interface language (`nl` or `en`): the English
    /// name when asked for and given, else the Dutch one.
    pub fn name_in<'a>(&'a self, slug: &'a str, taal: &str) -> &'a str {
        let en = (taal == "en").then(|| self.1.iter().find(|(s, _)| s == slug).map(|(_, n)| n.as_str()));
        en.flatten().unwrap_or_else(|| self.name(slug))
    }

    pub fn slugs(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(s, _)| s.as_str())
    }
}

/// The parsed `vocabulaire.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Vocabulary {
    pub regios: Names,
    /// Former region slugs → the region they merged into (`regio-aliassen`,
    /// extension): accepted wherever a region slug is, and read as the target.
    pub regio_aliassen: Vec<(String, String)>,
    pub partners: Names,
    pub instrumenten: Names,
    pub uitdagingen: Names,
    pub synoniemen: Vec<Vec<String>>,
    /// Curated pins: a (folded) query → dossier ids shown first for it (extension).
    pub vastgezet: Vec<(String, Vec<String>, usize)>,
}

impl Vocabulary {
    /// Parses `vocabulaire.yaml`; every problem becomes a diagnostic for `path`.
    pub fn parse(path: &str, text: &str) -> Result<Vocabulary, Vec<Diagnostic>> {
        let root = yaml::load(text).map_err(|e| vec![Diagnostic::error(path, e.line, e.message)])?;
        let Value::Map(entries) = &root.value else {
            return Err(vec![Diagnostic::error(path, root.line, "vocabulaire.yaml must be a mapping")]);
        };
        let mut errors = Vec::new();
        let mut vocab = Vocabulary::default();
        let mut aliases = None;
        for (key, value) in entries {
            let k = key.as_scalar().unwrap_or_default();
            match k {
                "regios" => vocab.regios = names(path, value, &mut errors),
                "regio-aliassen" => aliases = Some(value),
                "partners" => vocab.partners = names(path, value, &mut errors),
                "instrumenten" => vocab.instrumenten = names(path, value, &mut errors),
                "uitdagingen" => vocab.uitdagingen = names(path, value, &mut errors),
                "synoniemen" => vocab.synoniemen = synonyms(path, value, &mut errors),
                "vastgezet" => vocab.vastgezet = pins(path, value, &mut errors),
                other => errors.push(Diagnostic::error(
                    path,
                    key.line,
                    format!("unknown key `{other}` (expected regios, regio-aliassen, partners, instrumenten, uitdagingen, synoniemen, vastgezet)"),
                )),
            }
        }
        if let Some(node) = aliases {
            vocab.regio_aliassen = region_aliases(path, node, &vocab.regios, &mut errors);
        }
        let pins = std::mem::take(&mut vocab.vastgezet);
        vocab.vastgezet = pins
            .into_iter()
            .map(|(q, ids, line)| (q, ids.iter().map(|id| vocab.canonical_id(id)).collect(), line))
            .collect();
        for (section, names, required) in [
            ("regios", &vocab.regios, MIN_REGIOS),
            ("partners", &vocab.partners, MIN_PARTNERS),
            ("instrumenten", &vocab.instrumenten, MIN_INSTRUMENTEN),
            ("uitdagingen", &vocab.uitdagingen, MIN_UITDAGINGEN),
        ] {
            let held = |s: &str| names.contains(s) || (section == "regios" && vocab.regio_aliassen.iter().any(|(a, _)| a == s));
            let missing: Vec<&str> = required.iter().copied().filter(|s| !held(s)).collect();
            if !missing.is_empty() {
                errors.push(Diagnostic::error(
                    path,
                    1,
                    format!("`{section}` lacks required entries: {}", missing.join(", ")),
                ));
            }
        }
        if errors.is_empty() { Ok(vocab) } else { Err(errors) }
    }

    /// The region a slug stands for: the target of an alias, else the slug.
    pub fn canonical_regio<'a>(&'a self, slug: &'a str) -> &'a str {
        self.regio_aliassen
            .iter()
            .find(|(a, _)| a == slug)
            .map_or(slug, |(_, to)| to.as_str())
    }

    /// A region slug, or a former one, that names a region of this vocabulary.
    pub fn knows_regio(&self, slug: &str) -> bool {
        self.regios.contains(self.canonical_regio(slug))
    }

    /// A dossier id with its region part read through the aliases
    /// (`oost-brabant/x` → `zeeland-brabant/x`); other text is returned as is.
    pub fn canonical_id(&self, id: &str) -> String {
        match id.split_once('/') {
            Some((regio, slug)) => format!("{}/{slug}", self.canonical_regio(regio)),
            None => id.to_string(),
        }
    }

    /// The dossier ids pinned to a query (compared folded, single-spaced).
    pub fn pinned(&self, q: &str) -> &[String] {
        let q = crate::text::fold(q).split_whitespace().collect::<Vec<_>>().join(" ");
        self.vastgezet
            .iter()
            .find(|(k, _, _)| *k == q)
            .map_or(&[], |(_, ids, _)| ids.as_slice())
    }

    /// The synonym group that holds `term` (lowercase), if any (tests).
    #[cfg(test)]
    fn synonyms_of(&self, term: &str) -> Option<&[String]> {
        self.synoniemen.iter().find(|g| g.iter().any(|t| t == term)).map(Vec::as_slice)
    }
}

fn names(path: &str, node: &Node, errors: &mut Vec<Diagnostic>) -> Names {
    let Value::Map(entries) = &node.value else {
        errors.push(Diagnostic::error(path, node.line, "expected a mapping of slug: display name"));
        return Names::default();
    };
    let mut out = Vec::new();
    let mut english = Vec::new();
    let text = |n: &Node| {
        n.as_scalar()
            .filter(|t| !n.is_null() && !t.trim().is_empty())
            .map(|t| t.trim().to_string())
    };
    for (k, v) in entries {
        let slug = k.as_scalar().unwrap_or_default();
        if !is_slug(slug) {
            errors.push(Diagnostic::error(
                path,
                k.line,
                format!("`{slug}` is not a valid slug (a-z, 0-9 and -)"),
            ));
            continue;
        }
        // `slug: Naam`, or `slug: {naam: Naam, en: Name}` with an English name.
        if let Value::Map(fields) = &v.value {
            let mut naam = None;
            for (fk, fv) in fields {
                match fk.as_scalar().unwrap_or_default() {
                    "naam" => naam = text(fv),
                    "en" => match text(fv) {
                        Some(en) => english.push((slug.to_string(), en)),
                        None => errors.push(Diagnostic::error(path, fv.line, format!("`en` of `{slug}` needs a name"))),
                    },
                    other => errors.push(Diagnostic::error(
                        path,
                        fk.line,
                        format!("unknown key `{other}` for `{slug}` (expected naam, en)"),
                    )),
                }
            }
            match naam {
                Some(n) => out.push((slug.to_string(), n)),
                None => errors.push(Diagnostic::error(path, v.line, format!("`{slug}` needs a `naam`"))),
            }
            continue;
        }
        match text(v) {
            Some(name) => out.push((slug.to_string(), name)),
            None => errors.push(Diagnostic::error(path, v.line, format!("`{slug}` needs a display name"))),
        }
    }
    Names(out, english)
}

fn region_aliases(path: &str, node: &Node, regios: &Names, errors: &mut Vec<Diagnostic>) -> Vec<(String, String)> {
    let Value::Map(entries) = &node.value else {
        errors.push(Diagnostic::error(
            path,
            node.line,
            "`regio-aliassen` must map a former region slug to a region slug",
        ));
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in entries {
        let from = k.as_scalar().unwrap_or_default();
        let to = v.as_scalar().unwrap_or_default().trim();
        if !is_slug(from) {
            errors.push(Diagnostic::error(
                path,
                k.line,
                format!("`{from}` is not a valid slug (a-z, 0-9 and -)"),
            ));
        } else if regios.contains(from) {
            errors.push(Diagnostic::error(
                path,
                k.line,
                format!("`{from}` is a region in `regios` and cannot also be an alias: remove one of the two"),
            ));
        } else if v.is_null() || !regios.contains(to) {
            errors.push(Diagnostic::error(
                path,
                v.line,
                format!("alias `{from}` must point to a region listed in `regios`, not `{to}`"),
            ));
        } else if out.iter().any(|(a, _)| a == from) {
            errors.push(Diagnostic::error(path, k.line, format!("alias `{from}` is listed twice")));
        } else {
            out.push((from.to_string(), to.to_string()));
        }
    }
    out
}

fn pins(path: &str, node: &Node, errors: &mut Vec<Diagnostic>) -> Vec<(String, Vec<String>, usize)> {
    let Value::Map(entries) = &node.value else {
        errors.push(Diagnostic::error(
            path,
            node.line,
            "`vastgezet` must map a query to a list of dossier ids",
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in entries {
        let query = crate::text::fold(k.as_scalar().unwrap_or_default())
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let Value::Seq(items) = &v.value else {
            errors.push(Diagnostic::error(
                path,
                v.line,
                format!("pins for `{query}` must be a list of dossier ids"),
            ));
            continue;
        };
        let mut ids = Vec::new();
        for it in items {
            match it.as_scalar() {
                Some(id) if crate::model::is_dossier_id(id) => ids.push(id.to_string()),
                _ => errors.push(Diagnostic::error(path, it.line, "a pin must be a dossier id (regio/slug)")),
            }
        }
        if query.is_empty() {
            errors.push(Diagnostic::error(path, k.line, "a pinned query may not be empty"));
        } else {
            out.push((query, ids, k.line));
        }
    }
    out
}

fn synonyms(path: &str, node: &Node, errors: &mut Vec<Diagnostic>) -> Vec<Vec<String>> {
    let Value::Seq(groups) = &node.value else {
        errors.push(Diagnostic::error(path, node.line, "`synoniemen` must be a list of lists"));
        return Vec::new();
    };
    let mut out: Vec<Vec<String>> = Vec::new();
    for group in groups {
        let Value::Seq(words) = &group.value else {
            errors.push(Diagnostic::error(path, group.line, "each synonym group must be a list of words"));
            continue;
        };
        let mut g = Vec::new();
        for w in words {
            match w.as_scalar() {
                Some(t) if !w.is_null() && !t.trim().is_empty() => {
                    let t = t.trim().to_lowercase();
                    if out.iter().any(|o| o.contains(&t)) {
                        errors.push(Diagnostic::error(
                            path,
                            w.line,
                            format!("`{t}` is already in another synonym group"),
                        ));
                    } else if !g.contains(&t) {
                        g.push(t);
                    }
                }
                _ => errors.push(Diagnostic::error(path, w.line, "a synonym must be a word or phrase")),
            }
        }
        if g.len() < 2 {
            errors.push(Diagnostic::error(path, group.line, "a synonym group needs at least two words"));
        } else {
            out.push(g);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../content/vocabulaire.yaml"));

    #[test]
    fn can_parse_the_starter_vocabulary() {
        let v = Vocabulary::parse("vocabulaire.yaml", FULL).unwrap();
        assert_eq!(v.regios.name("limburg"), "RIEC Limburg");
        assert!(v.synonyms_of("damocles").unwrap().contains(&"13b".to_string()));
    }

    #[test]
    fn names_may_have_an_english_name() {
        let v = Vocabulary::parse("vocabulaire.yaml", FULL).unwrap();
        assert_eq!(v.partners.name_in("gemeente", "en"), "Municipality");
        assert_eq!(v.partners.name_in("gemeente", "nl"), "Gemeente");
        assert_eq!(v.partners.name("gemeente"), "Gemeente");
        let text = FULL.replace(
            "  gemeente: {naam: Gemeente, en: Municipality}\n",
            "  gemeente: {naam: Gemeente, engels: Municipality}\n",
        );
        let errs = Vocabulary::parse("v.yaml", &text).unwrap_err();
        assert!(
            errs.iter().any(|d| d.message.contains("unknown key `engels` for `gemeente`")),
            "{errs:?}"
        );
        let text = FULL.replace(
            "  gemeente: {naam: Gemeente, en: Municipality}\n",
            "  gemeente: {en: Municipality}\n",
        );
        let errs = Vocabulary::parse("v.yaml", &text).unwrap_err();
        assert!(errs.iter().any(|d| d.message.contains("`gemeente` needs a `naam`")), "{errs:?}");
    }

    #[test]
    fn can_parse_curated_pins() {
        let v = Vocabulary::parse("vocabulaire.yaml", FULL).unwrap();
        assert_eq!(v.pinned("Leren  van ELKAAR")[0], "landelijk/lerende-gemeenschappen");
        assert!(v.pinned("iets anders").is_empty());
        let bad = format!("{FULL}\n# x\n").replace("vastgezet:\n", "vastgezet:\n  fout: [geen-id]\n");
        let errs = Vocabulary::parse("v.yaml", &bad).unwrap_err();
        assert!(errs.iter().any(|d| d.message.contains("a pin must be a dossier id")), "{errs:?}");
    }

    #[test]
    fn former_regions_are_read_as_the_region_they_merged_into() {
        let v = Vocabulary::parse("vocabulaire.yaml", FULL).unwrap();
        assert_eq!(v.canonical_regio("oost-brabant"), "zeeland-brabant");
        assert_eq!(v.canonical_regio("zeeland-west-brabant"), "zeeland-brabant");
        assert_eq!(v.canonical_regio("limburg"), "limburg");
        assert!(v.knows_regio("oost-brabant") && !v.regios.contains("oost-brabant"));
        assert!(!v.knows_regio("brabant"));
        assert_eq!(v.canonical_id("oost-brabant/x"), "zeeland-brabant/x");
        assert_eq!(v.canonical_id("limburg/x"), "limburg/x");
        // A pin written with a former slug points to the dossier's current id.
        let pinned = FULL.replace("vastgezet:\n", "vastgezet:\n  oude pin: [oost-brabant/ondermijningsexperience]\n");
        let v = Vocabulary::parse("v.yaml", &pinned).unwrap();
        assert_eq!(v.pinned("oude pin"), ["zeeland-brabant/ondermijningsexperience"]);
    }

    #[test]
    fn a_vocabulary_without_the_merge_still_holds_every_required_region() {
        let old = FULL
            .replace(
                "  zeeland-brabant: {naam: Regio Zeeland-Brabant, en: Zeeland-Brabant region}\n",
                "  oost-brabant: RIEC Oost-Brabant\n  zeeland-west-brabant: RIEC Zeeland-West-Brabant\n",
            )
            .replace(
                "regio-aliassen:\n  oost-brabant: zeeland-brabant\n  zeeland-west-brabant: zeeland-brabant\n",
                "",
            )
            .replace("zeeland-brabant/", "oost-brabant/");
        let v = Vocabulary::parse("v.yaml", &old).unwrap();
        assert_eq!(v.canonical_regio("oost-brabant"), "oost-brabant");
        let dropped = FULL.replace("  oost-brabant: zeeland-brabant\n", "");
        let errs = Vocabulary::parse("v.yaml", &dropped).unwrap_err();
        assert!(
            errs.iter().any(|d| d.message.contains("lacks required entries: oost-brabant")),
            "{errs:?}"
        );
    }

    #[test]
    fn bad_region_aliases_are_errors() {
        for (alias, want) in [
            ("  limburg: zeeland-brabant\n", "is a region in `regios`"),
            (
                "  oud-brabant: brabant\n",
                "must point to a region listed in `regios`, not `brabant`",
            ),
            ("  Oud: limburg\n", "is not a valid slug"),
        ] {
            let text = FULL.replace("regio-aliassen:\n", &format!("regio-aliassen:\n{alias}"));
            let errs = Vocabulary::parse("v.yaml", &text).unwrap_err();
            assert!(errs.iter().any(|d| d.message.contains(want)), "{alias}: {errs:?}");
        }
    }

    #[test]
    fn errors_when_required_entries_or_keys_are_wrong() {
        let errs = Vocabulary::parse("v.yaml", "regios:\n  limburg: RIEC Limburg\nfoo: 1\n").unwrap_err();
        let text: Vec<String> = errs.iter().map(|d| d.to_string()).collect();
        assert!(text.iter().any(|t| t.starts_with("v.yaml:3: error: unknown key `foo`")), "{text:?}");
        assert!(
            text.iter()
                .any(|t| t.contains("`regios` lacks required entries: amsterdam-amstelland")),
            "{text:?}"
        );
    }
}

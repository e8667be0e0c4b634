//! One audience's view of the catalog: only the documents that audience may
//! see, with collections, related links and term statistics computed from
//! those documents alone, so nothing restricted can leak through them.

use crate::corpus::Catalog;
use crate::facets::FacetTable;
use crate::model::*;
use crate::speller::Speller;
use crate::vocab::Vocabulary;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// Who is reading, as far as access is concerned (content model, section 5).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Audience {
    /// Anyone, signed in or not: `openbaar` only.
    Public,
    /// A signed-in reader without a region: `openbaar` and `netwerk`.
    Network,
    /// A signed-in reader of these regions (sorted, unique): also their `regio` documents.
    Regions(Vec<String>),
    /// A national (LIEC) reader: everything.
    Liec,
}

impl Audience {
    /// The audience of a signed-in reader with these region slugs (`liec` means national).
    pub fn signed_in(regions: &[String]) -> Audience {
        if regions.iter().any(|r| r == "liec") {
            return Audience::Liec;
        }
        let mut rs: Vec<String> = regions.to_vec();
        rs.sort();
        rs.dedup();
        if rs.is_empty() { Audience::Network } else { Audience::Regions(rs) }
    }

    /// A stable name, used for index folders and logs (never contains content).
    pub fn key(&self) -> String {
        match self {
            Audience::Public => "openbaar".to_string(),
            Audience::Network => "netwerk".to_string(),
            Audience::Regions(rs) => format!("regio-{}", rs.join("+")),
            Audience::Liec => "liec".to_string(),
        }
    }

    /// True for every audience but the public one.
    pub fn is_signed_in(&self) -> bool {
        *self != Audience::Public
    }

    /// Whether this audience may see a document with `toegang` of `regio`.
    /// Playbooks and collections have no region: `regio` ones are for LIEC readers only.
    pub fn may_see(&self, toegang: Toegang, regio: Option<&str>) -> bool {
        match (self, toegang) {
            (_, Toegang::Openbaar) => true,
            (Audience::Public, _) => false,
            (Audience::Liec, _) => true,
            (_, Toegang::Netwerk) => true,
            (Audience::Network, Toegang::Regio) => false,
            (Audience::Regions(rs), Toegang::Regio) => regio.is_some_and(|r| rs.iter().any(|x| x == r)),
        }
    }
}

/// The ids of everything `audience` may see in `catalog`: two audiences with the
/// same set are served by the same library and index.
pub fn visible_set(catalog: &Catalog, audience: &Audience) -> Vec<String> {
    let mut ids: Vec<String> = catalog
        .dossiers
        .iter()
        .filter(|d| audience.may_see(d.meta.toegang, Some(&d.meta.regio)))
        .map(|d| d.id.clone())
        .collect();
    ids.extend(
        catalog
            .playbooks
            .iter()
            .filter(|p| audience.may_see(p.meta.toegang, None))
            .map(|p| format!("themas/{}", p.slug)),
    );
    ids.extend(
        catalog
            .collections
            .iter()
            .filter(|c| audience.may_see(c.meta.toegang, None))
            .map(|c| format!("collecties/{}", c.slug)),
    );
    ids.sort();
    ids
}

/// The documents one audience may see.
#[derive(Debug, Clone)]
pub struct Library {
    pub audience: Audience,
    pub vocab: Vocabulary,
    /// Sorted by id; a dossier's position is its ordinal.
    pub dossiers: Vec<Arc<Dossier>>,
    pub playbooks: Vec<Playbook>,
    pub collections: Vec<Collection>,
    /// Per dossier ordinal: its most characteristic words, with weights.
    pub keyterms: Vec<Vec<(String, f32)>>,
    /// Folded surface words of this audience's dossiers and how many dossiers hold them
    /// (for "Bedoelde u ...?").
    pub words: HashMap<String, u32>,
    /// Folded word or phrase → the other members of its synonym groups (vocabulary
    /// synonyms and each visible playbook's title and `synoniemen`).
    pub synonyms: HashMap<String, Vec<String>>,
    by_id: HashMap<String, usize>,
    /// Facet ids, dates and priors by ordinal, built on first use.
    facet_table: OnceLock<FacetTable>,
    /// `words` grouped for spelling suggestions, built on first use.
    speller: OnceLock<Speller>,
}

impl Library {
    /// Builds the view of `catalog` for `audience`.
    pub fn new(catalog: &Catalog, audience: Audience) -> Library {
        // Dossiers are shared with the catalog; one is copied only when this view changes it.
        let mut dossiers: Vec<Arc<Dossier>> = catalog
            .dossiers
            .iter()
            .filter(|d| audience.may_see(d.meta.toegang, Some(&d.meta.regio)))
            .cloned()
            .collect();
        if !audience.is_signed_in() {
            // Contact blocks are for signed-in readers only: the public library never holds them.
            for d in dossiers.iter_mut().filter(|d| d.meta.contact.is_some()) {
                Arc::make_mut(d).meta.contact = None;
            }
        }
        dossiers.sort_by(|a, b| a.id.cmp(&b.id));
        let by_id: HashMap<String, usize> = dossiers.iter().enumerate().map(|(i, d)| (d.id.clone(), i)).collect();
        for d in &mut dossiers {
            if d.meta.gerelateerd.iter().any(|g| !by_id.contains_key(g)) {
                Arc::make_mut(d).meta.gerelateerd.retain(|g| by_id.contains_key(g));
            }
        }
        let playbooks: Vec<Playbook> = catalog
            .playbooks
            .iter()
            .filter(|p| audience.may_see(p.meta.toegang, None))
            .cloned()
            .collect();
        let collections = catalog
            .collections
            .iter()
            .filter(|c| audience.may_see(c.meta.toegang, None))
            .cloned()
            .map(|mut c| {
                c.meta.items.retain(|it| by_id.contains_key(&it.id));
                c
            })
            .collect();
        let t = std::time::Instant::now();
        let keyterms = crate::keyterms::compute(&dossiers);
        let k_ms = t.elapsed().as_millis() as u64;
        let words = surface_words(&dossiers);
        tracing::debug!(
            keyterms_ms = k_ms,
            words_ms = t.elapsed().as_millis() as u64 - k_ms,
            "library statistics"
        );
        let synonyms = synonym_map(&catalog.vocab, &playbooks);
        Library {
            audience,
            vocab: catalog.vocab.clone(),
            dossiers,
            playbooks,
            collections,
            keyterms,
            words,
            synonyms,
            by_id,
            facet_table: OnceLock::new(),
            speller: OnceLock::new(),
        }
    }

    /// The most common word of this library within edit distance 1 of `word`
    /// (2 for words of 8 letters or more), for "Bedoelde u ...?".
    pub fn suggest(&self, word: &str) -> Option<&str> {
        self.speller
            .get_or_init(|| Speller::new(&self.words))
            .suggest(&crate::text::fold(word))
    }

    /// The facet table of this library's dossiers (built on first use).
    pub fn facet_table(&self) -> &FacetTable {
        self.facet_table.get_or_init(|| FacetTable::new(&self.dossiers))
    }

    pub fn ordinal(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn dossier(&self, id: &str) -> Option<&Dossier> {
        self.ordinal(id).map(|i| &*self.dossiers[i])
    }

    pub fn playbook(&self, slug: &str) -> Option<&Playbook> {
        self.playbooks.iter().find(|p| p.slug == slug)
    }

    pub fn collection(&self, slug: &str) -> Option<&Collection> {
        self.collections.iter().find(|c| c.slug == slug)
    }

    /// The display name of a thema: its playbook's title, or the slug.
    pub fn thema_name<'a>(&'a self, slug: &'a str) -> &'a str {
        self.playbook(slug).map_or(slug, |p| p.meta.titel.as_str())
    }

    /// Dossiers sorted newest first (by last change, then start).
    pub fn recent(&self) -> Vec<&Dossier> {
        let mut v: Vec<&Dossier> = self.dossiers.iter().map(|d| &**d).collect();
        v.sort_by_key(|d| std::cmp::Reverse(date_key(d)));
        v
    }
}

/// Folded words (three letters or more) and the number of dossiers holding each.
fn surface_words(dossiers: &[Arc<Dossier>]) -> HashMap<String, u32> {
    let mut out: HashMap<String, u32> = HashMap::new();
    for d in dossiers {
        for w in &d.words.surface {
            match out.get_mut(w.as_str()) {
                Some(n) => *n += 1,
                None => {
                    out.insert(w.clone(), 1);
                }
            }
        }
    }
    out
}

/// Every synonym group (vocabulary, plus each playbook's title and `synoniemen`),
/// as folded member → the other members.
fn synonym_map(vocab: &Vocabulary, playbooks: &[Playbook]) -> HashMap<String, Vec<String>> {
    let mut groups: Vec<Vec<String>> = vocab
        .synoniemen
        .iter()
        .map(|g| g.iter().map(|w| crate::text::fold(w)).collect())
        .collect();
    for p in playbooks {
        if p.meta.synoniemen.is_empty() {
            continue;
        }
        let mut g = vec![crate::text::fold(&p.meta.titel)];
        g.extend(p.meta.synoniemen.iter().map(|w| crate::text::fold(w)));
        groups.push(g);
    }
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for g in groups {
        for w in &g {
            let others = out.entry(w.clone()).or_default();
            for o in &g {
                if o != w && !others.contains(o) {
                    others.push(o.clone());
                }
            }
        }
    }
    out
}

/// The date a dossier sorts by: its last change, else its start.
pub fn date_key(d: &Dossier) -> u32 {
    d.updated.or(d.meta.eind).or(d.meta.start).map_or(0, |p| p.sort_key())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Toegang::*;

    #[test]
    fn access_rules_of_the_content_model() {
        let limburg = Audience::signed_in(&["limburg".into()]);
        let cases = [
            (Audience::Public, Openbaar, true),
            (Audience::Public, Netwerk, false),
            (Audience::Public, Regio, false),
            (Audience::Network, Netwerk, true),
            (Audience::Network, Regio, false),
            (limburg.clone(), Regio, true),
            (Audience::Liec, Regio, true),
        ];
        for (a, t, want) in cases {
            assert_eq!(a.may_see(t, Some("limburg")), want, "{a:?} {t:?}");
        }
        assert!(!limburg.may_see(Regio, Some("rotterdam")));
        assert!(!limburg.may_see(Regio, None), "regio playbooks are for LIEC readers only");
        assert_eq!(Audience::signed_in(&["liec".into(), "limburg".into()]), Audience::Liec);
        assert_eq!(Audience::signed_in(&[]), Audience::Network);
        assert_eq!(Audience::signed_in(&["b".into(), "a".into(), "b".into()]).key(), "regio-a+b");
    }
}

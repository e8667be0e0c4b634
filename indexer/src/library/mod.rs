//! One audience's view of the catalog: only the documents that audience may
//! see, with collections, related links and term statistics of those
//! documents alone (the sums over the access partitions it may see), so
//! nothing restricted can leak through them.

pub mod facets;
pub mod keyterms;
pub mod saved;
mod stats;
mod suggest;

use crate::access::Audience;
use crate::catalog::Catalog;
use crate::library::facets::FacetTable;
use crate::model::vocab::Vocabulary;
use crate::model::*;
pub use stats::{Counts, Source, WordStats, Words};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// One dossier's key terms, once computed.
type KeyTermCell = OnceLock<Arc<Vec<(String, f32)>>>;

/// What `audience` may see in `catalog`, one bit per catalog position (its
/// dossiers, then playbooks, then collections), and whether it may see
/// contacts: two audiences with the same set are served by the same library
/// and index. Sets of one catalog compare.
pub fn visible_set(catalog: &Catalog, audience: &Audience) -> Vec<u64> {
    let flags = (catalog
        .dossiers
        .iter()
        .map(|d| audience.may_see(d.meta.toegang, Some(&d.meta.regio))))
    .chain(catalog.playbooks.iter().map(|p| audience.may_see(p.meta.toegang, None)))
    .chain(catalog.collections.iter().map(|c| audience.may_see(c.meta.toegang, None)));
    let total = catalog.dossiers.len() + catalog.playbooks.len() + catalog.collections.len();
    let mut bits = vec![0u64; total.div_ceil(64)];
    for (i, seen) in flags.enumerate() {
        if seen {
            bits[i / 64] |= 1 << (i % 64);
        }
    }
    // The public library holds no contact: when a public dossier has one,
    // signed-in readers need a library of their own even if they see the
    // same documents.
    if catalog
        .dossiers
        .iter()
        .any(|d| d.meta.contact.is_some() && d.meta.toegang == Toegang::Openbaar)
    {
        bits.push(u64::from(audience.is_signed_in()));
    }
    bits
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
    /// Site pages and region descriptions: public, the same in every library.
    pub pages: Vec<Page>,
    pub regions: Vec<RegionPage>,
    /// Per ordinal, the dossier's key terms, computed on first use (see `keyterms`).
    keyterms: Arc<[KeyTermCell]>,
    /// How many of this audience's dossiers hold each candidate term and each
    /// folded surface word (for key terms and "Bedoelde u ...?"): the sums
    /// over the partitions it may see, shared with every other audience.
    pub words: Words,
    /// Folded word or phrase → the other members of its synonym groups (vocabulary
    /// synonyms and each visible playbook's title and `synoniemen`).
    pub synonyms: HashMap<String, Vec<String>>,
    /// Facet ids, dates and priors by ordinal, built on first use.
    facet_table: OnceLock<FacetTable>,
}

impl Library {
    /// Builds the view of `catalog` for `audience`, counting the statistics of
    /// the partitions it may see from scratch (tests and one-off uses such as
    /// `check`; a load counts every partition once for all its libraries:
    /// `with_words`).
    pub fn new(catalog: &Catalog, audience: Audience) -> Library {
        let visible: Vec<Arc<Dossier>> = (catalog.dossiers.iter())
            .filter(|d| audience.may_see(d.meta.toegang, Some(&d.meta.regio)))
            .cloned()
            .collect();
        Library::with_words(catalog, audience, &WordStats::count(&visible))
    }

    /// Builds the view of `catalog` for `audience` with the statistics of
    /// the partitions it may see, taken from `stats` (of the same catalog).
    pub fn with_words(catalog: &Catalog, audience: Audience, stats: &WordStats) -> Library {
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
                let d = Arc::make_mut(d);
                Arc::make_mut(&mut d.meta).contact = None;
                d.contact_na_inloggen = true;
            }
        }
        dossiers.sort_by(|a, b| a.id.cmp(&b.id));
        let by_id: std::collections::HashSet<&str> = catalog
            .dossiers
            .iter()
            .filter(|d| audience.may_see(d.meta.toegang, Some(&d.meta.regio)))
            .map(|d| d.id.as_str())
            .collect();
        for d in &mut dossiers {
            if d.meta.gerelateerd.iter().any(|g| !by_id.contains(g.as_str())) {
                Arc::make_mut(&mut Arc::make_mut(d).meta)
                    .gerelateerd
                    .retain(|g| by_id.contains(g.as_str()));
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
                c.meta.items.retain(|it| by_id.contains(it.id.as_str()));
                c
            })
            .collect();
        let words = stats.visible_to(&audience);
        let keyterms = (0..dossiers.len()).map(|_| OnceLock::new()).collect();
        let synonyms = synonym_map(&catalog.vocab, &playbooks);
        Library {
            audience,
            vocab: catalog.vocab.clone(),
            dossiers,
            playbooks,
            collections,
            pages: catalog.pages.clone(),
            regions: catalog.regions.clone(),
            keyterms,
            words,
            synonyms,
            facet_table: OnceLock::new(),
        }
    }

    /// Every finding `check` would report for a new dossier file (`rel`, `text`)
    /// of `source`, against what this library's reader may see: an id taken
    /// by a document they may not see is not reported (the pull request's own
    /// check, run by someone with access to the repository, reports it).
    /// `editing`: the id of the dossier this file replaces (it does not count as taken).
    pub fn check_dossier(
        &self,
        source: &crate::catalog::SourceSpec,
        rel: &str,
        text: &str,
        editing: Option<&str>,
    ) -> Vec<crate::diag::Diagnostic> {
        crate::catalog::check_dossier(&self.vocab, &self.playbooks, &self.dossiers, source, rel, text, editing)
    }

    /// The most common word of this library within edit distance 1 of `word`
    /// (2 for words of 8 letters or more), for "Bedoelde u ...?".
    pub fn suggest(&self, word: &str) -> Option<String> {
        self.words.suggest(word)
    }

    /// Where the statistics came from: the least reused of its partitions'
    /// (counted, corrected or saved).
    pub fn statistics_source(&self) -> Source {
        self.words.source()
    }

    /// The facet table of this library's dossiers (built on first use).
    pub fn facet_table(&self) -> &FacetTable {
        self.facet_table.get_or_init(|| FacetTable::new(&self.dossiers))
    }

    /// True when a key term is in at most a quarter of the library's dossiers
    /// (and in fewer than all when the library is small): worth naming as a
    /// reason two dossiers are alike.
    pub fn is_distinctive(&self, term: &str) -> bool {
        let n = self.dossiers.len() as u32;
        let df = self.words.df(term);
        df > 0 && df * 4 <= n.max(8)
    }

    /// The most characteristic words of dossier `ord`, with weights, strongest
    /// first (tf-idf over this library's dossiers; computed once, on first use).
    pub fn keyterms(&self, ord: usize) -> &[(String, f32)] {
        self.keyterms[ord].get_or_init(|| {
            Arc::new(crate::library::keyterms::of(
                &self.dossiers[ord].words,
                |t| self.words.df(t),
                self.dossiers.len(),
            ))
        })
    }

    pub fn ordinal(&self, id: &str) -> Option<usize> {
        // `dossiers` is sorted by id: no map of ids per library.
        self.dossiers.binary_search_by(|d| d.id.as_str().cmp(id)).ok()
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
        v.sort_by_key(|d| std::cmp::Reverse(d.date_key()));
        v
    }
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

    /// Everything a library takes from corrected statistics, compared with a
    /// library built from scratch.
    fn assert_same_statistics(updated: &Library, fresh: &Library) {
        let ids = |l: &Library| l.dossiers.iter().map(|d| d.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(updated), ids(fresh));
        let (df, words) = updated.words.flatten();
        assert_eq!(
            df,
            crate::library::keyterms::document_frequencies(&fresh.dossiers),
            "document frequencies"
        );
        assert_eq!((df, words), fresh.words.flatten(), "surface words");
        assert_eq!(updated.synonyms, fresh.synonyms);
        let all = crate::library::keyterms::compute(&fresh.dossiers);
        for (i, want) in all.iter().enumerate() {
            assert_eq!(updated.keyterms(i), want.as_slice(), "key terms of {}", fresh.dossiers[i].id);
            assert_eq!(fresh.keyterms(i), want.as_slice());
        }
    }

    /// Made-up words (five letters or more), some in many dossiers, most in a few.
    fn body(seed: usize, len: usize) -> String {
        const SYLLABLES: [&str; 8] = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi"];
        (0..len)
            .map(|k| {
                let n = (seed * 7 + k * k * 3 + k) % 90;
                format!("{}{}{}", SYLLABLES[n % 8], SYLLABLES[(n / 8) % 8], SYLLABLES[n / 64 + 2])
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn updated_statistics_equal_statistics_counted_from_scratch() {
        use crate::catalog::RenderCache;
        use crate::testkit::catalog;
        let themas = [("vastgoed", "Vastgoed")];
        let mut cache = RenderCache::default();
        let mut docs: Vec<(String, &str, String)> = (0..24)
            .map(|i| {
                let regio = if i % 3 == 0 { "rotterdam" } else { "limburg" };
                let toegang = ["openbaar", "openbaar", "netwerk", "regio"][i % 4];
                (format!("{regio}/d{i}"), toegang, body(i, 12 + i % 5))
            })
            .collect();
        let audiences = [
            Audience::Public,
            Audience::Network,
            Audience::signed_in(&["limburg".into()]),
            Audience::Liec,
        ];
        let refs = |docs: &[(String, &str, String)]| -> Vec<(String, String, String)> {
            docs.iter().map(|(a, b, c)| (a.clone(), b.to_string(), c.clone())).collect()
        };
        let build = |cache: &mut RenderCache, docs: &[(String, &str, String)]| {
            let owned = refs(docs);
            let r: Vec<(&str, &str, &str)> = owned.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
            catalog(cache, &themas, &r)
        };
        let cat = build(&mut cache, &docs);
        let mut stats = WordStats::count(&cat.dossiers);
        let mut corrected = 0;
        // Each step: change one body, add, delete, a new word, a mixed update.
        for step in 0..8 {
            match step {
                0 => docs[1].2.push_str(" zqnieuwwoord"),
                // Only new words: the frequencies of the others stay, the number of dossiers does not.
                1 => docs.push(("limburg/nieuw".into(), "openbaar", "zqeerste zqtweede".into())),
                2 => {
                    docs.remove(4);
                }
                3 => docs[2].2 = body(5, 9),
                4 => {
                    docs[0].2.push_str(" cannabis cannabis");
                    docs.remove(7);
                    docs.push(("rotterdam/later".into(), "regio", body(3, 20)));
                }
                5 => docs[3].1 = "openbaar",
                6 => {}
                _ => docs[5].2 = format!("{} zqnieuwwoord", body(8, 10)),
            }
            let cat = build(&mut cache, &docs);
            let updated_stats = WordStats::build(&cat.dossiers, Some(&stats), None);
            for (key, part) in &updated_stats.parts {
                let before = stats.parts.get(key);
                if step == 6 {
                    assert!(
                        before.is_some_and(|b| b.shares_counts(part)),
                        "nothing changed: {key}'s counts are kept"
                    );
                }
                corrected += usize::from(part.source() == Source::Corrected);
            }
            for audience in &audiences {
                let updated = Library::with_words(&cat, audience.clone(), &updated_stats);
                let fresh = Library::new(&cat, audience.clone());
                assert_same_statistics(&updated, &fresh);
                assert!((0..fresh.dossiers.len()).filter(|i| !fresh.keyterms(*i).is_empty()).count() > fresh.dossiers.len() / 2);
                for d in &updated.dossiers {
                    assert!(audience.may_see(d.meta.toegang, Some(&d.meta.regio)), "{audience:?} got {}", d.id);
                }
            }
            stats = updated_stats;
        }
        assert!(corrected > 0, "some partitions were corrected rather than counted");
    }

    #[test]
    fn an_audience_counts_only_the_partitions_it_may_see() {
        // A netwerk-only word is in the network's counts and suggestions, and
        // in nothing of the public's.
        use crate::catalog::RenderCache;
        let mut cache = RenderCache::default();
        let cat = crate::testkit::catalog(
            &mut cache,
            &[("vastgoed", "Vastgoed")],
            &[
                ("limburg/a", "openbaar", "vastgoed witwassen horeca"),
                ("limburg/b", "netwerk", "geheimwoord vastgoed witwassen"),
                ("limburg/c", "openbaar", "horeca havens douane"),
            ],
        );
        let stats = WordStats::count(&cat.dossiers);
        let (network, public) = (
            Library::with_words(&cat, Audience::Network, &stats),
            Library::with_words(&cat, Audience::Public, &stats),
        );
        assert_eq!((network.words.count("geheimwoord"), network.words.count("witwassen")), (1, 2));
        assert_eq!((public.words.count("geheimwoord"), public.words.count("witwassen")), (0, 1));
        assert_eq!(public.words.df("geheimwoord"), 0);
        assert_eq!(network.suggest("geheimwoort").as_deref(), Some("geheimwoord"));
        assert_eq!(public.suggest("geheimwoort"), None);
        assert_same_statistics(&public, &Library::new(&cat, Audience::Public));
        assert_same_statistics(&network, &Library::new(&cat, Audience::Network));
    }

    #[test]
    fn suggestions_are_those_of_a_scan_of_every_word() {
        let one = crate::testkit::library(&[
            ("a", "Vastgoedfraude en witwassen in de horeca; criminaliteit rond vakantieparken."),
            ("b", "Witwassen via vastgoed, horecapanden en vakantieparken; criminaliteit."),
            ("c", "Hennepteelt, drugslabs en loodsen; de horeca en huisjesmelkers."),
        ]);
        // The same over several partitions: counts summed over them.
        let mut cache = crate::catalog::RenderCache::default();
        let cat = crate::testkit::catalog(
            &mut cache,
            &[("vastgoed", "Vastgoed")],
            &[
                (
                    "limburg/a",
                    "openbaar",
                    "Vastgoedfraude en witwassen in de horeca; criminaliteit rond vakantieparken.",
                ),
                (
                    "limburg/b",
                    "netwerk",
                    "Witwassen via vastgoed, horecapanden en vakantieparken; criminaliteit.",
                ),
                (
                    "rotterdam/c",
                    "regio",
                    "Hennepteelt, drugslabs en loodsen; de horeca en huisjesmelkers.",
                ),
                (
                    "limburg/d",
                    "regio",
                    "Witwassers, horecaondernemers, crimineel vastgoed en loodsen.",
                ),
                ("limburg/e", "netwerk", "Criminelen en criminaliteit; witwassers."),
            ],
        );
        let limburg = Audience::Regions(vec!["limburg".into()]);
        for lib in [one, Library::new(&cat, Audience::Liec), Library::new(&cat, limburg)] {
            let words = lib.words.flatten().1;
            let scan = |word: &str| {
                let w = crate::text::fold(word);
                let len = w.chars().count();
                let max = if len >= 8 { 2 } else { 1 };
                words
                    .iter()
                    .filter(|(c, _)| c.chars().count().abs_diff(len) <= max && **c != w)
                    .filter_map(|(c, n)| {
                        let d = crate::text::edit_distance(&w, c);
                        (d <= max).then_some((d, std::cmp::Reverse(*n), c.clone()))
                    })
                    .min()
                    .map(|(_, _, c)| c)
            };
            for q in [
                "vastgoedfruade",
                "witwasen",
                "witwasser",
                "horec",
                "Horeca",
                "crimineliteit",
                "loodsn",
                "xyzzy",
                "de",
                "hennep",
            ] {
                assert_eq!(lib.suggest(q), scan(q), "{q} for {:?}", lib.audience);
            }
            assert_eq!(lib.suggest("witwasen").as_deref(), Some("witwassen"));
        }
    }
}

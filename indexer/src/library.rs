//! One audience's view of the catalog: only the documents that audience may
//! see, with collections, related links and term statistics computed from
//! those documents alone, so nothing restricted can leak through them.

use crate::corpus::Catalog;
use crate::model::*;
use crate::vocab::Vocabulary;
use std::collections::HashMap;

/// Who is reading. Until per-reader access lands, only the public audience
/// is served, and non-public documents are never published (fail closed).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Audience {
    /// Anyone, signed in or not.
    Public,
}

impl Audience {
    /// A stable name, used for the index folder.
    pub fn key(&self) -> String {
        match self {
            Audience::Public => "openbaar".to_string(),
        }
    }

    /// Whether this audience may see a document with `toegang`, of `regio`.
    pub fn may_see(&self, toegang: Toegang, _regio: Option<&str>) -> bool {
        match self {
            Audience::Public => toegang == Toegang::Openbaar,
        }
    }
}

/// The documents one audience may see.
#[derive(Debug, Clone)]
pub struct Library {
    pub audience: Audience,
    pub vocab: Vocabulary,
    /// Sorted by id; a dossier's position is its ordinal.
    pub dossiers: Vec<Dossier>,
    pub playbooks: Vec<Playbook>,
    pub collections: Vec<Collection>,
    /// Per dossier ordinal: its most characteristic words, with weights.
    pub keyterms: Vec<Vec<(String, f32)>>,
    by_id: HashMap<String, usize>,
}

impl Library {
    /// Builds the view of `catalog` for `audience`.
    pub fn new(catalog: &Catalog, audience: Audience) -> Library {
        let mut dossiers: Vec<Dossier> = catalog
            .dossiers
            .iter()
            .filter(|d| audience.may_see(d.meta.toegang, Some(&d.meta.regio)))
            .cloned()
            .collect();
        dossiers.sort_by(|a, b| a.id.cmp(&b.id));
        let by_id: HashMap<String, usize> = dossiers.iter().enumerate().map(|(i, d)| (d.id.clone(), i)).collect();
        for d in &mut dossiers {
            d.meta.gerelateerd.retain(|g| by_id.contains_key(g));
        }
        let playbooks = catalog
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
        let keyterms = crate::keyterms::compute(&dossiers);
        Library {
            audience,
            vocab: catalog.vocab.clone(),
            dossiers,
            playbooks,
            collections,
            keyterms,
            by_id,
        }
    }

    pub fn ordinal(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn dossier(&self, id: &str) -> Option<&Dossier> {
        self.ordinal(id).map(|i| &self.dossiers[i])
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
        let mut v: Vec<&Dossier> = self.dossiers.iter().collect();
        v.sort_by_key(|d| std::cmp::Reverse(date_key(d)));
        v
    }
}

/// The date a dossier sorts by: its last change, else its start.
pub fn date_key(d: &Dossier) -> u32 {
    d.updated.or(d.meta.eind).or(d.meta.start).map_or(0, |p| p.sort_key())
}

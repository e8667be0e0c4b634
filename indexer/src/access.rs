//! The access rule: who is reading (`Audience`) and which documents that
//! audience may see (`Audience::may_see`, content model section 5). Every cut
//! of the catalog, every partition choice and every alert goes through it.

use crate::model::Toegang;
use crate::model::vocab::Vocabulary;

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

    /// The same audience with former region slugs read as the regions they
    /// merged into (a reader of `oost-brabant` reads `zeeland-brabant`).
    pub fn canonical(&self, vocab: &Vocabulary) -> Audience {
        match self {
            Audience::Regions(rs) => {
                let mut out: Vec<String> = rs.iter().map(|r| vocab.canonical_regio(r).to_string()).collect();
                out.sort();
                out.dedup();
                Audience::Regions(out)
            }
            other => other.clone(),
        }
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

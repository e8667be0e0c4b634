//! Lessons learned across all dossiers, grouped by the six challenges and
//! filterable by challenge, thema and region: the learning community's view.

use crate::error::Problem;
use crate::params;
use crate::views::{self, Card, Named};
use indexer::Library;
use serde::Serialize;

/// The filters of `/lessen`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Filter {
    pub uitdaging: Option<String>,
    pub thema: Option<String>,
    pub regio: Option<String>,
}

impl Filter {
    pub fn parse(pairs: &[(String, String)], lib: &Library) -> Result<Filter, Problem> {
        params::only(pairs, &["uitdaging", "thema", "regio", "taal"])?;
        let get = |name: &str, known: &dyn Fn(&str) -> bool| -> Result<Option<String>, Problem> {
            match params::single(pairs, name)? {
                None | Some("") => Ok(None),
                Some(v) if known(v) => Ok(Some(v.to_string())),
                Some(v) => Err(Problem::BadRequest(format!("onbekende waarde `{v}` voor `{name}`"))),
            }
        };
        Ok(Filter {
            uitdaging: get("uitdaging", &|v| lib.vocab.uitdagingen.contains(v))?,
            thema: get("thema", &|v| lib.playbook(v).is_some())?,
            regio: get("regio", &|v| lib.vocab.knows_regio(v))?.map(|r| lib.vocab.canonical_regio(&r).to_string()),
        })
    }
}

/// One lesson with the dossier it comes from.
#[derive(Debug, Clone, Serialize)]
pub struct Lesson {
    pub les: String,
    pub dossier: Card,
}

/// The lessons of one challenge.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub uitdaging: Named,
    pub lessen: Vec<Lesson>,
}

/// Every lesson matching `filter`, grouped by challenge in vocabulary order.
/// Lessons are read from each dossier's details (out of memory) once.
pub fn grouped(lib: &Library, filter: &Filter) -> Vec<Group> {
    let challenges: Vec<&String> = (lib.vocab.uitdagingen.0.iter())
        .map(|(slug, _)| slug)
        .filter(|slug| filter.uitdaging.as_ref().is_none_or(|u| u == *slug))
        .collect();
    let mut found: Vec<Vec<Lesson>> = vec![Vec::new(); challenges.len()];
    let dossiers = (lib.dossiers.iter())
        .filter(|d| d.meta.details.lessons() > 0)
        .filter(|d| filter.thema.as_ref().is_none_or(|t| d.meta.themas.contains(t)))
        .filter(|d| filter.regio.as_ref().is_none_or(|r| &d.meta.regio == r));
    for d in dossiers {
        let details = d.meta.details();
        let mut card = None;
        for l in details.lessen {
            if let Some(i) = challenges.iter().position(|c| **c == l.uitdaging) {
                let dossier = (card.get_or_insert_with(|| views::card_with(lib, d, details.samenvatting.clone()))).clone();
                found[i].push(Lesson { les: l.les, dossier });
            }
        }
    }
    challenges
        .into_iter()
        .zip(found)
        .map(|(slug, lessen)| Group {
            uitdaging: Named {
                slug: slug.clone(),
                naam: views::label(&lib.vocab.uitdagingen, slug).to_string(),
                url: format!("/lessen?uitdaging={slug}"),
            },
            lessen,
        })
        .collect()
}

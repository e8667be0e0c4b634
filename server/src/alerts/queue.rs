//! From content loads to queued items: which dossiers are new or substantially
//! changed since the mailer last looked (a new id, or a `bijgewerkt` date that
//! moved: authors set it for a change worth telling), and which subscriptions
//! they match for the audience each subscriber has now.

use crate::alerts::{Alerts, Follows, KNOWN, META, QUEUE, Queued, SUBSCRIPTIONS, Subscription, audience_now, now};
use anyhow::Result;
use indexer::Loaded;
use redb::{ReadableDatabase, ReadableTable};
use std::collections::HashMap;

/// One dossier that changed, and how.
struct Event {
    id: String,
    soort: &'static str,
}

/// Queues the items of `loaded` for every subscription; returns how many
/// were queued. Blocking (searches and redb): run it off the async workers.
/// The first look at a catalog only records what exists: a new mailer does not
/// announce the whole knowledge base.
pub(crate) fn queue(alerts: &Alerts, loaded: &Loaded, auth: &crate::auth::Auth) -> Result<usize> {
    let current: HashMap<&str, String> = loaded
        .dossier_dates()
        .map(|(id, bijgewerkt)| (id, bijgewerkt.map(|b| b.to_string()).unwrap_or_default()))
        .collect();
    let (stored, seen) = {
        let txn = alerts.db.begin_read()?;
        let mut known: HashMap<String, String> = HashMap::new();
        // A read error stops here: a partial list would announce known dossiers as new.
        for entry in txn.open_table(KNOWN)?.iter()? {
            let (k, v) = entry?;
            known.insert(k.value().to_string(), v.value().to_string());
        }
        let seen = txn.open_table(META)?.get("gezien")?.is_some();
        (known, seen)
    };
    // A dossier whose region merged into another keeps its place: not new.
    let vocab = loaded.vocab();
    let known: HashMap<String, &String> = stored.iter().map(|(id, date)| (vocab.canonical_id(id), date)).collect();
    let mut events: Vec<Event> = Vec::new();
    if seen {
        for (id, date) in &current {
            match known.get(*id) {
                None => events.push(Event {
                    id: id.to_string(),
                    soort: "nieuw",
                }),
                Some(before) if *before != date && !date.is_empty() => events.push(Event {
                    id: id.to_string(),
                    soort: "bijgewerkt",
                }),
                Some(_) => {}
            }
        }
        events.sort_by(|a, b| a.id.cmp(&b.id));
    }
    let gone: Vec<&String> = stored.keys().filter(|k| !current.contains_key(k.as_str())).collect();
    let changed: Vec<(&str, &String)> = current
        .iter()
        .filter(|(id, date)| stored.get(**id) != Some(*date))
        .map(|(id, date)| (*id, date))
        .collect();
    let mut items: Vec<(String, Queued)> = Vec::new();
    if !events.is_empty() {
        for sub in alerts.all()? {
            for (id, soort) in matches(&sub, &events, loaded, auth) {
                items.push((
                    format!("{}/{id}", sub.id),
                    Queued {
                        dossier: id,
                        soort: soort.to_string(),
                        sinds: now(),
                    },
                ));
            }
        }
    }
    if gone.is_empty() && changed.is_empty() && items.is_empty() && seen {
        return Ok(0);
    }
    let txn = alerts.db.begin_write()?;
    let mut queued = 0;
    {
        let mut k = txn.open_table(KNOWN)?;
        for id in gone {
            k.remove(id.as_str())?;
        }
        for (id, date) in changed {
            k.insert(id, date.as_str())?;
        }
        txn.open_table(META)?.insert("gezien", "1")?;
        let mut q = txn.open_table(QUEUE)?;
        // A subscription deleted meanwhile gets nothing queued.
        let subs = txn.open_table(SUBSCRIPTIONS)?;
        for (key, item) in items {
            let sub = key.split('/').next().unwrap_or_default();
            // Already queued (new, now also changed): it stays as it was.
            if subs.get(sub)?.is_none() || q.get(key.as_str())?.is_some() {
                continue;
            }
            q.insert(key.as_str(), serde_json::to_string(&item)?.as_str())?;
            queued += 1;
        }
    }
    txn.commit()?;
    Ok(queued)
}

/// The events that `sub` follows and its subscriber may see now.
fn matches(sub: &Subscription, events: &[Event], loaded: &Loaded, auth: &crate::auth::Auth) -> Vec<(String, &'static str)> {
    let Some(audience) = audience_now(sub, auth) else {
        return Vec::new();
    };
    let shelf = match loaded.shelf(&audience) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "alerts: cannot open a shelf");
            return Vec::new();
        }
    };
    let lib = &shelf.library;
    // Only what this audience may see is on its shelf.
    let visible: Vec<(usize, &Event)> = events.iter().filter_map(|e| Some((lib.ordinal(&e.id)?, e))).collect();
    if visible.is_empty() {
        return Vec::new();
    }
    let ords: Vec<usize> = visible.iter().map(|(o, _)| *o).collect();
    let found: Vec<usize> = match &sub.volgt {
        Follows::Zoekopdracht(qs) => {
            let req = crate::params::pairs(Some(qs)).and_then(|pairs| crate::params::search(&pairs, lib, &[]));
            match req {
                Ok(req) => shelf.index.matching(lib, &req, &ords).unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "alerts: a search failed");
                    Vec::new()
                }),
                // The vocabulary changed under it (a thema was removed): nothing matches.
                Err(_) => Vec::new(),
            }
        }
        Follows::Collectie(slug) => match lib.collection(slug) {
            Some(c) => ords
                .iter()
                .copied()
                .filter(|o| c.meta.items.iter().any(|i| i.id == lib.dossiers[*o].id))
                .collect(),
            None => Vec::new(),
        },
    };
    visible
        .into_iter()
        .filter(|(o, _)| found.contains(o))
        .map(|(_, e)| (e.id.clone(), e.soort))
        .collect()
}

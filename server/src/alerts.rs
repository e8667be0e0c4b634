//! Email alerts: a signed-in reader follows a search (a thema and a region are
//! searches with a filter) or a collection; the mailer — the one replica with
//! `[mail] mailer = true` — queues the new and substantially changed dossiers
//! that match (`queue.rs`), applies the access rule again when it builds each
//! mail, and sends through SMTP (`mailer.rs`, beside this module). Subscriptions, the queue and
//! the dossiers seen live in the server's store (`store.rs`); every change is
//! one redb transaction, so a crash leaves the state before or after it.
//! `handlers/alerts.rs` holds the pages and the API.

pub(crate) mod queue;

use anyhow::{Context, Result, bail};
use indexer::Audience;
use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Subscription id → subscription (JSON).
const SUBSCRIPTIONS: TableDefinition<&str, &str> = TableDefinition::new("abonnementen");
/// Unsubscribe key → subscription id.
const KEYS: TableDefinition<&str, &str> = TableDefinition::new("afmeldsleutels");
/// `{subscription id}/{dossier id}` → queued item (JSON).
const QUEUE: TableDefinition<&str, &str> = TableDefinition::new("wachtrij");
/// Dossier id → its `bijgewerkt` date as the mailer last saw it ("" for none).
const KNOWN: TableDefinition<&str, &str> = TableDefinition::new("bekende_dossiers");
/// Small facts: `gezien` = the catalog was seen once (so a first start queues nothing).
const META: TableDefinition<&str, &str> = TableDefinition::new("meldingen_meta");

/// At most this many subscriptions per address.
pub const MAX_PER_ADDRESS: usize = 50;
/// A proxy reader's groups count for restricted dossiers this long after they
/// were last seen on a request; after that the reader gets openbaar dossiers
/// only, until they visit the site again (someone who left cannot sign in to
/// refresh them, and the proxy cannot be asked).
pub const GROUPS_VALID_SECS: i64 = 14 * 24 * 3600;
/// A proxy reader's groups are written again at most this often when unchanged.
const CONFIRM_EVERY_SECS: i64 = 3600;

/// How often a subscription is mailed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    /// At the mailer's next run after the content changed.
    Direct,
    /// At most once a day.
    Dagelijks,
    /// At most once a week.
    Wekelijks,
}

impl Frequency {
    pub fn parse(s: &str) -> Option<Frequency> {
        match s {
            "direct" => Some(Frequency::Direct),
            "dagelijks" => Some(Frequency::Dagelijks),
            "wekelijks" => Some(Frequency::Wekelijks),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Direct => "direct",
            Frequency::Dagelijks => "dagelijks",
            Frequency::Wekelijks => "wekelijks",
        }
    }

    /// Seconds that must pass between two mails.
    pub(crate) fn period(self) -> i64 {
        match self {
            Frequency::Direct => 0,
            Frequency::Dagelijks => 24 * 3600,
            Frequency::Wekelijks => 7 * 24 * 3600,
        }
    }
}

/// What a subscription follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "soort", content = "waarde")]
pub enum Follows {
    /// A search: its query string (`q`, filters), as on `/zoeken`.
    Zoekopdracht(String),
    /// A collection, by slug.
    Collectie(String),
}

/// One subscription, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    pub id: String,
    pub email: String,
    /// Token name or proxy user.
    pub naam: String,
    /// Signed in with a token (its current configuration decides access).
    pub token: bool,
    /// A proxy reader's groups when last seen, and when that was (unix seconds).
    pub groepen: Vec<String>,
    pub bevestigd: i64,
    pub volgt: Follows,
    /// What it follows, in words, for the list and the mail.
    pub titel: String,
    pub frequentie: Frequency,
    /// `nl` or `en`.
    pub taal: String,
    /// The secret of the one-click unsubscribe link.
    pub sleutel: String,
    pub aangemaakt: i64,
    /// When the last mail was sent (unix seconds).
    pub verstuurd: Option<i64>,
}

/// A queued dossier for a subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Queued {
    pub dossier: String,
    /// `nieuw` or `bijgewerkt`.
    pub soort: String,
    pub sinds: i64,
}

/// Now, in unix seconds.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A random hex string of `bytes` bytes from the operating system.
fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(hex::encode(buf))
}

/// The subscriptions and the queue, in the server's store.
pub struct Alerts {
    db: Arc<redb::Database>,
    /// Proxy readers' addresses → (groups, when written), to write them at most hourly.
    confirmed: std::sync::Mutex<std::collections::HashMap<String, (Vec<String>, i64)>>,
}

/// Who owns a subscription: an address, and a token name for API clients.
/// A token configured with a person's address does not reach that person's
/// own subscriptions, nor they the token's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub email: String,
    pub token: Option<String>,
}

impl Owner {
    /// The owner for a signed-in reader with an address.
    pub fn of(reader: &crate::auth::Reader) -> Option<Owner> {
        let email = reader.email.clone()?;
        let name = reader.name.clone()?;
        Some(Owner {
            email,
            token: reader.token.then_some(name),
        })
    }

    fn owns(&self, s: &Subscription) -> bool {
        s.email == self.email && s.token == self.token.is_some() && (!s.token || Some(&s.naam) == self.token.as_ref())
    }
}

/// A single plain address (`naam@domein`), as a mail's `To:` needs it.
pub fn valid_address(email: &str) -> bool {
    !email.contains(['<', '>', ',', ' ', '"', '\r', '\n']) && email.parse::<lettre::Address>().is_ok()
}

/// What a reader asks to follow.
pub struct Request {
    pub volgt: Follows,
    pub titel: String,
    pub frequentie: Frequency,
    pub taal: String,
}

impl Alerts {
    /// The alerts in `db`, its tables created if they do not exist yet.
    pub fn new(db: Arc<redb::Database>) -> Result<Alerts> {
        let txn = db.begin_write()?;
        txn.open_table(SUBSCRIPTIONS)?;
        txn.open_table(KEYS)?;
        txn.open_table(QUEUE)?;
        txn.open_table(KNOWN)?;
        txn.open_table(META)?;
        txn.commit()?;
        Ok(Alerts {
            db,
            confirmed: Default::default(),
        })
    }

    /// Stores a new subscription for `reader` (who must have an address).
    pub fn subscribe(&self, reader: &crate::auth::Reader, req: Request) -> Result<Subscription> {
        let (Some(email), Some(naam)) = (&reader.email, &reader.name) else {
            bail!("no address for this reader");
        };
        if !valid_address(email) {
            bail!(BadAddress);
        }
        let owner = Owner::of(reader).expect("an address and a name");
        let t = now();
        let sub = Subscription {
            id: random_hex(16)?,
            email: email.clone(),
            // A proxy reader's name is not needed: only a token's name decides access.
            naam: if reader.token { naam.clone() } else { String::new() },
            token: reader.token,
            groepen: groups_of(&reader.audience),
            bevestigd: t,
            volgt: req.volgt,
            titel: req.titel,
            frequentie: req.frequentie,
            taal: req.taal,
            sleutel: random_hex(32)?,
            aangemaakt: t,
            verstuurd: None,
        };
        let txn = self.db.begin_write()?;
        {
            let mut subs = txn.open_table(SUBSCRIPTIONS)?;
            let mut mine = Vec::new();
            for entry in subs.iter()? {
                let (_, v) = entry?;
                let other: Subscription = serde_json::from_str(v.value())?;
                if owner.owns(&other) {
                    if other.volgt == sub.volgt {
                        bail!(AlreadyFollowing);
                    }
                    mine.push(other);
                }
            }
            if mine.len() >= MAX_PER_ADDRESS {
                bail!(TooMany);
            }
            // A proxy reader's other subscriptions get today's groups too.
            for mut other in mine.into_iter().filter(|o| !o.token) {
                other.groepen = sub.groepen.clone();
                other.bevestigd = t;
                subs.insert(other.id.as_str(), serde_json::to_string(&other)?.as_str())?;
            }
            subs.insert(sub.id.as_str(), serde_json::to_string(&sub)?.as_str())?;
            txn.open_table(KEYS)?.insert(sub.sleutel.as_str(), sub.id.as_str())?;
        }
        txn.commit()?;
        if !reader.token {
            self.remember(email, sub.groepen.clone(), t);
        }
        Ok(sub)
    }

    /// Every subscription, oldest first.
    pub fn all(&self) -> Result<Vec<Subscription>> {
        let txn = self.db.begin_read()?;
        let subs = txn.open_table(SUBSCRIPTIONS)?;
        let mut out = Vec::new();
        for entry in subs.iter()? {
            let (_, v) = entry?;
            out.push(serde_json::from_str::<Subscription>(v.value()).context("a stored subscription")?);
        }
        out.sort_by(|a, b| a.aangemaakt.cmp(&b.aangemaakt).then_with(|| a.id.cmp(&b.id)));
        Ok(out)
    }

    /// The subscriptions of one owner.
    pub fn of(&self, owner: &Owner) -> Result<Vec<Subscription>> {
        Ok(self.all()?.into_iter().filter(|s| owner.owns(s)).collect())
    }

    /// Deletes a subscription of `owner`, with everything queued for it; false
    /// when the owner has no such subscription.
    pub fn delete(&self, id: &str, owner: &Owner) -> Result<bool> {
        let txn = self.db.begin_write()?;
        let found = get(&txn.open_table(SUBSCRIPTIONS)?, id)?;
        let deleted = match found {
            Some(s) if owner.owns(&s) => remove(&txn, &s)?,
            _ => false,
        };
        txn.commit()?;
        Ok(deleted)
    }

    /// Deletes the subscription whose unsubscribe key is `key` (one click, no
    /// sign-in); returns what it followed.
    pub fn unsubscribe(&self, key: &str) -> Result<Option<Subscription>> {
        let txn = self.db.begin_write()?;
        let id = txn.open_table(KEYS)?.get(key)?.map(|v| v.value().to_string());
        let found = match id {
            Some(id) => get(&txn.open_table(SUBSCRIPTIONS)?, &id)?,
            None => None,
        };
        if let Some(s) = &found {
            remove(&txn, s)?;
        }
        txn.commit()?;
        Ok(found)
    }

    /// The subscription whose unsubscribe key is `key`.
    pub fn by_key(&self, key: &str) -> Result<Option<Subscription>> {
        let txn = self.db.begin_read()?;
        let Some(id) = txn.open_table(KEYS)?.get(key)?.map(|v| v.value().to_string()) else {
            return Ok(None);
        };
        get(&txn.open_table(SUBSCRIPTIONS)?, &id)
    }

    /// Whether a proxy reader seen with these groups should have them recorded
    /// (`confirm`): when they changed, or hourly. In memory only, so it can be
    /// asked on every signed-in request.
    pub fn stale(&self, email: &str, audience: &Audience) -> bool {
        let groups = groups_of(audience);
        let memo = self.confirmed.lock().unwrap_or_else(|e| e.into_inner());
        !memo
            .get(email)
            .is_some_and(|(g, at)| *g == groups && now() - at < CONFIRM_EVERY_SECS)
    }

    /// Records a proxy reader's current groups on their subscriptions (they
    /// decide what restricted dossiers a mail may carry).
    pub fn confirm(&self, email: &str, audience: &Audience) -> Result<()> {
        let groups = groups_of(audience);
        let owner = Owner {
            email: email.to_string(),
            token: None,
        };
        let mine = self.of(&owner)?;
        if !mine.is_empty() {
            let txn = self.db.begin_write()?;
            {
                let mut subs = txn.open_table(SUBSCRIPTIONS)?;
                for mut s in mine {
                    // Only those still there: one deleted meanwhile stays deleted.
                    if subs.get(s.id.as_str())?.is_none() {
                        continue;
                    }
                    s.groepen = groups.clone();
                    s.bevestigd = now();
                    subs.insert(s.id.as_str(), serde_json::to_string(&s)?.as_str())?;
                }
            }
            txn.commit()?;
        }
        self.remember(email, groups, now());
        Ok(())
    }

    /// Notes in memory that a proxy reader's groups were recorded at `at`.
    fn remember(&self, email: &str, groups: Vec<String>, at: i64) {
        let mut memo = self.confirmed.lock().unwrap_or_else(|e| e.into_inner());
        if memo.len() > 100_000 {
            memo.clear();
        }
        memo.insert(email.to_string(), (groups, at));
    }

    /// The number of queued items.
    pub fn queued(&self) -> Result<u64> {
        let txn = self.db.begin_read()?;
        Ok(txn.open_table(QUEUE)?.len()?)
    }

    /// What is queued for one subscription.
    pub(crate) fn queued_for(&self, id: &str) -> Result<Vec<Queued>> {
        let txn = self.db.begin_read()?;
        let queue = txn.open_table(QUEUE)?;
        let prefix = format!("{id}/");
        let mut out = Vec::new();
        for entry in queue.range(prefix.as_str()..)? {
            let (k, v) = entry?;
            if !k.value().starts_with(&prefix) {
                break;
            }
            out.push(serde_json::from_str(v.value())?);
        }
        Ok(out)
    }

    /// After a mail for `id` was accepted by the SMTP server (or had nothing
    /// left to say): its items leave the queue and `mailed` (the time the mail
    /// was due) is recorded.
    pub(crate) fn sent(&self, id: &str, items: &[Queued], mailed: Option<i64>) -> Result<()> {
        let txn = self.db.begin_write()?;
        {
            let mut queue = txn.open_table(QUEUE)?;
            for q in items {
                queue.remove(format!("{id}/{}", q.dossier).as_str())?;
            }
            let mut subs = txn.open_table(SUBSCRIPTIONS)?;
            let stored = subs.get(id)?.map(|v| v.value().to_string());
            if let (Some(at), Some(stored)) = (mailed, stored) {
                let mut s: Subscription = serde_json::from_str(&stored)?;
                s.verstuurd = Some(at);
                subs.insert(id, serde_json::to_string(&s)?.as_str())?;
            }
        }
        txn.commit()?;
        Ok(())
    }
}

/// The subscription is a repeat of one the address already has.
#[derive(Debug, thiserror::Error)]
#[error("already following this")]
pub struct AlreadyFollowing;

/// The reader's address cannot receive mail as it is.
#[derive(Debug, thiserror::Error)]
#[error("not a single plain email address")]
pub struct BadAddress;

/// The address has `MAX_PER_ADDRESS` subscriptions.
#[derive(Debug, thiserror::Error)]
#[error("at most {MAX_PER_ADDRESS} subscriptions per address")]
pub struct TooMany;

/// A stored subscription by id.
fn get(subs: &impl ReadableTable<&'static str, &'static str>, id: &str) -> Result<Option<Subscription>> {
    let stored = subs.get(id)?.map(|v| v.value().to_string());
    Ok(stored.map(|v| serde_json::from_str(&v)).transpose()?)
}

/// Removes a subscription, its key and its queue; false when it was not there.
fn remove(txn: &redb::WriteTransaction, s: &Subscription) -> Result<bool> {
    if txn.open_table(SUBSCRIPTIONS)?.remove(s.id.as_str())?.is_none() {
        return Ok(false);
    }
    txn.open_table(KEYS)?.remove(s.sleutel.as_str())?;
    let mut queue = txn.open_table(QUEUE)?;
    let prefix = format!("{}/", s.id);
    let mut keys = Vec::new();
    for entry in queue.range(prefix.as_str()..)? {
        let (k, _) = entry?;
        if !k.value().starts_with(&prefix) {
            break;
        }
        keys.push(k.value().to_string());
    }
    for k in keys {
        queue.remove(k.as_str())?;
    }
    Ok(true)
}

/// The groups that `Audience::signed_in` turns back into `audience`.
fn groups_of(audience: &Audience) -> Vec<String> {
    match audience {
        Audience::Public | Audience::Network => Vec::new(),
        Audience::Regions(rs) => rs.clone(),
        Audience::Liec => vec!["liec".into()],
    }
}

/// Who a subscription's mail is for, as of now: a token's current regions (a
/// removed token gets nothing), a proxy reader's groups while recently
/// confirmed (openbaar only after `GROUPS_VALID_SECS`).
pub fn audience_now(sub: &Subscription, auth: &crate::auth::Auth) -> Option<Audience> {
    if sub.token {
        return auth.token_audience(&sub.naam, &sub.email);
    }
    if now() - sub.bevestigd > GROUPS_VALID_SECS {
        return Some(Audience::Public);
    }
    Some(Audience::signed_in(&sub.groepen))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Reader;

    fn store() -> (tempfile::TempDir, Alerts) {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::store::open(dir.path()).unwrap();
        (dir, Alerts::new(Arc::new(db)).unwrap())
    }

    fn reader(email: &str) -> Reader {
        Reader {
            name: Some("piet".into()),
            audience: Audience::Regions(vec!["limburg".into()]),
            email: Some(email.into()),
            token: false,
        }
    }

    fn owner(email: &str) -> Owner {
        Owner::of(&reader(email)).unwrap()
    }

    fn follow(q: &str) -> Request {
        Request {
            volgt: Follows::Zoekopdracht(q.into()),
            titel: q.into(),
            frequentie: Frequency::Direct,
            taal: "nl".into(),
        }
    }

    #[test]
    fn subscribes_lists_and_deletes_with_its_queue() {
        let (_d, a) = store();
        let s = a.subscribe(&reader("p@x.nl"), follow("q=panden")).unwrap();
        assert_eq!(s.groepen, vec!["limburg"]);
        assert_eq!(s.naam, "", "a proxy reader's name is not kept");
        assert_eq!(a.of(&owner("p@x.nl")).unwrap(), vec![s.clone()]);
        assert!(a.of(&owner("ander@x.nl")).unwrap().is_empty());
        // The same search twice is refused; another is fine.
        let e = a.subscribe(&reader("p@x.nl"), follow("q=panden")).unwrap_err();
        assert!(e.downcast_ref::<AlreadyFollowing>().is_some());
        let other = a.subscribe(&reader("p@x.nl"), follow("q=horeca")).unwrap();
        // Queue an item and delete: both go; someone else's id does nothing.
        {
            let txn = a.db.begin_write().unwrap();
            txn.open_table(QUEUE)
                .unwrap()
                .insert(
                    format!("{}/limburg/a", s.id).as_str(),
                    r#"{"dossier":"limburg/a","soort":"nieuw","sinds":1}"#,
                )
                .unwrap();
            txn.commit().unwrap();
        }
        assert_eq!(a.queued().unwrap(), 1);
        assert!(!a.delete(&s.id, &owner("ander@x.nl")).unwrap());
        assert!(a.delete(&s.id, &owner("p@x.nl")).unwrap());
        assert_eq!(a.queued().unwrap(), 0);
        assert_eq!(a.of(&owner("p@x.nl")).unwrap(), vec![other.clone()]);
        // One click with the key.
        assert!(a.by_key(&other.sleutel).unwrap().is_some());
        assert_eq!(a.unsubscribe(&other.sleutel).unwrap().map(|s| s.id), Some(other.id));
        assert!(a.unsubscribe(&other.sleutel).unwrap().is_none());
        assert!(a.by_key("onbekend").unwrap().is_none());
        assert!(a.all().unwrap().is_empty());
    }

    #[test]
    fn a_token_with_a_persons_address_does_not_reach_that_persons_subscriptions() {
        let (_d, a) = store();
        let person = a.subscribe(&reader("p@x.nl"), follow("q=panden")).unwrap();
        let token_reader = Reader {
            name: Some("koppeling".into()),
            audience: Audience::Network,
            email: Some("p@x.nl".into()),
            token: true,
        };
        let token = Owner::of(&token_reader).unwrap();
        assert!(a.of(&token).unwrap().is_empty());
        assert!(!a.delete(&person.id, &token).unwrap());
        // The token may follow the same search for itself.
        let mine = a.subscribe(&token_reader, follow("q=panden")).unwrap();
        assert_eq!(a.of(&token).unwrap(), vec![mine]);
        assert_eq!(a.of(&owner("p@x.nl")).unwrap(), vec![person]);
    }

    #[test]
    fn an_address_has_a_limited_number_of_subscriptions_and_must_be_plain() {
        let (_d, a) = store();
        for i in 0..MAX_PER_ADDRESS {
            a.subscribe(&reader("p@x.nl"), follow(&format!("q=w{i}"))).unwrap();
        }
        let e = a.subscribe(&reader("p@x.nl"), follow("q=meer")).unwrap_err();
        assert!(e.downcast_ref::<TooMany>().is_some());
        a.subscribe(&reader("q@x.nl"), follow("q=meer")).unwrap();
        for bad in ["geen-adres", "a@b.nl, c@d.nl", "Piet <p@x.nl>", "p@x.nl\r\nBcc: c@d.nl"] {
            let e = a.subscribe(&reader(bad), follow("q=x")).unwrap_err();
            assert!(e.downcast_ref::<BadAddress>().is_some(), "{bad}");
        }
    }

    #[test]
    fn access_is_decided_anew_for_every_mail() {
        let (_d, a) = store();
        let mut s = a.subscribe(&reader("p@x.nl"), follow("q=panden")).unwrap();
        let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"t"));
        let token = |email: &str| crate::config::TokenConfig {
            name: "koppeling".into(),
            sha256: hash.clone(),
            regions: vec!["limburg".into()],
            email: Some(email.into()),
        };
        let auth = |email: &str| {
            crate::auth::Auth::new(&crate::config::AuthConfig {
                token: vec![token(email)],
                ..Default::default()
            })
            .unwrap()
        };
        assert_eq!(audience_now(&s, &auth("p@x.nl")), Some(Audience::Regions(vec!["limburg".into()])));
        // Not seen for longer than the window: openbaar only.
        s.bevestigd -= GROUPS_VALID_SECS + 1;
        assert_eq!(audience_now(&s, &auth("p@x.nl")), Some(Audience::Public));
        // A token: its configuration now, and only while it has the same address.
        s.token = true;
        s.naam = "koppeling".into();
        assert_eq!(audience_now(&s, &auth("p@x.nl")), Some(Audience::Regions(vec!["limburg".into()])));
        assert_eq!(audience_now(&s, &auth("ander@x.nl")), None);
        s.naam = "weg".into();
        assert_eq!(audience_now(&s, &auth("p@x.nl")), None);
        // Seeing a proxy reader with other groups records them.
        assert!(
            !a.stale("p@x.nl", &Audience::Regions(vec!["limburg".into()])),
            "just recorded by subscribing"
        );
        assert!(a.stale("p@x.nl", &Audience::Network));
        a.confirm("p@x.nl", &Audience::Network).unwrap();
        assert!(!a.stale("p@x.nl", &Audience::Network));
        let s = a.of(&owner("p@x.nl")).unwrap().remove(0);
        assert!(s.groepen.is_empty());
        assert_eq!(audience_now(&s, &auth("p@x.nl")), Some(Audience::Network));
    }
}

//! The mailer task (`[mail] mailer = true`): every `interval` it queues what
//! a new content load brought (`queue.rs`) and sends the mails that are due,
//! at most `max_per_run`, through SMTP (lettre; STARTTLS or TLS, credentials
//! from `TK_SMTP_USERNAME`/`TK_SMTP_PASSWORD`). Items leave the queue only in
//! the transaction after the SMTP server accepted the mail, so a mail server
//! that is down, or a stop between queueing and sending, loses nothing; a
//! failed mail is retried with back-off (the interval, doubling, at most an
//! hour).

use crate::alerts::{Alerts, Queued, Subscription, audience_now, now, queue};
use crate::config::MailConfig;
use crate::state::AppState;
use anyhow::{Context, Result};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use minijinja::context;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Longest wait between two attempts for one subscription.
const MAX_BACKOFF_SECS: i64 = 3600;

/// The SMTP side of the alerts.
pub struct Mailer {
    alerts: Arc<Alerts>,
    config: MailConfig,
    from: Mailbox,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    /// Subscription id → (failed attempts, earliest next attempt).
    retry: Mutex<HashMap<String, (u32, i64)>>,
}

/// One dossier in a mail.
#[derive(serde::Serialize)]
struct Entry {
    titel: String,
    regio: String,
    samenvatting: String,
    url: String,
    soort: String,
}

impl Mailer {
    /// Checks the configuration (the sender's address, the SMTP relay).
    pub fn new(alerts: Arc<Alerts>, config: &MailConfig) -> Result<Mailer> {
        let from: Mailbox = config.from.parse().with_context(|| {
            format!(
                "mail.from `{}` is not an address such as `Tegenkracht <noreply@example.nl>`",
                config.from
            )
        })?;
        let port = config.smtp_port.unwrap_or(match config.tls.as_str() {
            "tls" => 465,
            "none" => 25,
            _ => 587,
        });
        let host = config.smtp_host.as_str();
        let builder = match config.tls.as_str() {
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?,
            _ => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        };
        let mut builder = builder.port(port).timeout(Some(Duration::from_secs(30)));
        if let (Ok(user), Ok(pass)) = (std::env::var("TK_SMTP_USERNAME"), std::env::var("TK_SMTP_PASSWORD")) {
            builder = builder.credentials(Credentials::new(user, pass));
        }
        Ok(Mailer {
            alerts,
            config: config.clone(),
            from,
            transport: builder.build(),
            retry: Mutex::new(HashMap::new()),
        })
    }

    /// Runs until the process stops.
    pub async fn run(self: Arc<Self>, state: AppState) {
        let mut tick = tokio::time::interval(self.config.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_generation = 0;
        loop {
            tick.tick().await;
            if let Some((generation, loaded)) = state.current()
                && generation != last_generation
            {
                let (alerts, st) = (Arc::clone(&self.alerts), state.clone());
                match tokio::task::spawn_blocking(move || queue::queue(&alerts, &loaded, &st.auth)).await {
                    Ok(Ok(n)) => {
                        last_generation = generation;
                        if n > 0 {
                            tracing::info!(queued = n, "alerts queued");
                        }
                    }
                    Ok(Err(e)) => tracing::error!(error = %format!("{e:#}"), "alerts: cannot queue (tried again next run)"),
                    Err(e) => tracing::error!(error = %e, "alerts: queueing stopped"),
                }
            }
            let (sent, failed) = match self.send_due(&state).await {
                Ok(counts) => counts,
                Err(e) => {
                    tracing::error!(error = %format!("{e:#}"), "alerts: cannot read the queue");
                    (0, 0)
                }
            };
            let alerts = Arc::clone(&self.alerts);
            let queued = tokio::task::spawn_blocking(move || alerts.queued())
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or(0);
            state.metrics.record_mail(sent, failed, queued);
        }
    }

    /// Sends every mail that is due, at most `max_per_run`; returns (sent, failed).
    /// A subscription whose mail cannot be built or is refused is retried later
    /// without holding up the others; a relay that cannot be reached ends the
    /// run (the next tries again).
    async fn send_due(&self, state: &AppState) -> Result<(u64, u64)> {
        let Some(loaded) = state.loaded() else { return Ok((0, 0)) };
        let t = now();
        let due: Vec<(Subscription, Vec<Queued>)> = {
            let alerts = Arc::clone(&self.alerts);
            let waiting: Vec<String> = {
                let retry = self.retry.lock().unwrap_or_else(|e| e.into_inner());
                retry.iter().filter(|(_, (_, next))| t < *next).map(|(id, _)| id.clone()).collect()
            };
            tokio::task::spawn_blocking(move || -> Result<_> {
                let mut out = Vec::new();
                for sub in alerts.all()? {
                    if t < due_at(&sub) || waiting.contains(&sub.id) {
                        continue;
                    }
                    let items = alerts.queued_for(&sub.id)?;
                    if !items.is_empty() {
                        out.push((sub, items));
                    }
                }
                Ok(out)
            })
            .await??
        };
        let (mut sent, mut failed, mut attempts) = (0, 0, 0);
        for (sub, items) in due {
            if attempts >= self.config.max_per_run {
                break;
            }
            let at = if sub.frequentie == crate::alerts::Frequency::Direct {
                t
            } else {
                due_at(&sub)
            };
            match self.send_one(state, &loaded, &sub, &items, at).await {
                Ok(Outcome::Sent) => {
                    attempts += 1;
                    sent += 1;
                    self.retry.lock().unwrap_or_else(|e| e.into_inner()).remove(&sub.id);
                }
                Ok(Outcome::Nothing) => {}
                Ok(Outcome::Unreachable(e)) => {
                    failed += 1;
                    tracing::warn!(error = %e, "alerts: the SMTP relay cannot be reached; trying again next run");
                    break;
                }
                Err(e) => {
                    attempts += 1;
                    failed += 1;
                    let wait = self.back_off(&sub.id, t);
                    tracing::warn!(error = %format!("{e:#}"), retry_in_s = wait, "alerts: a mail was not sent");
                }
            }
        }
        Ok((sent, failed))
    }

    /// Builds and sends one subscription's mail, then takes its items off the queue.
    async fn send_one(
        &self,
        state: &AppState,
        loaded: &Arc<indexer::Loaded>,
        sub: &Subscription,
        items: &[Queued],
        at: i64,
    ) -> Result<Outcome> {
        // The access rule again, on today's content: what is no longer visible
        // to this subscriber (or gone) is dropped, never sent.
        let entries = {
            let (loaded, sub, items, st) = (Arc::clone(loaded), sub.clone(), items.to_vec(), state.clone());
            tokio::task::spawn_blocking(move || entries(&loaded, &sub, &items, &st.auth)).await??
        };
        if entries.is_empty() {
            let (alerts, id, items) = (Arc::clone(&self.alerts), sub.id.clone(), items.to_vec());
            tokio::task::spawn_blocking(move || alerts.sent(&id, &items, None)).await??;
            return Ok(Outcome::Nothing);
        }
        let message = compose(state, &self.from, sub, items, &entries)?;
        if let Err(e) = self.transport.send(message).await {
            // Refused (a 5xx for this mail): retried later with back-off.
            // Anything else (no connection, a timeout, a 4xx): the relay's state.
            return if e.is_permanent() {
                Err(e.into())
            } else {
                Ok(Outcome::Unreachable(e))
            };
        }
        let (alerts, id, items) = (Arc::clone(&self.alerts), sub.id.clone(), items.to_vec());
        if let Err(e) = tokio::task::spawn_blocking(move || alerts.sent(&id, &items, Some(at))).await? {
            // Accepted but not recorded: wait before the same mail could go again.
            self.back_off(&sub.id, now());
            return Err(e.context("a sent mail could not be recorded"));
        }
        Ok(Outcome::Sent)
    }

    /// Records a failed attempt; returns the seconds until the next.
    fn back_off(&self, id: &str, t: i64) -> i64 {
        let mut retry = self.retry.lock().unwrap_or_else(|e| e.into_inner());
        let n = retry.get(id).map_or(0, |(n, _)| *n);
        let base = (self.config.interval.as_secs() as i64).max(1);
        let wait = (base << n.min(12)).min(MAX_BACKOFF_SECS);
        retry.insert(id.to_string(), (n + 1, t + wait));
        wait
    }
}

/// What became of one subscription's mail.
enum Outcome {
    Sent,
    /// Nothing left that the subscriber may see: the items were dropped.
    Nothing,
    /// The relay could not be reached or deferred the mail.
    Unreachable(lettre::transport::smtp::Error),
}

/// When a subscription's next mail is due: at once for `direct`, else one
/// period after the last mail was due (or after subscribing), so a daily
/// digest keeps its time of day instead of drifting.
fn due_at(sub: &Subscription) -> i64 {
    sub.verstuurd.unwrap_or(sub.aangemaakt) + sub.frequentie.period()
}

/// The queued dossiers the subscriber may see now, as mail entries.
fn entries(loaded: &indexer::Loaded, sub: &Subscription, items: &[Queued], auth: &crate::auth::Auth) -> Result<Vec<Entry>> {
    let Some(audience) = audience_now(sub, auth) else {
        return Ok(Vec::new());
    };
    let shelf = loaded.shelf(&audience)?;
    let lib = &shelf.library;
    Ok(items
        .iter()
        .filter_map(|q| {
            let d = lib.dossier(&q.dossier)?;
            Some(Entry {
                titel: d.meta.titel.clone(),
                regio: lib.vocab.regios.name_in(&d.meta.regio, &sub.taal).to_string(),
                samenvatting: d.meta.details().samenvatting,
                url: format!("/dossiers/{}", d.id),
                soort: q.soort.clone(),
            })
        })
        .collect())
}

/// The mail: plain text and simple HTML, in the subscriber's language, with
/// one-click unsubscribe (RFC 8058) and a stable Message-ID per content.
fn compose(state: &AppState, from: &Mailbox, sub: &Subscription, items: &[Queued], entries: &[Entry]) -> Result<Message> {
    let site = state.config.site_url.trim_end_matches('/');
    let afmelden = format!("{site}/abonnementen/afmelden/{}", sub.sleutel);
    let ctx = context! {
        taal => sub.taal,
        site => site,
        titel => sub.titel,
        items => entries,
        frequentie => sub.frequentie.as_str(),
        beheer => format!("{site}/abonnementen"),
        afmelden => afmelden,
    };
    let text = state.templates.get_template("mail/melding.txt")?.render(&ctx)?;
    let html = state.templates.get_template("mail/melding.html")?.render(&ctx)?;
    let subject = if sub.taal == "en" {
        format!("Tegenkracht: {} new or updated for “{}”", entries.len(), sub.titel)
    } else {
        format!("Tegenkracht: {} nieuw of bijgewerkt voor ‘{}’", entries.len(), sub.titel)
    };
    // The same queued items give the same id: a mail sent again after a crash
    // between the SMTP server's acceptance and our commit can be recognised.
    let digest = {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(sub.id.as_bytes());
        for q in items {
            h.update(q.dossier.as_bytes());
            h.update(q.sinds.to_le_bytes());
        }
        hex::encode(&h.finalize()[..16])
    };
    let domain = from.email.domain().to_string();
    let to: Mailbox = sub.email.parse().with_context(|| format!("stored address `{}`", sub.email))?;
    Ok(Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .message_id(Some(format!("<{digest}@{domain}>")))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{afmelden}>"),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".into(),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".into(),
        ))
        .multipart(MultiPart::alternative_plain_html(text, html))?)
}

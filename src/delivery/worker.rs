//! The worker: claims due outbox rows, delivers each through its channel with
//! no transaction open, then records the outcome (and the letter's new state)
//! in one transaction. Runs inside `serve` or alone as `konvert worker`.

use std::collections::HashMap;
use std::time::Duration;

use chrono::TimeDelta;

use super::email::{self, LetterMail};
use super::gateway::{Gateway, LetterService, Submission};
use super::{Accepted, Failure, RetryPolicy};
use crate::dashboard::dates::LeadTimes;
use crate::db::deliveries::{self, Delivery};
use crate::db::facilities::{self, Facility, Service};
use crate::db::letters::{self, Channel, Letter, LetterStatus};
use crate::db::prisoners::{self, Prisoner};
use crate::db::{self, placements, Db, DbError};
use crate::mail::Mailer;
use crate::reminders::{scan, send};
use crate::templates::Templates;

pub struct Worker {
    db: Db,
    id: String,
    policy: RetryPolicy,
    gateways: HashMap<Channel, std::sync::Arc<dyn LetterService>>,
    /// Sends letters to facilities that take e-mail, with the sender address.
    mailer: Option<(Mailer, String)>,
    /// A claim older than this is taken to belong to a dead worker.
    lease: TimeDelta,
    batch: i64,
    reminders: Option<Reminders>,
}

/// What the worker needs to scan for and send reminder e-mails. These go
/// over SMTP when it is set up, else into the outbox folder.
pub struct Reminders {
    pub mailer: Mailer,
    pub templates: std::sync::Arc<Templates>,
    pub from: String,
    pub base_url: String,
    pub lead: LeadTimes,
}

/// How often the worker looks for reminders that have come due.
pub const REMINDER_SCAN_EVERY: Duration = Duration::from_secs(300);

/// What the worker needs to know to send one letter.
struct Parcel {
    letter: Letter,
    prisoner: Prisoner,
    facility: Option<Facility>,
    service_id: Option<String>,
}

enum Action {
    Delivered(Accepted),
    Failed(Failure),
    Manual,
    /// Not sent: the letter waits for a new address.
    Hold,
    /// Not sent, because it is no longer wanted.
    Cancelled(&'static str),
}

impl Worker {
    pub fn new(db: Db, id: impl Into<String>) -> Worker {
        Worker {
            db,
            id: id.into(),
            policy: RetryPolicy::default(),
            gateways: HashMap::new(),
            mailer: None,
            lease: TimeDelta::minutes(10),
            batch: 20,
            reminders: None,
        }
    }

    /// The worker as the settings describe it: gateways where URLs are set,
    /// e-mail letters over SMTP when SMTP is set (otherwise they wait for a
    /// coordinator, rather than being "sent" into the outbox folder).
    pub fn from_settings(db: Db, settings: &crate::config::Settings) -> anyhow::Result<Worker> {
        let id = format!(
            "{}-{}",
            std::env::var("HOSTNAME").unwrap_or_else(|_| "konvert".to_owned()),
            std::process::id()
        );
        let lease = i64::try_from(settings.delivery_lease_secs).unwrap_or(i64::MAX);
        let mut worker = Worker::new(db, id)
            .with_policy(RetryPolicy {
                max_attempts: settings.delivery_max_attempts,
                ..RetryPolicy::default()
            })
            .with_lease(TimeDelta::try_seconds(lease).unwrap_or(TimeDelta::MAX));
        let timeout = Duration::from_secs(30);
        for (channel, url) in [
            (Channel::FsinPismo, &settings.fsin_gateway_url),
            (Channel::Zonatelecom, &settings.zt_gateway_url),
        ] {
            if let Some(url) = url {
                let gateway = Gateway::new(url, timeout)
                    .map_err(|e| anyhow::anyhow!("gateway client: {e}"))?;
                worker = worker.with_gateway(channel, gateway);
            }
        }
        if settings.smtp_url.is_some() {
            worker =
                worker.with_mailer(Mailer::from_settings(settings)?, settings.mail_from.clone());
        }
        Ok(worker.with_reminders(Reminders {
            mailer: Mailer::from_settings(settings)?,
            templates: std::sync::Arc::new(Templates::load()?),
            from: settings.mail_from.clone(),
            base_url: settings.base_url.clone(),
            lead: settings.lead_times,
        }))
    }

    /// Scans for due reminders and sends them.
    pub fn with_reminders(mut self, reminders: Reminders) -> Worker {
        self.reminders = Some(reminders);
        self
    }

    /// Enqueues the reminders due now; returns how many.
    pub async fn scan_reminders(&self) -> Result<usize, DbError> {
        let Some(reminders) = &self.reminders else {
            return Ok(0);
        };
        let lead = reminders.lead;
        self.db
            .run(move |conn| scan::run(conn, db::now(), lead))
            .await
    }

    pub fn with_policy(mut self, policy: RetryPolicy) -> Worker {
        self.policy = policy;
        self
    }

    pub fn with_lease(mut self, lease: TimeDelta) -> Worker {
        self.lease = lease;
        self
    }

    /// Sends `channel`'s letters through an HTTP gateway instead of leaving
    /// them for a coordinator's send screen.
    pub fn with_gateway(self, channel: Channel, gateway: Gateway) -> Worker {
        self.with_service(channel, gateway)
    }

    /// Sends `channel`'s letters through `service` (a gateway, or a stand-in).
    pub fn with_service(
        mut self,
        channel: Channel,
        service: impl LetterService + 'static,
    ) -> Worker {
        self.gateways.insert(channel, std::sync::Arc::new(service));
        self
    }

    /// Sends e-mail-channel letters with `mailer`, from `from`.
    pub fn with_mailer(mut self, mailer: Mailer, from: impl Into<String>) -> Worker {
        self.mailer = Some((mailer, from.into()));
        self
    }

    /// Claims and processes one batch; returns how many rows it handled.
    pub async fn run_once(&self) -> Result<usize, DbError> {
        let worker = self.id.clone();
        let lease = self.lease;
        let batch = self.batch;
        let claimed = self
            .db
            .run(move |conn| {
                let now = db::now();
                deliveries::release_stale_claims(conn, now - lease, now)?;
                Ok::<_, DbError>(deliveries::claim_due(conn, &worker, now, batch)?)
            })
            .await?;
        let count = claimed.len();
        for delivery in claimed {
            self.process(delivery).await?;
        }
        Ok(count)
    }

    /// Runs until `stop` resolves, sleeping `idle` when there is nothing due.
    /// `stop` is looked at between batches.
    pub async fn run(self, idle: Duration, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        let mut last_scan: Option<std::time::Instant> = None;
        loop {
            // Stopping waits for the batch in hand: a delivery is never cut
            // off between the service's answer and recording it.
            tokio::select! {
                biased;
                _ = &mut stop => return,
                _ = std::future::ready(()) => {}
            }
            if last_scan.is_none_or(|at| at.elapsed() >= REMINDER_SCAN_EVERY) {
                last_scan = Some(std::time::Instant::now());
                match self.scan_reminders().await {
                    Ok(n) if n > 0 => tracing::info!(enqueued = n, "reminders enqueued"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "reminder scan failed"),
                }
            }
            let handled = match self.run_once().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "delivery worker could not reach the database");
                    0
                }
            };
            if handled > 0 {
                continue;
            }
            tokio::select! {
                _ = &mut stop => return,
                _ = tokio::time::sleep(idle) => {}
            }
        }
    }

    async fn process(&self, delivery: Delivery) -> Result<(), DbError> {
        let action = match delivery.letter_id {
            None => {
                let reminder = self.send_reminder(&delivery);
                match catch_panic(reminder).await {
                    Ok(action) => action?,
                    Err(()) => panicked(&delivery),
                }
            }
            Some(letter_id) => {
                let parcel = self
                    .db
                    .run(move |conn| load_parcel(conn, letter_id))
                    .await?;
                match parcel {
                    // Only a letter still queued goes out: one rejected,
                    // withdrawn or already sent since it was queued does not.
                    Some(parcel) if parcel.letter.status == LetterStatus::Queued => {
                        match catch_panic(self.deliver(&delivery, &parcel)).await {
                            Ok(action) => action,
                            Err(()) => panicked(&delivery),
                        }
                    }
                    Some(parcel) if parcel.letter.status == LetterStatus::Held => Action::Hold,
                    Some(_) => Action::Cancelled("the letter is no longer queued"),
                    None => {
                        Action::Failed(Failure::Permanent("the letter no longer exists".to_owned()))
                    }
                }
            }
        };
        let worker = self.id.clone();
        let policy = self.policy;
        self.db
            .run(move |conn| record(conn, &worker, &delivery, action, policy))
            .await
    }

    /// A reminder e-mail: read what it says now, then send it with no
    /// transaction open.
    async fn send_reminder(&self, delivery: &Delivery) -> Result<Action, DbError> {
        let Some(reminders) = &self.reminders else {
            return Ok(Action::Failed(Failure::Temporary(
                "this worker does not send reminders".to_owned(),
            )));
        };
        if delivery.channel != scan::CHANNEL {
            return Ok(Action::Failed(Failure::Permanent(format!(
                "unknown outbox channel {:?}",
                delivery.channel
            ))));
        }
        let id = delivery.id;
        let base_url = reminders.base_url.clone();
        let lead = reminders.lead;
        let prepared = self
            .db
            .run(move |conn| {
                let Some(note) = crate::db::notifications::for_delivery(conn, id)? else {
                    return Ok::<_, DbError>(None);
                };
                send::prepare(conn, &note, &base_url, lead, db::now())
            })
            .await?;
        let Some(prepared) = prepared else {
            return Ok(Action::Cancelled("no longer wanted"));
        };
        let message = match send::message(
            &reminders.templates,
            &reminders.from,
            &delivery.idempotency_key,
            &prepared,
        ) {
            Ok(m) => m,
            Err(e) => return Ok(Action::Failed(Failure::Permanent(e.to_string()))),
        };
        Ok(match reminders.mailer.send(message).await {
            Ok(()) => Action::Delivered(Accepted::default()),
            Err(e) => Action::Failed(Failure::Temporary(e.to_string())),
        })
    }

    async fn deliver(&self, delivery: &Delivery, parcel: &Parcel) -> Action {
        let channel = parcel.letter.channel;
        match channel {
            Channel::FsinPismo | Channel::Zonatelecom => match self.gateways.get(&channel) {
                Some(gateway) => match submission(delivery, parcel) {
                    Ok(s) => match gateway.submit(&s).await {
                        Ok(accepted) => Action::Delivered(accepted),
                        Err(failure) => Action::Failed(failure),
                    },
                    Err(failure) => Action::Failed(failure),
                },
                None => Action::Manual,
            },
            Channel::Email => {
                match (&self.mailer, parcel.service_id.as_deref(), &parcel.facility) {
                    (Some((mailer, from)), Some(to), Some(facility)) => {
                        let recipient = recipient_line(&parcel.prisoner);
                        let mail = LetterMail {
                            idempotency_key: &delivery.idempotency_key,
                            to,
                            from,
                            recipient: &recipient,
                            facility: &facility.name,
                            body: &parcel.letter.body,
                            reply_code: parcel.letter.reply_code.as_deref(),
                            sender_name: parcel.letter.pen_name.as_deref(),
                        };
                        match email::send(mailer, &mail).await {
                            Ok(()) => Action::Delivered(Accepted::default()),
                            Err(failure) => Action::Failed(failure),
                        }
                    }
                    (Some(_), None, _) => Action::Failed(Failure::Permanent(
                        "the facility has no e-mail address for letters".to_owned(),
                    )),
                    (Some(_), _, None) => Action::Failed(Failure::Temporary(
                        "the prisoner has no known facility".to_owned(),
                    )),
                    (None, _, _) => Action::Manual,
                }
            }
            // Paper is printed and posted by a coordinator.
            Channel::Post => Action::Manual,
        }
    }
}

/// "Горинов Алексей Алексеевич, 1961 г.р.": full name and birth year.
fn recipient_line(prisoner: &Prisoner) -> String {
    match prisoner.birth_year {
        Some(year) => format!("{}, {year} г.р.", prisoner.full_name()),
        None => prisoner.full_name(),
    }
}

fn submission(delivery: &Delivery, parcel: &Parcel) -> Result<Submission, Failure> {
    let facility = parcel
        .facility
        .as_ref()
        .ok_or_else(|| Failure::Temporary("the prisoner has no known facility".to_owned()))?;
    Ok(Submission {
        idempotency_key: delivery.idempotency_key.clone(),
        service: parcel.letter.channel.to_string(),
        region: facility.region.clone(),
        facility: facility.name.clone(),
        facility_id: parcel.service_id.clone(),
        full_name: parcel.prisoner.full_name(),
        birth_year: parcel.prisoner.birth_year,
        pages: crate::letters::split_pages(&parcel.letter.printed().text()),
        reply_blank: parcel.letter.reply_blank,
        reply_code: parcel.letter.reply_code.clone(),
        sender_name: parcel.letter.pen_name.clone(),
    })
}

fn load_parcel(conn: &mut db::DbConn, letter_id: i64) -> Result<Option<Parcel>, DbError> {
    let Some(letter) = letters::find(conn, letter_id)? else {
        return Ok(None);
    };
    let Some(prisoner) = prisoners::find(conn, letter.prisoner_id)? else {
        return Ok(None);
    };
    let facility = match placements::current(conn, prisoner.id)?.and_then(|p| p.facility_id) {
        Some(id) => facilities::find(conn, id)?,
        None => None,
    };
    let service = match letter.channel {
        Channel::FsinPismo => Some(Service::FsinPismo),
        Channel::Zonatelecom => Some(Service::Zonatelecom),
        Channel::Email => Some(Service::Email),
        Channel::Post => None,
    };
    let service_id = match (&facility, service) {
        (Some(f), Some(service)) => facilities::services(conn, f.id)?
            .into_iter()
            .find(|s| s.service == service)
            .and_then(|s| s.external_id),
        _ => None,
    };
    Ok(Some(Parcel {
        letter,
        prisoner,
        facility,
        service_id,
    }))
}

fn record(
    conn: &mut db::DbConn,
    worker: &str,
    delivery: &Delivery,
    action: Action,
    policy: RetryPolicy,
) -> Result<(), DbError> {
    db::write_tx(conn, |conn| {
        let now = db::now();
        match action {
            Action::Delivered(accepted) => {
                if !deliveries::record_sent(
                    conn,
                    delivery.id,
                    worker,
                    accepted.receipt.as_deref(),
                    now,
                )? {
                    // Our claim expired and another worker took the row: it records.
                    return Ok(());
                }
                match delivery.letter_id {
                    Some(letter_id) => {
                        let sent = letters::SentWith {
                            receipt: accepted.receipt.as_deref(),
                            pages: accepted.pages,
                            cost_minor: accepted.cost_minor,
                            by: None,
                        };
                        letters::mark_sent(conn, letter_id, &sent, now)?;
                    }
                    None => scan::mark_sent(conn, delivery.id, now)?,
                }
            }
            Action::Manual => {
                deliveries::record_manual(conn, delivery.id, worker, now)?;
            }
            Action::Hold => {
                deliveries::record_held(conn, delivery.id, worker, now)?;
            }
            Action::Cancelled(reason) => {
                deliveries::record_cancelled(conn, delivery.id, worker, reason, now)?;
            }
            Action::Failed(failure) => {
                let (message, retry_at) = match &failure {
                    Failure::Temporary(m) => {
                        let delay = policy.next_delay(delivery.attempts, &mut rand::thread_rng());
                        (m.clone(), delay.map(|d| now + d))
                    }
                    Failure::Permanent(m) => (m.clone(), None),
                };
                deliveries::record_failure(conn, delivery.id, worker, &message, retry_at, now)?;
                if retry_at.is_none() {
                    tracing::warn!(delivery_id = delivery.id, "delivery gave up: {message}");
                }
            }
        }
        Ok(())
    })
}

/// Runs `work`, turning a panic inside it into `Err`: one delivery's bug
/// (a channel, a template, a text split) must not stop the worker, which
/// would leave the web running while nothing goes out.
async fn catch_panic<T>(work: impl std::future::Future<Output = T>) -> Result<T, ()> {
    let mut work = std::pin::pin!(work);
    std::future::poll_fn(|cx| {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work.as_mut().poll(cx))) {
            Ok(std::task::Poll::Ready(value)) => std::task::Poll::Ready(Ok(value)),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(_) => std::task::Poll::Ready(Err(())),
        }
    })
    .await
}

/// A panicking delivery counts as a failed attempt and is retried like one.
/// Neither the log nor the row gets the panic's message: it may quote the
/// letter (the panic hook logs where it happened).
fn panicked(delivery: &Delivery) -> Action {
    tracing::error!(
        delivery_id = delivery.id,
        channel = %delivery.channel,
        "a delivery panicked; recorded as a failed attempt"
    );
    Action::Failed(Failure::Temporary(
        "the delivery stopped on an internal error (a bug); the log says where".to_owned(),
    ))
}

//! Telling the writer: when a reply is matched to their letter, the writer
//! gets an e-mail at once with the transcription and a link to the reply
//! (scans stay behind sign-in). It is the "replies" reminder: recorded in
//! `notifications` under `reply:<id>` and queued in the outbox in one
//! transaction, then sent straight away; if that attempt fails, the worker
//! sends the queued row later, with the usual retries.

use crate::config::Settings;
use crate::db::notifications;
use crate::db::{self, deliveries, replies, users, Db, DbError};
use crate::mail::Mailer;
use crate::reminders::scan::{self, Due};
use crate::reminders::{send, ReminderKind};
use crate::templates::Templates;

/// Sends the writer's e-mail for `reply_id` if it is due; true when sent now.
pub async fn notify_writer(
    db: &Db,
    mailer: &Mailer,
    templates: &Templates,
    settings: &Settings,
    reply_id: i64,
) -> anyhow::Result<bool> {
    let base_url = settings.base_url.clone();
    let lead = settings.lead_times;
    let due = db
        .run(move |conn| {
            let Some(reply) = replies::find(conn, reply_id)? else {
                return Ok(None);
            };
            let Some(writer) = reply.writer_id else {
                return Ok(None);
            };
            if reply.writer_notified_at.is_some()
                || !users::find(conn, writer)?.is_some_and(|u| u.remind_replies)
            {
                return Ok(None);
            }
            let now = db::now();
            let due = Due {
                user_id: writer,
                kind: ReminderKind::Replies,
                dedup_key: format!("reply:{reply_id}"),
                subject: Some(("reply", reply_id)),
            };
            // Already queued (matched twice): the outbox has it.
            if !db::write_tx(conn, |conn| scan::enqueue(conn, &due, now))? {
                return Ok(None);
            }
            let Some(note) = notifications::find_by_key(conn, &due.dedup_key)? else {
                return Ok(None);
            };
            let Some(delivery) = note.delivery_id else {
                return Ok(None);
            };
            // Claimed here, so that the worker does not send it at the same time.
            if !deliveries::claim_one(conn, delivery, "web", now)? {
                return Ok(None);
            }
            let prepared = send::prepare(conn, &note, &base_url, lead, now)?;
            let key = deliveries::find(conn, delivery)?.map(|d| d.idempotency_key);
            Ok::<_, DbError>(prepared.zip(key).map(|(p, k)| (p, k, delivery)))
        })
        .await?;
    let Some((prepared, key, delivery)) = due else {
        return Ok(false);
    };
    let sent = match send::message(templates, &settings.mail_from, &key, &prepared) {
        Ok(message) => mailer.send(message).await.map_err(anyhow::Error::from),
        Err(e) => Err(e.into()),
    };
    let outcome = sent.as_ref().map(drop).map_err(|e| e.to_string());
    db.run(move |conn| {
        db::write_tx(conn, |conn| {
            let now = db::now();
            match &outcome {
                Ok(()) => {
                    deliveries::record_sent(conn, delivery, "web", None, now)?;
                    scan::mark_sent(conn, delivery, now)?;
                }
                // Back to the queue: the worker tries again shortly.
                Err(e) => {
                    deliveries::record_failure(conn, delivery, "web", e, Some(now), now)?;
                }
            }
            Ok::<_, DbError>(())
        })
    })
    .await?;
    sent.map(|()| true)
}

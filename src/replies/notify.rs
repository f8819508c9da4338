//! Telling the writer: when a reply is matched to their letter, the writer
//! gets an e-mail with the transcription and a link to the reply (scans stay
//! behind sign-in). Recorded in `notifications` under `reply:<id>`, so it is
//! sent once however often matching runs.

use serde_json::json;

use crate::config::Settings;
use crate::db::notifications::{self, NewNotification};
use crate::db::{self, prisoners, replies, users, Db, DbError};
use crate::i18n::Lang;
use crate::mail::{self, Mailer};
use crate::templates::Templates;

/// Sends the writer's e-mail for `reply_id` if it is due; true when sent now.
/// A failed send leaves the notification unsent, to be tried again.
pub async fn notify_writer(
    db: &Db,
    mailer: &Mailer,
    templates: &Templates,
    settings: &Settings,
    reply_id: i64,
) -> anyhow::Result<bool> {
    let due = db
        .run(move |conn| {
            let Some(reply) = replies::find(conn, reply_id)? else {
                return Ok(None);
            };
            let (Some(writer_id), Some(prisoner_id)) = (reply.writer_id, reply.prisoner_id) else {
                return Ok(None);
            };
            if reply.writer_notified_at.is_some() {
                return Ok(None);
            }
            let Some(writer) =
                users::find(conn, writer_id)?.filter(|u| !u.disabled && u.remind_replies)
            else {
                return Ok(None);
            };
            let prisoner = prisoners::find(conn, prisoner_id)?
                .map(|p| p.full_name())
                .unwrap_or_default();
            let note = notifications::insert_once(
                conn,
                &NewNotification {
                    user_id: writer.id,
                    kind: "reply".into(),
                    dedup_key: format!("reply:{reply_id}"),
                    subject_type: Some("reply".into()),
                    subject_id: Some(reply_id),
                    created_at: db::now(),
                },
            )?;
            // An existing, unsent record is tried again; a sent one is done.
            let note = match note {
                Some(n) => n,
                None => match notifications::for_user(conn, writer.id)?
                    .into_iter()
                    .find(|n| n.dedup_key == format!("reply:{reply_id}"))
                {
                    Some(n) if n.sent_at.is_none() => n,
                    _ => return Ok(None),
                },
            };
            Ok::<_, DbError>(Some((reply, writer, prisoner, note.id)))
        })
        .await?;
    let Some((reply, writer, prisoner, note_id)) = due else {
        return Ok(false);
    };
    let lang = Lang::from_code(&writer.locale).unwrap_or(Lang::DEFAULT);
    let data = json!({
        "lang": lang.code(),
        "name": writer.display_name,
        "prisoner": prisoner,
        "transcription": reply.transcription,
        "link": format!("{}/replies/{}", settings.base_url, reply.id),
    });
    let message = mail::compose(
        templates,
        "reply",
        &settings.mail_from,
        &writer.email,
        &data,
    )?;
    mailer.send(message).await?;
    db.run(move |conn| {
        let now = db::now();
        replies::mark_writer_notified(conn, reply_id, now)?;
        notifications::mark_sent(conn, note_id, now)?;
        Ok::<_, DbError>(())
    })
    .await?;
    Ok(true)
}

//! Sending a reminder from the outbox: what the e-mail says is read when it
//! is sent (so a digest is current), rendered from a template pair in the
//! supporter's language, with one-click unsubscribe headers (RFC 8058).

use chrono::NaiveDateTime;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::Message;
use serde_json::{json, Value};

use super::schedule::{local, time_zone};
use super::{token, ReminderKind, Unsubscribe};
use crate::dashboard::dates::{next_birthday_of, send_by, LeadTimes};
use crate::db::notifications::Notification;
use crate::db::users::{ReminderPrefs, User};
use crate::db::{self, facilities, letters, placements, prisoners, replies, site_settings, users};
use crate::db::{DbConn, DbError};
use crate::i18n::Lang;
use crate::mail::{self, MailError};
use crate::templates::Templates;

/// How many people a digest names.
pub const DIGEST_PEOPLE: usize = 5;

/// A reminder ready to render: the template to use, its data, and who gets it.
#[derive(Debug)]
pub struct Prepared {
    pub kind: ReminderKind,
    pub to: String,
    pub data: Value,
    /// The signed one-click link for the List-Unsubscribe header.
    pub unsubscribe: String,
}

/// Whether the user still wants this kind (they may have turned it off
/// after it was enqueued).
fn still_wanted(user: &User, kind: ReminderKind) -> bool {
    let prefs = ReminderPrefs::of(user);
    !user.disabled && Unsubscribe::Kind(kind).apply(&prefs) != prefs
}

fn person(conn: &mut DbConn, id: i64) -> Result<Option<prisoners::Prisoner>, DbError> {
    // Someone whose family asked for quiet, or who is free, is not reminded of.
    Ok(prisoners::find(conn, id)?.filter(prisoners::Prisoner::may_be_written_to))
}

/// Reads what the reminder says; `None` when it should not be sent any more
/// (turned off, nobody to name, the person may no longer be written to).
pub fn prepare(
    conn: &mut DbConn,
    note: &Notification,
    base_url: &str,
    lead: LeadTimes,
    now: NaiveDateTime,
) -> Result<Option<Prepared>, DbError> {
    let Ok(kind) = note.kind.parse::<ReminderKind>() else {
        return Ok(None);
    };
    let Some(user) = users::find(conn, note.user_id)? else {
        return Ok(None);
    };
    if !still_wanted(&user, kind) {
        return Ok(None);
    }
    let subject = note.subject_id.unwrap_or_default();
    let today = local(now, time_zone(&user.time_zone)).date();
    let details = match kind {
        ReminderKind::Digest => {
            let languages: Vec<String> = user
                .writes_languages
                .split_whitespace()
                .map(str::to_owned)
                .collect();
            // A digest never suggests people our writers' letters cannot reach.
            let mut waiting = prisoners::pick_candidates(conn, &languages, false)?;
            let shared =
                db::reminders::sharing_interests(conn, &super::interests(&user.interests))?;
            // People who share an interest first; then never written to,
            // then the longest wait.
            waiting.sort_by_key(|(id, last)| (!shared.contains(id), *last, *id));
            let mut people = Vec::new();
            for (id, last) in waiting.into_iter().take(DIGEST_PEOPLE) {
                if let Some(p) = prisoners::find(conn, id)? {
                    people.push(json!({
                        "name": p.full_name(),
                        "days": last.map(|t| (now - t).num_days().to_string()),
                        "link": format!("{base_url}/letters/new?prisoner={id}"),
                    }));
                }
            }
            if people.is_empty() {
                return Ok(None);
            }
            json!({ "people": people, "link": format!("{base_url}/") })
        }
        ReminderKind::CoordinatorDigest => {
            let queues = db::attention::queues(conn)?;
            json!({
                "to_review": queues.to_review,
                "held": queues.held,
                "dead": queues.dead,
                "unmatched": queues.unmatched,
                "link": format!("{base_url}/dashboard/attention"),
            })
        }
        ReminderKind::DrySpell => {
            let Some(p) = person(conn, subject)? else {
                return Ok(None);
            };
            let last = db::reminders::last_sent_by(conn, user.id, p.id)?;
            json!({
                "prisoner": p.full_name(),
                "days": last.map_or(0, |t| (now - t).num_days()),
                "link": format!("{base_url}/letters/new?prisoner={}", p.id),
            })
        }
        ReminderKind::Birthdays => {
            let Some(p) = person(conn, subject)? else {
                return Ok(None);
            };
            let Some(birthday) = next_birthday_of(p.birth_month, p.birth_day, today) else {
                return Ok(None);
            };
            let by = send_by(birthday, lead);
            json!({
                "prisoner": p.full_name(),
                "date": birthday.to_string(),
                "eletter": by.eletter.to_string(),
                "post": by.post_domestic.to_string(),
                "link": format!("{base_url}/letters/new?prisoner={}", p.id),
            })
        }
        ReminderKind::Transfers => {
            let Some(placement) = placements::find(conn, subject)? else {
                return Ok(None);
            };
            let Some(p) = person(conn, placement.prisoner_id)? else {
                return Ok(None);
            };
            let facility = match placement.facility_id {
                Some(id) => facilities::find(conn, id)?.map(|f| f.name),
                None => None,
            };
            json!({
                "prisoner": p.full_name(),
                "facility": facility.unwrap_or_default(),
                "link": format!("{base_url}/prisoners/{}", p.id),
            })
        }
        ReminderKind::LetterStatus => {
            let Some(letter) = letters::find(conn, subject)? else {
                return Ok(None);
            };
            let prisoner = prisoners::find(conn, letter.prisoner_id)?
                .map(|p| p.full_name())
                .unwrap_or_default();
            json!({
                "prisoner": prisoner,
                "status": letter.status,
                "note": letter.review_note.unwrap_or_default(),
                "link": format!("{base_url}/letters/{}", letter.id),
            })
        }
        ReminderKind::Replies => {
            let Some(reply) = replies::find(conn, subject)? else {
                return Ok(None);
            };
            if reply.writer_notified_at.is_some() {
                return Ok(None);
            }
            let prisoner = match reply.prisoner_id {
                Some(id) => prisoners::find(conn, id)?,
                None => None,
            };
            json!({
                "prisoner": prisoner.as_ref().map(|p| p.full_name()).unwrap_or_default(),
                "gender": prisoner.as_ref().and_then(|p| p.grammatical_gender()),
                "transcription": reply.transcription,
                "link": format!("{base_url}/replies/{}", reply.id),
            })
        }
    };
    let secret = site_settings::reminder_secret(conn, now)?;
    let unsubscribe = format!(
        "{base_url}/unsubscribe/{}",
        token::sign(&secret, user.id, kind.as_str())
    );
    let unsubscribe_all = format!(
        "{base_url}/unsubscribe/{}",
        token::sign(&secret, user.id, "all")
    );
    let lang = Lang::from_code(&user.locale).unwrap_or(Lang::DEFAULT);
    let mut data = json!({
        "lang": lang.code(),
        "name": user.display_name,
        "settings_link": format!("{base_url}/settings/reminders"),
        "unsubscribe_link": unsubscribe,
        "unsubscribe_all_link": unsubscribe_all,
    });
    if let (Some(base), Value::Object(extra)) = (data.as_object_mut(), details) {
        base.extend(extra);
    }
    Ok(Some(Prepared {
        kind,
        to: user.email,
        data,
        unsubscribe,
    }))
}

const LIST_UNSUBSCRIBE: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe");
const LIST_UNSUBSCRIBE_POST: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe-Post");

/// The e-mail for a prepared reminder. The Message-ID comes from the outbox
/// row's idempotency key, so a resend after a crash is recognisably the same
/// message.
pub fn message(
    templates: &Templates,
    from: &str,
    idempotency_key: &str,
    prepared: &Prepared,
) -> Result<Message, MailError> {
    let domain = from
        .rsplit('@')
        .next()
        .unwrap_or("konvert.invalid")
        .trim_end_matches('>');
    mail::compose_with(
        templates,
        &format!("reminders/{}", prepared.kind),
        from,
        &prepared.to,
        &prepared.data,
        |builder| {
            builder
                .message_id(Some(format!("<{idempotency_key}@{domain}>")))
                .raw_header(HeaderValue::new(
                    LIST_UNSUBSCRIBE,
                    format!("<{}>", prepared.unsubscribe),
                ))
                .raw_header(HeaderValue::new(
                    LIST_UNSUBSCRIBE_POST,
                    "List-Unsubscribe=One-Click".to_owned(),
                ))
        },
    )
}

//! Recording a reply and keeping the books: the reply is matched to its
//! letter by the reply code when there is one, else to the prisoner; the
//! letter becomes replied (or likely blocked, when only the unused reply blank
//! came back); the prisoner's last-reply date and count move on. What cannot
//! be matched waits for a coordinator.

use chrono::NaiveDateTime;
use serde_json::json;

use super::codes;
use crate::db::letters::{self, Letter, LetterStatus};
use crate::db::replies::{self, MatchState, NewReply, Reply, ReplyChannel};
use crate::db::{audit, prisoners, DbConn};

/// A reply as it arrives, before matching.
#[derive(Debug, Clone)]
pub struct IncomingReply {
    pub received_at: NaiveDateTime,
    pub channel: ReplyChannel,
    /// The code as read from the reply, if any.
    pub reply_code: Option<String>,
    /// Known from the form, or from matching by name and birth year.
    pub prisoner_id: Option<i64>,
    /// Picked by a coordinator from the recent letters to the prisoner.
    pub letter_id: Option<i64>,
    pub transcription: String,
    pub notes: String,
    pub blank_unused: bool,
    pub source_message_id: Option<String>,
    pub logged_by: Option<i64>,
}

/// The letter a reply answers: the one picked, else the one whose code it
/// carries. A picked letter must be to the given prisoner.
fn letter_for(conn: &mut DbConn, incoming: &IncomingReply) -> diesel::QueryResult<Option<Letter>> {
    if let Some(id) = incoming.letter_id {
        let letter = letters::find(conn, id)?;
        return Ok(letter.filter(|l| incoming.prisoner_id.is_none_or(|p| p == l.prisoner_id)));
    }
    match incoming.reply_code.as_deref().and_then(codes::normalize) {
        Some(code) => letters::find_by_reply_code(conn, &code),
        None => Ok(None),
    }
}

/// Records the reply with its bookkeeping. Run it in a transaction.
pub fn record(
    conn: &mut DbConn,
    incoming: &IncomingReply,
    now: NaiveDateTime,
) -> diesel::QueryResult<Reply> {
    let letter = letter_for(conn, incoming)?;
    let prisoner_id = letter
        .as_ref()
        .map(|l| l.prisoner_id)
        .or(incoming.prisoner_id);
    let reply = replies::insert(
        conn,
        &NewReply {
            prisoner_id,
            letter_id: letter.as_ref().map(|l| l.id),
            writer_id: letter.as_ref().map(|l| l.writer_id),
            received_at: incoming.received_at,
            channel: incoming.channel,
            reply_code: incoming
                .reply_code
                .as_deref()
                .map(|c| codes::normalize(c).unwrap_or_else(|| c.trim().to_owned())),
            transcription: incoming.transcription.clone(),
            notes: incoming.notes.clone(),
            blank_unused: incoming.blank_unused,
            match_state: if prisoner_id.is_some() {
                MatchState::Matched
            } else {
                MatchState::Unmatched
            },
            source_message_id: incoming.source_message_id.clone(),
            logged_by: incoming.logged_by,
            created_at: now,
            updated_at: now,
        },
    )?;
    settle(conn, &reply, letter.as_ref(), incoming.logged_by, now)?;
    Ok(reply)
}

/// What became of a coordinator's match.
#[derive(Debug)]
pub enum Assigned {
    Matched(Box<Reply>),
    /// Another coordinator matched it first: nothing changed.
    AlreadyMatched,
    NotFound,
}

/// A coordinator says whose reply it is: a letter, or only a prisoner. A
/// guarded update, so that two coordinators matching at once match it once.
pub fn assign(
    conn: &mut DbConn,
    reply_id: i64,
    prisoner_id: i64,
    letter_id: Option<i64>,
    actor: i64,
    now: NaiveDateTime,
) -> diesel::QueryResult<Assigned> {
    let Some(reply) = replies::find(conn, reply_id)? else {
        return Ok(Assigned::NotFound);
    };
    let letter = match letter_id {
        Some(id) => letters::find(conn, id)?.filter(|l| l.prisoner_id == prisoner_id),
        None => None,
    };
    let matched = replies::match_unmatched(
        conn,
        reply_id,
        prisoner_id,
        letter.as_ref().map(|l| l.id),
        letter.as_ref().map(|l| l.writer_id),
        now,
    )?;
    if !matched {
        return Ok(Assigned::AlreadyMatched);
    }
    let reply = replies::find(conn, reply_id)?.unwrap_or(reply);
    settle(conn, &reply, letter.as_ref(), Some(actor), now)?;
    Ok(Assigned::Matched(Box::new(reply)))
}

/// The books: letter state, prisoner summary, audit.
fn settle(
    conn: &mut DbConn,
    reply: &Reply,
    letter: Option<&Letter>,
    actor: Option<i64>,
    now: NaiveDateTime,
) -> diesel::QueryResult<()> {
    if let Some(prisoner_id) = reply.prisoner_id {
        prisoners::note_reply(conn, prisoner_id, reply.received_at)?;
    }
    if let Some(letter) = letter {
        let answered = matches!(letter.status, LetterStatus::Sent | LetterStatus::Delivered);
        if reply.blank_unused && answered {
            // The prisoner got only the empty reply blank: the letter itself
            // was most likely stopped by the censor.
            letters::set_status(conn, letter.id, LetterStatus::Censored, now)?;
            letters::set_outcome_note(conn, letter.id, Some("likely_blocked"))?;
        } else if answered || letter.status == LetterStatus::Censored {
            letters::set_status(conn, letter.id, LetterStatus::Replied, now)?;
        }
    }
    audit::record(
        conn,
        actor,
        "reply",
        "reply",
        Some(reply.id),
        &json!({ "letter": reply.letter_id, "matched": reply.match_state == MatchState::Matched }),
        now,
    )
}

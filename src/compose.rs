//! The writer's side of a letter: create a draft (or submit it at once),
//! save, submit, take it back out of review, delete a draft. Each step runs
//! in one transaction with its audit entry, and each change is a guarded
//! update (`db::letters`), so a letter a coordinator decided meanwhile is
//! never overwritten: the caller is told instead.
//!
//! Every composer form carries a one-time submission key, stored with the
//! letter it made. A second post of the same form (Back, then Submit again;
//! or a double click) finds that letter instead of making another.

use chrono::NaiveDateTime;
use diesel::Connection;
use rand::Rng;
use serde_json::json;

use crate::db::letters::{self, DraftEdit, Letter, LetterStatus, NewLetter};
use crate::db::{self, audit, DbConn};
use crate::error::AppError;
use crate::review::ReviewError;

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// No such letter, or not the writer's.
    #[error("the letter does not exist")]
    NotFound,
    /// The letter is not in a status this step starts from: a coordinator
    /// decided it, or another tab changed it, first.
    #[error("the letter cannot take this step now")]
    WrongState,
    /// Another post of the same form made the letter while this one ran.
    #[error("the form was posted twice at once")]
    RepeatedKey,
    #[error(transparent)]
    Review(#[from] ReviewError),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

impl From<ComposeError> for AppError {
    fn from(e: ComposeError) -> Self {
        match e {
            ComposeError::NotFound => AppError::NotFound,
            ComposeError::WrongState | ComposeError::RepeatedKey => {
                AppError::Conflict("letters.error_not_editable".into())
            }
            ComposeError::Review(e) => e.into(),
            ComposeError::Db(e) => e.into(),
        }
    }
}

/// A fresh one-time key for a composer form.
pub fn new_submission_key(rng: &mut impl Rng) -> String {
    let bytes: [u8; 16] = rng.gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A key as a form may carry it: what we hand out, or a client's own of a
/// similar shape. Anything else is ignored (the post then simply has no key).
pub fn valid_submission_key(key: &str) -> bool {
    (16..=64).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What posting a new-letter form did.
#[derive(Debug, Clone)]
pub enum Created {
    New(i64),
    /// The form was posted before: the letter that post made, as it is now.
    Repeat(Box<Letter>),
}

/// Creates the writer's letter from a new-letter form, submitting it at
/// once when asked; or, when the form's `key` made a letter before, returns
/// that letter untouched.
pub fn create(
    conn: &mut DbConn,
    writer_id: i64,
    prisoner_id: i64,
    edit: &DraftEdit,
    key: Option<&str>,
    submit: bool,
    now: NaiveDateTime,
) -> Result<Created, ComposeError> {
    let once = |conn: &mut DbConn| {
        db::write_tx(conn, |conn| {
            if let Some(key) = key {
                if let Some(letter) = letters::find_by_submission_key(conn, writer_id, key)? {
                    return Ok(Created::Repeat(Box::new(letter)));
                }
            }
            let letter = insert_with_reply_code(conn, writer_id, prisoner_id, edit, now)?;
            // Figures are kept from the start, so lists need not recount.
            letters::update_draft(conn, letter.id, edit, now)?;
            if let Some(key) = key {
                // In a savepoint: on PostgreSQL a failed statement would spoil
                // the whole transaction. The unique index is what stops two
                // posts racing on PostgreSQL; SQLite's write lock already did.
                match conn.transaction(|conn| letters::set_submission_key(conn, letter.id, key)) {
                    Err(e) if db::is_unique_violation(&e) => return Err(ComposeError::RepeatedKey),
                    other => other?,
                }
            }
            audit::record(
                conn,
                Some(writer_id),
                "create",
                "letter",
                Some(letter.id),
                &json!({"prisoner_id": prisoner_id, "channel": edit.channel}),
                now,
            )?;
            if submit {
                submit_in_tx(conn, writer_id, letter.id, now)?;
            }
            Ok(Created::New(letter.id))
        })
    };
    match once(conn) {
        // The other post has committed by now: this time it is found.
        Err(ComposeError::RepeatedKey) => once(conn),
        other => other,
    }
}

/// Inserts the draft with a fresh reply code, drawing again on the rare
/// collision. Each attempt runs in a savepoint (see above).
fn insert_with_reply_code(
    conn: &mut DbConn,
    writer_id: i64,
    prisoner_id: i64,
    edit: &DraftEdit,
    now: NaiveDateTime,
) -> Result<Letter, ComposeError> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let new = NewLetter {
            writer_id,
            prisoner_id,
            placement_id: edit.placement_id,
            address_snapshot: edit.address_snapshot.clone(),
            language: edit.language.clone(),
            body: edit.body.clone(),
            channel: edit.channel,
            status: LetterStatus::Draft,
            pen_name: edit.pen_name.clone(),
            reply_blank: edit.reply_blank,
            reply_code: Some(letters::new_reply_code(&mut rand::thread_rng())),
            created_at: now,
            updated_at: now,
        };
        match conn.transaction(|conn| letters::insert(conn, &new)) {
            Ok(letter) => return Ok(letter),
            Err(e) if db::is_unique_violation(&e) && attempts < 5 => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

fn submit_in_tx(
    conn: &mut DbConn,
    writer_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> Result<(), ComposeError> {
    let changed = letters::submit_by_writer(conn, id, writer_id, now)?;
    writer_changed(conn, writer_id, id, changed, "submit", now)?;
    // Writers a coordinator marked as trusted skip the review queue.
    crate::review::auto_approve_if_trusted(conn, id, writer_id, now)?;
    Ok(())
}

/// After a writer's guarded update of their letter: audits the change as
/// `action`, or, when it `changed` nothing, says why it was refused.
fn writer_changed(
    conn: &mut DbConn,
    writer_id: i64,
    id: i64,
    changed: bool,
    action: &str,
    now: NaiveDateTime,
) -> Result<(), ComposeError> {
    if !changed {
        return Err(refusal(conn, writer_id, id)?);
    }
    audit::record(
        conn,
        Some(writer_id),
        action,
        "letter",
        Some(id),
        &json!({}),
        now,
    )?;
    Ok(())
}

/// Why a guarded update changed nothing: no such letter of this writer's,
/// or it is in another status now.
fn refusal(conn: &mut DbConn, writer_id: i64, id: i64) -> Result<ComposeError, ComposeError> {
    Ok(match letters::find(conn, id)? {
        Some(l) if l.writer_id == writer_id => ComposeError::WrongState,
        _ => ComposeError::NotFound,
    })
}

/// What saving an existing letter did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// Saved, still a draft (or still returned to the writer).
    Draft,
    /// Saved and submitted for review.
    Submitted,
    /// The letter was already awaiting review: the new text is what the
    /// reviewer will read; it was not submitted a second time.
    InReview,
}

/// Saves the writer's text on a letter still theirs to change, and submits
/// it when asked.
pub fn save(
    conn: &mut DbConn,
    writer_id: i64,
    id: i64,
    edit: &DraftEdit,
    submit: bool,
    now: NaiveDateTime,
) -> Result<Saved, ComposeError> {
    db::write_tx(conn, |conn| {
        let status = match letters::find(conn, id)? {
            Some(l) if l.writer_id == writer_id => l.status,
            _ => return Err(ComposeError::NotFound),
        };
        if !letters::update_by_writer(conn, id, writer_id, &letters::WRITER_EDITABLE, edit, now)? {
            return Err(refusal(conn, writer_id, id)?);
        }
        audit::record(
            conn,
            Some(writer_id),
            "update",
            "letter",
            Some(id),
            &json!({"channel": edit.channel}),
            now,
        )?;
        if status == LetterStatus::Submitted {
            Ok(Saved::InReview)
        } else if submit {
            submit_in_tx(conn, writer_id, id, now)?;
            Ok(Saved::Submitted)
        } else {
            Ok(Saved::Draft)
        }
    })
}

/// Takes the writer's letter back out of the review queue, to a draft.
pub fn withdraw(
    conn: &mut DbConn,
    writer_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> Result<(), ComposeError> {
    db::write_tx(conn, |conn| {
        let changed = letters::withdraw_by_writer(conn, id, writer_id, now)?;
        writer_changed(conn, writer_id, id, changed, "withdraw", now)
    })
}

/// Deletes the writer's draft. Only a draft: a letter in review is taken
/// back first, and one returned with a note keeps the coordinator's note.
pub fn delete_draft(
    conn: &mut DbConn,
    writer_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> Result<(), ComposeError> {
    db::write_tx(conn, |conn| {
        let changed = letters::delete_draft_by_writer(conn, id, writer_id)?;
        writer_changed(conn, writer_id, id, changed, "delete", now)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn submission_keys_we_hand_out_are_valid_and_odd_ones_are_not() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let key = new_submission_key(&mut rng);
        assert_eq!(key.len(), 32);
        assert!(valid_submission_key(&key));
        assert_ne!(key, new_submission_key(&mut rng));
        assert!(!valid_submission_key(""));
        assert!(!valid_submission_key("short"));
        assert!(!valid_submission_key(&"a".repeat(65)));
        assert!(!valid_submission_key("0123456789abcdef'; --"));
    }
}

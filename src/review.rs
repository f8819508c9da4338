//! Moderation and holds: a coordinator approves a submitted letter (it is
//! queued for its channel, the outbox row written in the same transaction),
//! returns it to the writer with a note, or rejects it. A letter whose
//! prisoner is in transit, or whose address changed after it was written,
//! waits as held until the new address is confirmed; confirming re-addresses
//! and releases it.

use chrono::NaiveDateTime;
use serde_json::json;

use crate::db::letters::{self, Letter, LetterStatus};
use crate::db::placements::{self, PlacementState};
use crate::db::{audit, deliveries, facilities, prisoners, users, DbConn};

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("the letter does not exist")]
    NotFound,
    /// The letter is not waiting for review (someone else decided first).
    #[error("the letter is not waiting for review")]
    NotSubmitted,
    /// The letter is not in a state this step can follow.
    #[error("the letter cannot take this step now")]
    WrongState,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

impl From<ReviewError> for crate::error::AppError {
    fn from(e: ReviewError) -> Self {
        match e {
            ReviewError::NotFound => crate::error::AppError::NotFound,
            ReviewError::NotSubmitted => {
                crate::error::AppError::Conflict("review.error_decided".into())
            }
            ReviewError::WrongState => {
                crate::error::AppError::Conflict("review.error_state".into())
            }
            ReviewError::Db(e) => e.into(),
        }
    }
}

/// What approval did with the letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approved {
    Queued,
    Held(HoldReason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldReason {
    InTransit,
    AddressChanged,
    NoAddress,
}

impl HoldReason {
    pub fn key(self) -> &'static str {
        match self {
            HoldReason::InTransit => "in_transit",
            HoldReason::AddressChanged => "address_changed",
            HoldReason::NoAddress => "no_address",
        }
    }
}

/// Takes a submitted letter out of the queue by moving it to `to`, in one
/// guarded update: of two coordinators deciding at once, the second finds it
/// decided. Returns the letter as it is after the move.
fn decide(
    conn: &mut DbConn,
    id: i64,
    to: LetterStatus,
    now: NaiveDateTime,
) -> Result<Letter, ReviewError> {
    if !letters::move_status(conn, id, &[LetterStatus::Submitted], to, now)? {
        return Err(match letters::find(conn, id)? {
            None => ReviewError::NotFound,
            Some(_) => ReviewError::NotSubmitted,
        });
    }
    letters::find(conn, id)?.ok_or(ReviewError::NotFound)
}

/// Why the letter cannot go out to the address it was written for, if so.
fn hold_reason(conn: &mut DbConn, letter: &Letter) -> Result<Option<HoldReason>, ReviewError> {
    let current = placements::current(conn, letter.prisoner_id)?;
    Ok(match current {
        None => Some(HoldReason::NoAddress),
        Some(p) if p.in_transit() => Some(HoldReason::InTransit),
        Some(p) if letter.placement_id.is_some_and(|id| id != p.id) => {
            Some(HoldReason::AddressChanged)
        }
        Some(_) => None,
    })
}

/// Approves a submitted letter: queued for its channel, or held. `reviewer`
/// is `None` for automatic approval of a trusted writer. Run in a transaction.
pub fn approve(
    conn: &mut DbConn,
    id: i64,
    reviewer: Option<i64>,
    now: NaiveDateTime,
) -> Result<Approved, ReviewError> {
    let letter = decide(conn, id, LetterStatus::Approved, now)?;
    letters::set_review(conn, id, reviewer, None)?;
    let outcome = match hold_reason(conn, &letter)? {
        Some(reason) => {
            letters::set_status(conn, id, LetterStatus::Held, now)?;
            letters::set_hold_reason(conn, id, Some(reason.key()))?;
            Approved::Held(reason)
        }
        None => {
            letters::set_status(conn, id, LetterStatus::Queued, now)?;
            deliveries::queue_letter(conn, id, letter.channel, now)?;
            Approved::Queued
        }
    };
    let action = if reviewer.is_some() {
        "approve"
    } else {
        "auto_approve"
    };
    audit::record(
        conn,
        reviewer,
        action,
        "letter",
        Some(id),
        &json!({ "held": outcome != Approved::Queued }),
        now,
    )?;
    Ok(outcome)
}

/// Sends the letter back to its writer to edit, with a note.
pub fn return_to_writer(
    conn: &mut DbConn,
    id: i64,
    reviewer: i64,
    note: &str,
    now: NaiveDateTime,
) -> Result<(), ReviewError> {
    close_with_note(
        conn,
        id,
        reviewer,
        note,
        LetterStatus::ReturnedToWriter,
        "return",
        now,
    )
}

/// Refuses the letter for good, with the reason the writer will see.
pub fn reject(
    conn: &mut DbConn,
    id: i64,
    reviewer: i64,
    reason: &str,
    now: NaiveDateTime,
) -> Result<(), ReviewError> {
    close_with_note(
        conn,
        id,
        reviewer,
        reason,
        LetterStatus::Rejected,
        "reject",
        now,
    )
}

fn close_with_note(
    conn: &mut DbConn,
    id: i64,
    reviewer: i64,
    note: &str,
    status: LetterStatus,
    action: &str,
    now: NaiveDateTime,
) -> Result<(), ReviewError> {
    decide(conn, id, status, now)?;
    letters::set_review(conn, id, Some(reviewer), Some(note))?;
    audit::record(
        conn,
        Some(reviewer),
        action,
        "letter",
        Some(id),
        &json!({}),
        now,
    )?;
    Ok(())
}

/// After a submit: approves at once when the writer is trusted.
pub fn auto_approve_if_trusted(
    conn: &mut DbConn,
    id: i64,
    writer_id: i64,
    now: NaiveDateTime,
) -> Result<Option<Approved>, ReviewError> {
    let trusted = users::find(conn, writer_id)?.is_some_and(|u| u.trusted && !u.disabled);
    if !trusted {
        return Ok(None);
    }
    approve(conn, id, None, now).map(Some)
}

/// A transfer: queued letters to the prisoner stop and wait as held.
pub fn hold_for_transfer(
    conn: &mut DbConn,
    prisoner_id: i64,
    now: NaiveDateTime,
) -> Result<usize, ReviewError> {
    let queued = letters::for_prisoner_in(conn, prisoner_id, LetterStatus::Queued)?;
    let mut held = 0;
    for letter in queued {
        // A letter the worker marked sent meanwhile has gone: nothing to hold.
        if !letters::move_status(
            conn,
            letter.id,
            &[LetterStatus::Queued],
            LetterStatus::Held,
            now,
        )? {
            continue;
        }
        deliveries::hold_for_letter(conn, letter.id, now)?;
        letters::set_hold_reason(conn, letter.id, Some(HoldReason::AddressChanged.key()))?;
        held += 1;
    }
    Ok(held)
}

/// The new address is confirmed: held letters to the prisoner are
/// re-addressed to it and queued. Nothing happens while the prisoner is in
/// transit. Returns how many letters were released.
pub fn release_held(
    conn: &mut DbConn,
    prisoner_id: i64,
    actor: Option<i64>,
    now: NaiveDateTime,
) -> Result<usize, ReviewError> {
    let Some(current) = placements::current(conn, prisoner_id)? else {
        return Ok(0);
    };
    let Some(facility_id) = current
        .facility_id
        .filter(|_| current.state == PlacementState::Held)
    else {
        return Ok(0);
    };
    let Some(prisoner) = prisoners::find(conn, prisoner_id)? else {
        return Ok(0);
    };
    let facility = facilities::find(conn, facility_id)?;
    let snapshot = serde_json::to_string(&crate::address::record(&prisoner, facility.as_ref()))
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    let held = letters::for_prisoner_in(conn, prisoner_id, LetterStatus::Held)?;
    let mut released = 0;
    for letter in &held {
        if !letters::move_status(
            conn,
            letter.id,
            &[LetterStatus::Held],
            LetterStatus::Queued,
            now,
        )? {
            continue;
        }
        letters::readdress(conn, letter.id, current.id, &snapshot, now)?;
        letters::set_hold_reason(conn, letter.id, None)?;
        deliveries::queue_letter(conn, letter.id, letter.channel, now)?;
        audit::record(
            conn,
            actor,
            "release",
            "letter",
            Some(letter.id),
            &json!({ "placement": current.id }),
            now,
        )?;
        released += 1;
    }
    Ok(released)
}

/// What became of a sent letter, as a coordinator learned it.
pub fn record_outcome(
    conn: &mut DbConn,
    id: i64,
    actor: i64,
    outcome: LetterStatus,
    note: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), ReviewError> {
    let outcome_kind = matches!(
        outcome,
        LetterStatus::Delivered
            | LetterStatus::Censored
            | LetterStatus::Returned
            | LetterStatus::LostOnTransfer
    );
    if !outcome_kind || !letters::move_status(conn, id, outcome.entered_from(), outcome, now)? {
        return Err(match letters::find(conn, id)? {
            None => ReviewError::NotFound,
            Some(_) => ReviewError::WrongState,
        });
    }
    letters::set_outcome_note(conn, id, note)?;
    audit::record(
        conn,
        Some(actor),
        "outcome",
        "letter",
        Some(id),
        &json!({ "outcome": outcome }),
        now,
    )?;
    Ok(())
}

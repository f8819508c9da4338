//! Sending by hand: a coordinator posts a batch of printed letters, or submits
//! an e-letter on a service's website, and records it here. The paper-post
//! screen, the e-letter send screen and the demo all record through this, so
//! a letter is marked sent the same way whichever hand sent it.

use chrono::NaiveDateTime;

use crate::db::deliveries::{self, ManualReceipt};
use crate::db::letters::{self, Channel};
use crate::db::{write_tx, DbConn};

#[derive(Debug, thiserror::Error)]
pub enum ManualError {
    /// A row was taken by another change half-way through (a concurrent
    /// cancel or transfer); nothing of the batch was kept.
    #[error("a letter changed while it was being recorded")]
    Changed,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

impl From<ManualError> for crate::error::AppError {
    fn from(e: ManualError) -> Self {
        match e {
            ManualError::Changed => crate::error::AppError::Conflict("post.error_changed".into()),
            ManualError::Db(e) => e.into(),
        }
    }
}

/// What recording a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marked {
    /// The letters now sent.
    pub letters: Vec<i64>,
    /// Rows asked for that were no longer waiting (recorded by someone else,
    /// cancelled, held, or their letter finished): left as they were.
    pub skipped: usize,
}

/// Records that `actor` sent these rows of `channel` by hand, in one
/// transaction. Only rows still waiting by hand whose letter still awaits
/// sending change; the others are counted as skipped.
pub fn record_sent(
    conn: &mut DbConn,
    channel: Channel,
    delivery_ids: &[i64],
    actor: i64,
    receipt: &ManualReceipt,
    now: NaiveDateTime,
) -> Result<Marked, ManualError> {
    write_tx(conn, |conn| {
        record_sent_in(conn, channel, delivery_ids, actor, receipt, now)
    })
}

/// `record_sent` inside the caller's transaction.
pub fn record_sent_in(
    conn: &mut DbConn,
    channel: Channel,
    delivery_ids: &[i64],
    actor: i64,
    receipt: &ManualReceipt,
    now: NaiveDateTime,
) -> Result<Marked, ManualError> {
    let mut ids = delivery_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut marked = Marked::default();
    for id in ids {
        let Some(letter_id) =
            deliveries::record_manual_sent(conn, id, channel, receipt.receipt.as_deref(), now)?
        else {
            marked.skipped += 1;
            continue;
        };
        // The row said the letter was waiting; if the letter moved on since,
        // the batch would leave a sent row for an unsent letter.
        let sent = letters::SentWith {
            receipt: receipt.receipt.as_deref(),
            pages: receipt.pages,
            cost_minor: receipt.cost_minor,
            by: Some(actor),
        };
        if !letters::mark_sent(conn, letter_id, &sent, now)? {
            return Err(ManualError::Changed);
        }
        marked.letters.push(letter_id);
    }
    Ok(marked)
}

//! What waits for a coordinator's hand, counted in one place: the dashboard's
//! attention page, the coordinator digest and the reminder scan all read it.

use diesel::QueryResult;

use super::deliveries::{self, DeliveryState};
use super::letters::{self, LetterStatus};
use super::{count_of, replies, DbConn};

/// Replies counted as unmatched at most (the queue's page size).
const UNMATCHED_SHOWN: i64 = 1000;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Queues {
    /// Letters submitted and waiting for review.
    pub to_review: i64,
    /// Letters held for a new address.
    pub held: i64,
    /// Deliveries that gave up.
    pub dead: i64,
    /// Deliveries waiting to be sent by hand.
    pub by_hand: i64,
    pub unmatched: i64,
}

impl Queues {
    /// Whether a coordinator digest has news: review, failures or replies.
    pub fn has_news(&self) -> bool {
        self.to_review > 0 || self.dead > 0 || self.unmatched > 0
    }
}

pub fn queues(conn: &mut DbConn) -> QueryResult<Queues> {
    let by_status = letters::count_by_status(conn)?;
    let by_state = deliveries::count_by_state(conn)?;
    let unmatched = replies::unmatched(conn, UNMATCHED_SHOWN)?.len();
    Ok(Queues {
        to_review: count_of(&by_status, LetterStatus::Submitted),
        held: count_of(&by_status, LetterStatus::Held),
        dead: count_of(&by_state, DeliveryState::Dead),
        by_hand: count_of(&by_state, DeliveryState::Manual),
        unmatched: i64::try_from(unmatched).unwrap_or(i64::MAX),
    })
}

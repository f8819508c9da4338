//! The outbox: one row per letter and channel (or per notification e-mail),
//! written in the same transaction as the change that calls for it. A worker
//! claims due rows, makes the external call outside any transaction, then
//! records the outcome.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::letters::Channel;
use super::schema::deliveries;
use super::text_enum::text_enum;
use super::DbConn;

text_enum! {
    pub enum DeliveryState {
        Pending = "pending",
        /// Claimed by a worker that has not yet recorded an outcome.
        Claimed = "claimed",
        /// Waiting for a coordinator to submit it by hand (e-letter services).
        Manual = "manual",
        Sent = "sent",
        /// Gave up after the last attempt; a coordinator may retry it.
        Dead = "dead",
        /// Waiting for the prisoner's new address to be confirmed.
        Held = "held",
        Cancelled = "cancelled",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, QueryableByName)]
#[diesel(table_name = deliveries)]
pub struct Delivery {
    pub id: i64,
    pub letter_id: Option<i64>,
    /// A letter channel, or "email" for notifications.
    pub channel: String,
    /// Sent with every attempt, so a receiver can drop repeats.
    pub idempotency_key: String,
    pub state: DeliveryState,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_at: Option<NaiveDateTime>,
    pub claimed_by: Option<String>,
    pub last_error: Option<String>,
    pub receipt: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

/// The outbox row for a letter on its channel. The key is stable for the
/// pair, so enqueueing the same letter twice fails on the unique index.
pub fn enqueue_letter(
    conn: &mut DbConn,
    letter_id: i64,
    channel: Channel,
    now: NaiveDateTime,
) -> QueryResult<Delivery> {
    enqueue(
        conn,
        Some(letter_id),
        channel.as_str(),
        &format!("letter-{letter_id}-{channel}"),
        now,
    )
}

pub fn enqueue(
    conn: &mut DbConn,
    letter_id: Option<i64>,
    channel: &str,
    idempotency_key: &str,
    now: NaiveDateTime,
) -> QueryResult<Delivery> {
    diesel::insert_into(deliveries::table)
        .values((
            deliveries::letter_id.eq(letter_id),
            deliveries::channel.eq(channel),
            deliveries::idempotency_key.eq(idempotency_key),
            deliveries::state.eq(DeliveryState::Pending),
            deliveries::attempts.eq(0),
            deliveries::next_attempt_at.eq(now),
            deliveries::created_at.eq(now),
            deliveries::updated_at.eq(now),
        ))
        .returning(super::columns_of::<Delivery>())
        .get_result::<Delivery>(conn)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Delivery>> {
    deliveries::table
        .find(id)
        .select(Delivery::as_select())
        .first(conn)
        .optional()
}

pub fn for_letter(conn: &mut DbConn, letter_id: i64) -> QueryResult<Vec<Delivery>> {
    deliveries::table
        .filter(deliveries::letter_id.eq(letter_id))
        .order(deliveries::id)
        .select(Delivery::as_select())
        .load(conn)
}

/// Claims up to `limit` due rows for `worker`, counting an attempt on each,
/// in one statement. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several
/// workers claim side by side without taking the same row; SQLite runs the
/// statement under its single writer lock (one worker is the supported setup).
pub fn claim_due(
    conn: &mut DbConn,
    worker: &str,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<Delivery>> {
    #[derive(QueryableByName)]
    struct Claimed {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    let lock = match conn {
        DbConn::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        DbConn::Sqlite(_) => "",
    };
    let sql = format!(
        "UPDATE deliveries SET state = 'claimed', claimed_at = $1, claimed_by = $2, \
         attempts = attempts + 1, updated_at = $1 \
         WHERE id IN (SELECT id FROM deliveries WHERE state = 'pending' AND next_attempt_at <= $1 \
         ORDER BY next_attempt_at, id LIMIT $3{lock}) RETURNING id"
    );
    let ids: Vec<i64> = diesel::sql_query(sql)
        .bind::<diesel::sql_types::Timestamp, _>(now)
        .bind::<diesel::sql_types::Text, _>(worker)
        .bind::<diesel::sql_types::BigInt, _>(limit)
        .load::<Claimed>(conn)?
        .into_iter()
        .map(|c| c.id)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    deliveries::table
        .filter(deliveries::id.eq_any(&ids))
        .order(deliveries::id)
        .select(Delivery::as_select())
        .load(conn)
}

/// Puts claims older than `cutoff` back in the queue: their worker died
/// between claiming and recording. The receiver dedupes by idempotency key,
/// so sending again cannot deliver twice.
pub fn release_stale_claims(
    conn: &mut DbConn,
    cutoff: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        deliveries::table
            .filter(deliveries::state.eq(DeliveryState::Claimed))
            .filter(deliveries::claimed_at.lt(cutoff)),
    )
    .set((
        deliveries::state.eq(DeliveryState::Pending),
        deliveries::claimed_at.eq(None::<NaiveDateTime>),
        deliveries::claimed_by.eq(None::<String>),
        deliveries::next_attempt_at.eq(now),
        deliveries::updated_at.eq(now),
    ))
    .execute(conn)
}

type StillClaimed<'a> = diesel::dsl::Filter<
    diesel::dsl::Filter<
        diesel::dsl::Find<deliveries::table, i64>,
        diesel::dsl::Eq<deliveries::state, DeliveryState>,
    >,
    diesel::dsl::Eq<deliveries::claimed_by, &'a str>,
>;

/// The row while it is still `worker`'s claim. Every outcome is recorded
/// through this, so a worker whose claim expired and was taken over records
/// nothing.
fn still_claimed(id: i64, worker: &str) -> StillClaimed<'_> {
    deliveries::table
        .find(id)
        .filter(deliveries::state.eq(DeliveryState::Claimed))
        .filter(deliveries::claimed_by.eq(worker))
}

/// Records success; false when the row was no longer this worker's claim.
pub fn record_sent(
    conn: &mut DbConn,
    id: i64,
    worker: &str,
    receipt: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(still_claimed(id, worker))
        .set((
            deliveries::state.eq(DeliveryState::Sent),
            deliveries::receipt.eq(receipt),
            deliveries::last_error.eq(None::<String>),
            deliveries::finished_at.eq(now),
            deliveries::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Records a failed attempt: back to pending at `retry_at`, or dead when `None`.
pub fn record_failure(
    conn: &mut DbConn,
    id: i64,
    worker: &str,
    error: &str,
    retry_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let (state, next, finished) = match retry_at {
        Some(at) => (DeliveryState::Pending, at, None),
        None => (DeliveryState::Dead, now, Some(now)),
    };
    let n = diesel::update(still_claimed(id, worker))
        .set((
            deliveries::state.eq(state),
            deliveries::next_attempt_at.eq(next),
            deliveries::last_error.eq(error),
            deliveries::claimed_at.eq(None::<NaiveDateTime>),
            deliveries::claimed_by.eq(None::<String>),
            deliveries::finished_at.eq(finished),
            deliveries::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Hands the row to a coordinator: the channel has no automated path (an
/// e-letter service without a gateway, or paper post).
pub fn record_manual(
    conn: &mut DbConn,
    id: i64,
    worker: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    release_claim(conn, id, worker, DeliveryState::Manual, now)
}

/// Lets go of a row the worker claimed without sending it, leaving it in
/// `state` for someone else. False when no longer this worker's.
fn release_claim(
    conn: &mut DbConn,
    id: i64,
    worker: &str,
    state: DeliveryState,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(still_claimed(id, worker))
        .set((
            deliveries::state.eq(state),
            deliveries::claimed_at.eq(None::<NaiveDateTime>),
            deliveries::claimed_by.eq(None::<String>),
            deliveries::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Counts of rows per state, for the queue's health.
pub fn count_by_state(conn: &mut DbConn) -> QueryResult<Vec<(DeliveryState, i64)>> {
    deliveries::table
        .group_by(deliveries::state)
        .select((deliveries::state, diesel::dsl::count_star()))
        .order(deliveries::state)
        .load(conn)
}

/// A letter waiting in a coordinator's hands (paper post, or an e-letter
/// service without a gateway), with what the send screens show.
#[derive(Debug, Clone, Queryable)]
pub struct ManualItem {
    pub delivery_id: i64,
    pub letter_id: i64,
    pub channel: Channel,
    pub queued_at: Option<NaiveDateTime>,
    pub body: String,
    pub pen_name: Option<String>,
    pub reply_code: Option<String>,
    pub reply_blank: bool,
    /// JSON of the address the letter was written for.
    pub address_snapshot: Option<String>,
    pub prisoner_id: i64,
    /// The language the writer wrote in.
    pub language: String,
}

/// The letters waiting in a coordinator's hands on `channel`: rows handed
/// over by the worker whose letter still awaits sending, oldest first.
pub fn manual_queue(conn: &mut DbConn, channel: Channel) -> QueryResult<Vec<ManualItem>> {
    use super::schema::letters;
    deliveries::table
        .inner_join(letters::table)
        .filter(deliveries::state.eq(DeliveryState::Manual))
        .filter(letters::status.eq_any(super::letters::AWAITING_SENDING))
        .filter(letters::channel.eq(channel))
        .order((letters::queued_at, letters::id))
        .select((
            deliveries::id,
            letters::id,
            letters::channel,
            letters::queued_at,
            letters::body,
            letters::pen_name,
            letters::reply_code,
            letters::reply_blank,
            letters::address_snapshot,
            letters::prisoner_id,
            letters::language,
        ))
        .load(conn)
}

pub use super::letters::ManualReceipt;

/// Letters waiting by hand per channel: the rows `manual_queue` lists.
pub fn manual_counts(conn: &mut DbConn) -> QueryResult<Vec<(Channel, i64)>> {
    use super::schema::letters;
    deliveries::table
        .inner_join(letters::table)
        .filter(deliveries::state.eq(DeliveryState::Manual))
        .filter(letters::status.eq_any(super::letters::AWAITING_SENDING))
        .group_by(letters::channel)
        .select((letters::channel, diesel::dsl::count_star()))
        .order(letters::channel)
        .load(conn)
}

/// Records one row waiting by hand on `channel` as sent, only while its
/// letter still awaits sending; the letter when it did, `None` when the row
/// or its letter has moved on (someone decided first). The row is locked
/// before the letter, in the order cancelling takes them.
pub fn record_manual_sent(
    conn: &mut DbConn,
    id: i64,
    channel: Channel,
    receipt: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<Option<i64>> {
    use super::letters::AWAITING_SENDING;
    use super::schema::letters;
    let letter_waits = diesel::dsl::exists(
        letters::table
            .filter(letters::id.nullable().eq(deliveries::letter_id))
            .filter(letters::status.eq_any(AWAITING_SENDING)),
    );
    let letter = diesel::update(
        deliveries::table
            .find(id)
            .filter(deliveries::state.eq(DeliveryState::Manual))
            .filter(deliveries::channel.eq(channel.as_str()))
            .filter(letter_waits),
    )
    .set((
        deliveries::state.eq(DeliveryState::Sent),
        deliveries::receipt.eq(receipt),
        deliveries::finished_at.eq(now),
        deliveries::updated_at.eq(now),
    ))
    .returning(deliveries::letter_id)
    .get_result::<Option<i64>>(conn)
    .optional()?;
    Ok(letter.flatten())
}

/// The rows a coordinator may need to act on: dead, failing, stuck or
/// waiting by hand, newest trouble first.
pub fn needing_attention(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<Delivery>> {
    deliveries::table
        .filter(
            deliveries::state
                .eq(DeliveryState::Dead)
                .or(deliveries::state.eq(DeliveryState::Claimed))
                .or(deliveries::state
                    .eq(DeliveryState::Pending)
                    .and(deliveries::attempts.gt(0))),
        )
        .order(deliveries::updated_at.desc())
        .limit(limit)
        .select(Delivery::as_select())
        .load(conn)
}

/// Sends a dead or failing row again now, with a fresh set of attempts.
pub fn retry(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        deliveries::table.find(id).filter(
            deliveries::state
                .eq(DeliveryState::Dead)
                .or(deliveries::state.eq(DeliveryState::Pending)),
        ),
    )
    .set((
        deliveries::state.eq(DeliveryState::Pending),
        deliveries::attempts.eq(0),
        deliveries::next_attempt_at.eq(now),
        deliveries::finished_at.eq(None::<NaiveDateTime>),
        deliveries::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Stops a row that has not been sent. A claimed row is left alone: its
/// worker may be talking to the service right now.
pub fn cancel(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<Option<Delivery>> {
    let n = diesel::update(
        deliveries::table.find(id).filter(
            deliveries::state
                .eq(DeliveryState::Dead)
                .or(deliveries::state.eq(DeliveryState::Pending))
                .or(deliveries::state.eq(DeliveryState::Manual)),
        ),
    )
    .set((
        deliveries::state.eq(DeliveryState::Cancelled),
        deliveries::finished_at.eq(now),
        deliveries::updated_at.eq(now),
    ))
    .execute(conn)?;
    if n == 0 {
        return Ok(None);
    }
    find(conn, id)
}

/// Holds a letter's unsent rows (pending or waiting by hand) while the
/// prisoner's address is uncertain; returns how many.
pub fn hold_for_letter(
    conn: &mut DbConn,
    letter_id: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        deliveries::table
            .filter(deliveries::letter_id.eq(letter_id))
            .filter(
                deliveries::state
                    .eq(DeliveryState::Pending)
                    .or(deliveries::state.eq(DeliveryState::Manual)),
            ),
    )
    .set((
        deliveries::state.eq(DeliveryState::Held),
        deliveries::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Queues the letter on `channel`: a held row for it goes back to pending
/// with fresh attempts; otherwise a new row is written.
pub fn queue_letter(
    conn: &mut DbConn,
    letter_id: i64,
    channel: Channel,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let reopened = diesel::update(
        deliveries::table
            .filter(deliveries::letter_id.eq(letter_id))
            .filter(deliveries::channel.eq(channel.as_str()))
            .filter(deliveries::state.eq(DeliveryState::Held)),
    )
    .set((
        deliveries::state.eq(DeliveryState::Pending),
        deliveries::attempts.eq(0),
        deliveries::next_attempt_at.eq(now),
        deliveries::updated_at.eq(now),
    ))
    .execute(conn)?;
    if reopened == 0 {
        enqueue_letter(conn, letter_id, channel, now)?;
    }
    Ok(())
}

/// Records that the row was not sent because it is no longer wanted (a
/// reminder its recipient turned off); false when no longer this worker's.
pub fn record_cancelled(
    conn: &mut DbConn,
    id: i64,
    worker: &str,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(still_claimed(id, worker))
        .set((
            deliveries::state.eq(DeliveryState::Cancelled),
            deliveries::last_error.eq(reason),
            deliveries::finished_at.eq(now),
            deliveries::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Puts the row back on hold, unsent: its letter was held (the prisoner
/// moved) after the row was claimed. False when no longer this worker's.
pub fn record_held(
    conn: &mut DbConn,
    id: i64,
    worker: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    release_claim(conn, id, worker, DeliveryState::Held, now)
}

/// Claims one pending row for `worker`, whatever its due time; false when
/// someone else holds it or it is done.
pub fn claim_one(
    conn: &mut DbConn,
    id: i64,
    worker: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        deliveries::table
            .find(id)
            .filter(deliveries::state.eq(DeliveryState::Pending)),
    )
    .set((
        deliveries::state.eq(DeliveryState::Claimed),
        deliveries::claimed_at.eq(now),
        deliveries::claimed_by.eq(worker),
        deliveries::attempts.eq(deliveries::attempts + 1),
        deliveries::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

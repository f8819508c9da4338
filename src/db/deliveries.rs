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
        Cancelled = "cancelled",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
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

//! The record of e-mails sent to people, one row per reason. The dedup key
//! (user, kind and period) is unique, so a reminder is recorded, and sent, once.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::notifications;
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = notifications)]
pub struct Notification {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub dedup_key: String,
    pub subject_type: Option<String>,
    pub subject_id: Option<i64>,
    pub delivery_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = notifications)]
pub struct NewNotification {
    pub user_id: i64,
    pub kind: String,
    pub dedup_key: String,
    pub subject_type: Option<String>,
    pub subject_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Records the notification unless one with the same key exists; `None` then.
/// The insert runs in a savepoint so that, inside a caller's transaction, a
/// duplicate does not abort the rest of it (PostgreSQL would).
pub fn insert_once(conn: &mut DbConn, new: &NewNotification) -> QueryResult<Option<Notification>> {
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(notifications::table)
            .values(new)
            .returning(super::columns_of::<Notification>())
            .get_result::<Notification>(conn)
    });
    match inserted {
        Ok(n) => Ok(Some(n)),
        Err(e) if super::is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

pub fn for_user(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<Notification>> {
    notifications::table
        .filter(notifications::user_id.eq(user_id))
        .order(notifications::id)
        .select(Notification::as_select())
        .load(conn)
}

pub fn mark_sent(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(notifications::table.find(id))
        .set(notifications::sent_at.eq(now))
        .execute(conn)
        .map(drop)
}

pub fn set_delivery(conn: &mut DbConn, id: i64, delivery_id: i64) -> QueryResult<()> {
    diesel::update(notifications::table.find(id))
        .set(notifications::delivery_id.eq(delivery_id))
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Notification>> {
    notifications::table
        .find(id)
        .select(Notification::as_select())
        .first(conn)
        .optional()
}

pub fn for_delivery(conn: &mut DbConn, delivery_id: i64) -> QueryResult<Option<Notification>> {
    notifications::table
        .filter(notifications::delivery_id.eq(delivery_id))
        .select(Notification::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_key(conn: &mut DbConn, dedup_key: &str) -> QueryResult<Option<Notification>> {
    notifications::table
        .filter(notifications::dedup_key.eq(dedup_key))
        .select(Notification::as_select())
        .first(conn)
        .optional()
}

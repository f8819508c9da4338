//! The reads behind the reminder scan. Each is one query over all
//! supporters at once, so that a scan costs the same few queries however
//! many people are due.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::letters::{LetterStatus, ON_THE_WAY};
use super::replies::MatchState;
use super::schema::{letters, notifications, placements, reminder_switches, replies, users};
use super::users::User;
use super::DbConn;
use crate::reminders::ReminderKind;

/// Everyone who may get e-mail: accounts that are not disabled.
pub fn active_users(conn: &mut DbConn) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::disabled.eq(false))
        .order(users::id)
        .select(User::as_select())
        .load(conn)
}

/// One writer's correspondence with one person: when the first and the
/// latest of their sent letters went out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Correspondence {
    pub writer_id: i64,
    pub prisoner_id: i64,
    pub first_sent: NaiveDateTime,
    pub last_sent: NaiveDateTime,
}

/// Every writer and person who have letters sent between them.
pub fn correspondences(conn: &mut DbConn) -> QueryResult<Vec<Correspondence>> {
    use diesel::dsl::{max, min};
    let rows: Vec<(i64, i64, Option<NaiveDateTime>, Option<NaiveDateTime>)> = letters::table
        .filter(letters::sent_at.is_not_null())
        .group_by((letters::writer_id, letters::prisoner_id))
        .select((
            letters::writer_id,
            letters::prisoner_id,
            min(letters::sent_at),
            max(letters::sent_at),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(writer_id, prisoner_id, first, last)| {
            Some(Correspondence {
                writer_id,
                prisoner_id,
                first_sent: first?,
                last_sent: last?,
            })
        })
        .collect())
}

/// Writer and person pairs with a letter being written or on its way.
pub fn letters_on_the_way(conn: &mut DbConn) -> QueryResult<HashSet<(i64, i64)>> {
    let rows: Vec<(i64, i64)> = letters::table
        .filter(letters::status.eq_any(ON_THE_WAY))
        .select((letters::writer_id, letters::prisoner_id))
        .distinct()
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// A new address: a person's current placement, recorded recently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewAddress {
    pub placement_id: i64,
    pub prisoner_id: i64,
    pub recorded_at: NaiveDateTime,
    /// When the person arrived there, when known: a move recorded today may
    /// be years old (an import, or the demo).
    pub started_on: Option<chrono::NaiveDate>,
}

impl NewAddress {
    /// The day the move happened, as far as anyone knows.
    pub fn happened_on(&self) -> chrono::NaiveDate {
        self.started_on.unwrap_or(self.recorded_at.date())
    }
}

/// Current placements with a facility recorded since `since`. Only the
/// open placement counts: an address that has itself been replaced is not
/// news, and so each person has at most one new address.
pub fn new_addresses_since(
    conn: &mut DbConn,
    since: NaiveDateTime,
) -> QueryResult<Vec<NewAddress>> {
    let rows: Vec<(i64, i64, NaiveDateTime, Option<chrono::NaiveDate>)> = placements::table
        .filter(placements::created_at.ge(since))
        .filter(placements::facility_id.is_not_null())
        .filter(placements::ended_on.is_null())
        .select((
            placements::id,
            placements::prisoner_id,
            placements::created_at,
            placements::started_on,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(placement_id, prisoner_id, recorded_at, started_on)| NewAddress {
                placement_id,
                prisoner_id,
                recorded_at,
                started_on,
            },
        )
        .collect())
}

/// A letter returned to its writer or rejected: (letter, writer, status, when).
pub type Decision = (i64, i64, LetterStatus, NaiveDateTime);

/// A letter, its writer, status, and when it was returned or rejected.
type DecisionRow = (
    i64,
    i64,
    LetterStatus,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

/// Letters returned to their writer or rejected since `since`. Only
/// letters still in that status count.
pub fn returned_or_rejected_since(
    conn: &mut DbConn,
    since: NaiveDateTime,
) -> QueryResult<Vec<Decision>> {
    let rows: Vec<DecisionRow> = letters::table
        .filter(
            letters::status
                .eq(LetterStatus::ReturnedToWriter)
                .and(letters::returned_to_writer_at.ge(since))
                .or(letters::status
                    .eq(LetterStatus::Rejected)
                    .and(letters::rejected_at.ge(since))),
        )
        .select((
            letters::id,
            letters::writer_id,
            letters::status,
            letters::returned_to_writer_at,
            letters::rejected_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, writer, status, returned, rejected)| {
            let at = if status == LetterStatus::Rejected {
                rejected
            } else {
                returned
            };
            Some((id, writer, status, at?))
        })
        .collect())
}

/// A matched reply whose writer has not been told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UntoldReply {
    pub reply_id: i64,
    pub writer_id: i64,
    pub prisoner_id: Option<i64>,
    /// When it was logged: the news is the logging, not the date on the
    /// envelope, which a coordinator may enter days later.
    pub logged_at: NaiveDateTime,
}

/// Matched replies received since `since` whose writer has not been told,
/// newest first.
pub fn untold_replies_since(
    conn: &mut DbConn,
    since: NaiveDateTime,
) -> QueryResult<Vec<UntoldReply>> {
    let rows: Vec<(i64, Option<i64>, Option<i64>, NaiveDateTime)> = replies::table
        .filter(replies::received_at.ge(since))
        .filter(replies::match_state.eq(MatchState::Matched))
        .filter(replies::writer_notified_at.is_null())
        .filter(replies::writer_id.is_not_null())
        .order(replies::id.desc())
        .select((
            replies::id,
            replies::writer_id,
            replies::prisoner_id,
            replies::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(reply_id, writer, prisoner_id, logged_at)| {
            Some(UntoldReply {
                reply_id,
                writer_id: writer?,
                prisoner_id,
                logged_at,
            })
        })
        .collect())
}

/// When each user last switched a kind of reminder on, where recorded.
pub fn switched_on(conn: &mut DbConn) -> QueryResult<HashMap<(i64, ReminderKind), NaiveDateTime>> {
    let rows: Vec<(i64, ReminderKind, NaiveDateTime)> = reminder_switches::table
        .select((
            reminder_switches::user_id,
            reminder_switches::kind,
            reminder_switches::switched_on_at,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(|(u, k, at)| ((u, k), at)).collect())
}

/// Records that `user_id` switched `kinds` on at `now`.
pub fn record_switched_on(
    conn: &mut DbConn,
    user_id: i64,
    kinds: &[ReminderKind],
    now: NaiveDateTime,
) -> QueryResult<()> {
    for kind in kinds {
        // Delete and insert rather than an upsert: the same statements on both backends.
        diesel::delete(reminder_switches::table.find((user_id, kind.as_str()))).execute(conn)?;
        diesel::insert_into(reminder_switches::table)
            .values((
                reminder_switches::user_id.eq(user_id),
                reminder_switches::kind.eq(kind.as_str()),
                reminder_switches::switched_on_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Which of `keys` are recorded already.
pub fn existing_keys(conn: &mut DbConn, keys: &[String]) -> QueryResult<HashSet<String>> {
    let mut found = HashSet::new();
    // Chunks keep each statement under SQLite's bound-parameter limit.
    for chunk in keys.chunks(500) {
        let rows: Vec<String> = notifications::table
            .filter(notifications::dedup_key.eq_any(chunk))
            .select(notifications::dedup_key)
            .load(conn)?;
        found.extend(rows);
    }
    Ok(found)
}

/// A birth month and day, either of which may be unknown.
pub type MonthDay = (Option<i32>, Option<i32>);

/// The people among `ids` who can be written to, with their birth month
/// and day when known.
pub fn writable_with_birthdays(
    conn: &mut DbConn,
    ids: &[i64],
) -> QueryResult<HashMap<i64, MonthDay>> {
    use super::schema::prisoners;
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, Option<i32>, Option<i32>)> = prisoners::table
            .filter(prisoners::id.eq_any(chunk))
            .filter(super::prisoners::may_be_written_to())
            .select((prisoners::id, prisoners::birth_month, prisoners::birth_day))
            .load(conn)?;
        out.extend(rows.into_iter().map(|(id, m, d)| (id, (m, d))));
    }
    Ok(out)
}

/// When `writer`'s latest letter to `prisoner` was sent.
pub fn last_sent_by(
    conn: &mut DbConn,
    writer: i64,
    prisoner: i64,
) -> QueryResult<Option<NaiveDateTime>> {
    letters::table
        .filter(letters::writer_id.eq(writer))
        .filter(letters::prisoner_id.eq(prisoner))
        .select(diesel::dsl::max(letters::sent_at))
        .first(conn)
}

/// Which of the people with any of `interests` (prisoner tags) there are.
pub fn sharing_interests(conn: &mut DbConn, interests: &[String]) -> QueryResult<HashSet<i64>> {
    use super::prisoners::TagKind;
    use super::schema::prisoner_tags;
    if interests.is_empty() {
        return Ok(HashSet::new());
    }
    let ids: Vec<i64> = prisoner_tags::table
        .filter(prisoner_tags::kind.eq(TagKind::Interest))
        .filter(prisoner_tags::value.eq_any(interests))
        .select(prisoner_tags::prisoner_id)
        .load(conn)?;
    Ok(ids.into_iter().collect())
}

//! Replies from prisoners, matched to a letter (and so a writer) where
//! possible, and the scans that came with them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{replies, reply_files};
use super::text_enum::text_enum;
use super::DbConn;

text_enum! {
    pub enum ReplyChannel {
        Paper = "paper",
        FsinPismoScan = "fsin_pismo_scan",
        ZonatelecomScan = "zonatelecom_scan",
        Email = "email",
    }
}

text_enum! {
    pub enum MatchState {
        Matched = "matched",
        /// Waiting for a coordinator to say whose reply it is.
        Unmatched = "unmatched",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = replies)]
pub struct Reply {
    pub id: i64,
    pub prisoner_id: Option<i64>,
    pub letter_id: Option<i64>,
    pub writer_id: Option<i64>,
    pub received_at: NaiveDateTime,
    pub channel: ReplyChannel,
    /// The code as read from the reply, before matching.
    pub reply_code: Option<String>,
    pub transcription: String,
    pub notes: String,
    /// An unused reply blank came back alone: the letter was likely blocked.
    pub blank_unused: bool,
    pub match_state: MatchState,
    /// The e-mail's Message-ID, so importing the same mail twice adds nothing.
    pub source_message_id: Option<String>,
    pub logged_by: Option<i64>,
    pub writer_notified_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = replies)]
pub struct NewReply {
    pub prisoner_id: Option<i64>,
    pub letter_id: Option<i64>,
    pub writer_id: Option<i64>,
    pub received_at: NaiveDateTime,
    pub channel: ReplyChannel,
    pub reply_code: Option<String>,
    pub transcription: String,
    pub notes: String,
    pub blank_unused: bool,
    pub match_state: MatchState,
    pub source_message_id: Option<String>,
    pub logged_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = reply_files)]
pub struct ReplyFile {
    pub id: i64,
    pub reply_id: i64,
    /// A random name inside the data directory; never derived from user input.
    pub stored_name: String,
    pub original_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = reply_files)]
pub struct NewReplyFile {
    pub reply_id: i64,
    pub stored_name: String,
    pub original_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, new: &NewReply) -> QueryResult<Reply> {
    diesel::insert_into(replies::table)
        .values(new)
        .returning(super::columns_of::<Reply>())
        .get_result::<Reply>(conn)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Reply>> {
    replies::table
        .find(id)
        .select(Reply::as_select())
        .first(conn)
        .optional()
}

pub fn add_file(conn: &mut DbConn, new: &NewReplyFile) -> QueryResult<ReplyFile> {
    diesel::insert_into(reply_files::table)
        .values(new)
        .returning(super::columns_of::<ReplyFile>())
        .get_result::<ReplyFile>(conn)
}

pub fn files(conn: &mut DbConn, reply_id: i64) -> QueryResult<Vec<ReplyFile>> {
    reply_files::table
        .filter(reply_files::reply_id.eq(reply_id))
        .order(reply_files::id)
        .select(ReplyFile::as_select())
        .load(conn)
}

/// Attaches a reply to its letter, writer and prisoner (manual matching).
/// Matches a reply nobody has matched yet; false when someone did first
/// (or it does not exist).
pub fn match_unmatched(
    conn: &mut DbConn,
    id: i64,
    prisoner_id: i64,
    letter_id: Option<i64>,
    writer_id: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        replies::table
            .find(id)
            .filter(replies::match_state.eq(MatchState::Unmatched)),
    )
    .set((
        replies::prisoner_id.eq(prisoner_id),
        replies::letter_id.eq(letter_id),
        replies::writer_id.eq(writer_id),
        replies::match_state.eq(MatchState::Matched),
        replies::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// What the list of replies is narrowed to; `None` leaves a field open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplyFilter {
    /// Any of these people (a number, or everyone a name fits).
    pub prisoner_ids: Option<Vec<i64>>,
    /// Any of these writers.
    pub writer_ids: Option<Vec<i64>>,
    /// Received on or after.
    pub from: Option<NaiveDateTime>,
    /// Received before.
    pub until: Option<NaiveDateTime>,
    pub state: Option<MatchState>,
}

/// Where a page of the list starts: after this (received, id), newest first.
pub type Cursor = (NaiveDateTime, i64);

/// Up to `limit` replies matching `filter`, newest first, after `cursor`.
/// A keyset page: each page costs the same however much history there is,
/// read in the order of the `replies_received` (or `replies_writer`,
/// `replies_prisoner`, `replies_state_received`) index.
pub fn page(
    conn: &mut DbConn,
    filter: &ReplyFilter,
    cursor: Option<Cursor>,
    limit: i64,
) -> QueryResult<Vec<Reply>> {
    let mut query = replies::table.into_boxed::<super::MultiBackend>();
    if let Some(ids) = &filter.prisoner_ids {
        query = query.filter(replies::prisoner_id.eq_any(ids.clone()));
    }
    if let Some(ids) = &filter.writer_ids {
        query = query.filter(replies::writer_id.eq_any(ids.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(replies::received_at.ge(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(replies::received_at.lt(until));
    }
    if let Some(state) = filter.state {
        query = query.filter(replies::match_state.eq(state));
    }
    if let Some((at, id)) = cursor {
        query = query.filter(
            replies::received_at
                .lt(at)
                .or(replies::received_at.eq(at).and(replies::id.lt(id))),
        );
    }
    query
        .order((replies::received_at.desc(), replies::id.desc()))
        .limit(limit)
        .select(Reply::as_select())
        .load(conn)
}

/// How many replies wait to be matched.
pub fn count_unmatched(conn: &mut DbConn) -> QueryResult<i64> {
    replies::table
        .filter(replies::match_state.eq(MatchState::Unmatched))
        .count()
        .get_result(conn)
}

/// The replies that answer `letter_id`, oldest first.
pub fn for_letter(conn: &mut DbConn, letter_id: i64) -> QueryResult<Vec<Reply>> {
    replies::table
        .filter(replies::letter_id.eq(letter_id))
        .order((replies::received_at, replies::id))
        .select(Reply::as_select())
        .load(conn)
}

/// Writers whose name or e-mail contains `text` (at most `limit`), for the
/// list's writer filter.
pub fn writers_matching(conn: &mut DbConn, text: &str, limit: i64) -> QueryResult<Vec<i64>> {
    use super::schema::users;
    let pattern = format!("%{}%", super::prisoners::like_escape(text.trim()));
    users::table
        .filter(
            users::display_name
                .like(pattern.clone())
                .escape('\\')
                .or(users::email.like(pattern.to_lowercase()).escape('\\'))
                .or(users::pen_name.like(pattern).escape('\\')),
        )
        .order(users::id)
        .limit(limit)
        .select(users::id)
        .load(conn)
}

/// The names of `ids` (writers), for the list.
pub fn writer_names(
    conn: &mut DbConn,
    ids: &[i64],
) -> QueryResult<std::collections::HashMap<i64, String>> {
    use super::schema::users;
    let rows: Vec<(i64, String)> = users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// The full names of `ids` (prisoners), for the list.
pub fn prisoner_names(
    conn: &mut DbConn,
    ids: &[i64],
) -> QueryResult<std::collections::HashMap<i64, String>> {
    use super::prisoners::Prisoner;
    use super::schema::prisoners;
    let rows: Vec<Prisoner> = prisoners::table
        .filter(prisoners::id.eq_any(ids))
        .select(Prisoner::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(|p| (p.id, p.full_name())).collect())
}

/// Replies waiting for a coordinator to say whose they are, oldest first.
pub fn unmatched(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<Reply>> {
    replies::table
        .filter(replies::match_state.eq(MatchState::Unmatched))
        .order((replies::received_at, replies::id))
        .limit(limit)
        .select(Reply::as_select())
        .load(conn)
}

pub fn find_by_message_id(conn: &mut DbConn, message_id: &str) -> QueryResult<Option<Reply>> {
    replies::table
        .filter(replies::source_message_id.eq(message_id))
        .select(Reply::as_select())
        .first(conn)
        .optional()
}

pub fn mark_writer_notified(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(replies::table.find(id))
        .set(replies::writer_notified_at.eq(now))
        .execute(conn)
        .map(drop)
}

/// Marks the writer told of every earlier untold reply from the same person
/// as `reply`: one e-mail says that person replied.
pub fn mark_earlier_notified(
    conn: &mut DbConn,
    reply: &Reply,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let (Some(writer), Some(prisoner)) = (reply.writer_id, reply.prisoner_id) else {
        return Ok(());
    };
    diesel::update(
        replies::table
            .filter(replies::writer_id.eq(writer))
            .filter(replies::prisoner_id.eq(prisoner))
            .filter(replies::id.le(reply.id))
            .filter(replies::writer_notified_at.is_null()),
    )
    .set(replies::writer_notified_at.eq(now))
    .execute(conn)
    .map(drop)
}

/// Letters sent and letters answered, per group: the reply rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    pub group: String,
    pub sent: i64,
    pub replied: i64,
}

/// Reply rates per channel, from the letters' own timestamps (always current).
pub fn rates_by_channel(conn: &mut DbConn) -> QueryResult<Vec<Rate>> {
    use super::schema::letters;
    let sent: Vec<(super::letters::Channel, i64)> = letters::table
        .filter(letters::sent_at.is_not_null())
        .group_by(letters::channel)
        .select((letters::channel, diesel::dsl::count_star()))
        .load(conn)?;
    let replied: Vec<(super::letters::Channel, i64)> = letters::table
        .filter(letters::sent_at.is_not_null())
        .filter(letters::replied_at.is_not_null())
        .group_by(letters::channel)
        .select((letters::channel, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(sent
        .into_iter()
        .map(|(channel, n)| Rate {
            group: channel.to_string(),
            sent: n,
            replied: replied
                .iter()
                .find(|(c, _)| *c == channel)
                .map_or(0, |(_, r)| *r),
        })
        .collect())
}

/// Reply rates per facility the letters were written to (letters written
/// while the person was in transit are left out).
pub fn rates_by_facility(conn: &mut DbConn) -> QueryResult<Vec<Rate>> {
    use super::schema::facilities;
    let figures = super::letters::by_facility(conn, None)?;
    let names: std::collections::HashMap<i64, String> = facilities::table
        .select((facilities::id, facilities::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let mut rates: Vec<Rate> = figures
        .into_iter()
        .filter_map(|f| {
            Some(Rate {
                group: names.get(&f.facility_id?)?.clone(),
                sent: f.sent,
                replied: f.replied,
            })
        })
        .collect();
    rates.sort_by(|a, b| a.group.cmp(&b.group));
    Ok(rates)
}

//! The list of all replies a coordinator searches: by prisoner (number or
//! name), writer, date received and whether matched; newest first, a page
//! at a time from a cursor, so that a page costs the same after years of
//! replies as on the first day.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};

use crate::db::prisoners::{self, DirectoryFilter};
use crate::db::replies::{self, Cursor, MatchState, Reply, ReplyFilter};
use crate::db::{DbConn, DbError};

/// Replies on one page.
pub const PAGE_SIZE: i64 = 50;
/// Most people or writers a name filter may stand for.
const MAX_NAMED: i64 = 50;

/// What the list is asked for, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Criteria {
    /// A prisoner's number or (part of) a name.
    pub prisoner: Option<String>,
    /// A writer's number, or (part of) their name or e-mail.
    pub writer: Option<String>,
    pub from: Option<NaiveDate>,
    /// Inclusive.
    pub to: Option<NaiveDate>,
    pub state: Option<MatchState>,
    pub after: Option<Cursor>,
}

/// A cursor as it travels in a link: `2026-11-20T12:00:00_15`.
pub fn cursor_text((at, id): Cursor) -> String {
    format!("{}_{id}", at.format("%Y-%m-%dT%H:%M:%S%.f"))
}

/// A cursor from a link; `None` for anything else (the first page).
pub fn parse_cursor(text: &str) -> Option<Cursor> {
    let (at, id) = text.rsplit_once('_')?;
    let at = NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    Some((at, id.parse().ok()?))
}

/// One page of the list, with the names it shows.
#[derive(Debug, Default)]
pub struct ListPage {
    pub replies: Vec<Reply>,
    pub prisoners: HashMap<i64, String>,
    pub writers: HashMap<i64, String>,
    /// Where the next page starts, if there is one.
    pub next: Option<Cursor>,
    pub unmatched: i64,
}

fn ids_of(
    text: &str,
    by_name: impl FnOnce(&str) -> Result<Vec<i64>, DbError>,
) -> Result<Vec<i64>, DbError> {
    let number = text.trim().trim_start_matches(['№', '#']).trim();
    match number.parse::<i64>() {
        Ok(id) => Ok(vec![id]),
        Err(_) => by_name(text.trim()),
    }
}

/// Reads one page of replies for `criteria`.
pub fn load(conn: &mut DbConn, criteria: &Criteria) -> Result<ListPage, DbError> {
    let mut filter = ReplyFilter {
        from: criteria.from.and_then(|d| d.and_hms_opt(0, 0, 0)),
        until: criteria
            .to
            .and_then(|d| d.succ_opt())
            .and_then(|d| d.and_hms_opt(0, 0, 0)),
        state: criteria.state,
        ..ReplyFilter::default()
    };
    if let Some(text) = &criteria.prisoner {
        filter.prisoner_ids = Some(ids_of(text, |name| {
            let search = DirectoryFilter {
                query: Some(name.to_owned()),
                ..DirectoryFilter::default()
            };
            let (found, _) = prisoners::directory(conn, &search, MAX_NAMED, 0)?;
            Ok(found.into_iter().map(|e| e.prisoner.id).collect())
        })?);
    }
    if let Some(text) = &criteria.writer {
        filter.writer_ids = Some(ids_of(text, |name| {
            Ok(replies::writers_matching(conn, name, MAX_NAMED)?)
        })?);
    }
    let mut rows = replies::page(conn, &filter, criteria.after, PAGE_SIZE + 1)?;
    let next = if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|r| (r.received_at, r.id))
    } else {
        None
    };
    let prisoner_ids: Vec<i64> = rows.iter().filter_map(|r| r.prisoner_id).collect();
    let writer_ids: Vec<i64> = rows.iter().filter_map(|r| r.writer_id).collect();
    Ok(ListPage {
        prisoners: replies::prisoner_names(conn, &prisoner_ids)?,
        writers: replies::writer_names(conn, &writer_ids)?,
        replies: rows,
        next,
        unmatched: replies::count_unmatched(conn)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_survive_a_link_and_garbage_is_the_first_page() {
        let at = NaiveDateTime::parse_from_str("2026-11-20 12:00:05", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(parse_cursor(&cursor_text((at, 15))), Some((at, 15)));
        assert_eq!(parse_cursor("2026-11-20T12:00:05_x"), None);
        assert_eq!(parse_cursor("nonsense"), None);
        assert_eq!(parse_cursor(""), None);
    }
}

//! Whose reply it is, from what a coordinator types: the letter's reply code,
//! the prisoner's number (shown on the prisoner's page and in the replies
//! list), or the prisoner's name. A name that fits several people gives the
//! choice back rather than guessing.

use crate::db::prisoners::{self, DirectoryFilter};
use crate::db::{letters, DbConn, DbError};

use super::codes;

/// Most people offered for a name that fits several.
pub const MAX_CANDIDATES: i64 = 10;

/// A person a name fits: their number and full name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Candidate {
    pub id: i64,
    pub name: String,
}

/// What the typed text points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whom {
    /// A letter, by its reply code.
    Letter {
        prisoner_id: i64,
        letter_id: i64,
    },
    /// A prisoner, by number or by the only name that fits.
    Prisoner(i64),
    /// A name that fits several people.
    Several(Vec<Candidate>),
    Nobody,
}

/// Reads `typed` as a reply code, a prisoner's number, or a name, in that order.
pub fn resolve(conn: &mut DbConn, typed: &str) -> Result<Whom, DbError> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(Whom::Nobody);
    }
    if let Some(code) = codes::normalize(typed) {
        if let Some(letter) = letters::find_by_reply_code(conn, &code)? {
            return Ok(Whom::Letter {
                prisoner_id: letter.prisoner_id,
                letter_id: letter.id,
            });
        }
    }
    let number = typed.trim_start_matches(['№', '#']).trim();
    if let Ok(id) = number.parse::<i64>() {
        return Ok(match prisoners::find(conn, id)? {
            Some(p) => Whom::Prisoner(p.id),
            None => Whom::Nobody,
        });
    }
    let filter = DirectoryFilter {
        query: Some(typed.to_owned()),
        ..DirectoryFilter::default()
    };
    let (found, _) = prisoners::directory(conn, &filter, MAX_CANDIDATES, 0)?;
    Ok(match found.as_slice() {
        [] => Whom::Nobody,
        [only] => Whom::Prisoner(only.prisoner.id),
        several => Whom::Several(
            several
                .iter()
                .map(|e| Candidate {
                    id: e.prisoner.id,
                    name: e.prisoner.full_name(),
                })
                .collect(),
        ),
    })
}

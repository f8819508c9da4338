//! E-mail reminders to supporters (issue 8): the kinds, when each is due,
//! and the signed links that turn them off.

pub mod scan;
pub mod schedule;
pub mod send;
pub mod token;

use crate::db::text_enum::text_enum;
use chrono::NaiveDateTime;

use crate::db::users::{self, RemindFrequency, ReminderPrefs};
use crate::db::{audit, write_tx, DbConn, DbError};

text_enum! {
    /// The kinds of reminder a supporter can turn on and off.
    pub enum ReminderKind {
        /// The people longest without mail, matched to one's languages and interests.
        Digest = "digest",
        /// "You last wrote to X 30 days ago."
        DrySpell = "dry_spell",
        Birthdays = "birthdays",
        Replies = "replies",
        Transfers = "transfers",
        /// One's letter was returned for edits or rejected.
        LetterStatus = "letter_status",
        CoordinatorDigest = "coordinator_digest",
    }
}

/// What an unsubscribe link turns off: one kind, or every reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsubscribe {
    Kind(ReminderKind),
    All,
}

impl Unsubscribe {
    pub fn as_str(self) -> &'static str {
        match self {
            Unsubscribe::Kind(kind) => kind.as_str(),
            Unsubscribe::All => "all",
        }
    }

    pub fn parse(s: &str) -> Option<Unsubscribe> {
        match s {
            "all" => Some(Unsubscribe::All),
            other => other.parse().ok().map(Unsubscribe::Kind),
        }
    }

    /// The preferences with this turned off; nothing else changes.
    pub fn apply(self, prefs: &ReminderPrefs) -> ReminderPrefs {
        let mut p = prefs.clone();
        match self {
            Unsubscribe::Kind(ReminderKind::Digest) => p.remind_digest = false,
            Unsubscribe::Kind(ReminderKind::DrySpell) => p.remind_dry_spell_days = None,
            Unsubscribe::Kind(ReminderKind::Birthdays) => p.remind_birthdays = false,
            Unsubscribe::Kind(ReminderKind::Replies) => p.remind_replies = false,
            Unsubscribe::Kind(ReminderKind::Transfers) => p.remind_transfers = false,
            Unsubscribe::Kind(ReminderKind::LetterStatus) => p.remind_letter_status = false,
            Unsubscribe::Kind(ReminderKind::CoordinatorDigest) => {
                p.remind_coordinator_digest = false
            }
            Unsubscribe::All => {
                p.remind_frequency = RemindFrequency::Never;
                p.remind_digest = false;
                p.remind_dry_spell_days = None;
                p.remind_birthdays = false;
                p.remind_replies = false;
                p.remind_transfers = false;
                p.remind_letter_status = false;
                p.remind_coordinator_digest = false;
            }
        }
        p
    }
}

/// Whether `prefs` have `kind` switched on.
pub fn is_on(prefs: &ReminderPrefs, kind: ReminderKind) -> bool {
    let digests = prefs.remind_frequency != RemindFrequency::Never;
    match kind {
        ReminderKind::Digest => digests && prefs.remind_digest,
        ReminderKind::CoordinatorDigest => digests && prefs.remind_coordinator_digest,
        ReminderKind::DrySpell => prefs.remind_dry_spell_days.is_some(),
        ReminderKind::Birthdays => prefs.remind_birthdays,
        ReminderKind::Replies => prefs.remind_replies,
        ReminderKind::Transfers => prefs.remind_transfers,
        ReminderKind::LetterStatus => prefs.remind_letter_status,
    }
}

/// Saves a user's reminder choices with an audit entry, and notes when each
/// kind was switched on: the scan reminds only of what happens after that.
pub fn save(
    conn: &mut DbConn,
    user_id: i64,
    prefs: &ReminderPrefs,
    action: &str,
    details: &serde_json::Value,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    write_tx(conn, |conn| {
        let before = users::find(conn, user_id)?.map(|u| ReminderPrefs::of(&u));
        let switched: Vec<ReminderKind> = ReminderKind::ALL
            .iter()
            .copied()
            .filter(|k| is_on(prefs, *k) && !before.as_ref().is_some_and(|b| is_on(b, *k)))
            .collect();
        users::set_reminders(conn, user_id, prefs, now)?;
        crate::db::reminders::record_switched_on(conn, user_id, &switched, now)?;
        audit::record(
            conn,
            Some(user_id),
            action,
            "user",
            Some(user_id),
            details,
            now,
        )?;
        Ok(())
    })
}

/// Most interests one may list, and the longest one.
pub const MAX_INTERESTS: usize = 10;
pub const MAX_INTEREST_CHARS: usize = 40;

/// Interests as typed ("Книги, шахматы;  кино") in the stored form: lower
/// case, comma-separated, without repeats. `None` when there are too many or
/// one is too long.
pub fn normalize_interests(typed: &str) -> Option<String> {
    let mut seen: Vec<String> = Vec::new();
    for part in typed.split([',', ';', '\n']) {
        let part = part
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        if part.is_empty() || seen.contains(&part) {
            continue;
        }
        if part.chars().count() > MAX_INTEREST_CHARS {
            return None;
        }
        seen.push(part);
    }
    (seen.len() <= MAX_INTERESTS).then(|| seen.join(", "))
}

/// The stored interests as a list.
pub fn interests(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn interests_are_normalised_and_limited() {
        use super::normalize_interests as n;
        assert_eq!(
            n(" Книги,  шахматы;кино, книги ").as_deref(),
            Some("книги, шахматы, кино")
        );
        assert_eq!(n("").as_deref(), Some(""));
        assert_eq!(n(&"а".repeat(41)), None);
        assert_eq!(
            n(&(0..11).map(|i| i.to_string()).collect::<Vec<_>>().join(",")),
            None
        );
        assert_eq!(super::interests("книги, шахматы"), vec!["книги", "шахматы"]);
    }
}

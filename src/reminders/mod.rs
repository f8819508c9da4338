//! E-mail reminders to supporters (issue 8): the kinds, when each is due,
//! and the signed links that turn them off.

pub mod scan;
pub mod schedule;
pub mod send;
pub mod token;

use crate::db::text_enum::text_enum;
use crate::db::users::{RemindFrequency, ReminderPrefs};

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

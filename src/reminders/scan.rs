//! The periodic scan: works out which reminders are due now and enqueues
//! each through the outbox (a `notifications` row plus a `deliveries` row,
//! in one transaction). The notification's key is unique per user, kind and
//! period, so a scan repeated after a crash or on a second worker enqueues
//! nothing twice; a scan that runs late still finds what is due.
//!
//! Only news is reminded of: what happened after the account was created,
//! or after the kind was last switched on (a new account, or demo data with
//! years of history, must not bring a flood of old events), and each person
//! at most once per kind in a scan.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDateTime, TimeDelta};

use super::schedule::{digest_due, local, time_zone};
use super::ReminderKind;
use crate::dashboard::dates::{next_birthday_of, send_by, LeadTimes};
use crate::db::notifications::{self, NewNotification};
use crate::db::reminders::{self as queries, Correspondence, Decision, NewAddress, UntoldReply};
use crate::db::users::{RemindFrequency, User};
use crate::db::{deliveries, write_tx, DbConn, DbError};

/// Events older than this are not reminded of (transfers, returned letters,
/// replies): after a long outage, old news is not news.
pub const EVENT_WINDOW: TimeDelta = TimeDelta::days(14);
/// Birthday reminders start this many days before the last day to post.
pub const BIRTHDAY_NOTICE_DAYS: i64 = 7;
/// The outbox channel of reminder e-mails.
pub const CHANNEL: &str = "reminder";

/// One reminder that is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub user_id: i64,
    pub kind: ReminderKind,
    pub dedup_key: String,
    /// What it is about: ("prisoner", id), ("letter", id), …
    pub subject: Option<(&'static str, i64)>,
}

/// Everything the scan decides from, read in a handful of queries.
#[derive(Debug, Default)]
pub struct Facts {
    pub users: Vec<User>,
    pub correspondences: Vec<Correspondence>,
    pub on_the_way: HashSet<(i64, i64)>,
    /// People who can be written to, with birth month and day.
    pub writable: HashMap<i64, queries::MonthDay>,
    pub new_addresses: Vec<NewAddress>,
    pub returned: Vec<Decision>,
    /// Newest first.
    pub replies: Vec<UntoldReply>,
    /// Whether coordinators have anything to hear about.
    pub coordinator_news: bool,
    /// When a user last switched a kind on; the account's creation otherwise.
    pub switched_on: HashMap<(i64, ReminderKind), NaiveDateTime>,
}

impl Facts {
    /// Since when `user` wants to hear of `kind`: events before it are old news.
    pub fn since(&self, user: &User, kind: ReminderKind) -> NaiveDateTime {
        self.switched_on
            .get(&(user.id, kind))
            .copied()
            .unwrap_or(user.created_at)
    }
}

impl Facts {
    pub fn read(conn: &mut DbConn, now: NaiveDateTime) -> Result<Facts, DbError> {
        let correspondences = queries::correspondences(conn)?;
        let ids: Vec<i64> = correspondences
            .iter()
            .map(|c| c.prisoner_id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let since = now - EVENT_WINDOW;
        Ok(Facts {
            users: queries::active_users(conn)?,
            on_the_way: queries::letters_on_the_way(conn)?,
            writable: queries::writable_with_birthdays(conn, &ids)?,
            correspondences,
            new_addresses: queries::new_addresses_since(conn, since)?,
            returned: queries::returned_or_rejected_since(conn, since)?,
            replies: queries::untold_replies_since(conn, since)?,
            coordinator_news: crate::db::attention::queues(conn)?.has_news(),
            switched_on: queries::switched_on(conn)?,
        })
    }
}

/// What is due at `now` (UTC), from the facts. Pure: the tests call it with
/// made-up facts and clocks.
pub fn plan(facts: &Facts, now: NaiveDateTime, lead: LeadTimes) -> Vec<Due> {
    let mut due = Vec::new();
    // (user, kind, person) already planned: one e-mail per person and kind.
    let mut told: HashSet<(i64, ReminderKind, i64)> = HashSet::new();
    let mut by_writer: HashMap<i64, Vec<&Correspondence>> = HashMap::new();
    for c in &facts.correspondences {
        by_writer.entry(c.writer_id).or_default().push(c);
    }
    let mut by_prisoner: HashMap<i64, Vec<&Correspondence>> = HashMap::new();
    for c in &facts.correspondences {
        by_prisoner.entry(c.prisoner_id).or_default().push(c);
    }
    let wants: HashMap<i64, &User> = facts.users.iter().map(|u| (u.id, u)).collect();
    for user in &facts.users {
        let u = user.id;
        let tz = time_zone(&user.time_zone);
        let mut add = |kind: ReminderKind, key: String, subject: Option<(&'static str, i64)>| {
            due.push(Due {
                user_id: u,
                kind,
                dedup_key: key,
                subject,
            })
        };
        // A digest is about now, not about past events: a new account gets
        // the current period's, and only one per period.
        if user.remind_frequency != RemindFrequency::Never {
            if let Some(period) = digest_due(user.remind_frequency, tz, now) {
                if user.remind_digest {
                    add(ReminderKind::Digest, format!("digest:{u}:{period}"), None);
                }
                if user.role.is_coordinator()
                    && user.remind_coordinator_digest
                    && facts.coordinator_news
                {
                    add(
                        ReminderKind::CoordinatorDigest,
                        format!("coordinator_digest:{u}:{period}"),
                        None,
                    );
                }
            }
        }
        let today = local(now, tz).date();
        let dry_since = facts.since(user, ReminderKind::DrySpell);
        for c in by_writer.get(&u).map(Vec::as_slice).unwrap_or_default() {
            let p = c.prisoner_id;
            let Some((month, day)) = facts.writable.get(&p) else {
                continue;
            };
            if let Some(days) = user.remind_dry_spell_days {
                // The quiet counts from when the nudge was switched on, so
                // switching it on is not followed by a nudge for everyone
                // written to long ago.
                let quiet_from = c.last_sent.max(dry_since);
                let quiet = now - quiet_from >= TimeDelta::days(i64::from(days));
                if quiet && !facts.on_the_way.contains(&(u, p)) {
                    add(
                        ReminderKind::DrySpell,
                        format!("dry_spell:{u}:{p}:{}", c.last_sent.date()),
                        Some(("prisoner", p)),
                    );
                }
            }
            if user.remind_birthdays {
                if let Some(birthday) = next_birthday_of(*month, *day, today) {
                    let from = send_by(birthday, lead).post_domestic
                        - TimeDelta::days(BIRTHDAY_NOTICE_DAYS);
                    if today >= from {
                        add(
                            ReminderKind::Birthdays,
                            format!("birthday:{u}:{p}:{birthday}"),
                            Some(("prisoner", p)),
                        );
                    }
                }
            }
        }
    }
    // Transfers: everyone who wrote to the person before the new address
    // was recorded, if the move happened after they switched these on.
    for a in &facts.new_addresses {
        let p = a.prisoner_id;
        if !facts.writable.contains_key(&p) {
            continue;
        }
        for c in by_prisoner.get(&p).map(Vec::as_slice).unwrap_or_default() {
            let Some(user) = wants.get(&c.writer_id).filter(|u| u.remind_transfers) else {
                continue;
            };
            let news = a.happened_on() >= facts.since(user, ReminderKind::Transfers).date();
            if news
                && c.first_sent < a.recorded_at
                && told.insert((user.id, ReminderKind::Transfers, p))
            {
                due.push(Due {
                    user_id: user.id,
                    kind: ReminderKind::Transfers,
                    dedup_key: format!("transfer:{}:{}", user.id, a.placement_id),
                    subject: Some(("placement", a.placement_id)),
                });
            }
        }
    }
    for &(letter, writer, status, at) in &facts.returned {
        let Some(user) = wants.get(&writer).filter(|u| u.remind_letter_status) else {
            continue;
        };
        if at >= facts.since(user, ReminderKind::LetterStatus) {
            due.push(Due {
                user_id: writer,
                kind: ReminderKind::LetterStatus,
                dedup_key: format!("letter_status:{letter}:{status}"),
                subject: Some(("letter", letter)),
            });
        }
    }
    // Newest first, so the one e-mail per person names the latest reply;
    // sending it counts the earlier ones as told (see `mark_sent`).
    for r in &facts.replies {
        let Some(user) = wants.get(&r.writer_id).filter(|u| u.remind_replies) else {
            continue;
        };
        let news = r.logged_at >= facts.since(user, ReminderKind::Replies);
        if news
            && r.prisoner_id
                .is_none_or(|p| told.insert((user.id, ReminderKind::Replies, p)))
        {
            due.push(Due {
                user_id: r.writer_id,
                kind: ReminderKind::Replies,
                // The same key the immediate reply e-mail records.
                dedup_key: format!("reply:{}", r.reply_id),
                subject: Some(("reply", r.reply_id)),
            });
        }
    }
    due
}

/// Reads the facts, plans, and enqueues what is not recorded yet. Returns
/// how many reminders were enqueued.
pub fn run(conn: &mut DbConn, now: NaiveDateTime, lead: LeadTimes) -> Result<usize, DbError> {
    let facts = Facts::read(conn, now)?;
    let due = plan(&facts, now, lead);
    let keys: Vec<String> = due.iter().map(|d| d.dedup_key.clone()).collect();
    let known = queries::existing_keys(conn, &keys)?;
    let fresh: Vec<&Due> = due
        .iter()
        .filter(|d| !known.contains(&d.dedup_key))
        .collect();
    let mut enqueued = 0;
    // Batches keep each transaction short, so sign-ins are not kept waiting.
    for batch in fresh.chunks(500) {
        enqueued += write_tx(conn, |conn| {
            let mut n = 0;
            for d in batch {
                if enqueue(conn, d, now)? {
                    n += 1;
                }
            }
            Ok::<_, DbError>(n)
        })?;
    }
    Ok(enqueued)
}

/// Records the notification and its outbox row; false when another scan
/// recorded it first.
pub fn enqueue(conn: &mut DbConn, due: &Due, now: NaiveDateTime) -> Result<bool, DbError> {
    let Some(note) = notifications::insert_once(
        conn,
        &NewNotification {
            user_id: due.user_id,
            kind: due.kind.to_string(),
            dedup_key: due.dedup_key.clone(),
            subject_type: due.subject.map(|(t, _)| t.to_owned()),
            subject_id: due.subject.map(|(_, id)| id),
            created_at: now,
        },
    )?
    else {
        return Ok(false);
    };
    // Due at once, also when a scan is run for a moment ahead of the clock.
    let delivery = deliveries::enqueue(
        conn,
        None,
        CHANNEL,
        &format!("notification-{}", note.id),
        now.min(crate::db::now()),
    )?;
    notifications::set_delivery(conn, note.id, delivery.id)?;
    Ok(true)
}

/// After the e-mail went out: the notification is marked sent, and for a
/// reply, the reply's writer counts as told.
pub fn mark_sent(conn: &mut DbConn, delivery_id: i64, now: NaiveDateTime) -> Result<(), DbError> {
    let Some(note) = notifications::for_delivery(conn, delivery_id)? else {
        return Ok(());
    };
    notifications::mark_sent(conn, note.id, now)?;
    if note.subject_type.as_deref() == Some("reply") {
        if let Some(reply) = note.subject_id {
            crate::db::replies::mark_writer_notified(conn, reply, now)?;
            if let Some(reply) = crate::db::replies::find(conn, reply)? {
                crate::db::replies::mark_earlier_notified(conn, &reply, now)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::users::Role;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn supporter(id: i64) -> User {
        let t = at("2026-01-01 00:00");
        User {
            id,
            email: format!("u{id}@example.org"),
            display_name: "U".into(),
            pen_name: None,
            role: Role::Volunteer,
            password_hash: None,
            locale: "ru".into(),
            time_zone: "UTC".into(),
            writes_languages: "ru".into(),
            remind_frequency: RemindFrequency::Never,
            remind_digest: false,
            remind_dry_spell_days: Some(30),
            remind_birthdays: true,
            remind_replies: true,
            remind_transfers: true,
            remind_letter_status: true,
            remind_coordinator_digest: false,
            trusted: false,
            disabled: false,
            last_login_at: None,
            created_at: t,
            updated_at: t,
            interests: String::new(),
        }
    }

    /// Supporter 1 wrote to person 7 (born 20 December) on 1 October.
    fn facts() -> Facts {
        Facts {
            users: vec![supporter(1)],
            correspondences: vec![Correspondence {
                writer_id: 1,
                prisoner_id: 7,
                first_sent: at("2026-10-01 10:00"),
                last_sent: at("2026-10-01 10:00"),
            }],
            writable: [(7, (Some(12), Some(20)))].into_iter().collect(),
            ..Facts::default()
        }
    }

    /// Person 7's new address, recorded at `recorded`.
    fn moved(placement: i64, recorded: &str, started_on: Option<&str>) -> NewAddress {
        NewAddress {
            placement_id: placement,
            prisoner_id: 7,
            recorded_at: at(recorded),
            started_on: started_on.map(|d| d.parse().unwrap()),
        }
    }

    fn keys(due: &[Due]) -> Vec<String> {
        due.iter().map(|d| d.dedup_key.clone()).collect()
    }

    #[test]
    fn a_dry_spell_is_due_after_the_supporters_own_interval_and_not_while_a_letter_is_on_its_way() {
        let lead = LeadTimes::default();
        let quiet = |now: &str, facts: &Facts| {
            keys(&plan(facts, at(now), lead))
                .into_iter()
                .filter(|k| k.starts_with("dry_spell"))
                .collect::<Vec<_>>()
        };
        let f = facts();
        assert!(
            quiet("2026-10-31 09:59", &f).is_empty(),
            "29 days and 23 hours"
        );
        assert_eq!(
            quiet("2026-10-31 10:00", &f),
            vec!["dry_spell:1:7:2026-10-01"]
        );
        let mut writing = facts();
        writing.on_the_way.insert((1, 7));
        assert!(quiet("2026-11-15 10:00", &writing).is_empty());
        let mut shorter = facts();
        shorter.users[0].remind_dry_spell_days = Some(10);
        assert_eq!(quiet("2026-10-11 10:00", &shorter).len(), 1);
    }

    #[test]
    fn a_birthday_is_due_a_week_before_the_last_day_to_post_and_names_the_year() {
        let lead = LeadTimes::default(); // 14 days by post
        let birthdays = |now: &str| {
            keys(&plan(&facts(), at(now), lead))
                .into_iter()
                .filter(|k| k.starts_with("birthday"))
                .collect::<Vec<_>>()
        };
        // 20 December - 14 days = 6 December, the last day to post; a week before: 29 November.
        assert!(birthdays("2026-11-28 12:00").is_empty());
        assert_eq!(
            birthdays("2026-11-29 00:00"),
            vec!["birthday:1:7:2026-12-20"]
        );
        assert_eq!(
            birthdays("2026-12-20 12:00"),
            vec!["birthday:1:7:2026-12-20"]
        );
        // The day after, the next one is a year away.
        assert!(birthdays("2026-12-21 12:00").is_empty());
    }

    #[test]
    fn transfers_reach_only_those_who_wrote_before_and_want_them() {
        let mut f = facts();
        f.users.push(supporter(2));
        f.correspondences.push(Correspondence {
            writer_id: 2,
            prisoner_id: 7,
            first_sent: at("2026-11-10 00:00"),
            last_sent: at("2026-11-10 00:00"),
        });
        f.new_addresses = vec![moved(40, "2026-11-05 00:00", None)];
        let due = plan(&f, at("2026-11-06 00:00"), LeadTimes::default());
        let transfers: Vec<_> = keys(&due)
            .into_iter()
            .filter(|k| k.starts_with("transfer"))
            .collect();
        assert_eq!(
            transfers,
            vec!["transfer:1:40"],
            "supporter 2 began writing after the move"
        );
        f.users[0].remind_transfers = false;
        let due = plan(&f, at("2026-11-06 00:00"), LeadTimes::default());
        assert!(!keys(&due).iter().any(|k| k.starts_with("transfer")));
    }

    #[test]
    fn nobody_is_reminded_about_someone_who_may_not_be_written_to() {
        let mut f = facts();
        f.writable.clear();
        f.new_addresses = vec![moved(40, "2026-11-05 00:00", None)];
        assert!(plan(&f, at("2026-12-10 00:00"), LeadTimes::default()).is_empty());
    }

    #[test]
    fn a_move_that_happened_before_the_account_existed_is_not_news_even_if_recorded_today() {
        let mut f = facts();
        f.users[0].created_at = at("2026-11-01 09:00");
        // Recorded today (an import), but the move was two years ago.
        f.new_addresses = vec![moved(40, "2026-11-05 00:00", Some("2024-10-01"))];
        let now = at("2026-11-06 00:00");
        assert!(!keys(&plan(&f, now, LeadTimes::default()))
            .iter()
            .any(|k| k.starts_with("transfer")));
        // A move on the day the account was made is news.
        f.new_addresses = vec![moved(41, "2026-11-05 00:00", Some("2026-11-01"))];
        assert!(keys(&plan(&f, now, LeadTimes::default())).contains(&"transfer:1:41".to_owned()));
    }

    #[test]
    fn each_person_is_named_once_per_kind_in_a_scan() {
        use crate::db::reminders::UntoldReply;
        let mut f = facts();
        f.new_addresses = vec![
            moved(40, "2026-11-05 00:00", None),
            moved(41, "2026-11-05 01:00", None),
        ];
        let reply = |id, logged: &str| UntoldReply {
            reply_id: id,
            writer_id: 1,
            prisoner_id: Some(7),
            logged_at: at(logged),
        };
        // Newest first, as the query reads them.
        f.replies = vec![reply(9, "2026-11-05 12:00"), reply(8, "2026-11-04 12:00")];
        let due = plan(&f, at("2026-11-06 00:00"), LeadTimes::default());
        let of = |prefix: &str| {
            keys(&due)
                .into_iter()
                .filter(|k| k.starts_with(prefix))
                .collect::<Vec<_>>()
        };
        assert_eq!(of("transfer").len(), 1, "{due:?}");
        assert_eq!(of("reply"), vec!["reply:9"], "the latest reply");
    }

    #[test]
    fn switching_a_kind_on_starts_its_clock_and_older_events_are_not_news() {
        let mut f = facts();
        let switched = at("2026-11-20 10:00");
        for kind in [
            ReminderKind::DrySpell,
            ReminderKind::Replies,
            ReminderKind::LetterStatus,
        ] {
            f.switched_on.insert((1, kind), switched);
        }
        f.replies = vec![crate::db::reminders::UntoldReply {
            reply_id: 9,
            writer_id: 1,
            prisoner_id: Some(7),
            logged_at: at("2026-11-19 12:00"),
        }];
        f.returned = vec![(
            5,
            1,
            crate::db::letters::LetterStatus::ReturnedToWriter,
            at("2026-11-20 09:00"),
        )];
        // Last letter on 1 October: long quiet, but the nudge was switched
        // on only on 20 November, so it is due 30 days after that.
        let due = |f: &Facts, now: &str| keys(&plan(f, at(now), LeadTimes::default()));
        assert!(due(&f, "2026-11-21 00:00").is_empty());
        assert!(due(&f, "2026-12-20 09:59")
            .iter()
            .all(|k| !k.starts_with("dry_spell")));
        assert!(due(&f, "2026-12-20 10:00").contains(&"dry_spell:1:7:2026-10-01".to_owned()));
        // News after the switch is told.
        f.returned[0].3 = at("2026-11-20 11:00");
        f.replies[0].logged_at = at("2026-11-20 11:00");
        let now = due(&f, "2026-11-21 00:00");
        assert!(
            now.contains(&"letter_status:5:returned_to_writer".to_owned()),
            "{now:?}"
        );
        assert!(now.contains(&"reply:9".to_owned()), "{now:?}");
    }
}

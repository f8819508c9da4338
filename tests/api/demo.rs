//! `konvert demo`: an invented dataset that exercises every table.

use diesel::prelude::*;
use konvert::db::prisoners::PrisonerStatus;
use konvert::db::schema::{letters, placements, prisoners};
use konvert::db::{self, letters::LetterStatus};
use konvert::demo::{self, DemoError};

use crate::both_backends;
use crate::helpers::*;

both_backends! {
    async fn demo_loads_once_with_letters_in_several_states(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let mut conn = db.get().unwrap();
        let summary = demo::load(&mut conn, db::now()).unwrap();
        assert_eq!(summary.facilities, 10);
        assert_eq!(summary.prisoners, 30);
        assert!(summary.letters > 20, "{summary:?}");
        assert!(summary.replies > 0, "{summary:?}");

        let statuses: Vec<LetterStatus> = letters::table.select(letters::status).distinct().load(&mut *conn).unwrap();
        assert!(statuses.len() >= 5, "{statuses:?}");
        let in_transit = prisoners::table
            .filter(prisoners::status.eq(PrisonerStatus::InTransit))
            .count()
            .get_result::<i64>(&mut *conn)
            .unwrap();
        assert_eq!(in_transit, 2);
        let open_without_facility = placements::table
            .filter(placements::ended_on.is_null())
            .filter(placements::facility_id.is_null())
            .count()
            .get_result::<i64>(&mut *conn)
            .unwrap();
        assert_eq!(open_without_facility, 2, "in-transit prisoners have an open placement without a facility");

        // The maintained summary agrees with the letters it summarises.
        let sent: Vec<(i64, Option<chrono::NaiveDateTime>)> = letters::table
            .filter(letters::sent_at.is_not_null())
            .group_by(letters::prisoner_id)
            .select((letters::prisoner_id, diesel::dsl::max(letters::sent_at)))
            .load(&mut *conn)
            .unwrap();
        assert!(!sent.is_empty());
        for (prisoner_id, latest) in sent {
            let last: Option<chrono::NaiveDateTime> = prisoners::table
                .find(prisoner_id)
                .select(prisoners::last_letter_sent_at)
                .first(&mut *conn)
                .unwrap();
            assert_eq!(last, latest, "prisoner {prisoner_id}");
        }

        assert!(matches!(demo::load(&mut conn, db::now()), Err(DemoError::AlreadyLoaded)));
    }
}

both_backends! {
    async fn a_scaled_demo_has_the_asked_counts_and_consistent_summaries(backend) {
        use konvert::db::schema::{deliveries, replies};
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let mut conn = db.get().unwrap();
        let options = demo::ScaleOptions { prisoners: 200, letters: 3_000, seed: 7 };
        let mut steps = 0;
        let summary = demo::load_scaled(&mut conn, db::now(), &options, &mut |_| steps += 1).unwrap();
        assert!(steps > 0, "progress is reported");
        assert_eq!(summary.prisoners, 200);
        assert_eq!(summary.letters, 3_000);
        assert_eq!(summary.facilities, 10, "one facility per 40 prisoners, at least 10");
        assert!(summary.replies > 0, "{summary:?}");
        assert_eq!(prisoners::table.count().get_result::<i64>(&mut *conn).unwrap(), 200);
        assert_eq!(letters::table.count().get_result::<i64>(&mut *conn).unwrap(), 3_000);

        // Unevenly spread: some get none, some many.
        let per_prisoner: Vec<(i64, i64)> = letters::table
            .group_by(letters::prisoner_id)
            .select((letters::prisoner_id, diesel::dsl::count_star()))
            .load(&mut *conn)
            .unwrap();
        assert!(per_prisoner.len() < 200, "some prisoners get no letters");
        let most = per_prisoner.iter().map(|(_, n)| *n).max().unwrap();
        assert!(most > 3 * 3_000 / 200, "some get many: {most}");

        // The maintained summaries agree with the letters and replies.
        let sent: Vec<(i64, Option<chrono::NaiveDateTime>, i64)> = letters::table
            .filter(letters::sent_at.is_not_null())
            .group_by(letters::prisoner_id)
            .select((letters::prisoner_id, diesel::dsl::max(letters::sent_at), diesel::dsl::count_star()))
            .load(&mut *conn)
            .unwrap();
        assert!(!sent.is_empty());
        let summaries: std::collections::HashMap<i64, (Option<chrono::NaiveDateTime>, i32, Option<chrono::NaiveDateTime>, i32)> =
            prisoners::table
                .select((prisoners::id, (prisoners::last_letter_sent_at, prisoners::letters_sent_count, prisoners::last_reply_at, prisoners::replies_count)))
                .load::<(i64, (Option<chrono::NaiveDateTime>, i32, Option<chrono::NaiveDateTime>, i32))>(&mut *conn)
                .unwrap()
                .into_iter()
                .collect();
        for (prisoner_id, latest, count) in &sent {
            let (last, sent_count, _, _) = summaries[prisoner_id];
            assert_eq!(last, *latest, "prisoner {prisoner_id}");
            assert_eq!(i64::from(sent_count), *count, "prisoner {prisoner_id}");
        }
        let never_sent = summaries.iter().filter(|(id, _)| !sent.iter().any(|(p, _, _)| p == *id));
        for (id, (last, count, _, _)) in never_sent {
            assert_eq!((*last, *count), (None, 0), "prisoner {id} was never sent a letter");
        }
        let replied: Vec<(Option<i64>, Option<chrono::NaiveDateTime>, i64)> = replies::table
            .group_by(replies::prisoner_id)
            .select((replies::prisoner_id, diesel::dsl::max(replies::received_at), diesel::dsl::count_star()))
            .load(&mut *conn)
            .unwrap();
        for (prisoner_id, latest, count) in replied {
            let (_, _, last_reply, replies_count) = summaries[&prisoner_id.unwrap()];
            assert_eq!(last_reply, latest);
            assert_eq!(i64::from(replies_count), count);
        }

        // Every reply is matched to a replied letter of the same prisoner.
        let all_replies = replies::table.count().get_result::<i64>(&mut *conn).unwrap();
        let matched = replies::table
            .inner_join(letters::table.on(letters::id.nullable().eq(replies::letter_id)))
            .filter(letters::status.eq(LetterStatus::Replied))
            .filter(letters::prisoner_id.nullable().eq(replies::prisoner_id))
            .filter(letters::replied_at.nullable().eq(replies::received_at.nullable()))
            .count()
            .get_result::<i64>(&mut *conn)
            .unwrap();
        let unmatched = all_replies - matched;
        assert_eq!(unmatched, 0);

        // Reply codes are unique, and nothing waits for the worker without its outbox row.
        let codes: Vec<Option<String>> = letters::table.select(letters::reply_code).load(&mut *conn).unwrap();
        let distinct: std::collections::HashSet<_> = codes.iter().flatten().collect();
        assert_eq!(distinct.len(), 3_000);
        let queued_without_delivery = letters::table
            .filter(letters::status.eq(LetterStatus::Queued).or(letters::status.eq(LetterStatus::Approved)))
            .filter(diesel::dsl::not(diesel::dsl::exists(
                deliveries::table.filter(deliveries::letter_id.eq(letters::id.nullable())),
            )))
            .count()
            .get_result::<i64>(&mut *conn)
            .unwrap();
        assert_eq!(queued_without_delivery, 0);

        // Timestamps follow the status: nothing sent without being approved,
        // nothing in the future, nothing replied without being delivered.
        let now = db::now();
        let inconsistent = letters::table
            .filter(
                letters::sent_at.is_not_null().and(letters::approved_at.is_null())
                    .or(letters::replied_at.is_not_null().and(letters::delivered_at.is_null()))
                    .or(letters::updated_at.gt(now))
                    .or(letters::status.eq(LetterStatus::Delivered).and(letters::delivered_at.is_null()))
                    .or(letters::status.eq(LetterStatus::Censored).and(letters::censored_at.is_null())),
            )
            .count()
            .get_result::<i64>(&mut *conn)
            .unwrap();
        assert_eq!(inconsistent, 0);
        let statuses: Vec<LetterStatus> = letters::table.select(letters::status).distinct().load(&mut *conn).unwrap();
        assert!(statuses.len() >= 6, "{statuses:?}");
        let in_transit = placements::table
            .filter(placements::ended_on.is_null())
            .filter(placements::facility_id.is_null())
            .count()
            .get_result::<i64>(&mut *conn)
            .unwrap();
        assert!(in_transit > 0, "a few are in transit");

        // The dashboard's list finds people, longest without a letter first.
        let filter = konvert::db::prisoners::DirectoryFilter { writable: true, ..Default::default() };
        let (rows, total) = konvert::db::prisoners::lacking_mail(&mut conn, &filter, 100, 0).unwrap();
        assert_eq!(rows.len(), 100);
        assert!(total > 150 && total < 200, "do-not-write people are left out: {total}");
        let sent_dates: Vec<_> = rows.iter().filter_map(|r| r.prisoner.last_letter_sent_at).collect();
        assert!(sent_dates.windows(2).all(|w| w[0] <= w[1]));

        assert!(matches!(
            demo::load_scaled(&mut conn, db::now(), &options, &mut |_| {}),
            Err(DemoError::AlreadyLoaded)
        ));
        assert!(matches!(demo::load(&mut conn, db::now()), Err(DemoError::AlreadyLoaded)));
    }
}

both_backends! {
    async fn the_same_seed_gives_the_same_scaled_demo(backend) {
        let mut seen = Vec::new();
        for _ in 0..2 {
            let Some(test_db) = TestDb::create(backend) else { return };
            let db = test_db.open();
            let mut conn = db.get().unwrap();
            let options = demo::ScaleOptions { prisoners: 20, letters: 100, seed: 11 };
            demo::load_scaled(&mut conn, db::now(), &options, &mut |_| {}).unwrap();
            let names: Vec<(String, String, Option<i32>)> = prisoners::table
                .order(prisoners::id)
                .select((prisoners::surname, prisoners::given_name, prisoners::birth_year))
                .load(&mut *conn)
                .unwrap();
            let codes: Vec<Option<String>> = letters::table.order(letters::id).select(letters::reply_code).load(&mut *conn).unwrap();
            seen.push((names, codes));
        }
        assert_eq!(seen[0], seen[1]);
    }
}

/// Every outbox row of a letter the demo sent is finished as the app would
/// have left it (sent, when the letter was), and nothing finished waits on a
/// send screen.
fn assert_outbox_matches_letters(conn: &mut db::DbConn) {
    use konvert::db::deliveries::{self, DeliveryState};
    use konvert::db::letters::Channel;
    use konvert::db::schema::deliveries as d;
    let rows: Vec<(
        LetterStatus,
        Option<chrono::NaiveDateTime>,
        DeliveryState,
        Option<chrono::NaiveDateTime>,
    )> = d::table
        .inner_join(letters::table)
        .select((letters::status, letters::sent_at, d::state, d::finished_at))
        .load(conn)
        .unwrap();
    assert!(!rows.is_empty());
    let mut sent = 0;
    for (status, sent_at, state, finished_at) in &rows {
        if sent_at.is_some() {
            assert_eq!(
                (*state, *finished_at),
                (DeliveryState::Sent, *sent_at),
                "a letter that is {status}"
            );
            sent += 1;
        } else {
            assert!(
                status.awaits_sending(),
                "only letters still to send have unfinished rows: {status} {state}"
            );
        }
    }
    assert!(sent > 0);
    for channel in [Channel::Post, Channel::FsinPismo, Channel::Zonatelecom] {
        for item in deliveries::manual_queue(conn, channel).unwrap() {
            let status: LetterStatus = letters::table
                .find(item.letter_id)
                .select(letters::status)
                .first(conn)
                .unwrap();
            assert!(
                status.awaits_sending(),
                "{channel} lists a letter that is {status}"
            );
        }
    }
}

both_backends! {
    async fn the_demo_leaves_the_outbox_as_the_app_would_with_no_finished_letter_waiting(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let mut conn = db.get().unwrap();
        demo::load(&mut conn, db::now()).unwrap();
        assert_outbox_matches_letters(&mut conn);
        // The worker hands the rest to coordinators; still nothing finished waits.
        drop(conn);
        konvert::delivery::worker::Worker::new(db.clone(), "w1").run_once().await.unwrap();
        let mut conn = db.get().unwrap();
        assert_outbox_matches_letters(&mut conn);
    }
}

both_backends! {
    async fn a_scaled_demo_finishes_the_outbox_row_of_every_letter_it_sent(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let mut conn = db.get().unwrap();
        let options = demo::ScaleOptions { prisoners: 30, letters: 400, seed: 5 };
        demo::load_scaled(&mut conn, db::now(), &options, &mut |_| {}).unwrap();
        assert_outbox_matches_letters(&mut conn);
    }
}

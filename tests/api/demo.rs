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

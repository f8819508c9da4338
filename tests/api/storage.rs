//! Every table round-trips on both backends: Cyrillic text, year-only birth
//! dates, each letter status's timestamp, and the constraints that keep the
//! data honest (one open placement, one outbox row per letter and channel,
//! one notification per reason).

use chrono::{NaiveDate, TimeDelta};
use konvert::db::facilities::{self, FacilityForm, FacilityKind, Service};
use konvert::db::letters::{self, Channel, LetterStatus, NewLetter};
use konvert::db::notifications::{self, NewNotification};
use konvert::db::placements::{self, NewPlacement, PlacementState};
use konvert::db::prisoners::{
    self, BirthDate, Gender, Measure, PrisonerForm, PrisonerStatus, RecognitionKind, TagKind,
};
use konvert::db::replies::{self, MatchState, NewReply, NewReplyFile, ReplyChannel};
use konvert::db::users::{self, NewUser, Role};
use konvert::db::{self, audit, deliveries, invitations, write_tx, DbConn};

use crate::both_backends;
use crate::helpers::*;

fn seed_facility(conn: &mut DbConn) -> facilities::Facility {
    let form = FacilityForm {
        country: "RU".into(),
        kind: FacilityKind::Remand,
        name: "ФКУ СИЗО-1 УФСИН России по г. Санкт-Петербургу и Ленинградской области".into(),
        name_en: Some("Remand Prison No. 1".into()),
        postcode: Some("196655".into()),
        region: Some("г. Санкт-Петербург".into()),
        locality: Some("г. Колпино".into()),
        street: Some("ул. Колпинская".into()),
        house: Some("д. 9".into()),
        notes: "Передачи — по вторникам «с 9 до 13».".into(),
        ..FacilityForm::default()
    };
    facilities::insert(conn, &form, db::now()).unwrap()
}

fn seed_prisoner(conn: &mut DbConn) -> prisoners::Prisoner {
    let mut form = PrisonerForm::new("Русских", "Андрей", Some("Владимирович"));
    form.gender = Some(Gender::Male);
    form.set_birth_date(Some(BirthDate::parse("1979").unwrap()));
    form.status = PrisonerStatus::PreTrial;
    form.measure = Some(Measure::Custody);
    form.bio = "Любит шахматы ♟ и книги.".into();
    prisoners::insert(conn, &form, db::now()).unwrap()
}

fn seed_user(conn: &mut DbConn, email: &str) -> users::User {
    users::insert(
        conn,
        &NewUser::new(email, "Вера Писательница", Role::Volunteer, db::now()),
    )
    .unwrap()
}

both_backends! {
    async fn facilities_and_prisoners_round_trip_cyrillic_and_year_only_births(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let mut conn = db.get().unwrap();

        let facility = seed_facility(&mut conn);
        facilities::set_service(&mut conn, facility.id, Service::FsinPismo, Some("СИЗО-1 СПб")).unwrap();
        facilities::set_service(&mut conn, facility.id, Service::FsinPismo, Some("sizo-1-spb")).unwrap();
        facilities::set_service(&mut conn, facility.id, Service::Zonatelecom, None).unwrap();
        let read = facilities::find(&mut conn, facility.id).unwrap().unwrap();
        assert_eq!(read.name, "ФКУ СИЗО-1 УФСИН России по г. Санкт-Петербургу и Ленинградской области");
        assert_eq!(read.notes, "Передачи — по вторникам «с 9 до 13».");
        assert_eq!(read.kind, FacilityKind::Remand);
        assert_eq!(read.district, None);
        let services = facilities::services(&mut conn, facility.id).unwrap();
        assert_eq!(services.len(), 2, "setting a service again replaces it");
        assert_eq!(services[0].service, Service::FsinPismo);
        assert_eq!(services[0].external_id.as_deref(), Some("sizo-1-spb"));

        let prisoner = seed_prisoner(&mut conn);
        let read = prisoners::find(&mut conn, prisoner.id).unwrap().unwrap();
        assert_eq!(read.full_name(), "Русских Андрей Владимирович");
        assert_eq!(read.birth_date(), Some(BirthDate { year: 1979, month: None, day: None }));
        assert_eq!((read.birth_month, read.birth_day), (None, None));
        assert_eq!(read.status, PrisonerStatus::PreTrial);
        assert_eq!(read.measure, Some(Measure::Custody));
        assert_eq!(read.bio, "Любит шахматы ♟ и книги.");
        assert_eq!((read.letters_sent_count, read.last_letter_sent_at), (0, None));

        let since = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        prisoners::add_recognition(&mut conn, prisoner.id, RecognitionKind::PoliticalPrisoner, "Мемориал", Some(since), None).unwrap();
        prisoners::add_charge(&mut conn, prisoner.id, "ч. 2 ст. 207.3 УК РФ").unwrap();
        prisoners::add_tag(&mut conn, prisoner.id, TagKind::Language, "ru").unwrap();
        prisoners::add_tag(&mut conn, prisoner.id, TagKind::Interest, "шахматы").unwrap();
        assert!(prisoners::add_tag(&mut conn, prisoner.id, TagKind::Interest, "шахматы").is_err(), "tags are unique");
        prisoners::add_source(&mut conn, prisoner.id, "https://example.org/дело", Some("Карточка")).unwrap();
        let recognitions = prisoners::recognitions(&mut conn, prisoner.id).unwrap();
        assert_eq!(recognitions[0].organisation, "Мемориал");
        assert_eq!(recognitions[0].since, Some(since));
        assert_eq!(prisoners::charges(&mut conn, prisoner.id).unwrap(), vec!["ч. 2 ст. 207.3 УК РФ"]);
        assert_eq!(prisoners::tags(&mut conn, prisoner.id, TagKind::Interest).unwrap(), vec!["шахматы"]);
        assert_eq!(prisoners::sources(&mut conn, prisoner.id).unwrap()[0].1.as_deref(), Some("Карточка"));

        // A full birth date and an edit that clears a field.
        let mut form = PrisonerForm::new("Иванова-Сидорова", "Мария", Some("Ивановна"));
        form.set_birth_date(Some(BirthDate::parse("1990-02-28").unwrap()));
        form.do_not_write = true;
        form.do_not_write_reason = Some("Просьба семьи".into());
        let other = prisoners::insert(&mut conn, &form, db::now()).unwrap();
        assert_eq!(other.birth_date().unwrap().to_string(), "1990-02-28");
        form.do_not_write = false;
        form.do_not_write_reason = None;
        let edited = prisoners::update(&mut conn, other.id, &form, db::now()).unwrap();
        assert!(!edited.do_not_write);
        assert_eq!(edited.do_not_write_reason, None, "None clears the column");
    }
}

both_backends! {
    async fn transfers_keep_one_open_placement_and_the_history(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let mut conn = db.get().unwrap();
        let first = seed_facility(&mut conn);
        let second = seed_facility(&mut conn);
        let prisoner = seed_prisoner(&mut conn);
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let at = |facility: Option<i64>, day: u32| NewPlacement {
            prisoner_id: prisoner.id,
            facility_id: facility,
            started_on: NaiveDate::from_ymd_opt(2026, 1, day),
            address_confirmed_at: None,
            source: Some("адвокат".into()),
            notes: String::new(),
            created_by: None,
        };
        placements::transfer(&mut conn, &at(Some(first.id), 1), today, db::now()).unwrap();
        placements::transfer(&mut conn, &at(None, 10), today, db::now()).unwrap();
        let in_transit = placements::current(&mut conn, prisoner.id).unwrap().unwrap();
        assert_eq!(in_transit.state, PlacementState::InTransit);
        assert_eq!(in_transit.facility_id, None);
        placements::transfer(&mut conn, &at(Some(second.id), 20), today, db::now()).unwrap();

        let current = placements::current(&mut conn, prisoner.id).unwrap().unwrap();
        assert_eq!(current.facility_id, Some(second.id));
        assert_eq!(current.state, PlacementState::Held);
        let history = placements::history(&mut conn, prisoner.id).unwrap();
        assert_eq!(history.len(), 3);
        assert_eq!(history[0].id, current.id, "the open placement comes first");
        assert_eq!(history[1].ended_on, NaiveDate::from_ymd_opt(2026, 1, 20));
        assert_eq!(history[2].ended_on, NaiveDate::from_ymd_opt(2026, 1, 10));
        assert_eq!(history[2].source.as_deref(), Some("адвокат"));

        // The database itself refuses a second open placement.
        let sneaky = diesel::insert_into(konvert::db::schema::placements::table)
            .values((
                konvert::db::schema::placements::prisoner_id.eq(prisoner.id),
                konvert::db::schema::placements::state.eq(PlacementState::Held),
                konvert::db::schema::placements::notes.eq(""),
                konvert::db::schema::placements::created_at.eq(db::now()),
                konvert::db::schema::placements::updated_at.eq(db::now()),
            ))
            .execute(&mut *conn);
        assert!(db::is_unique_violation(&sneaky.unwrap_err()));
    }
}

use diesel::{ExpressionMethods, RunQueryDsl};

both_backends! {
    async fn letters_stamp_each_status_and_outbox_rows_are_unique(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let mut conn = db.get().unwrap();
        let writer = seed_user(&mut conn, "writer@example.org");
        let prisoner = seed_prisoner(&mut conn);
        let created = db::now() - TimeDelta::days(3);
        let body = "Здравствуйте, Андрей!\nПишу Вам из Казани. 🌿 Надеюсь, письмо дойдёт.";
        let letter = letters::insert(
            &mut conn,
            &NewLetter {
                writer_id: writer.id,
                prisoner_id: prisoner.id,
                placement_id: None,
                address_snapshot: Some(r#"{"person":{"surname":"Русских"}}"#.into()),
                language: "ru".into(),
                body: body.into(),
                channel: Channel::FsinPismo,
                status: LetterStatus::Draft,
                pen_name: Some("Вера".into()),
                reply_blank: true,
                reply_code: Some("K7-QX4H".into()),
                created_at: created,
                updated_at: created,
            },
        )
        .unwrap();
        let read = letters::find(&mut conn, letter.id).unwrap().unwrap();
        assert_eq!(read.body, body);
        assert_eq!(read.created_at, created, "timestamps survive at microsecond precision");
        assert_eq!(letters::find_by_reply_code(&mut conn, "K7-QX4H").unwrap().unwrap().id, letter.id);

        let mut at = created;
        for status in LetterStatus::ALL {
            at += TimeDelta::minutes(7);
            force_letter_status(&mut conn, letter.id, *status, at).unwrap();
            let l = letters::find(&mut conn, letter.id).unwrap().unwrap();
            assert_eq!(l.status, *status);
            assert_eq!(l.updated_at, at);
            let stamp = match status {
                LetterStatus::Draft => Some(l.updated_at),
                LetterStatus::Submitted => l.submitted_at,
                LetterStatus::ReturnedToWriter => l.returned_to_writer_at,
                LetterStatus::Rejected => l.rejected_at,
                LetterStatus::Approved => l.approved_at,
                LetterStatus::Queued => l.queued_at,
                LetterStatus::Held => l.held_at,
                LetterStatus::Sent => l.sent_at,
                LetterStatus::Delivered => l.delivered_at,
                LetterStatus::Censored => l.censored_at,
                LetterStatus::Returned => l.returned_at,
                LetterStatus::LostOnTransfer => l.lost_at,
                LetterStatus::Replied => l.replied_at,
            };
            assert_eq!(stamp, Some(at), "{status}");
        }
        assert!(matches!(
            letters::set_status(&mut conn, 999_999, LetterStatus::Sent, at),
            Err(diesel::result::Error::NotFound)
        ));

        let delivery = deliveries::enqueue_letter(&mut conn, letter.id, Channel::FsinPismo, at).unwrap();
        assert_eq!(delivery.state, deliveries::DeliveryState::Pending);
        assert_eq!(delivery.idempotency_key, format!("letter-{}-fsin_pismo", letter.id));
        let twice = deliveries::enqueue_letter(&mut conn, letter.id, Channel::FsinPismo, at);
        assert!(db::is_unique_violation(&twice.unwrap_err()), "one outbox row per letter and channel");
        assert_eq!(deliveries::for_letter(&mut conn, letter.id).unwrap().len(), 1);

        // A duplicate reply code is refused by the database.
        let mut copy = NewLetter {
            writer_id: writer.id,
            prisoner_id: prisoner.id,
            placement_id: None,
            address_snapshot: None,
            language: "ru".into(),
            body: String::new(),
            channel: Channel::Post,
            status: LetterStatus::Draft,
            pen_name: None,
            reply_blank: false,
            reply_code: Some("K7-QX4H".into()),
            created_at: at,
            updated_at: at,
        };
        assert!(db::is_unique_violation(&letters::insert(&mut conn, &copy).unwrap_err()));
        copy.reply_code = None;
        letters::insert(&mut conn, &copy).unwrap();
        let counts = letters::count_by_status(&mut conn).unwrap();
        assert!(counts.contains(&(LetterStatus::Draft, 1)));
        assert!(counts.contains(&(LetterStatus::Replied, 1)));
    }
}

both_backends! {
    async fn summary_columns_follow_the_latest_letter_and_reply(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let mut conn = db.get().unwrap();
        let prisoner = seed_prisoner(&mut conn);
        let t = db::now();
        prisoners::note_letter_sent(&mut conn, prisoner.id, t).unwrap();
        // Back-filled: an older letter recorded later must not move the mark back.
        prisoners::note_letter_sent(&mut conn, prisoner.id, t - TimeDelta::days(10)).unwrap();
        prisoners::note_reply(&mut conn, prisoner.id, t - TimeDelta::days(2)).unwrap();
        let p = prisoners::find(&mut conn, prisoner.id).unwrap().unwrap();
        assert_eq!(p.letters_sent_count, 2);
        assert_eq!(p.last_letter_sent_at, Some(t));
        assert_eq!(p.replies_count, 1);
        assert_eq!(p.last_reply_at, Some(t - TimeDelta::days(2)));
    }
}

both_backends! {
    async fn replies_notifications_audit_and_invitations_round_trip(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let mut conn = db.get().unwrap();
        let user = seed_user(&mut conn, "Writer@Example.org");
        assert_eq!(user.email, "writer@example.org", "addresses are stored lower-case");
        assert_eq!(users::find_by_email(&mut conn, " WRITER@example.org").unwrap().unwrap().id, user.id);
        assert!(db::is_unique_violation(
            &users::insert(&mut conn, &NewUser::new("writer@EXAMPLE.org", "x", Role::Volunteer, db::now())).unwrap_err()
        ));
        let prisoner = seed_prisoner(&mut conn);
        let now = db::now();

        let reply = replies::insert(
            &mut conn,
            &NewReply {
                prisoner_id: None,
                letter_id: None,
                writer_id: None,
                received_at: now,
                channel: ReplyChannel::FsinPismoScan,
                reply_code: Some("K7-QX4H".into()),
                transcription: "Спасибо за письмо!".into(),
                notes: String::new(),
                blank_unused: false,
                match_state: MatchState::Unmatched,
                source_message_id: Some("<scan-1@fsin.example>".into()),
                logged_by: None,
                created_at: now,
                updated_at: now,
            },
        )
        .unwrap();
        let file = replies::add_file(
            &mut conn,
            &NewReplyFile {
                reply_id: reply.id,
                stored_name: "3f2a.pdf".into(),
                original_name: "ответ.pdf".into(),
                content_type: "application/pdf".into(),
                size_bytes: 123_456,
                sha256: "00".repeat(32),
                created_at: now,
            },
        )
        .unwrap();
        let read = replies::find(&mut conn, reply.id).unwrap().unwrap();
        assert_eq!(read.transcription, "Спасибо за письмо!");
        assert_eq!(read.match_state, MatchState::Unmatched);
        assert_eq!(replies::files(&mut conn, reply.id).unwrap()[0].original_name, file.original_name);

        let note = NewNotification {
            user_id: user.id,
            kind: "dry_spell".into(),
            dedup_key: format!("dry_spell:{}:{}:2026-W47", user.id, prisoner.id),
            subject_type: Some("prisoner".into()),
            subject_id: Some(prisoner.id),
            created_at: now,
        };
        // Inside one transaction, the duplicate must not spoil the rest of it.
        let (first, second) = write_tx(&mut conn, |conn| {
            let first = notifications::insert_once(conn, &note)?;
            let second = notifications::insert_once(conn, &note)?;
            audit::record(conn, Some(user.id), "remind", "prisoner", Some(prisoner.id), &serde_json::json!({"kind": "dry_spell"}), now)?;
            Ok::<_, diesel::result::Error>((first, second))
        })
        .unwrap();
        assert!(first.is_some());
        assert!(second.is_none(), "the same reason is recorded once");
        assert_eq!(notifications::for_user(&mut conn, user.id).unwrap().len(), 1);
        let log = audit::for_entity(&mut conn, "prisoner", prisoner.id).unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].actor_id, Some(user.id));

        let inv = invitations::insert(&mut conn, "hash-1", Some("new@example.org"), Role::Coordinator, Some(user.id), now, now + TimeDelta::days(7)).unwrap();
        assert_eq!(invitations::find_open(&mut conn, "hash-1", now).unwrap().unwrap().role, Role::Coordinator);
        assert!(invitations::find_open(&mut conn, "hash-1", now + TimeDelta::days(8)).unwrap().is_none(), "expired");
        assert!(invitations::mark_used(&mut conn, inv.id, user.id, now).unwrap());
        assert!(!invitations::mark_used(&mut conn, inv.id, user.id, now).unwrap(), "used once");
    }
}

both_backends! {
    async fn a_failed_write_transaction_leaves_nothing_behind(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let mut conn = db.get().unwrap();
        let result: Result<(), diesel::result::Error> = write_tx(&mut conn, |conn| {
            seed_facility(conn);
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(result.is_err());
        assert_eq!(facilities::count(&mut conn).unwrap(), 0);
        // The connection is usable afterwards.
        write_tx(&mut conn, |conn| {
            seed_facility(conn);
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
        assert_eq!(facilities::count(&mut conn).unwrap(), 1);
    }
}

both_backends! {
    async fn concurrent_writers_all_succeed(backend) {
        // On SQLite, immediate transactions plus busy_timeout serialise writers
        // instead of failing them with "database is locked".
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let mut tasks = Vec::new();
        for i in 0..8 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                db.run(move |conn| {
                    write_tx(conn, |conn| {
                        for j in 0..10 {
                            let before = facilities::count(conn)?;
                            let mut form = FacilityForm { country: "RU".into(), name: format!("ИК-{i}-{j}"), ..FacilityForm::default() };
                            form.notes = before.to_string();
                            facilities::insert(conn, &form, db::now())?;
                        }
                        Ok::<_, db::DbError>(())
                    })
                })
                .await
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let mut conn = db.get().unwrap();
        assert_eq!(facilities::count(&mut conn).unwrap(), 80);
    }
}

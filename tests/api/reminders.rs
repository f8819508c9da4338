//! Reminder preferences and the unsubscribe links in every reminder.

use konvert::db::users::{self, RemindFrequency, Role};
use konvert::db::{self, site_settings, DbError};
use konvert::reminders::token;

use crate::both_backends;
use crate::helpers::*;

async fn link(app: &TestApp, user_id: i64, what: &str) -> String {
    let secret = app
        .db
        .run(|c| Ok::<_, DbError>(site_settings::reminder_secret(c, db::now())?))
        .await
        .unwrap();
    format!("/unsubscribe/{}", token::sign(&secret, user_id, what))
}

/// Someone held and never written to: what a digest lists.
async fn someone_waiting(db: &konvert::db::Db) {
    db.run(|c| Ok::<_, DbError>(someone_held(c, "Ждущий")?))
        .await
        .unwrap();
}

async fn user(app: &TestApp, id: i64) -> users::User {
    app.db
        .run(move |c| Ok::<_, DbError>(users::find(c, id)?))
        .await
        .unwrap()
        .unwrap()
}

both_backends! {
    async fn reminder_preferences_are_saved_and_mistakes_are_explained(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let me = app.sign_in_as("vera@example.org", Role::Volunteer).await;
        let page = app.get("/settings/reminders").await.text().await.unwrap();
        assert!(page.contains("name=\"digest\" value=\"true\" checked"), "weekly digests are on by default: {page}");
        assert!(!page.contains("coordinator_digest"), "a volunteer is not offered the coordinator digest");

        let res = app
            .post_form("/settings/reminders", &[
                ("frequency", "monthly"), ("digest", "true"), ("replies", "true"),
                ("dry_spell", "true"), ("dry_spell_days", "21"),
                ("time_zone", "Asia/Vladivostok"), ("locale", "en"),
                ("language", "ru"), ("language", "en"), ("interests", "Книги,  шахматы"),
                // Not offered to volunteers, so ignored.
                ("coordinator_digest", "true"),
            ])
            .await;
        assert_eq!(res.status(), 303);
        let saved = user(&app, me.id).await;
        assert_eq!(saved.remind_frequency, RemindFrequency::Monthly);
        assert!(saved.remind_digest && saved.remind_replies);
        assert!(!saved.remind_birthdays && !saved.remind_transfers && !saved.remind_letter_status);
        assert!(!saved.remind_coordinator_digest);
        assert_eq!(saved.remind_dry_spell_days, Some(21));
        assert_eq!(saved.time_zone, "Asia/Vladivostok");
        assert_eq!(saved.locale, "en");
        assert_eq!(saved.writes_languages, "ru en");
        assert_eq!(saved.interests, "книги, шахматы");
        let page = app.get("/settings/reminders").await.text().await.unwrap();
        assert!(page.contains("<p class=\"flash\" role=\"status\">Reminder settings saved.</p>"), "confirmed, and the page now speaks English: {page}");
        assert!(page.contains("The next digest goes out at"), "{page}");

        let res = app
            .post_form("/settings/reminders", &[
                ("frequency", "hourly"), ("time_zone", "Mars/Olympus"),
                ("dry_spell", "true"), ("dry_spell_days", "0"), ("locale", "en"),
            ])
            .await;
        assert_eq!(res.status(), 422);
        let page = res.text().await.unwrap();
        for message in ["Choose how often.", "Choose a time zone from the list.", "Enter a number of days from 1 to 365.", "Choose at least one language."] {
            assert!(page.contains(message), "{message}: {page}");
        }
        assert!(page.contains("value=\"Mars/Olympus\""), "what was typed is kept");
        assert_eq!(user(&app, me.id).await.time_zone, "Asia/Vladivostok", "nothing saved");
    }
}

both_backends! {
    async fn the_time_zone_is_chosen_from_the_zone_list_and_starts_at_the_browsers(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let me = app.sign_in_as("vera@example.org", Role::Volunteer).await;
        assert_eq!(me.time_zone, "", "a new account has not chosen one");
        let page = app.get("/settings/reminders").await.text().await.unwrap();
        assert!(page.contains("<select id=\"time_zone\" name=\"time_zone\" data-browser-zone"), "the browser's zone is offered: {page}");
        assert!(page.contains("/static/time_zone.js"));
        for zone in ["Pacific/Auckland", "America/Argentina/Buenos_Aires", "Asia/Kamchatka", "Europe/Moscow"] {
            assert!(page.contains(&format!("<option value=\"{zone}\"")), "{zone} is in the list");
        }
        assert!(!page.contains("value=\"Etc/GMT+3\"") && !page.contains("value=\"US/Eastern\""), "aliases are left out");
        let script = app.get("/static/time_zone.js").await.text().await.unwrap();
        assert!(script.contains("resolvedOptions().timeZone"));

        let form = |zone: &'static str| vec![("frequency", "weekly"), ("time_zone", zone), ("locale", "ru"), ("language", "ru")];
        assert_eq!(app.post_form("/settings/reminders", &form("Asia/Kamchatka")).await.status(), 303);
        assert_eq!(user(&app, me.id).await.time_zone, "Asia/Kamchatka");
        let page = app.get("/settings/reminders").await.text().await.unwrap();
        assert!(page.contains("<option value=\"Asia/Kamchatka\" selected>"), "{page}");
        assert!(!page.contains("data-browser-zone"), "a chosen zone is not replaced by the browser's");
        // The list is not the only check: the server refuses a made-up zone.
        let res = app.post_form("/settings/reminders", &form("Europe/Atlantis")).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("Выберите часовой пояс из списка."));
        assert_eq!(user(&app, me.id).await.time_zone, "Asia/Kamchatka");
    }
}

both_backends! {
    async fn unsubscribe_links_work_without_signing_in_and_cannot_be_forged(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let vera = app.create_user("vera@example.org", Role::Volunteer).await;
        let boris = app.create_user("boris@example.org", Role::Coordinator).await;
        let visitor = spawn_client(&app).unwrap();

        // The link opens a page that asks first, in Russian (Vera's language).
        let digest = link(&app, vera.id, "digest").await;
        let page = visitor.get(&digest).await;
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("Больше не присылать сводки"));
        assert!(user(&app, vera.id).await.remind_digest, "opening the link changes nothing");

        let done = visitor.post_form_raw(&digest, &[]).await;
        assert_eq!(done.status(), 200);
        assert!(done.text().await.unwrap().contains("сводок больше не будет"));
        let after = user(&app, vera.id).await;
        assert!(!after.remind_digest && after.remind_replies, "only the digest is off");

        // A mail provider's one-click POST, from elsewhere.
        let all = link(&app, boris.id, "all").await;
        let res = visitor
            .client
            .post(visitor.url(&all))
            .header("Origin", "https://mail.example.net")
            .form(&[("List-Unsubscribe", "One-Click")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let after = user(&app, boris.id).await;
        assert_eq!(after.remind_frequency, RemindFrequency::Never);
        assert!(!after.remind_replies && !after.remind_coordinator_digest && after.remind_dry_spell_days.is_none());

        // Someone else's id under Vera's signature, a made-up kind, garbage.
        let (_, signature) = digest.trim_start_matches("/unsubscribe/").split_once('.').unwrap();
        use base64::Engine;
        let forged = format!("/unsubscribe/{}.{signature}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{}:digest", boris.id)));
        assert_eq!(visitor.post_form_raw(&forged, &[]).await.status(), 404);
        assert_eq!(visitor.get(&link(&app, vera.id, "everything").await).await.status(), 404);
        assert_eq!(visitor.get("/unsubscribe/nonsense").await.status(), 404);
    }
}

mod sending {
    use chrono::{NaiveDateTime, TimeDelta};
    use konvert::dashboard::dates::LeadTimes;
    use konvert::db::facilities::{self, FacilityForm};
    use konvert::db::letters::{self, Channel, LetterStatus, NewLetter};

    use konvert::db::prisoners::{self, PrisonerForm, TagKind};
    use konvert::db::replies::{self, MatchState, NewReply, ReplyChannel};
    use konvert::db::users::{self, ReminderPrefs, Role, User};
    use konvert::db::{self, Db, DbError};
    use konvert::delivery::worker::{Reminders, Worker};
    use konvert::reminders::scan;

    use super::someone_waiting;
    use crate::both_backends;
    use crate::helpers::*;
    use crate::smtp_sink::SmtpSink;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    /// The coming Wednesday at noon UTC: mid-week everywhere, so weekly
    /// digests are due whatever day the tests run.
    pub fn midweek() -> NaiveDateTime {
        use chrono::Datelike;
        let now = db::now();
        let today = now.date();
        let ahead = (9 - i64::from(today.weekday().num_days_from_monday())) % 7;
        let noon = (today + TimeDelta::days(ahead))
            .and_hms_opt(12, 0, 0)
            .unwrap();
        if noon < now {
            noon + TimeDelta::days(7)
        } else {
            noon
        }
    }

    fn worker(app: &TestApp, sink: &SmtpSink) -> Worker {
        reminders_worker(app, Some(sink.url()))
    }

    /// A worker that sends reminders over SMTP to `smtp`, or without it into
    /// the app's outbox folder.
    pub fn reminders_worker(app: &TestApp, smtp: Option<String>) -> Worker {
        let settings = konvert::config::RawSettings {
            data_dir: Some(app.data_dir.clone()),
            smtp_url: smtp,
            ..Default::default()
        }
        .resolve()
        .unwrap();
        Worker::new(app.db.clone(), "w1").with_reminders(Reminders {
            mailer: konvert::mail::Mailer::from_settings(&settings).unwrap(),
            templates: std::sync::Arc::new(konvert::templates::Templates::load().unwrap()),
            from: "Konvert <reminders@example.org>".into(),
            base_url: app.address.clone(),
            lead: LeadTimes::default(),
        })
    }

    use crate::delivery::drain;

    async fn scan_at(db: &Db, now: NaiveDateTime) -> usize {
        db.run(move |c| scan::run(c, now, LeadTimes::default()))
            .await
            .unwrap()
    }

    /// Moves an account's creation `days` into the past.
    pub async fn backdate_account(db: &Db, id: i64, days: i64) {
        use diesel::prelude::*;
        use konvert::db::schema::users as u;
        db.run(move |c| {
            diesel::update(u::table.find(id))
                .set(u::created_at.eq(db::now() - TimeDelta::days(days)))
                .execute(c)?;
            Ok::<_, DbError>(())
        })
        .await
        .unwrap();
    }

    async fn prefs(db: &Db, user: &User, change: impl FnOnce(&mut ReminderPrefs) + Send + 'static) {
        let user = user.clone();
        db.run(move |c| {
            let mut p = ReminderPrefs::of(&user);
            change(&mut p);
            users::set_reminders(c, user.id, &p, db::now())?;
            Ok::<_, DbError>(())
        })
        .await
        .unwrap();
    }

    both_backends! {
        async fn each_kind_arrives_once_in_the_right_language_and_stops_on_unsubscribe(backend) {
            let Some(sink) = SmtpSink::start() else { return };
            let Some(app) = spawn_app(backend).await else { return };
            let vera = app.create_user("vera@example.org", Role::Volunteer).await;
            let john = app.create_user("john@example.org", Role::Volunteer).await;
            let boris = app.create_user("boris@example.org", Role::Coordinator).await;
            prefs(&app.db, &vera, |p| { p.time_zone = "Europe/Moscow".into(); p.remind_dry_spell_days = Some(30); }).await;
            // Vera has been here since before her first letter: her history is news to her reminders.
            backdate_account(&app.db, vera.id, 100).await;
            prefs(&app.db, &john, |p| { p.locale = "en".into(); p.writes_languages = "ru en".into(); }).await;
            let (vera_id, john_id) = (vera.id, john.id);
            let now = db::now();
            app.db
                .run(move |c| {
                    let f1 = facilities::insert(c, &FacilityForm { country: "RU".into(), name: "ИК-1".into(), ..Default::default() }, now)?;
                    let f2 = facilities::insert(c, &FacilityForm { country: "RU".into(), name: "ИК-2 \"Новая\" <Север>".into(), ..Default::default() }, now)?;
                    let mut form = PrisonerForm::new("Горинов", "Алексей", None);
                    let birthday = (now + TimeDelta::days(10)).date();
                    form.set_birth_date(Some(prisoners::BirthDate::from_date(chrono::Datelike::with_year(&birthday, 1961).unwrap_or(birthday))));
                    let p = prisoners::insert(c, &form, now)?.id;
                    prisoners::add_tag(c, p, TagKind::Language, "ru")?;
                    let place = |c: &mut db::DbConn, f: i64, when: NaiveDateTime| place_at(c, p, f, when);
                    let first = place(c, f1.id, now - TimeDelta::days(100))?;
                    let letter = |c: &mut db::DbConn, writer: i64, code: &str, days_ago: i64| letters::insert(c, &NewLetter {
                        writer_id: writer, prisoner_id: p, placement_id: Some(first.id), address_snapshot: None, language: "ru".into(),
                        body: "Письмо".into(), channel: Channel::Post, status: LetterStatus::Draft, pen_name: None, reply_blank: false,
                        reply_code: Some(code.into()), created_at: now - TimeDelta::days(days_ago), updated_at: now - TimeDelta::days(days_ago),
                    });
                    // Vera wrote 40 days ago and got a reply; her second letter came back for edits.
                    let sent = letter(c, vera_id, "AAAA1111", 40)?;
                    force_letter_status(c, sent.id, LetterStatus::Sent, now - TimeDelta::days(40))?;
                    let reply = replies::insert(c, &NewReply {
                        prisoner_id: Some(p), letter_id: Some(sent.id), writer_id: Some(vera_id), received_at: now - TimeDelta::days(1),
                        channel: ReplyChannel::Paper, reply_code: None, transcription: "Спасибо за письмо!".into(), notes: String::new(),
                        blank_unused: false, match_state: MatchState::Matched, source_message_id: None, logged_by: None,
                        created_at: now, updated_at: now,
                    })?;
                    let _ = reply;
                    let returned = letter(c, vera_id, "BBBB2222", 2)?;
                    force_letter_status(c, returned.id, LetterStatus::ReturnedToWriter, now)?;
                    // John's letter waits for review: news for the coordinator.
                    let waiting = letter(c, john_id, "CCCC3333", 1)?;
                    force_letter_status(c, waiting.id, LetterStatus::Submitted, now)?;
                    // And the person was moved today.
                    place(c, f2.id, now)?;
                    Ok::<_, DbError>(())
                })
                .await
                .unwrap();

            let scan_time = midweek();
            let first_scan = scan_at(&app.db, scan_time).await;
            let w = worker(&app, &sink);
            drain(&w).await;
            let mails = sink.wait_for(first_scan).await;
            assert_eq!(mails.len(), first_scan, "every enqueued reminder arrives");
            let to = |who: &str| mails.iter().filter(|m| m.to == who).collect::<Vec<_>>();
            let subjects = |who: &str| { let mut s: Vec<String> = to(who).iter().map(|m| m.subject.clone()).collect(); s.sort(); s };
            let vera_mail = subjects("vera@example.org");
            for expected in ["Они ждут письма", "Вы давно не писали: Горинов Алексей", "День рождения", "Новый адрес: Горинов Алексей", "Письмо нужно поправить (Горинов Алексей)", "ответил"] {
                assert!(vera_mail.iter().any(|s| s.contains(expected)), "{expected} in {vera_mail:?}");
            }
            assert_eq!(vera_mail.len(), 6, "{vera_mail:?}");
            assert_eq!(subjects("john@example.org"), vec!["They are waiting for a letter".to_owned()], "John reads English");
            let boris_mail = subjects("boris@example.org");
            assert!(boris_mail.iter().any(|s| s == "Konvert: что требует внимания"), "{boris_mail:?}");
            let transfer = to("vera@example.org").into_iter().find(|m| m.subject.starts_with("Новый адрес")).unwrap();
            assert!(transfer.text.contains("ИК-2 \"Новая\" <Север>"), "plain text as written: {}", transfer.text);
            assert!(transfer.html.contains("ИК-2 &quot;Новая&quot; &lt;Север&gt;"), "HTML escaped: {}", transfer.html);
            assert!(!transfer.text.contains("&quot;") && !transfer.text.contains("&lt;"), "plain text is not HTML-escaped");
            for m in &mails {
                assert!(m.raw.contains("List-Unsubscribe: <http://127.0.0.1:"), "{}", m.raw);
                assert!(m.raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
            }

            // A restart: the same scan again finds everything recorded.
            assert_eq!(scan_at(&app.db, scan_time).await, 0);
            drain(&w).await;
            assert_eq!(sink.received().len(), mails.len(), "no duplicates after a restart");

            // Vera unsubscribes from everything with the link in her e-mail.
            let visitor = spawn_client(&app).unwrap();
            let digest = to("vera@example.org").into_iter().find(|m| m.subject == "Они ждут письма").unwrap();
            let unsubscribe_all = digest.text.lines().find(|l| l.contains("Отписаться от всех")).and_then(|l| l.split_whitespace().last()).unwrap().to_owned();
            let path = unsubscribe_all.trim_start_matches(&app.address);
            assert_eq!(visitor.post_form_raw(path, &[("List-Unsubscribe", "One-Click")]).await.status(), 200);

            // Next week: John's digest comes again, nothing for Vera. (The
            // sink's files are not in arrival order: compare whole messages.)
            let before: std::collections::HashSet<String> = sink.received().into_iter().map(|m| m.raw).collect();
            let next_week = scan_time + TimeDelta::days(7);
            let enqueued = scan_at(&app.db, next_week).await;
            drain(&w).await;
            let later = sink.wait_for(before.len() + enqueued).await;
            let new: Vec<String> = later.into_iter().filter(|m| !before.contains(&m.raw)).map(|m| m.to).collect();
            assert_eq!(new.len(), enqueued);
            assert!(new.contains(&"john@example.org".to_owned()), "{new:?}");
            assert!(!new.contains(&"vera@example.org".to_owned()), "nothing after unsubscribing: {new:?}");
            let _ = boris;
        }
    }

    both_backends! {
        async fn a_restart_in_the_middle_of_sending_sends_each_reminder_once(backend) {
            let Some(sink) = SmtpSink::start() else { return };
            let Some(app) = spawn_app(backend).await else { return };
            app.db
                .run(|c| {
                    someone_held(c, "Ждущий")?;
                    for i in 0..30 {
                        users::insert(c, &users::NewUser::new(&format!("s{i}@example.org"), "S", Role::Volunteer, db::now()))?;
                    }
                    Ok::<_, DbError>(())
                })
                .await
                .unwrap();
            let when = midweek();
            assert_eq!(scan_at(&app.db, when).await, 30);
            // The first worker sends one batch (20), then the process stops.
            let first = worker(&app, &sink);
            assert_eq!(first.run_once().await.unwrap(), 20);
            drop(first);
            // After the restart: the scan runs again and a new worker drains.
            assert_eq!(scan_at(&app.db, when).await, 0, "nothing is enqueued twice");
            let second = worker(&app, &sink);
            drain(&second).await;
            let mails = sink.wait_for(30).await;
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            let mails = if sink.received().len() > mails.len() { sink.received() } else { mails };
            let mut to: Vec<String> = mails.into_iter().map(|m| m.to).collect();
            to.sort();
            let unique = { let mut u = to.clone(); u.dedup(); u };
            assert_eq!((to.len(), unique.len()), (30, 30), "each supporter once: {to:?}");
        }
    }

    both_backends! {
        async fn the_digest_names_people_who_share_my_interests_first(backend) {
            let Some(sink) = SmtpSink::start() else { return };
            let Some(app) = spawn_app(backend).await else { return };
            let vera = app.create_user("vera@example.org", Role::Volunteer).await;
            prefs(&app.db, &vera, |p| p.interests = "шахматы".into()).await;
            app.db
                .run(|c| {
                    let now = db::now();
                    let f = facilities::insert(c, &FacilityForm { country: "RU".into(), name: "ИК".into(), ..Default::default() }, now)?;
                    for (surname, interest, written) in [("Ждущий", None, None), ("Шахматист", Some("шахматы"), Some(100))] {
                        let p = prisoners::insert(c, &PrisonerForm::new(surname, "Илья", None), now)?.id;
                        if let Some(i) = interest {
                            prisoners::add_tag(c, p, TagKind::Interest, i)?;
                        }
                        if let Some(days) = written {
                            prisoners::note_letter_sent(c, p, now - TimeDelta::days(days))?;
                        }
                        place_at(c, p, f.id, now)?;
                    }
                    Ok::<_, DbError>(())
                })
                .await
                .unwrap();
            assert_eq!(scan_at(&app.db, midweek()).await, 1);
            drain(&worker(&app, &sink)).await;
            let mail = sink.wait_for(1).await.remove(0);
            let (chess, waiting) = (mail.text.find("Шахматист").unwrap(), mail.text.find("Ждущий").unwrap());
            assert!(chess < waiting, "a shared interest comes before a longer wait: {}", mail.text);
            assert!(mail.text.contains("ещё никто не писал") && mail.text.contains("без писем 100 дней"), "{}", mail.text);
        }
    }

    both_backends! {
        async fn the_weekly_digest_goes_out_on_monday_morning_in_each_time_zone(backend) {
            let Some(sink) = SmtpSink::start() else { return };
            let Some(app) = spawn_app(backend).await else { return };
            let east = app.create_user("east@example.org", Role::Volunteer).await;
            let west = app.create_user("west@example.org", Role::Volunteer).await;
            prefs(&app.db, &east, |p| p.time_zone = "Asia/Vladivostok".into()).await;
            prefs(&app.db, &west, |p| p.time_zone = "America/New_York".into()).await;
            someone_waiting(&app.db).await;
            let w = worker(&app, &sink);
            // Sunday 22 November, 20:00 UTC. In New York it is Sunday afternoon
            // of week 47, whose digest is due since Monday (a new account gets
            // the current one). In Vladivostok it is Monday 06:00 of week 48:
            // not morning yet.
            assert_eq!(scan_at(&app.db, at("2026-11-22 20:00")).await, 1);
            drain(&w).await;
            assert_eq!(sink.wait_for(1).await[0].to, "west@example.org");
            // 22:00 UTC is Monday 08:00 in Vladivostok.
            assert_eq!(scan_at(&app.db, at("2026-11-22 21:59")).await, 0);
            assert_eq!(scan_at(&app.db, at("2026-11-22 22:00")).await, 1);
            drain(&w).await;
            let count = |mails: &[Mail], to: &str| mails.iter().filter(|m| m.to == to).count();
            let mails = sink.wait_for(2).await;
            assert_eq!((count(&mails, "west@example.org"), count(&mails, "east@example.org")), (1, 1));
            // New York is UTC-5 in November: Monday 08:00 there is 13:00 UTC.
            assert_eq!(scan_at(&app.db, at("2026-11-23 12:59")).await, 0);
            assert_eq!(scan_at(&app.db, at("2026-11-23 13:00")).await, 1);
            drain(&w).await;
            let mails = sink.wait_for(3).await;
            assert_eq!((count(&mails, "west@example.org"), count(&mails, "east@example.org")), (2, 1));
        }
    }

    both_backends! {
        async fn a_reminder_turned_off_after_it_was_enqueued_is_not_sent(backend) {
            let Some(sink) = SmtpSink::start() else { return };
            let Some(app) = spawn_app(backend).await else { return };
            let vera = app.create_user("vera@example.org", Role::Volunteer).await;
            someone_waiting(&app.db).await;
            assert_eq!(scan_at(&app.db, at("2026-11-23 12:00")).await, 1);
            prefs(&app.db, &vera, |p| p.remind_digest = false).await;
            let w = worker(&app, &sink);
            drain(&w).await;
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            assert!(sink.received().is_empty());
            let state = app.db.run(|c| Ok::<_, DbError>(konvert::db::deliveries::count_by_state(c)?)).await.unwrap();
            assert!(state.iter().any(|(s, n)| *s == konvert::db::deliveries::DeliveryState::Cancelled && *n == 1), "{state:?}");
        }
    }
}

both_backends! {
    async fn without_smtp_reminders_are_saved_as_eml_files_that_admins_list(backend) {
        use konvert::dashboard::dates::LeadTimes;
        let Some(app) = spawn_app(backend).await else { return };
        app.create_user("vera@example.org", Role::Volunteer).await;
        someone_waiting(&app.db).await;
        let w = sending::reminders_worker(&app, None);
        let midweek = sending::midweek();
        let enqueued = app.db.run(move |c| konvert::reminders::scan::run(c, midweek, LeadTimes::default())).await.unwrap();
        assert_eq!(enqueued, 1, "Vera's weekly digest");
        crate::delivery::drain(&w).await;

        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        assert_eq!(app.get("/admin/mail").await.status(), 403, "admins only: the e-mails hold personal data");
        app.sign_in_as("admin@example.org", Role::Admin).await;
        let page = app.get("/admin/mail").await.text().await.unwrap();
        assert!(page.contains("В папке 1 письмо.") && page.contains("vera@example.org") && page.contains("Они ждут письма"), "{page}");
        let href = page.split("href=\"/admin/mail/").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
        let file = app.get(&format!("/admin/mail/{href}")).await;
        assert!(file.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        assert!(file.text().await.unwrap().contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert_eq!(app.get("/admin/mail/..%2Fkonvert.sqlite3").await.status(), 404);
        assert_eq!(app.get("/admin/mail/missing.eml").await.status(), 404);
    }
}

both_backends! {
    async fn the_digest_never_suggests_people_where_only_relatives_letters_arrive(backend) {
        use konvert::dashboard::dates::LeadTimes;
        let Some(app) = spawn_app(backend).await else { return };
        app.create_user("vera@example.org", Role::Volunteer).await;
        app.db
            .run(|c| {
                someone_held_in(c, "Российский", "RU")?;
                someone_held_in(c, "Белорусский", "BY")?;
                Ok::<_, DbError>(())
            })
            .await
            .unwrap();
        let w = sending::reminders_worker(&app, None);
        let midweek = sending::midweek();
        let enqueued = app.db.run(move |c| konvert::reminders::scan::run(c, midweek, LeadTimes::default())).await.unwrap();
        assert_eq!(enqueued, 1, "Vera's weekly digest");
        crate::delivery::drain(&w).await;
        let mails = app.outbox();
        assert_eq!(mails.len(), 1);
        assert!(mails[0].text.contains("Российский"), "{}", mails[0].text);
        assert!(!mails[0].text.contains("Белорусский"), "{}", mails[0].text);
    }
}

mod first_scan {
    use std::collections::HashSet;

    use chrono::TimeDelta;
    use diesel::prelude::*;
    use konvert::dashboard::dates::LeadTimes;
    use konvert::db::schema::{letters, notifications, placements, replies};
    use konvert::db::users::Role;
    use konvert::db::{self, DbError};
    use konvert::reminders::scan;

    use crate::both_backends;
    use crate::helpers::*;

    /// Every enqueued reminder as (user, kind, the person it is about).
    fn planned(c: &mut db::DbConn) -> Vec<(i64, String, Option<i64>)> {
        let rows: Vec<(i64, String, Option<String>, Option<i64>)> = notifications::table
            .select((
                notifications::user_id,
                notifications::kind,
                notifications::subject_type,
                notifications::subject_id,
            ))
            .load(c)
            .unwrap();
        rows.into_iter()
            .map(|(user, kind, subject, id)| {
                let person = match (subject.as_deref(), id) {
                    (Some("prisoner"), id) => id,
                    (Some("placement"), Some(id)) => placements::table
                        .find(id)
                        .select(placements::prisoner_id)
                        .first(c)
                        .ok(),
                    (Some("letter"), Some(id)) => letters::table
                        .find(id)
                        .select(letters::prisoner_id)
                        .first(c)
                        .ok(),
                    (Some("reply"), Some(id)) => replies::table
                        .find(id)
                        .select(replies::prisoner_id)
                        .first::<Option<i64>>(c)
                        .ok()
                        .flatten(),
                    _ => None,
                };
                (user, kind, person)
            })
            .collect()
    }

    both_backends! {
        async fn a_new_account_after_the_demo_is_reminded_only_of_what_happens_from_now_on(backend) {
            let Some(app) = spawn_app(backend).await else { return };
            let loaded = db::now();
            {
                let mut conn = app.db.get().unwrap();
                konvert::demo::load(&mut conn, loaded).unwrap();
            }
            let newcomer = app.create_user("newcomer@example.org", Role::Volunteer).await;
            assert!(newcomer.remind_transfers && newcomer.remind_replies && newcomer.remind_dry_spell_days.is_some());

            let now = db::now() + TimeDelta::minutes(1);
            let enqueued = app.db.run(move |c| scan::run(c, now, LeadTimes::default())).await.unwrap();
            let due = app.db.run(|c| Ok::<_, DbError>(planned(c))).await.unwrap();
            assert_eq!(due.len(), enqueued);
            // Years of demo history happened before any of these accounts
            // existed: no moves, replies, quiet spells or returned letters.
            // What is due from now on: this period's digests and birthdays coming.
            for (user, kind, person) in &due {
                assert!(["digest", "coordinator_digest", "birthdays"].contains(&kind.as_str()), "old news: {kind} about {person:?} for {user}: {due:?}");
            }
            let newcomers: Vec<_> = due.iter().filter(|(u, _, _)| *u == newcomer.id).collect();
            assert!(newcomers.iter().all(|(_, kind, _)| kind == "digest") && newcomers.len() <= 1, "{newcomers:?}");
            let distinct: HashSet<_> = due.iter().collect();
            assert_eq!(distinct.len(), due.len(), "nobody twice for one kind: {due:?}");
            let outbox_rows: i64 = app.db.run(|c| Ok::<_, DbError>(konvert::db::schema::deliveries::table
                .filter(konvert::db::schema::deliveries::channel.eq(scan::CHANNEL))
                .count()
                .get_result(c)?)).await.unwrap();
            assert_eq!(outbox_rows as usize, enqueued, "one outbox row per reminder");

            // The e-mails that go out: no "new address", nobody twice.
            let w = crate::reminders::sending::reminders_worker(&app, None);
            crate::delivery::drain(&w).await;
            let mails = app.outbox();
            assert!(mails.len() <= enqueued);
            assert!(!mails.iter().any(|m| m.subject.starts_with("Новый адрес")), "{:?}", mails.iter().map(|m| &m.subject).collect::<Vec<_>>());
            let sent: HashSet<_> = mails.iter().map(|m| (m.to.clone(), m.subject.clone())).collect();
            assert_eq!(sent.len(), mails.len(), "no e-mail twice");

            // From now on news is news: a demo writer hears once of a move recorded now.
            let moved = app.db.run(move |c| {
                let (writer, prisoner): (i64, i64) = letters::table
                    .filter(letters::sent_at.is_not_null())
                    .inner_join(konvert::db::schema::prisoners::table)
                    .filter(konvert::db::schema::prisoners::do_not_write.eq(false))
                    .filter(konvert::db::schema::prisoners::status.ne_all(["released", "deceased", "in_transit"]))
                    .select((letters::writer_id, letters::prisoner_id))
                    .first(c)?;
                let facility: i64 = konvert::db::schema::facilities::table.select(konvert::db::schema::facilities::id).first(c)?;
                let later = db::now() + TimeDelta::minutes(2);
                place_at(c, prisoner, facility, later)?;
                // Switching transfers on again now changes nothing for a move made after it.
                Ok::<_, DbError>((writer, prisoner, later))
            }).await.unwrap();
            let (writer, prisoner, later) = moved;
            let enqueued = app.db.run(move |c| scan::run(c, later + TimeDelta::minutes(1), LeadTimes::default())).await.unwrap();
            let due = app.db.run(|c| Ok::<_, DbError>(planned(c))).await.unwrap();
            let transfers: Vec<_> = due.iter().filter(|(_, k, _)| k == "transfers").collect();
            assert!(enqueued >= 1 && transfers.contains(&&(writer, "transfers".to_owned(), Some(prisoner))), "{due:?}");
            assert!(transfers.iter().all(|(_, _, p)| *p == Some(prisoner)));
        }
    }

    both_backends! {
        async fn switching_a_kind_on_does_not_bring_its_old_news(backend) {
            let Some(app) = spawn_app(backend).await else { return };
            let vera = app.sign_in_as("vera@example.org", Role::Volunteer).await;
            crate::reminders::sending::backdate_account(&app.db, vera.id, 300).await;
            let vera_id = vera.id;
            // Vera wrote 60 days ago; the person was moved 5 days ago.
            app.db.run(move |c| {
                let p = someone_held(c, "Переведённый")?;
                let now = db::now();
                let letter = konvert::db::letters::insert(c, &konvert::db::letters::NewLetter {
                    writer_id: vera_id, prisoner_id: p, placement_id: None, address_snapshot: None, language: "ru".into(),
                    body: "Письмо".into(), channel: konvert::db::letters::Channel::Post, status: konvert::db::letters::LetterStatus::Draft,
                    pen_name: None, reply_blank: false, reply_code: Some("DDDD4444".into()),
                    created_at: now - TimeDelta::days(61), updated_at: now - TimeDelta::days(61),
                })?;
                force_letter_status(c, letter.id, konvert::db::letters::LetterStatus::Sent, now - TimeDelta::days(60))?;
                let f = konvert::db::facilities::insert(c, &konvert::db::facilities::FacilityForm { country: "RU".into(), name: "ИК-9".into(), ..Default::default() }, now)?;
                place_at(c, p, f.id, now - TimeDelta::days(5))?;
                Ok::<_, DbError>(())
            }).await.unwrap();
            // Off, then on again through the settings page.
            for on in [false, true] {
                let mut form = vec![("frequency", "never"), ("time_zone", "UTC"), ("locale", "ru"), ("language", "ru"), ("dry_spell_days", "30")];
                if on {
                    form.extend([("transfers", "true"), ("dry_spell", "true")]);
                }
                assert_eq!(app.post_form("/settings/reminders", &form).await.status(), 303);
            }
            let now = db::now() + TimeDelta::minutes(1);
            assert_eq!(app.db.run(move |c| scan::run(c, now, LeadTimes::default())).await.unwrap(), 0, "the move and the quiet began before the switch");
            // Thirty days after switching on, the quiet is news.
            let later = now + TimeDelta::days(30);
            assert_eq!(app.db.run(move |c| scan::run(c, later, LeadTimes::default())).await.unwrap(), 1);
            let due = app.db.run(|c| Ok::<_, DbError>(planned(c))).await.unwrap();
            assert_eq!(due.iter().map(|(_, k, _)| k.as_str()).collect::<Vec<_>>(), vec!["dry_spell"]);
        }
    }
}

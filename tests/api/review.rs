//! Moderation: approve (queued with its outbox row), return with a note,
//! reject; holds while the prisoner is in transit or moved; auto-approval
//! for trusted writers.

use konvert::db::deliveries::{self, DeliveryState};
use konvert::db::letters::{self, LetterStatus};
use konvert::db::placements;
use konvert::db::users::Role;
use konvert::db::{self, DbError};
use konvert::review;

use crate::both_backends;
use crate::helpers::*;
use crate::letters::{prisoner, Fixture};

async fn letter(app: &TestApp, id: i64) -> letters::Letter {
    app.db
        .run(move |c| Ok::<_, DbError>(letters::find(c, id)?.unwrap()))
        .await
        .unwrap()
}

async fn deliveries_of(app: &TestApp, id: i64) -> Vec<deliveries::Delivery> {
    app.db
        .run(move |c| Ok::<_, DbError>(deliveries::for_letter(c, id)?))
        .await
        .unwrap()
}

/// Moves the prisoner: to a new facility (a copy of the current one) or into transit.
async fn transfer(app: &TestApp, prisoner_id: i64, to_facility: bool) {
    app.db
        .run(move |c| {
            let now = db::now();
            let facility_id = if to_facility {
                let current = placements::current(c, prisoner_id)?.and_then(|p| p.facility_id);
                let old = match current {
                    Some(id) => konvert::db::facilities::find(c, id)?,
                    None => None,
                };
                let mut form = konvert::db::facilities::FacilityForm {
                    country: "RU".into(),
                    name: "ФКУ ИК-2 УФСИН России по Республике Мордовия".into(),
                    postcode: Some("431130".into()),
                    region: Some("Республика Мордовия".into()),
                    locality: Some("пос. Явас".into()),
                    ..Default::default()
                };
                if old.is_none() {
                    form.name = "ФКУ ИК-7 УФСИН России по Республике Карелия".into();
                }
                Some(konvert::db::facilities::insert(c, &form, now)?.id)
            } else {
                None
            };
            move_to(c, prisoner_id, facility_id, now)?;
            Ok::<_, DbError>(())
        })
        .await
        .unwrap();
}

both_backends! {
    async fn approval_queues_the_letter_with_its_outbox_row(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (_, writer) = app.other_client("vera@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let id = submitted_letter(&writer, pid, "Здравствуйте! Как Вы?").await;
        assert_eq!(letter(&app, id).await.status, LetterStatus::Submitted);
        assert!(deliveries_of(&app, id).await.is_empty(), "nothing is queued before review");

        let coordinator = app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let page = app.get("/review").await.text().await.unwrap();
        assert!(page.contains("Здравствуйте! Как Вы?"), "{page}");
        let res = app.post_form(&format!("/review/{id}"), &[("decision", "approve")]).await;
        assert_eq!(res.status(), 303);
        let l = letter(&app, id).await;
        assert_eq!(l.status, LetterStatus::Queued);
        assert!(l.approved_at.is_some() && l.queued_at.is_some());
        assert_eq!(l.reviewer_id, Some(coordinator.id));
        let d = deliveries_of(&app, id).await;
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].state, DeliveryState::Pending);
        // A second decision finds it decided.
        assert_eq!(app.post_form(&format!("/review/{id}"), &[("decision", "reject"), ("note", "x")]).await.status(), 409);
    }
}

both_backends! {
    async fn returned_and_rejected_letters_carry_the_note_to_the_writer(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (_, writer) = app.other_client("vera@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let returned = submitted_letter(&writer, pid, "Первое письмо").await;
        let rejected = submitted_letter(&writer, pid, "Второе письмо").await;
        app.sign_in_as("coord@example.org", Role::Coordinator).await;

        let missing = app.post_form(&format!("/review/{returned}"), &[("decision", "return"), ("note", "  ")]).await;
        assert_eq!(missing.status(), 422);
        assert!(missing.text().await.unwrap().contains(&format!("id=\"note-{returned}-error\"")));
        assert_eq!(letter(&app, returned).await.status, LetterStatus::Submitted);

        app.post_form(&format!("/review/{returned}"), &[("decision", "return"), ("note", "Уберите, пожалуйста, номер телефона.")]).await;
        app.post_form(&format!("/review/{rejected}"), &[("decision", "reject"), ("note", "Письмо о деле не пропустит цензура.")]).await;
        assert_eq!(letter(&app, returned).await.status, LetterStatus::ReturnedToWriter);
        assert_eq!(letter(&app, rejected).await.status, LetterStatus::Rejected);

        let mine = writer.get("/letters").await.text().await.unwrap();
        assert!(mine.contains("Уберите, пожалуйста, номер телефона."), "{mine}");
        assert!(mine.contains("Письмо о деле не пропустит цензура."));
        // The returned letter can be edited and submitted again.
        let res = writer
            .post_form(&format!("/letters/{returned}"), &[("body", "Первое письмо, исправленное"), ("channel", "fsin_pismo"), ("action", "submit")])
            .await;
        assert_eq!(res.status(), 303);
        assert_eq!(letter(&app, returned).await.status, LetterStatus::Submitted);
    }
}

both_backends! {
    async fn letters_wait_while_the_prisoner_is_moved_and_go_out_to_the_new_address(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (_, writer) = app.other_client("vera@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let queued = submitted_letter(&writer, pid, "Уже в очереди").await;
        let later = submitted_letter(&writer, pid, "Одобрят во время этапа").await;
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        app.post_form(&format!("/review/{queued}"), &[("decision", "approve")]).await;
        assert_eq!(letter(&app, queued).await.status, LetterStatus::Queued);

        // In transit: the queued letter stops, the next approval waits too.
        transfer(&app, pid, false).await;
        let held = app.db.run(move |c| Ok::<_, konvert::error::AppError>(review::hold_for_transfer(c, pid, db::now())?)).await.unwrap();
        assert_eq!(held, 1);
        let l = letter(&app, queued).await;
        assert_eq!(l.status, LetterStatus::Held);
        assert_eq!(l.hold_reason.as_deref(), Some("address_changed"));
        assert_eq!(deliveries_of(&app, queued).await[0].state, DeliveryState::Held);
        app.post_form(&format!("/review/{later}"), &[("decision", "approve")]).await;
        let l = letter(&app, later).await;
        assert_eq!((l.status, l.hold_reason.as_deref()), (LetterStatus::Held, Some("in_transit")));
        assert!(deliveries_of(&app, later).await.is_empty());
        // The worker does not touch held letters.
        assert_eq!(konvert::delivery::worker::Worker::new(app.db.clone(), "w").run_once().await.unwrap(), 0);

        // Arrived: releasing re-addresses both and queues them.
        transfer(&app, pid, true).await;
        let released = app.db.run(move |c| Ok::<_, konvert::error::AppError>(review::release_held(c, pid, None, db::now())?)).await.unwrap();
        assert_eq!(released, 2);
        for id in [queued, later] {
            let l = letter(&app, id).await;
            assert_eq!(l.status, LetterStatus::Queued);
            assert_eq!(l.hold_reason, None);
            assert!(l.address_snapshot.as_deref().unwrap_or("").contains("Мордовия"), "re-addressed");
            let d = deliveries_of(&app, id).await;
            assert_eq!(d.len(), 1, "one outbox row per letter and channel");
            assert_eq!(d[0].state, DeliveryState::Pending);
        }
    }
}

both_backends! {
    async fn a_letter_written_before_a_move_is_held_at_approval(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (_, writer) = app.other_client("vera@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let id = submitted_letter(&writer, pid, "Написано до перевода").await;
        transfer(&app, pid, true).await;
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        app.post_form(&format!("/review/{id}"), &[("decision", "approve")]).await;
        let l = letter(&app, id).await;
        assert_eq!((l.status, l.hold_reason.as_deref()), (LetterStatus::Held, Some("address_changed")));
    }
}

both_backends! {
    async fn trusted_writers_skip_the_review_queue(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (vera, writer) = app.other_client("vera@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let res = app.post_form(&format!("/members/{}/trusted", vera.id), &[("trusted", "true")]).await;
        assert_eq!(res.status(), 303);
        let id = submitted_letter(&writer, pid, "Доверенное письмо").await;
        let l = letter(&app, id).await;
        assert_eq!(l.status, LetterStatus::Queued, "approved automatically");
        assert_eq!(l.reviewer_id, None);
        assert_eq!(deliveries_of(&app, id).await.len(), 1);
    }
}

both_backends! {
    async fn volunteers_cannot_review(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (_, writer) = app.other_client("vera@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let id = submitted_letter(&writer, pid, "Письмо").await;
        assert_eq!(writer.get("/review").await.status(), 403);
        assert_eq!(writer.post_form(&format!("/review/{id}"), &[("decision", "approve")]).await.status(), 403);
        assert_eq!(app.get("/review").await.status(), 303, "visitors are sent to sign in");
        assert_eq!(letter(&app, id).await.status, LetterStatus::Submitted);
    }
}

both_backends! {
    async fn a_transfer_on_the_prisoner_page_holds_letters_and_confirming_releases_them(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (_, writer) = app.other_client("vera@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let id = submitted_letter(&writer, pid, "Письмо перед этапом").await;
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        app.post_form(&format!("/review/{id}"), &[("decision", "approve")]).await;
        assert_eq!(letter(&app, id).await.status, LetterStatus::Queued);

        let today = db::now().date().to_string();
        let res = app
            .post_form(&format!("/prisoners/{pid}/transfer"), &[("destination", "transit"), ("started_on", &today), ("source", "адвокат")])
            .await;
        assert_eq!(res.status(), 303);
        assert_eq!(letter(&app, id).await.status, LetterStatus::Held);

        let facility = app
            .db
            .run(|c| {
                let form = konvert::db::facilities::FacilityForm {
                    country: "RU".into(),
                    name: "ФКУ ИК-7 УФСИН России по Республике Карелия".into(),
                    postcode: Some("186420".into()),
                    region: Some("Республика Карелия".into()),
                    locality: Some("г. Сегежа".into()),
                    ..Default::default()
                };
                Ok::<_, DbError>(konvert::db::facilities::insert(c, &form, db::now())?.id)
            })
            .await
            .unwrap()
            .to_string();
        app.post_form(&format!("/prisoners/{pid}/transfer"), &[("destination", &facility), ("started_on", &today)]).await;
        assert_eq!(letter(&app, id).await.status, LetterStatus::Held, "not until the address is confirmed");

        let placement = app.db.run(move |c| Ok::<_, DbError>(placements::current(c, pid)?.unwrap().id)).await.unwrap();
        assert_eq!(app.post_form(&format!("/placements/{placement}/confirm"), &[]).await.status(), 303);
        let l = letter(&app, id).await;
        assert_eq!(l.status, LetterStatus::Queued);
        assert!(l.address_snapshot.unwrap_or_default().contains("Карелия"));
        assert_eq!(deliveries_of(&app, id).await[0].state, DeliveryState::Pending);
    }
}

both_backends! {
    async fn coordinators_record_what_became_of_a_sent_letter_and_the_writer_sees_it(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (_, writer) = app.other_client("vera@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let id = submitted_letter(&writer, pid, "Письмо, которое не дойдёт").await;
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        app.post_form(&format!("/review/{id}"), &[("decision", "approve")]).await;
        let path = format!("/letters/{id}/outcome");
        assert_eq!(app.post_form(&path, &[("outcome", "censored")]).await.status(), 409, "not sent yet");

        // Sent by hand through the service's website.
        konvert::delivery::worker::Worker::new(app.db.clone(), "w").run_once().await.unwrap();
        let delivery = deliveries_of(&app, id).await[0].id;
        app.post_form(&format!("/send/fsin_pismo/{delivery}"), &[("receipt", "FP-1")]).await;
        assert_eq!(letter(&app, id).await.status, LetterStatus::Sent);
        assert!(app.get(&format!("/letters/{id}")).await.text().await.unwrap().contains("action=\"/letters/"));

        assert_eq!(writer.post_form(&path, &[("outcome", "delivered")]).await.status(), 403);
        assert_eq!(app.post_form(&path, &[("outcome", "teleported")]).await.status(), 400);
        assert_eq!(app.post_form(&path, &[("outcome", "delivered")]).await.status(), 303);
        let res = app.post_form(&path, &[("outcome", "censored"), ("note", "Цензор: упоминание уголовного дела")]).await;
        assert_eq!(res.status(), 303);
        let l = letter(&app, id).await;
        assert_eq!(l.status, LetterStatus::Censored);
        assert!(l.delivered_at.is_some() && l.censored_at.is_some());
        let seen = writer.get(&format!("/letters/{id}")).await.text().await.unwrap();
        assert!(seen.contains("Цензор: упоминание уголовного дела"), "{seen}");
        assert_eq!(app.post_form(&path, &[("outcome", "lost")]).await.status(), 409, "a final state stays final");
    }
}

/// Two coordinators decide on `id` at the same moment: `first` runs and
/// holds its transaction open while `second` starts, as under load. Returns
/// what each got.
async fn decide_at_once(
    app: &TestApp,
    id: i64,
    first: fn(&mut db::DbConn, i64, i64) -> Result<(), review::ReviewError>,
    second: fn(&mut db::DbConn, i64, i64) -> Result<(), review::ReviewError>,
    coordinators: (i64, i64),
) -> (
    Result<(), konvert::error::AppError>,
    Result<(), konvert::error::AppError>,
) {
    use konvert::error::AppError;
    let (started, wait) = std::sync::mpsc::channel::<()>();
    let one = app.db.run(move |c| {
        db::write_tx(c, |c| {
            let decided = first(c, id, coordinators.0);
            let _ = started.send(());
            // Still open while the other coordinator's decision arrives.
            std::thread::sleep(std::time::Duration::from_millis(400));
            decided.map_err(AppError::from)
        })
    });
    let two = app.db.run(move |c| {
        let _ = wait.recv();
        db::write_tx(c, |c| second(c, id, coordinators.1).map_err(AppError::from))
    });
    tokio::join!(one, two)
}

fn approving(c: &mut db::DbConn, id: i64, by: i64) -> Result<(), review::ReviewError> {
    review::approve(c, id, Some(by), db::now()).map(drop)
}

fn rejecting(c: &mut db::DbConn, id: i64, by: i64) -> Result<(), review::ReviewError> {
    review::reject(c, id, by, "Письмо о деле не пропустит цензура.", db::now())
}

both_backends! {
    async fn two_coordinators_deciding_at_once_leave_exactly_one_decision_and_no_rejected_letter_goes_out(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (_, writer) = app.other_client("vera@example.org", Role::Volunteer).await;
        let anna = app.create_user("anna@example.org", Role::Coordinator).await.id;
        let boris = app.create_user("boris@example.org", Role::Coordinator).await.id;
        let pid = prisoner(&app, Fixture::default()).await;

        // Approve first, reject a moment later: the approval stands.
        let approved = submitted_letter(&writer, pid, "Первое письмо").await;
        let (won, lost) = decide_at_once(&app, approved, approving, rejecting, (anna, boris)).await;
        assert!(won.is_ok(), "{won:?}");
        assert!(matches!(&lost, Err(konvert::error::AppError::Conflict(k)) if k == "review.error_decided"), "{lost:?}");
        let l = letter(&app, approved).await;
        assert_eq!((l.status, l.reviewer_id, l.rejected_at), (LetterStatus::Queued, Some(anna), None));
        assert_eq!(deliveries_of(&app, approved).await.len(), 1);

        // Reject first, approve a moment later: nothing is queued.
        let rejected = submitted_letter(&writer, pid, "Второе письмо").await;
        let (won, lost) = decide_at_once(&app, rejected, rejecting, approving, (anna, boris)).await;
        assert!(won.is_ok(), "{won:?}");
        assert!(matches!(&lost, Err(konvert::error::AppError::Conflict(_))), "{lost:?}");
        let l = letter(&app, rejected).await;
        assert_eq!((l.status, l.approved_at, l.queued_at), (LetterStatus::Rejected, None, None));
        assert!(deliveries_of(&app, rejected).await.is_empty(), "a rejected letter has no delivery");

        // Through the web, both at once: one wins, the other is told so.
        let (_, other) = app.other_client("vlad@example.org", Role::Coordinator).await;
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        for n in 0..4 {
            let id = submitted_letter(&writer, pid, &format!("Письмо {n}")).await;
            let path = format!("/review/{id}");
            let (a, b) = tokio::join!(
                app.post_form(&path, &[("decision", "approve")]),
                other.post_form(&path, &[("decision", "reject"), ("note", "Нет.")]),
            );
            let mut codes = [a.status().as_u16(), b.status().as_u16()];
            codes.sort_unstable();
            assert_eq!(codes, [303, 409], "exactly one decision won");
            let loser = if a.status() == 409 { a } else { b };
            let page = loser.text().await.unwrap();
            assert!(page.contains("По этому письму уже приняли решение."), "{page}");
            let l = letter(&app, id).await;
            let d = deliveries_of(&app, id).await;
            match l.status {
                LetterStatus::Queued => assert_eq!(d.len(), 1),
                LetterStatus::Rejected => assert!(d.is_empty(), "no delivery of a rejected letter"),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}

both_backends! {
    async fn the_review_queue_shows_line_breaks_the_writers_warnings_and_whom_the_letter_is_for(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (_, writer) = app.other_client("vera@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let id = submitted_letter(&writer, pid, "Здравствуйте!\r\nКак прошёл суд? Читаю Hemingway.").await;
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let page = app.get("/review").await.text().await.unwrap();
        // The text as written, its line break kept, the flagged words marked in it.
        assert!(page.contains("<div class=\"letter-body\">Здравствуйте!\nКак прошёл <mark>суд</mark>? Читаю <mark>Hemingway</mark>.</div>"), "{page}");
        // The list the composer showed the writer.
        assert!(page.contains("data-kind=\"case\""), "{page}");
        assert!(page.contains("data-kind=\"latin\""));
        // Whom it is for: the person, linked, and the address it was written to.
        assert!(page.contains(&format!("<a href=\"/prisoners/{pid}\">")), "{page}");
        assert!(page.contains("Колпинская"), "{page}");
        let css = app.get("/static/konvert.css").await.text().await.unwrap();
        let rule = css.lines().find(|l| l.starts_with(".letter-body {")).unwrap_or_default();
        assert!(rule.contains("white-space: pre-wrap"), "{rule}");
        let _ = id;
    }
}

both_backends! {
    async fn a_refused_decision_comes_back_at_its_letter_with_the_note_kept(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (_, writer) = app.other_client("vera@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let _before = submitted_letter(&writer, pid, "Другое письмо").await;
        let id = submitted_letter(&writer, pid, "Письмо").await;
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let queue = app.get("/review").await.text().await.unwrap();
        assert!(queue.contains(&format!("action=\"/review/{id}#letter-{id}\"")), "the form returns to its letter");
        assert!(!queue.contains("autofocus"));

        let res = app.post_form(&format!("/review/{id}"), &[("decision", "reject"), ("note", "")]).await;
        assert_eq!(res.status(), 422);
        let page = res.text().await.unwrap();
        let field = format!("<textarea id=\"note-{id}\" name=\"note\" rows=\"3\" aria-invalid=\"true\" aria-describedby=\"note-{id}-error\" autofocus>");
        assert!(page.contains(&field), "the note field of that letter has the focus: {page}");
        assert_eq!(page.matches("autofocus").count(), 1, "and only that one");
        assert!(page.contains(&format!("id=\"note-{id}-error\"")));

        let long = format!("Причина. {}", "очень ".repeat(400));
        let res = app.post_form(&format!("/review/{id}"), &[("decision", "return"), ("note", &long)]).await;
        assert_eq!(res.status(), 422);
        let page = res.text().await.unwrap();
        assert!(page.contains(&format!("autofocus>{long}</textarea>")), "what was typed is kept");
        assert_eq!(letter(&app, id).await.status, LetterStatus::Submitted);
    }
}

both_backends! {
    async fn each_decision_and_outcome_is_confirmed_on_the_next_page(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (_, writer) = app.other_client("vera@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let approved = submitted_letter(&writer, pid, "Одобрят").await;
        let returned = submitted_letter(&writer, pid, "Вернут").await;
        let rejected = submitted_letter(&writer, pid, "Отклонят").await;
        app.sign_in_as("coord@example.org", Role::Coordinator).await;

        let confirmed = |path: String| {
            let app = &app;
            async move {
                let page = app.get(&path).await.text().await.unwrap();
                page.split("<p class=\"flash\" role=\"status\">").nth(1).and_then(|s| s.split("</p>").next()).map(str::to_owned)
            }
        };
        app.post_form(&format!("/review/{approved}"), &[("decision", "approve")]).await;
        assert_eq!(confirmed("/review".into()).await, Some(format!("Письмо №{approved} одобрено и поставлено в очередь на отправку.")));
        assert_eq!(confirmed("/review".into()).await, None, "shown once");
        app.post_form(&format!("/review/{returned}"), &[("decision", "return"), ("note", "Поправьте.")]).await;
        assert_eq!(confirmed("/review".into()).await, Some(format!("Письмо №{returned} возвращено автору с вашей заметкой.")));
        app.post_form(&format!("/review/{rejected}"), &[("decision", "reject"), ("note", "Нельзя.")]).await;
        assert_eq!(confirmed("/review".into()).await, Some(format!("Письмо №{rejected} отклонено; автор увидит причину.")));

        konvert::delivery::worker::Worker::new(app.db.clone(), "w").run_once().await.unwrap();
        let delivery = deliveries_of(&app, approved).await[0].id;
        app.post_form(&format!("/send/fsin_pismo/{delivery}"), &[("receipt", "FP-1")]).await;
        let res = app.post_form(&format!("/letters/{approved}/outcome"), &[("outcome", "delivered")]).await;
        assert_eq!(res.headers()["location"], format!("/letters/{approved}").as_str());
        assert_eq!(confirmed(format!("/letters/{approved}")).await, Some(format!("Записано: письмо №{approved} доставлено.")));
    }
}

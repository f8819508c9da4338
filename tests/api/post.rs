//! Paper post: the coordinator's queue, printable letters and envelopes, and
//! marking a batch as posted.

use konvert::db::deliveries::{self, DeliveryState};
use konvert::db::letters::{self, Channel, LetterStatus};
use konvert::db::users::Role;
use konvert::db::DbError;
use konvert::delivery::worker::Worker;

use crate::both_backends;
use crate::delivery::queued_letter_by;
use crate::helpers::*;

both_backends! {
    async fn post_letters_wait_print_with_their_reply_code_and_are_marked_posted(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let letter_id = app
            .db
            .run(|c| Ok::<_, DbError>(queued_letter_by(c, "Дорогой Алексей Алексеевич!\nПишу Вам <script>alert(1)</script>.", Channel::Post)))
            .await
            .unwrap();
        // The worker hands post letters to the coordinator.
        Worker::new(app.db.clone(), "w1").run_once().await.unwrap();
        let delivery = app.db.run(move |c| Ok::<_, DbError>(deliveries::for_letter(c, letter_id)?.remove(0))).await.unwrap();
        assert_eq!(delivery.state, DeliveryState::Manual);

        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let queue = app.get("/post").await.text().await.unwrap();
        assert!(queue.contains("Горинов Алексей Алексеевич"), "{queue}");
        assert!(queue.contains(&format!("value=\"{}\"", delivery.id)));

        let printed = app.get(&format!("/post/letters?id={}", delivery.id)).await.text().await.unwrap();
        let code = app.db.run(move |c| Ok::<_, DbError>(letters::find(c, letter_id)?.unwrap().reply_code.unwrap())).await.unwrap();
        assert!(printed.contains(&code), "the reply code is printed");
        assert!(printed.contains("Горинову Алексею Алексеевичу, 1961 года рождения"), "{printed}");
        assert!(printed.contains("&lt;script&gt;"), "letter text is shown as text");
        assert!(!printed.contains("<script>alert"));

        let envelope = app.get(&format!("/post/envelopes?id={}&from=de", delivery.id)).await.text().await.unwrap();
        assert!(envelope.contains("Горинову Алексею Алексеевичу"), "{envelope}");
        assert!(envelope.contains("RUSSLAND"), "addressed from Germany: {envelope}");
        let domestic = app.get(&format!("/post/envelopes?id={}", delivery.id)).await.text().await.unwrap();
        assert!(!domestic.contains("RUSSIA"));

        let id = delivery.id.to_string();
        let res = app.post_form("/post/posted", &[("id", id.as_str())]).await;
        assert_eq!(res.status(), 303);
        let l = app.db.run(move |c| Ok::<_, DbError>(letters::find(c, letter_id)?.unwrap())).await.unwrap();
        assert_eq!(l.status, LetterStatus::Sent);
        assert!(l.sent_at.is_some());
        assert!(!app.get("/post").await.text().await.unwrap().contains("Горинов"));
        // Posting again changes nothing.
        assert_eq!(app.post_form("/post/posted", &[("id", id.as_str())]).await.status(), 303);
        let d = app.db.run(move |c| Ok::<_, DbError>(deliveries::for_letter(c, letter_id)?.remove(0))).await.unwrap();
        assert_eq!(d.state, DeliveryState::Sent);
    }
}

both_backends! {
    async fn volunteers_cannot_reach_the_post_screens(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        assert_eq!(app.get("/post").await.status(), 303, "visitors are sent to sign in");
        app.sign_in_as("vera@example.org", Role::Volunteer).await;
        for path in ["/post", "/post/letters?id=1", "/post/envelopes?id=1"] {
            assert_eq!(app.get(path).await.status(), 403, "{path}");
        }
        assert_eq!(app.post_form("/post/posted", &[("id", "1")]).await.status(), 403);
    }
}

both_backends! {
    async fn the_e_letter_send_screen_gives_the_form_fields_and_records_the_receipt(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let body: String = "Здравствуйте! ".repeat(200);
        let letter_id = app
            .db
            .run(move |c| Ok::<_, DbError>(queued_letter_by(c, &body, Channel::FsinPismo)))
            .await
            .unwrap();
        // No gateway configured: the worker leaves it for the send screen.
        Worker::new(app.db.clone(), "w1").run_once().await.unwrap();
        let delivery = app.db.run(move |c| Ok::<_, DbError>(deliveries::for_letter(c, letter_id)?.remove(0))).await.unwrap();
        assert_eq!(delivery.state, DeliveryState::Manual);

        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let page = app.get("/send/fsin_pismo").await.text().await.unwrap();
        assert!(page.contains("Владимирская обл."), "region");
        assert!(page.contains("ФКУ ИК-6 УФСИН России по Владимирской области"), "facility");
        assert!(page.contains("Горинов Алексей Алексеевич"), "full name in the nominative");
        assert!(page.contains(">1961<"), "birth year");
        assert!(page.contains("Страница 2 из 2"), "2,800 characters are two pages: {page}");
        assert!(page.contains("data-copy=\"name-"), "copy buttons");
        let code = app.db.run(move |c| Ok::<_, DbError>(letters::find(c, letter_id)?.unwrap().reply_code.unwrap())).await.unwrap();
        assert!(page.contains(&format!("Код для ответа: {code}")), "the reply code is part of the text to submit");
        assert_eq!(app.get("/send/zonatelecom").await.status(), 200);
        assert_eq!(app.get("/send/post").await.status(), 404);

        let path = format!("/send/fsin_pismo/{}", delivery.id);
        let bad = app.post_form(&path, &[("receipt", ""), ("pages", "0"), ("amount", "много")]).await;
        assert_eq!(bad.status(), 422);
        let html = bad.text().await.unwrap();
        assert!(html.contains(&format!("id=\"receipt-{}-error\"", delivery.id)), "{html}");
        assert!(html.contains(&format!("id=\"amount-{}-error\"", delivery.id)));
        assert!(html.contains("value=\"много\""), "input is kept");

        let ok = app.post_form(&path, &[("receipt", "FP-2026-000123"), ("pages", "2"), ("amount", "110,00")]).await;
        assert_eq!(ok.status(), 303);
        let l = app.db.run(move |c| Ok::<_, DbError>(letters::find(c, letter_id)?.unwrap())).await.unwrap();
        assert_eq!(l.status, LetterStatus::Sent);
        assert_eq!(l.receipt_number.as_deref(), Some("FP-2026-000123"));
        assert_eq!(l.pages, Some(2));
        assert_eq!(l.cost_minor, Some(11000));
        assert_eq!(app.post_form(&path, &[("receipt", "again")]).await.status(), 404, "recorded once");

        app.sign_in_as("vera@example.org", Role::Volunteer).await;
        assert_eq!(app.get("/send/fsin_pismo").await.status(), 403);
    }
}

both_backends! {
    async fn coordinators_retry_and_cancel_dead_letters_from_the_outbox_page(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let a = app.db.run(|c| Ok::<_, DbError>(queued_letter_by(c, "Первое", Channel::FsinPismo))).await.unwrap();
        let b = app.db.run(|c| Ok::<_, DbError>(queued_letter_by(c, "Второе", Channel::FsinPismo))).await.unwrap();
        // Both fail for good at a gateway that is not there.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let gateway = konvert::delivery::gateway::Gateway::new(&format!("http://127.0.0.1:{port}/"), std::time::Duration::from_millis(300)).unwrap();
        let w = Worker::new(app.db.clone(), "w1")
            .with_policy(konvert::delivery::RetryPolicy { base: std::time::Duration::ZERO, max: std::time::Duration::ZERO, max_attempts: 1 })
            .with_gateway(Channel::FsinPismo, gateway);
        w.run_once().await.unwrap();
        let da = app.db.run(move |c| Ok::<_, DbError>(deliveries::for_letter(c, a)?.remove(0))).await.unwrap();
        let db_ = app.db.run(move |c| Ok::<_, DbError>(deliveries::for_letter(c, b)?.remove(0))).await.unwrap();
        assert_eq!(da.state, DeliveryState::Dead);

        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let page = app.get("/outbox").await.text().await.unwrap();
        assert!(page.contains("cannot connect to the gateway"), "{page}");
        assert_eq!(app.post_form(&format!("/outbox/{}/retry", da.id), &[]).await.status(), 303);
        let again = app.db.run(move |c| Ok::<_, DbError>(deliveries::for_letter(c, a)?.remove(0))).await.unwrap();
        assert_eq!((again.state, again.attempts), (DeliveryState::Pending, 0));

        assert_eq!(app.post_form(&format!("/outbox/{}/cancel", db_.id), &[]).await.status(), 303);
        let cancelled = app.db.run(move |c| Ok::<_, DbError>(deliveries::for_letter(c, b)?.remove(0))).await.unwrap();
        assert_eq!(cancelled.state, DeliveryState::Cancelled);
        let lb = app.db.run(move |c| Ok::<_, DbError>(letters::find(c, b)?.unwrap())).await.unwrap();
        assert_eq!(lb.status, LetterStatus::Approved, "back in the coordinator's hands");
        assert_eq!(app.post_form(&format!("/outbox/{}/retry", db_.id), &[]).await.status(), 409);
        assert_eq!(app.post_form("/outbox/999999/cancel", &[]).await.status(), 409);

        app.sign_in_as("vera@example.org", Role::Volunteer).await;
        assert_eq!(app.get("/outbox").await.status(), 403);
        assert_eq!(app.post_form(&format!("/outbox/{}/retry", da.id), &[]).await.status(), 403);
    }
}

/// Letters queued on `channel` and handed to the coordinator by the worker
/// (no gateway): (letter, delivery) per body, in order.
async fn waiting_by_hand(
    app: &TestApp,
    bodies: &[&'static str],
    channel: Channel,
) -> Vec<(i64, i64)> {
    let bodies = bodies.to_vec();
    let letters: Vec<i64> = app
        .db
        .run(move |c| {
            Ok::<_, DbError>(
                bodies
                    .iter()
                    .map(|b| queued_letter_by(c, b, channel))
                    .collect(),
            )
        })
        .await
        .unwrap();
    Worker::new(app.db.clone(), "w1").run_once().await.unwrap();
    let mut out = Vec::new();
    for letter_id in letters {
        let d = app
            .db
            .run(move |c| Ok::<_, DbError>(deliveries::for_letter(c, letter_id)?.remove(0)))
            .await
            .unwrap();
        assert_eq!(d.state, DeliveryState::Manual);
        out.push((letter_id, d.id));
    }
    out
}

async fn letter(app: &TestApp, id: i64) -> letters::Letter {
    app.db
        .run(move |c| Ok::<_, DbError>(letters::find(c, id)?.unwrap()))
        .await
        .unwrap()
}

async fn delivery(app: &TestApp, letter_id: i64) -> deliveries::Delivery {
    app.db
        .run(move |c| Ok::<_, DbError>(deliveries::for_letter(c, letter_id)?.remove(0)))
        .await
        .unwrap()
}

/// Moves a letter on without touching its outbox row, as the old demo and
/// "mark all as posted" left them.
async fn finish_behind_its_row(app: &TestApp, letter_id: i64, steps: &'static [LetterStatus]) {
    app.db
        .run(move |c| {
            for s in steps {
                force_letter_status(c, letter_id, *s, konvert::db::now())?;
            }
            Ok::<_, DbError>(())
        })
        .await
        .unwrap();
}

both_backends! {
    async fn marking_as_posted_acts_on_exactly_the_ticked_letters_still_waiting_and_says_how_many(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let rows = waiting_by_hand(&app, &["Письмо первое", "Письмо второе", "Письмо третье"], Channel::Post).await;
        let [(a, da), (b, db_), (c, dc)] = rows[..] else { unreachable!() };
        // The third was replied to long ago, but its row was left waiting.
        finish_behind_its_row(&app, c, &[LetterStatus::Sent, LetterStatus::Delivered, LetterStatus::Replied]).await;
        let replied = letter(&app, c).await;

        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let queue = app.get("/post").await.text().await.unwrap();
        assert!(queue.contains(&format!("value=\"{da}\"")) && queue.contains(&format!("value=\"{db_}\"")), "{queue}");
        assert!(!queue.contains(&format!("value=\"{dc}\"")), "a finished letter does not wait: {queue}");
        // One form drives print and mark: no hidden list of every row.
        assert!(!queue.contains("type=\"hidden\" name=\"id\""), "{queue}");
        assert!(queue.contains("formaction=\"/post/letters\""));

        // Only the first is ticked: printing and marking act on it alone.
        let (sa, sc) = (da.to_string(), dc.to_string());
        let printed = app.post_form("/post/letters", &[("id", sa.as_str())]).await;
        assert_eq!(printed.status(), 200);
        let printed = printed.text().await.unwrap();
        assert!(printed.contains("Письмо первое") && !printed.contains("Письмо второе"), "{printed}");

        let res = app.post_form("/post/posted", &[("id", sa.as_str()), ("id", sc.as_str())]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(letter(&app, a).await.status, LetterStatus::Sent);
        assert_eq!(delivery(&app, a).await.state, DeliveryState::Sent);
        assert_eq!(letter(&app, b).await.status, LetterStatus::Queued, "not ticked, not marked");
        assert_eq!(delivery(&app, b).await.state, DeliveryState::Manual);
        let after = letter(&app, c).await;
        assert_eq!((after.status, after.sent_at), (LetterStatus::Replied, replied.sent_at), "a replied letter is never reset to sent");

        let page = app.get("/post").await.text().await.unwrap();
        assert!(page.contains("class=\"flash\""), "{page}");
        assert!(page.contains("Отмечено как отправленные: 1. Уже не ждали отправки и не изменены: 1."), "{page}");
        assert!(page.contains(&format!("value=\"{db_}\"")) && !page.contains(&format!("value=\"{da}\"")));

        // Marking again changes nothing, and says so.
        assert_eq!(app.post_form("/post/posted", &[("id", sa.as_str())]).await.status(), 303);
        let again = app.get("/post").await.text().await.unwrap();
        assert!(again.contains("Отмечено как отправленные: 0."), "{again}");
        // Nothing ticked is a clear error, not a batch of everything.
        assert_eq!(app.post_form("/post/posted", &[]).await.status(), 400);
        assert_eq!(letter(&app, b).await.status, LetterStatus::Queued);
    }
}

both_backends! {
    async fn a_finished_letter_never_waits_on_the_e_letter_send_screen(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let rows = waiting_by_hand(&app, &["Ждёт отправки", "Давно доставлено"], Channel::FsinPismo).await;
        let [(_, waiting), (done, done_row)] = rows[..] else { unreachable!() };
        finish_behind_its_row(&app, done, &[LetterStatus::Sent, LetterStatus::Censored]).await;
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let page = app.get("/send/fsin_pismo").await.text().await.unwrap();
        assert!(page.contains(&format!("id=\"letter-{waiting}\"")), "{page}");
        assert!(!page.contains(&format!("id=\"letter-{done_row}\"")), "{page}");
        // Its receipt cannot be recorded either.
        let path = format!("/send/fsin_pismo/{done_row}");
        assert_eq!(app.post_form(&path, &[("receipt", "FP-1")]).await.status(), 404);
        assert_eq!(letter(&app, done).await.status, LetterStatus::Censored);
    }
}

both_backends! {
    async fn the_migration_finishes_outbox_rows_of_letters_already_sent_or_rejected(backend) {
        use diesel::connection::SimpleConnection;
        let Some(app) = spawn_app(backend).await else { return };
        let rows = waiting_by_hand(&app, &["Ещё ждёт", "Доставлено", "Отклонено"], Channel::Post).await;
        let [(_, waiting), (delivered, _), (rejected, _)] = rows[..] else { unreachable!() };
        finish_behind_its_row(&app, delivered, &[LetterStatus::Sent, LetterStatus::Delivered]).await;
        finish_behind_its_row(&app, rejected, &[LetterStatus::Rejected]).await;
        app.db
            .run(|c| {
                let sql = match c {
                    konvert::db::DbConn::Sqlite(_) => include_str!("../../migrations/sqlite/2026-11-22-000006_finished_letters_leave_send_screens/up.sql"),
                    konvert::db::DbConn::Postgres(_) => include_str!("../../migrations/postgres/2026-11-22-000006_finished_letters_leave_send_screens/up.sql"),
                };
                c.batch_execute(sql)?;
                Ok::<_, DbError>(())
            })
            .await
            .unwrap();
        let sent = delivery(&app, delivered).await;
        assert_eq!(sent.state, DeliveryState::Sent);
        assert_eq!(sent.finished_at, letter(&app, delivered).await.sent_at, "finished when the letter was sent");
        assert_eq!(delivery(&app, rejected).await.state, DeliveryState::Cancelled);
        let still = app.db.run(move |c| Ok::<_, DbError>(deliveries::find(c, waiting)?.unwrap())).await.unwrap();
        assert_eq!((still.state, still.finished_at), (DeliveryState::Manual, None), "a letter still waiting keeps waiting");
    }
}

both_backends! {
    async fn printed_letters_speak_the_destination_language_whatever_the_coordinator_reads(backend) {
        use diesel::prelude::*;
        let Some(app) = spawn_app(backend).await else { return };
        let rows = waiting_by_hand(&app, &["Здравствуйте!"], Channel::Post).await;
        let (letter_id, row) = rows[0];
        let me = app.sign_in_as("coord@example.org", Role::Coordinator).await;
        app.db
            .run(move |c| {
                diesel::update(konvert::db::schema::users::table.find(me.id))
                    .set(konvert::db::schema::users::locale.eq("en"))
                    .execute(c)?;
                Ok::<_, DbError>(())
            })
            .await
            .unwrap();
        let queue = app.get("/post").await.text().await.unwrap();
        assert!(queue.contains("Print letters"), "the coordinator reads English: {queue}");
        let printed = app.get(&format!("/post/letters?id={row}")).await.text().await.unwrap();
        let code = letter(&app, letter_id).await.reply_code.unwrap();
        assert!(printed.contains(&format!("Код для ответа: <strong>{code}</strong>")), "{printed}");
        assert!(printed.contains("lang=\"ru\""), "{printed}");
        assert!(!printed.contains("Reply code"), "{printed}");
    }
}

both_backends! {
    async fn envelopes_carry_the_return_address_a_coordinator_set_in_its_countrys_form(backend) {
        use diesel::prelude::*;
        let Some(app) = spawn_app(backend).await else { return };
        let rows = waiting_by_hand(&app, &["Письмо"], Channel::Post).await;
        let row = rows[0].1;
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let before = app.get(&format!("/post/envelopes?id={row}")).await.text().await.unwrap();
        assert!(before.contains("Обратный адрес не задан"), "{before}");
        assert!(app.get("/post").await.text().await.unwrap().contains("href=\"/post/return-address\""));
        assert_eq!(app.get("/post/return-address").await.status(), 200);

        // A postcode that is not Russian is refused next to its field, keeping what was typed.
        let bad = app
            .post_form("/post/return-address", &[("name", "Группа поддержки"), ("street", "а/я 15"), ("locality", "г. Москва"), ("postcode", "1010"), ("country", "RU")])
            .await;
        assert_eq!(bad.status(), 422);
        let html = bad.text().await.unwrap();
        assert!(html.contains("id=\"postcode-error\""), "{html}");
        assert!(html.contains("value=\"а/я 15\""), "{html}");

        let ok = app
            .post_form("/post/return-address", &[("name", "Briefe e.V."), ("street", "Musterstraße 5"), ("locality", "Berlin"), ("postcode", "10115"), ("country", "de")])
            .await;
        assert_eq!(ok.status(), 303);
        let queue = app.get("/post").await.text().await.unwrap();
        assert!(queue.contains("Обратный адрес сохранён."), "{queue}");

        let envelope = app.get(&format!("/post/envelopes?id={row}")).await.text().await.unwrap();
        let sender = envelope.split("class=\"sender\"").nth(1).unwrap_or_default();
        assert!(sender.contains("<span>Briefe e.V.</span><span>Musterstraße 5</span><span>10115 Berlin</span><span>GERMANY</span>"), "{envelope}");
        assert!(envelope.contains("RUSSLAND"), "mail from the organisation's country is addressed from abroad: {envelope}");
        // The envelope form of the batch prints the same.
        let posted = app.post_form("/post/envelopes", &[("id", &row.to_string())]).await.text().await.unwrap();
        assert!(posted.contains("10115 Berlin"), "{posted}");

        let audited: i64 = app
            .db
            .run(|c| {
                use konvert::db::schema::audit_log;
                Ok::<_, DbError>(
                    audit_log::table
                        .filter(audit_log::action.eq("set_return_address"))
                        .filter(audit_log::entity.eq("site_settings"))
                        .count()
                        .get_result(c)?,
                )
            })
            .await
            .unwrap();
        assert_eq!(audited, 1, "only the saved change is audited");

        app.sign_in_as("vera@example.org", Role::Volunteer).await;
        assert_eq!(app.get("/post/return-address").await.status(), 403);
        assert_eq!(app.post_form("/post/return-address", &[("name", "x")]).await.status(), 403);
    }
}

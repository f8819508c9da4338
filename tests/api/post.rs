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

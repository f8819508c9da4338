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

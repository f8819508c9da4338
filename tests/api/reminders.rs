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
                ("language", "ru"), ("language", "en"),
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
        let page = app.get("/settings/reminders?saved").await.text().await.unwrap();
        assert!(page.contains("Saved."), "the page now speaks English");
        assert!(page.contains("The next digest goes out at"), "{page}");

        let res = app
            .post_form("/settings/reminders", &[
                ("frequency", "hourly"), ("time_zone", "Mars/Olympus"),
                ("dry_spell", "true"), ("dry_spell_days", "0"), ("locale", "en"),
            ])
            .await;
        assert_eq!(res.status(), 422);
        let page = res.text().await.unwrap();
        for message in ["Choose how often.", "Enter a time zone such as Europe/Moscow.", "Enter a number of days from 1 to 365.", "Choose at least one language."] {
            assert!(page.contains(message), "{message}: {page}");
        }
        assert!(page.contains("value=\"Mars/Olympus\""), "what was typed is kept");
        assert_eq!(user(&app, me.id).await.time_zone, "Asia/Vladivostok", "nothing saved");
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

//! What the interface says: every state named in the viewer's language,
//! held letters listed with a way to release them, confirmations after each
//! change, counts and genders that agree, the language a visitor chose, and
//! the pages a browser asks for on its own (the favicon).

use konvert::db::letters::{self, LetterStatus};
use konvert::db::prisoners::{self, Gender, PrisonerForm, PrisonerStatus};
use konvert::db::users::{self, Role};
use konvert::db::{self, deliveries, DbError};

use crate::both_backends;
use crate::helpers::*;
use crate::letters::{prisoner, Fixture};

/// A letter by `writer` to `prisoner_id`, submitted through the composer.
async fn submitted(writer: &TestApp, prisoner_id: i64) -> i64 {
    submitted_letter(writer, prisoner_id, "Здравствуйте! Пишу вам из Петербурга.").await
}

/// A letter vera wrote and a coordinator approved; `app` is left signed in
/// as that coordinator. (vera's client, the prisoner, the letter.)
async fn approved(app: &TestApp) -> (TestApp, i64, i64) {
    let (_, writer) = app.other_client("vera@example.org", Role::Volunteer).await;
    let pid = prisoner(app, Fixture::default()).await;
    let id = submitted(&writer, pid).await;
    app.sign_in_as("coord@example.org", Role::Coordinator).await;
    app.post_form(&format!("/review/{id}"), &[("decision", "approve")])
        .await;
    (writer, pid, id)
}

async fn text(app: &TestApp, path: &str) -> String {
    let res = app.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

/// Puts the prisoner in transit, which holds their queued letters.
async fn move_into_transit(app: &TestApp, prisoner_id: i64) {
    app.db
        .run(move |c| {
            let now = db::now();
            move_to(c, prisoner_id, None, now)?;
            konvert::review::hold_for_transfer(c, prisoner_id, now)?;
            Ok::<_, konvert::error::AppError>(())
        })
        .await
        .unwrap();
}

both_backends! {
    async fn held_letters_are_named_in_the_outbox_and_listed_with_a_link_to_confirm_the_address(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (writer, pid, id) = approved(&app).await;
        move_into_transit(&app, pid).await;
        let status = app.db.run(move |c| Ok::<_, DbError>(letters::find(c, id)?.unwrap().status)).await.unwrap();
        assert_eq!(status, LetterStatus::Held);

        let outbox = text(&app, "/outbox").await;
        assert!(outbox.contains("Ждёт нового адреса"), "{outbox}");
        assert!(!outbox.contains("outbox.state_"), "no raw keys: {outbox}");

        let attention = text(&app, "/dashboard/attention").await;
        assert!(attention.contains("href=\"/outbox/held\""), "{attention}");

        let held = text(&app, "/outbox/held").await;
        assert!(held.contains(&format!("href=\"/letters/{id}\"")), "{held}");
        assert!(held.contains("Ждёт: адрес изменился"), "the reason: {held}");
        assert!(held.contains(&format!("href=\"/prisoners/{pid}#address-heading\"")), "{held}");
        assert!(held.contains("Русских Андрей Владимирович") && held.contains("vera"), "{held}");
        assert_eq!(writer.get("/outbox/held").await.status(), 403, "for coordinators only");
    }
}

both_backends! {
    async fn retrying_and_cancelling_a_delivery_are_confirmed(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (_writer, _, id) = approved(&app).await;
        let delivery = app.db.run(move |c| Ok::<_, DbError>(deliveries::for_letter(c, id)?[0].id)).await.unwrap();

        let res = app.post_form(&format!("/outbox/{delivery}/retry"), &[]).await;
        assert_eq!(res.status(), 303);
        let page = text(&app, "/outbox").await;
        assert!(page.contains(&format!("Отправка {delivery} будет повторена сейчас.")), "{page}");
        assert!(!text(&app, "/outbox").await.contains("будет повторена"), "shown once");

        let res = app.post_form(&format!("/outbox/{delivery}/cancel"), &[]).await;
        assert_eq!(res.status(), 303);
        let page = text(&app, "/outbox").await;
        assert!(page.contains(&format!("Отправка {delivery} отменена")), "{page}");
    }
}

both_backends! {
    async fn member_changes_and_saved_publication_settings_are_confirmed(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let vera = app.create_user("vera@example.org", Role::Volunteer).await;
        let cases = [
            ("role", ("role", "coordinator"), "vera теперь: Координатор."),
            ("trusted", ("trusted", "true"), "vera: письма теперь идут без проверки."),
            ("trusted", ("trusted", "false"), "vera: письма снова проходят проверку."),
            ("disabled", ("disabled", "true"), "vera: учётная запись отключена"),
            ("disabled", ("disabled", "false"), "vera: учётная запись снова включена."),
        ];
        for (what, field, said) in cases {
            let res = app.post_form(&format!("/members/{}/{what}", vera.id), &[field]).await;
            assert_eq!(res.status(), 303, "{what}");
            let page = text(&app, "/members").await;
            assert!(page.contains(said), "{said}: {page}");
        }

        let res = app.post_form("/dashboard/public", &[("counts", "true")]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/dashboard/public");
        assert!(text(&app, "/dashboard/public").await.contains("Настройки публикации сохранены."));
    }
}

both_backends! {
    async fn the_members_page_lists_pending_invitations_that_can_be_revoked(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let page = text(&app, "/members").await;
        assert!(page.contains("<th>Имя</th>"), "a plain header: {page}");
        assert!(!page.contains("<th>Ваше имя"), "not the sign-up form's label");

        let res = app.post_form("/members/invite", &[("email", "new@example.org"), ("role", "coordinator")]).await;
        assert_eq!(res.status(), 200);
        let mail = &app.outbox()[0];
        assert!(mail.text.contains("роль: «Координатор»"), "the e-mail names the role: {}", mail.text);
        let link = mail.link_containing("/setup/").expect("a link");
        let path = link[link.find("/setup/").unwrap()..].to_owned();

        let page = text(&app, "/members").await;
        assert!(page.contains("Неиспользованные приглашения") && page.contains("new@example.org"), "{page}");
        let invitation = app
            .db
            .run(|c| Ok::<_, DbError>(db::invitations::pending(c, db::now())?))
            .await
            .unwrap();
        assert_eq!(invitation.len(), 1);
        let revoke = format!("/members/invitations/{}/revoke", invitation[0].id);
        assert!(page.contains(&format!("action=\"{revoke}\"")), "{page}");

        let res = app.post_form(&revoke, &[]).await;
        assert_eq!(res.status(), 303);
        let page = text(&app, "/members").await;
        assert!(page.contains("Приглашение отозвано"), "{page}");
        assert!(page.contains("Ни одно приглашение не ждёт."), "{page}");
        assert_eq!(app.post_form(&revoke, &[]).await.status(), 409, "revoked once");

        let Some(guest) = spawn_client(&app) else { return };
        let gone = guest.get(&path).await;
        assert_eq!(gone.status(), 410);
        assert!(gone.text().await.unwrap().contains("отозвали"), "says what happened");
    }
}

both_backends! {
    async fn the_language_chosen_before_signing_in_or_up_is_kept(backend) {
        let Some(app) = spawn_app_with(backend, |s| s.open_signup = true).await else { return };
        // An account that speaks Russian; its owner switches to English before signing in.
        let vera = app.create_user("vera@example.org", Role::Volunteer).await;
        assert_eq!(vera.locale, "ru");
        app.post_form("/language", &[("lang", "en"), ("next", "/")]).await;
        let res = app.post_form("/login", &[("email", "vera@example.org"), ("password", TEST_PASSWORD)]).await;
        assert_eq!(res.status(), 303);
        assert!(text(&app, "/").await.contains("Signed in as vera"));
        let stored = app.db.run(|c| Ok::<_, DbError>(users::find_by_email(c, "vera@example.org")?.unwrap())).await.unwrap();
        assert_eq!(stored.locale, "en");

        let Some(newcomer) = spawn_client(&app) else { return };
        newcomer.post_form("/language", &[("lang", "en"), ("next", "/")]).await;
        let res = newcomer
            .post_form("/signup", &[
                ("email", "new@example.org"),
                ("display_name", "New"),
                ("password", "long enough password"),
                ("password_confirm", "long enough password"),
            ])
            .await;
        assert_eq!(res.status(), 303);
        let made = app.db.run(|c| Ok::<_, DbError>(users::find_by_email(c, "new@example.org")?.unwrap())).await.unwrap();
        assert_eq!(made.locale, "en");
        assert!(text(&newcomer, "/").await.contains("Welcome!"), "signed in, in English");
    }
}

both_backends! {
    async fn the_not_found_page_speaks_the_signed_in_viewers_language(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("vera@example.org", Role::Volunteer).await;
        app.post_form("/language", &[("lang", "en"), ("next", "/")]).await;
        // The browser asks for Russian and holds no language cookie: the account decides.
        let Some(same_session) = spawn_client(&app) else { return };
        let session = app.cookie("konvert_session").unwrap();
        let res = same_session
            .client
            .get(app.url("/no/such/page"))
            .header("Accept-Language", "ru")
            .header("Cookie", format!("konvert_session={session}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        let page = res.text().await.unwrap();
        assert!(page.contains("The page you asked for does not exist."), "{page}");
    }
}

both_backends! {
    async fn every_page_links_a_favicon_that_is_served(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        assert!(text(&app, "/").await.contains("rel=\"icon\" href=\"/static/favicon.svg\""));
        for path in ["/favicon.ico", "/static/favicon.svg"] {
            let res = app.get(path).await;
            assert_eq!(res.status(), 200, "{path}");
            assert_eq!(res.headers()["content-type"], "image/svg+xml", "{path}");
            assert!(res.text().await.unwrap().contains("<svg"));
        }
    }
}

both_backends! {
    async fn russian_labels_agree_with_the_prisoners_gender(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (her, him) = app
            .db
            .run(|c| {
                let now = db::now();
                let mut f = PrisonerForm::new("Петрова", "Мария", Some("Ивановна"));
                f.status = PrisonerStatus::Convicted;
                f.gender = Some(Gender::Female);
                let her = prisoners::insert(c, &f, now)?.id;
                // No gender on record: the patronymic tells.
                let mut m = PrisonerForm::new("Сидоров", "Олег", Some("Петрович"));
                m.status = PrisonerStatus::Convicted;
                let him = prisoners::insert(c, &m, now)?.id;
                let facility = db::facilities::insert(
                    c,
                    &db::facilities::FacilityForm { country: "RU".into(), name: "ИК-1".into(), ..Default::default() },
                    now,
                )?;
                place_at(c, her, facility.id, now)?;
                place_at(c, him, facility.id, now)?;
                Ok::<_, DbError>((her, him))
            })
            .await
            .unwrap();
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let profile = text(&app, &format!("/prisoners/{her}")).await;
        assert!(profile.contains("Осуждена") && profile.contains("Куда переведена"), "{profile}");
        assert!(text(&app, &format!("/prisoners/{him}")).await.contains("Осуждён"));
        let list = text(&app, "/prisoners").await;
        assert!(list.contains("Осуждена") && list.contains("Осуждён"), "{list}");
        let lacking = text(&app, "/dashboard").await;
        assert!(lacking.contains("Осуждена") && lacking.contains("Осуждён"), "{lacking}");
    }
}

both_backends! {
    async fn a_returned_letter_is_returned_to_you_only_for_its_writer(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (_, writer) = app.other_client("vera@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let id = submitted(&writer, pid).await;
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let res = app.post_form(&format!("/review/{id}"), &[("decision", "return"), ("note", "Уберите номер телефона")]).await;
        assert!(res.status().is_redirection(), "{}", res.status());
        let theirs = text(&app, &format!("/letters/{id}")).await;
        assert!(theirs.contains("Возвращено автору") && !theirs.contains("Возвращено вам"), "{theirs}");
        let profile = text(&app, &format!("/prisoners/{pid}")).await;
        assert!(profile.contains("Возвращено автору") && !profile.contains("Возвращено вам"), "{profile}");
        let mine = text(&writer, "/letters").await;
        assert!(mine.contains("Возвращено вам"), "{mine}");
    }
}

both_backends! {
    async fn counts_agree_with_their_nouns_in_english(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (_, writer) = app.other_client("vera@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        submitted(&writer, pid).await;
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        app.post_form("/language", &[("lang", "en"), ("next", "/")]).await;
        let queue = text(&app, "/review").await;
        assert!(queue.contains("characters, 1 page") && !queue.contains("1 pages"), "{queue}");
    }
}

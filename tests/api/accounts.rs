//! Accounts: sign-in, sign-out, CSRF, rate limits, invitations, password
//! reset, roles.

use konvert::db::users::Role;

use crate::both_backends;
use crate::helpers::*;

both_backends! {
    async fn sign_in_with_the_right_password_and_out_again(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.create_user("vera@example.org", Role::Volunteer).await;

        let wrong = app.post_form("/login", &[("email", "vera@example.org"), ("password", "wrong password!")]).await;
        assert_eq!(wrong.status(), 401);
        let html = wrong.text().await.unwrap();
        assert!(html.contains("Неверный адрес эл. почты или пароль."), "{html}");
        assert!(html.contains("value=\"vera@example.org\""), "the address is kept");
        assert!(app.cookie("konvert_session").is_none());

        let res = app
            .post_form("/login", &[("email", " VERA@example.org"), ("password", TEST_PASSWORD), ("next", "/letters")])
            .await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/letters");
        let set_cookie = res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect::<Vec<_>>();
        let session = set_cookie.iter().find(|c| c.starts_with("konvert_session=")).expect("session cookie");
        assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"), "{session}");
        let home = app.get("/").await.text().await.unwrap();
        assert!(home.contains("Вы вошли как vera"), "{home}");

        let out = app.post_form("/logout", &[]).await;
        assert_eq!(out.status(), 303);
        let home = app.get("/").await.text().await.unwrap();
        assert!(!home.contains("Вы вошли как"), "{home}");
    }
}

both_backends! {
    async fn forms_without_the_csrf_token_or_from_another_site_are_refused(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.create_user("vera@example.org", Role::Volunteer).await;
        app.csrf().await;
        let res = app.post_form_raw("/login", &[("email", "vera@example.org"), ("password", TEST_PASSWORD)]).await;
        assert_eq!(res.status(), 403);
        assert!(res.text().await.unwrap().contains("Форма устарела"));
        let res = app
            .post_form_raw("/login", &[("email", "vera@example.org"), ("password", TEST_PASSWORD), ("csrf_token", "forged")])
            .await;
        assert_eq!(res.status(), 403);
        let token = app.csrf().await;
        let res = app
            .client
            .post(app.url("/login"))
            .header("Origin", "https://evil.example")
            .form(&[("email", "vera@example.org"), ("password", TEST_PASSWORD), ("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        assert!(app.cookie("konvert_session").is_none(), "no session was made");
    }
}

both_backends! {
    async fn repeated_failed_sign_ins_are_slowed_down(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.create_user("vera@example.org", Role::Volunteer).await;
        for _ in 0..5 {
            let res = app.post_form("/login", &[("email", "vera@example.org"), ("password", "guess guess guess")]).await;
            assert_eq!(res.status(), 401);
        }
        let res = app.post_form("/login", &[("email", "vera@example.org"), ("password", TEST_PASSWORD)]).await;
        assert_eq!(res.status(), 429, "even the right password waits once the limit is reached");
        let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!(retry > 0 && retry <= 15 * 60);
        // Another account from the same client is not locked by it.
        app.create_user("anna@example.org", Role::Volunteer).await;
        let res = app.post_form("/login", &[("email", "anna@example.org"), ("password", TEST_PASSWORD)]).await;
        assert_eq!(res.status(), 303);
    }
}

/// The path part of a link printed in an e-mail.
fn path_of(link: &str) -> String {
    let after_scheme = link.split_once("://").map(|(_, r)| r).unwrap_or(link);
    after_scheme[after_scheme.find('/').unwrap()..].to_owned()
}

both_backends! {
    async fn a_coordinator_invites_a_volunteer_who_signs_up_by_the_mailed_link(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let res = app.post_form("/members/invite", &[("email", "New.Writer@example.org"), ("role", "volunteer")]).await;
        assert_eq!(res.status(), 200);
        let page = res.text().await.unwrap();
        assert!(page.contains("/setup/"), "the link is shown to pass on by hand too");

        let mails = app.outbox();
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].to, "new.writer@example.org");
        assert_eq!(mails[0].subject, "Приглашение в Konvert");
        let link = mails[0].link_containing("/setup/").expect("a sign-up link in the e-mail");
        assert!(mails[0].html.contains(&link));

        // The invitee, in a browser of their own, without the coordinator's session.
        let Some(guest) = spawn_client(&app) else { return };
        let path = path_of(&link);
        let form = guest.get(&path).await.text().await.unwrap();
        assert!(form.contains("value=\"new.writer@example.org\" readonly"), "{form}");
        let res = guest
            .post_form(&path, &[
                ("email", "someone-else@example.org"),
                ("display_name", "Новый автор"),
                ("password", "достаточно длинный"),
                ("password_confirm", "достаточно длинный"),
            ])
            .await;
        assert_eq!(res.status(), 303);
        let home = guest.get("/").await.text().await.unwrap();
        assert!(home.contains("Вы вошли как Новый автор"), "signed in right after choosing a password: {home}");
        assert!(home.contains("Добро пожаловать!"), "{home}");
        let user = app
            .db
            .run(|conn| konvert::db::users::find_by_email(conn, "new.writer@example.org").map_err(konvert::db::DbError::from))
            .await
            .unwrap()
            .expect("the account is made for the invited address");
        assert_eq!(user.role, Role::Volunteer);
        let used = guest.get(&path).await;
        assert_eq!(used.status(), 410, "the link is used up");
        assert!(used.text().await.unwrap().contains("По этой ссылке уже создана учётная запись"));
    }
}

both_backends! {
    async fn password_reset_by_the_mailed_link_signs_out_everywhere(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("vera@example.org", Role::Volunteer).await;
        let Some(other) = spawn_client(&app) else { return };

        // Unknown addresses get the same answer and no e-mail.
        let res = other.post_form("/reset", &[("email", "nobody@example.org")]).await;
        assert_eq!(res.status(), 200);
        let known = other.post_form("/reset", &[("email", "vera@example.org")]).await;
        assert_eq!(known.status(), 200);
        assert_eq!(res.text().await.unwrap().len(), known.text().await.unwrap().len());
        let mails = app.outbox();
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].to, "vera@example.org");
        let path = path_of(&mails[0].link_containing("/reset/").expect("a reset link"));

        let short = other.post_form(&path, &[("password", "short"), ("password_confirm", "short")]).await;
        assert_eq!(short.status(), 422);
        let res = other
            .post_form(&path, &[("password", "a brand new password"), ("password_confirm", "a brand new password")])
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(other.get(&path).await.status(), 404, "the link is used up");

        // The old session is gone; the old password fails; the new one works.
        assert_eq!(app.get("/members").await.status(), 303);
        let old = other.post_form("/login", &[("email", "vera@example.org"), ("password", TEST_PASSWORD)]).await;
        assert_eq!(old.status(), 401);
        let new = other.post_form("/login", &[("email", "vera@example.org"), ("password", "a brand new password")]).await;
        assert_eq!(new.status(), 303);
    }
}

both_backends! {
    async fn volunteers_and_visitors_cannot_reach_the_members_page(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let anonymous = app.get("/members").await;
        assert_eq!(anonymous.status(), 303);
        assert_eq!(anonymous.headers()["location"], "/login?next=%2Fmembers");
        let target = app.create_user("anna@example.org", Role::Volunteer).await;
        app.sign_in_as("vera@example.org", Role::Volunteer).await;
        assert_eq!(app.get("/members").await.status(), 403);
        let id = target.id.to_string();
        for (path, fields) in [
            ("/members/invite".to_owned(), vec![("email", "x@example.org"), ("role", "volunteer")]),
            (format!("/members/{id}/role"), vec![("role", "coordinator")]),
            (format!("/members/{id}/disabled"), vec![("disabled", "true")]),
        ] {
            assert_eq!(app.post_form(&path, &fields).await.status(), 403, "{path}");
        }
        assert!(app.outbox().is_empty());
    }
}

both_backends! {
    async fn coordinators_manage_roles_but_only_admins_make_admins(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let admin = app.create_user("admin@example.org", Role::Admin).await;
        let volunteer = app.create_user("vera@example.org", Role::Volunteer).await;
        let me = app.sign_in_as("coord@example.org", Role::Coordinator).await;

        let promote = app.post_form(&format!("/members/{}/role", volunteer.id), &[("role", "coordinator")]).await;
        assert_eq!(promote.status(), 303);
        let to_admin = app.post_form(&format!("/members/{}/role", volunteer.id), &[("role", "admin")]).await;
        assert_eq!(to_admin.status(), 403);
        let touch_admin = app.post_form(&format!("/members/{}/disabled", admin.id), &[("disabled", "true")]).await;
        assert_eq!(touch_admin.status(), 403);
        let myself = app.post_form(&format!("/members/{}/disabled", me.id), &[("disabled", "true")]).await;
        assert_eq!(myself.status(), 403);
        assert_eq!(app.post_form("/members/999999/role", &[("role", "volunteer")]).await.status(), 404);
        let invite_admin = app.post_form("/members/invite", &[("email", "x@example.org"), ("role", "admin")]).await;
        assert_eq!(invite_admin.status(), 422);

        let id = volunteer.id;
        let user = app.db.run(move |c| konvert::db::users::find(c, id).map_err(konvert::db::DbError::from)).await.unwrap().unwrap();
        assert_eq!(user.role, Role::Coordinator);
        let log = app
            .db
            .run(move |c| konvert::db::audit::for_entity(c, "user", id).map_err(konvert::db::DbError::from))
            .await
            .unwrap();
        assert!(log.iter().any(|e| e.action == "change_role" && e.actor_id == Some(me.id)));
    }
}

both_backends! {
    async fn a_disabled_account_is_signed_out_and_cannot_sign_in(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let Some(writer) = spawn_client(&app) else { return };
        let vera = writer.sign_in_as("vera@example.org", Role::Volunteer).await;
        assert_eq!(writer.get("/").await.status(), 200);
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let res = app.post_form(&format!("/members/{}/disabled", vera.id), &[("disabled", "true")]).await;
        assert_eq!(res.status(), 303);
        let home = writer.get("/").await.text().await.unwrap();
        assert!(!home.contains("Вы вошли как"), "the session ended");
        let again = writer.post_form("/login", &[("email", "vera@example.org"), ("password", TEST_PASSWORD)]).await;
        assert_eq!(again.status(), 401);
    }
}

both_backends! {
    async fn open_sign_up_is_off_by_default_and_works_when_enabled(backend) {
        let Some(closed) = spawn_app(backend).await else { return };
        assert_eq!(closed.get("/signup").await.status(), 404);
        assert_eq!(closed.post_form("/signup", &[("email", "a@example.org")]).await.status(), 404);
        drop(closed);

        let Some(app) = spawn_app_with(backend, |s| s.open_signup = true).await else { return };
        assert_eq!(app.get("/signup").await.status(), 200);
        let res = app
            .post_form("/signup", &[
                ("email", "writer@example.org"),
                ("display_name", "Писатель"),
                ("password", "long enough password"),
                ("password_confirm", "long enough password"),
            ])
            .await;
        assert_eq!(res.status(), 303, "signed in at once");
        assert!(app.get("/").await.text().await.unwrap().contains("Вы вошли как Писатель"));
        let user = app
            .db
            .run(|c| konvert::db::users::find_by_email(c, "writer@example.org").map_err(konvert::db::DbError::from))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(user.role, Role::Volunteer, "open sign-up makes volunteers only");
    }
}

both_backends! {
    async fn the_language_follows_the_switch_and_the_account(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let en = app.client.get(app.url("/")).header("Accept-Language", "en-US,en;q=0.9").send().await.unwrap();
        assert!(en.text().await.unwrap().contains("Letters to political prisoners"));
        app.sign_in_as("vera@example.org", Role::Volunteer).await;
        let res = app.post_form("/language", &[("lang", "en"), ("next", "/")]).await;
        assert_eq!(res.status(), 303);
        // The account's setting wins over the browser's preference.
        let page = app.client.get(app.url("/")).header("Accept-Language", "ru").send().await.unwrap();
        assert!(page.text().await.unwrap().contains("Signed in as vera"));
        assert_eq!(app.post_form("/language", &[("lang", "tlh")]).await.status(), 400);
        assert_eq!(app.post_form("/language", &[("lang", "ru"), ("next", "https://evil.example/")]).await.headers()["location"], "/");
    }
}

both_backends! {
    async fn with_smtp_configured_the_reset_mail_arrives_at_the_server(backend) {
        let Some(sink) = crate::smtp_sink::SmtpSink::start() else { return };
        let url = sink.url();
        let Some(app) = spawn_app_with(backend, |s| {
            s.smtp_url = Some(url);
            s.mail_from = "Konvert <letters@example.org>".into();
        })
        .await
        else {
            return;
        };
        app.create_user("vera@example.org", Role::Volunteer).await;
        let res = app
            .client
            .post(app.url("/reset"))
            .header("Accept-Language", "en")
            .form(&[("email", "vera@example.org"), ("csrf_token", app.csrf().await.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let mails = sink.wait_for(1).await;
        assert_eq!(mails.len(), 1, "one e-mail reached the SMTP server");
        assert_eq!(mails[0].to, "vera@example.org");
        assert_eq!(mails[0].subject, "Новый пароль для Konvert", "in the account's language, not the browser's");
        let link = mails[0].link_containing("/reset/").expect("a reset link");
        assert!(mails[0].html.contains(&link));
        assert!(app.outbox().is_empty(), "nothing went to the outbox folder");
    }
}

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

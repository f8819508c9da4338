//! The first-admin link: printed at first start, used once, creates an admin.

use konvert::accounts;
use konvert::db::{self, users, DbError};

use crate::both_backends;
use crate::helpers::*;

async fn setup_token(app: &TestApp) -> Option<String> {
    app.db
        .run(|conn| accounts::first_admin_token(conn, db::now()).map_err(DbError::from))
        .await
        .unwrap()
}

both_backends! {
    async fn first_admin_link_creates_an_admin_once(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let token = setup_token(&app).await.expect("no users yet, so a link");
        let path = format!("/setup/{token}");

        let form = app.get(&path).await;
        assert_eq!(form.status(), 200);
        let html = form.text().await.unwrap();
        assert!(html.contains("name=\"password_confirm\""));

        let res = app
            .post_form(&path, &[
                ("email", " Admin@Example.org "),
                ("display_name", "Анна Координатор"),
                ("password", "очень длинный пароль"),
                ("password_confirm", "очень длинный пароль"),
            ])
            .await;
        assert_eq!(res.status(), 303);
        assert!(app.get("/").await.text().await.unwrap().contains("Вы вошли как Анна Координатор"));

        let user = app
            .db
            .run(|conn| users::find_by_email(conn, "admin@example.org").map_err(DbError::from))
            .await
            .unwrap()
            .expect("the account exists");
        assert_eq!(user.role, users::Role::Admin);
        assert_eq!(user.display_name, "Анна Координатор");
        assert!(accounts::verify_password("очень длинный пароль", user.password_hash.as_deref().unwrap()));

        // Used up: the form and the post say so.
        assert_eq!(app.get(&path).await.status(), 410);
        let again = app
            .post_form(&path, &[
                ("email", "second@example.org"),
                ("display_name", "Second"),
                ("password", "another long password"),
                ("password_confirm", "another long password"),
            ])
            .await;
        assert_eq!(again.status(), 410);
        // And with an account in place, no new link is made.
        assert_eq!(setup_token(&app).await, None);
    }
}

both_backends! {
    async fn setup_form_shows_each_problem_next_to_its_field_and_keeps_input(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let token = setup_token(&app).await.unwrap();
        let path = format!("/setup/{token}");
        let res = app
            .post_form(&path, &[
                ("email", "not an address"),
                ("display_name", "Вера"),
                ("password", "short"),
                ("password_confirm", "different"),
            ])
            .await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"email-error\""), "{html}");
        assert!(html.contains("id=\"password-error\""));
        assert!(html.contains("id=\"password_confirm-error\""));
        assert!(!html.contains("id=\"display_name-error\""));
        assert!(html.contains("value=\"Вера\""), "input is kept");
        assert!(!html.contains("value=\"short\""), "passwords are never echoed");
        // Nothing was created and the link still works.
        assert_eq!(app.get(&path).await.status(), 200);

        // A form with missing fields is a validation error, not a crash.
        let res = app.post_form(&path, &[]).await;
        assert_eq!(res.status(), 422);
    }
}

both_backends! {
    async fn a_new_first_admin_link_replaces_the_old_one(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let first = setup_token(&app).await.unwrap();
        let second = setup_token(&app).await.unwrap();
        assert_ne!(first, second);
        assert_eq!(app.get(&format!("/setup/{first}")).await.status(), 404);
        assert_eq!(app.get(&format!("/setup/{second}")).await.status(), 200);
        assert_eq!(app.get("/setup/made-up-token").await.status(), 404);
    }
}

//! The server's common behaviour: health, error pages, headers, static files.

use crate::both_backends;
use crate::helpers::*;

both_backends! {
    async fn healthz_answers_ok_when_the_database_is_reachable(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let res = app.get("/healthz").await;
        assert_eq!(res.status(), 200);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["status"], "ok");
        assert_eq!(body["database"], "ok");
    }
}

both_backends! {
    async fn unknown_pages_get_an_html_404_and_api_paths_get_json(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let res = app.client.get(app.url("/no-such-page")).header("Accept-Language", "en-GB,en;q=0.9").send().await.unwrap();
        assert_eq!(res.status(), 404);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let html = res.text().await.unwrap();
        assert!(html.contains("The page you asked for does not exist."), "{html}");
        assert!(html.contains("<title>Not found · Konvert</title>"), "{html}");
        // Without a preference, the page speaks Russian.
        let html = app.get("/no-such-page").await.text().await.unwrap();
        assert!(html.contains("Такой страницы нет."), "{html}");

        let res = app.get("/api/no-such-thing").await;
        assert_eq!(res.status(), 404);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"]["status"], 404);
        assert!(body["error"]["message"].as_str().unwrap().contains("does not exist"));
    }
}

both_backends! {
    async fn every_response_carries_the_security_headers(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        for path in ["/", "/healthz", "/missing"] {
            let res = app.get(path).await;
            let h = res.headers();
            assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(h["x-frame-options"], "DENY", "{path}");
            assert_eq!(h["referrer-policy"], "same-origin", "{path}");
            assert!(h["content-security-policy"].to_str().unwrap().contains("default-src 'self'"), "{path}");
        }
    }
}

both_backends! {
    async fn home_page_renders_in_the_layout_with_its_stylesheet(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let res = app.get("/").await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(html.starts_with("<!doctype html>"));
        assert!(html.contains("ФСИН-Письмо"), "Cyrillic text survives rendering");
        assert!(html.contains("/static/konvert.css"));

        let css = app.get("/static/konvert.css").await;
        assert_eq!(css.status(), 200);
        assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
        assert_eq!(app.get("/static/../Cargo.toml").await.status(), 404);
    }
}

both_backends! {
    async fn a_wrong_method_gets_a_405_page_not_a_500(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let res = app.client.delete(app.url("/healthz")).send().await.unwrap();
        assert!(res.status() == 405 || res.status() == 404, "{}", res.status());
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_503_when_the_database_goes_away() {
    // Only PostgreSQL can be taken away from under a running app.
    let Some(app) = spawn_app(Backend::Postgres).await else {
        return;
    };
    assert_eq!(app.get("/healthz").await.status(), 200);
    app.sign_in_as("coord@example.org", konvert::db::users::Role::Coordinator)
        .await;
    app.drop_database();
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    // Pages that need the database say so in words rather than failing with a 500.
    let page = app.get("/members").await;
    assert_eq!(page.status(), 503);
    assert!(page.text().await.unwrap().contains("недоступна"));
}

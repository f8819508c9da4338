//! What a volunteer does in the browser.

use konvert::db::users::Role;

use crate::driver::browser;
use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_volunteer_signs_in_through_the_form() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let Some(b) = browser().await else { return };
    app.create_user("vera@example.org", Role::Volunteer).await;

    b.goto(&app.url("/login")).await;
    b.fill("#email", "vera@example.org").await;
    b.fill("#password", "wrong password").await;
    b.click("form.stack button[type=submit]").await;
    b.wait_for_text("main", "Неверный адрес").await;

    b.fill("#password", TEST_PASSWORD).await;
    b.click("form.stack button[type=submit]").await;
    b.wait_for_text("header", "Вы вошли как vera").await;

    // The language switch works from any page and sticks.
    b.click("header form[action='/language'] button").await;
    b.wait_for_text("header", "Signed in as vera").await;
    b.goto(&app.url("/")).await;
    b.wait_for_text("header", "Signed in as vera").await;
    b.close().await;
}

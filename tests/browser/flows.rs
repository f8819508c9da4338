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

/// The whole path of issue 4: find a prisoner by a Latin spelling of a
/// Cyrillic name, open the page, write a letter while the page count follows
/// the typing, let the draft save itself, reload and find it, submit it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_volunteer_finds_a_prisoner_writes_saves_reloads_and_submits() {
    use fantoccini::Locator;
    use konvert::db::facilities::{self, FacilityForm, FacilityKind, Service};
    use konvert::db::placements::{self, NewPlacement};
    use konvert::db::prisoners::{self, BirthDate, Gender, PrisonerForm, PrisonerStatus};
    use konvert::db::{self, letters, DbError};

    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let Some(b) = browser().await else { return };
    app.create_user("vera@example.org", Role::Volunteer).await;
    let prisoner_id = app
        .db
        .run(|c| {
            let now = db::now();
            let facility = facilities::insert(
                c,
                &FacilityForm {
                    country: "RU".into(),
                    kind: FacilityKind::Remand,
                    name: "ФКУ СИЗО-1 УФСИН России по г. Санкт-Петербургу и Ленинградской области"
                        .into(),
                    postcode: Some("196655".into()),
                    region: Some("г. Санкт-Петербург".into()),
                    locality: Some("г. Колпино".into()),
                    street: Some("ул. Колпинская".into()),
                    house: Some("д. 9".into()),
                    ..FacilityForm::default()
                },
                now,
            )?;
            facilities::set_service(c, facility.id, Service::FsinPismo, None)?;
            for (surname, given) in [("Русских", "Андрей"), ("Горинов", "Алексей")]
            {
                let mut form = PrisonerForm::new(surname, given, Some("Владимирович"));
                form.gender = Some(Gender::Male);
                form.status = PrisonerStatus::Convicted;
                form.set_birth_date(Some(BirthDate::parse("1979").unwrap()));
                let p = prisoners::insert(c, &form, now)?;
                placements::transfer(
                    c,
                    &NewPlacement {
                        prisoner_id: p.id,
                        facility_id: Some(facility.id),
                        started_on: None,
                        address_confirmed_at: Some(now),
                        source: None,
                        notes: String::new(),
                        created_by: None,
                    },
                    now.date(),
                    now,
                )?;
            }
            let found = prisoners::directory(c, &Default::default(), 10, 0)?;
            Ok::<_, DbError>(
                found
                    .0
                    .into_iter()
                    .find(|e| e.prisoner.surname == "Русских")
                    .map(|e| e.prisoner.id)
                    .unwrap_or(0),
            )
        })
        .await
        .unwrap();

    b.goto(&app.url("/login")).await;
    b.fill("#email", "vera@example.org").await;
    b.fill("#password", TEST_PASSWORD).await;
    b.click("form.stack button[type=submit]").await;
    b.wait_for_text("header", "Вы вошли как vera").await;

    // Latin letters find the Cyrillic name, and only that person.
    b.goto(&app.url("/prisoners")).await;
    b.fill("#q", "Russkikh").await;
    b.click("form.filters button[type=submit]").await;
    let results = b.wait_for_text("main", "Русских").await;
    assert!(!results.contains("Горинов"), "{results}");
    b.screenshot("directory-search").await;
    b.click("a.name").await;
    b.wait_for_text("main", "196655, Россия").await;
    b.screenshot("prisoner-page").await;
    b.click(&format!("a[href='/letters/new?prisoner={prisoner_id}']"))
        .await;

    // The page count follows the typing, counting what the service prints
    // after the text: the signature ("vera") and the reply code line, 31
    // characters in all. 2,460 characters are one page, ten more make two.
    b.wait_for_text("#fig-pages", "0").await;
    let filler = "а".repeat(2460);
    b.client
        .execute(
            "const t = document.getElementById('body'); t.value = arguments[0]; t.dispatchEvent(new Event('input', {bubbles: true}));",
            vec![serde_json::json!(filler)],
        )
        .await
        .unwrap();
    b.wait_for_text("#fig-pages", "1").await;
    let body = b.client.find(Locator::Css("#body")).await.unwrap();
    body.send_keys(" Держитесь").await.unwrap();
    b.wait_for_text("#fig-pages", "2").await;
    b.screenshot("composer").await;

    // The draft saves itself; the address bar then points at it.
    let mut url = String::new();
    for _ in 0..100 {
        url = b.client.current_url().await.unwrap().to_string();
        if url.contains("/edit") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        url.contains("/letters/") && url.contains("/edit"),
        "autosave made a draft: {url}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    b.goto(&url).await;
    let reloaded = b
        .client
        .find(Locator::Css("#body"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        reloaded.ends_with(" Держитесь"),
        "the reloaded draft keeps the text ({} chars)",
        reloaded.chars().count()
    );

    b.click("button[name=action][value=submit]").await;
    b.wait_for_text("main", "Ждёт проверки").await;
    let id: i64 = url
        .split("/letters/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    let letter = app
        .db
        .run(move |c| Ok::<_, DbError>(letters::find(c, id)?.unwrap()))
        .await
        .unwrap();
    assert_eq!(letter.status, letters::LetterStatus::Submitted);
    assert_eq!(letter.body.chars().count(), 2470);
    assert_eq!(letter.pages, Some(2), "priced as the composer counted");
    b.close().await;
}

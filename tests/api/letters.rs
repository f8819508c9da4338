//! Integration tests for letters: the composer (channels, address, figures,
//! warnings, do-not-write, Belarus), drafts (save, autosave, submit), who may
//! see which letter, "My letters", escaping, and starter texts.

use konvert::db::facilities::{self, FacilityForm, FacilityKind, Service};
use konvert::db::letters::{self, LetterStatus};
use konvert::db::placements::{self, NewPlacement};
use konvert::db::prisoners::{self, Gender, PrisonerForm, PrisonerStatus};
use konvert::db::starter_texts;
use konvert::db::users::Role;
use konvert::db::DbError;

use crate::both_backends;
use crate::helpers::*;

#[derive(Clone, Copy)]
pub(crate) enum Country {
    Russia,
    Belarus,
}

pub(crate) struct Fixture {
    pub country: Country,
    pub services: &'static [Service],
    pub do_not_write: Option<&'static str>,
    pub in_transit: bool,
}

impl Default for Fixture {
    fn default() -> Self {
        Fixture {
            country: Country::Russia,
            services: &[Service::FsinPismo],
            do_not_write: None,
            in_transit: false,
        }
    }
}

/// A prisoner (invented) held at a facility; returns the prisoner's id.
pub(crate) async fn prisoner(app: &TestApp, f: Fixture) -> i64 {
    app.db
        .run(move |conn| {
            let now = konvert::db::now();
            let form = match f.country {
                Country::Russia => FacilityForm {
                    country: "RU".into(),
                    kind: FacilityKind::Remand,
                    name: "ФКУ СИЗО-1 УФСИН России по г. Санкт-Петербургу и Ленинградской области"
                        .into(),
                    postcode: Some("196655".into()),
                    region: Some("г. Санкт-Петербург".into()),
                    locality: Some("г. Колпино".into()),
                    street: Some("ул. Колпинская".into()),
                    house: Some("9".into()),
                    ..FacilityForm::default()
                },
                Country::Belarus => FacilityForm {
                    country: "BY".into(),
                    kind: FacilityKind::Colony,
                    name: "ИК-3".into(),
                    postcode: Some("246035".into()),
                    region: Some("Гомельская обл.".into()),
                    locality: Some("г. Гомель".into()),
                    street: Some("ул. Примерная".into()),
                    house: Some("1".into()),
                    ..FacilityForm::default()
                },
            };
            let facility = facilities::insert(conn, &form, now)?;
            for service in f.services {
                facilities::set_service(conn, facility.id, *service, Some("demo"))?;
            }
            let mut p = PrisonerForm::new("Русских", "Андрей", Some("Владимирович"));
            p.gender = Some(Gender::Male);
            p.birth_year = Some(1979);
            p.status = PrisonerStatus::PreTrial;
            if let Some(reason) = f.do_not_write {
                p.do_not_write = true;
                p.do_not_write_reason = Some(reason.into());
            }
            let prisoner = prisoners::insert(conn, &p, now)?;
            let placement = |facility_id| NewPlacement {
                prisoner_id: prisoner.id,
                facility_id,
                started_on: None,
                address_confirmed_at: Some(now),
                source: None,
                notes: String::new(),
                created_by: None,
            };
            placements::transfer(conn, &placement(Some(facility.id)), now.date(), now)?;
            if f.in_transit {
                placements::transfer(conn, &placement(None), now.date(), now)?;
            }
            Ok::<_, DbError>(prisoner.id)
        })
        .await
        .expect("fixture")
}

async fn letter(app: &TestApp, id: i64) -> letters::Letter {
    app.db
        .run(move |conn| letters::find(conn, id).map_err(DbError::Query))
        .await
        .unwrap()
        .expect("letter exists")
}

/// Moves a letter to `status` directly, as a coordinator's decision would.
async fn set_status(app: &TestApp, id: i64, status: LetterStatus) {
    app.db
        .run(move |conn| {
            letters::set_status(conn, id, status, konvert::db::now()).map_err(DbError::Query)
        })
        .await
        .unwrap();
}

/// The confirmation the page a redirect leads to shows once.
async fn flash_after(app: &TestApp, res: reqwest::Response) -> String {
    let html = follow(app, res).await;
    flash(&html)
        .unwrap_or_else(|| panic!("no flash: {html}"))
        .to_owned()
}

/// The letters a prisoner has, in `status`.
async fn count_in(app: &TestApp, prisoner_id: i64, status: LetterStatus) -> usize {
    app.db
        .run(move |conn| {
            letters::for_prisoner_in(conn, prisoner_id, status).map_err(DbError::Query)
        })
        .await
        .unwrap()
        .len()
}

/// Saves a new draft through the form and returns its id.
async fn save_draft(app: &TestApp, prisoner_id: i64, body: &str) -> i64 {
    let pid = prisoner_id.to_string();
    let res = app
        .post_form(
            "/letters",
            &[
                ("prisoner", &pid),
                ("channel", "fsin_pismo"),
                ("body", body),
                ("language", "ru"),
                ("pen_name", "Аня"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "draft saved");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    location
        .strip_prefix("/letters/")
        .and_then(|s| s.strip_suffix("/edit"))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("unexpected redirect {location}"))
}

both_backends! {
    async fn composer_for_a_russian_facility_offers_fsin_pismo_with_the_service_fields(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let id = prisoner(&app, Fixture::default()).await;
        let res = app.get(&format!("/letters/new?prisoner={id}")).await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(html.contains(r#"value="fsin_pismo" checked"#), "ФСИН-Письмо offered and chosen");
        assert!(html.contains(r#"value="post""#), "post offered too");
        assert!(!html.contains(r#"value="zonatelecom""#), "no Zonatelecom at this facility");
        for field in ["Регион", "Учреждение", "ФИО", "Год рождения", "Русских Андрей Владимирович", "1979", "г. Санкт-Петербург"] {
            assert!(html.contains(field), "service field {field}");
        }
        assert!(html.contains("Русских Андрею Владимировичу"), "the envelope, in the dative, for post");
        assert!(html.contains("/static/composer.js"));
        assert!(html.contains(r#"name="pen_name" value="v""#), "the pen name defaults to the display name");

        let res = app.get("/letters/new?prisoner=999999").await;
        assert_eq!(res.status(), 404);
        let res = app.get("/letters/new?prisoner=abc").await;
        assert_eq!(res.status(), 404);
    }
}

both_backends! {
    async fn figures_for_2501_characters_are_two_pages_at_the_configured_price(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let id = prisoner(&app, Fixture::default()).await.to_string();
        let body = "ж".repeat(2_501);
        let res = app
            .client
            .post(app.url("/letters/check"))
            .form(&[("prisoner", id.as_str()), ("channel", "fsin_pismo"), ("body", body.as_str()), ("csrf_token", app.csrf().await.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let json: serde_json::Value = res.json().await.unwrap();
        assert_eq!(json["chars"], 2_501);
        assert_eq!(json["pages"], 2);
        assert_eq!(json["cost_minor"], 11_000, "two pages at the default 55 RUB");
        assert_eq!(json["cost_text"], "110 ₽");

        // Without JavaScript, "Check" gives the same figures on the page.
        let res = app
            .post_form("/letters", &[("prisoner", &id), ("channel", "fsin_pismo"), ("body", &body), ("reply_blank", "on"), ("action", "check")])
            .await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(html.contains(r#"<output id="fig-chars">2501</output>"#), "chars");
        assert!(html.contains(r#"<output id="fig-pages">2</output>"#), "pages");
        assert!(html.contains(r#"<output id="fig-cost">165 ₽</output>"#), "two pages and a reply blank");
        let count = app.db.run(|conn| letters::count_by_status(conn).map_err(DbError::Query)).await.unwrap();
        assert!(count.is_empty(), "checking stores nothing");
    }
}

both_backends! {
    async fn latin_words_in_a_letter_to_russia_are_named(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let id = prisoner(&app, Fixture::default()).await.to_string();
        let res = app
            .post_form("/letters", &[("prisoner", &id), ("channel", "post"), ("body", "Привет! Читаю Hemingway, очень нравится."), ("action", "check")])
            .await;
        let html = res.text().await.unwrap();
        assert!(html.contains(r#"data-kind="latin""#), "{html}");
        assert!(html.contains("<mark>Hemingway</mark>"));
        assert!(!html.contains(r#"data-kind="foreign""#), "not reported twice");
    }
}

both_backends! {
    async fn censorship_warnings_name_the_triggering_words(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let id = prisoner(&app, Fixture::default()).await.to_string();
        let token = app.csrf().await;
        let res = app
            .client
            .post(app.url("/letters/check"))
            .form(&[("prisoner", id.as_str()), ("body", "Как прошёл приговор? Звони +7 912 345-67-89"), ("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        let json: serde_json::Value = res.json().await.unwrap();
        let warnings = json["warnings"].as_array().unwrap();
        let case = warnings.iter().find(|w| w["kind"] == "case").expect("case warning");
        assert_eq!(case["words"][0], "приговор");
        assert_eq!(case["label"], "Подробности уголовного дела");
        let digits = warnings.iter().find(|w| w["kind"] == "digits").expect("phone warning");
        assert_eq!(digits["words"][0], "+7 912 345-67-89");

        // A warning never blocks: the letter can still be submitted.
        let res = app
            .post_form("/letters", &[("prisoner", &id), ("channel", "post"), ("body", "Как прошёл приговор?"), ("action", "submit")])
            .await;
        assert_eq!(res.status(), 303);
    }
}

both_backends! {
    async fn a_belarus_facility_warns_that_only_relatives_letters_arrive(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let id = prisoner(&app, Fixture { country: Country::Belarus, services: &[], ..Fixture::default() }).await;
        let html = app.get(&format!("/letters/new?prisoner={id}")).await.text().await.unwrap();
        assert!(html.contains("только от близких родственников"), "{html}");
        assert!(html.contains(r#"value="post" checked"#), "post is the only way");
        assert!(!html.contains(r#"value="fsin_pismo""#));

        let ru = prisoner(&app, Fixture::default()).await;
        let html = app.get(&format!("/letters/new?prisoner={ru}")).await.text().await.unwrap();
        assert!(!html.contains("только от близких родственников"));
    }
}

both_backends! {
    async fn do_not_write_blocks_composing_and_shows_the_reason_to_coordinators(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let id = prisoner(&app, Fixture { do_not_write: Some("Родственники просили не писать."), ..Fixture::default() }).await;
        let res = app.get(&format!("/letters/new?prisoner={id}")).await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        // The reason may be private (docs/domain.md: visible to coordinators); volunteers learn that letters are paused.
        assert!(!html.contains("Родственники просили не писать."));
        assert!(!html.contains(r#"id="composer""#), "no form");
        let (_, coordinator) = app.other_client("c@example.org", Role::Coordinator).await;
        let html = coordinator.get(&format!("/letters/new?prisoner={id}")).await.text().await.unwrap();
        assert!(html.contains("Родственники просили не писать."));
        let pid = id.to_string();
        let res = app.post_form("/letters", &[("prisoner", &pid), ("body", "Привет"), ("action", "save")]).await;
        assert_eq!(res.status(), 403);
        let count = app.db.run(|conn| letters::count_by_status(conn).map_err(DbError::Query)).await.unwrap();
        assert!(count.is_empty());
    }
}

both_backends! {
    async fn in_transit_the_composer_explains_and_still_saves_a_draft(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let id = prisoner(&app, Fixture { in_transit: true, ..Fixture::default() }).await;
        let html = app.get(&format!("/letters/new?prisoner={id}")).await.text().await.unwrap();
        assert!(html.contains("Человека этапируют"), "{html}");
        let pid = id.to_string();
        let res = app.post_form("/letters", &[("prisoner", &pid), ("channel", "post"), ("body", "Жду нового адреса"), ("action", "save")]).await;
        assert_eq!(res.status(), 303);
    }
}

both_backends! {
    async fn a_saved_draft_reloads_with_its_text_and_autosave_updates_it(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let me = app.sign_in_as("v@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let id = save_draft(&app, pid, "Здравствуйте, Андрей! Пишу впервые.").await;
        let html = app.get(&format!("/letters/{id}/edit")).await.text().await.unwrap();
        assert!(html.contains(">Здравствуйте, Андрей! Пишу впервые.</textarea>"), "{html}");
        assert!(html.contains(&format!(r#"data-autosave-url="/letters/{id}/autosave""#)));
        let saved = letter(&app, id).await;
        assert_eq!(saved.writer_id, me.id);
        assert_eq!(saved.status, LetterStatus::Draft);
        assert_eq!(saved.pen_name.as_deref(), Some("Аня"));
        assert_eq!(saved.pages, Some(1));
        assert!(saved.reply_code.is_some());
        assert!(saved.address_snapshot.as_deref().unwrap().contains("Русских"));
        assert!(saved.placement_id.is_some());

        let res = app.post_form(&format!("/letters/{id}/autosave"), &[("body", "Новый текст"), ("channel", "fsin_pismo"), ("pen_name", "Аня"), ("language", "ru")]).await;
        assert_eq!(res.status(), 200);
        let json: serde_json::Value = res.json().await.unwrap();
        assert!(json["saved_at"].is_string());
        assert_eq!(letter(&app, id).await.body, "Новый текст");
        let html = app.get(&format!("/letters/{id}/edit")).await.text().await.unwrap();
        assert!(html.contains("Новый текст</textarea>"));
    }
}

both_backends! {
    async fn composer_js_creates_a_draft_as_json(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await.to_string();
        let token = app.csrf().await;
        let res = app
            .client
            .post(app.url("/letters"))
            .header("Accept", "application/json")
            .form(&[("prisoner", pid.as_str()), ("body", "Первые слова"), ("action", "save"), ("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let json: serde_json::Value = res.json().await.unwrap();
        let id = json["id"].as_i64().unwrap();
        assert_eq!(json["edit_url"], format!("/letters/{id}/edit"));
        assert_eq!(letter(&app, id).await.body, "Первые слова");
    }
}

both_backends! {
    async fn submitting_sets_the_status_and_time_and_an_empty_letter_is_refused(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let id = save_draft(&app, pid, "").await;
        let path = format!("/letters/{id}");
        let res = app.post_form(&path, &[("body", "   "), ("channel", "fsin_pismo"), ("action", "submit")]).await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("Напишите что-нибудь"), "{html}");
        assert_eq!(letter(&app, id).await.status, LetterStatus::Draft);

        let res = app.post_form(&path, &[("body", "Держитесь!"), ("channel", "fsin_pismo"), ("reply_blank", "on"), ("action", "submit")]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], path.as_str());
        let sent = letter(&app, id).await;
        assert_eq!(sent.status, LetterStatus::Submitted);
        assert!(sent.submitted_at.is_some());
        assert_eq!(sent.body, "Держитесь!");
        assert!(sent.reply_blank);
        assert_eq!(sent.cost_minor, Some(11_000), "one page and a reply blank");

        // Once a coordinator has approved it, it is no longer the writer's to change.
        set_status(&app, id, LetterStatus::Approved).await;
        let res = app.post_form(&path, &[("body", "Другое"), ("action", "save")]).await;
        assert_eq!(res.status(), 409);
        let res = app.get(&format!("/letters/{id}/edit")).await;
        assert_eq!(res.status(), 303);
        assert_eq!(letter(&app, id).await.body, "Держитесь!");
    }
}

both_backends! {
    async fn another_volunteer_cannot_open_or_edit_a_letter_but_a_coordinator_can_open_it(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let id = save_draft(&app, pid, "Личное письмо").await;

        let (_, other) = app.other_client("w@example.org", Role::Volunteer).await;
        assert_eq!(other.get(&format!("/letters/{id}")).await.status(), 404);
        assert_eq!(other.get(&format!("/letters/{id}/edit")).await.status(), 404);
        let res = other.post_form(&format!("/letters/{id}"), &[("body", "Чужое"), ("action", "save")]).await;
        assert_eq!(res.status(), 404);
        let res = other.post_form(&format!("/letters/{id}/autosave"), &[("body", "Чужое")]).await;
        assert_eq!(res.status(), 404);
        assert!(!other.get("/letters").await.text().await.unwrap().contains("Русских"));
        assert_eq!(letter(&app, id).await.body, "Личное письмо");

        let (_, coordinator) = app.other_client("c@example.org", Role::Coordinator).await;
        let res = coordinator.get(&format!("/letters/{id}")).await;
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains("Личное письмо"));
        let all = coordinator.get("/letters?all=1").await.text().await.unwrap();
        assert!(all.contains("Русских Андрей Владимирович"), "{all}");
        let mine = coordinator.get("/letters").await.text().await.unwrap();
        assert!(!mine.contains("Русских Андрей Владимирович"));
    }
}

both_backends! {
    async fn my_letters_lists_drafts_first(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let draft = save_draft(&app, pid, "Черновик").await;
        let submitted = save_draft(&app, pid, "Отправленное").await;
        let res = app.post_form(&format!("/letters/{submitted}"), &[("body", "Отправленное"), ("action", "submit")]).await;
        assert_eq!(res.status(), 303);
        let html = app.get("/letters").await.text().await.unwrap();
        let draft_at = html.find(&format!("/letters/{draft}/edit")).expect("draft listed");
        let submitted_at = html.find(&format!("href=\"/letters/{submitted}\"")).expect("submitted listed");
        assert!(draft_at < submitted_at, "the draft comes first although it is older");
        assert!(html.contains("Черновик") && html.contains("Ждёт проверки"));
    }
}

both_backends! {
    async fn a_script_tag_in_a_letter_is_shown_as_text(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let id = save_draft(&app, pid, "<script>alert(1)</script>").await;
        for path in [format!("/letters/{id}"), format!("/letters/{id}/edit")] {
            let html = app.get(&path).await.text().await.unwrap();
            assert!(!html.contains("<script>alert(1)"), "{path}");
            assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{path}");
        }
    }
}

both_backends! {
    async fn starter_texts_are_for_coordinators_and_fill_the_composer(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (_, volunteer) = app.other_client("v@example.org", Role::Volunteer).await;
        assert_eq!(volunteer.get("/starters").await.status(), 403);
        assert_eq!(volunteer.get("/starters/new").await.status(), 403);
        let res = volunteer.post_form("/starters/new", &[("kind", "birthday"), ("language", "ru"), ("title", "x"), ("body", "y")]).await;
        assert_eq!(res.status(), 403);

        app.sign_in_as("c@example.org", Role::Coordinator).await;
        assert_eq!(app.get("/starters").await.status(), 200);
        let res = app.post_form("/starters/new", &[("kind", "party"), ("language", "ru"), ("title", ""), ("body", "Текст")]).await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("Выберите повод из списка.") && html.contains("Дайте заготовке название."), "{html}");
        assert!(html.contains("Текст</textarea>"), "input kept");

        let res = app.post_form("/starters/new", &[("kind", "first_letter"), ("language", "ru"), ("title", "Первое письмо"), ("body", "Здравствуйте! Меня зовут …")]).await;
        assert_eq!(flash_after(&app, res).await, "Заготовка добавлена.");
        let list = app.db.run(|conn| starter_texts::list(conn).map_err(DbError::Query)).await.unwrap();
        assert_eq!(list.len(), 1);
        let sid = list[0].id;
        assert!(app.get("/starters").await.text().await.unwrap().contains("Первое письмо"));

        let res = app.post_form(&format!("/starters/{sid}/edit"), &[("kind", "first_letter"), ("language", "ru"), ("title", "Знакомство"), ("body", "Добрый день! Пишу вам впервые.")]).await;
        assert_eq!(flash_after(&app, res).await, "Заготовка сохранена.");
        let edit = app.get(&format!("/starters/{sid}/edit")).await.text().await.unwrap();
        assert!(edit.contains(r#"value="Знакомство""#), "{edit}");

        // The composer offers it, and without JavaScript "use" fills the text.
        let pid = prisoner(&app, Fixture::default()).await;
        let html = app.get(&format!("/letters/new?prisoner={pid}")).await.text().await.unwrap();
        assert!(html.contains("Знакомство"));
        let (p, s) = (pid.to_string(), sid.to_string());
        let html = app
            .post_form("/letters", &[("prisoner", &p), ("channel", "fsin_pismo"), ("body", ""), ("use_starter", &s)])
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("Добрый день! Пишу вам впервые.</textarea>"), "{html}");

        let res = app.post_form(&format!("/starters/{sid}/delete"), &[]).await;
        assert_eq!(flash_after(&app, res).await, "Заготовка удалена.");
        assert_eq!(app.get(&format!("/starters/{sid}/edit")).await.status(), 404);
    }
}

/// Line breaks must survive a round trip through the composer: the text area
/// and the letter page show the text exactly as saved. Ignored until the
/// page registry stops indenting partial output (handlebars indents every
/// line a standalone `{{> content}}` prints, text-area content included);
/// see the composer's report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn line_breaks_survive_the_composer_unchanged() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    app.sign_in_as("v@example.org", Role::Volunteer).await;
    let pid = prisoner(&app, Fixture::default()).await;
    let id = save_draft(&app, pid, "Здравствуйте, Андрей!\r\nПишу впервые.").await;
    assert_eq!(
        letter(&app, id).await.body,
        "Здравствуйте, Андрей!\nПишу впервые."
    );
    let html = app
        .get(&format!("/letters/{id}/edit"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(">Здравствуйте, Андрей!\nПишу впервые.</textarea>"),
        "{html}"
    );
    let html = app
        .get(&format!("/letters/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(">Здравствуйте, Андрей!\nПишу впервые.</div>"),
        "{html}"
    );
}

both_backends! {
    async fn submitting_the_same_new_letter_form_twice_makes_one_letter_in_review(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let html = app.get(&format!("/letters/new?prisoner={pid}")).await.text().await.unwrap();
        let marker = r#"name="submission_key" value=""#;
        let at = html.find(marker).expect("the form carries a submission key") + marker.len();
        let key = html[at..at + html[at..].find('"').unwrap()].to_owned();
        assert_eq!(key.len(), 32, "{key}");
        let pid_text = pid.to_string();
        let form = [
            ("prisoner", pid_text.as_str()),
            ("channel", "fsin_pismo"),
            ("body", "Держитесь!"),
            ("language", "ru"),
            ("submission_key", key.as_str()),
            ("action", "submit"),
        ];
        let first = app.post_form("/letters", &form).await;
        let first_location = first.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(flash_after(&app, first).await, "Письмо отправлено на проверку.");

        // Back, then Submit again: the same letter, shown as already submitted.
        let again = app.post_form("/letters", &form).await;
        assert_eq!(again.headers()["location"].to_str().unwrap(), first_location);
        assert!(flash_after(&app, again).await.contains("уже отправлено"));
        assert_eq!(count_in(&app, pid, LetterStatus::Submitted).await, 1);
        assert_eq!(count_in(&app, pid, LetterStatus::Draft).await, 0);

        // Once approved, the same form still makes nothing new.
        let id: i64 = first_location.trim_start_matches("/letters/").parse().unwrap();
        set_status(&app, id, LetterStatus::Approved).await;
        let late = app.post_form("/letters", &form).await;
        assert_eq!(late.headers()["location"].to_str().unwrap(), first_location);
        assert_eq!(count_in(&app, pid, LetterStatus::Approved).await, 1);
        assert_eq!(count_in(&app, pid, LetterStatus::Submitted).await, 0);
        assert_eq!(letter(&app, id).await.status, LetterStatus::Approved);

        // A fresh form is a new letter.
        let html = app.get(&format!("/letters/new?prisoner={pid}")).await.text().await.unwrap();
        assert!(!html.contains(&key), "each form gets its own key");
    }
}

both_backends! {
    async fn a_draft_made_by_composer_js_is_the_one_the_same_form_then_submits(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let token = app.csrf().await;
        let pid_text = pid.to_string();
        let key = "0123456789abcdef0123456789abcdef";
        let res = app
            .client
            .post(app.url("/letters"))
            .header("Accept", "application/json")
            .form(&[("prisoner", pid_text.as_str()), ("channel", "fsin_pismo"), ("body", "Первые"),
                    ("submission_key", key), ("action", "save"), ("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let id = res.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap();
        // The button posts the same form before the script moved it to the draft.
        let res = app
            .post_form("/letters", &[("prisoner", pid_text.as_str()), ("channel", "fsin_pismo"),
                                     ("body", "Первые слова"), ("submission_key", key), ("action", "submit")])
            .await;
        assert_eq!(res.headers()["location"].to_str().unwrap(), format!("/letters/{id}"));
        let sent = letter(&app, id).await;
        assert_eq!((sent.status, sent.body.as_str()), (LetterStatus::Submitted, "Первые слова"));
        assert_eq!(count_in(&app, pid, LetterStatus::Draft).await, 0);
    }
}

both_backends! {
    async fn submitting_an_existing_draft_twice_shows_it_already_submitted(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let id = save_draft(&app, pid, "Черновик").await;
        let key = letter(&app, id).await.submission_key.expect("the form's key is kept");
        let path = format!("/letters/{id}");
        let form = [("body", "Готово"), ("channel", "fsin_pismo"), ("submission_key", key.as_str()), ("action", "submit")];
        assert_eq!(flash_after(&app, app.post_form(&path, &form).await).await, "Письмо отправлено на проверку.");
        let again = app.post_form(&path, &form).await;
        assert!(flash_after(&app, again).await.contains("уже отправлено"));
        set_status(&app, id, LetterStatus::Approved).await;
        let late = app.post_form(&path, &form).await;
        assert_eq!(late.headers()["location"].to_str().unwrap(), path);
        assert_eq!(count_in(&app, pid, LetterStatus::Approved).await, 1);
    }
}

both_backends! {
    async fn saving_a_draft_without_javascript_confirms_it(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let id = save_draft(&app, pid, "Начало").await;
        let res = app.post_form(&format!("/letters/{id}"), &[("body", "Начало и продолжение"), ("action", "save")]).await;
        assert_eq!(res.headers()["location"].to_str().unwrap(), format!("/letters/{id}/edit"));
        assert_eq!(flash_after(&app, res).await, "Черновик сохранён.");
        assert_eq!(letter(&app, id).await.body, "Начало и продолжение");
    }
}

both_backends! {
    async fn a_writer_edits_and_withdraws_a_letter_in_review_but_not_after_it_is_decided(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let id = save_draft(&app, pid, "Первый вариант").await;
        let path = format!("/letters/{id}");
        app.post_form(&path, &[("body", "Первый вариант"), ("action", "submit")]).await;

        // Edit while awaiting review: the text changes, the letter stays in review.
        let page = app.get(&format!("/letters/{id}/edit")).await;
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains(&format!("/letters/{id}/withdraw")));
        let res = app.post_form(&path, &[("body", "Второй вариант"), ("action", "save")]).await;
        assert!(flash_after(&app, res).await.contains("ждёт проверки"));
        let l = letter(&app, id).await;
        assert_eq!((l.status, l.body.as_str()), (LetterStatus::Submitted, "Второй вариант"));

        // Withdraw: a draft again.
        let res = app.post_form(&format!("/letters/{id}/withdraw"), &[]).await;
        assert_eq!(res.headers()["location"].to_str().unwrap(), format!("/letters/{id}/edit"));
        assert_eq!(flash_after(&app, res).await, "Письмо снова в ваших черновиках.");
        assert_eq!(letter(&app, id).await.status, LetterStatus::Draft);
        // Withdrawing a draft changes nothing and says so.
        assert_eq!(app.post_form(&format!("/letters/{id}/withdraw"), &[]).await.status(), 409);

        // Once a coordinator decided, neither edit nor withdraw touches it.
        app.post_form(&path, &[("body", "Второй вариант"), ("action", "submit")]).await;
        set_status(&app, id, LetterStatus::Approved).await;
        assert_eq!(app.post_form(&format!("/letters/{id}/withdraw"), &[]).await.status(), 409);
        assert_eq!(app.post_form(&path, &[("body", "Третий"), ("action", "save")]).await.status(), 409);
        let l = letter(&app, id).await;
        assert_eq!((l.status, l.body.as_str()), (LetterStatus::Approved, "Второй вариант"));

        // Someone else's letter: nothing to withdraw.
        let (_, other) = app.other_client("w@example.org", Role::Volunteer).await;
        let theirs = save_draft(&other, pid, "Чужое").await;
        other.post_form(&format!("/letters/{theirs}"), &[("body", "Чужое"), ("action", "submit")]).await;
        assert_eq!(app.post_form(&format!("/letters/{theirs}/withdraw"), &[]).await.status(), 404);
        assert_eq!(letter(&app, theirs).await.status, LetterStatus::Submitted);
    }
}

both_backends! {
    async fn a_writer_deletes_a_draft_after_confirming_and_nothing_else(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        let id = save_draft(&app, pid, "Лишний черновик").await;
        let edit = app.get(&format!("/letters/{id}/edit")).await.text().await.unwrap();
        assert!(edit.contains(&format!("/letters/{id}/delete")));
        let confirm = app.get(&format!("/letters/{id}/delete")).await;
        assert_eq!(confirm.status(), 200);
        assert!(confirm.text().await.unwrap().contains("Удалить черновик?"));
        assert_eq!(count_in(&app, pid, LetterStatus::Draft).await, 1, "asking deletes nothing");

        let (_, other) = app.other_client("w@example.org", Role::Volunteer).await;
        assert_eq!(other.post_form(&format!("/letters/{id}/delete"), &[]).await.status(), 404);
        assert_eq!(count_in(&app, pid, LetterStatus::Draft).await, 1);

        let res = app.post_form(&format!("/letters/{id}/delete"), &[]).await;
        assert_eq!(res.headers()["location"].to_str().unwrap(), "/letters");
        assert_eq!(flash_after(&app, res).await, "Черновик удалён.");
        assert_eq!(count_in(&app, pid, LetterStatus::Draft).await, 0);

        // A letter in review is not deleted.
        let kept = save_draft(&app, pid, "Важное").await;
        app.post_form(&format!("/letters/{kept}"), &[("body", "Важное"), ("action", "submit")]).await;
        assert_eq!(app.post_form(&format!("/letters/{kept}/delete"), &[]).await.status(), 409);
        assert_eq!(letter(&app, kept).await.status, LetterStatus::Submitted);
    }
}

both_backends! {
    async fn the_composer_warns_about_other_prisoners_named_but_not_about_a_postscript(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let pid = prisoner(&app, Fixture::default()).await;
        app.db.run(|c| Ok::<_, DbError>(someone_held(c, "Беляев")?)).await.unwrap();
        let pid = pid.to_string();
        let body = "Андрей, привет от Беляева! Русских, держись.\nP.S. Обнимаю.";
        let res = app.post_form("/letters", &[("prisoner", &pid), ("body", body), ("channel", "fsin_pismo"), ("action", "check")]).await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(html.contains(r#"data-kind="prisoners""#) && html.contains("<mark>Беляева</mark>"), "{html}");
        assert!(!html.contains("<mark>Русских</mark>"), "the recipient is not another prisoner");
        assert!(!html.contains(r#"data-kind="latin""#), "P.S. is not a Latin word: {html}");
    }
}

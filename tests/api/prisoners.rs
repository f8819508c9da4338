//! The prisoner directory, prisoner pages and the coordinator's editing:
//! search in either script, filters, pages, addresses, transfers, access
//! rules, escaping and the audit log.

use diesel::prelude::*;
use konvert::db::facilities::{self, Facility, FacilityForm, FacilityKind};
use konvert::db::letters::{self, Channel, LetterStatus, NewLetter};
use konvert::db::placements::{self, NewPlacement, PlacementState};
use konvert::db::prisoners::{self, Gender, Prisoner, PrisonerForm, PrisonerStatus, TagKind};
use konvert::db::schema::audit_log;
use konvert::db::users::Role;
use konvert::db::{self, DbError};

use crate::both_backends;
use crate::helpers::*;

pub const SEED: &str = include_str!("../fixtures/address_seed.json");

pub fn seed() -> serde_json::Value {
    serde_json::from_str(SEED).expect("seed fixture")
}

/// The seed facility (СИЗО-1 in Kolpino), as stored facts.
pub fn seed_facility_form() -> FacilityForm {
    let s = seed();
    let f = &s["facility"];
    let text = |k: &str| f[k].as_str().map(str::to_owned);
    FacilityForm {
        country: text("country").unwrap(),
        kind: FacilityKind::Remand,
        name: text("name").unwrap(),
        name_en: text("name_en"),
        postcode: text("postcode"),
        region: text("region"),
        locality: text("locality"),
        street: text("street"),
        house: text("house"),
        ..FacilityForm::default()
    }
}

pub async fn add_facility(app: &TestApp, form: FacilityForm) -> Facility {
    app.db
        .run(move |conn| Ok::<_, DbError>(facilities::insert(conn, &form, db::now())?))
        .await
        .unwrap()
}

/// A facility in `country`/`region` with a name and a valid postcode.
pub async fn facility_in(app: &TestApp, country: &str, region: &str, name: &str) -> Facility {
    add_facility(
        app,
        FacilityForm {
            country: country.into(),
            kind: FacilityKind::Colony,
            name: name.into(),
            postcode: Some("600000".into()),
            region: Some(region.into()),
            locality: Some("г. Тестовск".into()),
            street: Some("ул. Лесная".into()),
            house: Some("д. 1".into()),
            ..FacilityForm::default()
        },
    )
    .await
}

/// A prisoner, placed at `facility` when given.
pub async fn add_prisoner(app: &TestApp, form: PrisonerForm, facility: Option<i64>) -> Prisoner {
    app.db
        .run(move |conn| {
            let now = db::now();
            let p = prisoners::insert(conn, &form, now)?;
            if let Some(fid) = facility {
                placements::transfer(
                    conn,
                    &NewPlacement {
                        prisoner_id: p.id,
                        facility_id: Some(fid),
                        started_on: Some(now.date() - chrono::TimeDelta::days(30)),
                        address_confirmed_at: Some(now),
                        source: None,
                        notes: String::new(),
                        created_by: None,
                    },
                    now.date(),
                    now,
                )?;
            }
            Ok::<_, DbError>(p)
        })
        .await
        .unwrap()
}

pub fn person(surname: &str, given: &str, patronymic: &str, year: i32) -> PrisonerForm {
    let mut f = PrisonerForm::new(surname, given, Some(patronymic));
    f.birth_year = Some(year);
    f.status = PrisonerStatus::Convicted;
    f
}

pub fn russkikh() -> PrisonerForm {
    let mut f = person("Русских", "Андрей", "Владимирович", 1979);
    f.gender = Some(Gender::Male);
    f
}

/// How many people a directory page lists.
fn listed(html: &str) -> usize {
    html.matches("class=\"name\"").count()
}

/// Attribute values as a browser reads them (the templates escape `=` and `&`).
pub fn unescape(html: &str) -> String {
    html.replace("&#10;", "\n")
        .replace("&#x3D;", "=")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

pub async fn page(app: &TestApp, path: &str) -> String {
    let res = app.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

pub async fn audit_actions(app: &TestApp) -> Vec<(String, String, String)> {
    app.db
        .run(|conn| {
            Ok::<_, DbError>(
                audit_log::table
                    .order(audit_log::id)
                    .select((audit_log::action, audit_log::entity, audit_log::details))
                    .load::<(String, String, String)>(conn)?,
            )
        })
        .await
        .unwrap()
}

both_backends! {
    async fn search_finds_the_same_person_from_cyrillic_or_latin_input(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let f = add_facility(&app, seed_facility_form()).await;
        add_prisoner(&app, russkikh(), Some(f.id)).await;
        add_prisoner(&app, person("Иванов", "Иван", "Иванович", 1980), Some(f.id)).await;
        add_prisoner(&app, person("Русакова", "Ольга", "Петровна", 1990), None).await;
        app.sign_in_as("v@example.org", Role::Volunteer).await;

        for q in ["Russkikh", "русских", "Русских", "RUSSKIH", "Андрей Русских"] {
            let url = format!("/prisoners?q={}", url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>());
            let html = page(&app, &url).await;
            assert_eq!(listed(&html), 1, "{q}: {html}");
            assert!(html.contains("Русских Андрей Владимирович"), "{q}");
            assert!(html.contains("Andrei Vladimirovich Russkikh"), "{q}: the Latin name is shown too");
            assert!(!html.contains("Иванов") && !html.contains("Русакова"), "{q}");
        }
        // Wildcards are text, not patterns; an empty query lists everyone.
        assert_eq!(listed(&page(&app, "/prisoners?q=%25").await), 3);
        assert_eq!(listed(&page(&app, "/prisoners?q=_").await), 3);
        assert_eq!(listed(&page(&app, "/prisoners?q=zzzz").await), 0);
        assert_eq!(listed(&page(&app, "/prisoners").await), 3);
    }
}

both_backends! {
    async fn each_filter_narrows_the_directory(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let vladimir = facility_in(&app, "RU", "Владимирская обл.", "ФКУ ИК-6 УФСИН России по Владимирской области").await;
        let moscow = facility_in(&app, "RU", "г. Москва", "ФКУ СИЗО-1 УФСИН России по г. Москве").await;
        let gomel = facility_in(&app, "BY", "Гомельская обл.", "ГУ «Исправительная колония № 1»").await;
        add_prisoner(&app, person("Алексеев", "Пётр", "Ильич", 1970), Some(vladimir.id)).await;
        let mut pre_trial = person("Борисова", "Анна", "Сергеевна", 1985);
        pre_trial.status = PrisonerStatus::PreTrial;
        add_prisoner(&app, pre_trial, Some(moscow.id)).await;
        add_prisoner(&app, person("Лосик", "Игорь", "Александрович", 1992), Some(gomel.id)).await;
        let mut paused = person("Викторов", "Глеб", "Олегович", 1975);
        paused.do_not_write = true;
        paused.do_not_write_reason = Some("просили не писать".into());
        add_prisoner(&app, paused, Some(vladimir.id)).await;
        let mut released = person("Григорьев", "Давид", "Маркович", 1965);
        released.status = PrisonerStatus::Released;
        add_prisoner(&app, released, None).await;
        app.sign_in_as("v@example.org", Role::Volunteer).await;

        // The listed surnames, in page order.
        let names = |html: &str| {
            let mut found: Vec<(usize, &str)> = ["Алексеев", "Борисова", "Лосик", "Викторов", "Григорьев"]
                .into_iter()
                .filter_map(|n| html.find(&format!(">{n} ")).map(|at| (at, n)))
                .collect();
            found.sort();
            found.into_iter().map(|(_, n)| n).collect::<Vec<_>>()
        };
        let all = page(&app, "/prisoners").await;
        assert_eq!(names(&all), ["Алексеев", "Борисова", "Викторов", "Григорьев", "Лосик"], "sorted by surname");
        assert!(all.contains("<option value=\"BY\""), "countries come from the facilities");
        assert!(all.contains("Гомельская обл."), "regions come from the facilities");
        assert_eq!(names(&page(&app, "/prisoners?country=BY").await), ["Лосик"]);
        assert_eq!(names(&page(&app, "/prisoners?country=ru").await), ["Алексеев", "Борисова", "Викторов"]);
        let region = url::form_urlencoded::byte_serialize("Владимирская обл.".as_bytes()).collect::<String>();
        assert_eq!(names(&page(&app, &format!("/prisoners?region={region}")).await), ["Алексеев", "Викторов"]);
        assert_eq!(names(&page(&app, &format!("/prisoners?facility={}", moscow.id)).await), ["Борисова"]);
        assert_eq!(names(&page(&app, "/prisoners?status=pre_trial").await), ["Борисова"]);
        assert_eq!(names(&page(&app, "/prisoners?writable=1").await), ["Алексеев", "Борисова", "Лосик"]);
        assert_eq!(names(&page(&app, &format!("/prisoners?writable=1&facility={}", vladimir.id)).await), ["Алексеев"]);
        // Nonsense in a hand-edited URL is ignored, not a 500.
        assert_eq!(names(&page(&app, "/prisoners?status=nope&facility=x&page=-3").await).len(), 5);
        let badges = page(&app, "/prisoners?q=Викторов").await;
        assert!(badges.contains("Не писать"), "the do-not-write badge shows");
    }
}

both_backends! {
    async fn the_directory_shows_fifty_people_a_page(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.db
            .run(|conn| {
                db::write_tx(conn, |conn| {
                    for i in 0..120 {
                        let form = person(&format!("Тестов{i:03}"), "Иван", "Иванович", 1980);
                        prisoners::insert(conn, &form, db::now())?;
                    }
                    Ok::<_, DbError>(())
                })
            })
            .await
            .unwrap();
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let first = unescape(&page(&app, "/prisoners").await);
        assert_eq!(listed(&first), 50);
        assert!(first.contains("Тестов000") && first.contains("Тестов049") && !first.contains("Тестов050"));
        assert!(first.contains("href=\"/prisoners?page=3\""), "links to the last page");
        assert!(first.contains("Найдено: 120"));
        let second = page(&app, "/prisoners?page=2").await;
        assert_eq!(listed(&second), 50);
        assert!(second.contains("Тестов050") && second.contains("Тестов099"));
        let third = page(&app, "/prisoners?page=3").await;
        assert_eq!(listed(&third), 20);
        assert!(third.contains("Тестов119"));
        assert!(third.contains("rel=\"prev\""));
        assert!(!third.contains("rel=\"next\""));
        // Page links keep the filters.
        let filtered = unescape(&page(&app, "/prisoners?q=Ivan&writable=1").await);
        assert!(filtered.contains("href=\"/prisoners?q=Ivan&writable=1&page=2\""), "{filtered}");
    }
}

both_backends! {
    async fn the_prisoner_page_shows_the_seed_address_in_every_style(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let f = add_facility(&app, seed_facility_form()).await;
        let p = add_prisoner(&app, russkikh(), Some(f.id)).await;
        app.db
            .run(move |conn| {
                prisoners::add_tag(conn, p.id, TagKind::Interest, "шахматы")?;
                prisoners::add_tag(conn, p.id, TagKind::Language, "en")?;
                prisoners::add_charge(conn, p.id, "ст. 207.3 ч. 2 УК РФ")?;
                Ok::<_, DbError>(())
            })
            .await
            .unwrap();
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let res = app.get(&format!("/prisoners/{}", p.id)).await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        let expected = &seed()["expected"];
        let line = expected["line"].as_str().unwrap();
        let english = expected["english"].as_str().unwrap();
        assert!(html.contains(&format!(">{line}</pre>")), "line style: {html}");
        assert!(html.contains(&format!(">{english}</pre>")), "english style: {html}");
        assert!(unescape(&html).contains(">Русских Андрею Владимировичу, 1979 г.р.\nФКУ СИЗО-1 УФСИН России по г. Санкт-Петербургу и Ленинградской области\nул. Колпинская, д. 9\nг. Колпино\nг. Санкт-Петербург\n196655</pre>"), "envelope style: {html}");
        assert!(html.contains("data-copy=\"address-line\""), "copy buttons");
        assert!(html.contains("/static/directory.js"));
        assert!(html.contains("Andrei Vladimirovich Russkikh"));
        assert!(html.contains("1979"));
        assert!(html.contains("шахматы") && html.contains("ст. 207.3 ч. 2 УК РФ"));
        assert!(unescape(&html).contains(&format!("href=\"/letters/new?prisoner={}\"", p.id)), "write a letter");
        assert!(!html.contains("/transfer"), "volunteers get no transfer form");
        assert!(!html.contains(&format!("/prisoners/{}/edit", p.id)));

        assert_eq!(app.get("/prisoners/999999").await.status(), 404);
        assert_eq!(app.get("/prisoners/abc").await.status(), 404);
        let js = app.get("/static/directory.js").await;
        assert_eq!(js.status(), 200);
    }
}

both_backends! {
    async fn an_incomplete_record_shows_why_instead_of_failing(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let f = add_facility(&app, seed_facility_form()).await;
        let mut form = russkikh();
        form.birth_year = None;
        let p = add_prisoner(&app, form, Some(f.id)).await;
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let html = page(&app, &format!("/prisoners/{}", p.id)).await;
        assert!(html.contains("person.birth_year: required but missing"), "{html}");
        assert!(!html.contains("class=\"address-text\""));
    }
}

both_backends! {
    async fn do_not_write_hides_the_letter_link_and_only_coordinators_see_the_reason(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let mut form = russkikh();
        form.do_not_write = true;
        form.do_not_write_reason = Some("Родственники просили не писать".into());
        let p = add_prisoner(&app, form, None).await;
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let html = page(&app, &format!("/prisoners/{}", p.id)).await;
        assert!(html.contains("Письма этому человеку приостановлены"));
        assert!(!html.contains("Родственники просили"), "volunteers do not see the reason");
        assert!(!html.contains("/letters/new"));

        let Some(app) = spawn_app(backend).await else { return };
        let mut form = russkikh();
        form.do_not_write = true;
        form.do_not_write_reason = Some("Родственники просили не писать".into());
        let p = add_prisoner(&app, form, None).await;
        app.sign_in_as("c@example.org", Role::Coordinator).await;
        let html = page(&app, &format!("/prisoners/{}", p.id)).await;
        assert!(html.contains("Родственники просили не писать"));
    }
}

both_backends! {
    async fn volunteers_see_their_own_letters_and_coordinators_all(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let p = add_prisoner(&app, russkikh(), None).await;
        let other = app.create_user("other@example.org", Role::Volunteer).await;
        let me = app.sign_in_as("v@example.org", Role::Volunteer).await;
        let (mine, theirs) = app
            .db
            .run(move |conn| {
                let letter = |writer_id| NewLetter {
                    writer_id,
                    prisoner_id: p.id,
                    placement_id: None,
                    address_snapshot: None,
                    language: "ru".into(),
                    body: "Здравствуйте!".into(),
                    channel: Channel::Post,
                    status: LetterStatus::Draft,
                    pen_name: None,
                    reply_blank: false,
                    reply_code: None,
                    created_at: db::now(),
                    updated_at: db::now(),
                };
                Ok::<_, DbError>((
                    letters::insert(conn, &letter(me.id))?.id,
                    letters::insert(conn, &letter(other.id))?.id,
                ))
            })
            .await
            .unwrap();
        let html = page(&app, &format!("/prisoners/{}", p.id)).await;
        assert!(html.contains(&format!("href=\"/letters/{mine}\"")));
        assert!(!html.contains(&format!("href=\"/letters/{theirs}\"")));
        assert!(!html.contains("Здравствуйте"), "bodies are not shown on the page");
    }
}

both_backends! {
    async fn volunteers_cannot_edit_and_anonymous_visitors_are_sent_to_sign_in(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let f = add_facility(&app, seed_facility_form()).await;
        let p = add_prisoner(&app, russkikh(), Some(f.id)).await;
        let placement = app
            .db
            .run(move |conn| Ok::<_, DbError>(placements::current(conn, p.id)?.unwrap().id))
            .await
            .unwrap();
        let gets = [
            "/prisoners/new".to_owned(),
            format!("/prisoners/{}/edit", p.id),
            "/facilities/new".to_owned(),
            format!("/facilities/{}/edit", f.id),
        ];
        let posts = [
            "/prisoners/new".to_owned(),
            format!("/prisoners/{}/edit", p.id),
            format!("/prisoners/{}/transfer", p.id),
            format!("/placements/{placement}/confirm"),
            "/facilities/new".to_owned(),
            format!("/facilities/{}/edit", f.id),
        ];
        let form = [("surname", "Взломов"), ("given_name", "Пётр"), ("status", "convicted"), ("destination", "transit"), ("started_on", "2030-01-01"), ("country", "RU"), ("kind", "colony"), ("name", "x"), ("postcode", "123456")];
        // Anonymous: every page sends them to sign in, including the directory.
        for path in gets.iter().chain(["/prisoners".to_owned(), format!("/prisoners/{}", p.id), "/facilities".to_owned(), format!("/facilities/{}", f.id)].iter()) {
            let res = app.get(path).await;
            assert_eq!(res.status(), 303, "GET {path}");
            assert!(res.headers()["location"].to_str().unwrap().starts_with("/login"), "GET {path}");
        }
        for path in &posts {
            let res = app.post_form(path, &form).await;
            assert_eq!(res.status(), 303, "POST {path}");
            assert!(res.headers()["location"].to_str().unwrap().starts_with("/login"), "POST {path}");
        }
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        for path in &gets {
            assert_eq!(app.get(path).await.status(), 403, "GET {path}");
        }
        for path in &posts {
            assert_eq!(app.post_form(path, &form).await.status(), 403, "POST {path}");
        }
        let html = page(&app, "/prisoners").await;
        assert!(!html.contains("/prisoners/new"), "no add button for volunteers");
        // Nothing changed.
        let (count, placements_open) = app
            .db
            .run(move |conn| Ok::<_, DbError>((prisoners::count(conn)?, placements::current(conn, p.id)?.unwrap().id)))
            .await
            .unwrap();
        assert_eq!(count, 1);
        assert_eq!(placements_open, placement);
        assert!(audit_actions(&app).await.iter().all(|(a, _, _)| !a.starts_with("prisoner.") && !a.starts_with("facility.")));
    }
}

both_backends! {
    async fn invalid_prisoner_forms_get_422_with_messages_next_to_the_fields(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("c@example.org", Role::Coordinator).await;
        let form = app.get("/prisoners/new").await;
        assert_eq!(form.status(), 200);
        let html = form.text().await.unwrap();
        assert!(html.contains("<label for=\"surname\">"), "labelled fields");

        let res = app
            .post_form(
                "/prisoners/new",
                &[("surname", ""), ("given_name", "Андрей"), ("birth", "79"), ("status", "convicted"),
                  ("languages", "klingonese"), ("do_not_write", "true"), ("do_not_write_reason", ""),
                  ("latin_name", "Андрей"), ("release_expected_on", "next year"), ("bio", "<b>био</b>")],
            )
            .await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        for id in ["surname-error", "birth-error", "languages-error", "do_not_write_reason-error", "latin_name-error", "release_expected_on-error"] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{id}: {html}");
        }
        assert!(!html.contains("id=\"given_name-error\""));
        assert!(html.contains("value=\"Андрей\""), "input is kept");
        assert!(html.contains("value=\"79\""));
        assert!(html.contains("&lt;b&gt;био&lt;/b&gt;"), "kept and escaped");
        assert!(html.contains("Укажите год (1979) или дату (1979-03-14)."));
        assert_eq!(app.db.run(|conn| Ok::<_, DbError>(prisoners::count(conn)?)).await.unwrap(), 0);

        let p = add_prisoner(&app, russkikh(), None).await;
        let res = app.post_form(&format!("/prisoners/{}/edit", p.id), &[("surname", "Русских"), ("given_name", ""), ("status", "bogus")]).await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"given_name-error\"") && html.contains("id=\"status-error\""));
        assert_eq!(app.post_form("/prisoners/424242/edit", &[("surname", "x")]).await.status(), 404);
    }
}

both_backends! {
    async fn coordinators_create_and_edit_prisoners_and_the_audit_log_names_the_fields(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("c@example.org", Role::Coordinator).await;
        let res = app
            .post_form(
                "/prisoners/new",
                &[("surname", " Русских "), ("given_name", "Андрей"), ("patronymic", "Владимирович"),
                  ("gender", "male"), ("birth", "1979-03-14"), ("status", "pre_trial"), ("measure", "custody"),
                  ("health_urgent", "true"), ("languages", "ru, EN, ru"), ("interests", "шахматы, история"),
                  ("charges", "ст. 207.3 ч. 2 УК РФ\n\nст. 280.3 УК РФ\n"), ("bio", "Секретная биография")],
            )
            .await;
        assert_eq!(res.status(), 303);
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        let id: i64 = location.strip_prefix("/prisoners/").unwrap().parse().unwrap();
        let (p, langs, interests, charges) = app
            .db
            .run(move |conn| {
                Ok::<_, DbError>((
                    prisoners::find(conn, id)?.unwrap(),
                    prisoners::tags(conn, id, TagKind::Language)?,
                    prisoners::tags(conn, id, TagKind::Interest)?,
                    prisoners::charges(conn, id)?,
                ))
            })
            .await
            .unwrap();
        assert_eq!(p.surname, "Русских");
        assert_eq!((p.birth_year, p.birth_month, p.birth_day), (Some(1979), Some(3), Some(14)));
        assert_eq!(p.status, PrisonerStatus::PreTrial);
        assert!(p.health_urgent);
        assert_eq!(langs, ["en", "ru"]);
        assert_eq!(interests, ["история", "шахматы"]);
        assert_eq!(charges, ["ст. 207.3 ч. 2 УК РФ", "ст. 280.3 УК РФ"]);
        let html = page(&app, &location).await;
        assert!(html.contains("Срочно: здоровье"));
        assert!(html.contains("1979-03-14"));

        let edit = page(&app, &format!("/prisoners/{id}/edit")).await;
        assert!(edit.contains("value=\"1979-03-14\"") && edit.contains("value=\"en, ru\""), "the form is filled in");
        let res = app
            .post_form(
                &format!("/prisoners/{id}/edit"),
                &[("surname", "Русских"), ("given_name", "Андрей"), ("patronymic", "Владимирович"),
                  ("gender", "male"), ("birth", "1979"), ("status", "pre_trial"), ("measure", "custody"),
                  ("health_urgent", "true"), ("languages", "ru, en"), ("interests", "шахматы, история"),
                  ("charges", "ст. 207.3 ч. 2 УК РФ\nст. 280.3 УК РФ"), ("bio", "Другая биография"),
                  ("latin_name", "Andrey Russkikh")],
            )
            .await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], location.as_str());
        let p = app.db.run(move |conn| Ok::<_, DbError>(prisoners::find(conn, id)?.unwrap())).await.unwrap();
        assert_eq!((p.birth_year, p.birth_month), (Some(1979), None));
        assert_eq!(p.latin_name.as_deref(), Some("Andrey Russkikh"));
        assert!(page(&app, &location).await.contains("Andrey Russkikh"), "a stored Latin spelling wins");

        let audit = audit_actions(&app).await;
        let created = audit.iter().find(|(a, e, _)| a == "prisoner.create" && e == "prisoner").expect("create audited");
        assert!(created.2.contains("\"surname\"") && created.2.contains("\"charges\""), "{}", created.2);
        let updated = audit.iter().find(|(a, _, _)| a == "prisoner.update").expect("update audited");
        let fields: serde_json::Value = serde_json::from_str(&updated.2).unwrap();
        let fields: Vec<&str> = fields["fields"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(fields, ["latin_name", "birth_month", "birth_day", "bio"]);
        assert!(audit.iter().all(|(_, _, d)| !d.contains("биография")), "bios stay out of the audit log");
    }
}

both_backends! {
    async fn a_transfer_closes_the_old_placement_and_transit_marks_the_status(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let old = facility_in(&app, "RU", "Владимирская обл.", "ФКУ ИК-6 УФСИН России по Владимирской области").await;
        let new = add_facility(&app, seed_facility_form()).await;
        let p = add_prisoner(&app, russkikh(), Some(old.id)).await;
        app.sign_in_as("c@example.org", Role::Coordinator).await;
        let path = format!("/prisoners/{}/transfer", p.id);
        let today = db::now().date().to_string();

        // Bad input: 422 on the prisoner page, nothing moved.
        let res = app.post_form(&path, &[("destination", "999999"), ("started_on", "yesterday")]).await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"started_on-error\""), "{html}");
        let res = app.post_form(&path, &[("destination", "999999"), ("started_on", &today)]).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("id=\"destination-error\""));
        let res = app.post_form(&path, &[("destination", "transit"), ("started_on", "2000-01-01")]).await;
        assert_eq!(res.status(), 422, "before the current placement began");

        // Into transit.
        let res = app.post_form(&path, &[("destination", "transit"), ("started_on", &today), ("source", "адвокат")]).await;
        assert_eq!(res.status(), 303);
        let (status, history) = app
            .db
            .run(move |conn| Ok::<_, DbError>((prisoners::find(conn, p.id)?.unwrap().status, placements::history(conn, p.id)?)))
            .await
            .unwrap();
        assert_eq!(status, PrisonerStatus::InTransit);
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].state, PlacementState::InTransit);
        assert!(history[0].ended_on.is_none());
        assert_eq!(history[1].ended_on.map(|d| d.to_string()), Some(today.clone()), "the old placement is closed");
        let html = page(&app, &format!("/prisoners/{}", p.id)).await;
        assert!(html.contains("Человек на этапе"), "{html}");
        assert!(!html.contains("class=\"address-text\""), "no address while in transit");

        // Arriving: the new address shows, the status is convicted by default.
        let res = app
            .post_form(&path, &[("destination", &new.id.to_string()), ("started_on", &today), ("address_confirmed", "true")])
            .await;
        assert_eq!(res.status(), 303);
        let (prisoner, current) = app
            .db
            .run(move |conn| Ok::<_, DbError>((prisoners::find(conn, p.id)?.unwrap(), placements::current(conn, p.id)?.unwrap())))
            .await
            .unwrap();
        assert_eq!(prisoner.status, PrisonerStatus::Convicted);
        assert_eq!(current.facility_id, Some(new.id));
        assert!(current.address_confirmed_at.is_some());
        let html = page(&app, &format!("/prisoners/{}", p.id)).await;
        let line = seed()["expected"]["line"].as_str().unwrap().to_owned();
        assert!(html.contains(&format!(">{line}</pre>")), "{html}");
        assert!(html.contains("ФКУ ИК-6 УФСИН России по Владимирской области"), "history lists the old facility");

        // Facility to facility with a status given.
        let res = app
            .post_form(&path, &[("destination", &old.id.to_string()), ("started_on", &today), ("status", "pre_trial")])
            .await;
        assert_eq!(res.status(), 303);
        let (prisoner, current) = app
            .db
            .run(move |conn| Ok::<_, DbError>((prisoners::find(conn, p.id)?.unwrap(), placements::current(conn, p.id)?.unwrap())))
            .await
            .unwrap();
        assert_eq!(prisoner.status, PrisonerStatus::PreTrial);
        assert!(current.address_confirmed_at.is_none());

        // Confirming the address stamps it.
        let res = app.post_form(&format!("/placements/{}/confirm", current.id), &[]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], format!("/prisoners/{}", p.id).as_str());
        let confirmed = app
            .db
            .run(move |conn| Ok::<_, DbError>(placements::current(conn, p.id)?.unwrap().address_confirmed_at))
            .await
            .unwrap();
        assert!(confirmed.is_some());
        assert_eq!(app.post_form("/placements/999999/confirm", &[]).await.status(), 404);

        let audit = audit_actions(&app).await;
        assert_eq!(audit.iter().filter(|(a, _, _)| a == "prisoner.transfer").count(), 3);
        assert_eq!(audit.iter().filter(|(a, _, _)| a == "placement.confirm").count(), 1);
    }
}

both_backends! {
    async fn a_script_tag_in_a_name_is_shown_as_text_everywhere(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let evil = "<script>alert(1)</script>";
        let f = facility_in(&app, "RU", evil, evil).await;
        let mut form = person(evil, "Иван", "Иванович", 1980);
        form.latin_name = Some(evil.into());
        let p = add_prisoner(&app, form, Some(f.id)).await;
        app.sign_in_as("c@example.org", Role::Coordinator).await;
        for path in [
            "/prisoners".to_owned(),
            "/prisoners?q=alert".to_owned(),
            format!("/prisoners/{}", p.id),
            format!("/prisoners/{}/edit", p.id),
            "/facilities".to_owned(),
            format!("/facilities/{}", f.id),
            format!("/facilities/{}/edit", f.id),
        ] {
            let html = page(&app, &path).await;
            assert!(!html.contains("<script>alert"), "{path}: {html}");
            assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{path}: {html}");
        }
    }
}

both_backends! {
    async fn coordinators_record_recognitions_and_sources_with_the_prisoner(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let bad = app
            .post_form("/prisoners/new", &[("surname", "Орлова"), ("given_name", "Вера"), ("status", "convicted"), ("recognitions", "Мемориал; космонавт"), ("sources", "not a link")])
            .await;
        assert_eq!(bad.status(), 422);
        let html = bad.text().await.unwrap();
        assert!(html.contains("id=\"recognitions-error\"") && html.contains("id=\"sources-error\""), "{html}");
        assert!(html.contains("Мемориал; космонавт"), "input kept");

        let res = app
            .post_form("/prisoners/new", &[
                ("surname", "Орлова"), ("given_name", "Вера"), ("status", "convicted"),
                ("recognitions", "Мемориал; политзаключённый; 2024-03-01\nВясна; politically_persecuted"),
                ("sources", "https://example.org/delo Карточка дела"),
            ])
            .await;
        assert_eq!(res.status(), 303);
        let path = res.headers()["location"].to_str().unwrap().to_owned();
        let page = app.get(&path).await.text().await.unwrap();
        assert!(page.contains("Мемориал") && page.contains("Вясна"), "{page}");
        assert!(page.contains("https://example.org/delo"));
        let edit = app.get(&format!("{path}/edit")).await.text().await.unwrap();
        assert!(edit.contains("Мемориал; political_prisoner; 2024-03-01"), "{edit}");
        assert!(edit.contains("Вясна; politically_persecuted"));
    }
}

both_backends! {
    async fn adding_a_prisoner_sets_where_they_are_held_in_the_same_form(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let f = add_facility(&app, seed_facility_form()).await;
        app.sign_in_as("c@example.org", Role::Coordinator).await;
        let form = page(&app, "/prisoners/new").await;
        assert!(form.contains("<select id=\"facility\" name=\"facility\""), "{form}");
        assert!(form.contains(&format!("<option value=\"{}\">", f.id)), "existing facilities are offered");

        // A facility that does not exist: 422 next to the field, input kept, nothing stored.
        let res = app
            .post_form("/prisoners/new", &[("surname", "Русских"), ("given_name", "Андрей"), ("status", "convicted"), ("facility", "999999")])
            .await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"facility-error\""), "{html}");
        assert!(html.contains("value=\"Русских\""), "input is kept");
        assert_eq!(app.db.run(|conn| Ok::<_, DbError>(prisoners::count(conn)?)).await.unwrap(), 0);

        let res = app
            .post_form(
                "/prisoners/new",
                &[("surname", "Русских"), ("given_name", "Андрей"), ("patronymic", "Владимирович"), ("gender", "male"),
                  ("birth", "1979"), ("status", "convicted"), ("facility", &f.id.to_string()),
                  ("held_since", "2025-06-01"), ("address_confirmed", "true")],
            )
            .await;
        assert_eq!(res.status(), 303);
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        let id: i64 = location.strip_prefix("/prisoners/").unwrap().parse().unwrap();
        let current = app
            .db
            .run(move |conn| Ok::<_, DbError>(placements::current(conn, id)?))
            .await
            .unwrap()
            .expect("placed in the same step");
        assert_eq!(current.facility_id, Some(f.id));
        assert_eq!(current.started_on.map(|d| d.to_string()).as_deref(), Some("2025-06-01"));
        assert!(current.address_confirmed_at.is_some());
        let html = page(&app, &location).await;
        assert_eq!(flash(&html), Some("Человек добавлен."), "{html}");
        let line = seed()["expected"]["line"].as_str().unwrap().to_owned();
        assert!(html.contains(&format!(">{line}</pre>")), "the address shows at once: {html}");

        let audit = audit_actions(&app).await;
        let placed = audit.iter().find(|(a, _, _)| a == "placement.create").expect("the placement is audited");
        assert_eq!(placed.1, "placement");
        assert!(placed.2.contains(&format!("\"facility\":{}", f.id)), "{}", placed.2);
        assert_eq!(audit.iter().filter(|(a, _, _)| a == "prisoner.create").count(), 1);

        // Without a facility the person is added with no address, as before.
        let res = app.post_form("/prisoners/new", &[("surname", "Орлова"), ("given_name", "Вера"), ("status", "convicted")]).await;
        assert_eq!(res.status(), 303);
        assert!(follow(&app, res).await.contains("Адрес пока неизвестен"));
    }
}

both_backends! {
    async fn confirming_for_someone_in_transit_asks_where_they_arrived_and_transfers_there(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let old = facility_in(&app, "RU", "Владимирская обл.", "ФКУ ИК-6 УФСИН России по Владимирской области").await;
        let new = add_facility(&app, seed_facility_form()).await;
        let p = add_prisoner(&app, russkikh(), Some(old.id)).await;
        app.sign_in_as("c@example.org", Role::Coordinator).await;
        let today = db::now().date().to_string();
        let res = app.post_form(&format!("/prisoners/{}/transfer", p.id), &[("destination", "transit"), ("started_on", &today)]).await;
        assert_eq!(flash(&follow(&app, res).await), Some("Записано: на этапе. Письма ждут, пока не станет известен новый адрес."));
        let transit = app
            .db
            .run(move |conn| Ok::<_, DbError>(placements::current(conn, p.id)?.unwrap()))
            .await
            .unwrap();
        assert_eq!(transit.state, PlacementState::InTransit);

        // The page asks for the facility instead of offering a button that does nothing.
        let html = page(&app, &format!("/prisoners/{}", p.id)).await;
        let confirm = format!("action=\"/placements/{}/confirm\"", transit.id);
        let form_at = html.find(&confirm).expect("a confirm form for the transit placement");
        let form = &html[form_at..form_at + html[form_at..].find("</form>").unwrap()];
        assert!(form.contains("name=\"facility\""), "it asks for the new facility: {form}");
        assert!(form.contains(&format!("<option value=\"{}\">", new.id)));
        assert!(!html.contains(">Подтвердить адрес<"), "no bare confirm button in transit");

        // Posting without a facility is refused next to the field; nothing changes.
        let res = app.post_form(&format!("/placements/{}/confirm", transit.id), &[]).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("id=\"arrival-error\""));
        let res = app.post_form(&format!("/placements/{}/confirm", transit.id), &[("facility", "999999")]).await;
        assert_eq!(res.status(), 422);
        let (still, status) = app
            .db
            .run(move |conn| Ok::<_, DbError>((placements::current(conn, p.id)?.unwrap(), prisoners::find(conn, p.id)?.unwrap().status)))
            .await
            .unwrap();
        assert_eq!((still.id, still.address_confirmed_at), (transit.id, None));
        assert_eq!(status, PrisonerStatus::InTransit);

        // With the facility: a transfer there, address confirmed.
        let res = app.post_form(&format!("/placements/{}/confirm", transit.id), &[("facility", &new.id.to_string())]).await;
        assert_eq!(res.headers()["location"], format!("/prisoners/{}", p.id).as_str());
        let html = follow(&app, res).await;
        assert_eq!(flash(&html), Some("Прибытие записано, новый адрес подтверждён; задержанные письма уходят по нему."));
        let (current, status, history) = app
            .db
            .run(move |conn| Ok::<_, DbError>((
                placements::current(conn, p.id)?.unwrap(),
                prisoners::find(conn, p.id)?.unwrap().status,
                placements::history(conn, p.id)?,
            )))
            .await
            .unwrap();
        assert_eq!(current.facility_id, Some(new.id));
        assert!(current.address_confirmed_at.is_some());
        assert_eq!(status, PrisonerStatus::Convicted);
        assert_eq!(history.len(), 3);
        assert!(history[1].ended_on.is_some(), "transit is closed");
        let line = seed()["expected"]["line"].as_str().unwrap().to_owned();
        assert!(html.contains(&format!(">{line}</pre>")));
        let audit = audit_actions(&app).await;
        assert_eq!(audit.iter().filter(|(a, _, _)| a == "prisoner.transfer").count(), 2);

        // At a facility the button confirms, as before, and says so.
        let res = app.post_form(&format!("/placements/{}/confirm", current.id), &[]).await;
        assert_eq!(flash(&follow(&app, res).await), Some("Адрес подтверждён; задержанные письма уходят по нему."));
        // A past stretch in transit has nothing to confirm: a clear 409, not a silent no-op.
        assert_eq!(app.post_form(&format!("/placements/{}/confirm", transit.id), &[]).await.status(), 409);
    }
}

both_backends! {
    async fn each_change_on_prisoner_and_facility_pages_is_confirmed_once(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let f = add_facility(&app, seed_facility_form()).await;
        let p = add_prisoner(&app, russkikh(), Some(f.id)).await;
        app.sign_in_as("c@example.org", Role::Coordinator).await;
        let res = app
            .post_form(&format!("/prisoners/{}/edit", p.id), &[("surname", "Русских"), ("given_name", "Андрей"), ("status", "convicted")])
            .await;
        let html = follow(&app, res).await;
        assert_eq!(flash(&html), Some("Изменения сохранены."));
        assert_eq!(flash(&page(&app, &format!("/prisoners/{}", p.id)).await), None, "shown once");

        let today = db::now().date().to_string();
        let res = app
            .post_form(&format!("/prisoners/{}/transfer", p.id), &[("destination", &f.id.to_string()), ("started_on", &today)])
            .await;
        assert_eq!(flash(&follow(&app, res).await), Some("Перевод записан."));

        let res = app
            .post_form("/facilities/new", &[("country", "RU"), ("kind", "colony"), ("name", "ФКУ ИК-2"), ("postcode", "600000"), ("region", "Владимирская обл.")])
            .await;
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(flash(&follow(&app, res).await), Some("Учреждение добавлено."));
        let res = app
            .post_form(&format!("{location}/edit"), &[("country", "RU"), ("kind", "colony"), ("name", "ФКУ ИК-3"), ("postcode", "600000"), ("region", "Владимирская обл.")])
            .await;
        assert_eq!(flash(&follow(&app, res).await), Some("Учреждение сохранено."));
    }
}

both_backends! {
    async fn a_belarusian_prisoner_is_spelt_one_way_on_every_page(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let gomel = facility_in(&app, "BY", "Гомельская обл.", "ГУ «Исправительная колония № 1»").await;
        let mut form = person("Беляев", "Алексей", "Сергеевич", 1985);
        form.gender = Some(Gender::Male);
        let p = add_prisoner(&app, form, Some(gomel.id)).await;
        app.sign_in_as("v@example.org", Role::Volunteer).await;
        let be = "Aleksei Serheievich Beliaiev";
        let ru = "Aleksei Sergeevich Beliaev";
        let html = page(&app, &format!("/prisoners/{}", p.id)).await;
        assert!(html.contains(&format!("<p class=\"latin\" lang=\"en\">{be}</p>")), "the heading: {html}");
        assert!(html.contains(&format!(">{be} (born 1985)")), "the English address: {html}");
        assert!(!html.contains(ru), "one scheme per person: {html}");
        for path in ["/prisoners".to_owned(), format!("/facilities/{}", gomel.id)] {
            let html = page(&app, &path).await;
            assert!(html.contains(be) && !html.contains(ru), "{path}: {html}");
        }
    }
}

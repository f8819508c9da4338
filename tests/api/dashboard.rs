//! The dashboard: who has gone longest without a letter, its filters, its
//! figures, and the CSV export.

use chrono::{Datelike, TimeDelta};
use konvert::db::letters::{self, Channel, LetterStatus};
use konvert::db::prisoners::{self, PrisonerForm, TagKind};
use konvert::db::users::Role;
use konvert::db::{self, DbError};

use crate::both_backends;
use crate::delivery::queued_letter_by;
use crate::helpers::*;

/// A prisoner whose one letter went out `days_ago`; returns the prisoner id.
fn written_to(c: &mut db::DbConn, days_ago: i64) -> i64 {
    let id = queued_letter_by(c, "Письмо", Channel::Post);
    let at = db::now() - TimeDelta::days(days_ago);
    force_letter_status(c, id, LetterStatus::Sent, at).unwrap();
    let letter = letters::find(c, id).unwrap().unwrap();
    prisoners::note_letter_sent(c, letter.prisoner_id, at).unwrap();
    letter.prisoner_id
}

both_backends! {
    async fn the_longest_without_mail_come_first_with_their_figures_filters_and_csv(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (never, old, recent) = app
            .db
            .run(|c| {
                let now = db::now();
                let mut form = PrisonerForm::new("Никогданеписали", "Ольга", None);
                form.status = prisoners::PrisonerStatus::Convicted;
                let never = prisoners::insert(c, &form, now)?.id;
                prisoners::add_tag(c, never, TagKind::Interest, "шахматы")?;
                prisoners::add_tag(c, never, TagKind::Language, "en")?;
                let mut paused = PrisonerForm::new("Непишите", "Павел", None);
                paused.do_not_write = true;
                paused.do_not_write_reason = Some("просьба семьи".into());
                prisoners::insert(c, &paused, now)?;
                let mut released = PrisonerForm::new("Вышедший", "Роман", None);
                released.status = prisoners::PrisonerStatus::Released;
                prisoners::insert(c, &released, now)?;
                let old = written_to(c, 40);
                let recent = written_to(c, 5);
                Ok::<_, DbError>((never, old, recent))
            })
            .await
            .unwrap();
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let page = app.get("/dashboard").await.text().await.unwrap();
        let pos = |id: i64| page.find(&format!("href=\"/prisoners/{id}\"")).unwrap_or_else(|| panic!("{id} missing: {page}"));
        assert!(pos(never) < pos(old) && pos(old) < pos(recent), "never written first, then the oldest letter");
        assert!(!page.contains("Непишите"), "do-not-write is left out");
        assert!(page.contains("никогда"));
        // Counted as everyone less the do-not-write and the released.
        assert!(page.contains("Можно написать: 3"), "{page}");

        let only = app.get("/dashboard?interest=шахматы&language=en").await.text().await.unwrap();
        assert!(only.contains(&format!("/prisoners/{never}\"")) && !only.contains(&format!("/prisoners/{old}\"")));
        assert!(only.contains("Можно написать: 1"));
        let convicted = app.get("/dashboard?status=convicted").await.text().await.unwrap();
        assert!(convicted.contains(r#"<option value="convicted" selected>"#), "the filter shows what it filters on");
        assert!(!convicted.contains(r#"<option value="pre_trial" selected>"#));

        let csv = app.get("/dashboard?format=csv").await;
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let body = csv.text().await.unwrap();
        let lines: Vec<&str> = body.lines().collect();
        assert!(lines[0].starts_with("\u{feff}№,Имя,Статус"), "{}", lines[0]);
        assert_eq!(lines.len(), 4, "a header and three people: {body}");
        assert!(lines[1].starts_with(&format!("{never},")));
        let recent_line = lines.iter().find(|l| l.starts_with(&format!("{recent},"))).unwrap();
        assert!(recent_line.ends_with(",5,,1,1,0"), "5 days, no reply, 1 in 30 days, 1 in 90, no drafts: {recent_line}");
        let old_line = lines.iter().find(|l| l.starts_with(&format!("{old},"))).unwrap();
        assert!(old_line.ends_with(",40,,0,1,0"), "{old_line}");

        app.sign_in_as("vera@example.org", Role::Volunteer).await;
        assert_eq!(app.get("/dashboard").await.status(), 403);
    }
}

both_backends! {
    async fn birthdays_and_releases_in_the_next_sixty_days_come_with_the_last_day_to_send(backend) {
        use konvert::dashboard::dates::{next_birthday, send_by, LeadTimes};
        let Some(app) = spawn_app(backend).await else { return };
        let today = db::now().date();
        let soon = today + TimeDelta::days(10);
        let later = today + TimeDelta::days(90);
        let release = today + TimeDelta::days(20);
        app.db
            .run(move |c| {
                let now = db::now();
                for (surname, date) in [("Скородень", soon), ("Нескоро", later)] {
                    let mut form = PrisonerForm::new(surname, "Иван", None);
                    form.set_birth_date(Some(prisoners::BirthDate::from_date(date.with_year(1980).unwrap_or(date))));
                    prisoners::insert(c, &form, now)?;
                }
                let mut leaving = PrisonerForm::new("Выходящий", "Пётр", None);
                leaving.release_expected_on = Some(release);
                prisoners::insert(c, &leaving, now)?;
                Ok::<_, DbError>(())
            })
            .await
            .unwrap();
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let page = app.get("/dashboard/dates").await.text().await.unwrap();
        assert!(page.contains("Скородень") && page.contains("Выходящий"), "{page}");
        assert!(!page.contains("Нескоро"), "90 days away is outside the window");
        assert!(page.find("Скородень").unwrap() < page.find("Выходящий").unwrap(), "soonest first");
        let birthday = next_birthday(chrono::Datelike::month(&soon), chrono::Datelike::day(&soon), today).unwrap();
        let by = send_by(birthday, LeadTimes::default());
        assert!(page.contains(&by.eletter.to_string()), "e-letter send-by date shown");
        assert!(page.contains(&by.post_domestic.to_string()));
        assert!(page.contains("не успеет"), "post from abroad is too late for a birthday in 10 days");
    }
}

both_backends! {
    async fn what_needs_a_hand_counts_the_queues_and_this_months_spend(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.db
            .run(|c| {
                // One e-letter sent this month with its receipt, one letter waiting for review.
                let sent = queued_letter_by(c, "Письмо", Channel::FsinPismo);
                let delivery = konvert::db::deliveries::for_letter(c, sent)?[0].id;
                konvert::db::deliveries::claim_due(c, "w", db::now(), 10)?;
                konvert::db::deliveries::record_manual(c, delivery, "w", db::now())?;
                let receipt = konvert::db::deliveries::ManualReceipt { receipt: Some("R".into()), pages: Some(2), cost_minor: Some(16500) };
                konvert::delivery::manual::record_sent_in(c, Channel::FsinPismo, &[delivery], 1, &receipt, db::now()).unwrap();
                let waiting = queued_letter_by(c, "Ещё письмо", Channel::Post);
                force_letter_status(c, waiting, LetterStatus::Submitted, db::now())?;
                Ok::<_, DbError>(())
            })
            .await
            .unwrap();
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let page = app.get("/dashboard/attention").await.text().await.unwrap();
        assert!(page.contains("Писем ждут проверки: 1"), "{page}");
        assert!(page.contains("1 письмо, 2 страницы, 1 бланк ответа"), "{page}");
        assert!(page.contains("165"), "the amount paid: {page}");
    }
}

/// A person held at a new facility called `name`, with a letter for each of
/// `fates`: (days ago it was sent, what became of it, days until the reply).
fn facility_with_letters(
    c: &mut db::DbConn,
    name: &str,
    fates: &[(i64, LetterStatus, Option<i64>)],
) -> i64 {
    use konvert::db::facilities::{self, FacilityForm, FacilityKind};

    use konvert::db::users::{self, NewUser};
    let now = db::now();
    let facility = facilities::insert(
        c,
        &FacilityForm {
            country: "RU".into(),
            kind: FacilityKind::Colony,
            name: name.into(),
            ..FacilityForm::default()
        },
        now,
    )
    .unwrap();
    let prisoner = prisoners::insert(c, &PrisonerForm::new("Тестов", "Иван", None), now).unwrap();
    let placement = place_at(c, prisoner.id, facility.id, now).unwrap();
    let writer = users::insert(
        c,
        &NewUser::new(
            &format!("w{}@example.org", facility.id),
            "W",
            Role::Volunteer,
            now,
        ),
    )
    .unwrap();
    for (n, (days_ago, fate, reply_after)) in fates.iter().enumerate() {
        let sent = now - TimeDelta::days(*days_ago);
        let letter = letters::insert(
            c,
            &letters::NewLetter {
                writer_id: writer.id,
                prisoner_id: prisoner.id,
                placement_id: Some(placement.id),
                address_snapshot: None,
                language: "ru".into(),
                body: "Письмо".into(),
                channel: Channel::Post,
                status: LetterStatus::Draft,
                pen_name: None,
                reply_blank: false,
                reply_code: Some(format!("T{}X{n}", facility.id)),
                created_at: sent,
                updated_at: sent,
            },
        )
        .unwrap();
        force_letter_status(c, letter.id, LetterStatus::Sent, sent).unwrap();
        if *fate != LetterStatus::Sent {
            letters::set_status(c, letter.id, *fate, sent + TimeDelta::days(1)).unwrap();
        }
        if let Some(after) = reply_after {
            letters::set_status(
                c,
                letter.id,
                LetterStatus::Replied,
                sent + TimeDelta::days(*after),
            )
            .unwrap();
        }
    }
    facility.id
}

both_backends! {
    async fn the_facility_picture_counts_what_became_of_letters_and_draws_charts(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (busy, quiet) = app
            .db
            .run(|c| {
                let busy = facility_with_letters(c, "ИК-1 Тестовая", &[
                    (10, LetterStatus::Delivered, None),
                    (12, LetterStatus::Censored, None),
                    (20, LetterStatus::Delivered, Some(4)),
                    (30, LetterStatus::Delivered, Some(9)),
                    (40, LetterStatus::Delivered, Some(6)),
                ]);
                let quiet = facility_with_letters(c, "ИК-2 Давняя", &[(400, LetterStatus::Delivered, Some(10))]);
                Ok::<_, DbError>((busy, quiet))
            })
            .await
            .unwrap();
        let figures = app.db.run(|c| Ok::<_, DbError>(letters::by_facility(c, None)?)).await.unwrap();
        let of = |id: i64| figures.iter().find(|f| f.facility_id == Some(id)).cloned().unwrap();
        assert_eq!((of(busy).sent, of(busy).delivered, of(busy).censored, of(busy).replied), (5, 4, 1, 3));
        assert_eq!(of(quiet).sent, 1);

        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let page = app.get("/dashboard/facilities").await.text().await.unwrap();
        assert!(page.contains("<svg") && page.contains("class=\"series-2\""), "charts are drawn on the server: {page}");
        assert!(!page.contains("<script"), "no JavaScript needed");
        assert!(page.contains(&format!("href=\"/facilities/{busy}\"")), "{page}");
        assert!(!page.contains(&format!("href=\"/facilities/{quiet}\"")), "a letter 400 days ago is outside 12 months");
        // 5 sent, 4 delivered, 1 censored (20%), 3 answered (60%), median of 4, 6 and 9 days.
        let row = &page[page.find(&format!("href=\"/facilities/{busy}\"")).unwrap()..];
        let row = &row[..row.find("</tr>").unwrap()];
        let cells: Vec<String> = row.split("<td>").skip(1).map(|c| c.split("</td>").next().unwrap().to_owned()).collect();
        assert_eq!(cells, vec!["5", "4", "1 (20%)", "3 (60%)", "6"], "{row}");

        let longer = app.get("/dashboard/facilities?months=24").await.text().await.unwrap();
        assert!(longer.contains(&format!("href=\"/facilities/{quiet}\"")));
        let nonsense = app.get("/dashboard/facilities?months=abc").await;
        assert_eq!(nonsense.status(), 200, "an unknown period falls back to 12 months");
    }
}

both_backends! {
    async fn write_to_someone_picks_among_people_who_can_be_written_to_in_my_languages(backend) {

        use konvert::db::prisoners::PrisonerStatus;
        let Some(app) = spawn_app(backend).await else { return };
        let (waiting, recent, english) = app
            .db
            .run(|c| {
                let now = db::now();
                let placed = |c: &mut db::DbConn, form: PrisonerForm, language: Option<&str>| -> Result<i64, DbError> {
                    let facility = konvert::db::facilities::insert(c, &konvert::db::facilities::FacilityForm { country: "RU".into(), name: "ИК".into(), ..Default::default() }, now)?;
                    let id = prisoners::insert(c, &form, now)?.id;
                    if let Some(l) = language {
                        prisoners::add_tag(c, id, TagKind::Language, l)?;
                    }
                    place_at(c, id, facility.id, now)?;
                    Ok(id)
                };
                // No language recorded: taken to read Russian. Never written to.
                let waiting = placed(c, PrisonerForm::new("Ждущий", "Илья", None), None)?;
                let recent = placed(c, PrisonerForm::new("Недавний", "Олег", None), Some("ru"))?;
                prisoners::note_letter_sent(c, recent, now - TimeDelta::hours(1))?;
                let english = placed(c, PrisonerForm::new("Smith", "John", None), Some("en"))?;
                let mut paused = PrisonerForm::new("Непишите", "Павел", None);
                paused.do_not_write = true;
                placed(c, paused, Some("ru"))?;
                let mut released = PrisonerForm::new("Освобождённый", "Глеб", None);
                released.status = PrisonerStatus::Released;
                placed(c, released, Some("ru"))?;
                // Known, but without an address.
                prisoners::insert(c, &PrisonerForm::new("Безадреса", "Юрий", None), now)?;
                Ok::<_, DbError>((waiting, recent, english))
            })
            .await
            .unwrap();
        let me = app.sign_in_as("vera@example.org", Role::Volunteer).await;
        let home = app.get("/").await.text().await.unwrap();
        assert!(home.contains("action=\"/pick\""), "{home}");

        let picked = |res: reqwest::Response| -> i64 {
            assert_eq!(res.status(), 303, "{:?}", res.headers());
            let to = res.headers()["location"].to_str().unwrap().to_owned();
            to.strip_prefix("/letters/new?prisoner=").unwrap_or_else(|| panic!("{to}")).parse().unwrap()
        };
        let mut seen = std::collections::HashMap::new();
        for _ in 0..30 {
            *seen.entry(picked(app.post_form("/pick", &[("language", "ru")]).await)).or_insert(0) += 1;
        }
        assert!(seen.keys().all(|id| *id == waiting || *id == recent), "only people who can be written to in Russian: {seen:?}");
        // Weights 366² against 1²: the person written to an hour ago is almost never picked.
        assert!(seen.get(&waiting).copied().unwrap_or(0) >= 29, "{seen:?}");
        let _ = recent;

        assert_eq!(picked(app.post_form("/pick", &[("language", "en")]).await), english);
        let saved = app.db.run(move |c| Ok::<_, DbError>(konvert::db::users::find(c, me.id)?)).await.unwrap().unwrap();
        assert_eq!(saved.writes_languages, "en", "the languages ticked are remembered");
        let home = app.get("/").await.text().await.unwrap();
        assert!(home.contains("value=\"en\" checked"), "{home}");

        // Nothing ticked keeps the saved languages; a made-up code is ignored.
        assert_eq!(picked(app.post_form("/pick", &[("language", "xx")]).await), english);
        let nobody = app.post_form("/pick", &[("language", "uk")]).await;
        assert_eq!(nobody.status(), 200);
        assert!(nobody.text().await.unwrap().contains("Сейчас некому написать"));
    }
}

both_backends! {
    async fn public_counts_are_off_until_a_coordinator_publishes_them_and_names_need_a_second_choice(backend) {
        use konvert::db::prisoners::{Measure, PrisonerStatus, RecognitionKind};
        let Some(app) = spawn_app(backend).await else { return };
        app.db
            .run(|c| {
                let now = db::now();
                for (surname, status, measure, paused) in [
                    ("Первый", PrisonerStatus::Convicted, Some(Measure::Custody), false),
                    ("Второй", PrisonerStatus::PreTrial, Some(Measure::HouseArrest), false),
                    ("Третий", PrisonerStatus::Convicted, Some(Measure::Custody), true),
                    ("Вышедший", PrisonerStatus::Released, None, false),
                ] {
                    let mut form = PrisonerForm::new(surname, "Иван", None);
                    form.status = status;
                    form.measure = measure;
                    form.do_not_write = paused;
                    let id = prisoners::insert(c, &form, now)?.id;
                    prisoners::add_recognition(c, id, RecognitionKind::PoliticalPrisoner, "Мемориал", None, None)?;
                }
                Ok::<_, DbError>(())
            })
            .await
            .unwrap();
        let visitor = spawn_client(&app).unwrap();
        assert_eq!(visitor.get("/counts").await.status(), 404, "off by default");
        let home = visitor.get("/").await.text().await.unwrap();
        assert!(!home.contains("href=\"/counts\""));

        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let saved = app.post_form("/dashboard/public", &[("counts", "true")]).await;
        assert_eq!(saved.status(), 303);
        let page = visitor.get("/counts").await;
        assert_eq!(page.status(), 200);
        let page = page.text().await.unwrap();
        let today = db::now().date().to_string();
        assert!(page.contains(&format!("На {today}: 3 человека в заключении")), "dated, three held now: {page}");
        assert!(page.contains("Освобождено: 1."));
        assert!(page.contains("Осуждён") && page.contains("Домашний арест") || page.contains("Осуждён"), "{page}");
        assert!(page.contains("Мемориал"));
        assert!(!page.contains("Первый"), "no names unless published");
        assert!(visitor.get("/").await.text().await.unwrap().contains("href=\"/counts\""));

        app.post_form("/dashboard/public", &[("counts", "true"), ("names", "true")]).await;
        let page = visitor.get("/counts").await.text().await.unwrap();
        assert!(page.contains("Первый") && page.contains("Второй"), "{page}");
        assert!(!page.contains("Третий"), "a family's request for quiet keeps the name off");
        assert!(!page.contains("Вышедший"), "the list is of people held now");

        // Names alone cannot be published.
        app.post_form("/dashboard/public", &[("names", "true")]).await;
        assert_eq!(visitor.get("/counts").await.status(), 404);
        let settings = app.get("/dashboard/public").await.text().await.unwrap();
        assert!(!settings.contains("value=\"true\" checked"), "{settings}");
    }
}

both_backends! {
    async fn dashboard_filters_offer_names_from_the_data_and_match_regions_by_any_word(backend) {
        use konvert::db::facilities::{self, FacilityForm, FacilityKind};
        let Some(app) = spawn_app(backend).await else { return };
        let (karelian, belarusian, moving) = app
            .db
            .run(|c| {
                let now = db::now();
                let facility = |c: &mut db::DbConn, country: &str, region: &str| {
                    facilities::insert(c, &FacilityForm {
                        country: country.into(),
                        kind: FacilityKind::Colony,
                        name: format!("ИК в {region}"),
                        region: Some(region.into()),
                        ..FacilityForm::default()
                    }, now)
                };
                let karelia = facility(c, "RU", "Республика Карелия")?;
                let gomel = facility(c, "BY", "Гомельская обл.")?;
                let mut form = PrisonerForm::new("Карельский", "Иван", None);
                form.status = prisoners::PrisonerStatus::Convicted;
                let karelian = prisoners::insert(c, &form, now)?.id;
                place_at(c, karelian, karelia.id, now)?;
                prisoners::add_tag(c, karelian, TagKind::Language, "en")?;
                let belarusian = prisoners::insert(c, &PrisonerForm::new("Гомельский", "Пётр", None), now)?.id;
                place_at(c, belarusian, gomel.id, now)?;
                prisoners::add_tag(c, belarusian, TagKind::Language, "be")?;
                let mut form = PrisonerForm::new("Этапируемый", "Олег", None);
                form.status = prisoners::PrisonerStatus::InTransit;
                let moving = prisoners::insert(c, &form, now)?.id;
                prisoners::add_tag(c, moving, TagKind::Language, "ru")?;
                Ok::<_, DbError>((karelian, belarusian, moving))
            })
            .await
            .unwrap();
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let ids = |html: &str| {
            let mut found: Vec<i64> = [karelian, belarusian, moving]
                .into_iter()
                .filter(|id| html.contains(&format!("href=\"/prisoners/{id}\"")))
                .collect();
            found.sort();
            found
        };
        let page = app.get("/dashboard").await.text().await.unwrap();
        assert_eq!(ids(&page).len(), 3);
        assert!(page.contains("<option value=\"BY\">Беларусь</option>"), "countries by name: {page}");
        assert!(page.contains("<option value=\"RU\">Россия</option>"));
        assert!(page.contains("<option value=\"en\">Английский</option>"), "languages by name: {page}");
        assert!(page.contains("<option value=\"be\">Белорусский</option>"));
        assert!(page.contains("<option value=\"Республика Карелия\">"), "regions from the data");
        assert!(!page.contains(">BY<") && !page.contains(">en<"), "no codes shown");

        let get = |q: &str| {
            let url = format!("/dashboard?{q}");
            let app = &app;
            async move { app.get(&url).await.text().await.unwrap() }
        };
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        for country in ["BY", "by", "Беларусь", "Belarus"] {
            assert_eq!(ids(&get(&format!("country={}", enc(country))).await), [belarusian], "{country}");
        }
        let selected = get(&format!("country={}", enc("Беларусь"))).await;
        assert!(selected.contains("<option value=\"BY\" selected>"), "the filter shows what it filters on");
        for region in ["Карелия", "карел", "Республика Карелия"] {
            assert_eq!(ids(&get(&format!("region={}", enc(region))).await), [karelian], "{region}");
        }
        assert!(ids(&get(&format!("region={}", enc("Республика Коми"))).await).is_empty());
        for language in ["en", "English", "английский"] {
            assert_eq!(ids(&get(&format!("language={}", enc(language))).await), [karelian], "{language}");
        }

        // The export opens in Excel: a byte-order mark, names and labels, no codes.
        let csv = app.get("/dashboard?format=csv").await.bytes().await.unwrap();
        assert!(csv.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 BOM");
        let body = String::from_utf8(csv.to_vec()).unwrap();
        let header = body.trim_start_matches('\u{feff}').lines().next().unwrap().to_owned();
        assert!(header.contains("Имя") && header.contains("Статус"), "{header}");
        let line = body.lines().find(|l| l.starts_with(&format!("{moving},"))).unwrap();
        assert!(line.contains(",На этапе,"), "{line}");
        assert!(!body.contains("in_transit") && !body.contains("convicted"), "{body}");
    }
}

both_backends! {
    async fn write_to_someone_offers_belarus_only_to_a_writer_who_asks_for_it(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (russia, belarus) = app
            .db
            .run(|c| {
                let russia = someone_held_in(c, "Российский", "RU")?;
                // Written to an hour ago: without the rule almost never picked
                // against someone in Belarus nobody has written to.
                prisoners::note_letter_sent(c, russia, db::now() - TimeDelta::hours(1))?;
                let belarus = someone_held_in(c, "Белорусский", "BY")?;
                Ok::<_, DbError>((russia, belarus))
            })
            .await
            .unwrap();
        app.sign_in_as("vera@example.org", Role::Volunteer).await;
        assert!(app.get("/").await.text().await.unwrap().contains("name=\"relatives_only\""));
        let picked = |res: reqwest::Response| -> i64 {
            let to = res.headers()["location"].to_str().unwrap().to_owned();
            to.strip_prefix("/letters/new?prisoner=").unwrap_or_else(|| panic!("{to}")).parse().unwrap()
        };
        for _ in 0..10 {
            assert_eq!(picked(app.post_form("/pick", &[("language", "ru")]).await), russia);
        }
        let mut to_belarus = 0;
        for _ in 0..10 {
            if picked(app.post_form("/pick", &[("language", "ru"), ("relatives_only", "on")]).await) == belarus {
                to_belarus += 1;
            }
        }
        assert!(to_belarus >= 9, "asked for, Belarus is offered: {to_belarus} of 10");
    }
}

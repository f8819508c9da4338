//! The e-letter send screens: one page splitter for the price, the send
//! screen and the browser; the signature printed once; every service reachable
//! from one page; the worklist with its filters and its move to the next
//! letter; a bad receipt form that keeps what was typed.

use konvert::db::deliveries::{self, DeliveryState};
use konvert::db::facilities::{self, FacilityForm, FacilityKind, Service};
use konvert::db::letters::{self, Channel, LetterStatus};
use konvert::db::prisoners::{self, BirthDate, Gender, PrisonerForm};
use konvert::db::users::{self, NewUser, Role};
use konvert::db::{self, DbError};
use konvert::delivery::worker::Worker;

use crate::both_backends;
use crate::helpers::*;
use crate::letters::{prisoner, Fixture};

/// A letter waiting on a send screen: written by `writer` (the account
/// with that name) to someone held in `region`. Returns (letter, delivery,
/// writer) ids.
fn waiting_letter(
    conn: &mut db::DbConn,
    channel: Channel,
    region: &str,
    writer: &str,
    body: &str,
) -> (i64, i64, i64) {
    let now = db::now();
    let facility = facilities::insert(
        conn,
        &FacilityForm {
            country: "RU".into(),
            kind: FacilityKind::Colony,
            name: format!("ФКУ ИК-1 ({region})"),
            region: Some(region.into()),
            ..FacilityForm::default()
        },
        now,
    )
    .unwrap();
    facilities::set_service(conn, facility.id, Service::FsinPismo, Some("id")).unwrap();
    let mut form = PrisonerForm::new("Горинов", "Алексей", Some("Алексеевич"));
    form.gender = Some(Gender::Male);
    form.set_birth_date(Some(BirthDate::parse("1961").unwrap()));
    let prisoner = prisoners::insert(conn, &form, now).unwrap();
    place_at(conn, prisoner.id, facility.id, now).unwrap();
    // One account per writer's name.
    let email = format!(
        "w{}@example.org",
        writer
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let writer = match users::find_by_email(conn, &email).unwrap() {
        Some(user) => user,
        None => users::insert(conn, &NewUser::new(&email, writer, Role::Volunteer, now)).unwrap(),
    };
    let (letter, delivery) =
        queued_letter_from(conn, &writer, &prisoner, &facility, body, channel, false).unwrap();
    (letter.id, delivery.id, writer.id)
}

async fn waiting(
    app: &TestApp,
    channel: Channel,
    region: &'static str,
    writer: &'static str,
) -> (i64, i64, i64) {
    let ids = app
        .db
        .run(move |c| {
            Ok::<_, DbError>(waiting_letter(
                c,
                channel,
                region,
                writer,
                "Здравствуйте! Как Вы?",
            ))
        })
        .await
        .unwrap();
    // No gateway: the worker leaves the letter for a coordinator.
    Worker::new(app.db.clone(), "w").run_once().await.unwrap();
    let state = app
        .db
        .run(move |c| Ok::<_, DbError>(deliveries::for_letter(c, ids.0)?.remove(0).state))
        .await
        .unwrap();
    assert_eq!(state, DeliveryState::Manual);
    ids
}

async fn letter(app: &TestApp, id: i64) -> letters::Letter {
    app.db
        .run(move |c| Ok::<_, DbError>(letters::find(c, id)?.unwrap()))
        .await
        .unwrap()
}

/// The text of one page on the send screen, as the copy button takes it.
fn page_text(html: &str, delivery: i64, page: usize) -> String {
    let marker = format!("id=\"page-{delivery}-{page}\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {marker}"));
    let open = start + html[start..].find('>').unwrap() + 1;
    let close = open + html[open..].find("</div>").unwrap();
    html[open..close].to_owned()
}

/// The opening tag of the element with this id.
fn tag<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let open = html[..start].rfind('<').unwrap();
    let close = start + html[start..].find('>').unwrap();
    &html[open..=close]
}

/// Writes, submits and approves a letter through the screens; runs the
/// worker, which leaves it for the send screen. Returns (letter, delivery).
async fn approved_by_hand(
    app: &TestApp,
    writer: &TestApp,
    body: &str,
    pen_name: &str,
) -> (i64, i64) {
    let pid = prisoner(app, Fixture::default()).await.to_string();
    let res = writer
        .post_form(
            "/letters",
            &[
                ("prisoner", pid.as_str()),
                ("channel", "fsin_pismo"),
                ("body", body),
                ("pen_name", pen_name),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "submitted");
    let id: i64 = res.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/letters/")
        .parse()
        .unwrap();
    assert_eq!(
        app.post_form(&format!("/review/{id}"), &[("decision", "approve")])
            .await
            .status(),
        303
    );
    Worker::new(app.db.clone(), "w").run_once().await.unwrap();
    let delivery = app
        .db
        .run(move |c| Ok::<_, DbError>(deliveries::for_letter(c, id)?.remove(0)))
        .await
        .unwrap();
    assert_eq!(delivery.state, DeliveryState::Manual);
    (id, delivery.id)
}

/// Needs Node.js, which a machine with only the Rust toolchain lacks, so the
/// runner lists it as ignored (not run) there instead of passing it unrun;
/// `.ci/run` installs node and runs it with `--ignored`.
#[test]
#[ignore = "needs node: cargo test --test api -- --ignored the_browser_splits"]
fn the_browser_splits_the_shared_page_cases_as_the_server_does() {
    // src/letters/pages.rs runs the same cases in its unit tests.
    let root = env!("CARGO_MANIFEST_DIR");
    let out = std::process::Command::new("node")
        .arg(format!("{root}/tests/js/pages.test.js"))
        .output()
        .unwrap_or_else(|e| panic!("node: {e}"));
    assert!(
        out.status.success(),
        "static/pages.js disagrees: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

both_backends! {
    async fn a_5000_character_letter_is_priced_shown_and_recorded_as_the_pages_it_is_sent_in(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (_, writer) = app.other_client("vera@example.org", Role::Volunteer).await;
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        // 5,000 characters: a plain division says 2 pages, the splitter 3.
        let body = "Слово ".repeat(833) + "ab";
        let (id, delivery) = approved_by_hand(&app, &writer, &body, "Вера").await;
        let priced = letter(&app, id).await;
        assert_eq!(priced.pages, Some(3), "priced at the pages it is split into");
        assert_eq!(priced.cost_minor, Some(16_500), "three pages at 55 RUB");

        let html = app.get("/send/fsin_pismo").await.text().await.unwrap();
        assert!(html.contains("Страница 3 из 3"), "{html}");
        assert!(!html.contains("Страница 4 из"));
        assert!(tag(&html, &format!("pages-{delivery}")).contains("value=\"3\""), "pages to pay, as quoted");
        assert!(tag(&html, &format!("amount-{delivery}")).contains("value=\"165\""), "the amount, as quoted");
        let code = priced.reply_code.unwrap();
        let last = page_text(&html, delivery, 3);
        assert!(last.ends_with(&format!("ab\n\nВера\n\nКод для ответа: {code}")), "{last}");
        let all: String = (1..=3).map(|p| page_text(&html, delivery, p)).collect();
        assert!(all.chars().count() <= 3 * 2_500);
    }
}

both_backends! {
    async fn the_signature_is_printed_once_and_paid_for(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        let (_, writer) = app.other_client("vera@example.org", Role::Volunteer).await;
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        // A full page: the signature and the reply code start a second one.
        let full = "ж".repeat(2_480);
        let (a, da) = approved_by_hand(&app, &writer, &full, "Аня").await;
        assert_eq!(letter(&app, a).await.pages, Some(2), "the signature and the code are counted");
        // A letter already signed is not signed again.
        let (b, db_) = approved_by_hand(&app, &writer, "Держитесь!\n\nОбнимаю, Аня.", "Аня").await;
        assert_eq!(letter(&app, b).await.pages, Some(1));

        let html = app.get("/send/fsin_pismo").await.text().await.unwrap();
        assert!(page_text(&html, da, 1).ends_with("ж\n\nАня"), "the name the recipient sees ends the text");
        let code_a = letter(&app, a).await.reply_code.unwrap();
        assert_eq!(page_text(&html, da, 2), format!("Код для ответа: {code_a}"));
        let signed = page_text(&html, db_, 1);
        let code_b = letter(&app, b).await.reply_code.unwrap();
        assert_eq!(signed, format!("Держитесь!\n\nОбнимаю, Аня.\n\nКод для ответа: {code_b}"));
    }
}

both_backends! {
    async fn one_page_lists_every_service_with_letters_waiting_and_links_to_each(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        waiting(&app, Channel::FsinPismo, "Владимирская обл.", "Вера").await;
        waiting(&app, Channel::Zonatelecom, "Республика Карелия", "Пётр").await;
        waiting(&app, Channel::Zonatelecom, "Республика Карелия", "Пётр").await;

        let html = app.get("/send").await.text().await.unwrap();
        assert!(html.contains("<a href=\"/send/fsin_pismo\">ФСИН-Письмо</a>: ждут: 1"), "{html}");
        assert!(html.contains("<a href=\"/send/zonatelecom\">Зонателеком</a>: ждут: 2"), "{html}");
        assert!(html.contains("<a href=\"/send\">Эл. письма</a>"), "the nav opens the overview");
        assert!(app.get("/send/zonatelecom").await.text().await.unwrap().contains("Республика Карелия"));

        let attention = app.get("/dashboard/attention").await.text().await.unwrap();
        assert!(attention.contains("href=\"/send\""), "{attention}");
        assert!(attention.contains("<a href=\"/send/fsin_pismo\">ФСИН-Письмо</a>: 1"), "{attention}");
        assert!(attention.contains("<a href=\"/send/zonatelecom\">Зонателеком</a>: 2"), "{attention}");

        app.sign_in_as("vera@example.org", Role::Volunteer).await;
        assert_eq!(app.get("/send").await.status(), 403);
    }
}

both_backends! {
    async fn the_send_worklist_names_each_letter_filters_and_opens_the_next_after_a_receipt(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let (la, a, _) = waiting(&app, Channel::FsinPismo, "Владимирская обл.", "Вера").await;
        let (_, b, petr) = waiting(&app, Channel::FsinPismo, "Республика Карелия", "Пётр").await;
        let (_, c, _) = waiting(&app, Channel::FsinPismo, "Владимирская обл.", "Пётр").await;

        let html = app.get("/send/fsin_pismo").await.text().await.unwrap();
        assert!(html.contains(&format!("Письмо № {la}</a> · автор: Вера")), "{html}");
        assert!(html.contains("class=\"page-text\""), "the page in full");
        assert!(!html.contains("<textarea"), "not a small text box");
        assert!(html.contains(&format!("data-copy=\"page-{a}-1\"")), "a copy button per page");
        assert!(html.contains("Показано: 3 из 3"));

        let region = app.get("/send/fsin_pismo?region=%D0%A0%D0%B5%D1%81%D0%BF%D1%83%D0%B1%D0%BB%D0%B8%D0%BA%D0%B0+%D0%9A%D0%B0%D1%80%D0%B5%D0%BB%D0%B8%D1%8F").await.text().await.unwrap();
        assert!(region.contains(&format!("id=\"letter-{b}\"")));
        assert!(!region.contains(&format!("id=\"letter-{a}\"")) && !region.contains(&format!("id=\"letter-{c}\"")));
        assert!(region.contains("Показано: 1 из 3"));
        let facility = app.get("/send/fsin_pismo?facility=%D0%A4%D0%9A%D0%A3+%D0%98%D0%9A-1+(%D0%A0%D0%B5%D1%81%D0%BF%D1%83%D0%B1%D0%BB%D0%B8%D0%BA%D0%B0+%D0%9A%D0%B0%D1%80%D0%B5%D0%BB%D0%B8%D1%8F)").await.text().await.unwrap();
        assert!(facility.contains("Показано: 1 из 3"), "{facility}");
        let by_petr = app.get(&format!("/send/fsin_pismo?writer={petr}")).await.text().await.unwrap();
        assert!(by_petr.contains(&format!("id=\"letter-{b}\"")) && by_petr.contains(&format!("id=\"letter-{c}\"")));
        assert!(!by_petr.contains(&format!("id=\"letter-{a}\"")));
        assert!(by_petr.contains(&format!("<option value=\"{petr}\" selected>Пётр</option>")));

        // The Vladimir letters come first (by region), A before C.
        let res = app.post_form(&format!("/send/fsin_pismo/{a}"), &[("receipt", "FP-1"), ("pages", "1"), ("amount", "55")]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], format!("/send/fsin_pismo#letter-{c}").as_str(), "on to the next letter");
        assert_eq!(letter(&app, la).await.status, LetterStatus::Sent);
        let next = app.get("/send/fsin_pismo").await.text().await.unwrap();
        assert!(next.contains(&format!("<p class=\"flash\" role=\"status\">Письмо № {la} (Горинов Алексей Алексеевич) отмечено как отправленное (квитанция FP-1).</p>")), "{next}");
        assert!(!next.contains(&format!("id=\"letter-{a}\"")));

        // Within a filter, the next letter is the next one the filter shows.
        let petr = petr.to_string();
        let res = app.post_form(&format!("/send/fsin_pismo/{c}"), &[("receipt", "FP-2"), ("writer", petr.as_str())]).await;
        assert_eq!(res.headers()["location"], format!("/send/fsin_pismo?writer={petr}#letter-{b}").as_str());
        // The last one opens the emptied list.
        let res = app.post_form(&format!("/send/fsin_pismo/{b}"), &[("receipt", "FP-3")]).await;
        assert_eq!(res.headers()["location"], "/send/fsin_pismo");
        assert!(app.get("/send/fsin_pismo").await.text().await.unwrap().contains("Одобренных писем для этого сервиса нет."));
    }
}

both_backends! {
    async fn a_bad_amount_keeps_what_was_typed_and_opens_the_page_at_that_letter(backend) {
        let Some(app) = spawn_app(backend).await else { return };
        app.sign_in_as("coord@example.org", Role::Coordinator).await;
        let (_, first, _) = waiting(&app, Channel::FsinPismo, "Владимирская обл.", "Вера").await;
        let (lb, d, _) = waiting(&app, Channel::FsinPismo, "Республика Карелия", "Пётр").await;

        let res = app.post_form(&format!("/send/fsin_pismo/{d}"), &[("receipt", "FP-9"), ("pages", "7"), ("amount", "много")]).await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(tag(&html, &format!("receipt-{d}")).contains("value=\"FP-9\""), "receipt kept");
        assert!(tag(&html, &format!("pages-{d}")).contains("value=\"7\""), "pages kept, not reset");
        let amount = tag(&html, &format!("amount-{d}"));
        assert!(amount.contains("value=\"много\"") && amount.contains("aria-invalid=\"true\""), "{amount}");
        assert!(amount.contains("autofocus"), "the page opens at the field to fix");
        assert_eq!(html.matches("autofocus").count(), 1);
        assert!(html.contains(&format!("id=\"amount-{d}-error\"")), "the message sits by the field");
        assert!(html.contains(&format!("action=\"/send/fsin_pismo/{d}#letter-{d}\"")), "the form returns to its letter");
        assert!(html.contains(&format!("<a href=\"#letter-{d}\">Письмо № {lb} не записано")), "{html}");
        assert!(tag(&html, &format!("receipt-{first}")).contains("value=\"\""), "other letters untouched");
        assert_eq!(letter(&app, lb).await.status, LetterStatus::Queued, "nothing recorded");

        let res = app.post_form(&format!("/send/fsin_pismo/{d}"), &[("receipt", "FP-9"), ("pages", "0"), ("amount", "55")]).await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(tag(&html, &format!("pages-{d}")).contains("autofocus"));
        assert!(tag(&html, &format!("amount-{d}")).contains("value=\"55\""));
    }
}

//! What a coordinator does in the browser: the whole loop of issue 13, from
//! the review queue to the writer seeing the reply.

use std::time::Duration;

use fantoccini::Locator;
use konvert::db::deliveries::{self, DeliveryState};
use konvert::db::facilities::{self, FacilityForm, FacilityKind, Service};
use konvert::db::letters::{self, Channel, LetterStatus, NewLetter};
use konvert::db::placements;
use konvert::db::prisoners::{self, BirthDate, Gender, PrisonerForm, PrisonerStatus};
use konvert::db::users::Role;
use konvert::db::{self, replies, DbConn, DbError};
use konvert::delivery::worker::Worker;

use crate::driver::{browser, Browser};
use crate::helpers::*;

/// The letters the volunteer has submitted, by what the coordinator does with them.
struct Submitted {
    fsin: i64,
    zona: i64,
    post_ticked: i64,
    post_unticked: i64,
    returned: i64,
    rejected: i64,
}

fn facility(c: &mut DbConn, name: &str, region: &str, service: Option<Service>) -> i64 {
    let f = facilities::insert(
        c,
        &FacilityForm {
            country: "RU".into(),
            kind: FacilityKind::Colony,
            name: name.into(),
            region: Some(region.into()),
            postcode: Some("601446".into()),
            locality: Some("г. Покров".into()),
            street: Some("ул. Франца Штольверка".into()),
            house: Some("д. 100".into()),
            ..FacilityForm::default()
        },
        db::now(),
    )
    .unwrap();
    if let Some(service) = service {
        facilities::set_service(c, f.id, service, None).unwrap();
    }
    f.id
}

fn prisoner(c: &mut DbConn, name: [&str; 3], gender: Gender, facility_id: i64) -> i64 {
    let now = db::now();
    let mut form = PrisonerForm::new(name[0], name[1], Some(name[2]));
    form.gender = Some(gender);
    form.status = PrisonerStatus::Convicted;
    form.set_birth_date(BirthDate::parse("1984").ok());
    let p = prisoners::insert(c, &form, now).unwrap();
    place_at(c, p.id, facility_id, now).unwrap();
    p.id
}

/// A letter as the composer leaves it after "submit": in review, with a reply code.
fn submit(c: &mut DbConn, writer_id: i64, prisoner_id: i64, channel: Channel, body: &str) -> i64 {
    let now = db::now();
    // The address as the composer records it, which the send screens show.
    let person = prisoners::find(c, prisoner_id).unwrap().unwrap();
    let placement = placements::current(c, prisoner_id).unwrap().unwrap();
    let held_at = facilities::find(c, placement.facility_id.unwrap()).unwrap();
    let letter = letters::insert(
        c,
        &NewLetter {
            writer_id,
            prisoner_id,
            placement_id: Some(placement.id),
            address_snapshot: serde_json::to_string(&konvert::address::record(
                &person,
                held_at.as_ref(),
            ))
            .ok(),
            language: "ru".into(),
            body: body.into(),
            channel,
            status: LetterStatus::Draft,
            pen_name: Some("Вера".into()),
            reply_blank: true,
            reply_code: Some(letters::new_reply_code(&mut rand::thread_rng())),
            created_at: now,
            updated_at: now,
        },
    )
    .unwrap();
    letters::set_status(c, letter.id, LetterStatus::Submitted, now).unwrap();
    letter.id
}

fn seed(c: &mut DbConn, writer_id: i64) -> Submitted {
    let vlad = facility(
        c,
        "ФКУ ИК-2 УФСИН России по Владимирской области",
        "Владимирская обл.",
        Some(Service::FsinPismo),
    );
    let mordovia = facility(
        c,
        "ФКУ ИК-14 УФСИН России по Республике Мордовия",
        "Республика Мордовия",
        Some(Service::Zonatelecom),
    );
    let karelia = facility(
        c,
        "ФКУ ИК-7 УФСИН России по Республике Карелия",
        "Республика Карелия",
        None,
    );
    let petrov = prisoner(c, ["Петров", "Илья", "Сергеевич"], Gender::Male, vlad);
    let orlova = prisoner(c, ["Орлова", "Мария", "Павловна"], Gender::Female, mordovia);
    let kuznetsov = prisoner(c, ["Кузнецов", "Олег", "Игоревич"], Gender::Male, karelia);
    let smirnova = prisoner(
        c,
        ["Смирнова", "Анна", "Викторовна"],
        Gender::Female,
        karelia,
    );
    let body =
        "Здравствуйте!\n\nПишу Вам из Петербурга. У нас выпал первый снег.\n\nДержитесь, Вера";
    Submitted {
        fsin: submit(c, writer_id, petrov, Channel::FsinPismo, body),
        zona: submit(c, writer_id, orlova, Channel::Zonatelecom, body),
        post_ticked: submit(c, writer_id, kuznetsov, Channel::Post, body),
        post_unticked: submit(c, writer_id, smirnova, Channel::Post, body),
        returned: submit(
            c,
            writer_id,
            petrov,
            Channel::Post,
            "Привет! Передай привет соседу по камере.",
        ),
        rejected: submit(
            c,
            writer_id,
            orlova,
            Channel::Post,
            "Текст, который не пройдёт цензуру.",
        ),
    }
}

async fn letter(app: &TestApp, id: i64) -> letters::Letter {
    app.db
        .run(move |c| Ok::<_, DbError>(letters::find(c, id)?.expect("the letter exists")))
        .await
        .unwrap()
}

async fn delivery(app: &TestApp, letter_id: i64) -> deliveries::Delivery {
    app.db
        .run(move |c| Ok::<_, DbError>(deliveries::for_letter(c, letter_id)?))
        .await
        .unwrap()
        .pop()
        .expect("the letter has a delivery")
}

/// Waits (bounded) until nothing matches `css`: the sign that a form's POST
/// came back as a new page without the item it acted on.
async fn wait_gone(b: &Browser, css: &str) {
    for _ in 0..50 {
        if b.client.find(Locator::Css(css)).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} is still on the page");
}

async fn wait_for_url(b: &Browser, part: &str) -> String {
    wait_for_url_where(b, part, |url| url.contains(part)).await
}

/// Waits (bounded) until the address satisfies `ok`; `what` names it in the failure.
async fn wait_for_url_where(b: &Browser, what: &str, ok: impl Fn(&str) -> bool) -> String {
    let mut url = String::new();
    for _ in 0..50 {
        url = b.client.current_url().await.unwrap().to_string();
        if ok(&url) {
            return url;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the address never became {what:?}; last: {url}");
}

/// The number of the reply whose page `url` is, if it is one.
fn reply_page(url: &str) -> Option<i64> {
    url.rsplit("/replies/")
        .next()
        .and_then(|r| r.split(['?', '#', '/']).next())
        .and_then(|n| n.parse().ok())
}

/// The one-line confirmation after a change: every step must say what it did.
async fn expect_flash(b: &Browser, needle: &str) {
    b.wait_for_text("p.flash", needle).await;
}

/// Screenshots of the current page at 1280 and 390 px, in Russian and in
/// English (switched with the header's form, as a person would), ending in
/// Russian at 1280 px.
async fn shots(b: &Browser, name: &str) {
    for lang in ["ru", "en"] {
        if lang == "en" {
            switch_language(b, "Signed in as").await;
        }
        for (width, height) in [(1280, 1000), (390, 844)] {
            b.client.set_window_size(width, height).await.unwrap();
            b.screenshot(&format!("coordinator-{name}-{lang}-{width}"))
                .await;
        }
    }
    switch_language(b, "Вы вошли как").await;
    b.client.set_window_size(1280, 1000).await.unwrap();
}

async fn switch_language(b: &Browser, header_says: &str) {
    b.click("header form[action='/language'] button").await;
    b.wait_for_text("header", header_says).await;
}

async fn sign_in(b: &Browser, app: &TestApp, email: &str) {
    b.goto(&app.url("/login")).await;
    b.fill("#email", email).await;
    b.fill("#password", TEST_PASSWORD).await;
    b.click("form.stack button[type=submit]").await;
    b.wait_for_text("header", "Вы вошли как").await;
}

/// Opens a service's send screen: from the e-letters overview when this
/// branch has one, else by its address.
async fn open_send_screen(b: &Browser, app: &TestApp, service: &str) {
    b.goto(&app.url("/send")).await;
    let link = format!("main a[href^='/send/{service}']");
    b.click(&link).await;
    wait_for_url(b, &format!("/send/{service}")).await;
}

/// Records a receipt on a send screen, typed into the letter's own form.
async fn record_receipt(b: &Browser, app: &TestApp, letter_id: i64, receipt: &str, amount: &str) {
    let d = delivery(app, letter_id).await;
    assert_eq!(
        d.state,
        DeliveryState::Manual,
        "letter {letter_id} waits to be sent by hand"
    );
    let id = d.id;
    b.fill(&format!("#receipt-{id}"), receipt).await;
    b.fill(&format!("#pages-{id}"), "1").await;
    b.fill(&format!("#amount-{id}"), amount).await;
    b.client
        .find(Locator::XPath(&format!(
            "//input[@id='receipt-{id}']/ancestor::form//button[@type='submit']"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_gone(b, &format!("#receipt-{id}")).await;
}

/// A one-pixel PNG, as a phone's scan of a paper reply would be (a picture).
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// Review (approve, return with a note, reject), e-letters for both
/// services, post with a partial selection, an outcome, a reply with a scan,
/// and the writer finding it: every step done by clicking and typing, each
/// checked on screen and in the database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_works_the_whole_loop_from_review_to_the_writer_seeing_the_reply() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let Some(b) = browser().await else { return };
    let vera = app.create_user("vera@example.org", Role::Volunteer).await;
    app.create_user("anna@example.org", Role::Coordinator).await;
    let l = app
        .db
        .run(move |c| Ok::<_, DbError>(seed(c, vera.id)))
        .await
        .unwrap();

    b.client.set_window_size(1280, 1000).await.unwrap();
    sign_in(&b, &app, "anna@example.org").await;

    // ---- review --------------------------------------------------------------
    b.goto(&app.url("/review")).await;
    let queue = b.wait_for_text("main", "Петров Илья Сергеевич").await;
    for name in [
        "Орлова Мария Павловна",
        "Кузнецов Олег Игоревич",
        "Смирнова Анна Викторовна",
    ] {
        assert!(queue.contains(name), "{name} is in the queue: {queue}");
    }
    shots(&b, "review").await;

    for id in [l.fsin, l.zona, l.post_ticked, l.post_unticked] {
        b.click(&format!("#letter-{id} button[value=approve]"))
            .await;
        wait_gone(&b, &format!("#letter-{id}")).await;
        expect_flash(&b, &format!("{id}")).await;
        assert_eq!(
            letter(&app, id).await.status,
            LetterStatus::Queued,
            "letter {id} approved"
        );
    }

    // Returning without a note is refused next to the letter, and changes nothing.
    b.click(&format!("#letter-{} button[value=return]", l.returned))
        .await;
    b.wait_for_text(&format!("#note-{}-error", l.returned), "")
        .await;
    assert_eq!(
        letter(&app, l.returned).await.status,
        LetterStatus::Submitted
    );
    for (width, height) in [(1280, 1000), (390, 844)] {
        b.client.set_window_size(width, height).await.unwrap();
        b.screenshot(&format!("coordinator-review-note-missing-ru-{width}"))
            .await;
    }
    b.client.set_window_size(1280, 1000).await.unwrap();

    let note = "Пожалуйста, не называйте других заключённых по имени.";
    b.fill(&format!("#note-{}", l.returned), note).await;
    b.click(&format!("#letter-{} button[value=return]", l.returned))
        .await;
    wait_gone(&b, &format!("#letter-{}", l.returned)).await;
    expect_flash(&b, &format!("{}", l.returned)).await;
    let returned = letter(&app, l.returned).await;
    assert_eq!(returned.status, LetterStatus::ReturnedToWriter);
    assert_eq!(returned.review_note.as_deref(), Some(note));

    b.fill(
        &format!("#note-{}", l.rejected),
        "Не пройдёт цензуру колонии.",
    )
    .await;
    b.click(&format!("#letter-{} button[value=reject]", l.rejected))
        .await;
    wait_gone(&b, &format!("#letter-{}", l.rejected)).await;
    expect_flash(&b, &format!("{}", l.rejected)).await;
    assert_eq!(
        letter(&app, l.rejected).await.status,
        LetterStatus::Rejected
    );
    assert!(
        b.client
            .find(Locator::Css("article.review-item"))
            .await
            .is_err(),
        "the queue is empty"
    );

    // No gateways are configured: the worker leaves every approved letter for a person to send.
    let worker = Worker::new(app.db.clone(), "w1");
    while worker.run_once().await.unwrap() > 0 {}

    // ---- e-letters, both services ------------------------------------------------
    for (service, id, name, receipt, amount, cost) in [
        (
            "fsin_pismo",
            l.fsin,
            "Петров Илья Сергеевич",
            "FP-2026-000777",
            "55,00",
            5500,
        ),
        (
            "zonatelecom",
            l.zona,
            "Орлова Мария Павловна",
            "ZT-31337",
            "40",
            4000,
        ),
    ] {
        open_send_screen(&b, &app, service).await;
        b.wait_for_text("main", name).await;
        shots(&b, &format!("send-{service}")).await;
        record_receipt(&b, &app, id, receipt, amount).await;
        expect_flash(&b, receipt).await;
        let sent = letter(&app, id).await;
        assert_eq!(sent.status, LetterStatus::Sent, "{service}");
        assert_eq!(sent.receipt_number.as_deref(), Some(receipt));
        assert_eq!(sent.pages, Some(1));
        assert_eq!(sent.cost_minor, Some(cost));
        assert_eq!(delivery(&app, id).await.state, DeliveryState::Sent);
    }

    // ---- post, with one of two letters unticked -----------------------------------
    b.goto(&app.url("/post")).await;
    let waiting = b.wait_for_text("main", "Кузнецов Олег Игоревич").await;
    assert!(waiting.contains("Смирнова Анна Викторовна"), "{waiting}");
    assert!(
        !waiting.contains("Петров"),
        "e-letters and returned letters do not wait here: {waiting}"
    );
    shots(&b, "post").await;
    let unticked = delivery(&app, l.post_unticked).await.id;
    let ticked = delivery(&app, l.post_ticked).await.id;
    b.click(&format!("#d{unticked}")).await;
    let box_ = b
        .client
        .find(Locator::Css(&format!("#d{unticked}")))
        .await
        .unwrap();
    assert!(!box_.is_selected().await.unwrap(), "the click unticked it");
    let other = b
        .client
        .find(Locator::Css(&format!("#d{ticked}")))
        .await
        .unwrap();
    assert!(other.is_selected().await.unwrap());
    b.click("#batch button[type=submit]:not([formaction])")
        .await;
    b.wait_for_text("p.flash", "Отмечено как отправленные: 1.")
        .await;
    let after = b.wait_for_text("main", "Смирнова Анна Викторовна").await;
    assert!(
        !after.contains("Кузнецов"),
        "the posted letter left the queue: {after}"
    );
    assert_eq!(letter(&app, l.post_ticked).await.status, LetterStatus::Sent);
    assert_eq!(
        delivery(&app, l.post_ticked).await.state,
        DeliveryState::Sent
    );
    assert_eq!(
        letter(&app, l.post_unticked).await.status,
        LetterStatus::Queued
    );
    assert_eq!(
        delivery(&app, l.post_unticked).await.state,
        DeliveryState::Manual
    );

    // ---- an outcome on a sent letter's page ----------------------------------------
    b.goto(&app.url(&format!("/letters/{}", l.fsin))).await;
    b.wait_for_text("dl.letter-facts dd", "Отправлено").await;
    b.client
        .find(Locator::Css("#outcome"))
        .await
        .unwrap()
        .select_by_value("delivered")
        .await
        .unwrap();
    b.fill(
        "#outcome-note",
        "Подтверждено в личном кабинете ФСИН-Письмо.",
    )
    .await;
    b.click("form.outcome button[type=submit]").await;
    b.wait_for_text("dl.letter-facts dd", "Доставлено").await;
    expect_flash(&b, &format!("{}", l.fsin)).await;
    assert_eq!(letter(&app, l.fsin).await.status, LetterStatus::Delivered);
    shots(&b, "letter-delivered").await;

    // ---- a reply on paper, with a scan, matched by the reply code on the blank --------
    let code = letter(&app, l.post_ticked).await.reply_code.unwrap();
    let scan_dir = tempfile::tempdir().unwrap();
    let scan = scan_dir.path().join("reply-scan.png");
    std::fs::write(&scan, PNG).unwrap();
    b.goto(&app.url("/replies")).await;
    b.click("main a[href='/replies/new']").await;
    wait_for_url(&b, "/replies/new").await;
    shots(&b, "reply-form").await;
    b.fill("#reply_code", &code).await;
    b.fill("#transcription", "Спасибо за письмо! Снег и у нас.")
        .await;
    b.client
        .find(Locator::Css("#scans"))
        .await
        .unwrap()
        .send_keys(&scan.display().to_string())
        .await
        .unwrap();
    b.click("form[action='/replies/new'] button[type=submit]")
        .await;
    // The form's own address is /replies/new: wait for the reply's page itself.
    let url = wait_for_url_where(&b, "/replies/<number>", |u| reply_page(u).is_some()).await;
    let reply_id = reply_page(&url).unwrap_or_else(|| panic!("a reply page, not {url}"));
    b.wait_for_text("main", "Снег и у нас").await;
    shots(&b, "reply").await;
    let (reply, files) = app
        .db
        .run(move |c| {
            Ok::<_, DbError>((
                replies::find(c, reply_id)?.unwrap(),
                replies::files(c, reply_id)?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(
        reply.letter_id,
        Some(l.post_ticked),
        "matched by the reply code"
    );
    assert_eq!(files.len(), 1, "the scan is kept");
    assert_eq!(files[0].content_type, "image/png");
    assert_eq!(
        letter(&app, l.post_ticked).await.status,
        LetterStatus::Replied
    );

    // ---- the writer ---------------------------------------------------------------
    b.click("header form[action='/logout'] button").await;
    b.wait_for_text("header", "Войти").await;
    sign_in(&b, &app, "vera@example.org").await;
    b.goto(&app.url(&format!("/letters/{}", l.returned))).await;
    b.wait_for_text("main", note).await;
    b.goto(&app.url(&format!("/letters/{}", l.post_ticked)))
        .await;
    b.wait_for_text("dl.letter-facts dd", "Получен ответ").await;
    shots(&b, "writer-letter-replied").await;
    // The reply is one click away from the letter it answers.
    b.click(&format!("main dd a[href='/replies/{reply_id}']"))
        .await;
    wait_for_url(&b, &format!("/replies/{reply_id}")).await;
    b.wait_for_text("main", "Снег и у нас").await;
    shots(&b, "writer-reply").await;
    b.close().await;
}

//! The delivery worker against a real HTTP gateway started by the test:
//! success, retries with backoff, dead letters, refusals, timeouts, the
//! manual path, a worker dying between claiming and recording, and several
//! workers side by side.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use chrono::TimeDelta;
use konvert::db::deliveries::{self, DeliveryState};
use konvert::db::facilities::{self, FacilityForm, FacilityKind, Service};
use konvert::db::letters::{self, Channel, LetterStatus};
use konvert::db::prisoners::{self, BirthDate, Gender, PrisonerForm};
use konvert::db::users::{self, NewUser, Role};
use konvert::db::{self, Db, DbError};
use konvert::delivery::gateway::{Gateway, Submission};
use konvert::delivery::worker::Worker;
use konvert::delivery::RetryPolicy;

use crate::both_backends;
use crate::helpers::*;

/// How the gateway answers the next request.
#[derive(Clone, Copy, Debug)]
enum Behaviour {
    Accept,
    Status(u16),
    Hang,
    /// Takes the letter, then never answers (the worker dies waiting).
    AcceptThenHang,
}

#[derive(Default)]
struct GatewayState {
    script: Vec<Behaviour>,
    requests: Vec<(String, Submission)>,
    accepted: HashMap<String, String>,
}

struct TestGateway {
    url: String,
    state: Arc<Mutex<GatewayState>>,
    _server: actix_web::dev::ServerHandle,
}

impl TestGateway {
    fn requests(&self) -> Vec<(String, Submission)> {
        self.state.lock().unwrap().requests.clone()
    }

    fn accepted_keys(&self) -> usize {
        self.state.lock().unwrap().accepted.len()
    }
}

async fn gateway_endpoint(
    req: HttpRequest,
    body: web::Json<Submission>,
    state: web::Data<Arc<Mutex<GatewayState>>>,
) -> HttpResponse {
    let key = req
        .headers()
        .get("Idempotency-Key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let behaviour = {
        let mut s = state.lock().unwrap();
        s.requests.push((key.clone(), body.into_inner()));
        // A key seen before gets the answer it got then: the service is not charged twice.
        if let Some(receipt) = s.accepted.get(&key) {
            return HttpResponse::Ok()
                .json(serde_json::json!({"receipt": receipt, "pages": 1, "cost_minor": 5500}));
        }
        if s.script.is_empty() {
            Behaviour::Accept
        } else {
            s.script.remove(0)
        }
    };
    match behaviour {
        Behaviour::Accept => {
            let receipt = format!("R-{}", state.lock().unwrap().accepted.len() + 1);
            state.lock().unwrap().accepted.insert(key, receipt.clone());
            HttpResponse::Ok()
                .json(serde_json::json!({"receipt": receipt, "pages": 1, "cost_minor": 5500}))
        }
        Behaviour::Status(code) => {
            HttpResponse::build(actix_web::http::StatusCode::from_u16(code).unwrap()).body("no")
        }
        Behaviour::AcceptThenHang => {
            state.lock().unwrap().accepted.insert(key, "R-1".to_owned());
            tokio::time::sleep(Duration::from_secs(60)).await;
            HttpResponse::Ok().json(serde_json::json!({"receipt": "R-1"}))
        }
        Behaviour::Hang => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            HttpResponse::Ok().json(serde_json::json!({"receipt": "late"}))
        }
    }
}

async fn start_gateway(script: Vec<Behaviour>) -> TestGateway {
    let state = Arc::new(Mutex::new(GatewayState {
        script,
        ..Default::default()
    }));
    let data = web::Data::new(state.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/submit", web::post().to(gateway_endpoint))
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let port = server.addrs()[0].port();
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);
    TestGateway {
        url: format!("http://127.0.0.1:{port}/submit"),
        state,
        _server: handle,
    }
}

fn fast_policy(max_attempts: i32) -> RetryPolicy {
    RetryPolicy {
        base: Duration::ZERO,
        max: Duration::ZERO,
        max_attempts,
    }
}

fn worker(db: &Db, name: &str, gateway: &TestGateway, policy: RetryPolicy) -> Worker {
    Worker::new(db.clone(), name)
        .with_policy(policy)
        .with_gateway(
            Channel::FsinPismo,
            Gateway::new(&gateway.url, Duration::from_millis(800)).unwrap(),
        )
}

/// A queued ФСИН-Письмо letter with its outbox row; returns the letter id.
fn queued_letter(conn: &mut db::DbConn, body: &str) -> i64 {
    queued_letter_by(conn, body, Channel::FsinPismo)
}

pub fn queued_letter_by(conn: &mut db::DbConn, body: &str, channel: Channel) -> i64 {
    let now = db::now();
    let facility = facilities::insert(
        conn,
        &FacilityForm {
            country: "RU".into(),
            kind: FacilityKind::Colony,
            name: "ФКУ ИК-6 УФСИН России по Владимирской области".into(),
            region: Some("Владимирская обл.".into()),
            postcode: Some("601446".into()),
            ..FacilityForm::default()
        },
        now,
    )
    .unwrap();
    facilities::set_service(conn, facility.id, Service::FsinPismo, Some("vlad-ik6")).unwrap();
    facilities::set_service(
        conn,
        facility.id,
        Service::Email,
        Some("letters@relay.example.org"),
    )
    .unwrap();
    let mut form = PrisonerForm::new("Горинов", "Алексей", Some("Алексеевич"));
    form.gender = Some(Gender::Male);
    form.set_birth_date(Some(BirthDate::parse("1961").unwrap()));
    let prisoner = prisoners::insert(conn, &form, now).unwrap();
    place_at(conn, prisoner.id, facility.id, now).unwrap();
    let email = format!("w{}@example.org", random_hex());
    let writer = users::insert(conn, &NewUser::new(&email, "Вера", Role::Volunteer, now)).unwrap();
    let (letter, _) =
        queued_letter_from(conn, &writer, &prisoner, &facility, body, channel, true).unwrap();
    letter.id
}

async fn seed(db: &Db, body: &'static str) -> i64 {
    db.run(move |conn| Ok::<_, DbError>(queued_letter(conn, body)))
        .await
        .unwrap()
}

async fn delivery_of(db: &Db, letter_id: i64) -> deliveries::Delivery {
    db.run(move |c| Ok::<_, DbError>(deliveries::for_letter(c, letter_id)?.remove(0)))
        .await
        .unwrap()
}

async fn letter(db: &Db, id: i64) -> letters::Letter {
    db.run(move |c| Ok::<_, DbError>(letters::find(c, id)?.unwrap()))
        .await
        .unwrap()
}

/// Runs the worker until nothing is due (bounded).
pub(crate) async fn drain(w: &Worker) {
    for _ in 0..50 {
        if w.run_once().await.unwrap() == 0 {
            return;
        }
    }
    panic!("the queue did not drain");
}

both_backends! {
    async fn the_gateway_gets_the_form_fields_and_the_letter_becomes_sent(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let gateway = start_gateway(vec![]).await;
        let body = "Здравствуйте, Алексей Алексеевич! ".repeat(100);
        let body: &'static str = Box::leak(body.into_boxed_str());
        let id = seed(&db, body).await;
        drain(&worker(&db, "w1", &gateway, fast_policy(5))).await;

        let requests = gateway.requests();
        assert_eq!(requests.len(), 1);
        let (key, s) = &requests[0];
        assert_eq!(key, &format!("letter-{id}-fsin_pismo"));
        assert_eq!(s.idempotency_key, *key);
        assert_eq!(s.full_name, "Горинов Алексей Алексеевич");
        assert_eq!(s.birth_year, Some(1961));
        assert_eq!(s.facility, "ФКУ ИК-6 УФСИН России по Владимирской области");
        assert_eq!(s.facility_id.as_deref(), Some("vlad-ik6"));
        assert_eq!(s.region.as_deref(), Some("Владимирская обл."));
        assert_eq!(s.pages.len(), 2, "3,400 characters make two pages");
        assert!(s.pages.iter().all(|p| p.chars().count() <= 2500));
        assert!(s.reply_blank);

        let l = letter(&db, id).await;
        // The service prints what the writer was quoted: the signature once,
        // then the reply code, in the pages the one splitter makes.
        let code = l.reply_code.clone().unwrap();
        let last = s.pages.last().unwrap();
        assert!(last.ends_with(&format!("Алексеевич!\n\nВера\n\nКод для ответа: {code}")), "{last}");
        assert_eq!(s.pages.concat().matches("Вера").count(), 1);
        assert_eq!(s.pages, konvert::letters::split_pages(&l.printed().text()));
        assert_eq!(l.status, LetterStatus::Sent);
        assert!(l.sent_at.is_some());
        assert_eq!(l.receipt_number.as_deref(), Some("R-1"));
        assert_eq!(l.cost_minor, Some(5500));
        let d = delivery_of(&db, id).await;
        assert_eq!(d.state, DeliveryState::Sent);
        assert_eq!(d.attempts, 1);
        let p = db.run(move |c| Ok::<_, DbError>(prisoners::find(c, l.prisoner_id)?.unwrap())).await.unwrap();
        assert_eq!(p.letters_sent_count, 1);
        assert_eq!(p.last_letter_sent_at, l.sent_at);
    }
}

both_backends! {
    async fn temporary_failures_are_retried_until_they_succeed(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let gateway = start_gateway(vec![Behaviour::Status(503), Behaviour::Status(429)]).await;
        let id = seed(&db, "Письмо").await;
        drain(&worker(&db, "w1", &gateway, fast_policy(5))).await;
        let d = delivery_of(&db, id).await;
        assert_eq!(d.state, DeliveryState::Sent);
        assert_eq!(d.attempts, 3);
        assert_eq!(letter(&db, id).await.status, LetterStatus::Sent);
    }
}

both_backends! {
    async fn retries_wait_for_their_backoff(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let gateway = start_gateway(vec![Behaviour::Status(500)]).await;
        let id = seed(&db, "Письмо").await;
        let policy = RetryPolicy { base: Duration::from_secs(600), max: Duration::from_secs(3600), max_attempts: 5 };
        let w = worker(&db, "w1", &gateway, policy);
        assert_eq!(w.run_once().await.unwrap(), 1);
        assert_eq!(w.run_once().await.unwrap(), 0, "not due again yet");
        let d = delivery_of(&db, id).await;
        assert_eq!(d.state, DeliveryState::Pending);
        let wait = d.next_attempt_at - db::now();
        assert!(wait > TimeDelta::minutes(7) && wait <= TimeDelta::minutes(13), "{wait}");
        assert_eq!(d.last_error.as_deref(), Some("gateway answered 500 Internal Server Error"));
    }
}

both_backends! {
    async fn dead_letters_stop_retrying_after_the_last_attempt(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let gateway = start_gateway(vec![Behaviour::Status(503); 10]).await;
        let id = seed(&db, "Письмо").await;
        let w = worker(&db, "w1", &gateway, fast_policy(3));
        drain(&w).await;
        let d = delivery_of(&db, id).await;
        assert_eq!(d.state, DeliveryState::Dead);
        assert_eq!(d.attempts, 3);
        assert_eq!(gateway.requests().len(), 3);
        assert_eq!(w.run_once().await.unwrap(), 0);
        assert_eq!(gateway.requests().len(), 3, "a dead letter is not tried again");
        assert_eq!(letter(&db, id).await.status, LetterStatus::Queued, "the letter itself is not lost");
    }
}

both_backends! {
    async fn a_refusal_is_final_and_a_timeout_is_not(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let gateway = start_gateway(vec![Behaviour::Status(422), Behaviour::Hang]).await;
        let refused = seed(&db, "Письмо").await;
        let w = worker(&db, "w1", &gateway, fast_policy(5));
        assert_eq!(w.run_once().await.unwrap(), 1);
        let d = delivery_of(&db, refused).await;
        assert_eq!(d.state, DeliveryState::Dead);
        assert_eq!(d.attempts, 1);

        let timed_out = seed(&db, "Второе письмо").await;
        let slow = Worker::new(db.clone(), "w2")
            .with_policy(RetryPolicy { base: Duration::from_secs(60), max: Duration::from_secs(60), max_attempts: 5 })
            .with_gateway(Channel::FsinPismo, Gateway::new(&gateway.url, Duration::from_millis(300)).unwrap());
        assert_eq!(slow.run_once().await.unwrap(), 1);
        let d = delivery_of(&db, timed_out).await;
        assert_eq!(d.state, DeliveryState::Pending, "a timeout is tried again later");
        assert_eq!(d.last_error.as_deref(), Some("the gateway did not answer in time"));
    }
}

both_backends! {
    async fn without_a_gateway_letters_wait_for_a_coordinator(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let id = seed(&db, "Письмо").await;
        let w = Worker::new(db.clone(), "w1");
        assert_eq!(w.run_once().await.unwrap(), 1);
        assert_eq!(delivery_of(&db, id).await.state, DeliveryState::Manual);
        assert_eq!(w.run_once().await.unwrap(), 0);
        assert_eq!(letter(&db, id).await.status, LetterStatus::Queued);
    }
}

both_backends! {
    async fn a_worker_dying_after_sending_does_not_deliver_twice(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let gateway = start_gateway(vec![]).await;
        let id = seed(&db, "Письмо").await;

        // The first worker claims the row and sends it, then dies before recording.
        let claimed = db.run(|c| Ok::<_, DbError>(deliveries::claim_due(c, "doomed", db::now(), 10)?)).await.unwrap();
        assert_eq!(claimed.len(), 1);
        let parcel_key = claimed[0].idempotency_key.clone();
        let submission = Submission {
            idempotency_key: parcel_key.clone(),
            service: "fsin_pismo".into(),
            region: None,
            facility: "ИК-6".into(),
            facility_id: None,
            full_name: "Горинов Алексей Алексеевич".into(),
            birth_year: Some(1961),
            pages: vec!["Письмо".into()],
            reply_blank: true,
            reply_code: None,
            sender_name: None,
        };
        Gateway::new(&gateway.url, Duration::from_secs(2)).unwrap().submit(&submission).await.unwrap();
        assert_eq!(delivery_of(&db, id).await.state, DeliveryState::Claimed);

        // A live worker must not take a fresh claim…
        let patient = worker(&db, "w2", &gateway, fast_policy(5)).with_lease(TimeDelta::minutes(10));
        assert_eq!(patient.run_once().await.unwrap(), 0);
        // …but takes over an expired one, and the gateway recognises the key.
        let successor = worker(&db, "w3", &gateway, fast_policy(5)).with_lease(TimeDelta::zero());
        drain(&successor).await;
        assert_eq!(gateway.requests().len(), 2, "sent again after the crash");
        assert_eq!(gateway.accepted_keys(), 1, "but delivered once");
        let d = delivery_of(&db, id).await;
        assert_eq!(d.state, DeliveryState::Sent);
        assert_eq!(d.receipt.as_deref(), Some("R-1"));
        let l = letter(&db, id).await;
        assert_eq!(l.status, LetterStatus::Sent);
        let p = db.run(move |c| Ok::<_, DbError>(prisoners::find(c, l.prisoner_id)?.unwrap())).await.unwrap();
        assert_eq!(p.letters_sent_count, 1, "counted once");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn workers_side_by_side_on_postgres_never_take_the_same_letter() {
    let Some(test_db) = TestDb::create(Backend::Postgres) else {
        return;
    };
    let db = test_db.open();
    let gateway = start_gateway(vec![]).await;
    let mut ids = Vec::new();
    for _ in 0..40 {
        ids.push(seed(&db, "Письмо").await);
    }
    let mut tasks = Vec::new();
    for n in 0..3 {
        let w = worker(&db, &format!("w{n}"), &gateway, fast_policy(5));
        tasks.push(tokio::spawn(async move { drain(&w).await }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let requests = gateway.requests();
    let mut keys: Vec<_> = requests.iter().map(|(k, _)| k.clone()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(
        requests.len(),
        40,
        "each letter was sent by exactly one worker"
    );
    assert_eq!(keys.len(), 40);
    for id in ids {
        assert_eq!(letter(&db, id).await.status, LetterStatus::Sent);
    }
}

both_backends! {
    async fn letters_by_e_mail_reach_the_relay_over_smtp_with_their_reply_code(backend) {
        let Some(sink) = crate::smtp_sink::SmtpSink::start() else { return };
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let id = db
            .run(|c| Ok::<_, DbError>(queued_letter_by(c, "Здравствуйте!\nКак Вы?", Channel::Email)))
            .await
            .unwrap();
        let mut settings = test_settings(&test_db);
        settings.smtp_url = Some(sink.url());
        let mailer = konvert::mail::Mailer::from_settings(&settings).unwrap();
        let w = Worker::new(db.clone(), "w1").with_mailer(mailer, "Konvert <letters@example.org>");
        drain(&w).await;

        let mails = sink.wait_for(1).await;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].to, "letters@relay.example.org");
        assert!(mails[0].subject.contains("Горинов Алексей Алексеевич, 1961 г.р."), "{}", mails[0].subject);
        let l = letter(&db, id).await;
        assert!(mails[0].text.contains("Как Вы?"));
        assert!(mails[0].text.contains(&format!("Код для ответа: {}", l.reply_code.clone().unwrap())));
        assert_eq!(l.status, LetterStatus::Sent);
        assert_eq!(delivery_of(&db, id).await.state, DeliveryState::Sent);
    }
}

both_backends! {
    async fn an_unreachable_smtp_server_means_try_again_later(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let id = db.run(|c| Ok::<_, DbError>(queued_letter_by(c, "Письмо", Channel::Email))).await.unwrap();
        let free_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut settings = test_settings(&test_db);
        settings.smtp_url = Some(format!("smtp://127.0.0.1:{free_port}"));
        let mailer = konvert::mail::Mailer::from_settings(&settings).unwrap();
        let w = Worker::new(db.clone(), "w1")
            .with_policy(RetryPolicy { base: Duration::from_secs(60), max: Duration::from_secs(60), max_attempts: 5 })
            .with_mailer(mailer, "Konvert <letters@example.org>");
        assert_eq!(w.run_once().await.unwrap(), 1);
        let d = delivery_of(&db, id).await;
        assert_eq!(d.state, DeliveryState::Pending);
        assert!(d.last_error.is_some());
        assert_eq!(letter(&db, id).await.status, LetterStatus::Queued);
    }
}

/// Starts `konvert worker` against the test database and gateway.
/// The `konvert` binary with none of the developer's own settings, on this
/// test's database and gateway, quiet; `data` names its data folder.
fn konvert_command(test_db: &TestDb, gateway: &TestGateway, data: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_konvert"));
    for key in konvert::config::Settings::env_keys() {
        cmd.env_remove(key);
    }
    cmd.env("KONVERT_DATABASE_URL", test_db.url())
        .env("KONVERT_DATA_DIR", test_db.dir.path().join(data))
        .env("KONVERT_FSIN_GATEWAY_URL", &gateway.url)
        .env("KONVERT_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    cmd
}

fn worker_process(test_db: &TestDb, gateway: &TestGateway) -> std::process::Child {
    konvert_command(test_db, gateway, "worker-data")
        .arg("worker")
        .env("KONVERT_DELIVERY_LEASE_SECS", "1")
        .spawn()
        .expect("start konvert worker")
}

both_backends! {
    async fn killing_the_worker_process_between_sending_and_recording_delivers_once(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let gateway = start_gateway(vec![Behaviour::AcceptThenHang]).await;
        let id = seed(&db, "Письмо").await;

        let mut first = worker_process(&test_db, &gateway);
        for _ in 0..200 {
            if !gateway.requests().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(gateway.requests().len(), 1, "the first worker sent the letter");
        // SIGKILL: no chance to record anything.
        first.kill().unwrap();
        first.wait().unwrap();
        assert_eq!(delivery_of(&db, id).await.state, DeliveryState::Claimed);

        let mut second = worker_process(&test_db, &gateway);
        let mut sent = false;
        for _ in 0..300 {
            if letter(&db, id).await.status == LetterStatus::Sent {
                sent = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        second.kill().unwrap();
        second.wait().unwrap();
        assert!(sent, "the restarted worker took over the expired claim");
        assert_eq!(gateway.requests().len(), 2, "sent again after the crash");
        assert_eq!(gateway.accepted_keys(), 1, "but the service took it once");
        let d = delivery_of(&db, id).await;
        assert_eq!((d.state, d.receipt.as_deref()), (DeliveryState::Sent, Some("R-1")));
        let l = letter(&db, id).await;
        let p = db.run(move |c| Ok::<_, DbError>(prisoners::find(c, l.prisoner_id)?.unwrap())).await.unwrap();
        assert_eq!(p.letters_sent_count, 1, "counted once");
    }
}

both_backends! {
    async fn serve_runs_a_delivery_worker_by_default(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let gateway = start_gateway(vec![]).await;
        let id = seed(&db, "Письмо").await;
        let mut server = konvert_command(&test_db, &gateway, "serve-data")
            .env("KONVERT_BIND", "127.0.0.1:0")
            .spawn()
            .unwrap();
        let mut sent = false;
        for _ in 0..200 {
            if letter(&db, id).await.status == LetterStatus::Sent {
                sent = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server.kill().unwrap();
        server.wait().unwrap();
        assert!(sent, "the worker inside serve sent the letter");
        assert_eq!(gateway.requests().len(), 1);
    }
}

/// A service with a bug: it panics on letters holding `trigger`, quoting
/// them (as a slicing bug would), and accepts the rest.
struct PanicsOn(&'static str);

impl konvert::delivery::gateway::LetterService for PanicsOn {
    fn submit<'a>(
        &'a self,
        submission: &'a Submission,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<
                    Output = Result<konvert::delivery::Accepted, konvert::delivery::Failure>,
                > + Send
                + 'a,
        >,
    > {
        Box::pin(async move {
            if submission.pages.iter().any(|p| p.contains(self.0)) {
                panic!("cannot split {:?}", submission.pages);
            }
            Ok(konvert::delivery::Accepted {
                receipt: Some("R-1".to_owned()),
                ..Default::default()
            })
        })
    }
}

both_backends! {
    async fn a_panicking_delivery_is_a_failed_attempt_and_the_worker_goes_on(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let broken = seed(&db, "Сломанное письмо").await;
        let fine = seed(&db, "Обычное письмо").await;
        let w = Worker::new(db.clone(), "w1")
            .with_policy(fast_policy(3))
            .with_service(Channel::FsinPismo, PanicsOn("Сломанное"));

        // The worker loop as `serve` runs it: it must outlive the panics.
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let running = tokio::spawn(w.run(Duration::from_millis(50), async move {
            let _ = stopped.await;
        }));
        for _ in 0..100 {
            if letter(&db, fine).await.status == LetterStatus::Sent
                && delivery_of(&db, broken).await.state == DeliveryState::Dead
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = stop.send(());
        running.await.expect("the worker stopped when told, not by a panic");

        assert_eq!(letter(&db, fine).await.status, LetterStatus::Sent, "the next delivery still went out");
        let d = delivery_of(&db, broken).await;
        assert_eq!((d.state, d.attempts), (DeliveryState::Dead, 3), "each panic counted as a failed attempt");
        let error = d.last_error.unwrap_or_default();
        assert!(error.contains("internal error"), "{error}");
        assert!(!error.contains("Сломанное"), "the letter is not quoted: {error}");
        assert_eq!(letter(&db, broken).await.status, LetterStatus::Queued);
    }
}

both_backends! {
    async fn the_worker_sends_only_letters_still_queued(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let gateway = start_gateway(vec![]).await;
        let rejected = seed(&db, "Отклонённое письмо").await;
        let held = seed(&db, "Письмо на время этапа").await;
        // As the old race left them: the letter decided otherwise, its row still pending.
        db.run(move |c| {
            use diesel::prelude::*;
            use konvert::db::schema::letters as l;
            diesel::update(l::table.find(rejected)).set(l::status.eq(LetterStatus::Rejected)).execute(c)?;
            diesel::update(l::table.find(held)).set(l::status.eq(LetterStatus::Held)).execute(c)?;
            Ok::<_, DbError>(())
        })
        .await
        .unwrap();
        drain(&worker(&db, "w1", &gateway, fast_policy(5))).await;
        assert!(gateway.requests().is_empty(), "nothing went to the service");
        assert_eq!(delivery_of(&db, rejected).await.state, DeliveryState::Cancelled);
        assert_eq!(letter(&db, rejected).await.status, LetterStatus::Rejected);
        assert_eq!(delivery_of(&db, held).await.state, DeliveryState::Held, "waits for the new address");
        assert_eq!(letter(&db, held).await.status, LetterStatus::Held);
    }
}

/// Sends SIGTERM to `child` and waits (bounded) for it to exit.
fn terminate(child: &mut std::process::Child) -> std::process::ExitStatus {
    let pid = child.id().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    for _ in 0..150 {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    panic!("did not stop within 15 s of SIGTERM");
}

both_backends! {
    async fn sigterm_stops_the_worker_and_the_server_cleanly(backend) {
        let Some(test_db) = TestDb::create(backend) else { return };
        let db = test_db.open();
        let gateway = start_gateway(vec![]).await;
        let id = seed(&db, "Письмо").await;

        let mut alone = worker_process(&test_db, &gateway);
        for _ in 0..200 {
            if letter(&db, id).await.status == LetterStatus::Sent {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(letter(&db, id).await.status, LetterStatus::Sent, "the worker was running");
        assert!(terminate(&mut alone).success(), "konvert worker exits cleanly on SIGTERM");

        let second = seed(&db, "Второе письмо").await;
        let mut server = konvert_command(&test_db, &gateway, "serve-data")
            .env("KONVERT_BIND", "127.0.0.1:0")
            .env("KONVERT_LOG", "info")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        for _ in 0..200 {
            if letter(&db, second).await.status == LetterStatus::Sent {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(letter(&db, second).await.status, LetterStatus::Sent, "serve's worker was running");
        assert!(terminate(&mut server).success(), "konvert serve exits cleanly on SIGTERM");
        let mut log = String::new();
        std::io::Read::read_to_string(server.stderr.as_mut().unwrap(), &mut log).unwrap();
        assert!(log.contains("delivery worker stopped"), "{log}");
    }
}

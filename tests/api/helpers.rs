//! Spawns the real application on a random port with a fresh database: a
//! SQLite file in a temporary directory, or a new PostgreSQL database when
//! KONVERT_TEST_POSTGRES_URL names a server.

use std::net::SocketAddr;
use std::path::PathBuf;

use diesel::{Connection, PgConnection, RunQueryDsl};
use konvert::config::Settings;
use konvert::db::{Db, DbTarget};
use konvert::startup::Application;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const TEST_PASSWORD: &str = "test password, long enough";

pub const POSTGRES_ENV: &str = "KONVERT_TEST_POSTGRES_URL";

/// A database of its own for one test, dropped when the test ends.
pub struct TestDb {
    pub target: DbTarget,
    pub dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// `None` for PostgreSQL when no server is configured: the test is skipped.
    pub fn create(backend: Backend) -> Option<TestDb> {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => Some(TestDb {
                target: DbTarget::Sqlite(dir.path().join("konvert.sqlite3")),
                dir,
                pg: None,
            }),
            Backend::Postgres => {
                let Ok(admin_url) = std::env::var(POSTGRES_ENV) else {
                    eprintln!("skipped: {POSTGRES_ENV} is not set");
                    return None;
                };
                let name = format!("konvert_test_{}", random_hex());
                let mut admin = PgConnection::establish(&admin_url)
                    .expect("connect to the test PostgreSQL server");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .expect("create test database");
                let mut url =
                    url::Url::parse(&admin_url).expect("KONVERT_TEST_POSTGRES_URL is a URL");
                url.set_path(&name);
                Some(TestDb {
                    target: DbTarget::Postgres(url.to_string()),
                    dir,
                    pg: Some((admin_url, name)),
                })
            }
        }
    }

    pub fn url(&self) -> String {
        match &self.target {
            DbTarget::Sqlite(path) => path.display().to_string(),
            DbTarget::Postgres(url) => url.clone(),
        }
    }

    pub fn open(&self) -> Db {
        Db::open(&self.target, 4).expect("open test database")
    }
}

impl TestDb {
    /// Drops a PostgreSQL test database while the app still uses it.
    pub fn drop_database(&self) {
        if let Some((admin_url, name)) = &self.pg {
            let mut admin = PgConnection::establish(admin_url).expect("connect");
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .expect("drop database");
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = &self.pg {
            if let Ok(mut admin) = PgConnection::establish(admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin);
            }
        }
    }
}

/// An e-mail as a test reads it.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The whole message as received, headers included.
    pub raw: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Mail {
    pub fn parse(raw: &[u8]) -> Mail {
        let message = mail_parser::MessageParser::default()
            .parse(raw)
            .expect("a parseable e-mail");
        let to = message
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_owned();
        Mail {
            raw: String::from_utf8_lossy(raw).into_owned(),
            to,
            subject: message.subject().unwrap_or_default().to_owned(),
            text: message
                .body_text(0)
                .map(|t| t.into_owned())
                .unwrap_or_default(),
            html: message
                .body_html(0)
                .map(|t| t.into_owned())
                .unwrap_or_default(),
        }
    }

    /// The first link in the text part that contains `marker`.
    pub fn link_containing(&self, marker: &str) -> Option<String> {
        self.text
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(marker))
            .map(str::to_owned)
    }
}

pub fn random_hex() -> String {
    use rand::Rng;
    format!("{:016x}", rand::thread_rng().gen::<u64>())
}

pub struct TestApp {
    pub address: String,
    pub jar: std::sync::Arc<reqwest::cookie::Jar>,
    pub db: Db,
    pub client: reqwest::Client,
    pub data_dir: PathBuf,
    // Kept so that the database lives as long as the app (the first client owns it).
    _test_db: Option<TestDb>,
}

pub fn test_settings(test_db: &TestDb) -> Settings {
    let raw = konvert::config::RawSettings {
        bind: Some("127.0.0.1:0".to_owned()),
        data_dir: Some(test_db.dir.path().join("data")),
        workers: Some(2),
        pool_size: Some(4),
        // Tests drive the worker themselves, so that they see each step.
        run_worker: Some(false),
        ..Default::default()
    };
    let mut settings = raw.resolve().expect("test settings");
    settings.database = test_db.target.clone();
    settings
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// Like `spawn_app`, with settings changed by `adjust` first.
pub async fn spawn_app_with(
    backend: Backend,
    adjust: impl FnOnce(&mut Settings),
) -> Option<TestApp> {
    let test_db = TestDb::create(backend)?;
    let mut settings = test_settings(&test_db);
    adjust(&mut settings);
    let data_dir = settings.data_dir.clone();
    let app = Application::build(settings).expect("build app");
    let address = format!("http://{}", SocketAddr::from(([127, 0, 0, 1], app.port())));
    let db = app.db().clone();
    tokio::spawn(app.run_until_stopped());
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(jar.clone())
        .build()
        .expect("http client");
    Some(TestApp {
        address,
        jar,
        db,
        client,
        data_dir,
        _test_db: Some(test_db),
    })
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub fn drop_database(&self) {
        if let Some(db) = &self._test_db {
            db.drop_database();
        }
    }

    /// The e-mails written to the outbox folder so far (no SMTP configured),
    /// parsed, oldest first.
    pub fn outbox(&self) -> Vec<Mail> {
        let dir = self.data_dir.join("outbox");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
            .iter()
            .map(|p| Mail::parse(&std::fs::read(p).unwrap()))
            .collect()
    }

    /// The value of a cookie the client holds, if any.
    pub fn cookie(&self, name: &str) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let url: reqwest::Url = self.address.parse().ok()?;
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|pair| pair.strip_prefix(&format!("{name}=")).map(str::to_owned))
    }

    /// The client's CSRF token, fetching a page first if it has none yet.
    pub async fn csrf(&self) -> String {
        if let Some(token) = self.cookie("konvert_csrf") {
            return token;
        }
        self.get("/").await;
        self.cookie("konvert_csrf")
            .expect("the server sets a CSRF cookie")
    }

    /// Posts a form with the client's CSRF token added, as a browser would.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf().await;
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.push(("csrf_token", &token));
        self.post_form_raw(path, &fields).await
    }

    /// Posts exactly the fields given.
    pub async fn post_form_raw(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("POST")
    }

    /// Creates an account directly in the database and signs in as it.
    pub async fn sign_in_as(
        &self,
        email: &str,
        role: konvert::db::users::Role,
    ) -> konvert::db::users::User {
        let user = self.create_user(email, role).await;
        let res = self
            .post_form("/login", &[("email", email), ("password", TEST_PASSWORD)])
            .await;
        assert_eq!(res.status(), 303, "sign-in as {email}");
        user
    }

    pub async fn create_user(
        &self,
        email: &str,
        role: konvert::db::users::Role,
    ) -> konvert::db::users::User {
        let hash = konvert::accounts::hash_password(TEST_PASSWORD).unwrap();
        let input = konvert::accounts::AccountInput {
            email: email.to_owned(),
            display_name: email.split('@').next().unwrap_or(email).to_owned(),
            password: TEST_PASSWORD.to_owned(),
        };
        self.db
            .run(move |conn| {
                konvert::accounts::create_user(conn, &input, hash, role, None, konvert::db::now())
                    .map_err(|e| match e {
                        konvert::accounts::CreateError::Db(e) => konvert::db::DbError::Query(e),
                        konvert::accounts::CreateError::EmailTaken => {
                            konvert::db::DbError::Query(diesel::result::Error::NotFound)
                        }
                    })
            })
            .await
            .expect("create user")
    }
}

/// Declares one test per backend: `name::sqlite` and `name::postgres`. The
/// body gets `backend: Backend`.
#[macro_export]
macro_rules! both_backends {
    ($(#[$meta:meta])* async fn $name:ident($backend:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($backend: $crate::helpers::Backend) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::helpers::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run($crate::helpers::Backend::Postgres).await
            }
        }
    };
}

/// A second browser-like client for the same app (its own cookies), for
/// tests where two people act.
pub fn spawn_client(app: &TestApp) -> Option<TestApp> {
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(jar.clone())
        .build()
        .ok()?;
    Some(TestApp {
        address: app.address.clone(),
        jar,
        db: app.db.clone(),
        client,
        data_dir: app.data_dir.clone(),
        _test_db: None,
    })
}

impl TestApp {
    /// Creates another account and signs it in with a client of its own.
    pub async fn other_client(
        &self,
        email: &str,
        role: konvert::db::users::Role,
    ) -> (konvert::db::users::User, TestApp) {
        let other = spawn_client(self).expect("http client");
        let user = other.sign_in_as(email, role).await;
        (user, other)
    }
}

/// Records that `prisoner_id` is held at `facility_id` from `now`, address confirmed.
pub fn place_at(
    c: &mut konvert::db::DbConn,
    prisoner_id: i64,
    facility_id: i64,
    now: chrono::NaiveDateTime,
) -> diesel::QueryResult<konvert::db::placements::Placement> {
    konvert::db::placements::transfer(
        c,
        &konvert::db::placements::NewPlacement {
            prisoner_id,
            facility_id: Some(facility_id),
            started_on: None,
            address_confirmed_at: Some(now),
            source: None,
            notes: String::new(),
            created_by: None,
        },
        now.date(),
        now,
    )
}

/// A volunteer's letter, written and submitted through the composer.
pub async fn submitted_letter(writer: &TestApp, prisoner_id: i64, body: &str) -> i64 {
    let pid = prisoner_id.to_string();
    let res = writer
        .post_form(
            "/letters",
            &[
                ("prisoner", &pid),
                ("channel", "fsin_pismo"),
                ("body", body),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "submitted");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    location
        .trim_start_matches("/letters/")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Moves the prisoner to `facility_id` from `now`, or into transit when
/// `None`; the new address is not confirmed yet.
pub fn move_to(
    c: &mut konvert::db::DbConn,
    prisoner_id: i64,
    facility_id: Option<i64>,
    now: chrono::NaiveDateTime,
) -> diesel::QueryResult<konvert::db::placements::Placement> {
    konvert::db::placements::transfer(
        c,
        &konvert::db::placements::NewPlacement {
            prisoner_id,
            facility_id,
            started_on: None,
            address_confirmed_at: None,
            source: None,
            notes: String::new(),
            created_by: None,
        },
        now.date(),
        now,
    )
}

/// Someone who can be written to, held at a facility of their own; their id.
pub fn someone_held(c: &mut konvert::db::DbConn, surname: &str) -> diesel::QueryResult<i64> {
    someone_held_in(c, surname, "RU")
}

/// Someone who can be written to, held at a facility of their own in
/// `country` (an ISO code); their id.
pub fn someone_held_in(
    c: &mut konvert::db::DbConn,
    surname: &str,
    country: &str,
) -> diesel::QueryResult<i64> {
    let now = konvert::db::now();
    let facility = konvert::db::facilities::insert(
        c,
        &konvert::db::facilities::FacilityForm {
            country: country.into(),
            name: "ИК".into(),
            ..Default::default()
        },
        now,
    )?;
    let id = konvert::db::prisoners::insert(
        c,
        &konvert::db::prisoners::PrisonerForm::new(surname, "Илья", None),
        now,
    )?
    .id;
    place_at(c, id, facility.id, now)?;
    Ok(id)
}

/// A letter `writer` wrote and signed to `prisoner` at `facility`, queued
/// for `channel` with its outbox row, as approval leaves it. The letter and
/// its row.
pub fn queued_letter_from(
    c: &mut konvert::db::DbConn,
    writer: &konvert::db::users::User,
    prisoner: &konvert::db::prisoners::Prisoner,
    facility: &konvert::db::facilities::Facility,
    body: &str,
    channel: konvert::db::letters::Channel,
    reply_blank: bool,
) -> diesel::QueryResult<(
    konvert::db::letters::Letter,
    konvert::db::deliveries::Delivery,
)> {
    use konvert::db::letters::{self, LetterStatus, NewLetter};
    let now = konvert::db::now();
    let letter = letters::insert(
        c,
        &NewLetter {
            writer_id: writer.id,
            prisoner_id: prisoner.id,
            placement_id: None,
            address_snapshot: serde_json::to_string(&konvert::address::record(
                prisoner,
                Some(facility),
            ))
            .ok(),
            language: "ru".into(),
            body: body.into(),
            channel,
            status: LetterStatus::Queued,
            pen_name: Some(writer.display_name.clone()),
            reply_blank,
            reply_code: Some(letters::new_reply_code(&mut rand::thread_rng())),
            created_at: now,
            updated_at: now,
        },
    )?;
    let delivery = konvert::db::deliveries::enqueue_letter(c, letter.id, channel, now)?;
    Ok((letter, delivery))
}

/// Puts a letter in `status` whatever it is in now, stamping that status's
/// time: for fixtures that need a letter at some point of its life. The app
/// itself moves letters only along the lifecycle (`letters::set_status`).
pub fn force_letter_status(
    c: &mut konvert::db::DbConn,
    id: i64,
    status: konvert::db::letters::LetterStatus,
    at: chrono::NaiveDateTime,
) -> diesel::QueryResult<()> {
    use konvert::db::letters::{self, LetterStatus};
    if letters::move_status(c, id, LetterStatus::ALL, status, at)? {
        Ok(())
    } else {
        Err(diesel::result::Error::NotFound)
    }
}

/// The confirmation the page after a change shows, if any.
pub fn flash(html: &str) -> Option<&str> {
    let start = html.find("class=\"flash\"")?;
    let text = &html[start..];
    let open = text.find('>')? + 1;
    let close = text.find("</p>")?;
    text.get(open..close)
}

/// Follows a 303 and returns the page it leads to.
pub async fn follow(app: &TestApp, res: reqwest::Response) -> String {
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let res = app.get(&location).await;
    assert_eq!(res.status(), 200, "{location}");
    res.text().await.unwrap()
}

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

pub fn random_hex() -> String {
    use rand::Rng;
    format!("{:016x}", rand::thread_rng().gen::<u64>())
}

pub struct TestApp {
    pub address: String,
    pub jar: std::sync::Arc<reqwest::cookie::Jar>,
    pub db: Db,
    pub client: reqwest::Client,
    #[allow(dead_code)]
    pub data_dir: PathBuf,
    // Kept so that the database lives as long as the app.
    _test_db: TestDb,
}

pub fn test_settings(test_db: &TestDb) -> Settings {
    let raw = konvert::config::RawSettings {
        bind: Some("127.0.0.1:0".to_owned()),
        data_dir: Some(test_db.dir.path().join("data")),
        workers: Some(2),
        pool_size: Some(4),
        ..Default::default()
    };
    let mut settings = raw.resolve().expect("test settings");
    settings.database = test_db.target.clone();
    settings
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    let test_db = TestDb::create(backend)?;
    let settings = test_settings(&test_db);
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
        _test_db: test_db,
    })
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
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

/// A second browser on the same app, for tests that need two people at once.
pub struct OtherClient {
    pub address: String,
    pub jar: std::sync::Arc<reqwest::cookie::Jar>,
    pub client: reqwest::Client,
}

impl OtherClient {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    fn csrf_cookie(&self) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let url: reqwest::Url = self.address.parse().ok()?;
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|pair| pair.strip_prefix("konvert_csrf=").map(str::to_owned))
    }

    /// Posts a form with this client's CSRF token added.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        if self.csrf_cookie().is_none() {
            self.get("/").await;
        }
        let token = self.csrf_cookie().expect("the server sets a CSRF cookie");
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.push(("csrf_token", &token));
        self.client
            .post(self.url(path))
            .form(&fields)
            .send()
            .await
            .expect("POST")
    }
}

impl TestApp {
    /// Creates another account and signs it in with a client of its own.
    pub async fn other_client(
        &self,
        email: &str,
        role: konvert::db::users::Role,
    ) -> (konvert::db::users::User, OtherClient) {
        let user = self.create_user(email, role).await;
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar.clone())
            .build()
            .expect("http client");
        let other = OtherClient {
            address: self.address.clone(),
            jar,
            client,
        };
        let res = other
            .post_form("/login", &[("email", email), ("password", TEST_PASSWORD)])
            .await;
        assert_eq!(res.status(), 303, "sign-in as {email}");
        (user, other)
    }
}

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
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("http client");
    Some(TestApp {
        address,
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

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("POST")
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

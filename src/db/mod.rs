//! The database: one code path for SQLite and PostgreSQL.
//!
//! `DbConn` is diesel's multi-backend connection; queries in the table modules
//! take `&mut DbConn` and run unchanged on either backend. `Db` owns the pool
//! and is the one way async code reaches it: `db.run(|conn| …)` checks out a
//! connection and runs the closure on the blocking thread pool.

pub mod attention;
pub mod audit;
pub mod deliveries;
pub mod facilities;
pub mod invitations;
pub mod letters;
pub mod migrations;
pub mod notifications;
pub mod placements;
pub mod prisoners;
pub mod reminders;
pub mod replies;
pub mod schema;
pub mod sessions;
pub mod site_settings;
pub mod starter_texts;
pub mod text_enum;
pub mod users;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::r2d2::{ManageConnection, R2D2Connection};
use diesel::{Connection, PgConnection, Selectable, SqliteConnection};

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database to use, parsed from `KONVERT_DATABASE_URL`.
#[derive(Clone, PartialEq, Eq)]
pub enum DbTarget {
    Sqlite(PathBuf),
    Postgres(String),
}

impl fmt::Debug for DbTarget {
    // PostgreSQL URLs may carry a password; never print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbTarget::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            DbTarget::Postgres(url) => write!(f, "{}", redact_password(url)),
        }
    }
}

fn redact_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "postgres://(unparseable)".to_owned(),
    }
}

impl DbTarget {
    /// Accepts `postgres://…`, `postgresql://…`, `sqlite://PATH`, `sqlite:PATH`
    /// or a plain file path.
    pub fn parse(url: &str) -> Result<DbTarget, String> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let parsed =
                url::Url::parse(url).map_err(|e| format!("not a valid PostgreSQL URL ({e})"))?;
            if parsed.host_str().is_none_or(str::is_empty) && !url.contains("host=") {
                return Err("the PostgreSQL URL names no host".to_owned());
            }
            return Ok(DbTarget::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.is_empty() {
            return Err("empty database path".to_owned());
        }
        if path == ":memory:" {
            return Err(
                "an in-memory SQLite database cannot be shared by a pool; name a file".to_owned(),
            );
        }
        if let Some((scheme, _)) = path.split_once("://") {
            return Err(format!(
                "unsupported scheme {scheme:?}: use a SQLite file path, sqlite://PATH or postgres://…"
            ));
        }
        Ok(DbTarget::Sqlite(PathBuf::from(path)))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DbTarget::Sqlite(_) => "SQLite",
            DbTarget::Postgres(_) => "PostgreSQL",
        }
    }

    /// Opens one connection, set up as every pooled connection is.
    pub fn connect(&self) -> Result<DbConn, diesel::ConnectionError> {
        match self {
            DbTarget::Postgres(url) => PgConnection::establish(url).map(DbConn::Postgres),
            DbTarget::Sqlite(path) => {
                let path = path.to_string_lossy();
                let mut conn = SqliteConnection::establish(&path)?;
                // WAL lets readers run beside the one writer; busy_timeout makes
                // a second writer wait instead of failing; NORMAL is durable
                // across application crashes under WAL. A 16 MiB page cache per
                // connection (the default is 2 MiB) keeps the pages every
                // request reads (indexes, the facility list) in memory.
                diesel::connection::SimpleConnection::batch_execute(
                    &mut conn,
                    "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                     PRAGMA cache_size = -16384;",
                )
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

/// Hands out connections for the r2d2 pool, choosing the backend from the
/// target rather than by trying each (which would hide the real error).
pub struct Manager {
    target: DbTarget,
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        self.target
            .connect()
            .map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

pub type Pool = diesel::r2d2::Pool<Manager>;

/// Errors from reaching the database, as opposed to a query's own result.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("database: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("database task was cancelled")]
    Cancelled,
}

/// The pool, shared by the web handlers and the worker.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    target: DbTarget,
    /// One permit per pooled connection: see `run`.
    slots: std::sync::Arc<tokio::sync::Semaphore>,
}

impl Db {
    /// Migrates with a single connection first, so that an unreachable server
    /// or a bad path is reported with the driver's own message, then opens the pool.
    pub fn open(target: &DbTarget, pool_size: u32) -> anyhow::Result<Db> {
        use anyhow::Context;
        if let DbTarget::Sqlite(path) = target {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).with_context(|| {
                    format!("cannot create the database directory {}", dir.display())
                })?;
            }
        }
        let mut conn = target.connect().with_context(|| {
            format!(
                "cannot open the {} database {target:?}",
                target.backend_name()
            )
        })?;
        migrations::run(&mut conn).map_err(|e| {
            anyhow::anyhow!("cannot migrate the {} database: {e}", target.backend_name())
        })?;
        drop(conn);
        let pool = diesel::r2d2::Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(1))
            // A server connection can drop, so it is checked before use; a
            // SQLite file cannot, and the check would be a query per request.
            .test_on_check_out(matches!(target, DbTarget::Postgres(_)))
            .connection_timeout(Duration::from_secs(10))
            .build(Manager {
                target: target.clone(),
            })
            .context("cannot open the database pool")?;
        Ok(Db {
            pool,
            target: target.clone(),
            slots: std::sync::Arc::new(tokio::sync::Semaphore::new(pool_size.max(1) as usize)),
        })
    }

    pub fn target(&self) -> &DbTarget {
        &self.target
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        // Waiting for a connection happens here, on the async side: a
        // blocking thread started without one would only sleep in the pool,
        // and under load dozens of them woke and switched for nothing. The
        // permit moves into the blocking task, so a request that is dropped
        // still holds it until its database work has finished.
        let slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| DbError::Cancelled)?;
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            let mut conn = pool.get().map_err(DbError::from)?;
            f(&mut conn)
        })
        .await
        .map_err(|_| DbError::Cancelled)?
    }

    /// A connection for synchronous callers (the CLI, tests).
    pub fn get(&self) -> Result<diesel::r2d2::PooledConnection<Manager>, DbError> {
        Ok(self.pool.get()?)
    }
}

/// Runs `f` in a write transaction. On SQLite it begins IMMEDIATE, taking the
/// write lock up front: a deferred transaction that reads and then writes can
/// fail with SQLITE_BUSY when another writer got there first, and busy_timeout
/// cannot help it.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Postgres(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match f(conn) {
        Ok(value) => {
            DbConn::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            // The closure's error is the one worth reporting; a failed rollback
            // leaves the connection marked broken and the pool discards it.
            let _ = DbConn::rollback_transaction(conn);
            Err(e)
        }
    }
}

/// The count for `key` in grouped counts such as `letters::count_by_status`;
/// zero when the group is absent.
pub fn count_of<K: PartialEq>(counts: &[(K, i64)], key: K) -> i64 {
    counts
        .iter()
        .find(|(k, _)| *k == key)
        .map_or(0, |(_, n)| *n)
}

/// The current time in UTC, at microsecond precision so that a value read back
/// from either backend equals the one written.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{DurationRound, TimeDelta};
    let now = chrono::Utc::now().naive_utc();
    now.duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(now)
}

/// The columns of a row struct, for `RETURNING`. (`as_returning()` is tied to
/// one backend and does not compile through the multi-backend connection.)
pub fn columns_of<T: Selectable<MultiBackend>>() -> T::SelectExpression {
    T::construct_selection()
}

/// True when `e` is a unique-constraint violation (a duplicate key).
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_the_backend() {
        assert_eq!(
            DbTarget::parse("postgres://u@localhost/k").unwrap(),
            DbTarget::Postgres("postgres://u@localhost/k".into())
        );
        assert_eq!(
            DbTarget::parse("sqlite://data/k.db").unwrap(),
            DbTarget::Sqlite("data/k.db".into())
        );
        assert_eq!(
            DbTarget::parse("k.db").unwrap(),
            DbTarget::Sqlite("k.db".into())
        );
        assert!(DbTarget::parse("mysql://x").is_err());
        assert!(DbTarget::parse("sqlite::memory:").is_err());
        assert!(DbTarget::parse("postgres://").is_err());
    }

    #[test]
    fn debug_output_hides_the_password() {
        let t = DbTarget::parse("postgres://konvert:s3cret@db.example/konvert").unwrap();
        let shown = format!("{t:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}

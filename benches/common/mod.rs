//! What the benchmarks share: a fresh database of their own.

use anyhow::Context;
use diesel::{Connection, PgConnection, RunQueryDsl};
use konvert::db::DbTarget;

/// The allocator the `konvert` binary uses (see src/main.rs), so that the
/// servers a benchmark starts allocate as the real one does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A database of the benchmark's own, removed when it ends.
pub struct BenchDb {
    pub target: DbTarget,
    _dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl BenchDb {
    pub fn create(postgres: Option<&str>) -> anyhow::Result<BenchDb> {
        let dir = tempfile::tempdir()?;
        let Some(admin_url) = postgres else {
            return Ok(BenchDb {
                target: DbTarget::Sqlite(dir.path().join("konvert.sqlite3")),
                _dir: dir,
                pg: None,
            });
        };
        let name = format!("konvert_bench_{}", std::process::id());
        let mut admin = PgConnection::establish(admin_url).context("connect to PostgreSQL")?;
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)?;
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin)?;
        let mut url = url::Url::parse(admin_url)?;
        url.set_path(&name);
        Ok(BenchDb {
            target: DbTarget::Postgres(url.to_string()),
            _dir: dir,
            pg: Some((admin_url.to_owned(), name)),
        })
    }

    /// A folder of the run's own for files (data dirs, outboxes), removed with it.
    pub fn dir(&self, name: &str) -> std::path::PathBuf {
        self._dir.path().join(name)
    }

    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir("data")
    }
}

impl Drop for BenchDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = &self.pg {
            if let Ok(mut admin) = PgConnection::establish(admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin);
            }
        }
    }
}

//! The two migration folders must describe the same history.

use std::collections::BTreeSet;
use std::path::Path;

fn names(dir: &str) -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dir);
    std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn sqlite_and_postgres_migrations_have_the_same_names() {
    let sqlite = names("sqlite");
    let postgres = names("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(
        sqlite, postgres,
        "migrations/sqlite and migrations/postgres differ"
    );
}

#[test]
fn every_migration_has_an_up_and_a_down_script() {
    for backend in ["sqlite", "postgres"] {
        for name in names(backend) {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(backend)
                .join(&name);
            for file in ["up.sql", "down.sql"] {
                assert!(
                    dir.join(file).is_file(),
                    "{backend}/{name}/{file} is missing"
                );
            }
        }
    }
}

#[test]
fn both_backends_create_the_same_tables_and_columns() {
    // Compare the column names each CREATE TABLE declares, per table.
    fn columns(backend: &str) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        for name in names(backend) {
            let sql = std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("migrations")
                    .join(backend)
                    .join(&name)
                    .join("up.sql"),
            )
            .unwrap();
            for block in sql.split("CREATE TABLE ").skip(1) {
                let table = block.split_whitespace().next().unwrap().to_owned();
                let body = &block[block.find('(').unwrap() + 1..block.find("\n);").unwrap()];
                let cols = body
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with("UNIQUE") && !l.starts_with("--"))
                    .map(|l| l.split_whitespace().next().unwrap().to_owned())
                    .collect();
                out.push((table, cols));
            }
        }
        out
    }
    assert_eq!(columns("sqlite"), columns("postgres"));
}

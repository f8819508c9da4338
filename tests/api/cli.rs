//! The `konvert` binary as a person runs it: serving on a fresh data
//! directory, the locale tools, and one clear line for every bad setting.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::*;

pub(crate) fn konvert() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_konvert"));
    // The tests decide every setting; nothing leaks in from the developer's shell.
    for key in konvert::config::Settings::env_keys() {
        cmd.env_remove(key);
    }
    cmd.env_remove("KONVERT_CONFIG");
    cmd.env("KONVERT_LOG", "info");
    cmd
}

fn run_with_stdin(mut cmd: Command, stdin: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The command may exit before reading (a bad flag); a broken pipe is fine then.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A failed start: non-zero exit, one line on stderr that says `needle`, no panic.
fn assert_one_line_failure(o: &Output, needle: &str) {
    let err = stderr(o);
    assert!(
        !o.status.success(),
        "expected failure, got success; stderr: {err}"
    );
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line, got: {err}");
    assert!(lines[0].starts_with("konvert: "), "{err}");
    assert!(lines[0].contains(needle), "expected {needle:?} in: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `konvert` (no arguments) and waits for the address it listens on
/// and the first-admin link, reading both output streams (whose lines may
/// arrive in either order).
fn start_server(mut cmd: Command) -> (Server, String, Option<String>) {
    let mut child = cmd
        .env("KONVERT_BIND", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let err = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let tx2 = tx.clone();
    std::thread::spawn(move || {
        BufReader::new(out)
            .lines()
            .map_while(Result::ok)
            .for_each(|l| drop(tx.send(l)))
    });
    std::thread::spawn(move || {
        BufReader::new(err)
            .lines()
            .map_while(Result::ok)
            .for_each(|l| drop(tx2.send(l)))
    });
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    let (mut address, mut link) = (None, None);
    let mut seen = Vec::new();
    while Instant::now() < deadline && (address.is_none() || link.is_none()) {
        let Ok(line) = rx.recv_timeout(Duration::from_millis(500)) else {
            continue;
        };
        if let Some(rest) = line.split("listening on ").nth(1) {
            address = rest.split_whitespace().next().map(str::to_owned);
        }
        if line.contains("/setup/") {
            link = Some(line.trim().to_owned());
        }
        seen.push(line);
    }
    let address = address.unwrap_or_else(|| panic!("server did not start: {seen:#?}"));
    (server, address, link)
}

fn fresh_serve_creates_database_answers_health_and_prints_link(backend: Backend) {
    let Some(test_db) = TestDb::create(backend) else {
        return;
    };
    let data_dir = test_db.dir.path().join("fresh-data");
    let mut cmd = konvert();
    cmd.env("KONVERT_DATA_DIR", &data_dir);
    if backend == Backend::Postgres {
        cmd.env("KONVERT_DATABASE_URL", test_db.url());
    }
    let (_server, address, link) = start_server(cmd);
    if backend == Backend::Sqlite {
        assert!(
            data_dir.join("konvert.sqlite3").is_file(),
            "the database is created under the data directory"
        );
    }
    let link = link.expect("the first-admin link is printed");
    assert!(
        link.starts_with("http://127.0.0.1:") && link.contains("/setup/"),
        "{link}"
    );

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let health = reqwest::get(format!("{address}/healthz")).await.unwrap();
        assert_eq!(health.status(), 200);
        let path = &link[link.find("/setup/").unwrap()..];
        let form = reqwest::get(format!("{address}{path}")).await.unwrap();
        assert_eq!(form.status(), 200, "the printed link opens the form");
    });
}

#[test]
fn serve_on_a_fresh_sqlite_data_dir_migrates_and_prints_the_setup_link() {
    fresh_serve_creates_database_answers_health_and_prints_link(Backend::Sqlite);
}

#[test]
fn serve_on_a_fresh_postgres_database_migrates_and_prints_the_setup_link() {
    fresh_serve_creates_database_answers_health_and_prints_link(Backend::Postgres);
}

#[test]
fn an_unparseable_database_url_is_one_line_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let o = konvert()
        .args(["migrate"])
        .env("KONVERT_DATA_DIR", dir.path())
        .env("KONVERT_DATABASE_URL", "mysql://root@localhost/konvert")
        .output()
        .unwrap();
    assert_one_line_failure(&o, "KONVERT_DATABASE_URL");
    let o = konvert()
        .env("KONVERT_DATABASE_URL", "postgres://u:p@[::1/x")
        .output()
        .unwrap();
    assert_one_line_failure(&o, "KONVERT_DATABASE_URL");
}

#[test]
fn an_unreachable_database_is_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1.
    let o = konvert()
        .env("KONVERT_DATA_DIR", dir.path())
        .env(
            "KONVERT_DATABASE_URL",
            "postgres://konvert:secret@127.0.0.1:1/konvert?connect_timeout=5",
        )
        .output()
        .unwrap();
    assert_one_line_failure(&o, "cannot open the PostgreSQL database");
    assert!(
        !stderr(&o).contains("secret"),
        "the password is never printed: {}",
        stderr(&o)
    );
}

#[test]
fn a_port_in_use_is_one_line_naming_the_address() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let o = konvert()
        .env("KONVERT_DATA_DIR", dir.path())
        .env("KONVERT_BIND", &addr)
        .output()
        .unwrap();
    assert_one_line_failure(&o, &format!("cannot listen on {addr}"));
}

#[test]
fn an_unusable_data_dir_is_one_line_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let o = konvert()
        .env("KONVERT_DATA_DIR", file.join("data"))
        .output()
        .unwrap();
    assert_one_line_failure(&o, "KONVERT_DATA_DIR");
}

#[test]
fn bad_settings_values_and_config_files_are_one_line() {
    let o = konvert()
        .env("KONVERT_BIND", "everywhere")
        .output()
        .unwrap();
    assert_one_line_failure(&o, "KONVERT_BIND");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("konvert.toml");
    std::fs::write(&config, "bnid = \"127.0.0.1:1\"\n").unwrap();
    let o = konvert()
        .arg("--config")
        .arg(&config)
        .arg("migrate")
        .output()
        .unwrap();
    assert_one_line_failure(&o, "config file");
    let o = konvert()
        .arg("--config")
        .arg(dir.path().join("missing.toml"))
        .output()
        .unwrap();
    assert_one_line_failure(&o, "missing.toml");
}

#[test]
fn a_config_file_sets_what_the_environment_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("konvert.toml");
    let db_path = dir.path().join("from-config.sqlite3");
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\ndatabase_url = {:?}\n",
            dir.path().join("d"),
            db_path
        ),
    )
    .unwrap();
    let o = konvert()
        .arg("--config")
        .arg(&config)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(db_path.is_file());
    assert!(stdout(&o).contains("up to date"));
}

#[test]
fn user_create_reads_the_password_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = konvert();
    cmd.env("KONVERT_DATA_DIR", dir.path()).args([
        "user",
        "create",
        "--email",
        "Coord@Example.org",
        "--role",
        "coordinator",
    ]);
    let o = run_with_stdin(cmd, "a long enough password\n");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("coord@example.org (coordinator)"),
        "{}",
        stdout(&o)
    );

    let mut again = konvert();
    again.env("KONVERT_DATA_DIR", dir.path()).args([
        "user",
        "create",
        "--email",
        "coord@example.org",
        "--role",
        "admin",
    ]);
    let o = run_with_stdin(again, "a long enough password\n");
    assert_eq!(o.status.code(), Some(2));
    assert_one_line_failure(&o, "exists already");

    let mut short = konvert();
    short.env("KONVERT_DATA_DIR", dir.path()).args([
        "user",
        "create",
        "--email",
        "x@example.org",
        "--role",
        "volunteer",
    ]);
    let o = run_with_stdin(short, "short\n");
    assert_eq!(o.status.code(), Some(2));
    assert_one_line_failure(&o, "password");
}

#[test]
fn demo_command_loads_the_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let o = konvert()
        .env("KONVERT_DATA_DIR", dir.path())
        .arg("demo")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("30 prisoners"), "{}", stdout(&o));
    let o = konvert()
        .env("KONVERT_DATA_DIR", dir.path())
        .arg("demo")
        .output()
        .unwrap();
    assert_one_line_failure(&o, "loaded already");
}

#[test]
fn demo_command_generates_a_dataset_of_the_asked_size() {
    let dir = tempfile::tempdir().unwrap();
    let o = konvert()
        .env("KONVERT_DATA_DIR", dir.path())
        .args([
            "demo",
            "--prisoners",
            "50",
            "--letters",
            "400",
            "--seed",
            "3",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("50 prisoners"), "{}", stdout(&o));
    assert!(stdout(&o).contains("400 letters"), "{}", stdout(&o));
    assert!(stderr(&o).contains("loaded in"), "{}", stderr(&o));
    let o = konvert()
        .env("KONVERT_DATA_DIR", dir.path())
        .args(["demo", "--prisoners", "50", "--letters", "400"])
        .output()
        .unwrap();
    assert_one_line_failure(&o, "loaded already");
}

#[test]
fn demo_command_refuses_bad_sizes_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    for (args, needle) in [
        (&["--letters", "10"][..], "--prisoners"),
        (&["--prisoners", "0", "--letters", "10"][..], "at least 1"),
        (&["--prisoners", "ten"][..], "whole number"),
        (&["--prisoners", "10", "--letters", "-1"][..], "--letters"),
        (&["--prisoners", "10", "--seed", "x"][..], "--seed"),
    ] {
        let o = konvert()
            .env("KONVERT_DATA_DIR", dir.path())
            .arg("demo")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert_one_line_failure(&o, needle);
    }
    assert!(
        !dir.path().join("konvert.sqlite3").exists(),
        "bad flags are refused before the database is touched"
    );
}

const SEED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/address_seed.json"
));

#[test]
fn locale_commands_print_the_fixture_forms() {
    let o = konvert()
        .args(["decline", "Русских Андрей Владимирович"])
        .output()
        .unwrap();
    assert_eq!(stdout(&o).trim(), "Русских Андрею Владимировичу");
    let o = konvert()
        .args(["decline", "--gender", "female", "Казак Зинаида"])
        .output()
        .unwrap();
    assert_eq!(stdout(&o).trim(), "Казак Зинаиде");
    let o = konvert()
        .args(["translit", "--scheme", "be-icao", "Віктар Бабарыка"])
        .output()
        .unwrap();
    assert_eq!(stdout(&o).trim(), "Viktar Babaryka");

    let seed: serde_json::Value = serde_json::from_str(SEED).unwrap();
    for style in ["line", "english"] {
        let mut cmd = konvert();
        cmd.args(["address", "--style", style]);
        let o = run_with_stdin(cmd, SEED);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stdout(&o).trim(), seed["expected"][style].as_str().unwrap());
    }
    let mut cmd = konvert();
    cmd.args(["address", "--style", "envelope", "--from", "DE"]);
    let o = run_with_stdin(cmd, SEED);
    assert!(o.status.success(), "{}", stderr(&o));
    let envelope = stdout(&o);
    assert!(envelope.trim_end().ends_with("RUSSLAND"), "{envelope}");
    assert!(envelope.lines().count() > 3);
}

#[test]
fn locale_commands_reject_bad_input_with_exit_2_and_one_line() {
    let o = konvert()
        .args(["translit", "--scheme", "klingon", "x"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_one_line_failure(&o, "klingon");
    let o = konvert().args(["decline", ""]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_one_line_failure(&o, "");
    for input in [
        "",
        "{not json",
        "[1,2]",
        r#"{"person": {"surname": "Русских"}}"#,
    ] {
        let mut cmd = konvert();
        cmd.args(["address", "--style", "line"]);
        let o = run_with_stdin(cmd, input);
        assert_eq!(o.status.code(), Some(2), "input {input:?}: {}", stderr(&o));
        assert_one_line_failure(&o, "");
    }
    let mut cmd = konvert();
    cmd.args(["address", "--style", "sideways"]);
    let o = run_with_stdin(cmd, SEED);
    assert_eq!(o.status.code(), Some(2));
    assert_one_line_failure(&o, "sideways");
}

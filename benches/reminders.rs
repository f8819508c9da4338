//! Reminders at scale (issue 8): 10,000 supporters whose weekly digest is
//! due at once. Measures the scan that finds and enqueues them, then the
//! worker delivering them to a local SMTP sink (aiosmtpd, discarding), against
//! a plain lettre loop sending the same number of messages to the same sink
//! in the same run.
//!
//! ```sh
//! pip install aiosmtpd
//! cargo bench --bench reminders                       # SQLite, 10,000 supporters
//! cargo bench --bench reminders -- --supporters 2000 --send 500
//! cargo bench --bench reminders -- --postgres postgres://postgres@127.0.0.1:5432/postgres
//! ```
//!
//! The report is printed and written to `benches/reports/reminders-<backend>.md`.
//! Nothing here asserts a time.

mod common;

use std::fmt::Write as _;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chrono::{Datelike, TimeDelta};
use common::BenchDb;
use konvert::dashboard::dates::LeadTimes;
use konvert::db::facilities::{self, FacilityForm};
use konvert::db::placements::{self, NewPlacement};
use konvert::db::prisoners::{self, PrisonerForm};
use konvert::db::users::{self, NewUser, Role};
use konvert::db::{self, Db, DbError};
use konvert::delivery::worker::{Reminders, Worker};
use konvert::mail::Mailer;
use konvert::reminders::scan;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

struct Sink(Child, u16);

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_sink() -> anyhow::Result<Sink> {
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = Command::new("python3")
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Sink",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("start aiosmtpd (pip install aiosmtpd)")?;
    let sink = Sink(child, port);
    for _ in 0..300 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(sink);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("aiosmtpd did not start; is it installed? (pip install aiosmtpd)")
}

/// The coming Wednesday at noon UTC: every weekly digest is due then.
fn midweek() -> chrono::NaiveDateTime {
    let now = db::now();
    let ahead = (9 - i64::from(now.date().weekday().num_days_from_monday())) % 7;
    let noon = (now.date() + TimeDelta::days(ahead))
        .and_hms_opt(12, 0, 0)
        .unwrap_or(now);
    if noon < now {
        noon + TimeDelta::days(7)
    } else {
        noon
    }
}

fn main() -> anyhow::Result<()> {
    let mut supporters = 10_000usize;
    // Delivery is timed over this many e-mails: the sink, not Konvert, sets
    // the pace, and a sample gives the same rates in a fraction of the time.
    let mut send = 2_000usize;
    let mut postgres = std::env::var("KONVERT_BENCH_POSTGRES_URL").ok();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--supporters" => {
                supporters = args
                    .next()
                    .context("--supporters needs a number")?
                    .replace('_', "")
                    .parse()?
            }
            "--send" => {
                send = args
                    .next()
                    .context("--send needs a number")?
                    .replace('_', "")
                    .parse()?
            }
            "--postgres" => postgres = Some(args.next().context("--postgres needs a URL")?),
            "--bench" => {}
            other => bail!("unknown argument {other}"),
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(supporters, send, postgres))
}

async fn run(supporters: usize, send: usize, postgres: Option<String>) -> anyhow::Result<()> {
    let backend = if postgres.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    let sink = start_sink()?;
    let database = BenchDb::create(postgres.as_deref())?;
    let db = Db::open(&database.target, 8)?;

    eprintln!("seeding {supporters} supporters…");
    let n = supporters;
    db.run(move |c| {
        db::write_tx(c, |c| {
            let now = db::now();
            let f = facilities::insert(
                c,
                &FacilityForm {
                    country: "RU".into(),
                    name: "ИК-1".into(),
                    ..Default::default()
                },
                now,
            )?;
            for i in 0..50 {
                let p = prisoners::insert(
                    c,
                    &PrisonerForm::new("Тестов", &format!("Иван{i}"), None),
                    now,
                )?;
                placements::transfer(
                    c,
                    &NewPlacement {
                        prisoner_id: p.id,
                        facility_id: Some(f.id),
                        started_on: None,
                        address_confirmed_at: Some(now),
                        source: None,
                        notes: String::new(),
                        created_by: None,
                    },
                    now.date(),
                    now,
                )?;
            }
            for i in 0..n {
                users::insert(
                    c,
                    &NewUser::new(
                        &format!("supporter{i}@example.invalid"),
                        &format!("Supporter {i}"),
                        Role::Volunteer,
                        now,
                    ),
                )?;
            }
            Ok::<_, DbError>(())
        })
    })
    .await?;

    // 1. The scan: find every due digest and put it in the outbox.
    let at = midweek();
    let started = Instant::now();
    let enqueued = db
        .run(move |c| scan::run(c, at, LeadTimes::default()))
        .await?;
    let scan_secs = started.elapsed().as_secs_f64();
    // A second scan finds them all recorded: the cost of the periodic check.
    let started = Instant::now();
    let again = db
        .run(move |c| scan::run(c, at, LeadTimes::default()))
        .await?;
    let rescan_secs = started.elapsed().as_secs_f64();
    anyhow::ensure!(again == 0, "the second scan enqueued {again}");

    // 2. The worker sends them to the sink over pooled SMTP.
    let smtp_url = format!("smtp://127.0.0.1:{}", sink.1);
    let settings = konvert::config::RawSettings {
        data_dir: Some(database.data_dir()),
        smtp_url: Some(smtp_url.clone()),
        ..Default::default()
    }
    .resolve()?;
    let templates = Arc::new(konvert::templates::Templates::load()?);
    let worker = Worker::new(db.clone(), "bench").with_reminders(Reminders {
        mailer: Mailer::from_settings(&settings)?,
        templates: templates.clone(),
        from: "Konvert <reminders@example.invalid>".into(),
        base_url: "http://127.0.0.1:8080".into(),
        lead: LeadTimes::default(),
    });
    let started = Instant::now();
    let mut sent = 0;
    for _ in 0..(send / 10 + 100) {
        if sent >= send {
            break;
        }
        let n = worker.run_once().await?;
        if n == 0 {
            break;
        }
        sent += n;
    }
    let worker_secs = started.elapsed().as_secs_f64();

    // 3. Baseline: the same number of messages, built once, sent in a plain loop.
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp_url)?.build();
    let message = Message::builder()
        .from("Konvert <reminders@example.invalid>".parse()?)
        .to("supporter@example.invalid".parse()?)
        .subject("Они ждут письма")
        .body("Здравствуйте! Эти люди дольше всех ждут письма.".to_owned())?;
    let started = Instant::now();
    for _ in 0..sent {
        transport.send(message.clone()).await?;
    }
    let lettre_secs = started.elapsed().as_secs_f64();

    // 4. The same comparison without a network peer: the worker writing the
    // next batch to the outbox folder, against lettre's file transport in a loop.
    let file_settings = konvert::config::RawSettings {
        data_dir: Some(database.dir("files")),
        ..Default::default()
    }
    .resolve()?;
    let file_worker = Worker::new(db.clone(), "bench-files").with_reminders(Reminders {
        mailer: Mailer::from_settings(&file_settings)?,
        templates,
        from: "Konvert <reminders@example.invalid>".into(),
        base_url: "http://127.0.0.1:8080".into(),
        lead: LeadTimes::default(),
    });
    let started = Instant::now();
    let mut written = 0;
    for _ in 0..(send / 10 + 100) {
        if written >= send {
            break;
        }
        let n = file_worker.run_once().await?;
        if n == 0 {
            break;
        }
        written += n;
    }
    let worker_file_secs = started.elapsed().as_secs_f64();
    let plain_dir = database.dir("plain");
    std::fs::create_dir_all(&plain_dir)?;
    let files = lettre::AsyncFileTransport::<Tokio1Executor>::new(&plain_dir);
    let started = Instant::now();
    for _ in 0..written {
        files.send(message.clone()).await?;
    }
    let lettre_file_secs = started.elapsed().as_secs_f64();

    let rate = |n: usize, s: f64| if s > 0.0 { n as f64 / s } else { 0.0 };
    let (worker_rate, lettre_rate) = (rate(sent, worker_secs), rate(sent, lettre_secs));
    let mut report = String::new();
    writeln!(report, "# Reminders benchmark ({backend})\n")?;
    writeln!(
        report,
        "`cargo bench --bench reminders{}` on {} cores, {}.\n",
        if postgres.is_some() {
            " -- --postgres URL"
        } else {
            ""
        },
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        db::now().format("%Y-%m-%d")
    )?;
    writeln!(report, "| measure | value |\n| --- | --- |")?;
    writeln!(
        report,
        "| supporters with a weekly digest due | {supporters} |"
    )?;
    writeln!(
        report,
        "| scan and enqueue | {enqueued} reminders in {scan_secs:.2} s ({:.0}/s) |",
        rate(enqueued, scan_secs)
    )?;
    writeln!(
        report,
        "| the same scan again (all recorded) | {rescan_secs:.2} s |"
    )?;
    writeln!(report, "| worker: read, render, send, record (the first {sent} of them) | {sent} e-mails in {worker_secs:.2} s ({worker_rate:.0}/s) |")?;
    writeln!(report, "| plain lettre loop, same sink | {sent} e-mails in {lettre_secs:.2} s ({lettre_rate:.0}/s) |")?;
    writeln!(
        report,
        "| worker rate / lettre rate, SMTP | {:.2} |",
        if lettre_rate > 0.0 {
            worker_rate / lettre_rate
        } else {
            0.0
        }
    )?;
    let (worker_file_rate, lettre_file_rate) = (
        rate(written, worker_file_secs),
        rate(written, lettre_file_secs),
    );
    writeln!(report, "| worker writing .eml files (the next {written}) | {written} e-mails in {worker_file_secs:.2} s ({worker_file_rate:.0}/s) |")?;
    writeln!(report, "| plain lettre file transport loop | {written} e-mails in {lettre_file_secs:.2} s ({lettre_file_rate:.0}/s) |")?;
    writeln!(
        report,
        "| worker rate / lettre rate, files | {:.2} |",
        if lettre_file_rate > 0.0 {
            worker_file_rate / lettre_file_rate
        } else {
            0.0
        }
    )?;
    writeln!(report, "\nThe sink is aiosmtpd's discarding handler on 127.0.0.1; both senders use one pooled SMTP connection, and the sink sets the pace (the same for both). The file rows show Konvert's own cost without a network peer: the plain loop sends one message built once, while the worker, per e-mail, reads the digest's people, renders the text and HTML templates, and runs two short transactions (claim, record).")?;
    print!("{report}");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("benches/reports/reminders-{backend}.md"));
    std::fs::write(&path, report).with_context(|| format!("write {}", path.display()))?;
    Ok(())
}

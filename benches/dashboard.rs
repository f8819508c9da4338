//! The coordinator dashboard under load (issue 7): the first page of "who
//! lacks mail" served by the real app over HTTP, against the same page
//! rendered from data already in memory, in the same run, by the same client.
//!
//! ```sh
//! cargo bench --bench dashboard                      # SQLite, 10,000 prisoners, 1,000,000 letters
//! cargo bench --bench dashboard -- --postgres postgres://postgres@127.0.0.1:5432/postgres
//! cargo bench --bench dashboard -- --prisoners 1000 --letters 50000 --requests 2000 --pool 4
//! ```
//!
//! A PostgreSQL run creates a database of its own on that server and drops it
//! afterwards (`KONVERT_BENCH_POSTGRES_URL` works too). The report is printed
//! and written to `benches/reports/dashboard-<backend>.md`. Nothing here
//! asserts a time: the figures are for people to read.

mod common;

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::middleware::Compress;
use actix_web::{web, App, HttpResponse, HttpServer};
use anyhow::{bail, Context};
use common::BenchDb;
use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::{Connection, QueryableByName, RunQueryDsl};
use konvert::db::{self, DbConn};
use konvert::demo::ScaleOptions;
use konvert::templates::Templates;
use konvert::web::dashboard::{self, LackingMailQuery};

const PASSWORD: &str = "benchmark password, long enough";
const EMAIL: &str = "bench-coordinator@example.invalid";

struct Args {
    prisoners: usize,
    letters: usize,
    connections: usize,
    warmup: usize,
    requests: usize,
    /// Database connections in the app's pool; the app's default when absent.
    pool: Option<u32>,
    postgres: Option<String>,
}

fn value<T: std::str::FromStr>(flag: &str, v: Option<String>) -> anyhow::Result<T> {
    let v = v.with_context(|| format!("{flag} needs a value"))?;
    v.replace('_', "")
        .parse()
        .map_err(|_| anyhow::anyhow!("{flag}: not a number: {v}"))
}

impl Args {
    fn parse() -> anyhow::Result<Args> {
        let mut args = Args {
            prisoners: 10_000,
            letters: 1_000_000,
            connections: 32,
            warmup: 500,
            requests: 5_000,
            pool: None,
            postgres: std::env::var("KONVERT_BENCH_POSTGRES_URL").ok(),
        };
        let mut it = std::env::args().skip(1);
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--prisoners" => args.prisoners = value(&arg, it.next())?,
                "--letters" => args.letters = value(&arg, it.next())?,
                "--connections" => args.connections = value(&arg, it.next())?,
                "--warmup" => args.warmup = value(&arg, it.next())?,
                "--requests" => args.requests = value(&arg, it.next())?,
                "--pool" => args.pool = Some(value(&arg, it.next())?),
                "--postgres" => args.postgres = it.next(),
                // cargo bench passes --bench to every harness = false target.
                "--bench" => {}
                other => bail!("unknown argument {other}"),
            }
        }
        if args.connections == 0 || args.requests == 0 {
            bail!("--connections and --requests must be at least 1");
        }
        Ok(args)
    }
}

/// One run's latencies and wall time.
struct Run {
    latencies: Vec<Duration>,
    wall: Duration,
    errors: usize,
    bytes: usize,
}

impl Run {
    fn rps(&self) -> f64 {
        self.latencies.len() as f64 / self.wall.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1]
    }
}

/// GET `url` `requests` times over `connections` keep-alive connections (one
/// client each, so each holds exactly one connection), timing every request.
async fn drive(url: &str, cookie: &str, connections: usize, requests: usize) -> Run {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let next = next.clone();
            let url = url.to_owned();
            let cookie = cookie.to_owned();
            actix_web::rt::spawn(async move {
                let client = reqwest::Client::builder()
                    .pool_max_idle_per_host(1)
                    .redirect(reqwest::redirect::Policy::none())
                    .timeout(Duration::from_secs(30))
                    .build()
                    .expect("http client");
                let mut latencies = Vec::new();
                let (mut errors, mut bytes) = (0, 0);
                while next.fetch_add(1, Ordering::Relaxed) < requests {
                    let t = Instant::now();
                    let res = client
                        .get(&url)
                        .header(header::COOKIE.as_str(), &cookie)
                        .send()
                        .await;
                    match res {
                        Ok(r) if r.status().is_success() => match r.bytes().await {
                            Ok(b) => {
                                bytes += b.len();
                                latencies.push(t.elapsed());
                            }
                            Err(_) => errors += 1,
                        },
                        _ => errors += 1,
                    }
                }
                (latencies, errors, bytes)
            })
        })
        .collect();
    let mut run = Run {
        latencies: Vec::with_capacity(requests),
        wall: Duration::ZERO,
        errors: 0,
        bytes: 0,
    };
    for task in futures_util::future::join_all(tasks).await {
        let (latencies, errors, bytes) = task.expect("client task");
        run.latencies.extend(latencies);
        run.errors += errors;
        run.bytes += bytes;
    }
    run.wall = started.elapsed();
    run
}

/// The SQL statements a piece of work issues, captured through diesel's instrumentation.
fn capture_sql(
    conn: &mut DbConn,
    work: impl FnOnce(&mut DbConn) -> anyhow::Result<()>,
) -> anyhow::Result<Vec<String>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            if let Ok(mut s) = sink.lock() {
                s.push(query.to_string());
            }
        }
    });
    let result = work(conn);
    conn.set_instrumentation(None::<Box<dyn Instrumentation>>);
    result?;
    let statements = seen.lock().map(|s| s.clone()).unwrap_or_default();
    Ok(statements)
}

/// Diesel's debug form is `SQL -- binds: [a, b]`; the binds as SQL literals
/// (for PostgreSQL's EXPLAIN EXECUTE, whose parameters take their types from
/// the prepared statement).
fn split_binds(debug: &str) -> (String, Vec<String>) {
    let Some((sql, binds)) = debug.rsplit_once(" -- binds: ") else {
        return (debug.to_owned(), Vec::new());
    };
    let binds = binds.trim();
    let inner = binds
        .strip_prefix('[')
        .and_then(|b| b.strip_suffix(']'))
        .unwrap_or(binds);
    let mut items = Vec::new();
    let (mut depth, mut quoted, mut current) = (0, false, String::new());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if quoted => {
                if let Some(n) = chars.next() {
                    current.push(n);
                }
                continue;
            }
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                items.push(std::mem::take(&mut current).trim().to_owned());
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        items.push(current.trim().to_owned());
    }
    let literal = |item: &str| -> String {
        let item = item
            .strip_prefix("Some(")
            .and_then(|i| i.strip_suffix(')'))
            .unwrap_or(item);
        if item == "None" {
            "NULL".to_owned()
        } else if let Some(s) = item.strip_prefix('"').and_then(|i| i.strip_suffix('"')) {
            format!("'{}'", s.replace('\'', "''"))
        } else if let Some(list) = item.strip_prefix('[').and_then(|i| i.strip_suffix(']')) {
            format!("'{{{}}}'", list.replace(' ', ""))
        } else if item.parse::<f64>().is_ok() || item == "true" || item == "false" {
            item.to_owned()
        } else if item.starts_with(|c: char| c.is_ascii_uppercase())
            && item.chars().all(|c| c.is_ascii_alphanumeric())
        {
            // A text enum prints as its variant (`Draft`); stored as snake case
            // (`draft`), which holds for every status the dashboard filters on.
            let mut snake = String::new();
            for (i, c) in item.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    snake.push('_');
                }
                snake.push(c.to_ascii_lowercase());
            }
            format!("'{snake}'")
        } else {
            format!("'{item}'")
        }
    };
    (
        sql.trim().to_owned(),
        items.iter().map(|i| literal(i)).collect(),
    )
}

#[derive(QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = diesel::sql_types::Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct PgPlanLine {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
    line: String,
}

/// The plan of each statement: EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE
/// on PostgreSQL (with the binds the page used).
fn plans(conn: &mut DbConn, statements: &[String]) -> String {
    let mut out = String::new();
    for (n, debug) in statements.iter().enumerate() {
        let (sql, binds) = split_binds(debug);
        let _ = writeln!(out, "#### Statement {}\n\n```sql\n{sql}\n```\n", n + 1);
        let plan: Result<Vec<String>, diesel::result::Error> = match conn {
            DbConn::Sqlite(c) => diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
                .load::<PlanLine>(c)
                .map(|rows| rows.into_iter().map(|r| r.detail).collect()),
            DbConn::Postgres(c) => {
                let name = format!("bench_plan_{n}");
                diesel::sql_query(format!("PREPARE {name} AS {sql}"))
                    .execute(c)
                    .and_then(|_| {
                        let args = if binds.is_empty() {
                            String::new()
                        } else {
                            format!("({})", binds.join(", "))
                        };
                        diesel::sql_query(format!(
                            "EXPLAIN (ANALYZE, BUFFERS) EXECUTE {name}{args}"
                        ))
                        .load::<PgPlanLine>(c)
                    })
                    .map(|rows| rows.into_iter().map(|r| r.line).collect())
            }
        };
        match plan {
            Ok(lines) => {
                let _ = writeln!(out, "```\n{}\n```\n", lines.join("\n"));
            }
            Err(e) => {
                let _ = writeln!(out, "(no plan: {e})\n");
            }
        }
    }
    out
}

fn machine() -> String {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpu = read("/proc/cpuinfo")
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned());
    let mem = read("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:").map(|m| m.trim().to_owned()))
        .unwrap_or_default();
    let os = read("/etc/os-release")
        .lines()
        .find_map(|l| {
            l.strip_prefix("PRETTY_NAME=")
                .map(|m| m.trim_matches('"').to_owned())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{cores} CPUs (nproc), {cpu}, {mem} RAM, {os}")
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = diesel::sql_types::Text)]
    v: String,
}

fn server_version(conn: &mut DbConn) -> String {
    let q = match conn {
        // With the build options set in .cargo/config.toml, as the build used them.
        DbConn::Sqlite(_) => {
            "SELECT 'SQLite ' || sqlite_version() || ' (' || \
             (SELECT group_concat(compile_options, ', ') FROM pragma_compile_options \
              WHERE compile_options LIKE 'THREADSAFE=%' OR compile_options LIKE 'DEFAULT_MEMSTATUS=%') \
             || ')' AS v"
        }
        DbConn::Postgres(_) => "SELECT version() AS v",
    };
    diesel::sql_query(q)
        .get_result::<Version>(conn)
        .map(|r| r.v)
        .unwrap_or_default()
}

/// The in-memory baseline: the page's data, merged with the base data, built once.
struct Prepared {
    templates: Templates,
    data: serde_json::Value,
}

/// Renders as `Ctx::render` does, from a copy of the data it keeps.
async fn render_prepared(page: web::Data<Prepared>) -> HttpResponse {
    match page
        .templates
        .render_value(dashboard::LACKING_MAIL_TEMPLATE, page.data.clone())
    {
        Ok(html) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(html),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse()?;
    let bench_db = BenchDb::create(args.postgres.as_deref())?;
    let backend = bench_db.target.backend_name();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());

    // The dataset, loaded as `konvert demo --prisoners N --letters M` would.
    let (summary, load_time, coordinator, version) = {
        let db = db::Db::open(&bench_db.target, 2)?;
        let mut conn = db.get()?;
        let started = Instant::now();
        let options = ScaleOptions {
            prisoners: args.prisoners,
            letters: args.letters,
            seed: konvert::demo::DEFAULT_SEED,
        };
        let summary = konvert::demo::load_scaled(&mut conn, db::now(), &options, &mut |step| {
            eprintln!("demo: {step} ({:.1} s)", started.elapsed().as_secs_f64())
        })?;
        let load_time = started.elapsed();
        if let DbConn::Sqlite(c) = &mut *conn {
            // The app would have checkpointed and analysed long before a
            // dashboard is busy; do it now so the run starts from that state.
            diesel::connection::SimpleConnection::batch_execute(
                c,
                "PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;",
            )?;
        } else {
            // Autovacuum would soon do the same after a million inserts; the
            // visibility map it sets is what lets the count read the index alone.
            diesel::sql_query("VACUUM ANALYZE").execute(&mut *conn)?;
        }
        let input = konvert::accounts::AccountInput {
            email: EMAIL.to_owned(),
            display_name: "Bench coordinator".to_owned(),
            password: PASSWORD.to_owned(),
        };
        let hash =
            konvert::accounts::hash_password(PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
        let coordinator = konvert::accounts::create_user(
            &mut conn,
            &input,
            hash,
            konvert::db::users::Role::Coordinator,
            None,
            db::now(),
        )
        .map_err(|_| anyhow::anyhow!("cannot create the coordinator"))?;
        let version = server_version(&mut conn);
        (summary, load_time, coordinator, version)
    };
    eprintln!(
        "loaded {} prisoners, {} letters, {} replies in {:.1} s",
        summary.prisoners,
        summary.letters,
        summary.replies,
        load_time.as_secs_f64()
    );

    let raw = konvert::config::RawSettings {
        bind: Some("127.0.0.1:0".to_owned()),
        data_dir: Some(bench_db.data_dir()),
        workers: Some(workers),
        run_worker: Some(false),
        pool_size: args.pool,
        ..Default::default()
    };
    let mut settings = raw.resolve()?;
    settings.database = bench_db.target.clone();
    let pool_size = settings.pool_size;

    let report = actix_web::rt::System::new().block_on(async move {
        let app = konvert::startup::Application::build(settings)?;
        let base = format!("http://{}", SocketAddr::from(([127, 0, 0, 1], app.port())));
        let app_db = app.db().clone();
        actix_web::rt::spawn(app.run_until_stopped());

        // Sign in as a browser would: a page for the CSRF cookie, then the form.
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar.clone())
            .build()?;
        browser.get(format!("{base}/login")).send().await?;
        let url: reqwest::Url = base.parse()?;
        let cookies = |jar: &reqwest::cookie::Jar| -> String {
            use reqwest::cookie::CookieStore;
            jar.cookies(&url)
                .and_then(|h| h.to_str().ok().map(str::to_owned))
                .unwrap_or_default()
        };
        let csrf = cookies(&jar)
            .split("; ")
            .find_map(|p| p.strip_prefix("konvert_csrf=").map(str::to_owned))
            .context("no CSRF cookie")?;
        let res = browser
            .post(format!("{base}/login"))
            .form(&[("email", EMAIL), ("password", PASSWORD), ("csrf_token", &csrf)])
            .send()
            .await?;
        if res.status() != 303 {
            bail!("sign-in failed: {}", res.status());
        }
        let cookie = cookies(&jar);
        let http_page = browser.get(format!("{base}/dashboard")).send().await?;
        if !http_page.status().is_success() {
            bail!("GET /dashboard: {}", http_page.status());
        }
        let http_body = http_page.text().await?;

        // The same page's data, loaded once, and the statements that load it.
        let query = LackingMailQuery::default();
        let now = db::now();
        let mut conn = app_db.target().connect()?;
        let mut data = None;
        let statements = capture_sql(&mut conn, |conn| {
            let hash = konvert::accounts::hash_token("a session token");
            konvert::db::sessions::user_for(conn, &hash, now)?;
            data = Some(dashboard::load_lacking_mail(
                conn,
                &query.filter(),
                query.window(),
                now,
            )?);
            Ok(())
        })?;
        let data = data.context("no data")?;
        let lang = konvert::i18n::Lang::from_code(&coordinator.locale)
            .unwrap_or(konvert::i18n::Lang::DEFAULT);
        let mut page = dashboard::lacking_mail_page(&query, &data, now);
        let base_data =
            konvert::web::ctx::base_data(lang, &csrf, "/dashboard", Some(&coordinator));
        if let (Some(page), serde_json::Value::Object(base_data)) = (page.as_object_mut(), base_data) {
            page.extend(base_data);
        }
        let prepared = web::Data::new(Prepared {
            templates: Templates::load()?,
            data: page,
        });
        let memory_body = prepared
            .templates
            .render_value(dashboard::LACKING_MAIL_TEMPLATE, prepared.data.clone())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let same_page = memory_body == http_body;

        // Where a request's time goes, one at a time on one thread: the
        // database work, building the page's data, and rendering it.
        let rounds = 200;
        let timed = |f: &mut dyn FnMut()| {
            let t = Instant::now();
            for _ in 0..rounds {
                f();
            }
            t.elapsed() / rounds
        };
        let mut pooled = app_db.get()?;
        let db_time = timed(&mut || {
            let hash = konvert::accounts::hash_token("a session token");
            let _ = konvert::db::sessions::user_for(&mut pooled, &hash, now);
            let _ = dashboard::load_lacking_mail(&mut pooled, &query.filter(), query.window(), now);
        });
        drop(pooled);
        let build_time = timed(&mut || {
            let _ = dashboard::lacking_mail_page(&query, &data, now);
        });
        let render_time = timed(&mut || {
            let _ = prepared
                .templates
                .render_value(dashboard::LACKING_MAIL_TEMPLATE, prepared.data.clone());
        });

        let server = HttpServer::new(move || {
            App::new()
                .app_data(prepared.clone())
                .route("/dashboard", web::get().to(render_prepared))
                .wrap(konvert::web::middleware::security_headers())
                .wrap(Compress::default())
        })
        .workers(workers)
        .bind(("127.0.0.1", 0))?;
        let memory_addr = server.addrs()[0];
        let server = server.run();
        let memory_handle = server.handle();
        actix_web::rt::spawn(server);
        let memory_url = format!("http://{memory_addr}/dashboard");
        let http_url = format!("{base}/dashboard");

        eprintln!("warming up ({} requests each)", args.warmup);
        drive(&http_url, &cookie, args.connections, args.warmup).await;
        drive(&memory_url, &cookie, args.connections, args.warmup).await;
        eprintln!("measuring HTTP ({} requests)", args.requests);
        let http = drive(&http_url, &cookie, args.connections, args.requests).await;
        eprintln!("measuring in-memory ({} requests)", args.requests);
        let memory = drive(&memory_url, &cookie, args.connections, args.requests).await;
        memory_handle.stop(true).await;

        let load_average = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        let query_plans = plans(&mut conn, &statements);
        let ratio = http.rps() / memory.rps();
        let p99 = http.percentile(99.0);
        let mut r = String::new();
        let _ = writeln!(r, "# Dashboard benchmark: {backend}\n");
        let _ = writeln!(
            r,
            "Run on {} UTC with `cargo bench --bench dashboard{}`.\n",
            now.format("%Y-%m-%d %H:%M"),
            if backend == "PostgreSQL" { " -- --postgres URL" } else { "" }
        );
        let _ = writeln!(r, "- Machine: {}", machine());
        let _ = writeln!(r, "- Database: {version}");
        let _ = writeln!(
            r,
            "- Load average after the run (/proc/loadavg): {} (the client, both servers and the database share these CPUs)",
            load_average.trim()
        );
        let _ = writeln!(
            r,
            "- Dataset: {} prisoners, {} letters, {} replies, {} facilities, {} placements, {} accounts (`konvert demo --prisoners {} --letters {}`)",
            summary.prisoners, summary.letters, summary.replies, summary.facilities,
            summary.placements, summary.users + 1, args.prisoners, args.letters
        );
        let _ = writeln!(r, "- Load time: {:.1} s (one transaction)", load_time.as_secs_f64());
        let _ = writeln!(
            r,
            "- Load: {} keep-alive connections, {} warm-up then {} measured requests per server; {workers} server workers each; pool of {pool_size} database connections",
            args.connections, args.warmup, args.requests
        );
        let _ = writeln!(
            r,
            "- Page: GET /dashboard as a signed-in coordinator, first page ({} rows of {} matches), {} bytes; the in-memory page is {}\n",
            data.entries.len(),
            data.total,
            http_body.len(),
            if same_page { "byte-for-byte the same" } else { "NOT identical (check!)" }
        );
        let _ = writeln!(
            r,
            "Sequential cost of one page, in process (mean of {rounds}): database work {} ms (the session lookup and the page's queries below), page data {} ms, template {} ms.\n",
            ms(db_time),
            ms(build_time),
            ms(render_time)
        );
        let _ = writeln!(r, "| server | requests/s | p50 ms | p99 ms | max ms | errors |");
        let _ = writeln!(r, "| --- | ---: | ---: | ---: | ---: | ---: |");
        for (name, run) in [("HTTP (the app, database per request)", &http), ("in memory (template only)", &memory)] {
            let _ = writeln!(
                r,
                "| {name} | {:.0} | {} | {} | {} | {} |",
                run.rps(),
                ms(run.percentile(50.0)),
                ms(run.percentile(99.0)),
                ms(run.percentile(100.0)),
                run.errors
            );
        }
        let _ = writeln!(
            r,
            "\n**Ratio HTTP / in-memory: {ratio:.2}** (aim ≥ 0.6: {}); **p99 {} ms** (aim < 50 ms on SQLite: {}).\n",
            if ratio >= 0.6 { "met" } else { "missed" },
            ms(p99),
            if p99 < Duration::from_millis(50) { "met" } else { "missed" }
        );
        let _ = writeln!(
            r,
            "## What a request runs\n\nThe statements below are every query behind one page (captured from diesel), in order: the session lookup; the count of who may be written to, as all prisoners (a whole-table count, which SQLite answers by counting the entries of its smallest index without reading a row) less those who may not (the partial index `prisoners_not_writable`); the page of prisoners in the order of the maintained `prisoners.last_letter_sent_at` (walked in the index `prisoners_lacking_mail`, stopping after 100); the open drafts of the page's 100 prisoners (`prisoner_id IN (…)`); the facility list for the filter (which gives its countries and regions too); and the languages people read, for the filter, walked through the index `prisoner_tags_kind_value` one distinct value at a time (a step per language, not per tag). Letters sent in the last 30 and 90 days are asked only for the page's people whose last letter is that recent, so the first page, of people nobody has written to for months, needs no such query. None aggregates the whole letters table. (A session's `last_seen_at` is refreshed at most every 10 minutes, so the write is not in the steady state.)\n"
        );
        let _ = writeln!(
            r,
            "With {} connections kept busy, a request's latency is mostly its wait in line: about connections / throughput. So p99 follows requests/s, and on a machine where even the in-memory page stays above 50 ms, the HTTP page cannot get under it by query work alone.\n",
            args.connections
        );
        r.push_str(&query_plans);
        anyhow::Ok(r)
    })?;
    println!("{report}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/reports");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("dashboard-{}.md", backend.to_lowercase()));
    std::fs::write(&path, report)?;
    eprintln!("report written to {}", path.display());
    drop(bench_db);
    Ok(())
}

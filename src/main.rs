//! The `konvert` command: the server and the tools around it.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand, ValueEnum};

use konvert::accounts::{self, AccountInput};
use konvert::config::Settings;
use konvert::db::{self, users::Role, Db};
use konvert::delivery::worker::Worker;
use konvert::locale;
use konvert::startup::Application;

/// mimalloc rather than the C library's allocator: a page is built from many
/// small allocations made on one thread and freed on another (rows read on a
/// database thread, rendered on a server thread), the pattern glibc's malloc
/// handles worst. Under load it took a quarter of the server's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "konvert",
    version,
    about = "Letters to political prisoners, from the first draft to the reply"
)]
struct Cli {
    /// A TOML settings file; KONVERT_* environment variables override it.
    #[arg(long, global = true, env = "KONVERT_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Run the delivery worker alone (serve runs one too unless KONVERT_RUN_WORKER=false).
    Worker,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Import replies that arrived by e-mail: .eml files or maildir folders.
    ImportReplies {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Load an invented demo dataset (about 30 prisoners in 10 facilities), or
    /// one of any size with --prisoners and --letters (for benchmarks).
    Demo {
        /// How many invented prisoners (at least 1).
        #[arg(long, value_name = "N", allow_hyphen_values = true)]
        prisoners: Option<String>,
        /// How many letters among them (needs --prisoners; 0 when left out).
        #[arg(long, value_name = "M", allow_hyphen_values = true)]
        letters: Option<String>,
        /// The random seed; the same seed gives the same data.
        #[arg(long, value_name = "S", allow_hyphen_values = true)]
        seed: Option<String>,
    },
    /// Write data out: for a spreadsheet, or to import elsewhere.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Print a Russian name in the dative case: "Surname Given [Patronymic]".
    Decline {
        #[arg(long)]
        gender: Option<GenderArg>,
        name: String,
    },
    /// Romanise text by a named standard.
    Translit {
        #[arg(long)]
        scheme: String,
        text: String,
    },
    /// Render an address from a JSON record on standard input.
    Address {
        #[arg(long)]
        style: String,
        /// The sender's country (ISO code), for mail from abroad.
        #[arg(long)]
        from: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The name other members see (defaults to the part of the address before @).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Every prisoner, one row each, with the facility they are held at now.
    Prisoners {
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// The file to write (standard output when left out).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Csv,
    Xlsx,
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Volunteer,
    Coordinator,
    Admin,
}

#[derive(Clone, Copy, ValueEnum)]
enum GenderArg {
    Male,
    Female,
}

/// A failure that is the input's fault: exit status 2, like a usage error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct BadInput(String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line, whatever the cause chain or the driver's message holds.
            let text = format!("{e:#}")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            eprintln!("konvert: {text}");
            if e.downcast_ref::<BadInput>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    // The locale tools need no settings or database.
    match &cli.command {
        Some(Command::Decline { gender, name }) => return decline(*gender, name),
        Some(Command::Translit { scheme, text }) => return translit(scheme, text),
        Some(Command::Address { style, from }) => return address(style, from.as_deref()),
        _ => {}
    }
    let settings = Settings::load(cli.config.as_deref())?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings),
        Command::Migrate => migrate(&settings),
        Command::Worker => worker(settings),
        Command::User {
            command: UserCommand::Create { email, role, name },
        } => create_user(&settings, &email, role, name),
        Command::Demo {
            prisoners,
            letters,
            seed,
        } => demo(
            &settings,
            prisoners.as_deref(),
            letters.as_deref(),
            seed.as_deref(),
        ),
        Command::ImportReplies { paths } => import_replies(&settings, &paths),
        Command::Export {
            command: ExportCommand::Prisoners { format, out },
        } => export_prisoners(&settings, format, out.as_deref()),
        Command::Decline { .. } | Command::Translit { .. } | Command::Address { .. } => Ok(()),
    }
}

fn init_logging(filter: &str) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .map_err(|e| anyhow::anyhow!("KONVERT_LOG: {e}"))?;
    // Logs go to standard error; standard output carries what a person asked for
    // (the first-admin link, command results).
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    // A panic's message may quote the data it was working on (a slice of a
    // letter, a name): the log gets where it happened, and the message only
    // when it is a fixed text written in the code.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info.payload().downcast_ref::<&'static str>().copied();
        tracing::error!(
            %location,
            message = message.unwrap_or("(not logged: it may hold personal data)"),
            thread = std::thread::current().name().unwrap_or("unnamed"),
            "panic"
        );
    }));
    Ok(())
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    init_logging(&settings.log)?;
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings)?;
        let settings = app.settings().clone();
        let token = app
            .db()
            .run(|conn| accounts::first_admin_token(conn, db::now()).map_err(db::DbError::from))
            .await
            .context("cannot check for existing accounts")?;
        tracing::info!(
            database = settings.database.backend_name(),
            "Konvert is listening on http://{}:{}",
            settings.bind.ip(),
            app.port()
        );
        if let Some(token) = token {
            // Printed, not logged: the link is a secret for whoever started the server.
            println!(
                "\nNo accounts yet. Create the first admin account here (valid for 24 hours):\n\n    {}/setup/{token}\n",
                settings.base_url
            );
            let _ = std::io::stdout().flush();
        }
        // The server stops itself on SIGTERM or Ctrl-C; the worker is told to
        // stop then, and given time to finish the batch in hand.
        let worker = if settings.run_worker {
            let worker = Worker::from_settings(app.db().clone(), &settings)?;
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let stop_when = async move {
                let _ = stopped.await;
            };
            let task = actix_web::rt::spawn(worker.run(Duration::from_secs(5), stop_when));
            tracing::info!("delivery worker started");
            Some((stop, task))
        } else {
            None
        };
        let served = app.run_until_stopped().await;
        if let Some((stop, task)) = worker {
            let _ = stop.send(());
            match tokio::time::timeout(WORKER_GRACE, task).await {
                Ok(Ok(())) => tracing::info!("delivery worker stopped"),
                Ok(Err(e)) => tracing::error!(error = %e, "delivery worker ended abnormally"),
                Err(_) => tracing::warn!("delivery worker did not stop in time; its claims expire and are sent again"),
            }
        }
        served.context("server stopped")
    })
}

/// How long `serve` waits for the worker's batch in hand after a stop signal.
const WORKER_GRACE: Duration = Duration::from_secs(60);

fn worker(settings: Settings) -> anyhow::Result<()> {
    init_logging(&settings.log)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let db = Db::open(&settings.database, settings.pool_size)?;
        let worker = Worker::from_settings(db, &settings)?;
        tracing::info!("delivery worker started; Ctrl-C or SIGTERM stops it");
        worker
            .run(Duration::from_secs(5), konvert::startup::shutdown_signal())
            .await;
        tracing::info!("delivery worker stopped");
        Ok(())
    })
}

fn open_db(settings: &Settings) -> anyhow::Result<Db> {
    Db::open(&settings.database, 2)
}

fn migrate(settings: &Settings) -> anyhow::Result<()> {
    // Db::open migrates.
    open_db(settings)?;
    println!(
        "The {} database is up to date.",
        settings.database.backend_name()
    );
    Ok(())
}

fn create_user(
    settings: &Settings,
    email: &str,
    role: RoleArg,
    name: Option<String>,
) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .map_err(|e| BadInput(format!("cannot read the password from standard input: {e}")))?;
    let password = password.lines().next().unwrap_or("").to_owned();
    let display_name = name.unwrap_or_else(|| email.split('@').next().unwrap_or(email).to_owned());
    let input = AccountInput {
        email: email.to_owned(),
        display_name,
        password,
    };
    if let Err(errors) = input.validate() {
        let fields = ["email", "display_name", "password"]
            .iter()
            .filter_map(|f| errors.get(f).map(|m| format!("{f}: {m}")))
            .collect::<Vec<_>>()
            .join(" ");
        return Err(BadInput(fields).into());
    }
    let role = match role {
        RoleArg::Volunteer => Role::Volunteer,
        RoleArg::Coordinator => Role::Coordinator,
        RoleArg::Admin => Role::Admin,
    };
    let hash = accounts::hash_password(&input.password)
        .map_err(|e| anyhow::anyhow!("password hashing: {e}"))?;
    let db = open_db(settings)?;
    let mut conn = db.get()?;
    let user = db::write_tx(&mut conn, |conn| {
        accounts::create_user(conn, &input, hash, role, None, db::now())
    })
    .map_err(|e| match e {
        accounts::CreateError::EmailTaken => BadInput(format!("{}: {e}", input.email)).into(),
        accounts::CreateError::Db(e) => anyhow::Error::from(e),
    })?;
    println!("Created {} ({}), id {}.", user.email, user.role, user.id);
    Ok(())
}

/// The files to import: a file as it is; a maildir's `new` and `cur`; any
/// other folder's files.
fn mail_files(path: &std::path::Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let maildir = ["new", "cur"].map(|d| path.join(d));
    let folders: Vec<PathBuf> = if maildir.iter().any(|d| d.is_dir()) {
        maildir.into_iter().filter(|d| d.is_dir()).collect()
    } else {
        vec![path.to_owned()]
    };
    let mut files = Vec::new();
    for folder in folders {
        for entry in std::fs::read_dir(folder)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    Ok(files)
}

fn import_replies(settings: &Settings, paths: &[PathBuf]) -> anyhow::Result<()> {
    use konvert::replies::intake::{self, Imported};
    let db = open_db(settings)?;
    let mut conn = db.get()?;
    let templates = konvert::templates::Templates::load()?;
    let mailer = konvert::mail::Mailer::from_settings(settings)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let mut bad = 0;
    for path in paths {
        let files = mail_files(path).map_err(|e| BadInput(format!("{}: {e}", path.display())))?;
        for file in files {
            let shown = file.display();
            let parsed = std::fs::read(&file)
                .map_err(|e| e.to_string())
                .and_then(|raw| intake::parse(&raw).map_err(|e| e.to_string()));
            let mail = match parsed {
                Ok(mail) => mail,
                Err(e) => {
                    eprintln!("{shown}: {e}");
                    bad += 1;
                    continue;
                }
            };
            match intake::import(&mut conn, &settings.data_dir, &mail, db::now())? {
                Imported::AlreadyImported { reply_id } => {
                    println!("{shown}: already imported as reply {reply_id}")
                }
                Imported::Recorded { reply, refused } => {
                    match (reply.letter_id, reply.prisoner_id) {
                        (Some(letter), _) => {
                            println!("{shown}: reply {} to letter {letter}", reply.id)
                        }
                        (None, Some(prisoner)) => println!(
                            "{shown}: reply {} from prisoner {prisoner}, letter unknown",
                            reply.id
                        ),
                        (None, None) => println!(
                            "{shown}: reply {} waits for a coordinator to match it",
                            reply.id
                        ),
                    }
                    for e in refused {
                        eprintln!("{shown}: attachment refused: {e}");
                    }
                    let told = runtime.block_on(konvert::replies::notify::notify_writer(
                        &db, &mailer, &templates, settings, reply.id,
                    ));
                    if let Err(e) = told {
                        eprintln!("{shown}: the writer could not be told yet: {e}");
                    }
                }
            }
        }
    }
    if bad > 0 {
        return Err(BadInput(format!(
            "{bad} file(s) were not e-mails; nothing was recorded for them"
        ))
        .into());
    }
    Ok(())
}

fn export_prisoners(
    settings: &Settings,
    format: ExportFormat,
    out: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    use konvert::exchange::export;
    let db = open_db(settings)?;
    let mut conn = db.get()?;
    match (format, out) {
        (ExportFormat::Csv, None) => {
            let stdout = std::io::stdout().lock();
            let mut stdout = export::write_csv(&mut conn, std::io::BufWriter::new(stdout))?;
            stdout.flush()?;
        }
        (ExportFormat::Csv, Some(path)) => {
            let file = std::fs::File::create(path)
                .map_err(|e| BadInput(format!("{}: {e}", path.display())))?;
            let mut file = export::write_csv(&mut conn, std::io::BufWriter::new(file))?;
            file.flush()
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        (ExportFormat::Xlsx, out) => {
            let bytes = export::xlsx_bytes(&mut conn)?;
            match out {
                None => std::io::stdout().lock().write_all(&bytes)?,
                Some(path) => std::fs::write(path, bytes)
                    .map_err(|e| BadInput(format!("{}: {e}", path.display())))?,
            }
        }
    }
    Ok(())
}

fn demo(
    settings: &Settings,
    prisoners: Option<&str>,
    letters: Option<&str>,
    seed: Option<&str>,
) -> anyhow::Result<()> {
    // The flags are read as text so that a bad value is one line, like every
    // other input error, rather than clap's usage block.
    let scale =
        konvert::demo::ScaleOptions::from_flags(prisoners, letters, seed).map_err(BadInput)?;
    let db = open_db(settings)?;
    let mut conn = db.get()?;
    let s = match scale {
        None => konvert::demo::load(&mut conn, db::now())?,
        Some(options) => {
            let started = std::time::Instant::now();
            let s = konvert::demo::load_scaled(&mut conn, db::now(), &options, &mut |step| {
                eprintln!("demo: {step} ({:.1} s)", started.elapsed().as_secs_f64());
            })?;
            eprintln!("demo: loaded in {:.1} s", started.elapsed().as_secs_f64());
            s
        }
    };
    println!(
        "Loaded the demo data: {} facilities, {} prisoners, {} placements, {} letters, {} replies, {} users.",
        s.facilities, s.prisoners, s.placements, s.letters, s.replies, s.users
    );
    println!("Every person in it is invented. Demo accounts have no password.");
    Ok(())
}

fn decline(gender: Option<GenderArg>, name: &str) -> anyhow::Result<()> {
    let gender = gender.map(|g| match g {
        GenderArg::Male => locale::Gender::Male,
        GenderArg::Female => locale::Gender::Female,
    });
    let dative = locale::decline_dative(name, gender).map_err(|e| BadInput(e.to_string()))?;
    println!("{dative}");
    Ok(())
}

fn translit(scheme: &str, text: &str) -> anyhow::Result<()> {
    let scheme: locale::Scheme = scheme
        .parse()
        .map_err(|e: locale::LocaleError| BadInput(e.to_string()))?;
    println!("{}", locale::transliterate(scheme, text));
    Ok(())
}

fn address(style: &str, from: Option<&str>) -> anyhow::Result<()> {
    let style: locale::Style = style
        .parse()
        .map_err(|e: locale::LocaleError| BadInput(e.to_string()))?;
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| BadInput(format!("cannot read the record from standard input: {e}")))?;
    if input.trim().is_empty() {
        bail!(BadInput(
            "expected a JSON address record on standard input".to_owned()
        ));
    }
    let record: locale::AddressRecord = serde_json::from_str(&input)
        .map_err(|e| BadInput(format!("the record is not valid JSON for an address: {e}")))?;
    let text = locale::render_address(&record, style, from).map_err(|e| BadInput(e.to_string()))?;
    println!("{text}");
    Ok(())
}

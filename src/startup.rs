//! Builds the running service from settings: checks the data directory, opens
//! and migrates the database, binds the listener, and assembles the app. Used
//! by `konvert serve` and by the integration tests (port 0).

use std::net::TcpListener;
use std::path::Path;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};
use anyhow::Context;

use crate::config::Settings;
use crate::db::Db;
use crate::mail::Mailer;
use crate::templates::Templates;
use crate::web::rate_limit::RateLimiter;
use crate::web::{self as routes, csrf, errors, middleware};

pub struct Application {
    port: u16,
    db: Db,
    server: Server,
    settings: Settings,
}

impl Application {
    /// Everything that can fail at start-up fails here, with a message that
    /// names the setting or resource at fault.
    pub fn build(settings: Settings) -> anyhow::Result<Application> {
        ensure_writable_dir(&settings.data_dir)?;
        let db = Db::open(&settings.database, settings.pool_size)?;
        let listener = TcpListener::bind(settings.bind)
            .with_context(|| format!("cannot listen on {} (KONVERT_BIND)", settings.bind))?;
        let port = listener.local_addr().context("listener address")?.port();
        let templates = web::Data::new(Templates::load().context("templates")?);
        let db_data = web::Data::new(db.clone());
        let settings_data = web::Data::new(settings.clone());
        let mailer = web::Data::new(Mailer::from_settings(&settings)?);
        // One limiter for all workers, so limits hold across them.
        let limiter = web::Data::new(RateLimiter::default());

        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(db_data.clone())
                .app_data(templates.clone())
                .app_data(settings_data.clone())
                .app_data(mailer.clone())
                .app_data(limiter.clone())
                .app_data(web::FormConfig::default().limit(256 * 1024))
                .app_data(web::JsonConfig::default().limit(256 * 1024))
                .configure(routes::routes)
                .wrap(from_fn(csrf::middleware))
                .wrap(errors::handlers())
                .wrap(middleware::security_headers())
                .wrap(Compress::default())
                .wrap(from_fn(middleware::log_requests))
        })
        .listen(listener)
        .with_context(|| format!("cannot listen on {}", settings.bind))?;
        if let Some(workers) = settings.workers {
            server = server.workers(workers);
        }
        Ok(Application {
            port,
            db,
            server: server.run(),
            settings,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Creates the data directory and proves it writable, so that a wrong path
/// fails at start-up rather than at the first uploaded scan.
fn ensure_writable_dir(dir: &Path) -> anyhow::Result<()> {
    let context = || {
        format!(
            "data directory {} is not usable (KONVERT_DATA_DIR)",
            dir.display()
        )
    };
    std::fs::create_dir_all(dir).with_context(context)?;
    let probe = dir.join(".konvert-write-test");
    std::fs::write(&probe, b"ok").with_context(context)?;
    std::fs::remove_file(&probe).with_context(context)?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM (what `docker stop`, systemd and
/// Kubernetes send), so a worker finishes its batch and exits cleanly.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the worker");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

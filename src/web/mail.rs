//! The e-mail outbox folder for admins: when no SMTP server is set up,
//! every e-mail Konvert sends is written there as an .eml file, listed here
//! newest first and opened as plain text.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use serde_json::json;

use super::ctx::Ctx;
use crate::error::AppError;
use crate::mail::outbox;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list).service(open);
}

/// The listing shows this many; the count says how many there are.
const SHOWN: usize = 200;

fn folder(ctx: &Ctx) -> std::path::PathBuf {
    ctx.settings.data_dir.join("outbox")
}

#[get("/admin/mail")]
async fn list(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.admin()?;
    let dir = folder(&ctx);
    let (saved, total) = web::block(move || outbox::list(&dir, SHOWN))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    let rows: Vec<_> = saved
        .iter()
        .map(|s| {
            let written = s
                .written
                .map(|t| {
                    chrono::DateTime::<chrono::Utc>::from(t)
                        .format("%Y-%m-%d %H:%M UTC")
                        .to_string()
                })
                .unwrap_or_default();
            json!({ "file": s.file, "to": s.to, "subject": s.subject, "written": written })
        })
        .collect();
    ctx.render(
        "pages/mail/outbox",
        json!({ "rows": rows, "total": total, "smtp": ctx.settings.smtp_url.is_some() }),
    )
}

#[get("/admin/mail/{file}")]
async fn open(ctx: Ctx, file: web::Path<String>) -> Result<HttpResponse, AppError> {
    ctx.admin()?;
    let file = file.into_inner();
    if !outbox::is_safe_name(&file) {
        return Err(AppError::NotFound);
    }
    let path = folder(&ctx).join(&file);
    let raw = web::block(move || std::fs::read(path))
        .await
        .map_err(AppError::internal)?
        .map_err(|_| AppError::NotFound)?;
    // Shown as text, never as HTML: an e-mail's HTML part must not run here.
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{file}\""),
        ))
        .body(raw))
}

//! Static files (CSS, a little JavaScript), embedded in the binary.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use rust_embed::RustEmbed;

use crate::error::AppError;

#[derive(RustEmbed)]
#[folder = "static/"]
struct StaticFiles;

/// Browsers ask for /favicon.ico on every page whatever the page links to;
/// they get the SVG icon the pages link to.
#[get("/favicon.ico")]
pub async fn favicon() -> Result<HttpResponse, AppError> {
    let icon = StaticFiles::get("favicon.svg").ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(icon.data.into_owned()))
}

#[get("/static/{path:.*}")]
pub async fn file(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let file = StaticFiles::get(&path).ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(file.metadata.mimetype())
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(file.data.into_owned()))
}

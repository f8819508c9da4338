//! The front page.

use actix_web::{get, HttpResponse};

use super::ctx::Ctx;
use crate::error::AppError;

#[get("/")]
pub async fn index(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.render("pages/home", serde_json::json!({}))
}

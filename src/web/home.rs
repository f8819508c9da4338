//! The front page: for a signed-in user, the way to start a letter to
//! someone who needs one; for a visitor, what Konvert is, and the public
//! counts when the organisation publishes them.

use actix_web::{get, HttpResponse};
use serde_json::json;

use super::ctx::Ctx;
use super::pick::language_choices;
use crate::db::site_settings;
use crate::error::AppError;

#[get("/")]
pub async fn index(ctx: Ctx) -> Result<HttpResponse, AppError> {
    match &ctx.user {
        Some(user) => {
            let languages = language_choices(&user.writes_languages);
            ctx.render("pages/home", json!({ "languages": languages }))
        }
        None => {
            let published = ctx
                .run(|conn| Ok(site_settings::publication(conn)?))
                .await?;
            ctx.render("pages/home", json!({ "public_counts": published.counts }))
        }
    }
}

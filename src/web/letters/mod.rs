//! Letters in the browser: the composer (new letters, drafts and letters
//! returned to the writer), the live check it calls, autosave, "My letters",
//! one letter's page, and the starter texts coordinators keep.
//!
//! - `recipient`: who the letter goes to, and the channels that reach them;
//! - `composer`: the composer's form, its figures and warnings, and the page;
//! - `writing`: the composer's routes, which call `crate::compose`;
//! - `reading`: "My letters" and one letter's page;
//! - `starters`: the starter texts coordinators keep.
//!
//! The composer works without JavaScript: its buttons post the whole form and
//! the page comes back with the same figures and warnings, computed here by
//! `crate::letters`. static/composer.js adds live counting (the same rule,
//! client side), debounced calls to POST /letters/check, and autosave.

mod composer;
mod reading;
mod recipient;
mod starters;
mod writing;

use actix_web::http::header;
use actix_web::web;
use chrono::NaiveDateTime;
use serde::Deserialize;
use serde_json::Value;

use super::ctx::Ctx;
use crate::db::letters::{self, Channel, Letter};
use crate::db::users::User;
use crate::error::AppError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // Fixed paths before `/letters/{id}`, which would otherwise claim them.
    cfg.service(writing::new_letter)
        .service(writing::check_text)
        .service(reading::letters_list)
        .service(writing::create_letter)
        .service(writing::edit_letter)
        .service(writing::autosave_letter)
        .service(reading::show_letter)
        .service(writing::update_letter)
        .service(writing::withdraw_letter)
        .service(writing::delete_confirm)
        .service(writing::delete_letter)
        .service(starters::starters_list)
        .service(starters::starter_new_form)
        .service(starters::starter_create)
        .service(starters::starter_edit_form)
        .service(starters::starter_update)
        .service(starters::starter_delete);
}

/// Languages a letter (and a starter text) may be written in.
pub const LANGUAGES: &[&str] = &["ru", "be", "uk", "en"];
const DEFAULT_LANGUAGE: &str = "ru";
/// Far more than any letter; keeps a pasted book out of the database.
const MAX_BODY_CHARS: usize = 50_000;
const MAX_PEN_NAME_CHARS: usize = 100;
const MAX_TITLE_CHARS: usize = 200;
const MAX_STARTER_CHARS: usize = 10_000;
const LIST_LIMIT: i64 = 500;

fn format_time(t: Option<NaiveDateTime>) -> Value {
    t.map_or(Value::Null, |t| {
        Value::String(t.format("%Y-%m-%d %H:%M").to_string())
    })
}

fn wants_json(ctx: &Ctx) -> bool {
    ctx.request()
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

fn parse_id(text: &str) -> Result<i64, AppError> {
    text.trim().parse().map_err(|_| AppError::NotFound)
}

fn is_e_letter(channel: Channel) -> bool {
    matches!(channel, Channel::FsinPismo | Channel::Zonatelecom)
}

/// The letter, if the viewer may see it: its writer, or a coordinator.
/// Anyone else is told it does not exist.
async fn visible_letter(ctx: &Ctx, id: i64) -> Result<(User, Letter), AppError> {
    let user = ctx.user()?.clone();
    let letter = ctx
        .run(move |conn| Ok(letters::find(conn, id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    if letter.writer_id != user.id && !user.role.is_coordinator() {
        return Err(AppError::NotFound);
    }
    Ok((user, letter))
}

/// The letter, if the viewer wrote it.
async fn own_letter(ctx: &Ctx, id: i64) -> Result<(User, Letter), AppError> {
    let (user, letter) = visible_letter(ctx, id).await?;
    if letter.writer_id != user.id {
        return Err(AppError::Forbidden);
    }
    Ok((user, letter))
}

/// The letter, if the viewer wrote it and it is still theirs to change
/// (`letters::WRITER_EDITABLE`).
async fn editable_letter(ctx: &Ctx, id: i64) -> Result<(User, Letter), AppError> {
    let (user, letter) = own_letter(ctx, id).await?;
    if !letters::WRITER_EDITABLE.contains(&letter.status) {
        return Err(AppError::Conflict("letters.error_not_editable".into()));
    }
    Ok((user, letter))
}

#[derive(Deserialize, Default)]
struct Empty {}

/// Which form of a letter's status to show: the writer reads "returned to
/// you", anyone else "returned to the writer" (a UI string selector).
pub(crate) fn whose(writer_id: i64, viewer_id: i64) -> &'static str {
    if writer_id == viewer_id {
        "mine"
    } else {
        "other"
    }
}

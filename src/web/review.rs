//! The review queue: coordinators read submitted letters and approve them,
//! return them to the writer with a note, or reject them with a reason. Each
//! letter shows whom it is for (with the address it was written to and a
//! link to the person) and the same warnings its writer saw, the flagged
//! words marked in the text.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::csrf::CsrfForm;
use super::ctx::{Ctx, Flash};
use crate::db;
use crate::db::letters::{self, LetterListItem, LetterStatus};
use crate::error::{AppError, FieldErrors};
use crate::letters::{char_count, check, estimate, highlight, Destination};
use crate::locale::{self, AddressRecord, Style};
use crate::review::{self, Approved, ReviewError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(queue).service(decide).service(outcome);
}

/// A note longer than this is a letter of its own; the writer gets a page at most.
const NOTE_MAX_CHARS: usize = 2_000;

/// Why the queue is shown again after a decision did not go through.
enum Trouble {
    /// The decision on this letter needs fixing: what is wrong, and the note
    /// as it was typed.
    Item {
        id: i64,
        errors: FieldErrors,
        note: String,
    },
    /// Someone else decided on the letter first.
    Decided,
}

fn item_json(i: &LetterListItem, trouble: Option<&Trouble>, ctx: &Ctx) -> Value {
    let letter = &i.letter;
    let chars = char_count(&letter.body);
    let (errors, note) = match trouble {
        Some(Trouble::Item { id, errors, note }) if *id == letter.id => {
            (Some(errors), note.as_str())
        }
        _ => (None, ""),
    };
    let record = letter
        .address_snapshot
        .as_deref()
        .and_then(|s| serde_json::from_str::<AddressRecord>(s).ok());
    let address = record
        .as_ref()
        .and_then(|r| locale::render_address(r, Style::Line, None).ok());
    // The checks the composer ran, for the address the letter was written to.
    let to = Destination {
        russian: record
            .as_ref()
            .and_then(|r| r.facility.country.as_deref())
            .is_some_and(|c| c.eq_ignore_ascii_case("RU")),
    };
    let warnings = check(&letter.body, to);
    let prisoner = i.prisoner_name();
    json!({
        "id": letter.id,
        "prisoner": prisoner,
        "prisoner_id": letter.prisoner_id,
        "address": address,
        "writer": i.writer_name,
        "pen_name": letter.pen_name,
        "channel": letter.channel,
        "body_parts": highlight(&letter.body, &warnings),
        "warnings": super::warnings::json(ctx, &warnings),
        "chars": chars,
        "pages": estimate(letter.printed(), None, false).pages,
        "submitted": letter.submitted_at.map(|t| t.format("%Y-%m-%d %H:%M").to_string()),
        "note_field": format!("note-{}", letter.id),
        "note": note,
        "note_error": errors.and_then(|e| e.get("note")),
    })
}

async fn render_queue(
    ctx: &Ctx,
    status: StatusCode,
    trouble: Option<Trouble>,
) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let items = ctx
        .run(|conn| Ok(letters::in_status(conn, LetterStatus::Submitted, 200)?))
        .await?;
    let rows: Vec<Value> = items
        .iter()
        .map(|i| item_json(i, trouble.as_ref(), ctx))
        .collect();
    ctx.render_status(
        status,
        "pages/review/queue",
        json!({
            "letters": rows,
            "decided": matches!(trouble, Some(Trouble::Decided)),
        }),
    )
}

#[get("/review")]
async fn queue(ctx: Ctx) -> Result<HttpResponse, AppError> {
    render_queue(&ctx, StatusCode::OK, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Decision {
    decision: String,
    note: String,
}

#[post("/review/{id}")]
async fn decide(
    ctx: Ctx,
    id: web::Path<i64>,
    form: CsrfForm<Decision>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.coordinator()?.id;
    let id = id.into_inner();
    let Decision { decision, note } = form.0;
    let trimmed = note.trim().to_owned();
    let mut errors = FieldErrors::default();
    if matches!(decision.as_str(), "return" | "reject") && trimmed.is_empty() {
        errors.add("note", "review.error_note");
    }
    if char_count(&trimmed) > NOTE_MAX_CHARS {
        errors.add("note", "review.error_note_long");
    }
    if !errors.is_empty() {
        let trouble = Trouble::Item { id, errors, note };
        return render_queue(&ctx, StatusCode::UNPROCESSABLE_ENTITY, Some(trouble)).await;
    }
    let decided = ctx
        .run(move |conn| {
            db::write_tx(conn, |conn| {
                let now = db::now();
                let flash = match decision.as_str() {
                    "approve" => match review::approve(conn, id, Some(me), now) {
                        Ok(Approved::Queued) => Ok(Flash::new("flash.review_approved")),
                        Ok(Approved::Held(_)) => Ok(Flash::new("flash.review_approved_held")),
                        Err(e) => Err(e),
                    },
                    "return" => review::return_to_writer(conn, id, me, &trimmed, now)
                        .map(|()| Flash::new("flash.review_returned")),
                    "reject" => review::reject(conn, id, me, &trimmed, now)
                        .map(|()| Flash::new("flash.review_rejected")),
                    _ => return Err(AppError::BadRequest("errors.status_400".into())),
                };
                match flash {
                    Ok(flash) => Ok(Some(flash.arg("n", id))),
                    // Nothing was written: the transaction ends cleanly.
                    Err(ReviewError::NotSubmitted) => Ok(None),
                    Err(e) => Err(e.into()),
                }
            })
        })
        .await?;
    match decided {
        Some(flash) => Ok(ctx.redirect_flash("/review", flash)),
        None => render_queue(&ctx, StatusCode::CONFLICT, Some(Trouble::Decided)).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OutcomeForm {
    outcome: String,
    note: String,
}

/// Delivered, censored (with the reason), returned or lost: what the
/// coordinator learned after sending. The writer sees it on the letter.
#[post("/letters/{id}/outcome")]
async fn outcome(
    ctx: Ctx,
    id: web::Path<i64>,
    form: CsrfForm<OutcomeForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.coordinator()?.id;
    let id = id.into_inner();
    let (status, key) = match form.0.outcome.as_str() {
        "delivered" => (LetterStatus::Delivered, "flash.review_outcome_delivered"),
        "censored" => (LetterStatus::Censored, "flash.review_outcome_censored"),
        "returned" => (LetterStatus::Returned, "flash.review_outcome_returned"),
        "lost" => (LetterStatus::LostOnTransfer, "flash.review_outcome_lost"),
        _ => return Err(AppError::BadRequest("errors.status_400".into())),
    };
    let note = Some(form.0.note.trim().to_owned()).filter(|n| !n.is_empty());
    ctx.run(move |conn| {
        db::write_tx(conn, |conn| {
            review::record_outcome(conn, id, me, status, note.as_deref(), db::now())?;
            Ok::<_, AppError>(())
        })
    })
    .await?;
    Ok(ctx.redirect_flash(&format!("/letters/{id}"), Flash::new(key).arg("n", id)))
}

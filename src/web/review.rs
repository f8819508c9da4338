//! The review queue: coordinators read submitted letters and approve them,
//! return them to the writer with a note, or reject them with a reason.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::csrf::CsrfForm;
use super::ctx::Ctx;
use crate::db;
use crate::db::letters::{self, LetterStatus};
use crate::error::{AppError, FieldErrors};
use crate::letters::{char_count, estimate};
use crate::review;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(queue).service(decide).service(outcome);
}

async fn render_queue(
    ctx: &Ctx,
    status: StatusCode,
    failed: Option<(i64, FieldErrors)>,
) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let items = ctx
        .run(|conn| Ok(letters::in_status(conn, LetterStatus::Submitted, 200)?))
        .await?;
    let rows: Vec<_> = items
        .iter()
        .map(|i| {
            let chars = char_count(&i.letter.body);
            let errors = match &failed {
                Some((id, e)) if *id == i.letter.id => json!(e),
                _ => json!({}),
            };
            let prisoner = [
                Some(i.prisoner_surname.as_str()),
                Some(i.prisoner_given_name.as_str()),
                i.prisoner_patronymic.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
            json!({
                "id": i.letter.id,
                "prisoner": prisoner,
                "writer": i.writer_name,
                "pen_name": i.letter.pen_name,
                "channel": i.letter.channel,
                "body": i.letter.body,
                "chars": chars,
                "pages": estimate(i.letter.printed(), None, false).pages,
                "submitted": i.letter.submitted_at.map(|t| t.format("%Y-%m-%d %H:%M").to_string()),
                "errors": errors,
                "note_field": format!("note-{}", i.letter.id),
            })
        })
        .collect();
    ctx.render_status(status, "pages/review/queue", json!({ "letters": rows }))
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
    let note = note.trim().to_owned();
    if matches!(decision.as_str(), "return" | "reject") && note.is_empty() {
        let mut errors = FieldErrors::default();
        errors.add("note", "review.error_note");
        return render_queue(&ctx, StatusCode::UNPROCESSABLE_ENTITY, Some((id, errors))).await;
    }
    ctx.run(move |conn| {
        db::write_tx(conn, |conn| {
            let now = db::now();
            match decision.as_str() {
                "approve" => review::approve(conn, id, Some(me), now).map(drop)?,
                "return" => review::return_to_writer(conn, id, me, &note, now)?,
                "reject" => review::reject(conn, id, me, &note, now)?,
                _ => return Err(AppError::BadRequest("errors.status_400".into())),
            }
            Ok(())
        })
    })
    .await?;
    Ok(ctx.redirect("/review"))
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
    let status = match form.0.outcome.as_str() {
        "delivered" => LetterStatus::Delivered,
        "censored" => LetterStatus::Censored,
        "returned" => LetterStatus::Returned,
        "lost" => LetterStatus::LostOnTransfer,
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
    Ok(ctx.redirect(&format!("/letters/{id}")))
}

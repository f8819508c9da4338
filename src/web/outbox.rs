//! The outbox page: the health of the delivery queue, and the rows that need
//! a coordinator: dead letters to retry or cancel, failing and stuck ones;
//! and the letters held until a prisoner's new address is confirmed.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::csrf::CsrfForm;
use super::ctx::{Ctx, Flash};
use crate::db::deliveries::{self, DeliveryState};
use crate::db::letters::{self, LetterStatus};
use crate::db::{self, audit};
use crate::error::AppError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(page)
        .service(held)
        .service(retry)
        .service(cancel);
}

/// Held letters shown at most; the attention page counts them all.
const HELD_SHOWN: i64 = 500;

/// Letters held for an address, oldest first, each with why and a link to
/// the prisoner's address, where confirming it releases them.
#[get("/outbox/held")]
async fn held(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let items = ctx
        .run(|conn| Ok(letters::in_status(conn, LetterStatus::Held, HELD_SHOWN)?))
        .await?;
    let rows: Vec<_> = items
        .iter()
        .map(|i| {
            let l = &i.letter;
            let name = i.prisoner_name();
            json!({
                "id": l.id,
                "prisoner_id": l.prisoner_id,
                "prisoner_name": name,
                "writer_name": i.writer_name,
                "channel": l.channel,
                "reason": l.hold_reason,
                "since": l.held_at.map(|t| t.format("%Y-%m-%d").to_string()),
            })
        })
        .collect();
    ctx.render("pages/outbox/held", json!({ "rows": rows }))
}

#[get("/outbox")]
async fn page(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let (counts, rows) = ctx
        .run(|conn| {
            Ok((
                deliveries::count_by_state(conn)?,
                deliveries::needing_attention(conn, 200)?,
            ))
        })
        .await?;
    let counts: Vec<_> = counts
        .iter()
        .map(|(state, n)| json!({ "state": state, "count": n }))
        .collect();
    let rows: Vec<_> = rows
        .iter()
        .map(|d| {
            json!({
                "id": d.id,
                "letter_id": d.letter_id,
                "channel": d.channel,
                "state": d.state,
                "attempts": d.attempts,
                "next_attempt": d.next_attempt_at.format("%Y-%m-%d %H:%M").to_string(),
                "last_error": d.last_error,
                "may_retry": matches!(d.state, DeliveryState::Dead | DeliveryState::Pending),
                "may_cancel": matches!(d.state, DeliveryState::Dead | DeliveryState::Pending | DeliveryState::Manual),
            })
        })
        .collect();
    ctx.render(
        "pages/outbox/index",
        json!({ "counts": counts, "rows": rows }),
    )
}

#[derive(Deserialize, Default)]
struct Empty {}

#[post("/outbox/{id}/retry")]
async fn retry(
    ctx: Ctx,
    id: web::Path<i64>,
    _form: CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.coordinator()?.id;
    let id = id.into_inner();
    let done = ctx
        .run(move |conn| {
            db::write_tx(conn, |conn| {
                let now = db::now();
                let done = deliveries::retry(conn, id, now)?;
                if done {
                    audit::record(
                        conn,
                        Some(me),
                        "retry",
                        "delivery",
                        Some(id),
                        &json!({}),
                        now,
                    )?;
                }
                Ok::<_, AppError>(done)
            })
        })
        .await?;
    if !done {
        return Err(AppError::Conflict("outbox.error_not_retryable".into()));
    }
    Ok(ctx.redirect_flash(
        "/outbox",
        Flash::new("flash.i18n_delivery_retried").arg("n", id),
    ))
}

/// Cancelling takes the letter back to "approved", so a coordinator can
/// choose another way to send it.
#[post("/outbox/{id}/cancel")]
async fn cancel(
    ctx: Ctx,
    id: web::Path<i64>,
    _form: CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.coordinator()?.id;
    let id = id.into_inner();
    let cancelled = ctx
        .run(move |conn| {
            db::write_tx(conn, |conn| {
                let now = db::now();
                let Some(delivery) = deliveries::cancel(conn, id, now)? else {
                    return Ok::<_, AppError>(false);
                };
                if let Some(letter_id) = delivery.letter_id {
                    letters::set_status(conn, letter_id, LetterStatus::Approved, now)?;
                }
                audit::record(
                    conn,
                    Some(me),
                    "cancel",
                    "delivery",
                    Some(id),
                    &json!({ "letter": delivery.letter_id }),
                    now,
                )?;
                Ok(true)
            })
        })
        .await?;
    if !cancelled {
        return Err(AppError::Conflict("outbox.error_not_cancellable".into()));
    }
    Ok(ctx.redirect_flash(
        "/outbox",
        Flash::new("flash.i18n_delivery_cancelled").arg("n", id),
    ))
}

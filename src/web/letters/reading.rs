//! "My letters" and one letter's page.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{format_time, visible_letter, LIST_LIMIT};
use crate::db::letters::{self, LetterStatus};
use crate::db::prisoners;
use crate::error::AppError;
use crate::letters::{self as checks};
use crate::locale::{self, AddressRecord, Style};
use crate::web::ctx::Ctx;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ListQuery {
    pub(super) all: Option<String>,
}

/// "My letters": the viewer's letters, those still with them first.
/// Coordinators may ask for every writer's with ?all=1.
#[get("/letters")]
pub(super) async fn letters_list(
    ctx: Ctx,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let user = ctx.user()?.clone();
    let all = user.role.is_coordinator() && query.all.as_deref() == Some("1");
    let writer = (!all).then_some(user.id);
    let items = ctx
        .run(move |conn| Ok(letters::list_for_writer(conn, writer, LIST_LIMIT)?))
        .await?;
    let rows: Vec<Value> = items
        .iter()
        .map(|i| {
            let l = &i.letter;
            let name = i.prisoner_name();
            let editable = i.with_writer() && l.writer_id == user.id;
            json!({
                "id": l.id,
                "prisoner_name": name,
                "writer_name": i.writer_name,
                "channel": l.channel,
                "status": l.status,
                "whose": super::whose(l.writer_id, user.id),
                "review_note": l.review_note,
                "updated": format_time(Some(l.updated_at)),
                "submitted": format_time(l.submitted_at),
                "with_writer": i.with_writer(),
                "href": if editable { format!("/letters/{}/edit", l.id) } else { format!("/letters/{}", l.id) },
            })
        })
        .collect();
    ctx.render(
        "pages/letters/list",
        json!({
            "letters": rows,
            "all": all,
            "may_see_all": user.role.is_coordinator(),
        }),
    )
}

#[get("/letters/{id}")]
pub(super) async fn show_letter(ctx: Ctx, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let (user, letter) = visible_letter(&ctx, id.into_inner()).await?;
    let prisoner_id = letter.prisoner_id;
    let prisoner = ctx
        .run(move |conn| Ok(prisoners::find(conn, prisoner_id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    // The replies this letter got, for "reply received" to link to: those
    // the viewer may open (the writer's own, or any for a coordinator).
    let letter_id = letter.id;
    let replies: Vec<Value> = ctx
        .run(move |conn| Ok(crate::db::replies::for_letter(conn, letter_id)?))
        .await?
        .iter()
        .filter(|r| user.role.is_coordinator() || r.writer_id == Some(user.id))
        .map(|r| json!({ "id": r.id, "received": r.received_at.format("%Y-%m-%d").to_string() }))
        .collect();
    let address = letter
        .address_snapshot
        .as_deref()
        .and_then(|s| serde_json::from_str::<AddressRecord>(s).ok())
        .and_then(|r| locale::render_address(&r, Style::Line, None).ok());
    let l = &letter;
    let steps: Vec<Value> = [
        ("created", Some(l.created_at)),
        ("submitted", l.submitted_at),
        ("returned_to_writer", l.returned_to_writer_at),
        ("rejected", l.rejected_at),
        ("approved", l.approved_at),
        ("queued", l.queued_at),
        ("held", l.held_at),
        ("sent", l.sent_at),
        ("delivered", l.delivered_at),
        ("censored", l.censored_at),
        ("returned", l.returned_at),
        ("lost", l.lost_at),
        ("replied", l.replied_at),
    ]
    .into_iter()
    .filter_map(|(step, at)| at.map(|at| json!({"step": step, "at": format_time(Some(at))})))
    .collect();
    let own = l.writer_id == user.id;
    let editable = own && letters::WRITER_EDITABLE.contains(&l.status);
    ctx.render(
        "pages/letters/show",
        json!({
            "letter": {
                "id": l.id,
                "body": l.body,
                "status": l.status,
                "whose": super::whose(l.writer_id, user.id),
                "channel": l.channel,
                "language": l.language,
                "pen_name": l.pen_name,
                "reply_blank": l.reply_blank,
                "reply_code": l.reply_code,
                "pages": l.pages,
                "cost_text": l.cost_minor.map(|c| checks::format_rub(c, ctx.lang.code())),
                "review_note": l.review_note,
                "outcome_note": l.outcome_note,
                "hold_reason": l.hold_reason,
                "receipt_number": l.receipt_number,
            },
            "prisoner": { "id": prisoner.id, "name": prisoner.full_name() },
            "address": address,
            "steps": steps,
            "replies": replies,
            "editable": editable,
            "withdrawable": own && l.status == LetterStatus::Submitted,
            "deletable": own && l.status == LetterStatus::Draft,
            // After sending, a coordinator records what became of the letter.
            "may_record_outcome": user.role.is_coordinator()
                && matches!(l.status, LetterStatus::Sent | LetterStatus::Delivered),
        }),
    )
}

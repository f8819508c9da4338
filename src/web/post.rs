//! Paper post: the coordinator's queue of approved letters that go by post,
//! printable letters (A4, the reply code in the footer), envelopes for a
//! batch addressed for the sender's country, and marking a batch as posted.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::csrf::CsrfForm;
use super::ctx::Ctx;
use crate::db;
use crate::db::deliveries::{self, ManualItem};
use crate::db::letters::Channel;
use crate::error::AppError;
use crate::locale::{self, AddressRecord, Style};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(queue)
        .service(print_letters)
        .service(envelopes)
        .service(mark_posted);
}

/// The address a letter was written for; the record it was composed against
/// is what the writer saw.
fn address_of(item: &ManualItem) -> AddressRecord {
    item.address_snapshot
        .as_deref()
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default()
}

fn render(record: &AddressRecord, style: Style, from: Option<&str>) -> Result<String, String> {
    locale::render_address(record, style, from).map_err(|e| e.to_string())
}

async fn post_queue(ctx: &Ctx) -> Result<Vec<ManualItem>, AppError> {
    ctx.run(|conn| Ok(deliveries::manual_queue(conn, Channel::Post)?))
        .await
}

/// The `id` values of the query string (`?id=1&id=2`), as checkboxes send them.
fn ids_from_query(query: &str) -> Vec<i64> {
    url::form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| v.parse().ok())
        .collect()
}

fn selected(items: Vec<ManualItem>, ids: &[i64]) -> Vec<ManualItem> {
    items
        .into_iter()
        .filter(|i| ids.contains(&i.delivery_id))
        .collect()
}

#[get("/post")]
async fn queue(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let items = post_queue(&ctx).await?;
    let rows: Vec<_> = items
        .iter()
        .map(|item| {
            let record = address_of(item);
            let p = &record.person;
            let name = [&p.surname, &p.given_name, &p.patronymic]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(" ");
            json!({
                "delivery_id": item.delivery_id,
                "letter_id": item.letter_id,
                "name": name,
                "facility": record.facility.name,
                "country": record.facility.country,
                "queued": item.queued_at.map(|t| t.format("%Y-%m-%d").to_string()),
            })
        })
        .collect();
    ctx.render("pages/post/queue", json!({ "items": rows }))
}

#[get("/post/letters")]
async fn print_letters(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let ids = ids_from_query(ctx.request().query_string());
    let items = selected(post_queue(&ctx).await?, &ids);
    let pages: Vec<_> = items
        .iter()
        .map(|item| {
            let record = address_of(item);
            json!({
                "recipient": render(&record, Style::Line, None).unwrap_or_default(),
                "body": item.body,
                "pen_name": item.pen_name,
                "reply_code": item.reply_code,
            })
        })
        .collect();
    ctx.render("pages/post/letters", json!({ "pages": pages }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EnvelopeQuery {
    from: Option<String>,
}

#[get("/post/envelopes")]
async fn envelopes(ctx: Ctx, query: web::Query<EnvelopeQuery>) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let ids = ids_from_query(ctx.request().query_string());
    let from = query
        .from
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_uppercase);
    let items = selected(post_queue(&ctx).await?, &ids);
    let envelopes: Vec<_> = items
        .iter()
        .map(|item| {
            let record = address_of(item);
            match render(&record, Style::Envelope, from.as_deref()) {
                Ok(text) => json!({ "lines": text.lines().collect::<Vec<_>>(), "error": null }),
                Err(error) => json!({ "lines": [], "error": error }),
            }
        })
        .collect();
    ctx.render("pages/post/envelopes", json!({ "envelopes": envelopes }))
}

#[post("/post/posted")]
async fn mark_posted(
    ctx: Ctx,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.coordinator()?.id;
    let ids: Vec<i64> = form
        .0
        .iter()
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    if ids.is_empty() {
        return Err(AppError::BadRequest("post.error_none_selected".into()));
    }
    // Only rows still waiting for the post are touched; the rest are skipped.
    let queued: Vec<i64> = post_queue(&ctx)
        .await?
        .iter()
        .map(|i| i.delivery_id)
        .collect();
    let ids: Vec<i64> = ids.into_iter().filter(|id| queued.contains(id)).collect();
    ctx.run(move |conn| {
        db::write_tx(conn, |conn| {
            let sent = deliveries::record_manual_sent(
                conn,
                &ids,
                me,
                &deliveries::ManualReceipt::default(),
                db::now(),
            )?;
            Ok::<_, AppError>(sent)
        })
    })
    .await?;
    Ok(ctx.redirect("/post"))
}

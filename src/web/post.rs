//! Paper post: the coordinator's queue of approved letters that go by post,
//! printable letters (A4, in the destination's language, the reply code in
//! the footer), envelopes for a batch with the organisation's sender block,
//! marking exactly the chosen letters as posted, and the return address.
//!
//! One form on the queue carries the ticked rows to every button (print
//! letters, print envelopes, mark as posted), so what is printed and what is
//! marked are the same selection, with or without JavaScript. The print
//! pages answer POST as well as GET for that form.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::csrf::CsrfForm;
use super::ctx::{Ctx, Flash};
use crate::db::deliveries::{self, ManualItem, ManualReceipt};
use crate::db::letters::Channel;
use crate::db::{self, site_settings};
use crate::delivery::manual;
use crate::delivery::sender::{self, SaveError};
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::locale::{self, AddressRecord, ReturnAddress, ReturnAddressProblem, Style};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(queue)
        .service(print_letters)
        .service(print_letters_form)
        .service(envelopes)
        .service(envelopes_form)
        .service(mark_posted)
        .service(return_address_form)
        .service(save_return_address);
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

/// The ticked rows and the sender's country, from the query string (GET) or
/// the form (POST): `id` once per ticked row.
#[derive(Debug, Default)]
struct Selection {
    ids: Vec<i64>,
    from: Option<String>,
}

impl Selection {
    fn parse<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Selection {
        let mut selection = Selection::default();
        for (key, value) in pairs {
            match key {
                "id" => selection.ids.extend(value.trim().parse::<i64>().ok()),
                "from" => {
                    selection.from = Some(value.trim().to_uppercase()).filter(|f| !f.is_empty())
                }
                _ => {}
            }
        }
        selection
    }

    fn from_query(query: &str) -> Selection {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        Selection::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    fn from_form(form: &[(String, String)]) -> Selection {
        Selection::parse(form.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    fn pick(&self, items: Vec<ManualItem>) -> Vec<ManualItem> {
        items
            .into_iter()
            .filter(|i| self.ids.contains(&i.delivery_id))
            .collect()
    }
}

#[get("/post")]
async fn queue(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let items = post_queue(&ctx).await?;
    let sender = ctx
        .run(|conn| Ok(site_settings::return_address(conn)?))
        .await?;
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
    let sender_lines = sender.as_ref().map(|a| a.lines("")).unwrap_or_default();
    ctx.render(
        "pages/post/queue",
        json!({
            "items": rows,
            "sender": sender_lines,
            "sender_country": sender.map(|a| a.country),
        }),
    )
}

/// The language of a printed letter's own words: the destination's (Russian
/// for Russia and Belarus), else the one the letter is written in, else the
/// coordinator's.
fn sheet_lang(record: &AddressRecord, item: &ManualItem, ui: Lang) -> Lang {
    let destination = record.facility.country.as_deref().unwrap_or("");
    locale::mail_language(destination)
        .and_then(Lang::from_code)
        .or_else(|| Lang::from_code(&item.language))
        .unwrap_or(ui)
}

async fn render_letters(ctx: &Ctx, selection: Selection) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let items = selection.pick(post_queue(ctx).await?);
    if items.is_empty() {
        return Err(AppError::BadRequest("post.error_none_selected".into()));
    }
    let translations = ctx.templates.translations();
    let pages: Vec<_> = items
        .iter()
        .map(|item| {
            let record = address_of(item);
            let lang = sheet_lang(&record, item, ctx.lang);
            json!({
                "sheet_lang": lang.code(),
                "reply_code_label": translations.get(lang, "post.reply_code"),
                "recipient": render(&record, Style::Line, None).unwrap_or_default(),
                "body": item.body,
                "pen_name": item.pen_name,
                "reply_code": item.reply_code,
            })
        })
        .collect();
    ctx.render("pages/post/letters", json!({ "pages": pages }))
}

#[get("/post/letters")]
async fn print_letters(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let selection = Selection::from_query(ctx.request().query_string());
    render_letters(&ctx, selection).await
}

#[post("/post/letters")]
async fn print_letters_form(
    ctx: Ctx,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    render_letters(&ctx, Selection::from_form(&form.0)).await
}

async fn render_envelopes(ctx: &Ctx, selection: Selection) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let items = selection.pick(post_queue(ctx).await?);
    if items.is_empty() {
        return Err(AppError::BadRequest("post.error_none_selected".into()));
    }
    let sender = ctx
        .run(|conn| Ok(site_settings::return_address(conn)?))
        .await?;
    // Mail crosses a border when it leaves from another country than the
    // prisoner's: the typed country wins, else the return address's.
    let from = selection
        .from
        .clone()
        .or_else(|| sender.as_ref().map(|s| s.country.clone()));
    let printed: Vec<_> = items
        .iter()
        .map(|item| {
            let record = address_of(item);
            let destination = record.facility.country.clone().unwrap_or_default();
            let sender_lines = sender
                .as_ref()
                .map(|s| s.lines(&destination))
                .unwrap_or_default();
            match render(&record, Style::Envelope, from.as_deref()) {
                Ok(text) => json!({
                    "sender": sender_lines,
                    "lines": text.lines().collect::<Vec<_>>(),
                    "error": null,
                }),
                Err(error) => json!({ "sender": sender_lines, "lines": [], "error": error }),
            }
        })
        .collect();
    ctx.render(
        "pages/post/envelopes",
        json!({ "envelopes": printed, "no_sender": sender.is_none() }),
    )
}

#[get("/post/envelopes")]
async fn envelopes(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let selection = Selection::from_query(ctx.request().query_string());
    render_envelopes(&ctx, selection).await
}

#[post("/post/envelopes")]
async fn envelopes_form(
    ctx: Ctx,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    render_envelopes(&ctx, Selection::from_form(&form.0)).await
}

#[post("/post/posted")]
async fn mark_posted(
    ctx: Ctx,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.coordinator()?.id;
    let ids = Selection::from_form(&form.0).ids;
    if ids.is_empty() {
        return Err(AppError::BadRequest("post.error_none_selected".into()));
    }
    let marked = ctx
        .run(move |conn| {
            Ok(manual::record_sent(
                conn,
                Channel::Post,
                &ids,
                me,
                &ManualReceipt::default(),
                db::now(),
            )?)
        })
        .await?;
    let flash = if marked.skipped == 0 {
        Flash::new("flash.post_marked").arg("n", marked.letters.len())
    } else {
        Flash::new("flash.post_marked_some_skipped")
            .arg("n", marked.letters.len())
            .arg("skipped", marked.skipped)
    };
    Ok(ctx.redirect_flash("/post", flash))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReturnAddressForm {
    name: String,
    street: String,
    locality: String,
    region: String,
    postcode: String,
    country: String,
}

impl From<ReturnAddressForm> for ReturnAddress {
    fn from(f: ReturnAddressForm) -> Self {
        ReturnAddress {
            name: f.name,
            street: f.street,
            locality: f.locality,
            region: f.region,
            postcode: f.postcode,
            country: f.country,
        }
    }
}

fn problem_key(problem: ReturnAddressProblem) -> &'static str {
    match problem {
        ReturnAddressProblem::Missing => "post.error_sender_missing",
        ReturnAddressProblem::BadCountry => "post.error_sender_country",
        ReturnAddressProblem::BadPostcode => "post.error_sender_postcode",
        ReturnAddressProblem::TooLong => "post.error_sender_too_long",
    }
}

fn render_return_address(
    ctx: &Ctx,
    status: StatusCode,
    address: &ReturnAddress,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    ctx.render_status(
        status,
        "pages/post/return_address",
        json!({
            "address": address,
            "errors": errors,
            "failed": !errors.is_empty(),
        }),
    )
}

#[get("/post/return-address")]
async fn return_address_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let address = ctx
        .run(|conn| Ok(site_settings::return_address(conn)?))
        .await?
        .unwrap_or_default();
    render_return_address(&ctx, StatusCode::OK, &address, &FieldErrors::default())
}

#[post("/post/return-address")]
async fn save_return_address(
    ctx: Ctx,
    form: CsrfForm<ReturnAddressForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.coordinator()?.id;
    let address: ReturnAddress = form.0.into();
    let typed = address.clone();
    let saved = ctx
        .run(
            move |conn| match sender::save_return_address(conn, address, me, db::now()) {
                Ok(()) => Ok(Ok(())),
                Err(SaveError::Invalid(problems)) => Ok(Err(problems)),
                Err(SaveError::Db(e)) => Err(e.into()),
            },
        )
        .await?;
    match saved {
        Ok(()) => Ok(ctx.redirect_flash("/post", Flash::new("flash.post_return_address_saved"))),
        Err(problems) => {
            let mut errors = FieldErrors::default();
            for (field, problem) in problems {
                errors.add(field, problem_key(problem));
            }
            render_return_address(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &typed, &errors)
        }
    }
}

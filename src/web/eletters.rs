//! The send screen for ФСИН-Письмо and Zonatelecom, which have no public API:
//! a coordinator sees the approved letters for a service grouped by region
//! and facility, each with exactly the fields the service's web form asks for
//! and a copy button per field, submits them on the service's website with
//! the organisation's account, and records the receipt, pages and amount.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::csrf::CsrfForm;
use super::ctx::Ctx;
use crate::db::deliveries::{self, ManualItem, ManualReceipt};
use crate::db::letters::Channel;
use crate::db::{self};
use crate::error::{AppError, FieldErrors};
use crate::locale::AddressRecord;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(queue).service(record_sent);
}

fn service(name: &str) -> Result<Channel, AppError> {
    match name.parse::<Channel>() {
        Ok(c @ (Channel::FsinPismo | Channel::Zonatelecom)) => Ok(c),
        _ => Err(AppError::NotFound),
    }
}

fn item_json(item: &ManualItem) -> serde_json::Value {
    let record: AddressRecord = item
        .address_snapshot
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default();
    let p = &record.person;
    let full_name = [&p.surname, &p.given_name, &p.patronymic]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    // The text the service prints: the body, the signature and the reply
    // code (so the reply can be matched), in the pages the writer was quoted.
    let printed = crate::letters::Printed {
        body: &item.body,
        signature: item.pen_name.as_deref(),
        reply_code: item.reply_code.as_deref(),
    };
    let pages: Vec<_> = crate::letters::split_pages(&printed.text())
        .into_iter()
        .enumerate()
        .map(|(i, text)| json!({ "number": i + 1, "text": text }))
        .collect();
    json!({
        "delivery_id": item.delivery_id,
        "region": record.facility.region,
        "facility": record.facility.name,
        "full_name": full_name,
        "birth_year": p.birth_year,
        "pages": pages,
        "page_count": pages.len(),
        "reply_blank": item.reply_blank,
        "reply_code": item.reply_code,
        "sender": item.pen_name,
    })
}

/// The queue page; `failed` is the item whose receipt form had errors, with
/// what was entered, so the form shows the messages next to its fields.
async fn render_queue(
    ctx: &Ctx,
    channel: Channel,
    status: StatusCode,
    failed: Option<(i64, FieldErrors, &ReceiptForm)>,
) -> Result<HttpResponse, AppError> {
    let items = ctx
        .run(move |conn| Ok(deliveries::manual_queue(conn, channel)?))
        .await?;
    // Region, then facility: the order the service's form asks for them.
    let mut groups: BTreeMap<(String, String), Vec<serde_json::Value>> = BTreeMap::new();
    for item in &items {
        let mut value = item_json(item);
        let (errors, receipt, amount) = match &failed {
            Some((id, errors, form)) if *id == item.delivery_id => {
                (json!(errors), form.receipt.clone(), form.amount.clone())
            }
            _ => (json!({}), String::new(), String::new()),
        };
        value["errors"] = errors;
        value["receipt"] = json!(receipt);
        let id = item.delivery_id;
        value["fields"] = json!({ "receipt": format!("receipt-{id}"), "pages": format!("pages-{id}"), "amount": format!("amount-{id}") });
        value["amount"] = json!(amount);
        let key = (
            value["region"].as_str().unwrap_or("").to_owned(),
            value["facility"].as_str().unwrap_or("").to_owned(),
        );
        groups.entry(key).or_default().push(value);
    }
    let groups: Vec<_> = groups
        .into_iter()
        .map(|((region, facility), items)| json!({ "region": region, "facility": facility, "items": items }))
        .collect();
    ctx.render_status(
        status,
        "pages/send/queue",
        json!({ "service": channel, "groups": groups, "failed": failed.is_some() }),
    )
}

#[get("/send/{service}")]
async fn queue(ctx: Ctx, name: web::Path<String>) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let channel = service(&name)?;
    render_queue(&ctx, channel, StatusCode::OK, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReceiptForm {
    receipt: String,
    pages: String,
    amount: String,
}

/// "110", "110.50", "110,5" roubles → kopecks.
fn parse_amount(text: &str) -> Option<i64> {
    let text = text.trim().replace(',', ".");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > 2
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let cents: i64 = format!("{fraction:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(cents)
}

#[post("/send/{service}/{delivery}")]
async fn record_sent(
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    form: CsrfForm<ReceiptForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.coordinator()?.id;
    let (name, delivery_id) = path.into_inner();
    let channel = service(&name)?;
    let form = form.0;
    let mut errors = FieldErrors::default();
    let receipt = form.receipt.trim().to_owned();
    if receipt.is_empty() || receipt.chars().count() > 100 {
        errors.add("receipt", "send.error_receipt");
    }
    let pages = match form.pages.trim() {
        "" => None,
        p => match p.parse::<i32>() {
            Ok(n) if (1..=100).contains(&n) => Some(n),
            _ => {
                errors.add("pages", "send.error_pages");
                None
            }
        },
    };
    let cost_minor = match form.amount.trim() {
        "" => None,
        a => match parse_amount(a) {
            Some(v) => Some(v),
            None => {
                errors.add("amount", "send.error_amount");
                None
            }
        },
    };
    if !errors.is_empty() {
        return render_queue(
            &ctx,
            channel,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some((delivery_id, errors, &form)),
        )
        .await;
    }
    let waiting = ctx
        .run(move |conn| {
            Ok(deliveries::manual_queue(conn, channel)?
                .iter()
                .any(|i| i.delivery_id == delivery_id))
        })
        .await?;
    if !waiting {
        return Err(AppError::NotFound);
    }
    let details = ManualReceipt {
        receipt: Some(receipt),
        pages,
        cost_minor,
    };
    ctx.run(move |conn| {
        db::write_tx(conn, |conn| {
            deliveries::record_manual_sent(conn, &[delivery_id], me, &details, db::now())?;
            Ok::<_, AppError>(())
        })
    })
    .await?;
    Ok(ctx.redirect(&format!("/send/{channel}")))
}

#[cfg(test)]
mod tests {
    use super::parse_amount;

    #[test]
    fn amounts_in_roubles_become_kopecks() {
        assert_eq!(parse_amount("110"), Some(11000));
        assert_eq!(parse_amount("110,5"), Some(11050));
        assert_eq!(parse_amount(" 55.05 "), Some(5505));
        assert_eq!(parse_amount("55.055"), None);
        assert_eq!(parse_amount("-5"), None);
        assert_eq!(parse_amount("abc"), None);
        assert_eq!(parse_amount(""), None);
        assert_eq!(parse_amount("99999999999999999999"), None);
    }
}

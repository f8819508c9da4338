//! The send screens for ФСИН-Письмо and Zonatelecom, which have no public
//! API. `/send` lists the services with letters waiting; `/send/{service}` is
//! a worklist: the approved letters grouped by region and facility, each with
//! its number and writer, exactly the fields the service's web form asks for,
//! and the text the service prints (signature and reply code included) in the
//! pages the writer was quoted, each with a copy button. The coordinator
//! submits them on the service's website with the organisation's account and
//! records the receipt; the page then opens at the next letter.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::csrf::CsrfForm;
use super::ctx::{Ctx, Flash};
use crate::db::deliveries::{self, ManualItem, ManualReceipt};
use crate::db::letters::{self, Channel, LetterSender};
use crate::db::{self};
use crate::error::{AppError, FieldErrors};
use crate::letters as checks;
use crate::locale::AddressRecord;

/// The services a coordinator submits letters to by hand, in the order the
/// overview lists them.
const SERVICES: [Channel; 2] = [Channel::FsinPismo, Channel::Zonatelecom];

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(overview).service(queue).service(record_sent);
}

fn service(name: &str) -> Result<Channel, AppError> {
    match name.parse::<Channel>() {
        Ok(c) if SERVICES.contains(&c) => Ok(c),
        _ => Err(AppError::NotFound),
    }
}

/// Every e-letter service with the letters waiting for it.
#[get("/send")]
async fn overview(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let counts = ctx.run(|conn| Ok(deliveries::manual_counts(conn)?)).await?;
    let count = |c: Channel| {
        counts
            .iter()
            .find(|(channel, _)| *channel == c)
            .map_or(0, |(_, n)| *n)
    };
    let services: Vec<_> = SERVICES
        .iter()
        .map(|&c| json!({ "service": c, "count": count(c) }))
        .collect();
    ctx.render(
        "pages/send/index",
        json!({ "services": services, "post": count(Channel::Post) }),
    )
}

/// One letter on the worklist.
struct Item {
    delivery_id: i64,
    letter_id: i64,
    region: String,
    facility: String,
    full_name: String,
    birth_year: Option<i32>,
    writer_id: Option<i64>,
    writer_name: String,
    pages: Vec<String>,
    reply_blank: bool,
    reply_code: Option<String>,
    /// What the writer was quoted for these pages.
    cost_minor: Option<i64>,
}

impl Item {
    fn new(ctx: &Ctx, item: &ManualItem, sender: Option<&LetterSender>) -> Item {
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
        let printed = checks::Printed {
            body: &item.body,
            signature: item.pen_name.as_deref(),
            reply_code: item.reply_code.as_deref(),
        };
        let pages = checks::split_pages(&printed.text());
        let price = match item.channel {
            Channel::FsinPismo => Some(ctx.settings.prices.fsin_pismo),
            Channel::Zonatelecom => Some(ctx.settings.prices.zonatelecom),
            Channel::Post | Channel::Email => None,
        };
        let cost_minor = checks::estimate(printed, price, item.reply_blank).cost_minor;
        Item {
            delivery_id: item.delivery_id,
            letter_id: item.letter_id,
            region: record.facility.region.clone().unwrap_or_default(),
            facility: record.facility.name.clone().unwrap_or_default(),
            full_name,
            birth_year: p.birth_year,
            writer_id: sender.map(|s| s.writer_id),
            writer_name: sender.map(|s| s.writer_name.clone()).unwrap_or_default(),
            pages,
            reply_blank: item.reply_blank,
            reply_code: item.reply_code.clone(),
            cost_minor,
        }
    }

    /// Region, then facility: the order the service's form asks for them.
    fn group_key(&self) -> (String, String) {
        (self.region.clone(), self.facility.clone())
    }
}

/// The worklist in the order it is shown: by region and facility, oldest
/// first within each.
async fn load_items(ctx: &Ctx, channel: Channel) -> Result<Vec<Item>, AppError> {
    let (waiting, senders) = ctx
        .run(move |conn| {
            let waiting = deliveries::manual_queue(conn, channel)?;
            let ids: Vec<i64> = waiting.iter().map(|i| i.letter_id).collect();
            let senders = letters::senders_of(conn, &ids)?;
            Ok((waiting, senders))
        })
        .await?;
    let mut items: Vec<Item> = waiting
        .iter()
        .map(|i| {
            let sender = senders.iter().find(|s| s.letter_id == i.letter_id);
            Item::new(ctx, i, sender)
        })
        .collect();
    // Stable: the queue's own order (oldest first) stays within a group.
    items.sort_by_key(Item::group_key);
    Ok(items)
}

/// What the worklist is narrowed to; empty means any.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct Filters {
    region: String,
    facility: String,
    writer: String,
}

impl Filters {
    fn writer_id(&self) -> Option<i64> {
        self.writer.trim().parse().ok()
    }

    fn is_active(&self) -> bool {
        !(self.region.is_empty() && self.facility.is_empty() && self.writer.is_empty())
    }

    fn matches(&self, item: &Item) -> bool {
        (self.region.is_empty() || item.region == self.region)
            && (self.facility.is_empty() || item.facility == self.facility)
            && (self.writer.is_empty() || item.writer_id == self.writer_id())
    }

    /// "?region=…&writer=…" for links back to the same worklist.
    fn query(&self) -> String {
        if !self.is_active() {
            return String::new();
        }
        let pairs: Vec<(&str, &str)> = [
            ("region", self.region.as_str()),
            ("facility", self.facility.as_str()),
            ("writer", self.writer.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        serde_urlencoded::to_string(pairs)
            .map(|q| format!("?{q}"))
            .unwrap_or_default()
    }

    /// The choices each filter offers: what the whole worklist holds.
    fn choices(&self, items: &[Item]) -> serde_json::Value {
        let regions: BTreeSet<&str> = items.iter().map(|i| i.region.as_str()).collect();
        let facilities: BTreeSet<&str> = items.iter().map(|i| i.facility.as_str()).collect();
        let mut writers: BTreeMap<i64, &str> = BTreeMap::new();
        for item in items {
            if let Some(id) = item.writer_id {
                writers.insert(id, &item.writer_name);
            }
        }
        let mut writers: Vec<_> = writers.into_iter().collect();
        writers.sort_by_key(|(id, name)| (name.to_lowercase(), *id));
        json!({
            "regions": regions.into_iter().filter(|r| !r.is_empty())
                .map(|r| json!({ "value": r, "selected": r == self.region })).collect::<Vec<_>>(),
            "facilities": facilities.into_iter().filter(|f| !f.is_empty())
                .map(|f| json!({ "value": f, "selected": f == self.facility })).collect::<Vec<_>>(),
            "writers": writers.into_iter()
                .map(|(id, name)| json!({ "value": id, "name": name, "selected": Some(id) == self.writer_id() }))
                .collect::<Vec<_>>(),
            "active": self.is_active(),
            "region": self.region,
            "facility": self.facility,
            "writer": self.writer,
        })
    }
}

/// "110" or "110.50": how a typed amount is shown back, as `parse_amount` reads it.
fn amount_text(minor: i64) -> String {
    match minor % 100 {
        0 => format!("{}", minor / 100),
        c => format!("{}.{c:02}", minor / 100),
    }
}

/// A receipt form that did not pass, with what was typed.
struct Failed<'a> {
    delivery_id: i64,
    errors: FieldErrors,
    form: &'a ReceiptForm,
}

fn item_json(item: &Item, failed: Option<&Failed<'_>>) -> serde_json::Value {
    let id = item.delivery_id;
    let page_count = item.pages.len();
    let pages: Vec<_> = item
        .pages
        .iter()
        .enumerate()
        .map(|(i, text)| json!({ "number": i + 1, "text": text }))
        .collect();
    let failed = failed.filter(|f| f.delivery_id == id);
    // A form with errors shows what was typed; a fresh one what was quoted.
    let (receipt, pages_paid, amount) = match failed {
        Some(f) => (
            f.form.receipt.clone(),
            f.form.pages.clone(),
            f.form.amount.clone(),
        ),
        None => (
            String::new(),
            page_count.to_string(),
            item.cost_minor.map(amount_text).unwrap_or_default(),
        ),
    };
    // The first field to fix takes the focus, so the page opens at it.
    let focus = failed.and_then(|f| {
        ["receipt", "pages", "amount"]
            .into_iter()
            .find(|k| f.errors.get(k).is_some())
    });
    json!({
        "delivery_id": id,
        "letter_id": item.letter_id,
        "writer": item.writer_name,
        "region": item.region,
        "facility": item.facility,
        "full_name": item.full_name,
        "birth_year": item.birth_year,
        "pages": pages,
        "page_count": page_count,
        "reply_blank": item.reply_blank,
        "reply_code": item.reply_code,
        "errors": failed.map_or_else(|| json!({}), |f| json!(f.errors)),
        "failed": failed.is_some(),
        "focus": focus,
        "receipt": receipt,
        "pages_paid": pages_paid,
        "amount": amount,
        "fields": { "receipt": format!("receipt-{id}"), "pages": format!("pages-{id}"), "amount": format!("amount-{id}") },
    })
}

async fn render_queue(
    ctx: &Ctx,
    channel: Channel,
    filters: &Filters,
    status: StatusCode,
    failed: Option<Failed<'_>>,
) -> Result<HttpResponse, AppError> {
    let items = load_items(ctx, channel).await?;
    let mut groups: Vec<(String, String, Vec<serde_json::Value>)> = Vec::new();
    let mut shown = 0;
    for item in items.iter().filter(|i| filters.matches(i)) {
        shown += 1;
        let value = item_json(item, failed.as_ref());
        match groups.last_mut() {
            Some((region, facility, list))
                if *region == item.region && *facility == item.facility =>
            {
                list.push(value)
            }
            _ => groups.push((item.region.clone(), item.facility.clone(), vec![value])),
        }
    }
    let groups: Vec<_> = groups
        .into_iter()
        .map(|(region, facility, items)| json!({ "region": region, "facility": facility, "items": items }))
        .collect();
    let failed_letter = failed.as_ref().and_then(|f| {
        items
            .iter()
            .find(|i| i.delivery_id == f.delivery_id)
            .map(|i| json!({ "delivery_id": i.delivery_id, "letter_id": i.letter_id }))
    });
    ctx.render_status(
        status,
        "pages/send/queue",
        json!({
            "service": channel,
            "groups": groups,
            "filters": filters.choices(&items),
            "query": filters.query(),
            "shown": shown,
            "total": items.len(),
            "failed": failed_letter,
        }),
    )
}

#[get("/send/{service}")]
async fn queue(
    ctx: Ctx,
    name: web::Path<String>,
    filters: web::Query<Filters>,
) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let channel = service(&name)?;
    render_queue(&ctx, channel, &filters, StatusCode::OK, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReceiptForm {
    receipt: String,
    pages: String,
    amount: String,
    // The worklist's filters, so that the next page keeps them.
    region: String,
    facility: String,
    writer: String,
}

impl ReceiptForm {
    fn filters(&self) -> Filters {
        Filters {
            region: self.region.clone(),
            facility: self.facility.clone(),
            writer: self.writer.clone(),
        }
    }
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

/// The receipt as typed, or what to fix.
fn parse_receipt(form: &ReceiptForm) -> Result<ManualReceipt, FieldErrors> {
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
    if errors.is_empty() {
        Ok(ManualReceipt {
            receipt: Some(receipt),
            pages,
            cost_minor,
        })
    } else {
        Err(errors)
    }
}

/// The letter to open after `done`: the next one on the (filtered) list,
/// else the one before it.
fn next_after(items: &[&Item], done: i64) -> Option<i64> {
    let at = items.iter().position(|i| i.delivery_id == done)?;
    items
        .get(at + 1)
        .or_else(|| at.checked_sub(1).and_then(|b| items.get(b)))
        .map(|i| i.delivery_id)
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
    let filters = form.filters();
    let details = match parse_receipt(&form) {
        Ok(details) => details,
        Err(errors) => {
            let failed = Failed {
                delivery_id,
                errors,
                form: &form,
            };
            return render_queue(
                &ctx,
                channel,
                &filters,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(failed),
            )
            .await;
        }
    };
    let items = load_items(&ctx, channel).await?;
    let Some(item) = items.iter().find(|i| i.delivery_id == delivery_id) else {
        return Err(AppError::NotFound);
    };
    let shown: Vec<&Item> = items.iter().filter(|i| filters.matches(i)).collect();
    let next = next_after(&shown, delivery_id);
    let receipt = details.receipt.clone().unwrap_or_default();
    let recorded = ctx
        .run(move |conn| {
            db::write_tx(conn, |conn| {
                Ok::<_, AppError>(crate::delivery::manual::record_sent_in(
                    conn,
                    channel,
                    &[delivery_id],
                    me,
                    &details,
                    db::now(),
                )?)
            })
        })
        .await?;
    let to = format!(
        "/send/{channel}{}{}",
        filters.query(),
        next.map(|n| format!("#letter-{n}")).unwrap_or_default()
    );
    let flash = if recorded.letters.is_empty() {
        // Another coordinator recorded it between our look and our write.
        Flash::new("flash.eletters_already_recorded").arg("letter", item.letter_id)
    } else {
        Flash::new("flash.eletters_recorded")
            .arg("letter", item.letter_id)
            .arg("name", &item.full_name)
            .arg("receipt", receipt)
    };
    Ok(ctx.redirect_flash(&to, flash))
}

#[cfg(test)]
mod tests {
    use super::{amount_text, parse_amount};

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

    #[test]
    fn a_quoted_amount_reads_back_as_itself() {
        for minor in [0, 5, 5_500, 16_550] {
            assert_eq!(parse_amount(&amount_text(minor)), Some(minor));
        }
        assert_eq!(amount_text(16_500), "165");
    }
}

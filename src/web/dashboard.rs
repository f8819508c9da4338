//! The coordinator dashboard: who has gone longest without a letter, with
//! the figures that say how long, filters, and a CSV export of the view.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::QueryResult;
use serde::Deserialize;
use serde_json::json;

use super::ctx::Ctx;
use crate::db::facilities::FacilityChoice;
use crate::db::prisoners::{self, DirectoryEntry, DirectoryFilter, PrisonerStatus, TagKind};
use crate::db::{self, facilities, letters};
use crate::error::AppError;
use crate::locale;

mod by_facility;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(lacking_mail)
        .service(dates)
        .service(needs_a_hand)
        .service(by_facility::facility_picture);
}

/// Rows on one page of the dashboard.
pub const PER_PAGE: i64 = 100;

/// The dashboard's query string. Every field is text as typed, so that a
/// hand-edited URL never fails to parse.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct LackingMailQuery {
    pub country: String,
    pub region: String,
    pub facility: String,
    pub status: String,
    pub interest: String,
    pub language: String,
    pub page: String,
    pub format: String,
}

fn optional(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// A country as a filter takes it: a code or a name in either language
/// ("Беларусь" is "BY"); anything else as typed, which matches nothing.
pub(crate) fn country_filter(typed: &str) -> String {
    locale::country_code(typed).unwrap_or_else(|| typed.trim().to_uppercase())
}

/// A language as a filter takes it: a code or a name ("English" is "en").
pub(crate) fn language_filter(typed: &str) -> String {
    locale::language_code(typed).map_or_else(|| typed.trim().to_lowercase(), str::to_owned)
}

impl LackingMailQuery {
    /// Unknown values in a hand-edited URL are ignored rather than refused.
    pub fn filter(&self) -> DirectoryFilter {
        DirectoryFilter {
            query: None,
            country: optional(&self.country).map(|c| country_filter(&c)),
            region: optional(&self.region),
            facility_id: self.facility.trim().parse().ok(),
            status: self.status.trim().parse().ok(),
            writable: true,
            interest: optional(&self.interest).map(|i| i.to_lowercase()),
            language: optional(&self.language).map(|l| language_filter(&l)),
        }
    }

    /// The page asked for, 1 when absent or unreadable.
    pub fn page(&self) -> i64 {
        self.page
            .trim()
            .parse::<i64>()
            .unwrap_or(1)
            .clamp(1, 100_000)
    }

    pub fn csv(&self) -> bool {
        self.format == "csv"
    }

    /// Rows to load and rows to skip: the CSV is the whole view, the page one screenful.
    pub fn window(&self) -> (i64, i64) {
        if self.csv() {
            (100_000, 0)
        } else {
            (PER_PAGE, (self.page() - 1) * PER_PAGE)
        }
    }
}

/// What the dashboard shows, as loaded from the database.
pub struct LackingMailData {
    pub entries: Vec<DirectoryEntry>,
    /// Matches in all, for the page count.
    pub total: i64,
    /// Per prisoner on the page: sent in 30 days, in 90 days, open drafts.
    pub counts: HashMap<i64, (i64, i64, i64)>,
    /// Every facility, for the filter; its countries and regions are the
    /// filter's too.
    pub facilities: Vec<FacilityChoice>,
    /// The languages people on the list read, for the filter.
    pub languages: Vec<String>,
}

/// Loads one window of the dashboard. Every query is bounded by the page's
/// prisoners (or the facility list); none aggregates the letters table.
pub fn load_lacking_mail(
    conn: &mut db::DbConn,
    filter: &DirectoryFilter,
    (limit, offset): (i64, i64),
    now: NaiveDateTime,
) -> QueryResult<LackingMailData> {
    let (entries, total) = prisoners::lacking_mail(conn, filter, limit, offset)?;
    let ids: Vec<i64> = entries.iter().map(|e| e.prisoner.id).collect();
    let (since_30, since_90) = (now - TimeDelta::days(30), now - TimeDelta::days(90));
    // The maintained last_letter_sent_at is the latest letter's, so only
    // people written to in the last 90 days can have letters to count: the
    // first pages, of people nobody has written to for months, ask nothing.
    let written_to: Vec<i64> = entries
        .iter()
        .filter(|e| {
            e.prisoner
                .last_letter_sent_at
                .is_some_and(|at| at >= since_90)
        })
        .map(|e| e.prisoner.id)
        .collect();
    let sent = letters::sent_counts(conn, &written_to, since_30, since_90)?;
    let drafts = letters::draft_counts(conn, &ids)?;
    let counts = ids
        .iter()
        .map(|id| {
            let (sent_30, sent_90) = sent.get(id).copied().unwrap_or((0, 0));
            (
                *id,
                (sent_30, sent_90, drafts.get(id).copied().unwrap_or(0)),
            )
        })
        .collect();
    Ok(LackingMailData {
        entries,
        total,
        counts,
        facilities: facilities::choices(conn)?,
        languages: prisoners::tag_values(conn, TagKind::Language)?,
    })
}

/// One row as the page and the CSV show it.
struct Row {
    id: i64,
    name: String,
    status: String,
    /// What the status label agrees with in Russian.
    word_gender: Option<crate::db::prisoners::Gender>,
    facility: String,
    days_since_letter: Option<i64>,
    days_since_reply: Option<i64>,
    sent_30: i64,
    sent_90: i64,
    drafts: i64,
}

fn days_since(at: Option<NaiveDateTime>, now: NaiveDateTime) -> Option<i64> {
    at.map(|t| (now - t).num_days().max(0))
}

fn rows(data: &LackingMailData, now: NaiveDateTime) -> Vec<Row> {
    data.entries
        .iter()
        .map(|e| {
            let p = &e.prisoner;
            let (sent_30, sent_90, drafts) = data.counts.get(&p.id).copied().unwrap_or((0, 0, 0));
            Row {
                id: p.id,
                name: p.full_name(),
                status: p.status.to_string(),
                word_gender: p.grammatical_gender(),
                facility: e.facility_name.clone().unwrap_or_default(),
                days_since_letter: days_since(p.last_letter_sent_at, now),
                days_since_reply: days_since(p.last_reply_at, now),
                sent_30,
                sent_90,
                drafts,
            }
        })
        .collect()
}

/// A CSV field, quoted when needed; a leading formula sign is defused so a
/// spreadsheet does not run it.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// The export, for a spreadsheet: a byte-order mark first (Excel reads a
/// file without one in the machine's legacy code page and garbles
/// Cyrillic), column names and statuses in the viewer's language (`t`
/// gives a UI string), no codes.
fn csv(rows: &[Row], t: impl Fn(&str) -> String) -> HttpResponse {
    let mut out = String::from("\u{feff}");
    let header: Vec<String> = [
        "dashboard.csv_id",
        "dashboard.name",
        "dashboard.status",
        "dashboard.facility",
        "dashboard.since_letter",
        "dashboard.since_reply",
        "dashboard.sent_30",
        "dashboard.sent_90",
        "dashboard.drafts",
    ]
    .into_iter()
    .map(|key| csv_field(&t(key)))
    .collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    let opt = |v: Option<i64>| v.map(|d| d.to_string()).unwrap_or_default();
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\r\n",
            r.id,
            csv_field(&r.name),
            csv_field(&t(&format!("prisoners.status_{}", r.status))),
            csv_field(&r.facility),
            opt(r.days_since_letter),
            opt(r.days_since_reply),
            r.sent_30,
            r.sent_90,
            r.drafts
        ));
    }
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"konvert-lacking-mail.csv\"",
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(out)
}

/// The page's own data (without the base every page gets), from what was
/// loaded: no I/O, so it can be built once and rendered many times.
pub fn lacking_mail_page(
    query: &LackingMailQuery,
    data: &LackingMailData,
    now: NaiveDateTime,
) -> serde_json::Value {
    let page = query.page();
    let rows: Vec<_> = rows(data, now)
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "name": r.name, "status": r.status, "word_gender": r.word_gender,
                "facility": r.facility,
                "days_since_letter": r.days_since_letter, "days_since_reply": r.days_since_reply,
                "sent_30": r.sent_30, "sent_90": r.sent_90, "drafts": r.drafts,
            })
        })
        .collect();
    // Which option is selected is worked out here: a helper call per option
    // in the template cost more than the comparison.
    let chosen_facility = query.facility.trim();
    let facility_options: Vec<_> = data
        .facilities
        .iter()
        .map(|f| {
            let id = f.id.to_string();
            let selected = id == chosen_facility;
            json!({ "id": id, "name": f.name, "selected": selected })
        })
        .collect();
    // Countries and regions come from the facilities (already in `list`
    // order, by country and region), languages from what people read.
    let filter = query.filter();
    let mut countries: Vec<&str> = data.facilities.iter().map(|f| f.country.as_str()).collect();
    countries.dedup();
    let countries: Vec<_> = countries
        .into_iter()
        .map(|code| json!({ "code": code, "selected": filter.country.as_deref() == Some(code) }))
        .collect();
    let regions = facilities::distinct_regions(data.facilities.iter().map(|f| f.region.as_deref()));
    let languages: Vec<_> = data
        .languages
        .iter()
        .map(|code| json!({ "code": code, "selected": filter.language.as_deref() == Some(code.as_str()) }))
        .collect();
    let statuses: Vec<_> = PrisonerStatus::ALL
        .iter()
        .map(|s| {
            json!({
                "value": s,
                "key": format!("prisoners.status_{s}"),
                "selected": s.to_string() == query.status.trim(),
            })
        })
        .collect();
    let total = data.total;
    let pages = (total + PER_PAGE - 1) / PER_PAGE;
    let qs = |page: i64| -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("country", &query.country),
            ("region", &query.region),
            ("facility", &query.facility),
            ("status", &query.status),
            ("interest", &query.interest),
            ("language", &query.language),
        ] {
            if !v.trim().is_empty() {
                s.append_pair(k, v.trim());
            }
        }
        if page > 0 {
            s.append_pair("page", &page.to_string());
        } else {
            s.append_pair("format", "csv");
        }
        format!("/dashboard?{}", s.finish())
    };
    json!({
        "rows": rows,
        "total": total,
        "page": page,
        "pages": pages,
        "prev": (page > 1).then(|| qs(page - 1)),
        "next": (page < pages).then(|| qs(page + 1)),
        "csv": qs(0),
        "filter": {
            "country": query.country, "region": query.region, "facility": query.facility,
            "status": query.status, "interest": query.interest, "language": query.language,
        },
        "facilities": facility_options,
        "countries": countries,
        "regions": regions,
        "languages": languages,
        "statuses": statuses,
    })
}

/// The template the dashboard renders.
pub const LACKING_MAIL_TEMPLATE: &str = "pages/dashboard/lacking_mail";

#[get("/dashboard")]
async fn lacking_mail(
    ctx: Ctx,
    query: web::Query<LackingMailQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let query = query.into_inner();
    let now = db::now();
    let filter = query.filter();
    let window = query.window();
    let data = ctx
        .run(move |conn| Ok(load_lacking_mail(conn, &filter, window, now)?))
        .await?;
    if query.csv() {
        return Ok(csv(&rows(&data, now), |key| ctx.t(key)));
    }
    ctx.render(LACKING_MAIL_TEMPLATE, lacking_mail_page(&query, &data, now))
}

/// An address nobody has confirmed for this long is worth checking.
const CONFIRM_AFTER_DAYS: i64 = 90;

/// What needs a coordinator's hand: letters to review, held and failed
/// letters, unmatched replies, old addresses, and this month's e-letter spend.
#[get("/dashboard/attention")]
async fn needs_a_hand(ctx: Ctx) -> Result<HttpResponse, AppError> {
    use crate::db::{attention, placements};
    use chrono::Datelike;
    ctx.coordinator()?;
    let now = db::now();
    let month_start = now
        .date()
        .with_day(1)
        .unwrap_or(now.date())
        .and_hms_opt(0, 0, 0)
        .unwrap_or(now);
    let (queues, by_hand, unconfirmed, spend) = ctx
        .run(move |conn| {
            Ok((
                attention::queues(conn)?,
                crate::db::deliveries::manual_counts(conn)?,
                placements::unconfirmed_since(conn, now - TimeDelta::days(CONFIRM_AFTER_DAYS))?,
                letters::eletter_spend_since(conn, month_start)?,
            ))
        })
        .await?;
    let (sent, pages, blanks, amount) = spend;
    ctx.render(
        "pages/dashboard/attention",
        json!({
            "to_review": queues.to_review,
            "held": queues.held,
            "dead": queues.dead,
            "by_hand": queues.by_hand,
            // Each way of sending by hand has its own screen.
            "by_hand_services": by_hand.iter().map(|(channel, n)| json!({
                "service": channel,
                "count": n,
                "href": if *channel == letters::Channel::Post { "/post".to_owned() } else { format!("/send/{channel}") },
            })).collect::<Vec<_>>(),
            "unmatched": queues.unmatched,
            "unconfirmed": unconfirmed,
            "confirm_days": CONFIRM_AFTER_DAYS,
            "spend": {
                "letters": sent, "pages": pages, "blanks": blanks,
                "amount": crate::letters::format_rub(amount, ctx.lang.code()),
            },
        }),
    )
}

/// How far ahead the dates page looks.
const DATES_AHEAD_DAYS: i64 = 60;

/// Birthdays and expected releases in the next 60 days, soonest first, each
/// with the last day to send by each way so that a letter arrives in time.
#[get("/dashboard/dates")]
async fn dates(ctx: Ctx) -> Result<HttpResponse, AppError> {
    use crate::dashboard::dates::{next_birthday_of, send_by};
    ctx.coordinator()?;
    let today = db::now().date();
    let until = today + TimeDelta::days(DATES_AHEAD_DAYS);
    let people = ctx
        .run(move |conn| Ok(prisoners::with_dates(conn, today, until)?))
        .await?;
    let lead = ctx.settings.lead_times;
    let mut events: Vec<(chrono::NaiveDate, serde_json::Value)> = Vec::new();
    for p in &people {
        let birthday = next_birthday_of(p.birth_month, p.birth_day, today);
        let release = p.release_expected_on.filter(|d| *d >= today && *d <= until);
        for (kind, date) in [
            ("birthday", birthday.filter(|d| *d <= until)),
            ("release", release),
        ] {
            let Some(date) = date else { continue };
            let by = send_by(date, lead);
            let late = |d: chrono::NaiveDate| d < today;
            events.push((
                date,
                json!({
                    "kind": kind, "id": p.id, "name": p.full_name(), "date": date.to_string(),
                    "eletter": by.eletter.to_string(), "eletter_late": late(by.eletter),
                    "post": by.post_domestic.to_string(), "post_late": late(by.post_domestic),
                    "abroad": by.post_abroad.to_string(), "abroad_late": late(by.post_abroad),
                }),
            ));
        }
    }
    events.sort_by_key(|e| e.0);
    let events: Vec<_> = events.into_iter().map(|(_, v)| v).collect();
    ctx.render(
        "pages/dashboard/dates",
        json!({ "events": events, "days": DATES_AHEAD_DAYS }),
    )
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("Русских Андрей"), "Русских Андрей");
        assert_eq!(csv_field("ИК-6, Владимир"), "\"ИК-6, Владимир\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}

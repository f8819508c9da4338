//! The directory: everyone, searched in either script and filtered by
//! country, region, facility, status and whether they may be written to,
//! fifty to a page.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{facility_options, optional, options, summary, PAGE_SIZE};
use crate::db::facilities;
use crate::db::placements::PlacementState;
use crate::db::prisoners::{self, DirectoryFilter, PrisonerStatus};
use crate::error::AppError;
use crate::web::ctx::Ctx;

#[derive(Deserialize, Default)]
#[serde(default)]
struct DirectoryQuery {
    q: String,
    country: String,
    region: String,
    facility: String,
    status: String,
    writable: String,
    page: String,
}

impl DirectoryQuery {
    /// Unknown values in a hand-edited URL are ignored rather than refused.
    fn filter(&self) -> DirectoryFilter {
        DirectoryFilter {
            query: optional(&self.q),
            country: optional(&self.country).map(|c| crate::web::dashboard::country_filter(&c)),
            region: optional(&self.region),
            facility_id: self.facility.trim().parse().ok(),
            status: self.status.trim().parse().ok(),
            writable: !self.writable.is_empty() && self.writable != "false",
            interest: None,
            language: None,
        }
    }

    fn page(&self) -> i64 {
        self.page
            .trim()
            .parse::<i64>()
            .unwrap_or(1)
            .clamp(1, 1_000_000)
    }
}

/// The query string for `page` with the same filters.
fn page_href(filter: &DirectoryFilter, page: i64) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    if let Some(q) = &filter.query {
        s.append_pair("q", q);
    }
    if let Some(c) = &filter.country {
        s.append_pair("country", c);
    }
    if let Some(r) = &filter.region {
        s.append_pair("region", r);
    }
    if let Some(f) = filter.facility_id {
        s.append_pair("facility", &f.to_string());
    }
    if let Some(st) = filter.status {
        s.append_pair("status", st.as_str());
    }
    if filter.writable {
        s.append_pair("writable", "1");
    }
    s.append_pair("page", &page.to_string());
    format!("/prisoners?{}", s.finish())
}

/// Page links: all of them when few, else the first, the last and a window
/// around the current one (`null` marks a gap).
fn page_links(filter: &DirectoryFilter, page: i64, pages: i64) -> Vec<Value> {
    let shown = |n: i64| pages <= 11 || n == 1 || n == pages || (n - page).abs() <= 3;
    let mut links = Vec::new();
    let mut gap = false;
    for n in 1..=pages {
        if shown(n) {
            links.push(json!({ "number": n, "href": page_href(filter, n), "current": n == page }));
            gap = false;
        } else if !gap {
            links.push(Value::Null);
            gap = true;
        }
    }
    links
}

#[get("/prisoners")]
pub(super) async fn directory(
    ctx: Ctx,
    query: web::Query<DirectoryQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.user()?;
    let filter = query.filter();
    let page = query.page();
    let lookup = filter.clone();
    let (rows, total, facility_list) = ctx
        .run(move |conn| {
            let (rows, total) =
                prisoners::directory(conn, &lookup, PAGE_SIZE, (page - 1) * PAGE_SIZE)?;
            Ok((rows, total, facilities::list(conn)?))
        })
        .await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let mut countries: Vec<&str> = facility_list.iter().map(|f| f.country.as_str()).collect();
    countries.sort_unstable();
    countries.dedup();
    let regions = facilities::distinct_regions(facility_list.iter().map(|f| f.region.as_deref()));
    let people: Vec<Value> = rows
        .iter()
        .map(|row| {
            let mut item = summary(&row.prisoner, row.facility_country.as_deref());
            item["facility_id"] = json!(row.facility_id);
            item["facility_name"] = json!(row.facility_name);
            item["in_transit"] = json!(row.placement_state == Some(PlacementState::InTransit));
            item
        })
        .collect();
    ctx.render(
        "pages/prisoners/list",
        json!({
            "people": people,
            "total": total,
            "page": page,
            "pages": pages,
            "page_links": if pages > 1 { page_links(&filter, page, pages) } else { vec![] },
            "previous": (page > 1).then(|| page_href(&filter, page - 1)),
            "next": (page < pages).then(|| page_href(&filter, page + 1)),
            "q": filter.query.clone().unwrap_or_default(),
            "country": filter.country.clone().unwrap_or_default(),
            "region": filter.region.clone().unwrap_or_default(),
            "facility": filter.facility_id.map(|f| f.to_string()).unwrap_or_default(),
            "status": filter.status.map(|s| s.as_str()).unwrap_or_default(),
            "writable": filter.writable,
            "countries": countries,
            "regions": regions,
            "facilities": facility_options(&facility_list),
            "statuses": options(PrisonerStatus::ALL, "prisoners.status_"),
        }),
    )
}

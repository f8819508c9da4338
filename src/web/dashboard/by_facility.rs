//! The per-facility picture: what became of the letters sent to each
//! facility, how often and how fast people there answer, with charts drawn
//! on the server.

use std::collections::HashMap;

use actix_web::{get, web, HttpResponse};
use chrono::Months;
use serde::Deserialize;
use serde_json::json;

use crate::dashboard::chart::{self, Row};
use crate::dashboard::median;
use crate::db::{self, facilities, letters};
use crate::error::AppError;
use crate::web::ctx::Ctx;

/// The periods a coordinator can look back over, in months.
const PERIODS: [u32; 4] = [3, 6, 12, 24];
const DEFAULT_PERIOD: u32 = 12;
/// The charts show this many facilities, those with the most letters; the
/// table lists every one.
const CHART_ROWS: usize = 20;

#[derive(Deserialize, Default)]
#[serde(default)]
struct Query {
    months: String,
}

struct Line {
    facility_id: Option<i64>,
    name: String,
    figures: letters::FacilityFigures,
    median_days: Option<f64>,
}

#[get("/dashboard/facilities")]
pub async fn facility_picture(
    ctx: Ctx,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let months = query
        .months
        .trim()
        .parse()
        .ok()
        .filter(|m| PERIODS.contains(m))
        .unwrap_or(DEFAULT_PERIOD);
    let now = db::now();
    let since = now.checked_sub_months(Months::new(months)).unwrap_or(now);
    let (figures, waits, names) = ctx
        .run(move |conn| {
            let names: HashMap<i64, String> = facilities::list(conn)?
                .into_iter()
                .map(|f| (f.id, f.name))
                .collect();
            Ok((
                letters::by_facility(conn, Some(since))?,
                letters::reply_waits_by_facility(conn, since)?,
                names,
            ))
        })
        .await?;
    let mut waits_by_facility: HashMap<Option<i64>, Vec<f64>> = HashMap::new();
    for (facility, sent, replied) in waits {
        // Whole days, as a person counts them; to the hour is false precision.
        let days = (replied - sent).num_hours().max(0) as f64 / 24.0;
        waits_by_facility
            .entry(facility)
            .or_default()
            .push(days.round());
    }
    let in_transit = ctx.t("dashboard.in_transit");
    let mut lines: Vec<Line> = figures
        .into_iter()
        .map(|f| Line {
            facility_id: f.facility_id,
            name: f
                .facility_id
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_else(|| in_transit.clone()),
            median_days: waits_by_facility
                .get_mut(&f.facility_id)
                .and_then(|w| median(w)),
            figures: f,
        })
        .collect();
    lines.sort_by(|a, b| {
        b.figures
            .sent
            .cmp(&a.figures.sent)
            .then_with(|| a.name.cmp(&b.name))
    });

    let top = &lines[..lines.len().min(CHART_ROWS)];
    let as_f64 = |n: i64| n as f64;
    let letters_chart = chart::horizontal_bars(
        &ctx.t("dashboard.chart_letters"),
        &[
            &ctx.t("dashboard.sent"),
            &ctx.t("dashboard.delivered"),
            &ctx.t("dashboard.censored"),
            &ctx.t("dashboard.replied"),
        ],
        &top.iter()
            .map(|l| Row {
                label: l.name.clone(),
                values: vec![
                    as_f64(l.figures.sent),
                    as_f64(l.figures.delivered),
                    as_f64(l.figures.censored),
                    as_f64(l.figures.replied),
                ],
            })
            .collect::<Vec<_>>(),
    );
    let median_rows: Vec<Row> = top
        .iter()
        .filter_map(|l| {
            l.median_days.map(|d| Row {
                label: l.name.clone(),
                values: vec![d],
            })
        })
        .collect();
    let median_chart = (!median_rows.is_empty()).then(|| {
        chart::horizontal_bars(
            &ctx.t("dashboard.chart_median"),
            &[&ctx.t("dashboard.median_days")],
            &median_rows,
        )
    });
    let percent = crate::dashboard::percent;
    let rows: Vec<_> = lines
        .iter()
        .map(|l| {
            let f = &l.figures;
            json!({
                "id": l.facility_id, "name": l.name, "sent": f.sent, "delivered": f.delivered,
                "censored": f.censored, "replied": f.replied,
                "censored_percent": percent(f.censored, f.sent),
                "replied_percent": percent(f.replied, f.sent),
                "median_days": l.median_days.map(chart::number),
            })
        })
        .collect();
    let periods: Vec<_> = PERIODS
        .iter()
        .map(|m| json!({ "months": m, "current": *m == months }))
        .collect();
    ctx.render(
        "pages/dashboard/facilities",
        json!({
            "months": months,
            "periods": periods,
            "rows": rows,
            "letters_chart": if lines.is_empty() { None } else { Some(letters_chart) },
            "median_chart": median_chart,
            "chart_rows": CHART_ROWS,
            "more_than_chart": lines.len() > CHART_ROWS,
        }),
    )
}

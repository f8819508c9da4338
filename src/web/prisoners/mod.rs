//! The prisoner directory and prisoner pages: search in either script with
//! filters and pages (`directory`), one person's page (`profile`: names in
//! both scripts, the current address in every style, placement history, the
//! letters the viewer may see), and the coordinator's editing: the prisoner
//! form (`form`), transfers and address confirmation (`transfer`). The
//! changes themselves are use cases in `crate::prisoners`, which write the
//! audit log.

use actix_web::web;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};

use crate::db::facilities::Facility;
use crate::db::prisoners::Prisoner;
use crate::locale::{self, Style};

mod directory;
mod export;
mod form;
mod profile;
mod transfer;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // `/prisoners/new` before `/prisoners/{id}`, which would not match it anyway
    // (the id is a number) but would answer 404 first.
    cfg.service(directory::directory)
        .service(export::csv)
        .service(export::xlsx)
        .service(form::new_form)
        .service(form::create)
        .service(profile::show)
        .service(form::edit_form)
        .service(form::update)
        .service(transfer::transfer_post)
        .service(transfer::confirm_placement);
}

/// People per directory page.
pub const PAGE_SIZE: i64 = 50;
pub(super) const NAME_MAX: usize = 100;
pub(super) const TEXT_MAX: usize = 10_000;

// ---- shared pieces ---------------------------------------------------------

/// A checkbox: present (any value but "false"/"0") means ticked.
pub(crate) fn checkbox<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let value = String::deserialize(d)?;
    Ok(!(value.is_empty() || value == "false" || value == "0"))
}

/// The trimmed text, or `None` when blank.
pub(crate) fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

pub(crate) fn too_long(text: &str, max: usize) -> bool {
    text.chars().count() > max
}

/// What every list shows about a person; `country` is where they are held,
/// which decides how their name is spelt in Latin letters.
pub(super) fn summary(p: &Prisoner, country: Option<&str>) -> Value {
    json!({
        "id": p.id,
        "full_name": p.full_name(),
        "latin_name": crate::address::latin_name(p, country),
        "birth": p.birth_date().map(|b| b.to_string()),
        "birth_year": p.birth_year,
        "status": p.status,
        "word_gender": p.grammatical_gender(),
        "health_urgent": p.health_urgent,
        "do_not_write": p.do_not_write,
    })
}

/// The record rendered in the line, envelope and English styles. A record
/// that cannot be rendered shows why (the locale module names the field)
/// instead of failing the page.
pub(crate) fn address_styles(record: &locale::AddressRecord) -> Vec<Value> {
    [Style::Line, Style::Envelope, Style::English]
        .into_iter()
        .map(|style| {
            let (text, error) = match locale::render_address(record, style, None) {
                Ok(text) => (Some(text), None),
                Err(e) => (None, Some(e.to_string())),
            };
            json!({ "style": style.as_str(), "text": text, "error": error })
        })
        .collect()
}

pub(super) fn options<T: Copy + std::fmt::Display>(all: &[T], prefix: &str) -> Vec<Value> {
    all.iter()
        .map(|v| json!({ "value": v.to_string(), "key": format!("{prefix}{v}") }))
        .collect()
}

pub(super) fn facility_options(list: &[Facility]) -> Vec<Value> {
    list.iter()
        .map(|f| json!({ "id": f.id.to_string(), "name": f.name, "country": f.country, "region": f.region }))
        .collect()
}

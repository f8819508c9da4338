//! The prisoner directory and prisoner pages: search in either script with
//! filters and pages, one person's page (names in both scripts, the current
//! address in every style, placement history, the letters the viewer may
//! see), and the coordinator's editing: the prisoner form, transfers and
//! address confirmation. Every change is written to the audit log.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};

use super::csrf::CsrfForm;
use super::ctx::Ctx;
use crate::db::facilities::{self, Facility};
use crate::db::placements::{self, NewPlacement, PlacementState};
use crate::db::prisoners::{
    self, BirthDate, DirectoryFilter, Gender, Measure, Prisoner, PrisonerForm, PrisonerStatus,
    RecognitionKind, TagKind,
};
use crate::db::{self, audit, letters};
use crate::error::{AppError, FieldErrors};
use crate::locale::{self, Scheme, Style};

pub fn routes(cfg: &mut web::ServiceConfig) {
    // `/prisoners/new` before `/prisoners/{id}`, which would not match it anyway
    // (the id is a number) but would answer 404 first.
    cfg.service(directory)
        .service(new_form)
        .service(create)
        .service(show)
        .service(edit_form)
        .service(update)
        .service(transfer_post)
        .service(confirm_placement);
}

/// People per directory page.
pub const PAGE_SIZE: i64 = 50;
const NAME_MAX: usize = 100;
const TEXT_MAX: usize = 10_000;

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

/// The name in Latin script: the stored spelling when there is one, else ICAO
/// (the passport standard) in the order English speakers expect.
pub fn latin_name(p: &Prisoner) -> String {
    if let Some(latin) = p.latin_name.as_deref().filter(|l| !l.trim().is_empty()) {
        return latin.to_owned();
    }
    [
        Some(p.given_name.as_str()),
        p.patronymic.as_deref(),
        Some(p.surname.as_str()),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.is_empty())
    .map(|s| locale::transliterate(Scheme::RuIcao, s))
    .collect::<Vec<_>>()
    .join(" ")
}

/// What every list shows about a person.
fn summary(p: &Prisoner) -> Value {
    json!({
        "id": p.id,
        "full_name": p.full_name(),
        "latin_name": latin_name(p),
        "birth": p.birth_date().map(|b| b.to_string()),
        "birth_year": p.birth_year,
        "status": p.status,
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

fn options<T: Copy + std::fmt::Display>(all: &[T], prefix: &str) -> Vec<Value> {
    all.iter()
        .map(|v| json!({ "value": v.to_string(), "key": format!("{prefix}{v}") }))
        .collect()
}

fn facility_options(list: &[Facility]) -> Vec<Value> {
    list.iter()
        .map(|f| json!({ "id": f.id.to_string(), "name": f.name, "country": f.country, "region": f.region }))
        .collect()
}

// ---- the directory ---------------------------------------------------------

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
            country: optional(&self.country).map(|c| c.to_uppercase()),
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
async fn directory(ctx: Ctx, query: web::Query<DirectoryQuery>) -> Result<HttpResponse, AppError> {
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
    let mut regions: Vec<&str> = facility_list
        .iter()
        .filter_map(|f| f.region.as_deref())
        .filter(|r| !r.is_empty())
        .collect();
    regions.sort_unstable();
    regions.dedup();
    let people: Vec<Value> = rows
        .iter()
        .map(|row| {
            let mut item = summary(&row.prisoner);
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

// ---- one prisoner ----------------------------------------------------------

/// What the transfer form holds; kept on a 422 so nothing is typed twice.
#[derive(Deserialize, Default, Clone, serde::Serialize)]
#[serde(default)]
struct TransferInput {
    /// "transit" or a facility id.
    destination: String,
    started_on: String,
    source: String,
    #[serde(deserialize_with = "checkbox")]
    address_confirmed: bool,
    /// The status on arrival; empty keeps the current one.
    status: String,
    notes: String,
}

/// Everything the prisoner page shows, for `viewer`.
async fn page_data(
    ctx: &Ctx,
    id: i64,
    transfer: &TransferInput,
    transfer_errors: &FieldErrors,
) -> Result<Value, AppError> {
    let viewer = ctx.user()?.clone();
    let coordinator = viewer.role.is_coordinator();
    let loaded = ctx
        .run(move |conn| {
            let Some(prisoner) = prisoners::find(conn, id)? else {
                return Err(AppError::NotFound);
            };
            let current = placements::current(conn, id)?;
            let facility = match current.as_ref().and_then(|c| c.facility_id) {
                Some(fid) => facilities::find(conn, fid)?,
                None => None,
            };
            let history = placements::history_with_facility(conn, id)?;
            let recognitions = prisoners::recognitions(conn, id)?;
            let sources = prisoners::sources(conn, id)?;
            let charges = prisoners::charges(conn, id)?;
            let languages = prisoners::tags(conn, id, TagKind::Language)?;
            let interests = prisoners::tags(conn, id, TagKind::Interest)?;
            let letters = letters::visible_for_prisoner(
                conn,
                id,
                if coordinator { None } else { Some(viewer.id) },
            )?;
            let facility_list = if coordinator {
                facilities::list(conn)?
            } else {
                Vec::new()
            };
            Ok((
                prisoner,
                current,
                facility,
                history,
                (recognitions, sources),
                charges,
                languages,
                interests,
                letters,
                facility_list,
            ))
        })
        .await?;
    let (
        prisoner,
        current,
        facility,
        history,
        (recognitions, sources),
        charges,
        languages,
        interests,
        letter_list,
        facility_list,
    ) = loaded;

    let held = current
        .as_ref()
        .is_some_and(|c| c.state == PlacementState::Held && facility.is_some());
    let addresses = if held {
        address_styles(&crate::address::record(&prisoner, facility.as_ref()))
    } else {
        Vec::new()
    };
    let mut person = summary(&prisoner);
    person["surname"] = json!(prisoner.surname);
    person["gender"] = json!(prisoner.gender);
    person["measure"] = json!(prisoner.measure);
    person["rehabilitated"] = json!(prisoner.rehabilitated);
    person["release_expected_on"] = json!(prisoner.release_expected_on.map(|d| d.to_string()));
    person["bio"] = json!(prisoner.bio);
    // The reason may name relatives or health: coordinators only.
    person["do_not_write_reason"] = if coordinator {
        json!(prisoner.do_not_write_reason)
    } else {
        Value::Null
    };
    let current_json = current.as_ref().map(|c| {
        json!({
            "id": c.id,
            "in_transit": c.state == PlacementState::InTransit,
            "facility": facility.as_ref().map(|f| json!({ "id": f.id, "name": f.name })),
            "started_on": c.started_on.map(|d| d.to_string()),
            "confirmed_at": c.address_confirmed_at.map(|t| t.format("%Y-%m-%d").to_string()),
            "source": c.source,
        })
    });
    Ok(json!({
        "prisoner": person,
        "may_write": prisoner.may_be_written_to(),
        "sources": sources.iter().map(|(url, title)| json!({ "url": url, "title": title })).collect::<Vec<_>>(),
        "recognitions": recognitions.iter().map(|r| json!({
            "kind": r.kind,
            "organisation": r.organisation,
            "since": r.since.map(|d| d.to_string()),
            "source_url": r.source_url.as_deref().filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        })).collect::<Vec<_>>(),
        "charges": charges,
        "languages": languages,
        "interests": interests,
        "current": current_json,
        "addresses": addresses,
        "history": history.iter().map(|(p, name)| json!({
            "facility_id": p.facility_id,
            "facility_name": name,
            "in_transit": p.state == PlacementState::InTransit,
            "started_on": p.started_on.map(|d| d.to_string()),
            "ended_on": p.ended_on.map(|d| d.to_string()),
            "source": p.source,
            "confirmed_at": p.address_confirmed_at.map(|t| t.format("%Y-%m-%d").to_string()),
        })).collect::<Vec<_>>(),
        "letters": letter_list.iter().map(|l| json!({
            "id": l.id,
            "status": l.status,
            "created_on": l.created_at.format("%Y-%m-%d").to_string(),
        })).collect::<Vec<_>>(),
        "coordinator": coordinator,
        "facilities": facility_options(&facility_list),
        "statuses": options(PrisonerStatus::ALL, "prisoners.status_"),
        "transfer": transfer,
        "errors": transfer_errors,
    }))
}

#[get("/prisoners/{id}")]
async fn show(ctx: Ctx, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let transfer = TransferInput {
        started_on: db::now().date().to_string(),
        ..TransferInput::default()
    };
    let data = page_data(&ctx, id.into_inner(), &transfer, &FieldErrors::default()).await?;
    ctx.render("pages/prisoners/show", data)
}

// ---- the prisoner form -----------------------------------------------------

/// The prisoner form as typed; kept on a 422.
#[derive(Deserialize, Default, Clone, serde::Serialize)]
#[serde(default)]
struct PrisonerInput {
    surname: String,
    given_name: String,
    patronymic: String,
    latin_name: String,
    gender: String,
    birth: String,
    status: String,
    measure: String,
    #[serde(deserialize_with = "checkbox")]
    rehabilitated: bool,
    release_expected_on: String,
    #[serde(deserialize_with = "checkbox")]
    health_urgent: bool,
    #[serde(deserialize_with = "checkbox")]
    do_not_write: bool,
    do_not_write_reason: String,
    bio: String,
    /// ISO 639-1 codes, comma-separated.
    languages: String,
    /// Comma-separated.
    interests: String,
    /// One article per line.
    charges: String,
    /// One per line: "Organisation; kind; since".
    recognitions: String,
    /// One per line: "URL title".
    sources: String,
}

/// A parsed prisoner form: the row and the lists stored beside it.
struct PrisonerEdit {
    form: PrisonerForm,
    languages: Vec<String>,
    interests: Vec<String>,
    charges: Vec<String>,
    recognitions: Vec<(RecognitionKind, String, Option<NaiveDate>)>,
    sources: Vec<(String, Option<String>)>,
}

/// "Мемориал; политзаключённый; 2024-03-01" → a recognition. The kind and
/// the date may be left out (a political prisoner, date unknown).
fn parse_recognition(line: &str) -> Option<(RecognitionKind, String, Option<NaiveDate>)> {
    let mut parts = line.split(';').map(str::trim);
    let organisation = parts.next().filter(|o| !o.is_empty())?.to_owned();
    let kind = match parts
        .next()
        .unwrap_or("")
        .to_lowercase()
        .replace('ё', "е")
        .as_str()
    {
        ""
        | "political_prisoner"
        | "political prisoner"
        | "политзаключенный"
        | "политзаключенная" => RecognitionKind::PoliticalPrisoner,
        "politically_persecuted"
        | "politically persecuted"
        | "persecuted"
        | "преследуемый"
        | "преследуемая"
        | "политически преследуемый"
        | "политически преследуемая" => {
            RecognitionKind::PoliticallyPersecuted
        }
        _ => return None,
    };
    let since = match parts.next().unwrap_or("") {
        "" => None,
        d => Some(NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?),
    };
    if parts.next().is_some() || too_long(&organisation, NAME_MAX) {
        return None;
    }
    Some((kind, organisation, since))
}

fn format_recognition(r: &prisoners::Recognition) -> String {
    let kind = match r.kind {
        RecognitionKind::PoliticalPrisoner => "political_prisoner",
        RecognitionKind::PoliticallyPersecuted => "politically_persecuted",
    };
    match r.since {
        Some(d) => format!("{}; {kind}; {d}", r.organisation),
        None => format!("{}; {kind}", r.organisation),
    }
}

/// "https://… Title" → a source link.
fn parse_source(line: &str) -> Option<(String, Option<String>)> {
    let (url, title) = line
        .split_once(char::is_whitespace)
        .map_or((line, ""), |(u, t)| (u, t.trim()));
    let parsed = url::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))?;
    Some((
        parsed.to_string(),
        Some(title.to_owned()).filter(|t| !t.is_empty()),
    ))
}

fn comma_list(text: &str) -> Vec<String> {
    text.split([',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{052F}').contains(&c)
}

/// An optional form field: empty is `None`; a value that does not parse is
/// reported against `field` with the message `key`.
fn optional_field<T, E>(
    value: &str,
    field: &'static str,
    key: &'static str,
    errors: &mut FieldErrors,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Option<T> {
    match value.trim() {
        "" => None,
        v => parse(v).map_err(|_| errors.add(field, key)).ok(),
    }
}

impl PrisonerInput {
    fn from_stored(
        p: &Prisoner,
        languages: &[String],
        interests: &[String],
        charges: &[String],
        recognitions: &[prisoners::Recognition],
        sources: &[(String, Option<String>)],
    ) -> Self {
        PrisonerInput {
            surname: p.surname.clone(),
            given_name: p.given_name.clone(),
            patronymic: p.patronymic.clone().unwrap_or_default(),
            latin_name: p.latin_name.clone().unwrap_or_default(),
            gender: p.gender.map(|g| g.to_string()).unwrap_or_default(),
            birth: p.birth_date().map(|b| b.to_string()).unwrap_or_default(),
            status: p.status.to_string(),
            measure: p.measure.map(|m| m.to_string()).unwrap_or_default(),
            rehabilitated: p.rehabilitated,
            release_expected_on: p
                .release_expected_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
            health_urgent: p.health_urgent,
            do_not_write: p.do_not_write,
            do_not_write_reason: p.do_not_write_reason.clone().unwrap_or_default(),
            bio: p.bio.clone(),
            languages: languages.join(", "),
            interests: interests.join(", "),
            charges: charges.join("\n"),
            recognitions: recognitions
                .iter()
                .map(format_recognition)
                .collect::<Vec<_>>()
                .join("\n"),
            sources: sources
                .iter()
                .map(|(url, title)| match title {
                    Some(t) => format!("{url} {t}"),
                    None => url.clone(),
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    fn parse(&self) -> Result<PrisonerEdit, FieldErrors> {
        let mut errors = FieldErrors::default();
        for (field, value) in [("surname", &self.surname), ("given_name", &self.given_name)] {
            if value.trim().is_empty() {
                errors.add(field, "prisoners.error_required");
            }
        }
        for (field, value) in [
            ("surname", &self.surname),
            ("given_name", &self.given_name),
            ("patronymic", &self.patronymic),
            ("latin_name", &self.latin_name),
        ] {
            if too_long(value.trim(), NAME_MAX) {
                errors.add(field, "prisoners.error_too_long");
            }
        }
        if self.latin_name.chars().any(is_cyrillic) {
            errors.add("latin_name", "prisoners.error_latin");
        }
        let gender = optional_field(
            &self.gender,
            "gender",
            "prisoners.error_choice",
            &mut errors,
            str::parse::<Gender>,
        );
        let birth = optional_field(
            &self.birth,
            "birth",
            "prisoners.error_birth",
            &mut errors,
            BirthDate::parse,
        );
        let status = self
            .status
            .trim()
            .parse::<PrisonerStatus>()
            .unwrap_or_else(|_| {
                errors.add("status", "prisoners.error_choice");
                PrisonerStatus::Unknown
            });
        let measure = optional_field(
            &self.measure,
            "measure",
            "prisoners.error_choice",
            &mut errors,
            str::parse::<Measure>,
        );
        let release_expected_on = optional_field(
            &self.release_expected_on,
            "release_expected_on",
            "prisoners.error_date",
            &mut errors,
            |d| NaiveDate::parse_from_str(d, "%Y-%m-%d"),
        );
        if self.do_not_write && self.do_not_write_reason.trim().is_empty() {
            errors.add("do_not_write_reason", "prisoners.error_reason_required");
        }
        if too_long(&self.do_not_write_reason, TEXT_MAX) {
            errors.add("do_not_write_reason", "prisoners.error_too_long");
        }
        if too_long(&self.bio, TEXT_MAX) {
            errors.add("bio", "prisoners.error_too_long");
        }
        let languages: Vec<String> = comma_list(&self.languages)
            .into_iter()
            .map(|l| l.to_lowercase())
            .collect();
        if languages
            .iter()
            .any(|l| !(2..=3).contains(&l.len()) || !l.chars().all(|c| c.is_ascii_lowercase()))
        {
            errors.add("languages", "prisoners.error_language");
        }
        let interests = comma_list(&self.interests);
        if interests.iter().any(|i| too_long(i, NAME_MAX)) {
            errors.add("interests", "prisoners.error_too_long");
        }
        let charges: Vec<String> = self
            .charges
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        if charges.iter().any(|c| too_long(c, 300)) {
            errors.add("charges", "prisoners.error_too_long");
        }
        let lines = |text: &str| {
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        let recognitions: Vec<_> = lines(&self.recognitions)
            .iter()
            .filter_map(|l| parse_recognition(l))
            .collect();
        if recognitions.len() != lines(&self.recognitions).len() {
            errors.add("recognitions", "prisoners.error_recognition");
        }
        let sources: Vec<_> = lines(&self.sources)
            .iter()
            .filter_map(|l| parse_source(l))
            .collect();
        if sources.len() != lines(&self.sources).len() {
            errors.add("sources", "prisoners.error_source");
        }
        errors.into_result()?;

        let mut form = PrisonerForm::new(
            self.surname.trim(),
            self.given_name.trim(),
            optional(&self.patronymic).as_deref(),
        );
        form.latin_name = optional(&self.latin_name);
        form.gender = gender;
        form.set_birth_date(birth);
        form.status = status;
        form.measure = measure;
        form.rehabilitated = self.rehabilitated;
        form.release_expected_on = release_expected_on;
        form.health_urgent = self.health_urgent;
        form.do_not_write = self.do_not_write;
        // A reason is kept only while the flag is set; a stale one would mislead.
        form.do_not_write_reason = if self.do_not_write {
            optional(&self.do_not_write_reason)
        } else {
            None
        };
        form.bio = self.bio.trim().to_owned();
        Ok(PrisonerEdit {
            form,
            languages,
            interests,
            charges,
            recognitions,
            sources,
        })
    }
}

fn render_form(
    ctx: &Ctx,
    status: StatusCode,
    action: &str,
    id: Option<i64>,
    input: &PrisonerInput,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    ctx.render_status(
        status,
        "pages/prisoners/form",
        json!({
            "action": action,
            "id": id,
            "title_key": if id.is_some() { "prisoners.edit_title" } else { "prisoners.new_title" },
            "form": input,
            "errors": errors,
            "statuses": options(PrisonerStatus::ALL, "prisoners.status_"),
            "measures": options(Measure::ALL, "prisoners.measure_"),
            "genders": options(Gender::ALL, "prisoners.gender_"),
        }),
    )
}

#[get("/prisoners/new")]
async fn new_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let input = PrisonerInput {
        status: PrisonerStatus::Convicted.to_string(),
        measure: Measure::Custody.to_string(),
        languages: "ru".into(),
        ..PrisonerInput::default()
    };
    render_form(
        &ctx,
        StatusCode::OK,
        "/prisoners/new",
        None,
        &input,
        &FieldErrors::default(),
    )
}

#[post("/prisoners/new")]
async fn create(ctx: Ctx, form: CsrfForm<PrisonerInput>) -> Result<HttpResponse, AppError> {
    let actor = ctx.coordinator()?.id;
    let input = form.0;
    let edit = match input.parse() {
        Ok(edit) => edit,
        Err(errors) => {
            return render_form(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                "/prisoners/new",
                None,
                &input,
                &errors,
            )
        }
    };
    let id = ctx
        .run(move |conn| {
            db::write_tx(conn, |conn| {
                let now = db::now();
                let prisoner = prisoners::insert(conn, &edit.form, now)?;
                prisoners::set_tags(conn, prisoner.id, TagKind::Language, &edit.languages)?;
                prisoners::set_tags(conn, prisoner.id, TagKind::Interest, &edit.interests)?;
                prisoners::set_charges(conn, prisoner.id, &edit.charges)?;
                prisoners::set_recognitions(conn, prisoner.id, &edit.recognitions)?;
                prisoners::set_sources(conn, prisoner.id, &edit.sources)?;
                let mut fields = edit.form.changed_fields(&PrisonerForm::new("", "", None));
                for (name, list) in [
                    ("languages", &edit.languages),
                    ("interests", &edit.interests),
                    ("charges", &edit.charges),
                ] {
                    if !list.is_empty() {
                        fields.push(name);
                    }
                }
                audit::record(
                    conn,
                    Some(actor),
                    "prisoner.create",
                    "prisoner",
                    Some(prisoner.id),
                    &json!({ "fields": fields }),
                    now,
                )?;
                Ok::<_, AppError>(prisoner.id)
            })
        })
        .await?;
    Ok(ctx.redirect(&format!("/prisoners/{id}")))
}

#[get("/prisoners/{id}/edit")]
async fn edit_form(ctx: Ctx, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let id = id.into_inner();
    let input = ctx
        .run(move |conn| {
            let p = prisoners::find(conn, id)?.ok_or(AppError::NotFound)?;
            Ok(PrisonerInput::from_stored(
                &p,
                &prisoners::tags(conn, id, TagKind::Language)?,
                &prisoners::tags(conn, id, TagKind::Interest)?,
                &prisoners::charges(conn, id)?,
                &prisoners::recognitions(conn, id)?,
                &prisoners::sources(conn, id)?,
            ))
        })
        .await?;
    render_form(
        &ctx,
        StatusCode::OK,
        &format!("/prisoners/{id}/edit"),
        Some(id),
        &input,
        &FieldErrors::default(),
    )
}

#[post("/prisoners/{id}/edit")]
async fn update(
    ctx: Ctx,
    id: web::Path<i64>,
    form: CsrfForm<PrisonerInput>,
) -> Result<HttpResponse, AppError> {
    let actor = ctx.coordinator()?.id;
    let id = id.into_inner();
    let input = form.0;
    let edit = match input.parse() {
        Ok(edit) => edit,
        Err(errors) => {
            // An unknown id is a 404 even when the form is wrong too.
            ctx.run(move |conn| prisoners::find(conn, id)?.ok_or(AppError::NotFound))
                .await?;
            return render_form(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("/prisoners/{id}/edit"),
                Some(id),
                &input,
                &errors,
            );
        }
    };
    ctx.run(move |conn| {
        db::write_tx(conn, |conn| {
            let now = db::now();
            let old = prisoners::find(conn, id)?.ok_or(AppError::NotFound)?;
            let mut fields = edit.form.changed_fields(&PrisonerForm::from_prisoner(&old));
            for (name, kind, list) in [
                ("languages", TagKind::Language, &edit.languages),
                ("interests", TagKind::Interest, &edit.interests),
            ] {
                if sorted_unique(&prisoners::tags(conn, id, kind)?) != sorted_unique(list) {
                    fields.push(name);
                }
                prisoners::set_tags(conn, id, kind, list)?;
            }
            if prisoners::charges(conn, id)? != edit.charges {
                fields.push("charges");
            }
            prisoners::set_charges(conn, id, &edit.charges)?;
            let old_recognitions: Vec<_> = prisoners::recognitions(conn, id)?
                .into_iter()
                .map(|r| (r.kind, r.organisation, r.since))
                .collect();
            if old_recognitions != edit.recognitions {
                fields.push("recognitions");
            }
            prisoners::set_recognitions(conn, id, &edit.recognitions)?;
            if prisoners::sources(conn, id)? != edit.sources {
                fields.push("sources");
            }
            prisoners::set_sources(conn, id, &edit.sources)?;
            prisoners::update(conn, id, &edit.form, now)?;
            audit::record(
                conn,
                Some(actor),
                "prisoner.update",
                "prisoner",
                Some(id),
                &json!({ "fields": fields }),
                now,
            )?;
            Ok::<_, AppError>(())
        })
    })
    .await?;
    Ok(ctx.redirect(&format!("/prisoners/{id}")))
}

/// Tags compare as sets: the database's collation may order them differently.
fn sorted_unique(list: &[String]) -> Vec<String> {
    let mut list = list.to_vec();
    list.sort();
    list.dedup();
    list
}

// ---- transfers -------------------------------------------------------------

/// Where the transfer goes: a facility, or into transit.
enum Destination {
    Facility(i64),
    Transit,
}

#[post("/prisoners/{id}/transfer")]
async fn transfer_post(
    ctx: Ctx,
    id: web::Path<i64>,
    form: CsrfForm<TransferInput>,
) -> Result<HttpResponse, AppError> {
    let actor = ctx.coordinator()?.id;
    let id = id.into_inner();
    let input = form.0;
    let mut errors = FieldErrors::default();
    let destination = match input.destination.trim() {
        "transit" => Some(Destination::Transit),
        other => match other.parse::<i64>() {
            Ok(fid) => Some(Destination::Facility(fid)),
            Err(_) => {
                errors.add("destination", "prisoners.error_destination");
                None
            }
        },
    };
    let started_on = match NaiveDate::parse_from_str(input.started_on.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add("started_on", "prisoners.error_date");
            None
        }
    };
    let arrival_status = match input.status.trim() {
        "" => None,
        s => match s.parse::<PrisonerStatus>() {
            Ok(PrisonerStatus::InTransit) | Err(_) => {
                errors.add("status", "prisoners.error_choice");
                None
            }
            Ok(s) => Some(s),
        },
    };
    if too_long(&input.source, 500) {
        errors.add("source", "prisoners.error_too_long");
    }
    if too_long(&input.notes, TEXT_MAX) {
        errors.add("notes", "prisoners.error_too_long");
    }
    let checked = match (destination, started_on) {
        (Some(d), Some(s)) if errors.is_empty() => Some((d, s)),
        _ => None,
    };
    let outcome = match checked {
        None => Err(errors),
        Some((destination, started_on)) => {
            let source = optional(&input.source);
            let notes = input.notes.trim().to_owned();
            let confirmed = input.address_confirmed;
            ctx.run(move |conn| {
                db::write_tx(conn, |conn| {
                    run_transfer(
                        conn,
                        actor,
                        id,
                        destination,
                        started_on,
                        arrival_status,
                        source,
                        notes,
                        confirmed,
                    )
                })
            })
            .await?
        }
    };
    match outcome {
        Ok(()) => Ok(ctx.redirect(&format!("/prisoners/{id}"))),
        Err(errors) => {
            let data = page_data(&ctx, id, &input, &errors).await?;
            ctx.render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "pages/prisoners/show",
                data,
            )
        }
    }
}

/// Closes the open placement and opens the next one, setting the status that
/// goes with it. The inner `Err` is a form problem found against the stored
/// data, found before anything is written.
#[allow(clippy::too_many_arguments)]
fn run_transfer(
    conn: &mut db::DbConn,
    actor: i64,
    id: i64,
    destination: Destination,
    started_on: NaiveDate,
    arrival_status: Option<PrisonerStatus>,
    source: Option<String>,
    notes: String,
    confirmed: bool,
) -> Result<Result<(), FieldErrors>, AppError> {
    let now = db::now();
    let prisoner = prisoners::find(conn, id)?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let facility_id = match destination {
        Destination::Transit => None,
        Destination::Facility(fid) => {
            if facilities::find(conn, fid)?.is_none() {
                errors.add("destination", "prisoners.error_destination");
            }
            Some(fid)
        }
    };
    let previous = placements::current(conn, id)?;
    if let Some(start) = previous.as_ref().and_then(|p| p.started_on) {
        // The old placement ends the day the new one starts.
        if started_on < start {
            errors.add("started_on", "prisoners.error_transfer_date");
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let placement = placements::transfer(
        conn,
        &NewPlacement {
            prisoner_id: id,
            facility_id,
            started_on: Some(started_on),
            address_confirmed_at: confirmed.then_some(now),
            source,
            notes,
            created_by: Some(actor),
        },
        now.date(),
        now,
    )?;
    let status = match facility_id {
        None => Some(PrisonerStatus::InTransit),
        Some(_) if prisoner.status == PrisonerStatus::InTransit => {
            Some(arrival_status.unwrap_or(PrisonerStatus::Convicted))
        }
        Some(_) => arrival_status,
    };
    if let Some(status) = status.filter(|s| *s != prisoner.status) {
        prisoners::set_status(conn, id, status, now)?;
    }
    // Queued letters stop until the new address is confirmed; a confirmed
    // arrival releases them (and those held before) to the new address.
    crate::review::hold_for_transfer(conn, id, now)?;
    if confirmed && facility_id.is_some() {
        crate::review::release_held(conn, id, Some(actor), now)?;
    }
    audit::record(
        conn,
        Some(actor),
        "prisoner.transfer",
        "prisoner",
        Some(id),
        &json!({
            "closed_placement": previous.map(|p| p.id),
            "placement": placement.id,
            "facility": facility_id,
            "in_transit": facility_id.is_none(),
            "address_confirmed": confirmed,
            "status": status,
        }),
        now,
    )?;
    Ok(Ok(()))
}

#[derive(Deserialize, Default)]
struct Empty {}

#[post("/placements/{id}/confirm")]
async fn confirm_placement(
    ctx: Ctx,
    id: web::Path<i64>,
    _form: CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    let actor = ctx.coordinator()?.id;
    let id = id.into_inner();
    let prisoner_id = ctx
        .run(move |conn| {
            db::write_tx(conn, |conn| {
                let now = db::now();
                let placement = placements::find(conn, id)?.ok_or(AppError::NotFound)?;
                placements::confirm_address(conn, id, now)?;
                if placement.ended_on.is_none() {
                    // The current address is confirmed: held letters go out to it.
                    crate::review::release_held(conn, placement.prisoner_id, Some(actor), now)?;
                }
                audit::record(
                    conn,
                    Some(actor),
                    "placement.confirm",
                    "placement",
                    Some(id),
                    &json!({ "prisoner": placement.prisoner_id }),
                    now,
                )?;
                Ok::<_, AppError>(placement.prisoner_id)
            })
        })
        .await?;
    Ok(ctx.redirect(&format!("/prisoners/{prisoner_id}")))
}

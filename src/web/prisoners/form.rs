//! The prisoner form: adding someone (with where they are held) and editing
//! the record. Input is kept as typed on a 422 so nothing is typed twice.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

use super::{checkbox, facility_options, optional, options, too_long, NAME_MAX, TEXT_MAX};
use crate::db;
use crate::db::facilities;
use crate::db::prisoners::{
    self, BirthDate, Gender, Measure, Prisoner, PrisonerForm, PrisonerStatus, RecognitionKind,
    TagKind,
};
use crate::error::{AppError, FieldErrors};
use crate::prisoners::{HeldAt, PrisonerEdit};
use crate::web::csrf::CsrfForm;
use crate::web::ctx::{Ctx, Flash};

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
    /// Where the person is held (a facility id), when adding them; empty
    /// when not known yet. Later moves are transfers.
    facility: String,
    held_since: String,
    #[serde(deserialize_with = "checkbox")]
    address_confirmed: bool,
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
            ..PrisonerInput::default()
        }
    }

    /// Where a person being added is held, if the form says. Problems are
    /// added to `errors`, next to the other fields'.
    fn held_at(&self, errors: &mut FieldErrors) -> Option<HeldAt> {
        let facility_id = optional_field(
            &self.facility,
            "facility",
            "prisoners.error_facility",
            errors,
            str::parse::<i64>,
        );
        let since = optional_field(
            &self.held_since,
            "held_since",
            "prisoners.error_date",
            errors,
            |d| NaiveDate::parse_from_str(d, "%Y-%m-%d"),
        );
        if facility_id.is_none() && since.is_some() {
            errors.add("facility", "prisoners.error_facility");
        }
        facility_id.map(|facility_id| HeldAt {
            facility_id,
            since,
            address_confirmed: self.address_confirmed,
        })
    }

    /// The form as stored rows; `adding` reads where the person is held too.
    fn parse(&self, adding: bool) -> Result<(PrisonerEdit, Option<HeldAt>), FieldErrors> {
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
        // Names are read as their codes: "English" is stored as "en".
        let languages: Vec<String> = comma_list(&self.languages)
            .iter()
            .map(|l| crate::web::dashboard::language_filter(l))
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
        let held_at = if adding {
            self.held_at(&mut errors)
        } else {
            None
        };
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
        let edit = PrisonerEdit {
            form,
            languages,
            interests,
            charges,
            recognitions,
            sources,
        };
        Ok((edit, held_at))
    }
}

async fn render_form(
    ctx: &Ctx,
    status: StatusCode,
    action: &str,
    id: Option<i64>,
    input: &PrisonerInput,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    // Where someone is held is chosen when adding them; later it changes by
    // a transfer on their page, which keeps the history.
    let facility_list = if id.is_none() {
        ctx.run(|conn| Ok(facilities::list(conn)?)).await?
    } else {
        Vec::new()
    };
    ctx.render_status(
        status,
        "pages/prisoners/form",
        json!({
            "action": action,
            "id": id,
            "title_key": if id.is_some() { "prisoners.edit_title" } else { "prisoners.new_title" },
            "form": input,
            "errors": errors,
            "adding": id.is_none(),
            "facilities": facility_options(&facility_list),
            "statuses": options(PrisonerStatus::ALL, "prisoners.status_"),
            "measures": options(Measure::ALL, "prisoners.measure_"),
            "genders": options(Gender::ALL, "prisoners.gender_"),
        }),
    )
}

#[get("/prisoners/new")]
pub(super) async fn new_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
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
    .await
}

#[post("/prisoners/new")]
pub(super) async fn create(
    ctx: Ctx,
    form: CsrfForm<PrisonerInput>,
) -> Result<HttpResponse, AppError> {
    let actor = ctx.coordinator()?.id;
    let input = form.0;
    let outcome = match input.parse(true) {
        Err(errors) => Err(errors),
        Ok((edit, held_at)) => {
            ctx.run(move |conn| {
                db::write_tx(conn, |conn| {
                    crate::prisoners::add(conn, actor, &edit, held_at.as_ref(), db::now())
                })
            })
            .await?
        }
    };
    match outcome {
        Ok(id) => Ok(ctx.redirect_flash(
            &format!("/prisoners/{id}"),
            Flash::new("flash.prisoners_added"),
        )),
        Err(errors) => {
            render_form(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                "/prisoners/new",
                None,
                &input,
                &errors,
            )
            .await
        }
    }
}

#[get("/prisoners/{id}/edit")]
pub(super) async fn edit_form(ctx: Ctx, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
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
    .await
}

#[post("/prisoners/{id}/edit")]
pub(super) async fn update(
    ctx: Ctx,
    id: web::Path<i64>,
    form: CsrfForm<PrisonerInput>,
) -> Result<HttpResponse, AppError> {
    let actor = ctx.coordinator()?.id;
    let id = id.into_inner();
    let input = form.0;
    let edit = match input.parse(false) {
        Ok((edit, _)) => edit,
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
            )
            .await;
        }
    };
    ctx.run(move |conn| {
        db::write_tx(conn, |conn| {
            crate::prisoners::update(conn, actor, id, &edit, db::now())
        })
    })
    .await?;
    Ok(ctx.redirect_flash(
        &format!("/prisoners/{id}"),
        Flash::new("flash.prisoners_saved"),
    ))
}

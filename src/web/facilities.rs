//! Facility pages: the list, one facility with its address in every style,
//! the e-letter services that reach it and the people held there now, and
//! the coordinator's form for facilities (address facts, Latin overrides,
//! services). Every change is written to the audit log.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::csrf::CsrfForm;
use super::ctx::{Ctx, Flash};
use super::prisoners::{checkbox, optional, too_long};
use crate::db::facilities::{self, Facility, FacilityForm, FacilityKind, Service};
use crate::db::{self, audit, prisoners};
use crate::error::{AppError, FieldErrors};
use crate::locale::{self, AddressRecord, Person, Style};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list)
        .service(new_form)
        .service(create)
        .service(show)
        .service(edit_form)
        .service(update);
}

const NAME_MAX: usize = 300;
const PART_MAX: usize = 200;
const NOTES_MAX: usize = 10_000;

/// The facility's own address in each style, without a recipient. The locale
/// module renders whole letters' addresses only, so this renders one for a
/// stand-in person and takes the person's parts off again: the recipient and
/// birth year are the last two parts of the line style, the first line of
/// the envelope, and the opening "NAME (born YEAR), " of the English style.
fn facility_address_styles(f: &Facility) -> Vec<Value> {
    const LATIN: &str = "X";
    const YEAR: i32 = 1980;
    let record = AddressRecord {
        person: Person {
            surname: Some("Иванов".into()),
            given_name: Some("Иван".into()),
            patronymic: None,
            gender: Some(locale::Gender::Male),
            birth_year: Some(YEAR),
            latin_name: Some(LATIN.into()),
        },
        facility: crate::address::facility_address(f),
    };
    [Style::Line, Style::Envelope, Style::English]
        .into_iter()
        .map(|style| {
            let rendered = locale::render_address(&record, style, None).map(|text| match style {
                Style::Line => {
                    let body = text.strip_suffix('.').unwrap_or(&text);
                    let place = body.rsplitn(3, ", ").nth(2).unwrap_or(body);
                    format!("{place}.")
                }
                Style::Envelope => text
                    .split_once('\n')
                    .map(|(_, rest)| rest.to_owned())
                    .unwrap_or_default(),
                Style::English => text
                    .strip_prefix(&format!("{LATIN} (born {YEAR}), "))
                    .unwrap_or(&text)
                    .to_owned(),
            });
            let (text, error) = match rendered {
                Ok(text) => (Some(text), None),
                Err(e) => (None, Some(e.to_string())),
            };
            json!({ "style": style.as_str(), "text": text, "error": error })
        })
        .collect()
}

// ---- list and page ---------------------------------------------------------

#[get("/facilities")]
async fn list(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.user()?;
    let all = ctx.run(|conn| Ok(facilities::list(conn)?)).await?;
    let rows: Vec<Value> = all
        .iter()
        .map(|f| {
            json!({
                "id": f.id,
                "country": f.country,
                "region": f.region,
                "locality": f.locality,
                "name": f.name,
                "kind": f.kind,
            })
        })
        .collect();
    ctx.render("pages/facilities/list", json!({ "facilities": rows }))
}

#[get("/facilities/{id}")]
async fn show(ctx: Ctx, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    ctx.user()?;
    let id = id.into_inner();
    let (facility, services, held) = ctx
        .run(move |conn| {
            let facility = facilities::find(conn, id)?.ok_or(AppError::NotFound)?;
            Ok((
                facility,
                facilities::services(conn, id)?,
                prisoners::held_at(conn, id)?,
            ))
        })
        .await?;
    let people: Vec<Value> = held
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "full_name": p.full_name(),
                "latin_name": crate::address::latin_name(p, Some(&facility.country)),
                "birth_year": p.birth_year,
                "status": p.status,
                "word_gender": p.grammatical_gender(),
                "health_urgent": p.health_urgent,
                "do_not_write": p.do_not_write,
            })
        })
        .collect();
    ctx.render(
        "pages/facilities/show",
        json!({
            "facility": {
                "id": facility.id,
                "name": facility.name,
                "name_en": facility.name_en,
                "kind": facility.kind,
                "country": facility.country,
                "notes": facility.notes,
            },
            "addresses": facility_address_styles(&facility),
            "services": services.iter().map(|s| json!({ "service": s.service, "external_id": s.external_id })).collect::<Vec<_>>(),
            "people": people,
        }),
    )
}

// ---- the facility form -----------------------------------------------------

/// The facility form as typed; kept on a 422.
#[derive(Deserialize, Default, Clone, serde::Serialize)]
#[serde(default)]
struct FacilityInput {
    country: String,
    kind: String,
    name: String,
    name_en: String,
    postcode: String,
    region: String,
    district: String,
    locality: String,
    street: String,
    house: String,
    building: String,
    region_en: String,
    district_en: String,
    locality_en: String,
    street_en: String,
    notes: String,
    #[serde(deserialize_with = "checkbox")]
    service_fsin_pismo: bool,
    service_fsin_pismo_id: String,
    #[serde(deserialize_with = "checkbox")]
    service_zonatelecom: bool,
    service_zonatelecom_id: String,
    #[serde(deserialize_with = "checkbox")]
    service_email: bool,
    service_email_id: String,
}

/// The services as the form sets them: `None` removes one.
type ServiceSettings = Vec<(Service, Option<Option<String>>)>;

impl FacilityInput {
    fn from_stored(f: &Facility, services: &[facilities::FacilityService]) -> FacilityInput {
        let id_of = |s: Service| {
            services
                .iter()
                .find(|x| x.service == s)
                .map(|x| x.external_id.clone().unwrap_or_default())
        };
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        FacilityInput {
            country: f.country.clone(),
            kind: f.kind.to_string(),
            name: f.name.clone(),
            name_en: text(&f.name_en),
            postcode: text(&f.postcode),
            region: text(&f.region),
            district: text(&f.district),
            locality: text(&f.locality),
            street: text(&f.street),
            house: text(&f.house),
            building: text(&f.building),
            region_en: text(&f.region_en),
            district_en: text(&f.district_en),
            locality_en: text(&f.locality_en),
            street_en: text(&f.street_en),
            notes: f.notes.clone(),
            service_fsin_pismo: id_of(Service::FsinPismo).is_some(),
            service_fsin_pismo_id: id_of(Service::FsinPismo).unwrap_or_default(),
            service_zonatelecom: id_of(Service::Zonatelecom).is_some(),
            service_zonatelecom_id: id_of(Service::Zonatelecom).unwrap_or_default(),
            service_email: id_of(Service::Email).is_some(),
            service_email_id: id_of(Service::Email).unwrap_or_default(),
        }
    }

    fn services(&self) -> [(Service, &'static str, bool, &str); 3] {
        [
            (
                Service::FsinPismo,
                "service_fsin_pismo_id",
                self.service_fsin_pismo,
                &self.service_fsin_pismo_id,
            ),
            (
                Service::Zonatelecom,
                "service_zonatelecom_id",
                self.service_zonatelecom,
                &self.service_zonatelecom_id,
            ),
            (
                Service::Email,
                "service_email_id",
                self.service_email,
                &self.service_email_id,
            ),
        ]
    }

    fn parse(&self) -> Result<(FacilityForm, ServiceSettings), FieldErrors> {
        let mut errors = FieldErrors::default();
        let country = self.country.trim().to_uppercase();
        let country_ok = country.len() == 2 && country.chars().all(|c| c.is_ascii_uppercase());
        if !country_ok {
            errors.add("country", "facilities.error_country");
        }
        let kind = self
            .kind
            .trim()
            .parse::<FacilityKind>()
            .unwrap_or_else(|_| {
                errors.add("kind", "facilities.error_choice");
                FacilityKind::Other
            });
        if self.name.trim().is_empty() {
            errors.add("name", "facilities.error_required");
        }
        if too_long(self.name.trim(), NAME_MAX) {
            errors.add("name", "facilities.error_too_long");
        }
        if too_long(self.name_en.trim(), NAME_MAX) {
            errors.add("name_en", "facilities.error_too_long");
        }
        if country_ok {
            if let Err(e) = locale::validate_postcode(&country, &self.postcode) {
                errors.add(
                    "postcode",
                    match e {
                        locale::AddressError::Missing { .. } => "facilities.error_required",
                        _ => "facilities.error_postcode",
                    },
                );
            }
        }
        let parts = [
            ("region", &self.region),
            ("district", &self.district),
            ("locality", &self.locality),
            ("street", &self.street),
            ("house", &self.house),
            ("building", &self.building),
            ("region_en", &self.region_en),
            ("district_en", &self.district_en),
            ("locality_en", &self.locality_en),
            ("street_en", &self.street_en),
        ];
        for (field, value) in parts {
            if too_long(value.trim(), PART_MAX) {
                errors.add(field, "facilities.error_too_long");
            }
        }
        // The English overrides exist because generated Latin was wrong; Cyrillic there is a slip.
        for (field, value) in [
            ("name_en", &self.name_en),
            ("region_en", &self.region_en),
            ("district_en", &self.district_en),
            ("locality_en", &self.locality_en),
            ("street_en", &self.street_en),
        ] {
            if value
                .chars()
                .any(|c| ('\u{0400}'..='\u{052F}').contains(&c))
            {
                errors.add(field, "facilities.error_latin");
            }
        }
        if too_long(&self.notes, NOTES_MAX) {
            errors.add("notes", "facilities.error_too_long");
        }
        let mut services = Vec::new();
        for (service, field, on, external_id) in self.services() {
            let external_id = optional(external_id);
            if too_long(external_id.as_deref().unwrap_or(""), PART_MAX) {
                errors.add(field, "facilities.error_too_long");
            }
            if on
                && service == Service::Email
                && !external_id.as_deref().is_some_and(|e| e.contains('@'))
            {
                errors.add(field, "facilities.error_email");
            }
            services.push((service, on.then_some(external_id)));
        }
        errors.into_result()?;
        let form = FacilityForm {
            country,
            kind,
            name: self.name.trim().to_owned(),
            name_en: optional(&self.name_en),
            postcode: optional(&self.postcode),
            region: optional(&self.region),
            district: optional(&self.district),
            locality: optional(&self.locality),
            street: optional(&self.street),
            house: optional(&self.house),
            building: optional(&self.building),
            region_en: optional(&self.region_en),
            district_en: optional(&self.district_en),
            locality_en: optional(&self.locality_en),
            street_en: optional(&self.street_en),
            notes: self.notes.trim().to_owned(),
        };
        Ok((form, services))
    }
}

fn render_form(
    ctx: &Ctx,
    status: StatusCode,
    id: Option<i64>,
    input: &FacilityInput,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let services: Vec<Value> = input
        .services()
        .iter()
        .map(|(service, field, on, external_id)| {
            json!({
                "service": service,
                "field": field,
                "checked": on,
                "external_id": external_id,
                "error": errors.get(field),
            })
        })
        .collect();
    ctx.render_status(
        status,
        "pages/facilities/form",
        json!({
            "action": id.map_or_else(|| "/facilities/new".to_owned(), |id| format!("/facilities/{id}/edit")),
            "id": id,
            "title_key": if id.is_some() { "facilities.edit_title" } else { "facilities.new_title" },
            "form": input,
            "errors": errors,
            "kinds": FacilityKind::ALL.iter().map(|k| json!({ "value": k, "key": format!("facilities.kind_{k}") })).collect::<Vec<_>>(),
            "services": services,
        }),
    )
}

/// Applies the services the form set, returning whether any changed.
fn apply_services(
    conn: &mut db::DbConn,
    facility_id: i64,
    services: &ServiceSettings,
) -> Result<bool, AppError> {
    let before = facilities::services(conn, facility_id)?;
    let mut changed = false;
    for (service, setting) in services {
        let old = before.iter().find(|s| s.service == *service);
        match setting {
            Some(external_id) => {
                if old.is_none_or(|o| o.external_id != *external_id) {
                    facilities::set_service(conn, facility_id, *service, external_id.as_deref())?;
                    changed = true;
                }
            }
            None => {
                if old.is_some() {
                    facilities::remove_service(conn, facility_id, *service)?;
                    changed = true;
                }
            }
        }
    }
    Ok(changed)
}

#[get("/facilities/new")]
async fn new_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let input = FacilityInput {
        country: "RU".into(),
        kind: FacilityKind::Colony.to_string(),
        ..FacilityInput::default()
    };
    render_form(&ctx, StatusCode::OK, None, &input, &FieldErrors::default())
}

#[post("/facilities/new")]
async fn create(ctx: Ctx, form: CsrfForm<FacilityInput>) -> Result<HttpResponse, AppError> {
    let actor = ctx.coordinator()?.id;
    let input = form.0;
    let (form, services) = match input.parse() {
        Ok(parsed) => parsed,
        Err(errors) => {
            return render_form(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
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
                let facility = facilities::insert(conn, &form, now)?;
                let mut fields = form.changed_fields(&FacilityForm::default());
                if apply_services(conn, facility.id, &services)? {
                    fields.push("services");
                }
                audit::record(
                    conn,
                    Some(actor),
                    "facility.create",
                    "facility",
                    Some(facility.id),
                    &json!({ "fields": fields }),
                    now,
                )?;
                Ok::<_, AppError>(facility.id)
            })
        })
        .await?;
    Ok(ctx.redirect_flash(
        &format!("/facilities/{id}"),
        Flash::new("flash.prisoners_facility_added"),
    ))
}

#[get("/facilities/{id}/edit")]
async fn edit_form(ctx: Ctx, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let id = id.into_inner();
    let input = ctx
        .run(move |conn| {
            let f = facilities::find(conn, id)?.ok_or(AppError::NotFound)?;
            Ok(FacilityInput::from_stored(
                &f,
                &facilities::services(conn, id)?,
            ))
        })
        .await?;
    render_form(
        &ctx,
        StatusCode::OK,
        Some(id),
        &input,
        &FieldErrors::default(),
    )
}

#[post("/facilities/{id}/edit")]
async fn update(
    ctx: Ctx,
    id: web::Path<i64>,
    form: CsrfForm<FacilityInput>,
) -> Result<HttpResponse, AppError> {
    let actor = ctx.coordinator()?.id;
    let id = id.into_inner();
    let input = form.0;
    let (form, services) = match input.parse() {
        Ok(parsed) => parsed,
        Err(errors) => {
            ctx.run(move |conn| facilities::find(conn, id)?.ok_or(AppError::NotFound))
                .await?;
            return render_form(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(id),
                &input,
                &errors,
            );
        }
    };
    ctx.run(move |conn| {
        db::write_tx(conn, |conn| {
            let now = db::now();
            let old = facilities::find(conn, id)?.ok_or(AppError::NotFound)?;
            let mut fields = form.changed_fields(&FacilityForm::from_facility(&old));
            facilities::update(conn, id, &form, now)?;
            if apply_services(conn, id, &services)? {
                fields.push("services");
            }
            audit::record(
                conn,
                Some(actor),
                "facility.update",
                "facility",
                Some(id),
                &json!({ "fields": fields }),
                now,
            )?;
            Ok::<_, AppError>(())
        })
    })
    .await?;
    Ok(ctx.redirect_flash(
        &format!("/facilities/{id}"),
        Flash::new("flash.prisoners_facility_saved"),
    ))
}

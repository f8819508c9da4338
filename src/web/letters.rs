//! Letters in the browser: the composer (new letters, drafts and letters
//! returned to the writer), the live check it calls, autosave, "My letters",
//! one letter's page, and the starter texts coordinators keep.
//!
//! The composer works without JavaScript: its buttons post the whole form and
//! the page comes back with the same figures and warnings, computed here by
//! `crate::letters`. static/composer.js adds live counting (the same rule,
//! client side), debounced calls to POST /letters/check, and autosave.

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDateTime;
use serde::Deserialize;
use serde_json::{json, Value};

use super::csrf::CsrfForm;
use super::ctx::Ctx;
use crate::db::facilities::{self, Facility, FacilityService, Service};
use crate::db::letters::{self, Channel, DraftEdit, Letter, LetterStatus, NewLetter};
use crate::db::placements::{self, Placement, PlacementState};
use crate::db::prisoners::{self, Prisoner, PrisonerStatus};
use crate::db::starter_texts::{self, StarterForm, StarterKind, StarterText};
use crate::db::users::User;
use crate::db::{self, audit, DbConn};
use crate::error::{AppError, FieldErrors};
use crate::letters::{self as checks, Destination, ServicePrice};
use crate::locale::{self, AddressRecord, Style};

pub fn routes(cfg: &mut web::ServiceConfig) {
    // Fixed paths before `/letters/{id}`, which would otherwise claim them.
    cfg.service(new_letter)
        .service(check_text)
        .service(letters_list)
        .service(create_letter)
        .service(edit_letter)
        .service(autosave_letter)
        .service(show_letter)
        .service(update_letter)
        .service(starters_list)
        .service(starter_new_form)
        .service(starter_create)
        .service(starter_edit_form)
        .service(starter_update)
        .service(starter_delete);
}

/// Languages a letter (and a starter text) may be written in.
pub const LANGUAGES: &[&str] = &["ru", "be", "uk", "en"];
const DEFAULT_LANGUAGE: &str = "ru";
/// Far more than any letter; keeps a pasted book out of the database.
const MAX_BODY_CHARS: usize = 50_000;
const MAX_PEN_NAME_CHARS: usize = 100;
const MAX_TITLE_CHARS: usize = 200;
const MAX_STARTER_CHARS: usize = 10_000;
const LIST_LIMIT: i64 = 500;

fn format_time(t: Option<NaiveDateTime>) -> Value {
    t.map_or(Value::Null, |t| {
        Value::String(t.format("%Y-%m-%d %H:%M").to_string())
    })
}

fn wants_json(ctx: &Ctx) -> bool {
    ctx.request()
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

fn parse_id(text: &str) -> Result<i64, AppError> {
    text.trim().parse().map_err(|_| AppError::NotFound)
}

fn is_e_letter(channel: Channel) -> bool {
    matches!(channel, Channel::FsinPismo | Channel::Zonatelecom)
}

// ---- who the letter goes to ------------------------------------------------

/// The prisoner and where they are now: what the composer needs to offer
/// channels, show the address and pick the checks.
struct Recipient {
    prisoner: Prisoner,
    placement: Option<Placement>,
    facility: Option<Facility>,
    services: Vec<FacilityService>,
}

impl Recipient {
    fn load(conn: &mut DbConn, prisoner_id: i64) -> Result<Recipient, AppError> {
        let prisoner = prisoners::find(conn, prisoner_id)?.ok_or(AppError::NotFound)?;
        let placement = placements::current(conn, prisoner_id)?;
        let facility = match placement.as_ref().and_then(|p| p.facility_id) {
            Some(id) => facilities::find(conn, id)?,
            None => None,
        };
        let services = match &facility {
            Some(f) => facilities::services(conn, f.id)?,
            None => Vec::new(),
        };
        Ok(Recipient {
            prisoner,
            placement,
            facility,
            services,
        })
    }

    /// No known facility: letters wait until the new address is known.
    fn in_transit(&self) -> bool {
        self.facility.is_none()
            || self
                .placement
                .as_ref()
                .is_some_and(|p| p.state == PlacementState::InTransit)
            || self.prisoner.status == PrisonerStatus::InTransit
    }

    fn country(&self) -> Option<&str> {
        self.facility.as_ref().map(|f| f.country.as_str())
    }

    fn russian(&self) -> bool {
        self.country() == Some("RU")
    }

    fn belarus(&self) -> bool {
        self.country() == Some("BY")
    }

    fn service(&self, service: Service) -> Option<&FacilityService> {
        self.services.iter().find(|s| s.service == service)
    }

    /// The facility's e-letter services, and post when there is a facility.
    /// In transit only post is offered, so a draft can still be written.
    fn channels(&self) -> Vec<Channel> {
        if self.in_transit() {
            return vec![Channel::Post];
        }
        Channel::ALL
            .iter()
            .copied()
            .filter(|c| match c {
                Channel::FsinPismo => self.service(Service::FsinPismo).is_some(),
                Channel::Zonatelecom => self.service(Service::Zonatelecom).is_some(),
                Channel::Email => self.service(Service::Email).is_some(),
                Channel::Post => true,
            })
            .collect()
    }

    fn address_record(&self) -> AddressRecord {
        crate::address::record(&self.prisoner, self.facility.as_ref())
    }
}

fn price_for(ctx: &Ctx, channel: Channel) -> Option<ServicePrice> {
    match channel {
        Channel::FsinPismo => Some(ctx.settings.prices.fsin_pismo),
        Channel::Zonatelecom => Some(ctx.settings.prices.zonatelecom),
        Channel::Post | Channel::Email => None,
    }
}

// ---- the form --------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct ComposerForm {
    prisoner: String,
    channel: String,
    body: String,
    pen_name: String,
    reply_blank: String,
    language: String,
    action: String,
    use_starter: String,
}

/// The composer's fields, parsed.
#[derive(Debug, Clone)]
struct Draft {
    channel: Channel,
    body: String,
    pen_name: String,
    reply_blank: bool,
    language: String,
}

impl Draft {
    fn fresh(user: &User, rec: &Recipient, channel: Option<&str>) -> Draft {
        let channels = rec.channels();
        let channel = channel
            .and_then(|c| c.parse::<Channel>().ok())
            .filter(|c| channels.contains(c))
            .or_else(|| channels.first().copied())
            .unwrap_or(Channel::Post);
        Draft {
            channel,
            body: String::new(),
            pen_name: user
                .pen_name
                .clone()
                .filter(|p| !p.trim().is_empty())
                .unwrap_or_else(|| user.display_name.clone()),
            reply_blank: false,
            language: DEFAULT_LANGUAGE.to_owned(),
        }
    }

    fn from_letter(letter: &Letter, rec: &Recipient) -> Draft {
        let channels = rec.channels();
        let channel = if channels.contains(&letter.channel) {
            letter.channel
        } else {
            channels.first().copied().unwrap_or(Channel::Post)
        };
        Draft {
            channel,
            body: letter.body.clone(),
            pen_name: letter.pen_name.clone().unwrap_or_default(),
            reply_blank: letter.reply_blank && is_e_letter(channel),
            language: letter.language.clone(),
        }
    }

    /// Reads the form over `base`. Every field keeps what the person typed, so
    /// a page with errors shows their input; `errors` says what to fix.
    fn parse(form: &ComposerForm, base: &Draft, rec: &Recipient) -> (Draft, FieldErrors) {
        let mut errors = FieldErrors::default();
        let channels = rec.channels();
        let channel = match form.channel.parse::<Channel>() {
            Ok(c) if channels.contains(&c) => c,
            _ if form.channel.is_empty() => base.channel,
            _ => {
                errors.add("channel", "letters.error_channel");
                base.channel
            }
        };
        let language = if LANGUAGES.contains(&form.language.as_str()) {
            form.language.clone()
        } else {
            if !form.language.is_empty() {
                errors.add("language", "letters.error_language");
            }
            base.language.clone()
        };
        let pen_name = form.pen_name.trim().to_owned();
        if pen_name.chars().count() > MAX_PEN_NAME_CHARS {
            errors.add("pen_name", "letters.error_pen_name_long");
        }
        if checks::char_count(&form.body) > MAX_BODY_CHARS {
            errors.add("body", "letters.error_body_long");
        }
        let draft = Draft {
            channel,
            // Browsers send line breaks as CRLF; store them as LF.
            body: form.body.replace("\r\n", "\n"),
            pen_name,
            reply_blank: is_e_letter(channel)
                && matches!(form.reply_blank.as_str(), "on" | "1" | "true"),
            language,
        };
        (draft, errors)
    }

    fn estimate(&self, ctx: &Ctx) -> checks::Estimate {
        checks::estimate(&self.body, price_for(ctx, self.channel), self.reply_blank)
    }

    fn edit(&self, ctx: &Ctx, rec: &Recipient) -> DraftEdit {
        let estimate = self.estimate(ctx);
        DraftEdit {
            placement_id: rec.placement.as_ref().map(|p| p.id),
            address_snapshot: serde_json::to_string(&rec.address_record()).ok(),
            language: self.language.clone(),
            body: self.body.clone(),
            channel: self.channel,
            pen_name: Some(self.pen_name.clone()).filter(|p| !p.is_empty()),
            reply_blank: self.reply_blank,
            pages: Some(i32::try_from(estimate.pages).unwrap_or(i32::MAX)),
            cost_minor: estimate.cost_minor,
            currency: estimate.cost_minor.map(|_| checks::CURRENCY.to_owned()),
        }
    }
}

fn warnings_json(ctx: &Ctx, body: &str, rec: &Recipient) -> Vec<Value> {
    checks::check(
        body,
        Destination {
            russian: rec.russian(),
        },
    )
    .iter()
    .map(|w| {
        let kind = w.kind.as_str();
        json!({
            "kind": kind,
            "label": ctx.t(&format!("letters.warning_{kind}")),
            "words": w.words(),
        })
    })
    .collect()
}

fn estimate_json(ctx: &Ctx, draft: &Draft) -> Value {
    let e = draft.estimate(ctx);
    json!({
        "chars": e.chars,
        "pages": e.pages,
        "cost_minor": e.cost_minor,
        "cost_text": e.cost_minor.map(|c| checks::format_rub(c, ctx.lang.code())),
    })
}

/// The address as the chosen channel needs it: the envelope (and its English
/// form) for post; for the e-letter services exactly the fields their form
/// asks for; the relay address for e-mail.
fn channel_json(ctx: &Ctx, rec: &Recipient, channel: Channel, selected: Channel) -> Value {
    let record = rec.address_record();
    let facility = rec.facility.as_ref();
    let envelope = (channel == Channel::Post && !rec.in_transit())
        .then(|| locale::render_address(&record, Style::Envelope, None).ok())
        .flatten()
        .map(|s| s.lines().map(str::to_owned).collect::<Vec<_>>());
    let english = (channel == Channel::Post && !rec.in_transit())
        .then(|| locale::render_address(&record, Style::English, None).ok())
        .flatten();
    let relay = rec
        .service(Service::Email)
        .and_then(|s| s.external_id.clone());
    let price = price_for(ctx, channel);
    json!({
        "value": channel.as_str(),
        "checked": channel == selected,
        "e_letter": is_e_letter(channel),
        "is_post": channel == Channel::Post,
        "is_email": channel == Channel::Email,
        "page_price": price.map(|p| p.page_minor),
        "blank_price": price.map(|p| p.reply_blank_minor),
        "envelope": envelope,
        "english": english,
        "region": facility.and_then(|f| f.region.clone()),
        "facility_name": facility.map(|f| f.name.clone()),
        "full_name": rec.prisoner.full_name(),
        "birth_year": rec.prisoner.birth_year,
        "relay": relay,
    })
}

struct ComposerView<'a> {
    rec: &'a Recipient,
    letter: Option<&'a Letter>,
    draft: &'a Draft,
    starters: &'a [StarterText],
    errors: &'a FieldErrors,
    notice: Option<&'a str>,
}

fn render_composer(
    ctx: &Ctx,
    status: StatusCode,
    view: ComposerView<'_>,
) -> Result<HttpResponse, AppError> {
    let ComposerView {
        rec,
        letter,
        draft,
        starters,
        errors,
        notice,
    } = view;
    let p = &rec.prisoner;
    let channels: Vec<Value> = rec
        .channels()
        .into_iter()
        .map(|c| channel_json(ctx, rec, c, draft.channel))
        .collect();
    ctx.render_status(
        status,
        "pages/letters/compose",
        json!({
            "prisoner": {
                "id": p.id,
                "name": p.full_name(),
                "do_not_write": p.do_not_write,
                // Reasons can be private; DOMAIN.md keeps them for coordinators.
                "do_not_write_reason": if ctx.user.as_ref().is_some_and(|u| u.role.is_coordinator()) { p.do_not_write_reason.clone() } else { None },
            },
            "in_transit": rec.in_transit(),
            "russian": rec.russian(),
            "belarus": rec.belarus(),
            "letter": letter.map(|l| json!({
                "id": l.id,
                "status": l.status,
                "review_note": l.review_note,
            })),
            "action": letter.map_or_else(|| "/letters".to_owned(), |l| format!("/letters/{}", l.id)),
            "autosave_url": letter.map(|l| format!("/letters/{}/autosave", l.id)),
            "channels": channels,
            "body": draft.body,
            "pen_name": draft.pen_name,
            "reply_blank": draft.reply_blank,
            "reply_blank_offered": is_e_letter(draft.channel),
            "languages": LANGUAGES.iter().map(|l| json!({"value": l, "selected": *l == draft.language})).collect::<Vec<_>>(),
            "estimate": estimate_json(ctx, draft),
            "warnings": warnings_json(ctx, &draft.body, rec),
            "page_chars": checks::PAGE_CHARS,
            "starters": starters.iter().map(|s| json!({
                "id": s.id, "starter_title": s.title, "kind": s.kind, "body": s.body,
            })).collect::<Vec<_>>(),
            "errors": errors,
            "notice": notice,
        }),
    )
}

/// Loads the recipient and the starter texts for `language` in one trip.
async fn load_for_composer(
    ctx: &Ctx,
    prisoner_id: i64,
    language: Option<String>,
) -> Result<(Recipient, Vec<StarterText>), AppError> {
    ctx.run(move |conn| {
        let rec = Recipient::load(conn, prisoner_id)?;
        let language = language.unwrap_or_else(|| DEFAULT_LANGUAGE.to_owned());
        let starters = starter_texts::for_language(conn, &language)?;
        Ok((rec, starters))
    })
    .await
}

async fn starters_for(ctx: &Ctx, language: &str) -> Result<Vec<StarterText>, AppError> {
    let language = language.to_owned();
    ctx.run(move |conn| Ok(starter_texts::for_language(conn, &language)?))
        .await
}

/// The letter, if the viewer may see it: its writer, or a coordinator.
/// Anyone else is told it does not exist.
async fn visible_letter(ctx: &Ctx, id: i64) -> Result<(User, Letter), AppError> {
    let user = ctx.user()?.clone();
    let letter = ctx
        .run(move |conn| Ok(letters::find(conn, id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    if letter.writer_id != user.id && !user.role.is_coordinator() {
        return Err(AppError::NotFound);
    }
    Ok((user, letter))
}

/// The letter, if the viewer wrote it and it is still theirs to change.
async fn editable_letter(ctx: &Ctx, id: i64) -> Result<(User, Letter), AppError> {
    let (user, letter) = visible_letter(ctx, id).await?;
    if letter.writer_id != user.id {
        return Err(AppError::Forbidden);
    }
    if !matches!(
        letter.status,
        LetterStatus::Draft | LetterStatus::ReturnedToWriter
    ) {
        return Err(AppError::Conflict("letters.error_not_editable".into()));
    }
    Ok((user, letter))
}

/// Applies the "use this starter" button: fills an empty text, and leaves a
/// text the writer has begun alone.
fn apply_starter(
    draft: &mut Draft,
    starters: &[StarterText],
    chosen: &str,
) -> Option<&'static str> {
    let starter = chosen
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| starters.iter().find(|s| s.id == id))?;
    if draft.body.trim().is_empty() {
        draft.body = starter.body.clone();
        None
    } else {
        Some("letters.starter_not_empty")
    }
}

// ---- composer routes -------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    prisoner: String,
    channel: Option<String>,
}

#[get("/letters/new")]
async fn new_letter(ctx: Ctx, query: web::Query<NewQuery>) -> Result<HttpResponse, AppError> {
    let user = ctx.user()?.clone();
    let prisoner_id = parse_id(&query.prisoner)?;
    let (rec, starters) = load_for_composer(&ctx, prisoner_id, None).await?;
    let draft = Draft::fresh(&user, &rec, query.channel.as_deref());
    render_composer(
        &ctx,
        StatusCode::OK,
        ComposerView {
            rec: &rec,
            letter: None,
            draft: &draft,
            starters: &starters,
            errors: &FieldErrors::default(),
            notice: None,
        },
    )
}

/// The live check composer.js calls as the writer types: figures and
/// warnings as JSON. Nothing is stored.
#[post("/letters/check")]
async fn check_text(ctx: Ctx, form: CsrfForm<ComposerForm>) -> Result<HttpResponse, AppError> {
    let user = ctx.user()?.clone();
    let form = form.0;
    let prisoner_id = parse_id(&form.prisoner)?;
    let rec = ctx
        .run(move |conn| Recipient::load(conn, prisoner_id))
        .await?;
    let base = Draft::fresh(&user, &rec, None);
    let (draft, _) = Draft::parse(&form, &base, &rec);
    let mut figures = estimate_json(&ctx, &draft);
    if let Some(obj) = figures.as_object_mut() {
        obj.insert(
            "warnings".into(),
            Value::Array(warnings_json(&ctx, &draft.body, &rec)),
        );
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(figures))
}

/// The errors that stop a letter from being submitted for review.
fn submit_errors(draft: &Draft, mut errors: FieldErrors) -> FieldErrors {
    if draft.body.trim().is_empty() {
        errors.add("body", "letters.error_body_empty");
    }
    errors
}

fn json_errors(status: StatusCode, errors: &FieldErrors) -> HttpResponse {
    HttpResponse::build(status).json(json!({ "errors": errors }))
}

/// Creates a draft (or submits a new letter at once). The form on
/// /letters/new posts here; so does composer.js, asking for JSON, on the
/// first change.
#[post("/letters")]
async fn create_letter(ctx: Ctx, form: CsrfForm<ComposerForm>) -> Result<HttpResponse, AppError> {
    let user = ctx.user()?.clone();
    let form = form.0;
    let prisoner_id = parse_id(&form.prisoner)?;
    let language = LANGUAGES
        .contains(&form.language.as_str())
        .then(|| form.language.clone());
    let (rec, starters) = load_for_composer(&ctx, prisoner_id, language).await?;
    if rec.prisoner.do_not_write {
        return Err(AppError::Forbidden);
    }
    let base = Draft::fresh(&user, &rec, None);
    let (mut draft, mut errors) = Draft::parse(&form, &base, &rec);
    let json = wants_json(&ctx);

    if !form.use_starter.is_empty() || form.action == "check" {
        let notice = apply_starter(&mut draft, &starters, &form.use_starter);
        return render_composer(
            &ctx,
            StatusCode::OK,
            ComposerView {
                rec: &rec,
                letter: None,
                draft: &draft,
                starters: &starters,
                errors: &errors,
                notice,
            },
        );
    }
    let submit = form.action == "submit";
    if submit {
        errors = submit_errors(&draft, errors);
    }
    if !errors.is_empty() {
        if json {
            return Ok(json_errors(StatusCode::UNPROCESSABLE_ENTITY, &errors));
        }
        return render_composer(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            ComposerView {
                rec: &rec,
                letter: None,
                draft: &draft,
                starters: &starters,
                errors: &errors,
                notice: None,
            },
        );
    }
    let edit = draft.edit(&ctx, &rec);
    let writer_id = user.id;
    let id = ctx
        .run(move |conn| {
            db::write_tx(conn, |conn| {
                let now = db::now();
                let letter = insert_with_reply_code(conn, writer_id, prisoner_id, &edit, now)?;
                // Figures are kept from the start, so lists need not recount.
                letters::update_draft(conn, letter.id, &edit, now)?;
                audit::record(
                    conn,
                    Some(writer_id),
                    "create",
                    "letter",
                    Some(letter.id),
                    &json!({"prisoner_id": prisoner_id, "channel": edit.channel}),
                    now,
                )?;
                if submit {
                    submit_letter(conn, writer_id, letter.id, now)?;
                }
                Ok::<_, AppError>(letter.id)
            })
        })
        .await?;
    let edit_url = format!("/letters/{id}/edit");
    if json {
        return Ok(HttpResponse::Created().json(json!({ "id": id, "edit_url": edit_url })));
    }
    if submit {
        Ok(ctx.redirect(&format!("/letters/{id}")))
    } else {
        Ok(ctx.redirect(&edit_url))
    }
}

/// Inserts the draft with a fresh reply code, drawing again on the rare
/// collision. Each attempt runs in a savepoint: on PostgreSQL a failed
/// statement would otherwise spoil the whole transaction.
fn insert_with_reply_code(
    conn: &mut DbConn,
    writer_id: i64,
    prisoner_id: i64,
    edit: &DraftEdit,
    now: NaiveDateTime,
) -> Result<Letter, AppError> {
    use diesel::Connection;
    let mut attempts = 0;
    loop {
        attempts += 1;
        let new = NewLetter {
            writer_id,
            prisoner_id,
            placement_id: edit.placement_id,
            address_snapshot: edit.address_snapshot.clone(),
            language: edit.language.clone(),
            body: edit.body.clone(),
            channel: edit.channel,
            status: LetterStatus::Draft,
            pen_name: edit.pen_name.clone(),
            reply_blank: edit.reply_blank,
            reply_code: Some(letters::new_reply_code(&mut rand::thread_rng())),
            created_at: now,
            updated_at: now,
        };
        match conn.transaction(|conn| letters::insert(conn, &new)) {
            Ok(letter) => return Ok(letter),
            Err(e) if db::is_unique_violation(&e) && attempts < 5 => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

fn submit_letter(
    conn: &mut DbConn,
    writer_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    letters::set_status(conn, id, LetterStatus::Submitted, now)?;
    audit::record(
        conn,
        Some(writer_id),
        "submit",
        "letter",
        Some(id),
        &json!({}),
        now,
    )?;
    // Writers a coordinator marked as trusted skip the review queue.
    crate::review::auto_approve_if_trusted(conn, id, writer_id, now)?;
    Ok(())
}

#[get("/letters/{id}/edit")]
async fn edit_letter(ctx: Ctx, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (_, letter) = match editable_letter(&ctx, id).await {
        // A letter already on its way is shown, not edited.
        Err(AppError::Conflict(_)) => return Ok(ctx.redirect(&format!("/letters/{id}"))),
        other => other?,
    };
    let (rec, starters) =
        load_for_composer(&ctx, letter.prisoner_id, Some(letter.language.clone())).await?;
    let draft = Draft::from_letter(&letter, &rec);
    render_composer(
        &ctx,
        StatusCode::OK,
        ComposerView {
            rec: &rec,
            letter: Some(&letter),
            draft: &draft,
            starters: &starters,
            errors: &FieldErrors::default(),
            notice: None,
        },
    )
}

/// Save, submit, check or use a starter, for an existing draft.
#[post("/letters/{id}")]
async fn update_letter(
    ctx: Ctx,
    id: web::Path<i64>,
    form: CsrfForm<ComposerForm>,
) -> Result<HttpResponse, AppError> {
    let (user, letter) = editable_letter(&ctx, id.into_inner()).await?;
    let form = form.0;
    let (rec, _) = load_for_composer(&ctx, letter.prisoner_id, None).await?;
    if rec.prisoner.do_not_write {
        return Err(AppError::Forbidden);
    }
    let base = Draft::from_letter(&letter, &rec);
    let (mut draft, mut errors) = Draft::parse(&form, &base, &rec);
    let starters = starters_for(&ctx, &draft.language).await?;

    if !form.use_starter.is_empty() || form.action == "check" {
        let notice = apply_starter(&mut draft, &starters, &form.use_starter);
        return render_composer(
            &ctx,
            StatusCode::OK,
            ComposerView {
                rec: &rec,
                letter: Some(&letter),
                draft: &draft,
                starters: &starters,
                errors: &errors,
                notice,
            },
        );
    }
    let submit = match form.action.as_str() {
        "submit" => true,
        "save" | "" => false,
        _ => return Err(AppError::BadRequest("errors.status_400".into())),
    };
    if submit {
        errors = submit_errors(&draft, errors);
    }
    if !errors.is_empty() {
        return render_composer(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            ComposerView {
                rec: &rec,
                letter: Some(&letter),
                draft: &draft,
                starters: &starters,
                errors: &errors,
                notice: None,
            },
        );
    }
    let edit = draft.edit(&ctx, &rec);
    let (writer_id, letter_id) = (user.id, letter.id);
    ctx.run(move |conn| {
        db::write_tx(conn, |conn| {
            let now = db::now();
            letters::update_draft(conn, letter_id, &edit, now)?;
            if submit {
                submit_letter(conn, writer_id, letter_id, now)
            } else {
                audit::record(
                    conn,
                    Some(writer_id),
                    "update",
                    "letter",
                    Some(letter_id),
                    &json!({"channel": edit.channel}),
                    now,
                )?;
                Ok(())
            }
        })
    })
    .await?;
    if submit {
        Ok(ctx.redirect(&format!("/letters/{letter_id}")))
    } else {
        Ok(ctx.redirect(&format!("/letters/{letter_id}/edit")))
    }
}

/// composer.js saves the draft every few seconds after a change. A field
/// that does not parse keeps its saved value rather than failing the save:
/// losing typed text is worse than a stale channel.
#[post("/letters/{id}/autosave")]
async fn autosave_letter(
    ctx: Ctx,
    id: web::Path<i64>,
    form: CsrfForm<ComposerForm>,
) -> Result<HttpResponse, AppError> {
    let (_, letter) = editable_letter(&ctx, id.into_inner()).await?;
    let (rec, _) = load_for_composer(&ctx, letter.prisoner_id, None).await?;
    if rec.prisoner.do_not_write {
        return Err(AppError::Forbidden);
    }
    let base = Draft::from_letter(&letter, &rec);
    let (mut draft, errors) = Draft::parse(&form.0, &base, &rec);
    if errors.get("body").is_some() {
        return Ok(json_errors(StatusCode::UNPROCESSABLE_ENTITY, &errors));
    }
    if errors.get("pen_name").is_some() {
        draft.pen_name = base.pen_name.clone();
    }
    let edit = draft.edit(&ctx, &rec);
    let letter_id = letter.id;
    let saved_at = ctx
        .run(move |conn| {
            let now = db::now();
            letters::update_draft(conn, letter_id, &edit, now)?;
            Ok(now)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({ "saved_at": saved_at.format("%Y-%m-%dT%H:%M:%SZ").to_string() })))
}

// ---- reading letters -------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    all: Option<String>,
}

/// "My letters": the viewer's letters, those still with them first.
/// Coordinators may ask for every writer's with ?all=1.
#[get("/letters")]
async fn letters_list(ctx: Ctx, query: web::Query<ListQuery>) -> Result<HttpResponse, AppError> {
    let user = ctx.user()?.clone();
    let all = user.role.is_coordinator() && query.all.as_deref() == Some("1");
    let writer = (!all).then_some(user.id);
    let items = ctx
        .run(move |conn| Ok(letters::list_for_writer(conn, writer, LIST_LIMIT)?))
        .await?;
    let rows: Vec<Value> = items
        .iter()
        .map(|i| {
            let l = &i.letter;
            let name = [
                Some(i.prisoner_surname.as_str()),
                Some(i.prisoner_given_name.as_str()),
                i.prisoner_patronymic.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
            let editable = i.with_writer() && l.writer_id == user.id;
            json!({
                "id": l.id,
                "prisoner_name": name,
                "writer_name": i.writer_name,
                "channel": l.channel,
                "status": l.status,
                "review_note": l.review_note,
                "updated": format_time(Some(l.updated_at)),
                "submitted": format_time(l.submitted_at),
                "with_writer": i.with_writer(),
                "href": if editable { format!("/letters/{}/edit", l.id) } else { format!("/letters/{}", l.id) },
            })
        })
        .collect();
    ctx.render(
        "pages/letters/list",
        json!({
            "letters": rows,
            "all": all,
            "may_see_all": user.role.is_coordinator(),
        }),
    )
}

#[get("/letters/{id}")]
async fn show_letter(ctx: Ctx, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let (user, letter) = visible_letter(&ctx, id.into_inner()).await?;
    let prisoner_id = letter.prisoner_id;
    let prisoner = ctx
        .run(move |conn| Ok(prisoners::find(conn, prisoner_id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    // The replies this letter got, for "reply received" to link to: those
    // the viewer may open (the writer's own, or any for a coordinator).
    let letter_id = letter.id;
    let replies: Vec<Value> = ctx
        .run(move |conn| Ok(crate::db::replies::for_letter(conn, letter_id)?))
        .await?
        .iter()
        .filter(|r| user.role.is_coordinator() || r.writer_id == Some(user.id))
        .map(|r| json!({ "id": r.id, "received": r.received_at.format("%Y-%m-%d").to_string() }))
        .collect();
    let address = letter
        .address_snapshot
        .as_deref()
        .and_then(|s| serde_json::from_str::<AddressRecord>(s).ok())
        .and_then(|r| locale::render_address(&r, Style::Line, None).ok());
    let l = &letter;
    let steps: Vec<Value> = [
        ("created", Some(l.created_at)),
        ("submitted", l.submitted_at),
        ("returned_to_writer", l.returned_to_writer_at),
        ("rejected", l.rejected_at),
        ("approved", l.approved_at),
        ("queued", l.queued_at),
        ("held", l.held_at),
        ("sent", l.sent_at),
        ("delivered", l.delivered_at),
        ("censored", l.censored_at),
        ("returned", l.returned_at),
        ("lost", l.lost_at),
        ("replied", l.replied_at),
    ]
    .into_iter()
    .filter_map(|(step, at)| at.map(|at| json!({"step": step, "at": format_time(Some(at))})))
    .collect();
    let editable = l.writer_id == user.id
        && matches!(
            l.status,
            LetterStatus::Draft | LetterStatus::ReturnedToWriter
        );
    ctx.render(
        "pages/letters/show",
        json!({
            "letter": {
                "id": l.id,
                "body": l.body,
                "status": l.status,
                "channel": l.channel,
                "language": l.language,
                "pen_name": l.pen_name,
                "reply_blank": l.reply_blank,
                "reply_code": l.reply_code,
                "pages": l.pages,
                "cost_text": l.cost_minor.map(|c| checks::format_rub(c, ctx.lang.code())),
                "review_note": l.review_note,
                "outcome_note": l.outcome_note,
                "hold_reason": l.hold_reason,
                "receipt_number": l.receipt_number,
            },
            "prisoner": { "id": prisoner.id, "name": prisoner.full_name() },
            "address": address,
            "steps": steps,
            "replies": replies,
            "editable": editable,
            // After sending, a coordinator records what became of the letter.
            "may_record_outcome": user.role.is_coordinator()
                && matches!(l.status, LetterStatus::Sent | LetterStatus::Delivered),
        }),
    )
}

// ---- starter texts ---------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct StarterInput {
    kind: String,
    language: String,
    title: String,
    body: String,
}

impl StarterInput {
    fn from_row(s: &StarterText) -> StarterInput {
        StarterInput {
            kind: s.kind.as_str().to_owned(),
            language: s.language.clone(),
            title: s.title.clone(),
            body: s.body.clone(),
        }
    }

    fn parse(&self) -> Result<StarterForm, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = self.kind.parse::<StarterKind>().ok();
        if kind.is_none() {
            errors.add("kind", "starters.error_kind");
        }
        if !LANGUAGES.contains(&self.language.as_str()) {
            errors.add("language", "starters.error_language");
        }
        let title = self.title.trim();
        if title.is_empty() {
            errors.add("title", "starters.error_title_empty");
        } else if title.chars().count() > MAX_TITLE_CHARS {
            errors.add("title", "starters.error_title_long");
        }
        let body = self.body.replace("\r\n", "\n");
        if body.trim().is_empty() {
            errors.add("body", "starters.error_body_empty");
        } else if checks::char_count(&body) > MAX_STARTER_CHARS {
            errors.add("body", "starters.error_body_long");
        }
        match (errors.into_result(), kind) {
            (Ok(()), Some(kind)) => Ok(StarterForm {
                kind,
                language: self.language.clone(),
                title: title.to_owned(),
                body,
            }),
            (Err(errors), _) => Err(errors),
            (Ok(()), None) => Err(FieldErrors::default()),
        }
    }
}

fn render_starter_form(
    ctx: &Ctx,
    status: StatusCode,
    action: &str,
    input: &StarterInput,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    ctx.render_status(
        status,
        "pages/starters/form",
        json!({
            "action": action,
            "title_key": if action == "/starters/new" { "starters.new" } else { "starters.edit" },
            "kinds": StarterKind::ALL.iter().map(|k| json!({"value": k, "selected": k.as_str() == input.kind})).collect::<Vec<_>>(),
            "languages": LANGUAGES.iter().map(|l| json!({"value": l, "selected": *l == input.language})).collect::<Vec<_>>(),
            // Not "title": the layout's own parameter would shadow it.
            "starter_title": input.title,
            "body": input.body,
            "errors": errors,
        }),
    )
}

#[get("/starters")]
async fn starters_list(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let all = ctx.run(|conn| Ok(starter_texts::list(conn)?)).await?;
    let rows: Vec<Value> = all
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "kind": s.kind,
                "language": s.language,
                "starter_title": s.title,
                "updated": format_time(Some(s.updated_at)),
            })
        })
        .collect();
    ctx.render("pages/starters/list", json!({ "starters": rows }))
}

#[get("/starters/new")]
async fn starter_new_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let input = StarterInput {
        kind: StarterKind::FirstLetter.as_str().to_owned(),
        language: DEFAULT_LANGUAGE.to_owned(),
        ..StarterInput::default()
    };
    render_starter_form(
        &ctx,
        StatusCode::OK,
        "/starters/new",
        &input,
        &FieldErrors::default(),
    )
}

#[post("/starters/new")]
async fn starter_create(ctx: Ctx, form: CsrfForm<StarterInput>) -> Result<HttpResponse, AppError> {
    let me = ctx.coordinator()?.clone();
    let input = form.0;
    let parsed = match input.parse() {
        Ok(parsed) => parsed,
        Err(errors) => {
            return render_starter_form(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                "/starters/new",
                &input,
                &errors,
            )
        }
    };
    ctx.run(move |conn| {
        db::write_tx(conn, |conn| {
            let now = db::now();
            let row = starter_texts::insert(conn, &parsed, me.id, now)?;
            audit::record(
                conn,
                Some(me.id),
                "create",
                "starter_text",
                Some(row.id),
                &json!({"kind": row.kind, "language": row.language}),
                now,
            )?;
            Ok::<_, AppError>(())
        })
    })
    .await?;
    Ok(ctx.redirect("/starters"))
}

#[get("/starters/{id}/edit")]
async fn starter_edit_form(ctx: Ctx, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let id = id.into_inner();
    let row = ctx
        .run(move |conn| Ok(starter_texts::find(conn, id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    render_starter_form(
        &ctx,
        StatusCode::OK,
        &format!("/starters/{id}/edit"),
        &StarterInput::from_row(&row),
        &FieldErrors::default(),
    )
}

#[post("/starters/{id}/edit")]
async fn starter_update(
    ctx: Ctx,
    id: web::Path<i64>,
    form: CsrfForm<StarterInput>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.coordinator()?.clone();
    let id = id.into_inner();
    let input = form.0;
    let parsed = match input.parse() {
        Ok(parsed) => parsed,
        Err(errors) => {
            return render_starter_form(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("/starters/{id}/edit"),
                &input,
                &errors,
            )
        }
    };
    ctx.run(move |conn| {
        db::write_tx(conn, |conn| {
            let now = db::now();
            starter_texts::update(conn, id, &parsed, me.id, now)?;
            audit::record(
                conn,
                Some(me.id),
                "update",
                "starter_text",
                Some(id),
                &json!({"kind": parsed.kind, "language": parsed.language}),
                now,
            )?;
            Ok::<_, AppError>(())
        })
    })
    .await?;
    Ok(ctx.redirect("/starters"))
}

#[derive(Deserialize, Default)]
struct Empty {}

#[post("/starters/{id}/delete")]
async fn starter_delete(
    ctx: Ctx,
    id: web::Path<i64>,
    _form: CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.coordinator()?.clone();
    let id = id.into_inner();
    ctx.run(move |conn| {
        db::write_tx(conn, |conn| {
            let now = db::now();
            if !starter_texts::delete(conn, id)? {
                return Err(AppError::NotFound);
            }
            audit::record(
                conn,
                Some(me.id),
                "delete",
                "starter_text",
                Some(id),
                &json!({}),
                now,
            )?;
            Ok(())
        })
    })
    .await?;
    Ok(ctx.redirect("/starters"))
}

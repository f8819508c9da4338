//! The composer's routes: new letter, live check, create, edit, save and
//! submit, autosave, withdraw and delete. Each change is one call into
//! `crate::compose`.

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::composer::{
    apply_starter, estimate_json, load_for_composer, render_composer, starters_for, warnings_json,
    ComposerForm, ComposerView, Draft,
};
use super::recipient::Recipient;
use super::{editable_letter, format_time, own_letter, parse_id, wants_json, Empty, LANGUAGES};
use crate::compose::{self, Created, Saved};
use crate::db;
use crate::db::letters::{self, DraftEdit, Letter, LetterStatus};
use crate::db::prisoners;
use crate::db::starter_texts::StarterText;
use crate::error::{AppError, FieldErrors};
use crate::web::csrf::CsrfForm;
use crate::web::ctx::{Ctx, Flash};

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct NewQuery {
    pub(super) prisoner: String,
    pub(super) channel: Option<String>,
}

#[get("/letters/new")]
pub(super) async fn new_letter(
    ctx: Ctx,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    let user = ctx.user()?.clone();
    let prisoner_id = parse_id(&query.prisoner)?;
    let (rec, starters) = load_for_composer(&ctx, prisoner_id, None).await?;
    let draft = Draft::fresh(&user, &rec, query.channel.as_deref());
    ComposerPage {
        rec: &rec,
        letter: None,
        starters: &starters,
        submission_key: None,
    }
    .render(&ctx, StatusCode::OK, &draft, &FieldErrors::default(), None)
}

/// The live check composer.js calls as the writer types: figures and
/// warnings as JSON. Nothing is stored.
#[post("/letters/check")]
pub(super) async fn check_text(
    ctx: Ctx,
    form: CsrfForm<ComposerForm>,
) -> Result<HttpResponse, AppError> {
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

/// What a composer page shows whatever was typed: the recipient, the letter
/// being edited (none for a new one), the starter texts and the form's
/// one-time key.
struct ComposerPage<'a> {
    rec: &'a Recipient,
    letter: Option<&'a Letter>,
    starters: &'a [StarterText],
    submission_key: Option<&'a str>,
}

impl ComposerPage<'_> {
    fn render(
        &self,
        ctx: &Ctx,
        status: StatusCode,
        draft: &Draft,
        errors: &FieldErrors,
        notice: Option<&str>,
    ) -> Result<HttpResponse, AppError> {
        render_composer(
            ctx,
            status,
            ComposerView {
                rec: self.rec,
                letter: self.letter,
                draft,
                starters: self.starters,
                errors,
                notice,
                submission_key: self.submission_key,
            },
        )
    }

    /// A post that uses a starter text or asks for a check stores nothing:
    /// the form comes back as typed, with what the starter did. `None` for
    /// any other post.
    fn after_starter(
        &self,
        ctx: &Ctx,
        form: &ComposerForm,
        draft: &mut Draft,
        errors: &FieldErrors,
    ) -> Option<Result<HttpResponse, AppError>> {
        if form.use_starter.is_empty() && form.action != "check" {
            return None;
        }
        let notice = apply_starter(draft, self.starters, &form.use_starter);
        Some(self.render(ctx, StatusCode::OK, draft, errors, notice))
    }
}

/// The errors that stop a letter from being submitted for review.
pub(super) fn submit_errors(draft: &Draft, mut errors: FieldErrors) -> FieldErrors {
    if draft.body.trim().is_empty() {
        errors.add("body", "letters.error_body_empty");
    }
    errors
}

pub(super) fn json_errors(status: StatusCode, errors: &FieldErrors) -> HttpResponse {
    HttpResponse::build(status).json(json!({ "errors": errors }))
}

/// Creates a draft (or submits a new letter at once). The form on
/// /letters/new posts here; so does composer.js, asking for JSON, on the
/// first change. A second post of the same form (its one-time key) is not a
/// new letter: it saves onto the letter the first post made while that is
/// still the writer's, and otherwise shows it as already submitted.
#[post("/letters")]
pub(super) async fn create_letter(
    ctx: Ctx,
    form: CsrfForm<ComposerForm>,
) -> Result<HttpResponse, AppError> {
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

    let page = ComposerPage {
        rec: &rec,
        letter: None,
        starters: &starters,
        submission_key: form.key(),
    };
    if let Some(shown) = page.after_starter(&ctx, &form, &mut draft, &errors) {
        return shown;
    }
    let submit = form.action == "submit";
    if submit {
        errors = submit_errors(&draft, errors);
    }
    if !errors.is_empty() {
        if json {
            return Ok(json_errors(StatusCode::UNPROCESSABLE_ENTITY, &errors));
        }
        return page.render(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &draft,
            &errors,
            None,
        );
    }
    let edit = draft.edit(&ctx, &rec);
    let writer_id = user.id;
    // A post without a key (an older page, a script) still gets one, so
    // that the letter's edit form carries it from then on.
    let key = form.key().map_or_else(
        || compose::new_submission_key(&mut rand::thread_rng()),
        str::to_owned,
    );
    let created = ctx
        .run(move |conn| {
            Ok(compose::create(
                conn,
                writer_id,
                prisoner_id,
                &edit,
                Some(&key),
                submit,
                db::now(),
            )?)
        })
        .await?;
    let id = match created {
        Created::New(id) => id,
        Created::Repeat(letter) => {
            if json {
                return Ok(HttpResponse::Ok().json(
                    json!({ "id": letter.id, "edit_url": format!("/letters/{}/edit", letter.id) }),
                ));
            }
            if !letters::WRITER_EDITABLE.contains(&letter.status) {
                return Ok(already_submitted(&ctx, letter.id));
            }
            let edit = draft.edit(&ctx, &rec);
            return save_existing(&ctx, writer_id, letter.id, edit, submit).await;
        }
    };
    let edit_url = format!("/letters/{id}/edit");
    if json {
        return Ok(HttpResponse::Created().json(json!({ "id": id, "edit_url": edit_url })));
    }
    if submit {
        Ok(ctx.redirect_flash(
            &format!("/letters/{id}"),
            Flash::new("flash.writer_submitted"),
        ))
    } else {
        Ok(ctx.redirect_flash(&edit_url, Flash::new("flash.writer_saved")))
    }
}

/// The answer to a form posted again after its letter went to review.
pub(super) fn already_submitted(ctx: &Ctx, id: i64) -> HttpResponse {
    ctx.redirect_flash(
        &format!("/letters/{id}"),
        Flash::new("flash.writer_already_submitted"),
    )
}

/// Saves (and submits, when asked) a letter that exists, and says so.
pub(super) async fn save_existing(
    ctx: &Ctx,
    writer_id: i64,
    id: i64,
    edit: DraftEdit,
    submit: bool,
) -> Result<HttpResponse, AppError> {
    let saved = ctx
        .run(move |conn| {
            Ok(compose::save(
                conn,
                writer_id,
                id,
                &edit,
                submit,
                db::now(),
            )?)
        })
        .await?;
    Ok(match saved {
        Saved::Draft => ctx.redirect_flash(
            &format!("/letters/{id}/edit"),
            Flash::new("flash.writer_saved"),
        ),
        Saved::Submitted => ctx.redirect_flash(
            &format!("/letters/{id}"),
            Flash::new("flash.writer_submitted"),
        ),
        Saved::InReview if submit => already_submitted(ctx, id),
        Saved::InReview => ctx.redirect_flash(
            &format!("/letters/{id}/edit"),
            Flash::new("flash.writer_saved_in_review"),
        ),
    })
}

#[get("/letters/{id}/edit")]
pub(super) async fn edit_letter(ctx: Ctx, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (_, letter) = match editable_letter(&ctx, id).await {
        // A letter already on its way is shown, not edited.
        Err(AppError::Conflict(_)) => return Ok(ctx.redirect(&format!("/letters/{id}"))),
        other => other?,
    };
    let (rec, starters) =
        load_for_composer(&ctx, letter.prisoner_id, Some(letter.language.clone())).await?;
    let draft = Draft::from_letter(&letter, &rec);
    ComposerPage {
        rec: &rec,
        letter: Some(&letter),
        starters: &starters,
        submission_key: None,
    }
    .render(&ctx, StatusCode::OK, &draft, &FieldErrors::default(), None)
}

/// Save, submit, check or use a starter, for a letter that exists.
#[post("/letters/{id}")]
pub(super) async fn update_letter(
    ctx: Ctx,
    id: web::Path<i64>,
    form: CsrfForm<ComposerForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.0;
    let (user, letter) = own_letter(&ctx, id.into_inner()).await?;
    if !letters::WRITER_EDITABLE.contains(&letter.status) {
        // The same form submitted again after the letter was approved (Back,
        // then Submit): show the letter rather than an error.
        let repeat = form.action == "submit"
            && form.key().is_some()
            && form.key() == letter.submission_key.as_deref();
        if repeat {
            return Ok(already_submitted(&ctx, letter.id));
        }
        return Err(AppError::Conflict("letters.error_not_editable".into()));
    }
    let (rec, _) = load_for_composer(&ctx, letter.prisoner_id, None).await?;
    if rec.prisoner.do_not_write {
        return Err(AppError::Forbidden);
    }
    let base = Draft::from_letter(&letter, &rec);
    let (mut draft, mut errors) = Draft::parse(&form, &base, &rec);
    let starters = starters_for(&ctx, &draft.language).await?;

    let page = ComposerPage {
        rec: &rec,
        letter: Some(&letter),
        starters: &starters,
        submission_key: form.key(),
    };
    if let Some(shown) = page.after_starter(&ctx, &form, &mut draft, &errors) {
        return shown;
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
        return page.render(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &draft,
            &errors,
            None,
        );
    }
    let edit = draft.edit(&ctx, &rec);
    save_existing(&ctx, user.id, letter.id, edit, submit).await
}

/// composer.js saves the draft every few seconds after a change. A field
/// that does not parse keeps its saved value rather than failing the save:
/// losing typed text is worse than a stale channel.
#[post("/letters/{id}/autosave")]
pub(super) async fn autosave_letter(
    ctx: Ctx,
    id: web::Path<i64>,
    form: CsrfForm<ComposerForm>,
) -> Result<HttpResponse, AppError> {
    let (user, letter) = editable_letter(&ctx, id.into_inner()).await?;
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
    let (letter_id, writer_id) = (letter.id, user.id);
    let saved_at = ctx
        .run(move |conn| {
            let now = db::now();
            let saved = letters::update_by_writer(
                conn,
                letter_id,
                writer_id,
                &letters::WRITER_EDITABLE,
                &edit,
                now,
            )?;
            Ok(saved.then_some(now))
        })
        .await?;
    let Some(saved_at) = saved_at else {
        // Reviewed meanwhile: the text the reviewer read stays.
        let mut errors = FieldErrors::default();
        errors.add("body", "letters.error_not_editable");
        return Ok(json_errors(StatusCode::CONFLICT, &errors));
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({ "saved_at": saved_at.format("%Y-%m-%dT%H:%M:%SZ").to_string() })))
}

/// Takes a letter awaiting review back to a draft, to change or keep.
#[post("/letters/{id}/withdraw")]
pub(super) async fn withdraw_letter(
    ctx: Ctx,
    id: web::Path<i64>,
    _form: CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    let (user, letter) = own_letter(&ctx, id.into_inner()).await?;
    let (writer_id, id) = (user.id, letter.id);
    ctx.run(move |conn| Ok(compose::withdraw(conn, writer_id, id, db::now())?))
        .await?;
    Ok(ctx.redirect_flash(
        &format!("/letters/{id}/edit"),
        Flash::new("flash.writer_withdrawn"),
    ))
}

/// Asks before deleting a draft (the same page with or without JavaScript).
#[get("/letters/{id}/delete")]
pub(super) async fn delete_confirm(ctx: Ctx, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let (_, letter) = own_letter(&ctx, id.into_inner()).await?;
    if letter.status != LetterStatus::Draft {
        return Ok(ctx.redirect(&format!("/letters/{}", letter.id)));
    }
    let prisoner_id = letter.prisoner_id;
    let prisoner = ctx
        .run(move |conn| Ok(prisoners::find(conn, prisoner_id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    ctx.render(
        "pages/letters/delete",
        json!({
            "letter": { "id": letter.id, "updated": format_time(Some(letter.updated_at)) },
            "prisoner": { "name": prisoner.full_name() },
        }),
    )
}

#[post("/letters/{id}/delete")]
pub(super) async fn delete_letter(
    ctx: Ctx,
    id: web::Path<i64>,
    _form: CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    let (user, letter) = own_letter(&ctx, id.into_inner()).await?;
    let (writer_id, id) = (user.id, letter.id);
    ctx.run(move |conn| Ok(compose::delete_draft(conn, writer_id, id, db::now())?))
        .await?;
    Ok(ctx.redirect_flash("/letters", Flash::new("flash.writer_deleted")))
}

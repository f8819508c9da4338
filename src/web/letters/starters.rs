//! The starter texts coordinators keep for writers who do not know how to
//! begin.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{format_time, Empty, DEFAULT_LANGUAGE, LANGUAGES, MAX_STARTER_CHARS, MAX_TITLE_CHARS};
use crate::db::starter_texts::{self, StarterForm, StarterKind, StarterText};
use crate::db::{self, audit};
use crate::error::{AppError, FieldErrors};
use crate::letters::{self as checks};
use crate::web::csrf::CsrfForm;
use crate::web::ctx::{Ctx, Flash};

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct StarterInput {
    pub(super) kind: String,
    pub(super) language: String,
    pub(super) title: String,
    pub(super) body: String,
}

impl StarterInput {
    pub(super) fn from_row(s: &StarterText) -> StarterInput {
        StarterInput {
            kind: s.kind.as_str().to_owned(),
            language: s.language.clone(),
            title: s.title.clone(),
            body: s.body.clone(),
        }
    }

    pub(super) fn parse(&self) -> Result<StarterForm, FieldErrors> {
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

pub(super) fn render_starter_form(
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
pub(super) async fn starters_list(ctx: Ctx) -> Result<HttpResponse, AppError> {
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
pub(super) async fn starter_new_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
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
pub(super) async fn starter_create(
    ctx: Ctx,
    form: CsrfForm<StarterInput>,
) -> Result<HttpResponse, AppError> {
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
    Ok(ctx.redirect_flash("/starters", Flash::new("flash.starters_created")))
}

#[get("/starters/{id}/edit")]
pub(super) async fn starter_edit_form(
    ctx: Ctx,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
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
pub(super) async fn starter_update(
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
    Ok(ctx.redirect_flash("/starters", Flash::new("flash.starters_saved")))
}

#[post("/starters/{id}/delete")]
pub(super) async fn starter_delete(
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
    Ok(ctx.redirect_flash("/starters", Flash::new("flash.starters_deleted")))
}

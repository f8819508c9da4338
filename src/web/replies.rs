//! Replies in the browser: the coordinator's list with the queue of replies
//! nobody could match, a reply's page, and its scans, which only the writer
//! it answers and coordinators can open, through the app, never from a
//! guessable public URL.

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::csrf::CsrfForm;
use super::ctx::Ctx;
use crate::db::replies::{self, Reply};
use crate::db::users::User;
use crate::db::{self, letters, prisoners};
use crate::error::{AppError, FieldErrors};
use crate::replies::{codes, notify, record, scans};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list)
        .service(show)
        .service(file)
        .service(assign);
}

/// The writer the reply answers, and coordinators.
fn may_see(user: &User, reply: &Reply) -> bool {
    user.role.is_coordinator() || reply.writer_id == Some(user.id)
}

fn reply_json(r: &Reply, prisoner: Option<String>) -> serde_json::Value {
    json!({
        "id": r.id,
        "received": r.received_at.format("%Y-%m-%d").to_string(),
        "channel": r.channel,
        "code": r.reply_code,
        "prisoner": prisoner,
        "letter_id": r.letter_id,
        "matched": r.match_state == replies::MatchState::Matched,
        "transcription": r.transcription,
        "notes": r.notes,
        "blank_unused": r.blank_unused,
        "assign_field": format!("assign-{}", r.id),
    })
}

async fn render_list(
    ctx: &Ctx,
    status: StatusCode,
    failed: Option<(i64, FieldErrors)>,
) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let waiting = ctx.run(|conn| Ok(replies::unmatched(conn, 200)?)).await?;
    let rows: Vec<_> = waiting
        .iter()
        .map(|r| {
            let mut v = reply_json(r, None);
            v["errors"] = match &failed {
                Some((id, e)) if *id == r.id => json!(e),
                _ => json!({}),
            };
            v
        })
        .collect();
    ctx.render_status(status, "pages/replies/list", json!({ "unmatched": rows }))
}

#[get("/replies")]
async fn list(ctx: Ctx) -> Result<HttpResponse, AppError> {
    render_list(&ctx, StatusCode::OK, None).await
}

#[get("/replies/{id}")]
async fn show(ctx: Ctx, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let user = ctx.user()?.clone();
    let id = id.into_inner();
    let (reply, files, prisoner) = ctx
        .run(move |conn| {
            let reply = replies::find(conn, id)?.ok_or(AppError::NotFound)?;
            let files = replies::files(conn, id)?;
            let prisoner = match reply.prisoner_id {
                Some(p) => prisoners::find(conn, p)?.map(|p| p.full_name()),
                None => None,
            };
            Ok((reply, files, prisoner))
        })
        .await?;
    // Someone else's reply does not exist, as far as a volunteer can tell.
    if !may_see(&user, &reply) {
        return Err(AppError::NotFound);
    }
    let files: Vec<_> = files
        .iter()
        .map(|f| json!({ "id": f.id, "name": f.original_name, "type": f.content_type, "kb": (f.size_bytes + 1023) / 1024 }))
        .collect();
    ctx.render(
        "pages/replies/show",
        json!({ "reply": reply_json(&reply, prisoner), "files": files }),
    )
}

#[get("/replies/{id}/files/{file}")]
async fn file(ctx: Ctx, path: web::Path<(i64, i64)>) -> Result<HttpResponse, AppError> {
    let user = ctx.user()?.clone();
    let (id, file_id) = path.into_inner();
    let (reply, stored) = ctx
        .run(move |conn| {
            let reply = replies::find(conn, id)?.ok_or(AppError::NotFound)?;
            let stored = replies::files(conn, id)?
                .into_iter()
                .find(|f| f.id == file_id)
                .ok_or(AppError::NotFound)?;
            Ok((reply, stored))
        })
        .await?;
    if !may_see(&user, &reply) {
        return Err(AppError::NotFound);
    }
    let path = scans::dir(&ctx.settings.data_dir).join(&stored.stored_name);
    let data = web::block(move || std::fs::read(path))
        .await
        .map_err(AppError::internal)?
        .map_err(|_| AppError::NotFound)?;
    let filename: String = stored
        .original_name
        .chars()
        .filter(|c| c.is_alphanumeric() || ".-_ ".contains(*c))
        .collect();
    Ok(HttpResponse::Ok()
        .content_type(stored.content_type)
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{filename}\""),
        ))
        .body(data))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AssignForm {
    /// A reply code, or a prisoner's number.
    target: String,
}

/// A coordinator says whose reply it is: by the letter's reply code, or by
/// the prisoner's number when the letter is not known.
#[post("/replies/{id}/assign")]
async fn assign(
    ctx: Ctx,
    id: web::Path<i64>,
    form: CsrfForm<AssignForm>,
    mailer: web::Data<crate::mail::Mailer>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.coordinator()?.id;
    let id = id.into_inner();
    let target = form.0.target.trim().to_owned();
    let resolved = ctx
        .run(move |conn| {
            if let Some(code) = codes::normalize(&target) {
                if let Some(letter) = letters::find_by_reply_code(conn, &code)? {
                    return Ok(Some((letter.prisoner_id, Some(letter.id))));
                }
            }
            match target.parse::<i64>() {
                Ok(pid) if prisoners::find(conn, pid)?.is_some() => Ok(Some((pid, None))),
                _ => Ok(None),
            }
        })
        .await?;
    let Some((prisoner_id, letter_id)) = resolved else {
        let mut errors = FieldErrors::default();
        errors.add("target", "replies.error_target");
        return render_list(&ctx, StatusCode::UNPROCESSABLE_ENTITY, Some((id, errors))).await;
    };
    ctx.run(move |conn| {
        db::write_tx(conn, |conn| {
            record::assign(conn, id, prisoner_id, letter_id, me, db::now())?
                .ok_or(AppError::NotFound)?;
            Ok(())
        })
    })
    .await?;
    // The reply is safe in the database; a failed e-mail is retried later, not an error here.
    if let Err(e) = notify::notify_writer(&ctx.db, &mailer, &ctx.templates, &ctx.settings, id).await
    {
        tracing::warn!(reply_id = id, error = %e, "could not tell the writer about a reply");
    }
    Ok(ctx.redirect("/replies"))
}

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
use actix_multipart::Multipart;

use super::uploads;
use crate::db::replies::ReplyChannel;
use crate::replies::{codes, intake, notify, record, scans};

pub fn routes(cfg: &mut web::ServiceConfig) {
    // The fixed paths first, so that "new" and "import" are not read as ids.
    cfg.service(new_form)
        .service(create)
        .service(import_form)
        .service(import_upload)
        .service(list)
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
    let (by_channel, by_facility) = ctx
        .run(|conn| {
            Ok((
                replies::rates_by_channel(conn)?,
                replies::rates_by_facility(conn)?,
            ))
        })
        .await?;
    let rate = |r: &replies::Rate| json!({ "group": r.group, "sent": r.sent, "replied": r.replied, "percent": crate::dashboard::percent(r.replied, r.sent) });
    ctx.render_status(
        status,
        "pages/replies/list",
        json!({
            "unmatched": rows,
            "by_channel": by_channel.iter().map(rate).collect::<Vec<_>>(),
            "by_facility": by_facility.iter().map(rate).collect::<Vec<_>>(),
        }),
    )
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

/// At most this many scans with one reply.
const MAX_SCANS: usize = 10;

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    prisoner: Option<i64>,
}

/// The form's choices: the prisoner, if known, and their recent letters.
async fn render_new(
    ctx: &Ctx,
    status: StatusCode,
    prisoner_id: Option<i64>,
    input: serde_json::Value,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let (prisoner, recent) = ctx
        .run(move |conn| {
            let Some(id) = prisoner_id else {
                return Ok((None, Vec::new()));
            };
            let prisoner = prisoners::find(conn, id)?;
            let recent = letters::visible_for_prisoner(conn, id, None)?;
            Ok((prisoner, recent))
        })
        .await?;
    let recent: Vec<_> = recent
        .iter()
        .filter(|l| l.sent_at.is_some())
        .take(20)
        .map(|l| json!({ "id": l.id, "code": l.reply_code, "sent": l.sent_at.map(|t| t.format("%Y-%m-%d").to_string()) }))
        .collect();
    let channels: Vec<_> = ReplyChannel::ALL
        .iter()
        .map(|c| json!({ "value": c, "key": format!("replies.channel_{c}") }))
        .collect();
    ctx.render_status(
        status,
        "pages/replies/new",
        json!({
            "prisoner": prisoner.map(|p| json!({ "id": p.id, "name": p.full_name() })),
            "recent": recent,
            "channels": channels,
            "input": input,
            "errors": errors,
            "today": db::now().date().to_string(),
        }),
    )
}

#[get("/replies/new")]
async fn new_form(ctx: Ctx, query: web::Query<NewQuery>) -> Result<HttpResponse, AppError> {
    let empty = json!({
        "received_on": "", "channel": "paper", "reply_code": "", "transcription": "", "notes": "", "blank_unused": false,
    });
    render_new(
        &ctx,
        StatusCode::OK,
        query.prisoner,
        empty,
        FieldErrors::default(),
    )
    .await
}

/// Logs a reply that came on paper (or a scan a coordinator has at hand).
#[post("/replies/new")]
async fn create(
    ctx: Ctx,
    payload: Multipart,
    mailer: web::Data<crate::mail::Mailer>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.coordinator()?.id;
    let upload = uploads::read(ctx.request(), payload, scans::MAX_SCAN_BYTES, MAX_SCANS).await?;
    let mut errors = FieldErrors::default();
    let number = |name: &str| upload.field(name).trim().parse::<i64>().ok();
    let prisoner_id = number("prisoner");
    let letter_id = number("letter");
    let received =
        match chrono::NaiveDate::parse_from_str(upload.field("received_on").trim(), "%Y-%m-%d") {
            Ok(d) if d <= db::now().date() + chrono::TimeDelta::days(1) => d,
            _ => {
                errors.add("received_on", "replies.error_date");
                db::now().date()
            }
        };
    let channel = upload
        .field("channel")
        .parse::<ReplyChannel>()
        .unwrap_or_else(|_| {
            errors.add("channel", "replies.error_channel");
            ReplyChannel::Paper
        });
    let code = Some(upload.field("reply_code").trim().to_owned()).filter(|c| !c.is_empty());
    let transcription = upload.field("transcription").trim().to_owned();
    let blank_unused = upload.field("blank_unused") == "on";
    if prisoner_id.is_none() && code.is_none() && letter_id.is_none() {
        errors.add("prisoner", "replies.error_whose");
    }
    if transcription.is_empty() && upload.files.is_empty() && !blank_unused {
        errors.add("transcription", "replies.error_empty");
    }
    if !upload.too_large.is_empty() {
        errors.add("scans", "replies.error_scan_large");
    }
    // Check every scan before storing any.
    for (name, data) in &upload.files {
        if data.is_empty() || scans::sniff(data).is_none() {
            tracing::info!(name_len = name.len(), "scan of a refused type");
            errors.add("scans", "replies.error_scan_type");
        }
    }
    let input = json!({
        "received_on": upload.field("received_on"),
        "channel": upload.field("channel"),
        "reply_code": upload.field("reply_code"),
        "transcription": upload.field("transcription"),
        "notes": upload.field("notes"),
        "blank_unused": blank_unused,
    });
    if !errors.is_empty() {
        return render_new(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            prisoner_id,
            input,
            errors,
        )
        .await;
    }
    let notes = upload.field("notes").trim().to_owned();
    let data_dir = ctx.settings.data_dir.clone();
    let files = upload.files;
    let stored = web::block(move || {
        let mut stored = Vec::new();
        for (name, data) in &files {
            match scans::store(&data_dir, name, data) {
                Ok(scan) => stored.push(scan),
                Err(e) => {
                    scans::discard(&data_dir, &stored);
                    return Err(e);
                }
            }
        }
        Ok(stored)
    })
    .await
    .map_err(AppError::internal)?
    .map_err(|e| AppError::BadRequest(e.key().into()))?;
    let incoming = record::IncomingReply {
        received_at: received.and_hms_opt(12, 0, 0).unwrap_or_default(),
        channel,
        reply_code: code,
        prisoner_id,
        letter_id,
        transcription,
        notes,
        blank_unused,
        source_message_id: None,
        logged_by: Some(me),
    };
    let data_dir = ctx.settings.data_dir.clone();
    let kept = stored.clone();
    let saved = ctx
        .run(move |conn| {
            db::write_tx(conn, |conn| {
                let now = db::now();
                let reply = record::record(conn, &incoming, now)?;
                for scan in &kept {
                    replies::add_file(
                        conn,
                        &replies::NewReplyFile {
                            reply_id: reply.id,
                            stored_name: scan.stored_name.clone(),
                            original_name: scan.original_name.clone(),
                            content_type: scan.content_type.clone(),
                            size_bytes: scan.size_bytes,
                            sha256: scan.sha256.clone(),
                            created_at: now,
                        },
                    )?;
                }
                Ok::<_, AppError>(reply.id)
            })
        })
        .await;
    let reply_id = match saved {
        Ok(id) => id,
        Err(e) => {
            scans::discard(&data_dir, &stored);
            return Err(e);
        }
    };
    if let Err(e) =
        notify::notify_writer(&ctx.db, &mailer, &ctx.templates, &ctx.settings, reply_id).await
    {
        tracing::warn!(reply_id, error = %e, "could not tell the writer about a reply");
    }
    Ok(ctx.redirect(&format!("/replies/{reply_id}")))
}

#[get("/replies/import")]
async fn import_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    ctx.render("pages/replies/import", json!({ "results": [] }))
}

/// Imports e-mails (.eml files) saved from the services' messages.
#[post("/replies/import")]
async fn import_upload(
    ctx: Ctx,
    payload: Multipart,
    mailer: web::Data<crate::mail::Mailer>,
) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    // An e-mail carries its scans, so it may be a little larger than one scan.
    let upload = uploads::read(ctx.request(), payload, scans::MAX_SCAN_BYTES * 2, 50).await?;
    let mut results = Vec::new();
    for name in &upload.too_large {
        results.push(json!({ "file": name, "key": "replies.import_too_large", "reply": null }));
    }
    for (name, raw) in upload.files {
        let mail = match intake::parse(&raw) {
            Ok(mail) => mail,
            Err(_) => {
                results
                    .push(json!({ "file": name, "key": "replies.import_not_mail", "reply": null }));
                continue;
            }
        };
        let data_dir = ctx.settings.data_dir.clone();
        let outcome = ctx
            .run(move |conn| {
                intake::import(conn, &data_dir, &mail, db::now()).map_err(AppError::internal)
            })
            .await?;
        match outcome {
            intake::Imported::AlreadyImported { reply_id } => {
                results.push(
                    json!({ "file": name, "key": "replies.import_already", "reply": reply_id }),
                );
            }
            intake::Imported::Recorded { reply, refused } => {
                let key = if reply.match_state == replies::MatchState::Matched {
                    "replies.import_matched"
                } else {
                    "replies.import_unmatched"
                };
                results.push(json!({ "file": name, "key": key, "reply": reply.id, "refused": refused.len() }));
                if let Err(e) =
                    notify::notify_writer(&ctx.db, &mailer, &ctx.templates, &ctx.settings, reply.id)
                        .await
                {
                    tracing::warn!(reply_id = reply.id, error = %e, "could not tell the writer about a reply");
                }
            }
        }
    }
    ctx.render("pages/replies/import", json!({ "results": results }))
}

//! Replies in the browser: the coordinator's list with the queue of replies
//! nobody could match, a reply's page, and its scans, which only the writer
//! it answers and coordinators can open, through the app, never from a
//! guessable public URL.

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::csrf::CsrfForm;
use super::ctx::{Ctx, Flash};
use crate::db::replies::{self, Reply};
use crate::db::users::User;
use crate::db::{self, letters, prisoners};
use crate::error::{AppError, FieldErrors};
use actix_multipart::Multipart;

use super::uploads;
use crate::db::replies::ReplyChannel;
use crate::replies::list as reply_list;
use crate::replies::{intake, notify, record, scans, whom};

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
        "prisoner_id": r.prisoner_id,
        "letter_id": r.letter_id,
        "matched": r.match_state == replies::MatchState::Matched,
        "transcription": r.transcription,
        "notes": r.notes,
        "blank_unused": r.blank_unused,
        "assign_field": format!("assign-{}", r.id),
    })
}

/// The list's filters as they come in the query string.
#[derive(Deserialize, Default, Clone, serde::Serialize)]
#[serde(default)]
struct ListParams {
    prisoner: String,
    writer: String,
    from: String,
    to: String,
    state: String,
    after: String,
}

impl ListParams {
    /// The criteria, and what could not be read (the list is then shown
    /// without that filter, the message next to it).
    fn parse(&self) -> (reply_list::Criteria, FieldErrors) {
        let mut errors = FieldErrors::default();
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let mut date = |name: &'static str, s: &str| {
            let s = s.trim();
            if s.is_empty() {
                return None;
            }
            let parsed = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
            if parsed.is_none() {
                errors.add(name, "replies.error_filter_date");
            }
            parsed
        };
        let criteria = reply_list::Criteria {
            prisoner: text(&self.prisoner),
            writer: text(&self.writer),
            from: date("from", &self.from),
            to: date("to", &self.to),
            state: self.state.parse().ok(),
            after: reply_list::parse_cursor(&self.after),
        };
        (criteria, errors)
    }

    /// The query string for these filters, starting after `after`.
    fn link(&self, after: Option<replies::Cursor>) -> String {
        let mut params = self.clone();
        params.after = after.map(reply_list::cursor_text).unwrap_or_default();
        let query: Vec<(&str, &str)> = [
            ("prisoner", params.prisoner.trim()),
            ("writer", params.writer.trim()),
            ("from", params.from.trim()),
            ("to", params.to.trim()),
            ("state", params.state.trim()),
            ("after", params.after.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        let query = serde_urlencoded::to_string(query).unwrap_or_default();
        if query.is_empty() {
            "/replies".to_owned()
        } else {
            format!("/replies?{query}")
        }
    }
}

/// A failed match: the reply, the message, and the people a name fits.
type Failed = (i64, FieldErrors, Vec<whom::Candidate>);

async fn render_list(
    ctx: &Ctx,
    status: StatusCode,
    params: ListParams,
    failed: Option<Failed>,
) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let (criteria, filter_errors) = params.parse();
    let status = if filter_errors.is_empty() {
        status
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ctx
        .run(move |conn| Ok(reply_list::load(conn, &criteria)?))
        .await?;
    let rows: Vec<_> = page
        .replies
        .iter()
        .map(|r| {
            let prisoner = r
                .prisoner_id
                .and_then(|id| page.prisoners.get(&id).cloned());
            let mut v = reply_json(r, prisoner);
            v["writer"] = json!(r.writer_id.and_then(|id| page.writers.get(&id)));
            v["writer_id"] = json!(r.writer_id);
            let (errors, candidates) = match &failed {
                Some((id, e, c)) if *id == r.id => (json!(e), json!(c)),
                _ => (json!({}), json!([])),
            };
            v["errors"] = errors;
            v["candidates"] = candidates;
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
    let state_link = |state: &str| {
        let mut p = params.clone();
        p.state = state.to_owned();
        p.link(None)
    };
    let states: Vec<_> = [
        ("", "all"),
        ("unmatched", "unmatched"),
        ("matched", "matched"),
    ]
    .iter()
    .map(|(value, name)| {
        json!({
            "value": value,
            "key": format!("replies.state_{name}"),
            "link": state_link(value),
            "current": params.state.trim() == *value,
        })
    })
    .collect();
    ctx.render_status(
        status,
        "pages/replies/list",
        json!({
            "replies": rows,
            "filters": params,
            "filter_errors": filter_errors,
            "unmatched_count": page.unmatched,
            "states": states,
            "next": page.next.map(|c| params.link(Some(c))),
            "first": (!params.after.is_empty()).then(|| params.link(None)),
            "by_channel": by_channel.iter().map(rate).collect::<Vec<_>>(),
            "by_facility": by_facility.iter().map(rate).collect::<Vec<_>>(),
        }),
    )
}

#[get("/replies")]
async fn list(ctx: Ctx, params: web::Query<ListParams>) -> Result<HttpResponse, AppError> {
    render_list(&ctx, StatusCode::OK, params.into_inner(), None).await
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
    /// A reply code, a prisoner's number, or a name.
    target: String,
}

/// A coordinator says whose reply it is: by the letter's reply code, the
/// prisoner's number, or a name (several people with it are offered back).
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
    let (resolved, reply) = ctx
        .run(move |conn| {
            let reply = replies::find(conn, id)?.ok_or(AppError::NotFound)?;
            Ok((whom::resolve(conn, &target)?, reply))
        })
        .await?;
    let (prisoner_id, letter_id) = match resolved {
        whom::Whom::Letter {
            prisoner_id,
            letter_id,
        } => (prisoner_id, Some(letter_id)),
        whom::Whom::Prisoner(p) => (p, None),
        other => {
            let (key, candidates) = match other {
                whom::Whom::Several(c) => ("replies.error_several", c),
                _ => ("replies.error_target", Vec::new()),
            };
            let mut errors = FieldErrors::default();
            errors.add("target", key);
            // The unmatched replies, starting at this one.
            let params = ListParams {
                state: replies::MatchState::Unmatched.to_string(),
                after: reply_list::cursor_text((reply.received_at, reply.id + 1)),
                ..ListParams::default()
            };
            let failed = Some((id, errors, candidates));
            return render_list(&ctx, StatusCode::UNPROCESSABLE_ENTITY, params, failed).await;
        }
    };
    let name = ctx
        .run(move |conn| {
            db::write_tx(conn, |conn| {
                match record::assign(conn, id, prisoner_id, letter_id, me, db::now())? {
                    record::Assigned::Matched(_) => {}
                    record::Assigned::AlreadyMatched => return Ok(None),
                    record::Assigned::NotFound => return Err(AppError::NotFound),
                }
                Ok(Some(
                    prisoners::find(conn, prisoner_id)?
                        .map(|p| p.full_name())
                        .unwrap_or_default(),
                ))
            })
        })
        .await?;
    let Some(name) = name else {
        return Ok(ctx.redirect_flash(
            "/replies?state=unmatched",
            Flash::new("flash.replies_already_matched").arg("n", id),
        ));
    };
    // The reply is safe in the database; a failed e-mail is retried later, not an error here.
    if let Err(e) = notify::notify_writer(&ctx.db, &mailer, &ctx.templates, &ctx.settings, id).await
    {
        tracing::warn!(reply_id = id, error = %e, "could not tell the writer about a reply");
    }
    Ok(ctx.redirect_flash(
        "/replies?state=unmatched",
        Flash::new("flash.replies_matched")
            .arg("n", id)
            .arg("name", name),
    ))
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
        "prisoner": "", "candidates": [],
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
    let letter_id = number("letter");
    // The prisoner: picked from the people a name fits, or typed as a
    // number or a name.
    let typed = upload.field("prisoner").trim().to_owned();
    let (prisoner_id, candidates) = match number("prisoner_pick") {
        Some(id) => (Some(id), Vec::new()),
        None if typed.is_empty() => (None, Vec::new()),
        None => {
            let text = typed.clone();
            match ctx.run(move |conn| Ok(whom::resolve(conn, &text)?)).await? {
                whom::Whom::Prisoner(id)
                | whom::Whom::Letter {
                    prisoner_id: id, ..
                } => (Some(id), Vec::new()),
                whom::Whom::Several(c) => {
                    errors.add("prisoner", "replies.error_several");
                    (None, c)
                }
                whom::Whom::Nobody => {
                    errors.add("prisoner", "replies.error_prisoner_unknown");
                    (None, Vec::new())
                }
            }
        }
    };
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
    if typed.is_empty() && prisoner_id.is_none() && code.is_none() && letter_id.is_none() {
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
        "prisoner": typed,
        "candidates": candidates,
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
                Ok::<_, AppError>((reply.id, reply.match_state))
            })
        })
        .await;
    let (reply_id, state) = match saved {
        Ok(saved) => saved,
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
    let flash = if state == replies::MatchState::Matched {
        "flash.replies_logged"
    } else {
        "flash.replies_logged_unmatched"
    };
    Ok(ctx.redirect_flash(
        &format!("/replies/{reply_id}"),
        Flash::new(flash).arg("n", reply_id),
    ))
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

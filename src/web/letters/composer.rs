//! The composer's form: its fields parsed, its figures and warnings, and the
//! page that shows them (the same with or without JavaScript).

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::{json, Value};

use super::recipient::{price_for, Recipient};
use super::{is_e_letter, DEFAULT_LANGUAGE, LANGUAGES, MAX_BODY_CHARS, MAX_PEN_NAME_CHARS};
use crate::compose;
use crate::db::facilities::Service;
use crate::db::letters::{Channel, DraftEdit, Letter, LetterStatus};
use crate::db::starter_texts::{self, StarterText};
use crate::db::users::User;
use crate::error::{AppError, FieldErrors};
use crate::letters::{self as checks, Destination};
use crate::locale::{self, Style};
use crate::web::ctx::Ctx;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ComposerForm {
    pub(super) prisoner: String,
    pub(super) channel: String,
    pub(super) body: String,
    pub(super) pen_name: String,
    pub(super) reply_blank: String,
    pub(super) language: String,
    pub(super) action: String,
    pub(super) use_starter: String,
    /// The form's one-time key (see `crate::compose`).
    pub(super) submission_key: String,
}

impl ComposerForm {
    pub(super) fn key(&self) -> Option<&str> {
        Some(self.submission_key.as_str()).filter(|k| compose::valid_submission_key(k))
    }
}

/// The composer's fields, parsed.
#[derive(Debug, Clone)]
pub(super) struct Draft {
    pub(super) channel: Channel,
    pub(super) body: String,
    pub(super) pen_name: String,
    pub(super) reply_blank: bool,
    pub(super) language: String,
}

impl Draft {
    pub(super) fn fresh(user: &User, rec: &Recipient, channel: Option<&str>) -> Draft {
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

    pub(super) fn from_letter(letter: &Letter, rec: &Recipient) -> Draft {
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
    pub(super) fn parse(
        form: &ComposerForm,
        base: &Draft,
        rec: &Recipient,
    ) -> (Draft, FieldErrors) {
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

    /// Every letter gets a reply code when it is first saved, and the code
    /// is printed with the signature: both are counted, as the service will.
    pub(super) fn estimate(&self, ctx: &Ctx) -> checks::Estimate {
        let printed = checks::Printed {
            body: &self.body,
            signature: Some(self.pen_name.as_str()),
            reply_code: Some(checks::REPLY_CODE_PLACEHOLDER),
        };
        checks::estimate(printed, price_for(ctx, self.channel), self.reply_blank)
    }

    pub(super) fn edit(&self, ctx: &Ctx, rec: &Recipient) -> DraftEdit {
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

pub(super) fn warnings_json(ctx: &Ctx, body: &str, rec: &Recipient) -> Vec<Value> {
    let to = Destination {
        russian: rec.russian(),
    };
    crate::web::warnings::json(ctx, &checks::check_naming(body, to, &rec.other_surnames))
}

pub(super) fn estimate_json(ctx: &Ctx, draft: &Draft) -> Value {
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
pub(super) fn channel_json(
    ctx: &Ctx,
    rec: &Recipient,
    channel: Channel,
    selected: Channel,
) -> Value {
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

pub(super) struct ComposerView<'a> {
    pub(super) rec: &'a Recipient,
    pub(super) letter: Option<&'a Letter>,
    pub(super) draft: &'a Draft,
    pub(super) starters: &'a [StarterText],
    pub(super) errors: &'a FieldErrors,
    pub(super) notice: Option<&'a str>,
    /// The form's one-time key: the letter's own, or the one a new-letter
    /// form was first given (kept across re-renders of that form).
    pub(super) submission_key: Option<&'a str>,
}

pub(super) fn render_composer(
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
        submission_key,
    } = view;
    let fresh_key;
    let submission_key = match letter
        .and_then(|l| l.submission_key.as_deref())
        .or(submission_key)
    {
        Some(key) => key,
        None => {
            fresh_key = compose::new_submission_key(&mut rand::thread_rng());
            fresh_key.as_str()
        }
    };
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
                // Reasons can be private; docs/domain.md keeps them for coordinators.
                "do_not_write_reason": if ctx.user.as_ref().is_some_and(|u| u.role.is_coordinator()) { p.do_not_write_reason.clone() } else { None },
            },
            "in_transit": rec.in_transit(),
            "russian": rec.russian(),
            "relatives_only": rec.relatives_only(),
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
            "submission_key": submission_key,
            "in_review": letter.is_some_and(|l| l.status == LetterStatus::Submitted),
            "deletable": letter.is_some_and(|l| l.status == LetterStatus::Draft),
        }),
    )
}

/// Loads the recipient and the starter texts for `language` in one trip.
pub(super) async fn load_for_composer(
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

pub(super) async fn starters_for(ctx: &Ctx, language: &str) -> Result<Vec<StarterText>, AppError> {
    let language = language.to_owned();
    ctx.run(move |conn| Ok(starter_texts::for_language(conn, &language)?))
        .await
}

/// Applies the "use this starter" button: fills an empty text, and leaves a
/// text the writer has begun alone.
pub(super) fn apply_starter(
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

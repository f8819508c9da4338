//! The reminders page, where each user chooses which e-mails they get, how
//! often, in which time zone and language; and the unsubscribe links in every
//! reminder, which work without signing in (RFC 8058 one-click included).

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde_json::json;

use super::csrf::CsrfForm;
use super::ctx::{Ctx, Flash};
use super::pick::writes_languages;
use crate::db;
use crate::db::site_settings;
use crate::db::users::{self, RemindFrequency, ReminderPrefs};
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::reminders::{normalize_interests, schedule, token, ReminderKind, Unsubscribe};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(show)
        .service(save)
        .service(unsubscribe_page)
        .service(unsubscribe);
}

/// Time zones offered first, above the full list.
const COMMON_ZONES: &[&str] = &[
    "Europe/Moscow",
    "Europe/Minsk",
    "Europe/Kyiv",
    "Europe/Vilnius",
    "Europe/Warsaw",
    "Europe/Berlin",
    "Europe/London",
    "Asia/Tbilisi",
    "Asia/Yerevan",
    "Asia/Almaty",
    "Asia/Yekaterinburg",
    "Asia/Novosibirsk",
    "Asia/Vladivostok",
    "America/New_York",
    "UTC",
];

/// The areas of the time zone database whose zones are places; the rest
/// (`Etc/GMT+3`, `US/Eastern`, `W-SU`) are aliases or offsets nobody looks for.
const ZONE_AREAS: &[&str] = &[
    "Africa",
    "America",
    "Antarctica",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
];

/// Every offered time zone by area, in the order of `ZONE_AREAS`, each area
/// sorted by name.
fn zones_by_area() -> Vec<(&'static str, Vec<&'static str>)> {
    ZONE_AREAS
        .iter()
        .map(|area| {
            let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS
                .iter()
                .map(|tz| tz.name())
                .filter(|name| name.split_once('/').is_some_and(|(a, _)| a == *area))
                .collect();
            names.sort_unstable();
            (*area, names)
        })
        .collect()
}

/// The choices for the time zone select, `chosen` selected once (in the
/// common group when it is there). A value outside the list (an alias saved
/// before the list existed, or a refused one shown with its error) is a
/// choice of its own, so that the form shows what was sent.
fn zone_choices(chosen: &str) -> serde_json::Value {
    let chosen = if chosen.is_empty() { "UTC" } else { chosen };
    let common = COMMON_ZONES.contains(&chosen);
    let areas = zones_by_area();
    let listed = common || areas.iter().any(|(_, names)| names.contains(&chosen));
    let other = (!listed).then_some(chosen);
    json!({
        "other": other,
        "common": COMMON_ZONES
            .iter()
            .map(|z| json!({ "name": z, "selected": *z == chosen }))
            .collect::<Vec<_>>(),
        "areas": areas
            .iter()
            .map(|(area, names)| json!({
                "area": area,
                "zones": names
                    .iter()
                    .map(|z| json!({ "name": z, "selected": !common && *z == chosen }))
                    .collect::<Vec<_>>(),
            }))
            .collect::<Vec<_>>(),
    })
}

/// Longest dry spell one can choose, in days.
const MAX_DRY_SPELL: i32 = 365;

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

fn ticked(pairs: &[(String, String)], name: &str) -> bool {
    !matches!(field(pairs, name), "" | "false" | "0")
}

/// Reads the form; on a mistake, the messages by field and the form as sent.
fn parse(pairs: &[(String, String)], coordinator: bool) -> Result<ReminderPrefs, FieldErrors> {
    let mut errors = FieldErrors::default();
    let frequency = field(pairs, "frequency").parse().unwrap_or_else(|_| {
        errors.add("frequency", "reminders.error_frequency");
        RemindFrequency::Weekly
    });
    let time_zone = field(pairs, "time_zone").trim().to_owned();
    if time_zone.parse::<chrono_tz::Tz>().is_err() {
        errors.add("time_zone", "reminders.error_time_zone");
    }
    let locale = Lang::from_code(field(pairs, "locale")).unwrap_or(Lang::DEFAULT);
    let dry_spell = if ticked(pairs, "dry_spell") {
        match field(pairs, "dry_spell_days").trim().parse::<i32>() {
            Ok(days) if (1..=MAX_DRY_SPELL).contains(&days) => Some(days),
            _ => {
                errors.add("dry_spell_days", "reminders.error_dry_spell_days");
                None
            }
        }
    } else {
        None
    };
    let languages: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "language")
        .map(|(_, v)| v.as_str())
        .collect();
    let languages = writes_languages(&languages.join(" "));
    if languages.is_empty() {
        errors.add("languages", "reminders.error_languages");
    }
    let interests = normalize_interests(field(pairs, "interests")).unwrap_or_else(|| {
        errors.add("interests", "reminders.error_interests");
        String::new()
    });
    errors.into_result()?;
    Ok(ReminderPrefs {
        remind_frequency: frequency,
        remind_digest: ticked(pairs, "digest"),
        remind_dry_spell_days: dry_spell,
        remind_birthdays: ticked(pairs, "birthdays"),
        remind_replies: ticked(pairs, "replies"),
        remind_transfers: ticked(pairs, "transfers"),
        remind_letter_status: ticked(pairs, "letter_status"),
        remind_coordinator_digest: coordinator && ticked(pairs, "coordinator_digest"),
        time_zone,
        locale: locale.code().to_owned(),
        writes_languages: languages.join(" "),
        interests,
    })
}

fn render(
    ctx: &Ctx,
    status: StatusCode,
    prefs: &ReminderPrefs,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let coordinator = ctx.user()?.role.is_coordinator();
    let next = schedule::next_digest_at(
        prefs.remind_frequency,
        schedule::time_zone(&prefs.time_zone),
        db::now(),
    )
    .map(|at| {
        schedule::local(at.naive_utc(), schedule::time_zone(&prefs.time_zone))
            .format("%Y-%m-%d %H:%M")
            .to_string()
    });
    let frequencies: Vec<_> = RemindFrequency::ALL
        .iter()
        .map(|f| json!({ "value": f, "selected": *f == prefs.remind_frequency }))
        .collect();
    let kinds: Vec<_> = [
        (ReminderKind::Digest, prefs.remind_digest),
        (ReminderKind::Birthdays, prefs.remind_birthdays),
        (ReminderKind::Replies, prefs.remind_replies),
        (ReminderKind::Transfers, prefs.remind_transfers),
        (ReminderKind::LetterStatus, prefs.remind_letter_status),
    ]
    .into_iter()
    .chain(coordinator.then_some((
        ReminderKind::CoordinatorDigest,
        prefs.remind_coordinator_digest,
    )))
    .map(|(k, on)| json!({ "kind": k, "checked": on }))
    .collect();
    ctx.render_status(
        status,
        "pages/reminders/settings",
        json!({
            "prefs": {
                "time_zone": prefs.time_zone,
                "interests": prefs.interests,
                "locale": prefs.locale,
                "dry_spell": prefs.remind_dry_spell_days.is_some(),
                "dry_spell_days": prefs.remind_dry_spell_days.unwrap_or(30),
            },
            "frequencies": frequencies,
            "kinds": kinds,
            "zones": zone_choices(&prefs.time_zone),
            // No zone chosen yet: the page offers the browser's own.
            "browser_zone": prefs.time_zone.is_empty(),
            "languages": super::pick::language_choices(&prefs.writes_languages),
            "next_digest": next,
            "errors": errors,
        }),
    )
}

#[get("/settings/reminders")]
async fn show(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let prefs = ReminderPrefs::of(ctx.user()?);
    render(&ctx, StatusCode::OK, &prefs, &FieldErrors::default())
}

#[post("/settings/reminders")]
async fn save(ctx: Ctx, form: CsrfForm<Vec<(String, String)>>) -> Result<HttpResponse, AppError> {
    let user = ctx.user()?.clone();
    let prefs = match parse(&form.0, user.role.is_coordinator()) {
        Ok(prefs) => prefs,
        Err(errors) => {
            // Show the form as sent, so nothing typed is lost.
            let mut shown = ReminderPrefs::of(&user);
            shown.time_zone = field(&form.0, "time_zone").to_owned();
            shown.interests = field(&form.0, "interests").to_owned();
            return render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &shown, &errors);
        }
    };
    let details = json!({ "frequency": prefs.remind_frequency });
    store(&ctx, user.id, prefs, "set_reminders", details).await?;
    Ok(ctx.redirect_flash(
        "/settings/reminders",
        Flash::new("flash.replies_reminders_saved"),
    ))
}

/// Saves a user's reminder choices with an audit entry saying how they changed.
async fn store(
    ctx: &Ctx,
    user_id: i64,
    prefs: ReminderPrefs,
    action: &'static str,
    details: serde_json::Value,
) -> Result<(), AppError> {
    ctx.run(move |conn| {
        crate::reminders::save(conn, user_id, &prefs, action, &details, db::now())?;
        Ok(())
    })
    .await
}

/// The user and what to turn off, from a link's token; a wrong or edited
/// link is "not found", saying nothing about who it was for.
async fn verified(ctx: &Ctx, link: String) -> Result<(users::User, Unsubscribe), AppError> {
    ctx.run(move |conn| {
        let secret = site_settings::reminder_secret(conn, db::now())?;
        let found = token::verify(&secret, &link)
            .and_then(|(id, what)| Unsubscribe::parse(&what).map(|what| (id, what)));
        let Some((id, what)) = found else {
            return Err(AppError::NotFound);
        };
        let user = users::find(conn, id)?.ok_or(AppError::NotFound)?;
        Ok((user, what))
    })
    .await
}

#[get("/unsubscribe/{token}")]
async fn unsubscribe_page(mut ctx: Ctx, link: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (user, what) = verified(&ctx, link.into_inner()).await?;
    // The page speaks the language the e-mails were written in.
    ctx.lang = Lang::from_code(&user.locale).unwrap_or(ctx.lang);
    ctx.render(
        "pages/reminders/unsubscribe",
        json!({ "what": what.as_str(), "done": false }),
    )
}

/// Both the button on the page and a mail client's one-click POST
/// (`List-Unsubscribe=One-Click`) land here; the signed link is the
/// authority, so no session or CSRF token is needed.
#[post("/unsubscribe/{token}")]
async fn unsubscribe(mut ctx: Ctx, link: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (user, what) = verified(&ctx, link.into_inner()).await?;
    ctx.lang = Lang::from_code(&user.locale).unwrap_or(ctx.lang);
    let prefs = what.apply(&ReminderPrefs::of(&user));
    let details = json!({ "what": what.as_str() });
    store(&ctx, user.id, prefs, "unsubscribe", details).await?;
    ctx.render(
        "pages/reminders/unsubscribe",
        json!({ "what": what.as_str(), "done": true }),
    )
}

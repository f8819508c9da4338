//! "Write to someone who needs it": one click opens the composer for a
//! person picked at random, leaning towards those who waited longest for a
//! letter, among the people who read a language the volunteer writes and
//! whose prisons let a volunteer's letters through (`letters::policy`),
//! unless the volunteer ticks that they write as a close relative.

use actix_web::{post, HttpResponse};
use serde_json::json;

use super::csrf::CsrfForm;
use super::ctx::Ctx;
use super::letters::LANGUAGES;
use crate::dashboard::pick::{pick, Candidate};
use crate::db::{self, letters, prisoners, users};
use crate::error::AppError;

/// The languages a user writes in, as the form and the profile hold them:
/// known codes only, in the usual order.
pub fn writes_languages(codes: &str) -> Vec<String> {
    LANGUAGES
        .iter()
        .filter(|l| codes.split([' ', ',']).any(|c| c.trim() == **l))
        .map(|l| (*l).to_owned())
        .collect()
}

/// The language choices the pick form shows, ticked as the profile says.
pub fn language_choices(codes: &str) -> serde_json::Value {
    let mine = writes_languages(codes);
    LANGUAGES
        .iter()
        .map(|l| json!({ "code": l, "checked": mine.iter().any(|m| m == l) }))
        .collect()
}

#[post("/pick")]
pub async fn write_to_someone(
    ctx: Ctx,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let user = ctx.user()?.clone();
    // Off unless ticked: letters from non-relatives to Belarus are destroyed.
    let with_relatives_only = form
        .0
        .iter()
        .any(|(k, v)| k == "relatives_only" && v == "on");
    let ticked: String = form
        .0
        .iter()
        .filter(|(k, _)| k == "language")
        .map(|(_, v)| v.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    // Nothing ticked keeps the languages already saved.
    let mut languages = writes_languages(&ticked);
    if languages.is_empty() {
        languages = writes_languages(&user.writes_languages);
    }
    if languages.is_empty() {
        languages = vec!["ru".to_owned()];
    }
    let saved = languages.join(" ");
    let now = db::now();
    let remember = saved != user.writes_languages;
    let chosen = languages.clone();
    let picked = ctx
        .run(move |conn| {
            if remember {
                users::set_writes_languages(conn, user.id, &saved, now)?;
            }
            let on_the_way = letters::on_the_way_by_prisoner(conn)?;
            let candidates: Vec<Candidate> =
                prisoners::pick_candidates(conn, &chosen, with_relatives_only)?
                    .into_iter()
                    .map(|(id, last_letter_sent_at)| Candidate {
                        id,
                        last_letter_sent_at,
                        letters_on_the_way: on_the_way.get(&id).copied().unwrap_or(0),
                    })
                    .collect();
            Ok(pick(&candidates, now, &mut rand::thread_rng()))
        })
        .await?;
    match picked {
        Some(id) => Ok(ctx.redirect(&format!("/letters/new?prisoner={id}"))),
        None => ctx.render(
            "pages/pick_none",
            json!({
                "languages": language_choices(&languages.join(" ")),
                "relatives_only": with_relatives_only,
            }),
        ),
    }
}

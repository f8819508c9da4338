//! Public counts: an optional page, open without signing in, with how many
//! people are held now by status, measure and recognition, dated, the way
//! human-rights groups publish their counts. Names appear only when a
//! coordinator chooses to publish the list.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::csrf::CsrfForm;
use super::ctx::{Ctx, Flash};
use super::prisoners::checkbox;
use crate::db::site_settings::{self, Publication};
use crate::db::{self, audit, prisoners};
use crate::error::AppError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(public_counts)
        .service(publication_settings)
        .service(save_publication);
}

#[get("/counts")]
async fn public_counts(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let (publication, counts, list) = ctx
        .run(|conn| {
            let publication = site_settings::publication(conn)?;
            if !publication.counts {
                return Ok((publication, None, Vec::new()));
            }
            let list = if publication.names {
                prisoners::published_list(conn)?
            } else {
                Vec::new()
            };
            Ok((publication, Some(prisoners::public_counts(conn)?), list))
        })
        .await?;
    // A page that is off does not exist, for visitors and members alike.
    let Some(counts) = counts else {
        return Err(AppError::NotFound);
    };
    let status_rows: Vec<_> = counts
        .by_status
        .iter()
        .map(|(s, n)| json!({ "key": format!("prisoners.status_{s}"), "n": n }))
        .collect();
    let measure_rows: Vec<_> = counts
        .by_measure
        .iter()
        .map(|(m, n)| {
            let key = m.map_or("prisoners.measure_none".to_owned(), |m| {
                format!("prisoners.measure_{m}")
            });
            json!({ "key": key, "n": n })
        })
        .collect();
    let recognition_rows: Vec<_> = counts
        .by_recognition
        .iter()
        .map(|(kind, organisation, n)| {
            json!({ "key": format!("prisoners.recognition_{kind}"), "organisation": organisation, "n": n })
        })
        .collect();
    let names: Vec<_> = list
        .iter()
        .map(|p| json!({ "name": p.full_name(), "status_key": format!("prisoners.status_{}", p.status), "word_gender": p.grammatical_gender() }))
        .collect();
    ctx.render(
        "pages/counts/public",
        json!({
            "date": db::now().date().to_string(),
            "current": counts.current,
            "released": counts.released,
            "by_status": status_rows,
            "by_measure": measure_rows,
            "by_recognition": recognition_rows,
            "names_published": publication.names,
            "names": names,
        }),
    )
}

#[get("/dashboard/public")]
async fn publication_settings(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let publication = ctx
        .run(|conn| Ok(site_settings::publication(conn)?))
        .await?;
    ctx.render(
        "pages/counts/settings",
        json!({ "counts": publication.counts, "names": publication.names }),
    )
}

#[derive(Deserialize)]
struct PublicationForm {
    #[serde(default, deserialize_with = "checkbox")]
    counts: bool,
    #[serde(default, deserialize_with = "checkbox")]
    names: bool,
}

#[post("/dashboard/public")]
async fn save_publication(
    ctx: Ctx,
    form: CsrfForm<PublicationForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.coordinator()?.id;
    let publication = Publication {
        counts: form.0.counts,
        names: form.0.counts && form.0.names,
    };
    ctx.run(move |conn| {
        db::write_tx(conn, |conn| {
            let now = db::now();
            site_settings::set_publication(conn, publication, me, now)?;
            audit::record(
                conn,
                Some(me),
                "set_publication",
                "site_settings",
                None,
                &json!({ "counts": publication.counts, "names": publication.names }),
                now,
            )
        })?;
        Ok(())
    })
    .await?;
    Ok(ctx.redirect_flash(
        "/dashboard/public",
        Flash::new("flash.i18n_publication_saved"),
    ))
}

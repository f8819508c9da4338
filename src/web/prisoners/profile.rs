//! One person's page: the record, the current address in every style, the
//! placement history and the letters the viewer may see; for coordinators,
//! the transfer form and the address confirmation.

use actix_web::{get, web, HttpResponse};
use serde_json::{json, Value};

use super::transfer::TransferInput;
use super::{address_styles, facility_options, options, summary};
use crate::db::placements::{self, PlacementState};
use crate::db::prisoners::{self, PrisonerStatus, TagKind};
use crate::db::{facilities, letters};
use crate::error::{AppError, FieldErrors};
use crate::web::ctx::Ctx;

/// Everything the prisoner page shows, for `viewer`.
pub(super) async fn page_data(
    ctx: &Ctx,
    id: i64,
    transfer: &TransferInput,
    transfer_errors: &FieldErrors,
) -> Result<Value, AppError> {
    let viewer = ctx.user()?.clone();
    let coordinator = viewer.role.is_coordinator();
    let viewer_id = viewer.id;
    let loaded = ctx
        .run(move |conn| {
            let Some(prisoner) = prisoners::find(conn, id)? else {
                return Err(AppError::NotFound);
            };
            let current = placements::current(conn, id)?;
            let facility = match current.as_ref().and_then(|c| c.facility_id) {
                Some(fid) => facilities::find(conn, fid)?,
                None => None,
            };
            let history = placements::history_with_facility(conn, id)?;
            let recognitions = prisoners::recognitions(conn, id)?;
            let sources = prisoners::sources(conn, id)?;
            let charges = prisoners::charges(conn, id)?;
            let languages = prisoners::tags(conn, id, TagKind::Language)?;
            let interests = prisoners::tags(conn, id, TagKind::Interest)?;
            let letters = letters::visible_for_prisoner(
                conn,
                id,
                if coordinator { None } else { Some(viewer.id) },
            )?;
            let facility_list = if coordinator {
                facilities::list(conn)?
            } else {
                Vec::new()
            };
            Ok((
                prisoner,
                current,
                facility,
                history,
                (recognitions, sources),
                charges,
                languages,
                interests,
                letters,
                facility_list,
            ))
        })
        .await?;
    let (
        prisoner,
        current,
        facility,
        history,
        (recognitions, sources),
        charges,
        languages,
        interests,
        letter_list,
        facility_list,
    ) = loaded;

    let held = current
        .as_ref()
        .is_some_and(|c| c.state == PlacementState::Held && facility.is_some());
    let addresses = if held {
        address_styles(&crate::address::record(&prisoner, facility.as_ref()))
    } else {
        Vec::new()
    };
    // The heading spells the name as the address under it does.
    let mut person = summary(&prisoner, facility.as_ref().map(|f| f.country.as_str()));
    person["surname"] = json!(prisoner.surname);
    person["gender"] = json!(prisoner.gender);
    person["measure"] = json!(prisoner.measure);
    person["rehabilitated"] = json!(prisoner.rehabilitated);
    person["release_expected_on"] = json!(prisoner.release_expected_on.map(|d| d.to_string()));
    person["bio"] = json!(prisoner.bio);
    // The reason may name relatives or health: coordinators only.
    person["do_not_write_reason"] = if coordinator {
        json!(prisoner.do_not_write_reason)
    } else {
        Value::Null
    };
    let current_json = current.as_ref().map(|c| {
        json!({
            "id": c.id,
            "in_transit": c.state == PlacementState::InTransit,
            "facility": facility.as_ref().map(|f| json!({ "id": f.id, "name": f.name })),
            "started_on": c.started_on.map(|d| d.to_string()),
            "confirmed_at": c.address_confirmed_at.map(|t| t.format("%Y-%m-%d").to_string()),
            "source": c.source,
        })
    });
    Ok(json!({
        "prisoner": person,
        "may_write": prisoner.may_be_written_to(),
        "sources": sources.iter().map(|(url, title)| json!({ "url": url, "title": title })).collect::<Vec<_>>(),
        "recognitions": recognitions.iter().map(|r| json!({
            "kind": r.kind,
            "organisation": r.organisation,
            "since": r.since.map(|d| d.to_string()),
            "source_url": r.source_url.as_deref().filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        })).collect::<Vec<_>>(),
        "charges": charges,
        "languages": languages,
        "interests": interests,
        "current": current_json,
        "addresses": addresses,
        "history": history.iter().map(|(p, name)| json!({
            "facility_id": p.facility_id,
            "facility_name": name,
            "in_transit": p.state == PlacementState::InTransit,
            "started_on": p.started_on.map(|d| d.to_string()),
            "ended_on": p.ended_on.map(|d| d.to_string()),
            "source": p.source,
            "confirmed_at": p.address_confirmed_at.map(|t| t.format("%Y-%m-%d").to_string()),
        })).collect::<Vec<_>>(),
        "letters": letter_list.iter().map(|l| json!({
            "id": l.id,
            "status": l.status,
            "whose": crate::web::letters::whose(l.writer_id, viewer_id),
            "created_on": l.created_at.format("%Y-%m-%d").to_string(),
        })).collect::<Vec<_>>(),
        "coordinator": coordinator,
        "facilities": facility_options(&facility_list),
        "statuses": options(PrisonerStatus::ALL, "prisoners.status_"),
        "transfer": transfer,
        "errors": transfer_errors,
    }))
}

#[get("/prisoners/{id}")]
pub(super) async fn show(ctx: Ctx, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let transfer = TransferInput::starting_today();
    let data = page_data(&ctx, id.into_inner(), &transfer, &FieldErrors::default()).await?;
    ctx.render("pages/prisoners/show", data)
}

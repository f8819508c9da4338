//! Transfers and address confirmation, from the prisoner page. The handlers
//! parse and render; `crate::prisoners` records the move.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;

use super::profile::page_data;
use super::{checkbox, optional, too_long, TEXT_MAX};
use crate::db;
use crate::db::placements;
use crate::db::prisoners::PrisonerStatus;
use crate::error::{AppError, FieldErrors};
use crate::prisoners::{Confirmed, Destination, Transfer};
use crate::web::csrf::CsrfForm;
use crate::web::ctx::{Ctx, Flash};

/// What the transfer form holds; kept on a 422 so nothing is typed twice.
#[derive(Deserialize, Default, Clone, serde::Serialize)]
#[serde(default)]
pub(super) struct TransferInput {
    /// "transit" or a facility id.
    destination: String,
    started_on: String,
    source: String,
    #[serde(deserialize_with = "checkbox")]
    address_confirmed: bool,
    /// The status on arrival; empty keeps the current one.
    status: String,
    notes: String,
}

impl TransferInput {
    /// The empty form, dated today.
    pub(super) fn starting_today() -> TransferInput {
        TransferInput {
            started_on: db::now().date().to_string(),
            ..TransferInput::default()
        }
    }
}

#[post("/prisoners/{id}/transfer")]
pub(super) async fn transfer_post(
    ctx: Ctx,
    id: web::Path<i64>,
    form: CsrfForm<TransferInput>,
) -> Result<HttpResponse, AppError> {
    let actor = ctx.coordinator()?.id;
    let id = id.into_inner();
    let input = form.0;
    let mut errors = FieldErrors::default();
    let destination = match input.destination.trim() {
        "transit" => Some(Destination::Transit),
        other => match other.parse::<i64>() {
            Ok(fid) => Some(Destination::Facility(fid)),
            Err(_) => {
                errors.add("destination", "prisoners.error_destination");
                None
            }
        },
    };
    let started_on = match NaiveDate::parse_from_str(input.started_on.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add("started_on", "prisoners.error_date");
            None
        }
    };
    let arrival_status = match input.status.trim() {
        "" => None,
        s => match s.parse::<PrisonerStatus>() {
            Ok(PrisonerStatus::InTransit) | Err(_) => {
                errors.add("status", "prisoners.error_choice");
                None
            }
            Ok(s) => Some(s),
        },
    };
    if too_long(&input.source, 500) {
        errors.add("source", "prisoners.error_too_long");
    }
    if too_long(&input.notes, TEXT_MAX) {
        errors.add("notes", "prisoners.error_too_long");
    }
    let checked = match (destination, started_on) {
        (Some(destination), Some(started_on)) if errors.is_empty() => Some(Transfer {
            prisoner_id: id,
            actor,
            destination,
            started_on,
            arrival_status,
            source: optional(&input.source),
            notes: input.notes.trim().to_owned(),
            address_confirmed: input.address_confirmed,
        }),
        _ => None,
    };
    let outcome = match checked {
        None => Err(errors),
        Some(transfer) => {
            ctx.run(move |conn| {
                db::write_tx(conn, |conn| {
                    crate::prisoners::transfer(conn, &transfer, db::now())
                })
            })
            .await?
        }
    };
    match outcome {
        Ok(()) => {
            let key = match destination {
                Some(Destination::Transit) => "flash.prisoners_in_transit",
                _ => "flash.prisoners_transferred",
            };
            Ok(ctx.redirect_flash(&format!("/prisoners/{id}"), Flash::new(key)))
        }
        Err(errors) => {
            let data = page_data(&ctx, id, &input, &errors).await?;
            ctx.render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "pages/prisoners/show",
                data,
            )
        }
    }
}

/// The confirm button's form: for someone in transit, the facility they
/// arrived at.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ConfirmInput {
    facility: String,
}

#[post("/placements/{id}/confirm")]
pub(super) async fn confirm_placement(
    ctx: Ctx,
    id: web::Path<i64>,
    form: CsrfForm<ConfirmInput>,
) -> Result<HttpResponse, AppError> {
    let actor = ctx.coordinator()?.id;
    let id = id.into_inner();
    // Anything but a facility id counts as no choice: the use case says
    // whether one was needed.
    let arrived_at = form.0.facility.trim().parse::<i64>().ok();
    let outcome = ctx
        .run(move |conn| {
            db::write_tx(conn, |conn| {
                crate::prisoners::confirm_address(conn, actor, id, arrived_at, db::now())
            })
        })
        .await?;
    match outcome {
        Ok(confirmed) => {
            let key = match confirmed {
                Confirmed::Address { .. } => "flash.prisoners_address_confirmed",
                Confirmed::Arrived { .. } => "flash.prisoners_arrived",
            };
            Ok(ctx.redirect_flash(
                &format!("/prisoners/{}", confirmed.prisoner_id()),
                Flash::new(key),
            ))
        }
        Err(errors) => {
            let prisoner_id = ctx
                .run(move |conn| {
                    Ok(placements::find(conn, id)?
                        .ok_or(AppError::NotFound)?
                        .prisoner_id)
                })
                .await?;
            let data =
                page_data(&ctx, prisoner_id, &TransferInput::starting_today(), &errors).await?;
            ctx.render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "pages/prisoners/show",
                data,
            )
        }
    }
}

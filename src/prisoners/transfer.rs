//! A transfer: the open placement closes and the next one opens (at a
//! facility, or in transit), the status follows, and letters waiting to go
//! out stop until the new address is confirmed.

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::json;

use super::{status_after_move, Checked};
use crate::db::placements::{self, NewPlacement};
use crate::db::prisoners::{self, PrisonerStatus};
use crate::db::{audit, facilities, DbConn};
use crate::error::{AppError, FieldErrors};

/// Where the transfer goes: a facility, or into transit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    Facility(i64),
    Transit,
}

/// One transfer, as the coordinator recorded it.
#[derive(Debug, Clone)]
pub struct Transfer {
    pub prisoner_id: i64,
    pub actor: i64,
    pub destination: Destination,
    /// The day the new placement begins and the old one ends.
    pub started_on: NaiveDate,
    /// The status on arrival; `None` keeps the current one.
    pub arrival_status: Option<PrisonerStatus>,
    /// Who told us.
    pub source: Option<String>,
    pub notes: String,
    /// The new address is known to reach the person.
    pub address_confirmed: bool,
}

/// Records `t` in the caller's transaction.
pub fn transfer(conn: &mut DbConn, t: &Transfer, now: NaiveDateTime) -> Checked<()> {
    let id = t.prisoner_id;
    let prisoner = prisoners::find(conn, id)?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let facility_id = match t.destination {
        Destination::Transit => None,
        Destination::Facility(fid) => {
            if facilities::find(conn, fid)?.is_none() {
                errors.add("destination", "prisoners.error_destination");
            }
            Some(fid)
        }
    };
    let previous = placements::current(conn, id)?;
    if let Some(start) = previous.as_ref().and_then(|p| p.started_on) {
        // The old placement ends the day the new one starts.
        if t.started_on < start {
            errors.add("started_on", "prisoners.error_transfer_date");
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    if let Some(open) = &previous {
        if placements::end_if_open(conn, open.id, t.started_on, now)? == 0 {
            return Err(AppError::Conflict("prisoners.error_moved_meanwhile".into()));
        }
    }
    let confirmed = t.address_confirmed && facility_id.is_some();
    let placement = placements::transfer(
        conn,
        &NewPlacement {
            prisoner_id: id,
            facility_id,
            started_on: Some(t.started_on),
            address_confirmed_at: confirmed.then_some(now),
            source: t.source.clone(),
            notes: t.notes.clone(),
            created_by: Some(t.actor),
        },
        now.date(),
        now,
    )?;
    let status = status_after_move(prisoner.status, facility_id.is_some(), t.arrival_status);
    if let Some(status) = status.filter(|s| *s != prisoner.status) {
        prisoners::set_status(conn, id, status, now)?;
    }
    // Queued letters stop until the new address is confirmed; a confirmed
    // arrival releases them (and those held before) to the new address.
    crate::review::hold_for_transfer(conn, id, now)?;
    if confirmed {
        crate::review::release_held(conn, id, Some(t.actor), now)?;
    }
    audit::record(
        conn,
        Some(t.actor),
        "prisoner.transfer",
        "prisoner",
        Some(id),
        &json!({
            "closed_placement": previous.map(|p| p.id),
            "placement": placement.id,
            "facility": facility_id,
            "in_transit": facility_id.is_none(),
            "address_confirmed": confirmed,
            "status": status,
        }),
        now,
    )?;
    Ok(Ok(()))
}

//! The prisoner record's use cases, below the web layer: adding someone
//! together with where they are held, saving an edited record, transfers
//! (between facilities, into transit and out of it) and confirming an
//! address. Each runs inside the
//! caller's write transaction, checks the stored data before it writes
//! anything, and writes its audit entries. A form problem found against the
//! stored data (a facility that does not exist) is the inner `Err`, for the
//! form to show next to its field.

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::json;

use crate::db::placements::{self, NewPlacement, PlacementState};
use crate::db::prisoners::{self, PrisonerForm, PrisonerStatus, RecognitionKind, TagKind};
use crate::db::{audit, facilities, DbConn};
use crate::error::{AppError, FieldErrors};

mod transfer;

pub use transfer::{transfer, Destination, Transfer};

/// The outcome of a use case: the inner `Err` holds form problems found
/// against the stored data, before anything was written.
pub type Checked<T> = Result<Result<T, FieldErrors>, AppError>;

/// A parsed prisoner form: the row and the lists stored beside it.
pub struct PrisonerEdit {
    pub form: PrisonerForm,
    pub languages: Vec<String>,
    pub interests: Vec<String>,
    pub charges: Vec<String>,
    pub recognitions: Vec<(RecognitionKind, String, Option<NaiveDate>)>,
    pub sources: Vec<(String, Option<String>)>,
}

/// Where a person being added is held.
#[derive(Debug, Clone)]
pub struct HeldAt {
    pub facility_id: i64,
    /// Since when, if known.
    pub since: Option<NaiveDate>,
    pub address_confirmed: bool,
}

/// Adds a person, and their placement when `held_at` says where they are,
/// in one transaction (the caller's). The placement is audited as a
/// placement of its own, as a transfer's would be.
pub fn add(
    conn: &mut DbConn,
    actor: i64,
    edit: &PrisonerEdit,
    held_at: Option<&HeldAt>,
    now: NaiveDateTime,
) -> Checked<i64> {
    if let Some(held) = held_at {
        if facilities::find(conn, held.facility_id)?.is_none() {
            let mut errors = FieldErrors::default();
            errors.add("facility", "prisoners.error_facility");
            return Ok(Err(errors));
        }
    }
    let prisoner = prisoners::insert(conn, &edit.form, now)?;
    let id = prisoner.id;
    prisoners::set_tags(conn, id, TagKind::Language, &edit.languages)?;
    prisoners::set_tags(conn, id, TagKind::Interest, &edit.interests)?;
    prisoners::set_charges(conn, id, &edit.charges)?;
    prisoners::set_recognitions(conn, id, &edit.recognitions)?;
    prisoners::set_sources(conn, id, &edit.sources)?;
    let mut fields = edit.form.changed_fields(&PrisonerForm::new("", "", None));
    for (name, list) in [
        ("languages", &edit.languages),
        ("interests", &edit.interests),
        ("charges", &edit.charges),
    ] {
        if !list.is_empty() {
            fields.push(name);
        }
    }
    audit::record(
        conn,
        Some(actor),
        "prisoner.create",
        "prisoner",
        Some(id),
        &json!({ "fields": fields }),
        now,
    )?;
    if let Some(held) = held_at {
        let placement = placements::transfer(
            conn,
            &NewPlacement {
                prisoner_id: id,
                facility_id: Some(held.facility_id),
                started_on: held.since,
                address_confirmed_at: held.address_confirmed.then_some(now),
                source: None,
                notes: String::new(),
                created_by: Some(actor),
            },
            now.date(),
            now,
        )?;
        audit::record(
            conn,
            Some(actor),
            "placement.create",
            "placement",
            Some(placement.id),
            &json!({
                "prisoner": id,
                "facility": held.facility_id,
                "address_confirmed": held.address_confirmed,
            }),
            now,
        )?;
    }
    Ok(Ok(id))
}

/// Saves an edited record (the row and the lists beside it) and audits
/// which fields changed, never their values: a bio or a reason may be
/// personal.
pub fn update(
    conn: &mut DbConn,
    actor: i64,
    id: i64,
    edit: &PrisonerEdit,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let old = prisoners::find(conn, id)?.ok_or(AppError::NotFound)?;
    let mut fields = edit.form.changed_fields(&PrisonerForm::from_prisoner(&old));
    for (name, kind, list) in [
        ("languages", TagKind::Language, &edit.languages),
        ("interests", TagKind::Interest, &edit.interests),
    ] {
        if sorted_unique(&prisoners::tags(conn, id, kind)?) != sorted_unique(list) {
            fields.push(name);
        }
        prisoners::set_tags(conn, id, kind, list)?;
    }
    if prisoners::charges(conn, id)? != edit.charges {
        fields.push("charges");
    }
    prisoners::set_charges(conn, id, &edit.charges)?;
    let old_recognitions: Vec<_> = prisoners::recognitions(conn, id)?
        .into_iter()
        .map(|r| (r.kind, r.organisation, r.since))
        .collect();
    if old_recognitions != edit.recognitions {
        fields.push("recognitions");
    }
    prisoners::set_recognitions(conn, id, &edit.recognitions)?;
    if prisoners::sources(conn, id)? != edit.sources {
        fields.push("sources");
    }
    prisoners::set_sources(conn, id, &edit.sources)?;
    prisoners::update(conn, id, &edit.form, now)?;
    audit::record(
        conn,
        Some(actor),
        "prisoner.update",
        "prisoner",
        Some(id),
        &json!({ "fields": fields }),
        now,
    )?;
    Ok(())
}

/// Tags compare as sets: the database's collation may order them differently.
fn sorted_unique(list: &[String]) -> Vec<String> {
    let mut list = list.to_vec();
    list.sort();
    list.dedup();
    list
}

/// What confirming an address did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmed {
    /// The address of a placement at a facility is confirmed.
    Address { prisoner_id: i64 },
    /// The person was in transit: they arrived at the facility given, with
    /// its address confirmed (a transfer).
    Arrived { prisoner_id: i64 },
}

impl Confirmed {
    pub fn prisoner_id(self) -> i64 {
        match self {
            Confirmed::Address { prisoner_id } | Confirmed::Arrived { prisoner_id } => prisoner_id,
        }
    }
}

/// Confirms the address of a placement. "In transit" has no address to
/// confirm: confirming it means the person has arrived somewhere, so it
/// takes the facility they arrived at (`arrived_at`) and records that
/// transfer, address confirmed; without one it is a form problem, never a
/// click that does nothing.
pub fn confirm_address(
    conn: &mut DbConn,
    actor: i64,
    placement_id: i64,
    arrived_at: Option<i64>,
    now: NaiveDateTime,
) -> Checked<Confirmed> {
    let placement = placements::find(conn, placement_id)?.ok_or(AppError::NotFound)?;
    let prisoner_id = placement.prisoner_id;
    if placement.state == PlacementState::InTransit {
        if placement.ended_on.is_some() {
            // A past stretch in transit: nobody is waiting there any more.
            return Err(AppError::Conflict("prisoners.error_transit_past".into()));
        }
        let Some(facility_id) = arrived_at else {
            let mut errors = FieldErrors::default();
            errors.add("arrival", "prisoners.error_arrival");
            return Ok(Err(errors));
        };
        let today = now.date();
        let started_on = placement.started_on.map_or(today, |s| s.max(today));
        return Ok(transfer(
            conn,
            &Transfer {
                prisoner_id,
                actor,
                destination: Destination::Facility(facility_id),
                started_on,
                arrival_status: None,
                source: None,
                notes: String::new(),
                address_confirmed: true,
            },
            now,
        )?
        .map_err(|errors| {
            // The transfer names its own field; on this form it is the arrival.
            let mut mapped = FieldErrors::default();
            if !errors.is_empty() {
                mapped.add("arrival", "prisoners.error_arrival");
            }
            mapped
        })
        .map(|()| Confirmed::Arrived { prisoner_id }));
    }
    placements::confirm_address(conn, placement_id, now)?;
    if placement.ended_on.is_none() {
        // The current address is confirmed: held letters go out to it.
        crate::review::release_held(conn, prisoner_id, Some(actor), now)?;
    }
    audit::record(
        conn,
        Some(actor),
        "placement.confirm",
        "placement",
        Some(placement_id),
        &json!({ "prisoner": prisoner_id }),
        now,
    )?;
    Ok(Ok(Confirmed::Address { prisoner_id }))
}

/// The status a prisoner has after a move: in transit while moving; on
/// arrival, the status given, or "convicted" for someone who was in transit
/// (people are moved between colonies after sentencing).
pub(crate) fn status_after_move(
    current: PrisonerStatus,
    to_facility: bool,
    given: Option<PrisonerStatus>,
) -> Option<PrisonerStatus> {
    match (to_facility, current) {
        (false, _) => Some(PrisonerStatus::InTransit),
        (true, PrisonerStatus::InTransit) => Some(given.unwrap_or(PrisonerStatus::Convicted)),
        (true, _) => given,
    }
}

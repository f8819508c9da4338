//! Where a prisoner is held, over time. The open placement (no end date) is the
//! current address; "in transit" is a placement of its own, with no facility.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::placements;
use super::text_enum::text_enum;
use super::DbConn;

text_enum! {
    pub enum PlacementState {
        Held = "held",
        InTransit = "in_transit",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = placements)]
pub struct Placement {
    pub id: i64,
    pub prisoner_id: i64,
    pub facility_id: Option<i64>,
    pub state: PlacementState,
    pub started_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    /// When someone last confirmed that mail reaches the prisoner here.
    pub address_confirmed_at: Option<NaiveDateTime>,
    /// Where the information came from (a relative, a lawyer, a support group's post).
    pub source: Option<String>,
    pub notes: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Placement {
    /// Someone between facilities, or at a place nobody has named yet, has no
    /// address: letters to them wait as held (docs/domain.md, "Who may be
    /// written to"). The one definition of "in transit".
    pub fn in_transit(&self) -> bool {
        self.state == PlacementState::InTransit || self.facility_id.is_none()
    }
}

/// A new placement: at a facility, or in transit when `facility_id` is `None`.
#[derive(Debug, Clone)]
pub struct NewPlacement {
    pub prisoner_id: i64,
    pub facility_id: Option<i64>,
    pub started_on: Option<NaiveDate>,
    pub address_confirmed_at: Option<NaiveDateTime>,
    pub source: Option<String>,
    pub notes: String,
    pub created_by: Option<i64>,
}

pub fn current(conn: &mut DbConn, prisoner_id: i64) -> QueryResult<Option<Placement>> {
    placements::table
        .filter(placements::prisoner_id.eq(prisoner_id))
        .filter(placements::ended_on.is_null())
        .select(Placement::as_select())
        .first(conn)
        .optional()
}

/// Newest first.
pub fn history(conn: &mut DbConn, prisoner_id: i64) -> QueryResult<Vec<Placement>> {
    placements::table
        .filter(placements::prisoner_id.eq(prisoner_id))
        .order((
            placements::ended_on.is_null().desc(),
            placements::started_on.desc(),
            placements::id.desc(),
        ))
        .select(Placement::as_select())
        .load(conn)
}

/// Moves the prisoner: closes the open placement on `new.started_on` (or
/// `today`) and opens the new one. Run it inside a transaction; the unique
/// index on open placements guarantees there is never more than one.
pub fn transfer(
    conn: &mut DbConn,
    new: &NewPlacement,
    today: NaiveDate,
    now: NaiveDateTime,
) -> QueryResult<Placement> {
    let ended_on = new.started_on.unwrap_or(today);
    diesel::update(
        placements::table
            .filter(placements::prisoner_id.eq(new.prisoner_id))
            .filter(placements::ended_on.is_null()),
    )
    .set((
        placements::ended_on.eq(ended_on),
        placements::updated_at.eq(now),
    ))
    .execute(conn)?;
    let state = if new.facility_id.is_some() {
        PlacementState::Held
    } else {
        PlacementState::InTransit
    };
    diesel::insert_into(placements::table)
        .values((
            placements::prisoner_id.eq(new.prisoner_id),
            placements::facility_id.eq(new.facility_id),
            placements::state.eq(state),
            placements::started_on.eq(new.started_on),
            placements::address_confirmed_at.eq(new.address_confirmed_at),
            placements::source.eq(&new.source),
            placements::notes.eq(&new.notes),
            placements::created_by.eq(new.created_by),
            placements::created_at.eq(now),
            placements::updated_at.eq(now),
        ))
        .returning(super::columns_of::<Placement>())
        .get_result::<Placement>(conn)
}

/// Ends placement `id` on `ended_on` if it is still open: a guarded update,
/// so that of two coordinators moving the same person at once, the second
/// finds 0 rows (someone moved them first) instead of opening a second
/// placement.
pub fn end_if_open(
    conn: &mut DbConn,
    id: i64,
    ended_on: NaiveDate,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        placements::table
            .filter(placements::id.eq(id))
            .filter(placements::ended_on.is_null()),
    )
    .set((
        placements::ended_on.eq(ended_on),
        placements::updated_at.eq(now),
    ))
    .execute(conn)
}

pub fn confirm_address(
    conn: &mut DbConn,
    placement_id: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(placements::table.find(placement_id))
        .set((
            placements::address_confirmed_at.eq(now),
            placements::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Placement>> {
    placements::table
        .find(id)
        .select(Placement::as_select())
        .first(conn)
        .optional()
}

/// The history (newest first, as `history`) with each facility's name, for
/// the prisoner page; `None` for time in transit.
pub fn history_with_facility(
    conn: &mut DbConn,
    prisoner_id: i64,
) -> QueryResult<Vec<(Placement, Option<String>)>> {
    use super::schema::facilities;
    placements::table
        .left_join(facilities::table)
        .filter(placements::prisoner_id.eq(prisoner_id))
        .order((
            placements::ended_on.is_null().desc(),
            placements::started_on.desc(),
            placements::id.desc(),
        ))
        .select((Placement::as_select(), facilities::name.nullable()))
        .load(conn)
}

/// Open placements at a facility whose address nobody has confirmed since
/// `before` (or ever): the addresses worth checking.
pub fn unconfirmed_since(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<i64> {
    placements::table
        .filter(placements::ended_on.is_null())
        .filter(placements::facility_id.is_not_null())
        .filter(
            placements::address_confirmed_at
                .is_null()
                .or(placements::address_confirmed_at.lt(before)),
        )
        .count()
        .get_result(conn)
}

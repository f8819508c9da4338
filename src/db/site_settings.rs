//! Organisation-wide choices made in the web interface, as key and value.
//! Typed accessors below keep the keys in one place.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::site_settings;
use super::DbConn;

fn get(conn: &mut DbConn, key: &str) -> QueryResult<Option<String>> {
    site_settings::table
        .find(key)
        .select(site_settings::value)
        .first(conn)
        .optional()
}

/// Stores a value; call inside `write_tx` so that two coordinators saving at
/// once cannot both insert.
fn set(
    conn: &mut DbConn,
    key: &str,
    value: &str,
    by: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let changes = (
        site_settings::value.eq(value),
        site_settings::updated_by.eq(by),
        site_settings::updated_at.eq(now),
    );
    let updated = diesel::update(site_settings::table.find(key))
        .set(changes)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(site_settings::table)
            .values((site_settings::key.eq(key), changes))
            .execute(conn)?;
    }
    Ok(())
}

/// What the organisation publishes without sign-in (the public counts page).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Publication {
    /// The counts page is on.
    pub counts: bool,
    /// The page also lists names.
    pub names: bool,
}

const PUBLISH_COUNTS: &str = "publish_counts";
const PUBLISH_NAMES: &str = "publish_names";

/// Off unless a coordinator turned it on.
pub fn publication(conn: &mut DbConn) -> QueryResult<Publication> {
    Ok(Publication {
        counts: get(conn, PUBLISH_COUNTS)?.as_deref() == Some("true"),
        names: get(conn, PUBLISH_NAMES)?.as_deref() == Some("true"),
    })
}

pub fn set_publication(
    conn: &mut DbConn,
    publication: Publication,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    // Names are only ever published on a published page.
    let names = publication.counts && publication.names;
    set(
        conn,
        PUBLISH_COUNTS,
        &publication.counts.to_string(),
        Some(by),
        now,
    )?;
    set(conn, PUBLISH_NAMES, &names.to_string(), Some(by), now)
}

const REMINDER_SECRET: &str = "reminder_secret";

/// The key that signs unsubscribe links: made once, at random, and kept in
/// the database so every server and worker of the organisation shares it.
pub fn reminder_secret(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<u8>> {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use rand::RngCore;
    let decode = |v: &str| STANDARD.decode(v).ok().filter(|k| k.len() >= 32);
    if let Some(key) = get(conn, REMINDER_SECRET)?.as_deref().and_then(decode) {
        return Ok(key);
    }
    let mut key = vec![0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    super::write_tx(conn, |conn| {
        // Another process may have made it meanwhile; theirs wins.
        if let Some(existing) = get(conn, REMINDER_SECRET)?.as_deref().and_then(decode) {
            return Ok(existing);
        }
        set(conn, REMINDER_SECRET, &STANDARD.encode(&key), None, now)?;
        Ok(key)
    })
}

const RETURN_ADDRESS: &str = "return_address";

/// The organisation's return address printed on envelopes, `None` until a
/// coordinator sets one. A stored value that no longer parses counts as unset
/// rather than stopping every envelope from printing.
pub fn return_address(conn: &mut DbConn) -> QueryResult<Option<crate::locale::ReturnAddress>> {
    Ok(get(conn, RETURN_ADDRESS)?
        .and_then(|json| serde_json::from_str::<crate::locale::ReturnAddress>(&json).ok())
        .filter(|a| !a.is_empty()))
}

/// Stores the return address; an empty one clears it. Call inside `write_tx`.
pub fn set_return_address(
    conn: &mut DbConn,
    address: &crate::locale::ReturnAddress,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let json = if address.is_empty() {
        String::new()
    } else {
        serde_json::to_string(address).unwrap_or_default()
    };
    set(conn, RETURN_ADDRESS, &json, Some(by), now)
}

//! The organisation's return address: the sender block printed on every
//! envelope, set by a coordinator and audited like the other site settings.

use chrono::NaiveDateTime;
use serde_json::json;

use crate::db::{audit, site_settings, write_tx, DbConn};
use crate::locale::{ReturnAddress, ReturnAddressProblem};

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// What cannot be printed, by field; nothing was saved.
    #[error("the return address cannot be printed as typed")]
    Invalid(Vec<(&'static str, ReturnAddressProblem)>),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// Saves the return address (empty clears it) with its audit entry, in one
/// transaction.
pub fn save_return_address(
    conn: &mut DbConn,
    address: ReturnAddress,
    by: i64,
    now: NaiveDateTime,
) -> Result<(), SaveError> {
    let address = address.normalized();
    if !address.is_empty() {
        let problems = address.problems();
        if !problems.is_empty() {
            return Err(SaveError::Invalid(problems));
        }
    }
    write_tx(conn, |conn| {
        site_settings::set_return_address(conn, &address, by, now)?;
        // The address itself stays out of the audit entry: a small group's
        // return address may be a member's home.
        audit::record(
            conn,
            Some(by),
            "set_return_address",
            "site_settings",
            None,
            &json!({ "cleared": address.is_empty(), "country": address.country }),
            now,
        )
    })?;
    Ok(())
}

//! The audit log: who did what to which record, and when. Details hold field
//! names and ids, never letter bodies.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::audit_log;
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: i64,
    /// `None` for Konvert itself (the worker, the CLI).
    pub actor_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    /// JSON.
    pub details: String,
    pub created_at: NaiveDateTime,
}

pub fn record(
    conn: &mut DbConn,
    actor_id: Option<i64>,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    details: &serde_json::Value,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::actor_id.eq(actor_id),
            audit_log::action.eq(action),
            audit_log::entity.eq(entity),
            audit_log::entity_id.eq(entity_id),
            audit_log::details.eq(details.to_string()),
            audit_log::created_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

pub fn for_entity(conn: &mut DbConn, entity: &str, entity_id: i64) -> QueryResult<Vec<AuditEntry>> {
    audit_log::table
        .filter(audit_log::entity.eq(entity))
        .filter(audit_log::entity_id.eq(entity_id))
        .order(audit_log::id)
        .select(AuditEntry::as_select())
        .load(conn)
}

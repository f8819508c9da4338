//! Sign-up links. The first admin's link and coordinators' invitations are
//! the same thing: a random token, of which only the SHA-256 is stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::invitations;
use super::users::Role;
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = invitations)]
pub struct Invitation {
    pub id: i64,
    pub token_hash: String,
    pub email: Option<String>,
    pub role: Role,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub used_by: Option<i64>,
}

pub fn insert(
    conn: &mut DbConn,
    token_hash: &str,
    email: Option<&str>,
    role: Role,
    created_by: Option<i64>,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<Invitation> {
    diesel::insert_into(invitations::table)
        .values((
            invitations::token_hash.eq(token_hash),
            invitations::email.eq(email),
            invitations::role.eq(role),
            invitations::created_by.eq(created_by),
            invitations::created_at.eq(now),
            invitations::expires_at.eq(expires_at),
        ))
        .returning(super::columns_of::<Invitation>())
        .get_result::<Invitation>(conn)
}

/// The unused, unexpired invitation with this token hash.
pub fn find_open(
    conn: &mut DbConn,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<Invitation>> {
    invitations::table
        .filter(invitations::token_hash.eq(token_hash))
        .filter(invitations::used_at.is_null())
        .filter(invitations::expires_at.gt(now))
        .select(Invitation::as_select())
        .first(conn)
        .optional()
}

/// Marks it used; false when someone else used it first.
pub fn mark_used(
    conn: &mut DbConn,
    id: i64,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        invitations::table
            .find(id)
            .filter(invitations::used_at.is_null()),
    )
    .set((
        invitations::used_at.eq(now),
        invitations::used_by.eq(user_id),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Drops unused invitations made by nobody (earlier first-admin links).
pub fn delete_unused_setup_links(conn: &mut DbConn) -> QueryResult<usize> {
    diesel::delete(
        invitations::table
            .filter(invitations::created_by.is_null())
            .filter(invitations::used_at.is_null()),
    )
    .execute(conn)
}

/// Invitations made for an address, neither used nor ended, newest first.
pub fn pending(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<Invitation>> {
    invitations::table
        .filter(invitations::email.is_not_null())
        .filter(invitations::used_at.is_null())
        .filter(invitations::expires_at.gt(now))
        .order((invitations::created_at.desc(), invitations::id.desc()))
        .select(Invitation::as_select())
        .load(conn)
}

/// The invitation with this token hash, open, used or ended.
pub fn find_by_token(conn: &mut DbConn, token_hash: &str) -> QueryResult<Option<Invitation>> {
    invitations::table
        .filter(invitations::token_hash.eq(token_hash))
        .select(Invitation::as_select())
        .first(conn)
        .optional()
}

/// Ends an open invitation now, if its role is one of `roles`; false when it
/// was used or had ended first (or is not one the caller may end).
pub fn revoke(conn: &mut DbConn, id: i64, roles: &[Role], now: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        invitations::table
            .find(id)
            .filter(invitations::used_at.is_null())
            .filter(invitations::expires_at.gt(now))
            .filter(invitations::role.eq_any(roles.to_vec())),
    )
    .set(invitations::expires_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

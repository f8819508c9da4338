//! Accounts: volunteers, coordinators and admins.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::users;
use super::text_enum::text_enum;
use super::DbConn;

text_enum! {
    pub enum Role {
        Volunteer = "volunteer",
        Coordinator = "coordinator",
        Admin = "admin",
    }
}

impl Role {
    /// Coordinators and admins run the organisation's side.
    pub fn is_coordinator(self) -> bool {
        matches!(self, Role::Coordinator | Role::Admin)
    }
}

text_enum! {
    /// How often digest reminders go out.
    pub enum RemindFrequency {
        Never = "never",
        Daily = "daily",
        Weekly = "weekly",
        Monthly = "monthly",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub pen_name: Option<String>,
    pub role: Role,
    pub password_hash: Option<String>,
    pub locale: String,
    pub time_zone: String,
    /// Space-separated language codes the user writes in.
    pub writes_languages: String,
    pub remind_frequency: RemindFrequency,
    pub remind_digest: bool,
    pub remind_dry_spell_days: Option<i32>,
    pub remind_birthdays: bool,
    pub remind_replies: bool,
    pub remind_transfers: bool,
    pub remind_letter_status: bool,
    pub remind_coordinator_digest: bool,
    pub trusted: bool,
    pub disabled: bool,
    pub last_login_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Interests, comma-separated ("книги, шахматы"), for the digest.
    pub interests: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub pen_name: Option<String>,
    pub role: Role,
    pub password_hash: Option<String>,
    pub locale: String,
    pub time_zone: String,
    pub writes_languages: String,
    pub remind_frequency: RemindFrequency,
    pub remind_digest: bool,
    pub remind_dry_spell_days: Option<i32>,
    pub remind_birthdays: bool,
    pub remind_replies: bool,
    pub remind_transfers: bool,
    pub remind_letter_status: bool,
    pub remind_coordinator_digest: bool,
    pub trusted: bool,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub interests: String,
}

impl NewUser {
    /// A new account with the reminder defaults a supporter would expect:
    /// weekly digests, replies at once, and a nudge after 30 quiet days.
    pub fn new(email: &str, display_name: &str, role: Role, now: NaiveDateTime) -> NewUser {
        NewUser {
            email: normalize_email(email),
            display_name: display_name.trim().to_owned(),
            pen_name: None,
            role,
            password_hash: None,
            locale: "ru".to_owned(),
            // Not chosen yet: reminders use UTC, and the settings page
            // offers the browser's zone.
            time_zone: String::new(),
            writes_languages: "ru".to_owned(),
            remind_frequency: RemindFrequency::Weekly,
            remind_digest: true,
            remind_dry_spell_days: Some(30),
            remind_birthdays: true,
            remind_replies: true,
            remind_transfers: true,
            remind_letter_status: true,
            remind_coordinator_digest: role.is_coordinator(),
            trusted: false,
            disabled: false,
            created_at: now,
            updated_at: now,
            interests: String::new(),
        }
    }
}

/// E-mail addresses are compared without case or surrounding space.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn insert(conn: &mut DbConn, new: &NewUser) -> QueryResult<User> {
    diesel::insert_into(users::table)
        .values(new)
        .returning(super::columns_of::<User>())
        .get_result::<User>(conn)
}

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(normalize_email(email)))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn list(conn: &mut DbConn) -> QueryResult<Vec<User>> {
    users::table
        .order((users::disabled, users::role.desc(), users::display_name))
        .select(User::as_select())
        .load(conn)
}

pub fn set_password_hash(
    conn: &mut DbConn,
    id: i64,
    hash: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((users::password_hash.eq(hash), users::updated_at.eq(now)))
        .execute(conn)
        .map(drop)
}

pub fn set_role(conn: &mut DbConn, id: i64, role: Role, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((users::role.eq(role), users::updated_at.eq(now)))
        .execute(conn)
        .map(drop)
}

pub fn set_disabled(
    conn: &mut DbConn,
    id: i64,
    disabled: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((users::disabled.eq(disabled), users::updated_at.eq(now)))
        .execute(conn)
        .map(drop)
}

pub fn set_locale(conn: &mut DbConn, id: i64, locale: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((users::locale.eq(locale), users::updated_at.eq(now)))
        .execute(conn)
        .map(drop)
}

/// The languages a user writes in, space-separated codes.
pub fn set_writes_languages(
    conn: &mut DbConn,
    id: i64,
    languages: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::writes_languages.eq(languages),
            users::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

pub fn note_login(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::last_login_at.eq(now))
        .execute(conn)
        .map(drop)
}

/// Trusted writers' letters are approved without review.
pub fn set_trusted(
    conn: &mut DbConn,
    id: i64,
    trusted: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((users::trusted.eq(trusted), users::updated_at.eq(now)))
        .execute(conn)
        .map(drop)
}

/// What a user chose on the reminders page.
#[derive(Debug, Clone, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub struct ReminderPrefs {
    pub remind_frequency: RemindFrequency,
    pub remind_digest: bool,
    /// Days without a letter to someone one writes to before a nudge; `None` turns it off.
    pub remind_dry_spell_days: Option<i32>,
    pub remind_birthdays: bool,
    pub remind_replies: bool,
    pub remind_transfers: bool,
    pub remind_letter_status: bool,
    pub remind_coordinator_digest: bool,
    pub time_zone: String,
    pub locale: String,
    pub writes_languages: String,
    pub interests: String,
}

impl ReminderPrefs {
    pub fn of(user: &User) -> ReminderPrefs {
        ReminderPrefs {
            remind_frequency: user.remind_frequency,
            remind_digest: user.remind_digest,
            remind_dry_spell_days: user.remind_dry_spell_days,
            remind_birthdays: user.remind_birthdays,
            remind_replies: user.remind_replies,
            remind_transfers: user.remind_transfers,
            remind_letter_status: user.remind_letter_status,
            remind_coordinator_digest: user.remind_coordinator_digest,
            time_zone: user.time_zone.clone(),
            locale: user.locale.clone(),
            writes_languages: user.writes_languages.clone(),
            interests: user.interests.clone(),
        }
    }
}

pub fn set_reminders(
    conn: &mut DbConn,
    id: i64,
    prefs: &ReminderPrefs,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((prefs, users::updated_at.eq(now)))
        .execute(conn)
        .map(drop)
}

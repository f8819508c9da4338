//! Accounts: creating users, password hashing, and the sign-up links that
//! create them (the first admin's link printed at start-up, and later
//! coordinators' invitations).

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::Engine;
use chrono::{NaiveDateTime, TimeDelta};
use rand::RngCore;
use sha2::{Digest, Sha256};
use validator::ValidateEmail;

use crate::db::users::{self, NewUser, Role, User};
use crate::db::{audit, invitations, DbConn};
use crate::error::FieldErrors;
use crate::i18n::Lang;

/// Shorter passwords are refused; length beats composition rules.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// How long the first-admin link printed at start-up stays valid.
pub const SETUP_LINK_VALID_FOR: TimeDelta = TimeDelta::hours(24);

/// What someone enters to create an account.
#[derive(Debug, Clone, Default)]
pub struct AccountInput {
    pub email: String,
    pub display_name: String,
    pub password: String,
}

impl AccountInput {
    /// Checks every field and reports each problem against its field.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if !self.email.trim().validate_email() {
            errors.add("email", "accounts.error_email");
        }
        if self.display_name.trim().is_empty() {
            errors.add("display_name", "accounts.error_name_missing");
        } else if self.display_name.trim().chars().count() > 100 {
            errors.add("display_name", "accounts.error_name_long");
        }
        if let Err(key) = check_password(&self.password) {
            errors.add("password", key);
        }
        errors.into_result()
    }
}

/// A password's length is all we ask of it. Errors are UI string keys.
pub fn check_password(password: &str) -> Result<(), &'static str> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Err("accounts.error_password_short")
    } else if chars > 1024 {
        Err("accounts.error_password_long")
    } else {
        Ok(())
    }
}

/// Argon2id with the crate's default (OWASP-recommended) parameters. Slow on
/// purpose: call it on a blocking thread, never on the async executor.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Checks a sign-in attempt. Runs Argon2 even for unknown addresses, so the
/// answer takes as long either way and does not reveal who has an account.
/// Call it on a blocking thread.
pub fn check_sign_in(
    conn: &mut DbConn,
    email: &str,
    password: &str,
) -> diesel::QueryResult<Option<User>> {
    let user = users::find_by_email(conn, email)?;
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let ok = match &hash {
        Some(h) => verify_password(password, h),
        None => {
            verify_password(password, dummy_hash());
            false
        }
    };
    Ok(user.filter(|u| ok && !u.disabled))
}

fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a real password").unwrap_or_default())
}

/// A random URL-safe token (256 bits).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database stores of a token: a leaked table holds no usable links.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Creates a user from checked input and an already computed password hash.
pub fn create_user(
    conn: &mut DbConn,
    input: &AccountInput,
    password_hash: String,
    role: Role,
    actor: Option<i64>,
    now: NaiveDateTime,
) -> Result<User, CreateError> {
    let mut new = NewUser::new(&input.email, &input.display_name, role, now);
    new.password_hash = Some(password_hash);
    if users::find_by_email(conn, &new.email)?.is_some() {
        return Err(CreateError::EmailTaken);
    }
    let user = users::insert(conn, &new).map_err(|e| {
        if crate::db::is_unique_violation(&e) {
            CreateError::EmailTaken
        } else {
            CreateError::Db(e)
        }
    })?;
    audit::record(
        conn,
        actor.or(Some(user.id)),
        "create",
        "user",
        Some(user.id),
        &serde_json::json!({ "role": role }),
        now,
    )?;
    Ok(user)
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("an account with this e-mail address exists already")]
    EmailTaken,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// When there are no users yet, replaces any earlier first-admin link with a
/// new one and returns its token; `None` once someone has an account.
pub fn first_admin_token(
    conn: &mut DbConn,
    now: NaiveDateTime,
) -> diesel::QueryResult<Option<String>> {
    crate::db::write_tx(conn, |conn| {
        if users::count(conn)? > 0 {
            return Ok(None);
        }
        invitations::delete_unused_setup_links(conn)?;
        let token = new_token();
        invitations::insert(
            conn,
            &hash_token(&token),
            None,
            Role::Admin,
            None,
            now,
            now + SETUP_LINK_VALID_FOR,
        )?;
        Ok(Some(token))
    })
}

#[derive(Debug, thiserror::Error)]
pub enum AcceptError {
    #[error("this link is not valid: it was used already, has expired, or was mistyped")]
    InvalidLink,
    #[error(transparent)]
    Create(#[from] CreateError),
}

impl From<diesel::result::Error> for AcceptError {
    fn from(e: diesel::result::Error) -> Self {
        AcceptError::Create(CreateError::Db(e))
    }
}

/// What became of a sign-up link, so that a used one can say so.
#[derive(Debug)]
pub enum LinkState {
    Open(invitations::Invitation),
    Used,
    /// Expired or revoked.
    Ended,
    Unknown,
}

pub fn link_state(
    conn: &mut DbConn,
    token: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<LinkState> {
    Ok(
        match invitations::find_by_token(conn, &hash_token(token))? {
            None => LinkState::Unknown,
            Some(i) if i.used_at.is_some() => LinkState::Used,
            Some(i) if i.expires_at <= now => LinkState::Ended,
            Some(i) => LinkState::Open(i),
        },
    )
}

/// Ends an invitation before anyone uses it, audited; false when it was
/// used or ended first. `roles` are the roles the actor may give.
pub fn revoke_invitation(
    conn: &mut DbConn,
    id: i64,
    roles: &[Role],
    actor: i64,
    now: NaiveDateTime,
) -> diesel::QueryResult<bool> {
    crate::db::write_tx(conn, |conn| {
        if !invitations::revoke(conn, id, roles, now)? {
            return Ok(false);
        }
        audit::record(
            conn,
            Some(actor),
            "revoke_invitation",
            "invitation",
            Some(id),
            &serde_json::json!({}),
            now,
        )?;
        Ok(true)
    })
}

/// The open invitation behind a sign-up link, if it is usable right now.
pub fn open_link(
    conn: &mut DbConn,
    token: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<Option<invitations::Invitation>> {
    invitations::find_open(conn, &hash_token(token), now)
}

/// How long an invitation stays valid.
pub const INVITATION_VALID_FOR: TimeDelta = TimeDelta::days(14);
/// How long a password-reset link stays valid.
pub const RESET_VALID_FOR: TimeDelta = TimeDelta::hours(2);

/// Makes an invitation for `email` with `role`; returns the token for the link.
pub fn invite(
    conn: &mut DbConn,
    email: &str,
    role: Role,
    created_by: i64,
    now: NaiveDateTime,
) -> diesel::QueryResult<String> {
    let token = new_token();
    let email = users::normalize_email(email);
    invitations::insert(
        conn,
        &hash_token(&token),
        Some(&email),
        role,
        Some(created_by),
        now,
        now + INVITATION_VALID_FOR,
    )?;
    audit::record(
        conn,
        Some(created_by),
        "invite",
        "user",
        None,
        &serde_json::json!({ "role": role }),
        now,
    )?;
    Ok(token)
}

/// A reset link for the account with this address, if there is an enabled one.
pub fn request_reset(
    conn: &mut DbConn,
    email: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<Option<(User, String)>> {
    let Some(user) = users::find_by_email(conn, email)?.filter(|u| !u.disabled) else {
        return Ok(None);
    };
    let token = new_token();
    crate::db::sessions::create_reset(
        conn,
        &hash_token(&token),
        user.id,
        now,
        now + RESET_VALID_FOR,
    )?;
    Ok(Some((user, token)))
}

/// The account a reset link is for, if the link is usable.
pub fn reset_link_user(
    conn: &mut DbConn,
    token: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<Option<i64>> {
    Ok(crate::db::sessions::find_reset(conn, &hash_token(token), now)?.map(|(_, user_id)| user_id))
}

/// Sets the new password, uses up the link, and signs the account out everywhere.
pub fn complete_reset(
    conn: &mut DbConn,
    token: &str,
    password_hash: &str,
    now: NaiveDateTime,
) -> Result<i64, AcceptError> {
    crate::db::write_tx(conn, |conn| {
        let (reset_id, user_id) = crate::db::sessions::find_reset(conn, &hash_token(token), now)?
            .ok_or(AcceptError::InvalidLink)?;
        if !crate::db::sessions::use_resets(conn, reset_id, user_id, now)? {
            return Err(AcceptError::InvalidLink);
        }
        users::set_password_hash(conn, user_id, password_hash, now)?;
        crate::db::sessions::delete_for_user(conn, user_id)?;
        audit::record(
            conn,
            Some(user_id),
            "reset_password",
            "user",
            Some(user_id),
            &serde_json::json!({}),
            now,
        )?;
        Ok(user_id)
    })
}

/// Creates the account an invitation or setup link was made for, speaking
/// `locale` (the language the person chose before they had an account), and
/// uses the link up, in one transaction: two people racing with one link get
/// one account.
pub fn accept_link(
    conn: &mut DbConn,
    token: &str,
    input: &AccountInput,
    password_hash: String,
    locale: Lang,
    now: NaiveDateTime,
) -> Result<User, AcceptError> {
    crate::db::write_tx(conn, |conn| {
        let invitation = invitations::find_open(conn, &hash_token(token), now)?
            .ok_or(AcceptError::InvalidLink)?;
        // An invitation made for an address creates the account for that address.
        let mut input = input.clone();
        if let Some(email) = &invitation.email {
            input.email = email.clone();
        }
        let user = create_user(
            conn,
            &input,
            password_hash,
            invitation.role,
            invitation.created_by,
            now,
        )?;
        if !invitations::mark_used(conn, invitation.id, user.id, now)? {
            return Err(AcceptError::InvalidLink);
        }
        users::set_locale(conn, user.id, locale.code(), now)?;
        Ok(user)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_against_their_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse battery!", &hash));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashed_to_hex() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_token(&a).len(), 64);
        assert_eq!(hash_token(&a), hash_token(&a));
    }

    #[test]
    fn account_input_names_each_bad_field() {
        let input = AccountInput {
            email: "not-an-address".into(),
            display_name: " ".into(),
            password: "short".into(),
        };
        let errors = input.validate().unwrap_err();
        assert!(errors.get("email").is_some());
        assert!(errors.get("display_name").is_some());
        assert!(errors.get("password").is_some());
        let good = AccountInput {
            email: "anna@почта.рф".into(),
            display_name: "Анна".into(),
            password: "длинный пароль".into(),
        };
        assert!(good.validate().is_ok());
    }
}

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
            errors.add("email", "Enter an e-mail address such as name@example.org.");
        }
        if self.display_name.trim().is_empty() {
            errors.add("display_name", "Enter the name other members will see.");
        } else if self.display_name.trim().chars().count() > 100 {
            errors.add("display_name", "Use at most 100 characters.");
        }
        let chars = self.password.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            errors.add(
                "password",
                format!("Use at least {MIN_PASSWORD_CHARS} characters."),
            );
        } else if chars > 1024 {
            errors.add("password", "Use at most 1024 characters.");
        }
        errors.into_result()
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

/// Is this sign-up link usable right now?
pub fn link_is_open(
    conn: &mut DbConn,
    token: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<bool> {
    Ok(invitations::find_open(conn, &hash_token(token), now)?.is_some())
}

/// Creates the account an invitation or setup link was made for, and uses the
/// link up, in one transaction: two people racing with one link get one account.
pub fn accept_link(
    conn: &mut DbConn,
    token: &str,
    input: &AccountInput,
    password_hash: String,
    now: NaiveDateTime,
) -> Result<User, AcceptError> {
    crate::db::write_tx(conn, |conn| {
        let invitation = invitations::find_open(conn, &hash_token(token), now)?
            .ok_or(AcceptError::InvalidLink)?;
        let user = create_user(
            conn,
            input,
            password_hash,
            invitation.role,
            invitation.created_by,
            now,
        )?;
        if !invitations::mark_used(conn, invitation.id, user.id, now)? {
            return Err(AcceptError::InvalidLink);
        }
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

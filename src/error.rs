//! The application's error type and how it maps to HTTP. The page or JSON
//! body is drawn by `web::errors`, which sees every error response, ours and
//! actix-web's alike.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::db::DbError;

/// Messages for the person, keyed by form field.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FieldErrors(BTreeMap<&'static str, String>);

impl FieldErrors {
    /// Keeps the first message per field: it is the one to fix first.
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("The page you asked for does not exist.")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("Some fields need another look.")]
    Validation(FieldErrors),
    #[error("Please sign in first.")]
    Unauthorized,
    #[error("You do not have access to this.")]
    Forbidden,
    #[error("The form had expired or came from another site. Please go back, reload the page and try again.")]
    CsrfRejected,
    #[error("Too many attempts. Please wait a little and try again.")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("What you sent is too large.")]
    PayloadTooLarge,
    #[error("{0}")]
    Conflict(String),
    /// Something that existed and is used up for good (a used sign-up link).
    #[error("{0}")]
    Gone(String),
    #[error("The database is not available right now. Please try again in a minute.")]
    Unavailable,
    /// A bug or an outage; the details go to the log, not to the page.
    #[error("Something went wrong on our side. The problem has been logged.")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    pub fn internal(e: impl Into<anyhow::Error>) -> AppError {
        AppError::Internal(e.into())
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Pool(_) => AppError::Unavailable,
            DbError::Query(diesel::result::Error::NotFound) => AppError::NotFound,
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        AppError::from(DbError::Query(e))
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::Validation(e)
    }
}

/// Carried in the response's extensions to `web::errors`, which draws it.
#[derive(Debug, Clone)]
pub struct ErrorMessage {
    /// The UI string to show (see `i18n`).
    pub key: String,
    pub fields: Option<FieldErrors>,
}

impl AppError {
    /// The UI string (`locales/*/errors.toml`) that tells a person what happened.
    pub fn message_key(&self) -> String {
        match self {
            AppError::BadRequest(key) | AppError::Conflict(key) | AppError::Gone(key) => {
                key.clone()
            }
            AppError::Validation(_) => "errors.validation".into(),
            AppError::CsrfRejected => "errors.csrf".into(),
            AppError::Unavailable => "errors.unavailable".into(),
            other => format!("errors.status_{}", other.status_code().as_u16()),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::CsrfRejected => StatusCode::FORBIDDEN,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(e) = self {
            // `{:#}` prints the cause chain on one line. Causes are ours or the
            // driver's; neither carries letter text.
            tracing::error!(error = format!("{e:#}"), "request failed");
        }
        let mut response = HttpResponse::new(self.status_code());
        if let AppError::TooManyRequests { retry_after_secs } = self {
            if let Ok(value) =
                actix_web::http::header::HeaderValue::from_str(&retry_after_secs.to_string())
            {
                response
                    .headers_mut()
                    .insert(actix_web::http::header::RETRY_AFTER, value);
            }
        }
        response.extensions_mut().insert(ErrorMessage {
            key: self.message_key(),
            fields: match self {
                AppError::Validation(f) => Some(f.clone()),
                _ => None,
            },
        });
        response
    }
}

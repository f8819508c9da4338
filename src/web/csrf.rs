//! Cross-site request forgery protection. Every visitor gets a random token in
//! an HttpOnly cookie; every form carries the same token in a hidden field
//! (`csrf_token`), which another site can neither read nor guess. `CsrfForm`
//! checks it on every state-changing request, and the middleware also refuses
//! unsafe requests whose Origin header names another site.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, Error, FromRequest, HttpMessage, HttpRequest, ResponseError};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::accounts::new_token;
use crate::error::AppError;

pub const CSRF_COOKIE: &str = "konvert_csrf";
pub const CSRF_FIELD: &str = "csrf_token";

/// The visitor's token, put in the request's extensions by the middleware.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

fn looks_like_token(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// True when the request's Origin (if any) is this server.
fn same_origin(req: &ServiceRequest) -> bool {
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return true;
    };
    let host = req.connection_info().host().to_owned();
    url::Url::parse(origin)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| {
                u.port()
                    .map_or_else(|| h.to_owned(), |p| format!("{h}:{p}"))
            })
        })
        .is_some_and(|origin_host| origin_host.eq_ignore_ascii_case(&host))
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // An unsubscribe link carries its own signature; mail providers post
    // to it from their servers (RFC 8058).
    let signed_link = req.path().starts_with("/unsubscribe/");
    if unsafe_method && !signed_link && !same_origin(&req) {
        // A response, not an error, so that the error pages draw it.
        let response = AppError::CsrfRejected.error_response();
        return Ok(req.into_response(response).map_into_right_body());
    }
    let existing = req
        .cookie(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| looks_like_token(v));
    let fresh = existing.is_none();
    let token = existing.unwrap_or_else(new_token);
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let mut res = next.call(req).await?;
    if fresh {
        let secure = res
            .request()
            .app_data::<web::Data<crate::config::Settings>>()
            .is_some_and(|s| s.base_url.starts_with("https://"));
        let cookie = Cookie::build(CSRF_COOKIE, token)
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Lax)
            .finish();
        res.response_mut().add_cookie(&cookie)?;
    }
    Ok(res.map_into_left_body())
}

/// The visitor's CSRF token (for rendering forms).
pub fn token(req: &HttpRequest) -> String {
    req.extensions()
        .get::<CsrfToken>()
        .map(|t| t.0.clone())
        .unwrap_or_default()
}

#[derive(Deserialize, Default)]
struct CsrfField {
    #[serde(default)]
    csrf_token: String,
}

/// Compares without stopping at the first difference, so timing tells nothing.
pub fn tokens_match(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && !a.is_empty()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A URL-encoded form whose CSRF token has been checked.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let bytes = body.await.map_err(|_| AppError::PayloadTooLarge)?;
            let sent: CsrfField = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
            if !tokens_match(&sent.csrf_token, &token(&req)) {
                return Err(AppError::CsrfRejected);
            }
            serde_urlencoded::from_bytes(&bytes)
                .map(CsrfForm)
                .map_err(|_| AppError::BadRequest("errors.form_unreadable".into()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_comparison_needs_equal_non_empty_tokens() {
        let t = new_token();
        assert!(tokens_match(&t, &t.clone()));
        assert!(!tokens_match(&t, &new_token()));
        assert!(!tokens_match("", ""));
        assert!(!tokens_match(&t, &t[..10]));
        assert!(looks_like_token(&t));
        assert!(!looks_like_token("x; Path=/"));
    }
}

//! Error pages: every 4xx and 5xx response leaves as an HTML page, or as JSON
//! under `/api/`, with a message a person can act on. Responses that already
//! carry HTML or JSON of their own are left alone.

use actix_web::dev::ServiceResponse;
use actix_web::http::{header, StatusCode};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, HttpResponse};

use super::templates::Templates;
use crate::error::ErrorMessage;

pub fn handlers<B: 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(render)
}

fn default_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "The request could not be understood. Please check what you entered.",
        401 => "Please sign in first.",
        403 => "You do not have access to this.",
        404 => "The page you asked for does not exist.",
        405 => "This address does not accept that kind of request.",
        413 => "What you sent is too large.",
        415 => "This kind of content is not accepted here.",
        429 => "Too many attempts. Please wait a little and try again.",
        503 => "The service is not available right now. Please try again in a minute.",
        s if s >= 500 => "Something went wrong on our side. The problem has been logged.",
        _ => "The request could not be completed.",
    }
}

fn has_own_body<B>(res: &ServiceResponse<B>) -> bool {
    res.response().extensions().get::<ErrorMessage>().is_none()
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("text/html") || ct.starts_with("application/json"))
}

fn render<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    if has_own_body(&res) {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let error = res.response().extensions().get::<ErrorMessage>().cloned();
    let message = error
        .as_ref()
        .map(|e| e.message.clone())
        .unwrap_or_else(|| default_message(status).to_owned());
    let fields = error.and_then(|e| e.fields);
    let (req, original) = res.into_parts();

    let mut builder = HttpResponse::build(status);
    // Keep what the original said about retrying or the allowed methods.
    for name in [header::RETRY_AFTER, header::ALLOW, header::WWW_AUTHENTICATE] {
        if let Some(value) = original.headers().get(&name) {
            builder.insert_header((name, value.clone()));
        }
    }
    let response = if req.path().starts_with("/api/") {
        builder.json(serde_json::json!({
            "error": { "status": status.as_u16(), "message": message, "fields": fields }
        }))
    } else {
        let title = status.canonical_reason().unwrap_or("Error");
        let page = req.app_data::<web::Data<Templates>>().and_then(|t| {
            t.render(
                "pages/error",
                &serde_json::json!({ "title": title, "status": status.as_u16(), "message": message }),
            )
            .ok()
        });
        match page {
            Some(html) => builder.content_type("text/html; charset=utf-8").body(html),
            None => builder
                .content_type("text/plain; charset=utf-8")
                .body(message),
        }
    };
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}

//! Error pages: every 4xx and 5xx response leaves as an HTML page in the
//! viewer's language, or as JSON under `/api/`, with a message a person can
//! act on. A page that needs sign-in redirects to it. Responses that already
//! carry HTML or JSON of their own are left alone.

use actix_web::dev::ServiceResponse;
use actix_web::http::{header, StatusCode};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, HttpMessage, HttpResponse};

use super::ctx::{anonymous_lang, ChosenLang};
use crate::error::ErrorMessage;
use crate::i18n::Lang;
use crate::templates::Templates;

pub fn handlers<B: 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(render)
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
    let key = error
        .as_ref()
        .map(|e| e.key.clone())
        .unwrap_or_else(|| format!("errors.status_{}", status.as_u16()));
    let fields = error.and_then(|e| e.fields);
    let (req, original) = res.into_parts();
    let api = req.path().starts_with("/api/");

    if status == StatusCode::UNAUTHORIZED && !api {
        let next = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let location = format!(
            "/login?next={}",
            url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        );
        let response = HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location))
            .finish();
        return Ok(ErrorHandlerResponse::Response(
            ServiceResponse::new(req, response).map_into_right_body(),
        ));
    }

    let templates = req.app_data::<web::Data<Templates>>().cloned();
    // Read the extension first: `anonymous_lang` parses cookies, which needs
    // the extensions mutably.
    let chosen = req.extensions().get::<ChosenLang>().map(|l| l.0);
    let lang = chosen.unwrap_or_else(|| anonymous_lang(&req));
    let translate = |lang: Lang, key: &str| -> String {
        let text = templates
            .as_ref()
            .map(|t| t.translations().get(lang, key).to_owned());
        match text {
            // A key with no string at all falls back to the status's own message.
            Some(t) if t != key => t,
            _ => templates
                .as_ref()
                .map(|t| {
                    t.translations()
                        .get(lang, &format!("errors.status_{}", status.as_u16()))
                        .to_owned()
                })
                .unwrap_or_else(|| status.canonical_reason().unwrap_or("Error").to_owned()),
        }
    };

    let mut builder = HttpResponse::build(status);
    // Keep what the original said about retrying or the allowed methods.
    for name in [header::RETRY_AFTER, header::ALLOW, header::WWW_AUTHENTICATE] {
        if let Some(value) = original.headers().get(&name) {
            builder.insert_header((name, value.clone()));
        }
    }
    let response = if api {
        builder.json(serde_json::json!({
            "error": { "status": status.as_u16(), "message": translate(Lang::En, &key), "fields": fields }
        }))
    } else {
        let message = translate(lang, &key);
        let title = translate(lang, &format!("errors.title_{}", status.as_u16()));
        let page = templates.as_ref().and_then(|t| {
            t.render(
                "pages/error",
                &serde_json::json!({
                    "lang": lang.code(), "title": title, "status": status.as_u16(), "message": message,
                    "user": null, "csrf": "", "path": req.path(),
                }),
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

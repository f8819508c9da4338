//! `Ctx`: what every page handler needs about the request: who is signed in,
//! which language to speak, the CSRF token for forms, and the shared services.
//! Handlers ask it for the viewer (`ctx.user()?`, `ctx.coordinator()?`) and
//! render through it, so every page gets the same base data.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use chrono::TimeDelta;
use serde_json::{json, Value};

use super::csrf;
use crate::accounts::hash_token;
use crate::config::Settings;
use crate::db::users::User;
use crate::db::{self, sessions, Db, DbError};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::templates::Templates;

pub const SESSION_COOKIE: &str = "konvert_session";
pub const LANG_COOKIE: &str = "konvert_lang";
/// The one-line confirmation of the last change, shown once on the next page.
pub const FLASH_COOKIE: &str = "konvert_flash";
/// A session lives this long after its last use.
pub const SESSION_IDLE: TimeDelta = TimeDelta::days(30);
/// How stale last_seen may get before a request refreshes it (saves a write per request).
const TOUCH_AFTER: TimeDelta = TimeDelta::minutes(10);

pub struct Ctx {
    pub lang: Lang,
    pub user: Option<User>,
    pub csrf: String,
    pub db: web::Data<Db>,
    pub templates: web::Data<Templates>,
    pub settings: web::Data<Settings>,
    /// A confirmation left by the previous request (see `Flash`).
    pub flash: Option<Flash>,
    req: HttpRequest,
}

/// A one-line confirmation after a change ("Letter approved"): a UI string
/// key and its placeholders, carried to the next page in a short-lived
/// cookie and shown there once, in the viewer's language. Only keys under
/// `flash.` are shown, so a forged cookie can show nothing but our own
/// sentences; values are escaped like any page data.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Flash {
    pub key: String,
    #[serde(default)]
    pub args: Vec<(String, String)>,
}

impl Flash {
    pub fn new(key: &str) -> Flash {
        Flash {
            key: key.to_owned(),
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &str, value: impl ToString) -> Flash {
        self.args.push((name.to_owned(), value.to_string()));
        self
    }

    fn from_cookie(value: &str) -> Option<Flash> {
        let json = url::form_urlencoded::parse(format!("f={value}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())?;
        let flash: Flash = serde_json::from_str(&json).ok()?;
        flash.key.starts_with("flash.").then_some(flash)
    }

    fn to_cookie_value(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        url::form_urlencoded::byte_serialize(json.as_bytes()).collect()
    }
}

/// The language a request gets before we know who sent it: the cookie a
/// visitor set with the switcher, else the browser's preference.
pub fn anonymous_lang(req: &HttpRequest) -> Lang {
    req.cookie(LANG_COOKIE)
        .and_then(|c| Lang::from_code(c.value()))
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::negotiate)
        })
        .unwrap_or(Lang::DEFAULT)
}

/// The chosen language, remembered in the request so error pages use it too.
#[derive(Clone, Copy)]
pub struct ChosenLang(pub Lang);

fn app_data<T: 'static>(req: &HttpRequest) -> Result<web::Data<T>, AppError> {
    req.app_data::<web::Data<T>>().cloned().ok_or_else(|| {
        AppError::internal(anyhow::anyhow!(
            "app data missing: {}",
            std::any::type_name::<T>()
        ))
    })
}

impl FromRequest for Ctx {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Ctx, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let db = app_data::<Db>(&req)?;
            let templates = app_data::<Templates>(&req)?;
            let settings = app_data::<Settings>(&req)?;
            let user = match req.cookie(SESSION_COOKIE) {
                Some(cookie) => {
                    let hash = hash_token(cookie.value());
                    db.run(move |conn| {
                        let now = db::now();
                        let found = sessions::user_for(conn, &hash, now)?;
                        if let Some((_, session_id, last_seen)) = &found {
                            if now - *last_seen > TOUCH_AFTER {
                                sessions::touch(conn, *session_id, now, now + SESSION_IDLE)?;
                            }
                        }
                        Ok::<_, DbError>(found.map(|(user, _, _)| user))
                    })
                    .await?
                }
                None => None,
            };
            let lang = user
                .as_ref()
                .and_then(|u| Lang::from_code(&u.locale))
                .unwrap_or_else(|| anonymous_lang(&req));
            req.extensions_mut().insert(ChosenLang(lang));
            let flash = req
                .cookie(FLASH_COOKIE)
                .and_then(|c| Flash::from_cookie(c.value()));
            Ok(Ctx {
                lang,
                user,
                csrf: csrf::token(&req),
                db,
                templates,
                settings,
                flash,
                req,
            })
        })
    }
}

impl Ctx {
    /// The signed-in viewer, or a redirect to sign in.
    pub fn user(&self) -> Result<&User, AppError> {
        self.user.as_ref().ok_or(AppError::Unauthorized)
    }

    /// The viewer, who must be a coordinator or an admin.
    pub fn coordinator(&self) -> Result<&User, AppError> {
        let user = self.user()?;
        if user.role.is_coordinator() {
            Ok(user)
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn admin(&self) -> Result<&User, AppError> {
        let user = self.user()?;
        if user.role == crate::db::users::Role::Admin {
            Ok(user)
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn request(&self) -> &HttpRequest {
        &self.req
    }

    /// A UI string in the viewer's language.
    pub fn t(&self, key: &str) -> String {
        self.templates.translations().get(self.lang, key).to_owned()
    }

    pub fn t_with(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.templates.translations().format(self.lang, key, args)
    }

    /// The data every page gets, under names pages must not reuse.
    fn base(&self) -> Value {
        base_data(self.lang, &self.csrf, self.req.path(), self.user.as_ref())
    }

    pub fn render(&self, name: &str, data: Value) -> Result<HttpResponse, AppError> {
        self.render_status(StatusCode::OK, name, data)
    }

    pub fn render_status(
        &self,
        status: StatusCode,
        name: &str,
        data: Value,
    ) -> Result<HttpResponse, AppError> {
        let mut merged = data;
        if !merged.is_object() {
            merged = json!({});
        }
        if let (Some(page), Value::Object(base)) = (merged.as_object_mut(), self.base()) {
            page.extend(base);
            if let Some(flash) = &self.flash {
                page.insert("flash".into(), Value::String(self.flash_text(flash)));
            }
        }
        let html = self.templates.render_value(name, merged)?;
        let mut response = HttpResponse::build(status);
        response
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"));
        if self.flash.is_some() {
            // Shown once: the page that shows it clears it.
            let mut gone = Cookie::build(FLASH_COOKIE, "").path("/").finish();
            gone.make_removal();
            response.cookie(gone);
        }
        Ok(response.body(html))
    }

    fn flash_text(&self, flash: &Flash) -> String {
        let args: Vec<(&str, &str)> = flash
            .args
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.t_with(&flash.key, &args)
    }

    /// A 303 redirect after a successful POST.
    pub fn redirect(&self, to: &str) -> HttpResponse {
        see_other(to)
    }

    /// A 303 redirect after a change, with a one-line confirmation of what
    /// changed for the next page to show (keys live under `flash.` in
    /// `locales/*/flash.toml`).
    pub fn redirect_flash(&self, to: &str, flash: Flash) -> HttpResponse {
        let mut response = see_other(to);
        let cookie = Cookie::build(FLASH_COOKIE, flash.to_cookie_value())
            .path("/")
            .http_only(true)
            .secure(self.cookie_secure())
            .same_site(SameSite::Lax)
            .max_age(actix_web::cookie::time::Duration::minutes(5))
            .finish();
        // A cookie that cannot be set only loses the confirmation, never the change.
        let _ = response.add_cookie(&cookie);
        response
    }

    /// Runs database work off the async threads (see `Db::run`).
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut db::DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        self.db.run(f).await
    }

    pub fn cookie_secure(&self) -> bool {
        self.settings.base_url.starts_with("https://")
    }

    pub fn session_cookie(&self, token: String) -> Cookie<'static> {
        Cookie::build(SESSION_COOKIE, token)
            .path("/")
            .http_only(true)
            .secure(self.cookie_secure())
            .same_site(SameSite::Lax)
            .max_age(actix_web::cookie::time::Duration::days(
                SESSION_IDLE.num_days(),
            ))
            .finish()
    }
}

/// The data every page gets (language, CSRF token, path, viewer), under
/// names pages must not reuse. Public so that a benchmark can render a page
/// exactly as a request would.
pub fn base_data(lang: Lang, csrf: &str, path: &str, user: Option<&User>) -> Value {
    json!({
        "lang": lang.code(),
        "csrf": csrf,
        "path": path,
        "user": user.map(|u| json!({
            "id": u.id,
            "name": u.display_name,
            "role": u.role,
            "is_coordinator": u.role.is_coordinator(),
            "is_admin": u.role == crate::db::users::Role::Admin,
        })),
    })
}

pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .finish()
}

/// Only paths on this site may be redirected to after sign-in.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

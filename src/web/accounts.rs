//! Accounts in the browser: sign-in and sign-out, sign-up by link (the first
//! admin's and invitations) or openly when allowed, password reset by e-mail,
//! the language switch, and the members page where coordinators invite
//! people, change roles and disable accounts.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::csrf::CsrfForm;
use super::ctx::{safe_next, Ctx, Flash, LANG_COOKIE, SESSION_COOKIE, SESSION_IDLE};
use super::rate_limit::{self, RateLimiter};
use crate::accounts::{self, AcceptError, AccountInput, CreateError, LinkState};
use crate::db::users::{self, Role};
use crate::db::{self, audit, sessions};
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::mail::{self, Mailer};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(login_form)
        .service(login)
        .service(logout)
        .service(set_language)
        .service(signup_form)
        .service(signup)
        .service(setup_form)
        .service(setup)
        .service(reset_request_form)
        .service(reset_request)
        .service(reset_form)
        .service(reset)
        .service(members)
        .service(invite)
        .service(revoke_invitation)
        .service(change_role)
        .service(set_disabled)
        .service(set_trusted);
}

fn client_key(ctx: &Ctx) -> String {
    // The peer address, not X-Forwarded-For, which a client can forge.
    ctx.request()
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

async fn hash_password(password: String) -> Result<String, AppError> {
    web::block(move || accounts::hash_password(&password))
        .await
        .map_err(AppError::internal)?
        .map_err(|e| AppError::internal(anyhow::anyhow!("password hashing: {e}")))
}

// ---- sign-in -------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct NextQuery {
    next: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

fn render_login(
    ctx: &Ctx,
    status: StatusCode,
    email: &str,
    next: &str,
    error: Option<&str>,
) -> Result<HttpResponse, AppError> {
    ctx.render_status(
        status,
        "pages/accounts/login",
        json!({ "email": email, "next": next, "error": error, "open_signup": ctx.settings.open_signup }),
    )
}

#[get("/login")]
async fn login_form(ctx: Ctx, query: web::Query<NextQuery>) -> Result<HttpResponse, AppError> {
    let next = safe_next(query.next.as_deref());
    if ctx.user.is_some() {
        return Ok(ctx.redirect(&next));
    }
    render_login(&ctx, StatusCode::OK, "", &next, None)
}

#[post("/login")]
async fn login(
    ctx: Ctx,
    form: CsrfForm<LoginForm>,
    limiter: web::Data<RateLimiter>,
) -> Result<HttpResponse, AppError> {
    let form = form.0;
    let next = safe_next(form.next.as_deref());
    let email = users::normalize_email(&form.email);
    let client = client_key(&ctx);
    let account_key = format!("sign-in:{client}:{email}");
    limiter.check(&format!("sign-in:{client}"), rate_limit::SIGN_IN_PER_CLIENT)?;
    limiter.check(&account_key, rate_limit::SIGN_IN_PER_ACCOUNT)?;

    let password = form.password;
    let checked_email = email.clone();
    let user = ctx
        .run(move |conn| Ok(accounts::check_sign_in(conn, &checked_email, &password)?))
        .await?;
    let Some(user) = user else {
        return render_login(
            &ctx,
            StatusCode::UNAUTHORIZED,
            &form.email,
            &next,
            Some("accounts.error_sign_in"),
        );
    };
    limiter.reset(&account_key);
    // A language picked with the switcher before signing in is the one the
    // person wants; the account keeps it.
    let chosen = chosen_lang(&ctx).filter(|lang| lang.code() != user.locale);
    if let Some(lang) = chosen {
        let id = user.id;
        ctx.run(move |conn| Ok(users::set_locale(conn, id, lang.code(), db::now())?))
            .await?;
    }
    start_session(&ctx, user.id, ctx.redirect(&next)).await
}

/// The language a visitor picked with the switcher (not the browser's guess).
fn chosen_lang(ctx: &Ctx) -> Option<Lang> {
    ctx.request()
        .cookie(LANG_COOKIE)
        .and_then(|c| Lang::from_code(c.value()))
}

/// Signs `user_id` in: a new session, its cookie on `response`.
async fn start_session(
    ctx: &Ctx,
    user_id: i64,
    mut response: HttpResponse,
) -> Result<HttpResponse, AppError> {
    let token = accounts::new_token();
    let hash = accounts::hash_token(&token);
    ctx.run(move |conn| {
        let now = db::now();
        sessions::delete_expired(conn, now)?;
        sessions::create(conn, &hash, user_id, now, now + SESSION_IDLE)?;
        users::note_login(conn, user_id, now)?;
        Ok(())
    })
    .await?;
    tracing::info!(user_id, "signed in");
    response
        .add_cookie(&ctx.session_cookie(token))
        .map_err(AppError::internal)?;
    Ok(response)
}

#[derive(Deserialize, Default)]
struct Empty {}

#[post("/logout")]
async fn logout(ctx: Ctx, _form: CsrfForm<Empty>) -> Result<HttpResponse, AppError> {
    if let Some(cookie) = ctx.request().cookie(SESSION_COOKIE) {
        let hash = accounts::hash_token(cookie.value());
        ctx.run(move |conn| Ok(sessions::delete(conn, &hash)?))
            .await?;
    }
    let mut response = ctx.redirect("/");
    let mut gone = ctx.session_cookie(String::new());
    gone.make_removal();
    response.add_cookie(&gone).map_err(AppError::internal)?;
    Ok(response)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LanguageForm {
    lang: String,
    next: Option<String>,
}

/// Remembers the language: on the account when signed in, in a cookie otherwise.
#[post("/language")]
async fn set_language(ctx: Ctx, form: CsrfForm<LanguageForm>) -> Result<HttpResponse, AppError> {
    let lang = Lang::from_code(&form.0.lang)
        .ok_or_else(|| AppError::BadRequest("errors.status_400".into()))?;
    if let Some(user) = &ctx.user {
        let id = user.id;
        ctx.run(move |conn| Ok(users::set_locale(conn, id, lang.code(), db::now())?))
            .await?;
    }
    let mut response = ctx.redirect(&safe_next(form.0.next.as_deref()));
    let cookie = actix_web::cookie::Cookie::build(LANG_COOKIE, lang.code())
        .path("/")
        .same_site(actix_web::cookie::SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::days(365))
        .finish();
    response.add_cookie(&cookie).map_err(AppError::internal)?;
    Ok(response)
}

// ---- sign-up -------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct SignupForm {
    email: String,
    display_name: String,
    password: String,
    password_confirm: String,
}

impl SignupForm {
    fn input(&self) -> AccountInput {
        AccountInput {
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            password: self.password.clone(),
        }
    }

    fn errors(&self) -> FieldErrors {
        let mut errors = self.input().validate().err().unwrap_or_default();
        if self.password != self.password_confirm {
            errors.add("password_confirm", "accounts.error_password_mismatch");
        }
        errors
    }
}

fn render_signup(
    ctx: &Ctx,
    status: StatusCode,
    action: &str,
    form: &SignupForm,
    fixed_email: Option<&str>,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    ctx.render_status(
        status,
        "pages/accounts/signup",
        json!({
            "action": action,
            "email": fixed_email.unwrap_or(&form.email),
            "email_fixed": fixed_email.is_some(),
            "display_name": form.display_name,
            "errors": errors,
        }),
    )
}

#[get("/signup")]
async fn signup_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    if !ctx.settings.open_signup {
        return Err(AppError::NotFound);
    }
    render_signup(
        &ctx,
        StatusCode::OK,
        "/signup",
        &SignupForm::default(),
        None,
        &FieldErrors::default(),
    )
}

#[post("/signup")]
async fn signup(
    ctx: Ctx,
    form: CsrfForm<SignupForm>,
    limiter: web::Data<RateLimiter>,
) -> Result<HttpResponse, AppError> {
    if !ctx.settings.open_signup {
        return Err(AppError::NotFound);
    }
    limiter.check(
        &format!("sign-up:{}", client_key(&ctx)),
        rate_limit::SIGN_UP_PER_CLIENT,
    )?;
    let form = form.0;
    let errors = form.errors();
    if !errors.is_empty() {
        return render_signup(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "/signup",
            &form,
            None,
            &errors,
        );
    }
    let hash = hash_password(form.password.clone()).await?;
    let input = form.input();
    // The account speaks the language the page was read in.
    let lang = ctx.lang;
    let created = ctx
        .run(move |conn| {
            Ok(db::write_tx(conn, |conn| {
                let now = db::now();
                let user = accounts::create_user(conn, &input, hash, Role::Volunteer, None, now)?;
                users::set_locale(conn, user.id, lang.code(), now)?;
                Ok::<_, CreateError>(user)
            }))
        })
        .await?;
    match created {
        Ok(user) => {
            let welcome = Flash::new("flash.i18n_account_created");
            start_session(&ctx, user.id, ctx.redirect_flash("/", welcome)).await
        }
        Err(CreateError::EmailTaken) => {
            let mut errors = FieldErrors::default();
            errors.add("email", "accounts.error_email_taken");
            render_signup(&ctx, StatusCode::CONFLICT, "/signup", &form, None, &errors)
        }
        Err(CreateError::Db(e)) => Err(e.into()),
    }
}

/// The sign-up link: the first admin's, or an invitation. The token in the
/// path is the secret; the form still carries the CSRF token like every other.
#[get("/setup/{token}")]
async fn setup_form(ctx: Ctx, token: web::Path<String>) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let action = format!("/setup/{token}");
    let invitation = open_invitation(&ctx, token).await?;
    render_signup(
        &ctx,
        StatusCode::OK,
        &action,
        &SignupForm::default(),
        invitation.email.as_deref(),
        &FieldErrors::default(),
    )
}

#[post("/setup/{token}")]
async fn setup(
    ctx: Ctx,
    token: web::Path<String>,
    form: CsrfForm<SignupForm>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let action = format!("/setup/{token}");
    let invitation = open_invitation(&ctx, token.clone()).await?;
    let mut form = form.0;
    if let Some(email) = &invitation.email {
        form.email = email.clone();
    }
    let errors = form.errors();
    if !errors.is_empty() {
        return render_signup(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            &action,
            &form,
            invitation.email.as_deref(),
            &errors,
        );
    }
    let hash = hash_password(form.password.clone()).await?;
    let input = form.input();
    let lang = ctx.lang;
    let outcome = ctx
        .run(move |conn| {
            Ok(accounts::accept_link(
                conn,
                &token,
                &input,
                hash,
                lang,
                db::now(),
            ))
        })
        .await?;
    match outcome {
        Ok(user) => {
            // The person has just proved they hold the link and chose a
            // password: asking them to type it again would only lose them.
            let welcome = Flash::new("flash.i18n_account_created");
            start_session(&ctx, user.id, ctx.redirect_flash("/", welcome)).await
        }
        Err(AcceptError::InvalidLink) => Err(AppError::Conflict("accounts.link_used".into())),
        Err(AcceptError::Create(CreateError::EmailTaken)) => {
            let mut errors = FieldErrors::default();
            errors.add("email", "accounts.error_email_taken");
            render_signup(
                &ctx,
                StatusCode::CONFLICT,
                &action,
                &form,
                invitation.email.as_deref(),
                &errors,
            )
        }
        Err(AcceptError::Create(CreateError::Db(e))) => Err(e.into()),
    }
}

/// The invitation behind a sign-up link; a used or ended link says so
/// (410), an unknown one is not found.
async fn open_invitation(
    ctx: &Ctx,
    token: String,
) -> Result<crate::db::invitations::Invitation, AppError> {
    let state = ctx
        .run(move |conn| Ok(accounts::link_state(conn, &token, db::now())?))
        .await?;
    match state {
        LinkState::Open(invitation) => Ok(invitation),
        LinkState::Used => Err(AppError::Gone("accounts.link_used".into())),
        LinkState::Ended => Err(AppError::Gone("accounts.link_ended".into())),
        LinkState::Unknown => Err(AppError::NotFound),
    }
}

// ---- password reset ------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct ResetRequestForm {
    email: String,
}

#[get("/reset")]
async fn reset_request_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.render("pages/accounts/reset_request", json!({ "sent": false }))
}

#[post("/reset")]
async fn reset_request(
    ctx: Ctx,
    form: CsrfForm<ResetRequestForm>,
    limiter: web::Data<RateLimiter>,
    mailer: web::Data<Mailer>,
) -> Result<HttpResponse, AppError> {
    limiter.check(
        &format!("reset:{}", client_key(&ctx)),
        rate_limit::RESET_PER_CLIENT,
    )?;
    let email = form.0.email;
    let found = ctx
        .run(move |conn| Ok(accounts::request_reset(conn, &email, db::now())?))
        .await?;
    if let Some((user, token)) = found {
        let lang = Lang::from_code(&user.locale).unwrap_or(ctx.lang);
        let data = json!({
            "lang": lang.code(),
            "name": user.display_name,
            "link": format!("{}/reset/{token}", ctx.settings.base_url),
        });
        let message = mail::compose(
            &ctx.templates,
            "password_reset",
            &ctx.settings.mail_from,
            &user.email,
            &data,
        )
        .map_err(AppError::internal)?;
        // A failed send is logged; the page says the same either way, so it
        // does not tell who has an account.
        if let Err(e) = mailer.send(message).await {
            tracing::error!(error = %e, user_id = user.id, "password reset e-mail failed");
        }
    }
    ctx.render("pages/accounts/reset_request", json!({ "sent": true }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ResetForm {
    password: String,
    password_confirm: String,
}

#[get("/reset/{token}")]
async fn reset_form(ctx: Ctx, token: web::Path<String>) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let action = format!("/reset/{token}");
    ctx.run(move |conn| Ok(accounts::reset_link_user(conn, &token, db::now())?))
        .await?
        .ok_or(AppError::NotFound)?;
    ctx.render(
        "pages/accounts/reset",
        json!({ "action": action, "errors": {} }),
    )
}

#[post("/reset/{token}")]
async fn reset(
    ctx: Ctx,
    token: web::Path<String>,
    form: CsrfForm<ResetForm>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let action = format!("/reset/{token}");
    let form = form.0;
    let mut errors = FieldErrors::default();
    if let Err(key) = accounts::check_password(&form.password) {
        errors.add("password", key);
    }
    if form.password != form.password_confirm {
        errors.add("password_confirm", "accounts.error_password_mismatch");
    }
    if !errors.is_empty() {
        return ctx.render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "pages/accounts/reset",
            json!({ "action": action, "errors": errors }),
        );
    }
    let hash = hash_password(form.password).await?;
    let outcome = ctx
        .run(move |conn| Ok(accounts::complete_reset(conn, &token, &hash, db::now())))
        .await?;
    match outcome {
        Ok(_) => ctx.render("pages/accounts/reset_done", json!({})),
        Err(AcceptError::InvalidLink) => Err(AppError::NotFound),
        Err(AcceptError::Create(CreateError::Db(e))) => Err(e.into()),
        Err(AcceptError::Create(CreateError::EmailTaken)) => {
            Err(AppError::internal(anyhow::anyhow!("unexpected")))
        }
    }
}

// ---- members -------------------------------------------------------------

fn role_label_key(role: Role) -> String {
    format!("accounts.role_{role}")
}

async fn render_members(
    ctx: &Ctx,
    status: StatusCode,
    extra: serde_json::Value,
) -> Result<HttpResponse, AppError> {
    let me = ctx.coordinator()?.clone();
    let (list, pending) = ctx
        .run(|conn| {
            Ok((
                users::list(conn)?,
                crate::db::invitations::pending(conn, db::now())?,
            ))
        })
        .await?;
    let may_revoke = assignable_roles(me.role);
    let invitations: Vec<_> = pending
        .iter()
        .map(|i| {
            json!({
                "id": i.id,
                "email": i.email,
                "role_key": role_label_key(i.role),
                "created_on": i.created_at.format("%Y-%m-%d").to_string(),
                "expires_on": i.expires_at.format("%Y-%m-%d").to_string(),
                "may_revoke": may_revoke.contains(&i.role),
            })
        })
        .collect();
    let rows: Vec<_> = list
        .iter()
        .map(|u| {
            let may_manage = u.id != me.id && (me.role == Role::Admin || u.role != Role::Admin);
            json!({
                "id": u.id,
                "email": u.email,
                "name": u.display_name,
                "role": u.role,
                "role_key": role_label_key(u.role),
                "disabled": u.disabled,
                "trusted": u.trusted,
                "may_manage": may_manage,
                "last_login": u.last_login_at.map(|t| t.format("%Y-%m-%d").to_string()),
            })
        })
        .collect();
    let mut data = json!({
        "members": rows,
        "invitations": invitations,
        "roles": assignable_roles(me.role).iter().map(|r| json!({"value": r, "key": role_label_key(*r)})).collect::<Vec<_>>(),
        "invite_link": null,
        "errors": {},
        "invite_email": "",
    });
    if let (Some(d), Some(e)) = (data.as_object_mut(), extra.as_object()) {
        d.extend(e.clone());
    }
    ctx.render_status(status, "pages/accounts/members", data)
}

/// Coordinators hand out volunteer and coordinator roles; only admins make admins.
fn assignable_roles(actor: Role) -> &'static [Role] {
    match actor {
        Role::Admin => &[Role::Volunteer, Role::Coordinator, Role::Admin],
        _ => &[Role::Volunteer, Role::Coordinator],
    }
}

#[get("/members")]
async fn members(ctx: Ctx) -> Result<HttpResponse, AppError> {
    render_members(&ctx, StatusCode::OK, json!({})).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct InviteForm {
    email: String,
    role: String,
}

#[post("/members/invite")]
async fn invite(
    ctx: Ctx,
    form: CsrfForm<InviteForm>,
    mailer: web::Data<Mailer>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.coordinator()?.clone();
    let form = form.0;
    let mut errors = FieldErrors::default();
    let email = users::normalize_email(&form.email);
    if !validator::ValidateEmail::validate_email(&email) {
        errors.add("email", "accounts.error_email");
    }
    let role = form
        .role
        .parse::<Role>()
        .ok()
        .filter(|r| assignable_roles(me.role).contains(r));
    if role.is_none() {
        errors.add("role", "accounts.error_role");
    }
    let (false, Some(role)) = (!errors.is_empty(), role) else {
        return render_members(
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "errors": errors, "invite_email": form.email }),
        )
        .await;
    };
    let lookup = email.clone();
    let exists = ctx
        .run(move |conn| Ok(users::find_by_email(conn, &lookup)?.is_some()))
        .await?;
    if exists {
        errors.add("email", "accounts.error_email_taken");
        return render_members(
            &ctx,
            StatusCode::CONFLICT,
            json!({ "errors": errors, "invite_email": form.email }),
        )
        .await;
    }
    let invited = email.clone();
    let token = ctx
        .run(move |conn| {
            Ok(db::write_tx(conn, |conn| {
                accounts::invite(conn, &invited, role, me.id, db::now())
            })?)
        })
        .await?;
    let link = format!("{}/setup/{token}", ctx.settings.base_url);
    let data = json!({ "lang": ctx.lang.code(), "link": link, "inviter": me.display_name, "role_key": role_label_key(role) });
    let message = mail::compose(
        &ctx.templates,
        "invitation",
        &ctx.settings.mail_from,
        &email,
        &data,
    )
    .map_err(AppError::internal)?;
    let mail_failed = mailer.send(message).await.is_err();
    // The link is shown as well, so the coordinator can pass it on another way.
    render_members(
        &ctx,
        StatusCode::OK,
        json!({ "invite_link": link, "invited": email, "mail_failed": mail_failed }),
    )
    .await
}

/// Ends an invitation nobody has used yet, so its link stops working.
#[post("/members/invitations/{id}/revoke")]
async fn revoke_invitation(
    ctx: Ctx,
    id: web::Path<i64>,
    _form: CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.coordinator()?.clone();
    let id = id.into_inner();
    let roles = assignable_roles(me.role);
    let revoked = ctx
        .run(move |conn| {
            Ok(accounts::revoke_invitation(
                conn,
                id,
                roles,
                me.id,
                db::now(),
            )?)
        })
        .await?;
    if !revoked {
        return Err(AppError::Conflict("accounts.error_not_revocable".into()));
    }
    Ok(ctx.redirect_flash("/members", Flash::new("flash.i18n_invitation_revoked")))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RoleForm {
    role: String,
}

async fn manageable_target(ctx: &Ctx, id: i64) -> Result<(users::User, users::User), AppError> {
    let me = ctx.coordinator()?.clone();
    let target = ctx
        .run(move |conn| Ok(users::find(conn, id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    if target.id == me.id || (target.role == Role::Admin && me.role != Role::Admin) {
        return Err(AppError::Forbidden);
    }
    Ok((me, target))
}

#[post("/members/{id}/role")]
async fn change_role(
    ctx: Ctx,
    id: web::Path<i64>,
    form: CsrfForm<RoleForm>,
) -> Result<HttpResponse, AppError> {
    let actor = ctx.coordinator()?.role;
    let role = form
        .0
        .role
        .parse::<Role>()
        .map_err(|_| AppError::BadRequest("accounts.error_role".into()))?;
    if !assignable_roles(actor).contains(&role) {
        return Err(AppError::Forbidden);
    }
    let flash = Flash::new("flash.i18n_member_role").arg("role", ctx.t(&role_label_key(role)));
    change_member(
        &ctx,
        id.into_inner(),
        "change_role",
        json!({ "to": role }),
        flash,
        move |conn, target, now| users::set_role(conn, target, role, now),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DisableForm {
    disabled: String,
}

#[post("/members/{id}/disabled")]
async fn set_disabled(
    ctx: Ctx,
    id: web::Path<i64>,
    form: CsrfForm<DisableForm>,
) -> Result<HttpResponse, AppError> {
    let disabled = form.0.disabled == "true";
    let action = if disabled { "disable" } else { "enable" };
    let flash = Flash::new(if disabled {
        "flash.i18n_member_disabled"
    } else {
        "flash.i18n_member_enabled"
    });
    change_member(
        &ctx,
        id.into_inner(),
        action,
        json!({}),
        flash,
        move |conn, target, now| {
            users::set_disabled(conn, target, disabled, now)?;
            if disabled {
                // A disabled account is signed out everywhere at once.
                sessions::delete_for_user(conn, target)?;
            }
            Ok(())
        },
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TrustedForm {
    trusted: String,
}

/// A trusted writer's letters skip the review queue.
#[post("/members/{id}/trusted")]
async fn set_trusted(
    ctx: Ctx,
    id: web::Path<i64>,
    form: CsrfForm<TrustedForm>,
) -> Result<HttpResponse, AppError> {
    let trusted = form.0.trusted == "true";
    let flash = Flash::new(if trusted {
        "flash.i18n_member_trusted"
    } else {
        "flash.i18n_member_untrusted"
    });
    change_member(
        &ctx,
        id.into_inner(),
        "set_trusted",
        json!({ "trusted": trusted }),
        flash,
        move |conn, target, now| users::set_trusted(conn, target, trusted, now),
    )
    .await
}

/// Applies a coordinator's change to another member, audited, then back to
/// the list with `flash` (given the member's name as `{name}`).
async fn change_member(
    ctx: &Ctx,
    id: i64,
    action: &'static str,
    details: serde_json::Value,
    flash: Flash,
    change: impl FnOnce(&mut db::DbConn, i64, chrono::NaiveDateTime) -> diesel::QueryResult<()>
        + Send
        + 'static,
) -> Result<HttpResponse, AppError> {
    let (me, target) = manageable_target(ctx, id).await?;
    let flash = flash.arg("name", &target.display_name);
    ctx.run(move |conn| {
        db::write_tx(conn, |conn| {
            let now = db::now();
            change(conn, target.id, now)?;
            audit::record(
                conn,
                Some(me.id),
                action,
                "user",
                Some(target.id),
                &details,
                now,
            )?;
            Ok::<_, AppError>(())
        })
    })
    .await?;
    Ok(ctx.redirect_flash("/members", flash))
}

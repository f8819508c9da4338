//! `/setup/{token}`: the sign-up link, printed at first start for the first
//! admin and later made by coordinators as invitations. The token in the path
//! is the secret, which is also why the form needs no separate CSRF token:
//! another site cannot post to a URL it does not know.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;

use super::templates::Templates;
use crate::accounts::{self, AcceptError, AccountInput, CreateError};
use crate::db::{self, Db, DbError};
use crate::error::{AppError, FieldErrors};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SetupForm {
    email: String,
    display_name: String,
    password: String,
    password_confirm: String,
}

fn render_form(
    templates: &Templates,
    status: actix_web::http::StatusCode,
    form: &SetupForm,
    errors: &FieldErrors,
) -> Result<HttpResponse, AppError> {
    let html = templates.render(
        "pages/setup/form",
        &serde_json::json!({
            "email": form.email,
            "display_name": form.display_name,
            "errors": errors,
        }),
    )?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html))
}

#[get("/setup/{token}")]
pub async fn show(
    token: web::Path<String>,
    db: web::Data<Db>,
    templates: web::Data<Templates>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let open = db
        .run(move |conn| accounts::link_is_open(conn, &token, db::now()).map_err(DbError::from))
        .await?;
    if !open {
        return Err(AppError::NotFound);
    }
    render_form(
        &templates,
        actix_web::http::StatusCode::OK,
        &SetupForm::default(),
        &FieldErrors::default(),
    )
}

#[post("/setup/{token}")]
pub async fn submit(
    token: web::Path<String>,
    body: web::Form<SetupForm>,
    db: web::Data<Db>,
    templates: web::Data<Templates>,
) -> Result<HttpResponse, AppError> {
    let form = body.into_inner();
    let input = AccountInput {
        email: form.email.clone(),
        display_name: form.display_name.clone(),
        password: form.password.clone(),
    };
    let mut errors = input.validate().err().unwrap_or_default();
    if form.password != form.password_confirm {
        errors.add("password_confirm", "The two passwords differ.");
    }
    if !errors.is_empty() {
        return render_form(
            &templates,
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            &form,
            &errors,
        );
    }

    let password = input.password.clone();
    let hash = web::block(move || accounts::hash_password(&password))
        .await
        .map_err(AppError::internal)?
        .map_err(|e| AppError::internal(anyhow::anyhow!("password hashing: {e}")))?;

    let token = token.into_inner();
    let accepted_input = input.clone();
    let outcome = db
        .run(move |conn| {
            Ok::<_, DbError>(accounts::accept_link(
                conn,
                &token,
                &accepted_input,
                hash,
                db::now(),
            ))
        })
        .await?;
    match outcome {
        Ok(user) => templates.page(
            "pages/setup/done",
            &serde_json::json!({ "email": user.email, "role": user.role }),
        ),
        Err(AcceptError::InvalidLink) => Err(AppError::NotFound),
        Err(AcceptError::Create(CreateError::EmailTaken)) => {
            let mut errors = FieldErrors::default();
            errors.add(
                "email",
                "An account with this e-mail address exists already.",
            );
            render_form(
                &templates,
                actix_web::http::StatusCode::CONFLICT,
                &form,
                &errors,
            )
        }
        Err(AcceptError::Create(CreateError::Db(e))) => Err(e.into()),
    }
}

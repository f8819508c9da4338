//! The front page.

use actix_web::{get, web, HttpResponse};

use super::templates::Templates;
use crate::error::AppError;

#[get("/")]
pub async fn index(templates: web::Data<Templates>) -> Result<HttpResponse, AppError> {
    templates.page("pages/home", &serde_json::json!({}))
}

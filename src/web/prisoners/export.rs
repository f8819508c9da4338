//! The prisoner list as a file, for coordinators: the same bytes as
//! `konvert export prisoners`.

use actix_web::http::header;
use actix_web::{get, HttpResponse};

use crate::error::AppError;
use crate::exchange::export::{self, ExportError};
use crate::web::ctx::Ctx;

impl From<ExportError> for AppError {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::Db(e) => AppError::from(e),
            ExportError::Write(_) => AppError::internal(e),
        }
    }
}

#[get("/prisoners/export.csv")]
pub(super) async fn csv(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let bytes = ctx.run(|conn| Ok(export::csv_bytes(conn)?)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", export::CSV_FILE_NAME),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}

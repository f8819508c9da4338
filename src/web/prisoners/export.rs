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
    Ok(attachment(
        "text/csv; charset=utf-8",
        export::CSV_FILE_NAME,
        bytes,
    ))
}

#[get("/prisoners/export.xlsx")]
pub(super) async fn xlsx(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.coordinator()?;
    let bytes = ctx.run(|conn| Ok(export::xlsx_bytes(conn)?)).await?;
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        export::XLSX_FILE_NAME,
        bytes,
    ))
}

/// A download that is not cached anywhere: it lists people by name.
fn attachment(content_type: &str, file_name: &str, bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type.to_owned())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes)
}

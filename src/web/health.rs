//! `/healthz`: is the service up and can it reach its database?

use actix_web::{get, web, HttpResponse};
use diesel::RunQueryDsl;

use crate::db::{Db, DbError};

#[get("/healthz")]
pub async fn healthz(db: web::Data<Db>) -> HttpResponse {
    let checked = db
        .run(|conn| {
            diesel::sql_query("SELECT 1")
                .execute(conn)
                .map_err(DbError::from)
        })
        .await;
    match checked {
        Ok(_) => HttpResponse::Ok().json(serde_json::json!({"status": "ok", "database": "ok"})),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({"status": "unavailable", "database": "unreachable"}))
        }
    }
}

//! The HTTP side: routes, middleware, templates. Handlers stay thin: they
//! parse the request, call `db`/domain functions through `Db::run`, and render.

pub mod accounts;
pub mod assets;
pub mod counts;
pub mod csrf;
pub mod ctx;
pub mod dashboard;
pub mod eletters;
pub mod errors;
pub mod facilities;
pub mod health;
pub mod home;
pub mod letters;
pub mod mail;
pub mod middleware;
pub mod outbox;
pub mod pick;
pub mod post;
pub mod prisoners;
pub mod rate_limit;
pub mod reminders;
pub mod replies;
pub mod review;
pub mod uploads;
pub mod warnings;

use actix_web::web;

/// Every route Konvert serves.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(health::healthz)
        .service(home::index)
        .service(assets::file)
        .configure(accounts::routes)
        .configure(prisoners::routes)
        .configure(facilities::routes)
        .configure(letters::routes)
        .configure(post::routes)
        .configure(eletters::routes)
        .configure(outbox::routes)
        .configure(review::routes)
        .configure(replies::routes)
        .configure(dashboard::routes)
        .configure(counts::routes)
        .configure(reminders::routes)
        .configure(mail::routes)
        .service(pick::write_to_someone)
        .service(assets::favicon)
        .default_service(web::to(not_found));
}

/// Any address no route answers. Through `Ctx`, so the page speaks the
/// signed-in viewer's language rather than the browser's.
async fn not_found(_ctx: ctx::Ctx) -> Result<actix_web::HttpResponse, crate::error::AppError> {
    Err(crate::error::AppError::NotFound)
}

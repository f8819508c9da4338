//! The HTTP side: routes, middleware, templates. Handlers stay thin: they
//! parse the request, call `db`/domain functions through `Db::run`, and render.

pub mod assets;
pub mod errors;
pub mod health;
pub mod home;
pub mod middleware;
pub mod setup;
pub mod templates;

use actix_web::web;

/// Every route Konvert serves.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(health::healthz)
        .service(home::index)
        .service(setup::show)
        .service(setup::submit)
        .service(assets::file);
}

//! (filled in by the facilities work)

use actix_web::web;

pub fn routes(_cfg: &mut web::ServiceConfig) {}

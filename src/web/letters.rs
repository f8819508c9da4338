//! (filled in by the letters work)

use actix_web::web;

pub fn routes(_cfg: &mut web::ServiceConfig) {}

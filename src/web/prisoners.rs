//! (filled in by the prisoners work)

use actix_web::web;

pub fn routes(_cfg: &mut web::ServiceConfig) {}

//! The text checks' warnings as pages show them (the partial
//! `partials/letters_warnings`): the writer in the composer and the
//! coordinator in the review queue see the same list.

use serde_json::{json, Value};

use super::ctx::Ctx;
use crate::letters::Warning;

pub fn json(ctx: &Ctx, warnings: &[Warning]) -> Vec<Value> {
    warnings
        .iter()
        .map(|w| {
            let kind = w.kind.as_str();
            json!({
                "kind": kind,
                "label": ctx.t(&format!("letters.warning_{kind}")),
                "words": w.words(),
            })
        })
        .collect()
}

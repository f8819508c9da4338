//! The template registry, built once at start-up from the files under
//! `templates/`, embedded in the binary. HTML escaping is on and strict mode
//! makes a misspelt variable an error rather than an empty string.

use actix_web::HttpResponse;
use handlebars::Handlebars;
use rust_embed::RustEmbed;
use serde::Serialize;

use crate::error::AppError;

#[derive(RustEmbed)]
#[folder = "templates/"]
struct TemplateFiles;

pub struct Templates {
    html: Handlebars<'static>,
}

impl Templates {
    pub fn load() -> Result<Templates, handlebars::TemplateError> {
        let mut html = Handlebars::new();
        html.set_strict_mode(true);
        html.register_embed_templates_with_extension::<TemplateFiles>(".hbs")?;
        Ok(Templates { html })
    }

    pub fn render(&self, name: &str, data: &impl Serialize) -> Result<String, AppError> {
        self.html.render(name, data).map_err(AppError::internal)
    }

    /// A 200 HTML page.
    pub fn page(&self, name: &str, data: &impl Serialize) -> Result<HttpResponse, AppError> {
        Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(self.render(name, data)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles_and_escapes_html() {
        let t = Templates::load().expect("templates compile");
        let html = t
            .render(
                "pages/error",
                &serde_json::json!({"title": "x", "status": 400, "message": "<script>alert(1)</script>"}),
            )
            .unwrap();
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>alert"));
    }
}

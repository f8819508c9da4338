//! The template registries, built once at start-up from the files under
//! `templates/`, embedded in the binary. Pages use HTML escaping; e-mail
//! subjects and plain-text bodies use a second registry without it. Strict
//! mode makes a misspelt variable an error rather than an empty string.

use std::sync::Arc;

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderError,
    RenderErrorReason, Renderable, ScopedJson, StringOutput,
};
use rust_embed::RustEmbed;
use serde::Serialize;

use crate::error::AppError;
use crate::i18n::{Lang, Translations};

#[derive(RustEmbed)]
#[folder = "templates/"]
struct TemplateFiles;

pub struct Templates {
    html: Handlebars<'static>,
    text: Handlebars<'static>,
    translations: Arc<Translations>,
}

/// `{{t "area.key"}}`: the UI string in the page's language (the root
/// context's `lang`). Positional parameters are joined to make the key, so
/// `{{t "status." letter.status}}` works; hash parameters fill `{name}`, and
/// `gender="female"` picks the form that agrees with a person's gender
/// (`form="mine"` any other named form of a table, see `i18n`).
///
/// `{{plural "units.pages" n}}`: the form of the key for the count `n`
/// (CLDR categories, see `i18n`), with `{n}` filled.
struct Translate {
    translations: Arc<Translations>,
    escape: bool,
    counted: bool,
}

impl Translate {
    fn text(&self, h: &Helper<'_>, ctx: &Context) -> Result<String, RenderError> {
        let name = if self.counted { "plural" } else { "t" };
        let mut key = String::new();
        let mut count = None;
        for (i, param) in h.params().iter().enumerate() {
            if self.counted && i > 0 {
                count = count_of(param.value());
                break;
            }
            match param.value() {
                serde_json::Value::String(s) => key.push_str(s),
                serde_json::Value::Null => {}
                other => key.push_str(&other.to_string()),
            }
        }
        if key.is_empty() {
            return Err(RenderErrorReason::ParamNotFoundForIndex(name, 0).into());
        }
        let lang = ctx
            .data()
            .get("lang")
            .and_then(|v| v.as_str())
            .and_then(Lang::from_code)
            .unwrap_or(Lang::DEFAULT);
        let mut gender = None;
        let args: Vec<(String, String)> = h
            .hash()
            .iter()
            .filter_map(|(name, value)| {
                if *name == "gender" || *name == "form" {
                    gender = value.value().as_str().map(str::to_owned);
                    return None;
                }
                let text = match value.value() {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                Some(((*name).to_owned(), text))
            })
            .collect();
        let args: Vec<(&str, &str)> = args.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        if self.counted {
            let n = count.ok_or(RenderErrorReason::ParamNotFoundForIndex(name, 1))?;
            return Ok(self.translations.plural(lang, &key, n, &args));
        }
        Ok(match gender {
            Some(g) => self.translations.gendered(lang, &key, Some(&g), &args),
            None => self.translations.format(lang, &key, &args),
        })
    }
}

/// A count from page data: a number, or a number written as text.
fn count_of(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl HelperDef for Translate {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let text = self.text(h, ctx)?;
        if self.escape {
            out.write(&handlebars::html_escape(&text))?;
        } else {
            out.write(&text)?;
        }
        Ok(())
    }

    /// As a subexpression (`title=(t "key")`) the text is a value, escaped
    /// later where it is output.
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        Ok(ScopedJson::Derived(serde_json::Value::String(
            self.text(h, ctx)?,
        )))
    }
}

/// `{{country_name code}}` and `{{language_name code}}`: the name of a
/// stored code ("BY", "en") in the page's language, so that no page shows a
/// code; an unknown code is shown as it is.
struct CodeName {
    name: fn(&str, &str) -> Option<String>,
}

impl HelperDef for CodeName {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let code = match h.param(0).map(|p| p.value()) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let lang = ctx
            .data()
            .get("lang")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        let name = (self.name)(&code, lang).unwrap_or(code);
        Ok(ScopedJson::Derived(serde_json::Value::String(name)))
    }
}

/// `{{#layout "base" title=…}}…{{/layout}}`: the page's content inside
/// `layouts/<name>`. The content renders in the page's own context; the layout
/// gets only what it shows (the root's `lang`, `csrf`, `path`, `user` and `flash`, the
/// hash, and the rendered content). A handlebars partial would instead copy
/// the whole page's data for the layout and again for each partial inside
/// it, which on a page of a hundred rows cost more than rendering them.
struct Layout;

/// The root data a layout and its partials may use (`flash` is the
/// confirmation of the last change, when there is one).
const LAYOUT_FIELDS: [&str; 5] = ["lang", "csrf", "path", "user", "flash"];

impl HelperDef for Layout {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let name = h
            .param(0)
            .and_then(|p| p.value().as_str())
            .ok_or(RenderErrorReason::ParamNotFoundForIndex("layout", 0))?;
        let mut content = StringOutput::new();
        if let Some(template) = h.template() {
            template.render(r, ctx, rc, &mut content)?;
        }
        let mut data = serde_json::Map::new();
        for field in LAYOUT_FIELDS {
            let value = ctx.data().get(field).cloned().unwrap_or_default();
            data.insert(field.to_owned(), value);
        }
        for (key, value) in h.hash() {
            data.insert((*key).to_owned(), value.value().clone());
        }
        let content = content
            .into_string()
            .map_err(|e| RenderErrorReason::Other(e.to_string()))?;
        data.insert("content".to_owned(), serde_json::Value::String(content));
        let page = r.render_with_context(
            &format!("layouts/{name}"),
            &Context::from(serde_json::Value::Object(data)),
        )?;
        out.write(&page)?;
        Ok(())
    }
}

impl Templates {
    pub fn load() -> anyhow::Result<Templates> {
        let translations = Arc::new(Translations::load().map_err(anyhow::Error::msg)?);
        let mut html = Handlebars::new();
        html.set_strict_mode(true);
        // Partials must not indent what they print: a letter in a <textarea>
        // would gain spaces on every line at each save.
        html.set_prevent_indent(true);
        html.register_embed_templates_with_extension::<TemplateFiles>(".hbs")?;
        for (name, counted) in [("t", false), ("plural", true)] {
            html.register_helper(
                name,
                Box::new(Translate {
                    translations: translations.clone(),
                    escape: true,
                    counted,
                }),
            );
        }
        html.register_helper("layout", Box::new(Layout));
        html.register_helper(
            "country_name",
            Box::new(CodeName {
                name: crate::locale::country_name,
            }),
        );
        html.register_helper(
            "language_name",
            Box::new(CodeName {
                name: |code, lang| crate::locale::language_name(code, lang).map(str::to_owned),
            }),
        );
        let mut text = Handlebars::new();
        text.set_strict_mode(true);
        text.set_prevent_indent(true);
        text.register_escape_fn(handlebars::no_escape);
        text.register_embed_templates_with_extension::<TemplateFiles>(".hbs")?;
        for (name, counted) in [("t", false), ("plural", true)] {
            text.register_helper(
                name,
                Box::new(Translate {
                    translations: translations.clone(),
                    escape: false,
                    counted,
                }),
            );
        }
        Ok(Templates {
            html,
            text,
            translations,
        })
    }

    pub fn translations(&self) -> &Translations {
        &self.translations
    }

    /// An HTML page or fragment, escaped.
    pub fn render(&self, name: &str, data: &impl Serialize) -> Result<String, AppError> {
        self.html.render(name, data).map_err(AppError::internal)
    }

    /// An HTML page from data the caller hands over. `render` first copies
    /// its data into a value of handlebars' own, which for a page of a
    /// hundred rows cost about an eighth of the rendering; this renders in place.
    pub fn render_value(&self, name: &str, data: serde_json::Value) -> Result<String, AppError> {
        self.html
            .render_with_context(name, &Context::from(data))
            .map_err(AppError::internal)
    }

    /// Plain text (e-mail subjects and bodies), not escaped.
    pub fn render_text(&self, name: &str, data: &impl Serialize) -> Result<String, AppError> {
        self.text.render(name, data).map_err(AppError::internal)
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
                &serde_json::json!({"lang": "en", "title": "x", "status": 400, "message": "<script>alert(1)</script>", "user": null, "csrf": "", "path": "/"}),
            )
            .unwrap();
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>alert"));
        // The layout wraps the page's content and has its title.
        assert!(html.contains("<title>x · Konvert</title>"), "{html}");
        let main = html.split("<main id=\"main\">").nth(1).unwrap();
        assert!(main.contains("&lt;script&gt;") && main.contains("</main>"));
    }

    #[test]
    fn the_reply_email_agrees_with_the_prisoners_gender() {
        let t = Templates::load().expect("templates compile");
        let subject = |gender: serde_json::Value| {
            t.render_text(
                "email/reminders/replies/subject",
                &serde_json::json!({"lang": "ru", "prisoner": "Петрова Мария", "gender": gender}),
            )
            .unwrap()
        };
        assert_eq!(
            subject("female".into()).trim(),
            "Петрова Мария ответила на ваше письмо"
        );
        assert_eq!(
            subject("male".into()).trim(),
            "Петрова Мария ответил на ваше письмо"
        );
        assert_eq!(
            subject(serde_json::Value::Null).trim(),
            "Петрова Мария ответил(а) на ваше письмо",
            "unknown: both forms"
        );
    }

    #[test]
    fn plural_helper_picks_the_form_for_the_count() {
        let t = Templates::load().expect("templates compile");
        let render = |lang: &str, n: i64| {
            let mut h = Handlebars::new();
            h.register_helper(
                "plural",
                Box::new(Translate {
                    translations: t.translations.clone(),
                    escape: true,
                    counted: true,
                }),
            );
            h.render_template(
                r#"{{plural "units.reply_blanks" n}}"#,
                &serde_json::json!({"lang": lang, "n": n}),
            )
            .unwrap()
        };
        assert_eq!(render("en", 1), "1 reply blank");
        assert_eq!(render("en", 3), "3 reply blanks");
        assert_eq!(render("ru", 1), "1 бланк ответа");
        assert_eq!(render("ru", 2), "2 бланка ответа");
        assert_eq!(render("ru", 5), "5 бланков ответа");
    }
}

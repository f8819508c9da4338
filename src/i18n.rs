//! UI strings in Russian and English, from `locales/<lang>/<area>.toml`
//! (embedded in the binary). A key is `<area>.<name>`: `common.sign_in` is
//! `sign_in` in `locales/*/common.toml`. Placeholders are written `{name}`.

use std::collections::HashMap;

use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "locales/"]
struct LocaleFiles;

/// The languages the interface speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ru,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ru, Lang::En];
    /// Most of the people written to read Russian, and so do most volunteers.
    pub const DEFAULT: Lang = Lang::Ru;

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            // Belarusian and Ukrainian readers are served best by Russian.
            "be" | "uk" => Some(Lang::Ru),
            _ => None,
        }
    }

    /// The best match for an Accept-Language header, by its q-values.
    pub fn negotiate(accept_language: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in accept_language.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("");
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(lang) = Lang::from_code(tag) {
                if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, lang));
                }
            }
        }
        best.map(|(_, l)| l)
    }
}

pub struct Translations {
    strings: HashMap<Lang, HashMap<String, String>>,
}

impl Translations {
    pub fn load() -> Result<Translations, String> {
        let mut strings: HashMap<Lang, HashMap<String, String>> = HashMap::new();
        for path in LocaleFiles::iter() {
            let Some((lang_code, file)) = path.split_once('/') else {
                continue;
            };
            let Some(area) = file.strip_suffix(".toml") else {
                continue;
            };
            let lang = Lang::from_code(lang_code)
                .ok_or_else(|| format!("locales/{path}: unknown language"))?;
            let data =
                LocaleFiles::get(&path).ok_or_else(|| format!("locales/{path}: unreadable"))?;
            let text =
                std::str::from_utf8(&data.data).map_err(|e| format!("locales/{path}: {e}"))?;
            let table: toml::Table =
                toml::from_str(text).map_err(|e| format!("locales/{path}: {}", e.message()))?;
            let map = strings.entry(lang).or_default();
            flatten(area, &table, map).map_err(|e| format!("locales/{path}: {e}"))?;
        }
        Ok(Translations { strings })
    }

    /// The text for `key`; English when the language lacks it, the key itself
    /// when both do (visible, so a missing string gets noticed, never a crash).
    pub fn get<'a>(&'a self, lang: Lang, key: &'a str) -> &'a str {
        self.lookup(lang, key)
            .or_else(|| self.lookup(Lang::En, key))
            .unwrap_or(key)
    }

    /// Like `get`, with `{name}` placeholders filled in.
    pub fn format(&self, lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.get(lang, key).to_owned();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    fn lookup(&self, lang: Lang, key: &str) -> Option<&str> {
        self.strings.get(&lang)?.get(key).map(String::as_str)
    }

    /// Keys present in one language and missing in another.
    pub fn missing(&self) -> Vec<String> {
        let mut missing = Vec::new();
        for a in Lang::ALL {
            for b in Lang::ALL {
                let (Some(sa), Some(sb)) = (self.strings.get(&a), self.strings.get(&b)) else {
                    missing.push(format!(
                        "no strings for {}",
                        if self.strings.contains_key(&a) {
                            b.code()
                        } else {
                            a.code()
                        }
                    ));
                    continue;
                };
                for key in sa.keys().filter(|k| !sb.contains_key(*k)) {
                    missing.push(format!("{}: {key}", b.code()));
                }
            }
        }
        missing.sort();
        missing.dedup();
        missing
    }
}

fn flatten(
    prefix: &str,
    table: &toml::Table,
    out: &mut HashMap<String, String>,
) -> Result<(), String> {
    for (name, value) in table {
        let key = format!("{prefix}.{name}");
        match value {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(t) => flatten(&key, t, out)?,
            _ => return Err(format!("{key}: expected text")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_every_string() {
        let t = Translations::load().unwrap();
        assert_eq!(t.missing(), Vec::<String>::new());
    }

    #[test]
    fn accept_language_picks_by_quality() {
        assert_eq!(Lang::negotiate("en-GB,en;q=0.9,ru;q=0.8"), Some(Lang::En));
        assert_eq!(Lang::negotiate("de-DE,ru;q=0.5,en;q=0.4"), Some(Lang::Ru));
        assert_eq!(Lang::negotiate("de, fr"), None);
        assert_eq!(Lang::negotiate(""), None);
        assert_eq!(Lang::negotiate("be-BY"), Some(Lang::Ru));
    }

    #[test]
    fn missing_strings_fall_back_to_the_key_and_placeholders_fill() {
        let t = Translations::load().unwrap();
        assert_eq!(t.get(Lang::Ru, "no.such_key"), "no.such_key");
        assert!(t
            .format(Lang::En, "common.signed_in_as", &[("name", "Анна")])
            .contains("Анна"));
    }
}

//! UI strings in Russian and English, from `locales/<lang>/<area>.toml`
//! (embedded in the binary). A key is `<area>.<name>`: `common.sign_in` is
//! `sign_in` in `locales/*/common.toml`. Placeholders are written `{name}`.
//!
//! A string that depends on a number or on a person's gender is a table of
//! forms under its key: `pages = { one = "{n} page", other = "{n} pages" }`
//! (CLDR plural categories: English one/other, Russian one/few/many), or
//! `status_convicted = { male = "Осуждён", female = "Осуждена" }`. A language
//! that needs no variants keeps a plain string under the same key.

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

/// A CLDR plural category, as named in the locale files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluralCategory {
    One,
    Few,
    Many,
    Other,
}

impl PluralCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            PluralCategory::One => "one",
            PluralCategory::Few => "few",
            PluralCategory::Many => "many",
            PluralCategory::Other => "other",
        }
    }
}

/// The names of the forms a table of variants may hold.
const SELECTORS: [&str; 8] = [
    "zero", "one", "few", "many", "other", "male", "female", "mine",
];

impl Lang {
    /// The CLDR plural category of a whole number in this language.
    pub fn plural(self, n: i64) -> PluralCategory {
        let n = n.unsigned_abs();
        match self {
            Lang::En if n == 1 => PluralCategory::One,
            Lang::En => PluralCategory::Other,
            Lang::Ru => match (n % 10, n % 100) {
                (1, m) if m != 11 => PluralCategory::One,
                (2..=4, m) if !(12..=14).contains(&m) => PluralCategory::Few,
                _ => PluralCategory::Many,
            },
        }
    }

    /// The plural categories every counted string must have in this language.
    pub fn plural_categories(self) -> &'static [PluralCategory] {
        match self {
            Lang::En => &[PluralCategory::One, PluralCategory::Other],
            Lang::Ru => &[
                PluralCategory::One,
                PluralCategory::Few,
                PluralCategory::Many,
            ],
        }
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
        self.select(lang, key, None)
    }

    /// The form of `key` for `variant` ("one", "few", "female", …): the
    /// variant when the language has it, else the plain string, else the
    /// table's `other` or `male` form (the grammatical default in Russian).
    pub fn select<'a>(&'a self, lang: Lang, key: &'a str, variant: Option<&str>) -> &'a str {
        self.lookup_variant(lang, key, variant)
            .or_else(|| self.lookup_variant(Lang::En, key, variant))
            .unwrap_or(key)
    }

    fn lookup_variant(&self, lang: Lang, key: &str, variant: Option<&str>) -> Option<&str> {
        let table = self.strings.get(&lang)?;
        let form = |name: &str| table.get(&format!("{key}.{name}")).map(String::as_str);
        variant
            .and_then(form)
            .or_else(|| table.get(key).map(String::as_str))
            .or_else(|| form("other"))
            .or_else(|| form("male"))
    }

    /// The form of `key` for the count `n`, with `{n}` and the other
    /// placeholders filled: `plural(En, "units.pages", 1, &[])` is "1 page".
    pub fn plural(&self, lang: Lang, key: &str, n: i64, args: &[(&str, &str)]) -> String {
        let n_text = n.to_string();
        let mut all = vec![("n", n_text.as_str())];
        all.extend_from_slice(args);
        fill(self.select(lang, key, Some(lang.plural(n).as_str())), &all)
    }

    /// The form of `key` that agrees with a person's gender ("male",
    /// "female"; unknown takes the table's `other` form, then the default).
    pub fn gendered(
        &self,
        lang: Lang,
        key: &str,
        gender: Option<&str>,
        args: &[(&str, &str)],
    ) -> String {
        fill(
            self.select(lang, key, Some(gender.unwrap_or("other"))),
            args,
        )
    }

    /// Whether `lang` has a string (or a table of forms) for `key`.
    pub fn has(&self, lang: Lang, key: &str) -> bool {
        let Some(table) = self.strings.get(&lang) else {
            return false;
        };
        table.contains_key(key)
            || SELECTORS
                .iter()
                .any(|s| table.contains_key(&format!("{key}.{s}")))
    }

    /// Like `get`, with `{name}` placeholders filled in.
    pub fn format(&self, lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.get(lang, key), args)
    }

    /// Keys present in one language and missing in another, and counted
    /// strings that lack a plural form their language needs. Tables of
    /// forms compare by their key: Russian may vary by gender where English
    /// does not.
    pub fn missing(&self) -> Vec<String> {
        let mut missing = Vec::new();
        for (lang, table) in &self.strings {
            for key in table.keys() {
                let Some((base, form)) = key.rsplit_once('.') else {
                    continue;
                };
                // Every language's plural rules have a `one` form.
                if form != "one" {
                    continue;
                }
                for category in lang.plural_categories() {
                    let needed = format!("{base}.{}", category.as_str());
                    if !table.contains_key(&needed) {
                        missing.push(format!("{}: {needed}", lang.code()));
                    }
                }
            }
        }
        let bases = |table: &HashMap<String, String>| -> std::collections::HashSet<String> {
            table
                .keys()
                .map(|k| match k.rsplit_once('.') {
                    Some((base, form)) if SELECTORS.contains(&form) => base.to_owned(),
                    _ => k.clone(),
                })
                .collect()
        };
        for a in Lang::ALL {
            for b in Lang::ALL {
                let (Some(sa), Some(sb)) = (
                    self.strings.get(&a).map(bases),
                    self.strings.get(&b).map(bases),
                ) else {
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
                for key in sa.iter().filter(|k| !sb.contains(*k)) {
                    missing.push(format!("{}: {key}", b.code()));
                }
            }
        }
        missing.sort();
        missing.dedup();
        missing
    }
}

fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut text = text.to_owned();
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
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
    fn plural_categories_follow_cldr() {
        use PluralCategory::*;
        let ru = |n| Lang::Ru.plural(n);
        assert_eq!([ru(1), ru(21), ru(101)], [One, One, One]);
        assert_eq!([ru(2), ru(4), ru(22), ru(34)], [Few, Few, Few, Few]);
        assert_eq!(
            [ru(0), ru(5), ru(11), ru(12), ru(14), ru(111), ru(25)],
            [Many, Many, Many, Many, Many, Many, Many]
        );
        assert_eq!(
            [Lang::En.plural(1), Lang::En.plural(0), Lang::En.plural(2)],
            [One, Other, Other]
        );
    }

    #[test]
    fn counted_strings_agree_with_the_count() {
        let t = Translations::load().unwrap();
        assert_eq!(t.plural(Lang::En, "units.pages", 1, &[]), "1 page");
        assert_eq!(t.plural(Lang::En, "units.pages", 2, &[]), "2 pages");
        assert_eq!(t.plural(Lang::Ru, "units.pages", 1, &[]), "1 страница");
        assert_eq!(t.plural(Lang::Ru, "units.pages", 3, &[]), "3 страницы");
        assert_eq!(t.plural(Lang::Ru, "units.pages", 11, &[]), "11 страниц");
    }

    #[test]
    fn russian_labels_agree_with_the_gender() {
        let t = Translations::load().unwrap();
        let status = |lang, g| t.gendered(lang, "prisoners.status_convicted", g, &[]);
        assert_eq!(status(Lang::Ru, Some("female")), "Осуждена");
        assert_eq!(status(Lang::Ru, Some("male")), "Осуждён");
        assert_eq!(status(Lang::En, Some("female")), "Convicted");
        // Without a person (a filter's choices) the plain form stands.
        assert_eq!(t.get(Lang::Ru, "prisoners.status_convicted"), "Осуждён");
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

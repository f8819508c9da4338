//! Names for the codes Konvert stores: countries (ISO 3166-1 alpha-2) and
//! languages (ISO 639-1, or 639-3 where there is no two-letter code), in
//! Russian and English. People see names, never codes; and a name typed
//! where a code is expected ("Беларусь", "English") is read as its code.

use super::places::{normalize, Country};

/// (code, Russian, English) for the languages prisoners and writers read.
const LANGUAGES: &[(&str, &str, &str)] = &[
    ("ru", "Русский", "Russian"),
    ("be", "Белорусский", "Belarusian"),
    ("uk", "Украинский", "Ukrainian"),
    ("en", "Английский", "English"),
    ("de", "Немецкий", "German"),
    ("fr", "Французский", "French"),
    ("es", "Испанский", "Spanish"),
    ("it", "Итальянский", "Italian"),
    ("pl", "Польский", "Polish"),
    ("cs", "Чешский", "Czech"),
    ("lt", "Литовский", "Lithuanian"),
    ("lv", "Латышский", "Latvian"),
    ("et", "Эстонский", "Estonian"),
    ("fi", "Финский", "Finnish"),
    ("sv", "Шведский", "Swedish"),
    ("nl", "Нидерландский", "Dutch"),
    ("he", "Иврит", "Hebrew"),
    ("tr", "Турецкий", "Turkish"),
    ("kk", "Казахский", "Kazakh"),
    ("ky", "Киргизский", "Kyrgyz"),
    ("uz", "Узбекский", "Uzbek"),
    ("tg", "Таджикский", "Tajik"),
    ("tk", "Туркменский", "Turkmen"),
    ("az", "Азербайджанский", "Azerbaijani"),
    ("hy", "Армянский", "Armenian"),
    ("ka", "Грузинский", "Georgian"),
    ("tt", "Татарский", "Tatar"),
    ("ba", "Башкирский", "Bashkir"),
    ("cv", "Чувашский", "Chuvash"),
    ("ce", "Чеченский", "Chechen"),
    ("crh", "Крымскотатарский", "Crimean Tatar"),
];

/// Whether a name is wanted in Russian (`ui` is "ru") or in English.
fn in_russian(ui: &str) -> bool {
    ui.trim().eq_ignore_ascii_case("ru")
}

/// The country's name in the interface language `ui` ("ru" or "en");
/// `None` for a code we have no name for.
pub fn country_name(code: &str, ui: &str) -> Option<String> {
    let country = Country::from_code(code);
    if !country.is_known() {
        return None;
    }
    Some(if in_russian(ui) {
        country.name_ru()
    } else {
        country.name_en()
    })
}

/// The code of a country typed as a code or a name in either language
/// ("by", "Беларусь", "Belarus" → "BY"); `None` when we do not know it.
pub fn country_code(text: &str) -> Option<String> {
    let direct = Country::from_code(text);
    if direct.is_known() {
        return Some(direct.code().to_owned());
    }
    let wanted = normalize(text.trim());
    Country::known_codes()
        .map(Country::from_code)
        .find(|c| normalize(&c.name_ru()) == wanted || normalize(&c.name_en()) == wanted)
        .map(|c| c.code().to_owned())
}

/// The language's name in the interface language `ui`; `None` for a code
/// we have no name for.
pub fn language_name(code: &str, ui: &str) -> Option<&'static str> {
    let code = code.trim().to_lowercase();
    LANGUAGES
        .iter()
        .find(|entry| entry.0 == code)
        .map(|(_, ru, en)| if in_russian(ui) { *ru } else { *en })
}

/// The code of a language typed as a code or a name in either language
/// ("EN", "English", "английский" → "en"); `None` when we do not know it.
pub fn language_code(text: &str) -> Option<&'static str> {
    let wanted = normalize(text.trim());
    LANGUAGES
        .iter()
        .find(|(code, ru, en)| {
            *code == wanted || normalize(ru) == wanted || normalize(en) == wanted
        })
        .map(|entry| entry.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_are_named_in_the_interface_language() {
        assert_eq!(country_name("BY", "ru").as_deref(), Some("Беларусь"));
        assert_eq!(country_name("BY", "en").as_deref(), Some("Belarus"));
        assert_eq!(country_name("ru", "en").as_deref(), Some("Russia"));
        assert_eq!(country_name("DE", "ru").as_deref(), Some("Германия"));
        assert_eq!(country_name("QQ", "ru"), None);
        assert_eq!(country_name("", "ru"), None);
    }

    #[test]
    fn a_country_typed_by_name_or_code_is_read_as_its_code() {
        for typed in ["BY", "by", "Беларусь", "беларусь", "Belarus", " BELARUS "] {
            assert_eq!(country_code(typed).as_deref(), Some("BY"), "{typed}");
        }
        assert_eq!(country_code("Германия").as_deref(), Some("DE"));
        assert_eq!(country_code("Germany").as_deref(), Some("DE"));
        assert_eq!(country_code("Атлантида"), None);
    }

    #[test]
    fn languages_are_named_and_read_back() {
        assert_eq!(language_name("en", "en"), Some("English"));
        assert_eq!(language_name("en", "ru"), Some("Английский"));
        assert_eq!(language_name("BE", "en"), Some("Belarusian"));
        assert_eq!(language_name("xx", "en"), None);
        for typed in ["en", "EN", "English", "английский", "Английский"] {
            assert_eq!(language_code(typed), Some("en"), "{typed}");
        }
        assert_eq!(language_code("клингонский"), None);
    }
}

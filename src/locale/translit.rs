//! Romanisation of Cyrillic by named schemes.
//!
//! Each scheme matches what a reader of the result expects: ICAO Doc 9303 for
//! Russian person names (what passports print), a diacritic-free BGN/PCGN for
//! places (what English Wikipedia and maps use), the Belarusian passport table
//! (what Viasna publishes) and Ukraine's official 2010 table. The tables are
//! written here because this module may depend on std and serde only, and the
//! context rules involved (word-initial є/ї/й/ю/я, -ий → -y, зг → zgh) are
//! small enough to own.
//!
//! Case follows the source: a capitalised letter capitalises only the first
//! Latin letter of its replacement ("Щукин" → "Shchukin"), while a word in
//! capitals stays in capitals ("ЩУКИН" → "SHCHUKIN"). Anything that is not
//! Cyrillic passes through.

use std::fmt;
use std::str::FromStr;

use super::case::is_all_caps;
use super::LocaleError;

/// A named romanisation table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// ICAO Doc 9303, Russian: person names.
    RuIcao,
    /// BGN/PCGN as English Wikipedia uses it, without diacritics: place names.
    RuBgn,
    /// Belarusian passport table (ICAO-based), as Viasna publishes names.
    BeIcao,
    /// Ukrainian official table, Cabinet of Ministers resolution No. 55 (2010).
    UkKmu2010,
}

impl Scheme {
    /// The names accepted by `FromStr`, in the order they are documented.
    pub const NAMES: [&'static str; 4] = ["ru-icao", "ru-bgn", "be-icao", "uk-kmu2010"];

    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::RuIcao => "ru-icao",
            Scheme::RuBgn => "ru-bgn",
            Scheme::BeIcao => "be-icao",
            Scheme::UkKmu2010 => "uk-kmu2010",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scheme {
    type Err = LocaleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "ru-icao" => Ok(Scheme::RuIcao),
            "ru-bgn" => Ok(Scheme::RuBgn),
            "be-icao" => Ok(Scheme::BeIcao),
            "uk-kmu2010" => Ok(Scheme::UkKmu2010),
            _ => Err(LocaleError::UnknownScheme {
                value: s.to_string(),
            }),
        }
    }
}

/// Romanises `text` with `scheme`, keeping case, spacing and punctuation.
pub fn transliterate(scheme: Scheme, text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let caps = all_caps_mask(&chars);
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    for (i, &c) in chars.iter().enumerate() {
        let lower = to_lower_char(c);
        if is_apostrophe(c) && in_word(&chars, i) {
            // Apostrophes inside Ukrainian and Belarusian words only mark
            // separate pronunciation; every table here drops them.
            continue;
        }
        let ctx = Context {
            prev: prev_letter(&chars, i),
            next: letter_at(&chars, i + 1),
            after_next: letter_at(&chars, i + 2),
        };
        let Some(latin) = map_letter(scheme, lower, ctx) else {
            out.push(c);
            continue;
        };
        if c == lower {
            out.push_str(latin);
        } else if caps.get(i).copied().unwrap_or(false) {
            out.push_str(&latin.to_uppercase());
        } else {
            out.push_str(&super::case::capitalize_first(latin));
        }
    }
    out
}

/// Neighbouring letters of the current one, lower-cased; `None` at a word
/// boundary. An apostrophe counts as a hard sign, which is what it replaces
/// in Ukrainian and Belarusian spelling.
#[derive(Clone, Copy)]
struct Context {
    prev: Option<char>,
    next: Option<char>,
    after_next: Option<char>,
}

fn map_letter(scheme: Scheme, c: char, ctx: Context) -> Option<&'static str> {
    match scheme {
        Scheme::RuIcao => ru_icao(c),
        Scheme::RuBgn => ru_bgn(c, ctx),
        Scheme::BeIcao => be_icao(c, ctx),
        Scheme::UkKmu2010 => uk_kmu(c, ctx),
    }
}

/// Letters every scheme writes the same way.
fn common(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'э' => "e",
        'і' => "i",
        'ґ' => "g",
        'ў' => "u",
        _ => return None,
    })
}

fn ru_icao(c: char) -> Option<&'static str> {
    match c {
        'ё' => Some("e"),
        'й' => Some("i"),
        'ъ' => Some("ie"),
        'ю' => Some("iu"),
        'я' => Some("ia"),
        'є' => Some("ie"),
        'ї' => Some("i"),
        _ => common(c),
    }
}

fn ru_bgn(c: char, ctx: Context) -> Option<&'static str> {
    let iotated_start = match ctx.prev {
        None => true,
        Some(p) => is_vowel(p) || matches!(p, 'ъ' | 'ь'),
    };
    let word_final_yi = ctx.next == Some('й') && ctx.after_next.is_none();
    match c {
        'е' if iotated_start => Some("ye"),
        'е' => Some("e"),
        'ё' => Some("yo"),
        // -ий / -ый at the end of a word are written as a single "y".
        'и' | 'ы' if word_final_yi => Some("y"),
        'й' if matches!(ctx.prev, Some('и' | 'ы')) && ctx.next.is_none() => Some(""),
        'й' => Some("y"),
        'ю' => Some("yu"),
        'я' => Some("ya"),
        'є' => Some("ye"),
        'ї' => Some("yi"),
        _ => common(c),
    }
}

fn be_icao(c: char, ctx: Context) -> Option<&'static str> {
    let iotated_start = match ctx.prev {
        None => true,
        Some(p) => is_vowel(p) || matches!(p, 'ъ' | 'ь' | 'ў' | 'й'),
    };
    match c {
        'г' => Some("h"),
        'е' if iotated_start => Some("ie"),
        'е' => Some("e"),
        'ё' => Some("io"),
        'й' => Some("i"),
        'ю' => Some("iu"),
        'я' => Some("ia"),
        'є' => Some("ie"),
        'ї' => Some("i"),
        _ => common(c),
    }
}

fn uk_kmu(c: char, ctx: Context) -> Option<&'static str> {
    let initial = ctx.prev.is_none();
    match c {
        'г' if ctx.prev == Some('з') => Some("gh"),
        'г' => Some("h"),
        'и' => Some("y"),
        'є' if initial => Some("ye"),
        'є' => Some("ie"),
        'ї' if initial => Some("yi"),
        'ї' => Some("i"),
        'й' if initial => Some("y"),
        'й' => Some("i"),
        'ю' if initial => Some("yu"),
        'ю' => Some("iu"),
        'я' if initial => Some("ya"),
        'я' => Some("ia"),
        // Russian letters that Ukrainian lacks, for names spelt the Russian way.
        'ё' if initial => Some("yo"),
        'ё' => Some("io"),
        _ => common(c),
    }
}

fn is_vowel(c: char) -> bool {
    matches!(
        c,
        'а' | 'е' | 'ё' | 'и' | 'о' | 'у' | 'ы' | 'э' | 'ю' | 'я' | 'і' | 'ї' | 'є'
    )
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

fn is_cyrillic_letter(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}') && c.is_alphabetic()
}

/// True for an apostrophe with Cyrillic letters on both sides.
fn in_word(chars: &[char], i: usize) -> bool {
    let before = i
        .checked_sub(1)
        .and_then(|j| chars.get(j))
        .is_some_and(|c| is_cyrillic_letter(*c));
    let after = chars.get(i + 1).is_some_and(|c| is_cyrillic_letter(*c));
    before && after
}

fn to_lower_char(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

fn letter_at(chars: &[char], i: usize) -> Option<char> {
    let c = *chars.get(i)?;
    if c.is_alphabetic() {
        Some(to_lower_char(c))
    } else {
        None
    }
}

fn prev_letter(chars: &[char], i: usize) -> Option<char> {
    let j = i.checked_sub(1)?;
    let c = *chars.get(j)?;
    if is_apostrophe(c) && in_word(chars, j) {
        Some('ъ')
    } else {
        letter_at(chars, j)
    }
}

/// For every position, whether it sits in a word written in capitals. Words
/// are runs of letters (apostrophes inside them included).
fn all_caps_mask(chars: &[char]) -> Vec<bool> {
    let mut mask = vec![false; chars.len()];
    let mut start = 0;
    while start < chars.len() {
        let is_word_char =
            |j: usize| chars.get(j).is_some_and(|c| c.is_alphabetic()) || in_word(chars, j);
        if !is_word_char(start) {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < chars.len() && is_word_char(end) {
            end += 1;
        }
        let word: String = chars.get(start..end).unwrap_or(&[]).iter().collect();
        if is_all_caps(&word) {
            for m in mask.iter_mut().take(end).skip(start) {
                *m = true;
            }
        }
        start = end;
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_names_round_trip() {
        for name in Scheme::NAMES {
            let scheme: Scheme = name.parse().unwrap();
            assert_eq!(scheme.to_string(), name);
        }
        assert_eq!("RU-ICAO".parse::<Scheme>(), Ok(Scheme::RuIcao));
    }

    #[test]
    fn unknown_scheme_is_an_error() {
        assert!(matches!(
            "gost-2006".parse::<Scheme>(),
            Err(LocaleError::UnknownScheme { .. })
        ));
    }

    #[test]
    fn icao_covers_the_whole_russian_alphabet() {
        assert_eq!(
            transliterate(Scheme::RuIcao, "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"),
            "abvgdeezhziiklmnoprstufkhtschshshchieyeiuia"
        );
    }

    #[test]
    fn all_caps_words_stay_all_caps() {
        assert_eq!(transliterate(Scheme::RuIcao, "ЩУКИН"), "SHCHUKIN");
        assert_eq!(transliterate(Scheme::RuIcao, "Щукин"), "Shchukin");
        assert_eq!(transliterate(Scheme::RuIcao, "СИЗО-1"), "SIZO-1");
        assert_eq!(transliterate(Scheme::RuIcao, "Ж"), "Zh");
    }

    #[test]
    fn non_cyrillic_passes_through() {
        assert_eq!(
            transliterate(Scheme::RuBgn, "ул. Lenina, д. 9 😀"),
            "ul. Lenina, d. 9 😀"
        );
        assert_eq!(transliterate(Scheme::RuIcao, ""), "");
        assert_eq!(transliterate(Scheme::RuIcao, "   "), "   ");
        assert_eq!(transliterate(Scheme::RuIcao, "-"), "-");
    }

    #[test]
    fn bgn_iotates_e_at_word_start_and_after_vowels_and_signs() {
        assert_eq!(transliterate(Scheme::RuBgn, "Елец"), "Yelets");
        assert_eq!(transliterate(Scheme::RuBgn, "Васильев"), "Vasilyev");
        assert_eq!(transliterate(Scheme::RuBgn, "Подъезд"), "Podyezd");
        assert_eq!(transliterate(Scheme::RuBgn, "Озёрск"), "Ozyorsk");
        assert_eq!(transliterate(Scheme::RuBgn, "Усть-Елань"), "Ust-Yelan");
    }

    #[test]
    fn bgn_writes_adjective_endings_as_y() {
        assert_eq!(
            transliterate(Scheme::RuBgn, "Нижний Новгород"),
            "Nizhny Novgorod"
        );
        assert_eq!(transliterate(Scheme::RuBgn, "Красный"), "Krasny");
        assert_eq!(transliterate(Scheme::RuBgn, "Бийск"), "Biysk");
        assert_eq!(transliterate(Scheme::RuBgn, "ВСЕВОЛОЖСКИЙ"), "VSEVOLOZHSKY");
    }

    #[test]
    fn belarusian_table_uses_h_and_ia() {
        assert_eq!(
            transliterate(Scheme::BeIcao, "Алесь Бяляцкі"),
            "Ales Bialiatski"
        );
        assert_eq!(transliterate(Scheme::BeIcao, "Ігар Лосік"), "Ihar Losik");
        assert_eq!(transliterate(Scheme::BeIcao, "Пётр"), "Piotr");
        assert_eq!(transliterate(Scheme::BeIcao, "Мар'яна"), "Mariana");
    }

    #[test]
    fn ukrainian_table_has_word_initial_forms() {
        assert_eq!(transliterate(Scheme::UkKmu2010, "Євген"), "Yevhen");
        assert_eq!(
            transliterate(Scheme::UkKmu2010, "Короленко Євгенія"),
            "Korolenko Yevheniia"
        );
        assert_eq!(transliterate(Scheme::UkKmu2010, "Їжакевич"), "Yizhakevych");
        assert_eq!(transliterate(Scheme::UkKmu2010, "Йосип"), "Yosyp");
        assert_eq!(transliterate(Scheme::UkKmu2010, "Юрій"), "Yurii");
        assert_eq!(transliterate(Scheme::UkKmu2010, "Яготин"), "Yahotyn");
        assert_eq!(transliterate(Scheme::UkKmu2010, "Знам'янка"), "Znamianka");
        assert_eq!(transliterate(Scheme::UkKmu2010, "ЗГУРСЬКИЙ"), "ZGHURSKYI");
    }

    #[test]
    fn odd_input_does_not_panic() {
        for scheme in [
            Scheme::RuIcao,
            Scheme::RuBgn,
            Scheme::BeIcao,
            Scheme::UkKmu2010,
        ] {
            for input in ["Ё", "ЬЪ", "'", "й'", "'я", "İ", "a\u{0301}б", "😀Я😀", "ЙЙ"]
            {
                let _ = transliterate(scheme, input);
            }
        }
        assert_eq!(transliterate(Scheme::RuIcao, "Ё"), "E");
    }
}

//! Russian dative case ("кому") for the recipient line of an address.
//!
//! Prisons sort mail by the recipient's full name in the dative, so a wrong
//! ending can delay a letter. The rules follow docs/domain.md ("The dative
//! case, briefly"); the open petrovich rule set was used as a reference for which
//! endings change, not as code. When a rule depends on gender and the gender
//! cannot be known, the word is left in the nominative: an undeclined name is
//! still deliverable, a wrongly declined one may name someone else.

use std::fmt;

use super::case::apply_case_pattern;
use super::{Gender, LocaleError};

/// A recipient name in the dative, part by part, with the gender that was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DativeName {
    pub surname: String,
    pub given: String,
    pub patronymic: Option<String>,
    /// The gender from the record, or the one inferred from the name; `None`
    /// when neither told, in which case gender-dependent words stay as given.
    pub gender: Option<Gender>,
}

impl fmt::Display for DativeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = [
            Some(self.surname.as_str()),
            Some(self.given.as_str()),
            self.patronymic.as_deref(),
        ];
        let mut first = true;
        for part in parts.into_iter().flatten().filter(|p| !p.is_empty()) {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(part)?;
            first = false;
        }
        Ok(())
    }
}

/// Declines "Surname Given [Patronymic...]" into the dative, keeping word order
/// and capitalisation. Names without Cyrillic letters are returned unchanged:
/// there is no Russian case to put them in.
pub fn decline_dative(full_name: &str, gender: Option<Gender>) -> Result<String, LocaleError> {
    let trimmed = full_name.trim();
    if trimmed.is_empty() {
        return Err(LocaleError::EmptyName);
    }
    if !trimmed.chars().any(is_cyrillic) {
        return Ok(trimmed.to_string());
    }
    let words: Vec<&str> = trimmed.split_whitespace().collect();
    let (surname, given, rest) = match words.as_slice() {
        [surname, given, rest @ ..] => (*surname, *given, rest),
        _ => {
            return Err(LocaleError::IncompleteName {
                input: trimmed.to_string(),
            })
        }
    };
    let patronymic = rest.join(" ");
    let patronymic = (!patronymic.is_empty()).then_some(patronymic.as_str());
    Ok(to_dative(surname, given, patronymic, gender).to_string())
}

/// Declines each name part separately; this is what the address renderer uses,
/// since records store the parts apart.
pub fn to_dative(
    surname: &str,
    given: &str,
    patronymic: Option<&str>,
    gender: Option<Gender>,
) -> DativeName {
    let patronymic = patronymic.map(str::trim).filter(|p| !p.is_empty());
    let gender = gender.or_else(|| infer_gender(surname, given, patronymic));
    DativeName {
        surname: decline_words(surname, |part, is_last| {
            if !is_last && is_fixed_first_part(part) {
                part.to_string()
            } else {
                surname_dative(part, gender)
            }
        }),
        given: decline_words(given, |part, _| given_dative(part, gender)),
        patronymic: patronymic.map(patronymic_dative),
        gender,
    }
}

/// Gender from the patronymic, then from unmistakable surname forms, then from
/// the given name's ending.
pub(crate) fn infer_gender(surname: &str, given: &str, patronymic: Option<&str>) -> Option<Gender> {
    patronymic
        .and_then(gender_from_patronymic)
        .or_else(|| gender_from_surname(surname))
        .or_else(|| gender_from_given(given))
}

/// Turkic patronymic tails: "son of" / "daughter of". They and the father's
/// name before them stay in the nominative.
const MALE_TAILS: &[&str] = &["оглы", "оглу", "улы", "уулу", "угли"];
const FEMALE_TAILS: &[&str] = &["кызы", "гызы", "кизи", "кыз"];

/// Male given names ending in -а/-я; everything else with that ending is
/// taken as female. Unisex diminutives (Саша, Женя, Валя) are left out on
/// purpose: they tell nothing.
const MALE_A_NAMES: &[&str] = &[
    "илья",
    "никита",
    "кузьма",
    "фома",
    "лука",
    "савва",
    "данила",
    "гаврила",
    "добрыня",
    "иона",
    "фока",
    "мина",
    "сила",
    "муса",
    "иса",
    "хамза",
    "мустафа",
    "яхья",
    "миша",
    "гриша",
    "паша",
    "дима",
    "коля",
    "петя",
    "ваня",
    "вова",
    "лёша",
    "алёша",
    "серёжа",
    "юра",
    "вася",
];

/// Diminutives used by both men and women: they tell nothing about gender.
const UNISEX_NAMES: &[&str] = &["саша", "женя", "валя", "слава", "шура", "саня", "сима"];

/// Female given names that end in a consonant or a soft sign.
const FEMALE_CONSONANT_NAMES: &[&str] = &[
    "любовь",
    "нинель",
    "адель",
    "рахиль",
    "руфь",
    "юдифь",
    "эсфирь",
    "ассоль",
    "айгуль",
    "гузель",
    "асель",
    "назгуль",
    "кармен",
    "агнес",
    "ирен",
    "мириам",
    "айгерим",
    "гульнур",
    "лейсан",
    "айжан",
    "жанар",
    "гульшат",
    "жулдыз",
];

/// First parts of hyphenated surnames that are particles, not surnames, and so
/// never decline (Бонч-Бруевичу, Тер-Петросяну).
const FIXED_FIRST_PARTS: &[&str] = &[
    "бонч",
    "кара",
    "тер",
    "сен",
    "сент",
    "ван",
    "фон",
    "де",
    "дю",
    "ла",
    "ле",
    "аль",
    "эль",
    "абу",
    "ибн",
    "бен",
    "мак",
    "фиц",
    "хаджи",
];

/// Given names whose stem changes: a fleeting vowel or ё → е.
const IRREGULAR_GIVEN: &[(&str, &str)] = &[
    ("лев", "льву"),
    ("павел", "павлу"),
    ("пётр", "петру"),
    ("петр", "петру"),
    ("любовь", "любови"),
];

fn gender_from_patronymic(patronymic: &str) -> Option<Gender> {
    let last = patronymic.split_whitespace().last()?.to_lowercase();
    if MALE_TAILS.contains(&last.as_str()) || last.ends_with("ич") {
        Some(Gender::Male)
    } else if FEMALE_TAILS.contains(&last.as_str())
        || last.ends_with("вна")
        || last.ends_with("чна")
    {
        Some(Gender::Female)
    } else {
        None
    }
}

fn gender_from_surname(surname: &str) -> Option<Gender> {
    let last = surname.split_whitespace().last()?;
    let last = last.rsplit('-').next().unwrap_or(last).to_lowercase();
    // Short words like "Бин" or "Ова" are too often something else.
    if last.chars().count() < 4 {
        return None;
    }
    const FEMALE: &[&str] = &["ова", "ева", "ёва", "ина", "ына", "ская", "цкая"];
    const MALE: &[&str] = &["ов", "ев", "ёв", "ин", "ын", "ский", "цкий", "ской", "цкой"];
    if FEMALE.iter().any(|e| last.ends_with(e)) {
        Some(Gender::Female)
    } else if MALE.iter().any(|e| last.ends_with(e)) {
        Some(Gender::Male)
    } else {
        None
    }
}

fn gender_from_given(given: &str) -> Option<Gender> {
    let first = given.split_whitespace().next()?;
    let first = first.split('-').next().unwrap_or(first).to_lowercase();
    let last = first.chars().last()?;
    if UNISEX_NAMES.contains(&first.as_str()) {
        None
    } else if MALE_A_NAMES.contains(&first.as_str()) {
        Some(Gender::Male)
    } else if FEMALE_CONSONANT_NAMES.contains(&first.as_str()) || matches!(last, 'а' | 'я') {
        Some(Gender::Female)
    } else if is_cyrillic_consonant(last) || matches!(last, 'ь' | 'й') {
        Some(Gender::Male)
    } else {
        None
    }
}

/// Applies `decline` to every hyphen-separated part of every word. The closure
/// gets the lower-case part and whether it is the last part of its word.
fn decline_words(text: &str, decline: impl Fn(&str, bool) -> String) -> String {
    text.split_whitespace()
        .map(|word| {
            let parts: Vec<&str> = word.split('-').collect();
            let count = parts.len();
            parts
                .iter()
                .enumerate()
                .map(|(i, part)| {
                    if part.chars().any(is_cyrillic) {
                        let lower = part.to_lowercase();
                        apply_case_pattern(part, &decline(&lower, i + 1 == count))
                    } else {
                        (*part).to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_fixed_first_part(lower: &str) -> bool {
    FIXED_FIRST_PARTS.contains(&lower)
}

fn surname_dative(s: &str, gender: Option<Gender>) -> String {
    if s.chars().count() < 2 {
        return s.to_string();
    }
    // Русских, Седых: frozen genitive plurals.
    if s.ends_with("ых") || s.ends_with("их") {
        return s.to_string();
    }
    match s.chars().last() {
        // Лукашенко, Саакашвили, Шойгу, Камю: indeclinable for everyone.
        Some('о' | 'е' | 'ё' | 'и' | 'ы' | 'у' | 'ю' | 'э') | None => s.to_string(),
        _ => match gender {
            Some(Gender::Male) => male_surname(s),
            Some(Gender::Female) => female_surname(s),
            // Only -а/-я surnames decline the same way for both genders.
            None if s.ends_with('а') || s.ends_with('я') => female_surname(s),
            None => s.to_string(),
        },
    }
}

fn male_surname(s: &str) -> String {
    if let Some(stem) = s.strip_suffix("ий") {
        // Кагарлицкий → Кагарлицкому, but Крайний → Крайнему.
        let ending = match stem.chars().last() {
            Some('к' | 'г' | 'х') => "ому",
            _ => "ему",
        };
        return format!("{stem}{ending}");
    }
    // Adjectival: Толстой → Толстому. A one-letter stem makes a noun of it
    // (Цой → Цою, via the -й rule below).
    if let Some(stem) = s.strip_suffix("ый").or_else(|| s.strip_suffix("ой")) {
        if stem.chars().count() >= 2 {
            return format!("{stem}ому");
        }
    }
    if let Some(stem) = s.strip_suffix('й').or_else(|| s.strip_suffix('ь')) {
        return format!("{stem}ю");
    }
    if let Some(stem) = s.strip_suffix("ия") {
        return format!("{stem}ии");
    }
    if s.ends_with('а') || s.ends_with('я') {
        return a_declension(s);
    }
    match s.chars().last() {
        Some(c) if is_cyrillic_consonant(c) => format!("{s}у"),
        _ => s.to_string(),
    }
}

fn female_surname(s: &str) -> String {
    const POSSESSIVE: &[&str] = &["ова", "ева", "ёва", "ина", "ына"];
    // Иванова → Ивановой; but a one-letter stem is a noun (Сова → Сове).
    if POSSESSIVE.iter().any(|e| s.ends_with(e)) && s.chars().count() >= 5 {
        if let Some(stem) = s.strip_suffix('а') {
            return format!("{stem}ой");
        }
    }
    if let Some(stem) = s.strip_suffix("яя") {
        return format!("{stem}ей");
    }
    if let Some(stem) = s.strip_suffix("ая") {
        let ending = match stem.chars().last() {
            Some('ж' | 'ш' | 'ч' | 'щ') => "ей",
            _ => "ой",
        };
        return format!("{stem}{ending}");
    }
    if let Some(stem) = s.strip_suffix("ия") {
        return format!("{stem}ии");
    }
    if s.ends_with('а') || s.ends_with('я') {
        return a_declension(s);
    }
    // Казак, Лосик, Зелянкевич: women's consonant-final surnames never change.
    s.to_string()
}

/// -а/-я → -е, except after a vowel (Гамсахурдиа), where the word is foreign
/// and stays as is.
fn a_declension(s: &str) -> String {
    let mut chars = s.chars().rev();
    let _ending = chars.next();
    match chars.next() {
        Some(prev) if is_cyrillic_vowel(prev) && s.ends_with('а') => s.to_string(),
        _ => {
            let stem: String = {
                let mut c: Vec<char> = s.chars().collect();
                c.pop();
                c.into_iter().collect()
            };
            format!("{stem}е")
        }
    }
}

fn given_dative(n: &str, gender: Option<Gender>) -> String {
    if let Some((_, dative)) = IRREGULAR_GIVEN.iter().find(|(nom, _)| *nom == n) {
        return (*dative).to_string();
    }
    if let Some(stem) = n.strip_suffix("ия") {
        return format!("{stem}ии");
    }
    if n.ends_with('а') || n.ends_with('я') {
        return a_declension(n);
    }
    if let Some(stem) = n.strip_suffix("ий") {
        return format!("{stem}ию");
    }
    if let Some(stem) = n.strip_suffix('й') {
        return format!("{stem}ю");
    }
    if let Some(stem) = n.strip_suffix('ь') {
        return match gender {
            Some(Gender::Female) => format!("{stem}и"),
            _ => format!("{stem}ю"),
        };
    }
    match n.chars().last() {
        Some(c) if is_cyrillic_consonant(c) && gender != Some(Gender::Female) => {
            format!("{n}у")
        }
        _ => n.to_string(),
    }
}

fn patronymic_dative(p: &str) -> String {
    let words: Vec<&str> = p.split_whitespace().collect();
    let [word] = words.as_slice() else {
        // "Гусейн оглы" and other multi-word forms keep the nominative.
        return words.join(" ");
    };
    let lower = word.to_lowercase();
    let declined = if lower.ends_with("ич") {
        format!("{lower}у")
    } else if let Some(stem) = lower.strip_suffix("на") {
        format!("{stem}не")
    } else {
        return (*word).to_string();
    };
    apply_case_pattern(word, &declined)
}

pub(crate) fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}')
}

fn is_cyrillic_vowel(c: char) -> bool {
    matches!(
        c,
        'а' | 'е' | 'ё' | 'и' | 'о' | 'у' | 'ы' | 'э' | 'ю' | 'я' | 'і' | 'ї' | 'є'
    )
}

fn is_cyrillic_consonant(c: char) -> bool {
    is_cyrillic(c) && c.is_lowercase() && !is_cyrillic_vowel(c) && !matches!(c, 'ь' | 'ъ' | 'й')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dat(name: &str, gender: Option<Gender>) -> String {
        decline_dative(name, gender).unwrap()
    }

    #[test]
    fn indeclinable_ykh_surname_keeps_form_and_patronymic_declines() {
        assert_eq!(
            dat("Русских Андрей Владимирович", Some(Gender::Male)),
            "Русских Андрею Владимировичу"
        );
    }

    #[test]
    fn all_caps_input_stays_all_caps() {
        assert_eq!(
            dat("ГОРИНОВ АЛЕКСЕЙ АЛЕКСЕЕВИЧ", None),
            "ГОРИНОВУ АЛЕКСЕЮ АЛЕКСЕЕВИЧУ"
        );
        assert_eq!(dat("ШАКУРСКИЙ ИЛЬЯ", Some(Gender::Male)), "ШАКУРСКОМУ ИЛЬЕ");
    }

    #[test]
    fn lower_case_input_stays_lower_case() {
        assert_eq!(dat("иванова мария", None), "ивановой марии");
    }

    #[test]
    fn gender_is_inferred_from_patronymic() {
        assert_eq!(
            dat("Казак Зинаида Ивановна", None),
            "Казак Зинаиде Ивановне"
        );
        assert_eq!(
            dat("Казак Максим Иванович", None),
            "Казаку Максиму Ивановичу"
        );
    }

    #[test]
    fn gender_is_inferred_from_given_name_with_male_a_exceptions() {
        assert_eq!(dat("Лосик Никита", None), "Лосику Никите");
        assert_eq!(dat("Лосик Кузьма", None), "Лосику Кузьме");
        assert_eq!(dat("Лосик Анна", None), "Лосик Анне");
        assert_eq!(dat("Лосик Игорь", None), "Лосику Игорю");
        assert_eq!(dat("Лосик Любовь", None), "Лосик Любови");
    }

    #[test]
    fn explicit_gender_wins_over_inference() {
        assert_eq!(dat("Казак Саша", Some(Gender::Female)), "Казак Саше");
        assert_eq!(dat("Казак Саша", Some(Gender::Male)), "Казаку Саше");
    }

    #[test]
    fn unknown_gender_leaves_consonant_surname_alone() {
        // Саша is unisex, so the surname's ending cannot be chosen.
        assert_eq!(dat("Казак Саша", None), "Казак Саше");
    }

    #[test]
    fn turkic_tails_and_fathers_name_do_not_change() {
        assert_eq!(
            dat("Мамедов Рауф Гусейн оглы", None),
            "Мамедову Рауфу Гусейн оглы"
        );
        assert_eq!(
            dat("Алиева Лейла Рафик кызы", None),
            "Алиевой Лейле Рафик кызы"
        );
        assert_eq!(
            dat("АЛИЕВ ТИМУР ИЛЬХАМ ОГЛЫ", None),
            "АЛИЕВУ ТИМУРУ ИЛЬХАМ ОГЛЫ"
        );
    }

    #[test]
    fn hyphenated_surnames_decline_each_part_except_particles() {
        assert_eq!(
            dat("Иванова-Сидорова Мария Ивановна", None),
            "Ивановой-Сидоровой Марии Ивановне"
        );
        assert_eq!(
            dat("Бонч-Бруевич Виктор", Some(Gender::Male)),
            "Бонч-Бруевичу Виктору"
        );
        assert_eq!(dat("Кара-Мурза Владимир", None), "Кара-Мурзе Владимиру");
        assert_eq!(dat("Тер-Петросян Левон", None), "Тер-Петросяну Левону");
        assert_eq!(dat("Петров-Водкин Кузьма", None), "Петрову-Водкину Кузьме");
    }

    #[test]
    fn vowel_final_surnames_are_indeclinable() {
        for s in ["Лукашенко", "Саакашвили", "Шойгу", "Камю", "Гюго", "Дюбуа"]
        {
            let out = dat(&format!("{s} Иван"), Some(Gender::Male));
            assert!(out.starts_with(&format!("{s} ")), "{out}");
        }
    }

    #[test]
    fn womens_consonant_final_surnames_are_indeclinable() {
        assert_eq!(dat("Лосик Дарья", Some(Gender::Female)), "Лосик Дарье");
        assert_eq!(dat("Гоголь Анна", Some(Gender::Female)), "Гоголь Анне");
    }

    #[test]
    fn adjectival_surnames_follow_adjective_endings() {
        assert_eq!(dat("Толстой Лев", None), "Толстому Льву");
        assert_eq!(dat("Толстая Софья", None), "Толстой Софье");
        assert_eq!(dat("Белый Андрей", None), "Белому Андрею");
        assert_eq!(dat("Трубецкой Павел", None), "Трубецкому Павлу");
        assert_eq!(dat("Горький Максим", None), "Горькому Максиму");
        assert_eq!(dat("Синяя Анна", Some(Gender::Female)), "Синей Анне");
    }

    #[test]
    fn a_ya_surnames_decline_for_both_genders() {
        assert_eq!(dat("Зозуля Иван", None), "Зозуле Ивану");
        assert_eq!(dat("Зозуля Ирина", None), "Зозуле Ирине");
        assert_eq!(dat("Берия Лаврентий", None), "Берии Лаврентию");
        assert_eq!(dat("Гамсахурдиа Звиад", None), "Гамсахурдиа Звиаду");
    }

    #[test]
    fn irregular_and_soft_given_names() {
        assert_eq!(dat("Петров Пётр", None), "Петрову Петру");
        assert_eq!(dat("Петров Павел", None), "Петрову Павлу");
        assert_eq!(dat("Петров Дмитрий", None), "Петрову Дмитрию");
        assert_eq!(dat("Петрова Юлия", None), "Петровой Юлии");
        assert_eq!(dat("Сова Анна", None), "Сове Анне");
        assert_eq!(dat("Цой Виктор", Some(Gender::Male)), "Цою Виктору");
        assert_eq!(dat("Толстой Лев", Some(Gender::Male)), "Толстому Льву");
        assert_eq!(dat("Орлова Ирина", None), "Орловой Ирине");
        assert_eq!(dat("Петрова Нинель", None), "Петровой Нинели");
        assert_eq!(dat("Гайдай Леонид", None), "Гайдаю Леониду");
    }

    #[test]
    fn latin_only_names_are_returned_unchanged() {
        assert_eq!(dat("  John Smith ", None), "John Smith");
        assert_eq!(dat("Bialiatski", None), "Bialiatski");
    }

    #[test]
    fn empty_and_one_word_names_are_errors() {
        assert_eq!(decline_dative("", None), Err(LocaleError::EmptyName));
        assert_eq!(decline_dative("   ", None), Err(LocaleError::EmptyName));
        assert!(matches!(
            decline_dative("Иванов", None),
            Err(LocaleError::IncompleteName { .. })
        ));
    }

    #[test]
    fn odd_input_does_not_panic() {
        for input in [
            "-",
            "Ё",
            "Ё Ё",
            "- -",
            "Ь Ъ",
            "а-",
            "-а -б",
            "Иван😀 Пётр",
            "Ivanov Иван",
            "İİ Ωμέγα",
            "ЁЁЁ ЯЯЯ ЬЬЬ",
            "\u{0301}\u{0301} ааа",
        ] {
            let _ = decline_dative(input, None);
            let _ = decline_dative(input, Some(Gender::Female));
            let _ = decline_dative(input, Some(Gender::Male));
        }
    }

    #[test]
    fn mixed_script_words_keep_their_latin_parts() {
        assert_eq!(dat("Smith-Петров Иван", None), "Smith-Петрову Ивану");
    }

    #[test]
    fn to_dative_reports_the_gender_it_used() {
        let d = to_dative("Казак", "Зинаида", None, None);
        assert_eq!(d.gender, Some(Gender::Female));
        assert_eq!(d.to_string(), "Казак Зинаиде");
        let d = to_dative("Казак", "Саша", Some(""), None);
        assert_eq!(d.gender, None);
        assert_eq!(d.patronymic, None);
    }
}

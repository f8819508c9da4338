//! English names of penal facilities.
//!
//! A stored English name always wins: official names are stored data, not
//! something to guess. For records without one, the common institution codes
//! (СИЗО-1, ИК-6, Т-2, ЛИУ-3, КП-8, Тюрьма № 8) and the Russian penitentiary
//! authority ("УФСИН России по …") are translated, and the result is marked as
//! generated so a coordinator can review it.

use serde::Serialize;

use super::places::{normalize, region_en, Country};

/// A facility's English name and whether it was generated here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacilityNameEn {
    pub text: String,
    /// `false` when the text came from the record, `true` when it was derived
    /// from the Russian name and should be checked by a person.
    pub generated: bool,
}

/// The stored English name, or one generated from the common patterns of
/// `name`; `None` when there is neither.
pub fn english_facility_name(name: &str, stored_en: Option<&str>) -> Option<FacilityNameEn> {
    if let Some(stored) = stored_en.map(str::trim).filter(|s| !s.is_empty()) {
        return Some(FacilityNameEn {
            text: stored.to_string(),
            generated: false,
        });
    }
    let tokens: Vec<String> = name.split_whitespace().map(clean_token).collect();
    let parts: Vec<String> = [institution(&tokens), authority(&tokens)]
        .into_iter()
        .flatten()
        .collect();
    if parts.is_empty() {
        return None;
    }
    Some(FacilityNameEn {
        text: parts.join(", "),
        generated: true,
    })
}

/// Institution codes, upper-cased, and their English kind.
const INSTITUTIONS: &[(&str, &str)] = &[
    ("СИЗО", "Remand Prison"),
    ("ИК", "Penal Colony"),
    ("Т", "Prison"),
    ("ТЮРЬМА", "Prison"),
    ("ЛИУ", "Medical Correctional Institution"),
    ("КП", "Colony Settlement"),
    ("ИЦ", "Correctional Centre"),
    ("ВК", "Juvenile Correctional Colony"),
    // Spelt-out forms, as Belarusian names use them: "Исправительная колония № 1".
    ("КОЛОНИЯ", "Penal Colony"),
    ("КОЛОНИЯ-ПОСЕЛЕНИЕ", "Colony Settlement"),
    ("ИЗОЛЯТОР", "Remand Prison"),
];

/// Strips the quotes and trailing punctuation that official names wrap around
/// their parts ("«Тюрьма № 8»,").
fn clean_token(token: &str) -> String {
    token
        .trim_matches(|c: char| {
            matches!(c, '«' | '»' | '"' | '“' | '”' | '„' | ',' | ';' | '(' | ')')
        })
        .to_string()
}

fn institution(tokens: &[String]) -> Option<String> {
    for (i, token) in tokens.iter().enumerate() {
        let upper = token.to_uppercase();
        // "СИЗО-1", "ИК-6"
        if let Some((code, rest)) = upper.split_once('-') {
            if let (Some(kind), Some(number)) = (kind_of(code), leading_number(rest)) {
                return Some(format!("{kind} No. {number}"));
            }
        }
        // "Тюрьма № 8", "ИК №6", "СИЗО 1"
        if let Some(kind) = kind_of(&upper) {
            let next = tokens.get(i + 1).map(String::as_str).unwrap_or("");
            let number = match next.strip_prefix('№') {
                Some("") => tokens.get(i + 2).and_then(|t| leading_number(t)),
                Some(glued) => leading_number(glued),
                None => leading_number(next),
            };
            if let Some(number) = number {
                return Some(format!("{kind} No. {number}"));
            }
        }
    }
    None
}

fn kind_of(code: &str) -> Option<&'static str> {
    INSTITUTIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, kind)| *kind)
}

fn leading_number(s: &str) -> Option<String> {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}

/// "УФСИН России по Владимирской области" → "Russian Federal Penitentiary
/// Service for Vladimir Oblast". ГУФСИН (a main directorate) reads the same in
/// English, as published names do.
fn authority(tokens: &[String]) -> Option<String> {
    let at = tokens
        .iter()
        .position(|t| matches!(t.to_uppercase().as_str(), "УФСИН" | "ГУФСИН"))?;
    let mut rest = tokens.get(at + 1..).unwrap_or(&[]);
    if rest.first().is_some_and(|t| normalize(t) == "россии") {
        rest = rest.get(1..).unwrap_or(&[]);
    }
    const SERVICE: &str = "Russian Federal Penitentiary Service";
    match rest.split_first() {
        Some((po, area)) if normalize(po) == "по" && !area.is_empty() => {
            Some(format!("{SERVICE} for {}", area_en(&area.join(" "))))
        }
        _ => Some(SERVICE.to_string()),
    }
}

/// Renders the area an authority covers, written in the dative after "по":
/// each part joined by "и" is put back in the nominative and named like a
/// region.
fn area_en(area: &str) -> String {
    area.split(" и ")
        .map(|part| region_en(&nominative_region(part), &Country::Ru))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Dative → nominative for the words region names are made of.
fn nominative_region(dative: &str) -> String {
    let words: Vec<&str> = dative.split_whitespace().collect();
    let after_city_prefix = |i: usize| {
        i > 0
            && words
                .get(i - 1)
                .is_some_and(|w| matches!(normalize(w).as_str(), "г." | "г" | "город"))
    };
    words
        .iter()
        .enumerate()
        .map(|(i, word)| {
            let lower = normalize(word);
            let nominative = match lower.as_str() {
                "области" => Some("область".to_string()),
                "краю" => Some("край".to_string()),
                "республике" => Some("республика".to_string()),
                "округу" => Some("округ".to_string()),
                "москве" => Some("москва".to_string()),
                "санкт-петербургу" => Some("санкт-петербург".to_string()),
                "севастополю" => Some("севастополь".to_string()),
                _ if after_city_prefix(i) => city_nominative(&lower),
                _ => adjective_nominative(&lower),
            };
            match nominative {
                Some(n) => super::case::apply_case_pattern(word, &n),
                None => (*word).to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn adjective_nominative(lower: &str) -> Option<String> {
    if let Some(stem) = lower.strip_suffix("ому") {
        return Some(format!("{stem}ий"));
    }
    if let Some(stem) = lower.strip_suffix("ой") {
        return Some(format!("{stem}ая"));
    }
    None
}

fn city_nominative(lower: &str) -> Option<String> {
    if let Some(stem) = lower.strip_suffix("ю") {
        return Some(format!("{stem}ь"));
    }
    if let Some(stem) = lower.strip_suffix("у") {
        return Some(stem.to_string());
    }
    if let Some(stem) = lower.strip_suffix("е") {
        return Some(format!("{stem}а"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generated(name: &str) -> String {
        let en = english_facility_name(name, None).expect(name);
        assert!(en.generated);
        en.text
    }

    #[test]
    fn stored_english_name_wins_and_is_not_generated() {
        let en = english_facility_name("ФКУ СИЗО-1", Some(" Remand Prison No. 1 ")).unwrap();
        assert_eq!(en.text, "Remand Prison No. 1");
        assert!(!en.generated);
    }

    #[test]
    fn blank_stored_name_does_not_count() {
        let en = english_facility_name("СИЗО-2", Some("  ")).unwrap();
        assert_eq!(en.text, "Remand Prison No. 2");
        assert!(en.generated);
    }

    #[test]
    fn each_institution_pattern_is_translated() {
        assert_eq!(generated("СИЗО-1"), "Remand Prison No. 1");
        assert_eq!(generated("ФКУ ИК-6"), "Penal Colony No. 6");
        assert_eq!(generated("ФКУ Т-2"), "Prison No. 2");
        assert_eq!(generated("Тюрьма № 8"), "Prison No. 8");
        assert_eq!(generated("«Тюрьма №8»"), "Prison No. 8");
        assert_eq!(
            generated("ФКУ ЛИУ-3"),
            "Medical Correctional Institution No. 3"
        );
        assert_eq!(generated("ФКУ КП-8"), "Colony Settlement No. 8");
        assert_eq!(generated("ИК № 15"), "Penal Colony No. 15");
        assert_eq!(
            generated("ГУ «Исправительная колония № 1»"),
            "Penal Colony No. 1"
        );
        assert_eq!(
            generated("Колония-поселение № 3"),
            "Colony Settlement No. 3"
        );
        assert_eq!(
            generated("Следственный изолятор № 1"),
            "Remand Prison No. 1"
        );
    }

    #[test]
    fn ufsin_authority_is_translated_with_its_region() {
        assert_eq!(
            generated("ФКУ ИК-6 УФСИН России по Владимирской области"),
            "Penal Colony No. 6, Russian Federal Penitentiary Service for Vladimir Oblast"
        );
        assert_eq!(
            generated("ФКУ СИЗО-1 УФСИН России по г. Санкт-Петербургу и Ленинградской области"),
            "Remand Prison No. 1, Russian Federal Penitentiary Service for St. Petersburg and Leningrad Oblast"
        );
        assert_eq!(
            generated("ФКУ ИК-7 ГУФСИН России по Красноярскому краю"),
            "Penal Colony No. 7, Russian Federal Penitentiary Service for Krasnoyarsk Krai"
        );
        assert_eq!(
            generated("ФКУ ИК-2 УФСИН России по Республике Мордовия"),
            "Penal Colony No. 2, Russian Federal Penitentiary Service for Republic of Mordovia"
        );
        assert_eq!(
            generated("ФКУ СИЗО-4 УФСИН России по г. Москве"),
            "Remand Prison No. 4, Russian Federal Penitentiary Service for Moscow"
        );
        assert_eq!(
            generated("УФСИН России"),
            "Russian Federal Penitentiary Service"
        );
    }

    #[test]
    fn unknown_names_give_none() {
        assert_eq!(
            english_facility_name("Психиатрическая больница", None),
            None
        );
        assert_eq!(english_facility_name("", None), None);
        assert_eq!(english_facility_name("ИК-", None), None);
    }

    #[test]
    fn odd_input_does_not_panic() {
        for s in [
            "-",
            "№",
            "ИК №",
            "Т",
            "УФСИН по",
            "УФСИН России по и",
            "😀-1",
            "Ё-Ё",
        ] {
            let _ = english_facility_name(s, None);
        }
    }
}

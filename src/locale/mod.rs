//! Names and addresses in the forms that post offices and prisons accept.
//!
//! This module owns everything that turns a stored prisoner record into text on
//! an envelope: the Russian dative case for the recipient line, romanisation by
//! named schemes, the one-line / envelope / English address styles, English
//! names for common facility patterns, and the checks a record must pass before
//! it can be rendered.
//!
//! It is pure: no I/O, no database, no clock, no logging, and no panics on any
//! input, so the web layer, the CLI and background jobs can all call it freely.
//! See `docs/domain.md` ("Addresses", "The dative case, briefly") for the facts it encodes.

mod address;
mod case;
mod declension;
mod facility_name;
mod mail;
mod names;
mod places;
mod search;
mod translit;
mod validate;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use address::{latin_name, render_address, AddressRecord, FacilityAddress, Person, Style};
pub(crate) use declension::infer_gender;
pub use declension::{decline_dative, to_dative, DativeName};
pub use facility_name::{english_facility_name, FacilityNameEn};
pub use mail::{mail_language, ReturnAddress, ReturnAddressProblem};
pub use names::{country_code, country_name, language_code, language_name};
pub use search::{search_key, words_match};
pub use translit::{transliterate, Scheme};
pub use validate::{
    validate_birth_year, validate_postcode, validate_record, AddressError, BIRTH_YEAR_MAX,
    BIRTH_YEAR_MIN,
};

/// Grammatical gender of the recipient; it decides how surnames decline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
}

impl fmt::Display for Gender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Gender {
    type Err = LocaleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "male" => Ok(Gender::Male),
            "female" => Ok(Gender::Female),
            _ => Err(LocaleError::UnknownGender {
                value: s.to_string(),
            }),
        }
    }
}

/// Errors from parsing names, schemes, genders and styles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocaleError {
    /// The name was empty or only whitespace.
    EmptyName,
    /// A Cyrillic name with fewer than two words: the surname and the given
    /// name are both needed to pick the right endings.
    IncompleteName {
        input: String,
    },
    UnknownScheme {
        value: String,
    },
    UnknownGender {
        value: String,
    },
    UnknownStyle {
        value: String,
    },
}

impl fmt::Display for LocaleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocaleError::EmptyName => {
                f.write_str("name: expected \"Surname Given [Patronymic]\", got an empty name")
            }
            LocaleError::IncompleteName { input } => write!(
                f,
                "name: expected \"Surname Given [Patronymic]\", got one word {input:?}"
            ),
            LocaleError::UnknownScheme { value } => write!(
                f,
                "scheme: unknown transliteration scheme {value:?}; expected one of {}",
                Scheme::NAMES.join(", ")
            ),
            LocaleError::UnknownGender { value } => {
                write!(f, "gender: expected \"male\" or \"female\", got {value:?}")
            }
            LocaleError::UnknownStyle { value } => write!(
                f,
                "style: unknown address style {value:?}; expected one of line, envelope, english"
            ),
        }
    }
}

impl std::error::Error for LocaleError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gender_parses_case_insensitively() {
        assert_eq!("male".parse::<Gender>(), Ok(Gender::Male));
        assert_eq!(" FEMALE ".parse::<Gender>(), Ok(Gender::Female));
        assert_eq!("Male".parse::<Gender>(), Ok(Gender::Male));
    }

    #[test]
    fn unknown_gender_error_names_the_field() {
        let err = "m".parse::<Gender>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "gender: expected \"male\" or \"female\", got \"m\""
        );
    }

    #[test]
    fn gender_serialises_lowercase() {
        assert_eq!(
            serde_json::to_string(&Gender::Female).unwrap(),
            "\"female\""
        );
        let g: Gender = serde_json::from_str("\"male\"").unwrap();
        assert_eq!(g, Gender::Male);
    }

    /// Pseudo-random strings from a pool of awkward characters: no public
    /// function may panic on them.
    #[test]
    fn no_public_function_panics_on_random_input() {
        const POOL: &[char] = &[
            'а', 'я', 'й', 'ь', 'ъ', 'ё', 'Ё', 'Й', 'Ь', 'Я', 'і', 'ї', 'є', 'ў', 'ґ', 'з', 'г',
            'и', 'ы', 'о', 'в', 'н', 'ч', 'A', 'z', '-', '\'', '’', ' ', '.', ',', '№', '«', '»',
            '9', '0', '😀', '\u{0301}', 'İ', 'ß', '\t', 'д', 'у', 'л', 'к', 'с',
        ];
        struct Rng(u64);
        impl Rng {
            fn next(&mut self) -> u64 {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                self.0
            }
            fn string(&mut self, max: u64) -> String {
                let len = self.next() % (max + 1);
                (0..len)
                    .map(|_| POOL[(self.next() % POOL.len() as u64) as usize])
                    .collect()
            }
        }
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..3000 {
            let a = rng.string(12);
            let b = rng.string(8);
            let c = rng.string(8);
            let _ = decline_dative(&format!("{a} {b} {c}"), None);
            let _ = decline_dative(&a, Some(Gender::Female));
            let _ = to_dative(&a, &b, Some(&c), Some(Gender::Male));
            for scheme in [
                Scheme::RuIcao,
                Scheme::RuBgn,
                Scheme::BeIcao,
                Scheme::UkKmu2010,
            ] {
                let _ = transliterate(scheme, &a);
            }
            let _ = english_facility_name(&a, None);
            for country in ["RU", "BY", "UA", "KZ", "DE", ""] {
                let _ = validate_postcode(country, &b);
            }
            let record = AddressRecord {
                person: Person {
                    surname: Some(a.clone()),
                    given_name: Some(b.clone()),
                    patronymic: Some(c.clone()),
                    gender: None,
                    birth_year: Some(1980),
                    latin_name: None,
                },
                facility: FacilityAddress {
                    country: Some(["RU", "BY", "UA", "KZ", "GE"][(rng.next() % 5) as usize].into()),
                    name: Some(rng.string(10)),
                    postcode: Some("123456".into()),
                    region: Some(rng.string(10)),
                    district: Some(rng.string(6)),
                    locality: Some(rng.string(6)),
                    street: Some(rng.string(8)),
                    house: Some(rng.string(4)),
                    building: Some(rng.string(4)),
                    ..FacilityAddress::default()
                },
            };
            for style in [Style::Line, Style::Envelope, Style::English] {
                let _ = render_address(&record, style, Some("DE"));
            }
        }
    }

    #[test]
    fn unknown_scheme_error_lists_valid_names() {
        let msg = LocaleError::UnknownScheme {
            value: "gost".into(),
        }
        .to_string();
        assert!(
            msg.contains("ru-icao, ru-bgn, be-icao, uk-kmu2010"),
            "{msg}"
        );
    }
}

//! Paper mail besides the recipient's address: the language a printed letter
//! to a country is in, and the sender block (the organisation's return
//! address) in the postal form of the sender's country.
//!
//! Sender block order: Russia and Kazakhstan go from specific to general with
//! the postcode last (Russian Post); Belarus writes the postcode before the
//! town; Ukraine ends with the postcode; the United Kingdom and Ireland give
//! the postcode a line of its own after the town; the United States, Canada
//! and Australia write "town region postcode" on one line; elsewhere (most of
//! Europe) "postcode town". When the letter crosses a border the sender's
//! country follows in English capitals, which every post office reads.

use serde::{Deserialize, Serialize};

use super::places::Country;

/// The language of a printed letter's own words (headings, "reply code") for
/// mail to `destination` (an ISO code): Russian for Russia, Belarus and
/// Kazakhstan, whose prisons hold back other languages; `None` where no rule
/// is known, so the letter's own language decides.
pub fn mail_language(destination: &str) -> Option<&'static str> {
    match Country::from_code(destination) {
        Country::Ru | Country::By | Country::Kz => Some("ru"),
        Country::Ua | Country::Other(_) => None,
    }
}

/// Where replies to the organisation go, as a coordinator typed it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReturnAddress {
    /// The organisation, or the person who receives its mail.
    pub name: String,
    /// Street and house, flat, or post-office box.
    pub street: String,
    pub locality: String,
    pub region: String,
    pub postcode: String,
    /// ISO 3166 alpha-2 code.
    pub country: String,
}

/// A field of `ReturnAddress` that cannot be printed as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnAddressProblem {
    Missing,
    /// Not a country code we can print.
    BadCountry,
    /// Not a postcode of the sender's country.
    BadPostcode,
    TooLong,
}

/// Longest value per field: a line on an envelope, with room to spare.
const FIELD_MAX: usize = 200;

impl ReturnAddress {
    /// Trims every field and upper-cases the country code.
    pub fn normalized(mut self) -> ReturnAddress {
        for field in [
            &mut self.name,
            &mut self.street,
            &mut self.locality,
            &mut self.region,
            &mut self.postcode,
        ] {
            *field = field.trim().to_owned();
        }
        self.country = self.country.trim().to_uppercase();
        self
    }

    /// Nothing typed: no sender block is printed.
    pub fn is_empty(&self) -> bool {
        [
            &self.name,
            &self.street,
            &self.locality,
            &self.region,
            &self.postcode,
            &self.country,
        ]
        .iter()
        .all(|f| f.trim().is_empty())
    }

    /// What is wrong with each field, by field name; empty when it can be printed.
    pub fn problems(&self) -> Vec<(&'static str, ReturnAddressProblem)> {
        use ReturnAddressProblem as P;
        let mut problems = Vec::new();
        let fields = [
            ("name", &self.name),
            ("street", &self.street),
            ("locality", &self.locality),
            ("region", &self.region),
            ("postcode", &self.postcode),
            ("country", &self.country),
        ];
        for (name, value) in fields {
            if value.chars().count() > FIELD_MAX {
                problems.push((name, P::TooLong));
            }
        }
        for (name, value) in [
            ("name", &self.name),
            ("street", &self.street),
            ("locality", &self.locality),
        ] {
            if value.trim().is_empty() {
                problems.push((name, P::Missing));
            }
        }
        let code = self.country.trim();
        if code.is_empty() {
            problems.push(("country", P::Missing));
            return problems;
        }
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
            problems.push(("country", P::BadCountry));
            return problems;
        }
        let country = Country::from_code(code);
        let postcode = self.postcode.trim();
        let needs_postcode = !matches!(country, Country::Other(_));
        if postcode.is_empty() {
            if needs_postcode {
                problems.push(("postcode", P::Missing));
            }
        } else if !country.postcode_matches(postcode) {
            problems.push(("postcode", P::BadPostcode));
        }
        problems
    }

    /// The sender block for a letter to `destination` (an ISO code), one
    /// element per line; empty when nothing is set.
    pub fn lines(&self, destination: &str) -> Vec<String> {
        if self.is_empty() {
            return Vec::new();
        }
        let sender = Country::from_code(&self.country);
        let part = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned);
        let joined = |a: &str, sep: &str, b: &str| match (part(a), part(b)) {
            (Some(a), Some(b)) => Some(format!("{a}{sep}{b}")),
            (a, b) => a.or(b),
        };
        let (name, street) = (part(&self.name), part(&self.street));
        let (locality, region, postcode) = (&self.locality, &self.region, &self.postcode);
        let places: Vec<Option<String>> = match &sender {
            Country::Ru | Country::Kz | Country::Ua => {
                vec![part(locality), part(region), part(postcode)]
            }
            Country::By => vec![joined(postcode, ", ", locality), part(region)],
            Country::Other(code) => match code.as_str() {
                "GB" | "IE" => vec![part(locality), part(region), part(postcode)],
                "US" | "CA" | "AU" => {
                    let town = joined(locality, ", ", region).unwrap_or_default();
                    vec![joined(&town, " ", postcode)]
                }
                _ => vec![joined(postcode, " ", locality), part(region)],
            },
        };
        let mut lines: Vec<String> = [name, street].into_iter().chain(places).flatten().collect();
        let crosses_border =
            !self.country.trim().is_empty() && Country::from_code(destination.trim()) != sender;
        if crosses_border {
            lines.push(sender.name_en().to_uppercase());
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> ReturnAddress {
        ReturnAddress {
            name: "Письма политзаключённым e.V.".into(),
            street: "Musterstraße 5".into(),
            locality: "Berlin".into(),
            region: String::new(),
            postcode: "10115".into(),
            country: "de".into(),
        }
        .normalized()
    }

    fn moscow() -> ReturnAddress {
        ReturnAddress {
            name: "Группа поддержки".into(),
            street: "а/я 15".into(),
            locality: "г. Москва".into(),
            region: String::new(),
            postcode: "101000".into(),
            country: "RU".into(),
        }
    }

    #[test]
    fn prison_mail_in_russia_and_belarus_is_in_russian() {
        assert_eq!(mail_language("RU"), Some("ru"));
        assert_eq!(mail_language("by"), Some("ru"));
        assert_eq!(mail_language("DE"), None);
    }

    #[test]
    fn a_european_sender_writes_postcode_then_town_and_names_its_country_abroad() {
        assert_eq!(
            berlin().lines("RU"),
            [
                "Письма политзаключённым e.V.",
                "Musterstraße 5",
                "10115 Berlin",
                "GERMANY"
            ]
        );
        assert_eq!(
            berlin().lines("DE").last().map(String::as_str),
            Some("10115 Berlin")
        );
    }

    #[test]
    fn a_russian_sender_ends_with_the_postcode_and_no_country_at_home() {
        assert_eq!(
            moscow().lines("RU"),
            ["Группа поддержки", "а/я 15", "г. Москва", "101000"]
        );
        assert_eq!(
            moscow().lines("BY").last().map(String::as_str),
            Some("RUSSIA")
        );
    }

    #[test]
    fn a_belarusian_sender_puts_the_postcode_before_the_town() {
        let minsk = ReturnAddress {
            name: "Инициатива".into(),
            street: "ул. Ленина, д. 1".into(),
            locality: "г. Минск".into(),
            postcode: "220030".into(),
            country: "BY".into(),
            ..ReturnAddress::default()
        };
        assert_eq!(minsk.lines("BY")[2], "220030, г. Минск");
    }

    #[test]
    fn british_and_american_senders_follow_their_own_order() {
        let london = ReturnAddress {
            name: "Letters".into(),
            street: "1 High Street".into(),
            locality: "London".into(),
            postcode: "SW1A 1AA".into(),
            country: "GB".into(),
            ..ReturnAddress::default()
        };
        assert_eq!(
            london.lines("RU")[2..],
            ["London", "SW1A 1AA", "UNITED KINGDOM"]
        );
        let boston = ReturnAddress {
            region: "MA".into(),
            postcode: "02108".into(),
            locality: "Boston".into(),
            country: "US".into(),
            ..london
        };
        assert_eq!(boston.lines("US")[2], "Boston, MA 02108");
    }

    #[test]
    fn nothing_set_prints_nothing_and_problems_name_their_field() {
        assert!(ReturnAddress::default().lines("RU").is_empty());
        assert!(berlin().problems().is_empty());
        let mut bad = moscow();
        bad.postcode = "1010".into();
        bad.name = " ".into();
        assert_eq!(
            bad.problems(),
            [
                ("name", ReturnAddressProblem::Missing),
                ("postcode", ReturnAddressProblem::BadPostcode)
            ]
        );
        bad.country = "Russia".into();
        assert!(bad
            .problems()
            .contains(&("country", ReturnAddressProblem::BadCountry)));
    }
}

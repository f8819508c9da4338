//! Checks a record must pass before it is rendered.
//!
//! A letter with a malformed postcode or without the birth year is returned or
//! lost, so rendering refuses instead of printing a plausible-looking address.
//! Every error names the record field, so a form can point at it.

use std::fmt;

use super::address::{AddressRecord, Style};
use super::places::Country;

/// Earliest birth year accepted; older dates are typos.
pub const BIRTH_YEAR_MIN: i32 = 1900;
/// Latest birth year accepted. A fixed bound keeps the module free of clock
/// access; callers that know today's date can check more tightly.
pub const BIRTH_YEAR_MAX: i32 = 2100;

/// Why an address cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressError {
    /// A field the chosen style needs is absent or blank.
    Missing { field: &'static str },
    /// The postcode does not have the destination country's format.
    InvalidPostcode { country: String, value: String },
    /// The birth year is outside `BIRTH_YEAR_MIN..=BIRTH_YEAR_MAX`.
    ImplausibleBirthYear { value: i32 },
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressError::Missing { field } => write!(f, "{field}: required but missing"),
            AddressError::InvalidPostcode { country, value } => write!(
                f,
                "facility.postcode: expected {} for {country}, got {value:?}",
                Country::from_code(country).postcode_format()
            ),
            AddressError::ImplausibleBirthYear { value } => write!(
                f,
                "person.birth_year: expected a year from {BIRTH_YEAR_MIN} to {BIRTH_YEAR_MAX}, got {value}"
            ),
        }
    }
}

impl std::error::Error for AddressError {}

/// Checks `postcode` against the format of `country` (an ISO 3166 code such as
/// "RU"; a few spelled-out names are understood too). Surrounding whitespace
/// is ignored. Countries without a known format accept any short code of
/// letters, digits, spaces and hyphens.
pub fn validate_postcode(country: &str, postcode: &str) -> Result<(), AddressError> {
    let country = Country::from_code(country);
    let value = postcode.trim();
    if value.is_empty() {
        return Err(AddressError::Missing {
            field: "facility.postcode",
        });
    }
    if country.postcode_matches(value) {
        Ok(())
    } else {
        Err(AddressError::InvalidPostcode {
            country: country.code().to_string(),
            value: postcode.to_string(),
        })
    }
}

pub fn validate_birth_year(year: i32) -> Result<(), AddressError> {
    if (BIRTH_YEAR_MIN..=BIRTH_YEAR_MAX).contains(&year) {
        Ok(())
    } else {
        Err(AddressError::ImplausibleBirthYear { value: year })
    }
}

/// Checks that `record` has what `style` needs, reporting the first problem in
/// field order (person first, then facility).
pub fn validate_record(record: &AddressRecord, style: Style) -> Result<(), AddressError> {
    let person = &record.person;
    let facility = &record.facility;
    let has_cyrillic_name =
        present(&person.surname).is_some() && present(&person.given_name).is_some();
    let needs_cyrillic_name = match style {
        Style::Line | Style::Envelope => true,
        // The English style can print a stored Latin spelling instead.
        Style::English => present(&person.latin_name).is_none(),
    };
    if needs_cyrillic_name && !has_cyrillic_name {
        let field = if present(&person.surname).is_none() {
            "person.surname"
        } else {
            "person.given_name"
        };
        return Err(AddressError::Missing { field });
    }
    match person.birth_year {
        None => {
            return Err(AddressError::Missing {
                field: "person.birth_year",
            })
        }
        Some(year) => validate_birth_year(year)?,
    }
    let Some(country) = present(&facility.country) else {
        return Err(AddressError::Missing {
            field: "facility.country",
        });
    };
    let has_name = present(&facility.name).is_some();
    let has_english_name = present(&facility.name_en).is_some();
    let name_ok = match style {
        Style::Line | Style::Envelope => has_name,
        Style::English => has_name || has_english_name,
    };
    if !name_ok {
        return Err(AddressError::Missing {
            field: "facility.name",
        });
    }
    validate_postcode(country, facility.postcode.as_deref().unwrap_or(""))
}

/// The trimmed value of an optional field, or `None` when absent or blank.
pub(crate) fn present(field: &Option<String>) -> Option<&str> {
    field.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_and_belarusian_postcodes_have_six_digits() {
        assert_eq!(validate_postcode("RU", "196655"), Ok(()));
        assert_eq!(validate_postcode("BY", "246035"), Ok(()));
        assert_eq!(validate_postcode("ru", " 196655 "), Ok(()));
        for bad in ["19665", "1966550", "19665a", "196 655", "１９６６５５"] {
            assert!(validate_postcode("RU", bad).is_err(), "{bad}");
            assert!(validate_postcode("BY", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn invalid_postcode_message_names_field_country_and_value() {
        let err = validate_postcode("RU", "19665").unwrap_err();
        assert_eq!(
            err.to_string(),
            "facility.postcode: expected six digits for RU, got \"19665\""
        );
    }

    #[test]
    fn ukrainian_postcodes_have_five_digits() {
        assert_eq!(validate_postcode("UA", "01001"), Ok(()));
        let err = validate_postcode("UA", "010010").unwrap_err();
        assert_eq!(
            err.to_string(),
            "facility.postcode: expected five digits for UA, got \"010010\""
        );
    }

    #[test]
    fn kazakh_postcodes_are_six_digits_or_the_new_letter_digit_code() {
        for ok in ["100000", "Z05T3E0", "A15E3C5", "z05t3e0"] {
            assert_eq!(validate_postcode("KZ", ok), Ok(()), "{ok}");
        }
        for bad in ["Z05T3E", "ZZ5T3E0", "A15E3C55", "10000", "А15Е3С5"] {
            assert!(validate_postcode("KZ", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn other_countries_accept_short_alphanumeric_codes() {
        assert_eq!(validate_postcode("DE", "10115"), Ok(()));
        assert_eq!(validate_postcode("GB", "SW1A 1AA"), Ok(()));
        assert!(validate_postcode("DE", "10115; DROP").is_err());
    }

    #[test]
    fn empty_postcode_is_missing() {
        assert_eq!(
            validate_postcode("RU", "  "),
            Err(AddressError::Missing {
                field: "facility.postcode"
            })
        );
    }

    #[test]
    fn birth_year_bounds() {
        assert!(validate_birth_year(1900).is_ok());
        assert!(validate_birth_year(2100).is_ok());
        let err = validate_birth_year(1899).unwrap_err();
        assert_eq!(
            err.to_string(),
            "person.birth_year: expected a year from 1900 to 2100, got 1899"
        );
        assert!(validate_birth_year(i32::MIN).is_err());
    }

    #[test]
    fn missing_message_names_the_field() {
        let err = AddressError::Missing {
            field: "person.surname",
        };
        assert_eq!(err.to_string(), "person.surname: required but missing");
    }
}

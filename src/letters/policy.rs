//! Whose letters a country's prisons let through. Since 2022 political
//! prisoners in Belarus get letters only from close relatives; letters from
//! anyone else are destroyed, not returned (docs: the Belarus rule). So a
//! volunteer is not sent there unless they ask, and is warned before writing.
//!
//! `db::prisoners::held_where_relatives_only` is the same rule as a query
//! fragment; both read `RELATIVES_ONLY`.

/// Countries (ISO codes, as facilities store them) whose prisons deliver
/// letters only from close relatives.
pub const RELATIVES_ONLY: &[&str] = &["BY"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountryPolicy {
    /// Letters from anyone may arrive (censored, but delivered).
    Open,
    /// Only letters from close relatives arrive; others are destroyed.
    RelativesOnly,
}

pub fn country_policy(country: &str) -> CountryPolicy {
    if RELATIVES_ONLY
        .iter()
        .any(|c| c.eq_ignore_ascii_case(country.trim()))
    {
        CountryPolicy::RelativesOnly
    } else {
        CountryPolicy::Open
    }
}

/// Whether a letter to someone held in `country` arrives, from a writer who
/// is (`from_relative`) or is not a close relative. Where the facility is
/// not known (in transit), nothing stops the letter yet.
pub fn letters_arrive(country: Option<&str>, from_relative: bool) -> bool {
    match country.map(country_policy) {
        Some(CountryPolicy::RelativesOnly) => from_relative,
        Some(CountryPolicy::Open) | None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn belarus_takes_letters_only_from_relatives_and_russia_from_anyone() {
        assert_eq!(country_policy("BY"), CountryPolicy::RelativesOnly);
        assert_eq!(country_policy("by"), CountryPolicy::RelativesOnly);
        assert_eq!(country_policy("RU"), CountryPolicy::Open);
        assert!(!letters_arrive(Some("BY"), false));
        assert!(letters_arrive(Some("BY"), true));
        assert!(letters_arrive(Some("RU"), false));
        assert!(letters_arrive(Some("UA"), false));
        assert!(letters_arrive(None, false), "in transit: not known yet");
    }
}

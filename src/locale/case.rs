//! Letter-case helpers shared by declension and transliteration.
//!
//! Declension rewrites word endings in lower case and then puts the writer's
//! capitalisation back, so "РУССКИХ АНДРЕЙ" stays shouted and "Русских Андрей"
//! stays in title case.

/// Re-applies the case pattern of `original` to `lowered`, letter by letter.
///
/// Positions past the end of `original` take the case of its last cased
/// letter: endings grow ("Лев" → "Льву"), and a grown ending must look like the
/// rest of the word.
pub(crate) fn apply_case_pattern(original: &str, lowered: &str) -> String {
    let pattern: Vec<Option<bool>> = original
        .chars()
        .map(|c| {
            if c.is_uppercase() {
                Some(true)
            } else if c.is_lowercase() {
                Some(false)
            } else {
                None
            }
        })
        .collect();
    let tail_upper = pattern
        .iter()
        .rev()
        .flatten()
        .next()
        .copied()
        .unwrap_or(false);
    let mut out = String::with_capacity(lowered.len());
    for (i, c) in lowered.chars().enumerate() {
        let upper = match pattern.get(i) {
            Some(Some(u)) => *u,
            Some(None) => false,
            None => tail_upper,
        };
        if upper {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// True when the word is written in capitals: at least two letters and no
/// lower-case one. A single capital ("Ж") is a capitalised word, not a shout.
pub(crate) fn is_all_caps(word: &str) -> bool {
    let mut letters = 0;
    for c in word.chars() {
        if c.is_lowercase() {
            return false;
        }
        if c.is_uppercase() {
            letters += 1;
        }
    }
    letters >= 2
}

/// Upper-cases the first character and leaves the rest as given.
pub(crate) fn capitalize_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_case_survives_a_longer_ending() {
        assert_eq!(apply_case_pattern("Лев", "льву"), "Льву");
    }

    #[test]
    fn all_caps_survives_a_longer_ending() {
        assert_eq!(apply_case_pattern("ЛЕВ", "льву"), "ЛЬВУ");
    }

    #[test]
    fn mixed_case_is_kept_per_letter() {
        assert_eq!(apply_case_pattern("МакКой", "маккою"), "МакКою");
    }

    #[test]
    fn empty_original_yields_lower_case() {
        assert_eq!(apply_case_pattern("", "абв"), "абв");
    }

    #[test]
    fn single_capital_is_not_all_caps() {
        assert!(!is_all_caps("Ж"));
        assert!(is_all_caps("ЩУКИН"));
        assert!(is_all_caps("СИЗО-1"));
        assert!(!is_all_caps("Щукин"));
    }

    #[test]
    fn capitalize_first_handles_empty_and_multibyte() {
        assert_eq!(capitalize_first(""), "");
        assert_eq!(capitalize_first("shch"), "Shch");
        assert_eq!(capitalize_first("ёж"), "Ёж");
    }
}

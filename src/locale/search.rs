//! Search keys: one spelling-blind form of a name, so that "Russkikh",
//! "Ruskih", "русских" and "Русских" all meet. Cyrillic is romanised first;
//! then the romanisation differences between standards (kh/h, iu/yu/u,
//! y/i, x/ks, doubled letters) are folded away. The result is lower-case
//! ASCII, which both databases compare the same way with LIKE.

use super::translit::{transliterate, Scheme};

/// The search key for `text`: words separated by single spaces.
pub fn search_key(text: &str) -> String {
    let latin = transliterate(Scheme::RuIcao, &text.to_lowercase());
    let mut out = String::with_capacity(latin.len());
    for word in latin
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&fold(&word.to_ascii_lowercase()));
    }
    out
}

/// True when every word of `query` begins a word of `text`, in any script
/// and order: "Карелия" and "karel" find "Республика Карелия". An empty
/// query matches everything. Used for place names typed into a filter,
/// where the stored form carries words the person does not type.
pub fn words_match(query: &str, text: &str) -> bool {
    let text = search_key(text);
    let words: Vec<&str> = text.split(' ').collect();
    search_key(query)
        .split(' ')
        .filter(|q| !q.is_empty())
        .all(|q| words.iter().any(|w| w.starts_with(q)))
}

/// Folds one lower-case ASCII word.
fn fold(word: &str) -> String {
    // Longest spellings first, so "shch" is not read as "sh" + "ch".
    const FOLDS: &[(&str, &str)] = &[
        ("shch", "s"),
        ("sch", "s"),
        ("sh", "s"),
        ("kh", "h"),
        ("zh", "j"),
        ("ts", "c"),
        ("tz", "c"),
        ("ch", "c"),
        ("ph", "f"),
        ("iu", "u"),
        ("yu", "u"),
        ("ju", "u"),
        ("ia", "a"),
        ("ya", "a"),
        ("ja", "a"),
        ("ie", "e"),
        ("ye", "e"),
        ("je", "e"),
        ("yo", "o"),
        ("jo", "o"),
        ("x", "ks"),
        ("w", "v"),
        ("y", "i"),
        ("j", "i"),
    ];
    let mut folded = String::with_capacity(word.len());
    let mut rest = word;
    'outer: while !rest.is_empty() {
        for (from, to) in FOLDS {
            if let Some(tail) = rest.strip_prefix(from) {
                folded.push_str(to);
                rest = tail;
                continue 'outer;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            folded.push(c);
        }
        rest = chars.as_str();
    }
    // Doubled letters are spelt either way ("Russkikh", "Ruskikh").
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_is_found_by_any_of_its_words() {
        assert!(words_match("Карелия", "Республика Карелия"));
        assert!(words_match("карел", "Республика Карелия"));
        assert!(
            words_match("Karel", "Республика Карелия"),
            "in Latin letters too"
        );
        assert!(words_match("Республика Карелия", "Республика Карелия"));
        assert!(words_match("Владимирская", "Владимирская обл."));
        assert!(words_match("", "Владимирская обл."));
        assert!(!words_match("Карелия", "Республика Коми"));
        assert!(
            !words_match("Республика Карелия", "Республика Коми"),
            "every word counts"
        );
        assert!(
            !words_match("елия", "Республика Карелия"),
            "words, not substrings"
        );
    }

    #[test]
    fn cyrillic_and_latin_spellings_meet() {
        let stored = search_key("Русских Андрей Владимирович");
        for query in [
            "Russkikh",
            "russkih",
            "РУССКИХ",
            "русских",
            "Ruskikh",
            "Andrey",
            "Andrei",
        ] {
            let q = search_key(query);
            assert!(stored.contains(&q), "{query:?} → {q:?} not in {stored:?}");
        }
    }

    #[test]
    fn romanisation_variants_fold_together() {
        assert_eq!(search_key("Юлия"), search_key("Yuliya"));
        assert_eq!(search_key("Юлия"), search_key("Iuliia"));
        assert_eq!(search_key("Алексей"), search_key("Alexey"));
        assert_eq!(search_key("Щукин"), search_key("Shchukin"));
        assert_eq!(search_key("Кагарлицкий"), search_key("Kagarlitsky"));
    }

    #[test]
    fn punctuation_splits_words_and_odd_input_is_empty() {
        assert_eq!(search_key("Иванова-Сидорова"), "ivanova sidorova");
        assert_eq!(search_key(""), "");
        assert_eq!(search_key("  %_'  "), "");
        assert_eq!(search_key("🙂"), "");
    }
}

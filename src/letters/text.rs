//! Splitting a letter into words, with character offsets.

/// A run of letters and digits in a text. `start..end` are character offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

impl Word {
    /// Lower case with ё read as е, the form the word lists are written in.
    pub fn folded(&self) -> String {
        fold(&self.text)
    }
}

pub(crate) fn fold(s: &str) -> String {
    s.to_lowercase().replace('ё', "е")
}

/// Combining marks (a "й" typed as "и" + breve) belong to the word they follow.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || ('\u{0300}'..='\u{036f}').contains(&c)
}

/// The words of `text`: maximal runs of letters, digits and combining marks.
/// Hyphens and apostrophes split words, so "ФСИН-Письмо" is two.
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut current: Option<Word> = None;
    for (i, c) in text.chars().enumerate() {
        if is_word_char(c) {
            match &mut current {
                Some(w) => {
                    w.text.push(c);
                    w.end = i + 1;
                }
                None => {
                    current = Some(Word {
                        text: c.to_string(),
                        start: i,
                        end: i + 1,
                    })
                }
            }
        } else if let Some(w) = current.take() {
            out.push(w);
        }
    }
    out.extend(current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_carry_character_offsets() {
        let w = words("Привет, мир! ФСИН-Письмо 2024г");
        let texts: Vec<_> = w.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, vec!["Привет", "мир", "ФСИН", "Письмо", "2024г"]);
        assert_eq!((w[1].start, w[1].end), (8, 11));
        assert_eq!((w[3].start, w[3].end), (18, 24));
        assert!(words("").is_empty());
        assert!(words(" ,.!\n").is_empty());
    }

    #[test]
    fn folding_lowers_case_and_reads_yo_as_ye() {
        assert_eq!(fold("ЁЛКА Её"), "елка ее");
    }
}

//! Reply codes: a short code printed on every outgoing letter so that a reply
//! can be matched to the letter and its writer. Codes are read back from
//! handwritten pages and scans, so they use only characters that cannot be
//! mistaken for another (no 0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V) and are grouped
//! for reading aloud: "K7-QX4H".

use rand::Rng;

pub const ALPHABET: &[u8] = b"34679ACDEFGHJKMNPQRTWXY";
const LEN: usize = 6;

/// A fresh code. About 1.5·10⁸ codes; a unique index catches the rare
/// collision and the caller draws again.
pub fn new_code(rng: &mut impl Rng) -> String {
    let mut code = String::with_capacity(LEN + 1);
    for i in 0..LEN {
        if i == 2 {
            code.push('-');
        }
        let index = rng.gen_range(0..ALPHABET.len());
        code.push(char::from(ALPHABET[index]));
    }
    code
}

fn in_alphabet(c: char) -> bool {
    c.is_ascii() && ALPHABET.contains(&(c.to_ascii_uppercase() as u8))
}

/// The code as a person typed it ("k7 qx4h", "K7QX4H", " k7-qx4h "), in its
/// printed form, or `None` when it cannot be one.
pub fn normalize(input: &str) -> Option<String> {
    let chars: Vec<char> = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '–')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if chars.len() != LEN || !chars.iter().all(|c| in_alphabet(*c)) {
        return None;
    }
    let mut code: String = chars[..2].iter().collect();
    code.push('-');
    code.extend(&chars[2..]);
    Some(code)
}

/// Every code written in `text` in its printed form (two characters, a
/// hyphen, four characters, standing as a word of its own), in order.
pub fn find_in_text(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let boundary = |i: Option<usize>| {
        i.and_then(|i| chars.get(i))
            .is_none_or(|c| !c.is_alphanumeric())
    };
    for start in 0..chars.len() {
        let Some(window) = chars.get(start..start + LEN + 1) else {
            break;
        };
        let shaped =
            window
                .iter()
                .enumerate()
                .all(|(i, c)| if i == 2 { *c == '-' } else { in_alphabet(*c) });
        if shaped && boundary(start.checked_sub(1)) && boundary(Some(start + LEN + 1)) {
            let code: String = window.iter().map(|c| c.to_ascii_uppercase()).collect();
            if !found.contains(&code) {
                found.push(code);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_composer_counts_a_code_as_long_as_a_real_one() {
        let code = new_code(&mut rand::thread_rng());
        assert_eq!(
            code.chars().count(),
            crate::letters::REPLY_CODE_PLACEHOLDER.chars().count()
        );
    }

    #[test]
    fn new_codes_avoid_look_alike_characters_and_normalize_to_themselves() {
        let mut rng = rand::thread_rng();
        for _ in 0..200 {
            let code = new_code(&mut rng);
            assert_eq!(code.len(), 7);
            assert!(
                !code.contains(['0', 'O', '1', 'I', 'L', '2', 'Z', '5', 'S', '8', 'B', 'U', 'V']),
                "{code}"
            );
            assert_eq!(normalize(&code).as_deref(), Some(code.as_str()));
        }
    }

    #[test]
    fn typed_codes_are_normalized() {
        assert_eq!(normalize("k7 qx4h").as_deref(), Some("K7-QX4H"));
        assert_eq!(normalize(" K7QX4H ").as_deref(), Some("K7-QX4H"));
        assert_eq!(normalize("K7–QX4H").as_deref(), Some("K7-QX4H"));
        assert_eq!(normalize("K7-QX4"), None);
        assert_eq!(normalize("K7-QX4HH"), None);
        assert_eq!(normalize("K0-QX4H"), None, "0 is never printed");
        assert_eq!(normalize("Ж7-QX4H"), None);
        assert_eq!(normalize(""), None);
    }

    #[test]
    fn codes_are_found_in_text_as_words_of_their_own() {
        let text = "Ответ на письмо K7-QX4H от 3 марта. Также упомянут код 9A-CDEF; a7-tt9y тоже.";
        assert_eq!(find_in_text(text), vec!["K7-QX4H", "9A-CDEF", "A7-TT9Y"]);
        assert!(find_in_text("XK7-QX4H").is_empty(), "part of a longer word");
        assert!(find_in_text("K7-QX4HA").is_empty());
        assert!(find_in_text("K7-QX4").is_empty());
        assert!(find_in_text("").is_empty());
        assert_eq!(find_in_text("K7-QX4H K7-QX4H"), vec!["K7-QX4H"]);
    }
}

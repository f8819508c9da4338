//! What an e-letter service receives and how it falls into pages: the one
//! rule behind the composer's estimate, the price stored with the letter,
//! the send screen and the gateway payload. static/pages.js is the same rule
//! for the composer's live count; tests/fixtures/pages.json holds the cases
//! both must agree on.
//!
//! Everything is counted in characters (Unicode scalar values), never bytes,
//! so that the browser, which walks code points, gets the same pages.

/// One printed page of an e-letter holds this many characters (ФСИН-Письмо).
pub const PAGE_CHARS: usize = 2_500;

/// The label printed before the reply code. The services print in Russian
/// whatever the writer's language, and the replies come back through them.
pub const REPLY_CODE_LABEL: &str = "Код для ответа";

/// Stands in for a reply code not drawn yet (a letter still being composed).
/// Codes have one shape ("K7-QX4H") and never contain a break, so any code
/// fills the same pages as this; a test in `replies::codes` keeps the lengths
/// equal.
pub const REPLY_CODE_PLACEHOLDER: &str = "XX-XXXX";

/// The text a service prints: the body, the signature (the name the
/// recipient sees), and the reply code, each after a blank line. The
/// signature is left out when the body already ends with it, so it is never
/// printed twice.
pub fn service_text(body: &str, signature: Option<&str>, reply_code: Option<&str>) -> String {
    let body = body.replace("\r\n", "\n");
    let mut text = body.trim_end_matches(is_blank).to_owned();
    if let Some(name) = signature.map(|s| s.trim_matches(is_blank)) {
        if !name.is_empty() && !ends_with_signature(&text, name) {
            push_paragraph(&mut text, name);
        }
    }
    if let Some(code) = reply_code.map(|c| c.trim_matches(is_blank)) {
        if !code.is_empty() {
            push_paragraph(&mut text, &format!("{REPLY_CODE_LABEL}: {code}"));
        }
    }
    text
}

fn push_paragraph(text: &mut String, paragraph: &str) {
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(paragraph);
}

/// Whether `text` already closes with `name` as whole words ("Обнимаю,
/// Маша." ends with "Маша"; "Наташа" does not end with "Таша"), ignoring
/// case and closing punctuation.
fn ends_with_signature(text: &str, name: &str) -> bool {
    let text: Vec<char> = text
        .trim_end_matches(|c: char| is_blank(c) || ".,!;…".contains(c))
        .to_lowercase()
        .chars()
        .collect();
    let name: Vec<char> = name.to_lowercase().chars().collect();
    if name.is_empty() || name.len() > text.len() {
        return false;
    }
    let start = text.len() - name.len();
    text[start..] == name[..] && (start == 0 || !text[start - 1].is_alphanumeric())
}

/// The characters a page break may swallow. Kept to these four (not Rust's
/// or JavaScript's idea of white space, which differ) so both sides agree.
fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\n' | '\t' | '\r')
}

/// Breaks, best first: a paragraph, a line, a space.
const BREAKS: [&[char]; 3] = [&['\n', '\n'], &['\n'], &[' ']];

/// `text` in pages of at most `PAGE_CHARS` characters.
pub fn split_pages(text: &str) -> Vec<String> {
    split_pages_at(text, PAGE_CHARS)
}

/// `text` in pages of at most `per_page` characters. A page ends at the last
/// paragraph break in its second half, else the last line break there, else
/// the last space, else it is cut at the limit. The breaks themselves and
/// the blanks around them are not printed.
pub fn split_pages_at(text: &str, per_page: usize) -> Vec<String> {
    let per_page = per_page.max(1);
    let chars: Vec<char> = text.chars().collect();
    let mut end = chars.len();
    while end > 0 && is_blank(chars[end - 1]) {
        end -= 1;
    }
    let mut start = 0;
    while start < end && is_blank(chars[start]) {
        start += 1;
    }
    let mut pages = Vec::new();
    while start < end {
        if end - start <= per_page {
            pages.push(chars[start..end].iter().collect());
            break;
        }
        let window = &chars[start..start + per_page];
        let cut = BREAKS
            .iter()
            .find_map(|sep| last_break(window, sep).filter(|&i| i > per_page / 2))
            .unwrap_or(per_page);
        let mut page_end = start + cut;
        while page_end > start && is_blank(chars[page_end - 1]) {
            page_end -= 1;
        }
        pages.push(chars[start..page_end].iter().collect());
        start += cut;
        while start < end && is_blank(chars[start]) {
            start += 1;
        }
    }
    pages
}

/// Where the last `sep` in `window` ends.
fn last_break(window: &[char], sep: &[char]) -> Option<usize> {
    (sep.len()..=window.len())
        .rev()
        .find(|&end| window[end - sep.len()..end] == *sep)
}

/// Pages `text` fills; nothing to send is no pages.
pub fn page_count(text: &str) -> u32 {
    u32::try_from(split_pages(text).len()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_hold_at_most_the_limit_and_lose_nothing_but_break_spaces() {
        let text = "Слово ".repeat(1000);
        let pages = split_pages(&text);
        assert_eq!(pages.len(), 3);
        assert!(pages.iter().all(|p| p.chars().count() <= PAGE_CHARS));
        let rejoined: String = pages.join(" ");
        assert_eq!(rejoined.split_whitespace().count(), 1000);
        assert_eq!(split_pages(""), Vec::<String>::new());
        assert_eq!(split_pages(" \n\n "), Vec::<String>::new());
        assert_eq!(split_pages("коротко"), vec!["коротко"]);
        // No breaks at all: cut hard at the limit, on a character boundary.
        let solid = "ж".repeat(5001);
        assert_eq!(
            split_pages(&solid)
                .iter()
                .map(|p| p.chars().count())
                .collect::<Vec<_>>(),
            vec![2500, 2500, 1]
        );
    }

    #[test]
    fn a_page_ends_at_a_paragraph_before_a_line_before_a_space() {
        let text = "аа бб\nвв гг\n\nдд ее\nжж зз";
        assert_eq!(
            split_pages_at(text, 18),
            vec!["аа бб\nвв гг", "дд ее\nжж зз"]
        );
        assert_eq!(
            split_pages_at("аа бб вв\nгг дд ее", 14),
            vec!["аа бб вв", "гг дд ее"]
        );
        assert_eq!(split_pages_at("ааа ббб ввв", 9), vec!["ааа ббб", "ввв"]);
        // A break in the first half would waste the page: cut at the limit.
        assert_eq!(split_pages_at("а ббббббббб", 6), vec!["а бббб", "ббббб"]);
    }

    #[test]
    fn a_5000_character_letter_is_counted_as_it_is_sent() {
        // The old count divided characters by 2,500 and said 2; breaking at
        // spaces makes 3, and 3 is what the estimate now says too.
        let body = "Слово ".repeat(833) + "ab";
        assert_eq!(body.chars().count(), 5_000);
        assert_eq!(split_pages(&body).len(), 3);
        assert_eq!(page_count(&body), 3);
    }

    #[test]
    fn the_signature_and_reply_code_close_the_text_once() {
        assert_eq!(
            service_text("Привет!\r\n\r\n", Some(" Вера "), Some("K7-QX4H")),
            "Привет!\n\nВера\n\nКод для ответа: K7-QX4H"
        );
        assert_eq!(
            service_text("Обнимаю,\nВера.", Some("Вера"), None),
            "Обнимаю,\nВера."
        );
        assert_eq!(
            service_text("Жму руку, вера", Some("Вера"), None),
            "Жму руку, вера",
            "case does not matter"
        );
        assert_eq!(
            service_text("Привет от Наташа", Some("Таша"), None),
            "Привет от Наташа\n\nТаша",
            "a word that only ends like the name is not the name"
        );
        assert_eq!(service_text("Привет", Some(""), None), "Привет");
        assert_eq!(
            service_text("", None, Some("K7-QX4H")),
            "Код для ответа: K7-QX4H"
        );
    }

    #[test]
    fn the_signature_and_reply_code_can_add_a_page() {
        let body = "ж".repeat(2_480);
        assert_eq!(page_count(&body), 1);
        let text = service_text(&body, Some("Вера"), Some(REPLY_CODE_PLACEHOLDER));
        assert_eq!(page_count(&text), 2);
        assert!(split_pages(&text)[1].ends_with("Код для ответа: XX-XXXX"));
    }

    /// The cases static/pages.js is tested against (tests/api/eletters.rs
    /// runs them through node): both sides must give these pages.
    #[test]
    fn the_shared_page_cases_hold() {
        for case in shared_cases() {
            let text = service_text(
                &case.body,
                case.signature.as_deref(),
                case.reply_code.as_deref(),
            );
            let pages = split_pages_at(&text, case.per_page);
            let lengths: Vec<usize> = pages.iter().map(|p| p.chars().count()).collect();
            assert_eq!(lengths, case.page_chars, "{}", case.name);
        }
    }

    struct Case {
        name: String,
        body: String,
        signature: Option<String>,
        reply_code: Option<String>,
        per_page: usize,
        page_chars: Vec<usize>,
    }

    /// Bodies are built from pieces repeated, so the file stays readable.
    fn shared_cases() -> Vec<Case> {
        let raw = include_str!("../../tests/fixtures/pages.json");
        let value: serde_json::Value = serde_json::from_str(raw).expect("pages.json is JSON");
        let cases = value.as_array().expect("a list of cases");
        assert!(cases.len() >= 5);
        cases
            .iter()
            .map(|c| Case {
                name: c["name"].as_str().unwrap_or_default().to_owned(),
                body: c["body"]
                    .as_array()
                    .expect("body pieces")
                    .iter()
                    .map(|p| {
                        p[0].as_str()
                            .unwrap_or_default()
                            .repeat(usize::try_from(p[1].as_u64().unwrap_or(1)).unwrap_or(1))
                    })
                    .collect(),
                signature: c["signature"].as_str().map(str::to_owned),
                reply_code: c["reply_code"].as_str().map(str::to_owned),
                per_page: usize::try_from(c["per_page"].as_u64().unwrap_or(2500)).unwrap_or(2500),
                page_chars: c["page_chars"]
                    .as_array()
                    .expect("page_chars")
                    .iter()
                    .map(|n| usize::try_from(n.as_u64().unwrap_or(0)).unwrap_or(0))
                    .collect(),
            })
            .collect()
    }
}
